"""The argument parser of ``rmsprop-viz``: its subcommands, options and help texts."""

from __future__ import annotations

import argparse
import os
import textwrap
from collections.abc import Sequence
from typing import NoReturn

from rmsprop_viz import __version__
from rmsprop_viz import scenes as _scenes
from rmsprop_viz.apps.cli.values import (
    ANIMATION_SUFFIXES,
    DEFAULT_BETA_RANGE,
    DEFAULT_FPS,
    DEFAULT_FRAMES,
    DEFAULT_HOLD,
    DEFAULT_LR_RANGE,
    FIGURE_SUFFIXES,
    REPORT_SUFFIXES,
    assignment,
    axis_range,
    claim_list,
    dpi_value,
    fps_value,
    frame_count,
    kind_list,
    override,
    point,
    positive_float,
    seconds,
    step_count,
    value_range,
)
from rmsprop_viz.core import surfaces
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.sweeps import METRICS
from rmsprop_viz.scenes import DPI_RANGE, FPS_RANGE, MAX_FRAMES, MAX_SCENE_STEPS

__all__ = ["UsageError", "build_parser", "glue_negative_points", "terminal_width"]


class UsageError(Exception):
    """A mistake in the command line, reported in one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: error: {message} (see '{self.prog} --help')")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the line breaks of descriptions and examples; wraps option help."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=28, width=min(100, max(60, terminal_width())))


def terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 88


# ----------------------------------------------------------------------- the parser

_SCENE_HELP = """\
Which race: a preset (--scene), a saved recipe (--recipe) or a surface
(--surface) with its default optimizers. The other options change it.

--lr, --beta and --eps take a NUMBER for every optimizer that has that
hyperparameter, NAME=NUMBER for one kind (e.g. --lr rmsprop=0.01), or
NAME.PARAM=VALUE for any hyperparameter of one kind (e.g. --beta
adam.beta1=0.8, --lr rmsprop.momentum=0.5), VALUE true or false for an
on/off one (e.g. --lr rmsprop.centered=true). Repeat them freely;
per-optimizer values win over plain ones.

The beta of --beta is RMSProp's: the decay of its average of squared
gradients (PyTorch's alpha, Keras's rho). Adam's two decays are set by
name, e.g. --beta adam.beta1=0.8 --beta adam.beta2=0.99."""


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
        type=assignment,
        default=[],
        metavar="KEY=VALUE",
        help="a parameter of the surface, e.g. condition=50, shift=1,-1 or base.condition=50 for the surface "
        "inside noisy/shifting; repeat for more (default: the scene's or the surface's own)",
    )
    if several:
        group.add_argument(
            "--optimizers",
            type=kind_list,
            metavar="LIST",
            help=f"comma-separated racers from {', '.join(KINDS)}, each at a learning rate that suits the "
            "surface; momentum and nesterov are SGD with (Nesterov) momentum 0.9 "
            "(default: the scene's, else sgd,adagrad,rmsprop,adam)",
        )
        for flag, what in (
            ("lr", "learning rate"),
            ("beta", "RMSProp's beta, the decay of its squared-gradient average (Adam's: adam.beta2=X)"),
            ("eps", "stability constant (Adagrad, RMSProp, Adam)"),
        ):
            group.add_argument(
                f"--{flag}",
                action="append",
                type=override,
                default=[],
                metavar="[NAME[.PARAM]=]X",
                help=f"{what}; see above for the forms (default: the scene's or the surface's tuned values)",
            )
    group.add_argument(
        "--steps",
        type=step_count,
        metavar="N",
        help=f"number of steps, at most {MAX_SCENE_STEPS} (default: the scene's, else the surface's default race's: "
        + ", ".join(f"{n} on {name}" for name, n in _scenes.DEFAULT_STEPS.items())
        + f", {_scenes.FALLBACK_STEPS} on the others)",
    )
    group.add_argument(
        "--start",
        type=point,
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
        type=dpi_value,
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
              rmsprop-viz claims --out claims.md               # test the claims about RMSProp

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
              rmsprop-viz race --scene first-step --out first.mp4 --duration 8 --hold 2 --caption
              rmsprop-viz race --recipe valley.json --3d --out valley3d.mp4"""
        ),
    )
    _add_scene_options(race_cmd, several=True)
    race_cmd.add_argument(
        "--tol",
        type=positive_float,
        default=1e-3,
        help="a run has converged once its loss is within TOL of the minimum (default: 1e-3)",
    )
    _add_output_options(race_cmd, required=False, suffixes=ANIMATION_SUFFIXES)
    animation = race_cmd.add_argument_group("animation (with --out)")
    animation.add_argument(
        "--fps",
        type=fps_value,
        default=None,
        help="frames per second, from {:g} to {:g} (default: {:g})".format(*FPS_RANGE, DEFAULT_FPS),
    )
    animation.add_argument(
        "--frames",
        type=frame_count,
        default=None,
        metavar="N",
        help=f"number of frames, at most {MAX_FRAMES}, spread evenly over the steps (default: {DEFAULT_FRAMES}, "
        "or one per step "
        "when there are fewer steps)",
    )
    animation.add_argument(
        "--hold",
        type=seconds,
        default=None,
        metavar="SECONDS",
        help=f"seconds the last frame stays before the animation ends or starts again, from 0 to 10 "
        f"(default: {DEFAULT_HOLD:g})",
    )
    animation.add_argument(
        "--duration",
        type=seconds,
        default=None,
        metavar="SECONDS",
        help="seconds from the first frame to the last, from 0.1 to 600: the frames fill them, at most FPS a "
        "second, a short race in slow motion (default: the frames at FPS)",
    )
    animation.add_argument(
        "--caption",
        action="store_true",
        default=None,
        help="write the scene's caption (what to notice) across the top of the animation (default: none)",
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
            linearly spaced values of a second parameter (RMSProp's beta unless
            --beta-range names another) in one batched run and draw the metric as a
            heatmap, the best cell starred and diverged cells hatched. Optimizers without
            a beta (SGD, Momentum, Nesterov, Adagrad, Adam) are swept over the learning
            rate only, drawn as a curve, unless --beta-range names one of their
            parameters (e.g. beta2=0.9,0.999,20 for Adam's beta2).

            Writes FILE, the grid as CSV beside it (FILE with the suffix .csv; columns lr,
            the second parameter and the metric; nan where a run diverged) and the recipe."""
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
              rmsprop-viz sweep --optimizer adam --beta-range beta2=0.9,0.999,20 --out beta2.png
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
        type=value_range(log=True),
        default=None,
        metavar="LO,HI,N",
        help="N log-spaced learning rates from LO to HI (default: {:g},{:g},{})".format(*DEFAULT_LR_RANGE),
    )
    sweep_cmd.add_argument(
        "--beta-range",
        type=axis_range,
        default=None,
        metavar="[PARAM=]LO,HI,N",
        help="N evenly spaced values from LO to HI of RMSProp's beta, or of the optimizer's parameter PARAM "
        "(e.g. beta2=0.9,0.999,20 for Adam) (default: {:g},{:g},{} for RMSProp; no second axis for the "
        "others)".format(*DEFAULT_BETA_RANGE),
    )
    sweep_cmd.add_argument(
        "--metric",
        choices=list(METRICS),
        default=None,
        help=f"what to map, one of: {', '.join(METRICS)} (described below) (default: final)",
    )
    sweep_cmd.add_argument(
        "--tol",
        type=positive_float,
        default=None,
        help="tolerance of --metric steps: within TOL of the minimum (default: 1e-3)",
    )
    _add_output_options(sweep_cmd, required=True, suffixes=FIGURE_SUFFIXES)

    claims_cmd = commands.add_parser(
        "claims",
        help="test the usual claims about RMSProp by experiment and print the verdicts",
        formatter_class=_Formatter,
        description=textwrap.dedent(
            """\
            Run the claims lab: one small experiment per claim that is often made about
            RMSProp (C1 to C11), each with its default settings, and print one row per
            claim: its id, the claim, the verdict (supported, partly, misleading, or
            outside a 2-D visualizer) and the number it rests on.

            With --out, also write a Markdown report: the table, then per claim the
            evidence, the explanation, the experiment and the settings that rerun it
            (in Python: rmsprop_viz.claims.check("C8", NAME=VALUE, ...))."""
        ),
        epilog=textwrap.dedent(
            """\
            examples:
              rmsprop-viz claims
              rmsprop-viz claims --only C2,C8
              rmsprop-viz claims --out claims.md
              rmsprop-viz claims --only 8 --out c8.md --force"""
        ),
    )
    claims_cmd.add_argument(
        "--only",
        type=claim_list,
        default=None,
        metavar="IDS",
        help="comma-separated claim ids to run, e.g. C2,C8 (default: all of C1 to C11)",
    )
    claims_group = claims_cmd.add_argument_group("output")
    claims_group.add_argument(
        "--out",
        metavar="FILE",
        help=f"also write the verdicts as a Markdown report, FILE with the suffix {', '.join(REPORT_SUFFIXES)} "
        "(default: print the table only)",
    )
    claims_group.add_argument("--force", action="store_true", help="overwrite FILE if it exists (default: refuse)")
    claims_group.add_argument(
        "--no-progress",
        action="store_true",
        help="do not print a line on stderr as each claim finishes (default: print them when stderr is a terminal)",
    )

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


_POINT_OPTIONS = ("--start",)


def glue_negative_points(argv: Sequence[str]) -> list[str]:
    """Let ``--start -1.5,2`` through: argparse would take ``-1.5,2`` for an option."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] in _POINT_OPTIONS and arg.startswith("-") and (arg[1:2].isdigit() or arg[1:2] == "."):
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out
