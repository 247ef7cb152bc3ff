"""Thread-local switches: gradient recording (``no_grad``/``enable_grad``) and ``detect_anomaly``,
with the checks that ``detect_anomaly`` turns on."""

from __future__ import annotations

import contextlib
import math
import threading
from typing import Any

from .format import format_number

__all__ = ["no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly", "is_anomaly_enabled"]


class _Mode(threading.local):
    # Class attributes are each thread's starting values.
    grad_enabled = True
    anomaly = False


MODE = _Mode()


def is_grad_enabled() -> bool:
    """Whether new operations record their parents (True unless inside ``no_grad``)."""
    return MODE.grad_enabled


def is_anomaly_enabled() -> bool:
    """Whether ``detect_anomaly`` is active in this thread."""
    return MODE.anomaly


class _Switch(contextlib.ContextDecorator):
    """Sets the thread's ``MODE.<flag>`` to ``value`` inside, and restores what it was on exit.

    The saved states form a stack, so one instance may be entered again before it exits (a
    decorated function that recurses); each call of a decorated function gets a fresh instance,
    so threads calling it at once share no state.
    """

    flag: str
    value: bool

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def _recreate_cm(self) -> _Switch:  # ContextDecorator's hook: one instance per decorated call
        return type(self)()

    def __enter__(self) -> None:
        self._saved.append(getattr(MODE, self.flag))
        setattr(MODE, self.flag, self.value)

    def __exit__(self, *exc_info: object) -> None:
        setattr(MODE, self.flag, self._saved.pop())


class no_grad(_Switch):
    """Context manager and decorator: operations inside record no graph (results are constants).

    The switch is thread-local, like PyTorch's: other threads keep recording.

    Example:
        >>> from autograd import Value, no_grad
        >>> x = Value(2.0)
        >>> with no_grad():
        ...     y = x * 3
        >>> y.parents, y.requires_grad
        ((), False)
    """

    flag = "grad_enabled"
    value = False


class enable_grad(_Switch):
    """Context manager and decorator: re-enables recording inside a ``no_grad`` block."""

    flag = "grad_enabled"
    value = True


class detect_anomaly(_Switch):
    """Context manager and decorator: stop at the first NaN or inf, forward or backward.

    Inside it, an op whose output is not finite, or a backward step that makes a gradient
    not finite, raises ``FloatingPointError`` naming the op and the labels of the nodes involved.
    Thread-local.
    """

    flag = "anomaly"
    value = True


def describe(node: Any) -> str:
    """A node for an error message: ``label=value``, or its value."""
    return f"{node.label}={format_number(node.data)}" if node.label else format_number(node.data)


def check_forward(op: str, parents: tuple, y: float) -> None:
    """Under ``detect_anomaly``: the op's result must be finite."""
    if not math.isfinite(y):
        raise FloatingPointError(f"detect_anomaly: {op}({', '.join(map(describe, parents))}) gave {y} in the forward pass")


def check_backward(node: Any) -> None:
    """Under ``detect_anomaly``, after ``node`` passed its gradient on: its operands' must be finite."""
    for parent, local in zip(node.parents, node.local_grads):
        if not math.isfinite(parent.grad):
            raise FloatingPointError(
                f"detect_anomaly: in the backward pass through {node.op} ({describe(node)}), the gradient of "
                f"{describe(parent)} became {parent.grad} (local derivative {local}, incoming gradient {node.grad})")
