"""The best cell of a sweep: :func:`best_cell` picks the setting whose neighbours on the
grid are good too, and says by which rule; :func:`cell_text` names a cell's setting.

Both work on arrays (what :func:`.sweeps.sweep` returns), so the command line, the
explorer, the figures and the notebooks choose and name the best cell the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core.checks import check_int
from rmsprop_viz.engine.formatting import format_number

__all__ = ["MAX_BEST_RADIUS", "MAX_GRID_CELLS", "BestCell", "best_cell", "cell_text"]

#: The most cells a grid may have: a sweep runs one run per cell (:func:`.sweeps.sweep`),
#: and :func:`best_cell` reads at most this many values.
MAX_GRID_CELLS = 1_000_000

#: Largest ``radius`` accepted by :func:`best_cell`.
MAX_BEST_RADIUS = 10


class BestCell(NamedTuple):
    """The result of :func:`best_cell`."""

    #: Grid index of the chosen cell, one entry per grid axis; None when no cell qualifies.
    index: tuple[int, ...] | None  # type: ignore[assignment]  # (shadows tuple.index)
    #: The metric at that cell (NaN when ``index`` is None).
    value: float
    #: One line stating the rule, to print beside the result.
    rule: str


def best_cell(
    values: npt.ArrayLike,
    *,
    diverged: npt.ArrayLike | None = None,
    higher_is_better: bool = False,
    radius: int = 1,
) -> BestCell:
    """The best cell of a sweep whose neighbours are good too.

    A single cell can be lucky: in a chaotic region (RMSProp with a large learning rate
    in Rosenbrock's valley) one setting may land near the minimum by chance while the
    settings around it do not. So each cell is judged by its *neighbourhood*: the cell
    and every cell at most ``radius`` grid steps away along each axis (in 2-D the 3 x 3
    block around it, diagonals included; cells beyond the grid's edge do not count).

    1. A cell *converges* when its value is finite and it did not diverge; for an
       integer metric (the ``"steps"`` metric), when its value is >= 0 (-1 means the
       tolerance was never reached).
    2. A cell qualifies when it and all its neighbours converge.
    3. Each qualifying cell scores the *worst* value in its neighbourhood; the cell with
       the best score wins (ties go to the better value of the cell itself, then to
       the first cell in grid order).

    This is a minimax rule: the chosen setting is the one whose worst nearby setting is
    best, so a lucky cell among bad ones scores as badly as its neighbours.

    Parameters
    ----------
    values : array_like, 1-D or 2-D (any number of axes works)
        The sweep's metric, one axis per grid key (what :func:`sweep` returns). NaN and
        inf mark diverged runs; in an integer array, negative values mark runs that
        never reached the tolerance.
    diverged : array_like, optional
        Same shape: True (or a step >= 0, as ``metric="diverged"`` returns) where the
        run diverged. Such cells never converge, whatever their value.
    higher_is_better : bool
        True for metrics where larger is better; by default smaller is better (loss,
        steps).
    radius : int
        How many grid steps away a neighbour may be, >= 0 (0: every cell on its own, the
        plain best value).

    Returns
    -------
    BestCell
        ``(index, value, rule)``; ``index`` is None when no cell qualifies.

    Examples
    --------
    A lucky cell (1e-9) between bad ones loses to a steady basin:

    >>> values = [0.5, 3.0, 1e-9, 2.0, 1e-3, 1e-4, 2e-4, 1e-3]
    >>> best_cell(values).index
    (5,)
    >>> best_cell([[1.0, float("nan")], [2.0, 3.0]]).index is None   # every cell is next to a diverged one
    True
    >>> best_cell([12, 7, -1, 9], radius=0).index   # steps to tol; -1: never reached
    (1,)
    """
    array = np.asarray(values)
    if array.dtype.kind == "b" or array.dtype.kind not in "fiu":
        raise ValueError(f"values must be an array of numbers (the sweep's metric), got dtype {array.dtype}")
    if array.ndim == 0 or array.size == 0:
        raise ValueError(f"values must have at least one grid axis and one cell, got shape {array.shape}")
    if array.size > MAX_GRID_CELLS:
        raise ValueError(f"values may have at most {MAX_GRID_CELLS} cells (a sweep's grid), got {array.size}")
    radius = check_int("radius", radius, low=0, high=MAX_BEST_RADIUS)
    if not isinstance(higher_is_better, (bool, np.bool_)):
        raise ValueError(f"higher_is_better must be True or False, got {higher_is_better!r}")
    score = array.astype(np.float64)
    ok = np.isfinite(score)
    if array.dtype.kind in "iu":
        ok &= array >= 0
    if diverged is not None:
        flags = np.asarray(diverged)
        if flags.shape != array.shape:
            raise ValueError(f"diverged must have the shape of values {array.shape}, got {flags.shape}")
        ok &= ~(flags >= 0 if flags.dtype.kind in "iu" else flags.astype(bool))
    if higher_is_better:
        score = -score
    score = np.where(ok, score, np.inf)  # a neighbourhood with a bad cell scores inf

    worst = score
    for axis in range(array.ndim):  # the block maximum, one axis at a time
        padded = np.pad(
            worst, [(radius, radius) if a == axis else (0, 0) for a in range(array.ndim)], constant_values=-np.inf
        )
        n = array.shape[axis]
        worst = np.max([np.take(padded, range(k, k + n), axis=axis) for k in range(2 * radius + 1)], axis=0)

    rule = _best_rule(array.ndim, radius, higher_is_better)
    if not np.isfinite(worst).any():
        return BestCell(None, float("nan"), rule)
    order = np.lexsort((np.arange(array.size), score.reshape(-1), worst.reshape(-1)))
    flat = int(order[0])
    index = tuple(int(i) for i in np.unravel_index(flat, array.shape))
    return BestCell(index, float(array.reshape(-1)[flat]), rule)


def _best_rule(ndim: int, radius: int, higher_is_better: bool) -> str:
    better = "highest" if higher_is_better else "lowest"
    if radius == 0:
        return f"{better} value among the runs that converged"
    if ndim == 1:
        near = "the cell either side" if radius == 1 else f"the {radius} cells either side"
        return f"cell with the best worst case over itself and {near}; all of them must converge"
    block = "x".join([str(2 * radius + 1)] * ndim)
    return f"cell with the best worst case over the {block} block around it; all of it must converge"


def cell_text(grid: Mapping[str, npt.ArrayLike], index: tuple[int, ...]) -> str:
    """The setting of cell ``index`` of ``grid`` as text: ``name=value`` per grid key, each
    value with 3 significant digits (:func:`.formatting.format_number`), as the command
    line prints the best cell and the sweep figure's legend names it.

    >>> cell_text({"lr": [0.001, 0.007017], "beta": [0.9, 0.9478]}, (1, 1))
    'lr=0.00702, beta=0.948'
    >>> cell_text({"lr": [1e-5, 1e-4]}, (0,))
    'lr=1.00e-05'
    """
    if len(index) != len(grid):
        raise ValueError(f"index must have one entry per grid key ({len(grid)}), got {index!r}")
    return ", ".join(
        f"{name}={format_number(float(np.asarray(values, dtype=np.float64)[i]), 3)}"
        for (name, values), i in zip(grid.items(), index)
    )


def __dir__() -> list[str]:
    return sorted(__all__)
