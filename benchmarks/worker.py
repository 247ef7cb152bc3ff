"""B1's ``nn.MLP`` step in a process of its own, on the engine of a given checkout, so that another
commit's engine (the core before a rewrite) is timed in the same run as this one.

The worker is this file run as a script with ``PYTHONPATH=CHECKOUT``: ``nn`` and ``autograd`` come
from that checkout, ``models`` and ``timing`` from this folder (the script's own, first on
``sys.path``). It reads the data as one JSON line, then answers one JSON line per request:
``"step"`` (a full collection, then one untimed step: the settling call of ``timing.alternate``) or
``[calls, collect]`` (seconds per step and the last loss, timed by ``timing._timed``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

CHECKOUT = Path(__file__).resolve().parents[1]  # the checkout this suite belongs to


class Worker:
    """A contender for ``timing.alternate`` that runs and times its step in a worker process.

    Args:
        checkout: the folder holding the ``nn`` and ``autograd`` packages to time.
        rows, targets: the data of the step (the moons, as lists of floats).
    """

    def __init__(self, checkout: Path | str, rows: list, targets: list) -> None:
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        self.process = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, env=env)
        self.engine = self._ask([rows, targets])  # the file of the nn package that answered

    def _ask(self, request: Any) -> Any:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the benchmark worker stopped (exit status {self.process.wait()})")
        return json.loads(answer)

    def __call__(self) -> float:
        """One untimed step, after a full collection in the worker; returns the loss."""
        return self._ask("step")

    def timed(self, calls: int, collect: bool) -> tuple[float, float]:
        """Seconds per step of ``calls`` steps timed in the worker (see ``timing._timed``), and the loss."""
        seconds, loss = self._ask([calls, collect])
        return seconds, loss

    def close(self) -> None:
        """End the worker."""
        self.process.stdin.close()
        self.process.wait(timeout=60)


def main() -> None:
    """The worker's side: the step of ``models`` on the checkout's engine, answering requests."""
    import gc

    import models  # noqa: I001 - from this folder, with the checkout's nn underneath
    import nn
    from timing import _timed

    rows, targets = json.loads(sys.stdin.readline())
    model = nn.MLP(2, [16, 16, 1], seed=0)
    params = model.parameters()

    def step() -> float:
        return models.sgd_step(models.deltagrad_loss(model, params, rows, targets), params)

    print(json.dumps(nn.__file__), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request == "step":
            gc.collect()
            print(json.dumps(step()), flush=True)
        else:
            print(json.dumps(_timed(step, *request)), flush=True)


if __name__ == "__main__":
    main()
