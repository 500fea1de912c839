"""One divergence rule, the same step from every loop.

A run diverges at the first step whose point is not finite or leaves the escape box, or
whose loss is not finite (``rmsprop_viz.engine.divergence``). Each case below has its
step derived by hand, and every way of running it must report that step: the traced
single run, the plain single run (a user's own optimizer), a batch, and a sweep with
the plain loop and with numba.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.core import surfaces
from rmsprop_viz.core.surfaces import Quadratic, Rosenbrock, xy_formulas
from rmsprop_viz.engine import divergence
from rmsprop_viz.engine.accel import compiled
from rmsprop_viz.engine.accel.tracing import fused_loop
from rmsprop_viz.engine.divergence import escape_box

needs_numba = pytest.mark.skipif(not compiled.available(), reason="numba is part of the test extra")


class Cliff:
    """A user's own surface: ``0.5 (x - 3)^2 + 0.5 y^2``, broken beyond ``x = 1.2``.

    ``broken="grad"``: the gradient is NaN there (so is the next point); ``"value"``: the
    loss is NaN there, the gradient is fine (the point stays finite and inside the box).
    """

    name = "cliff"
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    minima = ((3.0, 0.0),)
    default_start = (0.5, 0.0)

    def __init__(self, broken: str) -> None:
        self.broken = broken

    def value(self, points: Any, step: Any = 0) -> Any:
        p = np.asarray(points, dtype=np.float64)
        x, y = p[..., 0], p[..., 1]
        f = 0.5 * (x - 3.0) ** 2 + 0.5 * y * y
        return np.where(x > 1.2, np.nan, f) if self.broken == "value" else f

    def grad(self, points: Any, step: Any = 0) -> Any:
        p = np.asarray(points, dtype=np.float64)
        x, y = p[..., 0], p[..., 1]
        gx = x - 3.0
        if self.broken == "grad":
            gx = np.where(x > 1.2, np.nan, gx)
        return np.stack([gx, y], axis=-1)


def _plain(optimizer: rv.Optimizer) -> rv.Optimizer:
    """The same rule, but a user's own optimizer: never traced, never compiled."""
    update = optimizer.update
    return rv.Optimizer(optimizer.init, lambda g, state: update(g, state))


def _first_escape(factor: float, half_height: float) -> int:
    """First t with |factor|^t > half_height, for y_t = factor^t y_0 with y_0 = 1."""
    return math.floor(math.log(half_height) / math.log(abs(factor))) + 1


# SGD with lr on Quadratic(condition=10) from (0, 1): y_t = (1 - 10 lr)^t, and the box of
# the window (-2, 2) reaches 50 window heights (200) either side of 0.
BOX_HALF = 200.0
# x_t = 3 - 2.5 * 0.75^t with SGD lr=0.25 from x = 0.5: 0.5, 1.125, 1.59375, ... so
# x_2 is the first point beyond 1.2.
CASES: dict[str, tuple[Any, float, tuple[float, float], int]] = {
    # the gradient at x_2 is NaN, so the point x_3 is NaN
    "nan": (Cliff("grad"), 0.25, (0.5, 0.0), 3),
    # the loss at x_2 is NaN while the point is finite and inside the box
    "loss": (Cliff("value"), 0.25, (0.5, 0.0), 2),
    # |y_t| = 1.5^t > 200 first at t = 14
    "escape": (Quadratic(condition=10.0), 0.25, (0.0, 1.0), 14),
    # |y_t| = 1.01^t > 200 first at t = 533
    "late": (Quadratic(condition=10.0), 0.201, (0.0, 1.0), 533),
}


def test_the_hand_derived_steps() -> None:
    assert _first_escape(1 - 10 * 0.25, BOX_HALF) == 14
    assert _first_escape(1 - 10 * 0.201, BOX_HALF) == 533
    assert 1.5**13 < BOX_HALF < 1.5**14
    assert divergence.escape_box(Quadratic(condition=10.0)) == (0.0, 0.0, BOX_HALF, BOX_HALF)
    xs = [0.5]
    for _ in range(3):
        xs.append(xs[-1] - 0.25 * (xs[-1] - 3.0))
    assert xs[1] <= 1.2 < xs[2]


@pytest.mark.parametrize("case", list(CASES))
def test_single_runs_traced_and_plain_agree_on_the_step(case: str) -> None:
    surface, lr, start, step = CASES[case]
    n_steps = step + 20
    optimizer = rv.sgd(lr)
    assert fused_loop(optimizer.update, optimizer.init(0.0), xy_formulas(surface)[1]) is not None
    traced = rv.run(surface, optimizer, start=start, n_steps=n_steps)
    plain = rv.run(surface, _plain(optimizer), start=start, n_steps=n_steps)
    for traj in (traced, plain):
        assert traj.diverged_at.tolist() == [step]
        assert np.isfinite(traj.params[:step]).all()
        assert np.isnan(traj.params[step:]).all()
        assert np.isnan(traj.values[step:]).all()
        assert np.isnan(traj.grads[step:]).all()
    np.testing.assert_array_equal(traced.params, plain.params)


@pytest.mark.parametrize("case", list(CASES))
def test_a_batch_marks_only_the_diverging_run_at_the_same_step(case: str) -> None:
    surface, lr, start, step = CASES[case]
    # The second run creeps (lr 1e-6): it neither escapes nor reaches x = 1.2.
    traj = rv.run(surface, rv.sgd(np.array([[lr], [1e-6]])), start=[start, start], n_steps=step + 20)
    assert traj.diverged_at.tolist() == [step, -1]


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=needs_numba)])
@pytest.mark.parametrize("case", list(CASES))
def test_sweeps_mark_the_same_step_for_every_metric(case: str, backend: str) -> None:
    surface, lr, start, step = CASES[case]
    n_steps = step + 20
    grid = {"lr": [0.01, lr]}  # the first stays put
    common: dict[str, Any] = {"start": start, "n_steps": n_steps, "backend": backend}
    assert rv.sweep(surface, rv.sgd, grid, metric="diverged", **common).tolist() == [-1, step]
    # A callable metric sees the whole loss history and the same steps.
    assert rv.sweep(surface, rv.sgd, grid, metric=lambda values, at: at, **common).tolist() == [-1, step]
    final = rv.sweep(surface, rv.sgd, grid, metric="final", **common)
    assert np.isfinite(final[0])
    assert np.isnan(final[1])
    # The lowest loss is taken over the steps before the divergence only.
    best = rv.sweep(surface, rv.sgd, grid, metric="best", **common)
    single = rv.run(surface, rv.sgd(lr), start=start, n_steps=n_steps)
    assert best[1] == np.min(single.values[:step])

    def plain_sgd(**kwargs: Any) -> rv.Optimizer:
        return _plain(rv.sgd(**kwargs))

    assert rv.sweep(surface, plain_sgd, grid, metric="diverged", **common).tolist() == [-1, step]


@needs_numba
@pytest.mark.parametrize("case", ["escape", "late"])
def test_the_compiled_loop_is_the_one_that_ran(case: str) -> None:
    surface, lr, start, step = CASES[case]
    optimizer = rv.sgd(np.array([0.01, lr]))
    state = optimizer.init(np.zeros((2, 2)))
    loop = compiled.compiled_loop(optimizer.update, state, *reversed(xy_formulas(surface)))
    assert loop is not None
    p = np.array([[start[0]] * 2, [start[1]] * 2])
    diverged_at = np.full(2, -1, dtype=np.int64)
    record = np.empty((step + 21, 2))
    loop(p, step + 20, record, diverged_at, divergence.box_of(surface))
    assert diverged_at.tolist() == [-1, step]


def test_park_notes_the_first_step_only_and_keeps_the_run_finite() -> None:
    box = divergence.box_of(Quadratic())
    p = np.array([[0.5, 300.0, np.nan], [0.0, 0.0, 1.0]])
    diverged_at = np.array([-1, -1, 4])
    divergence.park(box, p, diverged_at, 7)
    assert diverged_at.tolist() == [-1, 7, 4]
    assert p.tolist() == [[0.5, 0.0, 0.0], [0.0, 0.0, 0.0]]


def test_first_bad_loss_only_brings_the_step_forward() -> None:
    diverged_at = np.array([-1, 5, 1, -1])
    values = np.array([[1.0, 1.0, 1.0, 1.0], [1.0, np.nan, 2.0, 1.0], [np.nan, 3.0, np.nan, 1.0]])
    divergence.first_bad_loss(diverged_at, values, [0, 3, 6])
    assert diverged_at.tolist() == [6, 3, 1, -1]


def test_blank_overwrites_from_the_step_on() -> None:
    values = np.ones((4, 3))
    params = np.ones((4, 3, 2))
    counter = np.arange(4)
    divergence.blank(np.array([2, -1, 0]), [values, params, counter])
    expected = [[False, False, True], [False, False, True], [True, False, True], [True, False, True]]
    assert np.isnan(values).tolist() == expected
    np.testing.assert_array_equal(np.isnan(params[..., 0]), np.isnan(values))
    assert counter.tolist() == [0, 1, 2, 3]


# ------------------------------------------------------------------ single runs and batches


def test_divergence_is_marked_with_nan_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = rv.run(Rosenbrock(), rv.sgd(lr=0.1), n_steps=50)
    k = int(traj.diverged_at[0])
    assert k >= 1
    assert traj.diverged[0]
    assert np.isfinite(traj.params[:k]).all()
    assert np.isfinite(traj.values[:k]).all()
    assert np.isnan(traj.params[k:]).all()
    assert np.isnan(traj.values[k:]).all()
    assert np.isnan(traj.grads[k:]).all()
    assert np.isnan(traj.updates[k:]).all()
    assert np.isnan(traj.states.b[k:]).all()
    assert np.isnan(traj.final_value[0])
    assert np.isfinite(traj.best_value[0])
    # The step before diverging is a real step; the position reached at k is out of bounds.
    assert np.isfinite(traj.grads[: k - 1]).all()
    cx, cy, hw, hh = escape_box(Rosenbrock())
    reached = traj.params[k - 1, 0] + traj.updates[k - 1, 0]
    assert not (abs(reached[0] - cx) <= hw and abs(reached[1] - cy) <= hh and np.isfinite(reached).all())


@pytest.mark.parametrize("variant", ["sgd", "momentum", "adagrad-eps-out", "rmsprop-eps-in", "adam"])
def test_diverging_runs_never_warn(variant):
    # Huge learning rates push every optimizer to overflow, inf - inf and 0 * inf.
    factory = {"sgd": rv.sgd, "momentum": rv.sgd, "adagrad-eps-out": rv.adagrad, "rmsprop-eps-in": rv.rmsprop}
    factory = factory.get(variant, rv.adam)
    kwargs = {"momentum": 0.9} if variant == "momentum" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        single = rv.run(Rosenbrock(), factory(lr=1e3, **kwargs), n_steps=30)
        batch = rv.run(Rosenbrock(), factory(lr=1e3, **kwargs), start=[[-1.5, 2.5], [0.5, 0.5]], n_steps=30)
        rv.run(surfaces.get("rastrigin"), factory(lr=1e6, **kwargs), n_steps=30)
    assert single.diverged_at[0] >= 0
    assert (batch.diverged_at >= 0).all()


def test_batch_marks_only_the_runs_that_diverge():
    lr = np.array([[0.1], [1e-4], [0.1], [1e-4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = rv.run(Rosenbrock(), rv.sgd(lr=lr), start=np.tile([-1.5, 2.5], (4, 1)), n_steps=50)
    assert (traj.diverged_at[[0, 2]] >= 0).all()
    np.testing.assert_array_equal(traj.diverged_at[[1, 3]], [-1, -1])
    np.testing.assert_array_equal(traj.diverged, [True, False, True, False])
    assert np.isfinite(traj.params[:, [1, 3]]).all()
    assert np.isfinite(traj.values[:, [1, 3]]).all()
    k = int(traj.diverged_at[0])
    assert np.isnan(traj.params[k:, 0]).all()
    assert np.isfinite(traj.params[:k, 0]).all()
    # Same as the single runs.
    alone = rv.run(Rosenbrock(), rv.sgd(lr=0.1), n_steps=50)
    assert traj.diverged_at[0] == alone.diverged_at[0]


def test_non_diverging_run_has_diverged_at_minus_one():
    traj = rv.run(Quadratic(), rv.rmsprop(lr=0.01), n_steps=100)
    np.testing.assert_array_equal(traj.diverged_at, [-1])
    assert not traj.diverged.any()
    assert np.isfinite(traj.params).all()
    assert np.isfinite(traj.values).all()


def test_leaving_the_escape_box_counts_as_divergence():
    # SGD with lr = 0.25 on Quadratic(condition=10) multiplies y by 1 - 2.5 = -1.5 per
    # step (x by 0.75): the loss stays finite, but y leaves the box of half-height
    # 50 * 4 = 200 around 0 at the first step t with 1.2 * 1.5^t > 200, t = 13.
    cx, cy, hw, hh = escape_box(Quadratic())
    assert (cx, cy, hw, hh) == (0.0, 0.0, 200.0, 200.0)
    traj = rv.run(Quadratic(), rv.sgd(lr=0.25), start=(-1.8, 1.2), n_steps=30)
    assert int(traj.diverged_at[0]) == 13
    assert np.isfinite(traj.params[:13]).all()
    assert np.isnan(traj.params[13:]).all()


def test_a_rosenbrock_sweep_marks_the_steps_of_separate_runs() -> None:
    grid = {"lr": [1e-4, 1e-3, 0.01, 0.1]}
    steps = rv.sweep(Rosenbrock(), rv.sgd, grid=grid, n_steps=50, metric="diverged", backend="numpy")
    assert steps.tolist()[:2] == [-1, -1]
    assert (steps[2:] > 0).all()
    alone = [int(rv.run(Rosenbrock(), rv.sgd(lr), n_steps=50).diverged_at[0]) for lr in grid["lr"]]
    assert steps.tolist() == alone
