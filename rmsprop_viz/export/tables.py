"""Tables as files: a sweep's grid as CSV, the claims' verdicts as a Markdown report.

:func:`grid_csv` turns the grid and the metric of a sweep (:func:`rmsprop_viz.sweep`,
:func:`rmsprop_viz.engine.sweeps.sweep_map`) into CSV text, one row per cell; the caller
writes it (through :class:`rmsprop_viz.core.staging.Staging`, as every file the package
writes). :func:`write_claims_report` writes the claims lab's verdicts as a Markdown
report, all at once or not at all.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core.staging import Staging
from rmsprop_viz.engine.best import MAX_GRID_CELLS
from rmsprop_viz.engine.claims.record import Verdict
from rmsprop_viz.engine.claims.table import markdown_report

__all__ = ["INTEGER_METRICS", "grid_csv", "write_claims_report"]

#: Metrics whose values are step counts, written as integers.
INTEGER_METRICS = ("steps", "diverged")


def grid_csv(grid: Mapping[str, npt.ArrayLike], values: npt.ArrayLike, metric: str) -> str:
    """The sweep as CSV: a header (the grid's keys, then ``metric``) and one row per cell,
    in grid order (the last key varies fastest).

    Rows end in CRLF (RFC 4180). Grid values and losses are written with ``repr`` (17 significant digits: ``float()``
    reads back the same number; ``nan`` for a diverged run), the step metrics of
    :data:`INTEGER_METRICS` as integers.

    Parameters
    ----------
    grid : mapping of str to 1-D array_like
        Parameter name -> the values swept, in the order of ``values``' axes.
    values : array_like
        The metric, shape ``tuple(len(v) for v in grid.values())``.
    metric : str
        The metric's name, the last column's header.

    Examples
    --------
    >>> grid_csv({"lr": [0.1, 0.2], "beta": [0.9]}, [[1.5], [float("nan")]], "final").splitlines()
    ['lr,beta,final', '0.1,0.9,1.5', '0.2,0.9,nan']
    >>> grid_csv({"lr": [0.1, 0.3]}, [12, -1], "steps").splitlines()
    ['lr,steps', '0.1,12', '0.3,-1']
    """
    axes = [np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in grid.values()]
    shape = tuple(axis.size for axis in axes)
    if math.prod(shape) > MAX_GRID_CELLS:
        raise ValueError(f"grid may have at most {MAX_GRID_CELLS} cells, got {' x '.join(map(str, shape))}")
    array = np.asarray(values)
    if array.shape != shape:
        raise ValueError(f"values must have the grid's shape {shape}, got {array.shape}")
    table = io.StringIO(newline="")
    writer = csv.writer(table)  # rows end in CRLF, as RFC 4180 has them
    writer.writerow([*grid, metric])
    for index in np.ndindex(shape):
        value = array[index]
        cell = [repr(float(axis[i])) for axis, i in zip(axes, index)]
        cell.append(str(int(value)) if metric in INTEGER_METRICS else repr(float(value)))
        writer.writerow(cell)
    return table.getvalue()


def write_claims_report(
    verdicts: Iterable[Verdict],
    path: str | Path,
    *,
    overwrite: bool = False,
    how: str = "pass overwrite=True",
) -> bool:
    """Write the verdicts as a Markdown report (:func:`~rmsprop_viz.engine.claims.table.markdown_report`).

    The file appears all at once or not at all: it is written to a hidden temporary file
    beside ``path`` and renamed into place; an old file is replaced only with
    ``overwrite`` and stays as it was if writing fails.

    Parameters
    ----------
    verdicts : iterable of Verdict
        The claims' verdicts (:func:`rmsprop_viz.claims.check_all`), in order.
    path : str or Path
        The file to write, e.g. ``claims.md``.
    overwrite : bool
        Replace an existing file (a file that already holds exactly this report is left
        as it is).
    how : str
        How the user allows overwriting, for the message when a file is in the way.

    Returns
    -------
    bool
        False when ``path`` already held exactly this report (nothing written).
    """
    text = markdown_report(verdicts)
    with Staging(overwrite=overwrite, how=how) as staging:
        written = staging.write_text(Path(path), text, what="report")
        staging.commit()
    return written


def __dir__() -> list[str]:
    return sorted(__all__)
