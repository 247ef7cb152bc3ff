"""The engine core (``value.py``, ``ops.py``, ``backward.py``) stays short enough to read aloud in
one sitting: at most 500 lines (issue 19), none past 100 columns and no two statements on a line,
checked by ruff (the ``test`` extra), so the budget is not met by packing lines."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import autograd

CORE = ("value.py", "ops.py", "backward.py")
# The modules beside the core that issue 19 moved out of it: held to the same column limit.
BESIDE = ("fast.py", "methods.py", "functional.py", "nary.py")
BUDGET = 500
FOLDER = Path(autograd.__file__).parent


def ruff(*paths: Path) -> subprocess.CompletedProcess:
    """ruff's check of line length (E501) and packed statements (E701, E702, E703), 100 columns."""
    try:
        import ruff  # noqa: F401
    except ImportError:
        pytest.fail("ruff is missing: pip install -e '.[test]'")
    command = [sys.executable, "-m", "ruff", "check", "--isolated", "--line-length", "100",
               "--select", "E501,E701,E702,E703", "--output-format", "concise", *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_the_engine_core_is_within_its_line_budget():
    counts = {name: len((FOLDER / name).read_text(encoding="utf-8").splitlines()) for name in CORE}
    assert sum(counts.values()) <= BUDGET, counts


@pytest.mark.parametrize("name", CORE + BESIDE)
def test_no_line_of_the_core_is_packed(name):
    result = ruff(FOLDER / name)
    assert result.returncode == 0, result.stdout + result.stderr


def one_line_defs(source: str) -> list[int]:
    """The lines where a function's body starts on its ``def`` line (ruff has no stable rule)."""
    packed = []
    for f in ast.walk(ast.parse(source)):
        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)):
            header = [f.lineno, *(getattr(n, "end_lineno", 0) or 0 for n in ast.walk(f.args))]
            header += [f.returns.end_lineno] if f.returns else []
            if f.body[0].lineno <= max(header):
                packed.append(f.lineno)
    return packed


@pytest.mark.parametrize("name", CORE + BESIDE)
def test_no_function_of_the_core_is_written_on_one_line(name):
    assert one_line_defs((FOLDER / name).read_text(encoding="utf-8")) == []


def test_the_checks_find_packed_lines(tmp_path):
    packed = tmp_path / "packed.py"
    packed.write_text("if True: y = 1\n" + "y = " + " + ".join(["1"] * 40) + "\n")
    out = ruff(packed).stdout
    assert "E701" in out and "E501" in out
    assert one_line_defs("def f(x): return x\n\n\ndef g(x):\n    return x\n") == [1]
