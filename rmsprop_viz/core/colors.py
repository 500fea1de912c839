r"""Colours a projected slide can read: WCAG contrast, and text colours that meet it.

The Web Content Accessibility Guidelines (WCAG 2.x) define the relative luminance of an
sRGB colour and the contrast ratio of two colours:

.. math::

    L = 0.2126 R + 0.7152 G + 0.0722 B, \quad
    C = \begin{cases} c / 12.92 & c \le 0.04045 \\ ((c + 0.055) / 1.055)^{2.4} & \text{else} \end{cases}

    \text{ratio} = \frac{L_\text{lighter} + 0.05}{L_\text{darker} + 0.05} \in [1, 21]

Level AA asks for a ratio of at least 4.5 for normal text. :func:`readable_on` darkens a
colour (keeping its hue) until its text meets that ratio on every given background, so an
optimizer's toggle can be written in its own hue and still be read from the back row.

This module needs the standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["AA", "contrast_ratio", "hex_to_rgb", "readable_on", "relative_luminance"]

#: WCAG level AA's smallest contrast ratio for normal text.
AA = 4.5


def hex_to_rgb(color: str) -> tuple[float, float, float]:
    """``"#RRGGBB"`` (or ``"#RGB"``) as three numbers in [0, 1].

    >>> hex_to_rgb("#ff8000")
    (1.0, 0.5019607843137255, 0.0)
    >>> hex_to_rgb("orange")
    Traceback (most recent call last):
    ...
    ValueError: color must be a hex colour like '#D55E00', got 'orange'
    """
    text = color.lstrip("#") if isinstance(color, str) and color.startswith("#") else ""
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    try:
        if len(text) != 6:
            raise ValueError
        return tuple(int(text[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]
    except ValueError:
        raise ValueError(f"color must be a hex colour like '#D55E00', got {color!r}") from None


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG's relative luminance of ``color``: 0 for black, 1 for white.

    >>> relative_luminance("#000000"), relative_luminance("#FFFFFF")
    (0.0, 1.0)
    """
    r, g, b = (_linear(c) for c in hex_to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG's contrast ratio of two colours, from 1 (the same) to 21 (black on white).

    >>> round(contrast_ratio("#000000", "#FFFFFF"), 2), round(contrast_ratio("#777777", "#FFFFFF"), 2)
    (21.0, 4.48)
    """
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def readable_on(color: str, backgrounds: Sequence[str], ratio: float = AA) -> str:
    """``color``, darkened in steps of 5 % towards black (its hue kept) until it has at
    least ``ratio`` contrast with every colour of ``backgrounds`` (light ones).

    >>> readable_on("#000000", ["#FFFFFF"])
    '#000000'
    >>> dark = readable_on("#D55E00", ["#FFFFFF", "#BDBDBD"])
    >>> min(contrast_ratio(dark, bg) for bg in ["#FFFFFF", "#BDBDBD"]) >= 4.5
    True
    """
    r, g, b = hex_to_rgb(color)
    for k in range(21):
        scale = 1 - 0.05 * k
        candidate = "#{:02X}{:02X}{:02X}".format(*(round(c * scale * 255) for c in (r, g, b)))
        if all(contrast_ratio(candidate, bg) >= ratio for bg in backgrounds):
            return candidate
    return "#000000"
