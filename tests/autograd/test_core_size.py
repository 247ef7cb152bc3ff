"""The engine core (``value.py``, ``ops.py``, ``backward.py``) stays short enough to read aloud in
one sitting: the line budget of the architecture issue."""

from pathlib import Path

import autograd

CORE = ("value.py", "ops.py", "backward.py")
BUDGET = 500


def test_the_engine_core_is_within_its_line_budget():
    folder = Path(autograd.__file__).parent
    counts = {name: len((folder / name).read_text(encoding="utf-8").splitlines()) for name in CORE}
    assert sum(counts.values()) <= BUDGET, counts
