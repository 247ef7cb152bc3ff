"""Demo 2: small changes in a sigmoid neuron's weights make small, predictable changes (the Q&A thread "Why sigmoid neurons?").

Δoutput ≈ Σ_j ∂output/∂w_j · Δw_j + ∂output/∂b · Δb. The partial derivatives come from one
backward pass; the prediction's error shrinks like the square of the change (it is the first-order
Taylor term), so it is linear in the changes for small ones. A perceptron (step activation) has
all those derivatives 0: a tiny change either does nothing or flips its output from 0 to 1.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

import autograd
from autograd import Value
from autograd.format import format_table
from common import picture, plot, run
from viz import draw_graph

X = [0.8, -0.4, 1.5]
W = [0.6, -1.1, 0.3]
B = -0.2


def neuron(weights: list[float], bias: float, activation: str = "sigmoid") -> tuple[Value, list[Value]]:
    """output = φ(w·x + b), and the parameters [w_1.., b] as leaves."""
    params = [Value(w, f"w{j + 1}") for j, w in enumerate(weights)] + [Value(bias, "b")]
    v = autograd.dot(params[:-1], X, params[-1])
    return getattr(v, activation)(), params


def main(out_dir: Path, quick: bool = False) -> dict:
    """Print the linear prediction next to the true change for shrinking changes."""
    out, params = neuron(W, B)
    partials = autograd.grad(out, params)
    print(f"sigmoid neuron: x = {X}, w = {W}, b = {B}")
    print(f"  output = σ(w·x + b) = {out.data:.6f}")
    print("  ∂output/∂w_j = σ'(v)·x_j, ∂output/∂b = σ'(v): "
          + ", ".join(f"{p.label} {g:.6f}" for p, g in zip(params, partials)))

    direction = np.random.default_rng(0).normal(size=len(params))
    direction /= np.linalg.norm(direction)
    scales = [1e-1, 1e-2, 1e-3] if quick else [1e-1, 1e-2, 1e-3, 1e-4]
    rows, errors = [], []
    for scale in scales:
        change = scale * direction
        moved, _ = neuron(list(np.add(W, change[:-1])), B + change[-1])
        true = moved.data - out.data
        predicted = float(np.dot(partials, change))
        errors.append(abs(true - predicted))
        rows.append([f"{scale:g}", f"{true:.6e}", f"{predicted:.6e}", f"{errors[-1]:.2e}"])
    orders = [math.log10(errors[k] / errors[k + 1]) for k in range(len(errors) - 1)]
    print("\nchanges Δ = scale·d along one fixed random unit direction d of (Δw_1, Δw_2, Δw_3, Δb)")
    print(format_table(["scale", "true Δoutput", "Σ ∂out/∂p · Δp", "|difference|"], rows))
    print("  each 10x smaller change makes the difference " + ", ".join(f"{10**o:.0f}x" for o in orders)
          + " smaller: it is second order, so for small changes Δoutput is linear in them")

    # A perceptron just below its threshold: v = w·x + b = -0.0005.
    bias = -float(np.dot(W, X)) - 5e-4
    step_out, step_params = neuron(W, bias, "step")
    step_partials = autograd.grad(step_out, step_params)
    flipped, _ = neuron(W, bias + 1e-3, "step")
    print(f"\nperceptron (step activation) with b = {bias:.4f}, so v = w·x + b = -0.0005:")
    print(f"  output {step_out.data:g}; every partial derivative is {max(abs(g) for g in step_partials):g}, "
          "so the linear prediction is 0 for any change")
    print(f"  Δb = 0.001 flips the output to {flipped.data:g}: a change of {flipped.data - step_out.data:g} "
          "from a tiny change (the Q&A thread's 'completely flip')")

    def draw(plt) -> None:
        ts = np.linspace(-2, 2, 201)
        true = [neuron(list(np.add(W, t * direction[:-1])), B + t * direction[-1])[0].data - out.data for t in ts]
        plt.figure(figsize=(6, 4))
        plt.plot(ts, true, label="true Δoutput")
        plt.plot(ts, ts * float(np.dot(partials, direction)), "--", label="linear prediction")
        plt.xlabel("size of the change along d")
        plt.title("A sigmoid neuron: small changes, small predictable effects")
        plt.legend()

    plot(out_dir / "small_changes.png", draw,
         "the true change of the output against the linear prediction Σ ∂output/∂p·Δp, "
         "along one direction")
    out.label = "output"
    out.backward()  # the picture's gradients are the partial derivatives of the table above
    picture(draw_graph(out), out_dir / "sigmoid_neuron.svg",
            "the sigmoid neuron: each parameter's grad is the partial derivative printed below")
    return {
        "output": out.data,
        "partials": list(partials),
        "scales": scales,
        "errors": errors,
        "orders": orders,
        "step_partials": list(step_partials),
        "step_output": step_out.data,
        "step_flipped": flipped.data,
    }


if __name__ == "__main__":
    raise SystemExit(run(main, __doc__.splitlines()[0]))
