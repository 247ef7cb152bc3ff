"""The bridge to PyTorch, tested without PyTorch: the code ``torch_code`` writes is run against a
stand-in ``torch`` written here in NumPy, with PyTorch's module names, argument conventions, key
naming and strict ``load_state_dict``, and its activations as closed forms (PyTorch's
documented formulas, not deltagrad's)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
import types
from unittest import mock

import numpy as np
import pytest

import nn
from nn import MLP, Layer, Neuron, to_torch_state_dict, torch_code

SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429053, 1.0507009873554804934193349852946  # PyTorch's


def fake_torch() -> types.ModuleType:
    """Just enough of ``torch`` for the generated code, on NumPy arrays."""
    torch = types.ModuleType("torch")
    torch.float64 = np.float64
    torch.Tensor = np.ndarray
    torch.tensor = lambda value, dtype=None: np.array(value, dtype=dtype)
    torch.zeros_like = np.zeros_like
    torch.heaviside = np.heaviside
    module_ns = types.ModuleType("torch.nn")
    torch.nn = module_ns

    class Module:
        def __call__(self, x):
            return self.forward(x)

        def double(self):
            return self

        def parameters_by_name(self):
            return {}

    class Linear(Module):
        def __init__(self, in_features, out_features):
            self.weight = np.zeros((out_features, in_features))
            self.bias = np.zeros(out_features)

        def forward(self, x):
            return x @ self.weight.T + self.bias

        def parameters_by_name(self):
            return {"weight": self.weight, "bias": self.bias}

    def elementwise(name, rule):
        def init(self, *args, **kwargs):
            self.args, self.kwargs = args, kwargs

        return type(name, (Module,), {"__init__": init, "forward": lambda self, x: rule(x, *self.args, **self.kwargs)})

    def softplus(x, beta=1.0, threshold=20.0):
        return np.where(x * beta > threshold, x, np.log1p(np.exp(np.minimum(beta * x, threshold))) / beta)

    def softmax(x, dim):
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        return e / e.sum(axis=dim, keepdims=True)

    rules = {
        "ReLU": lambda x: np.maximum(x, 0.0),
        "Tanh": np.tanh,
        "Sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
        "LeakyReLU": lambda x, negative_slope=0.01: np.where(x >= 0, x, negative_slope * x),
        "ELU": lambda x, alpha=1.0: np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1)),
        "SELU": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(np.minimum(x, 0)) - 1)),
        "Softplus": softplus,
        "Softmax": softmax,
    }
    for name, rule in rules.items():
        setattr(module_ns, name, elementwise(name, rule))

    class Sequential(Module):
        def __init__(self, *modules):
            self.modules = modules

        def forward(self, x):
            for module in self.modules:
                x = module(x)
            return x

        def state_dict(self):
            return {f"{i}.{key}": value for i, module in enumerate(self.modules)
                    for key, value in module.parameters_by_name().items()}

        def load_state_dict(self, state):  # strict, as PyTorch's default
            own = self.state_dict()
            if set(state) != set(own):
                raise RuntimeError(f"missing {sorted(set(own) - set(state))}, unexpected {sorted(set(state) - set(own))}")
            for key, value in state.items():
                if value.shape != own[key].shape:
                    raise RuntimeError(f"size mismatch for {key}: {value.shape} vs {own[key].shape}")
                own[key][...] = value

    module_ns.Module, module_ns.Linear, module_ns.Sequential = Module, Linear, Sequential
    return torch


def run_in_fake_torch(model, x, folder):
    """Write ``torch_code(model)`` to a file and import it (as tests load the demos) with the stand-in
    torch, load ``to_torch_state_dict(model)`` into the module it builds, and run that on x."""
    torch = fake_torch()
    path = folder / "exported.py"
    path.write_text(torch_code(model, name="net"), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("exported", path)
    exported = importlib.util.module_from_spec(spec)
    with mock.patch.dict(sys.modules, {"torch": torch}):  # the code's `import torch` finds the stand-in
        spec.loader.exec_module(exported)
    state = json.loads(json.dumps(to_torch_state_dict(model)))  # plain JSON survives the trip
    exported.net.load_state_dict({k: torch.tensor(v, dtype=torch.float64) for k, v in state.items()})
    return exported.net(np.array(x, dtype=float))


ACTIVATIONS = list(nn.ACTIVATIONS)


@pytest.mark.parametrize("hidden", ACTIVATIONS)
@pytest.mark.parametrize("output", ACTIVATIONS + ["softmax"])
def test_the_pytorch_module_computes_what_the_model_computes(hidden, output, tmp_path):
    model = MLP(3, [4, 5, 3], activation=hidden, output_activation=output, seed=1)
    for p in model.parameters():  # non-zero biases too
        p.data *= 1.5
    model.layers[0].neurons[0].b.data = 0.25
    xs = [[0.5, -1.0, 2.0], [-3.0, 0.25, 1.5], [0.0, 0.0, 0.0]]
    got = run_in_fake_torch(model, xs, tmp_path)
    expected = [[y.data for y in model(x)] for x in xs]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_names_and_shapes_follow_the_sequential():
    model = MLP(2, [3, 4, 1], activation=["relu", "linear"], seed=0)
    state = to_torch_state_dict(model)
    # ReLU takes index 1; a linear layer has no module, so the third Linear follows the second at once
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"]
    assert [np.shape(state[k]) for k in state] == [(3, 2), (3,), (4, 3), (4,), (1, 4), (1,)]
    layer1 = model.layers[1]
    assert state["2.weight"][3][1] == layer1.neurons[3].w[1].data  # row = unit (out), column = input
    assert state["2.bias"] == [n.b.data for n in layer1.neurons]
    assert all(type(v) is float for row in state["0.weight"] for v in row)


def test_the_code_names_pytorchs_modules():
    code = torch_code(MLP(2, [3, 3, 3, 3, 3, 3, 3, 2], activation=["sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu",
                                                                    "softplus"], output_activation="softmax", seed=0))
    for module in ("torch.nn.Sigmoid()", "torch.nn.Tanh()", "torch.nn.ReLU()", "torch.nn.LeakyReLU(0.01)",
                   "torch.nn.ELU(alpha=1.0)", "torch.nn.SELU()", "torch.nn.Softplus()", "torch.nn.Softmax(dim=-1)"):
        assert module in code
    assert "CrossEntropyLoss" in code and "logits" in code
    assert code.count("torch.nn.Linear(") == 8 and ").double()" in code
    assert "from torch import nn" not in code  # it would shadow deltagrad's nn


def test_step_has_no_pytorch_module_and_the_code_says_so(tmp_path):
    model = MLP(2, [3, 1], activation="step", seed=0)
    code = torch_code(model)
    assert "PyTorch has no module for the Heaviside step" in code and "class Step(torch.nn.Module)" in code
    assert list(to_torch_state_dict(model)) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    xs = [[0.5, -1.0], [1.0, 2.0]]
    np.testing.assert_allclose(run_in_fake_torch(model, xs, tmp_path)[:, 0], [model(x).data for x in xs], rtol=1e-12)


def test_a_layer_and_a_neuron_export_too(tmp_path):
    layer = Layer(3, 2, activation="tanh", seed=0)
    assert run_in_fake_torch(layer, [[0.1, 0.2, 0.3]], tmp_path).tolist()[0] == pytest.approx([y.data for y in layer([0.1, 0.2, 0.3])])
    neuron = Neuron(2, "sigmoid", weights=[0.5, -1.0], bias=0.25)
    assert to_torch_state_dict(neuron) == {"0.weight": [[0.5, -1.0]], "0.bias": [0.25]}
    assert run_in_fake_torch(neuron, [[2.0, 1.0]], tmp_path)[0, 0] == pytest.approx(1 / (1 + math.exp(-0.25)))


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="model"):
        to_torch_state_dict([1.0])
    with pytest.raises(TypeError, match="model"):
        torch_code("MLP(2, [1])")
    with pytest.raises(ValueError, match="name"):
        torch_code(MLP(2, [1], seed=0), name="my model")
    with pytest.raises(ValueError, match="name"):
        torch_code(MLP(2, [1], seed=0), name="class")
