"""``deltagrad deltas``: the table, exit status 0 / 1 / 2."""

from __future__ import annotations

import re

import pytest

import deltagrad.deltas
from nn.deltas import DeltaRule, compare
from deltagrad.cli import main


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    try:
        status = main(["deltas", *argv])
    except SystemExit as exit_:  # argparse's own errors
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def test_default_2_3_1_sigmoid_agrees(capsys: pytest.CaptureFixture) -> None:
    status, out, _ = run(capsys, "--layers", "2,3,1", "--activation", "sigmoid", "--seed", "0")
    assert status == 0
    assert "OK: hand formula, autograd and finite differences agree within 1e-09" in out
    units = re.findall(r"^(L\d\.N\d)\s", out, flags=re.M)
    assert units == ["L0.N0", "L0.N1", "L0.N2", "L1.N0"]
    assert len(re.findall(r"^L\d\.N\d\.(?:w\d|b)\s", out, flags=re.M)) == 13  # 3·(2+1) + (3+1)


def test_given_x_and_target_are_used(capsys: pytest.CaptureFixture) -> None:
    status, out, _ = run(capsys, "--x=-0.5,2", "--target", "0.25")
    assert status == 0
    assert "x = [-0.5, 2.0], target = [0.25]" in out


# A number that reads as zero with a minus sign: -0, -0.0, -0.000, -0e+00 (not -0.5 or -0.01).
NEGATIVE_ZERO = re.compile(r"(?<![\w.])-0(?:\.0*)?(?:e[+-]?\d+)?(?![\w.])")


@pytest.mark.parametrize("argv", [["--activation", "step"], ["--x=-0,0", "--target=-0"]])
def test_no_negative_zero_is_printed(capsys: pytest.CaptureFixture, argv: list[str]) -> None:
    # step has φ' = 0 everywhere, so every δ is ±0.0: the sign of a zero product is noise.
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert NEGATIVE_ZERO.search("v = -0, -0.0 and -0e+00")
    assert not NEGATIVE_ZERO.search("-0.5 -0.01 x-0")
    assert not NEGATIVE_ZERO.findall(out), out


def test_batch_with_cross_entropy_and_mean(capsys: pytest.CaptureFixture) -> None:
    status, out, _ = run(capsys, "--layers", "2,4,3", "--loss", "ce", "--x", "0.5,-1; 1,2", "--target", "2; 0",
                         "--reduction", "mean")
    assert status == 0
    assert "2 samples, reduction mean" in out
    assert "softmax output" in out


def test_a_central_difference_across_a_relu_kink_exits_1(capsys: pytest.CaptureFixture) -> None:
    # biases start at 0 and x = 0, so every hidden v sits on ReLU's kink
    status, out, _ = run(capsys, "--activation", "relu", "--output-activation", "linear", "--x", "0,0", "--target", "1")
    assert status == 1
    assert "DISAGREE" in out and "(finite difference)" in out and "kink of relu" in out


def test_a_corrupted_hand_formula_exits_1(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    no_phi_prime = DeltaRule(output_delta=lambda e, dphi: e)
    monkeypatch.setattr(deltagrad.deltas, "compare", lambda *a, **k: compare(*a, rule=no_phi_prime, **k))
    status, out, _ = run(capsys)
    assert status == 1
    assert "δ L1.N0" in out.splitlines()[-1]


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--layers", "2,x"], "--layers"),
        (["--layers", "2"], "at least two"),
        (["--x", "1,2,3"], "2 number"),
        (["--x", "a,b"], "--x"),
        (["--x", "1,2; 3,4", "--target", "0.5"], "2 sample"),
        (["--loss", "ce", "--target", "1.5"], "class index"),
        (["--loss", "bce", "--output-activation", "tanh"], "sigmoid output"),
        (["--activation", "swish"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(capsys: pytest.CaptureFixture, argv: list[str], words: str) -> None:
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert words in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv, option", [(["--seed", "-2"], "--seed"), (["--seed", "1.5"], "--seed"),
                                          (["--x", ""], "--x"), (["--target", ""], "--target"),
                                          (["--x=", "--target", ""], "--x")])
def test_a_negative_seed_or_an_empty_value_is_an_error_naming_the_option(capsys, argv, option):
    # before: numpy's "expected non-negative integer", and --x "" silently drew random values
    status, out, err = run(capsys, *argv)
    assert status == 2 and option in err and len(err.strip().splitlines()) == 1 and out == ""
