r"""The adaptive methods: a step size per coordinate, from the gradients seen so far.

Adagrad divides by the root of their squares' *sum*, RMSProp by the root of a *moving
average* of them, Adam does the same to a moving average of the gradient itself.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from rmsprop_viz.core.checks import check_flag, check_number
from rmsprop_viz.core.optimizers.base import Array, Optimizer, register, sqrt, state_type, zeros_like

__all__ = ["AdagradState", "AdamState", "RMSPropState", "adagrad", "adam", "adam_state", "rmsprop", "rmsprop_state"]


# ----------------------------------------------------------------------- Adagrad


class AdagradState(NamedTuple):
    s: Array  # (runs, 2) running sum of squared gradients


def adagrad(lr: Any, eps: Any = 1e-10, initial_accumulator: Any = 0.0, eps_in_sqrt: bool = False) -> Optimizer:
    r"""Adagrad: divide by the root of the *sum* of all squared gradients so far.

    .. math::

        s_t = s_{t-1} + g_t^2, \qquad s_0 = \text{initial\_accumulator}

        \theta_t = \theta_{t-1} - \text{lr}\, \frac{g_t}{\sqrt{s_t} + \epsilon}
        \quad\text{or, with eps\_in\_sqrt,}\quad
        \theta_t = \theta_{t-1} - \text{lr}\, \frac{g_t}{\sqrt{s_t + \epsilon}}

    Because :math:`s_t` only grows, the effective learning rate :math:`\text{lr}/\sqrt{s_t}`
    only shrinks. The defaults match ``torch.optim.Adagrad`` (eps outside the root,
    ``initial_accumulator_value=0``, eps 1e-10). ``optax.adagrad`` puts eps inside the root,
    starts the sum at 0.1 (``initial_accumulator_value``) and uses eps 1e-7: it equals
    ``adagrad(lr, eps=1e-7, initial_accumulator=0.1, eps_in_sqrt=True)``.

    Parameters
    ----------
    lr : float or array
        Learning rate, > 0.
    eps : float or array
        Stability constant, > 0.
    initial_accumulator : float or array
        Starting value of :math:`s`, >= 0.
    eps_in_sqrt : bool
        Put eps inside the square root.

    Examples
    --------
    >>> opt = adagrad(lr=0.5)
    >>> step, state = opt.update(3.0, opt.init(0.0))
    >>> round(step, 9), state.s
    (-0.5, 9.0)
    """
    lr = check_number("lr", lr, low=0.0, low_open=True)
    eps = check_number("eps", eps, low=0.0, low_open=True)
    s0 = check_number("initial_accumulator", initial_accumulator, low=0.0)
    eps_in_sqrt = check_flag("eps_in_sqrt", eps_in_sqrt)

    def init(params: Array) -> AdagradState:
        return AdagradState(zeros_like(params) + s0)

    def update(g: Array, state: AdagradState) -> tuple[Array, AdagradState]:
        s = state.s + g * g
        den = sqrt(s + eps) if eps_in_sqrt else sqrt(s) + eps
        return -lr * g / den, AdagradState(s)

    return register(init, update, "adagrad", lr=lr, eps=eps, initial_accumulator=s0, eps_in_sqrt=eps_in_sqrt)


# ----------------------------------------------------------------------- RMSProp


class RMSPropState(tuple):  # type: ignore[type-arg]
    r"""RMSProp's state: a NamedTuple of the fields below, each carried only when the
    options of :func:`rmsprop` use it. The type for given options is made by
    :func:`rmsprop_state`; every such type is an ``RMSPropState``.

    - ``v``: (runs, 2) moving average of :math:`g^2`; always.
    - ``gbar``: (runs, 2) moving average of :math:`g`; only when ``centered``.
    - ``b``: (runs, 2) momentum buffer; only when ``momentum > 0``.
    - ``t``: int, steps taken; always.
    - ``beta_t``: (runs, 2) :math:`\beta^t`, a running product from 1; only with
      ``bias_correction``.

    >>> rmsprop(lr=0.1).init(0.0)
    RMSPropState(v=0.0, t=0)
    >>> rmsprop(lr=0.1, centered=True, momentum=0.9).init(0.0)._fields
    ('v', 'gbar', 'b', 't')
    """

    __slots__ = ()


def rmsprop_state(centered: bool, momentum: bool, bias_correction: bool) -> type[RMSPropState]:
    """The NamedTuple type of RMSProp's state for these options: ``v`` and ``t``, plus
    ``gbar`` when ``centered``, ``b`` when ``momentum`` is on and ``beta_t`` with
    ``bias_correction`` (see :class:`RMSPropState`).

    >>> rmsprop_state(centered=False, momentum=True, bias_correction=False)._fields
    ('v', 'b', 't')
    >>> issubclass(rmsprop_state(False, False, False), RMSPropState)
    True
    """
    return state_type(RMSPropState, v=True, gbar=centered, b=momentum, t=True, beta_t=bias_correction)


def rmsprop(
    lr: Any,
    beta: Any = 0.9,
    eps: Any = 1e-8,
    eps_in_sqrt: bool = True,
    centered: bool = False,
    momentum: Any = 0.0,
    initial_v: Any = 0.0,
    bias_correction: bool = False,
) -> Optimizer:
    r"""RMSProp: divide by the root of a *moving average* of squared gradients.

    .. math::

        v_t = \beta\, v_{t-1} + (1 - \beta)\, g_t^2, \qquad v_0 = \text{initial\_v}

        \text{den}_t = \sqrt{v_t + \epsilon} \ \text{(eps\_in\_sqrt)}
        \quad\text{or}\quad \sqrt{v_t} + \epsilon

        \theta_t = \theta_{t-1} - \text{lr}\, \frac{g_t}{\text{den}_t}

    Options:

    - ``centered``: also track :math:`\bar g_t = \beta \bar g_{t-1} + (1-\beta) g_t` and use
      :math:`v_t - \bar g_t^2` (an estimate of the gradient's variance) in place of
      :math:`v_t`.
    - ``momentum`` :math:`\mu > 0`: :math:`b_t = \mu b_{t-1} + g_t/\text{den}_t`,
      :math:`\theta_t = \theta_{t-1} - \text{lr}\, b_t`.
    - ``bias_correction``: use :math:`v_t / (1 - \beta^t)`, as Adam does. Off by default,
      as in every common implementation. :math:`\beta^t` is kept in the state as a
      running product, ``beta_t = beta * beta_t`` (see :func:`adam`).

    Conventions: with ``eps_in_sqrt=False`` this is ``torch.optim.RMSprop(lr, alpha=beta,
    eps, centered, momentum)``; with ``eps_in_sqrt=True`` it is ``optax.rmsprop(
    learning_rate, decay=beta, eps, centered, momentum)``, Keras 3's ``RMSprop(rho=beta)``
    and the usual textbook formula. PyTorch's default ``alpha`` is 0.99, ours 0.9. (optax
    multiplies by the learning rate before its momentum buffer, PyTorch and we after: the
    same for a constant learning rate, not under a schedule.)

    .. warning::

        :math:`v` starts at 0 and there is no bias correction, so the first step is
        :math:`\text{lr}/\sqrt{1-\beta}` per coordinate (3.16 lr at :math:`\beta = 0.9`,
        10 lr at 0.99), whatever the gradient's size. With a large eps inside the root,
        RMSProp becomes SGD with learning rate :math:`\text{lr}/\sqrt{\epsilon}`.

    Parameters
    ----------
    lr : float or array
        Learning rate (alpha in the teaching text), > 0.
    beta : float or array
        Decay of the moving average, in [0, 1).
    eps : float or array
        Stability constant, > 0.
    eps_in_sqrt : bool
        Put eps inside the square root.
    centered : bool
        Divide by the root of the variance estimate instead of the raw second moment.
    momentum : float or array
        Momentum coefficient, in [0, 1).
    initial_v : float or array
        Starting value of :math:`v`, >= 0.
    bias_correction : bool
        Divide :math:`v_t` by :math:`1 - \beta^t`.

    Examples
    --------
    The first step has size lr / sqrt(1 - beta) whatever the gradient:

    >>> opt = rmsprop(lr=0.01, beta=0.9, eps=1e-12)
    >>> for g in (1e-3, 1.0, 1e3):
    ...     step, _ = opt.update(g, opt.init(0.0))
    ...     print(f"{step:.6f}")
    -0.031623
    -0.031623
    -0.031623
    """
    lr = check_number("lr", lr, low=0.0, low_open=True)
    beta = check_number("beta", beta, low=0.0, high=1.0, high_open=True)
    eps = check_number("eps", eps, low=0.0, low_open=True)
    eps_in_sqrt = check_flag("eps_in_sqrt", eps_in_sqrt)
    centered = check_flag("centered", centered)
    mu = check_number("momentum", momentum, low=0.0, high=1.0, high_open=True)
    v0 = check_number("initial_v", initial_v, low=0.0)
    bias_correction = check_flag("bias_correction", bias_correction)
    use_momentum = bool(np.any(np.asarray(mu) > 0.0))
    state_type = rmsprop_state(centered, use_momentum, bias_correction)

    def init(params: Array) -> RMSPropState:
        zeros = zeros_like(params)
        every = {"v": zeros + v0, "gbar": zeros, "b": zeros, "t": 0, "beta_t": zeros + 1.0}
        return state_type(*(every[name] for name in state_type._fields))  # type: ignore[attr-defined]

    def update(g: Array, state: Any) -> tuple[Array, RMSPropState]:
        new: dict[str, Array] = {"t": state.t + 1}
        v = new["v"] = beta * state.v + (1.0 - beta) * g * g
        second = v
        if bias_correction:
            beta_t = new["beta_t"] = beta * state.beta_t  # beta^t
            second = v / (1.0 - beta_t)
        if centered:
            gbar = new["gbar"] = beta * state.gbar + (1.0 - beta) * g
            # v - gbar^2 >= 0 in exact arithmetic; clip the rounding error below zero.
            second = np.maximum(second - gbar * gbar, 0.0)
        den = sqrt(second + eps) if eps_in_sqrt else sqrt(second) + eps
        if use_momentum:
            b = new["b"] = mu * state.b + g / den
            step = -lr * b
        else:
            step = -lr * g / den
        return step, state._replace(**new)

    return register(
        init,
        update,
        "rmsprop",
        lr=lr,
        beta=beta,
        eps=eps,
        eps_in_sqrt=eps_in_sqrt,
        centered=centered,
        momentum=mu,
        initial_v=v0,
        bias_correction=bias_correction,
    )


# -------------------------------------------------------------------------- Adam


class AdamState(tuple):  # type: ignore[type-arg]
    r"""Adam's state: a NamedTuple of the fields below, each carried only when the options
    of :func:`adam` use it. The type for given options is made by :func:`adam_state`;
    every such type is an ``AdamState``.

    - ``m``: (runs, 2) moving average of :math:`g`; always.
    - ``v``: (runs, 2) moving average of :math:`g^2`; always.
    - ``vmax``: (runs, 2) largest :math:`v` so far; only with ``amsgrad``.
    - ``t``: int, steps taken; always.
    - ``beta1_t``, ``beta2_t``: (runs, 2) :math:`\beta_1^t` and :math:`\beta_2^t`, running
      products from 1; only with ``bias_correction``.

    >>> adam(lr=0.1).init(0.0)
    AdamState(m=0.0, v=0.0, t=0, beta1_t=1.0, beta2_t=1.0)
    >>> adam(lr=0.1, amsgrad=True, bias_correction=False).init(0.0)._fields
    ('m', 'v', 'vmax', 't')
    """

    __slots__ = ()


def adam_state(amsgrad: bool, bias_correction: bool) -> type[AdamState]:
    """The NamedTuple type of Adam's state for these options: ``m``, ``v`` and ``t``, plus
    ``vmax`` with ``amsgrad`` and ``beta1_t``, ``beta2_t`` with ``bias_correction`` (see
    :class:`AdamState`).

    >>> adam_state(amsgrad=False, bias_correction=True)._fields
    ('m', 'v', 't', 'beta1_t', 'beta2_t')
    """
    return state_type(AdamState, m=True, v=True, vmax=amsgrad, t=True, beta1_t=bias_correction, beta2_t=bias_correction)


def adam(
    lr: Any,
    beta1: Any = 0.9,
    beta2: Any = 0.999,
    eps: Any = 1e-8,
    bias_correction: bool = True,
    amsgrad: bool = False,
) -> Optimizer:
    r"""Adam: RMSProp's scaling applied to a moving average of the gradient (momentum).

    .. math::

        m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2

        \hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t}

        \theta_t = \theta_{t-1} - \text{lr}\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}

    The powers :math:`\beta_1^t`, :math:`\beta_2^t` are running products kept in the
    state (``beta1_t = beta1 * beta1_t``, starting from 1), so a step uses only
    :math:`+ - \times /` and :math:`\sqrt{}`: those are correctly rounded everywhere,
    while ``pow`` differs in the last bit between C libraries and numpy's vectorised
    loops, and the engine's loops must agree to the bit. (PyTorch and optax call
    ``pow``; the two agree to about 1e-15.)

    With ``amsgrad``, :math:`\hat v_t` uses :math:`\max(v_1, \dots, v_t)` in place of
    :math:`v_t`. With ``bias_correction=False``, :math:`\hat m = m` and :math:`\hat v = v`.
    Matches ``torch.optim.Adam(lr, betas=(beta1, beta2), eps, amsgrad)`` and
    ``optax.adam(learning_rate, b1, b2, eps)`` (Kingma & Ba, Algorithm 1, where "alpha" is
    the learning rate). Thanks to bias correction the first step is exactly lr (for
    :math:`|g| \gg \epsilon`).

    Parameters
    ----------
    lr : float or array
        Learning rate, > 0.
    beta1 : float or array
        Decay of the gradient average, in [0, 1).
    beta2 : float or array
        Decay of the squared-gradient average, in [0, 1).
    eps : float or array
        Stability constant outside the root, > 0.
    bias_correction : bool
        Divide the averages by :math:`1 - \beta^t`.
    amsgrad : bool
        Use the running maximum of :math:`v`.

    Examples
    --------
    >>> opt = adam(lr=0.1)
    >>> step, state = opt.update(-5.0, opt.init(0.0))
    >>> round(step, 9), state.t
    (0.1, 1)
    """
    lr = check_number("lr", lr, low=0.0, low_open=True)
    b1 = check_number("beta1", beta1, low=0.0, high=1.0, high_open=True)
    b2 = check_number("beta2", beta2, low=0.0, high=1.0, high_open=True)
    eps = check_number("eps", eps, low=0.0, low_open=True)
    bias_correction = check_flag("bias_correction", bias_correction)
    amsgrad = check_flag("amsgrad", amsgrad)

    state_type = adam_state(amsgrad, bias_correction)

    def init(params: Array) -> AdamState:
        zeros = zeros_like(params)
        every = {"m": zeros, "v": zeros, "vmax": zeros, "t": 0, "beta1_t": zeros + 1.0, "beta2_t": zeros + 1.0}
        return state_type(*(every[name] for name in state_type._fields))  # type: ignore[attr-defined]

    def update(g: Array, state: Any) -> tuple[Array, AdamState]:
        new: dict[str, Array] = {"t": state.t + 1}
        m = new["m"] = b1 * state.m + (1.0 - b1) * g
        v = new["v"] = b2 * state.v + (1.0 - b2) * g * g
        second = v
        if amsgrad:
            second = new["vmax"] = np.maximum(state.vmax, v)
        m_hat, v_hat = m, second
        if bias_correction:
            beta1_t = new["beta1_t"] = b1 * state.beta1_t  # beta1^t
            beta2_t = new["beta2_t"] = b2 * state.beta2_t  # beta2^t
            m_hat = m / (1.0 - beta1_t)
            v_hat = second / (1.0 - beta2_t)
        return -lr * m_hat / (sqrt(v_hat) + eps), state._replace(**new)

    return register(
        init, update, "adam", lr=lr, beta1=b1, beta2=b2, eps=eps, bias_correction=bias_correction, amsgrad=amsgrad
    )


def __dir__() -> list[str]:
    return sorted(__all__)
