"""The ``deltagrad`` command: one module per subcommand, each with ``register(subparsers)``.

``register`` adds the subcommand and sets ``run`` (``args -> exit status``) as its default. Bad
arguments or input give one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import NoReturn, Sequence

from . import check, deltas, example, exercise, graph, tour, train
from .playground import command as playground

COMMANDS = (graph, deltas, train, tour, playground, exercise, check, example)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``deltagrad`` argument parser with every subcommand."""
    parser = _Parser(prog="deltagrad", description="See backpropagation: graphs, deltas, training, a tour.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for command in COMMANDS:
        command.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``deltagrad`` with ``argv`` (``sys.argv[1:]`` by default); returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except BrokenPipeError:  # the reader went away (deltagrad ... | head): stop without a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (ValueError, TypeError, ArithmeticError, OSError) as error:
        print(f"deltagrad {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
