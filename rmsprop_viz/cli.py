"""The ``rmsprop-viz`` command line.

``rmsprop-viz race`` runs SGD, Adagrad, RMSProp and Adam on a surface and prints how
each did; ``rmsprop-viz surfaces`` lists the surfaces and their formulas. Every mistake
in the arguments gives a one-line message and exit status 2.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import numpy as np

from . import __version__, surfaces
from .run import race
from .scenes import default_specs

__all__ = ["main"]

EXIT_USAGE = 2


class _UsageError(Exception):
    """A mistake in the command line, reported in one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{self.prog}: error: {message} (see '{self.prog} --help')")


def _point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two numbers as X,Y (e.g. -1.5,2.5), got {text!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise argparse.ArgumentTypeError(f"expected finite numbers, got {text!r}")
    return x, y


def _assignment(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE (e.g. condition=50), got {text!r}")
    try:
        number: Any = float(value)
    except ValueError:
        number = value
    if isinstance(number, float) and number.is_integer() and "." not in value and "e" not in value.lower():
        number = int(number)
    return key, number


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per task."""
    parser = _Parser(
        prog="rmsprop-viz",
        description="Watch SGD, Adagrad, RMSProp and Adam race across loss surfaces.",
        epilog="Run 'rmsprop-viz COMMAND --help' for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    race_cmd = commands.add_parser(
        "race",
        help="race the four optimizers on a surface and print how each did",
        description=(
            "Run SGD, Adagrad, RMSProp and Adam from the same start on one surface, each at a "
            "learning rate that suits that surface (shown in the table), and print the final "
            "loss, the step at which the loss came within TOL of the minimum, and where a run "
            "diverged."
        ),
        epilog="Example: rmsprop-viz race --surface quadratic --param condition=50 --param angle=45",
    )
    race_cmd.add_argument(
        "--surface",
        default="rosenbrock",
        metavar="NAME",
        help=f"loss surface, one of: {', '.join(surfaces.names())} (default: rosenbrock)",
    )
    race_cmd.add_argument(
        "--param",
        action="append",
        type=_assignment,
        default=[],
        metavar="KEY=VALUE",
        help="a parameter of the surface, e.g. condition=50; repeat for more",
    )
    race_cmd.add_argument("--steps", type=_positive_int, default=500, help="number of steps (default: 500)")
    race_cmd.add_argument(
        "--start",
        type=_point,
        default=None,
        metavar="X,Y",
        help="starting point (default: the surface's own start)",
    )
    race_cmd.add_argument(
        "--tol",
        type=_positive_float,
        default=1e-3,
        help="a run has converged once its loss is within TOL of the minimum (default: 1e-3)",
    )

    commands.add_parser(
        "surfaces",
        help="list the loss surfaces and their formulas",
        description="List every loss surface with its formula, plot window and default start.",
    )
    return parser


def _format_value(value: float) -> str:
    return "nan" if not math.isfinite(value) else f"{value:.4g}"


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()

    return "\n".join([fmt(header), "  ".join("-" * w for w in widths), *map(fmt, rows)])


def _race(args: argparse.Namespace) -> int:
    surface = surfaces.get(args.surface, **dict(args.param))
    specs = default_specs(surface)
    start = args.start if args.start is not None else surface.default_start
    results = race(surface, {s.label: s.build() for s in specs}, start=start, n_steps=args.steps)
    target = float(surface.value(surface.minima[0])) if surface.minima else 0.0
    rows = []
    for spec, traj in zip(specs, results.values()):
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
    print(f"{surface!r}: f = {getattr(surface, 'formula', '')}")
    print(f"start ({start[0]:g}, {start[1]:g}), {args.steps} steps, minimum loss {target:.4g}, tol {args.tol:g}")
    print()
    print(_table(rows, ["optimizer", "hyperparameters", "final loss", "steps to tol", "diverged at"]))
    return 0


def _surfaces(args: argparse.Namespace) -> int:
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
        handler = {"race": _race, "surfaces": _surfaces}[args.command]
        with np.errstate(all="ignore"):
            return handler(args)
    except _UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    except ValueError as error:
        print(f"rmsprop-viz: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rmsprop-viz: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
