r"""The deterministic test functions: each a frozen dataclass of its parameters, with its
loss :math:`f` and gradient :math:`\nabla f` written out in the docstring and, once, in
``value_xy`` and ``grad_xy``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from rmsprop_viz.core.checks import check_number
from rmsprop_viz.core.surfaces.base import XY, Bounds, Point, XYSurface

__all__ = [
    "MAX_ANGLE",
    "MAX_CONDITION",
    "MAX_ROSENBROCK_A",
    "MAX_ROSENBROCK_B",
    "SCALE_RANGE",
    "Beale",
    "Himmelblau",
    "Quadratic",
    "Rastrigin",
    "Rosenbrock",
    "Saddle",
]

#: Limits of the parameters. Beyond them a picture of the surface, or float64 arithmetic
#: on it, stops making sense (a bowl a hundred million times steeper one way than the
#: other draws as a line).
MAX_ROSENBROCK_A = 10.0  # |a|: the window grows like a^2
MAX_ROSENBROCK_B = 1e6
MAX_CONDITION = 1e8
MAX_ANGLE = 360.0  # |angle| in degrees
SCALE_RANGE = (1e-8, 1e8)  # Quadratic.scale and Shifting.scale


@dataclass(frozen=True)
class Rosenbrock(XYSurface):
    r"""Rosenbrock's banana valley.

    .. math::

        f(x, y) = (a - x)^2 + b\,(y - x^2)^2

        \nabla f(x, y) = \bigl(-2(a - x) - 4 b\, x\,(y - x^2),\ \ 2 b\,(y - x^2)\bigr)

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

    @property
    def tex(self) -> str:  # type: ignore[override]
        """The formula with this surface's numbers, for titles: ``$(1 - x)^2 + 100\\,(y - x^2)^2$``."""
        return f"$({self.a:g} - x)^2 + {self.b:g}\\,(y - x^2)^2$"

    def __post_init__(self) -> None:
        a = check_number("a", self.a, low=-MAX_ROSENBROCK_A, high=MAX_ROSENBROCK_A, allow_array=False)
        b = check_number("b", self.b, low=0.0, low_open=True, high=MAX_ROSENBROCK_B, allow_array=False)
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)

    @property
    def bounds(self) -> Bounds:
        a = self.a
        return ((min(-2.0, a - 1.0), max(2.0, a + 1.0)), (min(-1.0, a * a - 1.0), max(3.0, a * a + 1.0)))

    @property
    def minima(self) -> tuple[Point, ...]:
        return ((self.a, self.a * self.a),)

    @property
    def default_start(self) -> Point:
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

        f(x, y) = \tfrac12\,s\,(u^2 + \kappa\, w^2), \qquad
        \begin{pmatrix}u\\ w\end{pmatrix} =
        \begin{pmatrix}\cos\varphi & \sin\varphi\\ -\sin\varphi & \cos\varphi\end{pmatrix}
        \begin{pmatrix}x\\ y\end{pmatrix}

        \nabla f(x, y) = s\,\bigl(u\cos\varphi - \kappa\, w \sin\varphi,\ \
        u \sin\varphi + \kappa\, w\cos\varphi\bigr)

    :math:`s` is ``scale``, :math:`\kappa` the condition number (ratio of the largest to
    the smallest curvature) and :math:`\varphi` the rotation ``angle`` in degrees. At
    ``angle=0`` the steep direction is the y axis, which a per-coordinate method such as
    RMSProp can rescale; at 45 degrees it is a diagonal, which it cannot. Plain gradient
    descent converges for ``lr < 2 / (scale * condition)``.

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

    @property
    def tex(self) -> str:  # type: ignore[override]
        """The formula with this surface's numbers, for titles: ``$\\frac{1}{2}\\,(x^2 + 10\\, y^2)$``,
        or in the rotated coordinates ``u, w`` when ``angle`` is not 0."""
        u, w = ("x", "y") if self.angle == 0 else ("u", "w")
        bowl = f"$\\frac{{{self.scale:g}}}{{2}}\\,({u}^2 + {self.condition:g}\\, {w}^2)$"
        return bowl if self.angle == 0 else f"{bowl}, $(u, w)$ = $(x, y)$ rotated by {self.angle:g}°"

    def __post_init__(self) -> None:
        condition = check_number("condition", self.condition, low=1.0, high=MAX_CONDITION, allow_array=False)
        angle = check_number("angle", self.angle, low=-MAX_ANGLE, high=MAX_ANGLE, allow_array=False)
        low, high = SCALE_RANGE
        scale = check_number("scale", self.scale, low=low, high=high, allow_array=False)
        object.__setattr__(self, "condition", condition)
        object.__setattr__(self, "angle", angle)
        object.__setattr__(self, "scale", scale)

    @property
    def bounds(self) -> Bounds:
        return ((-2.0, 2.0), (-2.0, 2.0))

    @property
    def minima(self) -> tuple[Point, ...]:
        return ((0.0, 0.0),)

    @property
    def default_start(self) -> Point:
        return (-1.8, 1.2)

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

        f(x, y) = r_1^2 + r_2^2 + r_3^2, \qquad r_k = c_k - x + x y^k, \qquad
        (c_1, c_2, c_3) = (1.5, 2.25, 2.625)

        \nabla f(x, y) = \Bigl(2 \sum_{k=1}^{3} r_k\,(y^k - 1),\ \
        2x \sum_{k=1}^{3} k\, y^{k-1} r_k\Bigr)

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
    tex: ClassVar[str] = r"$(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2$"

    @property
    def bounds(self) -> Bounds:
        return ((-4.5, 4.5), (-4.5, 4.5))

    @property
    def minima(self) -> tuple[Point, ...]:
        return ((3.0, 0.5),)

    @property
    def default_start(self) -> Point:
        return (1.0, 1.4)

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


#: Himmelblau's four minimisers.
_HIMMELBLAU_MINIMA = (
    (3.0, 2.0),
    (-2.805118086952745, 3.131312518250573),
    (-3.779310253377747, -3.283185991286170),
    (3.584428340330492, -1.848126526964404),
)


@dataclass(frozen=True)
class Himmelblau(XYSurface):
    r"""Himmelblau's function: four minima of equal depth.

    .. math::

        f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2

        \nabla f(x, y) = \bigl(4x\,(x^2 + y - 11) + 2\,(x + y^2 - 7),\ \
        2\,(x^2 + y - 11) + 4y\,(x + y^2 - 7)\bigr)

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

    @property
    def bounds(self) -> Bounds:
        return ((-5.0, 5.0), (-5.0, 5.0))

    @property
    def minima(self) -> tuple[Point, ...]:
        return _HIMMELBLAU_MINIMA

    @property
    def default_start(self) -> Point:
        return (-0.3, -0.9)

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

    .. math::

        f(x, y) = \tfrac12 x^2 + \tfrac14 y^4 - \tfrac12 y^2

        \nabla f(x, y) = (x,\ \ y^3 - y)

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

    @property
    def bounds(self) -> Bounds:
        return ((-2.0, 2.0), (-1.6, 1.6))

    @property
    def minima(self) -> tuple[Point, ...]:
        return ((0.0, 1.0), (0.0, -1.0))

    @property
    def default_start(self) -> Point:
        return (-1.8, 1e-3)

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        y2 = y * y
        return 0.5 * x * x + 0.25 * y2 * y2 - 0.5 * y2

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        return 1.0 * x, y * y * y - y


@dataclass(frozen=True)
class Rastrigin(XYSurface):
    r"""Rastrigin's function: a bowl covered in regularly spaced local minima.

    .. math::

        f(x, y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10 \cos 2\pi y

        \nabla f(x, y) = \bigl(2x + 20\pi \sin 2\pi x,\ \ 2y + 20\pi \sin 2\pi y\bigr)

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

    @property
    def bounds(self) -> Bounds:
        return ((-5.12, 5.12), (-5.12, 5.12))

    @property
    def minima(self) -> tuple[Point, ...]:
        return ((0.0, 0.0),)

    @property
    def default_start(self) -> Point:
        return (3.3, -2.6)

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        tau = 2.0 * math.pi
        return 20.0 + x * x - 10.0 * np.cos(tau * x) + y * y - 10.0 * np.cos(tau * y)

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        tau = 2.0 * math.pi
        return 2.0 * x + 10.0 * tau * np.sin(tau * x), 2.0 * y + 10.0 * tau * np.sin(tau * y)


def __dir__() -> list[str]:
    return sorted(__all__)
