"""rmsprop_viz: watch adaptive optimizers work.

Loss surfaces (:mod:`rmsprop_viz.core.surfaces`) feed one optimizer core
(:mod:`rmsprop_viz.core.optimizers`); :func:`run`, :func:`race` and :func:`sweep` record every
step. Importing the package loads numpy only: the plotting, animation and explorer
layers are imported on first use.

>>> import rmsprop_viz as rv
>>> traj = rv.run(rv.Rosenbrock(), rv.rmsprop(lr=0.01), n_steps=100)
>>> traj.params.shape
(101, 1, 2)
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from rmsprop_viz.core import optimizers, runtime, surfaces
from rmsprop_viz.core.optimizers import Optimizer, adagrad, adam, rmsprop, sgd
from rmsprop_viz.core.surfaces import Quadratic, Rosenbrock, Surface
from rmsprop_viz.engine.run import Trajectory, race, run
from rmsprop_viz.engine.sweeps import sweep

__version__ = "0.1.0"

if runtime.IN_BROWSER:
    runtime.prepare_browser()

# Higher layers load on first use, so `import rmsprop_viz` never imports matplotlib.
_LAZY_MODULES = {
    "claims": "rmsprop_viz.engine.claims",
    "scenes": "rmsprop_viz.scenes",
    "plotting": "rmsprop_viz.plotting",
    "animation": "rmsprop_viz.animation",
    "explorer": "rmsprop_viz.explorer",
}
_LAZY_FUNCTIONS = {"explore": ("rmsprop_viz.apps.explorer", "explore")}

__all__ = [
    "Optimizer",
    "Quadratic",
    "Rosenbrock",
    "Surface",
    "Trajectory",
    "__version__",
    "adagrad",
    "adam",
    "animation",
    "claims",
    "explore",
    "explorer",
    "optimizers",
    "plotting",
    "race",
    "rmsprop",
    "run",
    "scenes",
    "sgd",
    "surfaces",
    "sweep",
]


def __getattr__(name: str) -> _typing.Any:
    if name in _LAZY_MODULES:
        return _importlib.import_module(_LAZY_MODULES[name])
    if name in _LAZY_FUNCTIONS:
        module, attribute = _LAZY_FUNCTIONS[name]
        return getattr(_importlib.import_module(module), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
