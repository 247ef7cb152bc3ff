"""viz.program: the backward pass as Python, run and compared bit for bit with backward()."""

from __future__ import annotations

import math
import runpy
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from .viz_testing import LECTURE_B, lecture_neuron

import autograd
import nn
from autograd import OPS, Value, register_op
from viz import program, trace
from viz.program import HELPERS, PROGRAM_RULES, variable_names


def _bits(x: float) -> bytes:
    """A float's bits (every NaN alike: only a NaN's sign may differ between two runs)."""
    return b"nan" if math.isnan(x) else struct.pack("<d", x)


def _run(text: str, leaves: dict[str, float] | None = None) -> dict:
    """The program's variables after running it as a file (with only ``leaves`` defined before)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "program.py"
        path.write_text(text, encoding="utf-8")
        return runpy.run_path(str(path), init_globals=leaves)


def _program_names(root: Value) -> dict[Value, str]:
    """node -> the name the program gives it (constants have none)."""
    tr = trace(root)
    return {node: name for node, name in zip(tr.nodes, variable_names(tr)) if node.requires_grad}


def _assert_replays(root: Value) -> None:
    """Running program(root) gives every node's .grad of a fresh backward, bit for bit."""
    text = program(root)
    namespace = _run(text)
    root.backward()
    for node, name in _program_names(root).items():
        assert _bits(namespace[f"g_{name}"]) == _bits(node.grad + 0.0), (name, text)
        if node.parents:
            assert _bits(namespace[name]) == _bits(node.data), name


def test_tanh_neuron_of_the_lecture_reads_and_replays():
    n = lecture_neuron()
    text = program(n.o)
    assert "o = math.tanh(v)" in text and "# tanh(0.8814) = 0.7071" in text
    assert "g_v += d_tanh(v) * g_o" in text and "0.5 × 1.0 = 0.5" in text
    lines = text.splitlines()
    (w1_line,) = [line for line in lines if line.startswith("g_w1 +=")]
    assert w1_line.startswith("g_w1 += x1 * g_n") and w1_line.endswith("# 2.0 × 0.5 = 1.0")
    imports = [line for line in lines if line.startswith(("from ", "import "))]
    assert imports == ["import math"]
    namespace = _run(text)
    # the hand derivation of the lecture: dL/dw1 = x1(1 − o²) = 2 × 0.5, dL/dx1 = w1 × 0.5
    assert math.isclose(namespace["g_w1"], 1.0, rel_tol=1e-12)
    assert math.isclose(namespace["g_x1"], -1.5, rel_tol=1e-12)
    assert namespace["g_w2"] == 0.0  # x2 = 0
    assert math.isclose(namespace["g_x2"], 0.5, rel_tol=1e-12)  # w2 × 0.5
    _assert_replays(lecture_neuron().o)
    _assert_replays(lecture_neuron(use_dot=True).o)


def test_micrograd_readme_expression():
    a, b = Value(-4.0, label="a"), Value(2.0, label="b")
    c = a + b
    d = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    namespace = _run(program(g))
    # the numbers micrograd's README prints
    assert f"{namespace['g_a']:.4f}" == "138.8338" and f"{namespace['g_b']:.4f}" == "645.5773"
    _assert_replays(g)


def test_a_node_used_twice_gets_two_lines_and_accumulates():
    x = Value(3.0, label="x")
    y = x * x + x  # three edges out of x
    y.label = "y"
    text = program(y)
    assert sum(line.startswith("g_x +=") for line in text.splitlines()) == 3
    assert _run(text)["g_x"] == 7.0  # 2x + 1
    _assert_replays(y)


def test_constants_are_literals_and_get_no_gradient():
    x = Value(2.0, label="x")
    y = (x * -3.0 + 0.5) ** 2.0
    y.label = "y"
    text = program(y)
    assert "x * (-3.0)" in text and "+ 0.5" in text and "** 2.0" in text
    backward = text.split("# backward")[1]
    assert "g_(" not in backward and "g_0" not in backward  # no gradient for a constant
    assert "g_x += (-3.0) * g_" in backward  # ∂(x·c)/∂x = c, as a literal
    _assert_replays(y)


def test_attributes_of_leaky_relu_and_elu_are_written():
    x = Value(-2.0, label="x")
    y = x.leaky_relu(0.2) + x.elu(0.5) + x.leaky_relu()
    text = program(y)
    assert "leaky_relu(x, 0.2)" in text and "elu(x, 0.5)" in text and "leaky_relu(x, 0.01)" in text
    assert "d_leaky_relu(x, 0.2)" in text and "d_elu(x, 0.5)" in text
    _assert_replays(y)


def test_the_leaves_may_be_left_to_the_caller_and_then_the_program_is_general():
    def build(x1: float, w1: float) -> tuple[Value, Value, Value]:
        x, w = Value(x1, label="x1"), Value(w1, label="w1")
        return (x * w).sigmoid() * w + (w - x).relu(), x, w

    root, _, _ = build(2.0, -3.0)
    text = program(root, leaves=False)
    assert "x1 = 2.0" not in text and "defined by the caller: x1, w1" in text
    for x1, w1 in [(2.0, -3.0), (-1.5, 0.25), (0.0, 7.0)]:
        other, x, w = build(x1, w1)
        other.backward()
        namespace = _run(text, {"x1": x1, "w1": w1})
        assert (namespace["g_x1"], namespace["g_w1"]) == (x.grad, w.grad)


def test_names_are_labels_only_when_they_are_safe_python_names():
    a, b = Value(1.5, label="lambda"), Value(2.5, label="math")
    c, d = Value(0.5, label="g_a"), Value(-1.0, label="n0")  # n0 is another node's name
    e, f = Value(3.0, label="same"), Value(4.0, label="same")
    g = Value(2.0, label="sigmoid")
    h = Value(1.0, label="two words")  # two_words
    k = Value(1.0, label="2x")  # not a name: _ never starts one
    root = a * b + c * d + e * f + g.sigmoid() * h * k
    root.label = "root"
    text = program(root)
    for bad in ("lambda =", "math =", "g_a =", "same =", "sigmoid =", "two words", "_2x", "2x ="):
        assert bad not in text
    assert "two_words = 1.0" in text
    assert "root = " in text
    names = _program_names(root)
    assert names[d] == f"n{trace(root).index[d]}" and names[a] != "lambda" and names[e] != names[f]
    _assert_replays(root)


def test_an_nn_model_with_its_loss_replays():
    model = nn.MLP(2, [3, 2, 1], activation="tanh", seed=3)
    loss = nn.mse(model([0.5, -1.2]), 0.7)
    _assert_replays(loss)
    model = nn.MLP(3, [4, 1], activation="selu", output_activation="sigmoid", seed=1)
    _assert_replays(nn.mse(model([0.1, 2.0, -3.0]), 1.0))


@pytest.fixture
def cube():
    """x³, a user's op the program's table does not know; removed after the test."""
    register_op("cube", lambda x: x ** 3, lambda y, x: (3 * x * x,), formula="3x²")
    yield OPS["cube"]
    del OPS["cube"]


def test_a_users_op_is_written_as_the_engines_numbers(cube):
    x = Value(1.5, label="x")
    y = x.apply("cube") * x
    text = program(y)
    assert "cube" in text and "3.375" in text
    _assert_replays(y)


def test_overflow_is_written_as_the_engines_value():
    x = Value(800.0, label="x")
    y = x.exp() * 0.0 + x ** 200.0 * 0.0 + x  # exp(800) and 800**200 are inf
    _assert_replays(y)


def test_bad_arguments_name_themselves():
    with pytest.raises(TypeError, match="root"):
        program(2.0)
    with pytest.raises(ValueError, match="root"):
        program(Value(1.0, requires_grad=False))
    with pytest.raises(TypeError, match="leaves"):
        program(Value(1.0), leaves="no")


def test_the_program_table_covers_the_op_table():
    assert set(PROGRAM_RULES) == set(OPS)
    for rule in PROGRAM_RULES.values():
        assert set(rule.helpers) <= set(HELPERS)


# -- every helper against the op table's rule, at 0, both signs, tiny and huge ---------------------
_POINTS = [0.0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 0.3, -0.3, 1.0, -1.0, 2.5, -2.5, 19.0, -19.0,
           40.0, -40.0, 700.0, -700.0, 1e300, -1e300, math.nan]


def _helpers() -> dict:
    """Every helper, and ``local_<op>(x, y)``: each unary op's local derivative as the program
    writes it, defined by a program of their sources."""
    locals_ = [f"def local_{name}(x, y):\n    return {rule.local[0].format('x', y='y')}"
               for name, rule in PROGRAM_RULES.items()
               if OPS[name].arity == 1 and not OPS[name].attrs]
    return _run("\n\n".join(["import math", *HELPERS.values(), *locals_]))


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "relu", "selu", "step"])
def test_forward_helpers_are_the_op_tables_rules(name):
    helper = _helpers()[name]
    for x in _POINTS:
        assert _bits(helper(x)) == _bits(OPS[name].forward(x)), x


_PLAIN_UNARY = sorted(name for name, row in OPS.items() if row.arity == 1 and not row.attrs)


@pytest.mark.parametrize("name", _PLAIN_UNARY)
def test_derivative_helpers_are_the_op_tables_rules(name):
    local = _helpers()[f"local_{name}"]
    for x in _POINTS:
        try:
            y = OPS[name].forward(x)
        except ValueError:  # outside the op's domain: no graph has it
            continue
        assert _bits(local(x, y)) == _bits(OPS[name].derivative(y, x)[0]), x


@pytest.mark.parametrize("slope", [0.01, 0.2, -0.5, 3.0])
def test_helpers_with_attributes_are_the_op_tables_rules(slope):
    helpers = _helpers()
    for x in _POINTS:
        for name, key in (("leaky_relu", "slope"), ("elu", "alpha")):
            op = OPS[name]
            y = op.forward(x, **{key: slope})
            assert _bits(helpers[name](x, slope)) == _bits(y)
            expected = op.derivative(y, x, **{key: slope})[0]
            assert _bits(helpers[f"d_{name}"](x, slope)) == _bits(expected)


def test_power_helpers_are_the_op_tables_rule():
    helpers = _helpers()
    for a in [0.0, 1e-300, 0.5, 2.0, -2.0, 3.0, 1e10, 1e200]:
        for b in [0.0, 0.5, 1.0, 2.0, 3.0, -1.0, -2.0, 40.0]:
            try:
                y = OPS["pow"].forward(a, b)
            except (ValueError, ZeroDivisionError):
                continue
            expected = OPS["pow"].derivative(y, a, b)
            got = (helpers["d_pow_base"](y, a, b), helpers["d_pow_exponent"](y, a, b))
            assert tuple(map(_bits, got)) == tuple(map(_bits, expected)), (a, b)


# -- random graphs over every op ----------------------------------------------------------------
_UNARY = sorted(name for name, op in OPS.items() if op.arity == 1)
_BINARY = sorted(name for name, op in OPS.items() if op.arity == 2)
_NUMBERS = st.one_of(st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0, -3.0]),
                     st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False))
_STEP = st.tuples(st.sampled_from(_UNARY + _BINARY + ["sum", "dot"]),  # the op
                  st.lists(st.integers(0, 10_000), min_size=1, max_size=5),  # its operands
                  st.sampled_from([None, 0.1, 2.0]),  # an attribute (slope, alpha)
                  st.one_of(st.none(), _NUMBERS))  # a constant operand


def _build(leaves: list[float], labels: list[str], steps: list) -> Value | None:
    """A graph from a recipe: each step an op on earlier nodes (picked by index, reuse allowed),
    an attribute, and a constant operand; steps outside an op's domain are left out."""
    nodes = [Value(x, label=label) for x, label in zip(leaves, labels)]
    for op, picks, attribute, constant in steps:
        operands: list = [nodes[k % len(nodes)] for k in picks]
        if constant is not None:
            operands[-1] = constant
        try:
            if op == "sum":
                node = autograd.sum(operands)
            elif op == "dot":
                half = max(1, len(operands) // 2)
                node = autograd.dot(operands[:half], (operands[half:] + operands)[:half],
                                    operands[-1] if len(operands) % 2 else None)
            elif OPS[op].arity == 2:
                second = operands[-1] if len(operands) > 1 else nodes[-1]
                node = autograd.apply(op, operands[0], second)
            else:
                named = OPS[op].attrs and attribute is not None
                attrs = {OPS[op].attrs[0]: attribute} if named else {}
                first = operands[0] if isinstance(operands[0], Value) else nodes[-1]
                node = autograd.apply(op, first, **attrs)
        except (ValueError, ZeroDivisionError):
            continue
        if node.requires_grad and all(math.isfinite(x) for x in (node.data, *node.local_grads)):
            nodes.append(node)
    return nodes[-1] if nodes[-1].parents else None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaves=st.lists(_NUMBERS, min_size=1, max_size=4), labelled=st.booleans(),
       steps=st.lists(_STEP, min_size=1, max_size=12))
def test_random_graphs_replay_bit_for_bit(leaves, labelled, steps):
    labels = [f"x{i}" if labelled else "" for i in range(len(leaves))]
    root = _build(leaves, labels, steps)
    if root is None:
        return
    text = program(root)
    namespace = _run(text)
    root.backward()
    for node, name in _program_names(root).items():
        assert _bits(namespace[f"g_{name}"]) == _bits(node.grad + 0.0), (name, text)
    # the same text without its leaf lines, run on the leaves alone
    general = program(root, leaves=False)
    names = _program_names(root)
    leaf_values = {name: node.data for node, name in names.items() if not node.parents}
    again = _run(general, leaf_values)
    for node, name in _program_names(root).items():
        assert _bits(again[f"g_{name}"]) == _bits(namespace[f"g_{name}"])


def test_lecture_constant_is_the_lectures():
    assert math.isclose(math.tanh(2 * -3 + LECTURE_B), 1 / math.sqrt(2), rel_tol=1e-12)
