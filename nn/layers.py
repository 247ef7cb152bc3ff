"""``Neuron``, ``Layer`` and ``MLP``, with micrograd's conventions.

A neuron's pre-activation v = w·x + b is one ``autograd.dot`` node; its output is the activation
of v. ``Neuron(nin, nonlin=False)`` is linear and ``nonlin=True`` is ReLU, as in micrograd; an
``MLP`` has ReLU hidden layers and a linear output unless told otherwise, and, like micrograd's,
returns a bare ``Value`` when the last layer has one output (a list otherwise).

Parameters are labelled for pictures: a standalone Neuron's are ``w0``..``w{n-1}`` and ``b``, a
standalone Layer's ``N{neuron}.w{input}``, an MLP's ``L{layer}.N{neuron}.w{input}`` (0-based).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Set as AbstractSet
from typing import Any, Sequence

import numpy as np

import autograd
from autograd import Value
from autograd.validate import real as check_real

from .activations import ACTIVATIONS, check_activation, softmax
from .init import Seed, init_weights, make_rng
from .module import Module

__all__ = ["Neuron", "Layer", "MLP"]


def _width(n: Any, name: str) -> int:
    if isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1:
        return int(n)
    raise ValueError(f"{name} must be a positive int, got {type(n).__name__}: {n!r}")


def _resolve(activation: str, nonlin: bool | None, layer: bool = False) -> str:
    """micrograd's ``nonlin`` flag, when given, picks ReLU (True) or linear (False)."""
    if isinstance(activation, bool) and nonlin is None:  # micrograd's positional Neuron(nin, False)
        activation, nonlin = "relu", activation
    check_activation(activation, layer=layer)
    if nonlin is None:
        return activation
    if not isinstance(nonlin, bool):
        raise TypeError(f"nonlin must be True, False or None, got {type(nonlin).__name__}: {nonlin!r}")
    chosen = "relu" if nonlin else "linear"
    if activation not in ("relu", chosen):  # "relu" is the default, so it does not conflict
        raise ValueError(f"nonlin={nonlin} asks for {chosen!r} but activation is {activation!r}; give one of them")
    return chosen


def _inputs(x: Any, nin: int, who: str) -> Sequence[Any]:
    """``x`` as a sequence of nin inputs; a lone Value or number counts as one input."""
    if not isinstance(x, list):  # a list skips the slow ABC checks
        if isinstance(x, (Value, numbers.Real)):
            x = [x]
        elif isinstance(x, (Mapping, AbstractSet, str, bytes)):  # has a length, but no order of numbers
            raise TypeError(f"{who} input must be a sequence of Values or numbers, got {type(x).__name__}: {x!r}")
    try:
        given = len(x)
    except TypeError:
        raise TypeError(f"{who} input must be a sequence of Values or numbers, got {type(x).__name__}") from None
    if given != nin:
        raise ValueError(f"{who} expects {nin} input(s), got {given}")
    return x


class Neuron(Module):
    """One unit: y = φ(w·x + b).

    Args:
        nin: number of inputs.
        activation: a name from ``nn.ACTIVATIONS`` (``relu`` by default, as in micrograd).
        nonlin: micrograd's flag; True means ReLU, False means linear, None defers to ``activation``.
        init: ``uniform`` (micrograd's U(-1, 1)), ``xavier``, ``he`` or ``auto`` (see ``nn.init``).
        seed: an int or numpy Generator for reproducible weights (see ``nn.init.make_rng``).
        weights: the initial weights, overriding ``init`` (nin numbers).
        bias: the initial bias (0 by default, as in micrograd).
    """

    def __init__(self, nin: int, activation: str = "relu", nonlin: bool | None = None, *, init: str = "uniform",
                 seed: Seed = None, weights: Sequence[float] | None = None, bias: float = 0.0) -> None:
        self.nin = _width(nin, "Neuron nin")
        self.activation = _resolve(activation, nonlin)
        if weights is None:
            weights = init_weights(init, self.activation, self.nin, 1, make_rng(seed))[0]
        elif isinstance(weights, (str, bytes)) or not isinstance(weights, (Sequence, np.ndarray)):
            raise TypeError(f"Neuron weights must be a sequence of {self.nin} number(s), got {type(weights).__name__}: {weights!r}")
        elif len(weights) != self.nin:
            raise ValueError(f"Neuron weights: expected {self.nin} number(s), got {len(weights)}")
        self.w = [Value(check_real(w, f"Neuron weights[{i}]"), f"w{i}") for i, w in enumerate(weights)]
        self.b = Value(check_real(bias, "Neuron bias"), "b")
        for p in self.w + [self.b]:
            if not math.isfinite(p.data):
                raise ValueError(f"Neuron: initial {p.label} is {p.data}; parameters must be finite")
        self._phi = ACTIVATIONS[self.activation]

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
        """v = w·x + b, as one ``dot`` node."""
        return autograd.dot(self.w, _inputs(x, self.nin, "Neuron"), self.b)

    def __call__(self, x: Sequence[Value | float]) -> Value:
        """y = φ(v) for the inputs ``x`` (nin Values or numbers)."""
        return self._phi(self.preactivation(x))

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``w.0`` .. ``w.{nin-1}``, then ``b``."""
        return [(f"w.{i}", w) for i, w in enumerate(self.w)] + [("b", self.b)]

    def config(self) -> dict[str, Any]:
        """``{"nin": ..., "activation": ...}``."""
        return {"nin": self.nin, "activation": self.activation}


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
        self.nin, self.nout = _width(nin, "Layer nin"), _width(nout, "Layer nout")
        self.activation = _resolve(activation, nonlin, layer=True)
        unit = "linear" if self.activation == "softmax" else self.activation
        self._phi = ACTIVATIONS[unit]
        matrix = init_weights(init, self.activation, self.nin, self.nout, make_rng(seed))
        self.neurons = [Neuron(self.nin, unit, weights=row) for row in matrix]
        self.relabel("")

    def relabel(self, prefix: str) -> None:
        """Label neuron n's parameters ``{prefix}N{n}.w{i}`` and ``{prefix}N{n}.b``."""
        for n, neuron in enumerate(self.neurons):
            neuron.relabel(f"{prefix}N{n}.")

    def forward(self, x: Sequence[Value | float]) -> tuple[list[Value], list[Value]]:
        """The pre-activations vs and the outputs ys, as lists (whatever ``nout`` is)."""
        # Numbers become constants once here, shared by the neurons, not once per neuron.
        x = [autograd.lift(a, f"Layer input {i}") for i, a in enumerate(_inputs(x, self.nin, "Layer"))]
        vs = [neuron.preactivation(x) for neuron in self.neurons]
        ys = softmax(vs) if self.activation == "softmax" else [self._phi(v) for v in vs]
        return vs, ys

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
        self.nin = _width(nin, "MLP nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"MLP nouts must be a non-empty list of layer widths, got {nouts!r}")
        self.nouts = [_width(n, f"MLP nouts[{i}]") for i, n in enumerate(nouts)]
        hidden = len(self.nouts) - 1
        if isinstance(activation, str):
            names = [check_activation(activation)] * hidden  # checked even with no hidden layer
        elif isinstance(activation, Sequence):
            names = list(activation)
        else:
            raise TypeError(f"MLP activation must be a name or a list of names (one per hidden layer), "
                            f"got {type(activation).__name__}: {activation!r}")
        if len(names) != hidden:
            raise ValueError(f"MLP activation list has {len(names)} name(s) for {hidden} hidden layer(s)")
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
        vs, ys = self.layers[0].forward(_inputs(x, self.nin, "MLP"))
        for layer in self.layers[1:]:
            vs, ys = layer.forward(ys)
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
