"""deltagrad's scalar autograd engine.

A :class:`Value` holds one float. Every op records its parents in order and its local derivative
with respect to each of them, as data; ``backward()`` walks the graph in reverse topological order
and applies the chain rule, ``parent.grad += local * node.grad``, in one loop.

Every public function checks its arguments once; what a caller that checked already may use
instead, unchecked, is public in one place each: ``autograd.value.node`` (any op's node: ``apply``
checks, then calls it; ``sum`` and ``dot`` too) and ``autograd.fast`` (``add``, ``mul`` and
``layer``, the speed paths of ``+``, ``*`` and nn's layers).

Note: the HIPS ``autograd`` package on PyPI uses the same import name; use a separate virtual
environment if you need both.
"""

from . import moved
from .backward import topological_order
from .functional import grad
from .gradcheck import gradcheck, numerical_grad
from .mode import (
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
)
from .nary import dot, sum
from .ops import OPS, Op, register_op
from .parse import parse
from .replay import NUMPY_RULES, CompiledGraph, compile_graph
from .value import Value, apply, backward, lift

moved.install()

__all__ = [
    "CompiledGraph",
    "NUMPY_RULES",
    "OPS",
    "Op",
    "Value",
    "apply",
    "backward",
    "compile_graph",
    "detect_anomaly",
    "dot",
    "enable_grad",
    "grad",
    "gradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "lift",
    "no_grad",
    "numerical_grad",
    "parse",
    "register_op",
    "sum",
    "topological_order",
]
