"""One function per subcommand: ``race``, ``plot``, ``sweep``, ``claims``, ``scenes``, ``surfaces``.

Each takes the parsed arguments, calls the scenes, engine, plotting and export, prints
what the user asked for and returns the exit status. Matplotlib is imported only by the
commands that draw.
"""

from __future__ import annotations

import argparse
import inspect
import math
import sys
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from rmsprop_viz import scenes as _scenes
from rmsprop_viz.apps.cli import outputs
from rmsprop_viz.apps.cli.options import scene_from_args, setting
from rmsprop_viz.apps.cli.parser import terminal_width
from rmsprop_viz.apps.cli.values import (
    ANIMATION_SUFFIXES,
    DEFAULT_BETA_RANGE,
    DEFAULT_FPS,
    DEFAULT_FRAMES,
    DEFAULT_HOLD,
    DEFAULT_LR_RANGE,
    FIGURE_SUFFIXES,
    REPORT_SUFFIXES,
)
from rmsprop_viz.core import optimizers, surfaces
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.core.staging import Staging
from rmsprop_viz.engine.best import cell_text
from rmsprop_viz.engine.claims import CLAIMS, Verdict, check_all, text_table
from rmsprop_viz.engine.formatting import below_resolution, format_number, format_setting
from rmsprop_viz.engine.sweeps import sweep_map
from rmsprop_viz.engine.trajectory import gap_scale, loss_floor
from rmsprop_viz.scenes import (
    MAX_SWEEP_CELLS,
    MAX_SWEEP_RUN_STEPS,
    check_batch_work,
    default_spec,
    recipe_json,
)

__all__ = [
    "COMMANDS",
    "claims_command",
    "plot_command",
    "race_command",
    "scenes_command",
    "surfaces_command",
    "sweep_command",
]


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


def race_command(args: argparse.Namespace) -> int:
    scene, extras = scene_from_args(args)
    fps = float(setting(extras, "export", "fps", args.fps, DEFAULT_FPS))
    frames = int(setting(extras, "export", "frames", args.frames, DEFAULT_FRAMES))
    dpi = setting(extras, "export", "dpi", args.dpi, None)
    three_d = bool(setting(extras, "export", "three_d", args.three_d, False))
    hold = float(setting(extras, "export", "hold", args.hold, DEFAULT_HOLD))
    duration = setting(extras, "export", "duration", args.duration, None)
    caption = bool(setting(extras, "export", "caption", args.caption, False))
    export = {"command": "race", "fps": fps, "frames": frames, "dpi": dpi, "three_d": three_d}
    export.update(hold=hold, duration=duration, caption=caption)
    recipe = {**scene.to_recipe(), "export": export}
    out, recipe_note = None, ""
    if args.out is not None:
        out = outputs.check_out(args.out, ANIMATION_SUFFIXES, args.force, {".json": recipe_json(recipe)})
        recipe_note = outputs.recipe_note(out.with_suffix(".json"), recipe_json(recipe))

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
            caption=scene.caption if caption else None,
        )
        check_save(
            figure,
            out,
            fps=fps,
            frames=frames,
            dpi=None if dpi is None else float(dpi),
            hold=hold,
            duration=None if duration is None else float(duration),
        )
    target = loss_floor(surface, scene.n_steps)
    scale = gap_scale([t.values[0, 0] for t in results.values()], target)
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
        hold=hold,
        duration=None if duration is None else float(duration),
    )
    print()
    print(f"wrote {written}")
    print(recipe_note)
    return 0


def plot_command(args: argparse.Namespace) -> int:
    scene, extras = scene_from_args(args)
    dpi = float(setting(extras, "export", "dpi", args.dpi, 100.0))
    three_d = bool(setting(extras, "export", "three_d", args.three_d, False))
    recipe = recipe_json({**scene.to_recipe(), "export": {"command": "plot", "dpi": dpi, "three_d": three_d}})
    out = outputs.check_out(args.out, FIGURE_SUFFIXES, args.force, {".json": recipe})

    from rmsprop_viz.export import save_figure
    from rmsprop_viz.plotting import RaceFigure

    figure = RaceFigure(
        scene.build_surface(),
        scene.run(),
        labels=scene.legend_labels(),
        three_d=three_d,
        dpi=dpi,
        title=scene.title or None,
    )
    recipe_note = outputs.recipe_note(out.with_suffix(".json"), recipe)
    with Staging(overwrite=args.force, how=outputs.FORCE) as staging:
        save_figure(figure, out, dpi=dpi, overwrite=args.force, recipe=recipe, staging=staging)
        staging.commit()
    print(f"wrote {out}")
    print(recipe_note)
    return 0


# -------------------------------------------------------------------- the sweep


def _second_axis(args: argparse.Namespace, extras: Mapping[str, Any], kind: str) -> tuple[str | None, Any]:
    """The sweep's second axis: the parameter (None: no second axis) and its range.

    ``--beta-range`` (else the recipe's ``sweep.beta_param`` and ``sweep.beta_range``)
    sweeps the kind's beta (the kinds table's ``Kind.beta``: RMSProp's) unless it names
    another parameter; a kind without a beta has no second axis unless one is named.
    """
    given = args.beta_range
    param: str | None
    values: Sequence[float] | None
    if given is not None:
        param, values, where = given.param, (given.lo, given.hi, given.n), "--beta-range"
    else:
        section = extras.get("sweep", {})
        param, values = section.get("beta_param"), section.get("beta_range")
        where = f"--recipe {args.recipe}: sweep.beta_range"
    factory = optimizers.get(KINDS[kind].factory)
    numeric = [p.name for p in inspect.signature(factory).parameters.values() if isinstance(p.default, float)]
    name = param or KINDS[kind].beta
    if name is None:
        if values is not None:
            raise ValueError(
                f"{where}: {kind} has no beta (RMSProp's decay); name the parameter to sweep as "
                f"PARAM=LO,HI,N with PARAM one of {', '.join(numeric)}"
            )
        return None, None
    if name not in numeric:
        raise ValueError(f"{where}: {kind} has no parameter {name!r} to sweep; it has {', '.join(numeric)}")
    return name, tuple(values) if values is not None else DEFAULT_BETA_RANGE


def sweep_command(args: argparse.Namespace) -> int:
    scene, extras = scene_from_args(args)
    # Command-line values first, then the loaded recipe's 'sweep' section, then the defaults.
    kind = str(setting(extras, "sweep", "optimizer", args.optimizer, "rmsprop"))
    lr_range = tuple(setting(extras, "sweep", "lr_range", args.lr_range, DEFAULT_LR_RANGE))
    beta_key, beta_range = _second_axis(args, extras, kind)
    metric = str(setting(extras, "sweep", "metric", args.metric, "final"))
    tol = float(setting(extras, "sweep", "tol", args.tol, 1e-3))
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
    base = next((s for s in scene.optimizers if s.kind == kind), None) or default_spec(kind, surface)
    sweep_section = {
        "optimizer": kind,
        "lr_range": [float(lr_range[0]), float(lr_range[1]), int(lr_range[2])],
        "beta_param": None if beta_key == KINDS[kind].beta else beta_key,
        "beta_range": None if beta_key is None else [float(beta_range[0]), float(beta_range[1]), int(beta_range[2])],
        "metric": metric,
        "tol": tol,
    }
    recipe = recipe_json({**scene.with_changes(optimizers=(base,), caption="").to_recipe(), "sweep": sweep_section})
    out = outputs.check_out(args.out, FIGURE_SUFFIXES, args.force, {".csv": None, ".json": recipe})

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
    found = sweep_map(surface, factory, grid, scene.start, scene.n_steps, metric, tol=tol, fixed=fixed)
    values, chosen = found.values, found.best
    best = None if chosen is None else chosen.index

    from rmsprop_viz.export import save_figure
    from rmsprop_viz.export.tables import grid_csv
    from rmsprop_viz.plotting import style_for, sweep_figure

    others = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in fixed.items())
    fig = sweep_figure(
        found.grid,
        values,
        found.diverged_at,
        metric,
        chosen,
        n_steps=scene.n_steps,
        target=found.target,
        title=f"{base.label} on {surface.name}, {scene.n_steps} steps" + (f"\n{others}" if others else ""),
        color=style_for(kind).color,
        dpi=dpi,
    )
    csv_path = out.with_suffix(".csv")
    recipe_note = outputs.recipe_note(out.with_suffix(".json"), recipe)
    with Staging(overwrite=args.force, how=outputs.FORCE) as staging:
        save_figure(fig, out, dpi=dpi, overwrite=args.force, recipe=recipe, staging=staging)
        csv_written = staging.write_text(csv_path, grid_csv(found.grid, values, metric), what="grid")
        staging.commit()

    if chosen is None:
        print("diverged: see the map" if (values >= 0).any() else f"no run diverged within {scene.n_steps} steps")
    elif best is None:
        print(f"no cell qualifies as best ({chosen.rule})")
    else:
        if metric == "steps":
            shown_value = f"{int(values[best])} steps"
        else:
            shown_value = f"{metric} loss {_loss_text(float(values[best]), found.target, found.scale)}"
        print(f"best: {cell_text(found.grid, best)} ({shown_value}); rule: {chosen.rule}")
    print(f"wrote {out}")
    print(f"wrote {csv_path}" if csv_written else f"kept {csv_path} (it already holds this grid)")
    print(recipe_note)
    return 0


# -------------------------------------------------------------------- the claims lab


def claims_command(args: argparse.Namespace) -> int:
    ids = list(CLAIMS) if args.only is None else list(args.only)
    out = None if args.out is None else outputs.check_out(args.out, REPORT_SUFFIXES, args.force, {})
    show_progress = not args.no_progress and sys.stderr.isatty()

    def progress(verdict: Verdict) -> None:
        done = ids.index(verdict.id) + 1
        print(f"[{done}/{len(ids)}] {verdict.id}: {verdict.verdict}", file=sys.stderr, flush=True)

    verdicts = check_all(ids, on_done=progress if show_progress else None)
    print(text_table(verdicts, width=max(60, min(terminal_width(), 120))))
    if out is None:
        return 0

    from rmsprop_viz.export.tables import write_claims_report

    written = write_claims_report(verdicts, out, overwrite=args.force, how=outputs.FORCE)
    print()
    print(f"wrote {out}" if written else f"kept {out} (it already holds this report)")
    return 0


# -------------------------------------------------------------------- listings


def scenes_command(args: argparse.Namespace) -> int:
    width = max(60, min(terminal_width(), 100))
    for name in _scenes.names():
        scene = _scenes.get(name)
        surface = scene.build_surface()
        racers = ", ".join(s.label for s in scene.optimizers)
        print(f"{name}: {surface!r}, {scene.n_steps} steps; {racers}")
        print(textwrap.fill(scene.caption, width=width, initial_indent="    ", subsequent_indent="    "))
    print()
    print("Run one with: rmsprop-viz race --scene NAME [--out FILE]")
    return 0


def surfaces_command(args: argparse.Namespace) -> int:
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


#: The function of each subcommand.
COMMANDS = {
    "race": race_command,
    "plot": plot_command,
    "sweep": sweep_command,
    "claims": claims_command,
    "scenes": scenes_command,
    "surfaces": surfaces_command,
}
