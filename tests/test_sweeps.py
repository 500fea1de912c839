"""Sweeps: a batched grid run agrees with separate runs, cell by cell."""

from __future__ import annotations

import numpy as np
import pytest

import rmsprop_viz as rv

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
            np.testing.assert_allclose(final[i, j], traj.final_value[0], rtol=1e-10)
            np.testing.assert_allclose(best[i, j], traj.best_value[0], rtol=1e-10)


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
        ({"grid": {"alpha": [0.1]}}, "alpha"),
        ({"grid": {"lr": []}}, "grid['lr']"),
        ({"grid": {"lr": [0.1, -1.0]}}, "lr"),
        ({"grid": {"lr": [0.1]}, "metric": "fastest"}, "metric"),
        ({"grid": {"lr": [0.1]}, "n_steps": 0}, "n_steps"),
        ({"grid": {"lr": [0.1]}, "start": [[0, 0], [1, 1]]}, "start"),
        ({"grid": {"lr": [0.1]}, "tol": 0.0}, "tol"),
    ],
)
def test_bad_input_names_the_parameter(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        rv.sweep(rv.Quadratic(), rv.rmsprop, **kwargs)  # type: ignore[arg-type]
