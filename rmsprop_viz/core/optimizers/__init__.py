r"""Optimizers as pairs of pure functions: ``init(params) -> state`` and
``update(grads, state) -> (updates, new_state)``.

Read these modules beside the formulas. Notation, per coordinate: :math:`g` is the gradient,
:math:`t = 1, 2, \dots` the step count, :math:`\theta` the parameters; every update is
*added* to the parameters, ``theta_next = theta + update``.

Each factory checks its hyperparameters, closes over them and returns an
:class:`Optimizer`. A hyperparameter may be a number or an array broadcastable to
``(runs, 1)``: that is how one batched run covers a whole grid of settings.

The update rules use arithmetic and :func:`sqrt` only, so the same function accepts a
Python float (one coordinate of one run) or an array such as ``(runs, 2)``. The engine
uses floats for a single run, where numpy's cost per call would dominate, and arrays for
batches; either way each rule is written once, here.

Conventions, and what other libraries call the same things:

=============  ===================  =================  =================  ================
ours           PyTorch              Keras 3            optax              teaching text
=============  ===================  =================  =================  ================
``lr``         ``lr``               ``learning_rate``  ``learning_rate``  alpha
``beta``       ``alpha`` (RMSprop)  ``rho``            ``decay``          beta
``eps``        ``eps``              ``epsilon``        ``eps``            epsilon
eps in root    no                   yes                yes (default)      yes
=============  ===================  =================  =================  ================
"""

from __future__ import annotations

from collections.abc import Callable

from rmsprop_viz.core.optimizers.adaptive import (
    AdagradState,
    AdamState,
    RMSPropState,
    adagrad,
    adam,
    adam_state,
    rmsprop,
    rmsprop_state,
)
from rmsprop_viz.core.optimizers.base import Made, Optimizer, is_builtin, made_by, sqrt
from rmsprop_viz.core.optimizers.descent import SGDState, sgd

__all__ = [
    "AdagradState",
    "AdamState",
    "Made",
    "Optimizer",
    "RMSPropState",
    "SGDState",
    "adagrad",
    "adam",
    "adam_state",
    "get",
    "is_builtin",
    "made_by",
    "names",
    "rmsprop",
    "rmsprop_state",
    "sgd",
    "sqrt",
]

_FACTORIES: dict[str, Callable[..., Optimizer]] = {
    "sgd": sgd,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
}


def names() -> list[str]:
    """Names of the optimizer factories, for command lines and menus.

    >>> names()
    ['sgd', 'adagrad', 'rmsprop', 'adam']
    """
    return list(_FACTORIES)


def get(name: str) -> Callable[..., Optimizer]:
    """Return the factory called ``name`` (one of :func:`names`)."""
    try:
        return _FACTORIES[name]
    except KeyError:
        raise ValueError(f"optimizer must be one of {', '.join(_FACTORIES)}; got {name!r}") from None


def __dir__() -> list[str]:
    return sorted(__all__)
