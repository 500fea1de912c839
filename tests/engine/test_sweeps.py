"""Sweeps: a batched grid run agrees with separate runs, cell by cell."""

from __future__ import annotations

import importlib.util
import re

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.engine import sweeps
from rmsprop_viz.engine.best import best_cell
from rmsprop_viz.engine.sweeps import BEST_LRS, best_lr, sweep_map

LRS = [1e-3, 1e-2, 0.1]
BETAS = [0.5, 0.9, 0.99]


def test_shape_follows_grid_order() -> None:
    out = rv.sweep(rv.Quadratic(), rv.rmsprop, grid={"lr": LRS, "beta": BETAS[:2]}, n_steps=20)
    assert out.shape == (3, 2)
    flipped = rv.sweep(rv.Quadratic(), rv.rmsprop, grid={"beta": BETAS[:2], "lr": LRS}, n_steps=20)
    np.testing.assert_array_equal(flipped, out.T)


@pytest.mark.parametrize("surface", [rv.Rosenbrock(), rv.Quadratic(condition=20, angle=30)], ids=["rosen", "quad"])
def test_each_cell_equals_a_separate_run(surface: rv.Surface) -> None:
    final = rv.sweep(surface, rv.rmsprop, grid={"lr": LRS, "beta": BETAS}, n_steps=40, metric="final")
    best = rv.sweep(surface, rv.rmsprop, grid={"lr": LRS, "beta": BETAS}, n_steps=40, metric="best")
    for i, lr in enumerate(LRS):
        for j, beta in enumerate(BETAS):
            traj = rv.run(surface, rv.rmsprop(lr, beta=beta), n_steps=40)
            # The same IEEE operations in the same order: equal to the bit.
            assert final[i, j] == traj.final_value[0]
            assert best[i, j] == traj.best_value[0]


def test_divergence_step_matches_run() -> None:
    # SGD on the quadratic diverges above lr = 2 / condition = 0.2.
    lrs = [0.1, 0.19, 0.21, 0.3, 1.0]
    steps = rv.sweep(rv.Quadratic(), rv.sgd, grid={"lr": lrs}, n_steps=300, metric="diverged")
    for lr, got in zip(lrs, steps):
        assert got == rv.run(rv.Quadratic(), rv.sgd(lr), n_steps=300).diverged_at[0]
    assert steps[0] == -1
    assert steps[1] == -1
    assert (steps[2:] > 0).all()
    final = rv.sweep(rv.Quadratic(), rv.sgd, grid={"lr": lrs}, n_steps=300)
    assert np.isnan(final[2:]).all()
    assert np.isfinite(final[:2]).all()


def test_steps_to_tolerance_matches_trajectory() -> None:
    surface = rv.Quadratic(condition=5)
    steps = rv.sweep(surface, rv.sgd, grid={"lr": [0.01, 0.1, 0.3]}, n_steps=200, metric="steps", tol=1e-4)
    for lr, got in zip([0.01, 0.1, 0.3], steps):
        assert got == rv.run(surface, rv.sgd(lr), n_steps=200).steps_to(1e-4)[0]
    assert steps[0] == -1  # too slow to get there in 200 steps
    assert steps[1] > 0


def test_fixed_parameters_and_callable_metric() -> None:
    grid = {"lr": [0.01, 0.02]}
    a = rv.sweep(rv.Quadratic(), rv.rmsprop, grid=grid, n_steps=30, fixed={"eps": 1e-2, "eps_in_sqrt": False})
    b = [
        rv.run(rv.Quadratic(), rv.rmsprop(lr, eps=1e-2, eps_in_sqrt=False), n_steps=30).final_value[0]
        for lr in [0.01, 0.02]
    ]
    np.testing.assert_allclose(a, b, rtol=1e-12)
    first = rv.sweep(rv.Quadratic(), rv.rmsprop, grid=grid, n_steps=30, metric=lambda values, div: values[1])
    assert first.shape == (2,)
    assert first[0] > first[1]


def test_noisy_surface_gives_every_cell_the_same_noise() -> None:
    noisy = rv.surfaces.Noisy(rv.Quadratic(), sigma=0.5, seed=3)
    out = rv.sweep(noisy, rv.sgd, grid={"lr": [0.05, 0.05]}, n_steps=50)
    assert out[0] == out[1]
    assert out[0] == rv.run(noisy, rv.sgd(0.05), n_steps=50).final_value[0]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"grid": {}}, "grid"),
        ({"grid": {"alpha": [0.1]}}, "grid key 'alpha' is not a parameter of rmsprop; it takes lr, beta, eps"),
        ({"grid": {"lr": []}}, "grid['lr']"),
        ({"grid": {"lr": [0.1, -1.0]}}, "lr"),
        ({"grid": {"lr": [0.1]}, "metric": "fastest"}, "metric"),
        ({"grid": {"lr": [0.1]}, "n_steps": 0}, "n_steps"),
        ({"grid": {"lr": [0.1]}, "start": [[0, 0], [1, 1]]}, "start"),
        ({"grid": {"lr": [0.1]}, "tol": 0.0}, "tol"),
        ({"grid": {"lr": [0.1]}, "target": "low"}, "target"),
        ({"grid": {"lr": "fast"}}, "grid['lr']"),
        (
            {"grid": {"lr": [0.1]}, "fixed": {"bogus": 1.0}},
            "fixed key 'bogus' is not a parameter of rmsprop; it takes lr, beta",
        ),
        ({"grid": {"lr": [0.1]}, "fixed": "eps"}, "fixed must be a mapping"),
        ({"grid": {"lr": [0.1]}, "fixed": {"lr": 0.2}}, "'lr' is both in grid and in fixed"),
        ({"grid": {"lr": [0.1]}, "fixed": {"beta": "hi"}}, "beta must be a finite number"),
        ({"grid": {"lr": [0.1]}, "n_steps": 10**12}, "n_steps must be an integer in [1, 1000000]"),
        (
            {"grid": {"lr": np.geomspace(1e-4, 1, 10**5), "beta": np.linspace(0, 0.9, 10**5)}},
            "grid may have at most 1000000 cells (the product of its lengths), got 100000 x 100000",
        ),
        (
            {"grid": {"lr": np.geomspace(1e-4, 0.1, 10**4)}, "n_steps": 10**6},
            "grid cells x n_steps = 10000 x 1000000 is more than the 100000000 run-steps allowed",
        ),
    ],
)
def test_bad_input_names_the_parameter(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(words)):
        rv.sweep(rv.Quadratic(), rv.rmsprop, **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------ sweep_map


@pytest.mark.parametrize("metric", ["final", "best", "steps", "diverged"])
def test_sweep_map_agrees_with_separate_sweeps_and_best_cell(metric: str) -> None:
    surface, grid = rv.Quadratic(condition=10), {"lr": [0.02, 0.05, 0.1, 0.15, 0.19, 0.21, 0.3]}
    found = sweep_map(surface, rv.sgd, grid, (1.0, 1.0), 60, metric, tol=1e-3)
    common = {"start": (1.0, 1.0), "n_steps": 60, "tol": 1e-3}
    expected = rv.sweep(surface, rv.sgd, grid, metric=metric, **common)
    diverged = rv.sweep(surface, rv.sgd, grid, metric="diverged", **common)
    np.testing.assert_array_equal(found.values, expected)
    np.testing.assert_array_equal(found.diverged_at, diverged)
    assert (diverged[-2:] >= 0).all()  # above 2/L = 0.2
    assert (diverged[:-2] < 0).all()
    if metric == "diverged":
        assert found.best is None
    else:
        assert found.best == best_cell(expected, diverged=diverged)
        assert found.best.index == (3,)  # 0.19 is next to 0.21, which diverged
    assert found.target == 0.0
    assert found.scale == 0.5 * (1.0 + 10.0)  # f(1, 1) - f* for f = (x^2 + 10 y^2) / 2
    assert found.n_steps == 60
    assert found.metric == metric
    np.testing.assert_array_equal(found.grid["lr"], grid["lr"])


def test_sweep_map_never_picks_a_run_that_diverged_after_a_good_best_loss() -> None:
    # Above 2/L = 0.2, y grows by |1 - 10 lr| a step: 1.005 at 0.2005 (still in the box
    # after 3000 steps from y = 1e-6), 1.01 at 0.201 (out of it near step 1900). Both
    # reach a tiny loss first, so their best losses are finite and close.
    surface, grid = rv.Quadratic(condition=10), {"lr": [0.2005, 0.201]}
    found = sweep_map(surface, rv.sgd, grid, (1.0, 1e-6), 3000, "best")
    assert np.isfinite(found.values).all()
    assert found.diverged_at[0] == -1
    assert found.diverged_at[1] > 0
    assert best_cell(found.values).index == (0,)  # by the losses alone
    assert found.best is not None
    assert found.best.index is None  # 0.2005's neighbour diverged: nothing qualifies


def test_sweep_map_target_and_scale_follow_the_surfaces_last_change() -> None:
    base = rv.surfaces.MiniBatchLeastSquares()
    surface = rv.surfaces.Shifting(base, at_step=10, scale=4.0)
    found = sweep_map(surface, rv.sgd, {"lr": [0.01, 0.02]}, None, 30)
    at_minimum = float(base.value(np.asarray(base.minima[0], dtype=np.float64)))
    np.testing.assert_allclose(found.target, 4.0 * at_minimum, rtol=1e-14)
    start = float(base.value(np.asarray(base.default_start, dtype=np.float64)))
    np.testing.assert_allclose(found.scale, start - 4.0 * at_minimum, rtol=1e-14)


def test_sweep_map_bad_metric_is_one_line() -> None:
    with pytest.raises(ValueError, match="metric must be one of final, best, steps, diverged"):
        sweep_map(rv.Quadratic(), rv.sgd, {"lr": [0.1]}, metric="worst")


# ------------------------------------------------------------------ best learning rate


def test_best_lrs_are_the_26_log_spaced_values_from_1e5_to_1() -> None:
    assert len(BEST_LRS) == 26
    assert BEST_LRS[0] == 1e-5
    assert BEST_LRS[-1] == 1.0
    assert BEST_LRS[5] == 1e-4  # five steps per decade
    assert BEST_LRS[1] == 1.58e-5  # 10 ** (1 / 5) = 1.5849, three significant digits


@pytest.mark.parametrize("kind", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_best_lr_equals_separate_runs_and_the_rule(kind: str) -> None:
    # The reference: one plain run per learning rate, then the rule by hand.
    surface, start, n_steps = rv.Rosenbrock(), (-1.5, 2.5), 150
    found = best_lr(surface, kind, start=start, n_steps=n_steps)
    made = rv.core.kinds.KINDS[kind]
    finals = [rv.run(surface, made.build(lr=lr), start=start, n_steps=n_steps).final_value[0] for lr in BEST_LRS]
    np.testing.assert_array_equal(found.losses, finals)
    ok = np.isfinite(finals)
    worst = [
        max(finals[j] for j in range(max(i - 1, 0), min(i + 2, len(finals))))
        if ok[max(i - 1, 0) : i + 2].all()
        else np.inf
        for i in range(len(finals))
    ]
    assert np.isfinite(worst).any()
    assert found.lr == BEST_LRS[int(np.argmin(worst))]
    assert found.cell.index == (int(np.argmin(worst)),)
    assert found.n_steps == n_steps


def test_best_lr_keeps_the_other_hyperparameters_of_a_spec_or_of_params() -> None:
    surface = rv.Quadratic(condition=10.0)
    spec = rv.core.kinds.OptimizerSpec("rmsprop", {"lr": 0.5, "beta": 0.99, "eps": 1e-3})
    lrs = [1e-3, 1e-2, 0.1]
    by_spec = best_lr(surface, spec, lrs=lrs, n_steps=40)
    by_kind = best_lr(surface, "rmsprop", lrs=lrs, n_steps=40, params={"beta": 0.99, "eps": 1e-3, "lr": 7.0})
    expected = [rv.run(surface, rv.rmsprop(lr, beta=0.99, eps=1e-3), n_steps=40).final_value[0] for lr in lrs]
    np.testing.assert_array_equal(by_spec.losses, expected)
    np.testing.assert_array_equal(by_kind.losses, expected)


def test_best_lr_none_when_nothing_qualifies() -> None:
    # SGD on Quadratic(condition=10) diverges above 2 / 10 = 0.2: every lr here does.
    found = best_lr(rv.Quadratic(), "sgd", lrs=[0.3, 0.5, 1.0], start=(1.0, 1.0), n_steps=100)
    assert found.lr is None
    assert found.cell.index is None
    assert np.isnan(found.losses).all()


def test_best_lr_asks_for_numba_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = sweeps.sweep

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(str(kwargs["backend"]))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sweeps, "sweep", spy)
    monkeypatch.setattr(sweeps.compiled, "available", lambda: False)
    assert sweeps.repeated_backend() == "numpy"
    plain = best_lr(rv.Rosenbrock(), "adam", n_steps=60)
    monkeypatch.setattr(sweeps.compiled, "available", lambda: True)
    assert sweeps.repeated_backend() == "numba"
    if importlib.util.find_spec("numba") is not None:
        fast = best_lr(rv.Rosenbrock(), "adam", n_steps=60)
        np.testing.assert_array_equal(fast.losses, plain.losses)
        assert seen == ["numpy", "numba"]
    best_lr(rv.Rosenbrock(), "adam", n_steps=60, backend="numpy")
    assert seen[-1] == "numpy"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"optimizer": "lion"}, "optimizer kind must be one of sgd, momentum"),
        ({"lrs": [0.1, 0.01]}, "lrs must be a 1-D list .* strictly increasing"),
        ({"lrs": [0.0, 0.1]}, "lrs must be"),
        ({"lrs": [[0.1, 0.2]]}, "lrs must be a 1-D list"),
        ({"lrs": []}, "lrs must not be empty"),
        ({"params": [1, 2]}, "params must be a mapping"),
        ({"optimizer": rv.core.kinds.OptimizerSpec("sgd", {"lr": 0.1}), "params": {}}, "params go with a kind name"),
        ({"n_steps": 0}, "n_steps"),
    ],
)
def test_best_lr_bad_input_names_the_parameter(kwargs: dict[str, object], words: str) -> None:
    args: dict[str, object] = {"optimizer": "sgd", **kwargs}
    with pytest.raises(ValueError, match=words):
        best_lr(rv.Quadratic(), **args)  # type: ignore[arg-type]
