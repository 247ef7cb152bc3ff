"""Demo 5: the deltas of Lecture 24 (Backpropagation) by hand against autograd on a 2-3-1 sigmoid MLP, drawn with δ per unit.

``nn.deltas`` computes δ_l = e_l·φ'(v_l) at the output and δ_j = φ'(v_j)·Σ_l δ_l·w_lj below it,
in NumPy, from the model's weights; autograd gives −∂J/∂v at every pre-activation node; central
differences check ∂J/∂w = −δ_j·y_i. Then one step of the lecture's update w ← w + η·δ·y next to one
``nn.SGD`` step: the same weights.
"""

from __future__ import annotations

from pathlib import Path

from common import caption, picture, run
from nn import MLP, SGD
from nn.deltas import compare, hand_step, objective
from viz import draw_mlp

X = [0.5, -1.2]
TARGET = 0.8
BATCH = [[0.5, -1.2], [1.0, 0.3], [-0.7, 0.9]]
BATCH_TARGETS = [0.8, 0.1, 0.5]
LR = 0.5


def network() -> MLP:
    """The 2-3-1 sigmoid MLP of the demo (seed 0)."""
    return MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)


def main(out_dir: Path, quick: bool = False) -> dict:
    """Print the comparison tables, draw the network with its deltas, compare the two update steps."""
    model = network()
    report = compare(model, X, TARGET)
    print(f"2-3-1 sigmoid MLP, x = {X}, target t = {TARGET}, J = ½(t − y)²\n")
    print(report)
    (report_path := out_dir / "deltas.txt").write_text(str(report) + "\n", encoding="utf-8")
    caption(report_path,
            "the table above: each δ and ∂J/∂w by hand, by autograd and by central differences")
    print(f"wrote {report_path}")
    picture(draw_mlp(model, X, TARGET), out_dir / "mlp_deltas.svg",
            "the 2-3-1 network: each weight's value and ∂J/∂w, each unit's v, y and δ")

    batch = compare(model, BATCH, BATCH_TARGETS, reduction="mean")
    print(f"\nthe same on a batch of {len(BATCH)} samples, J = mean over samples of ½(t − y)²: "
          f"{'agree' if batch.ok else 'DISAGREE'}, largest error {batch.max_abs_error:.1e}")

    by_hand, by_sgd = network(), network()
    before = objective(by_hand, X, TARGET).data
    hand_step(by_hand, X, TARGET, lr=LR)
    optimiser = SGD(by_sgd.parameters(), lr=LR)
    optimiser.zero_grad()
    objective(by_sgd, X, TARGET).backward()
    optimiser.step()
    hand_weights, sgd_weights = by_hand.state_dict(), by_sgd.state_dict()
    difference = max(abs(hand_weights[k] - sgd_weights[k]) for k in hand_weights)
    moved = max(abs(hand_weights[k] - v) for k, v in model.state_dict().items())
    after = objective(by_hand, X, TARGET).data
    print(f"\none step, η = {LR}: Lecture 24's w ← w + η·δ·y and nn.SGD after backward()")
    print(f"  weights moved by up to {moved:.6f}; largest difference between the two steps {difference:.1e}")
    print(f"  J {before:.6f} → {after:.6f}")
    return {
        "ok": report.ok,
        "max_abs_error": report.max_abs_error,
        "deltas": {r.unit: r.hand for r in report.deltas},
        "autograd_deltas": {r.unit: r.autograd for r in report.deltas},
        "output": report.deltas[-1].y,
        "batch_ok": batch.ok,
        "step_difference": difference,
        "step_moved": moved,
        "loss_before": before,
        "loss_after": after,
    }


if __name__ == "__main__":
    raise SystemExit(run(main, __doc__.splitlines()[0]))
