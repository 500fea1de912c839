"""Numbers as text: significant digits, no "-0", nothing below float64's resolution."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rmsprop_viz.engine.formatting import below_resolution, format_gap, format_number, format_setting, resolution_text


def _significant(text: str) -> int:
    mantissa = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa)


@pytest.mark.parametrize("digits", [1, 3, 6])
def test_numbers_read_back_to_their_significant_digits(digits: int) -> None:
    rng = np.random.default_rng(1)
    values = rng.choice([-1.0, 1.0], 400) * 10.0 ** rng.uniform(-300, 300, 400)
    values = np.concatenate([values, [1e-3, 9.9999e3, 1e4, 0.5, 123.456, -7.0]])
    for x in values:
        text = format_number(float(x), digits)
        back = float(text)
        exponent = math.floor(math.log10(abs(x)))
        # within half a unit of the last shown digit (one more when rounding carried up)
        assert abs(back - x) <= 0.5 * 10.0 ** (exponent - digits + 1) * (1 + 1e-9), (x, text)
        assert _significant(text) <= digits, (x, text)
        assert math.copysign(1.0, back) == math.copysign(1.0, x)


def test_zero_of_either_sign_is_plain_zero() -> None:
    assert format_number(0.0) == "0"
    assert format_number(-0.0) == "0"
    assert format_number(np.float64(-0.0)) == "0"
    for x in (-1e-300, -5e-324, -0.0001):
        assert not format_number(x).startswith("-0"), format_number(x)


def test_non_finite_values() -> None:
    assert (format_number(math.nan), format_number(math.inf), format_number(-math.inf)) == ("nan", "inf", "-inf")
    assert format_gap(math.nan) == "nan"


def test_plain_notation_in_the_readable_range_only() -> None:
    assert "e" not in format_number(0.001)
    assert "e" not in format_number(-42.0)
    assert "e" in format_number(0.000999)
    assert "e" in format_number(12345.0)


def test_gaps_below_float64_resolution_are_not_printed_as_numbers() -> None:
    for tiny in (8.44e-172, -2.24e-300, 0.0, -0.0, 9.9e-16, -9.9e-16, 5e-324):
        assert format_gap(tiny) == "< 1e-15", tiny
        assert below_resolution(tiny)
    for real in (1.01e-15, 3e-9, -1e-12, 0.7, 1e300):
        text = format_gap(real)
        assert not text.startswith("<")
        assert float(text) == pytest.approx(real, rel=5e-3)
        assert not below_resolution(real)


def test_the_threshold_follows_the_scale() -> None:
    assert format_gap(5e-13, scale=1e3) == "< 1e-12"
    assert format_gap(5e-13, scale=1.0) == format_number(5e-13)
    assert resolution_text(0.02) == "< 2e-17"
    assert below_resolution(1.9e-17, scale=0.02)
    assert not below_resolution(2.1e-17, scale=0.02)


@pytest.mark.parametrize("scale", [0.0, -1.0, math.nan, math.inf, "big"])
def test_bad_scales_are_refused(scale: object) -> None:
    with pytest.raises(ValueError, match="scale must be"):
        format_gap(1.0, scale=scale)  # type: ignore[arg-type]


@pytest.mark.parametrize("digits", [0, 18, 2.5, True])
def test_bad_digits_are_refused(digits: object) -> None:
    with pytest.raises(ValueError, match=r"digits must be an integer in \[1, 17\]"):
        format_number(1.0, digits)  # type: ignore[arg-type]


def test_settings_print_as_typed() -> None:
    for value in (0.001, 0.03, 1e-8, 0.999, 0.9999, 12.5, 3.0):
        text = format_setting(value)
        assert float(text) == value, text
        assert not text.endswith("0") or "e" in text or "." not in text, text
    assert format_setting(-0.0) == "0"
    assert format_setting(False) == "False"


def test_subnormal_values_are_never_printed_and_no_threshold_is_subnormal() -> None:
    tiny = float(np.finfo(np.float64).tiny)  # the smallest normal float64, 2.2e-308
    rng = np.random.default_rng(7)
    subnormals = [5e-324, -5e-324, 1.29e-309, -6.47e-311, tiny * 0.999, -tiny / 3]
    subnormals += list(rng.choice([-1.0, 1.0], 50) * tiny * rng.uniform(0.0, 1.0, 50))
    for scale in (1e-320, 1e-300, 5e-302, 1e-290, 1.0, 1e6):
        threshold = float(resolution_text(scale).removeprefix("< "))
        assert threshold >= tiny, (scale, threshold)  # the text "< ..." is itself a normal number
        assert threshold >= 1e-15 * scale * 0.5  # and still the 1e-15 rule where that rule is normal
        for x in subnormals:
            assert x == 0.0 or abs(x) < tiny  # the inputs are subnormal indeed
            text = format_gap(x, scale)
            assert text.startswith("< "), (x, scale, text)
            assert below_resolution(x, scale)
    # normal numbers above the rule keep their digits, even at a tiny scale
    assert format_gap(-2.85e-292, scale=1e-300) == "-2.85e-292"
    assert float(format_gap(3e-300, scale=1e-300)) == 3e-300
