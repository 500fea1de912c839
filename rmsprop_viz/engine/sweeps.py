"""Sweeps: one batched run over a grid of hyperparameters, reduced to a metric.

``sweep(surface, rv.rmsprop, grid={"lr": [...], "beta": [...]})`` builds every
combination of the grid's values, runs them all at once (each hyperparameter an array,
one value per run) and returns the metric with one axis per grid key, in the grid's
order. :func:`sweep_map` does it once for a map: the metric, where the runs diverged,
the best cell (:func:`.best.best_cell`: the best setting whose neighbours on the grid are
good too) and the loss at the minimum; :func:`best_lr` picks a learning rate the same way.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core import kinds, optimizers
from rmsprop_viz.core.checks import check_int, check_number
from rmsprop_viz.core.kinds import OptimizerSpec
from rmsprop_viz.core.optimizers import Optimizer, is_builtin
from rmsprop_viz.core.surfaces import Surface, is_builtin_surface, last_change, xy_formulas
from rmsprop_viz.engine import divergence
from rmsprop_viz.engine.accel import compiled
from rmsprop_viz.engine.best import MAX_GRID_CELLS, BestCell, best_cell
from rmsprop_viz.engine.run import MAX_STEPS, check_start, check_surface
from rmsprop_viz.engine.trajectory import best_loss, gap_scale, loss_floor, steps_to

__all__ = [
    "BACKENDS",
    "BEST_LRS",
    "MAX_GRID_CELLS",
    "MAX_SWEEP_RUN_STEPS",
    "METRICS",
    "NUMBA_MIN_WORK",
    "BestLR",
    "SweepMap",
    "best_lr",
    "repeated_backend",
    "sweep",
    "sweep_map",
]

FloatArray = npt.NDArray[np.float64]

#: Names accepted by ``sweep(metric=...)`` and what they return per grid cell.
METRICS = {
    "final": "loss after the last step (NaN where the run diverged)",
    "best": "lowest loss reached before any divergence",
    "steps": "steps until the loss got within tol of the target and stayed (-1 if never)",
    "diverged": "step at which the run diverged (-1 if it did not)",
}

#: Values of ``sweep(backend=...)``.
BACKENDS = ("auto", "numpy", "numba")

#: ``backend="auto"`` takes numba from this many runs x steps, where a new process repays
#: importing numba and loading its loop (0.3 s; 0.6 s to compile it the first time): on 2
#: cores a 200 x 200 x 2500 sweep took 1.0 s plain and 0.53 s with numba, 200 x 200 x 500
#: 0.20 s and 0.40 s. Callers that sweep again and again ask :func:`repeated_backend`.
NUMBA_MIN_WORK = 50_000_000


def repeated_backend() -> str:
    """The backend for sweeps made again and again in one process (the explorer's best
    alpha, on every move of a slider): numba when it is installed, whatever the size,
    since only the first sweep pays for importing it; else the plain loop."""
    return "numba" if compiled.available() else "numpy"


#: Size limits of a sweep, checked before anything is allocated: grid cells
#: (:data:`.best.MAX_GRID_CELLS`, the product of the grid's lengths, one run each), and
#: cells x n_steps, which bounds both the time (a few seconds) and the loss history kept
#: for the "best" and "steps" metrics (at most 1e8 float64 numbers, 0.8 GB). n_steps is
#: limited by :data:`.run.MAX_STEPS`.
MAX_SWEEP_RUN_STEPS = 100_000_000


def _parameters(factory: Callable[..., Optimizer]) -> tuple[list[str], bool]:
    """The keyword parameters ``factory`` accepts, and whether it takes ``**kwargs``."""
    try:
        accepted = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # no signature to read: let the call decide
        return [], True
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    names = [
        name
        for name, p in accepted.items()
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]
    return names, takes_any


def _check_keys(what: str, keys: Iterable[Any], factory: Callable[..., Optimizer]) -> None:
    """Refuse a key that is not a keyword parameter of ``factory``, naming those it takes."""
    names, takes_any = _parameters(factory)
    for key in keys:
        if not takes_any and key not in names:
            name = getattr(factory, "__name__", repr(factory))
            raise ValueError(f"{what} {key!r} is not a parameter of {name}; it takes {', '.join(names)}")


def _check_grid(factory: Callable[..., Optimizer], grid: Any) -> dict[str, FloatArray]:
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"grid must be a non-empty mapping of parameter name -> values, got {grid!r}")
    _check_keys("grid key", grid, factory)
    sizes = [int(np.size(v)) if isinstance(v, (list, tuple, np.ndarray)) else 1 for v in grid.values()]
    if math.prod(sizes) > MAX_GRID_CELLS:
        lengths = " x ".join(map(str, sizes))
        raise ValueError(f"grid may have at most {MAX_GRID_CELLS} cells (the product of its lengths), got {lengths}")
    out: dict[str, FloatArray] = {}
    for key, values in grid.items():
        try:
            array = np.atleast_1d(np.asarray(values, dtype=np.float64))
        except (TypeError, ValueError):
            array = np.empty((0,))
        if array.ndim != 1 or array.size == 0:
            raise ValueError(f"grid[{key!r}] must be a non-empty 1-D list of numbers, got {values!r}")
        out[key] = array
    return out


def _check_fixed(factory: Callable[..., Optimizer], fixed: Any, grid: Mapping[str, Any]) -> dict[str, Any]:
    if fixed is None:
        return {}
    if not isinstance(fixed, Mapping):
        raise ValueError(f"fixed must be a mapping of parameter name -> value, such as {{'eps': 1e-6}}, got {fixed!r}")
    _check_keys("fixed key", fixed, factory)
    for key in fixed:
        if key in grid:
            raise ValueError(f"{key!r} is both in grid and in fixed; give it in one of them")
    return dict(fixed)


def sweep(
    surface: Surface,
    factory: Callable[..., Optimizer],
    grid: Mapping[str, npt.ArrayLike],
    start: npt.ArrayLike | None = None,
    n_steps: int = 200,
    metric: str | Callable[[FloatArray, npt.NDArray[np.int64]], npt.ArrayLike] = "final",
    *,
    tol: float = 1e-6,
    target: float | None = None,
    fixed: Mapping[str, Any] | None = None,
    backend: str = "auto",
) -> npt.NDArray[Any]:
    """Run ``factory`` over every combination of ``grid`` and reduce each run to a number.

    Parameters
    ----------
    surface : Surface
        The loss surface.
    factory : callable
        An optimizer factory such as ``rv.rmsprop``.
    grid : mapping of str to 1-D array_like
        Parameter name -> values, e.g. ``{"lr": np.geomspace(1e-4, 1, 50), "beta": [0.5, 0.9, 0.99]}``.
    start : array_like, shape (2,), optional
        Common starting point; the surface's ``default_start`` when omitted.
    n_steps : int
        Steps per run, >= 1.
    metric : str or callable
        One of :data:`METRICS` (``"final"``, ``"best"``, ``"steps"``, ``"diverged"``), or
        ``f(values, diverged_at)`` with ``values`` of shape ``(n_steps + 1, runs)``.
    tol : float
        Tolerance for ``metric="steps"``: the first step from which the loss stays
        within ``tol`` of ``target`` (as :meth:`.Trajectory.steps_to`), counted from the
        surface's last change (:func:`.surfaces.last_change`) when its loss changes
        over time.
    target : float, optional
        Loss to reach for ``metric="steps"``: by default the lowest loss at the
        surface's known minima (:func:`.surfaces.min_value`), after its last change.
    fixed : mapping, optional
        Other keyword arguments for ``factory`` (e.g. ``{"eps": 1e-6}``).
    backend : {"auto", "numpy", "numba"}
        How the step loop runs. ``"numpy"``: the plain loop, calling the optimizer's and
        the surface's functions on arrays over all runs each step. ``"numba"``: the
        same loop compiled with numba (``pip install "rmsprop-viz[fast]"``), four times
        faster on large sweeps and forty times on small ones; importing numba takes
        about half a second per process, and compiling a kind of loop about a second
        the first time on a machine (it is cached on disk). Only the package's own
        optimizers and surfaces are compiled; anything else runs the plain loop.
        ``"auto"`` (default) takes numba when it is installed and the sweep has at least
        :data:`NUMBA_MIN_WORK` run-steps. Results are identical to the bit.

    Returns
    -------
    ndarray
        Shape ``tuple(len(v) for v in grid.values())``; float for losses, int for steps.

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> out = rv.sweep(rv.Quadratic(), rv.sgd, grid={"lr": [0.1, 0.15, 0.25]}, n_steps=100,
    ...                metric="diverged")
    >>> out.tolist()   # SGD diverges above lr = 2 / condition = 0.2
    [-1, -1, 13]
    """
    return _sweep(surface, factory, grid, start, n_steps, metric, tol, target, fixed, backend)[0]


def _sweep(
    surface: Surface,
    factory: Callable[..., Optimizer],
    grid: Mapping[str, npt.ArrayLike],
    start: npt.ArrayLike | None,
    n_steps: int,
    metric: str | Callable[[FloatArray, npt.NDArray[np.int64]], npt.ArrayLike],
    tol: float,
    target: float | None,
    fixed: Mapping[str, Any] | None,
    backend: str,
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64], float]:
    """:func:`sweep`'s one pass: the metric, ``diverged_at`` (both of the grid's shape)
    and the loss at the start."""
    surface = check_surface(surface)
    axes = _check_grid(factory, grid)
    extra = _check_fixed(factory, fixed, axes)
    n_steps = check_int("n_steps", n_steps, low=1, high=MAX_STEPS)
    shape = tuple(len(v) for v in axes.values())
    cells = math.prod(shape)
    if cells * n_steps > MAX_SWEEP_RUN_STEPS:
        raise ValueError(
            f"grid cells x n_steps = {cells} x {n_steps} is more than the {MAX_SWEEP_RUN_STEPS} run-steps allowed;"
            " use a coarser grid or fewer n_steps"
        )
    point = check_start(start, surface)
    if point.shape[0] != 1:
        raise ValueError(f"start must be a single point (x, y) for a sweep, got shape {point.shape}")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "numba" and not compiled.available():
        raise ImportError('backend="numba" needs numba: pip install "rmsprop-viz[fast]"')
    if isinstance(metric, str) and metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)} or a callable, got {metric!r}")
    tol = float(check_number("tol", tol, low=0.0, low_open=True, allow_array=False))
    if target is not None:
        target = float(check_number("target", target, allow_array=False))

    mesh = np.meshgrid(*axes.values(), indexing="ij")
    # One run per grid cell. The loop below keeps the parameters as a (2, runs) array,
    # so each hyperparameter is a (runs,) array broadcasting along the last axis.
    hyper = {key: m.reshape(-1) for key, m in zip(axes, mesh)}
    optimizer = factory(**extra, **hyper)
    keep_values = callable(metric) or metric in ("best", "steps")
    runs = int(mesh[0].size)
    if backend == "auto":
        backend = "numba" if runs * n_steps >= NUMBA_MIN_WORK and compiled.available() else "numpy"
    values, diverged_at = _simulate(surface, optimizer, point[0], runs, n_steps, keep_values, backend)

    start_loss = float(values[0, 0])
    flags = diverged_at.reshape(shape)
    if callable(metric):
        return np.asarray(metric(values, diverged_at)).reshape(shape), flags, start_loss
    if metric == "diverged":
        result: npt.NDArray[Any] = diverged_at
    elif metric == "final":
        result = values[-1]
    elif metric == "best":
        result = best_loss(values)  # the same reductions as Trajectory.best_value / steps_to
    else:
        since = last_change(surface, n_steps)
        result = steps_to(values, tol, loss_floor(surface, n_steps) if target is None else target, since)
    return np.asarray(result).reshape(shape), flags, start_loss


def _simulate(
    surface: Surface,
    optimizer: Optimizer,
    start: FloatArray,
    runs: int,
    n_steps: int,
    keep_values: bool,
    backend: str = "numpy",
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Loss per step and ``diverged_at``, keeping nothing else.

    The parameters live in one ``(2, runs)`` array ``p`` (row 0 is x, row 1 is y), so each
    numpy call covers both coordinates of every run. ``values`` has shape
    ``(n_steps + 1, runs)`` when ``keep_values``, else ``(2, runs)`` (first and last).
    Divergence follows :mod:`rmsprop_viz.engine.divergence`, as in a single run. Without
    ``keep_values`` the loss of the package's own surfaces is not taken at every step:
    their formulas are finite wherever a run may go (inside the escape box), so only the
    point is tested; a surface of the user's own has its loss checked every step.

    The step loop is :func:`_step_by_step`, or with ``backend="numba"`` the same loop
    compiled from the traced update rule (:mod:`.accel.compiled`) when the optimizer and
    the surface are the package's own and can be traced; a user's own optimizer or
    surface is always called each step, with real numbers.
    """
    value_xy, grad_xy = xy_formulas(surface)
    box = divergence.box_of(surface)
    p = np.empty((2, runs))
    p[0], p[1] = start
    diverged_at = np.full(runs, -1, dtype=np.int64)
    values = np.empty((n_steps + 1 if keep_values else 2, runs))
    own = is_builtin_surface(surface)
    checked = value_xy if keep_values or not own else None

    with np.errstate(all="ignore"):
        values[0] = value_xy(p[0], p[1], 0)
        state = optimizer.init(p)
        loop = None
        if backend == "numba" and is_builtin(optimizer) and own:
            loop = compiled.compiled_loop(optimizer.update, state, grad_xy, checked, trace_surface=True)
        if loop is None:
            loop = partial(_step_by_step, optimizer, state, grad_xy, checked)
        loop(p, n_steps, values, diverged_at, box)
        if not keep_values:
            values[1] = value_xy(p[0], p[1], n_steps)
        rows = np.arange(n_steps + 1) if keep_values else np.array([0, n_steps])
        divergence.first_bad_loss(diverged_at, values, rows)
        divergence.blank(diverged_at, [values], rows)
    return values, diverged_at


def _step_by_step(
    optimizer: Optimizer,
    state: Any,
    grad_xy: Callable[..., Any],
    value_xy: Callable[..., Any] | None,
    p: FloatArray,
    n_steps: int,
    values: FloatArray,
    diverged_at: npt.NDArray[np.int64],
    box: divergence.Box,
) -> None:
    """The plain batched loop, the reference: the optimizer's and the surface's functions
    called each step on ``(2, runs)`` arrays; a run that diverges is parked
    (:func:`.divergence.park`).

    With ``value_xy`` the loss after every step is taken: recorded in ``values`` when it
    has a row per step, else only checked (:func:`.divergence.first_bad_loss`).
    """
    g = np.empty_like(p)
    every_step = values.shape[0] == n_steps + 1
    for t in range(n_steps):
        g[0], g[1] = grad_xy(p[0], p[1], t)
        u, state = optimizer.update(g, state)
        p += u
        if not divergence.all_inside(box, p[0], p[1]):
            divergence.park(box, p, diverged_at, t + 1)
        if value_xy is not None:
            loss = value_xy(p[0], p[1], t + 1)
            if every_step:
                values[t + 1] = loss
            elif not np.isfinite(np.sum(loss)):
                divergence.first_bad_loss(diverged_at, np.reshape(loss, (1, -1)), [t + 1])


# ------------------------------------------------------------------ a sweep as a map


class SweepMap(NamedTuple):
    """The result of :func:`sweep_map`: what a map of a sweep shows and says."""

    grid: dict[str, FloatArray]  # parameter name -> its values, as swept
    metric: str  # one of METRICS
    values: npt.NDArray[Any]  # the metric, one axis per grid key
    diverged_at: npt.NDArray[np.int64]  # same shape: the step each run diverged at, -1 if not
    best: BestCell | None  # best_cell's choice; None for the "diverged" metric
    target: float  # the loss at the minimum, f* (.trajectory.loss_floor)
    scale: float  # the loss gap at the start (.trajectory.gap_scale)
    n_steps: int  # steps per run


def sweep_map(
    surface: Surface,
    factory: Callable[..., Optimizer],
    grid: Mapping[str, npt.ArrayLike],
    start: npt.ArrayLike | None = None,
    n_steps: int = 200,
    metric: str = "final",
    *,
    tol: float = 1e-6,
    fixed: Mapping[str, Any] | None = None,
    backend: str = "auto",
) -> SweepMap:
    """A sweep ready to be drawn and reported: one pass over ``grid`` (as :func:`sweep`)
    that keeps both ``metric`` and each run's divergence step, the best cell by
    :func:`.best.best_cell` (a diverged run never counts, even where its best loss or
    its steps to tol are finite), the loss at the minimum :math:`f^*` and the gap at the
    start :math:`f(\\theta_0) - f^*`.

    Parameters are those of :func:`sweep`; ``metric`` is one of :data:`METRICS` and
    ``target`` is always :math:`f^*`.

    Returns
    -------
    SweepMap
        ``(grid, metric, values, diverged_at, best, target, scale, n_steps)``.

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> found = sweep_map(rv.Quadratic(), rv.sgd, {"lr": [0.05, 0.1, 0.15, 0.25]}, (1, 1), 40, "best")
    >>> found.diverged_at.tolist(), found.best.index   # 0.25 > 2/L = 0.2 diverges; 0.15 is next to it
    ([-1, -1, -1, 14], (1,))
    """
    if not isinstance(metric, str) or metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    values, diverged_at, start_loss = _sweep(surface, factory, grid, start, n_steps, metric, tol, None, fixed, backend)
    axes = {key: np.atleast_1d(np.asarray(v, dtype=np.float64)) for key, v in grid.items()}
    best = None if metric == "diverged" else best_cell(values, diverged=diverged_at)
    floor = loss_floor(surface, n_steps)
    return SweepMap(axes, metric, values, diverged_at, best, floor, gap_scale([start_loss], floor), int(n_steps))


# ------------------------------------------------------------------ the best learning rate

#: The learning rates :func:`best_lr` tries by default (the explorer's "best alpha"): 26
#: values from 1e-5 to 1, evenly spaced on a log scale, rounded to 3 significant digits.
BEST_LRS: tuple[float, ...] = tuple(float(f"{v:.3g}") for v in np.geomspace(1e-5, 1.0, 26))


class BestLR(NamedTuple):
    """The result of :func:`best_lr`: the choice and the evidence behind it."""

    lr: float | None  # the chosen learning rate; None when none qualifies
    cell: BestCell  # best_cell's answer on losses: the index into lrs, the loss there, the rule
    lrs: FloatArray  # the learning rates tried, increasing
    losses: FloatArray  # the loss after n_steps for each of them (NaN where the run diverged)
    n_steps: int  # the steps each run took


def best_lr(
    surface: Surface,
    optimizer: str | OptimizerSpec,
    lrs: npt.ArrayLike = BEST_LRS,
    start: npt.ArrayLike | None = None,
    n_steps: int = 200,
    *,
    params: Mapping[str, Any] | None = None,
    backend: str | None = None,
) -> BestLR:
    """The learning rate among ``lrs`` whose loss after ``n_steps`` is best, by
    :func:`best_cell`'s minimax rule (its neighbours must converge too).

    Parameters
    ----------
    surface : Surface
        The loss surface.
    optimizer : str or OptimizerSpec
        A kind of :data:`rmsprop_viz.core.kinds.KINDS` (``"rmsprop"``, ``"momentum"``,
        ...) with ``params``, or an :class:`.OptimizerSpec`, whose parameters are kept;
        either way the learning rate ``lr`` is the one swept.
    lrs : 1-D array_like
        Learning rates to try, positive and strictly increasing (neighbours in this
        order are what :func:`best_cell` compares); the default is :data:`BEST_LRS`.
    start : array_like, shape (2,), optional
        Starting point; the surface's ``default_start`` when omitted.
    n_steps : int
        Steps per run.
    params : mapping, optional
        The kind's other hyperparameters (e.g. ``{"beta": 0.99}``), with a kind name only.
    backend : {"auto", "numpy", "numba"}, optional
        The sweep's step loop; by default :func:`repeated_backend` (best alpha is
        recomputed on every move of a slider: after the first sweep, which imports
        numba, each takes a few milliseconds instead of tens).

    Returns
    -------
    BestLR
        ``(lr, cell, lrs, losses, n_steps)``.

    Examples
    --------
    SGD on ``Quadratic(condition=10)`` diverges above lr = 2 / 10; 0.19 converges, but
    next to 0.3, which diverges, it does not qualify:

    >>> import rmsprop_viz as rv
    >>> found = best_lr(rv.Quadratic(), "sgd", lrs=[0.01, 0.05, 0.1, 0.15, 0.19, 0.3], start=(1, 1), n_steps=50)
    >>> found.lr, found.cell.index, bool(np.isnan(found.losses[-1]))
    (0.15, (3,), True)
    """
    if isinstance(optimizer, OptimizerSpec):
        if params is not None:
            raise ValueError("params go with a kind name; an OptimizerSpec carries its own")
        factory, fixed = optimizer.factory, dict(optimizer.params)
    else:
        kind = kinds.get(optimizer)
        if params is not None and not isinstance(params, Mapping):
            raise ValueError(f"params must be a mapping of hyperparameter name -> value, got {params!r}")
        factory, fixed = kind.factory, {**kind.fixed, **(params or {})}
    fixed.pop("lr", None)
    grid = np.atleast_1d(np.asarray(check_number("lrs", lrs, low=0.0, low_open=True), dtype=np.float64))
    if grid.ndim != 1 or grid.size > MAX_GRID_CELLS or not (np.diff(grid) > 0).all():
        raise ValueError(
            f"lrs must be a 1-D list of at most {MAX_GRID_CELLS} learning rates, strictly increasing, got {lrs!r}"
        )
    if backend is None:
        backend = repeated_backend()
    losses = sweep(
        surface, optimizers.get(factory), {"lr": grid}, start, n_steps, "final", fixed=fixed, backend=backend
    )
    cell = best_cell(losses)
    lr = None if cell.index is None else float(grid[cell.index[0]])
    return BestLR(lr, cell, grid, losses, int(n_steps))
