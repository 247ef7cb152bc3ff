"""deltagrad's performance suite: every figure is a ratio against a baseline timed in the same run.

Run it with ``python -m benchmarks`` (``--quick`` for a shorter run, ``--only B1,B3`` for some).
The baselines are micrograd 0.1.0 from PyPI (the optional ``bench`` extra) doing the same work,
and hand-written loops that do only the arithmetic. The machine this runs on may be shared and
noisy, so times are medians (or the best) of several runs; no test asserts on them.
"""
