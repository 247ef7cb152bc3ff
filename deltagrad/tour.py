"""``deltagrad tour``: run every demo script and gather what they print and draw into one folder.

The demos are the repository's ``demos/`` folder, installed as the package data ``deltagrad.demos``
(so the tour works from a wheel too). Each runs as its own process (nothing imports them) with
``--out <folder>/<demo>``; the tour saves its printed output, then writes ``index.html`` linking
every picture, page and table. Without Graphviz's ``dot`` or matplotlib the demos still run; the
tour says in one line what was skipped and how to get it.
"""

from __future__ import annotations

import argparse
import ast
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograd.validate import output_folder
from viz.rendering import INSTALL_HINT

__all__ = ["register", "run", "demos_folder", "DemoRun", "write_index", "CAPTIONS"]

PACKAGES_ROOT = Path(__file__).resolve().parent.parent  # where autograd, nn and viz are
DEMOS = "deltagrad.demos"  # the demos/ folder, mapped to this name by pyproject.toml
PLOT_HINT = "pip install 'deltagrad[plot]'"
TIMEOUT = 300  # seconds per demo, far above what a demo needs
PICTURES = (".svg", ".png")
CAPTIONS = "captions.json"  # a demo's {file name: what it shows}, written by demos/common.py


@dataclass
class DemoRun:
    """One demo's run: its script, folder, exit status, time, printed output and files."""

    script: Path
    folder: Path
    title: str
    status: int = 0
    seconds: float = 0.0
    output: str = ""
    errors: str = ""
    files: list[Path] = field(default_factory=list)
    captions: dict[str, str] = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        """The demo's own ``note:`` lines (what it skipped and why)."""
        return [line for line in self.output.splitlines() if line.startswith("note:")]


def demos_folder() -> Path:
    """Where the demo scripts are: the installed package data ``deltagrad.demos``, else the
    ``demos/`` folder of a source checkout run without installing.

    Raises:
        FileNotFoundError: neither is there.
    """
    spec = importlib.util.find_spec(DEMOS)  # finds the folder without importing anything in it
    places = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    for folder in places + [PACKAGES_ROOT / "demos"]:
        if (folder / "common.py").is_file():
            return folder
    raise FileNotFoundError(f"the demo scripts were not found (no {DEMOS} package data, no {PACKAGES_ROOT / 'demos'}); "
                            "reinstall deltagrad: pip install deltagrad, or pip install -e . in a checkout")


def _title(script: Path) -> str:
    """``Demo N: what it shows``: N from the file name, the rest from the docstring's first line."""
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or script.stem
    first = re.sub(r"^Demo \d+:\s*", "", docstring.splitlines()[0].replace("``", ""))
    return f"Demo {int(script.stem[:2])}: {first}"


def _captions(folder: Path) -> dict[str, str]:
    """The demo's captions (see ``CAPTIONS``); none when it wrote none or a broken file."""
    try:
        found = json.loads((folder / CAPTIONS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}


def _select(scripts: list[Path], only: str | None) -> list[Path]:
    if not only:
        return scripts
    wanted = {part.strip() for part in only.split(",") if part.strip()}
    known = ", ".join(s.stem for s in scripts)
    if not wanted:
        raise ValueError(f"--only {only!r} names no demo; the demos are: {known}")

    def named(script: Path, w: str) -> bool:
        return script.stem == w or script.stem.split("_")[0] == w.zfill(2)

    missing = sorted(w for w in wanted if not any(named(s, w) for s in scripts))
    if missing:
        raise ValueError(f"--only {only!r} names a demo that does not exist ({', '.join(missing)}); the demos are: {known}")
    return [s for s in scripts if any(named(s, w) for w in wanted)]


def run_demo(script: Path, out: Path, quick: bool) -> DemoRun:
    """Run one demo script in its own Python process, writing into ``out/<script name>``."""
    folder = out / script.stem
    if folder.is_dir():  # a previous run's pictures must not pass for this run's
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    env = dict(os.environ)
    # The demos import the packages; make sure they find these ones even without an install.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGES_ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, str(script), "--out", str(folder)] + (["--quick"] if quick else [])
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=TIMEOUT, check=False)
        status, output, errors = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as late:
        status, output, errors = -1, late.stdout or "", f"stopped after {TIMEOUT} s"
        output = output.decode() if isinstance(output, bytes) else output
    result = DemoRun(script, folder, _title(script), status, time.perf_counter() - start, output, errors)
    (folder / "output.txt").write_text(output, encoding="utf-8")
    result.captions = {"output.txt": "what the demo printed (shown below)", **_captions(folder)}
    # In the order the demo wrote them, which is the order it explains them in.
    result.files = sorted((p for p in folder.iterdir() if p.is_file() and p.name != CAPTIONS),
                          key=lambda p: (p.stat().st_mtime_ns, p.name))
    return result


def environment_notes() -> list[str]:
    """What this machine lacks for the full tour, with the command that adds it."""
    notes = []
    if shutil.which("dot") is None:
        notes.append(f"Graphviz's dot was not found: graphs were written as .dot sources instead of pictures "
                     f"({INSTALL_HINT}; then render one with: dot -Tsvg NAME.dot -o NAME.svg)")
    if importlib.util.find_spec("matplotlib") is None:
        notes.append(f"matplotlib is not installed: the plots were skipped (install: {PLOT_HINT})")
    return notes


CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} h2{margin-top:2em;border-bottom:1px solid #ddd}
.notes{background:#fff8e1;border:1px solid #e0c060;padding:.3em 1em;margin:.3em 0}
.failed{color:#b00020;font-weight:bold} .ok{color:#2e7d32}
.pictures{display:flex;flex-wrap:wrap;gap:1em}
.pictures figure{margin:0;border:1px solid #ddd;padding:.5em;background:#fff}
.pictures img{max-width:520px;max-height:360px;display:block}
.pictures figcaption{max-width:520px;font-size:.9em;color:#444;margin-top:.3em}
.pictures figcaption code,ul.files code{font-size:.85em;color:#777}
pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:13px;line-height:1.3}
ul.files{columns:2} p.page{font-size:1.1em}"""


def _section(demo: DemoRun, out: Path) -> str:
    def link(path: Path) -> str:
        return html.escape(path.relative_to(out).as_posix(), quote=True)

    def name(path: Path) -> str:
        return f"<code>{html.escape(path.name)}</code>"

    def caption(path: Path) -> str:  # what the file shows (the demo's caption), then its name
        text = demo.captions.get(path.name)
        return f"{html.escape(text)} ({name(path)})" if text else name(path)

    state = (f'<span class="ok">ran in {demo.seconds:.1f} s</span>' if demo.status == 0
             else f'<span class="failed">FAILED (exit status {demo.status})</span>')
    pictures = "".join(
        f'<figure><a href="{link(p)}"><img src="{link(p)}" '
        f'alt="{html.escape(demo.captions.get(p.name, p.name), quote=True)}"></a>'
        f"<figcaption>{caption(p)}</figcaption></figure>"
        for p in demo.files if p.suffix in PICTURES
    )
    pages = "".join(f'<p class="page">▶ <a href="{link(p)}">an interactive page</a>: '
                    f"{caption(p)}</p>" for p in demo.files if p.suffix == ".html")
    others = "".join(f'<li><a href="{link(p)}">{caption(p)}</a></li>' for p in demo.files
                     if p.suffix not in PICTURES + (".html",))
    errors = f"<pre class=failed>{html.escape(demo.errors)}</pre>" if demo.status and demo.errors else ""
    return (f'<h2 id="{html.escape(demo.script.stem)}">{html.escape(demo.title)}</h2>\n<p>{state} · '
            f"<code>{html.escape(demo.script.name)}</code></p>\n{errors}{pages}"
            f'<div class="pictures">{pictures}</div>\n<ul class="files">{others}</ul>\n'
            f"<details open><summary>printed output</summary><pre>{html.escape(demo.output)}</pre></details>\n")


def write_index(out: Path, demos: list[DemoRun], notes: list[str], quick: bool) -> Path:
    """Write ``out/index.html``: every demo's pictures, pages, tables and printed output.

    Returns:
        The path of the index.
    """
    # One line per missing tool; each demo's own notes stay with its printed output below.
    notes_html = "".join(f'<p class="notes">Skipped: {html.escape(n)}</p>' for n in notes)
    contents = "".join(f'<li><a href="#{html.escape(d.script.stem)}">{html.escape(d.title)}</a>'
                       + ("" if d.status == 0 else ' <span class="failed">failed</span>') + "</li>" for d in demos)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>deltagrad tour</title><style>{CSS}</style></head>
<body><h1>deltagrad tour</h1>
<p>Each idea of the source texts as a runnable script in <code>demos/</code>
({"quick sizes" if quick else "full sizes"}). Pictures open full size when clicked.</p>
{notes_html}<ol>{contents}</ol>
{"".join(_section(d, out) for d in demos)}</body></html>
"""
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def run(args: argparse.Namespace) -> int:
    """Run the demos, write the index; 0 when every demo succeeded, else 1."""
    scripts = _select(sorted(demos_folder().glob("[0-9][0-9]_*.py")), args.only)
    out = output_folder(args.out, "--out")
    notes = environment_notes()
    for note in notes:
        print(f"note: {note}")
    demos = []
    for script in scripts:
        demo = run_demo(script, out, args.quick)
        demos.append(demo)
        verdict = "ok" if demo.status == 0 else f"FAILED (exit status {demo.status})"
        print(f"{script.stem:24s} {verdict}  {demo.seconds:5.1f} s  {len(demo.files)} file(s) in {demo.folder}")
        for line in demo.notes:
            print(f"  {line}")
        if demo.status:
            print("  " + "\n  ".join(demo.errors.strip().splitlines()[-5:]))
    index = write_index(out, demos, notes, args.quick)
    print(f"wrote {index} (open it in a browser)")
    return 0 if all(d.status == 0 for d in demos) else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``tour`` subcommand to the ``deltagrad`` parser."""
    parser = subparsers.add_parser(
        "tour",
        help="run every demo and write out/index.html",
        description="Run the demos of demos/ (one per idea of the source texts) and gather their output, "
        "pictures and tables into one folder with an index.html.",
    )
    parser.add_argument("--out", default="out", help="the folder to write (default out/)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a few seconds in all")
    parser.add_argument("--only", help="run only these demos, by number or name (e.g. 04,05)")
    parser.set_defaults(run=run)
