"""numerical_grad and gradcheck: closed forms, the mismatch table, argument validation."""

import math

import numpy as np
import pytest

from autograd import Value, grad, gradcheck, numerical_grad


def test_numerical_grad_of_closed_forms():
    assert numerical_grad(lambda x: x * x, [3.0]) == pytest.approx((6.0,), rel=1e-8)
    gx, gy = numerical_grad(lambda x, y: x * y.exp(), [2.0, -1.0])
    assert gx == pytest.approx(math.exp(-1), rel=1e-8) and gy == pytest.approx(2 * math.exp(-1), rel=1e-8)
    assert numerical_grad(lambda x: x.sin(), [0.0]) == pytest.approx((1.0,), rel=1e-10)


def test_numerical_grad_accepts_values_ints_numpy_and_a_single_input():
    a = Value(3.0, label="a")
    result = numerical_grad(lambda x, y, z: x * y * z, [a, 2, np.float64(0.5)])
    assert result == pytest.approx((1.0, 1.5, 6.0), rel=1e-8)
    assert a.grad == 0.0
    assert numerical_grad(lambda x: x * x, 1.5) == pytest.approx((3.0,), rel=1e-8)


def test_numerical_grad_eps_changes_the_estimate():
    # central differences of x^3 are exact up to the eps^2 term: f'(x) + eps^2
    assert numerical_grad(lambda x: x**3, [1.0], eps=0.1)[0] == pytest.approx(3.01, rel=1e-12)


def test_gradcheck_passes_for_correct_gradients():
    assert gradcheck(lambda x, y: (x * y).tanh() + x.log(), [0.5, -1.5]) is True
    assert gradcheck(lambda a, b, c: (a**b) / c.sigmoid(), [1.7, -0.3, 0.2]) is True


def test_gradcheck_checks_second_derivatives():
    def derivative_of_tanh(x):
        (g,) = grad(x.tanh(), [x], create_graph=True)
        return g

    assert gradcheck(derivative_of_tanh, [0.3])


def test_gradcheck_table_lists_only_the_mismatches():
    def wrong(x, y):
        # Value(y.data) copies y's value without its graph: only the gradient of y is wrong
        return x * x + Value(y.data) * x

    with pytest.raises(AssertionError) as raised:
        gradcheck(wrong, [Value(1.5, label="weight"), Value(2.0, label="bias")])
    message = str(raised.value)
    lines = message.splitlines()
    assert "1 of 2" in lines[0]
    header = lines[1].split()
    assert header == ["input", "value", "analytic", "numerical", "abs", "error"]
    assert set(lines[2]) <= {"-", " "}
    row = lines[3].split()
    assert row[0] == "bias" and float(row[1]) == 2.0 and float(row[2]) == 0.0
    assert float(row[3]) == pytest.approx(1.5, rel=1e-6) and float(row[4]) == pytest.approx(1.5, rel=1e-6)
    assert len(lines) == 4  # weight's gradient is right, so it is not listed
    assert len({len(line) for line in lines[1:]}) == 1  # aligned columns


def test_gradcheck_nan_gradient_never_passes():
    # the exponent gradient of a negative base is NaN, by design, and NaN * 0 stays NaN
    with pytest.raises(AssertionError, match="nan"):
        gradcheck(lambda a: (-2.0) ** (a * 0.0 + 3.0), [1.0])


def test_gradcheck_tolerances():
    sloppy = lambda x: x * x + 1e-7 * Value(x.data)  # noqa: E731 - analytic misses 1e-7
    with pytest.raises(AssertionError):
        gradcheck(sloppy, [0.0], atol=1e-9, rtol=0.0)
    assert gradcheck(sloppy, [0.0], atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"fn": 3}, TypeError, "fn must be callable"),
        ({"inputs": []}, ValueError, "empty"),
        ({"inputs": "12"}, TypeError, "inputs"),
        ({"inputs": [1.0, "2"]}, TypeError, r"inputs\[1\]"),
        ({"inputs": [True]}, TypeError, r"inputs\[0\]"),
        ({"inputs": [1j]}, TypeError, r"inputs\[0\]"),
        ({"inputs": [math.nan]}, ValueError, r"inputs\[0\].*finite"),
        ({"inputs": [Value(math.inf)]}, ValueError, "finite"),
        ({"eps": 0.0}, ValueError, "eps"),
        ({"eps": -1e-6}, ValueError, "eps"),
        ({"eps": math.inf}, ValueError, "eps"),
        ({"eps": "small"}, TypeError, "eps"),
        ({"atol": -1.0}, ValueError, "atol"),
        ({"rtol": math.nan}, ValueError, "rtol"),
    ],
)
def test_gradcheck_argument_validation(kwargs, error, words):
    arguments = {"fn": lambda x: x * x, "inputs": [1.0], **kwargs}
    with pytest.raises(error, match=words):
        gradcheck(**arguments)
    if not {"atol", "rtol"} & kwargs.keys():  # numerical_grad shares the other arguments
        with pytest.raises(error, match=words):
            numerical_grad(**arguments)


def test_fn_must_return_a_value():
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 3.0, [1.0])
    with pytest.raises(TypeError, match="must return a Value"):
        numerical_grad(lambda x: [x], [1.0])


def test_fn_failing_at_a_shifted_point_is_reported():
    with pytest.raises(ValueError, match=r"inputs\[0\].*sqrt"):
        numerical_grad(lambda x: x.sqrt(), [0.0])


def test_gradcheck_refuses_a_non_finite_output():
    with pytest.raises(ValueError, match="inf"):
        gradcheck(lambda x: x.exp(), [1000.0])
