"""Thread-local switches: gradient recording (``no_grad``/``enable_grad``) and ``detect_anomaly``."""

from __future__ import annotations

import contextlib
import threading

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


class _SetGradEnabled(contextlib.ContextDecorator):
    enabled: bool

    def __enter__(self) -> None:
        self._previous = MODE.grad_enabled
        MODE.grad_enabled = self.enabled

    def __exit__(self, *exc_info: object) -> None:
        MODE.grad_enabled = self._previous


class no_grad(_SetGradEnabled):
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

    enabled = False


class enable_grad(_SetGradEnabled):
    """Context manager and decorator: re-enables recording inside a ``no_grad`` block."""

    enabled = True


class detect_anomaly(contextlib.ContextDecorator):
    """Context manager and decorator: stop at the first NaN or inf, forward or backward.

    Inside it, an op whose output is not finite, or a backward step that makes a gradient
    not finite, raises ``FloatingPointError`` naming the op and the labels of the nodes involved.
    Thread-local.
    """

    def __enter__(self) -> None:
        self._previous = MODE.anomaly
        MODE.anomaly = True

    def __exit__(self, *exc_info: object) -> None:
        MODE.anomaly = self._previous
