"""``Neuron``, ``Layer`` and ``MLP``, with micrograd's conventions.

A neuron's pre-activation v = w·x + b is one ``autograd.dot`` node; its output is the activation
of v. ``Neuron(nin, nonlin=False)`` is linear and ``nonlin=True`` is ReLU, as in micrograd; an
``MLP`` has ReLU hidden layers and a linear output unless told otherwise, and, like micrograd's,
returns a bare ``Value`` when the last layer has one output (a list otherwise).

Parameters are labelled for pictures: a standalone Neuron's are ``w0``..``w{n-1}`` and ``b``, a
standalone Layer's ``N{neuron}.w{input}``, an MLP's ``L{layer}.N{neuron}.w{input}`` (0-based).
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import autograd
from autograd import Value, fast, validate
from autograd.ops import OPS
from autograd.value import node

from . import functional
from .activations import check_activation
from .init import Seed, init_weights, make_rng
from .module import Module

__all__ = ["Neuron", "Layer", "MLP"]

_DOT = OPS["dot"]


def _dot(w: list[Value], x: list[Value], b: Value) -> Value:
    """v = w·x + b as one node, for operands that are already Values of matching lengths:
    the checked path is ``autograd.dot``; this one trusts the public entry that called it."""
    return node(_DOT, (*w, *x, b))


def _values(x: Any, nin: int, name: str) -> list[Value]:
    """The one check of a forward pass: ``x`` as ``nin`` Values, numbers made constants once.

    A lone Value or number counts as one input (micrograd's ``Neuron(1)(x)``)."""
    if isinstance(x, (Value, numbers.Real)) and not isinstance(x, bool):
        x = [x]
    xs = validate.items(x, name)
    if len(xs) != nin:
        raise ValueError(f"{name} must hold {nin} input(s), got {len(xs)}")
    return [a if isinstance(a, Value) else autograd.lift(a, f"{name}[{i}]") for i, a in enumerate(xs)]


def _resolve(activation: Any, nonlin: Any, layer: bool = False) -> str:
    """micrograd's ``nonlin`` flag, when given, picks ReLU (True) or linear (False)."""
    if isinstance(activation, bool) and nonlin is None:  # micrograd's positional Neuron(nin, False)
        activation, nonlin = "relu", activation
    check_activation(activation, layer=layer)
    if nonlin is None:
        return activation
    chosen = "relu" if validate.flag(nonlin, "nonlin") else "linear"
    if activation not in ("relu", chosen):  # "relu" is the default, so it does not conflict
        raise ValueError(f"nonlin={nonlin} asks for {chosen!r} but activation is {activation!r}; give one of them")
    return chosen


class Neuron(Module):
    """One unit: y = φ(w·x + b).

    Args:
        nin: number of inputs.
        activation: a name from ``nn.ACTIVATIONS`` (``relu`` by default, as in micrograd).
        nonlin: micrograd's flag; True means ReLU, False means linear, None defers to ``activation``.
        init: ``uniform`` (micrograd's U(-1, 1)), ``xavier``, ``he`` or ``auto`` (see ``nn.init``).
        seed: an int or numpy Generator for reproducible weights (see ``nn.init.make_rng``).
        weights: the initial weights, overriding ``init`` (nin finite numbers).
        bias: the initial bias (0 by default, as in micrograd).
    """

    def __init__(self, nin: int, activation: str = "relu", nonlin: bool | None = None, *, init: str = "uniform",
                 seed: Seed = None, weights: Sequence[float] | None = None, bias: float = 0.0) -> None:
        nin = validate.whole(nin, "nin")
        activation = _resolve(activation, nonlin)
        if weights is None:
            weights = init_weights(init, activation, nin, 1, make_rng(seed))[0]
        else:
            weights = validate.items(weights, "weights", f"a sequence of {nin} number(s)")
            if len(weights) != nin:
                raise ValueError(f"weights must hold {nin} number(s) (nin), got {len(weights)}")
            weights = [validate.finite(w, f"weights[{i}]") for i, w in enumerate(weights)]
        self._build(nin, activation, weights, validate.finite(bias, "bias"))

    def _build(self, nin: int, activation: str, weights: Sequence[float], bias: float) -> None:
        """Set the parameters from checked numbers (Layer builds its neurons this way)."""
        self.nin = nin
        self.activation = activation
        self.w = [Value(float(w), f"w{i}") for i, w in enumerate(weights)]
        self.b = Value(bias, "b")
        self._op = None if activation == "linear" else OPS[activation]  # the activation's row (None: linear)

    @classmethod
    def _checked(cls, nin: int, activation: str, weights: Sequence[float]) -> Neuron:
        neuron = cls.__new__(cls)
        neuron._build(nin, activation, weights, 0.0)
        return neuron

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: whether the activation is not the identity."""
        return self.activation != "linear"

    def relabel(self, prefix: str) -> None:
        """Label the parameters ``{prefix}w{i}`` and ``{prefix}b``."""
        for i, w in enumerate(self.w):
            w.label = f"{prefix}w{i}"
        self.b.label = f"{prefix}b"

    def preactivation(self, x: Sequence[Value | float]) -> Value:
        """v = w·x + b, as one ``dot`` node, for the inputs ``x`` (nin Values or numbers)."""
        return _dot(self.w, _values(x, self.nin, "x"), self.b)

    def __call__(self, x: Sequence[Value | float]) -> Value:
        """y = φ(v) for the inputs ``x`` (nin Values or numbers)."""
        v = _dot(self.w, _values(x, self.nin, "x"), self.b)
        return v if self._op is None else node(self._op, (v,))

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``w.0`` .. ``w.{nin-1}``, then ``b``."""
        return [(f"w.{i}", w) for i, w in enumerate(self.w)] + [("b", self.b)]

    def config(self) -> dict[str, Any]:
        """``{"nin": ..., "activation": ...}``."""
        return {"nin": self.nin, "activation": self.activation}

    @staticmethod
    def parameter_count(nin: Any = None, **_: Any) -> int:
        """How many parameters ``Neuron(nin, ...)`` has, checked without building it."""
        return validate.whole(nin, "nin") + 1


class Layer(Module):
    """``nout`` neurons reading the same inputs.

    Args:
        nin: inputs per neuron.
        nout: number of neurons.
        activation: a per-unit name, or ``softmax``: the neurons are then linear and the softmax
            acts across the layer's pre-activations.
        nonlin: micrograd's flag (see ``Neuron``).
        init: the initialisation scheme (see ``nn.init.init_weights``).
        seed: an int or numpy Generator for reproducible weights.
    """

    def __init__(self, nin: int, nout: int, activation: str = "relu", nonlin: bool | None = None, *,
                 init: str = "uniform", seed: Seed = None) -> None:
        self.nin, self.nout = validate.whole(nin, "nin"), validate.whole(nout, "nout")
        self.activation = _resolve(activation, nonlin, layer=True)
        unit = "linear" if self.activation == "softmax" else self.activation
        self._op = None if unit == "linear" else OPS[unit]  # the activation's row (None: linear)
        matrix = init_weights(init, self.activation, self.nin, self.nout, make_rng(seed))
        self.neurons = [Neuron._checked(self.nin, unit, row) for row in matrix]
        self.relabel("")

    def relabel(self, prefix: str) -> None:
        """Label neuron n's parameters ``{prefix}N{n}.w{i}`` and ``{prefix}N{n}.b``."""
        for n, neuron in enumerate(self.neurons):
            neuron.relabel(f"{prefix}N{n}.")

    def forward(self, x: Sequence[Value | float]) -> tuple[list[Value], list[Value]]:
        """The pre-activations vs and the outputs ys, as lists (whatever ``nout`` is)."""
        return self._forward(_values(x, self.nin, "x"))

    def _forward(self, x: list[Value]) -> tuple[list[Value], list[Value]]:
        ws, bs = [neuron.w for neuron in self.neurons], [neuron.b for neuron in self.neurons]
        if self.activation == "softmax":
            vs = fast.layer(ws, x, bs)[0]
            return vs, functional.softmax(vs)
        return fast.layer(ws, x, bs, self._op)

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """The outputs; a bare Value when ``nout == 1`` (micrograd's convention)."""
        ys = self.forward(x)[1]
        return ys[0] if len(ys) == 1 else ys

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``neurons.{n}.w.{i}`` and ``neurons.{n}.b``."""
        return [(f"neurons.{n}.{name}", p) for n, neuron in enumerate(self.neurons)
                for name, p in neuron.named_parameters()]

    def config(self) -> dict[str, Any]:
        """``{"nin": ..., "nout": ..., "activation": ...}``."""
        return {"nin": self.nin, "nout": self.nout, "activation": self.activation}

    @staticmethod
    def parameter_count(nin: Any = None, nout: Any = None, **_: Any) -> int:
        """How many parameters ``Layer(nin, nout, ...)`` has, checked without building it."""
        return (validate.whole(nin, "nin") + 1) * validate.whole(nout, "nout")


def _widths(nouts: Any) -> list[int]:
    if isinstance(nouts, numbers.Integral) and not isinstance(nouts, bool):
        raise TypeError(f"nouts must be a list of layer widths such as [16, 16, 1], got {validate.shown(nouts)}")
    widths = validate.items(nouts, "nouts", "a list of layer widths such as [16, 16, 1]")
    if not widths:
        raise ValueError("nouts must hold at least one layer width, got an empty list")
    return [validate.whole(n, f"nouts[{i}]") for i, n in enumerate(widths)]


class MLP(Module):
    """A multi-layer perceptron: layers of widths ``nouts`` applied in turn.

    Args:
        nin: number of inputs.
        nouts: the width of each layer, the last being the output layer (``[16, 16, 1]``).
        activation: the hidden layers' activation, or a list with one name per hidden layer.
        output_activation: the last layer's activation (``linear``, ``sigmoid``, ``softmax``, ...).
        init: the initialisation scheme (see ``nn.init.init_weights``).
        seed: an int or numpy Generator for reproducible weights.

    Example:
        >>> model = MLP(2, [16, 16, 1], seed=0)  # micrograd's moons model
        >>> len(model.parameters())
        337
        >>> model([1.0, -2.0])  # doctest: +ELLIPSIS
        Value(data=..., grad=0.0)
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str | Sequence[str] = "relu",
                 output_activation: str = "linear", *, init: str = "uniform", seed: Seed = None) -> None:
        self.nin = validate.whole(nin, "nin")
        self.nouts = _widths(nouts)
        hidden = len(self.nouts) - 1
        if isinstance(activation, str):
            names = [check_activation(activation)] * hidden  # checked even with no hidden layer
        else:
            names = validate.items(activation, "activation", "a name or a list of names (one per hidden layer)")
            if len(names) != hidden:
                raise ValueError(f"activation list has {len(names)} name(s) for {hidden} hidden layer(s)")
            for name in names:
                check_activation(name)
        check_activation(output_activation, layer=True)
        self.activation = activation if isinstance(activation, str) else names
        self.output_activation = output_activation
        self.init = init
        rng = make_rng(seed)
        sizes = [self.nin] + self.nouts
        self.layers = [Layer(sizes[k], sizes[k + 1], act, init=init, seed=rng)
                       for k, act in enumerate(names + [output_activation])]
        for k, layer in enumerate(self.layers):
            layer.relabel(f"L{k}.")

    def forward(self, x: Sequence[Value | float]) -> tuple[list[Value], list[Value]]:
        """The last layer's pre-activations vs (the logits) and outputs ys, as lists."""
        return self._forward(_values(x, self.nin, "x"))

    def _forward(self, x: list[Value]) -> tuple[list[Value], list[Value]]:
        vs, ys = self.layers[0]._forward(x)
        for layer in self.layers[1:]:
            vs, ys = layer._forward(ys)
        return vs, ys

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        """The outputs; a bare Value when the last layer has one output (micrograd's convention)."""
        ys = self.forward(x)[1]
        return ys[0] if len(ys) == 1 else ys

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``layers.{l}.neurons.{n}.w.{i}`` and ``layers.{l}.neurons.{n}.b``."""
        return [(f"layers.{k}.{name}", p) for k, layer in enumerate(self.layers)
                for name, p in layer.named_parameters()]

    def config(self) -> dict[str, Any]:
        """The constructor arguments (``nin``, ``nouts``, ``activation``, ``output_activation``, ``init``)."""
        return {"nin": self.nin, "nouts": list(self.nouts), "activation": self.activation,
                "output_activation": self.output_activation, "init": self.init}

    @staticmethod
    def parameter_count(nin: Any = None, nouts: Any = None, **_: Any) -> int:
        """How many parameters ``MLP(nin, nouts, ...)`` has, checked without building it."""
        sizes = [validate.whole(nin, "nin")] + _widths(nouts)
        return sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
