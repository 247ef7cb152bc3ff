"""state_dict / load_state_dict / save / load, and every load error leaving the model unchanged."""

import json
import math

import pytest

from autograd import Value
from nn import MLP, Layer, Module, Neuron


@pytest.fixture
def model():
    return MLP(2, [3, 2], activation="tanh", seed=0)


def shifted(model, by=1.0):
    return {name: value + by for name, value in model.state_dict().items()}


def test_state_dict_round_trip(model):
    other = MLP(2, [3, 2], activation="tanh", seed=1)
    assert other.state_dict() != model.state_dict()
    other.load_state_dict(model.state_dict())
    assert other.state_dict() == model.state_dict()
    assert [y.data for y in other([0.2, 0.4])] == [y.data for y in model([0.2, 0.4])]
    assert all(isinstance(v, float) for v in model.state_dict().values())


def test_save_and_load_json(model, tmp_path):
    path = tmp_path / "m.json"
    model.save(path)
    document = json.loads(path.read_text())  # plain JSON, no pickle
    assert document["class"] == "MLP" and document["config"]["nouts"] == [3, 2]
    loaded = MLP.load(path)
    assert loaded.state_dict() == model.state_dict()
    assert loaded.config() == model.config()
    neuron = Neuron(3, "sigmoid", seed=2)
    neuron.save(tmp_path / "n.json")
    assert Neuron.load(tmp_path / "n.json").state_dict() == neuron.state_dict()


def bad_states(model):
    base = shifted(model)
    first, last = next(iter(base)), list(base)[-1]
    missing = dict(base)
    del missing[last]
    return [
        ({**base, "layers.9.neurons.0.b": 0.0}, "unexpected layers.9.neurons.0.b"),
        (missing, f"expected 17 entries .* got 16; missing {last}"),
        ({k: v for k, v in list(base.items())[:5]}, "expected 17 entries .* got 5"),
        ({**base, last: "0.5"}, f"entry '{last}' must be a real number, got str"),
        ({**base, last: None}, f"entry '{last}' must be a real number, got NoneType"),
        ({**base, last: True}, f"entry '{last}' must be a real number, got bool"),
        ({**base, last: math.nan}, f"entry '{last}' is nan"),
        ({**base, first: -math.inf}, f"entry '{first}' is -inf"),
        ({**base, first: 10**400}, f"entry '{first}' is an int too large for a float"),
        # other architectures
        (MLP(2, [4, 2], seed=0).state_dict(), "got 22; unexpected layers.0.neurons.3.w.0"),
        (MLP(2, [2, 2], seed=0).state_dict(), "got 12; missing layers.0.neurons.2.w.0"),
    ]


def test_every_load_error_names_the_entry_and_leaves_the_model_unchanged(model):
    before = model.state_dict()
    for state, message in bad_states(model):
        with pytest.raises(ValueError, match=message):
            model.load_state_dict(state)
        assert model.state_dict() == before
    with pytest.raises(TypeError, match="mapping"):
        model.load_state_dict([1.0, 2.0])
    assert model.state_dict() == before


def test_file_errors(model, tmp_path):
    path = tmp_path / "m.json"
    model.save(path)
    document = json.loads(path.read_text())
    cases = {
        "not json": ("{oops", "not valid JSON"),
        "other class": (json.dumps({**document, "class": "Layer"}), "holds a 'Layer', not a 'MLP'"),
        "no format": (json.dumps({"class": "MLP"}), "not a saved deltagrad model"),
        "bad config": (json.dumps({**document, "config": {"nin": 2, "layers": 3}}), "bad config"),
        "nan": (path.read_text().replace(str(document["state_dict"]["layers.1.neurons.1.b"]), "NaN", 1), "is nan"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(ValueError, match=message):
            MLP.load(tmp_path / name)
    with pytest.raises(OSError):
        MLP.load(tmp_path / "missing.json")
    (tmp_path / "latin1.json").write_bytes("{\"format\": \"caf\xe9\"}".encode("latin-1"))
    with pytest.raises(ValueError, match="latin1.json is not a saved deltagrad model .not UTF-8"):
        MLP.load(tmp_path / "latin1.json")


def test_save_refuses_non_finite_parameters(tmp_path):
    layer = Layer(2, 1, seed=0)
    layer.neurons[0].b.data = math.inf
    with pytest.raises(ValueError, match="not finite: neurons.0.b"):
        layer.save(tmp_path / "l.json")


def test_a_micrograd_style_subclass_has_a_repr_and_zero_grad():
    # micrograd's modules define parameters() only; printing one must not raise.
    class Affine(Module):
        def __init__(self):
            self.a, self.b = Value(2.0), Value(-1.0)

        def parameters(self):
            return [self.a, self.b]

    model = Affine()
    assert repr(model) == "Affine()"
    model.a.grad = 3.0
    model.zero_grad()
    assert model.a.grad == 0.0
