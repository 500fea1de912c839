"""Validation of user input, shared by every layer.

Each check raises :class:`ValueError` with the parameter's name, the value it got and
the range it accepts, so that a mistake is reported where it was made and not as a
traceback from deep inside numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["check_flag", "check_int", "check_number", "check_point"]

Hyper = float | npt.NDArray[np.float64]


def _describe(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        return f"in {left}{low:g}, {high:g}{right}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"{'<' if high_open else '<='} {high:g}"
    return ""


def check_number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_array: bool = True,
) -> Hyper:
    """Return ``value`` as a float (or a float array) after checking its range.

    A scalar or a one-element array comes back as a Python ``float``; a larger array comes
    back as a float64 array of the same shape (used to batch runs over hyperparameters).

    >>> check_number("beta", 0.9, low=0.0, high=1.0, high_open=True)
    0.9
    >>> check_number("beta", 1.0, low=0.0, high=1.0, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: beta must be a finite number in [0, 1), got 1.0
    """
    valid = _describe(low, high, low_open, high_open)
    valid = f" {valid}" if valid else ""
    is_number = isinstance(value, (int, float, np.number, np.ndarray)) and not isinstance(value, bool)
    if not is_number and not (allow_array and isinstance(value, (list, tuple))):
        raise ValueError(f"{name} must be a finite number{valid}, got {value!r}")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite number{valid}, got {value!r}") from None
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    if array.size > 1 and not allow_array:
        raise ValueError(f"{name} must be a single number{valid}, got an array of shape {array.shape}")
    bad = ~np.isfinite(array)
    if low is not None:
        bad |= (array <= low) if low_open else (array < low)
    if high is not None:
        bad |= (array >= high) if high_open else (array > high)
    if bad.any():
        flat = array.reshape(-1)
        first = float(flat[int(np.argmax(bad.reshape(-1)))])
        where = f" (an entry of an array of shape {array.shape})" if array.size > 1 else ""
        raise ValueError(f"{name} must be a finite number{valid}, got {first!r}{where}")
    if array.size == 1:
        return float(array.reshape(-1)[0])
    return array


def check_int(name: str, value: Any, *, low: int, high: int | None = None) -> int:
    """Return ``value`` as an int after checking ``low <= value (<= high)``.

    >>> check_int("n_steps", 0, low=1)
    Traceback (most recent call last):
    ...
    ValueError: n_steps must be an integer >= 1, got 0
    """
    valid = f">= {low}" if high is None else f"in [{low}, {high}]"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer {valid}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer {valid}, got {value!r}")
    return int(value)


def check_flag(name: str, value: Any) -> bool:
    """Return ``value`` if it is a bool; anything else is an error.

    >>> check_flag("centered", "yes")
    Traceback (most recent call last):
    ...
    ValueError: centered must be True or False, got 'yes'
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_point(name: str, value: Any) -> tuple[float, float]:
    """Return a finite 2-D point as a tuple of floats.

    >>> check_point("start", [1, 2])
    (1.0, 2.0)
    """
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a point (x, y) of two finite numbers, got {value!r}") from None
    if array.shape != (2,) or not np.isfinite(array).all():
        raise ValueError(f"{name} must be a point (x, y) of two finite numbers, got {value!r}")
    return float(array[0]), float(array[1])


def __dir__() -> list[str]:
    return sorted(__all__)
