"""The step loop: run optimizers on a surface and record everything they did.

:func:`run` computes a whole :class:`Trajectory` before anything is drawn: parameters,
loss, gradients, updates and the optimizer's internal state at every step. Plots and
animations then only read these arrays.

A run *diverges* by the rule of :mod:`rmsprop_viz.engine.divergence` (its point or loss
not finite, or its point far outside the surface's plot window). From that step on its
entries are NaN and ``diverged_at`` says where it happened; no numpy warning escapes.

The checks of what :func:`run`, :func:`race` and :func:`rmsprop_viz.engine.sweeps.sweep`
accept (:func:`check_surface`, :func:`check_start`, ...) live here, with the size limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core.checks import check_int
from rmsprop_viz.core.kinds import kind_of
from rmsprop_viz.core.optimizers import Optimizer, is_builtin, made_by
from rmsprop_viz.core.surfaces import Surface, XYSurface, is_builtin_surface, last_change, xy_formulas
from rmsprop_viz.engine import divergence
from rmsprop_viz.engine.accel.tracing import fused_loop
from rmsprop_viz.engine.trajectory import Trajectory  # its home; here too, as many modules import it from here

__all__ = [
    "MAX_RACE_ENTRIES",
    "MAX_RUNS",
    "MAX_RUN_STEPS",
    "MAX_STEPS",
    "Trajectory",
    "check_entries",
    "check_optimizer",
    "check_start",
    "check_surface",
    "check_work",
    "race",
    "run",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Size limits, checked before anything is allocated. A run records about twenty float64
#: numbers per run and step (parameters, loss, gradient, update, optimizer state), so
#: MAX_RUN_STEPS keeps a run or a race under about 3.5 GB; the longest single run
#: (MAX_STEPS, recorded through Python floats first) needs about 0.5 GB.
MAX_STEPS = 1_000_000  # n_steps of a run, a race or a sweep
MAX_RUNS = 1_000_000  # starting points in one run
MAX_RUN_STEPS = 20_000_000  # runs x n_steps of a run; summed over the optimizers of a race
MAX_RACE_ENTRIES = 100  # optimizers in one race


def check_start(start: Any, surface: Surface) -> FloatArray:
    """``start`` as a ``(runs, 2)`` array of finite points (the surface's default start
    when None), at most :data:`MAX_RUNS` of them; else a ValueError naming ``start``."""
    if start is None:
        start = surface.default_start
    try:
        points = np.array(start, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"start must be a point (x, y) or an array of shape (runs, 2), got {start!r}") from None
    if points.shape == (2,):
        points = points[None, :]
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] < 1:
        raise ValueError(f"start must be a point (x, y) or an array of shape (runs, 2), got shape {points.shape}")
    if points.shape[0] > MAX_RUNS:
        raise ValueError(f"start may hold at most {MAX_RUNS} points (runs), got {points.shape[0]}")
    if not np.isfinite(points).all():
        raise ValueError(f"start must be finite, got {start!r}")
    return points


def check_work(runs: int, n_steps: int, optimizers: int) -> None:
    """Refuse, before allocating, more run-steps than :data:`MAX_RUN_STEPS`."""
    work = runs * n_steps * optimizers
    if work > MAX_RUN_STEPS:
        what = f"{runs} runs x n_steps {n_steps}" + (f" x {optimizers} optimizers" if optimizers > 1 else "")
        raise ValueError(
            f"{what} = {work} run-steps is more than the {MAX_RUN_STEPS} allowed; use fewer start points or n_steps"
        )


def check_optimizer(optimizer: Any) -> Optimizer:
    """``optimizer`` as an :class:`.Optimizer`, or a ValueError when it is no (init, update) pair."""
    if not (isinstance(optimizer, tuple) and len(optimizer) == 2 and all(map(callable, optimizer))):
        raise ValueError(
            f"optimizer must be an Optimizer (init, update) pair such as rv.rmsprop(lr=0.01), got {optimizer!r}"
        )
    return Optimizer(*optimizer)


def check_entries(optimizers: Any) -> Mapping[Any, Optimizer]:
    """Check a race's ``{label: optimizer}``: a non-empty mapping of at most
    :data:`MAX_RACE_ENTRIES` optimizers."""
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise ValueError(f"optimizers must be a non-empty mapping of label -> optimizer, got {optimizers!r}")
    if len(optimizers) > MAX_RACE_ENTRIES:
        raise ValueError(f"optimizers may hold at most {MAX_RACE_ENTRIES} entries in one race, got {len(optimizers)}")
    for opt in optimizers.values():
        check_optimizer(opt)
    return optimizers


def check_surface(surface: Any) -> Surface:
    """``surface`` when it is a :class:`.Surface` instance, else a ValueError saying what is expected."""
    if isinstance(surface, type):
        raise ValueError(
            f"surface must be a Surface instance such as rv.{surface.__name__}(), got the class {surface.__name__}"
        )
    # The package's own surfaces pass at once; others by the protocol's (slower) structural check.
    if not isinstance(surface, XYSurface) and not isinstance(surface, Surface):
        raise ValueError(f"surface must be a Surface such as rv.Rosenbrock(), got {surface!r}")
    return cast(Surface, surface)


def _iterate(surface: Surface, optimizer: Optimizer, x: Any, y: Any, n_steps: int) -> list[Any]:
    """The step loop, per coordinate.

    ``x`` and ``y`` are Python floats for a single run (fastest: numpy's cost per call
    would dominate) or ``(runs, 1)`` arrays for a batch; the optimizer and the surface
    formulas accept either. Returns one tuple ``(gx, gy, ux, uy, state_x, state_y)`` per
    step. The parameters themselves are rebuilt afterwards by
    :func:`_positions`, which adds the updates in the same order.
    """
    grad_xy = xy_formulas(surface)[1]
    init, update = optimizer
    sx, sy = init(x), init(y)
    records: list[Any] = []
    record = records.append
    for t in range(n_steps):
        gx, gy = grad_xy(x, y, t)
        ux, sx = update(gx, sx)
        uy, sy = update(gy, sy)
        x = x + ux
        y = y + uy
        record((gx, gy, ux, uy, sx, sy))
    return records


def _pair(xs: Any, ys: Any, runs: int) -> FloatArray:
    """Per-step x and y records (floats, or ``(runs, 1)`` arrays) -> ``(n, runs, 2)``."""
    n = len(xs)
    out = np.empty((n, runs, 2))
    out[..., 0] = np.array(xs, dtype=np.float64).reshape(n, runs)
    out[..., 1] = np.array(ys, dtype=np.float64).reshape(n, runs)
    return out


def _positions(start: FloatArray, updates: FloatArray) -> FloatArray:
    """``params[t + 1] = params[t] + updates[t]``, summed in order exactly as the loop did."""
    stacked = np.concatenate([start[None], updates], axis=0)
    return np.add.accumulate(stacked, axis=0)


def _columns(
    surface: Surface, optimizer: Optimizer, x0: Any, y0: Any, n_steps: int, runs: int, template: Any
) -> tuple[FloatArray, FloatArray, list[Any]]:
    """Run the loop; return ``grads``, ``updates`` (each ``(n_steps, runs, 2)``) and the
    state's fields stacked per step (``(n_steps, runs, 2)``, or ``(n_steps,)`` for the
    step counter).

    A single run of one of the package's own optimizers (:func:`.optimizers.is_builtin`)
    goes through the fused loop of :mod:`.accel.tracing` (bit-for-bit the same arithmetic,
    about three times faster); anything else, such as a user's own optimizer, through
    :func:`_iterate`, which calls its functions with real numbers.
    """
    grad_xy = xy_formulas(surface)[1]
    fused = None
    if is_builtin(optimizer) and not isinstance(x0, np.ndarray):
        fused = fused_loop(optimizer.update, template, grad_xy, trace_surface=is_builtin_surface(surface))
    if fused is not None:
        k = len(fused.changed)
        table = np.fromiter(fused.run(x0, y0, n_steps), dtype=np.float64, count=n_steps * (4 + 2 * k))
        table = table.reshape(n_steps, 2 + k, 2)  # pairs: (gx, gy), (ux, uy), then each field's (x, y)...
        if k:  # ...once the x fields and the y fields, recorded one after the other, are paired up
            table[:, 2:] = table[:, 2:].reshape(n_steps, 2, k).transpose(0, 2, 1).copy()
        columns = dict(zip(fused.changed, range(2, 2 + k)))
        fields = []
        for i, first in enumerate(template):
            # A field the update never changes was not recorded: its first value throughout.
            field = table[:, columns[i], None, :] if i in columns else np.full((n_steps, 1, 2), float(first))
            fields.append(field[:, 0, 0].astype(np.int64) if isinstance(first, (int, np.integer)) else field)
        return table[:, 0, None, :], table[:, 1, None, :], fields
    gx, gy, ux, uy, states_x, states_y = zip(*_iterate(surface, optimizer, x0, y0, n_steps))
    shape = np.shape(ux[-1])
    if shape != (() if runs == 1 else (runs, 1)):
        raise ValueError(
            f"hyperparameter arrays must broadcast to (runs, 1) = ({runs}, 1); the updates came out with shape {shape}"
        )
    fields = []
    for first, field_x, field_y in zip(template, zip(*states_x), zip(*states_y)):
        if isinstance(first, (int, np.integer)):
            fields.append(np.asarray(field_x).astype(np.int64))  # the step counter t
        else:
            fields.append(_pair(field_x, field_y, runs))
    return _pair(gx, gy, runs), _pair(ux, uy, runs), fields


def run(
    surface: Surface,
    optimizer: Optimizer,
    start: npt.ArrayLike | None = None,
    n_steps: int = 200,
    label: str = "",
) -> Trajectory:
    """Run ``optimizer`` on ``surface`` from ``start`` for ``n_steps`` steps.

    Parameters
    ----------
    surface : Surface
        The loss surface, e.g. ``Rosenbrock()``.
    optimizer : Optimizer
        An (init, update) pair such as ``rmsprop(lr=0.01)``. Its hyperparameters may be
        arrays broadcastable to ``(runs, 1)``.
    start : array_like, shape (2,) or (runs, 2), optional
        Starting point(s); the surface's ``default_start`` when omitted.
    n_steps : int
        Number of steps, >= 1.
    label : str
        Name for legends.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> traj = rv.run(rv.Quadratic(condition=10), rv.sgd(lr=0.1), start=(1.0, 1.0), n_steps=3)
    >>> traj.params[:, 0].round(4).tolist()
    [[1.0, 1.0], [0.9, 0.0], [0.81, 0.0], [0.729, 0.0]]
    >>> int(rv.run(rv.Rosenbrock(), rv.sgd(lr=0.1), n_steps=50).diverged_at[0])
    2
    """
    surface = check_surface(surface)
    optimizer = check_optimizer(optimizer)
    n_steps = check_int("n_steps", n_steps, low=1, high=MAX_STEPS)
    points = check_start(start, surface)
    if not isinstance(label, str):
        raise ValueError(f"label must be a string, got {label!r}")
    runs = points.shape[0]
    check_work(runs, n_steps, 1)

    with np.errstate(all="ignore"):
        if runs == 1:
            x0: Any = float(points[0, 0])
            y0: Any = float(points[0, 1])
        else:
            x0, y0 = points[:, :1].copy(), points[:, 1:].copy()
            _probe_batch(optimizer, runs)
        template = optimizer.init(x0)
        grads, updates, fields = _columns(surface, optimizer, x0, y0, n_steps, runs, template)
        states = type(template)(*fields)
        params = _positions(points, updates)
        values = _values(surface, params)
        diverged_at = divergence.first_diverged(divergence.box_of(surface), params, values)
        divergence.blank(diverged_at, [params, values, grads, updates, *states])
    made = made_by(optimizer)
    kind = kind_of(made.factory, made.params) if made is not None else ""
    changed_at = last_change(surface, n_steps)
    return Trajectory(label, params, values, grads, updates, states, diverged_at, changed_at, kind)


def _values(surface: Surface, params: FloatArray) -> FloatArray:
    """``(n_steps + 1, runs)`` loss at every recorded point, at its own step."""
    steps = np.arange(params.shape[0])[:, None]
    if isinstance(surface, XYSurface):
        values = xy_formulas(surface)[0](params[..., 0], params[..., 1], steps)
    else:
        values = surface.value(params, steps)
    out: FloatArray = np.broadcast_to(np.asarray(values, dtype=np.float64), params.shape[:2]).copy()
    return out


def _probe_batch(optimizer: Optimizer, runs: int) -> None:
    """One update on zeros, to report hyperparameter arrays that do not fit the batch."""
    zeros = np.zeros((runs, 1))
    problem = None
    try:
        step, _ = optimizer.update(zeros + 1.0, optimizer.init(zeros))
        if np.shape(step) != (runs, 1):
            problem = f"the updates came out with shape {np.shape(step)}"
    except ValueError as error:  # numpy's "operands could not be broadcast together ..."
        problem = str(error).strip()
    if problem is not None:
        raise ValueError(f"hyperparameter arrays must broadcast to (runs, 1) = ({runs}, 1); {problem}")


def race(
    surface: Surface,
    optimizers: Mapping[str, Optimizer],
    start: npt.ArrayLike | None = None,
    n_steps: int = 200,
) -> dict[str, Trajectory]:
    """Run several optimizers from the same start; returns ``{label: Trajectory}``.

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> result = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1), "RMSProp": rv.rmsprop(0.1)}, n_steps=10)
    >>> list(result), result["SGD"].params.shape
    (['SGD', 'RMSProp'], (11, 1, 2))
    """
    check_entries(optimizers)
    surface = check_surface(surface)
    n_steps = check_int("n_steps", n_steps, low=1, high=MAX_STEPS)
    check_work(check_start(start, surface).shape[0], n_steps, len(optimizers))
    return {str(label): run(surface, opt, start, n_steps, label=str(label)) for label, opt in optimizers.items()}
