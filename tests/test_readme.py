"""The README's Python examples run as written and print what the README says they print."""

import re
import runpy
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index: int, tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)  # an empty folder: the examples make what they write into
    script = tmp_path / f"readme_example_{index}.py"
    script.write_text(BLOCKS[index], encoding="utf-8")
    namespace = runpy.run_path(str(script))
    printed = capsys.readouterr().out
    if "Value(data=0.7071, grad=1.0)" in BLOCKS[index]:  # the lecture neuron: check the promised numbers
        assert "Value(data=0.7071, grad=1.0)" in printed
        assert namespace["x1"].grad == pytest.approx(-1.5) and namespace["w1"].grad == pytest.approx(1.0)
        assert namespace["x2"].grad == pytest.approx(0.5) and namespace["w2"].grad == 0.0
    if "register_op" in BLOCKS[index]:
        assert printed.splitlines() == ["Value(data=8.0, grad=0.0)", "True"]
    if "compare(" in BLOCKS[index]:
        assert namespace["report"].ok and namespace["report"].max_abs_error < 1e-9
        promised = float(re.search(r"# True, about (1e-\d+)", BLOCKS[index])[1])  # within a factor of 10
        assert promised / 10 < namespace["report"].max_abs_error < promised * 10
    if "nn.deltas.check(" in BLOCKS[index]:  # the graded table the README shows after it
        text = README.read_text(encoding="utf-8")
        shown = re.search(re.escape(BLOCKS[index]) + r"```\n\n```text\n(.*?)```", text, re.S)[1]
        assert printed == shown
    if "compile_graph" in BLOCKS[index]:
        model, X = namespace["model"], namespace["X"]
        expected = [model(list(row)).data for row in X[:5]]
        assert namespace["scores"][:5] == pytest.approx(expected, rel=1e-12)


def test_user_facing_text_cites_the_sources_by_title_never_by_file_number() -> None:
    root = README.parent
    places = [README, *root.glob("demos/*"), *root.glob("deltagrad/**/*.py"), *root.glob("deltagrad/playground/static/*"),
              *root.glob("viz/*.py"), *root.glob("nn/*.py")]
    cited = [str(p.relative_to(root)) for p in places if p.is_file()
             and re.search(r"(?i)\bseeds? 00\d|\bseeds?'s?\s", p.read_text(encoding="utf-8"))]
    assert not cited
    for title in ("MLP and Sigmoid", "Sigmoid Function: Derivative and Working Mechanism", "Why sigmoid neurons?",
                  "Lecture 24: Backpropagation"):
        assert title in README.read_text(encoding="utf-8")


COMMANDS = [line for block in re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
            for line in block.splitlines() if line.startswith("deltagrad ")]


@pytest.mark.parametrize("line", [c for c in COMMANDS if c.split()[1] not in ("tour", "playground")])
def test_readme_command_runs_as_written_in_an_empty_folder(line: str, tmp_path, monkeypatch, capsys) -> None:
    # tour and playground have tests of their own (the whole tour takes a while; playground serves).
    import shlex

    from deltagrad.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(shlex.split(line)[1:]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out


def test_the_readme_shows_every_command() -> None:
    assert {line.split()[1] for line in COMMANDS} == {"graph", "deltas", "train", "tour", "playground"}
