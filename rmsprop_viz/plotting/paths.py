"""The optimizers' paths on a 2-D surface: a growing line per run, a marker at its head, a
circle at its start and, for a diverged run, a cross where it left the window with a note
"diverged at step k" (notes of crosses close together are shared and stacked apart)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.text import Annotation

from rmsprop_viz.engine.run import Trajectory
from rmsprop_viz.plotting.style import FONT, LINE_WIDTH, MARKER_SIZE, draw_divergence, draw_start, styles_for

__all__ = [
    "NOTE_NEAR",
    "NOTE_WIDTH",
    "PathArtists",
    "divergence_point",
    "draw_paths",
    "last_finite",
    "note_groups",
    "note_text",
    "update_paths",
]

FloatArray = npt.NDArray[np.float64]

# ----------------------------------------------------------------------- the paths


@dataclass
class PathArtists:
    """The artists of one optimizer's path: line, head, start, and divergence cross."""

    line: Line2D
    head: Line2D
    start: Line2D
    cross: Line2D
    note: Annotation

    @property
    def moving(self) -> list[Artist]:
        """The artists that change from step to step."""
        return [self.line, self.head, self.cross, self.note]


def last_finite(xy: FloatArray, upto: int) -> int | None:
    """The last step up to ``upto`` whose point is finite (None: not one is).

    >>> last_finite(np.array([[0.0, 1.0], [2.0, np.nan], [np.nan, 3.0]]), 2)
    0
    """
    finite = np.flatnonzero(np.isfinite(xy[: upto + 1]).all(axis=-1))
    return int(finite[-1]) if finite.size else None


def divergence_point(
    xy: FloatArray, diverged_at: int, bounds: tuple[tuple[float, float], tuple[float, float]]
) -> tuple[float, float]:
    """Where to mark a run that diverged at step ``diverged_at``: on its path, where it left
    the window ``bounds`` (shrunk by 1% of its size at each edge).

    With ``p`` the last point inside the window and ``q`` the next (outside), the mark is
    ``p + t (q - p)`` for the largest ``t`` in [0, 1] that stays inside: the point where the
    segment crosses the window's edge. A run whose last finite point is inside is marked
    there. Fallbacks: with no point inside the window (or no next point to aim at), the
    last finite point clamped into the window; with no finite point at all (the start was
    already outside the escape box), the window's top-left corner.

    >>> divergence_point(np.array([[0.5, 0.5], [1.5, 0.5], [np.nan, np.nan]]), 2, ((0, 1), (0, 1)))
    (0.99, 0.5)
    >>> divergence_point(np.full((3, 2), np.nan), 0, ((0, 1), (0, 1)))
    (0.01, 0.99)
    """
    (x0, x1), (y0, y1) = bounds
    (xlo, xhi), (ylo, yhi) = sorted((x0, x1)), sorted((y0, y1))
    mx, my = 0.01 * (xhi - xlo), 0.01 * (yhi - ylo)
    low = np.array([xlo + mx, ylo + my])
    high = np.array([xhi - mx, yhi - my])
    last = last_finite(xy, max(int(diverged_at), 0))
    if last is None:
        return float(low[0]), float(high[1])
    points = np.asarray(xy[: last + 1], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        inside = np.flatnonzero(((points >= low) & (points <= high)).all(axis=-1))
    if inside.size and inside[-1] == last:
        return float(points[last, 0]), float(points[last, 1])
    if inside.size:
        p, q = points[inside[-1]], points[inside[-1] + 1]
        if np.isfinite(q).all():
            t = 1.0
            with np.errstate(divide="ignore", invalid="ignore"):
                for axis in range(2):
                    step = q[axis] - p[axis]
                    if q[axis] > high[axis]:
                        t = min(t, (high[axis] - p[axis]) / step)
                    elif q[axis] < low[axis]:
                        t = min(t, (low[axis] - p[axis]) / step)
            edge = np.clip(p + max(t, 0.0) * (q - p), low, high)
            return float(edge[0]), float(edge[1])
    point = points[last]
    return float(np.clip(point[0], low[0], high[0])), float(np.clip(point[1], low[1], high[1]))


def draw_paths(
    ax: Axes,
    trajectories: Sequence[Trajectory],
    *,
    labels: Sequence[str] | None = None,
    run: int = 0,
) -> list[PathArtists]:
    """One line per trajectory, with a marker at its head, a circle at its start and,
    for a diverged run, a cross and "diverged at step k". Drawn at the last step; use
    :func:`update_paths` to show another."""
    labels = list(labels) if labels is not None else [t.label for t in trajectories]
    artists = []
    for traj, label, style in zip(trajectories, labels, styles_for([t.kind for t in trajectories])):
        (line,) = ax.plot(
            [],
            [],
            color=style.color,
            linestyle=style.linestyle,
            linewidth=LINE_WIDTH,
            label=label,
            zorder=3,
            solid_capstyle="round",
        )
        (head,) = ax.plot(
            [],
            [],
            marker=style.marker,
            markersize=MARKER_SIZE,
            color=style.color,
            markeredgecolor="black",
            markeredgewidth=1.0,
            linestyle="none",
            zorder=6,
        )
        x0, y0 = traj.params[0, run]
        start = draw_start(ax, [x0], [y0], color=style.color)
        cross = draw_divergence(ax, color=style.color)
        note = ax.annotate(
            "",
            (0, 0),
            xytext=(8, 8),
            textcoords="offset points",
            fontsize=FONT["note"],
            color="black",
            zorder=8,
            annotation_clip=False,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": style.color, "alpha": 0.9},
        )
        artists.append(PathArtists(line, head, start, cross, note))
    update_paths(artists, trajectories, None, run=run)
    return artists


#: Crosses closer than this (fractions of the window's width, height) share one note.
NOTE_NEAR = (0.3, 0.12)


def note_groups(where: Sequence[tuple[float, float]], near: tuple[float, float] = NOTE_NEAR) -> list[list[int]]:
    """Which crosses share a note: each cross joins the first group whose first cross is
    within ``near`` of it (positions as fractions of the window).

    >>> note_groups([(0.0, 0.5), (0.1, 0.55), (0.9, 0.5)])
    [[0, 1], [2]]
    """
    groups: list[list[int]] = []
    for i, (x, y) in enumerate(where):
        for group in groups:
            gx, gy = where[group[0]]
            if abs(x - gx) < near[0] and abs(y - gy) < near[1]:
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


#: A shared note longer than this (characters) breaks into lines between the names.
NOTE_WIDTH = 40


def note_text(labels: Sequence[str], steps: Sequence[int], width: int = NOTE_WIDTH) -> str:
    """One note for crosses that share it, broken into lines of about ``width`` characters
    between the names (never inside one).

    >>> note_text(["SGD", "Adam"], [1, 1])
    'SGD, Adam diverged at step 1'
    >>> note_text(["SGD", "Adam"], [3, 11])
    'SGD (step 3), Adam (step 11) diverged'
    >>> print(note_text(["SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam"], [1] * 6))
    SGD, Momentum, Nesterov, Adagrad,
    RMSProp, Adam diverged at step 1
    """
    same = len(set(steps)) == 1
    names = list(labels) if same else [f"{label} (step {d})" for label, d in zip(labels, steps)]
    tail = f" diverged at step {steps[0]}" if same else " diverged"
    lines = [""]
    for i, name in enumerate(names):
        piece = name + (tail if i == len(names) - 1 else ",")
        if lines[-1] and len(lines[-1]) + 1 + len(piece) > width:
            lines.append(piece)
        else:
            lines[-1] = f"{lines[-1]} {piece}" if lines[-1] else piece
    return "\n".join(lines)


def update_paths(
    artists: Sequence[PathArtists], trajectories: Sequence[Trajectory], step: int | None, *, run: int = 0
) -> None:
    """Show the paths up to ``step`` (all of them when ``None``), changing data only.

    A diverged run ends in a cross where it left the window. Crosses close together share
    one note ("SGD, Adam diverged at step 1"); the notes are stacked so that none covers
    another.
    """
    gone: list[tuple[int, float, float, int]] = []  # (which, cross x, cross y, step)
    for i, (art, traj) in enumerate(zip(artists, trajectories)):
        k = traj.n_steps if step is None else min(int(step), traj.n_steps)
        xy = traj.params[:, run]
        art.line.set_data(xy[: k + 1, 0], xy[: k + 1, 1])
        d = int(traj.diverged_at[run])
        if 0 <= d <= k and art.line.get_visible():
            # Where the path crossed the window's edge, so the cross shows where the run left.
            axes = art.line.axes
            assert axes is not None
            cx, cy = divergence_point(xy, d, (axes.get_xlim(), axes.get_ylim()))
            art.head.set_data([], [])
            art.cross.set_data([cx], [cy])
            gone.append((i, cx, cy, d))
        else:
            art.head.set_data([xy[k, 0]], [xy[k, 1]])
            if np.size(art.cross.get_xdata(orig=True)):  # (unchanged artists are left alone: cheaper per frame)
                art.cross.set_data([], [])
            if art.note.get_visible():
                art.note.set_visible(False)
    if not gone:
        return
    axes = artists[gone[0][0]].line.axes
    assert axes is not None
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    where = [((cx - x0) / (x1 - x0), (cy - y0) / (y1 - y0)) for _, cx, cy, _ in gone]
    groups = note_groups(where)
    # The height of one note in fractions of the window, from the font size in points.
    box = axes.get_window_extent()
    height_points = max(box.height * 72 / axes.figure.dpi, 1.0)
    first_line, more_lines = 1.9 * FONT["note"] / height_points, 1.2 * FONT["note"] / height_points
    placed: list[tuple[float, float]] = []  # (bottom, top) of each note placed, fractions
    order = sorted(range(len(groups)), key=lambda g: where[groups[g][0]][1])
    for g in order:
        members = groups[g]
        first = gone[members[0]][0]
        fx, fy = where[members[0]]
        right, top = fx > 0.5, fy > 0.5
        text = note_text([trajectories[gone[m][0]].label for m in members], [gone[m][3] for m in members])
        tall = first_line + more_lines * text.count("\n")
        # Beside the cross, on the side that faces the middle of the window, and above
        # every note placed before it that it would cover.
        bottom = fy - 10 / height_points - tall if top else fy + 10 / height_points
        for low, high in sorted(placed):
            if bottom < high and low < bottom + tall:
                bottom = high
        placed.append((bottom, bottom + tall))
        art = artists[first]
        art.note.xy = (gone[members[0]][1], gone[members[0]][2])
        offset = (bottom - fy) * height_points
        art.note.set_position((-10 if right else 10, offset))
        art.note.set_verticalalignment("bottom")
        art.note.set_horizontalalignment("right" if right else "left")
        art.note.set_text(text)
        art.note.set_visible(True)
        for m in members[1:]:
            other_note = artists[gone[m][0]].note
            if other_note.get_visible():
                other_note.set_visible(False)
