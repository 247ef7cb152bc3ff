"""The replay against the scalar engine where values are not finite (issue 23, failure 8).

Same numbers (NaN where the scalar engine gives NaN, inf where it gives inf), or the same error
naming the sample and the op the scalar engine names.
"""

import itertools
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import NUMPY_RULES, OPS, Value, compile_graph
from autograd.backward import topological_order

SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 3.0, 710.0, 1e-300, 1e300, -1e300,
           math.inf, -math.inf]


def _same(got, expected, rtol=1e-12, atol=1e-300):
    """Equal where finite (to rtol and atol), and the same inf, -inf or NaN elsewhere."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_array_equal(np.isposinf(got), np.isposinf(expected))
    np.testing.assert_array_equal(np.isneginf(got), np.isneginf(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], rtol=rtol, atol=atol)


# -- pow at infinite and zero operands --------------------------------------------------------


def test_pows_numpy_derivative_is_the_scalar_rules_at_infinite_and_zero_operands():
    op, rule = OPS["pow"], NUMPY_RULES["pow"]
    rows = []
    for a, b in itertools.product(SPECIAL, repeat=2):
        try:
            y = op.forward(a, b)
        except (ValueError, ArithmeticError):
            continue  # out of the domain: the replay raises the scalar error (tested below)
        rows.append((a, b, y, op.derivative(y, a, b)))
    a, b, y, expected = (np.array(c) for c in zip(*rows))
    with np.errstate(all="ignore"):
        local = rule.derivative(y, a, b)
    # inf ** 2: the scalar rule's 2·inf^1 = inf; b·y/a (for an overflow) would be inf/inf = NaN
    assert np.isposinf(local[0][(a == math.inf) & (b == 2.0)]).all()
    for k in range(2):
        _same(np.broadcast_to(local[k], y.shape), expected[:, k], rtol=1e-14)


def test_an_overflowed_intermediate_raised_to_a_power_has_the_scalar_engines_inf_gradient():
    # exp(1000·x) overflows to inf for x = 1; inf ** b: ∂/∂w = b·inf^(b−1)·inf·x = inf
    w, b = Value(1000.0, "w"), Value(2.0, "b")
    x = Value(0.0, "x")
    compiled = compile_graph((w * x).exp() ** b, [x], [w, b])
    batch = [0.0, 1.0, -1.0]
    expected = np.zeros(2)
    for row in batch:
        sw, sb = Value(w.data), Value(b.data)
        out = (sw * Value(row)).exp() ** sb
        out.backward()
        expected += [sw.grad, sb.grad]
        compiled.backward([row])  # one sample at a time, as the scalar engine
        _same([w.grad, b.grad], [sw.grad, sb.grad])
        w.grad = b.grad = 0.0
    assert np.isposinf(expected).all()
    compiled.backward(batch)
    _same([w.grad, b.grad], expected)


# -- one sample out of two ops' domains --------------------------------------------------------


def _scalar_error(build, row):
    with pytest.raises((ValueError, ArithmeticError)) as error:
        build(Value(row))
    return error.value


@pytest.mark.parametrize("batch", [[-5.0], [1.0, -5.0]])
def test_of_two_failing_ops_the_replay_names_the_one_the_scalar_engine_names(batch):
    # x = -5: log((x + 1)·2) fails deep in the graph, sqrt(x) shallow; the scalar engine builds
    # the log first (and the replay, running by depth, met sqrt first)
    def build(x):
        return ((x + 1.0) * 2.0).log() + x.sqrt()

    scalar = _scalar_error(build, -5.0)
    assert str(scalar).startswith("log(")
    x = Value(1.0, "x")
    compiled = compile_graph(build(x), [x])
    with pytest.raises(ValueError, match=f"sample {len(batch) - 1}: log\\(") as replay:
        compiled.backward(batch)
    assert str(scalar).split(": ", 1)[1] in str(replay.value)


def test_of_two_failing_nodes_of_one_op_the_first_in_the_scalar_order_is_named():
    # both logs fail for x = -3 (their operands -3 and -6); the scalar engine builds the one of
    # -6 first, which is the deeper node
    def build(x):
        return ((x + 0.0) * 2.0).log() + x.log()

    scalar = _scalar_error(build, -3.0)
    x = Value(1.0, "x")
    compiled = compile_graph(build(x), [x])
    with pytest.raises(ValueError, match="sample 0: log\\(-6") as replay:
        compiled.forward([-3.0])
    assert str(scalar).split(": ", 1)[1] in str(replay.value)  # "the logarithm of -6.0 ..."


# -- a sweep of random graphs at extreme values ------------------------------------------------

UNARY = ["neg", "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus", "relu",
         "elu", "selu", "step"]
BINARY = ["add", "sub", "mul", "div", "pow"]
EXTREME = [0.0, -0.0, 1e-300, -1e-300, 0.5, -0.5, 1.0, -1.0, 2.0, -3.0, 710.0,
           -710.0, 1e300, -1e300]
ALL_OPS = UNARY + BINARY + ["sum"]

steps = st.lists(st.tuples(st.sampled_from(ALL_OPS), st.integers(0, 99), st.integers(0, 99)),
                 min_size=1, max_size=8)


def _build(recipe, leaves):
    """The graph of ``recipe`` over ``leaves`` (inputs, params, constants): each step an op on
    earlier nodes, the previous step's among them (so that every node is used); the last node is
    the output."""
    nodes = list(leaves)
    for name, i, j in recipe:
        a, b = (nodes[n % len(nodes)] for n in (i, j))
        if len(nodes) > len(leaves):  # the previous node first or second: a chain with branches
            a, b = (nodes[-1], a) if i % 2 or name in UNARY else (a, nodes[-1])
        if name in BINARY:
            nodes.append(a.apply(name, b))
        elif name == "sum":
            # two operands: fsum (the scalar rule) and NumPy's sum round more terms differently
            nodes.append(autograd.sum([a, b]))
        else:
            nodes.append(a.apply(name))
    return nodes[-1]


# SWEEP=4000 for a longer sweep (it found the pow bug on the old code; 400 are the default run)
@settings(max_examples=int(os.environ.get("SWEEP", "400")), deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much])
@given(recipe=steps, rows=st.lists(st.tuples(*[st.sampled_from(EXTREME)] * 2), min_size=1,
                                   max_size=4),
       constants=st.tuples(*[st.sampled_from(EXTREME)] * 3))
def test_random_graphs_at_extreme_values_agree_with_the_scalar_engine(recipe, rows, constants):
    params = [Value(c, f"p{n}") for n, c in enumerate(constants[:2])]
    const = Value(constants[2], "c", requires_grad=False)

    def scalar(row):
        inputs = [Value(v, f"x{n}") for n, v in enumerate(row)]
        fresh = [Value(p.data, p.label) for p in params]
        out = _build(recipe, inputs + fresh + [Value(const.data, "c", requires_grad=False)])
        # sin of a large finite number: one unit in the last place of its operand (NumPy's exp
        # and math's round differently) moves the result anywhere; not what this sweep is about
        assume(not any(v.op in ("sin", "cos") and 1e3 < abs(v.parents[0].data) < math.inf
                       for v in topological_order(out)))
        if not out.requires_grad:
            return out.data, [0.0, 0.0], 0.0
        out.backward()
        # the largest term a gradient sums: the engines add the terms in different orders, so
        # 1 + 5e299 - 5e299 may be 1 or 0 (rounding, not a non-finite value)
        terms = [abs(d * v.grad) for v in topological_order(out) for d in v.local_grads]
        largest = max((t for t in terms if t < math.inf), default=0.0)
        return out.data, [p.grad for p in fresh], largest

    out = None
    for row in [(1.0, 1.0), (0.5, 2.0), *rows]:  # a row the graph can be built at
        xs = [Value(v, f"x{n}") for n, v in enumerate(row)]
        try:
            out = _build(recipe, xs + params + [const])
            break
        except (ValueError, ArithmeticError):
            continue
    assume(out is not None)
    assume(out.parents)
    used = set(topological_order(out))
    columns = [n for n, x in enumerate(xs) if x in used]
    assume(columns)
    compiled = compile_graph(out, [xs[n] for n in columns], [p for p in params if p in used])
    batch = np.array(rows)[:, columns]
    expected_out, expected_grad, failed, largest = [], np.zeros(2), None, 0.0
    for s, row in enumerate(rows):
        try:
            y, grads, term = scalar(row)
        except (ValueError, ArithmeticError) as error:
            failed = (s, error)
            break
        expected_out.append(y)
        with np.errstate(invalid="ignore"):  # inf + -inf: NaN, as the scalar engine sums
            expected_grad += grads
        largest = max(largest, term)
    for p in params:
        p.grad = 0.0
    if failed is not None:
        s, error = failed
        name = str(error).split("(", 1)[0]
        with pytest.raises(type(error), match=f"sample {s}: {name}\\("):
            compiled.backward(batch)
        return
    got = compiled.backward(batch)
    _same(got, expected_out, rtol=1e-9)
    replayed = [p.grad if p in used else 0.0 for p in params]
    # known, not fixed: per-sample terms that overflow only after a constant's gradient is summed
    # (see the xfail test below); skipped here so that the sweep keeps looking for others
    assume(not any(math.isfinite(r) and not math.isfinite(e)
                   for r, e in zip(replayed, expected_grad)))
    _same(replayed, expected_grad, rtol=1e-9,
          atol=1e-12 * largest + 1e-300)


def test_gradients_of_both_infinite_signs_give_no_numpy_warning(recwarn):
    # ∂/∂p = 1000·inf and ∂/∂q = -1000·inf: NumPy's "invalid value encountered in reduce" (from
    # summing the two to see whether all are finite) was printed where the scalar engine is quiet
    p, q, x = Value(1.0, "p"), Value(1.0, "q"), Value(1.0, "x")
    compiled = compile_graph(x * ((p * 1000.0).exp() - (q * 1000.0).exp()), [x], [p, q])
    compiled.backward([1.0])
    assert (p.grad, q.grad) == (math.inf, -math.inf)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize("base", [-0.5, -2.0])
def test_a_negative_base_to_an_infinite_power_raises_the_scalar_engines_error(base):
    # NumPy's power gives 0 or inf there (no NaN), so the replay computed on without a word
    # x ** -3 overflows to inf for x = 1e-300: base ** inf
    x = Value(1.0, "x")
    compiled = compile_graph(Value(base, "a") ** (x ** -3.0), [x])
    with pytest.raises(ValueError) as scalar:
        Value(base) ** (Value(1e-300) ** -3.0)
    with pytest.raises(ValueError, match="sample 1: pow\\(") as replay:
        compiled.forward([1.0, 1e-300])
    assert str(scalar.value).split(": ", 1)[1] in str(replay.value)


@pytest.mark.xfail(strict=True, reason="known: the replay sums a constant node's gradient over "
                   "the samples before the products that overflow per sample")
def test_per_sample_products_that_overflow_sum_as_in_the_scalar_engine():
    # ∂/∂p of x·(p·p) is x·2p per sample: ±1e300·2e300 = ±inf, summed to NaN by the scalar
    # engine; the replay sums x first (1e300 − 1e300 = 0) and gives 0·2e300 = 0
    p, x = Value(1e300, "p"), Value(1.0, "x")
    compiled = compile_graph(x * (p * p), [x], [p])
    compiled.backward([1e300, -1e300])
    assert math.isnan(p.grad)
