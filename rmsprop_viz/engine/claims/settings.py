"""The checks of the claims' settings: each setting is a plain number or a short tuple of
numbers, and a bad one gets one line naming it and its valid range."""

from __future__ import annotations

from typing import Any

from rmsprop_viz.core.checks import check_number

__all__ = ["number", "numbers"]


def number(name: str, value: Any, **limits: Any) -> float:
    """``value`` as one float within ``limits`` (:func:`~rmsprop_viz.core.checks.check_number`'s
    ``low``, ``high``, ``low_open``, ``high_open``), never an array.

    >>> number("lr", 0.1, low=0.0, low_open=True)
    0.1
    >>> number("lr", -1, low=0.0, low_open=True)
    Traceback (most recent call last):
    ValueError: lr must be a finite number > 0, got -1.0
    """
    return float(check_number(name, value, allow_array=False, **limits))


def numbers(name: str, values: Any, most: int, **limits: Any) -> tuple[float, ...]:
    """``values`` as a tuple of 1 to ``most`` floats, each within ``limits``, in the order given.

    >>> numbers("angles", [0, 45], most=10, low=-360.0, high=360.0)
    (0.0, 45.0)
    >>> numbers("angles", 45, most=10)
    Traceback (most recent call last):
    ValueError: angles must be a tuple of 1 to 10 numbers, got 45
    """
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__") or not 1 <= len(values) <= most:
        raise ValueError(f"{name} must be a tuple of 1 to {most} numbers, got {values!r}")
    return tuple(number(name, v, **limits) for v in values)
