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


# -- your own data: CSV ------------------------------------------------------------------------


def test_a_csv_with_a_header_gives_classes():
    X, y = data.parse_csv("x0, x1, label\n0.5,1,0\n\n# a comment\n-2,3e-1,1\n1,1,2\n")
    assert X.tolist() == [[0.5, 1.0], [-2.0, 0.3], [1.0, 1.0]] and y.tolist() == [0, 1, 2]
    assert y.dtype == np.int64


def test_without_a_header_and_with_real_labels_it_is_regression():
    X, y = data.parse_csv("1,2,0.5\n3,4,-1.25\n")
    assert X.shape == (2, 2) and y.dtype == np.float64 and y.tolist() == [0.5, -1.25]


def test_labels_minus_one_and_one_are_classes_0_and_1():
    assert data.parse_csv("0,0,-1\n1,1,1\n")[1].tolist() == [0, 1]


@pytest.mark.parametrize("text, line, words", [
    ("a,b,c\n1,2,0\n1,x,1\n", 3, "column 2"),          # the header counted: line 3
    ("1,2,0\n\n1,2\n", 3, "2 columns"),                 # a blank line counted too
    ("a,b,c\n1,2,0\n1,nan,1\n", 3, "finite"),
    ("1,2,0\n1,2,-2\n", 2, "negative"),
    ("1,2,0\n1,inf,1\n", 2, "finite"),
])
def test_a_bad_line_is_named_by_its_own_line_number(text, line, words):
    with pytest.raises(ValueError, match=rf"pasted, line {line}\b.*{words}"):
        data.parse_csv(text, source="pasted")


def test_limits_on_rows_and_columns():
    with pytest.raises(ValueError, match="line 4.*at most 2"):  # the third data row, after a header
        data.parse_csv("h,h,h\n1,1,0\n2,2,0\n3,3,1\n4,4,1\n", max_rows=2, source="s")
    with pytest.raises(ValueError, match="line 1: 4 columns; at most 3"):
        data.parse_csv("1,2,3,0\n", max_columns=3)
    with pytest.raises(ValueError, match="no data rows"):
        data.parse_csv("x0,x1,label\n\n")
    with pytest.raises(ValueError, match="line 1.*one column"):
        data.parse_csv("1\n2\n")


def test_read_csv_names_the_file(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x,y,label\n0,0,0\n1,1,one\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"points\.csv, line 3"):
        data.read_csv(path)
    path.write_text("\ufeffx,y,label\n0,0,0\n1,1,1\n", encoding="utf-8")  # a BOM, as Excel writes
    X, y = data.read_csv(path)
    assert X.shape == (2, 2) and y.tolist() == [0, 1]
    path.write_bytes(b"\xff\xfe1,2,0\n")
    with pytest.raises(ValueError, match="UTF-8"):
        data.read_csv(path)
