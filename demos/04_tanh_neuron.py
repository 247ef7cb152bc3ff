"""Demo 4: the tanh neuron of micrograd's lecture, o = tanh(x1·w1 + x2·w2 + b), as a graph and a step-through page.

The neuron of micrograd's lecture: x1 = 2, x2 = 0, w1 = −3, w2 = 1, b = 6.8813735870195432, so
n = 0.8814 and o = tanh(n) = 1/√2. Backward: do/dn = 1 − o² = 0.5, then each product passes it
on times the other factor. The same neuron with tanh spelled out as (e^2n − 1)/(e^2n + 1) gives
the same gradients through a longer graph; as one ``dot`` node (how nn builds neurons) a shorter one.
"""

from __future__ import annotations

import math
from pathlib import Path

import autograd
from autograd import Value
from autograd.format import format_table
from common import caption, picture, run
from viz import draw_graph, step_through

INPUTS = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}


def leaves() -> dict[str, Value]:
    """The five labelled leaves of the neuron."""
    return {name: Value(value, name) for name, value in INPUTS.items()}


def spelled_out(v: dict[str, Value], tanh_from_exp: bool = False) -> Value:
    """o built op by op, labelled as micrograd's lecture labels it."""
    x1w1 = v["x1"] * v["w1"]
    x1w1.label = "x1*w1"
    x2w2 = v["x2"] * v["w2"]
    x2w2.label = "x2*w2"
    total = x1w1 + x2w2
    total.label = "x1*w1 + x2*w2"
    n = total + v["b"]
    n.label = "n"
    if tanh_from_exp:
        e = (2 * n).exp()
        e.label = "e"
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    o.label = "o"
    return o


def as_dot_node(v: dict[str, Value]) -> Value:
    """o = tanh(dot(w, x) + b) with one n-ary node for the pre-activation, as nn.Neuron builds it."""
    n = autograd.dot([v["w1"], v["w2"]], [v["x1"], v["x2"]], v["b"])
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def main(out_dir: Path, quick: bool = False) -> dict:
    """Print the neuron's gradients against the chain rule; draw the graphs and the step-through page."""
    results, files = {}, {}
    for name, build, extra, what in (
        ("ops", spelled_out, {},
         "the neuron op by op, as micrograd's lecture draws it: 1 − o² on the tanh edge"),
        ("exp", spelled_out, {"tanh_from_exp": True},
         "the same neuron with tanh as (e^2n − 1)/(e^2n + 1): more nodes, the same gradients"),
        ("dot", as_dot_node, {},
         "the same neuron with w·x + b as one dot node, as nn.Neuron builds it"),
    ):
        v = leaves()
        o = build(v, **extra)
        o.backward()
        results[name] = {"o": o.data, **{k: leaf.grad for k, leaf in v.items()}, "nodes": len(autograd.topological_order(o))}
        params = [v["w1"], v["w2"], v["b"]]  # drawn as parameters (a dot node's are known anyway)
        path = out_dir / f"tanh_neuron_{name}.svg"
        files[name] = picture(draw_graph(o, params=params), path, what)
        if name == "ops":
            page = step_through(o, out_dir / "tanh_neuron_steps.html")
            caption(page.path, "backward through the op-by-op neuron, one node at a time")
            print(f"wrote {page.path} ({page.steps} steps)")

    o = results["ops"]["o"]
    dn = 1 - o * o
    expected = {"x1": INPUTS["w1"] * dn, "w1": INPUTS["x1"] * dn, "x2": INPUTS["w2"] * dn, "w2": INPUTS["x2"] * dn, "b": dn}
    print(f"o = tanh(x1·w1 + x2·w2 + b) = {o:.16f}  (1/√2 = {1 / math.sqrt(2):.16f})")
    print(f"do/dn = 1 − o² = {dn:.16f}\n")
    rows = [[leaf, f"{INPUTS[leaf]:g}", f"{expected[leaf]:g}",
             *(f"{results[k][leaf]:.15g}" for k in ("ops", "exp", "dot"))] for leaf in INPUTS]
    print("gradients: chain rule by hand, and backward through three graphs of the same neuron")
    print(format_table(["leaf", "value", "by hand", "tanh op", "tanh from exp", "one dot node"], rows))
    print("nodes in each graph: " + ", ".join(f"{k} {results[k]['nodes']}" for k in ("ops", "exp", "dot")))
    worst = max(abs(results[k][leaf] - expected[leaf]) for k in results for leaf in INPUTS)
    print(f"largest difference from the hand values: {worst:.1e}")
    return {"o": o, "do_dn": dn, "expected": expected, "graphs": results, "largest_difference": worst,
            "files": [str(p.name) for p in files.values()]}


if __name__ == "__main__":
    raise SystemExit(run(main, __doc__.splitlines()[0]))
