"""``python -m deltagrad.playground [DATASET] [options]``: the same as ``deltagrad playground``."""

import sys

from ..cli import main

sys.exit(main(["playground", *sys.argv[1:]]))
