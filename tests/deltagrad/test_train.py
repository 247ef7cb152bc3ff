"""``deltagrad train``: arguments, progress, final metrics and the JSON it writes."""

import argparse
import io
import json
import re
import sys

import pytest

from deltagrad import train as cli_train
from nn import MLP, data, evaluate


def parse(argv):
    parser = argparse.ArgumentParser(prog="deltagrad")
    cli_train.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_train_xor_prints_progress_and_writes_json(tmp_path, capsys):
    args = parse(["train", "xor", "--steps", "40", "--out", str(tmp_path / "o"), "--seed", "1"])
    assert args.run(args) == 0
    out = capsys.readouterr().out
    assert "step 40/40" in out and "update: binary_cross_entropy loss" in out
    report = json.loads((tmp_path / "o" / "train-xor.json").read_text())
    assert report["steps"] == 40 and report["seed"] == 1 and len(report["loss"]) == 40
    assert report["loss"][-1] < report["loss"][0]
    model = MLP.load(tmp_path / "o" / report["model_file"])
    X, y = data.xor()
    loss, accuracy = evaluate(model, X, y, "binary_cross_entropy")
    assert loss == pytest.approx(report["final_loss"]) and accuracy == report["final_accuracy"]


def test_sine_reports_no_accuracy(tmp_path, capsys):
    args = parse(["train", "sine", "--steps", "3", "--out", str(tmp_path)])
    args.run(args)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith("after step") and "sse loss" in lines[-2] and not any("accuracy" in line for line in lines[1:-1])
    assert json.loads((tmp_path / "train-sine.json").read_text())["final_accuracy"] is None


@pytest.mark.parametrize("argv", [["train", "xor", "--steps", "0"], ["train", "xor", "--steps", "x"],
                                  ["train", "xor", "--seed", "-1"], ["train", "iris"]])
def test_bad_arguments_exit_2_with_one_line(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        parse(argv)
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith("deltagrad train: error: argument")


def test_every_preset_builds_a_model_that_fits_its_data():
    for name, preset in cli_train.PRESETS.items():
        X, y = preset.make_data(0)
        model = preset.make_model(0)
        assert X.shape[1] == model.nin, name
        evaluate(model, X, y, preset.loss)  # the loss reads the model's outputs without error


def test_through_the_deltagrad_dispatcher(tmp_path, capsys):
    from deltagrad.cli import main

    assert main(["train", "xor", "--steps", "2", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "model-xor.json").exists()
    with pytest.raises(SystemExit) as stop:
        main(["train", "xor", "--steps", "-3"])
    assert stop.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize("make_out", [lambda tmp: tmp / "a-file", lambda tmp: tmp / "a-file" / "below"])
def test_an_unusable_out_fails_before_training(tmp_path, capsys, make_out):
    from deltagrad.cli import main

    (tmp_path / "a-file").write_text("not a folder")
    assert main(["train", "xor", "--steps", "5", "--out", str(make_out(tmp_path))]) == 2
    captured = capsys.readouterr()
    assert "step" not in captured.out
    assert "--out" in captured.err and len(captured.err.strip().splitlines()) == 1


def test_the_final_line_adds_the_l2_term_to_the_loss(tmp_path, capsys):
    args = parse(["train", "moons", "--steps", "2", "--out", str(tmp_path)])
    assert cli_train.PRESETS["moons"].l2 > 0
    args.run(args)
    (final,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("after step 2's update")]
    loss, penalty, objective = map(float, re.findall(r"(?:loss|term|objective) ([-0-9.e]+)", final))
    assert objective == pytest.approx(loss + penalty, abs=1e-4) and penalty > 0
    report = json.loads((tmp_path / "train-moons.json").read_text())
    assert loss == pytest.approx(report["final_loss"], rel=1e-3)


def test_steps_are_capped_at_the_playgrounds_limit(capsys):
    """--steps 99999999999999999999999 once ran without end."""
    from deltagrad.playground.config import LIMITS
    from nn.train import MAX_STEPS

    assert LIMITS["max_steps"] == MAX_STEPS  # one shared limit
    assert parse(["train", "xor", "--steps", str(MAX_STEPS)]).steps == MAX_STEPS
    for steps in (MAX_STEPS + 1, 99999999999999999999999):
        with pytest.raises(SystemExit) as stop:
            parse(["train", "xor", "--steps", str(steps)])
        assert stop.value.code == 2
        assert "--steps" in capsys.readouterr().err


def test_the_progress_columns_line_up(tmp_path, capsys):
    """The loss column once changed width from line to line (0.6839, 0.03022, 0.0008994)."""
    args = parse(["train", "sine", "--steps", "400", "--out", str(tmp_path)])
    args.run(args)
    steps = [line for line in capsys.readouterr().out.splitlines() if line.startswith("step")]
    assert len(steps) > 5 and len({len(line) for line in steps}) == 1


# -- the playground's settings, your own CSV, held-out data, the progress bar ------------------


def test_the_playgrounds_settings_shape_the_run(tmp_path, capsys):
    from deltagrad.playground.config import split

    argv = ["train", "moons", "--samples", "40", "--hidden", "3,2", "--activation", "relu", "--head", "softmax+ce",
            "--optimizer", "sgd", "--lr", "0.2", "--momentum", "0", "--batch-size", "8", "--l2", "0.01",
            "--test-fraction", "0.25", "--steps", "30", "--out", str(tmp_path), "--seed", "2"]
    args = parse(argv)
    assert args.run(args) == 0
    report = json.loads((tmp_path / "train-moons.json").read_text())
    model = MLP.load(tmp_path / report["model_file"])
    assert [len(layer.neurons) for layer in model.layers] == [3, 2, 2]
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "softmax"]
    assert report["loss_name"] == "cross_entropy" and report["settings"]["optimizer"] == "sgd"
    assert report["settings"]["batch_size"] == 8 and report["l2"] == 0.01 and len(report["loss"]) == 30
    X, y = data.moons(40, 0.1, seed=2)
    train_rows, test_rows = split(40, 0.25, 2)
    assert report["test_points"] == len(test_rows) == 10
    test_loss, test_accuracy = evaluate(model, X[test_rows], y[test_rows], "cross_entropy")
    assert report["test_loss"] == pytest.approx(test_loss) and report["test_accuracy"] == test_accuracy
    assert "held-out data (10 points)" in capsys.readouterr().out


@pytest.mark.parametrize("option, value, name", [("--lr", "0", "lr"), ("--test-fraction", "0.95", "test_fraction"),
                                                 ("--hidden", "99", "hidden[0]"), ("--head", "linear+mse", "head"),
                                                 ("--activation", "wobbly", "activations[0]")])
def test_a_bad_setting_is_one_line_naming_it(tmp_path, capsys, option, value, name):
    from deltagrad.cli import main

    assert main(["train", "xor", option, value, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and name in err[0] and "Traceback" not in err[0]


def test_circles_is_a_data_set_it_trains(tmp_path):
    args = parse(["train", "circles", "--steps", "5", "--out", str(tmp_path)])
    assert args.run(args) == 0 and (tmp_path / "model-circles.json").exists()


def test_your_own_csv_classes_and_regression(tmp_path, capsys):
    classes = tmp_path / "points.csv"
    classes.write_text("x0,x1,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0.1,0.1,0\n", encoding="utf-8")
    args = parse(["train", str(classes), "--steps", "5", "--out", str(tmp_path / "o")])
    assert args.run(args) == 0
    report = json.loads((tmp_path / "o" / "train-points.json").read_text())
    assert report["points"] == 5 and report["loss_name"] == "binary_cross_entropy"
    line = tmp_path / "line.csv"
    line.write_text("".join(f"{x},{2 * x + 0.5}\n" for x in range(6)), encoding="utf-8")
    args = parse(["train", str(line), "--steps", "5", "--out", str(tmp_path / "o")])
    assert args.run(args) == 0
    model = MLP.load(tmp_path / "o" / "model-line.json")
    report = json.loads((tmp_path / "o" / "train-line.json").read_text())
    assert model.nin == 1 and model.layers[-1].activation == "linear" and report["final_accuracy"] is None
    assert report["loss_name"] == "sse"


def test_a_bad_csv_names_its_file_and_line(tmp_path, capsys):
    from deltagrad.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_text("x0,x1,label\n0,0,0\n0,oops,1\n", encoding="utf-8")
    assert main(["train", str(bad), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "bad.csv, line 3" in err and len(err.splitlines()) == 1
    assert main(["train", str(tmp_path / "missing.csv"), "--out", str(tmp_path)]) == 2
    assert "missing.csv" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_progress_bar_on_a_terminal_only(tmp_path, capsys, monkeypatch):
    args = parse(["train", "xor", "--steps", "200", "--out", str(tmp_path)])
    args.run(args)
    assert "[" not in capsys.readouterr().err  # not a terminal: no bar
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    args.run(args)
    out, bar = capsys.readouterr().out, terminal.getvalue()
    assert "\r[" + "#" * 30 + "] 200/200" in bar and "\r[" + "#" * 15 + "." * 15 + "] 100/200" in bar
    steps = [line for line in out.splitlines() if line.startswith("step")]
    assert steps[0].startswith("step   1/200") and steps[-1].startswith("step 200/200") and len(steps) == 11
