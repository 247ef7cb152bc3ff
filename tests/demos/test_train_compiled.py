"""demos/08_train_compiled.py: the replayed training reaches the scalar engine's loss at the same weights."""

from __future__ import annotations

import pytest


def test_train_compiled_learns_the_moons_and_agrees_with_the_scalar_engine(demo, tmp_path, capsys) -> None:
    r = demo("08").main(tmp_path, quick=True)
    out = capsys.readouterr().out
    assert r["final_loss"] == pytest.approx(r["scalar_loss"], rel=1e-12)
    assert r["final_loss"] < r["first_loss"] / 10
    assert r["accuracy"] >= 0.95  # the moons are separable: micrograd's demo reaches 100%
    assert f"{r['steps']} steps in" in out and "matrix products" in out
