"""Names that moved in issue 19, kept working: reading one gives the new object and a
DeprecationWarning that says where it lives now. ``autograd/__init__.py`` installs them as the old
modules' ``__getattr__`` (PEP 562), so ``from autograd.backward import gradients`` still works and
the modules a learner reads carry no compatibility code."""

from __future__ import annotations

import importlib
import sys
import warnings
from typing import Any, Callable

__all__ = ["MOVED", "install"]

# old module -> {old name: (new module, new name)}
MOVED: dict[str, dict[str, tuple[str, str]]] = {
    "autograd.backward": {
        "gradients": ("autograd.functional", "gradients"),
        "NO_GRADIENT": ("autograd.functional", "NO_GRADIENT"),
    },
    "autograd.value": {
        "grad": ("autograd.functional", "grad"),
        "sum": ("autograd.nary", "sum"),
        "dot": ("autograd.nary", "dot"),
        "_apply": ("autograd.value", "node"),  # node(op, parents, attrs): the same arguments
        "_layer": ("autograd.fast", "layer"),
    },
}


def _getattr(module: str, names: dict[str, tuple[str, str]]) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        new_module, new_name = names[name]
        warnings.warn(f"{module}.{name} is now {new_module}.{new_name}", DeprecationWarning,
                      stacklevel=2)
        return getattr(importlib.import_module(new_module), new_name)

    return __getattr__


def install() -> None:
    """Give each module of :data:`MOVED` a ``__getattr__`` that finds its moved names."""
    for module, names in MOVED.items():
        sys.modules[module].__getattr__ = _getattr(module, names)
