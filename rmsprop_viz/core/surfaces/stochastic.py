r"""Surfaces that change with the step: noisy gradients, mini-batches, a moving objective.

:class:`Noisy` and :class:`MiniBatchLeastSquares` draw their randomness from a generator
keyed by ``(seed, step)``, so every optimizer in a race (and every run in a batch) sees
exactly the same noise; :class:`Shifting` changes its objective at a given step. Each
needs the step as a single integer when its gradient is asked for.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from rmsprop_viz.core.checks import check_int, check_number, check_point
from rmsprop_viz.core.surfaces.base import XY, Bounds, FloatArray, Point, Surface, XYSurface, xy_formulas
from rmsprop_viz.core.surfaces.planar import SCALE_RANGE, Quadratic

__all__ = [
    "FEATURE_SCALE_RANGE",
    "MAX_AT_STEP",
    "MAX_NOISE",
    "MAX_SAMPLES",
    "MAX_SHIFT",
    "MAX_SIGMA",
    "MiniBatchLeastSquares",
    "Noisy",
    "Shifting",
]

#: Limits of the parameters (beyond them, the data would not fit in memory or a picture
#: of the surface stops making sense).
MAX_SIGMA = 1e6
MAX_SHIFT = 1e3  # |shift| per coordinate
MAX_AT_STEP = 1_000_000
MAX_SAMPLES = 1_000_000  # MiniBatchLeastSquares.n_samples (and so batch_size)
FEATURE_SCALE_RANGE = (1e-3, 1e3)
MAX_NOISE = 1e3

_BLOCK = 1024  # steps of random numbers drawn at once


@functools.lru_cache(maxsize=256)
def _normal_block(seed: int, block: int, width: int) -> tuple[tuple[float, ...], ...]:
    """Standard normals for steps ``block*_BLOCK ...``, one row of ``width`` per step."""
    rng = np.random.default_rng([seed, block])
    return tuple(map(tuple, rng.standard_normal((_BLOCK, width)).tolist()))


def _normals(seed: int, step: int, width: int) -> tuple[float, ...]:
    """``width`` standard normals keyed by ``(seed, step)``: the same for every caller.

    They are drawn a block of steps at a time, so asking for step 5 and then step 3 costs
    one draw, and the answer never depends on what was asked before.

    >>> _normals(0, 7, 2) == _normals(0, 7, 2), _normals(0, 7, 2) == _normals(1, 7, 2)
    (True, False)
    """
    return _normal_block(seed, step // _BLOCK, width)[step % _BLOCK]


def _surface_from(name: str, base: Any) -> Surface:
    """``base`` as a surface: a surface as it is, a name through the registry."""
    if isinstance(base, str):
        from rmsprop_viz.core.surfaces import get  # the registry lists this module's classes

        return get(base)
    if not isinstance(base, Surface):
        raise ValueError(f"{name} must be a surface (or a surface name), got {base!r}")
    return base


def _tex_of(surface: Any) -> str:
    return str(getattr(surface, "tex", "") or "")


@dataclass(frozen=True)
class Noisy(XYSurface):
    r"""A surface whose gradient carries additive Gaussian noise.

    .. math::

        f_t(x, y) = f(x, y)

        \tilde g_t(x, y) = \nabla f(x, y) + \sigma\, \xi_t, \qquad
        \xi_t \sim \mathcal N(0, I_2)\ \text{keyed by (seed, t)}

    where :math:`f` is the loss of ``base``: the value is noise-free, only the gradient
    is noisy. The noise depends only on the seed and
    the step, never on who asks, so every optimizer in a race (and every run in a batch)
    sees the same noise sequence.

    Examples
    --------
    >>> f = Noisy(Quadratic(), sigma=0.5, seed=1)
    >>> bool(np.array_equal(f.grad([1.0, 1.0], step=3), f.grad([1.0, 1.0], step=3)))
    True
    >>> float(f.value([1.0, 1.0])) == float(Quadratic().value([1.0, 1.0]))
    True
    """

    base: Any = field(default_factory=lambda: Quadratic())
    sigma: float = 1.0
    seed: int = 0
    name: ClassVar[str] = "noisy"

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", _surface_from("base", self.base))
        object.__setattr__(self, "sigma", check_number("sigma", self.sigma, low=0.0, high=MAX_SIGMA, allow_array=False))
        object.__setattr__(self, "seed", check_int("seed", self.seed, low=0))

    @property
    def formula(self) -> str:  # type: ignore[override]
        return f"{getattr(self.base, 'formula', self.base.name)}, gradient + N(0, {self.sigma:g}^2)"

    @property
    def tex(self) -> str:  # type: ignore[override]
        base = _tex_of(self.base)
        return f"{base}, gradient + $\\mathcal{{N}}(0, {self.sigma:g}^2)$" if base else ""

    @property
    def bounds(self) -> Bounds:
        bounds: Bounds = self.base.bounds
        return bounds

    @property
    def minima(self) -> tuple[Point, ...]:
        minima: tuple[Point, ...] = self.base.minima
        return minima

    @property
    def default_start(self) -> Point:
        start: Point = self.base.default_start
        return start

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        return xy_formulas(self.base)[0](x, y, step)

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        gx, gy = xy_formulas(self.base)[1](x, y, step)
        if not isinstance(step, (int, np.integer)):
            raise ValueError(f"a noisy gradient needs a single integer step, got {step!r}")
        nx, ny = _normals(self.seed, int(step), 2)
        return gx + self.sigma * nx, gy + self.sigma * ny


@dataclass(frozen=True)
class MiniBatchLeastSquares(XYSurface):
    r"""Linear regression with two weights, trained on seeded mini-batches.

    A synthetic data set of ``n_samples`` points has two features of very different
    scales (standard deviations ``feature_scales``) and targets
    :math:`y_i = a_i \cdot w^\star + \text{noise}`. The loss and its minimiser are those of
    the full data set,

    .. math::

        f(w) = \frac{1}{2N} \sum_{i=1}^{N} (a_i \cdot w - y_i)^2, \qquad
        \nabla f(w) = \frac1N \sum_{i=1}^{N} a_i\, (a_i \cdot w - y_i)

    (:meth:`full_grad`), while the gradient at step :math:`t` is that of a mini-batch
    :math:`B_t` of ``batch_size`` samples drawn with a generator keyed by ``(seed, t)``:

    .. math:: \tilde g_t(w) = \frac1B \sum_{i \in B_t} a_i\, (a_i \cdot w - y_i).

    Here :math:`w = (x, y)` are the two weights.

    Examples
    --------
    >>> f = MiniBatchLeastSquares()
    >>> w = f.minima[0]
    >>> bool(np.allclose(f.full_grad(np.array(w)), 0.0, atol=1e-9))
    True
    """

    n_samples: int = 256
    batch_size: int = 8
    feature_scales: tuple[float, float] = (1.0, 4.0)
    noise: float = 0.5
    seed: int = 0
    name: ClassVar[str] = "minibatch"
    formula: ClassVar[str] = "1/(2N) sum_i (a_i . w - y_i)^2, gradient from a mini-batch"
    tex: ClassVar[str] = r"$\frac{1}{2N} \sum_i (a_i \cdot w - y_i)^2$, gradient from a mini-batch"
    true_weights: ClassVar[tuple[float, float]] = (1.0, -0.5)

    def __post_init__(self) -> None:
        object.__setattr__(self, "n_samples", check_int("n_samples", self.n_samples, low=2, high=MAX_SAMPLES))
        object.__setattr__(self, "batch_size", check_int("batch_size", self.batch_size, low=1, high=self.n_samples))
        scales = check_point("feature_scales", self.feature_scales)
        low, high = FEATURE_SCALE_RANGE
        if not all(low <= s <= high for s in scales):
            raise ValueError(f"feature_scales must be two numbers in [{low:g}, {high:g}], got {self.feature_scales!r}")
        object.__setattr__(self, "feature_scales", scales)
        object.__setattr__(self, "noise", check_number("noise", self.noise, low=0.0, high=MAX_NOISE, allow_array=False))
        object.__setattr__(self, "seed", check_int("seed", self.seed, low=0))

    @functools.cached_property
    def data(self) -> tuple[FloatArray, FloatArray]:
        """The data set: features ``(n_samples, 2)`` and targets ``(n_samples,)``."""
        rng = np.random.default_rng([self.seed, 0xDA7A])
        features = rng.standard_normal((self.n_samples, 2)) * np.asarray(self.feature_scales)
        targets = features @ np.asarray(self.true_weights) + self.noise * rng.standard_normal(self.n_samples)
        return features, targets

    @functools.cached_property
    def _moments(self) -> tuple[float, float, float, float, float, float]:
        a, y = self.data
        n = len(y)
        return (
            float(a[:, 0] @ a[:, 0]) / n,
            float(a[:, 0] @ a[:, 1]) / n,
            float(a[:, 1] @ a[:, 1]) / n,
            float(a[:, 0] @ y) / n,
            float(a[:, 1] @ y) / n,
            float(y @ y) / n,
        )

    def _batch_moments(self, step: int) -> tuple[float, float, float, float, float]:
        return _batch_moments(self, int(step))

    def full_grad(self, w: FloatArray) -> FloatArray:
        """Gradient of the full-data loss at ``w`` of shape ``(..., 2)``."""
        xx, xy, yy, xt, yt, _ = self._moments
        w = np.asarray(w, dtype=np.float64)
        return np.stack([xx * w[..., 0] + xy * w[..., 1] - xt, xy * w[..., 0] + yy * w[..., 1] - yt], axis=-1)

    @property
    def bounds(self) -> Bounds:
        (cx, cy) = self.minima[0]
        return ((cx - 2.5, cx + 2.5), (cy - 1.5, cy + 1.5))

    @property
    def minima(self) -> tuple[Point, ...]:
        xx, xy, yy, xt, yt, _ = self._moments
        det = xx * yy - xy * xy
        return (((yy * xt - xy * yt) / det, (xx * yt - xy * xt) / det),)

    @property
    def default_start(self) -> Point:
        (cx, cy) = self.minima[0]
        return (cx - 2.0, cy + 1.2)

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        xx, xy, yy, xt, yt, tt = self._moments
        return 0.5 * (xx * x * x + 2.0 * xy * x * y + yy * y * y) - (xt * x + yt * y) + 0.5 * tt

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        if not isinstance(step, (int, np.integer)):
            raise ValueError(f"a mini-batch gradient needs a single integer step, got {step!r}")
        xx, xy, yy, xt, yt = self._batch_moments(int(step))
        return xx * x + xy * y - xt, xy * x + yy * y - yt


@functools.lru_cache(maxsize=4096)
def _batch_moments(surface: MiniBatchLeastSquares, step: int) -> tuple[float, float, float, float, float]:
    rng = np.random.default_rng([surface.seed, 0xBA7C, step])
    a, y = surface.data
    pick = rng.choice(surface.n_samples, size=surface.batch_size, replace=False)
    ab, yb = a[pick], y[pick]
    n = surface.batch_size
    return (
        float(ab[:, 0] @ ab[:, 0]) / n,
        float(ab[:, 0] @ ab[:, 1]) / n,
        float(ab[:, 1] @ ab[:, 1]) / n,
        float(ab[:, 0] @ yb) / n,
        float(ab[:, 1] @ yb) / n,
    )


@dataclass(frozen=True)
class Shifting(XYSurface):
    r"""A loss that changes at a given step: rescaled and/or moved.

    .. math::

        f_t(p) = f(p) \ \ (t < T), \qquad f_t(p) = s\, f(p - \delta) \ \ (t \ge T)

        \nabla f_t(p) = \nabla f(p) \ \ (t < T), \qquad
        \nabla f_t(p) = s\, \nabla f(p - \delta) \ \ (t \ge T)

    where :math:`f` is the loss of ``base``, :math:`T` is ``at_step``, :math:`s` is
    ``scale`` and :math:`\delta` is ``shift``.

    The test of whether an optimizer "tracks a non-stationary objective": Adagrad's
    accumulated sum remembers the old scale forever, RMSProp's moving average forgets it
    in about :math:`1/(1-\beta)` steps.

    Examples
    --------
    >>> f = Shifting(Quadratic(), at_step=10, scale=100.0, shift=(0.0, 0.0))
    >>> float(f.value([1.0, 0.0], step=9)), float(f.value([1.0, 0.0], step=10))
    (0.5, 50.0)
    """

    base: Any = field(default_factory=lambda: Quadratic())
    at_step: int = 100
    scale: float = 10.0
    shift: tuple[float, float] = (1.0, 1.0)
    name: ClassVar[str] = "shifting"

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", _surface_from("base", self.base))
        object.__setattr__(self, "at_step", check_int("at_step", self.at_step, low=0, high=MAX_AT_STEP))
        low, high = SCALE_RANGE
        object.__setattr__(self, "scale", check_number("scale", self.scale, low=low, high=high, allow_array=False))
        shift = check_point("shift", self.shift)
        if max(abs(shift[0]), abs(shift[1])) > MAX_SHIFT:
            raise ValueError(f"shift must be two numbers in [{-MAX_SHIFT:g}, {MAX_SHIFT:g}], got {self.shift!r}")
        object.__setattr__(self, "shift", shift)

    @property
    def formula(self) -> str:  # type: ignore[override]
        base = getattr(self.base, "formula", self.base.name)
        return f"{base}; from step {self.at_step}: {self.scale:g} f(p - ({self.shift[0]:g}, {self.shift[1]:g}))"

    @property
    def tex(self) -> str:  # type: ignore[override]
        base = _tex_of(self.base)
        if not base:
            return ""
        return f"{base}; from step {self.at_step}: ${self.scale:g}\\,f(p - ({self.shift[0]:g}, {self.shift[1]:g}))$"

    @property
    def bounds(self) -> Bounds:
        (x0, x1), (y0, y1) = self.base.bounds
        dx, dy = self.shift
        return ((min(x0, x0 + dx), max(x1, x1 + dx)), (min(y0, y0 + dy), max(y1, y1 + dy)))

    @property
    def minima(self) -> tuple[Point, ...]:
        dx, dy = self.shift
        before: tuple[Point, ...] = self.base.minima
        moved = tuple((x + dx, y + dy) for x, y in before)
        return before + tuple(m for m in moved if m not in before)

    @property
    def default_start(self) -> Point:
        start: Point = self.base.default_start
        return start

    @property
    def changes_at(self) -> tuple[int]:
        """The step at which the loss changes (see :func:`last_change`)."""
        return (self.at_step,)

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        value_xy = xy_formulas(self.base)[0]
        if isinstance(step, (int, np.integer)):
            if step < self.at_step:
                return value_xy(x, y, step)
            return self.scale * value_xy(x - self.shift[0], y - self.shift[1], step)
        before = value_xy(x, y, step)
        after = self.scale * value_xy(x - self.shift[0], y - self.shift[1], step)
        return np.where(np.asarray(step) < self.at_step, before, after)

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        grad_xy = xy_formulas(self.base)[1]
        if not isinstance(step, (int, np.integer)):
            raise ValueError(f"a time-varying gradient needs a single integer step, got {step!r}")
        if step < self.at_step:
            return grad_xy(x, y, step)
        gx, gy = grad_xy(x - self.shift[0], y - self.shift[1], step)
        return self.scale * gx, self.scale * gy


def __dir__() -> list[str]:
    return sorted(__all__)
