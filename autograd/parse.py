"""``parse``: build a graph from text such as ``"tanh(x1*w1 + x2*w2 + b)"``, without ``eval``.

The text goes through Python's ``ast`` and a whitelist: number literals, names, ``+ - * / **``,
unary ``-`` and ``+``, and calls to the unary ops of the op table (``autograd.ops.OPS``: a user's
``register_op`` included), with a number literal as second argument for an op with an attribute
(``leaky_relu(x, 0.1)``). Every other construct is refused with a ``ValueError`` naming the
offending token and its column. The tree is walked iteratively, and every operation goes
through the op table.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from typing import Any, Callable

from .ops import OPS, Op
from .validate import finite, text
from .value import Value
from .value import node as make_node

__all__ = ["parse", "functions"]


def functions() -> dict[str, Op]:
    """The functions ``parse`` accepts: every unary op of the table, by name."""
    return {name: op for name, op in OPS.items() if op.arity == 1}


BINARY: dict[type, Callable[[Any, Any], Value]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}

UNARY: dict[type, Callable[[Value], Value]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}

# What a refused node is called in the error message.
REFUSED: dict[type, str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.Compare: "comparison",
    ast.BoolOp: "boolean operator",
    ast.IfExp: "conditional expression",
    ast.NamedExpr: "assignment expression",
    ast.JoinedStr: "f-string",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.Starred: "starred argument",
}

OPERATOR_TOKENS: dict[type, str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}


def parse(expression: str, /, **values: Any) -> Value:
    """Build the graph of ``expression`` and return its output node.

    Allowed: number literals (constants, ``requires_grad=False``), names, ``+ - * / **``, unary
    ``-``/``+``, and calls of the unary ops of the table (``exp log sqrt tanh sigmoid relu
    leaky_relu elu selu softplus step sin cos abs neg`` and any op registered since) with one
    operand; an op with an attribute accepts a number literal as second argument
    (``leaky_relu(x, 0.1)``, ``elu(x, 1.5)``). Anything else is refused.

    Args:
        expression: the text, in Python syntax, e.g. ``"tanh(x1*w1 + x2*w2 + b)"``.
        **values: a value for every name. A number becomes one leaf per name, labelled with the
            name (all occurrences share it); a ``Value`` is used as it is, so its ``.grad`` can be
            read after ``backward()``. Values for names the expression does not use are ignored.

    Returns:
        The Value of the whole expression.

    Raises:
        TypeError: ``expression`` is not a str, or a value is neither a real number nor a Value.
        ValueError: a syntax error, a refused construct or function (the message names the token
            and its column), a name without a value, a non-finite number, or nesting too deep to
            parse; also out-of-domain math such as ``log(0)`` (``ZeroDivisionError`` for ``1/0``).

    Example:
        >>> y = parse("tanh(x1*w1 + x2*w2 + b)", x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.8813735870195432)
        >>> round(y.data, 4)
        0.7071
    """
    tree = _syntax_tree(text(expression, "expression"))
    leaves = _Leaves(values)
    results: list[Value] = []
    for node in _checked_postorder(tree, expression):
        if isinstance(node, ast.Constant):
            results.append(Value(_literal(node, expression), requires_grad=False))
        elif isinstance(node, ast.Name):
            results.append(leaves.get(node.id))
        elif isinstance(node, ast.UnaryOp):
            results.append(UNARY[type(node.op)](results.pop()))
        elif isinstance(node, ast.BinOp):
            right = results.pop()
            results.append(BINARY[type(node.op)](results.pop(), right))
        elif isinstance(node, ast.Call):
            op = OPS[node.func.id]
            attrs = {op.attrs[0]: _number_argument(node.args[1], expression)} if len(node.args) == 2 else None
            results.append(make_node(op, (results.pop(),), attrs))
    (output,) = results
    return output


def _syntax_tree(expression: str) -> ast.Expression:
    if not expression.strip():
        raise ValueError("parse: the expression is empty")
    try:
        return ast.parse(expression, mode="eval")
    except SyntaxError as error:
        line = f"line {error.lineno}, " if "\n" in expression and error.lineno else ""
        where = f" ({line}column {error.offset})" if error.offset else ""
        shown = _shorten(expression, error)
        raise ValueError(f"parse: invalid syntax{where} in {shown}: {error.msg}") from None
    except ValueError as error:  # e.g. null bytes on Python < 3.12
        raise ValueError(f"parse: invalid expression {_shorten(expression)}: {error}") from None
    except (RecursionError, MemoryError):
        raise ValueError(
            f"parse: the expression ({len(expression)} characters) nests deeper than Python's parser allows: "
            "about 200 levels of brackets, or a chain of about 3,000 operators (a + b + c ... is such a "
            "chain); build long sums with autograd.sum([...]) instead"
        ) from None


def _shorten(expression: str, error: SyntaxError | None = None) -> str:
    """The expression quoted whole when short, else about ``QUOTED`` characters around the
    error's spot (its line and column), with ``...`` where text was left out."""
    if len(expression) <= QUOTED:
        return repr(expression)
    lines = _LINE_BREAK.split(expression)
    lineno = error.lineno if error is not None and error.lineno else 1
    line = lines[min(lineno, len(lines)) - 1]
    spot = max((error.offset or 1) - 1 if error is not None else 0, 0)
    start = max(0, min(spot - QUOTED // 2, len(line) - QUOTED))
    excerpt = repr(line[start : start + QUOTED])
    return f"{'...' if start > 0 else ''}{excerpt}{'...' if start + QUOTED < len(line) else ''}"


class _Leaves:
    """One leaf per name, made on first use from ``values``."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.made: dict[str, Value] = {}

    def get(self, name: str) -> Value:
        if name in self.made:
            return self.made[name]
        if name not in self.values:
            given = ", ".join(sorted(self.values)) or "none"
            raise ValueError(f"parse: name {_excerpt(name)} has no value "
                             f"(values given: {_excerpt(given)})")
        value = self.values[name]
        if not isinstance(value, Value):
            value = Value(finite(value, name), label=name)
        self.made[name] = value
        return value


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what Python's tokenizer counts as a new line
QUOTED = 60  # at most this many characters of the source are quoted in a message


def _excerpt(text: str, limit: int = QUOTED) -> str:
    """``text`` quoted (repr), cut to ``limit`` characters with ``...`` when longer."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}..."


def _where(node: ast.AST, expression: str) -> str:
    """The node's source text (at most ``QUOTED`` characters) and 1-based line and column (of
    characters, not bytes). Linear in the expression's length, whatever the node."""
    lines = _LINE_BREAK.split(expression)
    line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
    encoded = line.encode()
    column = len(encoded[: node.col_offset].decode(errors="ignore"))
    same_line = getattr(node, "end_lineno", None) == node.lineno and node.end_col_offset is not None
    end = len(encoded[: node.end_col_offset].decode(errors="ignore")) if same_line else len(line)
    segment = line[column : min(end, column + QUOTED + 1)] or type(node).__name__
    place = f"line {node.lineno}, column {column + 1}" if len(lines) > 1 else f"column {column + 1}"
    return f"{_excerpt(segment)} ({place})"


def _refuse(node: ast.AST, expression: str, reason: str) -> ValueError:
    return ValueError(f"parse: {reason}, at {_where(node, expression)}")


def _literal(node: ast.Constant, expression: str) -> float:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        kind = {str: "string", bytes: "bytes", complex: "complex number", bool: "boolean"}
        raise _refuse(node, expression, f"{kind.get(type(value), repr(value))} is not allowed")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise _refuse(node, expression, "number literal too large for a float")
    return number


def _number_argument(node: ast.expr, expression: str) -> float:
    """A literal second argument such as ``0.1`` or ``-0.1``."""
    sign = 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        node = node.operand
    if not isinstance(node, ast.Constant):
        raise _refuse(node, expression, "the second argument must be a number literal")
    return sign * _literal(node, expression)


def _children(node: ast.AST, expression: str) -> list[ast.AST]:
    """The operands of an allowed node, left to right; raises for anything off the whitelist."""
    if isinstance(node, ast.Expression):
        return [node.body]
    if isinstance(node, (ast.Constant, ast.Name)):
        if isinstance(node, ast.Constant):
            _literal(node, expression)
        return []
    if isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            token = OPERATOR_TOKENS.get(type(node.op), type(node.op).__name__)
            raise _refuse(node, expression, f"operator {token!r} is not allowed")
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if type(node.op) not in UNARY:
            token = OPERATOR_TOKENS.get(type(node.op), type(node.op).__name__)
            raise _refuse(node, expression, f"operator {token!r} is not allowed")
        return [node.operand]
    if isinstance(node, ast.Call):
        return _call_operands(node, expression)
    raise _refuse(node, expression, f"{REFUSED.get(type(node), type(node).__name__)} is not allowed")


def _call_operands(node: ast.Call, expression: str) -> list[ast.AST]:
    if not isinstance(node.func, ast.Name):
        _children(node.func, expression)  # names the refused construct first: x.exp(), lambda ...
        raise _refuse(node.func, expression, "only function names can be called")
    name = node.func.id
    known = functions()
    if name not in known:
        raise _refuse(node.func, expression,
                      f"unknown function {_excerpt(name)} (known: {', '.join(known)})")
    if node.keywords:
        raise _refuse(node.keywords[0], expression, f"keyword arguments are not allowed ({name})")
    extra = known[name].attrs[0] if known[name].attrs else None
    allowed = "1 argument" if extra is None else f"1 or 2 arguments ({name}(x, {extra}))"
    if not 1 <= len(node.args) <= (1 if extra is None else 2):
        raise _refuse(node, expression, f"{name} takes {allowed}, got {len(node.args)}")
    if len(node.args) == 2:
        _number_argument(node.args[1], expression)
    return [node.args[0]]


def _checked_postorder(tree: ast.Expression, expression: str) -> list[ast.AST]:
    """The nodes of ``tree``, operands before operators, left to right; each checked on the way.

    Iterative, and nodes are checked in source order, so the first refused token is the one named.
    """
    postorder: list[ast.AST] = []
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            postorder.append(node)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node, expression)))
    return [node for node in postorder if not isinstance(node, ast.Expression)]
