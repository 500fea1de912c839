r"""How much the setting matters: a map of one optimizer over its learning rate and its decay.

:func:`sensitivity_map` runs one optimizer over a grid of learning rates
:math:`\alpha` (across) and decays (up) in one batched :func:`.sweeps.sweep_map`, and
judges every cell the way the explorer's "best alpha" is judged
(:func:`.sweeps.best_lr`): by the final loss gap

.. math::

    f(\theta_T) - f^*, \qquad T = \text{n\_steps},\ f^* = \text{.trajectory.loss\_floor},

clipped below at what float64 resolves at the start's gap (:data:`.formatting.RESOLUTION`
times :func:`.trajectory.gap_scale`). A run that diverged (:mod:`.divergence`) has no
value: it is marked diverged, never good. The best cell is :func:`.best.best_cell`'s: the
cell whose worst neighbour (the 3 x 3 block around it) is best, all of the block
converging, so a lucky cell among bad ones is never chosen.

Which decay a kind is mapped over (:func:`decay_of`):

========  ============  ==========================================================
kind      decay         why
========  ============  ==========================================================
rmsprop   ``beta``      the UI's "beta" (:data:`.kinds.KINDS`): the decay of the
                        average of squared gradients
adam      ``beta2``     the same quantity in Adam (its average of g²), so the two
                        maps compare like with like; ``beta1`` is its momentum
momentum  ``momentum``  the decay of the velocity, the only one it has
nesterov  ``momentum``  as momentum
sgd       none          no decay: a map of one row, over the learning rate only
adagrad   none          no decay (it sums every g²): one row
========  ============  ==========================================================

Decays are spaced evenly in :math:`\log(1-\beta)`, the log of the memory
:math:`1/(1-\beta)` steps: 0, 0.5, 0.9, 0.99 and 0.999 are equally far apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core import kinds, optimizers
from rmsprop_viz.core.checks import check_int, check_number
from rmsprop_viz.core.surfaces import Surface
from rmsprop_viz.engine.best import BestCell, best_cell, cell_text
from rmsprop_viz.engine.formatting import RESOLUTION, SMALLEST_THRESHOLD, format_number
from rmsprop_viz.engine.sweeps import BEST_LRS, repeated_backend, sweep_map

__all__ = [
    "DECAYS",
    "DEFAULT_SIZE",
    "MAX_SENSITIVITY_SIZE",
    "MAX_SENSITIVITY_STEPS",
    "METRIC",
    "METRIC_UNITS",
    "SensitivityMap",
    "decay_of",
    "default_decays",
    "default_lrs",
    "memory_of",
    "sensitivity_map",
]

FloatArray = npt.NDArray[np.float64]

#: The decay each kind is mapped over (None: a one-row map over the learning rate).
DECAYS: dict[str, str | None] = {"momentum": "momentum", "nesterov": "momentum", "adam": "beta2"}

#: Default grid: learning rates x decays (24 x 12 = 288 runs).
DEFAULT_SIZE = (24, 12)
#: Largest grid: learning rates x decays.
MAX_SENSITIVITY_SIZE = (64, 64)
#: Largest ``n_steps``: a scene's limit (:data:`rmsprop_viz.scenes.limits.MAX_SCENE_STEPS`;
#: a map is drawn beside a scene's race).
MAX_SENSITIVITY_STEPS = 100_000
#: What a cell's value is, and in which units.
METRIC = "final loss gap"
METRIC_UNITS = "f − f* after the last step"


def decay_of(kind: str) -> str | None:
    """The parameter of ``kind`` a map sweeps up its side; None for a kind with no decay.

    >>> [decay_of(k) for k in ("sgd", "momentum", "adagrad", "rmsprop", "adam")]
    [None, 'momentum', None, 'beta', 'beta2']
    """
    return kinds.get(kind).beta or DECAYS.get(kind)


def memory_of(decay: npt.ArrayLike) -> FloatArray:
    r"""Where a decay sits on a map's side: :math:`-\log_{10}(1-\beta)`, the number of
    decades of the memory :math:`1/(1-\beta)` steps (0.9 -> 1, 0.99 -> 2).

    >>> memory_of([0.0, 0.9, 0.99]).round(12).tolist()
    [0.0, 1.0, 2.0]
    """
    out: FloatArray = 0.0 - np.log10(1.0 - np.asarray(decay, dtype=np.float64))  # 0.0 - 0.0 is +0.0
    return out


def default_lrs(n: int = DEFAULT_SIZE[0]) -> FloatArray:
    """``n`` learning rates over :data:`.sweeps.BEST_LRS`' range (1e-5 to 1), evenly spaced
    on a log scale, 3 significant digits.

    >>> default_lrs(6).tolist()
    [1e-05, 0.0001, 0.001, 0.01, 0.1, 1.0]
    """
    n = check_int("size[0] (learning rates)", n, low=2, high=MAX_SENSITIVITY_SIZE[0])
    return np.array([float(f"{v:.3g}") for v in np.geomspace(BEST_LRS[0], BEST_LRS[-1], n)])


def default_decays(n: int = DEFAULT_SIZE[1]) -> FloatArray:
    """``n`` decays from 0 to 0.999, evenly spaced in :math:`\\log(1-\\beta)`
    (:func:`memory_of` from 0 to 3); 1 - beta rounded to 3 significant digits.

    >>> default_decays(4).tolist()
    [0.0, 0.9, 0.99, 0.999]
    """
    n = check_int("size[1] (decays)", n, low=2, high=MAX_SENSITIVITY_SIZE[1])
    return np.array([float(f"{1.0 - float(f'{v:.3g}'):.6g}") for v in 10.0 ** -np.linspace(0.0, 3.0, n)])


def _axis(name: str, values: Any, low: float, high: float, high_open: bool, most: int) -> FloatArray:
    array = np.atleast_1d(
        np.asarray(check_number(name, values, low=low, high=high, low_open=low > 0, high_open=high_open))
    )
    if array.ndim != 1 or array.size > most or (array.size > 1 and not (np.diff(array) > 0).all()):
        raise ValueError(
            f"{name} must be a 1-D list of at most {most} numbers, strictly increasing, got {_shown(array)}"
        )
    return array.astype(np.float64)


def _shown(array: FloatArray) -> str:
    """An array in an error's one line: its numbers when few, else its shape and ends.

    >>> _shown(np.array([0.1, 0.01])), _shown(np.geomspace(1e-3, 1, 65))
    ('[0.1, 0.01]', '65 values from 0.001 to 1')
    """
    if array.ndim == 1 and array.size <= 6:
        return "[" + ", ".join(format_number(float(v), 6) for v in array) + "]"
    flat = array.reshape(-1)
    return f"{flat.size} values from {format_number(float(flat[0]))} to {format_number(float(flat[-1]))}"


@dataclass(frozen=True)
class SensitivityMap:
    """One optimizer's map over learning rate x decay: what :func:`sensitivity_map` found.

    Rows are decays, columns learning rates: ``values[i, j]`` is the run with
    ``decays[i]`` and ``lrs[j]``. A kind with no decay has one row and ``decays`` empty.
    """

    kind: str  # a key of core.kinds.KINDS
    decay: str | None  # the parameter swept up the side ("beta", "beta2", "momentum"), or None
    lrs: FloatArray  # (nx,) learning rates, increasing
    decays: FloatArray  # (ny,) decays, increasing; (0,) when decay is None
    values: FloatArray  # (ny, nx) final loss gap, clipped at floor; NaN where the run diverged
    diverged_at: npt.NDArray[np.int64]  # (ny, nx) step the run diverged at, -1 if it did not
    best: BestCell  # best_cell's choice; index (i, j) into values, or None
    params: Mapping[str, Any]  # the optimizer's other settings, the same in every cell
    n_steps: int  # steps per run
    floor: float  # the smallest gap told apart from 0 at this start (gaps below show as this)
    target: float  # f*, the loss at the minimum
    surface: Surface  # the loss surface
    metric: str = METRIC
    units: str = METRIC_UNITS

    @property
    def diverged(self) -> npt.NDArray[np.bool_]:
        """``(ny, nx)`` True where the run diverged."""
        out: npt.NDArray[np.bool_] = self.diverged_at >= 0
        return out

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``: rows (decays; 1 without a decay) x columns (learning rates)."""
        return (int(self.values.shape[0]), int(self.values.shape[1]))

    @property
    def label(self) -> str:
        """The optimizer's label (``"RMSProp"``)."""
        return kinds.get(self.kind).label

    def cell_of(self, lr: float, decay: float | None = None) -> tuple[int, int]:
        """The cell ``(i, j)`` nearest to a setting: ``lr`` on a log scale, ``decay`` in
        :func:`memory_of`'s units; ``decay`` is ignored without a decay axis (row 0)."""
        lr = float(check_number("lr", lr, low=0.0, low_open=True, allow_array=False))
        j = int(np.argmin(np.abs(np.log(self.lrs) - math.log(lr))))
        if self.decay is None:
            return (0, j)
        if decay is None:
            raise ValueError(f"decay ({self.decay}) must be a number in [0, 1) for a map over {self.decay}")
        decay = float(check_number(self.decay, decay, low=0.0, high=1.0, high_open=True, allow_array=False))
        i = int(np.argmin(np.abs(memory_of(self.decays) - memory_of(decay))))
        return (i, j)

    def setting(self, i: int, j: int) -> tuple[float, float | None]:
        """The setting ``(lr, decay)`` of cell ``(i, j)``; decay None without a decay axis."""
        ny, nx = self.shape
        i = check_int("i (row)", i, low=0, high=ny - 1)
        j = check_int("j (column)", j, low=0, high=nx - 1)
        return float(self.lrs[j]), (None if self.decay is None else float(self.decays[i]))

    def setting_text(self, i: int, j: int) -> str:
        """Cell ``(i, j)``'s setting as the command line writes it (:func:`.best.cell_text`)."""
        self.setting(i, j)
        if self.decay is None:
            return cell_text({"lr": self.lrs}, (j,))
        return cell_text({"lr": self.lrs, self.decay: self.decays}, (j, i))

    def summary(self) -> str:
        """One sentence to check against the map: how many settings diverged (grey), how
        many ended at the minimum, and which setting is starred and why.

        A gap at or below :attr:`floor` is "at the minimum": float64 tells no smaller gap
        from 0 at this start's scale.
        """
        dead = int(self.diverged.sum())
        with np.errstate(invalid="ignore"):
            at_min = int(np.sum(self.values <= self.floor))
        what = f"{self.label} on {type(self.surface).__name__}, {self.n_steps} steps:"
        what += f" {dead} of {self.values.size} settings diverged"
        what += f" (grey), {at_min} ended at the minimum (f − f* ≤ {format_number(self.floor)})"
        if self.best.index is None:
            return what + "; no setting has all its neighbours converging, so none is starred."
        i, j = self.best.index
        gap = "at the minimum" if self.best.value <= self.floor else f"f − f* = {format_number(self.best.value)}"
        return what + f"; the star, {self.setting_text(i, j)} ({gap}), is the setting whose worst neighbour is best."


def sensitivity_map(
    surface: Surface,
    kind: str,
    params: Mapping[str, Any] | None = None,
    *,
    start: npt.ArrayLike | None = None,
    n_steps: int = 500,
    lrs: npt.ArrayLike | None = None,
    decays: npt.ArrayLike | None = None,
    size: tuple[int, int] = DEFAULT_SIZE,
    backend: str | None = None,
) -> SensitivityMap:
    """Run ``kind`` over learning rate x decay at once and judge each cell by its final loss gap.

    Parameters
    ----------
    surface : Surface
        The loss surface.
    kind : str
        A kind of :data:`rmsprop_viz.core.kinds.KINDS`; its decay is :func:`decay_of`.
    params : mapping, optional
        The optimizer's other settings (``{"eps": 1e-8}``), the same in every cell; an
        ``lr`` or a value of the decay given here is left out (the map sweeps them).
    start : array_like, shape (2,), optional
        Starting point; the surface's ``default_start`` when omitted.
    n_steps : int
        Steps per run, in [1, :data:`MAX_SENSITIVITY_STEPS`].
    lrs, decays : 1-D array_like, optional
        The grid's values, strictly increasing: learning rates > 0, decays in [0, 1).
        By default :func:`default_lrs` and :func:`default_decays` of ``size``; ``decays``
        is refused for a kind with no decay.
    size : (int, int)
        Learning rates x decays of the default grid, each in [2, 64].
    backend : {"auto", "numpy", "numba"}, optional
        The sweep's step loop; by default :func:`.sweeps.repeated_backend` (numba when
        installed: the map is redrawn on every move of a slider).

    Returns
    -------
    SensitivityMap

    Examples
    --------
    SGD on ``Quadratic(condition=10)`` diverges above lr = 2/10:

    >>> import rmsprop_viz as rv
    >>> found = sensitivity_map(rv.Quadratic(), "sgd", lrs=[0.05, 0.1, 0.15, 0.25], start=(1, 1), n_steps=40)
    >>> found.shape, found.diverged.tolist(), found.best.index
    ((1, 4), [[False, False, False, True]], (0, 1))
    """
    kind_row = kinds.get(kind)
    decay = decay_of(kind)
    if params is not None and not isinstance(params, Mapping):
        raise ValueError(f"params must be a mapping of hyperparameter name -> value, got {params!r:.80}")
    n_steps = check_int("n_steps", n_steps, low=1, high=MAX_SENSITIVITY_STEPS)
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError(f"size must be (learning rates, decays), each in [2, 64], got {size!r:.80}")
    (most_x, most_y) = MAX_SENSITIVITY_SIZE
    xs = default_lrs(size[0]) if lrs is None else _axis("lrs", lrs, 0.0, math.inf, False, most_x)
    if decay is None:
        if decays is not None:
            raise ValueError(f"decays must be None for {kind}: it has no decay (its map is one row over lr)")
        ys = np.empty((0,))
    else:
        ys = default_decays(size[1]) if decays is None else _axis("decays", decays, 0.0, 1.0, True, most_y)
    fixed = {**kind_row.fixed, **(params or {})}
    for key in ("lr", decay):
        fixed.pop(key, None)  # type: ignore[arg-type]
    grid = {"lr": xs} if decay is None else {decay: ys, "lr": xs}
    found = sweep_map(
        surface,
        optimizers.get(kind_row.factory),
        grid,
        start,
        n_steps,
        "final",
        fixed=fixed,
        backend=repeated_backend() if backend is None else backend,
    )
    dead = np.asarray(found.diverged_at, dtype=np.int64).reshape(max(1, ys.size), xs.size)
    floor = max(RESOLUTION * found.scale, SMALLEST_THRESHOLD)
    with np.errstate(invalid="ignore"):
        gap = np.asarray(found.values, dtype=np.float64).reshape(dead.shape) - found.target
        values = np.where((dead < 0) & np.isfinite(gap), np.maximum(gap, floor), np.nan)
    if decay is None:
        one = best_cell(values[0], diverged=dead[0])  # the rule in words for one axis
        best = one if one.index is None else BestCell((0, one.index[0]), one.value, one.rule)
    else:
        best = best_cell(values, diverged=dead)
    return SensitivityMap(kind, decay, xs, ys, values, dead, best, fixed, n_steps, floor, found.target, surface)


def __dir__() -> list[str]:
    return sorted(__all__)
