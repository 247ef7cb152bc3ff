"""autograd.validate.output_file: a file name to write, with an optional rule on its suffix."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd.validate import output_file


def test_a_name_is_returned_as_a_path_and_its_folder_made(tmp_path):
    target = output_file(str(tmp_path / "new" / "a.txt"), "out")
    assert target == tmp_path / "new" / "a.txt" and target.parent.is_dir()


@pytest.mark.parametrize("name", ["page.html", "PAGE.HTM", "p.Html"])
def test_a_suffix_among_the_allowed_ones_passes_in_any_case(tmp_path, name):
    assert output_file(tmp_path / name, "--steps", suffixes=(".html", ".htm")) == tmp_path / name


@pytest.mark.parametrize("name", ["r.txt", "page", "page.html.bak"])
def test_another_suffix_names_the_argument_and_makes_nothing(tmp_path, name):
    with pytest.raises(ValueError, match="--record") as error:
        output_file(tmp_path / "sub" / name, "--record", suffixes=(".html", ".htm"))
    assert ".html" in str(error.value) and not (tmp_path / "sub").exists()


def test_without_suffixes_any_name_goes(tmp_path):
    assert output_file(tmp_path / "page", "out") == tmp_path / "page"


def test_a_folder_and_a_non_name_are_refused(tmp_path):
    with pytest.raises(IsADirectoryError, match="out"):
        output_file(tmp_path, "out")
    with pytest.raises(TypeError, match="out"):
        output_file(3, "out")
    assert isinstance(output_file(Path(tmp_path / "x.html"), "out", suffixes=[".html"]), Path)
