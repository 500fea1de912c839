"""Trajectory and its metrics: effective learning rate, lowest loss, steps to tolerance."""

from __future__ import annotations

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.core import surfaces
from rmsprop_viz.core.surfaces import Quadratic, Rosenbrock, Shifting
from rmsprop_viz.engine.trajectory import best_loss, steps_to

# -------------------------------------------------------------- effective lr


def test_effective_lr_of_sgd_is_lr():
    traj = rv.run(Rosenbrock(), rv.sgd(lr=1e-3), n_steps=30)
    assert traj.effective_lr.shape == (30, 1, 2)
    np.testing.assert_allclose(traj.effective_lr, 1e-3, rtol=1e-14)


def test_effective_lr_of_rmsprop_is_lr_over_root_v_plus_eps():
    lr, eps = 0.01, 1e-6
    traj = rv.run(Rosenbrock(), rv.rmsprop(lr=lr, eps=eps), n_steps=30)
    np.testing.assert_allclose(traj.effective_lr, lr / np.sqrt(traj.states.v + eps), rtol=1e-13)
    # Batched, with one lr per run.
    lrs = np.array([[0.01], [0.003]])
    batch = rv.run(Rosenbrock(), rv.rmsprop(lr=lrs, eps=eps), start=[[-1.5, 2.5], [0.5, 0.5]], n_steps=30)
    expected = lrs[None] / np.sqrt(batch.states.v + eps)
    np.testing.assert_allclose(batch.effective_lr, expected, rtol=1e-13)


def test_effective_lr_is_nan_where_the_gradient_is_zero():
    # Saddle: the gradient along y is exactly 0 on the line y = 0.
    traj = rv.run(surfaces.get("saddle"), rv.sgd(lr=0.1), start=(1.0, 0.0), n_steps=5)
    assert np.isnan(traj.effective_lr[:, 0, 1]).all()
    np.testing.assert_allclose(traj.effective_lr[:, 0, 0], 0.1, rtol=1e-14)


def test_steps_to():
    traj = rv.run(Quadratic(), rv.sgd(lr=0.1), start=(1.0, 0.0), n_steps=50)
    # x_t = 0.9^t, f = x^2 / 2 <= 1e-3 first at 0.81^t <= 2e-3: t = 30.
    assert traj.steps_to(1e-3).tolist() == [30]
    assert traj.steps_to(1e-30).tolist() == [-1]
    with pytest.raises(ValueError, match="tol must be a finite number > 0"):
        traj.steps_to(0.0)


# ------------------------------------------------------------ steps to tolerance


def _stays_from(values, tol, target=0.0):
    """Reference: the first t with every values[s] - target <= tol for s >= t, else -1."""
    for t in range(len(values)):
        if all(v - target <= tol for v in values[t:]):  # NaN compares False
            return t
    return -1


def test_steps_to_needs_the_run_to_stay_within_tol():
    values = np.array(
        [
            [5.0, 0.5, 2.0, 0.1, 0.05, 0.01],  # touches tol 1 at step 1, leaves, stays from 3
            [5.0, 0.5, 0.4, 0.3, 0.2, 0.1],  # stays from 1
            [5.0, 0.5, 0.4, 0.3, 0.2, 3.0],  # leaves at the end: never
            [0.1, 0.1, 0.1, np.nan, np.nan, np.nan],  # diverged: never
            [9.0, 9.0, 9.0, 9.0, 9.0, 1.0],  # only the last step
        ]
    ).T
    traj = _hand_made(values)
    assert traj.steps_to(1.0).tolist() == [3, 1, -1, -1, 5]
    assert traj.steps_to(1.0, target=1.5).tolist() == [1, 1, -1, -1, 5]
    for column in values.T:
        assert _stays_from(column, 1.0) in traj.steps_to(1.0).tolist()


def _hand_made(values, changed_at=0):
    n, runs = values.shape
    zeros = np.zeros((n - 1, runs, 2))
    return rv.Trajectory("", np.zeros((n, runs, 2)), values, zeros, zeros, (), np.full(runs, -1), changed_at)


def test_steps_to_counts_from_the_last_change():
    values = np.array([[5.0, 0.5, 0.1, 4.0, 2.0, 0.5, 0.2]]).T
    assert _hand_made(values).steps_to(1.0).tolist() == [5]
    assert _hand_made(values, changed_at=3).steps_to(1.0).tolist() == [2]  # steps 3, 4: above; from 5 on
    assert _hand_made(values, changed_at=6).steps_to(1.0).tolist() == [0]


def test_steps_to_on_a_real_run_that_overshoots():
    # Heavy-ball momentum on a bowl passes through the minimum and comes back out: its
    # loss touches a tolerance long before it stays below it.
    traj = rv.run(Quadratic(), rv.sgd(lr=0.1, momentum=0.9), start=(1.0, 0.0), n_steps=300)
    values = traj.values[:, 0]
    tol = 1e-3
    first_touch = int(np.argmax(values <= tol))
    stays = _stays_from(values, tol)
    assert 0 < first_touch < stays - 10
    assert traj.steps_to(tol).tolist() == [stays]
    out = rv.sweep(Quadratic(), rv.sgd, {"lr": [0.1]}, (1.0, 0.0), 300, "steps", fixed={"momentum": 0.9}, tol=tol)
    assert out.tolist() == [stays]


def test_steps_to_on_a_shifting_surface_counts_from_the_change():
    # Within tol before the change at step 60; the minimum moves and the loss jumps;
    # "steps to tol" is the time to recover, counted from step 60.
    surface = Shifting(Quadratic(condition=4.0), at_step=60, scale=3.0, shift=(0.5, -0.5))
    traj = rv.run(surface, rv.rmsprop(lr=0.05), start=(1.0, 1.0), n_steps=200)
    assert traj.changed_at == 60
    values = traj.values[:, 0]
    tol = 1e-2
    assert values[59] <= tol < values[60]
    recovery = _stays_from(values[60:], tol)
    assert recovery > 0
    assert traj.steps_to(tol).tolist() == [recovery]
    out = rv.sweep(
        surface, rv.rmsprop, grid={"lr": [0.05, 0.05]}, start=(1.0, 1.0), n_steps=200, metric="steps", tol=tol
    )
    assert out.tolist() == [recovery, recovery]
    # A change after the last step does not count.
    late = rv.run(Shifting(Quadratic(condition=4.0), at_step=500), rv.rmsprop(lr=0.05), start=(1.0, 1.0), n_steps=200)
    assert late.changed_at == 0


def test_best_loss_and_steps_to_on_a_loss_history():
    # Two runs by hand: one reaches 0.5 and stays; one diverges (NaN) after touching 0.1.
    values = np.array([[4.0, 4.0], [0.5, 0.1], [0.4, np.nan], [0.5, np.nan]])
    assert best_loss(values).tolist() == [0.4, 0.1]
    assert steps_to(values, tol=0.5).tolist() == [1, -1]
    assert steps_to(values, tol=0.45, since=2).tolist() == [-1, -1]
    assert steps_to(values, tol=1.0, target=-0.5).tolist() == [1, -1]
    assert np.isnan(best_loss(np.full((3, 1), np.nan))).all()


# -------------------------------------------------------------- the floor and the scale


def test_loss_floor_is_the_loss_at_the_minimum_after_the_last_change():
    from rmsprop_viz.engine.trajectory import loss_floor

    base = surfaces.MiniBatchLeastSquares()
    w = np.asarray(base.minima[0], dtype=np.float64)
    at_minimum = float(base.value(w))  # the least-squares residual: not zero
    assert at_minimum > 0
    assert loss_floor(base, 50) == at_minimum
    shifted = Shifting(base, at_step=20, scale=3.0, shift=(0.5, -0.5))
    assert loss_floor(shifted, 10) == at_minimum  # before the change: the base's minimum
    np.testing.assert_allclose(loss_floor(shifted, 50), 3.0 * at_minimum, rtol=1e-14)  # after it, 3 f
    assert loss_floor(Rosenbrock(), 10) == 0.0


def test_gap_scale_is_the_largest_finite_start_loss_above_the_floor():
    from rmsprop_viz.engine.trajectory import gap_scale

    surface = Quadratic(condition=10)
    runs = rv.race(surface, {"a": rv.sgd(lr=0.01), "b": rv.sgd(lr=0.02)}, start=(1.0, 1.0), n_steps=3)
    by_hand = 0.5 * (1.0 + 10.0)  # f = (x^2 + 10 y^2) / 2 at (1, 1), minimum 0
    assert gap_scale([t.values[0, 0] for t in runs.values()], floor=0.0) == by_hand
    assert gap_scale([4.0, float("nan"), 2.5], floor=1.5) == 2.5
    assert gap_scale([1.0], floor=2.0) == 1.0  # no gap above the floor: the unit scale
    assert gap_scale([float("inf")], floor=0.0) == 1.0
