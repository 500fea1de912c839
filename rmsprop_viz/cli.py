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
import json
import math
import os
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

import numpy as np
import numpy.typing as npt

from . import __version__, optimizers, surfaces
from . import scenes as _scenes
from .scenes import KINDS, OptimizerSpec, Scene, default_scene, default_spec, kind_of, surface_from_spec
from .sweeps import METRICS, sweep

if TYPE_CHECKING:
    from matplotlib.axes import Axes

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
    if number.is_integer() and "." not in value and "e" not in value.lower():
        number = int(number)
    return number


def _assignment(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (e.g. condition=50), got {text!r}")
    if "," in value:
        return key, [_number_or_text(v) for v in value.split(",")]
    return key, _number_or_text(value)


def _whole_number(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {low}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {low}, got {value}")
        return value

    return parse


_positive_int = _whole_number(1)
_frame_count = _whole_number(2)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def _kind_list(text: str) -> list[str]:
    kinds = [k.strip().lower() for k in text.split(",") if k.strip()]
    if not kinds:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list such as sgd,rmsprop, got {text!r}")
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
    value: float
    text: str


def _override(text: str) -> _Override:
    hint = "expected NUMBER, NAME=NUMBER or NAME.PARAM=NUMBER (e.g. 0.01, rmsprop=0.01 or adam.beta1=0.8)"
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
    try:
        value = float(value_text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{hint}, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return _Override(kind, param, value, text)


def _range(log: bool) -> Any:
    def parse(text: str) -> tuple[float, float, int]:
        example = "1e-4,1,40" if log else "0,0.999,40"
        try:
            lo_text, hi_text, n_text = text.split(",")
            lo, hi, n = float(lo_text), float(hi_text), int(n_text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected LO,HI,N (e.g. {example}), got {text!r}") from None
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo or n < 1:
            raise argparse.ArgumentTypeError(f"expected finite LO <= HI and N >= 1 (e.g. {example}), got {text!r}")
        if log and lo <= 0:
            raise argparse.ArgumentTypeError(f"a log-spaced range needs LO > 0, got {text!r}")
        return lo, hi, n

    return parse


# ----------------------------------------------------------------------- the parser

_SCENE_HELP = """\
Which race: a preset (--scene), a saved recipe (--recipe) or a surface
(--surface) with its default optimizers. The other options change it.

--lr, --beta and --eps take a NUMBER for every optimizer that has that
hyperparameter, NAME=NUMBER for one kind (e.g. --lr rmsprop=0.01), or
NAME.PARAM=NUMBER for any hyperparameter of one kind (e.g. --beta
adam.beta1=0.8, --lr rmsprop.momentum=0.5). --beta is RMSProp's beta and
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
        type=_positive_int,
        metavar="N",
        help=f"number of steps (default: the scene's, else {DEFAULT_STEPS})",
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
    group.add_argument("--dpi", type=_positive_float, default=None, help="resolution in dots per inch (default: 100)")
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
        "--fps", type=_positive_float, default=None, help=f"frames per second (default: {DEFAULT_FPS:g})"
    )
    animation.add_argument(
        "--frames",
        type=_frame_count,
        default=None,
        metavar="N",
        help=f"number of frames, spread evenly over the steps (default: {DEFAULT_FRAMES}, or one per step "
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


def _load_recipe(path_text: str) -> dict[str, Any]:
    path = Path(path_text)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"--recipe {path_text}: no such file") from None
    except OSError as error:
        raise ValueError(f"--recipe {path_text}: cannot read it ({error.strerror or error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"--recipe {path_text}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"--recipe {path_text}: a recipe must be a JSON object, got {type(data).__name__}")
    return data


def _with_params(spec: Mapping[str, Any], assignments: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """``spec`` with ``--param`` values; ``base.KEY`` reaches into a nested surface."""
    out: dict[str, Any] = copy.deepcopy(dict(spec))
    out.setdefault("params", {})
    for key, value in assignments:
        target = out
        *path, leaf = key.split(".")
        for part in path:
            nested = target["params"].get(part)
            if not isinstance(nested, dict):
                raise ValueError(f"--param {key}: surface {target['name']!r} has no surface parameter {part!r}")
            nested.setdefault("params", {})
            target = nested
        target["params"][leaf] = value
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
    return specs


def _scene_from_args(args: argparse.Namespace) -> tuple[Scene, dict[str, Any]]:
    """The scene the options describe, and the extra sections of a loaded recipe."""
    if args.recipe is not None and args.scene is not None:
        raise ValueError("--recipe and --scene both choose the race; give one of them")
    extras: dict[str, Any] = {}
    base: Scene | None = None
    if args.recipe is not None:
        recipe = _load_recipe(args.recipe)
        try:
            base = Scene.from_recipe(recipe)
        except ValueError as error:
            raise ValueError(f"--recipe {args.recipe}: {error}") from None
        extras = {k: recipe[k] for k in ("export", "sweep") if isinstance(recipe.get(k), dict)}
    elif args.scene is not None:
        base = _scenes.get(args.scene)

    if base is None:
        spec = _with_params({"name": args.surface or "rosenbrock", "params": {}}, args.param)
        scene = default_scene(surface_from_spec(spec), DEFAULT_STEPS)
    elif args.surface is not None and args.surface.lower() != base.surface["name"]:
        # A different surface: its own start and tuned rates, the same kinds of racers.
        spec = _with_params({"name": args.surface, "params": {}}, args.param)
        surface = surface_from_spec(spec)
        kinds = list(dict.fromkeys(kind_of(s) for s in base.optimizers))
        scene = base.with_changes(
            surface=spec,
            optimizers=tuple(default_spec(k, surface) for k in kinds),
            start=None,
            caption="",
            title="",
        )
    elif args.param:
        spec = _with_params(base.surface, args.param)
        surface_from_spec(spec)
        scene = base.with_changes(surface=spec, title="", caption="")
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
    if args.steps is not None:
        changes["n_steps"] = args.steps
    if args.start is not None:
        changes["start"] = args.start
    return (scene.with_changes(**changes) if changes else scene), extras


def _format_value(value: float) -> str:
    return "nan" if not math.isfinite(value) else f"{value:.4g}"


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()

    return "\n".join([fmt(header), "  ".join("-" * w for w in widths), *map(fmt, rows)])


def _target(surface: surfaces.Surface) -> float:
    return float(surface.value(surface.minima[0])) if surface.minima else 0.0


def _check_out(path_text: str, suffixes: Sequence[str], force: bool, companions: Sequence[str]) -> Path:
    """Refuse, before any work, an output that could not or should not be written."""
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
    if not force:
        for candidate in [path, *(path.with_suffix(s) for s in companions)]:
            if candidate.exists():
                raise ValueError(f"--out {path_text}: {candidate} already exists; add --force to overwrite it")
    return path


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def _setting(extras: Mapping[str, Any], section: str, key: str, given: Any, default: Any) -> Any:
    """A command-line value, else the loaded recipe's, else the default."""
    if given is not None:
        return given
    value = extras.get(section, {}).get(key)
    return default if value is None else value


def _race(args: argparse.Namespace) -> int:
    scene, extras = _scene_from_args(args)
    out = None
    if args.out is not None:
        out = _check_out(args.out, ANIMATION_SUFFIXES, args.force, [".json"])
    fps = float(_setting(extras, "export", "fps", args.fps, DEFAULT_FPS))
    frames = int(_setting(extras, "export", "frames", args.frames, DEFAULT_FRAMES))
    dpi = _setting(extras, "export", "dpi", args.dpi, None)
    three_d = bool(_setting(extras, "export", "three_d", args.three_d, False))
    if not (fps > 0 and frames >= 1 and (dpi is None or float(dpi) > 0)):
        raise ValueError(f"--recipe {args.recipe}: 'export' needs fps > 0, frames >= 1 and dpi > 0")

    surface = scene.build_surface()
    results = scene.run()
    target = _target(surface)
    rows = []
    for spec, traj in zip(scene.optimizers, results.values()):
        reached = int(traj.steps_to(args.tol, target=target)[0])
        diverged = int(traj.diverged_at[0])
        rows.append(
            [
                spec.label,
                spec.describe(),
                _format_value(float(traj.final_value[0])),
                str(reached) if reached >= 0 else "-",
                str(diverged) if diverged >= 0 else "-",
            ]
        )
    start = scene.start if scene.start is not None else surface.default_start
    if scene.caption:
        print(f"scene {scene.name}: {scene.caption}")
    print(f"{surface!r}: f = {getattr(surface, 'formula', '')}")
    print(f"start ({start[0]:g}, {start[1]:g}), {scene.n_steps} steps, minimum loss {target:.4g}, tol {args.tol:g}")
    print()
    print(_table(rows, ["optimizer", "hyperparameters", "final loss", "steps to tol", "diverged at"]))
    if out is None:
        return 0

    from .animation import save
    from .plotting import RaceFigure

    figure = RaceFigure(
        surface,
        results,
        labels=scene.legend_labels(),
        three_d=three_d,
        dpi=None if dpi is None else float(dpi),
        title=scene.title or None,
    )
    recipe = {
        **scene.to_recipe(),
        "export": {"command": "race", "fps": fps, "frames": frames, "dpi": dpi, "three_d": three_d},
    }
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
    print(f"wrote {Path(written).with_suffix('.json')}")
    return 0


def _plot(args: argparse.Namespace) -> int:
    scene, extras = _scene_from_args(args)
    out = _check_out(args.out, FIGURE_SUFFIXES, args.force, [".json"])
    dpi = float(_setting(extras, "export", "dpi", args.dpi, 100.0))
    three_d = bool(_setting(extras, "export", "three_d", args.three_d, False))

    from .plotting import RaceFigure

    figure = RaceFigure(
        scene.build_surface(),
        scene.run(),
        labels=scene.legend_labels(),
        three_d=three_d,
        dpi=dpi,
        title=scene.title or None,
    )
    figure.fig.savefig(out, dpi=dpi)
    recipe_path = out.with_suffix(".json")
    _write_json(recipe_path, {**scene.to_recipe(), "export": {"command": "plot", "dpi": dpi, "three_d": three_d}})
    print(f"wrote {out}")
    print(f"wrote {recipe_path}")
    return 0


# -------------------------------------------------------------------- the sweep


def _sweep_values(
    values: npt.NDArray[Any], metric: str, target: float, n_steps: int, diverged_at: npt.NDArray[Any] | None
) -> tuple[npt.NDArray[np.float64], str, bool]:
    """What to draw for each metric: values (NaN = diverged), colour-bar label, log scale."""
    if metric in ("final", "best"):
        gap = np.asarray(values, dtype=np.float64) - target
        label = f"{metric} loss" + (" above the minimum" if target != 0.0 else "")
        return np.where(np.isfinite(gap), np.maximum(gap, 1e-16), np.nan), label, True
    if metric == "steps":
        assert diverged_at is not None
        shown = np.where(values >= 0, values, n_steps).astype(np.float64)
        return np.where(diverged_at >= 0, np.nan, shown), f"steps to reach tol ({n_steps}: not reached)", False
    return np.where(values >= 0, values, n_steps).astype(np.float64), f"step of divergence ({n_steps}: never)", True


def _best_cell(values: npt.NDArray[Any], metric: str) -> tuple[int, ...] | None:
    if metric in ("final", "best"):
        ok = np.isfinite(values)
        score = np.where(ok, values, np.inf)
    elif metric == "steps":
        ok = values >= 0
        score = np.where(ok, values, np.iinfo(np.int64).max)
    else:
        return None
    if not ok.any():
        return None
    return tuple(int(i) for i in np.unravel_index(int(np.argmin(score)), values.shape))


def _draw_curve(
    ax: Axes, lrs: npt.NDArray[np.float64], shown: npt.NDArray[np.float64], label: str, log: bool, color: str
) -> None:
    ax.plot(lrs, shown, marker="o", markersize=4, color=color, linewidth=2)
    dead = ~np.isfinite(shown)
    if dead.any():
        ax.plot(
            lrs[dead],
            np.full(int(dead.sum()), 0.03),
            linestyle="none",
            marker="x",
            markersize=8,
            color="#666666",
            transform=ax.get_xaxis_transform(),
            label="diverged",
        )
        ax.legend(loc="upper left", frameon=False)
    ax.set_xscale("log")
    if log and np.isfinite(shown).any():
        ax.set_yscale("log")
    ax.set_xlabel("learning rate lr")
    ax.set_ylabel(label)
    ax.grid(True, which="major", alpha=0.3)


def _sweep(args: argparse.Namespace) -> int:
    scene, extras = _scene_from_args(args)
    # Command-line values first, then the loaded recipe's 'sweep' section, then the defaults.
    kind = str(_setting(extras, "sweep", "optimizer", args.optimizer, "rmsprop"))
    lr_range = tuple(_setting(extras, "sweep", "lr_range", args.lr_range, DEFAULT_LR_RANGE))
    beta_key = _BETA_OF.get(kind)
    beta_range = tuple(_setting(extras, "sweep", "beta_range", args.beta_range, None) or DEFAULT_BETA_RANGE)
    metric = str(_setting(extras, "sweep", "metric", args.metric, "final"))
    tol = float(_setting(extras, "sweep", "tol", args.tol, 1e-3))
    if kind not in KINDS or metric not in METRICS or len(lr_range) != 3 or len(beta_range) != 3 or not tol > 0:
        raise ValueError(
            f"--recipe {args.recipe}: its 'sweep' section needs an optimizer in {', '.join(KINDS)}, a metric in "
            f"{', '.join(METRICS)}, lr_range and beta_range as [LO, HI, N] and tol > 0"
        )
    out = _check_out(args.out, FIGURE_SUFFIXES, args.force, [".csv", ".json"])
    dpi = float(args.dpi or 100.0)

    surface = scene.build_surface()
    base = next((s for s in scene.optimizers if kind_of(s) == kind), None) or default_spec(kind, surface)
    lrs = np.geomspace(float(lr_range[0]), float(lr_range[1]), int(lr_range[2]))
    grid: dict[str, npt.NDArray[np.float64]] = {"lr": lrs}
    if beta_key is not None:
        grid[beta_key] = np.linspace(float(beta_range[0]), float(beta_range[1]), int(beta_range[2]))
    fixed = {k: v for k, v in base.params.items() if k not in grid}
    factory = optimizers.get(base.factory)
    common: dict[str, Any] = {"start": scene.start, "n_steps": scene.n_steps, "tol": tol, "fixed": fixed}
    values = sweep(surface, factory, grid, metric=metric, **common)
    diverged_at = sweep(surface, factory, grid, metric="diverged", **common) if metric == "steps" else None
    target = _target(surface)
    shown, label, log = _sweep_values(values, metric, target, scene.n_steps, diverged_at)
    best = _best_cell(values, metric)

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .plotting import FONT, draw_sweep, style_for

    fig = Figure(figsize=(8.0, 6.0), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if beta_key is not None:
        betas = grid[beta_key]
        current = None if best is None else (float(lrs[best[0]]), float(betas[best[1]]))
        draw_sweep(
            ax,
            shown,
            lrs,
            betas,
            xlabel="learning rate lr",
            ylabel=beta_key,
            label=label,
            current=current,
            log_values=log,
        )
    else:
        _draw_curve(ax, lrs, shown, label, log, style_for(base.label).color)
        if best is not None:
            ax.plot(
                [lrs[best[0]]],
                [shown[best[0]]],
                marker="*",
                markersize=18,
                color="white",
                markeredgecolor="black",
                linestyle="none",
                zorder=5,
            )
    others = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in fixed.items())
    ax.set_title(
        f"{base.label} on {surface.name}, {scene.n_steps} steps" + (f"\n{others}" if others else ""),
        fontsize=FONT["title"] - 2,
    )
    fig.savefig(out, dpi=dpi)

    csv_path = out.with_suffix(".csv")
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lr", *([beta_key] if beta_key else []), metric])
        for index in np.ndindex(values.shape):
            value = values[index]
            cell = [repr(float(lrs[index[0]]))]
            if beta_key is not None:
                cell.append(repr(float(grid[beta_key][index[1]])))
            cell.append(str(int(value)) if metric in ("steps", "diverged") else repr(float(value)))
            writer.writerow(cell)

    recipe_path = out.with_suffix(".json")
    sweep_section = {
        "optimizer": kind,
        "lr_range": [float(lr_range[0]), float(lr_range[1]), int(lr_range[2])],
        "beta_range": None if beta_key is None else [float(beta_range[0]), float(beta_range[1]), int(beta_range[2])],
        "metric": metric,
        "tol": tol,
    }
    _write_json(recipe_path, {**scene.with_changes(optimizers=(base,), caption="").to_recipe(), "sweep": sweep_section})

    if best is None:
        print(f"no cell has a {metric} to rank" if metric != "diverged" else "diverged: see the map")
    else:
        where = f"lr={lrs[best[0]]:.4g}" + ("" if beta_key is None else f", {beta_key}={grid[beta_key][best[1]]:.4g}")
        print(f"best: {where} ({metric} {_format_value(float(values[best]))})")
    print(f"wrote {out}")
    print(f"wrote {csv_path}")
    print(f"wrote {recipe_path}")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``rmsprop-viz``; returns the exit status."""
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
    except BrokenPipeError:
        # The reader went away (e.g. '| head'): stop quietly, without a second error at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as error:
        print(f"rmsprop-viz: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_IO
    except KeyboardInterrupt:
        print("rmsprop-viz: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
