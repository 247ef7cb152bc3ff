"""SGD and Adam against updates computed by hand."""

import math

import pytest

from autograd import Value
from nn import SGD, Adam


def run(optimizer, param, grads):
    trace = []
    for g in grads:
        param.grad = g
        optimizer.step()
        trace.append(param.data)
    return trace


def test_plain_sgd():
    p = Value(1.0)
    assert run(SGD([p], lr=0.1), p, [2.0, -1.0]) == pytest.approx([0.8, 0.9])


def test_sgd_momentum_by_hand():
    # u1 = 1, p = 0.9; u2 = 0.9 + 1 = 1.9, p = 0.71; u3 = 1.71 - 2 = -0.29, p = 0.739
    p = Value(1.0)
    assert run(SGD([p], lr=0.1, momentum=0.9), p, [1.0, 1.0, -2.0]) == pytest.approx([0.9, 0.71, 0.739])


def test_adam_by_hand():
    # step 1: m = 0.1, v = 0.001; m̂ = 1, v̂ = 1 -> p -= 0.1 / (1 + 1e-8)
    # step 2: m = 0.09 - 0.1 = -0.01, v = 0.000999 + 0.001 = 0.001999;
    #         m̂ = -0.01 / 0.19 = -1/19, v̂ = 0.001999 / 0.001999 = 1 -> p += 0.1 / 19 / (1 + 1e-8)
    # step 3: g = 0.5: m = -0.009 + 0.05 = 0.041, v = 0.001997001 + 0.00025 = 0.002247001;
    #         m̂ = 0.041 / 0.271, v̂ = 0.002247001 / 0.002997001
    p = Value(2.0)
    step3 = 0.1 * (0.041 / 0.271) / (math.sqrt(0.002247001 / 0.002997001) + 1e-8)
    expected = [2.0 - 0.1 / (1 + 1e-8), 2.0 - 0.1 / (1 + 1e-8) + 0.1 / 19 / (1 + 1e-8)]
    expected.append(expected[-1] - step3)
    assert run(Adam([p], lr=0.1), p, [1.0, -1.0, 0.5]) == pytest.approx(expected, rel=1e-12)


def test_adam_with_a_constant_gradient_moves_lr_per_step():
    p = Value(0.0)
    trace = run(Adam([p], lr=0.01, betas=(0.5, 0.9)), p, [-3.0] * 4)
    assert trace == pytest.approx([0.01, 0.02, 0.03, 0.04])


def test_optimisers_minimise_a_quadratic():
    for make in (lambda ps: SGD(ps, lr=0.1, momentum=0.5), lambda ps: Adam(ps, lr=0.1)):
        x = Value(-4.0)
        opt = make([x])
        for _ in range(300):
            opt.zero_grad()
            ((x - 3.0) ** 2).backward()
            opt.step()
        assert x.data == pytest.approx(3.0, abs=1e-3)


def test_zero_grad():
    ps = [Value(1.0), Value(2.0)]
    for p in ps:
        p.grad = 5.0
    SGD(ps, lr=1.0).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_non_finite_gradient_stops_before_any_update():
    a, b = Value(1.0, "a"), Value(2.0, "b")
    a.grad, b.grad = 1.0, math.nan
    with pytest.raises(FloatingPointError, match="gradient of b is nan"):
        SGD([a, b], lr=0.1).step()
    assert (a.data, b.data) == (1.0, 2.0)


@pytest.mark.parametrize("make, error, name", [
    (lambda p: SGD(p, lr=0), ValueError, "lr"),
    (lambda p: SGD(p, lr=math.inf), ValueError, "lr"),
    (lambda p: SGD(p, lr="0.1"), TypeError, "lr"),
    (lambda p: SGD(p, lr=0.1, momentum=1.0), ValueError, "momentum"),
    (lambda p: SGD(p, lr=0.1, momentum=-0.1), ValueError, "momentum"),
    (lambda p: SGD(p, lr=0.1, momentum=math.nan), ValueError, "momentum"),
    (lambda p: Adam(p, lr=-1), ValueError, "lr"),
    (lambda p: Adam(p, betas=(0.9,)), ValueError, "betas"),
    (lambda p: Adam(p, betas=0.9), TypeError, "betas"),
    (lambda p: Adam(p, betas=(0.9, 1.0)), ValueError, r"betas\[1\]"),
    (lambda p: Adam(p, betas=(True, 0.9)), TypeError, r"betas\[0\]"),
    (lambda p: Adam(p, eps=0), ValueError, "eps"),
    (lambda p: SGD([], lr=0.1), ValueError, "params"),
])
def test_bad_settings_name_the_argument(make, error, name):
    with pytest.raises(error, match=name):
        make([Value(1.0)])


def test_params_must_be_values():
    with pytest.raises(TypeError, match="params\\[1\\] must be a Value"):
        SGD([Value(1.0), 2.0], lr=0.1)
    with pytest.raises(TypeError, match="params.*Value"):
        Adam(Value(1.0))
    with pytest.raises(TypeError, match="params"):
        Adam(None)


def test_a_parameter_given_twice_is_refused():
    # SGD([w, w], lr) would step w twice per step(): a silently doubled learning rate.
    w = Value(1.0, label="w")
    for make in (lambda: SGD([w, Value(2.0), w], lr=0.1), lambda: Adam([w, w])):
        with pytest.raises(ValueError, match=r"params\[\d\] is params\[0\] again.*'w'"):
            make()
