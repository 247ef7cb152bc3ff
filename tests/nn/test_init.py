"""Initialisation schemes and seeding."""

import math
import random

import numpy as np
import pytest

from nn import MLP, Layer
from nn.init import init_weights, make_rng


def test_uniform_is_micrograds_u_minus_one_one():
    w = init_weights("uniform", "relu", 30, 40, make_rng(0))
    assert w.shape == (40, 30)
    assert -1 <= w.min() < -0.95 and 0.95 < w.max() <= 1


def test_xavier_bound_and_he_spread():
    w = init_weights("xavier", "tanh", 50, 150, make_rng(0))
    bound = math.sqrt(6 / 200)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    he = init_weights("he", "relu", 50, 400, make_rng(0))
    assert he.std() == pytest.approx(math.sqrt(2 / 50), rel=0.05)


def test_auto_picks_he_for_relu_and_xavier_for_sigmoid():
    assert np.array_equal(init_weights("auto", "relu", 4, 3, make_rng(1)), init_weights("he", "relu", 4, 3, make_rng(1)))
    assert np.array_equal(init_weights("auto", "sigmoid", 4, 3, make_rng(1)),
                          init_weights("xavier", "sigmoid", 4, 3, make_rng(1)))
    layer = Layer(100, 100, "tanh", init="auto", seed=0)
    weights = [w.data for n in layer.neurons for w in n.w]
    assert max(map(abs, weights)) <= math.sqrt(6 / 200)


def test_without_a_seed_pythons_random_governs_it_as_in_micrograd():
    random.seed(1337)
    a = MLP(2, [3, 1]).state_dict()
    random.seed(1337)
    b = MLP(2, [3, 1]).state_dict()
    assert a == b


def test_bad_init_and_seed():
    with pytest.raises(ValueError, match="unknown init 'glorot'.*xavier"):
        init_weights("glorot", "relu", 2, 2, make_rng(0))
    with pytest.raises(TypeError, match="seed"):
        MLP(2, [1], seed="a")
    with pytest.raises(TypeError, match="seed"):
        make_rng(-1)


@pytest.mark.parametrize("name", ["log", "sqrt"])
def test_auto_refuses_an_activation_undefined_at_minus_one_naming_init_and_it(name):
    from nn import Neuron

    for build in (lambda: MLP(2, [2, 1], name, init="auto", seed=0),
                  lambda: MLP(2, [2, 1], "tanh", name, init="auto", seed=0),
                  lambda: Layer(2, 3, name, init="auto", seed=0),
                  lambda: Neuron(2, name, init="auto", seed=0)):
        with pytest.raises(ValueError, match=rf"init='auto'.*activation '{name}'"):
            build()
    model = MLP(2, [2, 1], name, init="xavier", seed=0)  # an accepted activation with a scheme given
    assert model.layers[0].activation == name
