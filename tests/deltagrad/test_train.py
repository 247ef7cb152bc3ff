"""``deltagrad train``: arguments, progress, final metrics and the JSON it writes."""

import argparse
import json
import re

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
    assert lines[-2].startswith("after step") and "mse loss" in lines[-2] and not any("accuracy" in line for line in lines[1:-1])
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
