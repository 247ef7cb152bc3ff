"""``python -m deltagrad.playground [DATASET] [options]``: the ``deltagrad playground`` command,
runnable on its own."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn, Sequence

from .command import register


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit status 2
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` as ``deltagrad playground``'s arguments and run it; returns the exit status."""
    parser = _Parser(prog="deltagrad")
    register(parser.add_subparsers(dest="command", parser_class=_Parser))
    args = parser.parse_args(["playground", *(sys.argv[1:] if argv is None else argv)])
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
