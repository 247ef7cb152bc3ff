"""Demo 6: MLPs trained by backpropagation: moons, a softmax on the spiral, and sin(x) (the tasks of Lecture 24: Backpropagation).

Binary classification (two moons: a 2-16-16-1 ReLU MLP with the hinge loss, as in micrograd's
demo), multiclass classification (three spiral arms: a softmax output with cross-entropy) and
regression (sin x: tanh hidden units, a linear output, mean squared error), each trained with
``nn.fit`` and Adam. The decision regions print as a text map (and plot when matplotlib is there).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from autograd import no_grad
from autograd.format import format_table
from common import plot, run
from nn import MLP, Adam, data, evaluate, fit

MAP_COLUMNS, MAP_ROWS = 56, 20
REGION_MARKS = "-+="  # predicted class 0, 1, 2 of a map cell
CLASS_COLORS = ["#2e6fb5", "#c0392b", "#27ae60"]
SIZES = {  # (samples, steps) in quick and full runs
    "moons": ((30, 15), (100, 60)),
    "spiral": ((15, 25), (40, 100)),
    "sine": ((20, 40), (40, 200)),
}


def predict(model: MLP, points: np.ndarray) -> np.ndarray:
    """The class of each point: the sign of a single score, or the largest logit."""
    with no_grad():
        outputs = [model.forward([float(a) for a in p])[0] for p in points]
    if len(outputs[0]) == 1:
        return np.array([int(vs[0].data > 0) for vs in outputs])
    return np.array([max(range(len(vs)), key=lambda k: vs[k].data) for vs in outputs])


def grid(X: np.ndarray, columns: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A rows × columns grid over the data's bounding box (with a margin), as (xs, ys, points)."""
    low, high = X.min(axis=0) - 0.25, X.max(axis=0) + 0.25
    xs, ys = np.linspace(low[0], high[0], columns), np.linspace(high[1], low[1], rows)
    return xs, ys, np.array([[x, y] for y in ys for x in xs])


def text_map(model: MLP, X: np.ndarray, labels: np.ndarray) -> str:
    """The predicted regions as characters, with each sample's true class as a digit on top."""
    xs, ys, points = grid(X, MAP_COLUMNS, MAP_ROWS)
    cells = [[REGION_MARKS[c] for c in row] for row in predict(model, points).reshape(MAP_ROWS, MAP_COLUMNS)]
    for (x, y), label in zip(X, labels):
        column = int(round((x - xs[0]) / (xs[-1] - xs[0]) * (MAP_COLUMNS - 1)))
        row = int(round((ys[0] - y) / (ys[0] - ys[-1]) * (MAP_ROWS - 1)))
        cells[row][column] = str(label)
    return "\n".join("  " + "".join(row) for row in cells)


def classify(name: str, X: np.ndarray, y: np.ndarray, model: MLP, loss: str, steps: int, lr: float) -> dict:
    """Train, print the loss curve's ends, the accuracy and the text map."""
    history = fit(model, X, y, loss=loss, steps=steps, optimizer=Adam(model.parameters(), lr=lr), log=None)
    final_loss, accuracy = evaluate(model, X, y, loss=loss)
    print(f"{name}: {len(X)} samples, {steps} steps of Adam (lr {lr}), loss {loss}")
    print(f"  loss {history.loss[0]:.4f} → {final_loss:.4f}, accuracy {history.accuracy[0]:.1%} → {accuracy:.1%}")
    marks = ", ".join(f"'{REGION_MARKS[k]}' class {k}" for k in range(int(y.max()) + 1))
    print(f"  predicted regions ({marks}); digits are the samples' true classes:")
    print(text_map(model, X, y))
    return {"samples": len(X), "steps": steps, "loss_first": history.loss[0], "loss_last": final_loss,
            "accuracy_first": history.accuracy[0], "accuracy": accuracy}


def plot_regions(out_dir: Path, name: str, model: MLP, X: np.ndarray, y: np.ndarray, resolution: int) -> None:
    """The decision regions and the samples, with matplotlib when it is installed."""
    def draw(plt) -> None:
        from matplotlib.colors import ListedColormap

        colors = ListedColormap(CLASS_COLORS[: int(y.max()) + 1])
        xs, ys, points = grid(X, resolution, resolution)
        classes = predict(model, points).reshape(resolution, resolution)
        plt.figure(figsize=(5, 4.5))
        plt.contourf(xs, ys, classes, levels=np.arange(-0.5, y.max() + 1), alpha=0.3, cmap=colors)
        plt.scatter(X[:, 0], X[:, 1], c=y, cmap=colors, vmin=0, vmax=y.max(), edgecolors="black", s=25)
        plt.title(f"{name}: decision regions")

    plot(out_dir / f"{name}_regions.png", draw,
         f"the classes the trained MLP gives each point of the plane, with the {name} samples")


def main(out_dir: Path, quick: bool = False) -> dict:
    """Train the three models; print their numbers and maps."""
    size = {name: pair[0] if quick else pair[1] for name, pair in SIZES.items()}
    resolution = 40 if quick else 100
    results = {}

    n, steps = size["moons"]
    X, y = data.moons(n, noise=0.1, seed=0)
    moons_model = MLP(2, [16, 16, 1], seed=0)
    results["moons"] = classify("moons", X, y, moons_model, "hinge", steps, 0.05)
    plot_regions(out_dir, "moons", moons_model, X, y, resolution)

    n, steps = size["spiral"]
    X, y = data.spiral(n, classes=3, seed=0)
    spiral_model = MLP(2, [16, 16, 3], output_activation="softmax", seed=0)
    print()
    results["spiral"] = classify("spiral, softmax output", X, y, spiral_model, "cross_entropy", steps, 0.05)
    plot_regions(out_dir, "spiral", spiral_model, X, y, resolution)

    n, steps = size["sine"]
    X, y = data.sine(n)
    sine_model = MLP(1, [16, 16, 1], activation="tanh", seed=0)
    history = fit(sine_model, X, y, loss="mse", steps=steps, optimizer=Adam(sine_model.parameters(), lr=0.03), log=None)
    final_loss, _ = evaluate(sine_model, X, y, loss="mse")
    probe = np.linspace(-math.pi, math.pi, 9)
    with no_grad():
        fitted = [sine_model([float(x)]).data for x in probe]
    print(f"\nregression of sin(x) on [-π, π]: {n} samples, {steps} steps of Adam (lr 0.03), 1-16-16-1 tanh MLP")
    print(f"  mean squared error {history.loss[0]:.4f} → {final_loss:.6f}")
    print(format_table(["x", "sin x", "model"], [[f"{x:.3f}", f"{round(math.sin(x), 4) + 0.0:.4f}", f"{f:.4f}"] for x, f in zip(probe, fitted)]))
    results["sine"] = {"samples": n, "steps": steps, "loss_first": history.loss[0], "loss_last": final_loss,
                       "largest_error_on_probe": max(abs(math.sin(x) - f) for x, f in zip(probe, fitted))}

    def draw(plt) -> None:
        dense = np.linspace(-math.pi, math.pi, 200)
        with no_grad():
            curve = [sine_model([float(x)]).data for x in dense]
        plt.figure(figsize=(6, 4))
        plt.plot(dense, np.sin(dense), label="sin x")
        plt.plot(dense, curve, "--", label="MLP")
        plt.scatter(X[:, 0], y, s=12, color="black", label="samples")
        plt.legend()
        plt.title("Regression of sin(x)")

    plot(out_dir / "sine_fit.png", draw,
         "sin(x), the trained MLP's curve and the samples it learnt from")
    return results


if __name__ == "__main__":
    raise SystemExit(run(main, __doc__.splitlines()[0]))
