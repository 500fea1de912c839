"""rmsprop_viz: watch adaptive optimizers work.

Loss surfaces (:mod:`rmsprop_viz.surfaces`) feed one optimizer core
(:mod:`rmsprop_viz.optimizers`); :func:`run`, :func:`race` and :func:`sweep` record every
step. Importing the package loads numpy only: the plotting, animation and explorer
layers are imported on first use.

>>> import rmsprop_viz as rv
>>> traj = rv.run(rv.Rosenbrock(), rv.rmsprop(lr=0.01), n_steps=100)
>>> traj.params.shape
(101, 1, 2)
"""

from __future__ import annotations

import importlib
from typing import Any

from . import optimizers, surfaces
from .optimizers import Optimizer, adagrad, adam, rmsprop, sgd
from .run import Trajectory, race, run
from .surfaces import Quadratic, Rosenbrock, Surface
from .sweeps import sweep

__all__ = [
    "Optimizer",
    "Quadratic",
    "Rosenbrock",
    "Surface",
    "Trajectory",
    "__version__",
    "adagrad",
    "adam",
    "optimizers",
    "race",
    "rmsprop",
    "run",
    "sgd",
    "surfaces",
    "sweep",
]

__version__ = "0.1.0"

# Higher layers load on first use, so `import rmsprop_viz` never imports matplotlib.
_LAZY_MODULES = ("plotting", "animation", "explorer", "cli", "scenes")


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name == "explore":
        return importlib.import_module(".explorer", __name__).explore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
