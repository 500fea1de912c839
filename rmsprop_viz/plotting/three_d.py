"""The race in 3-D: the surface as a mesh (``log10(f - f*)`` where it spans decades) and the
paths riding on it, with the same marks as in 2-D."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.artist import Artist

from rmsprop_viz.core.surfaces import Surface
from rmsprop_viz.engine.run import Trajectory
from rmsprop_viz.plotting.paths import divergence_point, last_finite, note_groups, note_text
from rmsprop_viz.plotting.style import (
    FONT,
    LINE_WIDTH,
    MARKER_SIZE,
    draw_divergence,
    draw_minimum,
    draw_start,
    set_title,
    styles_for,
)
from rmsprop_viz.plotting.surface import spans_decades, surface_floor, surface_grid, surface_title

__all__ = ["Path3DArtists", "draw_paths_3d", "draw_surface_3d", "start_3d", "update_paths_3d"]

FloatArray = npt.NDArray[np.float64]


def _height_function(log: bool, floor: float) -> Any:
    """``log10(f - f*)`` where the surface spans decades, else ``f``."""
    if log:
        return lambda v: np.log10(np.maximum(np.asarray(v, dtype=np.float64) - floor, 1e-12))
    return lambda v: np.asarray(v, dtype=np.float64)


def draw_surface_3d(ax: Any, surface: Surface, *, resolution: int = 80, title: bool = True) -> tuple[Any, Any]:
    """The surface as a 3-D mesh, log-scaled (``log10(f - f*)``) where it spans decades.

    Returns the mesh and the height function used, so paths can ride on the surface.
    """
    x, y, z = surface_grid(surface, resolution)
    floor = surface_floor(surface, z)
    log = spans_decades(z, floor)
    height = _height_function(log, floor)
    with np.errstate(all="ignore"):
        h = np.asarray(height(z), dtype=np.float64)
    finite = h[np.isfinite(h)]
    bottom = float(finite.min()) if finite.size else 0.0
    top = float(np.percentile(finite, 99)) if finite.size else 1.0
    if not top > bottom:  # a constant surface: a flat sheet in the middle of the box
        bottom, top = bottom - 1.0, bottom + 1.0
        shown = np.where(np.isfinite(h), h, (bottom + top) / 2)
    else:
        shown = np.where(np.isfinite(h), np.minimum(h, top), top)
    mesh = ax.plot_surface(
        x,
        y,
        shown,
        cmap="Greys_r",
        alpha=0.55,
        linewidth=0,
        antialiased=True,
        rstride=1,
        cstride=1,
        vmin=bottom,
        vmax=top + 0.3 * abs(top) if top > 0 else top + 0.3 * (top - bottom),
    )
    ax.set_xlabel("x", fontsize=FONT["label"])
    ax.set_ylabel("y", fontsize=FONT["label"])
    ax.set_zlabel("log10(f − f*)" if log else "f", fontsize=FONT["label"])
    (x0, x1), (y0, y1) = surface.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_zlim(bottom, top)
    if surface.minima:
        mx, my = np.asarray(surface.minima).T
        with np.errstate(all="ignore"):
            mz = np.asarray(height(np.asarray(surface.value(np.asarray(surface.minima)), dtype=np.float64)))
        draw_minimum(ax, mx, my, np.clip(np.where(np.isfinite(mz), mz, bottom), bottom, top), zorder=5.5)
    ax.view_init(elev=38, azim=-120)
    ax.tick_params(labelsize=FONT["tick"] - 2)
    if title:
        set_title(ax, surface_title(surface), pad=2)  # (a 3-D box's first layout leaves the title less room)
    return mesh, height


@dataclass
class Path3DArtists:
    """The artists of one optimizer's path on a 3-D surface: line, head, divergence cross
    and note, and the start's circle."""

    line: Any
    head: Any
    cross: Any
    note: Any
    start: Any = None

    @property
    def moving(self) -> list[Artist]:
        """The artists that change from step to step."""
        return [self.line, self.head, self.cross, self.note]


def draw_paths_3d(
    ax: Any,
    trajectories: Sequence[Trajectory],
    height: Any,
    *,
    labels: Sequence[str] | None = None,
    run: int = 0,
    zmax: float | None = None,
) -> list[Path3DArtists]:
    """Paths riding on a 3-D surface, with a marker at each head and, for a diverged run,
    a cross and "diverged at step k" where it left (as :func:`draw_paths` in 2-D)."""
    labels = list(labels) if labels is not None else [t.label for t in trajectories]
    bounds = (ax.get_xlim(), ax.get_ylim())
    out = []
    for traj, label, style in zip(trajectories, labels, styles_for([t.kind for t in trajectories])):
        (line,) = ax.plot([], [], [], color=style.color, linewidth=LINE_WIDTH, label=label, zorder=5)
        (head,) = ax.plot(
            [],
            [],
            [],
            marker=style.marker,
            color=style.color,
            markersize=MARKER_SIZE,
            markeredgecolor="black",
            linestyle="none",
            zorder=6,
        )
        start = draw_start(ax, *start_3d(traj, height, bounds, run=run, zmax=zmax), color=style.color, zorder=5)
        cross = draw_divergence(ax, [], [], [], color=style.color, zorder=8)  # above its note's box
        note = ax.text(
            0.0,
            0.0,
            0.0,
            "",
            fontsize=FONT["note"],
            color="black",
            zorder=7,
            clip_on=False,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": style.color, "alpha": 0.9},
        )
        note.set_visible(False)
        out.append(Path3DArtists(line, head, cross, note, start))
    update_paths_3d(out, trajectories, height, None, bounds=bounds, run=run, zmax=zmax)
    return out


def start_3d(
    traj: Trajectory, height: Any, bounds: Any, *, run: int = 0, zmax: float | None = None
) -> tuple[list[float], list[float], list[float]]:
    """Where the start's circle of ``traj`` sits on the surface, as ``(xs, ys, zs)``: one
    point, or none when the start lies outside the window ``bounds`` (3-D axes do not clip)."""
    (x0, x1), (y0, y1) = bounds
    x, y = (float(v) for v in traj.params[0, run])
    with np.errstate(all="ignore"):
        z = float(np.asarray(height(traj.values[0, run]), dtype=np.float64))
    if zmax is not None:
        z = min(z, zmax)
    if not (x0 <= x <= x1 and y0 <= y <= y1 and np.isfinite(z)):
        return [], [], []
    return [x], [y], [z]


def update_paths_3d(
    artists: Sequence[Path3DArtists],
    trajectories: Sequence[Trajectory],
    height: Any,
    step: int | None,
    *,
    bounds: Any,
    run: int = 0,
    zmax: float | None = None,
) -> None:
    """Show the 3-D paths up to ``step``; a run that diverged by then ends in its cross.

    Heights are kept inside the box (3-D axes do not clip): at most ``zmax``, and at least
    the bottom of the box, where a run that gets closer to the minimum than the drawn
    surface runs along the floor.
    """
    (x0, x1), (y0, y1) = bounds
    box = artists[0].line.axes if artists else None
    zmin = float(box.get_zlim()[0]) if box is not None and hasattr(box, "get_zlim") else None
    gone: list[tuple[int, float, float, int]] = []  # (which, cross x, cross y, step)
    for i, (art, traj) in enumerate(zip(artists, trajectories)):
        k = traj.n_steps if step is None else min(int(step), traj.n_steps)
        xy = traj.params[: k + 1, run]
        with np.errstate(all="ignore"):
            z = np.asarray(height(traj.values[: k + 1, run]), dtype=np.float64)
            if zmax is not None:
                z = np.minimum(z, zmax)
            if zmin is not None:
                z = np.maximum(z, zmin)
            inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        ok = np.isfinite(xy).all(axis=1) & np.isfinite(z) & inside  # 3-D axes do not clip: drop what leaves
        art.line.set_data_3d(xy[ok, 0], xy[ok, 1], z[ok])
        d = int(traj.diverged_at[run])
        if 0 <= d <= k and art.line.get_visible():
            cx, cy = divergence_point(xy, d, bounds)
            last = last_finite(xy, d)
            cz = float(z[last]) if last is not None and np.isfinite(z[last]) else float(zmax if zmax is not None else 0)
            art.head.set_data_3d([], [], [])
            art.cross.set_data_3d([cx], [cy], [cz])
            art.note.set_position_3d((cx, cy, cz))
            gone.append((i, cx, cy, d))
            continue
        if ok.any():
            last = int(np.flatnonzero(ok)[-1])
            art.head.set_data_3d([xy[last, 0]], [xy[last, 1]], [z[last]])
        else:
            art.head.set_data_3d([], [], [])
        art.cross.set_data_3d([], [], [])
        art.note.set_visible(False)
    # Crosses close together on the screen share one note, as in 2-D.
    where = [((cx - x0) / (x1 - x0), (cy - y0) / (y1 - y0)) for _, cx, cy, _ in gone]
    ax = artists[gone[0][0]].line.axes if gone else None
    if ax is not None and hasattr(ax, "get_proj"):
        projection = ax.get_proj()
        where = []
        for i, _, _, _ in gone:
            xs, ys, zs = artists[i].cross.get_data_3d()
            # (the 3-D axes' projection, as it draws: x' = M [x, y, z, 1], divided by w)
            vx, vy, _vz, vw = np.asarray(projection) @ np.array([float(xs[0]), float(ys[0]), float(zs[0]), 1.0])
            px, py = vx / vw, vy / vw
            fx, fy = ax.transAxes.inverted().transform(ax.transData.transform((px, py)))
            where.append((float(fx), float(fy)))
    for members in note_groups(where):
        labels = [trajectories[gone[m][0]].label for m in members]
        note = artists[gone[members[0]][0]].note
        note.set_text("  " + note_text(labels, [gone[m][3] for m in members]).replace("\n", "\n  "))
        note.set_visible(True)
        for m in members[1:]:
            artists[gone[m][0]].note.set_visible(False)
