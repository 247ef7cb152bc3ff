"""The ``deltagrad`` command: a thin dispatcher to subcommands that live with the part they drive.

Each command module has ``register(subparsers)``, which adds its subcommands and sets ``run``
(``args -> int exit status``) as their default. Bad arguments or input give one line on stderr
and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn, Sequence

# graph and tour drive viz; deltas and train drive nn. Imported when the parser is built.
COMMAND_MODULES = ("viz.cli_graph", "nn.cli_deltas", "nn.cli_train", "viz.tour")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``deltagrad`` argument parser with every available subcommand."""
    parser = _Parser(prog="deltagrad", description="See backpropagation: graphs, deltas, training, a tour.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:  # a real missing dependency, not a command still to be written
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``deltagrad`` with ``argv`` (``sys.argv[1:]`` by default); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (ValueError, TypeError, ArithmeticError, OSError) as error:
        print(f"deltagrad {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
