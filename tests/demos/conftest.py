"""Load a demo script by its path (demos/ is not a package) so its ``main`` can be called."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

DEMOS = Path(__file__).resolve().parents[2] / "demos"


@pytest.fixture(scope="session")
def demo() -> "callable":
    """``demo("01")`` is the module of demos/01_*.py."""
    if str(DEMOS) not in sys.path:
        sys.path.insert(0, str(DEMOS))  # the scripts import their neighbour common.py

    def load(number: str) -> ModuleType:
        (path,) = DEMOS.glob(f"{number}_*.py")
        spec = importlib.util.spec_from_file_location(f"demo_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
