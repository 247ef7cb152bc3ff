"""The training helper and the issue's demonstrations, small enough to run in a few seconds."""

import math

import pytest

from nn import MLP, SGD, Adam, Neuron, data, evaluate, fit


def train(model, X, y, loss, steps, lr, **kw):
    history = fit(model, X, y, loss=loss, steps=steps, optimizer=Adam(model.parameters(), lr=lr), log=None, **kw)
    return history, evaluate(model, X, y, loss)


def test_xor_with_a_2_4_1_tanh_sigmoid_mlp():
    X, y = data.xor()
    model = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", init="auto", seed=0)
    _, (loss, accuracy) = train(model, X, y, "binary_cross_entropy", 100, 0.1)
    assert accuracy == 1.0
    assert [round(model(list(x)).data) for x in X] == y.tolist()  # the sigmoid outputs round to XOR


def test_moons_train_accuracy_at_least_97_percent():
    X, y = data.moons(40, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    history, (_, accuracy) = train(model, X, y, "hinge", 100, 0.05, l2=1e-4)
    assert accuracy >= 0.97
    assert history.loss[-1] < history.loss[0] / 5


def test_three_class_spiral_with_softmax_output():
    X, y = data.spiral(15, classes=3, seed=0)
    model = MLP(2, [12, 3], output_activation="softmax", init="auto", seed=0)
    _, (_, accuracy) = train(model, X, y, "cross_entropy", 100, 0.1)
    assert accuracy >= 0.90
    probabilities = model([0.1, 0.2])
    assert math.fsum(p.data for p in probabilities) == pytest.approx(1.0)


def test_sine_regression_with_one_hidden_tanh_layer():
    """The lecture notes' universal approximation theorem, in small: one hidden tanh layer fits sin(x)."""
    X, y = data.sine(20)
    model = MLP(1, [10, 1], activation="tanh", init="auto", seed=0)
    history, (mse, accuracy) = train(model, X, y, "mse", 300, 0.05)
    assert mse < 0.01 and accuracy is None
    assert history.accuracy[-1] is None


def test_progress_lines_show_step_loss_and_accuracy():
    X, y = data.xor()
    lines = []
    model = MLP(2, [3, 1], seed=0)
    fit(model, X, y, loss="hinge", steps=20, log_every=5, log=lines.append, optimizer=SGD(model.parameters(), lr=0.1))
    assert [line.split()[1] for line in lines] == ["1/20", "5/20", "10/20", "15/20", "20/20"]
    assert all("loss" in line and line.endswith("%") for line in lines)
    lines.clear()
    X, y = data.sine(4)
    fit(MLP(1, [2, 1], seed=0), X, y, loss="mse", steps=2, log=lines.append)
    assert len(lines) == 2 and "accuracy" not in lines[0]


def test_history_records_the_loss_fit_optimised():
    X, y = data.sine(6)
    model = MLP(1, [3, 1], activation="tanh", seed=0)
    before, _ = evaluate(model, X, y, "mse")
    history = fit(model, X, y, loss="mse", steps=3, log=None)
    assert history.loss[0] == pytest.approx(before)
    assert len(history.loss) == len(history.accuracy) == 3


def test_minibatches_are_reproducible_from_the_seed():
    X, y = data.moons(20, seed=0)
    runs = []
    for _ in range(2):
        model = MLP(2, [4, 1], seed=0)
        runs.append(fit(model, X, y, loss="hinge", steps=5, batch_size=6, seed=3, log=None).loss)
    assert runs[0] == runs[1]


def test_a_non_finite_loss_stops_with_the_step_named():
    X, y = data.sine(5)
    model = MLP(1, [1], activation="linear", seed=0)
    model.layers[0].neurons[0].w[0].data = 1e200  # (1e200·x)² overflows to inf at once
    with pytest.raises(FloatingPointError, match="loss became inf at step 1"):
        fit(model, X, y, loss="mse", steps=5, log=None)
    # a learning rate far too large diverges a few steps later
    X, y = data.sine(5)
    model = MLP(1, [1], activation="linear", seed=0)
    with pytest.raises(FloatingPointError, match=r"at step ([2-9]|\d\d+); lower the learning rate"):
        fit(model, X * 100, y, loss="mse", steps=500, optimizer=SGD(model.parameters(), lr=1.0), log=None)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"loss": "l1"}, ValueError, "loss.*hinge"),
    ({"y": "short"}, ValueError, "4 rows but y has 3"),
    ({"model": "3 inputs"}, ValueError, "expects 3 input\\(s\\) but X has 2"),
    ({"X": [[1.0, math.nan]] * 4}, ValueError, "X.*NaN"),
    ({"y": 1}, ValueError, "y must hold one target per row"),
    ({"model": "neuron"}, TypeError, "model.*Neuron"),
    ({"steps": 0}, ValueError, "steps"),
    ({"steps": 2.0}, TypeError, "steps"),
    ({"batch_size": 5}, ValueError, "batch_size"),
    ({"batch_size": 1.5}, TypeError, "batch_size"),
    ({"batch_size": "2"}, TypeError, "batch_size"),
    ({"log_every": 0}, ValueError, "log_every"),
    ({"log_every": 1.5}, TypeError, "log_every"),
    ({"l2": -1e-4}, ValueError, "l2"),
    ({"l2": math.nan}, ValueError, "l2"),
    ({"optimizer": "adam"}, TypeError, "optimizer.*str"),
    ({"log": "print"}, TypeError, "log"),
])
def test_fit_errors_name_the_argument(kwargs, error, name):
    X, y = data.xor()
    models = {"3 inputs": MLP(3, [1], seed=0), "neuron": Neuron(2)}
    model = models.get(kwargs.pop("model", None), MLP(2, [2, 1], seed=0))
    if kwargs.get("y") == "short":
        kwargs["y"] = y[:3]
    arguments = {"X": X, "y": y, "steps": 1, "log": None, **kwargs}
    with pytest.raises(error, match=name):
        fit(model, **arguments)


@pytest.mark.parametrize("loss", ["hinge", "binary_cross_entropy", "mse", "mae", "huber"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_fit_and_evaluate_refuse_non_finite_targets_for_every_loss(loss, bad):
    """fit with the hinge loss once took a NaN label as -1 and inf as +1, silently."""
    X, y = data.xor()
    y = y.astype(float)
    y[2] = bad
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"y\[2\] must be finite"):
        fit(model, X, y, loss=loss, steps=1, log=None)
    with pytest.raises(ValueError, match=r"y\[2\] must be finite"):
        evaluate(model, X, y, loss=loss)


@pytest.mark.parametrize("loss, bad", [("hinge", 2), ("hinge", 0.5), ("binary_cross_entropy", 1.5),
                                       ("cross_entropy", 3), ("cross_entropy", 1.0)])
def test_labels_out_of_their_range_are_named(loss, bad):
    X, y = data.xor()
    y = y.tolist()
    y[1] = bad
    nout = 3 if loss == "cross_entropy" else 1
    with pytest.raises((ValueError, TypeError), match=r"y\[1\]"):
        evaluate(MLP(2, [2, nout], seed=0), X, y, loss=loss)


def test_hinge_labels_may_be_0_1_or_minus_1_plus_1():
    X, y = data.xor()
    model = MLP(2, [3, 1], seed=0)
    assert evaluate(model, X, y, "hinge") == evaluate(model, X, 2 * y - 1, "hinge")


def test_fit_model_and_target_errors():
    X, y = data.xor()
    # A two-output model would have its second output silently ignored by the one-output losses.
    for loss, activation in (("binary_cross_entropy", "softmax"), ("hinge", "linear")):
        model = MLP(2, [3, 2], output_activation=activation, seed=0)
        with pytest.raises(ValueError, match=f"loss '{loss}' needs a model with one output, this one has 2"):
            fit(model, X, y, loss=loss, steps=1, log=None)
        with pytest.raises(ValueError, match="one output"):
            evaluate(model, X, y, loss=loss)
    # softmax over one class is always 1: nothing to learn
    with pytest.raises(ValueError, match="cross_entropy.*two or more outputs"):
        evaluate(MLP(2, [3, 1], seed=0), X, [0, 0, 0, 0], loss="cross_entropy")


def test_regression_with_several_outputs_checks_each_row():
    X = [[0.0], [1.0]]
    model = MLP(1, [3, 2], seed=0)
    loss, accuracy = evaluate(model, X, [[0.0, 1.0], [1.0, 0.5]], "mse")
    outs = [[y.data for y in model(x)] for x in X]
    expected = ((outs[0][0] ** 2 + (outs[0][1] - 1) ** 2) / 2 + ((outs[1][0] - 1) ** 2 + (outs[1][1] - 0.5) ** 2) / 2) / 2
    assert loss == pytest.approx(expected, rel=1e-12) and accuracy is None
    with pytest.raises(ValueError, match=r"y\[1\] must hold 2"):
        evaluate(model, X, [[0.0, 1.0], [1.0]], "mse")


# -- one training path: the replay gives the scalar engine's numbers ---------------------------

import numpy as np  # noqa: E402

import nn  # noqa: E402
from nn import ACTIVATIONS  # noqa: E402
from nn.losses import LOSS_TABLE, TARGETS  # noqa: E402

X12, LABELS12 = data.moons(12, noise=0.2, seed=1)
TARGETS12 = {  # y for each kind of target, on the same inputs
    "numbers": 0.5 * X12[:, 0] - 0.25,
    "sign": LABELS12,
    "probability": LABELS12,
    "class": (LABELS12 + (X12[:, 1] > 0.3)).astype(int),
}


def _model(loss: str, activation: str) -> MLP:
    row = LOSS_TABLE[loss]
    nout = 3 if TARGETS[row.target].outputs == "classes" else 1
    output = {"sigmoid": "sigmoid", "softmax": "softmax"}.get(row.output, activation)
    return MLP(2, [3, nout], activation=activation, output_activation=output, init="auto", seed=2)


def _both_engines(loss, activation, **kwargs):
    results = []
    for engine in ("scalar", "replay"):
        model = _model(loss, activation)
        opt = kwargs.pop("make_optimizer", lambda ps: Adam(ps, lr=0.05))
        y = TARGETS12[LOSS_TABLE[loss].target]
        history = fit(model, X12, y, loss=loss, optimizer=opt(model.parameters()), log=None,
                      engine=engine, **kwargs)
        kwargs["make_optimizer"] = opt
        results.append((history, [p.data for p in model.parameters()]))
    return results


# Adam divides by √v̂ + ε: a gradient that is 0 in exact arithmetic (a hinge whose margins balance)
# comes out as ±1e-18 or 0 depending on the order of a sum, and ε = 1e-8 would turn that rounding
# into a step of 1e-10 and more; ε = 1e-4 keeps it below 1e-12, so the comparison sees the engines.
OPTIMISERS = {"sgd": lambda ps: SGD(ps, lr=0.1, momentum=0.9),
              "adam": lambda ps: Adam(ps, lr=0.05, eps=1e-4)}


@pytest.mark.parametrize("loss", sorted(LOSS_TABLE))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("batch_size", [None, 5])
@pytest.mark.parametrize("optimizer", sorted(OPTIMISERS))
def test_the_replay_trains_to_the_scalar_engines_numbers(loss, activation, batch_size, optimizer):
    (scalar, p_scalar), (replay, p_replay) = _both_engines(
        loss, activation, steps=3, batch_size=batch_size, l2=1e-3, seed=4,
        make_optimizer=OPTIMISERS[optimizer])
    assert replay.loss == pytest.approx(scalar.loss, rel=1e-12, abs=1e-12)
    assert replay.accuracy == scalar.accuracy
    assert p_replay == pytest.approx(p_scalar, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("make_optimizer", [
    lambda ps: SGD(ps, lr=0.1),
    lambda ps: SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
])
def test_every_optimiser_setting_reaches_the_replay(make_optimizer):
    (scalar, p_scalar), (replay, p_replay) = _both_engines("hinge", "tanh", steps=4,
                                                           make_optimizer=make_optimizer)
    assert replay.loss == pytest.approx(scalar.loss, rel=1e-12)
    assert p_replay == pytest.approx(p_scalar, rel=1e-12, abs=1e-12)


def test_an_optimiser_subset_trains_only_its_parameters_on_both_engines():
    results = []
    for engine in ("scalar", "replay"):
        model = _model("mse", "tanh")
        first = model.layers[0].parameters()
        before = [p.data for p in model.layers[1].parameters()]
        history = fit(model, X12, TARGETS12["numbers"], loss="mse", optimizer=SGD(first, lr=0.1),
                      steps=2, l2=0.1, log=None, engine=engine)
        assert [p.data for p in model.layers[1].parameters()] == before  # frozen
        results.append(([p.data for p in first], history.loss))  # the L2 term: on every parameter
    assert results[1][0] == pytest.approx(results[0][0], rel=1e-12)
    assert results[1][1] == pytest.approx(results[0][1], rel=1e-12)


def test_evaluate_gives_the_same_numbers_on_both_engines():
    for loss in LOSS_TABLE:
        model, y = _model(loss, "relu"), TARGETS12[LOSS_TABLE[loss].target]
        scalar, replay = (evaluate(model, X12, y, loss, engine=e) for e in ("scalar", "replay"))
        assert replay[0] == pytest.approx(scalar[0], rel=1e-12) and replay[1] == scalar[1], loss


class Halving(nn.Optimizer):
    """An optimiser of the user's own: the replay has no rule for it."""

    def update(self, i, p):
        p.data -= 0.5 * p.grad


def test_an_optimiser_of_ones_own_trains_on_the_scalar_engine():
    model, y = _model("mse", "tanh"), TARGETS12["numbers"]
    history = fit(model, X12, y, loss="mse", optimizer=Halving(model.parameters()), steps=3,
                  log=None)
    assert history.loss[-1] < history.loss[0]
    with pytest.raises(ValueError, match="engine='replay'.*optimizer"):
        fit(model, X12, y, loss="mse", optimizer=Halving(model.parameters()), steps=1, log=None,
            engine="replay")
    with pytest.raises(ValueError, match="engine"):
        fit(model, X12, y, loss="mse", steps=1, log=None, engine="fast")


def test_an_optimiser_over_another_models_parameters_is_refused():
    """It once trained nothing without a word."""
    model, other = _model("mse", "tanh"), _model("mse", "tanh")
    for engine in ("auto", "scalar"):
        with pytest.raises(ValueError, match="optimizer"):
            fit(model, X12, TARGETS12["numbers"], loss="mse", optimizer=Adam(other.parameters()),
                steps=1, log=None, engine=engine)


def test_a_batch_too_big_for_memory_is_refused_naming_batch_size(monkeypatch):
    monkeypatch.setattr(nn.train, "MAX_TABLE_BYTES", 2_000)  # a 2-3-1 hinge graph: ~35 nodes
    for engine in ("replay", "scalar"):
        with pytest.raises(ValueError, match="batch_size=[0-9]"):
            fit(_model("hinge", "relu"), X12, LABELS12, loss="hinge", steps=1, log=None,
                engine=engine)
    # a smaller batch fits, and evaluate goes through the data in pieces
    fit(_model("hinge", "relu"), X12, LABELS12, loss="hinge", steps=1, batch_size=2, log=None,
        engine="replay")
    model = _model("hinge", "relu")
    assert evaluate(model, X12, LABELS12, "hinge", engine="replay")[0] == pytest.approx(
        evaluate(model, X12, LABELS12, "hinge", engine="scalar")[0], rel=1e-12)


def test_progress_lines_line_up():
    lines = []
    model = MLP(1, [8, 1], activation="tanh", init="auto", seed=0)
    X, y = data.sine(20)
    fit(model, X, y, loss="mse", steps=300, log_every=30, log=lines.append,
        optimizer=Adam(model.parameters(), 0.05))
    assert len({len(line) for line in lines}) == 1  # 1 down to 1e-3: once in several widths
    assert len({line.index("loss") for line in lines}) == 1


def test_tasks_is_deprecated_but_names_the_same_losses():
    with pytest.warns(DeprecationWarning, match="TASKS"):
        tasks = nn.train.TASKS
    assert {"hinge", "binary_cross_entropy", "cross_entropy", "mse", "mae", "huber"} <= set(tasks)


@pytest.mark.parametrize("loss", sorted(LOSS_TABLE))
def test_targets_encoded_at_once_are_the_ones_encoded_one_by_one(loss):
    row = LOSS_TABLE[loss]
    y = TARGETS12[row.target]
    model = _model(loss, "tanh")
    kind, nout = TARGETS[row.target], (3 if row.target == "class" else 1)
    one_by_one = np.array([kind.encode(t, "y", nout) for t in y.tolist()])
    assert (kind.encode_many(y, nout) == one_by_one).all()
    # a list, an array, and an array with one bad element that only the slow path names
    assert evaluate(model, X12, y.tolist(), loss) == evaluate(model, X12, y, loss)
    bad = y.copy() if row.target == "class" else y.astype(float)  # class indices stay whole
    bad[3] = {"numbers": math.nan, "sign": 0.5, "probability": 1.5, "class": 7}[row.target]
    with pytest.raises((TypeError, ValueError), match=r"y\[3\]"):
        evaluate(model, X12, bad, loss)


@pytest.mark.parametrize("optimizer", sorted(OPTIMISERS))
def test_fit_on_the_replay_goes_on_where_the_optimiser_stopped(optimizer):
    """Two fits with one optimiser (3 steps on the replay, then 2 on the scalar engine, then 2 on
    the replay again) land where 7 scalar steps land: the moments travel with the optimiser."""
    y = TARGETS12["sign"]
    twin, model = _model("hinge", "tanh"), _model("hinge", "tanh")
    opt_twin = OPTIMISERS[optimizer](twin.parameters())
    fit(twin, X12, y, loss="hinge", optimizer=opt_twin, steps=7, log=None, engine="scalar")
    opt = OPTIMISERS[optimizer](model.parameters())
    for engine, steps in (("replay", 3), ("scalar", 2), ("replay", 2)):
        fit(model, X12, y, loss="hinge", optimizer=opt, steps=steps, log=None, engine=engine)
    assert opt.steps == opt_twin.steps == 7
    assert [p.data for p in model.parameters()] == pytest.approx(
        [p.data for p in twin.parameters()], rel=1e-12, abs=1e-12)


def test_engine_replay_refuses_an_optimiser_without_an_array_rule():
    class Halving(nn.Optimizer):
        def update(self, i, p):
            p.data -= 0.5 * p.grad

    model = _model("mse", "tanh")
    with pytest.raises(ValueError, match="engine"):
        fit(model, X12, TARGETS12["numbers"], loss="mse", optimizer=Halving(model.parameters()),
            steps=1, log=None, engine="replay")
