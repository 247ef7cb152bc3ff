"""Demo 10: check my work: a learner's backpropagation by hand, with two planted mistakes, graded.

A learner works a 2-2-1 sigmoid network out on paper (J = ½(t − y)²) and writes down every v, y,
φ′(v), e, J, δ and ∂J/∂w to four significant digits. They make two mistakes: the output's δ
without its φ′(v) factor (δ = e), and one gradient with its sign flipped (+δ·y for −δ·y). Every
later number they compute from their own wrong δ. ``nn.deltas.check`` grades each number:
correct to the digits written, ``carried`` (wrong only because of their earlier wrong number:
credit, as "error carried forward" gives), or the likely mistake, and names where the error
entered. The step page of J's backward pass opens at that step, in predict mode, with their
numbers under the nodes.

Run: python demos/10_check_my_work.py [--quick] [--out DIR]
"""

from __future__ import annotations

from pathlib import Path

from common import caption, run
from nn import MLP
from nn.deltas import check, sample
from viz import step_through

X = [0.5, -1.0]
TARGET = 0.8


def network() -> MLP:
    """The 2-2-1 sigmoid MLP of the demo (seed 7)."""
    return MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=7)


def written(x: float) -> str:
    """A number as the learner writes it: four significant digits."""
    return f"{x:.4g}"


def learners_answers(model: MLP) -> dict[str, str]:
    """The learner's worked answer: the forward pass right, then the two mistakes."""
    right = sample(model, X, TARGET).values
    mine = {name: written(right[name]) for name in right if not name.startswith("dJ/d")
            and (name.rsplit(".", 1)[-1] in ("v", "y", "dphi", "e") or name == "J")}
    own = {name: float(text) for name, text in mine.items()}  # they go on from what they wrote
    output, hidden = model.layers[1].neurons[0], model.layers[0].neurons
    delta_out = own["L1.N0.e"]  # mistake 1: δ = e, the factor φ′(v) left out
    deltas = {"L1.N0": delta_out}
    for j in range(len(hidden)):  # δ_j = φ′(v_j)·δ_out·w_0j: right, from their δ_out
        deltas[f"L0.N{j}"] = own[f"L0.N{j}.dphi"] * delta_out * output.w[j].data
    inputs = {"L1": [own["L0.N0.y"], own["L0.N1.y"]], "L0": X}
    for unit, delta in deltas.items():
        mine[f"{unit}.delta"] = written(delta)
        for i, y_in in enumerate(inputs[unit.split(".")[0]]):
            mine[f"dJ/d{unit}.w{i}"] = written(-delta * y_in)
        mine[f"dJ/d{unit}.b"] = written(-delta)
    mine["dJ/dL0.N1.w0"] = written(deltas["L0.N1"] * X[0])  # mistake 2: the sign of −δ·y
    return mine


def main(out_dir: Path, quick: bool = False) -> dict:
    """Grade the learner's answer, print the table, write the step page at the first mistake."""
    model = network()
    answers = learners_answers(model)
    result = check(model, X, TARGET, answers)
    print(f"2-2-1 sigmoid MLP, x = {X}, t = {TARGET}, J = ½(t − y)²: "
          f"the learner's {len(answers)} numbers, graded\n")
    print(result)
    (table := out_dir / "graded.md").write_text(result.to_markdown(), encoding="utf-8")
    caption(table, "the learner's numbers graded: yours, correct, verdict and why")
    print(f"\nwrote {table}")
    g = result.on_graph()
    page = step_through(g.root, out_dir / "check_my_work.html", predict=True, answers=g.answers,
                        notes=g.notes, start=g.start)
    caption(page.path, "J's backward pass, opened in predict mode where the error entered, the "
                       "learner's numbers under the nodes (✓ / ✗)")
    print(f"wrote {page.path}: opens at the step of {g.start}, where the error entered")
    return {"ok": result.ok, "first_wrong": result.first_wrong,
            "verdicts": {row.name: row.verdict for row in result.rows}, "start": g.start}


if __name__ == "__main__":
    raise SystemExit(run(main, __doc__.splitlines()[0]))
