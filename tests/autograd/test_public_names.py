"""What one module of autograd needs from another is public (issue 19): no import line names a
private (``_name``) name of another module; the names that moved keep working, with a warning."""

import ast
import importlib
from pathlib import Path

import pytest

import autograd
import autograd.value
from autograd.moved import MOVED

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


@pytest.mark.parametrize("old, new", [(f"{module}.{name}", ".".join(target))
                                      for module, names in MOVED.items()
                                      for name, target in names.items()])
def test_a_moved_name_still_works_and_says_where_it_lives_now(old, new):
    old_module, old_name = old.rsplit(".", 1)
    new_module, new_name = new.rsplit(".", 1)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        found = getattr(importlib.import_module(old_module), old_name)
    assert found is getattr(importlib.import_module(new_module), new_name)


def test_a_missing_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="nothing_here"):
        _ = autograd.value.nothing_here
    with pytest.warns(DeprecationWarning):
        from autograd.backward import gradients  # noqa: F401
