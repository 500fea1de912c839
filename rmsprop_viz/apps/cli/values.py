"""What the command line accepts: its defaults, limits and the argparse types of its options.

Each type turns one option's text into a value or raises ``argparse.ArgumentTypeError``
with one line that says what was expected, which argparse prints with the option's name.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any, NamedTuple

from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.claims import CLAIMS, claim_id
from rmsprop_viz.scenes import DPI_RANGE, FPS_RANGE, MAX_FRAMES, MAX_SCENE_STEPS, MAX_SWEEP_CELLS

__all__ = [
    "ANIMATION_SUFFIXES",
    "DEFAULT_BETA_RANGE",
    "DEFAULT_FPS",
    "DEFAULT_FRAMES",
    "DEFAULT_HOLD",
    "DEFAULT_LR_RANGE",
    "EXIT_IO",
    "EXIT_USAGE",
    "FIGURE_SUFFIXES",
    "LR_LIMITS",
    "REPORT_SUFFIXES",
    "Axis",
    "Override",
    "assignment",
    "axis_range",
    "bounded_float",
    "claim_list",
    "dpi_value",
    "fps_value",
    "frame_count",
    "kind_list",
    "number_or_text",
    "override",
    "point",
    "positive_float",
    "seconds",
    "step_count",
    "value_range",
    "whole_number",
]

EXIT_USAGE = 2
EXIT_IO = 1

ANIMATION_SUFFIXES = (".gif", ".mp4", ".html", ".png")
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")
#: What ``rmsprop-viz claims --out`` writes: a Markdown report.
REPORT_SUFFIXES = (".md",)

DEFAULT_FPS = 30.0
DEFAULT_FRAMES = 200
#: Seconds an animation holds its last frame (the export checks the range: HOLD_RANGE).
DEFAULT_HOLD = 1.5
DEFAULT_LR_RANGE = (1e-4, 1.0, 40)
DEFAULT_BETA_RANGE = (0.0, 0.999, 40)
#: Lowest and highest learning rate of a sweep's grid.
LR_LIMITS = (1e-12, 1e6)


# ------------------------------------------------------------------ argument types


def point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two numbers as X,Y (e.g. -1.5,2.5), got {text!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise argparse.ArgumentTypeError(f"expected finite numbers, got {text!r}")
    return x, y


def number_or_text(value: str) -> Any:
    try:
        number: Any = float(value)
    except ValueError:
        return value
    if math.isinf(number) and value.strip().lstrip("+-").isdigit():
        # A whole number too large for a float (it would read as inf): show its size.
        raise argparse.ArgumentTypeError(
            f"{value.strip()[:12]}... is a whole number of {len(value.strip().lstrip('+-'))} digits; "
            "no parameter is that large"
        )
    if number.is_integer() and "." not in value and "e" not in value.lower():
        number = int(number)
    return number + 0 if number == 0 else number  # -0.0 reads as 0.0


def assignment(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (e.g. condition=50), got {text!r:.60}")
    if not value.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE with a value after '=', got {text!r:.60}")
    if "," in value:
        return key, [number_or_text(v) for v in value.split(",")]
    return key, number_or_text(value)


def whole_number(low: int, high: int, limit: str) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high]; ``limit`` names the upper limit."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number in [{low}, {high}], got {text!r:.40}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number in [{low}, {high}] (the limit is {limit} = {high}), got {value}"
            )
        return value

    return parse


step_count = whole_number(1, MAX_SCENE_STEPS, "MAX_SCENE_STEPS")
frame_count = whole_number(2, MAX_FRAMES, "MAX_FRAMES")


def bounded_float(low: float, high: float, limit: str) -> Callable[[str], float]:
    """An argparse type: a number in [low, high]; ``limit`` names the range."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number in [{low:g}, {high:g}], got {text!r:.40}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a number in [{low:g}, {high:g}] (the limits are {limit} = ({low:g}, {high:g})), got {text}"
            )
        return value

    return parse


fps_value = bounded_float(*FPS_RANGE, "FPS_RANGE")
dpi_value = bounded_float(*DPI_RANGE, "DPI_RANGE")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r:.40}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r:.40}")
    return value


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds >= 0 (the export checks its range)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r:.40}") from None
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a finite number of seconds >= 0, got {text!r:.40}")
    return value


def kind_list(text: str) -> list[str]:
    kinds = [k.strip().lower() for k in text.split(",")]
    if not any(kinds):
        raise argparse.ArgumentTypeError(f"expected a comma-separated list such as sgd,rmsprop, got {text!r}")
    if not all(kinds):
        raise argparse.ArgumentTypeError(f"an empty name in {text!r}: expected names separated by single commas")
    for kind in kinds:
        if kind not in KINDS:
            raise argparse.ArgumentTypeError(f"unknown optimizer {kind!r}; choose from {', '.join(KINDS)}")
    twice = next((k for k in kinds if kinds.count(k) > 1), None)
    if twice is not None:
        raise argparse.ArgumentTypeError(f"{twice} is listed twice in {text!r}")
    return kinds


def claim_list(text: str) -> list[str]:
    """``--only C2,C8``: claim ids of the claims lab (``c2`` and ``2`` name ``C2`` too)."""
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"expected claim ids separated by single commas, such as C2,C8, got {text!r}; the ids are "
            + ", ".join(CLAIMS)
        )
    ids = []
    for name in names:
        try:
            ids.append(claim_id(name))
        except ValueError:
            raise argparse.ArgumentTypeError(f"unknown claim {name!r}; the ids are {', '.join(CLAIMS)}") from None
    twice = next((c for c in ids if ids.count(c) > 1), None)
    if twice is not None:
        raise argparse.ArgumentTypeError(f"{twice} is listed twice in {text!r}; the ids are {', '.join(CLAIMS)}")
    return ids


class Override(NamedTuple):
    """One ``--lr``/``--beta``/``--eps`` value: for every optimizer, one kind, or one parameter."""

    kind: str | None
    param: str | None
    value: float | bool
    text: str


def override(text: str) -> Override:
    hint = (
        "expected NUMBER, NAME=NUMBER or NAME.PARAM=VALUE, VALUE a number or true/false for an on/off "
        "setting (e.g. 0.01, rmsprop=0.01, adam.beta1=0.8 or rmsprop.centered=true)"
    )
    target, sep, value_text = text.rpartition("=")
    kind: str | None = None
    param: str | None = None
    if sep:
        kind, dot, param_text = target.partition(".")
        kind = kind.strip().lower()
        param = param_text.strip() if dot else None
        if kind not in KINDS:
            raise argparse.ArgumentTypeError(
                f"unknown optimizer {kind!r} in {text!r}; choose from {', '.join(KINDS)}"
                if kind
                else f"{hint}, got {text!r}"
            )
        if dot and not param:
            raise argparse.ArgumentTypeError(f"{hint}, got {text!r}")
    if param is not None and value_text.strip().lower() in ("true", "false"):
        return Override(kind, param, value_text.strip().lower() == "true", text)
    try:
        value = float(value_text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{hint}, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return Override(kind, param, value + 0.0, text)  # -0 reads as 0


def value_range(log: bool) -> Any:
    def parse(text: str) -> tuple[float, float, int]:
        example = "1e-4,1,40" if log else "0,0.999,40"
        try:
            lo_text, hi_text, n_text = text.split(",")
            lo, hi, n = float(lo_text), float(hi_text), int(n_text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected LO,HI,N (e.g. {example}), got {text!r:.40}") from None
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo or n < 1:
            raise argparse.ArgumentTypeError(f"expected finite LO <= HI and N >= 1 (e.g. {example}), got {text!r:.40}")
        if n > MAX_SWEEP_CELLS:
            raise argparse.ArgumentTypeError(
                f"N must be at most {MAX_SWEEP_CELLS} (the limit on grid cells, MAX_SWEEP_CELLS), got {n}"
            )
        if n > 1 and not lo < hi:
            raise argparse.ArgumentTypeError(
                f"LO must be below HI when N > 1 (the values would repeat), got {text!r:.40}"
            )
        if log and lo <= 0:
            raise argparse.ArgumentTypeError(f"a log-spaced range needs LO > 0, got {text!r:.40}")
        if log and not LR_LIMITS[0] <= lo <= hi <= LR_LIMITS[1]:
            low, high = LR_LIMITS
            raise argparse.ArgumentTypeError(
                f"learning rates must lie in [{low:g}, {high:g}] (LR_LIMITS), got {text!r:.40}"
            )
        return lo, hi, n

    return parse


class Axis(NamedTuple):
    """The second axis of a sweep (``--beta-range [PARAM=]LO,HI,N``): which parameter, and its values."""

    param: str | None  # None: the kind's beta (the kinds table's Kind.beta)
    lo: float
    hi: float
    n: int


def axis_range(text: str) -> Axis:
    """``LO,HI,N`` or ``PARAM=LO,HI,N``: N evenly spaced values of a parameter.

    >>> axis_range("0.5,0.9,3"), axis_range("beta2=0.9,0.999,2")
    (Axis(param=None, lo=0.5, hi=0.9, n=3), Axis(param='beta2', lo=0.9, hi=0.999, n=2))
    """
    name, sep, numbers = text.rpartition("=")
    param = name.strip()
    if sep and not param.isidentifier():
        raise argparse.ArgumentTypeError(
            f"expected LO,HI,N or PARAM=LO,HI,N with PARAM a parameter's name (e.g. beta2=0.9,0.999,20), "
            f"got {text!r:.40}"
        )
    lo, hi, n = value_range(log=False)(numbers)
    return Axis(param if sep else None, lo, hi, n)
