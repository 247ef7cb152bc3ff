"""micrograd's moons demo, with only the imports changed.

(micrograd's README example, which needs only ``Value``, is in tests/autograd/test_backward.py.)

The data comes from ``nn.data.moons`` instead of scikit-learn (not a dependency), on 40 points so the
test stays quick; ``demos/micrograd_moons.py`` runs the full 100-point demo.
"""

import random

import numpy as np

from autograd import Value
from nn import MLP, Layer, Neuron  # noqa: F401 - micrograd's demo imports all three
from nn.data import moons


def test_moons_demo_reaches_full_training_accuracy():
    np.random.seed(1337)
    random.seed(1337)
    X, y = moons(n=40, noise=0.1, seed=1337)
    y = y*2 - 1  # make y be -1 or 1

    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    assert len(model.parameters()) == 337

    # loss function (micrograd's demo, verbatim)
    def loss(batch_size=None):
        # inline DataLoader :)
        if batch_size is None:
            Xb, yb = X, y
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
        inputs = [list(map(Value, xrow)) for xrow in Xb]
        # forward the model to get scores
        scores = list(map(model, inputs))
        # svm "max-margin" loss
        losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum((p*p for p in model.parameters()))
        total_loss = data_loss + reg_loss
        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    losses = []
    # optimization
    for k in range(100):
        # forward
        total_loss, acc = loss()
        losses.append(total_loss.data)
        # backward
        model.zero_grad()
        total_loss.backward()
        # update (sgd)
        learning_rate = 1.0 - 0.9*k/100
        for p in model.parameters():
            p.data -= learning_rate * p.grad

    assert acc == 1.0
    assert losses[-1] < losses[0] / 10
    assert loss(batch_size=10)[0].data > 0  # the demo's minibatch path works too
