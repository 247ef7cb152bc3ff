"""B7: ``nn.fit`` against the same training loop written in plain batched NumPy.

The task of issue 19: ``nn.fit(model, X, y, loss="hinge", steps=50)`` on micrograd's moons with an
``MLP(2, [16, 16, 1])`` (ReLU hidden layers, linear output), 1,000 samples, full batch, fit's
default optimiser (Adam, lr 0.01). The baseline does the same 50 steps by hand: forward, the
hinge loss's gradient, backward through the layers and Adam's update, on arrays W (out × in), b.
Both start every timed call from the same weights; the target is fit within 2× the hand loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nn

from .report import Section
from .timing import alternate, both, seconds

TARGET = 2.0  # fit within 2× the hand loop
SAMPLES, STEPS, LR, BETAS, EPS = 1000, 50, 0.01, (0.9, 0.999), 1e-8
CHECK_STEPS = 3


def data(samples: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The moons (``SAMPLES`` of them by default), labels 0/1."""
    return nn.data.moons(samples or SAMPLES, noise=0.1, seed=0)


def weights(model: nn.MLP) -> list[np.ndarray]:
    """The model's weights as arrays [W0, b0, W1, b1, ...], W out × in (copies)."""
    arrays = []
    for layer in model.layers:
        arrays.append(np.array([[w.data for w in n.w] for n in layer.neurons]))
        arrays.append(np.array([n.b.data for n in layer.neurons]))
    return arrays


def load(model: nn.MLP, arrays: list[np.ndarray]) -> None:
    """Write arrays [W0, b0, ...] into the model's parameters."""
    for layer, W, b in zip(model.layers, arrays[::2], arrays[1::2]):
        for neuron, row, bias in zip(layer.neurons, W, b):
            for w, x in zip(neuron.w, row.tolist()):
                w.data = x
            neuron.b.data = float(bias)


def hand_fit(params: list[np.ndarray], X: np.ndarray, labels: np.ndarray, steps: int) -> float:
    """``steps`` full-batch steps of hinge loss and Adam in plain NumPy, updating ``params``
    ([W0, b0, W1, b1, ...]) in place; returns the last step's mean loss (before its update)."""
    T = np.where(labels > 0, 1.0, -1.0)
    n = len(X)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2 = BETAS
    value = 0.0
    for t in range(1, steps + 1):
        hs, vs = [X], []
        layers = len(params) // 2
        for k in range(layers):
            vs.append(hs[-1] @ params[2 * k].T + params[2 * k + 1])
            hs.append(np.maximum(vs[-1], 0.0) if k < layers - 1 else vs[-1])
        margin = 1.0 - T * hs[-1][:, 0]
        value = float(np.maximum(margin, 0.0).mean())
        g = ((margin > 0) * (-T / n))[:, None]
        grads: list[Any] = [None] * len(params)
        for k in range(layers - 1, -1, -1):
            grads[2 * k], grads[2 * k + 1] = g.T @ hs[k], g.sum(axis=0)
            if k:
                g = (g @ params[2 * k]) * (vs[k - 1] > 0)
        for p, gp, mp, vp in zip(params, grads, m, v):
            mp[...] = beta1 * mp + (1 - beta1) * gp
            vp[...] = beta2 * vp + (1 - beta2) * gp * gp
            p -= LR * (mp / (1 - beta1**t)) / (np.sqrt(vp / (1 - beta2**t)) + EPS)
    return value


def fit(model: nn.MLP, X: np.ndarray, labels: np.ndarray, steps: int) -> float:
    """``nn.fit`` as a user calls it (its default optimiser); returns the last step's loss."""
    history = nn.fit(model, X, labels, loss="hinge", steps=steps, log=None)
    return history.loss[-1]


def check(samples: int = 40) -> float:
    """The largest difference between fit's weights and the hand loop's after a few steps."""
    X, labels = data(samples)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    params = weights(model)
    fit(model, X, labels, CHECK_STEPS)
    hand_fit(params, X, labels, CHECK_STEPS)
    return max(float(np.abs(a - b).max()) for a, b in zip(weights(model), params))


def run(quick: bool) -> Section:
    """Time fit and the hand loop alternately, each call from the same weights."""
    X, labels = data()
    section = Section(f"B7 nn.fit vs plain batched NumPy: MLP(2, [16, 16, 1]), {SAMPLES:,} moons, "
                      f"full batch, hinge, Adam, {STEPS} steps",
                      ["contender", "gc on: median (min)", "vs hand", "gc off: median (min)",
                       "vs hand"])
    worst = check()
    model = nn.MLP(2, [16, 16, 1], seed=0)
    start = weights(model)

    def by_fit() -> float:
        load(model, start)
        return fit(model, X, labels, STEPS)

    def by_hand() -> float:
        return hand_fit([p.copy() for p in start], X, labels, STEPS)

    rounds = 2 if quick else 5
    contenders = {"nn.fit": by_fit, "plain batched NumPy": by_hand}
    on = alternate(contenders, rounds, collect=True)
    off = alternate(contenders, rounds, collect=False)
    for name in contenders:
        section.rows.append([name, f"{seconds(on[name].median)} ({seconds(on[name].best)})",
                             both(on[name], on["plain batched NumPy"]),
                             f"{seconds(off[name].median)} ({seconds(off[name].best)})",
                             both(off[name], off["plain batched NumPy"])])
    ratio = on["nn.fit"].median / on["plain batched NumPy"].median
    section.target(f"nn.fit within {TARGET:g}× the hand loop (medians, default collector)",
                   f"{ratio:.1f}×", ratio <= TARGET)
    section.target("same weights as the hand loop to 1e-9",
                   f"largest difference after {CHECK_STEPS} steps: {worst:.1e}", worst <= 1e-9)
    section.notes.append(f"{rounds} alternating rounds; a timing is one call of {STEPS} steps; "
                         "both start every call from the same weights; one BLAS thread")
    return section
