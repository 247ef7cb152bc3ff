"""The batched replay: a graph recorded for one sample, run over a whole batch with NumPy.

A graph built for one sample has the same shape for every sample; only the input leaves' values
change. :func:`compile_graph` records that shape once and :class:`CompiledGraph` replays it over
batches of any size. The package, one idea per module:

- ``rules``: :data:`NUMPY_RULES`, the NumPy interpretation of the ops, keyed by the names of the
  scalar table ``autograd.ops.OPS``;
- ``steps``: where values live, and the kinds of step that compute a group of nodes on arrays;
- ``compile``: grouping the nodes and fusing layers and L2 penalties into a program of steps;
- ``run``: :class:`CompiledGraph` (forward, backward, input gradients) and :class:`Training`
  (the update rules of ``autograd.updates`` on arrays).

Kinks are fine: ReLU, abs or step are evaluated per sample. A Python ``if`` on a value while the
graph was being built is not: the graph holds only the branch taken for the recorded sample.
Likewise a number computed from a value's ``.data`` becomes a constant, frozen at the recorded
sample's value (the shift ``max`` of ``nn.cross_entropy``'s log-sum-exp is one: harmless there).
"""

from .rules import NUMPY_RULES, NumpyRule, scalar_rules
from .run import CompiledGraph, Training, compile_graph

__all__ = ["NUMPY_RULES", "NumpyRule", "compile_graph", "CompiledGraph", "Training", "scalar_rules"]
