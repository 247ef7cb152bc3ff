"""Training with the vectorised replay: micrograd's moons problem, full batch, 1,000 steps in seconds.

The scalar engine builds the graph of ONE sample's loss (an MLP(2, [16, 16, 1]) score, the SVM
max-margin loss and the L2 penalty); ``autograd.compile_graph`` records it once, and every step
replays it over all 100 samples at once with NumPy, writing the averaged gradients into the
parameters' ``.grad``. ``nn.SGD`` then updates them as usual, with micrograd's learning-rate
schedule stretched over the run. At the end the scalar engine recomputes the loss at the trained
weights, sample by sample, as a check, and one scalar step is timed for comparison.

Run: python demos/08_train_compiled.py [--quick] [--out DIR]
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from autograd import Value, compile_graph
from common import run
from nn import MLP, SGD, data, hinge, l2_penalty

ALPHA = 1e-4


def main(out_dir: Path, quick: bool = False) -> dict:
    """Train, printing the loss and accuracy every tenth of the run; returns the numbers."""
    steps = 200 if quick else 1000
    X, y = data.moons(100, noise=0.1, seed=1337)
    Y = 2.0 * y - 1.0  # labels -1 and +1, as the SVM loss wants
    model = MLP(2, [16, 16, 1], seed=1337)
    params = model.parameters()

    # One sample's graph: inputs x0, x1 and the label t are leaves whose values the replay sets.
    x, t = [Value(0.0, "x0"), Value(0.0, "x1")], Value(0.0, "t")
    score = model(x)
    loss = (1 - t * score).relu() + l2_penalty(params, ALPHA)  # averaged over samples: hinge + L2
    train = compile_graph(loss, x + [t], params, reduction="mean")
    scores = compile_graph(score, x, params)
    print(train)
    batch = np.column_stack([X, Y])
    optimizer = SGD(params, lr=1.0)
    first = float(train.forward(batch).mean())

    start = time.perf_counter()
    for k in range(steps):
        optimizer.zero_grad()
        losses = train.backward(batch)
        optimizer.lr = 1.0 - 0.9 * k / steps  # micrograd's schedule, over this many steps
        optimizer.step()
        if k % (steps // 10) == 0 or k == steps - 1:
            accuracy = float(np.mean((scores.forward(X) > 0) == (Y > 0)))
            print(f"step {k:4d}  loss {losses.mean():.4f}  accuracy {accuracy:.0%}")
    seconds = time.perf_counter() - start
    final = float(train.forward(batch).mean())
    print(f"{steps} steps in {seconds:.2f} s ({seconds / steps * 1e3:.2f} ms a step)")

    # The scalar engine, sample by sample, at the trained weights: the same loss, and its time.
    start = time.perf_counter()
    rows = X.tolist()
    scalar = hinge([model(row) for row in rows], Y.tolist()) + l2_penalty(params, ALPHA)
    scalar.backward()
    scalar_seconds = time.perf_counter() - start
    print(f"scalar engine at the same weights: loss {scalar.data:.12f} (replay {final:.12f}); "
          f"one scalar step takes {scalar_seconds * 1e3:.0f} ms, {scalar_seconds / (seconds / steps):.0f}x a replayed step")
    return {"steps": steps, "seconds": seconds, "first_loss": first, "final_loss": final, "scalar_loss": scalar.data,
            "accuracy": accuracy, "scalar_step_seconds": scalar_seconds}


if __name__ == "__main__":
    raise SystemExit(run(main, __doc__.split("\n\n")[0]))
