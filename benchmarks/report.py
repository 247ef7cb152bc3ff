"""A benchmark's result as a small table, its targets (met or missed, by how much) and notes."""

from __future__ import annotations

from dataclasses import dataclass, field

from autograd.format import format_table


@dataclass
class Section:
    """One benchmark's printable result.

    Attributes:
        title: e.g. ``"B1 moons step"``.
        header: the table's column names.
        rows: the table's cells, as text.
        targets: (what was asked, what was measured, met?) triples; met is None when the
            baseline could not run.
        notes: lines printed under the table.
    """

    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    targets: list[tuple[str, str, bool | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def target(self, asked: str, measured: str, met: bool | None) -> None:
        """Record a target: ``asked`` (``"≥ 30× micrograd"``) against ``measured``."""
        self.targets.append((asked, measured, met))

    def render(self) -> str:
        """The section as text: title, table, targets, notes."""
        lines = [self.title, "=" * len(self.title), format_table(self.header, self.rows)]
        for asked, measured, met in self.targets:
            verdict = "not measured" if met is None else "met" if met else "MISSED"
            lines.append(f"target {asked}: {measured} -> {verdict}")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)
