"""The shared argparse converters (deltagrad.arguments) and the options that use them."""

from __future__ import annotations

import argparse

import pytest

from deltagrad.arguments import listed, number, whole
from deltagrad.cli import main


def test_whole_accepts_the_bounds_and_refuses_beyond():
    assert whole(1)("1") == 1 and whole(0, 5)("5") == 5 and whole()("-7") == -7
    for convert, text in [(whole(1), "0"), (whole(0, 5), "6"), (whole(0), "-1")]:
        with pytest.raises(argparse.ArgumentTypeError, match=repr(text)):
            convert(text)


@pytest.mark.parametrize("text", ["ten", "2.5", "²", "", "1e3"])
def test_whole_refuses_what_is_not_a_whole_number(text):
    with pytest.raises(argparse.ArgumentTypeError, match="whole number"):
        whole()(text)


def test_the_converters_read_well_in_argparse_messages():
    assert whole(1).__name__ == "whole number" and listed(whole()).__name__ == "list of whole number"
    with pytest.raises(argparse.ArgumentTypeError, match="from 0 to 65535"):
        whole(0, 65535)("70000")


def test_number_and_listed():
    assert number("-0.5") == -0.5
    with pytest.raises(argparse.ArgumentTypeError, match="number"):
        number("abc")
    assert listed(whole(1))(" 2, 3 ,1") == [2, 3, 1] and listed(whole())("") == []
    with pytest.raises(argparse.ArgumentTypeError, match="''"):  # a stray comma is a typo, not skipped
        listed(whole(1))("2,,1")


@pytest.mark.parametrize("argv, option", [
    (["graph", "x", "--at", "x=1", "-o", "g.dot", "--max-nodes", "²"], "--max-nodes"),
    (["train", "xor", "--steps", "²"], "--steps"),
    (["deltas", "--layers", "2,²,1"], "--layers"),
    (["deltas", "--layers", "2,0,1"], "--layers"),
    (["playground", "--port", "²"], "--port"),
    (["playground", "--hidden", "4,²"], "--hidden"),
])
def test_a_bad_whole_number_names_the_option_in_one_line(capsys, argv, option):
    # '²'.isdigit() is True but int('²') fails: it once gave "invalid _positive_int value".
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1
    assert f"argument {option}: expected" in err and "_" not in err.split("error:")[1].split("(see")[0]
