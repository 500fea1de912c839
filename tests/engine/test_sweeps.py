"""Sweeps: a batched grid run agrees with separate runs, cell by cell."""

from __future__ import annotations

import importlib.util
import re

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.engine import sweeps
from rmsprop_viz.engine.sweeps import BEST_LRS, BestCell, best_cell, best_lr

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


# ------------------------------------------------------------------ best_cell


def test_best_cell_skips_a_lucky_cell_among_bad_ones_1d() -> None:
    # A chaotic stretch (loss 0.5 .. 3) holding one lucky 1e-12, then a steady basin.
    values = np.array([0.5, 3.0, 1e-12, 2.0, 1.0, 1e-3, 1e-5, 1e-4, 1e-2])
    assert int(np.argmin(values)) == 2  # the plain minimum is the lucky cell
    best = best_cell(values)
    assert isinstance(best, BestCell)
    assert best.index == (6,)
    assert best.value == 1e-5
    assert "\n" not in best.rule
    assert "converge" in best.rule


def test_best_cell_skips_a_lucky_cell_in_2d() -> None:
    rng = np.random.default_rng(0)
    values = rng.uniform(0.5, 3.0, size=(7, 8))  # chaotic everywhere ...
    values[3, 3] = 1e-12  # ... with one lucky cell
    values[0:3, 5:8] = 1e-3  # and a steady basin in a corner
    values[1, 6] = 1e-4
    best = best_cell(values)
    assert best.index == (1, 6)
    assert best.value == 1e-4
    assert "3x3" in best.rule


def test_best_cell_rejects_a_cell_next_to_a_diverged_one() -> None:
    values = np.array([[np.nan, 1e-9, 1e-3], [1e-2, 1e-3, 1e-3], [1e-2, 1e-3, 1e-4]])
    best = best_cell(values)
    assert best.index == (2, 2)  # (0, 1) is lower but next to a diverged run (NaN)
    # Runs flagged as diverged (a step >= 0 from metric="diverged", or True) count the
    # same, whatever their value says.
    steady = np.array([1e-3, 1e-3, 1e-6, 1e-3, 1e-3])
    assert best_cell(steady).index == (2,)
    assert best_cell(steady, diverged=[-1, -1, 17, -1, -1]).index == (0,)
    assert best_cell(steady, diverged=[False, True, False, False, False]).index == (3,)


def test_best_cell_finds_the_bottom_of_a_smooth_basin() -> None:
    # A smooth bowl in log10(loss) over an lr x beta grid, its minimum inside the grid.
    i, j = np.meshgrid(np.arange(9), np.arange(6), indexing="ij")
    log_loss = -8.0 + 0.9 * (i - 5.0) ** 2 + 0.6 * (j - 2.0) ** 2 + 0.1 * (i - 5.0) * (j - 2.0)
    best = best_cell(10.0**log_loss)
    assert best.index == (5, 2)
    assert best.value == pytest.approx(1e-8)
    # The same in 1-D, and for a metric where higher is better.
    curve = -((np.arange(11) - 7.0) ** 2)
    assert best_cell(curve, higher_is_better=True).index == (7,)
    assert best_cell(-curve).index == (7,)


def test_best_cell_steps_metric() -> None:
    # Steps to tol: -1 = never reached. Fewest steps (4) is a lone cell beside misses.
    steps = np.array([-1, 4, -1, 60, 40, 35, 45, 90])
    best = best_cell(steps)
    assert best.index == (5,)
    assert best.value == 35.0
    assert best_cell(steps, radius=0).index == (1,)
    grid = np.array([[-1, -1, -1], [-1, 3, -1], [-1, -1, -1]])
    assert best_cell(grid).index is None


def test_best_cell_when_nothing_qualifies() -> None:
    for values in (np.full(5, np.nan), np.full((3, 4), np.inf), np.array([-1, -1]), np.array([1.0, np.nan])):
        best = best_cell(values)
        assert best.index is None
        assert np.isnan(best.value)
        assert best.rule
    assert best_cell([0.25]).index == (0,)  # a one-cell grid has no neighbours to fail


def test_best_cell_on_a_real_sweep_matches_the_plain_minimum_when_steady() -> None:
    # SGD on a quadratic: the final loss is smooth in lr until lr = 2 / condition = 0.2.
    lrs = np.linspace(0.02, 0.3, 15)
    final = rv.sweep(rv.Quadratic(condition=10), rv.sgd, grid={"lr": lrs}, n_steps=30)
    best = best_cell(final)
    assert best.index is not None
    (k,) = best.index
    assert np.isfinite(final[max(k - 1, 0) : k + 2]).all()
    assert lrs[k] < 0.2
    assert best.value == final[k]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"values": [[]]}, "values"),
        ({"values": ["a", "b"]}, "values"),
        ({"values": [True, False]}, "values"),
        ({"values": [1.0, 2.0], "radius": -1}, "radius"),
        ({"values": [1.0, 2.0], "radius": 1000}, "radius"),
        ({"values": [1.0, 2.0], "diverged": [True]}, "diverged"),
        ({"values": [1.0, 2.0], "higher_is_better": "yes"}, "higher_is_better"),
    ],
)
def test_best_cell_bad_input_names_the_parameter(kwargs: dict[str, object], words: str) -> None:
    values = kwargs.pop("values")
    with pytest.raises(ValueError, match=words):
        best_cell(values, **kwargs)  # type: ignore[arg-type]


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
