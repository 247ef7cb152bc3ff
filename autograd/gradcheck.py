"""Gradient checking: central finite differences against the analytic gradients of the graph."""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Sequence

from .format import format_number, format_table
from .functional import grad
from .validate import finite, positive, shown
from .value import Value

__all__ = ["numerical_grad", "gradcheck"]


def _point(inputs: Any) -> list[tuple[str, float]]:
    """``(name, value)`` for each input: a Value's label (or ``inputs[i]``) and its finite float."""
    values = [inputs] if isinstance(inputs, (Value, numbers.Real)) else inputs
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"inputs must be a sequence of numbers or Values, got {shown(inputs)}")
    if not values:
        raise ValueError("inputs is empty: there is nothing to differentiate with respect to")
    return [(x.label if isinstance(x, Value) and x.label else f"inputs[{i}]",
             finite(x.data if isinstance(x, Value) else x, f"inputs[{i}]")) for i, x in enumerate(values)]


def _check_callable(fn: Any) -> None:
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {shown(fn)}")


def _evaluate(fn: Callable[..., Value], data: list[float], labels: list[str]) -> tuple[Value, list[Value]]:
    leaves = [Value(x, label=label) for x, label in zip(data, labels)]
    out = fn(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"fn must return a Value, got {type(out).__name__}: {out!r}")
    return out, leaves


def _central_differences(
    fn: Callable[..., Value], point: list[tuple[str, float]], eps: float
) -> list[float]:
    labels = [name for name, _ in point]
    base = [x for _, x in point]
    slopes = []
    for i, (name, x) in enumerate(point):
        sides = []
        for shifted in (x + eps, x - eps):
            try:
                out, _ = _evaluate(fn, base[:i] + [shifted] + base[i + 1 :], labels)
            except (ValueError, ArithmeticError) as error:
                raise ValueError(
                    f"numerical_grad: fn failed at {name} = {shifted!r} (input ± eps): {error}"
                ) from None
            sides.append(out.data)
        slopes.append((sides[0] - sides[1]) / (2 * eps))
    return slopes


def numerical_grad(
    fn: Callable[..., Value], inputs: Sequence[Any], eps: float = 1e-6
) -> tuple[float, ...]:
    """The gradient of ``fn`` at ``inputs`` by central differences, (f(x+eps) - f(x-eps)) / 2eps.

    ``fn`` runs in the current grad mode (not under ``no_grad``), so it may itself call
    ``autograd.grad(..., create_graph=True)``: a derivative can be checked like any function.

    Args:
        fn: takes one Value per input, positionally, and returns a Value.
        inputs: finite real numbers or Values (only their data is read; a Value alone is accepted).
        eps: the step, finite and > 0.

    Returns:
        One float per input, ∂fn/∂input.
    """
    _check_callable(fn)
    return tuple(_central_differences(fn, _point(inputs), positive(eps, "eps")))


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-4,
) -> bool:
    """Check the analytic gradient of ``fn`` against central differences.

    A gradient passes when ``|analytic - numerical| <= atol + rtol * |numerical|`` (NaN and inf
    never pass). ``fn`` gets fresh leaves, so the ``.grad`` of Values passed as inputs is untouched.

    Args:
        fn: takes one Value per input, positionally, and returns a Value.
        inputs: finite real numbers or Values (their data, and labels for the report).
        eps: the finite-difference step, finite and > 0.
        atol: absolute tolerance, finite and >= 0.
        rtol: relative tolerance, finite and >= 0.

    Returns:
        True when every gradient agrees.

    Raises:
        AssertionError: with a table (input, value, analytic, numerical, abs error) of the
            gradients that disagree.

    Example:
        >>> gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.5])
        True
    """
    _check_callable(fn)
    point = _point(inputs)
    eps = positive(eps, "eps")
    atol = positive(atol, "atol", zero=True)
    rtol = positive(rtol, "rtol", zero=True)
    out, leaves = _evaluate(fn, [x for _, x in point], [name for name, _ in point])
    if not math.isfinite(out.data):
        raise ValueError(f"gradcheck: fn returned {out.data} at the inputs; it must be finite there")
    analytic = grad(out, leaves)
    numerical = _central_differences(fn, point, eps)
    rows = []
    for (name, x), a, n in zip(point, analytic, numerical):
        error = abs(a - n)
        if not error <= atol + rtol * abs(n):  # written so that NaN fails
            rows.append((name, *(format_number(v, 10) for v in (x, a, n, error))))
    if rows:
        raise AssertionError(
            f"gradcheck: {len(rows)} of {len(point)} gradient(s) disagree "
            f"(|analytic - numerical| > atol + rtol*|numerical|; atol={atol:g}, rtol={rtol:g}, "
            f"eps={eps:g}):\n"
            + format_table(("input", "value", "analytic", "numerical", "abs error"), rows)
        )
    return True

