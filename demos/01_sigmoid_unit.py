"""Demo 1: the sigmoid unit (the posts "MLP and Sigmoid" and "Sigmoid Function: Derivative and Working Mechanism"), with their errata corrected by numbers.

σ(x) = 1/(1 + e^-x) and σ'(x) = σ(x)(1 − σ(x)) = e^-x/(1 + e^-x)²: largest (0.25) at x = 0,
vanishing as |x| grows (saturation), never 0 and never above 0.25. A chain of sigmoid units
multiplies those slopes by the weights, which is where vanishing and exploding gradients come from.
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

POINTS = [-10.0, -5.0, -2.0, -1.0, 0.0, 1.0, 2.0, 5.0, 10.0]


def slope(f, x: float) -> tuple[float, float]:
    """(f(x), f'(x)) with autograd."""
    v = Value(x)
    out = f(v)
    return out.data, autograd.grad(out, [v])[0]


def sigmoid_unit(net: float) -> Value:
    """o = σ(w·x + b) with x = 1, w = net, b = 0 (the sigmoid unit of "MLP and Sigmoid"), as a graph."""
    v = autograd.dot([Value(net, "w")], [Value(1.0, "x", requires_grad=False)], Value(0.0, "b"))
    v.label = "net"
    o = v.sigmoid()
    o.label = "o"
    return o


def chain_gradient(weight: float, bias: float, depth: int, start: float = 0.5) -> float:
    """d y_depth / d y_0 for y_{k+1} = σ(weight·y_k + bias), by autograd."""
    y0 = Value(start)
    y = y0
    for _ in range(depth):
        y = (weight * y + bias).sigmoid()
    return autograd.grad(y, [y0])[0]


def main(out_dir: Path, quick: bool = False) -> dict:
    """Print the sigmoid's numbers (and plot σ, σ' when matplotlib is installed)."""
    e1 = math.exp(-1.0)
    s1, ds1 = slope(Value.sigmoid, 1.0)
    print("σ(1), the worked example of 'Sigmoid Function: Derivative and Working Mechanism'")
    print(f"  e^-1 = {e1:.6f}, so σ(1) = 1/(1 + e^-1) = 1/{1 + e1:.6f} = {s1:.6f}")
    print(f"  the article's 1/1.367 = {1 / 1.367:.4f} (e^-1 cut to 0.367): off by {1 / 1.367 - s1:.1e}")
    print()

    rows, worst = [], 0.0
    for x in POINTS:
        y, d = slope(Value.sigmoid, x)
        closed = math.exp(-x) / (1 + math.exp(-x)) ** 2
        typo = math.exp(-x) / (1 + math.exp(-x))  # the sigmoid article's derivation: the square is missing
        worst = max(worst, abs(d - y * (1 - y)), abs(d - closed))
        rows.append([f"{x:g}", f"{y:.6f}", f"{d:.6g}", f"{y * (1 - y):.6g}", f"{closed:.6g}", f"{typo:.6g}"])
    print("σ'(x) by autograd against the closed forms (the sigmoid article forgets the square: last column)")
    print(format_table(["x", "σ(x)", "σ' autograd", "σ(1 − σ)", "e^-x/(1+e^-x)²", "e^-x/(1+e^-x)"], rows))
    print(f"  largest difference autograd vs closed forms: {worst:.1e}")
    print("  'MLP and Sigmoid' writes dσ(net)/dy: the derivative is with respect to the net input, dσ(net)/dnet")
    print()

    sampled = np.linspace(-10, 10, 401 if quick else 4001)  # an odd count: x = 0 is on the grid
    dgrid = [slope(Value.sigmoid, float(x))[1] for x in sampled]
    peak = int(np.argmax(dgrid))
    print("The derivative's range (the sigmoid article's FAQ 4 says 'between 0 and 0')")
    print(f"  on {len(dgrid)} points of [-10, 10]: max σ' = {dgrid[peak]:.6g} at x = {sampled[peak]:g}, "
          f"min σ' = {min(dgrid):.3g} > 0")
    print("  so σ' takes values in (0, 0.25]: 0.25 exactly at 0, never 0 (σ' = σ(1 − σ) with 0 < σ < 1)")
    print(f"  saturation: σ(10) = {slope(Value.sigmoid, 10.0)[0]:.7f}, σ'(10) = {slope(Value.sigmoid, 10.0)[1]:.3e}")
    print()

    t, dt = slope(Value.tanh, 0.7)
    ex, dex = slope(Value.exp, 0.7)
    print("The sigmoid article's FAQ 1: 'the only function whose derivative is written with itself': no")
    print(f"  tanh'(0.7) = {dt:.6f} = 1 − tanh²(0.7) = {1 - t * t:.6f};  exp'(0.7) = {dex:.6f} = exp(0.7) = {ex:.6f}")
    print()

    depth = 10
    small = chain_gradient(1.0, 0.0, depth)
    # weight 8, bias −4 keeps y = 0.5 a fixed point where σ' = 0.25: each unit multiplies by 8·0.25 = 2
    large = chain_gradient(8.0, -4.0, depth)
    print(f"A chain of {depth} sigmoid units y ← σ(w·y + b): dy_{depth}/dy_0 by autograd")
    print(f"  w = 1, b = 0: {small:.3e}  (each unit multiplies by w·σ' <= 0.25: at most 0.25^{depth} = {0.25**depth:.3e})")
    print(f"  w = 8, b = -4: {large:.6g}  (each unit multiplies by 8·0.25 = 2: 2^{depth} = {2**depth})")
    print("  the sigmoid article says sigmoid causes exploding gradients: σ' <= 0.25 only shrinks them; large weights explode them")

    def draw(plt) -> None:
        xs = np.linspace(-8, 8, 400)
        ys = 1 / (1 + np.exp(-xs))
        plt.figure(figsize=(7, 4))
        plt.plot(xs, ys, label="σ(x)")
        plt.plot(xs, ys * (1 - ys), label="σ'(x) = σ(1 − σ)")
        plt.axhline(0.25, color="gray", linestyle=":", linewidth=1)
        plt.scatter([0, 1], [0.25, s1], color="black", zorder=3)
        plt.annotate("σ'(0) = 0.25", (0, 0.25), textcoords="offset points", xytext=(8, 6))
        plt.annotate(f"σ(1) = {s1:.6f}", (1, s1), textcoords="offset points", xytext=(8, -14))
        plt.title("The sigmoid and its derivative")
        plt.legend()

    plot(out_dir / "sigmoid.png", draw,
         "σ(x) and its derivative σ'(x) = σ(x)(1 − σ(x)), largest (0.25) at x = 0")
    unit = sigmoid_unit(1.0)
    unit.backward()
    print(f"the unit σ(w·x + b) at w·x + b = 1: output {unit.data:.6f}, local derivative on the σ edge "
          f"σ(1)(1 − σ(1)) = {unit.local_grads[0]:.6f}")
    picture(draw_graph(unit), out_dir / "sigmoid_unit.svg",
            "the sigmoid unit o = σ(w·x + b) at w·x + b = 1: σ(1)(1 − σ(1)) on the σ edge")
    return {
        "exp_minus_1": e1,
        "sigmoid_1": s1,
        "seed_value": 1 / 1.367,
        "sigmoid_prime_1": ds1,
        "max_closed_form_difference": worst,
        "derivative_max": dgrid[peak],
        "derivative_argmax": float(sampled[peak]),
        "derivative_min": min(dgrid),
        "sigmoid_prime_10": slope(Value.sigmoid, 10.0)[1],
        "tanh_prime_07": dt,
        "chain_small_weights": small,
        "chain_large_weights": large,
        "depth": depth,
    }


if __name__ == "__main__":
    raise SystemExit(run(main, __doc__.splitlines()[0]))
