r"""Two-parameter loss surfaces with analytic gradients.

Every surface is a frozen dataclass that satisfies the :class:`Surface` protocol:
``value(points, step=0)`` and ``grad(points, step=0)`` broadcast over points of shape
``(..., 2)``, so one call evaluates a whole meshgrid or a whole batch of runs. Each also
states its plot window (``bounds``), its known minimisers (``minima``) and a sensible
``default_start``, as read-only properties.

The package's modules, each with one idea:

- :mod:`~rmsprop_viz.core.surfaces.base`: the :class:`Surface` protocol, the
  :class:`XYSurface` base whose ``value_xy``/``grad_xy`` formulas the engine calls
  directly (:func:`xy_formulas`), :func:`last_change` and :func:`min_value`;
- :mod:`~rmsprop_viz.core.surfaces.planar`: the deterministic test functions
  (:class:`Rosenbrock`, :class:`Quadratic`, :class:`Beale`, :class:`Himmelblau`,
  :class:`Saddle`, :class:`Rastrigin`);
- :mod:`~rmsprop_viz.core.surfaces.stochastic`: surfaces that change with the step
  (:class:`Noisy`, :class:`MiniBatchLeastSquares`, :class:`Shifting`), whose randomness
  is keyed by ``(seed, step)`` so every optimizer in a race sees the same noise;
- :mod:`~rmsprop_viz.core.surfaces.curvature`: :func:`max_curvature` and
  :func:`gd_lr_limit`;
- here: the registry of built-in surfaces, :func:`names` and :func:`get`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from rmsprop_viz.core.surfaces.base import (
    Bounds,
    FloatArray,
    Point,
    Surface,
    XYSurface,
    last_change,
    min_value,
    xy_formulas,
)
from rmsprop_viz.core.surfaces.curvature import gd_lr_limit, max_curvature
from rmsprop_viz.core.surfaces.planar import Beale, Himmelblau, Quadratic, Rastrigin, Rosenbrock, Saddle
from rmsprop_viz.core.surfaces.stochastic import MiniBatchLeastSquares, Noisy, Shifting

__all__ = [
    "REGISTRY",
    "Beale",
    "Bounds",
    "FloatArray",
    "Himmelblau",
    "MiniBatchLeastSquares",
    "Noisy",
    "Point",
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

#: The built-in surface classes by name (read-only): what :func:`get` builds and
#: :func:`names` lists.
REGISTRY: Mapping[str, type[Any]] = MappingProxyType(
    {
        cls.name: cls
        for cls in (Rosenbrock, Quadratic, Beale, Himmelblau, Saddle, Rastrigin, Noisy, MiniBatchLeastSquares, Shifting)
    }
)


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


def __dir__() -> list[str]:
    return sorted(__all__)
