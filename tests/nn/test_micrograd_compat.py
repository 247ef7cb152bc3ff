"""micrograd's moons demo, with only the imports changed: ``demos/micrograd_moons.py`` itself, run here.

(micrograd's README example, which needs only ``Value``, is in tests/autograd/test_backward.py.)

The data comes from ``nn.data.moons`` instead of scikit-learn (not a dependency), on 40 points so the
test stays quick; run the script for the full 100-point demo.
"""

import importlib.util
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "demos" / "micrograd_moons.py"


def test_moons_demo_reaches_full_training_accuracy():
    spec = importlib.util.spec_from_file_location("micrograd_moons_demo", DEMO)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)  # demos/ is not a package: loaded by path, like tests/demos
    result = demo.main(n=40)
    assert result["parameters"] == 337
    losses = result["losses"]
    assert result["accuracy"] == 1.0
    assert losses[-1] < losses[0] / 10
    assert result["loss"](batch_size=10)[0].data > 0  # the demo's minibatch path works too
