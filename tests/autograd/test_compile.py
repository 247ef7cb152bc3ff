"""The vectorised replay against the scalar engine, sample by sample, and the NumPy rules against
the scalar rules of the op table."""

import math

import numpy as np
import pytest

import autograd
from autograd import OPS, Value, compile_graph, register_op

TOL = dict(rtol=1e-12, atol=1e-12)
POINTS = [-2.5, -1.0, -0.3, 0.0, 0.3, 1.0, 2.5]  # kinks (0) and both signs
ATTRS = {"leaky_relu": {"slope": 0.2}, "elu": {"alpha": 0.7}}
# Where each binary op is defined (pairs of points); the scalar rule raises elsewhere.
PAIRS = {
    "div": [(a, b) for a in POINTS for b in POINTS if b != 0],
    "pow": [(a, b) for a in POINTS for b in POINTS if a > 0]
    + [(0.0, b) for b in (0.0, 0.5, 1.0, 2.0, 3.0)]
    + [(a, b) for a in (-2.5, -0.3) for b in (-2.0, 0.0, 1.0, 2.0, 3.0)],
}
DOMAIN = {"log": lambda a: a > 0, "sqrt": lambda a: a >= 0}
BUILT_INS = set("add sub mul neg div pow abs exp log sqrt sin cos tanh sigmoid softplus relu leaky_relu elu selu step "
                "sum dot".split())


@pytest.fixture
def user_ops():
    """register_op, with the op table restored afterwards."""
    before = dict(OPS)
    yield register_op
    OPS.clear()
    OPS.update(before)


# -- the NumPy rules of the op table ------------------------------------------------------------


def _array_rules(op):
    return op.numpy_forward, op.numpy_derivative or op.derivative


def _assert_same(array_values, scalar_values):
    np.testing.assert_allclose(np.asarray(array_values, dtype=float), np.asarray(scalar_values, dtype=float), **TOL)


@pytest.mark.parametrize("name", [name for name, op in OPS.items() if op.arity is not None])
def test_numpy_rules_agree_with_the_scalar_rules(name):
    op = OPS[name]
    attrs = ATTRS.get(name, {})
    if op.arity == 1:
        rows = [(a,) for a in POINTS if DOMAIN.get(name, lambda a: True)(a)]
    else:
        rows = PAIRS.get(name, [(a, b) for a in POINTS for b in POINTS])
    columns = [np.array(c) for c in zip(*rows)]
    forward, derivative = _array_rules(op)
    with np.errstate(all="ignore"):
        y = forward(*columns, **attrs)
        local = derivative(y, *columns, **attrs)
    scalar_y = [op.forward(*r, **attrs) for r in rows]
    _assert_same(y, scalar_y)
    for k in range(op.arity):
        expected = [op.derivative(sy, *r, **attrs)[k] for sy, r in zip(scalar_y, rows)]
        _assert_same(np.broadcast_to(local[k], y.shape), expected)


@pytest.mark.parametrize("count", [1, 4, 7])
def test_numpy_rules_of_the_n_ary_ops(count):
    rng = np.random.default_rng(count)
    stacked = rng.normal(size=(count, 5))
    for name in ("sum", "dot"):
        op = OPS[name]
        y = op.numpy_forward(stacked)
        local = np.broadcast_to(op.numpy_derivative(y, stacked), stacked.shape)
        for s in range(5):
            operands = stacked[:, s].tolist()
            expected = op.forward(*operands)
            assert y[s] == pytest.approx(expected, rel=1e-12, abs=1e-12)
            _assert_same(local[:, s], op.derivative(expected, *operands))


def test_every_built_in_op_has_numpy_rules():
    assert [name for name in sorted(BUILT_INS) if OPS[name].numpy_forward is None] == []


# -- the replay against the scalar engine -------------------------------------------------------


def _scalar_run(build, batch, reduction="sum"):
    """Outputs, parameter gradients and input gradients, from the scalar engine one sample at a time."""
    outputs, input_grads = [], []
    params = None
    for row in batch:
        inputs = [Value(float(a)) for a in row]
        output, params = build(inputs)
        scale = 1.0 / len(batch) if reduction == "mean" else 1.0
        (output * scale).backward()
        outputs.append(output.data)
        input_grads.append([x.grad for x in inputs])
    return np.array(outputs), np.array([p.grad for p in params]), np.array(input_grads)


def _replay(build, batch, width, reduction="sum"):
    inputs = [Value(0.0, f"x{i}") for i in range(width)]
    output, params = build(inputs)
    compiled = compile_graph(output, inputs, params, reduction=reduction)
    for p in params:
        p.grad = 0.0
    outputs = compiled.backward(batch)
    return compiled, outputs, np.array([p.grad for p in params])


def _mlp(sizes, activation, seed):
    """A builder of a per-sample graph: an MLP of autograd.dot neurons and a squared error."""
    rng = np.random.default_rng(seed)
    layers = [
        [([Value(w) for w in rng.normal(size=nin)], Value(rng.normal())) for _ in range(nout)]
        for nin, nout in zip(sizes[:-1], sizes[1:])
    ]
    params = [p for layer in layers for ws, b in layer for p in ws + [b]]

    def build(inputs):
        x, t = inputs[:-1], inputs[-1]
        for k, layer in enumerate(layers):
            vs = [autograd.dot(ws, x, b) for ws, b in layer]
            x = vs if k == len(layers) - 1 else [v.apply(activation, **ATTRS.get(activation, {})) for v in vs]
        error = t - x[0]
        return 0.5 * error * error, params

    return build


@pytest.mark.parametrize(
    "sizes, activation, reduction",
    [([2, 16, 16, 1], "relu", "sum"), ([3, 5, 4, 1], "tanh", "mean"), ([1, 7, 1], "sigmoid", "sum"),
     ([4, 3, 3, 1], "leaky_relu", "mean"), ([2, 1, 6, 1], "elu", "sum"), ([3, 4, 1], "softplus", "sum")],
)
def test_replay_matches_the_scalar_engine_on_random_mlps(sizes, activation, reduction):
    rng = np.random.default_rng(len(sizes) * 10 + sizes[1])
    batch = rng.normal(size=(37, sizes[0] + 1))
    batch[:4, : sizes[0]] = 0.0  # inputs at 0: relu's kink is reached when a bias is 0 too
    build = _mlp(sizes, activation, seed=sizes[1])
    outputs, grads, input_grads = _scalar_run(build, batch, reduction)
    compiled, replay_outputs, replay_grads = _replay(build, batch, sizes[0] + 1, reduction)
    _assert_same(replay_outputs, outputs)
    _assert_same(replay_grads, grads)
    _assert_same(compiled.input_grad, input_grads)
    assert f"{len(sizes) - 1} matrix products" in repr(compiled)


PARAMS = [Value(0.7, "a"), Value(-1.3, "b"), Value(2.1, "c")]


def _every_op(inputs):
    """An expression with every built-in op, defined for any real x, y and t."""
    x, y, t = inputs
    a, b, c = PARAMS
    r = x * x + 1.0
    terms = [
        x + a, y - b, -(x * c), r / (y.softplus() + 1.0), r ** a, (y * b) ** 2, abs(x - y),
        (x * 0.1).exp(), r.log(), (y * y + 0.5).sqrt(), x.sin(), y.cos(), (x * a).tanh(), (y + b).sigmoid(),
        x.relu(), y.leaky_relu(0.2), (x + t).elu(0.7), y.selu(), (x - t).step(), 2.0 ** (x * 0.1),
        autograd.dot([a, b, c], [x, y, t]), autograd.dot([x, a], [y, b], c),
    ]
    output = autograd.sum(terms) * t
    assert {v.op for v in autograd.topological_order(output)} >= BUILT_INS
    return output, [a, b, c]


def test_replay_matches_the_scalar_engine_on_an_expression_with_every_op():
    for p in PARAMS:
        p.grad = 0.0
    rng = np.random.default_rng(3)
    batch = rng.normal(size=(29, 3))
    batch[0] = [0.0, 0.0, 0.0]  # the kinks of abs, relu, step, leaky_relu, elu, selu
    batch[1] = [1.5, 1.5, -1.5]  # abs(x - y) at 0, x + t at 0
    outputs, grads, input_grads = _scalar_run(_every_op, batch)
    compiled, replay_outputs, replay_grads = _replay(_every_op, batch, 3)
    _assert_same(replay_outputs, outputs)
    _assert_same(replay_grads, grads)
    _assert_same(compiled.input_grad, input_grads)


def test_dot_nodes_with_varying_or_repeated_weights():
    w = Value(0.5, "w")

    def build(inputs):
        x, y = inputs
        v1 = autograd.dot([w, x], [x, y])  # a weight that varies over the batch: the general path
        v2 = autograd.dot([w, w], [y, x], w)  # a product whose weight repeats: gradients added with add.at
        v3 = autograd.dot([w, 0.5], [y, y])  # an input that repeats: the general path, with add.at
        return (v1 * v2).tanh() + v3, [w]

    batch = np.random.default_rng(4).normal(size=(11, 2))
    outputs, grads, _ = _scalar_run(build, batch)
    compiled, replay_outputs, replay_grads = _replay(build, batch, 2)
    _assert_same(replay_outputs, outputs)
    _assert_same(replay_grads, grads)
    assert "1 matrix products" in repr(compiled)


def test_constant_parts_of_the_graph_are_computed_once_and_still_get_their_gradient():
    w, b = Value(1.5, "w"), Value(-0.5, "b")

    def build(inputs):
        (x,) = inputs
        penalty = 0.01 * autograd.sum([w * w, b * b])  # depends on no input
        return (w * x + b).relu() + penalty, [w, b]

    batch = np.array([[-1.0], [0.0], [0.2], [2.0]])
    outputs, grads, _ = _scalar_run(build, batch, "mean")
    _, replay_outputs, replay_grads = _replay(build, batch, 1, "mean")
    _assert_same(replay_outputs, outputs)
    _assert_same(replay_grads, grads)


def test_gradients_accumulate_and_parameter_updates_are_seen_without_recompiling():
    x, w = Value(0.0, "x"), Value(2.0, "w")
    compiled = compile_graph(w * x * x, [x])
    batch = [[1.0], [3.0]]
    compiled.backward(batch)
    compiled.backward(batch)
    assert w.grad == 2 * (1.0 + 9.0)
    w.data = -1.0
    _assert_same(compiled.forward(batch), [-1.0, -9.0])


def test_user_ops_with_numpy_rules_are_replayed(user_ops):
    user_ops("test_cube", lambda a: a**3, lambda y, a: (3 * a * a,), numpy_forward=lambda a: a**3)
    x, w = Value(0.0, "x"), Value(0.5, "w")
    compiled = compile_graph((w * x).apply("test_cube"), [x])
    compiled.backward([[2.0], [-1.0]])
    assert w.grad == pytest.approx(3 * 0.25 * 8 + 3 * 0.25 * -1, rel=1e-12)  # 3(wx)²·x summed


# -- errors -------------------------------------------------------------------------------------


def test_an_op_without_numpy_rules_is_refused(user_ops):
    user_ops("test_no_numpy", lambda a: 2 * a, lambda y, a: (2.0,))
    x = Value(1.0, "x")
    with pytest.raises(ValueError, match="test_no_numpy.*no NumPy rule"):
        compile_graph(x.apply("test_no_numpy") + 1, [x])


def test_a_derivative_rule_that_branches_on_values_is_reported(user_ops):
    user_ops("test_ramp", lambda a: max(a, 0.0), lambda y, a: (1.0 if a > 0 else 0.0,),
             numpy_forward=lambda a: np.maximum(a, 0.0))
    x = Value(1.0, "x")
    compiled = compile_graph(x.apply("test_ramp") * 2, [x])
    np.testing.assert_array_equal(compiled.forward([[1.0], [-1.0]]), [2.0, 0.0])
    with pytest.raises(TypeError, match="test_ramp.*numpy_derivative"):
        compiled.backward([[1.0], [-1.0]])


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda x, y, out: compile_graph(out, [x, Value(1.0, "z")]), ValueError, "inputs\\[1\\].*'z'.*not in the graph"),
        (lambda x, y, out: compile_graph(out, [x, x]), ValueError, "listed twice"),
        (lambda x, y, out: compile_graph(out, [x * 2]), ValueError, "not in the graph"),
        (lambda x, y, out: compile_graph(out, [out.parents[0]]), ValueError, "must be a leaf"),
        (lambda x, y, out: compile_graph(out, [x], [x]), ValueError, "both an input and a parameter"),
        (lambda x, y, out: compile_graph(out, [x], [3.0]), TypeError, "params\\[0\\] must be a Value"),
        (lambda x, y, out: compile_graph(out, []), ValueError, "inputs is empty"),
        (lambda x, y, out: compile_graph(2.0, [x]), TypeError, "output must be a Value"),
        (lambda x, y, out: compile_graph(x, [x]), ValueError, "is a leaf"),
        (lambda x, y, out: compile_graph(out, [x], reduction="max"), ValueError, "reduction"),
    ],
)
def test_bad_arguments_are_refused_clearly(make, error, match):
    x, y = Value(1.0, "x"), Value(2.0, "y")
    with pytest.raises(error, match=match):
        make(x, y, (x * y).exp())


@pytest.mark.parametrize(
    "batch, error, match",
    [
        ([[1.0, 2.0, 3.0]], ValueError, "shape \\(samples, 2\\)"),
        ([], ValueError, "shape"),
        ([[1.0, float("nan")]], ValueError, "finite"),
        ([["a", "b"]], TypeError, "array of numbers"),
        (None, ValueError, "shape"),
    ],
)
def test_bad_batches_are_refused_clearly(batch, error, match):
    x, y = Value(1.0, "x"), Value(2.0, "y")
    compiled = compile_graph(x * y, [x, y])
    with pytest.raises(error, match=match):
        compiled.forward(batch)


def test_a_sample_outside_an_ops_domain_raises_the_scalar_engines_error():
    x, w = Value(1.0, "x"), Value(1.0, "w")
    compiled = compile_graph((x * w).log().relu(), [x])  # relu would hide the NaN of log(-1)
    with pytest.raises(ValueError, match="sample 2: log\\(-1.0*\\).*undefined"):
        compiled.forward([[1.0], [2.0], [-1.0]])
    with pytest.raises(ZeroDivisionError, match="sample 0: div"):
        compile_graph(w / x, [x]).forward([[0.0]])


def test_overflow_gives_inf_as_in_the_scalar_engine():
    x = Value(1.0, "x")
    compiled = compile_graph((x * 1000.0).exp(), [x])
    assert compiled.forward([[1.0]])[0] == (Value(1.0) * 1000.0).exp().data == math.inf


def test_register_op_checks_the_numpy_rules(user_ops):
    with pytest.raises(TypeError, match="numpy_forward must be callable"):
        user_ops("test_bad_numpy", abs, abs, numpy_forward=3)
    with pytest.raises(ValueError, match="numpy_derivative needs a numpy_forward"):
        user_ops("test_bad_numpy", abs, abs, numpy_derivative=abs)
    with pytest.raises(ValueError, match="n-ary"):
        user_ops("test_bad_numpy", abs, abs, arity=None, numpy_forward=np.sum)
