"""Demo 7: derivatives of derivatives with ``autograd.grad(..., create_graph=True)``.

With ``create_graph=True`` the gradient is itself a graph of Values (built from the ops'
derivative rules), so it can be differentiated again. Here: σ'' and tanh'' against their closed
forms, and Newton's method x ← x − f'(x)/f''(x) minimising f(x) = e^x − 2x, whose minimum is at
x = ln 2; the number of correct digits roughly doubles every step (quadratic convergence).
"""

from __future__ import annotations

import math
from pathlib import Path

import autograd
from autograd import Value
from autograd.format import format_table
from common import picture, run
from viz import draw_graph

POINTS = [-3.0, -1.0, 0.0, 0.5, 2.0]


def second_derivative(f, x: float) -> tuple[float, float, Value]:
    """(f'(x), f''(x), the graph of f') by differentiating twice."""
    v = Value(x, "x")
    (first,) = autograd.grad(f(v), [v], create_graph=True)
    (second,) = autograd.grad(first, [v])
    return first.data, second, first


def objective(x: Value) -> Value:
    """f(x) = e^x − 2x."""
    return x.exp() - 2 * x


def main(out_dir: Path, quick: bool = False) -> dict:
    """Print second derivatives against closed forms and Newton's iterations."""
    rows, worst = [], 0.0
    for x in POINTS:
        s = 1 / (1 + math.exp(-x))
        t = math.tanh(x)
        _, d2_sigmoid, _ = second_derivative(Value.sigmoid, x)
        _, d2_tanh, _ = second_derivative(Value.tanh, x)
        closed_sigmoid = s * (1 - s) * (1 - 2 * s)
        closed_tanh = -2 * t * (1 - t * t) + 0.0  # + 0.0: no -0 at x = 0
        worst = max(worst, abs(d2_sigmoid - closed_sigmoid), abs(d2_tanh - closed_tanh))
        rows.append([f"{x:g}", f"{d2_sigmoid:.10g}", f"{closed_sigmoid:.10g}", f"{d2_tanh:.10g}", f"{closed_tanh:.10g}"])
    print("second derivatives by autograd (grad of grad) against closed forms")
    print(format_table(["x", "σ'' autograd", "σ(1−σ)(1−2σ)", "tanh'' autograd", "−2 tanh (1 − tanh²)"], rows))
    print(f"  largest difference {worst:.1e}")

    x, target = 2.0, math.log(2.0)
    iterations = []
    for _ in range(10):
        first, second, _ = second_derivative(objective, x)
        iterations.append([x, first, second, abs(x - target)])
        if first == 0.0:
            break
        x -= first / second
    print("\nNewton's method on f(x) = e^x − 2x from x = 2: x ← x − f'(x)/f''(x), f' and f'' by autograd")
    print(format_table(["step", "x", "f'(x)", "f''(x)", "|x − ln 2|"],
                       [[str(k), f"{a:.16f}", f"{b:.3e}", f"{c:.6f}", f"{d:.1e}"] for k, (a, b, c, d) in enumerate(iterations)]))
    print(f"  converged to x = {x:.16f}; ln 2 = {target:.16f}")

    _, second_at_half, derivative_graph = second_derivative(objective, 0.5)
    derivative_graph.label = "f'(x)"
    derivative_graph.backward()  # its gradient at x is f''(0.5) = e^0.5
    print("\nthe derivative f'(x) = e^x − 2 is itself a graph, built from the rules exp' = exp and (2x)' = 2;")
    print(f"  backward through it gives x.grad = f''(0.5) = {second_at_half:.6f} = e^0.5 = {math.exp(0.5):.6f}")
    picture(draw_graph(derivative_graph), out_dir / "derivative_graph.svg",
            "the graph of f'(x) = e^x − 2 that create_graph=True built; "
            "its backward gives f''(0.5) = e^0.5")
    return {
        "max_second_derivative_difference": worst,
        "newton_x": [row[0] for row in iterations],
        "newton_errors": [row[3] for row in iterations],
        "minimum": x,
        "second_derivative_at_half": second_at_half,
    }


if __name__ == "__main__":
    raise SystemExit(run(main, __doc__.splitlines()[0]))
