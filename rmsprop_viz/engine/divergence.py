"""The divergence rule, written once: when a run counts as diverged, and what then.

A run *diverges* at the first step whose point ``(x, y)`` is not finite or leaves the
*escape box* (around the plot window's centre, reaching :data:`ESCAPE_FACTOR` window
sizes either side of it), or whose loss is not finite. Every step loop applies this
rule from here:

* a single run or a race (:func:`rmsprop_viz.engine.run.run`) records its whole history
  first, then :func:`first_diverged` finds the step and :func:`blank` overwrites
  everything from there with NaN;
* a sweep's loops (plain and compiled) test the points after every step
  (:func:`all_inside`, or the lines of :func:`park_source` in a compiled loop), and
  :func:`park` notes the step and moves the run to the box's centre, so that it stays
  finite while the others go on; :func:`first_bad_loss` adds the rule's loss half, and
  :func:`blank` the NaN.

The box is generous: a run that leaves it is not coming back in any picture, and the
loss of the package's own (polynomial and cosine) surfaces is still finite anywhere in
it, so for them testing the point is testing the loss too.

>>> import rmsprop_viz as rv
>>> box = box_of(rv.Quadratic())   # window (-2, 2) x (-2, 2)
>>> box.x_low, box.x_high, (box.cx, box.cy)
(-200.0, 200.0, (0.0, 0.0))
>>> outside(box, np.array([1.0, 250.0, np.nan]), np.zeros(3)).tolist()
[False, True, True]
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core.surfaces import Surface

__all__ = [
    "ESCAPE_FACTOR",
    "Box",
    "all_inside",
    "blank",
    "box_of",
    "escape_box",
    "first_bad_loss",
    "first_diverged",
    "outside",
    "park",
    "park_source",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: How many window sizes away from the window's centre a run may go (along x, in window
#: widths; along y, in window heights) before it counts as diverged.
ESCAPE_FACTOR = 50.0


class Box(NamedTuple):
    """The escape box's edges, and its centre, where :func:`park` moves a diverged run."""

    x_low: float
    x_high: float
    y_low: float
    y_high: float
    cx: float
    cy: float


def escape_box(surface: Surface) -> tuple[float, float, float, float]:
    """``(cx, cy, half_width, half_height)`` of the box a run must stay in.

    The box has the plot window's centre and reaches :data:`ESCAPE_FACTOR` times the
    window's width (height) either side of it.

    >>> import rmsprop_viz as rv
    >>> escape_box(rv.Quadratic())
    (0.0, 0.0, 200.0, 200.0)
    """
    (x0, x1), (y0, y1) = surface.bounds
    return (0.5 * (x0 + x1), 0.5 * (y0 + y1), ESCAPE_FACTOR * (x1 - x0), ESCAPE_FACTOR * (y1 - y0))


def box_of(surface: Surface) -> Box:
    """The :class:`Box` of ``surface``: :func:`escape_box` as edges."""
    cx, cy, hw, hh = escape_box(surface)
    return Box(cx - hw, cx + hw, cy - hh, cy + hh, cx, cy)


def outside(box: Box, x: Any, y: Any) -> npt.NDArray[np.bool_]:
    """True where the point ``(x, y)`` has diverged: outside ``box``, or not finite (a
    NaN fails every comparison)."""
    inside = (x >= box.x_low) & (x <= box.x_high) & (y >= box.y_low) & (y <= box.y_high)
    out: npt.NDArray[np.bool_] = ~np.asarray(inside)
    return out


def all_inside(box: Box, x: Any, y: Any) -> bool:
    """True when every point is inside ``box`` (and so finite): four reductions, the quick
    test a loop makes each step before the elementwise :func:`outside`."""
    return bool(x.min() >= box.x_low and x.max() <= box.x_high and y.min() >= box.y_low and y.max() <= box.y_high)


def park(box: Box, p: FloatArray, diverged_at: IntArray, step: int) -> None:
    """Runs of ``p`` (shape ``(2, runs)``) :func:`outside` the box diverged at ``step``:
    note it in ``diverged_at`` (unless they already had) and move them to the box's
    centre, so that they stay finite (their results are discarded)."""
    x, y = p
    out = outside(box, x, y)
    diverged_at[out & (diverged_at < 0)] = step
    x[out], y[out] = box.cx, box.cy


def park_source(x: str, y: str, run: str, step: str) -> list[str]:
    """:func:`park` for one run, as lines of Python for a generated loop.

    The loop has the box's edges and centre in variables named as the fields of
    :class:`Box` and ``diverged_at`` as an array; ``x``, ``y``, ``run`` and ``step`` name
    the point, the run's index and the step.

    >>> print("\\n".join(park_source("x", "y", "i", "t + 1")))
    if not (x >= x_low and x <= x_high and y >= y_low and y <= y_high):
        if diverged_at[i] < 0:
            diverged_at[i] = t + 1
        x = cx
        y = cy
    """
    return [
        f"if not ({x} >= x_low and {x} <= x_high and {y} >= y_low and {y} <= y_high):",
        f"    if diverged_at[{run}] < 0:",
        f"        diverged_at[{run}] = {step}",
        f"    {x} = cx",
        f"    {y} = cy",
    ]


def first_diverged(box: Box, params: FloatArray, values: FloatArray) -> IntArray:
    """``(runs,)`` first step of a recorded run that diverged, or -1.

    ``params`` has shape ``(n_steps + 1, runs, 2)``, ``values`` ``(n_steps + 1, runs)``.

    >>> import rmsprop_viz as rv
    >>> params = np.array([[[0.0, 0.0]], [[1.0, 0.0]], [[300.0, 0.0]], [[1.0, 0.0]]])
    >>> first_diverged(box_of(rv.Quadratic()), params, np.zeros((4, 1))).tolist()
    [2]
    """
    x, y = params[..., 0], params[..., 1]
    runs = params.shape[1]
    # Most runs stay put, which a few reductions tell.
    if all_inside(box, x, y) and np.isfinite(values.sum()):
        return np.full(runs, -1, dtype=np.int64)
    bad = outside(box, x, y) | ~np.isfinite(values)
    return np.where(bad.any(axis=0), np.argmax(bad, axis=0), -1).astype(np.int64)


def first_bad_loss(diverged_at: IntArray, values: FloatArray, steps: npt.ArrayLike) -> None:
    """Bring ``diverged_at`` forward to the first recorded loss that is not finite.

    ``values`` has one row per recorded step, ``steps`` the step of each row. Rows from
    a run's ``diverged_at`` on are not read (a parked run's loss means nothing).
    """
    rows = np.asarray(steps)[:, None]
    bad = ~np.isfinite(values) & ((diverged_at[None, :] < 0) | (rows < diverged_at[None, :]))
    found = bad.any(axis=0)
    diverged_at[found] = np.asarray(steps)[np.argmax(bad, axis=0)][found]


def blank(diverged_at: IntArray, arrays: Any, steps: npt.ArrayLike | None = None) -> None:
    """Overwrite each array's entries from each run's ``diverged_at`` on with NaN.

    Each array has steps along axis 0 and runs along axis 1 (arrays with fewer than two
    axes, such as a step counter, are left alone). ``steps`` gives the step of each row
    when it is not the row's index.
    """
    if not (diverged_at >= 0).any():
        return
    for array in arrays:
        if array.ndim < 2:
            continue
        rows = np.arange(array.shape[0]) if steps is None else np.asarray(steps)
        array[(rows[:, None] >= diverged_at[None, :]) & (diverged_at[None, :] >= 0)] = np.nan
