"""The bridge to PyTorch, for when a model outgrows the scalar engine. PyTorch is not needed here.

An ``nn.MLP`` is ``torch.nn.Sequential(Linear, activation, Linear, activation, ..., Linear[, head])``:
``to_torch_state_dict`` gives its weights keyed and shaped as that module's ``state_dict()``
(``"0.weight"`` is out × in, ``"0.bias"``; an activation module takes an index too, so the second
Linear after a ReLU is ``"2.weight"``), and ``torch_code`` gives the module's source.

    >>> import nn
    >>> model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
    >>> list(nn.to_torch_state_dict(model))
    ['0.weight', '0.bias', '2.weight', '2.bias']
"""

from __future__ import annotations

import inspect
import keyword
from typing import Any

from autograd import OPS, validate

from .layers import MLP, Layer, Neuron

__all__ = ["TORCH_MODULES", "to_torch_state_dict", "torch_code"]


def _default(op: str, attribute: str) -> float:
    """The default of an op's attribute, as its row's forward rule declares it (``x.elu()``'s)."""
    return inspect.signature(OPS[op].forward).parameters[attribute].default


_SLOPE, _ALPHA = _default("leaky_relu", "slope"), _default("elu", "alpha")

# activation name -> the PyTorch module that computes it (None: the identity, no module).
TORCH_MODULES: dict[str, str | None] = {
    "linear": None,
    "sigmoid": "torch.nn.Sigmoid()",
    "tanh": "torch.nn.Tanh()",
    "relu": "torch.nn.ReLU()",  # ReLU'(0) = 0 in both
    "leaky_relu": f"torch.nn.LeakyReLU({_SLOPE})",
    "elu": f"torch.nn.ELU(alpha={_ALPHA})",
    "selu": "torch.nn.SELU()",  # the same λ and α (autograd.ops.SELU_LAMBDA, SELU_ALPHA)
    "softplus": "torch.nn.Softplus()",
    "softmax": "torch.nn.Softmax(dim=-1)",
    "step": "Step()",  # PyTorch has no step module: torch_code defines this one
}

_NOTES = {
    "softplus": "# torch.nn.Softplus() returns x itself for x > 20 (threshold=20): within 2.1e-9 of ln(1 + e^x).",
    "softmax": "# The Softmax head gives probabilities, as deltagrad's softmax layer does. To train with\n"
               "# torch.nn.CrossEntropyLoss, drop it: that loss takes the logits (the last Linear's output).",
    "step": '''# PyTorch has no module for the Heaviside step; this one computes it (step(0) = 0, as deltagrad).
# Its gradient is 0 everywhere: nothing trains through it, in PyTorch either.
class Step(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.heaviside(x, torch.zeros_like(x))

''',
}


def _layers(model: Any) -> list[tuple[Any, str]]:
    """(neurons, activation) per layer: an MLP's layers, a Layer alone, or a Neuron as a layer of one."""
    if isinstance(model, MLP):
        layers = [(layer.neurons, layer.activation) for layer in model.layers]
    elif isinstance(model, Layer):
        layers = [(model.neurons, model.activation)]
    elif isinstance(model, Neuron):
        layers = [([model], model.activation)]
    else:
        raise TypeError(f"model must be an nn.MLP, nn.Layer or nn.Neuron, got {validate.shown(model)}")
    for k, (_, name) in enumerate(layers):
        if name not in TORCH_MODULES:
            raise ValueError(f"model: layer {k}'s activation {name!r} has no PyTorch module here; "
                             f"known: {', '.join(TORCH_MODULES)}")
    return layers


def _modules(layers: list[tuple[Any, str]]) -> list[tuple[int, int, int, str | None]]:
    """(index of the Linear in the Sequential, inputs, outputs, activation module or None) per layer."""
    rows, index = [], 0
    for neurons, name in layers:
        rows.append((index, len(neurons[0].w), len(neurons), TORCH_MODULES[name]))
        index += 1 if TORCH_MODULES[name] is None else 2
    return rows


def to_torch_state_dict(model: MLP | Layer | Neuron) -> dict[str, list]:
    """The parameters keyed and shaped as the ``torch.nn.Sequential`` of ``torch_code`` expects.

    Args:
        model: an ``nn.MLP`` (or an ``nn.Layer``, or an ``nn.Neuron``: one Linear of one output).

    Returns:
        ``{"0.weight": [[w, ...] one row per unit], "0.bias": [b, ...], "2.weight": ...}``: plain
        nested lists of floats (JSON-ready). In PyTorch:
        ``net.load_state_dict({k: torch.tensor(v, dtype=torch.float64) for k, v in state.items()})``.
    """
    layers = _layers(model)
    state: dict[str, list] = {}
    for (neurons, _), (index, _, _, _) in zip(layers, _modules(layers)):
        state[f"{index}.weight"] = [[w.data for w in neuron.w] for neuron in neurons]
        state[f"{index}.bias"] = [neuron.b.data for neuron in neurons]
    return state


def torch_code(model: MLP | Layer | Neuron, name: str = "model") -> str:
    """The PyTorch source of ``model``'s architecture, as a ``torch.nn.Sequential`` in float64.

    Activations are PyTorch's modules (``torch.nn.ReLU()``, ``torch.nn.LeakyReLU(0.01)``, ...); a
    linear layer has none. A softmax output layer becomes a ``torch.nn.Softmax(dim=-1)`` head (with a
    note: ``torch.nn.CrossEntropyLoss`` wants the logits before it); the step function, which
    PyTorch lacks, a small ``Step`` module defined in the code. ``torch.nn`` is written out in full
    because deltagrad's own package is called ``nn``.

    Args:
        model: an ``nn.MLP``, ``nn.Layer`` or ``nn.Neuron``.
        name: the variable the code assigns the module to.

    Returns:
        Python source that imports torch and builds the module; load the weights of
        ``to_torch_state_dict(model)`` into it.
    """
    layers = _layers(model)
    if not (validate.text(name, "name").isidentifier() and not keyword.iskeyword(name)):
        raise ValueError(f"name must be a Python identifier, got {name!r}")
    used = [activation for _, activation in layers]
    lines = [f"# {model!r} from deltagrad, as a PyTorch module (float64, as deltagrad computes).",
             f"# Weights: {name}.load_state_dict({{k: torch.tensor(v, dtype=torch.float64) for k, v in state.items()}})",
             "# with state = nn.to_torch_state_dict(<the deltagrad model>) (plain lists; json.dump works).",
             "import torch", ""]
    lines += [_NOTES[activation] for activation in dict.fromkeys(used) if activation in _NOTES]
    lines.append(f"{name} = torch.nn.Sequential(")
    for k, (index, nin, nout, module) in enumerate(_modules(layers)):
        lines.append(f"    torch.nn.Linear({nin}, {nout}),  # {index}: layer {k}, {used[k]}")
        if module is not None:
            lines.append(f"    {module},  # {index + 1}")
    lines.append(").double()")
    return "\n".join(lines) + "\n"
