r"""What an optimizer is, and the plumbing every factory shares.

An :class:`Optimizer` is a pair of pure functions; :func:`register` records which
factory made one (:func:`made_by`, :func:`is_builtin`); :func:`sqrt` and
:func:`zeros_like` keep single runs and batches bit-identical; :func:`state_type` makes
the state types whose fields depend on an optimizer's options.
"""

from __future__ import annotations

import collections
import functools
import math
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import numpy as np

__all__ = [
    "Array",
    "Made",
    "Optimizer",
    "State",
    "is_builtin",
    "made_by",
    "register",
    "sqrt",
    "state_type",
    "zeros_like",
]

# A float for one coordinate of one run, or an array such as (runs, 2) or (runs, 1).
Array = Any
State = Any


class Optimizer(NamedTuple):
    """An optimizer: two pure functions, batched over runs.

    ``init(params)`` builds the state for parameters of shape ``(runs, 2)``;
    ``update(grads, state)`` returns the update to *add* to the parameters and the next
    state. Neither mutates its inputs.
    """

    init: Callable[[Array], State]
    update: Callable[[Array, State], tuple[Array, State]]


class Made(NamedTuple):
    """Which factory made an optimizer, and with what arguments (see :func:`made_by`)."""

    factory: str  # a name of names()
    params: dict[str, Any]  # the factory's arguments, as checked


#: The update functions made by this module's factories, with their init function and
#: factory call. Weak keys: an optimizer that is no longer used leaves no trace here.
_MADE_HERE: weakref.WeakKeyDictionary[Callable[..., Any], tuple[Callable[..., Any], Made]] = weakref.WeakKeyDictionary()


def register(
    init: Callable[[Array], State],
    update: Callable[[Array, State], tuple[Array, State]],
    factory: str,
    **params: Any,
) -> Optimizer:
    """The optimizer ``(init, update)``, recorded as made by the package's ``factory``
    with the checked ``params`` (see :func:`made_by`). Only the factories call this."""
    _MADE_HERE[update] = (init, Made(factory, params))
    return Optimizer(init, update)


def made_by(optimizer: Any) -> Made | None:
    """The factory call that made ``optimizer``, or None for any other optimizer.

    >>> from rmsprop_viz.core.optimizers import adam, sgd
    >>> made_by(sgd(lr=0.1, momentum=0.9))
    Made(factory='sgd', params={'lr': 0.1, 'momentum': 0.9, 'nesterov': False})
    >>> made_by(Optimizer(lambda p: p, lambda g, s: (g, s))) is None
    True
    """
    if not (isinstance(optimizer, tuple) and len(optimizer) == 2):
        return None
    init, update = optimizer
    try:
        entry = _MADE_HERE.get(update)
    except TypeError:  # not weakly referenceable, so not one of ours
        return None
    return entry[1] if entry is not None and entry[0] is init else None


def is_builtin(optimizer: Any) -> bool:
    """True when ``optimizer`` was made by one of the package's factories.

    Only these may take the engine's fast paths, which call ``update`` once with symbolic
    stand-ins to record its arithmetic. Any other ``Optimizer(init, update)``, such as
    one written in a notebook, runs plainly: its functions are called every step with
    real numbers, so ``print(g)`` inside ``update`` prints the gradient.

    >>> from rmsprop_viz.core.optimizers import adam
    >>> is_builtin(adam(lr=0.1))
    True
    >>> opt = adam(lr=0.1)
    >>> is_builtin(Optimizer(opt.init, lambda g, state: opt.update(g, state)))
    False
    """
    return made_by(optimizer) is not None


def sqrt(v: Array) -> Array:
    """Correctly rounded square root of a float or an array.

    ``math.sqrt`` for a Python float and ``numpy.sqrt`` for an array give the same bits,
    so a single run and a batch agree exactly (``v ** 0.5`` on a float goes through C's
    ``pow``, which is off by one unit in the last place for about one input in a thousand).

    >>> sqrt(2.0) == float(np.sqrt(np.array([2.0]))[0])
    True
    """
    return math.sqrt(v) if isinstance(v, float) else np.sqrt(v)


def zeros_like(params: Array) -> Array:
    """Zeros shaped like ``params``: arithmetic, not ``np.zeros_like``, so that a float
    stays a float.

    >>> zeros_like(3.0), zeros_like(np.ones((1, 2))).tolist()
    (0.0, [[0.0, 0.0]])
    """
    return params * 0.0


_Kind = TypeVar("_Kind", bound=tuple)  # type: ignore[type-arg]


def state_type(kind: type[_Kind], **carried: bool) -> type[_Kind]:
    """A NamedTuple type called like ``kind``, with the fields whose flag in ``carried`` is
    true (in that order), that is also a ``kind``: the state of an optimizer whose options
    decide which fields it needs. The same fields give the same type.

    >>> class PairState(tuple):
    ...     __slots__ = ()
    >>> made = state_type(PairState, m=True, vmax=False, t=True)
    >>> made(0.5, 1), issubclass(made, PairState), made is state_type(PairState, m=True, t=True)
    (PairState(m=0.5, t=1), True, True)
    """
    return _named_subtype(kind, tuple(name for name, used in carried.items() if used))


@functools.cache
def _named_subtype(kind: type[_Kind], names: tuple[str, ...]) -> type[_Kind]:
    fields = collections.namedtuple(kind.__name__, names)  # type: ignore[misc]

    def __reduce__(self: tuple[Any, ...]) -> tuple[Any, ...]:
        # Pickled as its kind, its field names and its values: the type is made here.
        return _named_state, (kind, names, tuple(self))

    subtype: type[_Kind] = type(kind.__name__, (fields, kind), {"__slots__": (), "__reduce__": __reduce__})
    return subtype


def _named_state(kind: type[_Kind], names: tuple[str, ...], values: tuple[Any, ...]) -> _Kind:
    state: _Kind = _named_subtype(kind, names)(*values)
    return state


def __dir__() -> list[str]:
    return sorted(__all__)
