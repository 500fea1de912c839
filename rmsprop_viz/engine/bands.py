r"""Seed bands: one optimizer run over several seeds of a stochastic surface.

A noisy surface (:class:`~rmsprop_viz.core.surfaces.Noisy`) or a mini-batch objective
(:class:`~rmsprop_viz.core.surfaces.MiniBatchLeastSquares`) gives a different path for every
seed, so one run says little. :func:`seed_band` runs the optimizer once per seed and
summarises the runs step by step: the mean path and its spread, and the loss above the
minimum as a median with a quantile band. :func:`seed_bands` does it for several
optimizers at once.

With :math:`S` seeds, :math:`\theta^{(s)}_t` the parameters of seed :math:`s` at step
:math:`t` and :math:`f^{*(s)}` the loss at its minimum (:func:`.trajectory.loss_floor`):

.. math::

    \bar\theta_t = \frac{1}{S_t} \sum_{s} \theta^{(s)}_t, \qquad
    \sigma_t = \sqrt{\frac{1}{S_t} \sum_{s} \left(\theta^{(s)}_t - \bar\theta_t\right)^2}
    \ \text{(per coordinate)}, \qquad
    \Delta^{(s)}_t = f(\theta^{(s)}_t) - f^{*(s)},

where the sums run over the :math:`S_t` seeds that have not diverged by step :math:`t`;
the loss band is the median and the ``quantiles`` of :math:`\Delta^{(s)}_t` over those
seeds.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core.checks import check_int, check_number
from rmsprop_viz.core.optimizers import Optimizer
from rmsprop_viz.core.surfaces import Surface
from rmsprop_viz.engine.run import MAX_STEPS, Trajectory, check_entries, check_optimizer, check_work, run
from rmsprop_viz.engine.trajectory import loss_floor

__all__ = ["MAX_SEEDS", "SeedBand", "seed_band", "seed_bands", "with_seed"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The most seeds one band runs.
MAX_SEEDS = 64


def with_seed(surface: Any, seed: int) -> Surface:
    """``surface`` with its random seed set to ``seed``.

    ``surface`` is a surface with a ``seed`` field (:class:`Noisy`,
    :class:`MiniBatchLeastSquares`), a surface wrapping one in its ``base`` (such as
    ``Shifting(Noisy(...))``: every seed along the chain is set), or a function
    ``seed -> surface``.

    >>> import rmsprop_viz as rv
    >>> with_seed(rv.surfaces.Noisy(rv.Quadratic(), sigma=0.5), 3).seed
    3
    >>> with_seed(rv.Quadratic(), 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: surface must have a seed (e.g. rv.surfaces.Noisy or MiniBatchLeastSquares) ...
    """
    seed = check_int("seed", seed, low=0)
    if callable(surface) and not dataclasses.is_dataclass(surface):
        made: Surface = surface(seed)
        return made
    changed: Surface | None = _reseeded(surface, seed)
    if changed is None:
        raise ValueError(
            "surface must have a seed (e.g. rv.surfaces.Noisy or MiniBatchLeastSquares) or be a function "
            f"seed -> surface, got {surface!r}"
        )
    return changed


def _reseeded(surface: Any, seed: int) -> Any:
    """``surface`` with every ``seed`` field along its ``base`` chain set, or None if it has none."""
    if not dataclasses.is_dataclass(surface) or isinstance(surface, type):
        return None
    names = {f.name: getattr(surface, f.name) for f in dataclasses.fields(surface)}
    changes: dict[str, Any] = {}
    if "base" in names:
        base = _reseeded(names["base"], seed)
        if base is not None:
            changes["base"] = base
    if "seed" in names:
        changes["seed"] = seed
    return dataclasses.replace(surface, **changes) if changes else None


def _check_seeds(seeds: Any) -> tuple[int, ...]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise ValueError(f"seeds must be distinct integers >= 0, at most {MAX_SEEDS} of them, got {seeds!r}")
    values = list(seeds)[: MAX_SEEDS + 1]
    if not 1 <= len(values) <= MAX_SEEDS:
        raise ValueError(f"seeds must hold 1 to {MAX_SEEDS} distinct integers >= 0, got {len(values)} or more")
    out = tuple(check_int("seeds", s, low=0) for s in values)
    if len(set(out)) != len(out):
        raise ValueError(f"seeds must be distinct integers >= 0, got {out!r}")
    return out


def _check_quantiles(quantiles: Any) -> tuple[float, float]:
    try:
        low, high = quantiles
    except (TypeError, ValueError):
        raise ValueError(f"quantiles must be two numbers 0 <= low < high <= 1, got {quantiles!r}") from None
    low = float(check_number("quantiles", low, low=0.0, high=1.0, allow_array=False))
    high = float(check_number("quantiles", high, low=0.0, high=1.0, allow_array=False))
    if not low < high:
        raise ValueError(f"quantiles must be two numbers 0 <= low < high <= 1, got {quantiles!r}")
    return low, high


def _over_seeds(func: Callable[..., Any], array: FloatArray, *args: Any) -> FloatArray:
    """``func(array, *args, axis=0)`` of a nan-aware numpy reduction over the seeds, NaN
    where every seed is NaN (a step that every run diverged before), without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "All-NaN slice", "Mean of empty slice"
        out: FloatArray = np.asarray(func(array, *args, axis=0), dtype=np.float64)
    return out


@dataclass(frozen=True)
class SeedBand:
    """One optimizer over several seeds, and its step-by-step summary.

    The statistics at step ``t`` use the seeds that have not diverged by then; they are
    NaN where every seed has.

    Attributes
    ----------
    label : str
        Name for legends.
    kind : str
        The optimizer's kind (:data:`rmsprop_viz.core.kinds.KINDS`), ``""`` for one of the
        user's own: figures style the band by it.
    seeds : tuple of int
        The seeds, in run order.
    quantiles : (float, float)
        The lower and upper quantile of the loss band.
    trajectories : tuple of Trajectory
        One single-run trajectory per seed.
    params : ndarray, shape (seeds, n_steps + 1, 2)
        Every seed's path (NaN after a divergence).
    gaps : ndarray, shape (seeds, n_steps + 1)
        :math:`f - f^*` along every seed's path, each against its own surface's minimum.
    floors : ndarray, shape (seeds,)
        :math:`f^*` of each seed's surface.
    diverged_at : ndarray of int, shape (seeds,)
        First diverged step of each seed, -1 if none.
    mean_path, path_std : ndarray, shape (n_steps + 1, 2)
        Mean and standard deviation (``ddof=0``) of the parameters over the seeds.
    loss_median, loss_low, loss_high : ndarray, shape (n_steps + 1,)
        Median and the two ``quantiles`` of ``gaps`` over the seeds.
    """

    label: str
    kind: str
    seeds: tuple[int, ...]
    quantiles: tuple[float, float]
    trajectories: tuple[Trajectory, ...]
    params: FloatArray
    gaps: FloatArray
    floors: FloatArray
    diverged_at: IntArray
    mean_path: FloatArray
    path_std: FloatArray
    loss_median: FloatArray
    loss_low: FloatArray
    loss_high: FloatArray

    @property
    def n_steps(self) -> int:
        """Steps of each run."""
        return int(self.params.shape[1] - 1)

    @property
    def n_diverged(self) -> int:
        """How many seeds diverged."""
        return int((self.diverged_at >= 0).sum())

    @property
    def final_gaps(self) -> FloatArray:
        """``(seeds,)`` :math:`f - f^*` after the last step (NaN for a diverged seed)."""
        final: FloatArray = self.gaps[:, -1]
        return final

    def tail_gaps(self, last: int = 1) -> FloatArray:
        """``(seeds,)`` mean of :math:`f - f^*` over the last ``last`` steps of each seed,
        :math:`\\frac{1}{k}\\sum_{t=T-k+1}^{T} \\Delta^{(s)}_t` with :math:`k` = ``last``
        (NaN for a seed that diverged): the level a noisy run hovers at.

        >>> import rmsprop_viz as rv
        >>> band = seed_band(rv.surfaces.Noisy(rv.Quadratic(), sigma=0.0), rv.sgd(0.1), seeds=[0, 1], n_steps=3)
        >>> band.tail_gaps(2).round(4).tolist()   # mean of 0.5 (1.8 * 0.9^t)^2 at t = 2, 3 (y is 0 from t = 1)
        [0.9619, 0.9619]
        """
        last = check_int("last", last, low=1, high=self.n_steps + 1)
        tail: FloatArray = self.gaps[:, -last:].mean(axis=1)
        return tail

    def final_spread(self, last: int = 1) -> tuple[float, float, float]:
        """``(low, median, high)`` of :meth:`tail_gaps` over the seeds that did not
        diverge: the band's ``quantiles`` and the median (NaN, NaN, NaN if all diverged)."""
        tail = self.tail_gaps(last)
        tail = tail[np.isfinite(tail)]
        if tail.size == 0:
            return (float("nan"),) * 3
        low, high = self.quantiles
        return float(np.quantile(tail, low)), float(np.median(tail)), float(np.quantile(tail, high))


def seed_band(
    surface: Any,
    optimizer: Optimizer,
    seeds: Iterable[int] = range(8),
    n_steps: int = 300,
    *,
    start: npt.ArrayLike | None = None,
    label: str = "",
    quantiles: tuple[float, float] = (0.1, 0.9),
) -> SeedBand:
    """Run ``optimizer`` on ``surface`` once per seed and summarise the runs per step.

    Parameters
    ----------
    surface : Surface or callable
        A seeded surface (``Noisy``, ``MiniBatchLeastSquares``, or one wrapping them such as
        ``Shifting``): its seed is replaced by each of ``seeds`` (:func:`with_seed`). Or a
        function ``seed -> surface``.
    optimizer : Optimizer
        E.g. ``rv.rmsprop(lr=0.05)``; scalar hyperparameters (one run per seed).
    seeds : iterable of int
        1 to :data:`MAX_SEEDS` distinct seeds >= 0.
    n_steps : int
        Steps of each run.
    start : array_like, shape (2,), optional
        The start of every run; each seed's surface's default start when omitted.
    label : str
        Name for legends (the kind's label, e.g. "RMSProp", when empty).
    quantiles : (float, float)
        Lower and upper quantile of the loss band, ``0 <= low < high <= 1``.

    Returns
    -------
    SeedBand

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> band = seed_band(rv.surfaces.get("noisy"), rv.rmsprop(lr=0.05), seeds=range(4), n_steps=100)
    >>> band.params.shape, band.mean_path.shape, band.loss_median.shape, band.n_diverged
    ((4, 101, 2), (101, 2), (101,), 0)
    """
    checked = _check_seeds(seeds)
    optimizer = check_optimizer(optimizer)
    n_steps = check_int("n_steps", n_steps, low=1, high=MAX_STEPS)
    low, high = _check_quantiles(quantiles)
    if not isinstance(label, str):
        raise ValueError(f"label must be a string, got {label!r}")
    if start is not None and np.shape(start) != (2,):
        raise ValueError(f"start must be one point (x, y) (the same for every seed), got shape {np.shape(start)}")
    check_work(1, n_steps, len(checked))
    surfaces = [with_seed(surface, s) for s in checked]
    runs = tuple(run(f, optimizer, start, n_steps, label=label) for f in surfaces)
    kind = runs[0].kind
    if not label:
        from rmsprop_viz.core.kinds import KINDS

        label = KINDS[kind].label if kind in KINDS else "optimizer"
    params = np.stack([t.params[:, 0] for t in runs])
    floors = np.array([loss_floor(f, n_steps) for f in surfaces], dtype=np.float64)
    with np.errstate(invalid="ignore"):
        gaps = np.stack([t.values[:, 0] for t in runs]) - floors[:, None]
    return SeedBand(
        label=label,
        kind=kind,
        seeds=checked,
        quantiles=(low, high),
        trajectories=runs,
        params=params,
        gaps=gaps,
        floors=floors,
        diverged_at=np.array([int(t.diverged_at[0]) for t in runs], dtype=np.int64),
        mean_path=_over_seeds(np.nanmean, params),
        path_std=_over_seeds(np.nanstd, params),
        loss_median=_over_seeds(np.nanmedian, gaps),
        loss_low=_over_seeds(np.nanquantile, gaps, low),
        loss_high=_over_seeds(np.nanquantile, gaps, high),
    )


def seed_bands(
    surface: Any,
    optimizers: Mapping[str, Optimizer],
    seeds: Iterable[int] = range(8),
    n_steps: int = 300,
    *,
    start: npt.ArrayLike | None = None,
    quantiles: tuple[float, float] = (0.1, 0.9),
) -> dict[str, SeedBand]:
    """:func:`seed_band` for each optimizer of ``optimizers`` (``{label: optimizer}``), on
    the same seeds: ``{label: SeedBand}``, in the order given.

    >>> import rmsprop_viz as rv
    >>> bands = seed_bands(rv.surfaces.get("noisy"), {"SGD": rv.sgd(0.05), "RMSProp": rv.rmsprop(0.05)},
    ...                    seeds=range(3), n_steps=50)
    >>> [(label, band.kind) for label, band in bands.items()]
    [('SGD', 'sgd'), ('RMSProp', 'rmsprop')]
    """
    check_entries(optimizers)
    checked = _check_seeds(seeds)
    n_steps = check_int("n_steps", n_steps, low=1, high=MAX_STEPS)
    check_work(len(checked), n_steps, len(optimizers))
    return {
        str(label): seed_band(surface, opt, checked, n_steps, start=start, label=str(label), quantiles=quantiles)
        for label, opt in optimizers.items()
    }
