"""The unary ops of the table as methods of Value: ``x.tanh()``, ``x.leaky_relu(0.1)``.

``register_op`` installs one on :class:`OpMethods`, Value's base class, for every unary op, so an
op registered after import has its method too (``Value(1.0).swish()``). A method on the class costs
nothing to other attribute lookups, where a ``__getattr__`` fallback would run on every miss.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["OpMethods", "install"]


class OpMethods:
    """Value's base class: one method per unary op of the table, installed by ``register_op``."""

    __slots__ = ()


def install(op: Any) -> None:
    """Give Value the method of ``op``, a unary row of the table: ``x.name(*args, **attrs)`` is
    ``x.apply(name, **attrs)``, positional arguments filling the op's attributes in order. An op
    of more operands has none (a user's unary op registered again with two loses its method)."""
    if op.arity == 1:
        setattr(OpMethods, op.name, _method(op.name, op.attrs))
    elif op.name in vars(OpMethods):
        delattr(OpMethods, op.name)


def _method(name: str, attrs: tuple[str, ...]) -> Callable[..., Any]:
    def method(self: Any, *args: float, **kwargs: float) -> Any:
        if len(args) > len(attrs):
            raise TypeError(f"{name}() takes {len(attrs)} positional argument(s), its "
                            f"attributes {attrs}, got {len(args)}")
        if args:
            return self.apply(name, **dict(zip(attrs, args)), **kwargs)
        return self.apply(name, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``apply({name!r}, self, ...)``: see the op table, autograd.ops."
    return method
