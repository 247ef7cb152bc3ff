"""Backward as a program: a graph's forward and backward passes written out as plain Python.

``program(root)`` writes one line per node in the forward part (``n5 = x1 * w1``), then one ``+=``
per edge in the backward part (``g_w1 += x1 * g_n5   # 2.0 × 0.5 = 1.0``), in the order the engine
runs them, each with its numbers in a comment. Every local derivative is written with the same
arithmetic as the op table's rule (tanh's as 4e/(1 + e)² with e = exp(−2|x|), as autograd.ops
computes it), so running the text gives every gradient bit for bit. The program imports only
``math``; the few helpers it calls (``sigmoid``, ``d_tanh``, ...) are defined at its top.

The rules below are the op table's read as Python source: one more interpretation of the same op
names (like the replay's NumPy rules), checked against autograd.ops by the tests.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
from dataclasses import dataclass
from typing import Callable, Sequence

from autograd import OPS, Value
from autograd.functional import gradients
from autograd.format import choose_decimals, format_fixed
from autograd.ops import SELU_ALPHA, SELU_LAMBDA
from autograd.validate import flag, shown

from .tracing import Trace, trace

__all__ = ["program", "variable_names", "literal", "ProgramRule", "PROGRAM_RULES", "HELPERS"]


@dataclass(frozen=True)
class ProgramRule:
    """How one op is written as Python.

    Attributes:
        forward: the expression of the output (``{0}``, ``{1}`` the operands, ``{slope}`` an
            attribute), or a function of the operands' texts (n-ary ops).
        local: one expression per operand for ∂output/∂operand (``{y}`` the output), or a function
            of (output, operands, position) for n-ary ops.
        helpers: the names of the HELPERS the expressions call.
    """

    forward: str | Callable[[Sequence[str]], str]
    local: tuple[str, ...] | Callable[[str, Sequence[str], int], str]
    helpers: tuple[str, ...] = ()


def _dot_forward(operands: Sequence[str]) -> str:
    # w_1..w_n, x_1..x_n and, when their count is odd, the bias; the engine adds 0.0 without one
    n = len(operands) // 2
    products = ", ".join(f"{w} * {x}" for w, x in zip(operands[:n], operands[n : 2 * n]))
    return f"math.fsum([{products}]) + {operands[-1] if len(operands) % 2 else '0.0'}"


def _dot_local(y: str, operands: Sequence[str], position: int) -> str:
    n = len(operands) // 2
    if position >= 2 * n:
        return "1.0"  # the bias
    return operands[position + n] if position < n else operands[position - n]


PROGRAM_RULES: dict[str, ProgramRule] = {
    "add": ProgramRule("{0} + {1}", ("1.0", "1.0")),
    "sub": ProgramRule("{0} - {1}", ("1.0", "-1.0")),
    "mul": ProgramRule("{0} * {1}", ("{1}", "{0}")),
    "neg": ProgramRule("-{0}", ("-1.0",)),
    "div": ProgramRule("{0} / {1}", ("1.0 / {1}", "-{y} / {1}")),
    "pow": ProgramRule("{0} ** {1}", ("d_pow_base({y}, {0}, {1})", "d_pow_exponent({y}, {0}, {1})"),
                       ("d_pow_base", "d_pow_exponent")),
    "abs": ProgramRule("abs({0})", ("d_abs({0})",), ("d_abs",)),
    "exp": ProgramRule("math.exp({0})", ("{y}",)),
    "log": ProgramRule("math.log({0})", ("1.0 / {0}",)),
    "sqrt": ProgramRule("math.sqrt({0})", ("d_sqrt({y})",), ("d_sqrt",)),
    "sin": ProgramRule("math.sin({0})", ("math.cos({0})",)),
    "cos": ProgramRule("math.cos({0})", ("-math.sin({0})",)),
    "tanh": ProgramRule("math.tanh({0})", ("d_tanh({0})",), ("d_tanh",)),
    "sigmoid": ProgramRule("sigmoid({0})", ("{y} * sigmoid(-{0})",), ("sigmoid",)),
    "softplus": ProgramRule("softplus({0})", ("sigmoid({0})",), ("softplus", "sigmoid")),
    "relu": ProgramRule("relu({0})", ("d_relu({0})",), ("relu", "d_relu")),
    "leaky_relu": ProgramRule("leaky_relu({0}, {slope})", ("d_leaky_relu({0}, {slope})",),
                              ("leaky_relu", "d_leaky_relu")),
    "elu": ProgramRule("elu({0}, {alpha})", ("d_elu({0}, {alpha})",), ("elu", "d_elu")),
    "selu": ProgramRule("selu({0})", ("d_selu({0})",), ("selu", "d_selu")),
    "step": ProgramRule("step({0})", ("0.0",), ("step",)),
    "sum": ProgramRule(lambda operands: f"math.fsum([{', '.join(operands)}])",
                       lambda y, operands, position: "1.0"),
    "dot": ProgramRule(_dot_forward, _dot_local),
}

# The helpers a program may call, as source, in the order they are written out. Each is the op
# table's rule with the same arithmetic (the tests compare them with autograd.ops on many inputs).
HELPERS: dict[str, str] = {
    "sigmoid": '''def sigmoid(x):
    """1/(1 + e^−x), from e^−|x|, which never overflows."""
    e = math.exp(-abs(x))
    return 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)''',
    "softplus": '''def softplus(x):
    """ln(1 + eˣ) as max(x, 0) + ln(1 + e^−|x|), which never overflows."""
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))''',
    "relu": '''def relu(x):
    return 0.0 if x <= 0 else x''',
    "leaky_relu": '''def leaky_relu(x, slope):
    return slope * x if x <= 0 else x''',
    "elu": '''def elu(x, alpha):
    return alpha * math.expm1(x) if x <= 0 else x''',
    "selu": f'''def selu(x):
    return {SELU_LAMBDA!r} * ({SELU_ALPHA!r} * math.expm1(x) if x <= 0 else x)''',
    "step": '''def step(x):
    return 0.0 if x <= 0 else 1.0 if x > 0 else x''',
    "d_abs": '''def d_abs(x):
    """sign(x), with 0 at 0."""
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0''',
    "d_sqrt": '''def d_sqrt(y):
    """1/(2y) for y = sqrt(x): infinite at 0."""
    return 0.5 / y if y > 0 else math.inf''',
    "d_pow_base": '''def d_pow_base(y, a, b):
    """∂(a**b)/∂a = b·a^(b−1): infinite at a = 0 for 0 < b < 1; b·y/a where a^(b−1) overflows."""
    if a == 0 and b < 1:
        return 0.0 if b == 0 else math.inf
    try:
        return b * a ** (b - 1)
    except OverflowError:
        return b * y / a''',
    "d_pow_exponent": '''def d_pow_exponent(y, a, b):
    """∂(a**b)/∂b = y·ln a: 0 at a = 0, NaN for a < 0."""
    return y * math.log(a) if a > 0 else 0.0 if a == 0 else math.nan''',
    "d_tanh": '''def d_tanh(x):
    """1 − tanh(x)² as 4e/(1 + e)² with e = e^−2|x|: no cancellation where tanh rounds to ±1."""
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / (1.0 + e) ** 2''',
    "d_relu": '''def d_relu(x):
    return 1.0 if x > 0 else 0.0''',
    "d_leaky_relu": '''def d_leaky_relu(x, slope):
    return 1.0 if x > 0 else slope''',
    "d_elu": '''def d_elu(x, alpha):
    return 1.0 if x > 0 else alpha * math.exp(x)''',
    "d_selu": f'''def d_selu(x):
    return {SELU_LAMBDA!r} if x > 0 else {SELU_LAMBDA!r} * {SELU_ALPHA!r} * math.exp(x)''',
}

_GENERATED = re.compile(r"n\d+")  # the names of unlabelled nodes
_RESERVED = set(dir(builtins)) | set(HELPERS) | {"math"}
_LINE = 100  # the longest line of gradients set to 0.0 at once


def literal(x: float, operand: bool = True) -> str:
    """A float as Python source that reads back to the same float (inf and NaN through ``math``);
    as an ``operand``, a negative one in parentheses (``(-3.0)``), so that it can stand anywhere."""
    if math.isnan(x):
        return "math.nan"
    text = repr(x) if math.isfinite(x) else "math.inf" if x > 0 else "-math.inf"
    return f"({text})" if operand and text.startswith("-") else text


def variable_names(tr: Trace) -> list[str]:
    """Each node's name in a program: the name pictures give it (``tr.names``: its label, or an nn
    unit's ``L0.N1.v``) with dots and spaces made ``_`` (``L0_N1_v``), when that is a Python name
    starting with a letter, no other node's, and none the program needs (a keyword, builtin,
    helper, ``g_...`` or another node's ``n{i}``); else ``n{i}``, ``i`` its position in ``tr``."""
    candidates = [re.sub(r"[.\s]", "_", name) for name in tr.names]
    count: dict[str, int] = {}
    for name in candidates:
        count[name] = count.get(name, 0) + 1
    names = []
    for i, name in enumerate(candidates):
        usable = (name.isidentifier() and name[0].isalpha() and not keyword.iskeyword(name)
                  and count[name] == 1 and name not in _RESERVED and not name.startswith("g_")
                  and (not _GENERATED.fullmatch(name) or name == f"n{i}"))
        names.append(name if usable else f"n{i}")
    return names


def _attributes(node: Value) -> dict[str, str]:
    """The op's attributes as literals: those the node was made with, else the rule's defaults."""
    op = OPS.get(node.op)
    if op is None or not op.attrs:
        return {}
    defaults = op.forward.__defaults__ or ()
    values = dict(zip(op.attrs, defaults[len(defaults) - len(op.attrs):]))
    values.update(node.attrs or {})
    return {key: literal(float(value)) for key, value in values.items()}


def _comment(text: str) -> str:
    """An expression as its comment shows it: ``×`` for ``*``, functions without ``math.``."""
    return text.replace(" * ", " × ").replace("math.", "")


def _fill(template: str | Callable, operands: Sequence[str], y: str = "", position: int = 0,
          attrs: dict[str, str] | None = None) -> str:
    if callable(template):
        return template(y, operands, position) if y else template(operands)
    return template.format(*operands, y=y, **(attrs or {}))


def _gradient_lines(names: list[str]) -> list[str]:
    """``g_a = g_b = ... = 0.0`` lines of at most about _LINE characters."""
    lines: list[str] = []
    line: list[str] = []
    for name in names:
        if line and len(" = ".join(line)) + len(name) + 10 > _LINE:
            lines.append(" = ".join(line) + " = 0.0")
            line = []
        line.append(f"g_{name}")
    if line:
        lines.append(" = ".join(line) + " = 0.0")
    return lines


def _aligned(lines: list[tuple[str, str]]) -> list[str]:
    """Code lines with their comments aligned in one column (code past 60 columns pushes it)."""
    width = min(60, max((len(code) for code, _ in lines), default=0))
    return [f"{code.ljust(width)}   # {comment}" if comment else code for code, comment in lines]


def _checks(nodes: list[Value], grads: dict[Value, float]) -> list:
    """The sums and products the comments show, for choosing their decimals (autograd.format)."""
    checks = []
    for node in nodes:
        if node.op == "mul":
            checks.append(([(node.parents[0].data, node.parents[1].data)], node.data))
        elif node.op in ("add", "sub", "sum"):
            signs = (1.0, -1.0) if node.op == "sub" else (1.0,) * len(node.parents)
            checks.append(([(p.data, s) for p, s in zip(node.parents, signs)], node.data))
        for parent, local in zip(node.parents, node.local_grads):
            if parent.requires_grad:
                checks.append(([(local, grads[node])], local * grads[node]))
    return checks


class _Writer:
    """Writes the lines of a program, ``(code, comment)`` pairs, and notes the helpers they call."""

    def __init__(self, text: dict[Value, str], decimals: int) -> None:
        self.text = text  # node -> its name, or a constant's literal
        self.decimals = decimals  # the comments' decimals
        self.lines: list[tuple[str, str]] = []
        self.helpers: set[str] = set()

    def number(self, x: float, operand: bool = True) -> str:
        """``x`` as a comment shows it; an operand in parentheses when negative."""
        shown_number = format_fixed(x, self.decimals)
        return f"({shown_number})" if operand and shown_number.startswith("-") else shown_number

    def forward(self, node: Value) -> None:
        """The line that computes ``node`` (an op's result) from its operands."""
        rule, name = PROGRAM_RULES.get(node.op), self.text[node]
        if rule is None or not math.isfinite(node.data):
            why = "an op the program does not know" if rule is None else "not finite"
            self.lines.append((f"{name} = {literal(node.data, operand=False)}",
                               f"{node.op}: {why}, the engine's value"))
            return
        attrs = _attributes(node)
        code = _fill(rule.forward, [self.text[p] for p in node.parents], attrs=attrs)
        numbers = _fill(rule.forward, [self.number(p.data) for p in node.parents], attrs=attrs)
        result = self.number(node.data, False)
        self.lines.append((f"{name} = {code}", f"{_comment(numbers)} = {result}"))
        self.helpers.update(rule.helpers)

    def backward(self, node: Value, g: float) -> None:
        """One ``+=`` per edge into ``node`` from an operand that requires grad, in order."""
        rule = PROGRAM_RULES.get(node.op)
        operands = [self.text[p] for p in node.parents]
        attrs = _attributes(node) if rule is not None else {}
        for position, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            if not parent.requires_grad:
                continue
            if rule is None:  # an op the table does not know: the engine's recorded number
                code = literal(local)
            else:
                template = rule.local if callable(rule.local) else rule.local[position]
                code = _fill(template, operands, self.text[node], position, attrs)
                self.helpers.update(rule.helpers)
            product = self.number(local * g, False)
            self.lines.append((f"g_{self.text[parent]} += {code} * g_{self.text[node]}",
                               f"{self.number(local)} × {self.number(g)} = {product}"))


def program(root: Value, *, leaves: bool = True) -> str:
    """The forward and backward passes of ``root``'s graph as plain Python, in execution order.

    The forward part has one line per node (``n5 = x1 * w1``), the backward part one ``+=`` per edge
    (``g_w1 += x1 * g_n5``, ``g_v`` standing for ∂root/∂v), each with its numbers in a comment.
    Running the text computes every gradient bit for bit as ``root.backward()`` does from zero
    gradients. Nodes are named by their labels when those are usable Python names, else ``n{i}``
    (``i`` their position in ``viz.trace(root)``); constants are written as literals. An op the
    program's table does not know (a user's ``register_op``) and a value that is not finite (an
    overflow) are written as the numbers the engine recorded.

    Args:
        root: the output Value (it must require grad).
        leaves: write each leaf's value as a line (False: the caller defines them, e.g.
            ``runpy.run_path("program.py", {"x1": 2.0, ...})``, to run it on other numbers).

    Returns:
        The program's text.
    """
    if not isinstance(root, Value):
        raise TypeError(f"program: root must be a Value, got {shown(root)}")
    leaves = flag(leaves, "program: leaves")
    if not root.requires_grad:
        raise ValueError("program: root is a constant (requires_grad=False): it has no backward")
    tr = trace(root)
    nodes = tr.nodes
    grads = gradients(nodes, 1.0)
    names = variable_names(tr)
    text = {node: name if node.requires_grad else literal(node.data)  # constants are literals
            for node, name in zip(nodes, names)}
    decimals = choose_decimals(_checks(nodes, grads))
    forward, backward = _Writer(text, decimals), _Writer(text, decimals)
    for node in nodes:
        if node.parents:
            forward.forward(node)
    for node in reversed(nodes):
        backward.backward(node, grads[node])

    inputs = [node for node in nodes if not node.parents and node.requires_grad]
    name = text[root]
    lines = [f"# {name}'s forward and backward passes as plain Python (deltagrad's viz.program)",
             f"# Running it sets g_v = ∂{name}/∂v for every node v, bit for bit as backward() does",
             "import math", ""]
    helpers = forward.helpers | backward.helpers
    if helpers:
        lines += ["", "\n\n\n".join(HELPERS[key] for key in HELPERS if key in helpers), "", ""]
    if leaves:
        lines += ["# the leaves", *(f"{text[x]} = {literal(x.data, False)}" for x in inputs), ""]
    elif inputs:
        lines += [f"# the leaves, defined by the caller: {', '.join(text[x] for x in inputs)}", ""]
    lines += ["# forward: one line per node, operands first", *_aligned(forward.lines), ""]
    lines += ["# backward: every gradient starts at 0.0, the root's at 1.0; then, from the root",
              "# down, one += per edge: g_operand += ∂node/∂operand × g_node",
              *_gradient_lines([text[n] for n in nodes if n.requires_grad and n is not root]),
              f"g_{name} = 1.0", *_aligned(backward.lines)]
    return "\n".join(lines) + "\n"
