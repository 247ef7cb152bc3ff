"""What one module of autograd needs from another is public (issue 19): no import line names a
private (``_name``) name of another module."""

import ast
from pathlib import Path

import pytest

import autograd

FOLDER = Path(autograd.__file__).parent


def private_imports(source: str) -> list[str]:
    """``module._name`` for each private name an ``import`` or ``from ... import`` line takes."""
    found = []
    for statement in ast.walk(ast.parse(source)):
        if isinstance(statement, ast.ImportFrom) and statement.module != "__future__":
            names = [a.name for a in statement.names if a.name.startswith("_")]
            found += [f"{statement.module}.{name}" for name in names]
        elif isinstance(statement, ast.Import):
            found += [a.name for a in statement.names
                      if any(part.startswith("_") for part in a.name.split("."))]
    return found


@pytest.mark.parametrize("path", sorted(FOLDER.rglob("*.py")), ids=lambda p: p.name)
def test_no_module_of_autograd_imports_a_private_name(path):
    assert private_imports(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_a_private_import():
    source = "from .value import Value, _apply\nimport a._b\n"
    assert private_imports(source) == ["value._apply", "a._b"]
    assert private_imports("from __future__ import annotations\nfrom . import fast\n") == []
