r"""How much a learning rate matters: robustness curves, and the comparison modes.

:func:`robustness` sweeps each optimizer's learning rate over a log grid (one
:func:`.sweeps.best_lr` call per kind, which is one :func:`.sweeps.sweep`) and says, per
kind, which learning rates converge, how many, how wide the converging range is in
decades, and which one is best. :func:`compare_modes` races the optimizers under each way
of choosing their learning rates (:data:`COMPARISON_MODES`, the explorer's "Compare"
menu) and names the winner of each, so one can see how much a comparison's verdict
depends on how it was set up.

The convergence rule
--------------------
A run with learning rate :math:`\alpha` *converges* when it did not diverge
(:mod:`.divergence`), its final loss gap :math:`f(\theta_T) - f^*` is finite, and

.. math::

    f(\theta_T) - f^* \le \max\bigl(\text{tol},\ (f(\theta_0) - f^*) / \text{reduction}\bigr),

that is, it got within ``tol`` of the minimum or cut its gap at the start by the factor
``reduction``. :math:`f^*` is :func:`.trajectory.loss_floor`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core import kinds as kinds_table
from rmsprop_viz.core.checks import check_int, check_number
from rmsprop_viz.core.kinds import DEFAULT_RACE, KINDS
from rmsprop_viz.core.surfaces import Surface
from rmsprop_viz.engine.formatting import format_gap, format_number
from rmsprop_viz.engine.run import MAX_STEPS, check_start, check_surface, race
from rmsprop_viz.engine.sweeps import BEST_LRS, best_lr
from rmsprop_viz.engine.trajectory import Trajectory, gap_scale, loss_floor

__all__ = [
    "COMPARISON_MODES",
    "MAX_ROBUSTNESS_LRS",
    "ROBUSTNESS_LRS",
    "ModeResult",
    "Robustness",
    "compare_modes",
    "converged_mask",
    "longest_run",
    "modes_table",
    "robustness",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: The ways of choosing each optimizer's learning rate in a comparison, and how the
#: explorer's "Compare" menu names them: its own alpha per optimizer, one alpha for
#: all, or each one's best alpha (:func:`.sweeps.best_lr`).
COMPARISON_MODES = {"each": "alpha per optimizer", "shared": "one alpha for all", "best": "each one's best alpha"}

#: The learning rates :func:`robustness` tries by default: 26 values from 1e-4 to 10,
#: five per decade, evenly spaced on a log scale.
ROBUSTNESS_LRS: tuple[float, ...] = tuple(float(f"{v:.3g}") for v in np.geomspace(1e-4, 10.0, 26))

#: The most learning rates one robustness curve may have (a 1-D sweep).
MAX_ROBUSTNESS_LRS = 100

#: The most kinds one call may compare (there are six kinds).
_MAX_KINDS = len(KINDS)


class Robustness(NamedTuple):
    """One optimizer's robustness curve: what :func:`robustness` found for one kind."""

    kind: str  # the kind of optimizer (a key of core.kinds.KINDS)
    lrs: FloatArray  # (n,) the learning rates tried, increasing
    gaps: FloatArray  # (n,) final loss gap f(theta_T) - f*, NaN where the run diverged
    diverged: BoolArray  # (n,) True where the run diverged
    converged: BoolArray  # (n,) True where the run converged (converged_mask)
    n_converged: int  # how many learning rates converged
    width: float  # decades spanned by the longest run of consecutive converging lrs
    low: float | None  # smallest learning rate of that run (None when none converges)
    high: float | None  # largest learning rate of that run
    best_lr: float | None  # .sweeps.best_lr's choice among lrs, when that run converged (else None)
    start_gap: float  # the gap at the start, f(theta_0) - f* (.trajectory.gap_scale)
    threshold: float  # a final gap at most this converged: max(tol, start_gap / reduction)
    n_steps: int  # steps per run


def converged_mask(gaps: npt.ArrayLike, start_gap: float, *, tol: float = 1e-6, reduction: float = 1e3) -> BoolArray:
    r"""Which final gaps count as converged: finite (not diverged) and
    :math:`\le \max(\text{tol}, \text{start\_gap}/\text{reduction})`.

    >>> converged_mask([1e-7, 0.5, 2e-3, float("nan")], start_gap=1.0, tol=1e-6, reduction=1e3).tolist()
    [True, False, False, False]
    >>> converged_mask([1e-4], start_gap=1.0, tol=1e-6, reduction=1e3).tolist()   # cut by 1e4
    [True]
    """
    tol = float(check_number("tol", tol, low=0.0, low_open=True, allow_array=False))
    reduction = float(check_number("reduction", reduction, low=1.0, allow_array=False))
    start_gap = float(check_number("start_gap", start_gap, low=0.0, low_open=True, allow_array=False))
    values = np.asarray(gaps, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        out: BoolArray = np.isfinite(values) & (values <= max(tol, start_gap / reduction))
    return out


def longest_run(mask: npt.ArrayLike) -> tuple[int, int] | None:
    """First and last index of the longest run of consecutive True values (the first such
    run on ties), or None when there is no True.

    >>> longest_run([False, True, True, False, True, True, True]), longest_run([False])
    ((4, 6), None)
    """
    flags = np.asarray(mask, dtype=bool).reshape(-1)
    best: tuple[int, int] | None = None
    start = -1
    for i, flag in enumerate([*flags.tolist(), False]):
        if flag and start < 0:
            start = i
        elif not flag and start >= 0:
            if best is None or i - 1 - start > best[1] - best[0]:
                best = (start, i - 1)
            start = -1
    return best


def _check_kinds(names: Any) -> tuple[str, ...]:
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise ValueError(f"kinds must be a list of kinds of optimizer ({', '.join(KINDS)}), got {names!r}")
    out = tuple(names)
    if not out or len(out) > _MAX_KINDS or len(set(out)) != len(out):
        raise ValueError(f"kinds must list 1 to {_MAX_KINDS} different kinds ({', '.join(KINDS)}), got {names!r}")
    for name in out:
        kinds_table.get(name)
    return out


def _check_params(params: Any, names: Sequence[str]) -> dict[str, dict[str, Any]]:
    if params is None:
        return {}
    if not isinstance(params, Mapping) or not all(isinstance(v, Mapping) for v in params.values()):
        raise ValueError(
            f"params must map a kind to its hyperparameters, such as {{'rmsprop': {{'beta': 0.99}}}}, got {params!r}"
        )
    for name in params:
        if name not in names:
            raise ValueError(f"params names {name!r}, which is not one of the kinds compared ({', '.join(names)})")
    return {str(k): dict(v) for k, v in params.items()}


def _start_gap(surface: Surface, start: npt.ArrayLike | None, n_steps: int) -> tuple[float, float]:
    """f* and the gap at the start of a single start point."""
    point = check_start(start, surface)
    if point.shape[0] != 1:
        raise ValueError(f"start must be a single point (x, y), got shape {point.shape}")
    floor = loss_floor(surface, n_steps)
    with np.errstate(all="ignore"):
        first = float(np.asarray(surface.value(point[0], 0)).reshape(-1)[0])
    return floor, gap_scale([first], floor)


def robustness(
    surface: Surface,
    kinds: Iterable[str] = DEFAULT_RACE,
    lrs: npt.ArrayLike = ROBUSTNESS_LRS,
    start: npt.ArrayLike | None = None,
    n_steps: int = 200,
    *,
    tol: float = 1e-6,
    reduction: float = 1e3,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    backend: str = "auto",
) -> dict[str, Robustness]:
    r"""Robustness curves: for each kind, the final loss gap at every learning rate of
    ``lrs``, which of them converge, and how wide the converging range is.

    Each kind is swept once by :func:`.sweeps.best_lr` (so its ``best_lr`` is that
    function's choice, the one rule for "best", kept only when that run converged:
    where nothing converges there is no best, only a least bad). A learning rate converges by
    :func:`converged_mask`. The *width* is measured on the longest run of consecutive
    converging learning rates :math:`\alpha_i, \dots, \alpha_j` of the grid:
    :math:`\log_{10}(\alpha_j / \alpha_i)` decades (0 for a run of one).

    Parameters
    ----------
    surface : Surface
        The loss surface.
    kinds : iterable of str
        Kinds of optimizer (:data:`rmsprop_viz.core.kinds.KINDS`), by default the
        default race (SGD, Adagrad, RMSProp, Adam).
    lrs : 1-D array_like
        Learning rates, positive and strictly increasing, at most
        :data:`MAX_ROBUSTNESS_LRS`; by default :data:`ROBUSTNESS_LRS` (1e-4 to 10).
    start : array_like, shape (2,), optional
        Starting point; the surface's ``default_start`` when omitted.
    n_steps : int
        Steps per run, 1 to 1,000,000 (and runs x steps within the sweep's limit).
    tol : float
        A final gap at most ``tol`` converges, > 0.
    reduction : float
        A final gap at most the start gap / ``reduction`` converges too, >= 1.
    params : mapping, optional
        Other hyperparameters per kind, e.g. ``{"rmsprop": {"beta": 0.99}}``.
    backend : {"auto", "numpy", "numba"}
        The sweep's step loop (:func:`.sweeps.sweep`).

    Returns
    -------
    dict of str to Robustness
        One :class:`Robustness` per kind, in the order of ``kinds``.

    Examples
    --------
    SGD on ``Quadratic(condition=10)`` diverges above lr = 2/10; in 100 steps from
    (-1.8, 1.2), lr = 0.01 leaves a gap of :math:`\tfrac12 1.8^2 \cdot 0.99^{200} = 0.22`
    (the start gap is 8.82, so it needs <= 0.00882), lr = 0.03 leaves 0.0037:

    >>> import rmsprop_viz as rv
    >>> curve = robustness(rv.Quadratic(), ["sgd"], lrs=[0.01, 0.03, 0.1, 0.19, 0.3], n_steps=100)["sgd"]
    >>> curve.converged.tolist(), curve.diverged.tolist(), curve.n_converged, round(curve.width, 3)
    ([False, True, True, True, False], [False, False, False, False, True], 3, 0.802)
    """
    surface = check_surface(surface)
    names = _check_kinds(kinds)
    grid = np.atleast_1d(np.asarray(check_number("lrs", lrs, low=0.0, low_open=True), dtype=np.float64))
    if grid.ndim != 1 or grid.size > MAX_ROBUSTNESS_LRS or not (np.diff(grid) > 0).all():
        raise ValueError(
            f"lrs must be a 1-D list of at most {MAX_ROBUSTNESS_LRS} learning rates, strictly increasing, got {lrs!r}"
        )
    n_steps = check_int("n_steps", n_steps, low=1, high=MAX_STEPS)
    tol = float(check_number("tol", tol, low=0.0, low_open=True, allow_array=False))
    reduction = float(check_number("reduction", reduction, low=1.0, allow_array=False))
    extra = _check_params(params, names)
    floor, start_gap = _start_gap(surface, start, n_steps)

    out: dict[str, Robustness] = {}
    for name in names:
        found = best_lr(surface, name, grid, start, n_steps, params=extra.get(name, {}), backend=backend)
        gaps = np.asarray(found.losses, dtype=np.float64) - floor
        diverged = ~np.isfinite(gaps)  # a diverged run's final loss is NaN
        converged = converged_mask(gaps, start_gap, tol=tol, reduction=reduction)
        span = longest_run(converged)
        low = None if span is None else float(grid[span[0]])
        high = None if span is None else float(grid[span[1]])
        width = 0.0 if low is None or high is None else math.log10(high / low)
        # "Best" is only said of a learning rate whose run converged: best_lr's choice
        # is the lowest loss among runs whose neighbours did not diverge, which on a
        # surface where nothing converges is merely the least bad.
        best = None if found.cell.index is None or not converged[found.cell.index[0]] else found.lr
        out[name] = Robustness(
            name,
            grid,
            gaps,
            diverged,
            converged,
            int(converged.sum()),
            width,
            low,
            high,
            best,
            start_gap,
            max(tol, start_gap / reduction),
            n_steps,
        )
    return out


# ------------------------------------------------------------------ comparison modes


class ModeResult(NamedTuple):
    """One comparison mode's race: the learning rates used, what each optimizer reached
    and the winner (:func:`compare_modes`)."""

    mode: str  # a key of COMPARISON_MODES
    lrs: dict[str, float]  # kind -> the learning rate it ran with in this mode
    gaps: dict[str, float]  # kind -> final loss gap f(theta_T) - f* (NaN if it diverged)
    steps: dict[str, int]  # kind -> steps until the gap stayed <= tol (-1: never)
    winner: str | None  # the kind that won (None when every run diverged)
    runs: dict[str, Trajectory]  # kind -> its run in this mode (for loss curves)
    scale: float  # the gap at the start, f(theta_0) - f* (.trajectory.gap_scale)
    floor: float  # the loss at the minimum, f* (.trajectory.loss_floor)


def _winner(gaps: Mapping[str, float], steps: Mapping[str, int]) -> str | None:
    """Fewest steps to tolerance among the runs that reached it; if none did, the lowest
    finite final gap; None when every run diverged. Ties go to the first kind."""
    reached = [k for k in steps if steps[k] >= 0]
    if reached:
        return min(reached, key=lambda k: steps[k])
    finite = [k for k in gaps if math.isfinite(gaps[k])]
    return min(finite, key=lambda k: gaps[k]) if finite else None


def compare_modes(
    surface: Surface,
    lrs: Mapping[str, float],
    shared_lr: float,
    start: npt.ArrayLike | None = None,
    n_steps: int = 200,
    *,
    tol: float = 1e-6,
    best_lrs: npt.ArrayLike = BEST_LRS,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    backend: str = "auto",
) -> dict[str, ModeResult]:
    """Race the optimizers under each of :data:`COMPARISON_MODES` and name each winner.

    ``"each"`` runs every kind with its own learning rate from ``lrs``, ``"shared"`` runs
    them all with ``shared_lr``, and ``"best"`` with each one's best learning rate among
    ``best_lrs`` (:func:`.sweeps.best_lr`, at the same start, steps and parameters; a
    kind for which no learning rate qualifies keeps its own, as in the explorer).

    The winner is the kind that needs the fewest steps until its loss gap
    :math:`f(\\theta_t) - f^*` stays at most ``tol`` (:meth:`.Trajectory.steps_to`); when
    none gets there, the one with the lowest final gap; ties go to the first kind.

    Parameters
    ----------
    surface : Surface
        The loss surface.
    lrs : mapping of str to float
        Kind -> its own learning rate ("each"); its keys are the kinds raced, in order.
    shared_lr : float
        The one learning rate of "shared", > 0.
    start, n_steps
        As :func:`robustness`.
    tol : float
        The tolerance of "steps to tol", > 0.
    best_lrs : 1-D array_like
        The learning rates "best" chooses from (default :data:`.sweeps.BEST_LRS`, the
        explorer's).
    params : mapping, optional
        Other hyperparameters per kind, e.g. ``{"rmsprop": {"beta": 0.99}}``.
    backend : {"auto", "numpy", "numba"}
        The step loop of the best-lr sweeps.

    Returns
    -------
    dict of str to ModeResult
        One :class:`ModeResult` per mode, in the order of :data:`COMPARISON_MODES`.

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> found = compare_modes(rv.Quadratic(condition=50), {"sgd": 0.03, "rmsprop": 0.01}, 0.03, n_steps=300)
    >>> found["each"].winner, found["shared"].winner, found["shared"].steps["rmsprop"]
    ('sgd', 'sgd', -1)
    """
    surface = check_surface(surface)
    if not isinstance(lrs, Mapping):
        raise ValueError(f"lrs must map each kind to its learning rate, such as {{'sgd': 0.1}}, got {lrs!r}")
    names = _check_kinds(list(lrs))
    own = {k: float(check_number(f"lrs[{k!r}]", lrs[k], low=0.0, low_open=True, allow_array=False)) for k in names}
    shared = float(check_number("shared_lr", shared_lr, low=0.0, low_open=True, allow_array=False))
    n_steps = check_int("n_steps", n_steps, low=1, high=MAX_STEPS)
    tol = float(check_number("tol", tol, low=0.0, low_open=True, allow_array=False))
    extra = _check_params(params, names)
    floor, scale = _start_gap(surface, start, n_steps)

    best: dict[str, float] = {}
    for name in names:
        found = best_lr(surface, name, best_lrs, start, n_steps, params=extra.get(name, {}), backend=backend)
        best[name] = own[name] if found.lr is None else found.lr
    chosen = {"each": own, "shared": dict.fromkeys(names, shared), "best": best}

    out: dict[str, ModeResult] = {}
    for mode in COMPARISON_MODES:
        rates = chosen[mode]
        racers = {k: KINDS[k].build(**{**extra.get(k, {}), "lr": rates[k]}) for k in names}
        runs = race(surface, racers, start, n_steps)
        gaps = {k: float(runs[k].final_value[0]) - floor for k in names}
        steps = {k: int(runs[k].steps_to(tol, target=floor)[0]) for k in names}
        out[mode] = ModeResult(mode, dict(rates), gaps, steps, _winner(gaps, steps), runs, scale, floor)
    return out


def modes_table(found: Mapping[str, ModeResult]) -> str:
    """What :func:`compare_modes` found, as a Markdown table: a row per mode with each
    kind's learning rate, final gap and steps to tolerance ("never" for -1), and the
    winner.

    >>> import rmsprop_viz as rv
    >>> found = compare_modes(rv.Quadratic(), {"sgd": 0.1}, 0.25, n_steps=50)
    >>> print(modes_table(found).splitlines()[3])
    | one alpha for all | SGD α 0.25: diverged | none |
    """
    if not isinstance(found, Mapping) or not found:
        raise ValueError(f"found must be what compare_modes returned, got {found!r:.80}")
    rows = ["| mode | each optimizer: learning rate, final f − f*, steps to tol | winner |", "|---|---|---|"]
    for result in found.values():
        cells = []
        for kind, lr in result.lrs.items():
            gap = result.gaps[kind]
            reached = f"{result.steps[kind]} steps" if result.steps[kind] >= 0 else "never"
            shown = "diverged" if not math.isfinite(gap) else f"{format_gap(gap, result.scale)}, {reached}"
            cells.append(f"{KINDS[kind].label} α {format_number(lr)}: {shown}")
        winner = "none" if result.winner is None else f"**{KINDS[result.winner].label}**"
        rows.append(f"| {COMPARISON_MODES[result.mode]} | {'; '.join(cells)} | {winner} |")
    return "\n".join(rows)


def __dir__() -> list[str]:
    return sorted(__all__)
