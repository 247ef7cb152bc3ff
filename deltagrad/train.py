"""``deltagrad train DATASET|FILE.csv``: train a small MLP with the playground's settings; save it.

The settings come from the playground's table (``deltagrad.playground.config``: ``--hidden``,
``--activation``, ``--head``, ``--optimizer``, ``--lr``, ``--batch-size``, ``--l2``,
``--test-fraction``, ...), checked by the same ``configure``; each data set starts from a preset.
Writes ``<out>/train-<data>.json`` (settings, losses and accuracies per step, final metrics, on
the held-out data too) and ``<out>/model-<data>.json`` (the model, readable with ``nn.MLP.load``).
On a terminal, a progress bar runs on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TextIO

import numpy as np

from autograd.format import format_number
from autograd.validate import output_folder
from nn import MLP, SGD, Adam, evaluate, fit, l2_penalty
from nn.losses import LOSS_TABLE, TARGETS
from nn.train import MAX_STEPS

from .arguments import whole
from .playground.config import HEADS, Config, configure, split
from .playground.options import add_options, change_of, dataset_argument, dataset_change

# The playground's settings that apply to a run trained here (the others are the page's).
SETTINGS = (
    "hidden",
    "activations",
    "head",
    "optimizer",
    "lr",
    "momentum",
    "batch_size",
    "l2",
    "test_fraction",
    "samples",
    "noise",
)
ALL = 1000  # batch_size: every point (the playground's cap; train on all of them)


@dataclass(frozen=True)
class Preset:
    """How one data set is trained unless the options say otherwise: settings of ``Config``."""

    settings: dict[str, Any]
    steps: int

    def config(self, dataset: str, seed: int = 0) -> Config:
        """The preset's settings for ``dataset``."""
        return configure(
            Config(), {"dataset": dataset, "batch_size": ALL, "seed": seed, **self.settings}
        )

    # The preset as it was read before the settings table (make_data, make_model, loss, lr, l2).
    def make_data(self, seed: int) -> tuple[Any, Any]:
        """The data set's points with ``seed``."""
        return self._config(seed).points()

    def make_model(self, seed: int) -> MLP:
        """A new model of the preset's shape."""
        config = self._config(seed)
        X, y = config.points()
        return build_model(config, X.shape[1], _outputs(config, y))

    @property
    def loss(self) -> str:
        """The name of the loss (a row of ``nn.losses.LOSS_TABLE``)."""
        return HEADS[self.settings["head"]].loss

    @property
    def lr(self) -> float:
        """The learning rate."""
        return self.settings["lr"]

    @property
    def l2(self) -> float:
        """The L2 strength."""
        return self.settings.get("l2", 0.0)

    def _config(self, seed: int) -> Config:
        return self.config(self.settings["dataset"], seed)


PRESETS = {
    "moons": Preset(
        {
            "dataset": "moons",
            "samples": 100,
            "noise": 0.1,
            "hidden": [16, 16],
            "activations": ["relu", "relu"],
            "head": "linear+hinge",
            "lr": 0.05,
            "l2": 1e-4,
        },
        60,
    ),
    "xor": Preset(
        {
            "dataset": "xor",
            "samples": 4,
            "noise": 0.0,
            "hidden": [4],
            "activations": ["tanh"],
            "head": "sigmoid+bce",
            "lr": 0.1,
        },
        150,
    ),
    "circles": Preset(
        {
            "dataset": "circles",
            "samples": 100,
            "hidden": [8, 8],
            "activations": ["tanh", "tanh"],
            "head": "sigmoid+bce",
            "lr": 0.05,
        },
        300,
    ),
    "spiral": Preset(
        {
            "dataset": "spiral",
            "samples": 90,
            "hidden": [16, 16],
            "activations": ["relu", "relu"],
            "head": "softmax+ce",
            "lr": 0.05,
        },
        120,
    ),
    "sine": Preset(
        {
            "dataset": "sine",
            "samples": 40,
            "noise": 0.0,
            "hidden": [16],
            "activations": ["tanh"],
            "head": "linear+mse",
            "lr": 0.05,
        },
        400,
    ),
}
CSV = Preset(
    {"hidden": [8, 8], "activations": ["tanh", "tanh"], "lr": 0.03}, 500
)  # your own points


def _outputs(config: Config, y: np.ndarray) -> int:
    """The network's outputs: one per class when the loss reads a one-hot row, else one."""
    kind = TARGETS[LOSS_TABLE[HEADS[config.head].loss].target]
    return int(y.max()) + 1 if kind.outputs == "classes" else 1


def build_model(config: Config, nin: int, nout: int) -> MLP:
    """The MLP of ``config``: its hidden layers and activations, its head's output, its seed."""
    return MLP(
        nin,
        list(config.hidden) + [nout],
        activation=list(config.activations),
        output_activation=HEADS[config.head].output,
        init="auto",
        seed=config.seed,
    )


def register(subparsers: Any) -> None:
    """Add the ``train`` subcommand to the ``deltagrad`` parser."""
    parser = subparsers.add_parser(
        "train",
        help="train a small MLP on a toy data set or your own CSV",
        description="Train a small MLP with the playground's settings on a toy data set or a CSV "
        "file (x0,x1,...,label); write its losses and the model as JSON.",
    )
    parser.add_argument(
        "dataset",
        type=dataset_argument,
        metavar="DATASET",
        help=f"the data to learn: {', '.join(sorted(PRESETS))}, or a FILE.csv",
    )
    parser.add_argument(
        "--steps",
        type=whole(1, MAX_STEPS),
        default=None,
        help=f"optimisation steps, at most {MAX_STEPS:,} (default per data set: "
        + ", ".join(f"{k} {p.steps}" for k, p in PRESETS.items())
        + f", a CSV {CSV.steps})",
    )
    parser.add_argument("--out", default="out", help="folder for the JSON files (default: out)")
    parser.add_argument(
        "--seed",
        type=whole(0),
        default=0,
        help="seed for the data, the split and the weights (default: 0)",
    )
    add_options(
        parser,
        SETTINGS,
        {
            "hidden": "the data set's",
            "optimizer": "adam",
            "lr": "the data set's",
            "momentum": Config().momentum,
            "batch_size": "all the points",
            "l2": "the data set's",
            "test_fraction": 0,
            "samples": "the data set's",
        },
    )
    parser.set_defaults(run=run)


def _config(args: argparse.Namespace) -> tuple[Config, int, str]:
    """The run's settings, its steps and the name of its files."""
    own = dataset_change(args.dataset)
    preset = PRESETS[args.dataset] if "dataset" in own else CSV
    name = args.dataset if "dataset" in own else Path(args.dataset).stem
    base = configure(Config(), {"batch_size": ALL, "seed": args.seed, **preset.settings, **own})
    change = change_of(args, SETTINGS, base.hidden)
    if "hidden" in change and "activations" not in change:
        change["activations"] = [base.activations[-1] if base.activations else "tanh"] * len(
            change["hidden"]
        )
    return configure(base, change), args.steps or preset.steps, name


class Progress:
    """A progress bar on a terminal: ``[#####.....] 512/1000`` rewritten in place on ``stream``."""

    WIDTH = 30

    def __init__(self, steps: int, stream: TextIO) -> None:
        self.steps, self.stream, self.shown = steps, stream, -1

    def __call__(self, step: int) -> None:
        """Show ``step`` of ``steps`` (redrawn only when the bar moves)."""
        filled = self.WIDTH * step // self.steps
        if filled == self.shown and step != self.steps:
            return
        self.shown = filled
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {step}/{self.steps}")
        if step == self.steps:
            self.stream.write("\r" + " " * (self.WIDTH + 3 + 2 * len(str(self.steps))) + "\r")
        self.stream.flush()


def _logger(steps: int, stream: TextIO) -> tuple[Callable[[str], None], int | None]:
    """Where fit's progress lines go, and how often it writes one: print about ten lines; on a
    terminal, also a bar on ``stream`` moved by a line every 1% (only every tenth printed)."""
    if not stream.isatty():
        return print, None
    every = max(1, steps // 100)
    printed = max(1, steps // 10)
    bar = Progress(steps, stream)

    def log(line: str) -> None:
        step = int(line.split()[1].split("/")[0])  # fit's line: "step  12/100  loss ..."
        bar(step)
        if step % printed == 0 or step in (1, steps):
            stream.write("\r" + " " * (Progress.WIDTH + 3 + 2 * len(str(steps))) + "\r")
            print(line, flush=True)

    return log, every


def run(args: argparse.Namespace) -> int:
    """Train, print progress and final metrics, write the JSON files; returns the exit status 0."""
    config, steps, name = _config(args)
    out = output_folder(args.out, "--out")  # before training, so a bad --out costs no time
    X, y = config.points()
    train_rows, test_rows = split(len(X), config.test_fraction, config.seed)
    model = build_model(config, X.shape[1], _outputs(config, y))
    loss = HEADS[config.head].loss
    params = model.parameters()
    optimizer = (
        SGD(params, lr=config.lr, momentum=config.momentum)
        if config.optimizer == "sgd"
        else Adam(params, lr=config.lr)
    )
    batch = None if config.batch_size >= len(train_rows) else config.batch_size
    held = f", {len(test_rows)} held out" if len(test_rows) else ""
    print(
        f"training {model!r} on {name} ({len(train_rows)} points{held}, {loss} loss, "
        f"{config.optimizer} lr {config.lr:g})"
    )
    log, every = _logger(steps, sys.stderr)
    history = fit(
        model,
        X[train_rows],
        y[train_rows],
        loss=loss,
        optimizer=optimizer,
        steps=steps,
        l2=config.l2,
        batch_size=batch,
        seed=config.seed,
        log=log,
        log_every=every,
    )
    final_loss, final_accuracy = evaluate(model, X[train_rows], y[train_rows], loss)
    # The step lines show each step's objective (loss + L2 term) before its update; this line is
    # the model after the last update, with both parts, so the two never seem to disagree.
    parts = f"{loss} loss {format_number(final_loss)}"
    if config.l2:
        penalty = l2_penalty(params, config.l2).data
        parts += (
            f" + L2 term {format_number(penalty)} = objective {format_number(final_loss + penalty)}"
        )
    shown = "" if final_accuracy is None else f", accuracy {final_accuracy:.1%}"
    print(f"after step {steps}'s update: {parts}{shown}")
    test_loss = test_accuracy = None
    if len(test_rows):
        test_loss, test_accuracy = evaluate(model, X[test_rows], y[test_rows], loss)
        tested = "" if test_accuracy is None else f", accuracy {test_accuracy:.1%}"
        print(
            f"held-out data ({len(test_rows)} points): {loss} loss "
            f"{format_number(test_loss)}{tested}"
        )
    model_path = out / f"model-{name}.json"
    model.save(model_path)
    settings = config.as_dict()
    settings.pop("data")  # the points: in the CSV file
    report = {
        "dataset": name,
        "points": len(X),
        "seed": args.seed,
        "steps": steps,
        "loss_name": loss,
        "lr": config.lr,
        "l2": config.l2,
        "final_loss": final_loss,
        "final_accuracy": final_accuracy,
        "test_points": len(test_rows),
        "test_loss": test_loss,
        "test_accuracy": test_accuracy,
        "loss": history.loss,
        "accuracy": history.accuracy,
        "settings": settings,
        "model_file": model_path.name,
    }
    report_path = out / f"train-{name}.json"
    report_path.write_text(json.dumps(report) + "\n", encoding="utf-8")
    print(f"wrote {report_path} and {model_path}")
    return 0
