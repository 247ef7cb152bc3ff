"""The deltagrad command as a whole: its subcommands, python -m, a closed pipe."""

from __future__ import annotations

import subprocess
import sys

from deltagrad.cli import build_parser


def test_help_lists_every_subcommand():
    text = build_parser().format_help()
    for command in ("graph", "deltas", "train", "tour", "playground"):
        assert command in text


def test_python_dash_m_runs_the_command():
    done = subprocess.run([sys.executable, "-m", "deltagrad", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "playground" in done.stdout


def test_a_reader_that_goes_away_is_no_traceback():
    # `deltagrad deltas ... | head -1`: the pipe closes after one line of a long table.
    command = [sys.executable, "-m", "deltagrad", "deltas", "--layers", "2,30,30,1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        first = process.stdout.readline()
        process.stdout.close()
        errors = process.stderr.read().decode()
        status = process.wait()
    assert first.startswith(b"MLP 2,30,30,1") and "Traceback" not in errors and status in (0, 141)
