"""What a run leaves behind: the :class:`Trajectory` record and the metrics read from it.

:func:`best_loss` and :func:`steps_to` work on a loss history of shape
``(n_steps + 1, runs)``, so a :class:`Trajectory` and a sweep (which keeps only the
loss) reduce their runs by the same rules. :func:`loss_floor` is the loss a run is
measured against (the minimum) and :func:`gap_scale` the size of the gap it starts
with, below which a final gap is "at the minimum".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core.checks import check_number
from rmsprop_viz.core.surfaces import Surface, last_change, min_value

__all__ = [
    "Trajectory",
    "best_loss",
    "distances",
    "farthest",
    "gap_scale",
    "loss_floor",
    "max_distance",
    "path_length",
    "steps_to",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Trajectory:
    """Everything one optimizer did on one surface, for every run of a batch.

    Attributes
    ----------
    label : str
        Name shown in legends.
    params : ndarray, shape (n_steps + 1, runs, 2)
        Parameters; index 0 is the start.
    values : ndarray, shape (n_steps + 1, runs)
        Loss at each ``params[t]`` (at step ``t`` for time-varying surfaces).
    grads : ndarray, shape (n_steps, runs, 2)
        Gradient used at step ``t``, evaluated at ``params[t]``.
    updates : ndarray, shape (n_steps, runs, 2)
        ``params[t + 1] = params[t] + updates[t]``.
    states : NamedTuple
        The optimizer's state after each step, same type as its state with every field
        stacked: arrays of shape ``(n_steps, runs, 2)``, and ``(n_steps,)`` for the step
        counter ``t``.
    diverged_at : ndarray of int, shape (runs,)
        First step whose parameters or loss went bad (:mod:`rmsprop_viz.engine.divergence`),
        or -1.
    changed_at : int
        The last step at which the surface's loss changed (:func:`.surfaces.last_change`),
        0 for a surface that does not change: :meth:`steps_to` counts from there.
    kind : str
        Which of :data:`rmsprop_viz.core.kinds.KINDS` made the run (``"rmsprop"``, ...), or
        ``""`` for an optimizer of the user's own: figures style a run by its kind.
    """

    label: str
    params: FloatArray
    values: FloatArray
    grads: FloatArray
    updates: FloatArray
    states: Any
    diverged_at: IntArray
    changed_at: int = 0
    kind: str = ""

    @property
    def n_steps(self) -> int:
        """Number of steps taken."""
        return int(self.grads.shape[0])

    @property
    def runs(self) -> int:
        """Number of runs in the batch."""
        return int(self.params.shape[1])

    @property
    def diverged(self) -> npt.NDArray[np.bool_]:
        """``(runs,)`` True where the run diverged."""
        return self.diverged_at >= 0

    @property
    def effective_lr(self) -> FloatArray:
        """``(n_steps, runs, 2)``: ``|update| / |grad|`` per coordinate, NaN where g = 0.

        For SGD this is the learning rate; for RMSProp it is ``lr / sqrt(v + eps)``.
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.abs(self.updates) / np.abs(self.grads)
        out[~np.isfinite(out)] = np.nan
        return out

    @property
    def final_value(self) -> FloatArray:
        """``(runs,)`` loss after the last step (NaN for a diverged run)."""
        final: FloatArray = self.values[-1]
        return final

    @property
    def best_value(self) -> FloatArray:
        """``(runs,)`` lowest loss seen before any divergence (:func:`best_loss`)."""
        return best_loss(self.values)

    def steps_to(self, tol: float, *, target: float = 0.0) -> IntArray:
        """``(runs,)`` steps until the loss got within ``tol`` of ``target`` *and stayed*.

        The answer is the first step ``t`` with ``values[s] - target <= tol`` for every
        ``s >= t``, counted from :attr:`changed_at` (the last change of a time-varying
        surface; 0 otherwise). A run that touches the tolerance and leaves again has
        not reached it; neither has a run that diverged (-1 for both).

        >>> import rmsprop_viz as rv
        >>> traj = rv.run(rv.Quadratic(), rv.sgd(lr=0.1), start=(1.0, 0.0), n_steps=50)
        >>> traj.steps_to(1e-3).tolist()   # 0.5 * 0.81^t <= 1e-3 from t = 30 on
        [30]
        """
        return steps_to(self.values, tol, target, self.changed_at)


def path_length(params: npt.ArrayLike) -> float:
    """Length of one path, ``params`` of shape ``(n_steps + 1, 2)``: the sum of its steps'
    lengths, :math:`\\sum_t \\lVert \theta_{t+1} - \theta_t \rVert`, up to a divergence
    (steps to or from NaN are left out).

    >>> path_length(np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 5.0], [np.nan, np.nan]]))
    6.0
    """
    steps = np.linalg.norm(np.diff(np.asarray(params, dtype=np.float64), axis=0), axis=-1)
    return float(np.nansum(steps))


def best_loss(values: FloatArray) -> FloatArray:
    """``(runs,)`` lowest finite loss of each column of ``values`` (shape
    ``(n_steps + 1, runs)``); NaN for a column with none.

    >>> best_loss(np.array([[3.0, np.nan], [1.0, np.nan], [np.nan, np.nan]])).tolist()
    [1.0, nan]
    """
    finite = np.where(np.isfinite(values), values, np.inf)
    best = finite.min(axis=0)
    out: FloatArray = np.where(np.isfinite(best), best, np.nan)
    return out


def steps_to(values: FloatArray, tol: float, target: float = 0.0, since: int = 0) -> IntArray:
    """First step, counted from ``since``, from which every loss in ``values`` (shape
    ``(n_steps + 1, runs)``) is within ``tol`` of ``target``; -1 where there is none.

    A NaN (a diverged step) is never within ``tol``.

    >>> steps_to(np.array([[4.0, 4.0], [0.5, 0.5], [2.0, 0.1], [0.1, 0.1]]), tol=1.0).tolist()
    [3, 1]
    """
    tol = float(check_number("tol", tol, low=0.0, low_open=True, allow_array=False))
    target = float(check_number("target", target, allow_array=False))
    with np.errstate(invalid="ignore"):
        hit = values[since:] - target <= tol  # NaN (diverged) is never within tol
    # stays[t]: within tol at t and at every later step.
    stays = np.logical_and.accumulate(hit[::-1], axis=0)[::-1]
    first = np.argmax(stays, axis=0)
    return np.where(stays.any(axis=0), first, -1).astype(np.int64)


def loss_floor(surface: Surface, n_steps: int) -> float:
    """The loss at the minimum that a run of ``n_steps`` steps is measured against:
    :math:`f^* = \\min_m f(m, s)` over the surface's known minima :math:`m`, at the
    surface's last change :math:`s \\le` ``n_steps`` (:func:`.surfaces.last_change`; 0 for a
    surface that does not change), 0.0 when no minimum is known.

    It is the target of "steps to tol" and the :math:`f^*` of every "f - f*".

    >>> from rmsprop_viz.core.surfaces import MiniBatchLeastSquares, Shifting
    >>> shifted = Shifting(MiniBatchLeastSquares(), at_step=10, scale=10.0)
    >>> round(loss_floor(shifted, 100) / loss_floor(shifted, 5), 12)   # from step 10 the loss is 10 f
    10.0
    """
    return min_value(surface, last_change(surface, int(n_steps)))


def gap_scale(start_losses: Iterable[float], floor: float) -> float:
    """The loss gap at the start, :math:`\\max_i f(\\theta_0^{(i)}) - f^*` over the finite
    ``start_losses``; 1.0 when that is not a finite positive number.

    The scale of every loss gap of the race: a final gap smaller than float64 resolves
    at this scale (:func:`.formatting.below_resolution`) is "at the minimum".

    >>> gap_scale([3.0, float("nan")], floor=1.0), gap_scale([1.0], floor=1.0), gap_scale([], floor=0.0)
    (2.0, 1.0, 1.0)
    """
    starts = [float(v) for v in start_losses if math.isfinite(float(v))]
    gap = max(starts, default=1.0) - float(floor)
    return gap if math.isfinite(gap) and gap > 0 else 1.0


def max_distance(a: Trajectory, b: Trajectory) -> float:
    r"""The largest distance between two runs' parameters at the same step,
    :math:`\max_{t, i} \lVert \theta^a_{t,i} - \theta^b_{t,i} \rVert_2`, over every step
    ``t`` and run ``i``: 0.0 when the paths are the same.

    A step where only one of the two diverged counts as infinitely far; a step where both
    did is left out. Use it to check an optimizer of your own against the package's: the
    same algorithm gives a distance near 1e-15, a different one a visible number.

    >>> import rmsprop_viz as rv
    >>> a = rv.run(rv.Quadratic(), rv.sgd(lr=0.1), start=(1.0, 0.0), n_steps=2)
    >>> b = rv.run(rv.Quadratic(), rv.sgd(lr=0.2), start=(1.0, 0.0), n_steps=2)
    >>> round(max_distance(a, b), 12)   # x: 0.81 against 0.64 after two steps
    0.17
    >>> max_distance(a, a)
    0.0
    """
    if not isinstance(a, Trajectory) or not isinstance(b, Trajectory):
        raise ValueError(f"max_distance needs two Trajectory records, got {type(a).__name__} and {type(b).__name__}")
    if a.params.shape != b.params.shape:
        raise ValueError(
            f"the trajectories must have the same steps and runs, got shapes {a.params.shape} and {b.params.shape}"
        )
    return farthest(distances(a.params, b.params))


def distances(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    r"""The distance between two paths at each step, :math:`\lVert \theta^a_t - \theta^b_t \rVert_2`,
    for parameters of the same shape ``(..., 2)`` (e.g. ``(n_steps + 1, 2)``): infinite
    where only one of the two has diverged (NaN), NaN where both have.

    >>> distances([[0.0, 0.0], [3.0, 4.0], [np.nan, np.nan], [1.0, 1.0]],
    ...           [[0.0, 0.0], [0.0, 0.0], [np.nan, np.nan], [np.nan, np.nan]]).tolist()
    [0.0, 5.0, nan, inf]
    """
    pa, pb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        out: FloatArray = np.linalg.norm(pa - pb, axis=-1)
    out[np.isfinite(pa).all(axis=-1) != np.isfinite(pb).all(axis=-1)] = np.inf
    return out


def farthest(gaps: npt.ArrayLike) -> float:
    """The largest of :func:`distances`' ``gaps``, leaving out steps where both paths
    diverged (NaN); 0.0 when none is left.

    >>> farthest([0.0, 5.0, float("nan")]), farthest([float("nan")]), farthest([1.0, float("inf")])
    (5.0, 0.0, inf)
    """
    kept = np.asarray(gaps, dtype=np.float64).ravel()
    kept = kept[~np.isnan(kept)]
    return float(kept.max()) if kept.size else 0.0
