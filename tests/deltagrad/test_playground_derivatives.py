"""The playground page writes φ′ with viz's one formula renderer."""

from __future__ import annotations

from deltagrad.playground.config import options
from nn import ACTIVATIONS
from viz import derivative_text


def test_the_page_gets_viz_texts_for_every_activation():
    texts = options()["derivatives"]
    assert texts == {name: derivative_text(name) for name in ACTIVATIONS}
    assert texts["sigmoid"] == "y(1 − y)" and texts["elu"] == "1 if v > 0 else alpha·eᵛ"
    assert texts["linear"] == "1"
