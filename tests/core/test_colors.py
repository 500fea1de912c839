"""WCAG contrast: checked against the standard's published values and by hand."""

from __future__ import annotations

import pytest

from rmsprop_viz.core.colors import contrast_ratio, readable_on, relative_luminance
from rmsprop_viz.core.kinds import KINDS


def test_luminance_and_contrast_match_the_wcag_reference_values() -> None:
    # WCAG's own examples: black on white is 21:1; mid grey #767676 is the lightest grey
    # that passes AA on white (4.54:1), #777777 just fails (4.48:1).
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    # pure green by hand: G = 1 -> L = 0.7152; against black (0.7152 + 0.05) / 0.05
    assert relative_luminance("#00FF00") == pytest.approx(0.7152)
    assert contrast_ratio("#00FF00", "#000000") == pytest.approx(0.7652 / 0.05)
    assert contrast_ratio("#123456", "#ABCDEF") == contrast_ratio("#ABCDEF", "#123456")


def test_every_optimizer_colour_is_made_readable_on_light_buttons() -> None:
    backgrounds = ["#FFFFFF", "#EEEEEE", "#BDBDBD"]
    for kind in KINDS.values():
        text = readable_on(kind.style.color, backgrounds)
        assert min(contrast_ratio(text, bg) for bg in backgrounds) >= 4.5, kind.name
        # the hue is kept: the channels keep their order
        order = sorted(range(3), key=lambda i: kind.style.color[1 + 2 * i : 3 + 2 * i])
        darker = sorted(range(3), key=lambda i: text[1 + 2 * i : 3 + 2 * i])
        assert order == darker or len({kind.style.color[1:3], kind.style.color[3:5], kind.style.color[5:7]}) < 3


def test_a_bad_colour_is_named() -> None:
    with pytest.raises(ValueError, match="color must be a hex colour"):
        contrast_ratio("vermillion", "#FFFFFF")
