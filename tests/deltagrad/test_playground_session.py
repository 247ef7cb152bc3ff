"""The playground's session compiles each of its graphs once and replays it at every batch size."""

from __future__ import annotations

import numpy as np
import pytest

from deltagrad.playground import Config, Session, configure
from deltagrad.playground import session as session_module


@pytest.mark.parametrize("change", [{"batch_size": 10}, {"batch_size": 40}])
def test_each_graph_is_compiled_once_whatever_the_batch_sizes(monkeypatch, change):
    compiled = []
    real = session_module.compile_graph

    def counting(output, *args, **kwargs):
        compiled.append(output)
        return real(output, *args, **kwargs)

    monkeypatch.setattr(session_module, "compile_graph", counting)
    config = configure(Config(), {"dataset": "xor", "samples": 40, **change})
    session = Session(config, playing=True)
    nout = session.targets.shape[1]
    assert len(compiled) == 2 + nout  # J + L2 (training), J alone (one sample), each output's v
    session.train(3)  # a minibatch (or all the data), all the data, the grid, one sample
    session.state()
    session.sample(0)
    assert len(compiled) == 2 + nout and len(set(map(id, compiled))) == len(compiled)
    assert len(session.losses) == 3 and all(np.isfinite(session.losses))
