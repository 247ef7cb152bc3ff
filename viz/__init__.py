"""deltagrad's pictures of computation graphs (Graphviz).

``draw_graph`` (alias ``draw_dot``) draws a graph with every value, gradient and local
derivative; ``render`` writes it as svg/png/pdf/dot; ``step_through`` writes a page that replays
backward one node at a time; ``draw_mlp`` draws a network diagram of an ``nn.MLP``;
``explain`` says where one gradient comes from (the chain rule with the numbers);
``derivative_text`` writes an activation's φ′ as the op table does (``y(1 − y)``);
``program`` writes forward and backward as runnable Python; ``diagnose`` grades a learner's
gradients.
"""

from .diagnose import Diagnosis, diagnose
from .explain import Explanation, explain
from .formulas import derivative_text
from .graph import draw_dot, draw_graph
from .mlp import draw_mlp
from .program import program
from .rendering import GraphvizNotFound, render
from .step_page import StepThrough, step_through
from .tracing import Edge, Trace, local_formula, trace

__all__ = [
    "Diagnosis",
    "Edge",
    "Explanation",
    "GraphvizNotFound",
    "StepThrough",
    "Trace",
    "derivative_text",
    "diagnose",
    "draw_dot",
    "draw_graph",
    "draw_mlp",
    "explain",
    "local_formula",
    "program",
    "render",
    "step_through",
    "trace",
]
