r"""Gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from rmsprop_viz.core.checks import check_flag, check_number
from rmsprop_viz.core.optimizers.base import Array, Optimizer, register, zeros_like

__all__ = ["SGDState", "sgd"]


class SGDState(NamedTuple):
    b: Array  # (runs, 2) momentum buffer; 0 before the first step


def sgd(lr: Any, momentum: Any = 0.0, nesterov: bool = False) -> Optimizer:
    r"""Stochastic gradient descent, with optional (Nesterov) momentum.

    .. math::

        b_t = \mu\, b_{t-1} + g_t, \qquad b_0 = 0

        d_t = g_t + \mu\, b_t \ \text{(Nesterov)} \quad\text{or}\quad d_t = b_t

        \theta_t = \theta_{t-1} - \text{lr}\, d_t

    With ``momentum=0`` this is plain gradient descent, :math:`\theta \leftarrow \theta -
    \text{lr}\, g`. Matches ``torch.optim.SGD(lr, momentum, nesterov=..., dampening=0)`` and
    ``optax.sgd(learning_rate, momentum, nesterov)``.

    Parameters
    ----------
    lr : float or array
        Learning rate, > 0.
    momentum : float or array
        Momentum coefficient :math:`\mu`, in [0, 1).
    nesterov : bool
        Use Nesterov's look-ahead form; needs ``momentum > 0``.

    Examples
    --------
    >>> opt = sgd(lr=0.1)
    >>> step, state = opt.update(2.0, opt.init(1.0))
    >>> round(step, 12)
    -0.2
    """
    lr = check_number("lr", lr, low=0.0, low_open=True)
    mu = check_number("momentum", momentum, low=0.0, high=1.0, high_open=True)
    nesterov = check_flag("nesterov", nesterov)
    if nesterov and np.all(np.asarray(mu) == 0.0):
        raise ValueError("nesterov=True needs momentum in (0, 1), got momentum=0.0")

    def init(params: Array) -> SGDState:
        return SGDState(zeros_like(params))

    def update(g: Array, state: SGDState) -> tuple[Array, SGDState]:
        b = mu * state.b + g
        d = g + mu * b if nesterov else b
        return -lr * d, SGDState(b)

    return register(init, update, "sgd", lr=lr, momentum=mu, nesterov=nesterov)


def __dir__() -> list[str]:
    return sorted(__all__)
