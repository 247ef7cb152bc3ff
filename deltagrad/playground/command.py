"""``deltagrad playground [DATASET] [--port N] [--no-browser] [--record FILE.html]``.

Starts the playground's server on 127.0.0.1, prints its address and opens the browser; the page
opens paused at step 0 (press play, or start with ``--autoplay``). Ctrl-C stops it. With
``--record FILE.html`` there is no server: the run is trained
for ``--steps`` updates and written as an offline page with a slider over its snapshots.
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
import webbrowser
from typing import Any

from autograd import validate

from ..arguments import HTML, listed, whole
from .config import DATASETS, Config, configure
from .options import OPTIONS, add_options, change_of, dataset_argument, dataset_change
from .recorder import DEFAULT_STEPS, record
from .server import Playground, PlaygroundServer

__all__ = ["register", "run", "DEFAULT_PORT"]

DEFAULT_PORT = 8765
PROG = "deltagrad playground"


# The options that give a setting of Config (checked by config.configure, with its caps): every
# setting but the data set and your own points (the DATASET argument).
SETTINGS = tuple(name for name in OPTIONS)
DEFAULTS = Config()


def register(subparsers: Any) -> None:
    """Add the ``playground`` subcommand to the ``deltagrad`` parser."""
    parser = subparsers.add_parser(
        "playground", help="train an MLP live in the browser and open the backprop of any sample",
        description="A local web app on 127.0.0.1: watch an MLP learn (decision regions, loss, the network) "
                    "and click a sample, a unit or a weight to see its backpropagation with the numbers.")
    parser.add_argument("dataset", nargs="?", default=DEFAULTS.dataset, type=dataset_argument,
                        metavar="DATASET",
                        help=f"the data set to learn: {', '.join(DATASETS)}, or a FILE.csv of your "
                             "own points "
                             f"(x0,x1,label; a header line optional; real labels: regression) "
                             f"(default: {DEFAULTS.dataset})")
    parser.add_argument("--port", type=whole(0, 65535), default=DEFAULT_PORT,
                        help=f"the port on 127.0.0.1 (default: {DEFAULT_PORT}; 0: any free port)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser; print the address only")
    parser.add_argument("--autoplay", action="store_true",
                        help="start training at once (by default the page opens paused at "
                             "step 0: press play)")
    parser.add_argument("--paused", action="store_true", help=argparse.SUPPRESS)  # the default now
    parser.add_argument("--record", metavar="FILE.html",
                        help="no server: train --steps updates and write an offline page of the run")
    parser.add_argument("--steps", type=whole(),
                        help=f"with --record: updates to make (default: {DEFAULT_STEPS})")
    parser.add_argument("--at", type=listed(whole()), metavar="0,10,100",
                        help="with --record: the steps to keep (default: 0, 1, 2, 5, 10, 20, 50, ... and the last)")
    add_options(parser, SETTINGS, DEFAULTS.as_dict())
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.set_defaults(run=run)


def _config(args: argparse.Namespace) -> Config:
    change = {**dataset_change(args.dataset), **change_of(args, SETTINGS, DEFAULTS.hidden)}
    return configure(DEFAULTS, change)


def run(args: argparse.Namespace) -> int:
    """Serve the playground until Ctrl-C (or write a recording); returns the exit status.

    A bad argument raises ``ValueError``/``TypeError``/``OSError``, which ``deltagrad.cli`` prints
    in one line with exit status 2.
    """
    if args.record is None:
        for option, value in (("--steps", args.steps), ("--at", args.at)):
            if value is not None:
                raise ValueError(f"{option} applies only with --record (there is no recording to make)")
    config = _config(args)
    if args.record is not None:
        return _record(args, config)
    playground = Playground(config, playing=args.autoplay and not args.paused)
    try:
        server = PlaygroundServer(playground, args.port, verbose=args.verbose)
    except OSError as error:  # one line from deltagrad.cli, not the socket's own words
        if error.errno == errno.EADDRINUSE:
            raise OSError(f"port {args.port} on 127.0.0.1 is in use (another playground?); choose another with --port") from None
        raise OSError(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror or error}") from None
    doing = "training" if args.autoplay else "paused at step 0 on"
    what = config.data.source if config.data is not None else config.dataset
    print(f"{PROG}: {server.url} ({doing} {what}; Ctrl-C stops it)", flush=True)
    playground.start()
    if not args.no_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` stops it as cleanly as Ctrl-C
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print(f"\n{PROG}: stopped", flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        playground.stop()
    return 0


def _record(args: argparse.Namespace, config: Config) -> int:
    """Write the recording of ``--record``; 130 when Ctrl-C stops the training first."""
    validate.output_file(args.record, "--record", suffixes=HTML)  # before training, not after
    steps = DEFAULT_STEPS if args.steps is None else args.steps
    try:
        done = record(args.record, config, steps=steps, at=args.at)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted; {args.record} was not written", file=sys.stderr)
        return 130
    print(f"wrote {done.path}: {len(done.steps)} snapshots (steps {', '.join(map(str, done.steps))}), "
          f"the backprop of samples {', '.join(map(str, done.samples))}")
    if done.message:
        print(done.message)
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
