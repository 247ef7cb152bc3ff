"""The unary ops of the table as methods of Value: ``x.tanh()``, ``x.leaky_relu(0.1)``.

``register_op`` installs one on :class:`OpMethods`, Value's base class, for every unary op, so an
op registered after import has its method too (``Value(1.0).swish()``). A method on the class costs
nothing to other attribute lookups, where a ``__getattr__`` fallback would run on every miss.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["OpMethods", "install", "remove"]


class OpMethods:
    """Value's base class: one method per unary op of the table, installed by ``register_op``."""

    __slots__ = ()


def install(name: str, attrs: tuple[str, ...]) -> None:
    """Give Value the method ``name``: ``x.name(*args, **attrs)`` is ``x.apply(name, **attrs)``,
    positional arguments filling the op's attributes ``attrs`` in order."""
    setattr(OpMethods, name, _method(name, attrs))


def remove(name: str) -> None:
    """Take the method ``name`` away (a user's unary op registered again with more operands)."""
    if name in vars(OpMethods):
        delattr(OpMethods, name)


def _method(name: str, attrs: tuple[str, ...]) -> Callable[..., Any]:
    def method(self: Any, *args: float, **kwargs: float) -> Any:
        if len(args) > len(attrs):
            raise TypeError(f"{name}() takes {len(attrs)} positional argument(s), its "
                            f"attributes {attrs}, got {len(args)}")
        return self.apply(name, **dict(zip(attrs, args)), **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``apply({name!r}, self, ...)``: see the op table, autograd.ops."
    return method
