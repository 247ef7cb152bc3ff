"""state_dict / load_state_dict / save / load, and every load error leaving the model unchanged."""

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

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
    """(state, exception type, words the message must hold: the entry's name first)."""
    base = shifted(model)
    first, last = next(iter(base)), list(base)[-1]
    missing = dict(base)
    del missing[last]
    return [
        ({**base, "layers.9.neurons.0.b": 0.0}, ValueError, "unexpected layers.9.neurons.0.b"),
        (missing, ValueError, f"expected 17 entries .* got 16; missing {last}"),
        ({k: v for k, v in list(base.items())[:5]}, ValueError, "expected 17 entries .* got 5"),
        ({**base, last: "0.5"}, TypeError, f"'{last}'.*str"),
        ({**base, last: None}, TypeError, f"'{last}'.*NoneType"),
        ({**base, last: True}, TypeError, f"'{last}'.*bool"),
        ({**base, last: math.nan}, ValueError, f"'{last}'.*nan"),
        ({**base, first: -math.inf}, ValueError, f"'{first}'.*-inf"),
        ({**base, first: 10**400}, ValueError, f"'{first}'.*too large"),
        # other architectures
        (MLP(2, [4, 2], seed=0).state_dict(), ValueError, "got 22; unexpected layers.0.neurons.3.w.0"),
        (MLP(2, [2, 2], seed=0).state_dict(), ValueError, "got 12; missing layers.0.neurons.2.w.0"),
    ]


def test_every_load_error_names_the_entry_and_leaves_the_model_unchanged(model):
    before = model.state_dict()
    for state, error, words in bad_states(model):
        with pytest.raises(error, match=words):
            model.load_state_dict(state)
        assert model.state_dict() == before
    with pytest.raises(TypeError, match="state"):
        model.load_state_dict([1.0, 2.0])
    assert model.state_dict() == before


def test_file_errors_name_the_file(model, tmp_path):
    path = tmp_path / "m.json"
    model.save(path)
    document = json.loads(path.read_text())
    cases = {
        "not json": ("{oops", "not valid JSON"),
        "other class": (json.dumps({**document, "class": "Layer"}), "'Layer', not a 'MLP'"),
        "no format": (json.dumps({"class": "MLP"}), "not a saved deltagrad model"),
        "bad config": (json.dumps({**document, "config": {"nin": 2, "layers": 3}}), "bad config.*nouts"),
        "unknown key": (json.dumps({**document, "config": {**document["config"], "depth": 3}}), "depth"),
        "nan": (path.read_text().replace(str(document["state_dict"]["layers.1.neurons.1.b"]), "NaN", 1), "b'.*nan"),
        "string": (json.dumps({**document, "state_dict": {**document["state_dict"], "layers.0.neurons.0.b": "1"}}),
                   "layers.0.neurons.0.b"),
        "digits": (path.read_text().replace(str(document["state_dict"]["layers.0.neurons.0.b"]), "9" * 5000, 1),
                   "JSON"),
    }
    for name, (text, words) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(ValueError, match=words) as caught:
            MLP.load(tmp_path / name)
        assert name in str(caught.value)
    with pytest.raises(OSError):
        MLP.load(tmp_path / "missing.json")
    with pytest.raises(TypeError, match="path"):
        MLP.load(None)
    (tmp_path / "latin1.json").write_bytes("{\"format\": \"caf\xe9\"}".encode("latin-1"))
    with pytest.raises(ValueError, match="latin1.json is not a saved deltagrad model .not UTF-8"):
        MLP.load(tmp_path / "latin1.json")


@pytest.fixture
def nothing_is_built(monkeypatch):
    """Any attempt to build a layer fails the test: the file must be refused before that."""
    def refuse(*args, **kwargs):
        raise AssertionError("a layer was built before the file was checked")

    monkeypatch.setattr(Layer, "__init__", refuse)
    monkeypatch.setattr(Neuron, "__init__", refuse)


def model_file(path, config, state=None, cls="MLP"):
    path.write_text(json.dumps({"format": "deltagrad-module", "class": cls, "config": config, "state_dict": state or {}}))
    return path


@pytest.mark.usefixtures("nothing_is_built")
def test_a_tiny_file_implying_a_huge_model_fails_before_building_it(tmp_path):
    path = model_file(tmp_path / "huge.json", {"nin": 2, "nouts": [1000000, 1]})
    assert path.stat().st_size < 120  # the outside sweep's 109-byte file
    with pytest.raises(ValueError, match=r"huge.json.*4,000,001 parameters.*MAX_PARAMETERS"):
        MLP.load(path)
    with pytest.raises(ValueError, match="deep.json.*MAX_PARAMETERS"):
        MLP.load(model_file(tmp_path / "deep.json", {"nin": 2, "nouts": [2] * 200_000}))
    with pytest.raises(ValueError, match="wide.json.*MAX_PARAMETERS"):
        Layer.load(model_file(tmp_path / "wide.json", {"nin": 10**30, "nout": 1}, cls="Layer"))
    with pytest.raises(ValueError, match=r"few.json.*13 parameters but its state_dict holds 1\b"):
        MLP.load(model_file(tmp_path / "few.json", {"nin": 2, "nouts": [3, 1]}, {"x": 1.0}))
    with pytest.raises(ValueError, match=r"neuron.json.*nin"):
        Neuron.load(model_file(tmp_path / "neuron.json", {"nin": 0}, cls="Neuron"))


@pytest.mark.usefixtures("nothing_is_built")
def test_deeply_nested_json_is_a_clear_error_naming_the_file(tmp_path):
    path = tmp_path / "nested.json"
    path.write_text('{"format": ' + "[" * 200_000 + "]" * 200_000 + "}")
    with pytest.raises(ValueError, match="nested.json.*nested too deeply"):
        MLP.load(path)


@pytest.mark.usefixtures("nothing_is_built")
def test_what_is_read_is_capped(tmp_path, monkeypatch):
    import nn.module

    monkeypatch.setattr(nn.module, "MAX_FILE_BYTES", 1000)
    path = model_file(tmp_path / "big.json", {"nin": 2, "nouts": [1]}, {f"k{i}": 0.5 for i in range(200)})
    with pytest.raises(ValueError, match="big.json.*larger than 1,000 bytes"):
        MLP.load(path)
    if Path("/dev/zero").exists():  # an endless device: refused before any read
        with pytest.raises(ValueError, match="/dev/zero.*not a regular file"):
            MLP.load("/dev/zero")


def test_save_replaces_the_file_atomically(model, tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    old = MLP(2, [3, 2], activation="tanh", seed=5)
    old.save(path)
    before = path.read_bytes()

    def broken_rename(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_rename)
    with pytest.raises(OSError, match="No space"):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]  # no temporary file left behind


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE (POSIX)")
def test_a_write_that_fails_half_way_leaves_the_previous_file_intact(tmp_path):
    """A real failed write: the file size limit stops it after 2,000 bytes (EFBIG), in a child process."""
    path = tmp_path / "m.json"
    MLP(2, [3, 1], seed=0).save(path)  # about 900 bytes
    before = path.read_bytes()
    assert len(before) < 2000
    script = f"""
import resource, signal, sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
from nn import MLP
model = MLP(2, [30, 1], seed=1)  # about 6,000 bytes
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
try:
    model.save({str(path)!r})
except OSError as error:
    print("OSError", error.errno)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.split()[:1] == ["OSError"], result.stderr
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_save_makes_a_missing_folder_and_refuses_a_folder(model, tmp_path):
    model.save(tmp_path / "new" / "m.json")
    assert MLP.load(tmp_path / "new" / "m.json").state_dict() == model.state_dict()
    with pytest.raises(IsADirectoryError, match="path"):
        model.save(tmp_path)
    with pytest.raises(TypeError, match="path"):
        model.save(3)


def test_save_refuses_non_finite_parameters(tmp_path):
    layer = Layer(2, 1, seed=0)
    layer.neurons[0].b.data = math.inf
    with pytest.raises(ValueError, match="not finite: neurons.0.b"):
        layer.save(tmp_path / "l.json")
    assert not list(tmp_path.iterdir())


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


# Issue 23, failure 6: save keeps what the path is (mode, symlink, hard links).
@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and links")
def test_save_keeps_the_files_mode(model, tmp_path):
    path = tmp_path / "secret.json"
    MLP(2, [3, 2], activation="tanh", seed=5).save(path)
    path.chmod(0o600)
    model.save(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert MLP.load(path).state_dict() == model.state_dict()


@pytest.mark.skipif(os.name != "posix", reason="POSIX links")
def test_save_writes_through_a_symlink(model, tmp_path):
    target = tmp_path / "models" / "real.json"
    target.parent.mkdir()
    MLP(2, [3, 2], activation="tanh", seed=5).save(target)
    link = tmp_path / "current.json"
    link.symlink_to(target)
    model.save(link)
    assert link.is_symlink() and os.readlink(link) == str(target)  # still the link
    assert MLP.load(target).state_dict() == model.state_dict()  # its target has the new weights
    assert [p.name for p in target.parent.iterdir()] == ["real.json"]  # no temporary left


@pytest.mark.skipif(os.name != "posix", reason="POSIX links")
def test_every_hard_link_sees_the_saved_model(model, tmp_path):
    path = tmp_path / "m.json"
    MLP(2, [3, 2], activation="tanh", seed=5).save(path)
    other = tmp_path / "backup.json"
    os.link(path, other)
    model.save(path)
    assert MLP.load(other).state_dict() == model.state_dict()
    assert path.stat().st_ino == other.stat().st_ino


# Issue 23, failure 7: every bad file is a ValueError naming it, in bounded memory, never a hang.
def _guarded(seconds=20):
    def too_slow(signum, frame):
        raise TimeoutError(f"load took more than {seconds} s")

    signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(seconds)


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    _guarded()
    try:
        with pytest.raises(ValueError, match="pipe.json.*not a regular file"):
            MLP.load(fifo)
    finally:
        signal.alarm(0)


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="Linux /proc")
def test_proc_self_mem_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="/proc/self/mem"):
        MLP.load("/proc/self/mem")


def test_a_4299_digit_width_is_a_value_error_naming_the_file(tmp_path):
    path = tmp_path / "digits.json"
    path.write_text('{"format": "deltagrad-module", "class": "Layer", "config": {"nin": '
                    + "9" * 4299 + ', "nout": 99}, "state_dict": {}}')
    with pytest.raises(ValueError, match="digits.json"):  # the count's 4,301 digits: no str() of it
        Layer.load(path)


def test_a_lone_surrogate_key_gives_a_printable_error(tmp_path):
    path = tmp_path / "surrogate.json"
    Neuron(1, seed=0).save(path)
    document = json.loads(path.read_text())
    name = next(iter(document["state_dict"]))
    document["state_dict"]["\udc80"] = document["state_dict"].pop(name)
    path.write_text(json.dumps(document))  # ASCII JSON: "\udc80" as an escape, as attackers write it
    with pytest.raises(ValueError, match="surrogate.json") as raised:
        Neuron.load(path)
    str(raised.value).encode("utf-8")  # strict UTF-8, as print() to a UTF-8 terminal
    result = subprocess.run([sys.executable, "-c", f"""
import sys
sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
from nn import Neuron
try:
    Neuron.load({str(path)!r})
except ValueError as error:
    print(error)
"""], capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"})
    assert result.returncode == 0 and "surrogate.json" in result.stdout, result.stderr


def test_duplicate_keys_are_refused(tmp_path):
    path = tmp_path / "twice.json"
    Neuron(1, seed=0).save(path)
    name = next(iter(json.loads(path.read_text())["state_dict"]))
    path.write_text(path.read_text().replace('"state_dict": {', f'"state_dict": {{"{name}": 7.0, ', 1))
    with pytest.raises(ValueError, match=rf"twice.json.*'{name}'.*twice"):
        Neuron.load(path)


def test_a_file_of_many_small_objects_is_refused_in_bounded_memory(tmp_path):
    import tracemalloc

    import nn.module

    path = tmp_path / "objects.json"
    count = (nn.module.MAX_FILE_BYTES - 2) // 3  # 64 MiB of [{},{},...]: 1.75 GB of dicts on the old code
    path.write_bytes(b"[" + b"{}," * (count - 1) + b"{}]")
    assert path.stat().st_size <= nn.module.MAX_FILE_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="objects.json"):
            MLP.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * nn.module.MAX_FILE_BYTES, f"peak {peak / 2**20:.0f} MiB"


def test_a_folder_is_a_value_error_naming_it(tmp_path):
    with pytest.raises(ValueError, match=f"{tmp_path.name}.*not a regular file"):
        MLP.load(tmp_path)
