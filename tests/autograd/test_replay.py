"""The batched replay against the scalar engine, sample by sample, and the NumPy rule table
against the scalar op table."""

import dataclasses
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import NUMPY_RULES, OPS, Value, compile_graph, register_op
from autograd.ops import SELU_ALPHA, SELU_LAMBDA

TOL = dict(rtol=1e-12, atol=1e-12)
ATTRS = {"leaky_relu": {"slope": 0.2}, "elu": {"alpha": 0.7}}
BUILT_INS = set("add sub mul neg div pow abs exp log sqrt sin cos tanh sigmoid softplus relu leaky_relu elu selu step "
                "sum dot".split())
# Kinks (0), both signs, large (±40, ±1e3: overflow and saturation) and tiny magnitudes, random draws.
POINTS = ([0.0, 1e-300, -1e-300, 1e-9, -1e-9, 0.3, -0.3, 1.0, -1.0, 2.5, -2.5, 3.0, -37.0, 40.0, -40.0, 1e3, -1e3]
          + np.random.default_rng(0).normal(scale=3.0, size=6).tolist())


@pytest.fixture
def user_ops():
    """register_op, with the op table restored afterwards."""
    before = dict(OPS)
    yield register_op
    OPS.clear()
    OPS.update(before)


# -- the NumPy rules against the scalar rules ---------------------------------------------------


def test_the_numpy_table_names_the_built_in_ops():
    assert set(NUMPY_RULES) == BUILT_INS and BUILT_INS <= set(OPS)


def _defined(op, rows, attrs):
    """The rows where the scalar forward is defined (it raises elsewhere: log(-1), 1/0 ...)."""
    kept = []
    for r in rows:
        try:
            op.forward(*r, **attrs)
        except (ValueError, ArithmeticError):
            continue
        kept.append(r)
    return kept


def _expected_derivative(name, op, y, row, attrs):
    # ELU and SELU below 0: the closed form alpha·e^x (y + alpha, the scalar rule's form, cancels).
    if name in ("elu", "selu") and row[0] <= 0:
        alpha = attrs.get("alpha", 1.0) if name == "elu" else SELU_LAMBDA * SELU_ALPHA
        return (alpha * math.exp(row[0]),)
    return op.derivative(y, *row, **attrs)


def _check_rule(name, rows):
    op, rule, attrs = OPS[name], NUMPY_RULES[name], ATTRS.get(name, {})
    rows = _defined(op, rows, attrs)
    if not rows:
        return
    columns = [np.array(c) for c in zip(*rows)]
    with np.errstate(all="ignore"):
        y = rule.forward(*columns, **attrs)
        local = rule.derivative(y, *columns, **attrs)
    scalar_y = [op.forward(*r, **attrs) for r in rows]
    np.testing.assert_allclose(y, scalar_y, rtol=1e-12, atol=0)
    for k in range(op.arity):
        expected = [_expected_derivative(name, op, sy, r, attrs)[k] for sy, r in zip(scalar_y, rows)]
        got = np.broadcast_to(np.asarray(local[k], dtype=float), y.shape)
        # atol: 1 - y² (tanh) loses the last bits of y, which np.tanh and math.tanh round differently
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15, err_msg=f"{name}: local derivative {k}")


@pytest.mark.parametrize("name", sorted(n for n in BUILT_INS if OPS[n].arity is not None))
def test_numpy_rules_agree_with_the_scalar_rules(name):
    rows = [(a,) for a in POINTS] if OPS[name].arity == 1 else [(a, b) for a in POINTS for b in POINTS]
    _check_rule(name, rows)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e3, 1e3, allow_nan=False), st.floats(-50, 50, allow_nan=False))
def test_numpy_rules_agree_at_random_points(a, b):
    for name in sorted(n for n in BUILT_INS if OPS[n].arity is not None):
        _check_rule(name, [(a,)] if OPS[name].arity == 1 else [(a, b), (b, a)])


def test_elu_derivative_far_below_zero_is_alpha_exp_x():
    for name, alpha in (("elu", 1.0), ("selu", SELU_LAMBDA * SELU_ALPHA)):
        (d,) = NUMPY_RULES[name].derivative(None, np.array([-37.0]))
        assert d[0] == pytest.approx(alpha * math.exp(-37.0), rel=1e-14)


@pytest.mark.parametrize("count", [1, 4, 7])
def test_numpy_rules_of_the_n_ary_ops(count):
    stacked = np.random.default_rng(count).normal(size=(count, 5)) * np.array([1, 1e-9, 40, 1e3, 0.0])
    for name in ("sum", "dot"):
        op, rule = OPS[name], NUMPY_RULES[name]
        y = rule.forward(stacked)
        local = np.broadcast_to(rule.derivative(y, stacked), stacked.shape)
        for s in range(5):
            operands = stacked[:, s].tolist()
            expected = op.forward(*operands)
            assert y[s] == pytest.approx(expected, rel=1e-12, abs=1e-12)
            np.testing.assert_allclose(local[:, s], op.derivative(expected, *operands), **TOL)


def _assert_same(array_values, scalar_values):
    np.testing.assert_allclose(np.asarray(array_values, dtype=float), np.asarray(scalar_values, dtype=float), **TOL)


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


def test_the_replay_uses_only_its_own_table(monkeypatch):
    """No NumPy fields of the scalar rows are read, and no scalar rule ever sees an array."""

    def floats_only(rule):
        def checked(*args, **attrs):
            assert not any(isinstance(a, np.ndarray) for a in args), "a scalar rule was given an array"
            return rule(*args, **attrs)

        return checked

    numpy_fields = {f.name for f in dataclasses.fields(autograd.Op)} & {"numpy_forward", "numpy_derivative"}
    for name in BUILT_INS:
        op = OPS[name]
        changes = dict.fromkeys(numpy_fields) | {"forward": floats_only(op.forward), "derivative": floats_only(op.derivative)}
        monkeypatch.setitem(OPS, name, dataclasses.replace(op, **changes))
    test_replay_matches_the_scalar_engine_on_an_expression_with_every_op()


def _user_op_graph(inputs):
    x, y = inputs
    w = PARAMS[0]
    u = (w * x).apply("test_cube") + autograd.apply("test_hypot", x, y * w)
    return autograd.apply("test_wsum", u, x, w).apply("test_ramp"), [w]


def test_user_ops_without_numpy_rules_replay_by_the_general_path(user_ops):
    user_ops("test_cube", lambda a: a**3, lambda y, a: (3 * a * a,))
    user_ops("test_hypot", lambda a, b: math.sqrt(a * a + b * b + 1), lambda y, a, b: (a / y, b / y), arity=2)
    user_ops("test_wsum", lambda *xs: sum((i + 1) * x for i, x in enumerate(xs)),
             lambda y, *xs: tuple(float(i + 1) for i in range(len(xs))), arity=None)
    user_ops("test_ramp", lambda a: max(a, 0.0), lambda y, a: (1.0 if a > 0 else 0.0,))  # branches on a value
    PARAMS[0].grad = 0.0
    batch = np.random.default_rng(7).normal(size=(23, 2))
    outputs, grads, input_grads = _scalar_run(_user_op_graph, batch)
    compiled, replay_outputs, replay_grads = _replay(_user_op_graph, batch, 2)
    assert (replay_outputs == 0).any() and (replay_outputs > 0).any()  # both sides of the ramp
    _assert_same(replay_outputs, outputs)
    _assert_same(replay_grads, grads)
    _assert_same(compiled.input_grad, input_grads)


def test_a_user_op_outside_its_domain_raises_its_scalar_error(user_ops):
    def forward(a):
        if a < 0:
            raise ValueError("test_root needs a >= 0")
        return math.sqrt(a)

    user_ops("test_root", forward, lambda y, a: (0.5 / y,))
    x = Value(1.0, "x")
    with pytest.raises(ValueError, match="sample 1: test_root\\(-2.*needs"):
        compile_graph(x.apply("test_root") * 2, [x]).forward([[4.0], [-2.0]])


def test_an_l2_penalty_is_fused_and_matches_the_scalar_engine():
    model = nn.MLP(2, [6, 5, 1], seed=3)
    params = model.parameters()
    shared = params[0] * params[0]  # a square also used elsewhere: that sum is not fused

    def build(inputs):
        x, t = inputs[:2], inputs[2]
        loss = (1 - t * model(x)).relu() + nn.l2_penalty(params, 0.01) + autograd.sum([shared, params[1] * params[1]]) + shared.tanh()
        return loss, params

    for p in params:
        p.grad = 0.0
    batch = np.random.default_rng(1).normal(size=(17, 3))
    outputs, grads, _ = _scalar_run(build, batch, "mean")
    compiled, replay_outputs, replay_grads = _replay(build, batch, 3, "mean")
    _assert_same(replay_outputs, outputs)
    _assert_same(replay_grads, grads)
    fused = [type(s).__name__ for s in compiled.steps].count("SumSquares")
    assert fused == 1


def test_two_penalties_of_one_size_are_two_steps():
    # Σa² + Σb²·x (same length, so the same group key) once computed only the first of the two sums
    a, b = [Value(v) for v in (0.5, -2.0, 1.5)], [Value(v) for v in (3.0, -1.0, 0.25)]

    def build(inputs):
        x = inputs[0]
        loss = x * a[0] + autograd.sum([p * p for p in a]) + autograd.sum([p * p for p in b]) * x
        return loss, a + b

    batch = np.random.default_rng(2).normal(size=(9, 1))
    outputs, grads, _ = _scalar_run(build, batch, "sum")
    compiled, replay_outputs, replay_grads = _replay(build, batch, 1, "sum")
    expected = [x * 0.5 + (0.25 + 4.0 + 2.25) + (9.0 + 1.0 + 0.0625) * x for x in batch[:, 0]]
    np.testing.assert_allclose(replay_outputs, expected, rtol=1e-12)
    _assert_same(replay_outputs, outputs)
    _assert_same(replay_grads, grads)
    assert [type(s).__name__ for s in compiled.steps].count("SumSquares") == 2


def test_a_penalty_scaled_by_a_parameter_keeps_the_parameters_gradient():
    a, alpha = [Value(v) for v in (0.5, -2.0, 1.5)], Value(0.3)

    def build(inputs):
        return inputs[0] * a[1] + alpha * autograd.sum([p * p for p in a]), a + [alpha]

    batch = np.random.default_rng(4).normal(size=(5, 1))
    outputs, grads, _ = _scalar_run(build, batch, "sum")
    compiled, replay_outputs, replay_grads = _replay(build, batch, 1, "sum")
    _assert_same(replay_outputs, outputs)
    _assert_same(replay_grads, grads)
    assert replay_grads[-1] == pytest.approx(5 * (0.25 + 4.0 + 2.25), rel=1e-12)  # ∂/∂α of 5 samples' α·Σp²
    assert [type(s).__name__ for s in compiled.steps].count("SumSquares") == 1


def test_batches_of_changing_sizes_reuse_nothing_stale():
    # the steps keep views of the tables, which are made anew when the number of samples changes
    model = nn.MLP(2, [5, 4, 1], seed=7)
    params = model.parameters()

    def build(inputs):
        return (model(inputs[:2]) - inputs[2]) ** 2 + nn.l2_penalty(params, 0.01), params

    x = [Value(0.0, f"x{i}") for i in range(3)]
    compiled = compile_graph(build(x)[0], x, params, reduction="mean")
    rng = np.random.default_rng(8)
    for samples in (5, 9, 5, 1):
        batch = rng.normal(size=(samples, 3))
        for p in params:
            p.grad = 0.0
        outputs, grads, input_grads = _scalar_run(build, batch, "mean")
        for p in params:
            p.grad = 0.0
        _assert_same(compiled.backward(batch), outputs)
        _assert_same([p.grad for p in params], grads)
        _assert_same(compiled.input_grad, input_grads)


def test_cross_entropy_with_one_hot_targets_and_tied_weights():
    rng = np.random.default_rng(5)
    W = [[Value(w) for w in row] for row in rng.normal(size=(3, 4))]
    params = [w for row in W for w in row]

    def build(inputs):
        x, onehot = inputs[:4], inputs[4:]
        hidden = [autograd.dot(row, x).tanh() for row in W]
        logits = [autograd.dot(row[:3], hidden) for row in W]  # the same weights again: gathered, not a view
        m = max(z.data for z in logits)
        loss = autograd.sum([(z - m).exp() for z in logits]).log() + m - autograd.dot(onehot, logits)
        return loss + nn.l2_penalty(params, 1e-3), params

    for p in params:
        p.grad = 0.0
    batch = np.column_stack([rng.normal(size=(19, 4)), np.eye(3)[rng.integers(0, 3, size=19)]])
    outputs, grads, input_grads = _scalar_run(build, batch, "mean")
    compiled, replay_outputs, replay_grads = _replay(build, batch, 7, "mean")
    _assert_same(replay_outputs, outputs)
    _assert_same(replay_grads, grads)
    _assert_same(compiled.input_grad, input_grads)
    assert "2 matrix products" in repr(compiled)


# -- training on arrays -------------------------------------------------------------------------


def _training_setup(seed):
    model = nn.MLP(2, [5, 4, 1], seed=seed)
    x, t = [Value(0.0, "x0"), Value(0.0, "x1")], Value(0.0, "t")
    error = model(x) - t
    loss = error * error + nn.l2_penalty(model.parameters(), 1e-3)
    batch = np.random.default_rng(seed).normal(size=(13, 3))
    return model, compile_graph(loss, x + [t], model.parameters(), reduction="mean"), batch


@pytest.mark.parametrize("optimizer, options", [("sgd", {}), ("sgd", {"momentum": 0.9}),
                                                ("adam", {"betas": (0.8, 0.99), "eps": 1e-6})])
def test_training_on_arrays_equals_the_optimisers_of_nn(optimizer, options):
    model, graph, batch = _training_setup(4)
    twin, twin_graph, _ = _training_setup(4)
    params = twin.parameters()
    update = (nn.SGD if optimizer == "sgd" else nn.Adam)(params, lr=0.05, **options)
    losses = []
    with graph.training(lr=0.05, optimizer=optimizer, **options) as session:
        for _ in range(5):
            losses.append(session.step(batch).mean())
            update.zero_grad()
            twin_graph.backward(batch)
            update.step()
        before_sync = [p.data for p in model.parameters()]
        np.testing.assert_allclose(session.parameters(), [p.data for p in params], rtol=1e-12, atol=1e-15)
    assert before_sync != [p.data for p in model.parameters()]  # written back when the block ends
    np.testing.assert_allclose([p.data for p in model.parameters()], [p.data for p in params], rtol=1e-12, atol=1e-15)
    assert losses[-1] < losses[0]


def test_a_training_session_syncs_on_request_and_is_seen_by_forward():
    model, graph, batch = _training_setup(6)
    first = model.parameters()[0]
    start = first.data
    session = graph.training(lr=0.1)
    session.step(batch)
    assert first.data == start  # not written yet
    trained = graph.forward(batch)  # the graph reads the session's arrays
    session.sync()
    assert first.data != start
    model_x = [Value(float(a)) for a in batch[0, :2]]
    error = model(model_x) - batch[0, 2]
    scalar = error * error + nn.l2_penalty(model.parameters(), 1e-3)  # the scalar engine at the synced weights
    assert trained[0] == pytest.approx(scalar.data, rel=1e-12)
    session.close()
    with pytest.raises(RuntimeError, match="closed"):
        session.step(batch)


@pytest.mark.parametrize("options, match", [({"lr": -1.0}, "lr"), ({"lr": 0.1, "optimizer": "rmsprop"}, "optimizer"),
                                            ({"lr": 0.1, "momentum": 1.0}, "momentum"),
                                            ({"lr": 0.1, "betas": (0.9,)}, "betas"), ({"lr": 0.1, "eps": 0.0}, "eps")])
def test_training_refuses_bad_settings(options, match):
    _, graph, _ = _training_setup(1)
    with pytest.raises(ValueError, match=match):
        graph.training(**options)


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


def test_a_training_step_with_a_non_finite_gradient_is_refused():
    x, w = Value(0.0, "x"), Value(1.0, "w")
    graph = compile_graph((w * x).exp(), [x], [w])
    with graph.training(lr=0.1) as session, pytest.raises(FloatingPointError, match="gradient of w"):
        session.step([[1000.0]])


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@pytest.mark.parametrize("a", [40.0, -40.0, 19.0, 0.5])
def test_saturated_tanh_and_sigmoid_slopes_match_the_scalar_engine(name, a):
    x = Value(0.0, "x")
    compiled = compile_graph(x.apply(name), [x])
    compiled.backward([[a]])
    v = Value(a)
    (expected,) = autograd.grad(v.apply(name), [v])
    assert expected > 0 and compiled.input_grad[0, 0] == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("keywords, name", [({"inputs": 5}, "inputs"), ({"params": 5}, "params")])
def test_compile_graph_names_a_non_sequence_of_leaves(keywords, name):
    x, w = Value(1.0, "x"), Value(2.0, "w")
    with pytest.raises(TypeError, match=name):
        compile_graph(w * x, **{"inputs": [x], **keywords})


@pytest.mark.parametrize("batch", [[["1.5"]], [[True]], np.array([[1 + 0j]]), np.array([[1.0, "2"]], dtype=object)])
def test_a_batch_of_strings_bools_or_complex_numbers_is_refused(batch):
    x = Value(1.0, "x")
    compiled = compile_graph(x * 2.0, [x])
    with pytest.raises(TypeError, match="batch"):
        compiled.forward(batch)


# -- one graph, any batch size ------------------------------------------------------------------


def test_one_graph_binds_each_batch_size_once(monkeypatch):
    """Batches of 5, 9, 5, 1, 9 samples: each size's tables are made once and kept, so going back
    to a size binds nothing again (a rebuild per change of size once cost a compile's share)."""
    from autograd.replay import steps

    bound = []
    for kind in (steps.Group, steps.NAry, steps.Layer, steps.SumSquares):
        original = kind.bind
        monkeypatch.setattr(kind, "bind", lambda self, a, g, original=original: bound.append(a[2].shape[1])
                            or original(self, a, g))
    model = nn.MLP(2, [5, 4, 1], seed=7)
    x = [Value(0.0, f"x{i}") for i in range(3)]
    loss = (model(x[:2]) - x[2]) ** 2 + nn.l2_penalty(model.parameters(), 0.01)
    compiled = compile_graph(loss, x, model.parameters(), reduction="mean")
    per_size = len(compiled.steps)
    rng = np.random.default_rng(9)
    for samples in (5, 9, 5, 1, 9, 1):
        batch = rng.normal(size=(samples, 3))
        expected = [((model([Value(a), Value(b)]) - t) ** 2).data + nn.l2_penalty(model.parameters(), 0.01).data
                    for a, b, t in batch]
        _assert_same(compiled.forward(batch), expected)
    assert sorted(bound) == sorted([5] * per_size + [9] * per_size + [1] * per_size)


def test_the_least_recently_used_size_is_let_go():
    from autograd.replay import run

    x, w = Value(0.0, "x"), Value(2.0, "w")
    compiled = compile_graph((w * x).tanh(), [x])
    for samples in range(1, run.KEPT_SIZES + 3):
        _assert_same(compiled.forward(np.ones((samples, 1))), [math.tanh(2.0)] * samples)
    assert len(compiled._sizes) == run.KEPT_SIZES


# -- non-finite values: as the scalar engine (issue 23, failure 8) ------------------------------


@pytest.mark.parametrize("name", ["sin", "cos"])
def test_sin_and_cos_of_inf_raise_the_scalar_engines_error_naming_the_sample(name):
    x = Value(0.0, "x")
    with pytest.raises(ValueError) as scalar:
        (Value(1.0) * 1000.0).exp().apply(name)
    compiled = compile_graph((x * 1000.0).exp().apply(name), [x])
    with pytest.raises(ValueError, match=f"sample 1: {name}\\(inf\\)") as replay:
        compiled.forward([[0.0], [1.0]])
    assert str(scalar.value) in str(replay.value)


def test_a_constant_parts_infinite_slope_sums_per_sample_as_the_scalar_engine():
    # p = -0.0 into sqrt(tanh(p)): ∂/∂p is x·inf per sample: +inf, -inf, +inf, +inf, +inf, whose
    # sum is NaN; inf·Σx (the constant node's gradient summed first) was +inf.
    xs = [1.0, -1.0, 1.0, 1.0, 1.0]

    def build(inputs):
        p = PARAMS[0]
        return inputs[0] * p.tanh().sqrt(), [p]

    saved = PARAMS[0].data
    PARAMS[0].data = -0.0
    try:
        PARAMS[0].grad = 0.0
        outputs, grads, _ = _scalar_run(build, np.array(xs)[:, None])
        _, replay_outputs, replay_grads = _replay(build, np.array(xs)[:, None], 1)
        PARAMS[0].grad = 0.0
        _, same_sign, _ = _scalar_run(build, np.ones((3, 1)))
        _, _, replay_same_sign = _replay(build, np.ones((3, 1)), 1)
    finally:
        PARAMS[0].data = saved
    assert math.isnan(grads[0]) and math.isnan(replay_grads[0])
    assert same_sign[0] == replay_same_sign[0] == math.inf
    _assert_same(replay_outputs, outputs)


def test_a_training_step_at_a_singular_point_fails_as_the_optimisers_step():
    x, p = Value(0.0, "x"), Value(-0.0, "p")
    batch = [[1.0], [-1.0], [1.0]]
    graph = compile_graph(x * p.tanh().sqrt(), [x], [p])
    with graph.training(optimizer=nn.SGD([p], lr=0.1)) as session:
        with pytest.raises(FloatingPointError) as replay:
            session.step(batch)
    optimizer = nn.SGD([p], lr=0.1)
    for (a,) in batch:
        (Value(a) * p.tanh().sqrt()).backward()
    with pytest.raises(FloatingPointError) as scalar:
        optimizer.step()
    assert str(replay.value) == str(scalar.value) == "SGD.step: the gradient of p is nan"
    assert p.data == 0.0


# -- nn's optimisers and the replay's training: one rule each ----------------------------------


def _scalar_mean_backward(model, batch):
    for row in batch:
        x = [Value(float(a)) for a in row[:2]]
        error = model(x) - float(row[2])
        ((error * error + nn.l2_penalty(model.parameters(), 1e-3)) * (1.0 / len(batch))).backward()


@pytest.mark.parametrize("make", [lambda ps: nn.Adam(ps, lr=0.05, betas=(0.8, 0.99)),
                                  lambda ps: nn.SGD(ps, lr=0.05, momentum=0.9)])
def test_nn_optimisers_on_values_and_the_replays_training_give_the_same_parameters(make):
    model, graph, batch = _training_setup(5)
    twin, _, _ = _training_setup(5)
    on_values = make(twin.parameters())
    with graph.training(optimizer=make(model.parameters())) as session:
        for _ in range(5):
            session.step(batch)
            on_values.zero_grad()
            _scalar_mean_backward(twin, batch)
            on_values.step()
    np.testing.assert_allclose([p.data for p in model.parameters()], [p.data for p in twin.parameters()],
                               rtol=1e-12, atol=1e-15)


def test_an_optimiser_goes_on_where_the_arrays_left_off():
    model, graph, batch = _training_setup(3)
    twin, _, _ = _training_setup(3)
    adam, reference = nn.Adam(model.parameters(), lr=0.02), nn.Adam(twin.parameters(), lr=0.02)
    with graph.training(optimizer=adam) as session:
        for _ in range(3):
            session.step(batch)
        session.lr = 0.01  # the optimiser's own lr, read at every step
    assert adam.steps == 3 and adam.lr == 0.01
    for step in range(5):
        if step == 3:
            reference.lr = 0.01
        for optimizer, net in ((reference, twin), (adam, model)) if step >= 3 else ((reference, twin),):
            optimizer.zero_grad()
            _scalar_mean_backward(net, batch)
            optimizer.step()
    assert adam.steps == reference.steps == 5
    np.testing.assert_allclose(adam.m, reference.m, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose([p.data for p in model.parameters()], [p.data for p in twin.parameters()],
                               rtol=1e-12, atol=1e-15)


def test_training_refuses_an_optimiser_of_other_parameters_or_settings_beside_one():
    model, graph, _ = _training_setup(2)
    other, _, _ = _training_setup(2)
    with pytest.raises(ValueError, match="optimizer"):
        graph.training(optimizer=nn.SGD(other.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="optimizer"):
        graph.training(optimizer=nn.SGD(model.parameters()[:-1], lr=0.1))
    with pytest.raises(ValueError, match="lr"):
        graph.training(0.1, optimizer=nn.SGD(model.parameters(), lr=0.1))
    with pytest.raises(TypeError, match="optimizer"):
        graph.training(optimizer=object())
    with pytest.raises(TypeError, match="lr"):
        graph.training()


def test_the_ops_checked_for_domain_errors_are_those_whose_scalar_forward_raises():
    from autograd.replay.rules import MAY_RAISE

    special = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -3.0, math.inf, -math.inf, math.nan]
    raising = set()
    for name in BUILT_INS - {"sum", "dot"}:
        op = OPS[name]
        for operands in (itertools.product(special, repeat=op.arity)):
            try:
                op.forward(*operands)
            except (ValueError, ArithmeticError):
                raising.add(name)
                break
    assert raising == MAY_RAISE


def test_of_two_samples_out_of_domain_the_first_is_named_as_the_scalar_engine_would():
    # sample 2 fails at log (an early op), sample 1 at sqrt (a later one): run sample by sample,
    # the scalar engine stops at sample 1's sqrt
    x = Value(1.0, "x")
    compiled = compile_graph((x.log() + 5.0).sqrt(), [x])
    batch = [[1.0], [math.exp(-6.0)], [-1.0]]
    with pytest.raises(ValueError, match="sample 1: sqrt"):
        compiled.forward(batch)
    for row in batch[:2]:
        try:
            (Value(row[0]).log() + 5.0).sqrt()
        except ValueError as error:
            assert "square root" in str(error)
            break
    else:
        pytest.fail("the scalar engine did not fail at sample 1")


def test_watched_nodes_give_their_values_from_the_same_forward_pass():
    """fit scores a network from the outputs its loss's forward pass computed: no second pass."""
    x, t, w, b = Value(0.0, "x"), Value(0.0, "t"), Value(2.0, "w"), Value(-0.5, "b")
    y = (w * x + b).tanh()
    loss = (y - t) ** 2
    graph = compile_graph(loss, [x, t], [w, b], reduction="mean", watch=[y, w, x])
    batch = np.array([[1.0, 0.0], [0.5, 1.0], [-2.0, 0.3]])
    losses = graph.forward(batch)
    by_hand = np.tanh(2.0 * batch[:, 0] - 0.5)
    seen = graph.watched()
    assert seen.shape == (3, 3)
    assert seen[:, 0] == pytest.approx(by_hand, rel=1e-15)
    assert list(seen[:, 1]) == [2.0] * 3 and list(seen[:, 2]) == list(batch[:, 0])
    assert losses == pytest.approx((by_hand - batch[:, 1]) ** 2, rel=1e-14)
    with graph.training(lr=0.1) as session:  # a step's watched values are its forward's
        session.step(batch[:2])
        assert graph.watched()[:, 0] == pytest.approx(by_hand[:2], rel=1e-15)


def test_watch_is_checked_naming_it():
    x, w = Value(0.0, "x"), Value(2.0, "w")
    out = (w * x).tanh()
    with pytest.raises(TypeError, match=r"watch\[0\]"):
        compile_graph(out, [x], watch=[1.0])
    with pytest.raises(ValueError, match=r"watch\[1\]"):
        compile_graph(out, [x], watch=[out, Value(3.0, "elsewhere")])
    with pytest.raises(RuntimeError, match="watched"):
        compile_graph(out, [x], watch=[out]).watched()
