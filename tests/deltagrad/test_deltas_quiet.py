"""``deltagrad deltas`` prints its table and nothing else: no NumPy RuntimeWarning with a source
path on stderr (issue 23, failure 10: reported for ``--activation linear``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nn.deltas import HAND_ACTIVATIONS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("activation", sorted(HAND_ACTIVATIONS))
def test_deltas_writes_nothing_on_stderr(activation):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "always"}
    done = subprocess.run([sys.executable, "-m", "deltagrad", "deltas", "--activation", activation],
                          capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode in (0, 1) and "agree" in done.stdout
    assert done.stderr == "", done.stderr
