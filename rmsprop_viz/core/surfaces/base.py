r"""What a surface is: the :class:`Surface` protocol, the :class:`XYSurface` base of the
built-in surfaces, and the questions every layer asks of any surface.

A surface's formulas are written once, in ``value_xy(x, y, step)`` and
``grad_xy(x, y, step)``, with arithmetic that accepts Python floats as well as arrays;
:class:`XYSurface` derives ``value`` and ``grad`` on points of shape ``(..., 2)`` from
them, and the engine calls the xy formulas directly for speed (:func:`xy_formulas`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = [
    "Bounds",
    "FloatArray",
    "Point",
    "Surface",
    "XYSurface",
    "last_change",
    "min_value",
    "xy_formulas",
]

FloatArray = npt.NDArray[np.float64]
#: A point ``(x, y)``.
Point = tuple[float, float]
#: A plot window ``((xmin, xmax), (ymin, ymax))``.
Bounds = tuple[Point, Point]
# x, y and the values computed from them: Python floats or arrays of any one shape.
XY = Any


@runtime_checkable
class Surface(Protocol):
    """What the engine and the plots need of a loss surface.

    ``name``, ``bounds``, ``minima`` and ``default_start`` are read-only: every built-in
    surface computes them from its parameters in a property, so they always agree with
    the parameters (and a frozen surface cannot be changed after it is built).
    ``value`` and ``grad`` broadcast over points of shape ``(..., 2)``.

    A surface may also carry, and the layers above read when present:

    - ``formula`` (plain text) and ``tex`` (matplotlib mathtext) of its loss, for titles;
    - ``changes_at``: the steps at which the loss itself changes (see :func:`last_change`);
    - ``base``: the surface it is built on (:class:`.Noisy`, :class:`.Shifting`).
    """

    @property
    def name(self) -> str:
        """The surface's name, as :func:`~rmsprop_viz.core.surfaces.get` knows it."""

    @property
    def bounds(self) -> Bounds:
        """The plot window ``((xmin, xmax), (ymin, ymax))``."""

    @property
    def minima(self) -> tuple[Point, ...]:
        """Known minimisers (may be empty)."""

    @property
    def default_start(self) -> Point:
        """A start that makes a good race."""

    def value(self, points: npt.ArrayLike, step: Any = 0) -> FloatArray:
        """Loss at ``points`` of shape ``(..., 2)``; returns shape ``(...)``."""

    def grad(self, points: npt.ArrayLike, step: Any = 0) -> FloatArray:
        """Gradient at ``points`` of shape ``(..., 2)``; returns shape ``(..., 2)``."""


class XYSurface:
    """A surface written as two formulas in ``x`` and ``y``; the base of every built-in surface.

    A subclass defines ``value_xy(x, y, step)`` and ``grad_xy(x, y, step)`` with arithmetic
    that accepts Python floats as well as arrays of one shape, and the properties
    ``bounds``, ``minima`` and ``default_start``; this class derives the protocol's
    ``value`` and ``grad`` on points of shape ``(..., 2)`` from the formulas. The engine
    calls the xy formulas directly (see :func:`xy_formulas`): on floats for a single run,
    on arrays for a batch.
    """

    name: ClassVar[str] = ""
    formula: ClassVar[str] = ""  # the loss in plain text
    tex: ClassVar[str] = ""  # the loss in matplotlib mathtext

    def value_xy(self, x: XY, y: XY, step: Any = 0) -> XY:
        """The loss :math:`f(x, y)` at ``step``."""
        raise NotImplementedError

    def grad_xy(self, x: XY, y: XY, step: Any = 0) -> tuple[XY, XY]:
        r"""The gradient :math:`(\partial f/\partial x, \partial f/\partial y)` at ``step``."""
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


def xy_formulas(surface: Surface) -> tuple[Callable[..., XY], Callable[..., tuple[XY, XY]]]:
    """The pair ``(value_xy, grad_xy)`` of ``surface``: its own xy formulas when it has
    them (every :class:`XYSurface`), otherwise adapters that call its ``value`` and
    ``grad`` on stacked points.

    ``value_xy(x, y, step)`` returns the loss and ``grad_xy(x, y, step)`` the pair
    ``(df/dx, df/dy)``, for floats or arrays of one shape.

    >>> from rmsprop_viz.core.surfaces import Rosenbrock
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


def last_change(surface: Surface, n_steps: int) -> int:
    """The last step ``<= n_steps`` at which the loss itself changes, 0 if it never does.

    A :class:`.Shifting` surface changes at its ``at_step`` (so does a surface built on
    one, such as ``Noisy(Shifting(...))``); any surface may say so with a
    ``changes_at`` attribute holding the steps. Noise does not count as a change: the
    loss of :class:`.Noisy` and of :class:`.MiniBatchLeastSquares` stays the same.

    >>> from rmsprop_viz.core.surfaces import Noisy, Quadratic, Rosenbrock, Shifting
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

    >>> from rmsprop_viz.core.surfaces import MiniBatchLeastSquares, Rosenbrock, Shifting
    >>> min_value(Rosenbrock()), min_value(Shifting(MiniBatchLeastSquares(), at_step=5, scale=10.0), 5) > 0
    (0.0, True)
    """
    if not surface.minima:
        return 0.0
    points = np.asarray(surface.minima, dtype=np.float64)
    with np.errstate(all="ignore"):
        return float(np.min(surface.value(points, step)))


def __dir__() -> list[str]:
    return sorted(__all__)
