"""autograd.format: fixed decimals per picture, chosen so hand sums come out; never a negative zero."""

from __future__ import annotations

import doctest
import math

from hypothesis import given
from hypothesis import strategies as st

from autograd import format as fmt
from autograd.format import choose_decimals, format_fixed, format_number


def test_doctests():
    assert doctest.testmod(fmt).failed == 0


def test_readme_neuron_sum_reproduces_the_shown_result():
    b = 6.8813735870195432
    n = -6.0 + 0.0 + b
    terms = [(-6.0, 1.0), (0.0, 1.0), (b, 1.0)]
    decimals = choose_decimals([(terms, n)])
    assert decimals == 4
    assert (format_fixed(b, decimals), format_fixed(n, decimals)) == ("6.8814", "0.8814")


def test_more_decimals_when_the_last_digit_would_not_add_up():
    # 0.1464 - 0.1036 = 0.0428 but the true difference shows as 0.0429 at 4 decimals
    a, b = 0.14644, -0.10355
    c = a + b
    decimals = choose_decimals([([(a, 1.0), (b, 1.0)], c)])
    assert decimals > 4
    shown = [float(format_fixed(x, decimals)) for x in (a, b)]
    assert format_fixed(sum(shown), decimals) == format_fixed(c, decimals)


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 8))
def test_never_a_negative_zero(x, decimals):
    texts = (format_fixed(x, decimals), format_number(x), format_number(x, 12 + decimals),
             format_fixed(-abs(x) * 1e-30, decimals), format_number(-abs(x) * 1e-300, decimals + 1))
    for text in texts:
        assert text.lstrip("-") == text or float(text) != 0.0, text


@given(st.floats(min_value=-1e5, max_value=1e5, allow_nan=False), st.integers(1, 8))
def test_fixed_text_reads_back_within_half_a_unit_of_the_last_decimal(x, decimals):
    text = format_fixed(x, decimals)
    if "e" in text:  # tiny: four significant digits
        assert math.isclose(float(text), x, rel_tol=1e-3)
    else:
        assert abs(float(text) - x) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9) + 1e-12


def test_scientific_for_tiny_and_huge():
    assert format_fixed(1.2345e-5) == "1.234e-05" or format_fixed(1.2345e-5) == "1.235e-05"
    assert format_fixed(3e7) == "3e+07"
    assert format_fixed(0.0) == "0.0" and format_fixed(-0.0) == "0.0"
    assert format_fixed(float("inf")) == "inf"


# -- agrees_to_written: the one rule every grader uses ----------------------------------------


def test_agreement_is_rounding_to_the_digits_written():
    from autograd.format import agrees_to_written, written_digits

    assert agrees_to_written(0.0432, 0.043152) and not agrees_to_written(0.0431, 0.043152)
    assert agrees_to_written("0.0432", 0.043152) and not agrees_to_written("0.04320", 0.043152)
    assert written_digits("−0.50") == (-0.5, -2)  # a Unicode minus; the trailing zero counts
    # at least two significant digits of the value count: 0 is not 0.3, 0.6 is not 0.64
    assert not agrees_to_written(0, 0.3) and not agrees_to_written("0.6", 0.64)
    assert agrees_to_written("0.64", 0.6449)
    # one unit of the last digit where the writer computed it from rounded numbers
    assert not agrees_to_written("0.43", 0.4391) and agrees_to_written("0.43", 0.4391, units=1.0)
    assert not agrees_to_written(1.0, math.nan)


def test_bad_written_numbers_name_the_argument():
    import pytest

    from autograd.format import agrees_to_written, written_digits

    with pytest.raises(ValueError, match="answers"):
        written_digits("one", "answers")
    with pytest.raises(ValueError, match="written"):
        agrees_to_written("inf", 1.0)
    with pytest.raises(TypeError, match="written"):
        agrees_to_written([1.0], 1.0)
