"""``deltagrad deltas``: the delta rule of *Lecture 24: Backpropagation*, derived by hand, next to
autograd and finite differences, as a table.

Exit status 0 when the hand formula, autograd and central differences agree, 1 when they do
not, 2 for bad arguments (a ``ValueError`` the dispatcher turns into one line).
"""

from __future__ import annotations

import argparse

import numpy as np

from autograd.format import format_number
from nn import ACTIVATIONS, MLP
from nn.deltas import LOSSES, REDUCTIONS, check_size, compare

from .arguments import listed, whole

__all__ = ["register", "run"]

EXAMPLE = """examples:
  deltagrad deltas --layers 2,3,1 --activation sigmoid --seed 0
  deltagrad deltas --layers 2,3,1 --x=0.5,-1 --target 0.8
  deltagrad deltas --layers 2,4,3 --loss ce --x "0.5,-1; 1,2" --target "2; 0" --reduction mean
A value list that starts with a minus sign needs '=' (--x=-1,2)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``deltas`` subcommand to the ``deltagrad`` parser."""
    parser = subparsers.add_parser(
        "deltas",
        help="hand-derived deltas (Lecture 24's delta rule) vs autograd vs finite differences",
        description="Compute the error backpropagation of Lecture 24 (Backpropagation) by hand in NumPy and "
        "compare every δ and ∂J/∂w with autograd and a central difference. Exit status 1 when they disagree.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--layers", type=listed(whole(1)), default="2,3,1", help="widths, inputs first (default 2,3,1)")
    parser.add_argument("--activation", default="sigmoid", choices=list(ACTIVATIONS),
                        help="hidden layers' activation (default sigmoid)")
    parser.add_argument("--output-activation", choices=[*ACTIVATIONS, "softmax"],
                        help="output layer's activation (default: --activation for sse, sigmoid for bce, "
                        "softmax for ce)")
    parser.add_argument("--seed", type=whole(0), default=0, help="seed of the weights and of x/target when not given")
    parser.add_argument("--x", help="input values 'a,b' or samples 'a,b; c,d' (default: drawn from the seed)")
    parser.add_argument("--target", help="target per sample, ';' between samples; for ce a class index "
                        "(default: drawn from the seed)")
    parser.add_argument("--loss", default="sse", choices=list(LOSSES), help="sse (½Σe²), bce or ce (default sse)")
    parser.add_argument("--reduction", default="sum", choices=list(REDUCTIONS),
                        help="over samples: sum (as the lecture) or mean (default sum)")
    parser.set_defaults(run=run)


def _samples(text: str, option: str) -> list[list[float]]:
    """'a,b; c,d' as [[a, b], [c, d]]."""
    try:
        return [[float(part) for part in sample.split(",")] for sample in text.split(";")]
    except ValueError:
        raise ValueError(f"{option} must be numbers separated by ',' (samples by ';'), got {text!r}") from None


def _targets(text: str, loss: str) -> list:
    if loss != "ce":
        return _samples(text, "--target")
    try:
        return [int(part) for part in text.split(";")]
    except ValueError:
        raise ValueError(f"--target for ce is a class index per sample ('2' or '2; 0'), got {text!r}") from None


def _show(samples: list) -> str:
    rows = ["[" + ", ".join(format_number(a, 6) for a in s) + "]" if isinstance(s, list) else str(s)
            for s in samples]
    return rows[0] if len(rows) == 1 else "; ".join(rows)


def run(args: argparse.Namespace) -> int:
    """Build the MLP, compare, print the table; 0 when everything agrees, else 1."""
    widths = args.layers
    if len(widths) < 2:
        raise ValueError(f"--layers needs at least two widths (inputs and outputs), got {','.join(map(str, widths))!r}")
    nin, nout = widths[0], widths[-1]
    output = args.output_activation or {"sse": args.activation, "bce": "sigmoid", "ce": "softmax"}[args.loss]
    rng = np.random.default_rng(args.seed + 1)  # not the weights' stream
    xs = _samples(args.x, "--x") if args.x is not None else [[float(a) for a in rng.uniform(-1, 1, nin)]]
    check_size(widths, len(xs), name="--layers")  # before building anything
    model = MLP(nin, widths[1:], activation=args.activation, output_activation=output, seed=args.seed)
    if args.target is not None:
        ts = _targets(args.target, args.loss)
    elif args.loss == "ce":
        ts = [int(rng.integers(nout)) for _ in xs]
    else:
        ts = [[float(a) for a in rng.uniform(0, 1, nout)] for _ in xs]
    if len(ts) != len(xs):
        raise ValueError(f"--x has {len(xs)} sample(s) but --target has {len(ts)}")
    single = len(xs) == 1
    report = compare(model, xs[0] if single else xs, ts[0] if single else ts, loss=args.loss, reduction=args.reduction)
    names = f"{args.activation} hidden, {output} output" if len(widths) > 2 else f"{output} output"
    print(f"MLP {','.join(map(str, widths))} ({names}), seed {args.seed}")
    print(f"x = {_show(xs)}, target = {_show(ts)}")
    print()
    print(report)
    return 0 if report.ok else 1
