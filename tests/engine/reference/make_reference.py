"""Record reference trajectories from ``torch.optim`` and ``optax`` for ``tests/engine/test_reference.py``.

Every case is one optimizer variant on one surface. The script runs the case with an
independent library (PyTorch or optax, never rmsprop_viz), in float64, feeding it the
analytic gradient written out again below, and stores the parameters after every step
together with everything needed to rebuild the same run with rmsprop_viz.

Usage
-----
Run from the repository root::

    python tests/engine/reference/make_reference.py

It needs the reference libraries, which the tests themselves do not::

    pip install torch==2.13.0 optax

and overwrites ``tests/engine/reference/reference.npz`` (pass ``--output PATH`` to write elsewhere).

Trusted steps
-------------
A reference run is only worth comparing against while it is insensitive to rounding. For
each case the reference is run again from the start perturbed by ``1e-15`` relative
(both coordinates, with each of the four sign combinations), and ``trusted_steps`` is the
last step before any perturbed run departs from the unperturbed one by more than
``1e-10`` relative (with an absolute floor of ``1e-13`` for coordinates near 0), or
``n_steps`` if none ever does. The test compares steps ``0 .. trusted_steps``, with a
tolerance (``1e-9`` relative) ten times looser than the departure threshold.

Fixture layout
--------------
``reference.npz`` holds, with no pickled objects:

``cases``
    A JSON string: ``{"meta": {...}, "cases": [...]}``. Each case has ``name``,
    ``variant``, ``surface`` (``{"name", "params"}`` for ``rmsprop_viz.surfaces.get``),
    ``factory`` and ``kwargs`` (for ``rmsprop_viz.optimizers.get(factory)(**kwargs)``),
    ``start``, ``n_steps``, ``library``, ``library_version``, ``reference`` (the call
    that produced it) and ``trusted_steps``.
``params/<name>``
    float64 array of shape ``(n_steps + 1, 2)``: the start, then the parameters after
    every step.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

TORCH_VERSION = "2.13.0"
N_STEPS = 200
PERTURBATION = 1e-15  # relative perturbation of the start
DEPART_RTOL = 1e-10  # a perturbed reference "departs" beyond this relative difference...
DEPART_ATOL = 1e-13  # ...plus this absolute floor, for coordinates near 0
MIN_TRUSTED_STEPS = 30  # the test refuses cases trusted for fewer steps
OUTPUT = Path(__file__).with_name("reference.npz")

Grad = Callable[[float, float], tuple[float, float]]

# --------------------------------------------------------------------- surfaces
# The gradients are written out again here, in the same closed form (and the same order
# of operations) as rmsprop_viz.surfaces, so that both sides see the same gradient for
# the same point and any difference comes from the optimizers.


def rosenbrock_grad(a: float, b: float) -> Grad:
    def grad(x: float, y: float) -> tuple[float, float]:
        r = y - x * x
        return -2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r

    return grad


def quadratic_grad(condition: float, angle: float, scale: float = 1.0) -> Grad:
    phi = math.radians(angle)
    c, s = math.cos(phi), math.sin(phi)

    def grad(x: float, y: float) -> tuple[float, float]:
        u = scale * (c * x + s * y)
        w = scale * condition * (c * y - s * x)
        return c * u - s * w, s * u + c * w

    return grad


SURFACES: dict[str, dict[str, Any]] = {
    "rosenbrock": {
        "spec": {"name": "rosenbrock", "params": {"a": 1.0, "b": 100.0}},
        "start": (-1.5, 2.5),
        "grad": rosenbrock_grad(1.0, 100.0),
    },
    # Quadratic(condition=20, angle=30) from its default start.
    "quadratic": {
        "spec": {"name": "quadratic", "params": {"condition": 20.0, "angle": 30.0}},
        "start": (-1.8, 1.2),
        "grad": quadratic_grad(20.0, 30.0),
    },
}

# --------------------------------------------------------------------- variants


@dataclass(frozen=True)
class Variant:
    """One optimizer variant: rmsprop_viz's factory call and the reference library's."""

    name: str
    factory: str  # rmsprop_viz.optimizers factory
    kwargs: dict[str, Any]  # its keyword arguments besides lr
    reference: str  # "torch.optim.X" or "optax.x"
    reference_kwargs: dict[str, Any]  # its keyword arguments besides the parameters and lr
    lr: dict[str, float]  # learning rate per surface

    @property
    def library(self) -> str:
        return self.reference.split(".")[0]

    def describe(self, lr: float) -> str:
        """The reference call, as code."""
        head = "params, lr" if self.library == "torch" else "learning_rate"
        args = ", ".join(f"{key}={value!r}" for key, value in {"lr": lr, **self.reference_kwargs}.items())
        return f"{self.reference}({args.replace('lr=', head + '=', 1)})"


# Hyperparameters shared by the references and rmsprop_viz; rmsprop_viz's ``beta`` is
# torch's ``alpha`` and optax's ``decay``. torch's RMSprop defaults to alpha=0.99, so it
# is always given explicitly.
BETA = 0.9
EPS = 1e-8
MU = 0.9
TORCH = {"foreach": False}  # the plain per-tensor loop, not the multi-tensor kernels

_SGD_MOMENTUM_LR = {"rosenbrock": 1e-4, "quadratic": 1e-2}
_ADAGRAD_LR = {"rosenbrock": 1e-1, "quadratic": 1e-1}
_RMS_LR = {"rosenbrock": 1e-2, "quadratic": 1e-2}
_RMS_MOMENTUM_LR = {"rosenbrock": 1e-3, "quadratic": 1e-3}
_ADAM_LR = {"rosenbrock": 1e-2, "quadratic": 5e-2}
_RMS_OUT = {"beta": BETA, "eps": EPS, "eps_in_sqrt": False}
_RMS_IN = {"beta": BETA, "eps": EPS, "eps_in_sqrt": True}
_TORCH_RMS = {"alpha": BETA, "eps": EPS, **TORCH}
_OPTAX_RMS = {"decay": BETA, "eps": EPS, "eps_in_sqrt": True}
_ADAM = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

VARIANTS: list[Variant] = [
    Variant("sgd", "sgd", {}, "torch.optim.SGD", {**TORCH}, {"rosenbrock": 1e-3, "quadratic": 5e-2}),
    Variant(
        "sgd-momentum",
        "sgd",
        {"momentum": MU},
        "torch.optim.SGD",
        {"momentum": MU, "dampening": 0.0, **TORCH},
        _SGD_MOMENTUM_LR,
    ),
    Variant(
        "sgd-nesterov",
        "sgd",
        {"momentum": MU, "nesterov": True},
        "torch.optim.SGD",
        {"momentum": MU, "dampening": 0.0, "nesterov": True, **TORCH},
        _SGD_MOMENTUM_LR,
    ),
    Variant(
        "adagrad",
        "adagrad",
        {},
        "torch.optim.Adagrad",
        {"eps": 1e-10, "initial_accumulator_value": 0.0, **TORCH},
        _ADAGRAD_LR,
    ),
    # With eps=1e-10 the eps placement is invisible at 1e-9; this case pins it down.
    Variant(
        "adagrad-large-eps",
        "adagrad",
        {"eps": 1e-3},
        "torch.optim.Adagrad",
        {"eps": 1e-3, "initial_accumulator_value": 0.0, **TORCH},
        _ADAGRAD_LR,
    ),
    Variant(
        "adagrad-optax",
        "adagrad",
        {"eps": 1e-7, "initial_accumulator": 0.1, "eps_in_sqrt": True},
        "optax.adagrad",
        {"initial_accumulator_value": 0.1, "eps": 1e-7},
        _ADAGRAD_LR,
    ),
    Variant("rmsprop-eps-out", "rmsprop", _RMS_OUT, "torch.optim.RMSprop", _TORCH_RMS, _RMS_LR),
    Variant(
        "rmsprop-eps-out-centered",
        "rmsprop",
        {**_RMS_OUT, "centered": True},
        "torch.optim.RMSprop",
        {**_TORCH_RMS, "centered": True},
        _RMS_LR,
    ),
    Variant(
        "rmsprop-eps-out-momentum",
        "rmsprop",
        {**_RMS_OUT, "momentum": MU},
        "torch.optim.RMSprop",
        {**_TORCH_RMS, "momentum": MU},
        _RMS_MOMENTUM_LR,
    ),
    Variant(
        "rmsprop-eps-out-centered-momentum",
        "rmsprop",
        {**_RMS_OUT, "centered": True, "momentum": MU},
        "torch.optim.RMSprop",
        {**_TORCH_RMS, "centered": True, "momentum": MU},
        _RMS_MOMENTUM_LR,
    ),
    Variant("rmsprop-eps-in", "rmsprop", _RMS_IN, "optax.rmsprop", _OPTAX_RMS, _RMS_LR),
    Variant(
        "rmsprop-eps-in-centered",
        "rmsprop",
        {**_RMS_IN, "centered": True},
        "optax.rmsprop",
        {**_OPTAX_RMS, "centered": True},
        _RMS_LR,
    ),
    Variant(
        "rmsprop-eps-in-momentum",
        "rmsprop",
        {**_RMS_IN, "momentum": MU},
        "optax.rmsprop",
        {**_OPTAX_RMS, "momentum": MU},
        _RMS_MOMENTUM_LR,
    ),
    Variant(
        "rmsprop-initial-v",
        "rmsprop",
        {**_RMS_IN, "initial_v": 1.0},
        "optax.rmsprop",
        {**_OPTAX_RMS, "initial_scale": 1.0},
        _RMS_LR,
    ),
    # Bias correction for RMSProp is not in torch; optax has it as an option.
    Variant(
        "rmsprop-eps-in-bias-correction",
        "rmsprop",
        {**_RMS_IN, "bias_correction": True},
        "optax.rmsprop",
        {**_OPTAX_RMS, "bias_correction": True},
        _RMS_LR,
    ),
    Variant(
        "rmsprop-eps-out-bias-correction",
        "rmsprop",
        {**_RMS_OUT, "bias_correction": True},
        "optax.rmsprop",
        {**_OPTAX_RMS, "eps_in_sqrt": False, "bias_correction": True},
        _RMS_LR,
    ),
    Variant("adam", "adam", _ADAM, "torch.optim.Adam", {"betas": (0.9, 0.999), "eps": 1e-8, **TORCH}, _ADAM_LR),
    Variant(
        "adam-amsgrad",
        "adam",
        {**_ADAM, "amsgrad": True},
        "torch.optim.Adam",
        {"betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": True, **TORCH},
        _ADAM_LR,
    ),
    # A second, independent reference for plain Adam.
    Variant("adam-optax", "adam", _ADAM, "optax.adam", {"b1": 0.9, "b2": 0.999, "eps": 1e-8}, _ADAM_LR),
]

# ------------------------------------------------------------------- reference runs


def _resolve(dotted: str) -> Any:
    module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def run_torch(variant: Variant, lr: float, grad: Grad, start: tuple[float, float], n_steps: int) -> np.ndarray:
    """Run a ``torch.optim`` optimizer in float64, writing the analytic gradient into ``.grad``."""
    import torch

    param = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = _resolve(variant.reference)([param], lr=lr, **variant.reference_kwargs)
    out = np.empty((n_steps + 1, 2))
    out[0] = start
    for t in range(n_steps):
        x, y = param.detach().tolist()
        param.grad = torch.tensor(grad(x, y), dtype=torch.float64)
        optimizer.step()
        out[t + 1] = param.detach().numpy()
    return out


def run_optax(variant: Variant, lr: float, grad: Grad, start: tuple[float, float], n_steps: int) -> np.ndarray:
    """Run an ``optax`` optimizer in float64 (jitted, as it is normally used)."""
    import jax
    import jax.numpy as jnp
    import optax

    jax.config.update("jax_enable_x64", True)
    tx = _resolve(variant.reference)(learning_rate=lr, **variant.reference_kwargs)

    @jax.jit
    def step(g: Any, state: Any, params: Any) -> tuple[Any, Any]:
        updates, state = tx.update(g, state, params)
        return optax.apply_updates(params, updates), state

    params = jnp.asarray(start, dtype=jnp.float64)
    state = tx.init(params)
    out = np.empty((n_steps + 1, 2))
    out[0] = start
    for t in range(n_steps):
        x, y = np.asarray(params).tolist()
        params, state = step(jnp.asarray(grad(x, y), dtype=jnp.float64), state, params)
        out[t + 1] = np.asarray(params)
    if np.asarray(params).dtype != np.float64:
        raise RuntimeError("optax did not run in float64")
    return out


RUNNERS = {"torch": run_torch, "optax": run_optax}


def departure(a: np.ndarray, b: np.ndarray) -> int | None:
    """First step at which ``a`` leaves ``b`` by more than the departure tolerance, or None."""
    bad = np.abs(a - b) > DEPART_RTOL * np.abs(b) + DEPART_ATOL
    bad = bad.any(axis=1) | ~np.isfinite(a).all(axis=1) | ~np.isfinite(b).all(axis=1)
    return int(np.argmax(bad)) if bad.any() else None


def trusted_steps(variant: Variant, lr: float, grad: Grad, start: tuple[float, float], params: np.ndarray) -> int:
    """Last step before the reference, started ``PERTURBATION`` off, departs from ``params``."""
    run = RUNNERS[variant.library]
    n_steps = len(params) - 1
    trusted = n_steps
    for sx in (1.0, -1.0):
        for sy in (1.0, -1.0):
            moved = (start[0] * (1.0 + sx * PERTURBATION), start[1] * (1.0 + sy * PERTURBATION))
            if moved[0] == start[0] or moved[1] == start[1]:
                raise RuntimeError("the perturbation vanished in rounding")
            k = departure(run(variant, lr, grad, moved, n_steps), params)
            if k is not None:
                trusted = min(trusted, k - 1)
    return trusted


def library_version(library: str) -> str:
    if library == "torch":
        import torch

        return f"torch {torch.__version__}"
    import jax
    import optax

    return f"optax {optax.__version__} (jax {jax.__version__})"


def build_cases(n_steps: int = N_STEPS) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    """Run every (surface, variant) case; return the case table and the parameter arrays."""
    cases: list[dict[str, Any]] = []
    arrays: dict[str, np.ndarray] = {}
    for surface_name, surface in SURFACES.items():
        for variant in VARIANTS:
            name = f"{surface_name}-{variant.name}"
            lr = variant.lr[surface_name]
            params = RUNNERS[variant.library](variant, lr, surface["grad"], surface["start"], n_steps)
            if not np.isfinite(params).all():
                raise RuntimeError(f"{name}: the reference diverged; choose a smaller lr")
            trusted = trusted_steps(variant, lr, surface["grad"], surface["start"], params)
            cases.append(
                {
                    "name": name,
                    "variant": variant.name,
                    "surface": surface["spec"],
                    "factory": variant.factory,
                    "kwargs": {"lr": lr, **variant.kwargs},
                    "start": list(surface["start"]),
                    "n_steps": n_steps,
                    "library": variant.library,
                    "library_version": library_version(variant.library),
                    "reference": variant.describe(lr),
                    "trusted_steps": trusted,
                }
            )
            arrays[f"params/{name}"] = params
            flag = "" if trusted >= MIN_TRUSTED_STEPS else "   <-- too few trusted steps"
            print(f"{name:45s} {variant.library:6s} lr={lr:<8g} trusted_steps={trusted:4d}{flag}")
    return cases, arrays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the fixture")
    args = parser.parse_args()

    versions = {"torch": library_version("torch"), "optax": library_version("optax")}
    if versions["torch"].split()[1].split("+")[0] != TORCH_VERSION:
        print(f"warning: the fixture was made with torch {TORCH_VERSION}; this is {versions['torch']}")
    cases, arrays = build_cases()
    meta = {
        "generator": "tests/engine/reference/make_reference.py",
        "dtype": "float64",
        "perturbation": PERTURBATION,
        "depart_rtol": DEPART_RTOL,
        "depart_atol": DEPART_ATOL,
        "trusted_steps": "last step before a reference started PERTURBATION (relative) off departs from it",
        "versions": {**versions, "numpy": np.__version__, "python": platform.python_version()},
    }
    table = json.dumps({"meta": meta, "cases": cases}, indent=1)
    np.savez_compressed(args.output, cases=np.array(table), **arrays)
    short = [case["name"] for case in cases if case["trusted_steps"] < MIN_TRUSTED_STEPS]
    print(f"wrote {len(cases)} cases to {args.output} ({args.output.stat().st_size} bytes)")
    if short:
        raise SystemExit(f"trusted for fewer than {MIN_TRUSTED_STEPS} steps: {', '.join(short)}")


if __name__ == "__main__":
    main()
