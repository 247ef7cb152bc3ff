"""``deltagrad example NAME``: published worked examples replayed, the published numbers printed
beside deltagrad's, to the digits the source prints.

- ``mazur``: Matt Mazur, "A Step by Step Backpropagation Example" (2015): a 2-2-2 sigmoid network,
  J = Σ ½(t − y)², one gradient-descent step with learning rate 0.5.
- ``micrograd``: the expression of micrograd's README (Karpathy), its value and two gradients.
- ``tanh-neuron``: the tanh neuron of micrograd's lecture ("The spelled-out intro to neural
  networks and backpropagation"), o = tanh(x1·w1 + x2·w2 + b).

A published number agrees when rounding deltagrad's value to the decimals printed gives it
(``autograd.format.agrees_to_written``). Exit status 0 when every number agrees, 1 otherwise.
``--steps FILE.html`` writes the step-through page of its backward pass, open in predict mode.
"""

from __future__ import annotations

import argparse
import textwrap
from dataclasses import dataclass
from typing import Callable

from autograd import Value, parse
from autograd.format import agrees_to_written, format_table
from autograd.validate import output_file
from nn import MLP
from nn.deltas import objective, sample
from viz import step_through

from .arguments import HTML

__all__ = ["EXAMPLES", "Replay", "register", "run"]


@dataclass(frozen=True)
class Replay:
    """A published example computed by deltagrad.

    Attributes:
        title: the source, as it names itself.
        notes: paragraphs saying what was set up and which conventions the source uses.
        rows: ``(quantity, the published number as printed, deltagrad's value)``.
        root: the output Value whose backward pass ``--steps`` replays.
        errata: quantities where the source's own number is off (the notes say why); their
            disagreement does not fail the command.
    """

    title: str
    notes: tuple[str, ...]
    rows: tuple[tuple[str, str, float], ...]
    root: Value
    errata: tuple[str, ...] = ()


# Mazur's weights: w1..w4 from the inputs to h1, h2; w5..w8 from h1, h2 to o1, o2.
MAZUR_WEIGHTS = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30,
                 "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}
MAZUR_BIASES = (0.35, 0.60)  # b1 (hidden layer), b2 (output layer)
MAZUR_X, MAZUR_T, MAZUR_LR = [0.05, 0.10], [0.01, 0.99], 0.5
# (layer, unit, input) of each of Mazur's weights in deltagrad's MLP
MAZUR_PLACES = {"w1": (0, 0, 0), "w2": (0, 0, 1), "w3": (0, 1, 0), "w4": (0, 1, 1),
                "w5": (1, 0, 0), "w6": (1, 0, 1), "w7": (1, 1, 0), "w8": (1, 1, 1)}


def mazur() -> Replay:
    """Mazur's network, its forward pass, error, one update and the error after it."""
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")
    state = {}
    for name, (k, j, i) in MAZUR_PLACES.items():
        state[f"layers.{k}.neurons.{j}.w.{i}"] = MAZUR_WEIGHTS[name]
    for k, b in enumerate(MAZUR_BIASES):
        state.update({f"layers.{k}.neurons.{j}.b": b for j in range(2)})
    model.load_state_dict(state)
    before = sample(model, MAZUR_X, MAZUR_T)
    updated = {name: MAZUR_WEIGHTS[name] - MAZUR_LR * before[f"dJ/dL{k}.N{j}.w{i}"]
               for name, (k, j, i) in MAZUR_PLACES.items()}
    root = objective(model, MAZUR_X, MAZUR_T)  # before the update, for --steps
    model.load_state_dict({**state, **{f"layers.{k}.neurons.{j}.w.{i}": updated[name]
                                       for name, (k, j, i) in MAZUR_PLACES.items()}})
    after = sample(model, MAZUR_X, MAZUR_T)
    # His erratum: the published error after the update is what one gets when the hidden layer's
    # δ_j = φ′(v_j)·Σ_l δ_l·w_lj is taken with the already-updated w5..w8.
    new_w = {(l, j): updated[name] for name, (k, l, j) in MAZUR_PLACES.items() if k == 1}
    variant = dict(state)
    for name, (k, j, i) in MAZUR_PLACES.items():
        if k == 0:
            fed_back = sum(before[f"L1.N{l}.delta"] * new_w[l, j] for l in range(2))
            delta = before[f"L0.N{j}.dphi"] * fed_back
            variant[f"layers.0.neurons.{j}.w.{i}"] = (MAZUR_WEIGHTS[name]
                                                      + MAZUR_LR * delta * MAZUR_X[i])
        else:
            variant[f"layers.1.neurons.{j}.w.{i}"] = updated[name]
    model.load_state_dict(variant)
    after_variant = sample(model, MAZUR_X, MAZUR_T)
    rows = (
        ("out_h1 (y of L0.N0)", "0.593269992", before["L0.N0.y"]),
        ("out_o1 (y of L1.N0)", "0.75136507", before["L1.N0.y"]),
        ("out_o2 (y of L1.N1)", "0.772928465", before["L1.N1.y"]),
        ("E_total (J)", "0.298371109", before.J),
        ("∂E_total/∂w5", "0.082167041", before["dJ/dL1.N0.w0"]),
        *((f"{name} after one update", text, updated[name]) for name, text in (
            ("w5", "0.35891648"), ("w6", "0.408666186"), ("w7", "0.511301270"),
            ("w8", "0.561370121"), ("w1", "0.149780716"), ("w2", "0.19956143"),
            ("w3", "0.24975114"), ("w4", "0.29950229"))),
        ("E_total after the update", "0.291027924", after.J),
        ("  same, hidden δ with the new w5..w8", "0.291027924", after_variant.J),
    )
    notes = (
        "2-2-2 sigmoid network, i1 = 0.05, i2 = 0.10, targets 0.01 and 0.99, "
        "E = Σ ½(target − out)², learning rate 0.5; w1..w4 feed h1, h2 (w1, w2 into h1), "
        "w5..w8 feed o1, o2 (w5, w6 into o1).",
        "Mazur's bias convention: one bias per layer, shared by its units (b1 = 0.35 for h1 and "
        "h2, b2 = 0.60 for o1 and o2), and not updated. deltagrad gives every unit its own bias: "
        "each is set to its layer's value and left out of the update. All gradients are taken "
        "before any weight changes (the hidden layer's updates use the original w5..w8), as "
        "Mazur says he does.",
        "Erratum in the source: his new w1..w4 follow from the original w5..w8, but his error "
        "after the update, 0.291027924, follows only when the hidden δs use the updated w5..w8; "
        "with the update as described (and as his printed w1..w4) it is 0.291027774 (deltagrad, "
        "and by hand).",
    )
    return Replay('Matt Mazur, "A Step by Step Backpropagation Example" (2015)', notes, rows, root,
                  errata=("E_total after the update",))


def micrograd() -> Replay:
    """The README expression of micrograd, built with the same operators."""
    a, b = Value(-4.0, "a"), Value(2.0, "b")
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.label = "g"
    g.backward()
    rows = (("g.data", "24.7041", g.data), ("a.grad", "138.8338", a.grad),
            ("b.grad", "645.5773", b.grad))
    notes = ("a = -4.0, b = 2.0; c = a + b; d = a * b + b**3; c += c + 1; c += 1 + c + (-a); "
             "d += d * 2 + (b + a).relu(); d += 3 * d + (b - a).relu(); e = c - d; f = e**2; "
             "g = f / 2.0; g += 10.0 / f; the README prints 4 decimals (%.4f).",)
    return Replay("micrograd README (Karpathy): the example expression", notes, rows, g)


def tanh_neuron() -> Replay:
    """The neuron of micrograd's lecture, with a bias chosen to make o = 1/√2."""
    leaves = {"x1": Value(2.0, "x1"), "x2": Value(0.0, "x2"), "w1": Value(-3.0, "w1"),
              "w2": Value(1.0, "w2"), "b": Value(6.8813735870195432, "b")}
    o = parse("tanh(x1*w1 + x2*w2 + b)", **leaves)
    o.label = "o"
    o.backward()
    published = (("x1", "-1.5"), ("w1", "1.0"), ("x2", "0.5"), ("w2", "0.0"))
    rows = (("o", "0.7071", o.data),
            *((f"{n}.grad", text, leaves[n].grad) for n, text in published))
    notes = ("o = tanh(x1·w1 + x2·w2 + b), x1 = 2, x2 = 0, w1 = -3, w2 = 1, "
             "b = 6.8813735870195432; the lecture prints o to 4 decimals and the gradients as "
             "1-decimal floats.",)
    title = ('micrograd lecture, "The spelled-out intro to neural networks and '
             'backpropagation": the tanh neuron')
    return Replay(title, notes, rows, o)


EXAMPLES: dict[str, Callable[[], Replay]] = {"mazur": mazur, "micrograd": micrograd,
                                             "tanh-neuron": tanh_neuron}


def table(replay: Replay) -> tuple[str, bool]:
    """The published numbers beside deltagrad's, and whether every one agrees (errata aside)."""
    lines, ok = [], True
    for quantity, published, value in replay.rows:
        decimals = len(published.split(".")[1]) if "." in published else 0
        agrees = agrees_to_written(published, value)
        erratum = quantity in replay.errata
        ok &= agrees or erratum
        verdict = "yes" if agrees else "no (erratum)" if erratum else "NO"
        lines.append([quantity, published, f"{value:.{decimals}f}", f"{value:.12g}", verdict])
    header = ["quantity", "published", "deltagrad, same digits", "deltagrad", "agrees"]
    return format_table(header, lines), ok


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``example`` subcommand to the ``deltagrad`` parser."""
    parser = subparsers.add_parser(
        "example", help="replay a published worked example and compare its numbers digit by digit",
        description="Replay a published worked example (" + ", ".join(EXAMPLES) + ") and print the "
        "published numbers beside deltagrad's. Exit status 1 when one disagrees.")
    parser.add_argument("name", choices=list(EXAMPLES), help="which example")
    parser.add_argument("--steps", metavar="FILE.html",
                        help="also write the step-through page of its backward pass, open in "
                        "predict mode")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the comparison (and write the step page); 0 when every published number agrees."""
    path = None if args.steps is None else output_file(args.steps, "--steps", HTML)
    replay = EXAMPLES[args.name]()
    text, ok = table(replay)
    print(replay.title)
    print("\n".join(textwrap.fill(note, 100) for note in replay.notes))
    print()
    print(text)
    if path is not None:
        step_through(replay.root, path, predict=True)
        print(f"\nwrote {path} (in predict mode: type each gradient before its step is shown)")
    return 0 if ok else 1
