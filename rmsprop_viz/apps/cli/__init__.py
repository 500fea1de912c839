"""The ``rmsprop-viz`` command line.

``rmsprop-viz race`` runs optimizers on a surface (or a preset scene), prints how each
did and, with ``--out``, animates the race to a GIF, MP4, HTML page or PNG.
``rmsprop-viz plot`` draws the finished race, ``rmsprop-viz sweep`` maps the final loss
over a grid of learning rates and decays, ``rmsprop-viz scenes`` lists the classroom
presets and ``rmsprop-viz surfaces`` the loss surfaces.

Every file written comes with a JSON *recipe* beside it (``race.gif`` -> ``race.json``)
that ``--recipe`` turns back into exactly the same runs. Every mistake in the arguments
gives a one-line message and exit status 2.

Matplotlib is imported only by the commands that draw, so a race that only prints its
table starts quickly.
"""

from __future__ import annotations

import argparse
import copy
import csv
import inspect
import io
import math
import os
import signal
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import numpy as np
import numpy.typing as npt

from rmsprop_viz import __version__
from rmsprop_viz import scenes as _scenes
from rmsprop_viz.core import optimizers, surfaces
from rmsprop_viz.core.staging import Staging, check_target, check_writable, naming
from rmsprop_viz.engine.formatting import below_resolution, format_number, format_setting
from rmsprop_viz.engine.sweeps import METRICS, best_cell, sweep
from rmsprop_viz.scenes import (
    DPI_RANGE,
    FPS_RANGE,
    KINDS,
    MAX_FRAMES,
    MAX_STEPS,
    MAX_SWEEP_CELLS,
    MAX_SWEEP_RUN_STEPS,
    OptimizerSpec,
    Scene,
    check_batch_work,
    default_scene,
    default_spec,
    kind_of,
    read_recipe,
    recipe_json,
    surface_from_spec,
)

__all__ = ["build_parser", "main"]

EXIT_USAGE = 2
EXIT_IO = 1

ANIMATION_SUFFIXES = (".gif", ".mp4", ".html", ".png")
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")

DEFAULT_STEPS = 500
DEFAULT_FPS = 30.0
DEFAULT_FRAMES = 200
DEFAULT_LR_RANGE = (1e-4, 1.0, 40)
DEFAULT_BETA_RANGE = (0.0, 0.999, 40)
#: Lowest and highest learning rate of a sweep's grid.
LR_LIMITS = (1e-12, 1e6)

# The hyperparameter that --beta and --eps set on each kind of optimizer (None: it has none).
_BETA_OF = {"rmsprop": "beta", "adam": "beta2"}
_EPS_OF = {"adagrad": "eps", "rmsprop": "eps", "adam": "eps"}


class _UsageError(Exception):
    """A mistake in the command line, reported in one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: error: {message} (see '{self.prog} --help')")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the line breaks of descriptions and examples; wraps option help."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=28, width=min(100, max(60, _terminal_width())))


def _terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 88


# ------------------------------------------------------------------ argument types


def _point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two numbers as X,Y (e.g. -1.5,2.5), got {text!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise argparse.ArgumentTypeError(f"expected finite numbers, got {text!r}")
    return x, y


def _number_or_text(value: str) -> Any:
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


def _assignment(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (e.g. condition=50), got {text!r:.60}")
    if not value.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE with a value after '=', got {text!r:.60}")
    if "," in value:
        return key, [_number_or_text(v) for v in value.split(",")]
    return key, _number_or_text(value)


def _whole_number(low: int, high: int, limit: str) -> Callable[[str], int]:
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


_step_count = _whole_number(1, MAX_STEPS, "MAX_STEPS")
_frame_count = _whole_number(2, MAX_FRAMES, "MAX_FRAMES")


def _bounded_float(low: float, high: float, limit: str) -> Callable[[str], float]:
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


_fps_value = _bounded_float(*FPS_RANGE, "FPS_RANGE")
_dpi_value = _bounded_float(*DPI_RANGE, "DPI_RANGE")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r:.40}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r:.40}")
    return value


def _kind_list(text: str) -> list[str]:
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


class _Override(NamedTuple):
    """One ``--lr``/``--beta``/``--eps`` value: for every optimizer, one kind, or one parameter."""

    kind: str | None
    param: str | None
    value: float | bool
    text: str


def _override(text: str) -> _Override:
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
        return _Override(kind, param, value_text.strip().lower() == "true", text)
    try:
        value = float(value_text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{hint}, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return _Override(kind, param, value + 0.0, text)  # -0 reads as 0


def _range(log: bool) -> Any:
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


# ----------------------------------------------------------------------- the parser

_SCENE_HELP = """\
Which race: a preset (--scene), a saved recipe (--recipe) or a surface
(--surface) with its default optimizers. The other options change it.

--lr, --beta and --eps take a NUMBER for every optimizer that has that
hyperparameter, NAME=NUMBER for one kind (e.g. --lr rmsprop=0.01), or
NAME.PARAM=VALUE for any hyperparameter of one kind (e.g. --beta
adam.beta1=0.8, --lr rmsprop.momentum=0.5), VALUE true or false for an
on/off one (e.g. --lr rmsprop.centered=true). --beta is RMSProp's beta and
Adam's beta2. Repeat them freely; per-optimizer values win over plain ones."""


def _add_scene_options(parser: argparse.ArgumentParser, *, several: bool) -> None:
    group = parser.add_argument_group("the race", _SCENE_HELP if several else None)
    group.add_argument(
        "--scene",
        metavar="NAME",
        help=f"a classroom preset, one of: {', '.join(_scenes.names())} "
        "(default: none; 'rmsprop-viz scenes' describes them)",
    )
    group.add_argument(
        "--recipe",
        metavar="FILE",
        help="a JSON recipe written next to an earlier output; the other options override it (default: none)",
    )
    group.add_argument(
        "--surface",
        metavar="NAME",
        help=f"loss surface, one of: {', '.join(surfaces.names())} (default: the scene's, else rosenbrock)",
    )
    group.add_argument(
        "--param",
        action="append",
        type=_assignment,
        default=[],
        metavar="KEY=VALUE",
        help="a parameter of the surface, e.g. condition=50, shift=1,-1 or base.condition=50 for the surface "
        "inside noisy/shifting; repeat for more (default: the scene's or the surface's own)",
    )
    if several:
        group.add_argument(
            "--optimizers",
            type=_kind_list,
            metavar="LIST",
            help=f"comma-separated racers from {', '.join(KINDS)}, each at a learning rate that suits the "
            "surface; momentum and nesterov are SGD with (Nesterov) momentum 0.9 "
            "(default: the scene's, else sgd,adagrad,rmsprop,adam)",
        )
        for flag, what in (
            ("lr", "learning rate"),
            ("beta", "decay of the squared-gradient average (RMSProp beta, Adam beta2)"),
            ("eps", "stability constant (Adagrad, RMSProp, Adam)"),
        ):
            group.add_argument(
                f"--{flag}",
                action="append",
                type=_override,
                default=[],
                metavar="[NAME[.PARAM]=]X",
                help=f"{what}; see above for the forms (default: the scene's or the surface's tuned values)",
            )
    group.add_argument(
        "--steps",
        type=_step_count,
        metavar="N",
        help=f"number of steps, at most {MAX_STEPS} (default: the scene's, else the surface's default race's: "
        + ", ".join(f"{n} on {name}" for name, n in _scenes.DEFAULT_STEPS.items())
        + f", {DEFAULT_STEPS} on the others)",
    )
    group.add_argument(
        "--start",
        type=_point,
        default=None,
        metavar="X,Y",
        help="starting point; negative numbers are fine, e.g. --start -1.5,2 (default: the scene's or the "
        "surface's own start)",
    )


def _add_output_options(parser: argparse.ArgumentParser, *, required: bool, suffixes: Sequence[str]) -> None:
    group = parser.add_argument_group("output")
    group.add_argument(
        "--out",
        metavar="FILE",
        required=required,
        help=f"file to write, its format chosen by the suffix: {', '.join(suffixes)}; a JSON recipe is written "
        "beside it (FILE with the suffix .json)" + (" (required)" if required else " (default: print the table only)"),
    )
    group.add_argument(
        "--dpi",
        type=_dpi_value,
        default=None,
        help="resolution in dots per inch, from {:g} to {:g} (default: 100)".format(*DPI_RANGE),
    )
    group.add_argument(
        "--force", action="store_true", help="overwrite FILE and its companions if they exist (default: refuse)"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per task."""
    parser = _Parser(
        prog="rmsprop-viz",
        formatter_class=_Formatter,
        description="Watch SGD, Momentum, Adagrad, RMSProp and Adam race across loss surfaces.",
        epilog=textwrap.dedent(
            """\
            examples:
              rmsprop-viz scenes                               # the classroom presets
              rmsprop-viz race --scene ill-conditioned         # print the race's table
              rmsprop-viz race --scene rotated --out rotated.gif
              rmsprop-viz sweep --out sweep.png                # RMSProp's lr x beta map

            Run 'rmsprop-viz COMMAND --help' for the options of each command."""
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    race_cmd = commands.add_parser(
        "race",
        help="race optimizers on a surface, print how each did, and optionally animate it",
        formatter_class=_Formatter,
        description=textwrap.dedent(
            """\
            Run several optimizers from the same start on one surface and print, for each,
            its hyperparameters, the final loss, the first step at which the loss came
            within TOL of the minimum, and the step at which it diverged ('-' for never).

            With --out, also animate the race: the surface with every path, the loss curves
            and the per-coordinate step sizes, written as a GIF, MP4 (needs ffmpeg), a
            self-contained HTML page or a PNG of the last frame, with its recipe beside it."""
        ),
        epilog=textwrap.dedent(
            """\
            examples:
              rmsprop-viz race
              rmsprop-viz race --surface quadratic --param condition=50 --param angle=45
              rmsprop-viz race --scene saddle --optimizers sgd,momentum,rmsprop --steps 300
              rmsprop-viz race --scene ill-conditioned --lr rmsprop=0.02 --beta 0.99
              rmsprop-viz race --scene rosenbrock --out valley.gif --frames 120 --dpi 60
              rmsprop-viz race --recipe valley.json --3d --out valley3d.mp4"""
        ),
    )
    _add_scene_options(race_cmd, several=True)
    race_cmd.add_argument(
        "--tol",
        type=_positive_float,
        default=1e-3,
        help="a run has converged once its loss is within TOL of the minimum (default: 1e-3)",
    )
    _add_output_options(race_cmd, required=False, suffixes=ANIMATION_SUFFIXES)
    animation = race_cmd.add_argument_group("animation (with --out)")
    animation.add_argument(
        "--fps",
        type=_fps_value,
        default=None,
        help="frames per second, from {:g} to {:g} (default: {:g})".format(*FPS_RANGE, DEFAULT_FPS),
    )
    animation.add_argument(
        "--frames",
        type=_frame_count,
        default=None,
        metavar="N",
        help=f"number of frames, at most {MAX_FRAMES}, spread evenly over the steps (default: {DEFAULT_FRAMES}, "
        "or one per step "
        "when there are fewer steps)",
    )
    animation.add_argument(
        "--3d", dest="three_d", action="store_true", default=None, help="draw the surface in 3-D (default: 2-D)"
    )
    animation.add_argument(
        "--no-progress", action="store_true", help="do not show a progress bar while writing (default: show it)"
    )

    plot_cmd = commands.add_parser(
        "plot",
        help="draw a finished race (PNG, SVG or PDF)",
        formatter_class=_Formatter,
        description=textwrap.dedent(
            """\
            Run a race and draw its last step: the surface with every path, the loss curves
            and the per-coordinate step sizes. Takes the same race options as 'race'; writes
            FILE and its JSON recipe beside it."""
        ),
        epilog=textwrap.dedent(
            """\
            examples:
              rmsprop-viz plot --scene rotated --out rotated.png
              rmsprop-viz plot --surface beale --optimizers sgd,adam --out beale.svg
              rmsprop-viz plot --recipe rotated.json --3d --out rotated3d.pdf"""
        ),
    )
    _add_scene_options(plot_cmd, several=True)
    _add_output_options(plot_cmd, required=True, suffixes=FIGURE_SUFFIXES)
    plot_cmd.add_argument(
        "--3d", dest="three_d", action="store_true", default=None, help="draw the surface in 3-D (default: 2-D)"
    )

    sweep_cmd = commands.add_parser(
        "sweep",
        help="map a metric over a grid of learning rates (and decays)",
        formatter_class=_Formatter,
        description=textwrap.dedent(
            """\
            Run one optimizer over every combination of log-spaced learning rates and
            linearly spaced decays (RMSProp's beta, Adam's beta2) in one batched run and
            draw the metric as a heatmap, the best cell starred and diverged cells hatched.
            SGD, Momentum, Nesterov and Adagrad have no decay: their sweep is over the
            learning rate only, drawn as a curve.

            Writes FILE, the grid as CSV beside it (FILE with the suffix .csv; columns lr,
            beta (or beta2) and the metric; nan where a run diverged) and the recipe."""
        ),
        epilog=textwrap.dedent(
            """\
            metrics:
            """
        )
        + "\n".join(f"  {name:9s} {text}" for name, text in METRICS.items())
        + textwrap.dedent(
            """

            examples:
              rmsprop-viz sweep --out sweep.png
              rmsprop-viz sweep --scene rotated --optimizer adam --metric best --out adam.png
              rmsprop-viz sweep --optimizer sgd --lr-range 1e-4,1e-2,60 --out sgd.png"""
        ),
    )
    _add_scene_options(sweep_cmd, several=False)
    sweep_cmd.add_argument(
        "--optimizer",
        type=str.lower,
        choices=list(KINDS),
        default=None,
        metavar="NAME",
        help=f"the optimizer to sweep, one of: {', '.join(KINDS)}; its other hyperparameters are the scene's "
        "(default: rmsprop)",
    )
    sweep_cmd.add_argument(
        "--lr-range",
        type=_range(log=True),
        default=None,
        metavar="LO,HI,N",
        help="N log-spaced learning rates from LO to HI (default: {:g},{:g},{})".format(*DEFAULT_LR_RANGE),
    )
    sweep_cmd.add_argument(
        "--beta-range",
        type=_range(log=False),
        default=None,
        metavar="LO,HI,N",
        help="N evenly spaced decays from LO to HI: RMSProp's beta, Adam's beta2 (default: {:g},{:g},{})".format(
            *DEFAULT_BETA_RANGE
        ),
    )
    sweep_cmd.add_argument(
        "--metric",
        choices=list(METRICS),
        default=None,
        help=f"what to map, one of: {', '.join(METRICS)} (described below) (default: final)",
    )
    sweep_cmd.add_argument(
        "--tol",
        type=_positive_float,
        default=None,
        help="tolerance of --metric steps: within TOL of the minimum (default: 1e-3)",
    )
    _add_output_options(sweep_cmd, required=True, suffixes=FIGURE_SUFFIXES)

    commands.add_parser(
        "scenes",
        help="list the classroom presets and what each one shows",
        formatter_class=_Formatter,
        description="List every preset scene: its surface, optimizers, steps and what to notice.",
        epilog="example:\n  rmsprop-viz scenes && rmsprop-viz race --scene saddle --out saddle.gif",
    )
    commands.add_parser(
        "surfaces",
        help="list the loss surfaces and their formulas",
        formatter_class=_Formatter,
        description="List every loss surface with its formula, plot window and default start.",
        epilog="example:\n  rmsprop-viz surfaces && rmsprop-viz race --surface himmelblau",
    )
    return parser


# -------------------------------------------------------------------- the race


def _with_params(spec: Mapping[str, Any], assignments: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """``spec`` with ``--param`` values; ``base.KEY`` reaches into a nested surface (the
    surface spec resolves the dotted key, see :func:`rmsprop_viz.scenes.surface_from_spec`).
    A key given twice is refused (a recipe refuses it too)."""
    out: dict[str, Any] = copy.deepcopy(dict(spec))
    out["params"] = dict(out.get("params", {}))
    keys = [key for key, _ in assignments]
    twice = next((k for k in keys if keys.count(k) > 1), None)
    if twice is not None:
        raise ValueError(f"--param {twice}=... is given {keys.count(twice)} times; give each parameter once")
    for key, value in assignments:
        out["params"][key] = value
    return out


def _surface_with_params(spec: Mapping[str, Any], assignments: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """:func:`_with_params`, checked: a bad ``--param`` is one line naming it."""
    out = _with_params(spec, assignments)
    try:
        surface_from_spec(out)
    except ValueError as error:
        given = " ".join(f"--param {k}={v}" for k, v in assignments)
        raise ValueError(f"{given}: {error}" if assignments else str(error)) from None
    return out


def _takes(factory: str, param: str) -> bool:
    return param in inspect.signature(optimizers.get(factory)).parameters


def _apply_overrides(flag: str, overrides: Sequence[_Override], specs: list[OptimizerSpec]) -> list[OptimizerSpec]:
    param_of: dict[str, str] = {"lr": {k: "lr" for k in KINDS}, "beta": _BETA_OF, "eps": _EPS_OF}[flag]
    specs = list(specs)
    # Plain values first, so that per-optimizer values win whatever their order.
    for override in sorted(overrides, key=lambda o: o.kind is not None):
        kinds = [kind_of(s) for s in specs]
        if override.kind is None:
            targets = [i for i, k in enumerate(kinds) if k in param_of]
            if not targets:
                raise ValueError(
                    f"--{flag} {override.text}: no optimizer in this race ({', '.join(s.label for s in specs)}) "
                    f"has a {flag}"
                )
        else:
            targets = [i for i, k in enumerate(kinds) if k == override.kind]
            if not targets:
                raise ValueError(
                    f"--{flag} {override.text}: there is no {override.kind} in this race "
                    f"(it has {', '.join(dict.fromkeys(kinds))}); add it with --optimizers"
                )
        for i in targets:
            spec = specs[i]
            param = override.param or param_of.get(kinds[i])
            if param is None:
                raise ValueError(f"--{flag} {override.text}: {kinds[i]} has no {flag}")
            if not _takes(spec.factory, param):
                accepted = ", ".join(inspect.signature(optimizers.get(spec.factory)).parameters)
                raise ValueError(f"--{flag} {override.text}: {spec.factory} has no {param!r}; it takes {accepted}")
            specs[i] = OptimizerSpec(spec.factory, {**spec.params, param: override.value}, spec.label)
            try:
                specs[i].build()
            except ValueError as error:
                on_off = isinstance(
                    spec.params.get(param, inspect.signature(optimizers.get(spec.factory)).parameters[param].default),
                    bool,
                )
                hint = (
                    f" (write {override.kind or kinds[i]}.{param}=true or =false)"
                    if on_off and not isinstance(override.value, bool)
                    else ""
                )
                raise ValueError(f"--{flag} {override.text}: {error}{hint}") from None
    return specs


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _describe(value: Any) -> str:
    names = {list: "a list", dict: "a mapping", str: "a string", bool: "true/false", type(None): "null"}
    kind = names.get(type(value))
    if kind is None or (isinstance(value, str) and len(value) <= 40):
        return f"{value!r:.40}"
    return kind


def _number_in(where: str, value: Any, low: float, high: float, limit: str, *, whole: bool = False) -> None:
    kind = "a whole number" if whole else "a number"
    ok = _is_number(value) and low <= value <= high and (not whole or float(value).is_integer())
    if not ok:
        raise ValueError(f"{where} must be {kind} in [{low:g}, {high:g}] ({limit}), got {_describe(value)}")


def _range_field(where: str, value: Any, log: bool) -> None:
    if not (isinstance(value, list) and len(value) == 3 and all(_is_number(v) for v in value)):
        raise ValueError(f"{where} must be a list [LO, HI, N] of numbers, got {_describe(value)}")
    lo, hi, n = value
    if hi < lo or (log and lo <= 0):
        raise ValueError(f"{where} needs {'0 < ' if log else ''}LO <= HI, got [{lo:g}, {hi:g}, {n:g}]")
    if log and not LR_LIMITS[0] <= lo <= hi <= LR_LIMITS[1]:
        raise ValueError(f"{where}: learning rates must lie in [{LR_LIMITS[0]:g}, {LR_LIMITS[1]:g}] (LR_LIMITS)")
    _number_in(f"{where}[2]", n, 1, MAX_SWEEP_CELLS, "N; the limit is MAX_SWEEP_CELLS", whole=True)


def _recipe_sections(recipe: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The recipe's ``export`` and ``sweep`` sections, checked field by field.

    Every setting may be null (then the command line or the default decides); any other
    value must have the type and range the matching option accepts.
    """
    out: dict[str, Any] = {}
    known = {
        "export": ("command", "fps", "frames", "dpi", "three_d"),
        "sweep": ("optimizer", "lr_range", "beta_range", "metric", "tol"),
    }
    for name, keys in known.items():
        section = recipe.get(name)
        if section is None:
            continue
        if not isinstance(section, dict):
            raise ValueError(f"{where}: {name} must be a mapping of settings, got {_describe(section)}")
        unknown = sorted(set(section) - set(keys))
        if unknown:
            raise ValueError(f"{where}: {name} has an unknown key {unknown[0]!r}; known keys: {', '.join(keys)}")
        for key, value in section.items():
            if value is None:
                continue
            field = f"{where}: {name}.{key}"
            if key == "command":
                if value not in ("race", "plot"):
                    raise ValueError(f"{field} must be 'race' or 'plot', got {_describe(value)}")
            elif key == "fps":
                _number_in(field, value, *FPS_RANGE, "FPS_RANGE")
            elif key == "frames":
                _number_in(field, value, 2, MAX_FRAMES, "the limit is MAX_FRAMES", whole=True)
            elif key == "dpi":
                _number_in(field, value, *DPI_RANGE, "DPI_RANGE")
            elif key == "three_d":
                if not isinstance(value, bool):
                    raise ValueError(f"{field} must be true or false, got {_describe(value)}")
            elif key == "optimizer":
                if value not in KINDS:
                    raise ValueError(f"{field} must be one of {', '.join(KINDS)}, got {_describe(value)}")
            elif key in ("lr_range", "beta_range"):
                _range_field(field, value, log=key == "lr_range")
                if key == "beta_range" and not 0 <= value[0] <= value[1] < 1:
                    raise ValueError(f"{field}: a decay beta must be a finite number in [0, 1), got {value[:2]}")
            elif key == "metric":
                if value not in METRICS:
                    raise ValueError(f"{field} must be one of {', '.join(METRICS)}, got {_describe(value)}")
            elif key == "tol" and not (_is_number(value) and value > 0):
                raise ValueError(f"{field} must be a number > 0, got {_describe(value)}")
        out[name] = section
    return out


def _scene_from_args(args: argparse.Namespace) -> tuple[Scene, dict[str, Any]]:
    """The scene the options describe, and the extra sections of a loaded recipe."""
    if args.recipe is not None and args.scene is not None:
        raise ValueError("--recipe and --scene both choose the race; give one of them")
    for flag in ("recipe", "scene", "surface"):
        if getattr(args, flag, None) is not None and not getattr(args, flag).strip():
            raise ValueError(f"--{flag} is empty; give a {'file' if flag == 'recipe' else 'name'}")
    extras: dict[str, Any] = {}
    base: Scene | None = None
    if args.recipe is not None:
        recipe = read_recipe(args.recipe, where=f"--recipe {args.recipe}")
        try:
            base = Scene.from_recipe(recipe)
        except ValueError as error:
            raise ValueError(f"--recipe {args.recipe}: {error}") from None
        extras = _recipe_sections(recipe, f"--recipe {args.recipe}")
    elif args.scene is not None:
        base = _scenes.get(args.scene)

    # A changed surface comes with the asked-for steps and racers at once: the scene's checks
    # (e.g. the work of a mini-batch race) see the race that will run, not an intermediate one.
    kinds_given = getattr(args, "optimizers", None)
    if base is None and args.surface in (None, "rosenbrock") and not args.param:
        scene = _scenes.get("rosenbrock")  # the default race, with its caption
    elif base is None:
        spec = _surface_with_params({"name": args.surface or "rosenbrock", "params": {}}, args.param)
        # Its own steps unless --steps: scenes.DEFAULT_STEPS, else 500.
        scene = default_scene(surface_from_spec(spec), args.steps, kinds_given)
    elif args.surface is not None and args.surface.lower() != base.surface["name"]:
        # A different surface: its own start and tuned rates, the same kinds of racers.
        spec = _surface_with_params({"name": args.surface, "params": {}}, args.param)
        surface = surface_from_spec(spec)
        kinds = kinds_given or list(dict.fromkeys(kind_of(s) for s in base.optimizers))
        scene = base.with_changes(
            surface=spec,
            optimizers=tuple(default_spec(k, surface) for k in kinds),
            n_steps=args.steps or base.n_steps,
            start=None,
            caption="",
            title="",
        )
    elif args.param:
        spec = _surface_with_params(base.surface, args.param)
        racers = base.optimizers
        if kinds_given:
            racers = tuple(default_spec(k, surface_from_spec(spec)) for k in kinds_given)
        scene = base.with_changes(
            surface=spec, optimizers=racers, n_steps=args.steps or base.n_steps, title="", caption=""
        )
    else:
        scene = base

    changes: dict[str, Any] = {}
    specs = list(scene.optimizers)
    if getattr(args, "optimizers", None):
        surface = scene.build_surface()
        specs = [default_spec(k, surface) for k in args.optimizers]
    for flag in ("lr", "beta", "eps"):
        overrides = getattr(args, flag, None)
        if overrides:
            specs = _apply_overrides(flag, overrides, specs)
    if tuple(specs) != scene.optimizers:
        changes.update(optimizers=tuple(specs), caption="")
    if args.steps is not None and args.steps != scene.n_steps:
        changes.update(n_steps=args.steps, caption="")  # the caption tells the preset's story, at its steps
    if args.start is not None:
        changes["start"] = args.start
    return (scene.with_changes(**changes) if changes else scene), extras


def _loss_scale(surface: surfaces.Surface, scene: Scene) -> float:
    """How far above the minimum the race starts: the scale of a loss gap float64 can resolve."""
    start = scene.start if scene.start is not None else surface.default_start
    gap = float(surface.value(np.asarray(start, dtype=np.float64))) - _target(surface, scene.n_steps)
    return gap if math.isfinite(gap) and gap > 0 else 1.0


def _loss_text(value: float, target: float, scale: float) -> str:
    """A final loss for the tables: "at the minimum" below what float64 resolves, never "-0"."""
    if math.isfinite(value) and below_resolution(value - target, scale):
        return "at the minimum"
    return format_number(value, 4)


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()

    return "\n".join([fmt(header), "  ".join("-" * w for w in widths), *map(fmt, rows)])


def _target(surface: surfaces.Surface, n_steps: int) -> float:
    """The loss at the minimum after the surface's last change (what "steps to tol" counts towards)."""
    return surfaces.min_value(surface, surfaces.last_change(surface, n_steps))


_FORCE = "add --force"


def _check_out(path_text: str, suffixes: Sequence[str], force: bool, companions: Mapping[str, str | None]) -> Path:
    """Refuse, before any work, an output that could not or should not be written.

    ``companions`` maps the suffix of each file written beside the output to its content
    when it is known now (the recipe), else None. A companion that already holds exactly
    that content is no conflict: ``race.gif`` and ``race.mp4`` of one race share
    ``race.json``.
    """
    path = Path(path_text)
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise ValueError(
            f"--out {path_text}: unknown format {suffix or '(no suffix)'}; use one of {', '.join(suffixes)}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"--out {path_text}: the directory {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"--out {path_text}: the directory {str(folder)!r} is not writable")
    try:
        check_writable(folder)  # the permission bits say yes for /proc, /sys, read-only mounts
        check_target(path, overwrite=force, how=_FORCE)
        same_recipe = False
        for companion, content in companions.items():
            if content is not None:
                same_recipe |= check_target(
                    path.with_suffix(companion), overwrite=force, content=content, what="recipe", how=_FORCE
                )
        for companion, content in companions.items():
            # A result beside the same recipe is the same result (e.g. a sweep's CSV): it is
            # compared when it has been computed, and kept if it is the same.
            if content is None and not same_recipe:
                check_target(path.with_suffix(companion), overwrite=force, how=_FORCE)
    except ValueError as error:
        raise ValueError(f"--out {path_text}: {error}") from None
    return path


def _recipe_note(path: Path, text: str) -> str:
    """What the command says about the recipe it writes: a recipe file that already holds
    exactly this text is left as it is (two exports of one race share it)."""
    if check_target(path, overwrite=True, content=text):
        return f"kept {path} (it already holds this recipe)"
    return f"wrote {path}"


def _setting(extras: Mapping[str, Any], section: str, key: str, given: Any, default: Any) -> Any:
    """A command-line value, else the loaded recipe's, else the default."""
    if given is not None:
        return given
    value = extras.get(section, {}).get(key)
    return default if value is None else value


def _race(args: argparse.Namespace) -> int:
    scene, extras = _scene_from_args(args)
    fps = float(_setting(extras, "export", "fps", args.fps, DEFAULT_FPS))
    frames = int(_setting(extras, "export", "frames", args.frames, DEFAULT_FRAMES))
    dpi = _setting(extras, "export", "dpi", args.dpi, None)
    three_d = bool(_setting(extras, "export", "three_d", args.three_d, False))
    recipe = {
        **scene.to_recipe(),
        "export": {"command": "race", "fps": fps, "frames": frames, "dpi": dpi, "three_d": three_d},
    }
    out, recipe_note = None, ""
    if args.out is not None:
        out = _check_out(args.out, ANIMATION_SUFFIXES, args.force, {".json": recipe_json(recipe)})
        recipe_note = _recipe_note(out.with_suffix(".json"), recipe_json(recipe))

    surface = scene.build_surface()
    results = scene.run()
    figure = None
    if out is not None:  # the export's own limits (e.g. the memory a GIF keeps) before the table
        from rmsprop_viz.export import check_save
        from rmsprop_viz.plotting import RaceFigure

        figure = RaceFigure(
            surface,
            results,
            labels=scene.legend_labels(),
            three_d=three_d,
            dpi=None if dpi is None else float(dpi),
            title=scene.title or None,
        )
        check_save(figure, out, fps=fps, frames=frames, dpi=None if dpi is None else float(dpi))
    target = _target(surface, scene.n_steps)
    scale = _loss_scale(surface, scene)
    rows = []
    for spec, traj in zip(scene.optimizers, results.values()):
        reached = int(traj.steps_to(args.tol, target=target)[0])
        diverged = int(traj.diverged_at[0])
        rows.append(
            [
                spec.label,
                spec.describe(),
                _loss_text(float(traj.final_value[0]), target, scale),
                str(reached) if reached >= 0 else "-",
                str(diverged) if diverged >= 0 else "-",
            ]
        )
    start = scene.start if scene.start is not None else surface.default_start
    if scene.caption:
        print(f"scene {scene.name}: {scene.caption}")
    print(f"{surface!r}: f = {getattr(surface, 'formula', '')}")
    print(
        f"start ({format_setting(start[0])}, {format_setting(start[1])}), {scene.n_steps} steps, "
        f"minimum loss {format_number(target, 4)}, tol {format_setting(args.tol)}"
    )
    print()
    changed = surfaces.last_change(surface, scene.n_steps)
    reach = "steps to tol" if changed == 0 else f"steps to tol after step {changed}"
    print(_table(rows, ["optimizer", "hyperparameters", "final loss", reach, "diverged at"]))
    if out is None or figure is None:
        return 0

    from rmsprop_viz.export import save

    written = save(
        figure,
        out,
        fps=fps,
        frames=frames,
        dpi=None if dpi is None else float(dpi),
        progress=not args.no_progress,
        overwrite=args.force,
        recipe=recipe,
    )
    print()
    print(f"wrote {written}")
    print(recipe_note)
    return 0


def _plot(args: argparse.Namespace) -> int:
    scene, extras = _scene_from_args(args)
    dpi = float(_setting(extras, "export", "dpi", args.dpi, 100.0))
    three_d = bool(_setting(extras, "export", "three_d", args.three_d, False))
    recipe = recipe_json({**scene.to_recipe(), "export": {"command": "plot", "dpi": dpi, "three_d": three_d}})
    out = _check_out(args.out, FIGURE_SUFFIXES, args.force, {".json": recipe})

    from rmsprop_viz.plotting import RaceFigure

    figure = RaceFigure(
        scene.build_surface(),
        scene.run(),
        labels=scene.legend_labels(),
        three_d=three_d,
        dpi=dpi,
        title=scene.title or None,
    )
    recipe_path = out.with_suffix(".json")
    recipe_note = _recipe_note(recipe_path, recipe)
    with Staging(overwrite=args.force, how=_FORCE) as staging:
        with naming(out):
            figure.fig.savefig(staging.output(out), dpi=dpi, format=out.suffix[1:].lower())
        staging.write_text(recipe_path, recipe, what="recipe")
        staging.commit()
    print(f"wrote {out}")
    print(recipe_note)
    return 0


# -------------------------------------------------------------------- the sweep


def _sweep(args: argparse.Namespace) -> int:
    scene, extras = _scene_from_args(args)
    # Command-line values first, then the loaded recipe's 'sweep' section, then the defaults.
    kind = str(_setting(extras, "sweep", "optimizer", args.optimizer, "rmsprop"))
    lr_range = tuple(_setting(extras, "sweep", "lr_range", args.lr_range, DEFAULT_LR_RANGE))
    beta_key = _BETA_OF.get(kind)
    beta_range = tuple(_setting(extras, "sweep", "beta_range", args.beta_range, None) or DEFAULT_BETA_RANGE)
    metric = str(_setting(extras, "sweep", "metric", args.metric, "final"))
    tol = float(_setting(extras, "sweep", "tol", args.tol, 1e-3))
    cells = int(lr_range[2]) * (int(beta_range[2]) if beta_key is not None else 1)
    if cells > MAX_SWEEP_CELLS:
        raise ValueError(
            f"the sweep's grid has {cells} cells (lr N times beta N); the limit is MAX_SWEEP_CELLS = {MAX_SWEEP_CELLS}"
        )
    if cells * scene.n_steps > MAX_SWEEP_RUN_STEPS:
        raise ValueError(
            f"the sweep would run {cells} cells x {scene.n_steps} steps = {cells * scene.n_steps} steps; the limit is "
            f"MAX_SWEEP_RUN_STEPS = {MAX_SWEEP_RUN_STEPS}: use fewer cells (--lr-range, --beta-range) or --steps"
        )
    dpi = float(args.dpi or 100.0)

    surface = scene.build_surface()
    check_batch_work(surface, scene.n_steps, cells, "cells")
    base = next((s for s in scene.optimizers if kind_of(s) == kind), None) or default_spec(kind, surface)
    sweep_section = {
        "optimizer": kind,
        "lr_range": [float(lr_range[0]), float(lr_range[1]), int(lr_range[2])],
        "beta_range": None if beta_key is None else [float(beta_range[0]), float(beta_range[1]), int(beta_range[2])],
        "metric": metric,
        "tol": tol,
    }
    recipe = recipe_json({**scene.with_changes(optimizers=(base,), caption="").to_recipe(), "sweep": sweep_section})
    out = _check_out(args.out, FIGURE_SUFFIXES, args.force, {".csv": None, ".json": recipe})

    lrs = np.geomspace(float(lr_range[0]), float(lr_range[1]), int(lr_range[2]))
    grid: dict[str, npt.NDArray[np.float64]] = {"lr": lrs}
    if beta_key is not None:
        grid[beta_key] = np.linspace(float(beta_range[0]), float(beta_range[1]), int(beta_range[2]))
    fixed = {k: v for k, v in base.params.items() if k not in grid}
    factory = optimizers.get(base.factory)
    for key, values_ in grid.items():  # the grid's ends must be values the optimizer takes
        for end in (float(values_[0]), float(values_[-1])):
            try:
                factory(**{"lr": float(lrs[0]), **fixed, key: end})
            except ValueError as error:
                flag = "lr" if key == "lr" else "beta"
                given = getattr(args, f"{flag}_range") is not None
                where = f"--{flag}-range" if given else f"--recipe {args.recipe}: sweep.{flag}_range"
                raise ValueError(f"{where}: {error}") from None
    common: dict[str, Any] = {"start": scene.start, "n_steps": scene.n_steps, "tol": tol, "fixed": fixed}
    values = sweep(surface, factory, grid, metric=metric, **common)
    # Which runs diverged: a run's best loss or its steps to tol can be finite although it diverged later.
    diverged_at = sweep(surface, factory, grid, metric="diverged", **common) if metric in ("best", "steps") else None
    target = _target(surface, scene.n_steps)
    chosen = None if metric == "diverged" else best_cell(values, diverged=diverged_at)
    best = None if chosen is None else chosen.index

    from rmsprop_viz.plotting import style_for, sweep_figure

    others = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in fixed.items())
    fig = sweep_figure(
        grid,
        values,
        diverged_at,
        metric,
        chosen,
        n_steps=scene.n_steps,
        target=target,
        title=f"{base.label} on {surface.name}, {scene.n_steps} steps" + (f"\n{others}" if others else ""),
        color=style_for(base.label).color,
        dpi=dpi,
    )
    csv_path = out.with_suffix(".csv")
    recipe_path = out.with_suffix(".json")
    recipe_note = _recipe_note(recipe_path, recipe)
    with Staging(overwrite=args.force, how=_FORCE) as staging:
        with naming(out):
            fig.savefig(staging.output(out), dpi=dpi, format=out.suffix[1:].lower())
        table = io.StringIO(newline="")
        writer = csv.writer(table)
        writer.writerow(["lr", *([beta_key] if beta_key else []), metric])
        for index in np.ndindex(values.shape):
            value = values[index]
            cell = [repr(float(lrs[index[0]]))]
            if beta_key is not None:
                cell.append(repr(float(grid[beta_key][index[1]])))
            cell.append(str(int(value)) if metric in ("steps", "diverged") else repr(float(value)))
            writer.writerow(cell)
        csv_written = staging.write_text(csv_path, table.getvalue(), what="grid")
        staging.write_text(recipe_path, recipe, what="recipe")
        staging.commit()

    if chosen is None:
        print("diverged: see the map" if (values >= 0).any() else f"no run diverged within {scene.n_steps} steps")
    elif best is None:
        print(f"no cell qualifies as best ({chosen.rule})")
    else:
        where = f"lr={format_number(lrs[best[0]], 4)}" + (
            "" if beta_key is None else f", {beta_key}={format_number(grid[beta_key][best[1]], 4)}"
        )
        if metric == "steps":
            shown_value = f"{int(values[best])} steps"
        else:
            shown_value = f"{metric} loss {_loss_text(float(values[best]), target, _loss_scale(surface, scene))}"
        print(f"best: {where} ({shown_value}); rule: {chosen.rule}")
    print(f"wrote {out}")
    print(f"wrote {csv_path}" if csv_written else f"kept {csv_path} (it already holds this grid)")
    print(recipe_note)
    return 0


# -------------------------------------------------------------------- listings


def _list_scenes(args: argparse.Namespace) -> int:
    width = max(60, min(_terminal_width(), 100))
    for name in _scenes.names():
        scene = _scenes.get(name)
        surface = scene.build_surface()
        racers = ", ".join(s.label for s in scene.optimizers)
        print(f"{name}: {surface!r}, {scene.n_steps} steps; {racers}")
        print(textwrap.fill(scene.caption, width=width, initial_indent="    ", subsequent_indent="    "))
    print()
    print("Run one with: rmsprop-viz race --scene NAME [--out FILE]")
    return 0


def _list_surfaces(args: argparse.Namespace) -> int:
    rows = []
    for name in surfaces.names():
        s = surfaces.get(name)
        (x0, x1), (y0, y1) = s.bounds
        rows.append(
            [
                name,
                str(getattr(s, "formula", "")),
                f"[{x0:g}, {x1:g}] x [{y0:g}, {y1:g}]",
                f"({s.default_start[0]:g}, {s.default_start[1]:g})",
            ]
        )
    print(_table(rows, ["name", "formula", "window", "start"]))
    return 0


_POINT_OPTIONS = ("--start",)


def _glue_negative_points(argv: Sequence[str]) -> list[str]:
    """Let ``--start -1.5,2`` through: argparse would take ``-1.5,2`` for an option."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] in _POINT_OPTIONS and arg.startswith("-") and (arg[1:2].isdigit() or arg[1:2] == "."):
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


class _Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP arrived: unwind (removing temporary files, ending ffmpeg)
    and exit with status 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def _signals_interrupt(received: list[int]) -> Iterator[None]:
    """While the command runs, SIGINT, SIGTERM and SIGHUP raise :class:`_Interrupted` in
    the main thread (recorded in ``received``); the old handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        received.append(signum)
        if len(received) == 1:  # a second signal while unwinding does not cut the cleanup short
            raise _Interrupted(signum)

    old = {sig: signal.signal(sig, interrupt) for sig in _SIGNALS}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _interrupted(signum: int) -> int:
    name = signal.Signals(signum).name
    print(f"rmsprop-viz: interrupted by {name}; no partial file is left", file=sys.stderr)
    return 128 + signum


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``rmsprop-viz``; returns the exit status.

    0 on success, 2 for a mistake in the arguments or a recipe (one line on stderr), 1
    when a file cannot be read or written, 128 + N when signal N (SIGINT, SIGTERM,
    SIGHUP) stopped the command. Files are written all at once or not at all, so an
    interrupted command leaves no partial file, and old files it would have replaced are
    unchanged unless every new file was already in place.
    """
    received: list[int] = []
    try:
        with _signals_interrupt(received):
            status = _main(argv)
    except _Interrupted as error:
        return _interrupted(error.signum)
    # A signal may also have ended the command another way (e.g. ffmpeg, which shares the
    # terminal's SIGINT, stopped first): the status still says it was interrupted.
    return _interrupted(received[0]) if received else status


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(_glue_negative_points(sys.argv[1:] if argv is None else argv))
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        handler = {"race": _race, "plot": _plot, "sweep": _sweep, "scenes": _list_scenes, "surfaces": _list_surfaces}[
            args.command
        ]
        with np.errstate(all="ignore"):
            return handler(args)
    except _UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except ValueError as error:  # includes the animation's ExportError
        message = " ".join(str(error).split())
        print(f"rmsprop-viz: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError as error:  # a last resort: every size should have been checked before
        print(f"rmsprop-viz: error: not enough memory for this request ({error}); ask for less", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (e.g. '| head'): stop quietly, without a second error at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as error:
        text = str(error.strerror or error)
        where = str(error.filename or "")
        print(f"rmsprop-viz: error: {text}" + (f": {where}" if where and where not in text else ""), file=sys.stderr)
        return EXIT_IO
    except _Interrupted:
        raise
    except KeyboardInterrupt:
        print("rmsprop-viz: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
