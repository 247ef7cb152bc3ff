"""Demo 3: the activation functions of Lecture 24 (Backpropagation) and their derivatives, and why step cannot train.

For each activation: φ and φ' at a few points, φ' by autograd next to the hand-written NumPy table
of ``nn.deltas`` and a central difference (away from the kink at 0, where the documented
subgradient is used). Then a single neuron trained by gradient descent twice, with a sigmoid and
with a Heaviside step: the step's gradient is 0, so its weights never move.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

import autograd
from autograd import Value
from autograd.format import format_table
from autograd.ops import SELU_ALPHA, SELU_LAMBDA
from common import plot, run
from nn.deltas import HAND_ACTIVATIONS

POINTS = [-2.0, -0.5, 0.0, 0.5, 2.0]
H = 1e-6

# A tiny separable task for one neuron: output 1 when x1 + x2 > 1.
DATA = [([0.0, 0.0], 0.0), ([1.0, 0.2], 1.0), ([0.2, 0.3], 0.0), ([0.9, 0.9], 1.0), ([0.4, 0.1], 0.0), ([0.3, 1.2], 1.0)]


def apply(name: str, v: Value) -> Value:
    """φ(v) through the engine (``linear`` is v itself)."""
    return v if name == "linear" else getattr(v, name)()


def train_neuron(name: str, steps: int, lr: float = 0.5) -> dict:
    """Gradient descent on J = ½ Σ (t − φ(w·x + b))² from w = (0.1, -0.1), b = 0.05."""
    params = [Value(0.1, "w1"), Value(-0.1, "w2"), Value(0.05, "b")]
    start = [p.data for p in params]
    losses, gradient_norms = [], []
    for _ in range(steps):
        loss = autograd.sum([0.5 * (t - apply(name, autograd.dot(params[:2], x, params[2]))) ** 2 for x, t in DATA])
        grads = autograd.grad(loss, params)
        losses.append(loss.data)
        gradient_norms.append(math.sqrt(sum(g * g for g in grads)))
        for p, g in zip(params, grads):
            p.data -= lr * g
    return {"loss_first": losses[0], "loss_last": losses[-1], "largest_gradient_norm": max(gradient_norms),
            "moved": max(abs(p.data - s) for p, s in zip(params, start))}


def main(out_dir: Path, quick: bool = False) -> dict:
    """Print the gallery's table and the two training runs; plot φ and φ' when possible."""
    rows, worst_table, worst_numeric = [], 0.0, 0.0
    for name, hand in HAND_ACTIVATIONS.items():
        phi, dphi = hand.phi, hand.dphi
        for x in POINTS:
            v = Value(x)
            y = apply(name, v)
            (d_auto,) = autograd.grad(y, [v])
            d_table = float(dphi(np.array([x]), phi(np.array([x])))[0])
            worst_table = max(worst_table, abs(d_auto - d_table))
            fd = (apply(name, Value(x + H)).data - apply(name, Value(x - H)).data) / (2 * H)
            on_kink = x == 0.0 and hand.kinked  # there a central difference averages two slopes
            if not on_kink:
                worst_numeric = max(worst_numeric, abs(d_auto - fd))
            rows.append([name if x == POINTS[0] else "", f"{x:g}", f"{y.data:.6g}", f"{d_auto:.6g}", f"{d_table:.6g}",
                         f"{fd:.6g} (kink)" if on_kink else f"{fd:.6g}"])
    print("φ and φ' for every activation of Lecture 24 (autograd, the hand table of nn.deltas, central difference)")
    print(format_table(["activation", "x", "φ(x)", "φ' autograd", "φ' table", "φ' numeric"], rows))
    print(f"  largest |autograd − table| {worst_table:.1e}, largest |autograd − central difference| {worst_numeric:.1e}")
    print("  at a kink the engine takes the left derivative: ReLU'(0) = 0, leaky ReLU'(0) = 0.01, "
          f"SELU'(0) = λα = {SELU_LAMBDA * SELU_ALPHA:.6f}")

    softplus0 = Value(0.0).softplus()
    (softplus0_slope,) = autograd.grad(softplus0, [softplus0.parents[0]])
    print("\nErrata of Lecture 24's table")
    print(f"  softplus(x) = ln(1 + e^x), not (1 + e^x): softplus(0) = {softplus0.data:.6f} = ln 2, not 2;"
          f" its derivative is σ: softplus'(0) = {softplus0_slope:g} = σ(0)")
    print(f"  ELU's α is a free parameter, 1.0 by default; 1.67326 is SELU's α = {SELU_ALPHA:.10f}"
          f" (λ = {SELU_LAMBDA:.10f})")
    print("  ReLU/leaky ReLU: 'undefined' at 0 in the lecture; frameworks pick a subgradient (see above)")

    steps = 20 if quick else 200
    sigmoid_run, step_run = train_neuron("sigmoid", steps), train_neuron("step", steps)
    print(f"\none neuron, {steps} steps of gradient descent (η = 0.5) on J = ½ Σ (t − φ(w·x + b))², 6 samples")
    for name, result in (("sigmoid", sigmoid_run), ("step", step_run)):
        print(f"  {name:8s} J {result['loss_first']:.4f} → {result['loss_last']:.4f}, largest |∇J| "
              f"{result['largest_gradient_norm']:.3g}, weights moved by {result['moved']:.3g}")
    print("  the step's derivative is 0 wherever it exists: no gradient, no learning (the source texts' case for σ)")

    def draw(plt) -> None:
        xs = np.linspace(-3, 3, 601)
        fig, axes = plt.subplots(3, 3, figsize=(10, 8))
        for ax, (name, hand) in zip(axes.flat, HAND_ACTIVATIONS.items()):
            phi, dphi = hand.phi, hand.dphi
            ys = phi(xs)
            ax.plot(xs, ys, label="φ")
            ax.plot(xs, dphi(xs, ys), "--", label="φ'")
            ax.set_title(name)
            ax.axhline(0, color="gray", linewidth=0.5)
        axes.flat[0].legend()
        fig.suptitle("Activations of Lecture 24 and their derivatives")

    plot(out_dir / "activations.png", draw,
         "each activation φ (solid) and its derivative φ' (dashed) on [−3, 3]")
    return {
        "max_table_difference": worst_table,
        "max_numeric_difference": worst_numeric,
        "softplus_0": softplus0.data,
        "softplus_prime_0": softplus0_slope,
        "sigmoid_training": sigmoid_run,
        "step_training": step_run,
    }


if __name__ == "__main__":
    raise SystemExit(run(main, __doc__.splitlines()[0]))
