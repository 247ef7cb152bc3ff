"""micrograd's moons demo (demo.ipynb), run on deltagrad with only the imports changed.

The one other change: scikit-learn's ``make_moons`` (not a dependency) is replaced by
``nn.data.moons``, which draws the same two half circles. Everything else (the model
MLP(2, [16, 16, 1]), the SVM max-margin loss with L2 1e-4, the hand-written SGD with micrograd's
learning-rate schedule, 100 steps) is micrograd's code as published. It ends at 100% training
accuracy. ``tests/nn/test_micrograd_compat.py`` runs this file's ``main`` on 40 points.

Run: python demos/micrograd_moons.py
"""

import random

import numpy as np

from autograd import Value
from nn import MLP, Layer, Neuron  # noqa: F401 - micrograd's demo imports all three
from nn.data import moons


def main(n: int = 100) -> dict:
    """Run the demo on ``n`` points; returns the final accuracy, the losses and the loss function."""
    np.random.seed(1337)
    random.seed(1337)
    X, y = moons(n=n, noise=0.1, seed=1337)
    y = y*2 - 1  # make y be -1 or 1

    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    print(model)
    print("number of parameters", len(model.parameters()))

    # loss function
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

    total_loss, acc = loss()
    print(total_loss, acc)

    losses = []  # (not in micrograd's demo: kept for the test)
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
        if k % 1 == 0:
            print(f"step {k} loss {total_loss.data}, accuracy {acc*100}%")
    return {"accuracy": acc, "losses": losses, "loss": loss, "parameters": len(model.parameters())}


if __name__ == "__main__":
    main()
