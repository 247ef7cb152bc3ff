"""The command-line options of a run's settings, one per field of ``Config``, shared by
``deltagrad playground`` and ``deltagrad train``; and the DATASET argument (a data set's name or
a CSV file of your own points).

Each option only converts text; ``config.configure`` checks the values with their caps, so a bad
one is the same error whichever command or the page sent it.
"""

from __future__ import annotations

import argparse
from typing import Any, Sequence

from ..arguments import listed, number, whole
from .config import CHECKS, DATASETS, HEADS, LIMITS, OPTIMIZERS, Points

__all__ = ["OPTIONS", "add_options", "change_of", "dataset_argument", "dataset_change"]

# setting -> (its flag, argparse's keywords); "{default}" in a help text is the command's default.
OPTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "hidden": (
        "--hidden",
        {
            "type": listed(whole()),
            "metavar": "8,8",
            "help": "hidden layer widths (default: {default}; an empty text for none)",
        },
    ),
    "activations": (
        "--activation",
        {
            "type": listed(str),
            "metavar": "tanh",
            "help": "the hidden activation, or one per hidden layer (tanh,relu)",
        },
    ),
    "head": (
        "--head",
        {"choices": list(HEADS), "help": "output activation and loss (default: the data's)"},
    ),
    "optimizer": ("--optimizer", {"choices": list(OPTIMIZERS), "help": "default: {default}"}),
    "lr": ("--lr", {"type": number, "help": "learning rate (default: {default})"}),
    "momentum": ("--momentum", {"type": number, "help": "SGD's momentum (default: {default})"}),
    "batch_size": (
        "--batch-size",
        {"type": whole(), "help": "samples per step (default: {default})"},
    ),
    "l2": ("--l2", {"type": number, "help": "L2 penalty strength (default: {default})"}),
    "test_fraction": (
        "--test-fraction",
        {
            "type": number,
            "metavar": "0.2",
            "help": "the share of the data held out to test "
            f"(default: {{default}}; at most {LIMITS['test_fraction']})",
        },
    ),
    "samples": ("--samples", {"type": whole(), "help": "data points (default: {default})"}),
    "noise": ("--noise", {"type": number, "help": "the data's noise (default per data set)"}),
    "seed": (
        "--seed",
        {"type": whole(), "help": "seed of the data and the weights (default: {default})"},
    ),
    "speed": ("--speed", {"type": whole(), "help": "steps per second (default: {default})"}),
    "max_steps": (
        "--max-steps",
        {"type": whole(), "help": "training stops there (default: {default})"},
    ),
}
assert set(OPTIONS) <= set(CHECKS), "every option is a setting configure checks"


def add_options(
    parser: argparse.ArgumentParser, names: Sequence[str], defaults: dict[str, Any]
) -> None:
    """Add the options of the settings ``names`` to ``parser`` (each defaults to None: not given).

    Args:
        parser: a subcommand's parser.
        names: settings of ``Config`` (keys of ``OPTIONS``).
        defaults: what each help text shows as the default.
    """
    for name in names:
        flag, keywords = OPTIONS[name]
        shown = defaults.get(name, "")
        shown = ",".join(map(str, shown)) if isinstance(shown, (list, tuple)) else shown
        parser.add_argument(
            flag, dest=name, **{**keywords, "help": keywords["help"].format(default=shown)}
        )


def change_of(
    args: argparse.Namespace, names: Sequence[str], hidden: Sequence[int]
) -> dict[str, Any]:
    """The settings given on the command line, as a change for ``configure``; one ``--activation``
    applies to every hidden layer.

    Args:
        args: the parsed arguments.
        names: the settings the command has options for.
        hidden: the hidden widths when ``--hidden`` is not given.
    """
    change = {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
    if len(change.get("activations", ())) == 1:
        change["activations"] = change["activations"] * len(change.get("hidden", hidden))
    return change


def dataset_argument(text: str) -> str:
    """An argparse type: a data set's name, or the name of a ``.csv`` file."""
    if text in DATASETS or text.lower().endswith(".csv"):
        return text
    raise argparse.ArgumentTypeError(
        f"expected one of {', '.join(DATASETS)} or a FILE.csv, got {text!r}"
    )


def dataset_change(dataset: str) -> dict[str, Any]:
    """The change of settings DATASET makes: ``{"dataset": name}``, or your own points read from
    the CSV file (an error names the file and its line)."""
    if dataset in DATASETS:
        return {"dataset": dataset}
    return {"data": Points.read(dataset)}
