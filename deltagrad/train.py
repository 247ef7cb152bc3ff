"""``deltagrad train {moons,xor,spiral,sine}``: train a small MLP on a toy data set and save it.

Writes ``<out>/train-<data>.json`` (settings, losses and accuracies per step, final metrics) and
``<out>/model-<data>.json`` (the model, readable with ``nn.MLP.load``).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from typing import Any, Callable

from autograd.format import format_number
from autograd.validate import output_folder
from nn import MLP, Adam, data, evaluate, fit, l2_penalty
from nn.train import MAX_STEPS

from .arguments import whole


@dataclass(frozen=True)
class Preset:
    """How one data set is trained by default."""

    make_data: Callable[[int], tuple[Any, Any]]  # seed -> (X, y)
    make_model: Callable[[int], MLP]  # seed -> model
    loss: str
    lr: float
    steps: int
    l2: float = 0.0


PRESETS = {
    "moons": Preset(lambda s: data.moons(100, noise=0.1, seed=s), lambda s: MLP(2, [16, 16, 1], seed=s),
                    "hinge", lr=0.05, steps=60, l2=1e-4),
    "xor": Preset(lambda s: data.xor(), lambda s: MLP(2, [4, 1], "tanh", "sigmoid", init="auto", seed=s),
                  "binary_cross_entropy", lr=0.1, steps=150),
    "spiral": Preset(lambda s: data.spiral(30, classes=3, seed=s),
                     lambda s: MLP(2, [16, 16, 3], output_activation="softmax", init="auto", seed=s),
                     "cross_entropy", lr=0.05, steps=120),
    "sine": Preset(lambda s: data.sine(40, seed=s), lambda s: MLP(1, [16, 1], "tanh", init="auto", seed=s),
                   "mse", lr=0.05, steps=400),
}


def register(subparsers: Any) -> None:
    """Add the ``train`` subcommand to the ``deltagrad`` parser."""
    parser = subparsers.add_parser("train", help="train a small MLP on a toy data set",
                                   description="Train a small MLP on a toy data set; write its losses and the model as JSON.")
    parser.add_argument("dataset", choices=sorted(PRESETS), help="the data set to learn")
    parser.add_argument("--steps", type=whole(1, MAX_STEPS), default=None,
                        help=f"optimisation steps, at most {MAX_STEPS:,} (default per data set: "
                             + ", ".join(f"{k} {p.steps}" for k, p in PRESETS.items()) + ")")
    parser.add_argument("--out", default="out", help="folder for the JSON files (default: out)")
    parser.add_argument("--seed", type=whole(0), default=0, help="seed for the data and the weights (default: 0)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Train, print progress and final metrics, write the JSON files; returns the exit status 0."""
    preset = PRESETS[args.dataset]
    steps = args.steps or preset.steps
    out = output_folder(args.out, "--out")  # before training, so a bad --out costs no time
    X, y = preset.make_data(args.seed)
    model = preset.make_model(args.seed)
    print(f"training {model!r} on {args.dataset} ({len(X)} points, {preset.loss} loss, Adam lr {preset.lr})")
    history = fit(model, X, y, loss=preset.loss, optimizer=Adam(model.parameters(), lr=preset.lr), steps=steps,
                  l2=preset.l2, seed=args.seed)
    final_loss, final_accuracy = evaluate(model, X, y, preset.loss)
    # The step lines show each step's objective (loss + L2 term) before its update; this line is
    # the model after the last update, with both parts, so the two never seem to disagree.
    parts = f"{preset.loss} loss {format_number(final_loss)}"
    if preset.l2:
        penalty = l2_penalty(model.parameters(), preset.l2).data
        parts += f" + L2 term {format_number(penalty)} = objective {format_number(final_loss + penalty)}"
    shown = "" if final_accuracy is None else f", accuracy {final_accuracy:.1%}"
    print(f"after step {steps}'s update: {parts}{shown}")
    model_path = out / f"model-{args.dataset}.json"
    model.save(model_path)
    report = {"dataset": args.dataset, "points": len(X), "seed": args.seed, "steps": steps, "loss_name": preset.loss,
              "lr": preset.lr, "l2": preset.l2, "final_loss": final_loss, "final_accuracy": final_accuracy,
              "loss": history.loss, "accuracy": history.accuracy, "model_file": model_path.name}
    report_path = out / f"train-{args.dataset}.json"
    report_path.write_text(json.dumps(report) + "\n", encoding="utf-8")
    print(f"wrote {report_path} and {model_path}")
    return 0
