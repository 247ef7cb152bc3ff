"""Toy data sets: shapes, geometry, labels, reproducibility; and as_values."""

import math
import re

import numpy as np
import pytest

from nn import data


@pytest.mark.parametrize("make, n, features", [(lambda s: data.moons(31, seed=s), 31, 2),
                                               (lambda s: data.xor(10, noise=0.1, seed=s), 10, 2),
                                               (lambda s: data.spiral(7, classes=4, seed=s), 28, 2),
                                               (lambda s: data.circles(13, seed=s), 13, 2),
                                               (lambda s: data.sine(9, noise=0.1, seed=s), 9, 1)])
def test_shapes_and_reproducibility(make, n, features):
    X, y = make(0)
    assert X.shape == (n, features) and y.shape == (n,) and X.dtype == np.float64
    X2, y2 = make(0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    X3, y3 = make(1)
    assert not (np.array_equal(X, X3) and np.array_equal(y, y3))  # the seed changes the noise


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = data.moons(21, noise=0.0)
    outer, inner = X[y == 0], X[y == 1]
    assert len(outer) == 11 and len(inner) == 10
    assert np.allclose(np.hypot(*outer.T), 1.0) and (outer[:, 1] >= -1e-12).all()
    assert np.allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0) and (inner[:, 1] <= 0.5 + 1e-12).all()


def test_xor_labels():
    X, y = data.xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    X, y = data.xor(8, noise=0.05)
    assert y.tolist() == [0, 1, 1, 0] * 2 and np.abs(X - np.round(X)).max() < 0.3


def test_spiral_radius_and_classes():
    X, y = data.spiral(10, classes=3, noise=0.0)
    assert np.bincount(y).tolist() == [10, 10, 10]
    assert np.allclose(np.hypot(*X.T), np.tile(np.linspace(0, 1, 10), 3))


def test_circles_without_noise_lie_on_their_circles():
    X, y = data.circles(21, noise=0.0, factor=0.3)
    assert np.bincount(y).tolist() == [11, 10]
    assert np.allclose(np.hypot(*X[y == 0].T), 1.0) and np.allclose(np.hypot(*X[y == 1].T), 0.3)
    assert np.allclose(X.mean(axis=0), 0.0, atol=1e-12)  # evenly spaced in angle: centred
    with pytest.raises(ValueError, match="factor"):
        data.circles(10, factor=1.0)


@pytest.mark.parametrize("factor, error", [("a", TypeError), (True, TypeError), (None, TypeError),
                                           (0.0, ValueError), (-0.5, ValueError), (1, ValueError),
                                           (float("nan"), ValueError), (float("inf"), ValueError)])
def test_circles_factor_is_checked_by_type_then_range(factor, error):
    with pytest.raises(error, match="factor"):
        data.circles(10, factor=factor)
    X, _ = data.circles(10, noise=0.0, factor=np.float32(0.25))  # a NumPy real is a number too
    assert np.isclose(np.hypot(*X.T).min(), 0.25)


def test_sine_targets():
    X, y = data.sine(5)
    assert X[:, 0] == pytest.approx([-math.pi, -math.pi / 2, 0, math.pi / 2, math.pi])
    assert y == pytest.approx(np.sin(X[:, 0]), abs=1e-15)


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"\bn\b"):
        data.moons(0)
    with pytest.raises(ValueError, match="noise"):
        data.sine(5, noise=-1)
    with pytest.raises(TypeError, match="classes"):
        data.spiral(5, classes=1.5)


def test_as_values():
    rows = data.as_values(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert [[v.data for v in row] for row in rows] == [[1.0, 2.0], [3.0, 4.0]]
    assert [v.label for v in rows[0]] == ["x0", "x1"]
    assert not rows[0][0].requires_grad
    assert data.as_values([[1.0]], requires_grad=True)[0][0].requires_grad
    with pytest.raises(ValueError, match="2-D"):
        data.as_values([1.0, 2.0])
    with pytest.raises(ValueError, match="NaN or inf"):
        data.as_values([[math.nan]])
    with pytest.raises(ValueError, match="real numbers"):
        data.as_values([["a"]])


# Issue 23, failure 10: a huge count is a ValueError naming the argument, not a raw MemoryError.
@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: data.moons(10**9), "n"),
        (lambda: data.xor(10**12), "n"),
        (lambda: data.circles(10**9), "n"),
        (lambda: data.sine(10**15), "n"),
        (lambda: data.spiral(10**9), "n_per_class"),
        (lambda: data.spiral(50, 10**9), "classes"),
        (lambda: data.spiral(100_000, 100), "n_per_class × classes"),
    ],
)
def test_a_huge_sample_count_is_refused_naming_the_argument(make, name):
    with pytest.raises(ValueError, match=re.escape(name) + ".*MAX_SAMPLES"):
        make()


def test_the_largest_allowed_count_works():
    X, y = data.sine(data.MAX_SAMPLES)
    assert X.shape == (data.MAX_SAMPLES, 1) and y.shape == (data.MAX_SAMPLES,)
