"""Named optimizer settings and sensible defaults per surface.

An :class:`OptimizerSpec` is an optimizer described by data (factory name, label and
hyperparameters) rather than by closures, so it can be printed in a legend, written to
a JSON recipe and built again exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import optimizers
from .optimizers import Optimizer
from .surfaces import Quadratic, Surface

__all__ = ["DEFAULT_LR", "RACE_ORDER", "OptimizerSpec", "default_specs"]

#: The optimizers of a default race, with their display names.
RACE_ORDER: dict[str, str] = {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSProp", "adam": "Adam"}

#: Learning rates that make a readable race on each surface from its default start: each
#: is below its optimizer's divergence threshold there and moves visibly in 500 steps.
DEFAULT_LR: dict[str, dict[str, float]] = {
    "rosenbrock": {"sgd": 0.001, "adagrad": 0.1, "rmsprop": 0.03, "adam": 0.02},
    "quadratic": {"sgd": 0.15, "adagrad": 0.5, "rmsprop": 0.02, "adam": 0.1},
    "beale": {"sgd": 0.01, "adagrad": 0.5, "rmsprop": 0.005, "adam": 0.05},
    "himmelblau": {"sgd": 0.01, "adagrad": 0.5, "rmsprop": 0.01, "adam": 0.1},
    "saddle": {"sgd": 0.05, "adagrad": 0.2, "rmsprop": 0.005, "adam": 0.02},
    "rastrigin": {"sgd": 0.002, "adagrad": 0.5, "rmsprop": 0.02, "adam": 0.1},
    "noisy": {"sgd": 0.05, "adagrad": 0.3, "rmsprop": 0.01, "adam": 0.02},
    "minibatch": {"sgd": 0.01, "adagrad": 0.2, "rmsprop": 0.005, "adam": 0.01},
    "shifting": {"sgd": 0.15, "adagrad": 0.5, "rmsprop": 0.02, "adam": 0.1},
}


def _short(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer as data: ``OptimizerSpec("rmsprop", {"lr": 0.01, "beta": 0.9})``.

    Examples
    --------
    >>> spec = OptimizerSpec("rmsprop", {"lr": 0.01, "beta": 0.99})
    >>> spec.label, spec.describe()
    ('RMSProp', 'lr=0.01, beta=0.99')
    >>> spec.build().update(1.0, spec.build().init(0.0))[0] < 0
    True
    """

    factory: str
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    def __post_init__(self) -> None:
        optimizers.get(self.factory)  # raises a clear ValueError for unknown names
        object.__setattr__(self, "params", dict(self.params))
        if not self.label:
            object.__setattr__(self, "label", RACE_ORDER.get(self.factory, self.factory))

    def build(self) -> Optimizer:
        """The optimizer these hyperparameters describe."""
        try:
            return optimizers.get(self.factory)(**self.params)
        except TypeError as error:
            raise ValueError(f"{self.factory}: {error}") from None

    def describe(self) -> str:
        """The hyperparameters as ``name=value`` pairs, for legends and tables."""
        return ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())


def default_specs(surface: Surface | str) -> list[OptimizerSpec]:
    """The default race on a surface: SGD, Adagrad, RMSProp and Adam at readable rates.

    On a quadratic, SGD's rate is ``1.5 / L`` with ``L = scale * condition`` the largest
    curvature, safely below the divergence threshold ``2 / L``.

    >>> [s.describe() for s in default_specs("rosenbrock")]
    ['lr=0.001', 'lr=0.1', 'lr=0.03, beta=0.9, eps=1e-08', 'lr=0.02, beta1=0.9, beta2=0.999, eps=1e-08']
    """
    name = surface if isinstance(surface, str) else surface.name
    lrs = dict(DEFAULT_LR.get(name, DEFAULT_LR["quadratic"]))
    base = getattr(surface, "base", surface)
    if isinstance(base, Quadratic):
        # A Shifting surface may steepen the bowl part-way through: use the steeper one.
        steepest = base.scale * base.condition * max(1.0, float(getattr(surface, "scale", 1.0)))
        lrs["sgd"] = float(f"{1.5 / steepest:.2g}")
    extra: dict[str, dict[str, Any]] = {
        "sgd": {},
        "adagrad": {},
        "rmsprop": {"beta": 0.9, "eps": 1e-8},
        "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    }
    return [OptimizerSpec(key, {"lr": lrs[key], **extra[key]}) for key in RACE_ORDER]
