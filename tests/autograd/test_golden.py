"""The 300 expressions of the golden file (PyTorch float64) through ``parse``: value and every gradient."""

import json
import math
from pathlib import Path

import pytest

from autograd import Value, parse, topological_order

# A copy of ../shared/golden/torch_graphs.json (PyTorch 2.13.0, float64), kept in the repository so
# that a clone alone can run the tests; test_golden_copy_is_current checks it against the shared one.
GOLDEN = Path(__file__).resolve().parent / "data" / "torch_graphs.json"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "golden" / "torch_graphs.json"
RELATIVE, ABSOLUTE = 1e-9, 1e-12


def load_cases():
    if not GOLDEN.is_file():
        pytest.fail(f"golden file missing: {GOLDEN}")
    cases = json.loads(GOLDEN.read_text())["cases"]
    assert len(cases) == 300
    return cases


def close(actual, expected):
    return math.isclose(actual, expected, rel_tol=RELATIVE, abs_tol=ABSOLUTE)


def test_golden_expressions_match_pytorch():
    failures = []
    ops_seen = set()
    for i, case in enumerate(load_cases()):
        leaves = {name: Value(x, label=name) for name, x in case["inputs"].items()}
        out = parse(case["expr"], **leaves)
        out.backward()
        ops_seen.update(node.op for node in topological_order(out))
        if not close(out.data, case["value"]):
            failures.append(f"case {i} value: {out.data!r} != {case['value']!r}  {case['expr']}")
        for name, expected in case["grads"].items():
            if not close(leaves[name].grad, expected):
                failures.append(f"case {i} d/d{name}: {leaves[name].grad!r} != {expected!r}  {case['expr']}")
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:20])
    # The file exercises the whole op set of the contract (step aside: its derivative is 0).
    expected_ops = {"add", "sub", "mul", "div", "pow", "neg", "abs", "exp", "log", "sqrt", "sin", "cos"}
    expected_ops |= {"tanh", "sigmoid", "relu", "leaky_relu", "elu", "selu", "softplus"}
    assert expected_ops <= ops_seen



def test_golden_copy_is_current():
    """Where ../shared is beside the repository (CI, developers), the copy must equal it."""
    if SHARED.is_file():
        assert json.loads(SHARED.read_text()) == json.loads(GOLDEN.read_text()), "refresh tests/autograd/data"
    assert len(json.loads(GOLDEN.read_text())["cases"]) == 300
