r"""Two-parameter loss surfaces with analytic gradients.

Every surface is a frozen dataclass that satisfies the :class:`Surface` protocol:
``value(points, step=0)`` and ``grad(points, step=0)`` broadcast over points of shape
``(..., 2)``, so one call evaluates a whole meshgrid or a whole batch of runs. Each also
carries a plot window (``bounds``), its known minimisers (``minima``) and a sensible
``default_start``.

The formulas themselves are written once, in ``value_xy(x, y, step)`` and
``grad_xy(x, y, step)``, with arithmetic that accepts Python floats as well as arrays;
the engine calls these directly for speed.

``step`` lets a surface change during a run: :class:`Noisy` and
:class:`MiniBatchLeastSquares` draw their randomness from a generator keyed by
``(seed, step)``, so every optimizer in a race sees exactly the same noise, and
:class:`Shifting` changes its objective at a given step.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core.checks import check_int, check_number, check_point

__all__ = [
    "REGISTRY",
    "Beale",
    "Himmelblau",
    "MiniBatchLeastSquares",
    "Noisy",
    "Quadratic",
    "Rastrigin",
    "Rosenbrock",
    "Saddle",
    "Shifting",
    "Surface",
    "XYSurface",
    "gd_lr_limit",
    "get",
    "is_builtin_surface",
    "last_change",
    "max_curvature",
    "min_value",
    "names",
    "xy_formulas",
]

#: Limits of the surfaces' parameters. Beyond them a picture of the surface, or float64
#: arithmetic on it, stops making sense (a bowl a hundred million times steeper one way
#: than the other draws as a line), or the data would not fit in memory.
MAX_ROSENBROCK_A = 10.0  # |a|: the window grows like a^2
MAX_ROSENBROCK_B = 1e6
MAX_CONDITION = 1e8
MAX_ANGLE = 360.0  # |angle| in degrees
SCALE_RANGE = (1e-8, 1e8)  # Quadratic.scale and Shifting.scale
MAX_SIGMA = 1e6
MAX_SHIFT = 1e3  # |shift| per coordinate
MAX_AT_STEP = 1_000_000
MAX_SAMPLES = 1_000_000  # MiniBatchLeastSquares.n_samples (and so batch_size)
FEATURE_SCALE_RANGE = (1e-3, 1e3)
MAX_NOISE = 1e3

FloatArray = npt.NDArray[np.float64]
Bounds = tuple[tuple[float, float], tuple[float, float]]
# x, y and the values computed from them: Python floats or arrays of any one shape.
XY = Any


@runtime_checkable
class Surface(Protocol):
    """What the engine and the plots need of a loss surface (read-only attributes)."""

    @property
    def name(self) -> str: ...

    @property
    def bounds(self) -> Bounds:
        """The plot window ``((xmin, xmax), (ymin, ymax))``."""

    @property
    def minima(self) -> tuple[tuple[float, float], ...]:
        """Known minimisers (may be empty)."""

    @property
    def default_start(self) -> tuple[float, float]:
        """A start that makes a good race."""

    def value(self, points: npt.ArrayLike, step: Any = 0) -> FloatArray: ...

    def grad(self, points: npt.ArrayLike, step: Any = 0) -> FloatArray: ...


class XYSurface:
    """A surface written as two formulas in ``x`` and ``y``; the base of every built-in surface.

    A subclass defines ``value_xy(x, y, step)`` and ``grad_xy(x, y, step)`` with arithmetic
    that accepts Python floats as well as arrays of one shape; this class derives the
    protocol's ``value`` and ``grad`` on points of shape ``(..., 2)`` from them. The engine
    calls the xy formulas directly (see :func:`xy_formulas`): on floats for a single run,
    on arrays for a batch.
    """

    name: ClassVar[str] = ""
    formula: ClassVar[str] = ""

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        raise NotImplementedError

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        raise NotImplementedError

    def value(self, points: npt.ArrayLike, step: Any = 0) -> FloatArray:
        """Loss at ``points`` of shape ``(..., 2)``; returns shape ``(...)``."""
        p = _as_points(points)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.asarray(self.value_xy(p[..., 0], p[..., 1], step), dtype=np.float64)

    def grad(self, points: npt.ArrayLike, step: Any = 0) -> FloatArray:
        """Gradient at ``points`` of shape ``(..., 2)``; returns shape ``(..., 2)``."""
        p = _as_points(points)
        with np.errstate(over="ignore", invalid="ignore"):
            gx, gy = self.grad_xy(p[..., 0], p[..., 1], step)
            return np.stack(np.broadcast_arrays(gx, gy), axis=-1).astype(np.float64)


def _as_points(points: npt.ArrayLike) -> FloatArray:
    p = np.asarray(points, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got shape {p.shape}")
    return p


def _frozen_setattr(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


# ------------------------------------------------------------ deterministic surfaces


@dataclass(frozen=True)
class Rosenbrock(XYSurface):
    r"""Rosenbrock's banana valley.

    .. math:: f(x, y) = (a - x)^2 + b\,(y - x^2)^2

    The minimum is :math:`(a, a^2)`, at the end of a long curved valley whose floor is
    nearly flat while its walls are steep (curvature ratio about 2500 at the minimum for
    ``b=100``).

    Examples
    --------
    >>> f = Rosenbrock()
    >>> float(f.value([-1.0, 1.0])), f.grad([-1.0, 1.0]).tolist()
    (4.0, [-4.0, 0.0])
    >>> float(f.value(f.minima[0]))
    0.0
    """

    a: float = 1.0
    b: float = 100.0
    name: ClassVar[str] = "rosenbrock"
    formula: ClassVar[str] = "(a - x)^2 + b (y - x^2)^2"
    tex: ClassVar[str] = r"$(a - x)^2 + b\,(y - x^2)^2$"

    def __post_init__(self) -> None:
        a = check_number("a", self.a, low=-MAX_ROSENBROCK_A, high=MAX_ROSENBROCK_A, allow_array=False)
        b = check_number("b", self.b, low=0.0, low_open=True, high=MAX_ROSENBROCK_B, allow_array=False)
        _frozen_setattr(self, "a", a)
        _frozen_setattr(self, "b", b)

    @property
    def bounds(self) -> Bounds:
        a = self.a
        return ((min(-2.0, a - 1.0), max(2.0, a + 1.0)), (min(-1.0, a * a - 1.0), max(3.0, a * a + 1.0)))

    @property
    def minima(self) -> tuple[tuple[float, float], ...]:
        return ((self.a, self.a * self.a),)

    @property
    def default_start(self) -> tuple[float, float]:
        # Just above the valley floor, far from the minimum: the long walk is the lesson.
        return (-1.5, 2.3)

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        r = y - x * x
        return (self.a - x) * (self.a - x) + self.b * r * r

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        r = y - x * x
        return -2.0 * (self.a - x) - 4.0 * self.b * x * r, 2.0 * self.b * r


@dataclass(frozen=True)
class Quadratic(XYSurface):
    r"""An ill-conditioned bowl, optionally rotated.

    .. math::

        f(x, y) = \tfrac12\,\text{scale}\,(u^2 + \kappa\, w^2), \qquad
        \begin{pmatrix}u\\ w\end{pmatrix} =
        \begin{pmatrix}\cos\varphi & \sin\varphi\\ -\sin\varphi & \cos\varphi\end{pmatrix}
        \begin{pmatrix}x\\ y\end{pmatrix}

    :math:`\kappa` is the condition number (ratio of the largest to the smallest
    curvature) and :math:`\varphi` the rotation ``angle`` in degrees. At ``angle=0`` the
    steep direction is the y axis, which a per-coordinate method such as RMSProp can
    rescale; at 45 degrees it is a diagonal, which it cannot. Plain gradient descent
    converges for ``lr < 2 / (scale * condition)``.

    Examples
    --------
    >>> f = Quadratic(condition=10.0)
    >>> float(f.value([1.0, 1.0])), f.grad([1.0, 1.0]).tolist()
    (5.5, [1.0, 10.0])
    """

    condition: float = 10.0
    angle: float = 0.0
    scale: float = 1.0
    name: ClassVar[str] = "quadratic"
    formula: ClassVar[str] = "scale/2 (u^2 + condition w^2), (u, w) = (x, y) rotated by angle"
    tex: ClassVar[str] = r"$\frac{s}{2}\,(u^2 + \kappa\, w^2)$, $(u, w)$ = $(x, y)$ rotated by $\varphi$"
    bounds: Bounds = field(default=((-2.0, 2.0), (-2.0, 2.0)), init=False, repr=False)
    minima: tuple[tuple[float, float], ...] = field(default=((0.0, 0.0),), init=False, repr=False)
    default_start: tuple[float, float] = field(default=(-1.8, 1.2), init=False, repr=False)

    def __post_init__(self) -> None:
        condition = check_number("condition", self.condition, low=1.0, high=MAX_CONDITION, allow_array=False)
        angle = check_number("angle", self.angle, low=-MAX_ANGLE, high=MAX_ANGLE, allow_array=False)
        low, high = SCALE_RANGE
        scale = check_number("scale", self.scale, low=low, high=high, allow_array=False)
        _frozen_setattr(self, "condition", condition)
        _frozen_setattr(self, "angle", angle)
        _frozen_setattr(self, "scale", scale)

    @property
    def _cos_sin(self) -> tuple[float, float]:
        phi = math.radians(self.angle)
        c, s = math.cos(phi), math.sin(phi)
        # Exact zeros at multiples of 90 degrees keep axis-aligned cases exactly separable.
        return (0.0 if abs(c) < 1e-15 else c), (0.0 if abs(s) < 1e-15 else s)

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        c, s = self._cos_sin
        u = c * x + s * y
        w = c * y - s * x
        return 0.5 * self.scale * (u * u + self.condition * w * w)

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        c, s = self._cos_sin
        u = self.scale * (c * x + s * y)
        w = self.scale * self.condition * (c * y - s * x)
        return c * u - s * w, s * u + c * w


@dataclass(frozen=True)
class Beale(XYSurface):
    r"""Beale's function: flat plateaus and sharp ridges.

    .. math::

        f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2

    The minimum is :math:`f(3, 0.5) = 0`.

    Examples
    --------
    >>> f = Beale()
    >>> float(f.value([3.0, 0.5])), bool(np.all(f.grad([3.0, 0.5]) == 0.0))
    (0.0, True)
    >>> round(float(f.value([0.0, 0.0])), 6)
    14.203125
    """

    name: ClassVar[str] = "beale"
    formula: ClassVar[str] = "(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"
    bounds: Bounds = field(default=((-4.5, 4.5), (-4.5, 4.5)), init=False, repr=False)
    minima: tuple[tuple[float, float], ...] = field(default=((3.0, 0.5),), init=False, repr=False)
    default_start: tuple[float, float] = field(default=(1.0, 1.4), init=False, repr=False)

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        y2 = y * y
        r1 = 1.5 - x + x * y
        r2 = 2.25 - x + x * y2
        r3 = 2.625 - x + x * y2 * y
        return r1 * r1 + r2 * r2 + r3 * r3

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        y2 = y * y
        r1 = 1.5 - x + x * y
        r2 = 2.25 - x + x * y2
        r3 = 2.625 - x + x * y2 * y
        gx = 2.0 * (r1 * (y - 1.0) + r2 * (y2 - 1.0) + r3 * (y2 * y - 1.0))
        gy = 2.0 * x * (r1 + 2.0 * y * r2 + 3.0 * y2 * r3)
        return gx, gy


@dataclass(frozen=True)
class Himmelblau(XYSurface):
    r"""Himmelblau's function: four minima of equal depth.

    .. math:: f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2

    Which minimum a run reaches depends on the optimizer and its start.

    Examples
    --------
    >>> f = Himmelblau()
    >>> float(f.value([3.0, 2.0])), f.grad([3.0, 2.0]).tolist()
    (0.0, [0.0, 0.0])
    """

    name: ClassVar[str] = "himmelblau"
    formula: ClassVar[str] = "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"
    tex: ClassVar[str] = r"$(x^2 + y - 11)^2 + (x + y^2 - 7)^2$"
    bounds: Bounds = field(default=((-5.0, 5.0), (-5.0, 5.0)), init=False, repr=False)
    minima: tuple[tuple[float, float], ...] = field(
        default=(
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.283185991286170),
            (3.584428340330492, -1.848126526964404),
        ),
        init=False,
        repr=False,
    )
    default_start: tuple[float, float] = field(default=(-0.3, -0.9), init=False, repr=False)

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        r1 = x * x + y - 11.0
        r2 = x + y * y - 7.0
        return r1 * r1 + r2 * r2

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        r1 = x * x + y - 11.0
        r2 = x + y * y - 7.0
        return 4.0 * x * r1 + 2.0 * r2, 2.0 * r1 + 4.0 * y * r2


@dataclass(frozen=True)
class Saddle(XYSurface):
    r"""A saddle point at the origin with two minima beyond it.

    .. math:: f(x, y) = \tfrac12 x^2 + \tfrac14 y^4 - \tfrac12 y^2

    The origin is a saddle (curvature +1 along x, -1 along y); the minima are
    :math:`(0, \pm 1)` with :math:`f = -1/4`. Started near the line :math:`y = 0`, plain
    gradient descent creeps away from the saddle because the gradient along y is tiny,
    while methods that normalise per coordinate escape at once.

    Examples
    --------
    >>> f = Saddle()
    >>> float(f.value([0.0, 1.0])), f.grad([0.0, 1.0]).tolist()
    (-0.25, [0.0, 0.0])
    >>> f.grad([0.0, 0.0]).tolist()
    [0.0, 0.0]
    """

    name: ClassVar[str] = "saddle"
    formula: ClassVar[str] = "x^2/2 + y^4/4 - y^2/2"
    tex: ClassVar[str] = r"$x^2/2 + y^4/4 - y^2/2$"
    bounds: Bounds = field(default=((-2.0, 2.0), (-1.6, 1.6)), init=False, repr=False)
    minima: tuple[tuple[float, float], ...] = field(default=((0.0, 1.0), (0.0, -1.0)), init=False, repr=False)
    default_start: tuple[float, float] = field(default=(-1.8, 1e-3), init=False, repr=False)

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        y2 = y * y
        return 0.5 * x * x + 0.25 * y2 * y2 - 0.5 * y2

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        return 1.0 * x, y * y * y - y


@dataclass(frozen=True)
class Rastrigin(XYSurface):
    r"""Rastrigin's function: a bowl covered in regularly spaced local minima.

    .. math:: f(x, y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10 \cos 2\pi y

    The global minimum is :math:`f(0, 0) = 0`; every gradient method stops in a local one.

    Examples
    --------
    >>> f = Rastrigin()
    >>> float(f.value([0.0, 0.0])), f.grad([0.0, 0.0]).tolist()
    (0.0, [0.0, 0.0])
    """

    name: ClassVar[str] = "rastrigin"
    formula: ClassVar[str] = "20 + x^2 - 10 cos(2 pi x) + y^2 - 10 cos(2 pi y)"
    tex: ClassVar[str] = r"$20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y$"
    bounds: Bounds = field(default=((-5.12, 5.12), (-5.12, 5.12)), init=False, repr=False)
    minima: tuple[tuple[float, float], ...] = field(default=((0.0, 0.0),), init=False, repr=False)
    default_start: tuple[float, float] = field(default=(3.3, -2.6), init=False, repr=False)

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        tau = 2.0 * math.pi
        return 20.0 + x * x - 10.0 * np.cos(tau * x) + y * y - 10.0 * np.cos(tau * y)

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        tau = 2.0 * math.pi
        return 2.0 * x + 10.0 * tau * np.sin(tau * x), 2.0 * y + 10.0 * tau * np.sin(tau * y)


# -------------------------------------------------------- stochastic and time-varying

_BLOCK = 1024  # steps of random numbers drawn at once


@functools.lru_cache(maxsize=256)
def _normal_block(seed: int, block: int, width: int) -> tuple[tuple[float, ...], ...]:
    """Standard normals for steps ``block*_BLOCK ...``, one row of ``width`` per step."""
    rng = np.random.default_rng([seed, block])
    return tuple(map(tuple, rng.standard_normal((_BLOCK, width)).tolist()))


def _normals(seed: int, step: int, width: int) -> tuple[float, ...]:
    """``width`` standard normals keyed by ``(seed, step)``: the same for every caller."""
    return _normal_block(seed, step // _BLOCK, width)[step % _BLOCK]


def _surface_from(name: str, base: Any) -> Surface:
    if isinstance(base, str):
        return get(base)
    if not isinstance(base, Surface):
        raise ValueError(f"{name} must be a surface (or a surface name), got {base!r}")
    return base


def is_builtin_surface(surface: Any) -> bool:
    """True for an instance of one of the registered surface classes (:func:`names`),
    built on such surfaces only (the ``base`` of :class:`Noisy` and :class:`Shifting`).

    The engine's fast paths trace only these formulas (they call them once with symbolic
    stand-ins, see :mod:`rmsprop_viz.engine.accel.tracing`); a user's own surface, a
    subclass included, is called with real numbers every step.

    >>> class Mine(Rosenbrock):
    ...     pass
    >>> is_builtin_surface(Noisy(Rosenbrock())), is_builtin_surface(Mine()), is_builtin_surface(Noisy(Mine()))
    (True, False, False)
    """
    if type(surface) not in REGISTRY.values():
        return False
    base = getattr(surface, "base", None)
    return base is None or is_builtin_surface(base)


def xy_formulas(surface: Surface) -> tuple[Callable[..., XY], Callable[..., tuple[XY, XY]]]:
    """The pair ``(value_xy, grad_xy)`` of ``surface``: its own xy formulas when it has
    them (every :class:`XYSurface`), otherwise adapters that call its ``value`` and
    ``grad`` on stacked points.

    ``value_xy(x, y, step)`` returns the loss and ``grad_xy(x, y, step)`` the pair
    ``(df/dx, df/dy)``, for floats or arrays of one shape.

    >>> value_xy, grad_xy = xy_formulas(Rosenbrock())
    >>> value_xy(-1.0, 1.0), grad_xy(-1.0, 1.0)
    (4.0, (-4.0, 0.0))
    """
    value_xy = getattr(surface, "value_xy", None)
    grad_xy = getattr(surface, "grad_xy", None)
    if value_xy is not None and grad_xy is not None:
        return value_xy, grad_xy

    def value_adapter(x: XY, y: XY, step: Any = 0) -> XY:
        out = surface.value(np.stack(np.broadcast_arrays(x, y), axis=-1), step)
        return out if np.ndim(out) else float(out)

    def grad_adapter(x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        g = surface.grad(np.stack(np.broadcast_arrays(x, y), axis=-1), step)
        if g.ndim == 1:
            return float(g[0]), float(g[1])
        return g[..., 0], g[..., 1]

    return value_adapter, grad_adapter


@dataclass(frozen=True)
class Noisy(XYSurface):
    r"""A surface whose gradient carries additive Gaussian noise.

    .. math::

        \tilde g_t(x, y) = \nabla f(x, y) + \sigma\, \xi_t, \qquad
        \xi_t \sim \mathcal N(0, I_2)\ \text{keyed by (seed, t)}

    The value is the noise-free loss of ``base``. The noise depends only on the seed and
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
        _frozen_setattr(self, "base", _surface_from("base", self.base))
        _frozen_setattr(self, "sigma", check_number("sigma", self.sigma, low=0.0, high=MAX_SIGMA, allow_array=False))
        _frozen_setattr(self, "seed", check_int("seed", self.seed, low=0))

    @property
    def formula(self) -> str:  # type: ignore[override]
        return f"{getattr(self.base, 'formula', self.base.name)}, gradient + N(0, {self.sigma:g}^2)"

    @property
    def bounds(self) -> Bounds:
        bounds: Bounds = self.base.bounds
        return bounds

    @property
    def minima(self) -> tuple[tuple[float, float], ...]:
        minima: tuple[tuple[float, float], ...] = self.base.minima
        return minima

    @property
    def default_start(self) -> tuple[float, float]:
        start: tuple[float, float] = self.base.default_start
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

    .. math:: f(w) = \frac{1}{2N} \sum_{i=1}^{N} (a_i \cdot w - y_i)^2,

    while the gradient at step :math:`t` is that of a mini-batch of ``batch_size`` samples
    drawn with a generator keyed by ``(seed, t)``:

    .. math:: \tilde g_t(w) = \frac1B \sum_{i \in B_t} a_i\, (a_i \cdot w - y_i).

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
    true_weights: ClassVar[tuple[float, float]] = (1.0, -0.5)

    def __post_init__(self) -> None:
        _frozen_setattr(self, "n_samples", check_int("n_samples", self.n_samples, low=2, high=MAX_SAMPLES))
        _frozen_setattr(self, "batch_size", check_int("batch_size", self.batch_size, low=1, high=self.n_samples))
        scales = check_point("feature_scales", self.feature_scales)
        low, high = FEATURE_SCALE_RANGE
        if not all(low <= s <= high for s in scales):
            raise ValueError(f"feature_scales must be two numbers in [{low:g}, {high:g}], got {self.feature_scales!r}")
        _frozen_setattr(self, "feature_scales", scales)
        _frozen_setattr(self, "noise", check_number("noise", self.noise, low=0.0, high=MAX_NOISE, allow_array=False))
        _frozen_setattr(self, "seed", check_int("seed", self.seed, low=0))

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
    def minima(self) -> tuple[tuple[float, float], ...]:
        xx, xy, yy, xt, yt, _ = self._moments
        det = xx * yy - xy * xy
        return (((yy * xt - xy * yt) / det, (xx * yt - xy * xt) / det),)

    @property
    def default_start(self) -> tuple[float, float]:
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

        f_t(p) = f(p) \ \ (t < T), \qquad f_t(p) = \text{scale}\cdot f(p - \text{shift})
        \ \ (t \ge T)

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
        _frozen_setattr(self, "base", _surface_from("base", self.base))
        _frozen_setattr(self, "at_step", check_int("at_step", self.at_step, low=0, high=MAX_AT_STEP))
        low, high = SCALE_RANGE
        _frozen_setattr(self, "scale", check_number("scale", self.scale, low=low, high=high, allow_array=False))
        shift = check_point("shift", self.shift)
        if max(abs(shift[0]), abs(shift[1])) > MAX_SHIFT:
            raise ValueError(f"shift must be two numbers in [{-MAX_SHIFT:g}, {MAX_SHIFT:g}], got {self.shift!r}")
        _frozen_setattr(self, "shift", shift)

    @property
    def formula(self) -> str:  # type: ignore[override]
        base = getattr(self.base, "formula", self.base.name)
        return f"{base}; from step {self.at_step}: {self.scale:g} f(p - ({self.shift[0]:g}, {self.shift[1]:g}))"

    @property
    def bounds(self) -> Bounds:
        (x0, x1), (y0, y1) = self.base.bounds
        dx, dy = self.shift
        return ((min(x0, x0 + dx), max(x1, x1 + dx)), (min(y0, y0 + dy), max(y1, y1 + dy)))

    @property
    def minima(self) -> tuple[tuple[float, float], ...]:
        dx, dy = self.shift
        before: tuple[tuple[float, float], ...] = self.base.minima
        moved = tuple((x + dx, y + dy) for x, y in before)
        return before + tuple(m for m in moved if m not in before)

    @property
    def default_start(self) -> tuple[float, float]:
        start: tuple[float, float] = self.base.default_start
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


# ------------------------------------------------------------------- change over time


def last_change(surface: Surface, n_steps: int) -> int:
    """The last step ``<= n_steps`` at which the loss itself changes, 0 if it never does.

    A :class:`Shifting` surface changes at its ``at_step`` (so does a surface built on
    one, such as ``Noisy(Shifting(...))``); any surface may say so with a
    ``changes_at`` attribute holding the steps. Noise does not count as a change: the
    loss of :class:`Noisy` and of :class:`MiniBatchLeastSquares` stays the same.

    >>> last_change(Shifting(Quadratic(), at_step=50), 200), last_change(Shifting(Quadratic(), at_step=50), 20)
    (50, 0)
    >>> last_change(Noisy(Shifting(Rosenbrock(), at_step=30)), 100)
    30
    """
    last = 0
    layer: Any = surface
    for _ in range(100):  # a chain of bases, however it was built, ends
        for step in getattr(layer, "changes_at", ()):
            if last < int(step) <= n_steps:
                last = int(step)
        layer = getattr(layer, "base", None)
        if layer is None:
            break
    return last


def min_value(surface: Surface, step: int = 0) -> float:
    """The lowest loss at the surface's known minima at ``step`` (0.0 if none are known):
    the target of "steps to reach tol".

    >>> min_value(Shifting(MiniBatchLeastSquares(), at_step=5, scale=10.0), 5) > 0
    True
    """
    if not surface.minima:
        return 0.0
    points = np.asarray(surface.minima, dtype=np.float64)
    with np.errstate(all="ignore"):
        return float(np.min(surface.value(points, step)))


# ------------------------------------------------------------------------ curvature


def max_curvature(surface: Surface, point: tuple[float, float], step: int = 0) -> float:
    r"""Largest eigenvalue :math:`L` of the Hessian at ``point``, from central differences
    of the analytic gradient (the noise of a noisy surface cancels: both sides of each
    difference use the same step).

    Gradient descent on a quadratic with curvature :math:`L` diverges for
    :math:`\text{lr} > 2/L`; with momentum :math:`\mu` for :math:`\text{lr} > 2(1+\mu)/L`.

    >>> round(max_curvature(Quadratic(condition=25.0), (0.3, -0.2)), 6)
    25.0
    """
    x, y = (float(v) for v in point)
    h = 1e-5 * max(1.0, abs(x), abs(y))
    g = surface.grad
    with np.errstate(all="ignore"):  # far out, the gradients overflow: the answer is NaN
        hxx, hxy = (g([x + h, y], step) - g([x - h, y], step)) / (2 * h)
        hyx, hyy = (g([x, y + h], step) - g([x, y - h], step)) / (2 * h)
        off = 0.5 * (hxy + hyx)
    hessian = np.array([[hxx, off], [off, hyy]])
    if not np.isfinite(hessian).all():
        return math.nan
    return float(np.linalg.eigvalsh(hessian)[-1])


def gd_lr_limit(curvature: float, momentum: float = 0.0) -> float:
    r"""The learning rate above which (heavy-ball) gradient descent diverges on a
    quadratic of curvature :math:`L`: :math:`2(1 + \mu)/L`; infinite for :math:`L \le 0`.

    >>> gd_lr_limit(50.0), gd_lr_limit(50.0, momentum=0.9)
    (0.04, 0.076)
    """
    return math.inf if curvature <= 0 else 2.0 * (1.0 + momentum) / curvature


# ---------------------------------------------------------------------- registry

#: The built-in surface classes by name (read-only): what :func:`get` builds and
#: :func:`names` lists.
REGISTRY: Mapping[str, type[Any]] = MappingProxyType(
    {
        cls.name: cls
        for cls in (Rosenbrock, Quadratic, Beale, Himmelblau, Saddle, Rastrigin, Noisy, MiniBatchLeastSquares, Shifting)
    }
)
_REGISTRY = REGISTRY  # old private name, kept until every caller reads REGISTRY


def names() -> list[str]:
    """Names accepted by :func:`get`.

    >>> names()[:3]
    ['rosenbrock', 'quadratic', 'beale']
    """
    return list(REGISTRY)


def get(name: str, **params: Any) -> Surface:
    """Build the surface called ``name`` with keyword ``params``.

    Examples
    --------
    >>> get("quadratic", condition=50, angle=45)
    Quadratic(condition=50.0, angle=45.0, scale=1.0)
    >>> get("banana")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: surface must be one of rosenbrock, quadratic, beale, ..., shifting; got 'banana'
    """
    if not isinstance(name, str) or name.lower() not in REGISTRY:
        raise ValueError(f"surface must be one of {', '.join(REGISTRY)}; got {name!r}")
    cls = REGISTRY[name.lower()]
    try:
        surface: Surface = cls(**params)
    except TypeError as error:
        fields = [f.name for f in dataclasses.fields(cls) if f.init]
        raise ValueError(
            f"surface {name!r} takes the parameters {', '.join(fields) or '(none)'}; got {sorted(params)}"
        ) from error
    return surface


# Old private names, kept until the engine and the tests use the public ones.
_Planar = XYSurface
_is_own = is_builtin_surface
_xy_of = xy_formulas
