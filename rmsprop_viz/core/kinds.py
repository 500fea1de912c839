"""The kinds of optimizer, in one table: what each is called, how it is built, what its
"beta" and "epsilon" mean, and how it is drawn.

Every layer reads this table: scenes and recipes name kinds, the command line's ``--beta``
and ``--eps`` and the explorer's sliders set the parameters named here, plotting looks up
a kind's style here (never by parsing a label), and the course's experiments build their
optimizers from it.

=========  ==========  =================  ========================  ========  =======
kind       label       factory            fixed parameters          beta      epsilon
=========  ==========  =================  ========================  ========  =======
sgd        SGD         :func:`.sgd`                                 .         .
momentum   Momentum    :func:`.sgd`       momentum 0.9              .         .
nesterov   Nesterov    :func:`.sgd`       momentum 0.9, nesterov    .         .
adagrad    Adagrad     :func:`.adagrad`                             .         eps
rmsprop    RMSProp     :func:`.rmsprop`                             beta      eps
adam       Adam        :func:`.adam`                                .         eps
=========  ==========  =================  ========================  ========  =======

"beta" is the teaching text's beta: the decay of RMSProp's average of squared gradients
(PyTorch's ``alpha``, Keras's ``rho``, optax's ``decay``). Adam has two decays of its own,
``beta1`` and ``beta2``, which are set by those names.

>>> KINDS["momentum"].build(lr=0.01).update(1.0, KINDS["momentum"].build(lr=0.01).init(0.0))[0]
-0.01
>>> [kind.name for kind in KINDS.values() if kind.beta]
['rmsprop']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from rmsprop_viz.core import optimizers
from rmsprop_viz.core.optimizers import Optimizer

__all__ = [
    "DEFAULT_RACE",
    "KINDS",
    "MOMENTUM",
    "OKABE_ITO",
    "OLIVE",
    "SPARE_STYLES",
    "Kind",
    "OptimizerSpec",
    "Style",
    "get",
    "kind_of",
    "names",
]

#: The colour-blind-safe palette of Okabe and Ito (2008), as hex colours.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
#: Nesterov's colour: a dark olive yellow, as far in hue from RMSProp's vermillion as from
#: Adagrad's green (Okabe and Ito's yellow is too light to read as a line).
OLIVE = "#8F8A00"


@dataclass(frozen=True)
class Style:
    """How one kind of optimizer is drawn, the same in every figure, export and notebook.

    ``linestyle`` is a matplotlib line style: ``"-"`` or a dash pattern ``(offset, (on, off, ...))``
    in points; ``marker`` a matplotlib marker code.
    """

    color: str
    linestyle: Any
    marker: str


#: Momentum of the ``momentum`` and ``nesterov`` kinds.
MOMENTUM = 0.9


class Kind(NamedTuple):
    """One kind of optimizer: a factory with some parameters fixed, a name and a style."""

    name: str  # the key in KINDS, used in scenes, recipes and on the command line
    label: str  # the name shown in legends, tables and menus
    factory: str  # the factory in rmsprop_viz.core.optimizers (optimizers.get(factory))
    fixed: Mapping[str, Any]  # parameters this kind always passes to its factory
    beta: str | None  # the factory parameter the UI's "beta" sets, if the kind has one
    eps: str | None  # the factory parameter the UI's "epsilon" sets, if the kind has one
    style: Style

    def build(self, **params: Any) -> Optimizer:
        """The optimizer of this kind with ``params`` (``lr`` and any others of its factory)."""
        return optimizers.get(self.factory)(**{**self.fixed, **params})


#: Every kind of optimizer, in the order races list them.
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("sgd", "SGD", "sgd", {}, None, None, Style(OKABE_ITO["black"], "-", "o")),
        Kind(
            "momentum",
            "Momentum",
            "sgd",
            {"momentum": MOMENTUM},
            None,
            None,
            Style(OKABE_ITO["blue"], (0, (6, 2)), "s"),
        ),
        Kind(
            "nesterov",
            "Nesterov",
            "sgd",
            {"momentum": MOMENTUM, "nesterov": True},
            None,
            None,
            Style(OLIVE, (0, (6, 2, 1, 2)), "P"),
        ),
        Kind("adagrad", "Adagrad", "adagrad", {}, None, "eps", Style(OKABE_ITO["bluish green"], (0, (1.5, 1.5)), "^")),
        Kind("rmsprop", "RMSProp", "rmsprop", {}, "beta", "eps", Style(OKABE_ITO["vermillion"], "-", "D")),
        Kind("adam", "Adam", "adam", {}, None, "eps", Style(OKABE_ITO["reddish purple"], (0, (4, 1.5)), "v")),
    )
}

#: The kinds of the default race.
DEFAULT_RACE = ("sgd", "adagrad", "rmsprop", "adam")

#: Styles for a second optimizer of a kind already in a figure, and for optimizers of no
#: kind, in order of preference: a sky blue, a violet, a grey (after the violet: a grey
#: line is hard to see on grey contours), an orange, a wine and a leaf green, darkened
#: where Okabe and Ito's are too light for thin lines on a light surface (contrast >= 3
#: against white). A figure takes the first whose hue is clear of every colour already in
#: it (:func:`rmsprop_viz.plotting.style.styles_for`).
SPARE_STYLES = (
    Style("#2E9BD6", "-", "h"),
    Style("#6A3D9A", "-", "<"),
    Style("#6E6E6E", "-", "X"),
    Style("#C98500", "-", ">"),
    Style("#882255", "-", "p"),
    Style("#3F9C00", "-", "d"),
)


def names() -> list[str]:
    """The kinds, in race order.

    >>> names()
    ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam']
    """
    return list(KINDS)


def get(name: str) -> Kind:
    """The kind called ``name`` (one of :func:`names`), or a ValueError naming them."""
    try:
        return KINDS[name]
    except (KeyError, TypeError):
        raise ValueError(f"optimizer kind must be one of {', '.join(KINDS)}; got {name!r}") from None


def kind_of(factory: str, params: Mapping[str, Any]) -> str:
    """The kind that the factory ``factory`` with ``params`` is: SGD with momentum is
    ``momentum``, or ``nesterov`` with Nesterov's look-ahead.

    >>> kind_of("sgd", {"lr": 0.1, "momentum": 0.5}), kind_of("sgd", {"lr": 0.1}), kind_of("adam", {})
    ('momentum', 'sgd', 'adam')
    """
    if factory == "sgd":
        if params.get("nesterov", False):
            return "nesterov"
        if np.any(np.asarray(params.get("momentum", 0.0)) != 0):
            return "momentum"
    return factory


def _short(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _no_negative_zero(value: Any) -> Any:
    """``-0.0`` as ``0.0`` (so no table, legend or recipe shows "-0"); other values as they are.

    >>> _no_negative_zero(-0.0), _no_negative_zero(-1.5), _no_negative_zero(True)
    (0.0, -1.5, True)
    """
    if isinstance(value, (float, np.floating)) and value == 0:
        return 0.0
    return value


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer as data: ``OptimizerSpec("rmsprop", {"lr": 0.01, "beta": 0.9})``.

    ``factory`` names a factory of :mod:`rmsprop_viz.core.optimizers`; ``params`` are its
    keyword arguments; ``label`` defaults to the label of the spec's kind.

    Examples
    --------
    >>> spec = OptimizerSpec("rmsprop", {"lr": 0.01, "beta": 0.99})
    >>> spec.label, spec.kind, spec.describe()
    ('RMSProp', 'rmsprop', 'lr=0.01, beta=0.99')
    >>> spec.build().update(1.0, spec.build().init(0.0))[0] < 0
    True
    """

    factory: str
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    def __post_init__(self) -> None:
        optimizers.get(self.factory)  # raises a clear ValueError for unknown names
        # Settings are read here (from code, recipes and the command line): -0.0 becomes 0.0.
        object.__setattr__(self, "params", {k: _no_negative_zero(v) for k, v in dict(self.params).items()})
        if not self.label:
            object.__setattr__(self, "label", KINDS[self.kind].label)

    @property
    def kind(self) -> str:
        """Which of :data:`KINDS` this spec is (see :func:`kind_of`)."""
        return kind_of(self.factory, self.params)

    def build(self) -> Optimizer:
        """The optimizer these hyperparameters describe."""
        try:
            return optimizers.get(self.factory)(**self.params)
        except TypeError as error:
            raise ValueError(f"{self.factory}: {error}") from None

    def describe(self) -> str:
        """The hyperparameters as ``name=value`` pairs, for legends and tables."""
        return ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())


def __dir__() -> list[str]:
    return sorted(__all__)
