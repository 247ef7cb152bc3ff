"""Each demo run with small sizes: the numbers it returns and prints, checked against closed forms."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

DEMOS = Path(__file__).resolve().parents[2] / "demos"

E = math.exp(1.0)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_01_sigmoid_unit(demo, tmp_path, capsys) -> None:
    r = demo("01").main(tmp_path, quick=True)
    out = capsys.readouterr().out
    assert r["sigmoid_1"] == pytest.approx(1 / (1 + 1 / E), rel=1e-15)
    assert round(r["sigmoid_1"], 6) == 0.731059 and r["seed_value"] == pytest.approx(0.73153, abs=1e-5)
    assert "= 0.731059" in out and "0.7315" in out
    assert r["sigmoid_prime_1"] == pytest.approx(sigmoid(1) * (1 - sigmoid(1)), rel=1e-15)
    assert r["max_closed_form_difference"] < 1e-15
    assert r["derivative_max"] == 0.25 and r["derivative_argmax"] == 0.0
    assert 0 < r["derivative_min"] < 1e-4
    assert "(0, 0.25]" in out
    assert r["sigmoid_prime_10"] == pytest.approx(math.exp(-10) / (1 + math.exp(-10)) ** 2, rel=1e-12)
    assert r["tanh_prime_07"] == pytest.approx(1 - math.tanh(0.7) ** 2, rel=1e-15)
    assert 0 < r["chain_small_weights"] <= 0.25 ** r["depth"]
    # at the fixed point y = 0.5 every unit multiplies the gradient by 8 · σ'(0) = 2 exactly
    assert r["chain_large_weights"] == pytest.approx(2.0 ** r["depth"], rel=1e-12)
    assert "1024" in out
    assert "matplotlib is not installed" in out or (tmp_path / "sigmoid.png").is_file()
    assert "local derivative on the σ edge σ(1)(1 − σ(1)) = 0.196612" in out
    assert (tmp_path / "sigmoid_unit.svg").is_file() or (tmp_path / "sigmoid_unit.dot").is_file()


def test_02_small_changes(demo, tmp_path, capsys) -> None:
    module = demo("02")
    r = module.main(tmp_path, quick=True)
    out = capsys.readouterr().out
    v = sum(w * x for w, x in zip(module.W, module.X)) + module.B
    slope = sigmoid(v) * (1 - sigmoid(v))
    assert r["output"] == pytest.approx(sigmoid(v), rel=1e-15)
    assert r["partials"] == pytest.approx([slope * x for x in module.X] + [slope], rel=1e-14)
    assert all(order == pytest.approx(2.0, abs=0.05) for order in r["orders"])  # error ∝ change²
    assert r["errors"] == sorted(r["errors"], reverse=True)
    assert r["step_partials"] == [0.0] * 4
    assert (r["step_output"], r["step_flipped"]) == (0.0, 1.0)
    assert "flips the output to 1" in out
    assert f"{r['errors'][-1]:.2e}" in out
    assert (tmp_path / "sigmoid_neuron.svg").is_file() or (tmp_path / "sigmoid_neuron.dot").is_file()


def test_03_activation_gallery(demo, tmp_path, capsys) -> None:
    module = demo("03")
    r = module.main(tmp_path, quick=True)
    out = capsys.readouterr().out
    assert r["max_table_difference"] < 1e-15
    assert r["max_numeric_difference"] < 1e-6  # central differences, away from the kinks
    assert r["softplus_0"] == pytest.approx(math.log(2), rel=1e-15)
    assert r["softplus_prime_0"] == 0.5
    assert "softplus(0) = 0.693147" in out and "1.6732632424" in out
    step, smooth = r["step_training"], r["sigmoid_training"]
    assert step["largest_gradient_norm"] == 0.0 and step["moved"] == 0.0
    # the step neuron at its start (w = (0.1, -0.1), b = 0.05) and forever after
    start = sum(0.5 * (t - (0.1 * x1 - 0.1 * x2 + 0.05 > 0)) ** 2 for (x1, x2), t in module.DATA)
    assert step["loss_first"] == step["loss_last"] == start
    assert smooth["loss_last"] < 0.7 * smooth["loss_first"]
    assert re.search(rf"step\s+J {start:.4f} → {start:.4f}, largest \|∇J\| 0, weights moved by 0", out)
    for name in ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus", "step"):
        assert re.search(rf"^{name}\s", out, flags=re.M), name


def test_04_tanh_neuron(demo, tmp_path, capsys) -> None:
    r = demo("04").main(tmp_path, quick=True)
    out = capsys.readouterr().out
    assert r["o"] == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    hand = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}  # (1 − o²) = ½ times the other factor
    for graph in ("ops", "exp", "dot"):
        for leaf, value in hand.items():
            assert r["graphs"][graph][leaf] == pytest.approx(value, abs=1e-12), (graph, leaf)
    assert r["graphs"]["dot"]["nodes"] < r["graphs"]["ops"]["nodes"] < r["graphs"]["exp"]["nodes"]
    assert "largest difference from the hand values" in out
    page = (tmp_path / "tanh_neuron_steps.html").read_text(encoding="utf-8")
    assert "0.7071" in page
    for name in r["files"]:
        assert (tmp_path / name).is_file()


def test_05_hand_deltas(demo, tmp_path, capsys) -> None:
    module = demo("05")
    r = module.main(tmp_path, quick=True)
    out = capsys.readouterr().out
    assert r["ok"] and r["batch_ok"] and r["max_abs_error"] < 1e-9
    y = r["output"]
    assert r["deltas"]["L1.N0"] == pytest.approx((module.TARGET - y) * y * (1 - y), rel=1e-14)
    assert r["deltas"] == pytest.approx(r["autograd_deltas"], rel=1e-12, abs=1e-16)
    assert r["step_difference"] < 1e-12 and r["step_moved"] > 1e-3
    assert r["loss_after"] < r["loss_before"]
    assert "OK: hand formula, autograd and finite differences agree" in out
    assert (tmp_path / "deltas.txt").read_text(encoding="utf-8").startswith("Local gradients δ")
    assert (tmp_path / "mlp_deltas.svg").is_file() or (tmp_path / "mlp_deltas.dot").is_file()


def test_06_training(demo, tmp_path, capsys) -> None:
    module = demo("06")
    r = module.main(tmp_path, quick=True)
    out = capsys.readouterr().out
    moons, spiral, sine = r["moons"], r["spiral"], r["sine"]
    assert moons["loss_last"] < moons["loss_first"] and moons["accuracy"] >= 0.8
    assert spiral["loss_last"] < spiral["loss_first"] / 2 and spiral["accuracy"] >= 0.6  # chance is 1/3
    assert sine["loss_last"] < sine["loss_first"] / 10 and sine["largest_error_on_probe"] < 0.5
    assert f"accuracy {moons['accuracy_first']:.1%} → {moons['accuracy']:.1%}" in out
    map_rows = [line for line in out.splitlines() if re.fullmatch(r"  [-+=0-2]{%d}" % module.MAP_COLUMNS, line)]
    assert len(map_rows) == 2 * module.MAP_ROWS  # the moons and spiral maps
    assert sum(row.count("0") + row.count("1") for row in map_rows[: module.MAP_ROWS]) > 0


def test_07_second_derivatives(demo, tmp_path, capsys) -> None:
    r = demo("07").main(tmp_path, quick=True)
    out = capsys.readouterr().out
    assert r["max_second_derivative_difference"] < 1e-15
    assert r["minimum"] == pytest.approx(math.log(2), abs=1e-15)
    assert r["second_derivative_at_half"] == pytest.approx(math.exp(0.5), rel=1e-15)
    # quadratic convergence: e_{k+1} ≈ (f'''/2f'') e_k² = ½ e_k² near the minimum
    errors = r["newton_errors"]
    ratios = [b / a**2 for a, b in zip(errors, errors[1:]) if 1e-6 < a < 0.2]
    assert ratios and all(0.3 < q < 0.7 for q in ratios)
    assert "0.6931471805599453" in out
    assert (tmp_path / "derivative_graph.svg").is_file() or (tmp_path / "derivative_graph.dot").is_file()


def test_09_playground_run(demo, tmp_path, capsys) -> None:
    import re

    r = demo("09").main(tmp_path, quick=True)
    page = (tmp_path / "playground.html").read_text(encoding="utf-8")
    assert r["status"] == "recorded" and r["steps"][0] == 0 and r["steps"][-1] == 60 and len(r["samples"]) == 6
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']https?:""", page)  # offline: nothing fetched
    assert "playground.html" in capsys.readouterr().out


def test_10_check_my_work(demo, tmp_path, capsys) -> None:
    r = demo("10").main(tmp_path, quick=True)
    out = capsys.readouterr().out
    verdicts = r["verdicts"]
    # the two planted mistakes are named; everything computed from the wrong δ is carried
    assert r["first_wrong"] == "L1.N0.delta" and verdicts["L1.N0.delta"] == "missing φ′"
    assert verdicts["dJ/dL0.N1.w0"] == "sign"
    assert {verdicts[f"L0.N{j}.delta"] for j in (0, 1)} == {"carried"}
    assert all(v == "correct" for name, v in verdicts.items()
               if name.rsplit(".", 1)[-1] in ("v", "y", "dphi", "e") or name == "J")
    assert r["start"] == "L1.N0.v" and "the error enters at L1.N0.delta" in out
    assert (tmp_path / "check_my_work.html").is_file() and (tmp_path / "graded.md").is_file()


def test_a_demo_runs_as_a_script_and_writes_its_numbers(tmp_path) -> None:
    done = subprocess.run([sys.executable, str(DEMOS / "01_sigmoid_unit.py"), "--out", str(tmp_path), "--quick"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "= 0.731059" in done.stdout
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["derivative_max"] == 0.25
