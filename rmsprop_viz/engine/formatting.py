"""Numbers as text, the same way in every table, status line and legend.

Two rules a reader of a table relies on:

- A number shows ``digits`` significant digits, and zero is ``0`` (never ``-0``).
- A loss above the minimum, or a gradient, smaller than what float64 can tell apart from
  zero at the problem's scale is not a number worth printing: ``8.44e-172`` or
  ``-2.24e-300`` come from rounding, not from the optimizer. :func:`format_gap` prints
  such values as ``< 1e-15`` (times the scale), which the caller may phrase as
  "at the minimum".
- Subnormal numbers (below float64's smallest normal number, 2.2e-308) have lost digits
  to underflow: whatever the scale, the threshold is at least :data:`SMALLEST_THRESHOLD`,
  so that a gap never prints as ``1.29e-309`` and a threshold never as ``< 1e-315``.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = [
    "RESOLUTION",
    "SMALLEST_THRESHOLD",
    "below_resolution",
    "format_gap",
    "format_number",
    "format_setting",
    "resolution_text",
]

#: Relative size below which a difference is rounding noise in float64 (machine epsilon
#: is 2.2e-16; a few operations lose a few of those).
RESOLUTION = 1e-15

#: The lowest threshold :func:`below_resolution` uses: a normal float64 (the smallest is
#: ``2.2e-308``), so that every subnormal value is below it and the threshold's own text
#: (``"< 1e-307"``) is a number float64 holds with full precision.
SMALLEST_THRESHOLD = 1e-307

#: Upper limit of ``digits``: float64 holds about 17 significant decimal digits.
MAX_DIGITS = 17


def _check_digits(digits: Any) -> int:
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= MAX_DIGITS:
        raise ValueError(f"digits must be an integer in [1, {MAX_DIGITS}], got {digits!r}")
    return digits


def _check_scale(scale: Any) -> float:
    try:
        value = float(scale)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"scale must be a finite number > 0, got {scale!r}")
    return value


def _threshold(scale: Any) -> float:
    """``RESOLUTION * scale``, never below :data:`SMALLEST_THRESHOLD`."""
    return max(RESOLUTION * _check_scale(scale), SMALLEST_THRESHOLD)


def format_number(x: float, digits: int = 3) -> str:
    """``x`` with ``digits`` significant digits; ``0`` for zero of either sign.

    Plain notation from 1e-3 up to 1e4, scientific notation outside that range (both
    with ``digits`` significant digits, so ``1234`` prints as ``1.23e+03``, not as a
    four-digit number that claims more than it knows). Non-finite values print as
    ``nan``, ``inf`` and ``-inf``.

    Parameters
    ----------
    x : float
        The number.
    digits : int
        Significant digits, in [1, 17].

    Returns
    -------
    str
        Text that ``float()`` reads back (to ``digits`` significant digits).

    Examples
    --------
    >>> [format_number(v) for v in (0.0, -0.0, 0.031623, -2.5, 1234.0, 1e-8, -2.24e-300)]
    ['0', '0', '0.0316', '-2.5', '1.23e+03', '1.00e-08', '-2.24e-300']
    >>> format_number(float("nan")), format_number(-float("inf"))
    ('nan', '-inf')
    >>> format_number(3.14159, digits=5)
    '3.1416'
    """
    digits = _check_digits(digits)
    value = float(x)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0.0:
        return "0"
    if 1e-3 <= abs(value) < 1e4:
        text = f"{value:.{digits}g}"
        if "e" not in text:
            return text
    return f"{value:.{digits - 1}e}"


def format_setting(value: Any) -> str:
    """A hyperparameter as one would type it: up to 6 significant digits, no trailing
    zeros, never ``-0``; flags and text as they are.

    Examples
    --------
    >>> [format_setting(v) for v in (0.001, 1e-8, 0.999, 2.0, -0.0, 0.1 + 0.2, True, 7, "x")]
    ['0.001', '1e-08', '0.999', '2', '0', '0.3', 'True', '7', 'x']
    """
    if isinstance(value, (bool, str)) or value is None:
        return str(value)
    number = float(value)
    if number == 0.0:
        return "0"
    if math.isnan(number):
        return "nan"
    return f"{number:.6g}"


def below_resolution(gap: float, scale: float = 1.0) -> bool:
    """True when ``|gap| < max(RESOLUTION * scale, SMALLEST_THRESHOLD)``: a difference
    float64 cannot resolve (every subnormal number is one, whatever the scale).

    Parameters
    ----------
    gap : float
        A loss minus the minimum loss, or a gradient component.
    scale : float
        The size of the quantity ``gap`` is a difference of (e.g. the loss at the start
        above the minimum), > 0.

    Examples
    --------
    >>> below_resolution(8.44e-172), below_resolution(-2.24e-300), below_resolution(1e-9)
    (True, True, False)
    >>> below_resolution(1e-13, scale=1e3)
    True
    >>> below_resolution(1.29e-309, scale=1e-300), below_resolution(2.85e-292, scale=1e-300)
    (True, False)
    """
    threshold = _threshold(scale)
    value = float(gap)
    return math.isfinite(value) and abs(value) < threshold


def resolution_text(scale: float = 1.0) -> str:
    """``"< 1e-15"`` times ``scale`` (at least :data:`SMALLEST_THRESHOLD`), to one
    significant digit: what :func:`format_gap` prints for a value below resolution.

    >>> resolution_text(), resolution_text(400.0), resolution_text(1e-300)
    ('< 1e-15', '< 4e-13', '< 1e-307')
    """
    return f"< {_threshold(scale):.0e}".replace("e-0", "e-").replace("e+0", "e+")


def format_gap(gap: float, scale: float = 1.0, digits: int = 3) -> str:
    """A loss above the minimum (or a gradient component) as text.

    Values with ``|gap| < 1e-15 * scale`` (:func:`below_resolution`), including tiny
    negatives left by rounding and every subnormal number, print as ``"< 1e-15"`` (the threshold, see
    :func:`resolution_text`); every other value as :func:`format_number` does.

    Parameters
    ----------
    gap : float
        ``f - f*``, or a gradient component.
    scale : float
        Size of the quantity the gap is measured against (the starting gap, the first
        gradient), > 0. The threshold is ``1e-15 * scale``, at least
        :data:`SMALLEST_THRESHOLD` (``1e-307``).
    digits : int
        Significant digits for values above the threshold.

    Examples
    --------
    >>> format_gap(8.44e-172), format_gap(-2.24e-300), format_gap(0.0), format_gap(-0.0)
    ('< 1e-15', '< 1e-15', '< 1e-15', '< 1e-15')
    >>> format_gap(3.2e-7), format_gap(-0.5), format_gap(float("nan"))
    ('3.20e-07', '-0.5', 'nan')
    >>> format_gap(5e-14, scale=100.0)
    '< 1e-13'
    >>> format_gap(-6.47e-311, scale=5e-302), format_gap(-2.85e-292, scale=1e-300)
    ('< 1e-307', '-2.85e-292')
    """
    digits = _check_digits(digits)
    if below_resolution(gap, scale):
        return resolution_text(scale)
    return format_number(gap, digits)
