r"""How sharply a surface bends, and what that means for gradient descent's learning rate."""

from __future__ import annotations

import math

import numpy as np

from rmsprop_viz.core.surfaces.base import Point, Surface

__all__ = ["gd_lr_limit", "max_curvature"]


def max_curvature(surface: Surface, point: Point, step: int = 0) -> float:
    r"""Largest eigenvalue :math:`L` of the Hessian at ``point``, from central differences
    of the analytic gradient (the noise of a noisy surface cancels: both sides of each
    difference use the same step).

    .. math::

        H_{:,j} \approx \frac{\nabla f(p + h e_j) - \nabla f(p - h e_j)}{2h}, \qquad
        L = \lambda_{\max}\bigl(\tfrac12 (H + H^\top)\bigr), \qquad
        h = 10^{-5} \max(1, |x|, |y|)

    NaN where the gradient overflows.

    Gradient descent on a quadratic with curvature :math:`L` diverges for
    :math:`\text{lr} > 2/L`; with momentum :math:`\mu` for :math:`\text{lr} > 2(1+\mu)/L`.

    >>> from rmsprop_viz.core.surfaces import Quadratic
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


def __dir__() -> list[str]:
    return sorted(__all__)
