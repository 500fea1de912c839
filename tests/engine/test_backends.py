"""The sweep's step loops agree to the bit: plain calls and numba.

A sweep runs its step loop one of two ways (``rmsprop_viz.engine.sweeps``): calling the
optimizer's ``update`` and the surface's ``grad_xy`` each step (``backend="numpy"``, the
reference, and the only way for a user's own functions); or the traced rule compiled
with numba. Every optimizer variant, with two hyperparameters swept at once, must give
identical numbers both ways.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.core.surfaces import xy_formulas
from rmsprop_viz.engine import sweeps
from rmsprop_viz.engine.accel import compiled as _compiled
from rmsprop_viz.engine.accel import tracing as _tracing

LR = np.geomspace(1e-3, 0.3, 5)

# (factory, fixed keyword arguments, the second swept parameter and its values)
VARIANTS: dict[str, tuple[Any, dict[str, Any], str, list[float]]] = {
    "sgd": (rv.sgd, {}, "momentum", [0.0]),
    "momentum": (rv.sgd, {}, "momentum", [0.0, 0.5, 0.9]),
    "nesterov": (rv.sgd, {"nesterov": True}, "momentum", [0.5, 0.9]),
    "adagrad-eps-out": (rv.adagrad, {}, "initial_accumulator", [0.0, 0.1]),
    "adagrad-eps-in": (rv.adagrad, {"eps_in_sqrt": True}, "eps", [1e-8, 1e-2]),
    "rmsprop-eps-in": (rv.rmsprop, {}, "beta", [0.0, 0.9, 0.99]),
    "rmsprop-eps-out": (rv.rmsprop, {"eps_in_sqrt": False}, "beta", [0.5, 0.9]),
    "rmsprop-centered": (rv.rmsprop, {"centered": True}, "beta", [0.5, 0.9]),
    "rmsprop-momentum": (rv.rmsprop, {}, "momentum", [0.0, 0.5, 0.9]),
    "rmsprop-bias-correction": (rv.rmsprop, {"bias_correction": True}, "beta", [0.5, 0.999]),
    "rmsprop-initial-v": (rv.rmsprop, {}, "initial_v", [0.0, 1.0]),
    "rmsprop-everything": (
        rv.rmsprop,
        {"eps_in_sqrt": False, "centered": True, "momentum": 0.5, "initial_v": 0.5, "bias_correction": True},
        "beta",
        [0.5, 0.95],
    ),
    "adam": (rv.adam, {}, "beta2", [0.9, 0.999]),
    "adam-beta1": (rv.adam, {}, "beta1", [0.0, 0.9]),
    "amsgrad": (rv.adam, {"amsgrad": True}, "beta2", [0.9, 0.999]),
}

N_STEPS = 60


def sweep(variant: str, surface: rv.Surface, metric: str, **kwargs: Any) -> np.ndarray:
    factory, fixed, key, values = VARIANTS[variant]
    return rv.sweep(
        surface, factory, grid={"lr": LR, key: values}, fixed=fixed, n_steps=N_STEPS, metric=metric, **kwargs
    )


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_variant_is_traced_with_constants_folded(variant: str) -> None:
    factory, fixed, key, values = VARIANTS[variant]
    optimizer = factory(lr=np.full(4, 0.01), **{**fixed, key: np.full(4, values[-1])})
    value_xy, grad_xy = xy_formulas(rv.Rosenbrock())
    traced = _tracing.trace_step(optimizer.update, optimizer.init(np.zeros((2, 4))), grad_xy, value_xy)
    assert traced is not None
    assert traced.gradient is not None
    assert traced.loss is not None
    # Whatever depends on hyperparameters alone (1 - beta, -lr) was computed while
    # tracing: every operation left in the loop reads something that changes.
    for out, template, args in traced.ops:
        assert not all(a.startswith("k") for a in args), (out, template, args)


#: Operations that are correctly rounded in IEEE arithmetic, so every loop (Python
#: floats, numpy's vectorised loops on any CPU, numba) gives the same bits for them.
EXACT_OPERATIONS = {"{} + {}", "{} - {}", "{} * {}", "{} / {}", "-{}", "_sqrt({})", "_maximum({}, {})"}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_loops_use_only_correctly_rounded_operations(variant: str) -> None:
    # pow, exp and log differ in the last bit between the C library, numpy's SIMD loops
    # (which depend on the CPU) and numba: none may appear in a step.
    factory, fixed, key, values = VARIANTS[variant]
    optimizer = factory(lr=np.full(4, 0.01), **{**fixed, key: np.full(4, values[-1])})
    for name in rv.surfaces.names():
        value_xy, grad_xy = xy_formulas(rv.surfaces.get(name))
        traced = _tracing.trace_step(optimizer.update, optimizer.init(np.zeros((2, 4))), grad_xy, value_xy)
        assert traced is not None
        assert {template for _, template, _ in traced.ops} <= EXACT_OPERATIONS, name
    assert set(_compiled._EXPRESSIONS) <= EXACT_OPERATIONS


def test_a_rule_raising_to_a_power_is_not_traced() -> None:
    def update(g: Any, state: rv.optimizers.AdamState) -> tuple[Any, Any]:
        t = state.t + 1
        return -0.1 * g / (1.0 - 0.9**t), state._replace(t=t)

    template = rv.adam(0.1).init(np.zeros((2, 3)))
    grad_xy = xy_formulas(rv.Quadratic())[1]
    assert _tracing.trace_step(update, template, grad_xy, None) is None
    assert _tracing.fused_loop(update, rv.adam(0.1).init(0.0), grad_xy) is None


def test_untraceable_gradient_is_called_each_step() -> None:
    optimizer = rv.rmsprop(lr=np.full(3, 0.01))
    state = optimizer.init(np.zeros((2, 3)))
    traced = _tracing.trace_step(optimizer.update, state, xy_formulas(rv.surfaces.get("noisy"))[1], None)
    assert traced is not None
    assert traced.gradient is None  # noise keyed by the step cannot be traced
    assert _compiled.compiled_loop(optimizer.update, state, xy_formulas(rv.surfaces.get("noisy"))[1], None) is None


def test_bad_backend_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"backend must be one of auto, numpy, numba, got 'gpu'"):
        rv.sweep(rv.Quadratic(), rv.sgd, grid={"lr": [0.1]}, backend="gpu")


def test_numba_backend_without_numba_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_compiled, "available", lambda: False)
    with pytest.raises(ImportError, match=r"pip install \"rmsprop-viz\[fast\]\""):
        rv.sweep(rv.Quadratic(), rv.sgd, grid={"lr": [0.1]}, backend="numba")
    # "auto" falls back to the plain loop quietly, whatever the size.
    monkeypatch.setattr(sweeps, "NUMBA_MIN_WORK", 1000)
    lrs = np.linspace(0.01, 0.1, 100)
    out = rv.sweep(rv.Quadratic(), rv.sgd, grid={"lr": lrs}, n_steps=sweeps.NUMBA_MIN_WORK // 10)
    assert np.isfinite(out).all()


# ------------------------------------------------------------------ numba

needs_numba = pytest.mark.skipif(not _compiled.available(), reason="numba is part of the test extra")


def test_numba_is_installed_with_the_test_extra() -> None:
    # The numba tests below skip without it; the test extra installs it, so they run.
    assert _compiled.available()


@needs_numba
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_numba_loop_equals_the_plain_loop(variant: str) -> None:
    # Each kind of loop compiles once (about a second), so: every variant on Rosenbrock
    # recording the loss, and the other surfaces and metrics below.
    surface = rv.Rosenbrock()
    np.testing.assert_array_equal(
        sweep(variant, surface, "best", backend="numba"), sweep(variant, surface, "best", backend="numpy")
    )


@needs_numba
@pytest.mark.parametrize("surface_name", ["quadratic", "beale", "himmelblau", "saddle", "rastrigin"])
@pytest.mark.parametrize("variant", ["rmsprop-everything", "amsgrad"])
def test_numba_loop_equals_the_plain_loop_on_other_surfaces(variant: str, surface_name: str) -> None:
    surface = rv.surfaces.get(surface_name)
    for metric in ("final", "steps"):
        np.testing.assert_array_equal(
            sweep(variant, surface, metric, backend="numba"), sweep(variant, surface, metric, backend="numpy")
        )


@needs_numba
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_numba_loop_marks_divergence_like_the_plain_loop(momentum: float) -> None:
    def run(metric: str, backend: str) -> np.ndarray:
        grid = {"lr": [1e-4, 1e-3, 0.01, 0.1, 1.0]}
        return rv.sweep(
            rv.Rosenbrock(), rv.sgd, grid=grid, fixed={"momentum": momentum}, n_steps=80, metric=metric, backend=backend
        )

    steps = run("diverged", "numba")
    np.testing.assert_array_equal(steps, run("diverged", "numpy"))
    assert (steps > 0).any()  # some of them do diverge
    assert (steps == -1).any()
    np.testing.assert_array_equal(run("best", "numba"), run("best", "numpy"))


@needs_numba
def test_noisy_surface_with_numba_backend_uses_the_plain_loop() -> None:
    noisy = rv.surfaces.get("noisy")
    grid = {"lr": [0.001, 0.01], "beta": [0.5, 0.9]}
    np.testing.assert_array_equal(
        rv.sweep(noisy, rv.rmsprop, grid=grid, n_steps=30, backend="numba"),
        rv.sweep(noisy, rv.rmsprop, grid=grid, n_steps=30, backend="numpy"),
    )


@needs_numba
def test_compiled_loop_is_cached_on_disk_and_reused(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import numpy as np, rmsprop_viz as rv
        out = rv.sweep(rv.Rosenbrock(), rv.rmsprop, grid={"lr": [0.001, 0.01, 0.1], "beta": [0.5, 0.9]},
                       n_steps=100, metric="best", backend="numba")
        print(repr(out.tolist()))
        """
    )
    env = {**os.environ, "RMSPROP_VIZ_CACHE": str(tmp_path)}

    def fresh_process() -> str:
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        return done.stdout

    first = fresh_process()
    sources = sorted(tmp_path.glob("rmsprop_viz_kernel_*.py"))
    assert len(sources) == 1
    assert "def kernel(" in sources[0].read_text()
    cached = sorted(p.name for p in (tmp_path / "__pycache__").iterdir())
    assert any(name.endswith(".nbi") for name in cached)  # numba's index of compiled versions
    assert first == fresh_process()  # loaded from the cache: same numbers
    expected = rv.sweep(
        rv.Rosenbrock(), rv.rmsprop, grid={"lr": [0.001, 0.01, 0.1], "beta": [0.5, 0.9]}, n_steps=100, metric="best"
    )
    assert first.strip() == repr(expected.tolist())


def test_unwritable_cache_folder_compiles_in_memory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("RMSPROP_VIZ_CACHE", str(blocker / "kernels"))
    assert _compiled.cache_dir() is None
    if _compiled.available():
        out = rv.sweep(rv.Quadratic(), rv.rmsprop, grid={"lr": [0.01, 0.02]}, n_steps=20, backend="numba")
        np.testing.assert_array_equal(
            out, rv.sweep(rv.Quadratic(), rv.rmsprop, grid={"lr": [0.01, 0.02]}, n_steps=20, backend="numpy")
        )


@needs_numba
def test_auto_takes_numba_from_numba_min_work(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = _compiled.compiled_loop

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_compiled, "compiled_loop", spy)
    grid = {"lr": [0.01, 0.02, 0.03, 0.04]}  # 4 runs x 50 steps = 200 run-steps
    monkeypatch.setattr(sweeps, "NUMBA_MIN_WORK", 201)
    below = rv.sweep(rv.Quadratic(), rv.sgd, grid=grid, n_steps=50)
    assert calls == []
    monkeypatch.setattr(sweeps, "NUMBA_MIN_WORK", 200)
    at = rv.sweep(rv.Quadratic(), rv.sgd, grid=grid, n_steps=50)
    assert calls == [1]
    np.testing.assert_array_equal(below, at)
