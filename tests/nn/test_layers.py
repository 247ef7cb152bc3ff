"""Neuron, Layer and MLP: structure, micrograd conventions, labels, validation, and two seed claims."""

import math

import numpy as np
import pytest

import autograd
from autograd import Value
from nn import ACTIVATIONS, MLP, Layer, Neuron

SELU_L, SELU_A = 1.0507009873554805, 1.6732632423543772

# Closed forms of every per-unit activation, written independently of the engine.
CLOSED_FORMS = {
    "linear": lambda v: v,
    "sigmoid": lambda v: 1 / (1 + math.exp(-v)),
    "tanh": math.tanh,
    "relu": lambda v: max(v, 0.0),
    "leaky_relu": lambda v: v if v > 0 else 0.01 * v,
    "elu": lambda v: v if v > 0 else math.exp(v) - 1,
    "selu": lambda v: SELU_L * v if v > 0 else SELU_L * SELU_A * (math.exp(v) - 1),
    "softplus": lambda v: math.log(1 + math.exp(v)),
    "step": lambda v: 1.0 if v > 0 else 0.0,
}


def test_every_activation_of_the_seeds_is_available():
    assert set(ACTIVATIONS) == set(CLOSED_FORMS)


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
@pytest.mark.parametrize("bias", [0.7, -0.9])
def test_neuron_output_is_activation_of_w_dot_x_plus_b(name, bias):
    n = Neuron(2, name, weights=[0.5, -1.5], bias=bias)
    x = [2.0, 1.0]
    v = 0.5 * 2.0 - 1.5 * 1.0 + bias
    assert n.preactivation(x).data == pytest.approx(v)
    assert n(x).data == pytest.approx(CLOSED_FORMS[name](v))
    assert n.activation == name


def test_preactivation_is_one_dot_node_with_weights_inputs_and_bias_as_parents():
    n = Neuron(3, seed=0)
    x = [Value(1.0), Value(2.0), Value(3.0)]
    v = n.preactivation(x)
    assert v.op == "dot"
    assert v.parents == (*n.w, *x, n.b)
    v.backward()
    assert [w.grad for w in n.w] == [1.0, 2.0, 3.0]
    assert [xi.grad for xi in x] == [w.data for w in n.w]
    assert n.b.grad == 1.0


def test_micrograd_nonlin_flag():
    assert Neuron(2).activation == "relu"
    assert Neuron(2, nonlin=True).activation == "relu"
    assert Neuron(2, nonlin=False).activation == "linear"
    assert Neuron(2, nonlin=False).nonlin is False and Neuron(2).nonlin is True
    with pytest.raises(ValueError, match="nonlin=True"):
        Neuron(2, "tanh", nonlin=True)
    # micrograd's signature is Neuron(nin, nonlin=True): its flag may come positionally.
    assert Neuron(2, False).activation == "linear" and Neuron(2, True).activation == "relu"


def test_unknown_activation_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*sigmoid.*step"):
        Neuron(2, "swish")
    with pytest.raises(ValueError, match="softmax acts on a Layer"):
        Neuron(2, "softmax")
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        MLP(2, [3, 1], output_activation="gelu")


def test_labels_standalone_and_inside_an_mlp():
    n = Neuron(2, seed=0)
    assert [p.label for p in n.parameters()] == ["w0", "w1", "b"]
    layer = Layer(2, 2, seed=0)
    assert layer.neurons[1].w[0].label == "N1.w0"
    model = MLP(2, [3, 2], seed=0)
    assert model.layers[1].neurons[1].w[2].label == "L1.N1.w2"
    assert model.layers[0].neurons[2].b.label == "L0.N2.b"


def test_named_parameters_paths():
    model = MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b",
                         "layers.0.neurons.1.w.0"]
    assert names[-1] == "layers.1.neurons.0.b"
    assert len(names) == len(set(names)) == 3 * 3 + 4
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_micrograd_moons_model_shape_and_return_types():
    model = MLP(2, [16, 16, 1], seed=0)
    assert len(model.parameters()) == 337  # micrograd's demo prints this number
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert isinstance(model([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2
    layer = Layer(3, 1, seed=0)
    assert isinstance(layer([1.0, 2.0, 3.0]), Value)
    vs, ys = layer.forward([1.0, 2.0, 3.0])
    assert isinstance(vs, list) and isinstance(ys, list) and len(vs) == len(ys) == 1


@pytest.mark.parametrize("nouts", [[16, 1, 1], [1], [1, 1, 1], [1, 4, 1]])
def test_widths_of_one_work_and_gradients_reach_the_first_layer(nouts):
    model = MLP(2, nouts, activation="tanh", seed=3)
    out = model([0.3, -0.4])
    out.backward()
    # compare one first-layer gradient with a central difference
    w = model.layers[0].neurons[0].w[0]
    w0, h = w.data, 1e-6
    w.data = w0 + h
    up = model([0.3, -0.4]).data
    w.data = w0 - h
    down = model([0.3, -0.4]).data
    w.data = w0
    assert w.grad == pytest.approx((up - down) / (2 * h), abs=1e-7)


def test_a_lone_value_is_one_input():
    n = Neuron(1, "linear", weights=[2.0], bias=1.0)
    assert n(Value(3.0)).data == 7.0 and n(3.0).data == 7.0


@pytest.mark.parametrize("make", [lambda: Neuron(2, seed=0), lambda: Layer(2, 3, seed=0), lambda: MLP(2, [3, 1], seed=0)])
def test_wrong_input_length_names_x_and_the_counts(make):
    with pytest.raises(ValueError, match=r"\bx\b.*2.*got 3"):
        make()([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"\bx\b.*2.*got 3"):
        make().forward([1.0, 2.0, 3.0]) if not isinstance(make(), Neuron) else make().preactivation([1, 2, 3])


@pytest.mark.parametrize("x", [{1.0: "a", 2.0: "b"}, {1.0, 2.0}, "ab", None])
def test_unordered_or_text_inputs_are_refused(x):
    # a dict or a set has a length of 2 but no order of numbers (a dict's keys would be used)
    with pytest.raises(TypeError, match=rf"\bx\b.*{type(x).__name__}"):
        MLP(2, [3, 1], seed=0)(x)


@pytest.mark.parametrize("make", [lambda: Neuron(2, seed=0), lambda: Layer(2, 3, seed=0), lambda: MLP(2, [3, 1], seed=0)])
@pytest.mark.parametrize("bad, error", [("a", TypeError), (None, TypeError), (True, TypeError), (1 + 2j, TypeError),
                                        (10**400, ValueError)])
def test_an_input_that_is_not_a_real_number_is_named(make, bad, error):
    with pytest.raises(error, match=r"x\[1\]"):
        make()([0.5, bad])


def test_each_public_entry_checks_its_input_once_and_the_inner_path_trusts_it(monkeypatch):
    """MLP -> Layer -> Neuron -> dot: only the entry the user called looks at x."""
    import nn.layers

    calls = []
    real = nn.layers._values
    monkeypatch.setattr(nn.layers, "_values", lambda *a: calls.append(a[2]) or real(*a))
    MLP(2, [3, 3, 1], seed=0)([0.5, 1.0])
    Layer(2, 3, seed=0)([0.5, 1.0])
    Neuron(2, seed=0)([0.5, 1.0])
    assert len(calls) == 3


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError),
                                        ("3", TypeError)])
def test_bad_widths_name_the_argument(bad, error):
    with pytest.raises(error, match="nin"):
        Neuron(bad)
    with pytest.raises(error, match="nout"):
        Layer(2, bad)
    with pytest.raises(error, match=r"nouts\[1\]"):
        MLP(2, [3, bad])
    with pytest.raises(TypeError, match="nouts"):
        MLP(2, 3)
    with pytest.raises(ValueError, match="nouts"):
        MLP(2, [])


def test_activation_per_hidden_layer_and_its_length_check():
    model = MLP(2, [3, 3, 1], activation=["tanh", "sigmoid"], output_activation="sigmoid", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "sigmoid", "sigmoid"]
    with pytest.raises(ValueError, match="1 name.*2 hidden"):
        MLP(2, [3, 3, 1], activation=["tanh"])
    # The name is checked even when there is no hidden layer to use it (it is saved in config()).
    with pytest.raises(ValueError, match="unknown activation 'bogus'"):
        MLP(2, [1], activation="bogus")
    with pytest.raises(TypeError, match="activation.*NoneType"):
        MLP(2, [3, 1], activation=None)


def test_softmax_output_layer_has_linear_neurons_and_sums_to_one():
    model = MLP(2, [4, 3], output_activation="softmax", seed=0)
    layer = model.layers[-1]
    assert layer.activation == "softmax"
    assert all(n.activation == "linear" for n in layer.neurons)
    vs, ys = model.forward([0.5, -1.0])
    z = np.array([v.data for v in vs])
    expected = np.exp(z) / np.exp(z).sum()
    assert [y.data for y in ys] == pytest.approx(expected.tolist())


def test_seed_makes_initialisation_reproducible():
    a, b, c = MLP(2, [4, 1], seed=7), MLP(2, [4, 1], seed=7), MLP(2, [4, 1], seed=8)
    assert a.state_dict() == b.state_dict() != c.state_dict()
    assert all(p.data == 0.0 for name, p in a.named_parameters() if name.endswith(".b"))


def test_repr_shows_the_architecture():
    assert repr(MLP(2, [16, 16, 1], seed=0)) == (
        "MLP(nin=2, nouts=[16, 16, 1], activation='relu', output_activation='linear', init='uniform')")
    assert repr(Neuron(3, nonlin=False)) == "Neuron(nin=3, activation='linear')"


def test_deep_linear_mlp_is_one_affine_map():
    """The lecture notes on MLPs: without a nonlinearity, any depth collapses to y = A·x + c."""
    rng = np.random.default_rng(0)
    model = MLP(3, [5, 4, 6, 2], activation="linear", seed=1)
    for p in model.parameters():
        p.data = float(rng.normal())  # non-zero biases too
    A, c = np.eye(3), np.zeros(3)
    for layer in model.layers:
        W = np.array([[w.data for w in n.w] for n in layer.neurons])
        b = np.array([n.b.data for n in layer.neurons])
        A, c = W @ A, W @ c + b
    for x in rng.normal(size=(5, 3)):
        assert [y.data for y in model(list(x))] == pytest.approx((A @ x + c).tolist(), rel=1e-12, abs=1e-12)


def test_nothing_trains_through_step():
    """The lecture notes on MLPs list the step function, but its derivative is 0: every gradient behind it is 0."""
    model = MLP(2, [3, 3, 1], activation="step", output_activation="step", seed=0)
    out = model([0.5, -0.2])
    out.backward()
    assert all(p.grad == 0.0 for p in model.parameters())
    hidden = MLP(2, [3, 1], activation="step", output_activation="sigmoid", seed=0)
    hidden([0.5, -0.2]).backward()
    assert all(p.grad == 0.0 for p in hidden.layers[0].parameters())
    assert any(p.grad != 0.0 for p in hidden.layers[1].parameters())  # the sigmoid layer still learns


def test_explicit_weights_are_checked():
    with pytest.raises(ValueError, match="weights.*2.*got 1"):
        Neuron(2, weights=[1.0])
    with pytest.raises(ValueError, match=r"weights\[0\].*nan"):
        Neuron(1, weights=[math.nan])
    with pytest.raises(TypeError, match=r"weights\[1\]"):
        Neuron(2, weights=[1.0, "a"])
    with pytest.raises(TypeError, match="weights.*int"):
        Neuron(2, weights=3)
    with pytest.raises(TypeError, match="bias"):
        Neuron(2, bias="0")
    with pytest.raises(ValueError, match="bias"):
        Neuron(2, bias=math.inf)
    with pytest.raises(TypeError, match="nonlin"):
        Neuron(2, nonlin="no")
    assert [w.data for w in Neuron(2, weights=np.array([0.5, -1.0])).w] == [0.5, -1.0]


def test_zero_grad_resets_leaf_gradients():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 1.0]).backward()
    assert any(p.grad for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_graph_stays_small_one_dot_per_neuron():
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    ops = [node.op for node in autograd.topological_order(model([1.0, 2.0]))]
    assert ops.count("dot") == 5 and ops.count("tanh") == 4


def test_numpy_rows_are_accepted_as_inputs():
    model = MLP(2, [3, 1], seed=0)
    x = np.array([0.25, -0.5])
    assert model(x).data == model([0.25, -0.5]).data
