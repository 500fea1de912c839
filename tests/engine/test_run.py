"""The step loop: trajectories, batching, the traced fast path against the plain loop, bad input."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.core import surfaces
from rmsprop_viz.core.optimizers import AdamState, RMSPropState, SGDState
from rmsprop_viz.core.surfaces import Noisy, Quadratic, Rosenbrock, Shifting, xy_formulas
from rmsprop_viz.engine.accel.tracing import fused_loop
from rmsprop_viz.engine.run import _iterate

# Every optimizer variant, with learning rates that stay finite for 60 steps on every
# registered surface from its default start.
VARIANTS = {
    "sgd": rv.sgd(lr=1e-3),
    "momentum": rv.sgd(lr=1e-3, momentum=0.9),
    "nesterov": rv.sgd(lr=1e-3, momentum=0.9, nesterov=True),
    "adagrad-eps-out": rv.adagrad(lr=0.05),
    "adagrad-eps-in": rv.adagrad(lr=0.05, eps=1e-6, eps_in_sqrt=True, initial_accumulator=0.1),
    "rmsprop-eps-in": rv.rmsprop(lr=0.01),
    "rmsprop-eps-out": rv.rmsprop(lr=0.01, eps_in_sqrt=False),
    "rmsprop-centered": rv.rmsprop(lr=0.01, centered=True),
    "rmsprop-momentum": rv.rmsprop(lr=0.005, momentum=0.9),
    "rmsprop-bias-correction": rv.rmsprop(lr=0.01, bias_correction=True),
    "rmsprop-initial-v": rv.rmsprop(lr=0.01, initial_v=1.0),
    "rmsprop-everything": rv.rmsprop(
        lr=0.005,
        beta=0.95,
        eps=1e-6,
        eps_in_sqrt=False,
        centered=True,
        momentum=0.5,
        initial_v=0.5,
        bias_correction=True,
    ),
    "adam": rv.adam(lr=0.02),
    "amsgrad": rv.adam(lr=0.02, amsgrad=True),
    "adam-no-bias-correction": rv.adam(lr=0.02, bias_correction=False),
}

SURFACES = {name: surfaces.get(name) for name in surfaces.names()}

DETERMINISTIC = ["rosenbrock", "quadratic", "beale", "himmelblau", "saddle", "rastrigin"]


# ---------------------------------------------------------------- trajectories


@pytest.mark.parametrize("surface_name", [*DETERMINISTIC, "shifting"])
@pytest.mark.parametrize("variant", ["sgd", "rmsprop-everything", "adam"])
def test_single_run_trajectory(surface_name, variant):
    surface = SURFACES[surface_name]
    if isinstance(surface, Shifting):
        surface = Shifting(surface.base, at_step=20, scale=3.0, shift=(0.5, -0.2))
    traj = rv.run(surface, VARIANTS[variant], n_steps=40, label="x")
    assert traj.label == "x"
    assert traj.params.shape == (41, 1, 2)
    assert traj.values.shape == (41, 1)
    assert traj.grads.shape == (40, 1, 2)
    assert traj.updates.shape == (40, 1, 2)
    assert traj.diverged_at.shape == (1,)
    assert traj.diverged_at.dtype == np.int64
    assert traj.n_steps == 40
    assert traj.runs == 1
    assert int(traj.diverged_at[0]) == -1
    assert not traj.diverged[0]
    np.testing.assert_array_equal(traj.params[0, 0], surface.default_start)
    # Each position is the previous one plus the update, exactly.
    np.testing.assert_array_equal(traj.params[1:], traj.params[:-1] + traj.updates)
    # The recorded loss and gradient are the surface's at the recorded positions (and steps).
    steps = np.arange(41)
    expected_values = np.array([surface.value(traj.params[t, 0], step=t) for t in steps])
    np.testing.assert_allclose(traj.values[:, 0], expected_values, rtol=1e-13, atol=1e-13)
    expected_grads = np.array([surface.grad(traj.params[t, 0], step=t) for t in steps[:-1]])
    np.testing.assert_allclose(traj.grads[:, 0], expected_grads, rtol=1e-12, atol=1e-12)
    if surface_name in DETERMINISTIC:
        np.testing.assert_allclose(traj.values, surface.value(traj.params), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(traj.grads, surface.grad(traj.params[:-1]), rtol=1e-12, atol=1e-12)
    assert traj.final_value[0] == traj.values[-1, 0]
    assert traj.best_value[0] == np.min(traj.values[:, 0])


@pytest.mark.parametrize("variant", ["sgd", "adagrad-eps-out", "rmsprop-everything", "amsgrad"])
def test_batch_trajectory_shapes_and_consistency(variant):
    surface = Rosenbrock()
    starts = np.array([[-1.5, 2.5], [0.0, 0.0], [1.2, 1.9], [-0.5, 1.0]])
    traj = rv.run(surface, VARIANTS[variant], start=starts, n_steps=30)
    assert traj.params.shape == (31, 4, 2)
    assert traj.values.shape == (31, 4)
    assert traj.grads.shape == (30, 4, 2)
    assert traj.updates.shape == (30, 4, 2)
    assert traj.diverged_at.shape == (4,)
    assert traj.runs == 4
    np.testing.assert_array_equal(traj.params[0], starts)
    np.testing.assert_array_equal(traj.params[1:], traj.params[:-1] + traj.updates)
    np.testing.assert_allclose(traj.values, surface.value(traj.params), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(traj.grads, surface.grad(traj.params[:-1]), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(traj.diverged_at, [-1, -1, -1, -1])


@pytest.mark.parametrize(("runs", "start"), [(1, None), (3, np.array([[-1.5, 2.5], [0.0, 0.0], [1.0, 2.0]]))])
def test_state_fields_have_the_right_shapes(runs, start):
    n = 12
    sgd_states = rv.run(Rosenbrock(), rv.sgd(lr=1e-3, momentum=0.5), start=start, n_steps=n).states
    assert isinstance(sgd_states, SGDState)
    assert sgd_states.b.shape == (n, runs, 2)

    rms = rv.run(Rosenbrock(), rv.rmsprop(lr=0.01, centered=True, momentum=0.5), start=start, n_steps=n).states
    assert isinstance(rms, RMSPropState)
    for field in (rms.v, rms.gbar, rms.b):
        assert field.shape == (n, runs, 2)
        assert field.dtype == np.float64
    assert rms.t.shape == (n,)
    assert np.issubdtype(rms.t.dtype, np.integer)
    np.testing.assert_array_equal(rms.t, np.arange(1, n + 1))

    ad = rv.run(Rosenbrock(), rv.adam(lr=0.01, amsgrad=True), start=start, n_steps=n).states
    assert isinstance(ad, AdamState)
    for field in (ad.m, ad.v, ad.vmax):
        assert field.shape == (n, runs, 2)
    np.testing.assert_array_equal(ad.t, np.arange(1, n + 1))
    # vmax is the running maximum of v.
    np.testing.assert_array_equal(ad.vmax, np.maximum.accumulate(ad.v, axis=0))


def test_recorded_state_matches_the_formulas():
    # RMSProp's v after each step is beta v + (1 - beta) g^2 of the recorded gradients.
    traj = rv.run(Rosenbrock(), rv.rmsprop(lr=0.01, beta=0.8), n_steps=20)
    v = np.zeros(2)
    for t in range(20):
        v = 0.8 * v + 0.2 * traj.grads[t, 0] ** 2
        np.testing.assert_allclose(traj.states.v[t, 0], v, rtol=1e-14)


# ------------------------------------------------------------------- batching


BATCH_CASES = {
    "sgd": (rv.sgd, {"lr": [1e-4, 5e-4, 1e-3], "momentum": [0.0, 0.5, 0.9]}),
    "nesterov": (rv.sgd, {"lr": [1e-4, 5e-4, 1e-3], "momentum": [0.3, 0.5, 0.9], "nesterov": True}),
    "adagrad": (rv.adagrad, {"lr": [0.01, 0.05, 0.1], "eps": [1e-10, 1e-6, 1e-3], "initial_accumulator": [0, 0.1, 1]}),
    "adagrad-eps-in": (rv.adagrad, {"lr": [0.01, 0.05, 0.1], "eps": [1e-10, 1e-6, 1e-3], "eps_in_sqrt": True}),
    "rmsprop": (
        rv.rmsprop,
        {
            "lr": [0.001, 0.01, 0.02],
            "beta": [0.5, 0.9, 0.99],
            "eps": [1e-8, 1e-6, 1e-4],
            "momentum": [0.0, 0.5, 0.9],
            "initial_v": [0.0, 0.5, 1.0],
        },
    ),
    "rmsprop-centered": (
        rv.rmsprop,
        {"lr": [0.001, 0.01, 0.02], "beta": [0.5, 0.9, 0.99], "centered": True, "bias_correction": True},
    ),
    "rmsprop-eps-out": (rv.rmsprop, {"lr": [0.001, 0.01, 0.02], "eps": [1e-8, 1e-3, 1e-1], "eps_in_sqrt": False}),
    "adam": (
        rv.adam,
        {"lr": [0.001, 0.01, 0.02], "beta1": [0.0, 0.5, 0.9], "beta2": [0.9, 0.99, 0.999], "eps": [1e-8, 1e-6, 1e-4]},
    ),
    "amsgrad": (
        rv.adam,
        {"lr": [0.001, 0.01, 0.02], "beta1": [0.0, 0.5, 0.9], "amsgrad": True, "bias_correction": False},
    ),
}


@pytest.mark.parametrize("surface_name", ["rosenbrock", "rastrigin", "noisy", "minibatch", "shifting"])
@pytest.mark.parametrize("case", list(BATCH_CASES))
def test_batched_hyperparameters_equal_separate_runs(case, surface_name):
    factory, kwargs = BATCH_CASES[case]
    surface = SURFACES[surface_name]
    if isinstance(surface, Shifting):
        surface = Shifting(surface.base, at_step=25, scale=3.0, shift=(0.5, -0.2))
    (x0, x1), (y0, y1) = surface.bounds
    starts = np.array(
        [[x0 + 0.2 * (x1 - x0), y0 + 0.7 * (y1 - y0)], list(surface.default_start), [0.5 * (x0 + x1), y0]]
    )
    batched = {k: np.reshape(v, (3, 1)) if isinstance(v, list) else v for k, v in kwargs.items()}
    traj = rv.run(surface, factory(**batched), start=starts, n_steps=50)
    assert not traj.diverged.all()
    for r in range(3):
        single = {k: v[r] if isinstance(v, list) else v for k, v in kwargs.items()}
        one = rv.run(surface, factory(**single), start=starts[r], n_steps=50)
        assert traj.diverged_at[r] == one.diverged_at[0]
        # numpy arrays and Python floats do the same IEEE arithmetic; the only
        # difference allowed is rounding (a batch mixing momentum 0 and > 0 computes
        # -lr * (g / den) for every run, a single run without momentum (-lr * g) / den).
        for field in ("params", "values", "grads", "updates"):
            np.testing.assert_allclose(
                getattr(traj, field)[:, r], getattr(one, field)[:, 0], rtol=1e-12, atol=1e-12, err_msg=field
            )
        for name, batch_field, one_field in zip(traj.states._fields, traj.states, one.states):
            if name == "b" and factory is rv.rmsprop and single.get("momentum", 0.0) == 0.0:
                # RMSProp keeps its momentum buffer only when some run of the batch uses
                # momentum; a single run without momentum leaves it at 0.
                continue
            if np.ndim(batch_field) == 3:
                np.testing.assert_allclose(batch_field[:, r], one_field[:, 0], rtol=1e-12, atol=1e-12, err_msg=name)
            else:
                np.testing.assert_array_equal(batch_field, one_field)


# ---------------------------------------------------- traced fast path


@pytest.mark.parametrize("surface_name", list(SURFACES))
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_traced_loop_equals_the_plain_loop_bit_for_bit(variant, surface_name):
    surface = SURFACES[surface_name]
    optimizer = VARIANTS[variant]
    # The fast path is really taken for every built-in optimizer.
    assert fused_loop(optimizer.update, optimizer.init(0.0), xy_formulas(surface)[1]) is not None
    n = 60
    x0, y0 = surface.default_start
    traj = rv.run(surface, optimizer, start=(x0, y0), n_steps=n)
    assert traj.diverged_at[0] == -1
    records = _iterate(surface, optimizer, x0, y0, n)
    grads = np.array([[r[0], r[1]] for r in records])
    updates = np.array([[r[2], r[3]] for r in records])
    assert np.array_equal(traj.grads[:, 0], grads, equal_nan=True)
    assert np.array_equal(traj.updates[:, 0], updates, equal_nan=True)
    for i, field in enumerate(traj.states):
        plain_x = np.array([r[4][i] for r in records], dtype=np.float64)
        plain_y = np.array([r[5][i] for r in records], dtype=np.float64)
        if np.ndim(field) == 3:
            assert np.array_equal(field[:, 0, 0], plain_x, equal_nan=True)
            assert np.array_equal(field[:, 0, 1], plain_y, equal_nan=True)
        else:
            np.testing.assert_array_equal(field, plain_x)


class CounterState(NamedTuple):
    n: float


def _branching_optimizer(branch):
    """SGD with lr 0.1 that counts, in its state, the steps taken through ``branch``."""

    def init(params):
        return CounterState(params * 0.0)

    def update(g, state):
        if branch(g):
            return -0.1 * g, CounterState(state.n + 1.0)
        return -0.1 * g, state

    return rv.Optimizer(init, update)


def test_update_that_branches_on_the_gradient_is_not_traced_but_still_runs():
    optimizer = _branching_optimizer(lambda g: g > 0)
    assert fused_loop(optimizer.update, optimizer.init(0.0), xy_formulas(Quadratic())[1]) is None
    # The engine falls back to calling the functions, so the branch is taken per step.
    traj = rv.run(Quadratic(), optimizer, start=(1.0, -1.0), n_steps=5)
    np.testing.assert_array_equal(traj.states.n[:, 0, 0], [1, 2, 3, 4, 5])  # x stays > 0
    np.testing.assert_array_equal(traj.states.n[:, 0, 1], [0, 0, 0, 0, 0])  # y stays < 0
    np.testing.assert_allclose(traj.params[:, 0, 0], 0.9 ** np.arange(6), rtol=1e-14)


def test_update_that_branches_on_gradient_equality_is_not_frozen_by_the_tracer():
    # `g == 0.0` is a branch on a traced value like `g > 0`: the fast path must either
    # refuse to trace it or follow it per step; the result must equal the plain loop.
    optimizer = _branching_optimizer(lambda g: g == 0.0)
    traj = rv.run(Quadratic(), optimizer, start=(0.0, 1.0), n_steps=3)
    records = _iterate(Quadratic(), optimizer, 0.0, 1.0, 3)
    np.testing.assert_array_equal([r[4].n for r in records], [1.0, 2.0, 3.0])  # x's gradient is 0
    np.testing.assert_array_equal(traj.states.n[:, 0, 0], [1.0, 2.0, 3.0])


def test_optimizer_as_a_plain_pair_of_functions():
    opt = rv.sgd(lr=0.01)
    traj = rv.run(Quadratic(), (opt.init, opt.update), n_steps=10)
    np.testing.assert_array_equal(traj.params, rv.run(Quadratic(), opt, n_steps=10).params)


# ------------------------------------------------------- protocol surfaces


class BowlByProtocol:
    """Quadratic(condition=10) written only against the Surface protocol (no *_xy)."""

    name = "bowl"
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    minima = ((0.0, 0.0),)
    default_start = (-1.8, 1.2)

    def value(self, points, step=0):
        p = np.asarray(points, dtype=np.float64)
        x, y = p[..., 0], p[..., 1]
        return 0.5 * (x * x + 10.0 * (y * y))

    def grad(self, points, step=0):
        p = np.asarray(points, dtype=np.float64)
        return np.stack([p[..., 0], 10.0 * p[..., 1]], axis=-1)


@pytest.mark.parametrize("variant", ["sgd", "nesterov", "rmsprop-everything", "adam"])
def test_surface_implementing_only_the_protocol(variant):
    bowl = BowlByProtocol()
    assert isinstance(bowl, rv.Surface)
    assert not hasattr(bowl, "grad_xy")
    optimizer = VARIANTS[variant]
    mine = rv.run(bowl, optimizer, n_steps=40)
    known = rv.run(Quadratic(condition=10.0), optimizer, n_steps=40)
    assert mine.diverged_at[0] == -1
    np.testing.assert_allclose(mine.params, known.params, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(mine.values, known.values, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(mine.grads, known.grads, rtol=1e-13, atol=1e-15)
    # A batch goes through the same adapters.
    batch = rv.run(bowl, optimizer, start=[[-1.8, 1.2], [1.0, 1.0]], n_steps=40)
    np.testing.assert_allclose(batch.params[:, :1], known.params, rtol=1e-13, atol=1e-15)


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize("n_steps", [0, -1, 2.5, "10", None, 10**12])
def test_bad_n_steps(n_steps):
    with pytest.raises(ValueError, match=r"^n_steps must be an integer in \[1, 1000000\], got"):
        rv.run(Quadratic(), rv.sgd(lr=0.1), n_steps=n_steps)
    with pytest.raises(ValueError, match=r"^n_steps must be an integer in \[1, 1000000\], got"):
        rv.race(Quadratic(), {"SGD": rv.sgd(lr=0.1)}, n_steps=n_steps)
    with pytest.raises(ValueError, match=r"^n_steps must be an integer in \[1, 1000000\], got"):
        rv.sweep(Quadratic(), rv.sgd, grid={"lr": [0.1]}, n_steps=n_steps)


def test_sizes_are_limited_before_anything_is_allocated():
    # Each refused call would need far more memory than a machine has; the check comes first.
    many = np.zeros((10**6, 2))
    with pytest.raises(ValueError, match=r"^1000000 runs x n_steps 100000 = 100000000000 run-steps .* 20000000"):
        rv.run(Quadratic(), rv.sgd(lr=0.1), start=many, n_steps=10**5)
    with pytest.raises(ValueError, match=r"start may hold at most 1000000 points"):
        rv.run(Quadratic(), rv.sgd(lr=0.1), start=np.zeros((10**6 + 1, 2)), n_steps=1)
    racers = {f"SGD {i}": rv.sgd(lr=0.1) for i in range(3)}
    with pytest.raises(ValueError, match=r"^7 runs x n_steps 1000000 x 3 optimizers = 21000000 run-steps .* 20000000"):
        rv.race(Quadratic(), racers, start=np.zeros((7, 2)), n_steps=1_000_000)
    with pytest.raises(ValueError, match=r"optimizers may hold at most 100 entries"):
        rv.race(Quadratic(), {str(i): rv.sgd(lr=0.1) for i in range(101)}, n_steps=5)


def test_integral_float_n_steps_is_accepted():
    assert rv.run(Quadratic(), rv.sgd(lr=0.1), n_steps=3.0).n_steps == 3


@pytest.mark.parametrize("start", [np.zeros(3), np.zeros((2, 3)), np.zeros((0, 2)), np.zeros((2, 2, 2)), "ab"])
def test_start_of_the_wrong_shape(start):
    with pytest.raises(ValueError, match=r"start must be a point \(x, y\) or an array of shape \(runs, 2\)"):
        rv.run(Quadratic(), rv.sgd(lr=0.1), start=start)


@pytest.mark.parametrize("start", [(np.nan, 0.0), (0.0, np.inf), [[0.0, 0.0], [1.0, -np.inf]]])
def test_non_finite_start(start):
    with pytest.raises(ValueError, match=r"start must be finite"):
        rv.run(Quadratic(), rv.sgd(lr=0.1), start=start)


@pytest.mark.parametrize("optimizer", ["sgd", None, rv.sgd, (1, 2), (lambda p: p,), object()])
def test_not_an_optimizer(optimizer):
    with pytest.raises(ValueError, match=r"optimizer must be an Optimizer \(init, update\) pair"):
        rv.run(Quadratic(), optimizer)


@pytest.mark.parametrize("surface", ["rosenbrock", None, 3.0, object(), rv.sgd(lr=0.1)])
def test_not_a_surface(surface):
    with pytest.raises(ValueError, match=r"surface must be a Surface"):
        rv.run(surface, rv.sgd(lr=0.1))


@pytest.mark.parametrize("surface_class", [Rosenbrock, Quadratic])
def test_surface_class_instead_of_instance(surface_class):
    # Forgetting the parentheses, rv.run(rv.Rosenbrock, ...), is a mistake about the
    # surface and should be reported as one.
    with pytest.raises(ValueError, match=r"surface must be a Surface"):
        rv.run(surface_class, rv.sgd(lr=0.1), n_steps=3)


def test_label_must_be_a_string():
    with pytest.raises(ValueError, match=r"label must be a string"):
        rv.run(Quadratic(), rv.sgd(lr=0.1), label=3)


@pytest.mark.parametrize(
    ("lr", "start"),
    [
        (np.array([0.1, 0.2]), [[1.0, 1.0], [0.5, 0.5]]),  # (2,) broadcasts across x, y
        (np.array([[0.1], [0.2], [0.3]]), (1.0, 1.0)),  # 3 settings, 1 start
        (np.array([[0.1], [0.2], [0.3]]), [[1.0, 1.0], [0.5, 0.5]]),  # 3 settings, 2 starts
        (np.array([[0.1, 0.2]]), [[1.0, 1.0], [0.5, 0.5]]),  # (1, 2)
    ],
)
def test_hyperparameter_array_that_does_not_fit_the_batch(lr, start):
    with pytest.raises(ValueError, match=r"hyperparameter arrays must broadcast to \(runs, 1\)"):
        rv.run(Quadratic(), rv.sgd(lr=lr), start=start, n_steps=3)


def test_hyperparameter_array_of_one_row_applies_to_every_run():
    traj = rv.run(Quadratic(), rv.sgd(lr=np.array([[0.1], [0.1]])), start=[[1.0, 1.0], [0.5, 0.5]], n_steps=3)
    one = rv.run(Quadratic(), rv.sgd(lr=0.1), start=[[1.0, 1.0], [0.5, 0.5]], n_steps=3)
    np.testing.assert_array_equal(traj.params, one.params)


# ----------------------------------------------------------------------- race


def test_race_keeps_order_and_labels():
    opts = {"Adam": rv.adam(lr=0.05), "SGD": rv.sgd(lr=0.05), "RMSProp": rv.rmsprop(lr=0.01)}
    result = rv.race(Quadratic(), opts, n_steps=20)
    assert list(result) == ["Adam", "SGD", "RMSProp"]
    for label, traj in result.items():
        assert traj.label == label
        assert traj.params.shape == (21, 1, 2)
        np.testing.assert_array_equal(traj.params, rv.run(Quadratic(), opts[label], n_steps=20).params)
    # A common start.
    result = rv.race(Quadratic(), opts, start=(0.5, -0.5), n_steps=5)
    for traj in result.values():
        np.testing.assert_array_equal(traj.params[0, 0], [0.5, -0.5])


@pytest.mark.parametrize("optimizers", [{}, [], None, [("sgd", rv.sgd(lr=0.1))]])
def test_race_needs_a_non_empty_mapping(optimizers):
    with pytest.raises(ValueError, match=r"optimizers must be a non-empty mapping"):
        rv.race(Quadratic(), optimizers)


def test_noisy_runs_are_reproducible():
    surface = Noisy(Rosenbrock(), sigma=0.3, seed=4)
    a = rv.run(surface, rv.rmsprop(lr=0.01), n_steps=40)
    b = rv.run(Noisy(Rosenbrock(), sigma=0.3, seed=4), rv.rmsprop(lr=0.01), n_steps=40)
    c = rv.run(Noisy(Rosenbrock(), sigma=0.3, seed=5), rv.rmsprop(lr=0.01), n_steps=40)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.allclose(a.params, c.params)


# ------------------------------------------------------ a user's own optimizer


class StudentState(NamedTuple):
    v: object  # moving average of g^2


def _student_rmsprop(lr, beta, eps, calls):
    """RMSProp (eps inside the root) as a student would write it in a notebook, noting
    every argument ``update`` is called with."""

    def init(params):
        return StudentState(params * 0.0)

    def update(g, state):
        calls.append(g)
        v = beta * state.v + (1.0 - beta) * g * g
        return -lr * g / np.sqrt(v + eps), StudentState(v)

    return rv.Optimizer(init, update)


def _real(value):
    return type(value) in (float, np.float64) or (isinstance(value, np.ndarray) and value.dtype == np.float64)


def test_is_builtin_only_for_the_package_factories():
    for opt in VARIANTS.values():
        assert rv.optimizers.is_builtin(opt)
        assert rv.optimizers.is_builtin((opt.init, opt.update))  # the same functions
    opt = rv.adam(0.1)
    assert not rv.optimizers.is_builtin(rv.Optimizer(opt.init, lambda g, s: opt.update(g, s)))
    assert not rv.optimizers.is_builtin(rv.Optimizer(rv.sgd(0.1).init, opt.update))  # mixed pair
    assert not rv.optimizers.is_builtin(_student_rmsprop(0.1, 0.9, 1e-8, []))
    assert not rv.optimizers.is_builtin("adam")
    assert not rv.optimizers.is_builtin((1, 2))


def test_a_users_optimizer_is_called_with_real_numbers_and_matches_the_builtin():
    calls: list[object] = []
    student = _student_rmsprop(0.01, 0.9, 1e-8, calls)
    builtin = rv.rmsprop(0.01, beta=0.9, eps=1e-8)
    surface, n = Rosenbrock(), 40

    mine = rv.run(surface, student, n_steps=n)
    theirs = rv.run(surface, builtin, n_steps=n)
    assert len(calls) == 2 * n  # one call per coordinate per step, nothing else
    assert all(_real(g) and np.ndim(g) == 0 for g in calls), {type(g).__name__ for g in calls}
    np.testing.assert_array_equal(mine.params, theirs.params)
    np.testing.assert_array_equal(mine.states.v, theirs.states.v)
    # The gradients it saw are the true ones along its own path.
    np.testing.assert_array_equal(np.reshape(calls, (n, 2)), surface.grad(mine.params[:-1, 0]))

    calls.clear()
    starts = np.array([[-1.5, 2.5], [0.5, 0.5], [1.2, -0.3]])
    batch = rv.run(surface, student, start=starts, n_steps=n)
    assert len(calls) == 2 * n + 1  # one more: the batch's shapes are checked with one update first
    assert all(_real(g) for g in calls)
    np.testing.assert_array_equal(batch.params, rv.run(surface, builtin, start=starts, n_steps=n).params)

    calls.clear()
    raced = rv.race(surface, {"mine": student, "RMSProp": builtin}, n_steps=n)
    assert len(calls) == 2 * n
    assert all(_real(g) and np.ndim(g) == 0 for g in calls)
    np.testing.assert_array_equal(raced["mine"].params, raced["RMSProp"].params)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_a_users_optimizer_in_a_sweep_runs_plainly(backend):
    calls: list[object] = []

    def factory(lr, beta=0.9):
        return _student_rmsprop(lr, beta, 1e-8, calls)

    grid = {"lr": [1e-3, 1e-2, 0.1], "beta": [0.5, 0.9]}
    surface = Rosenbrock()
    mine = rv.sweep(surface, factory, grid=grid, n_steps=50, metric="best", backend=backend)
    assert len(calls) == 50
    assert all(_real(g) and np.shape(g) == (2, 6) for g in calls)
    theirs = rv.sweep(surface, rv.rmsprop, grid=grid, n_steps=50, metric="best", backend=backend)
    np.testing.assert_array_equal(mine, theirs)


class _StudentBowl:
    """A user's own surface with xy formulas, noting what it is called with."""

    name = "bowl"
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    minima = ((0.0, 0.0),)
    default_start = (1.5, -1.0)

    def __init__(self):
        self.calls = []

    def value_xy(self, x, y, step=0):
        return x * x + 4.0 * y * y

    def grad_xy(self, x, y, step=0):
        self.calls.append((x, y, step))
        return 2.0 * x, 8.0 * y

    def value(self, points, step=0):
        p = np.asarray(points, dtype=np.float64)
        return self.value_xy(p[..., 0], p[..., 1])

    def grad(self, points, step=0):
        p = np.asarray(points, dtype=np.float64)
        return np.stack(self.grad_xy(p[..., 0], p[..., 1]), axis=-1)


def test_a_users_surface_is_called_with_real_numbers():
    bowl = _StudentBowl()
    traj = rv.run(bowl, rv.adam(0.05), n_steps=20)
    assert len(bowl.calls) == 20
    assert all(type(x) is float and type(y) is float and type(t) is int for x, y, t in bowl.calls)
    expected = rv.run(Quadratic(condition=4.0, scale=2.0), rv.adam(0.05), start=(1.5, -1.0), n_steps=20)
    np.testing.assert_array_equal(traj.params, expected.params)
    bowl.calls.clear()
    rv.sweep(bowl, rv.rmsprop, grid={"lr": [0.01, 0.1]}, n_steps=10, backend="numba")
    assert len(bowl.calls) == 10
    assert all(_real(x) and _real(y) for x, y, _ in bowl.calls)


# ------------------------------------------------------------- no numpy warnings

EXTREME_SURFACES = {
    "steep-bowl": lambda: Quadratic(condition=1e8, angle=30.0, scale=1e8),
    "flat-bowl": lambda: Quadratic(scale=1e-8),
    "steep-valley": lambda: Rosenbrock(a=10.0, b=1e6),
    "loud-noise": lambda: Noisy(Rosenbrock(), sigma=1e6, seed=3),
    "far-shift": lambda: Shifting(Quadratic(), at_step=3, scale=1e8, shift=(1e3, -1e3)),
    "wide-features": lambda: surfaces.MiniBatchLeastSquares(n_samples=50, batch_size=50, feature_scales=(1e-3, 1e3)),
}
EXTREME_OPTIMIZERS = {
    "sgd-huge-lr": lambda: rv.sgd(lr=1e300),
    "momentum-huge-lr": lambda: rv.sgd(lr=1e300, momentum=0.999, nesterov=True),
    "adagrad-subnormal-eps": lambda: rv.adagrad(lr=1e6, eps=5e-324),
    "rmsprop-subnormal-eps": lambda: rv.rmsprop(lr=1e6, eps=5e-324, centered=True, momentum=0.9),
    "rmsprop-bias": lambda: rv.rmsprop(lr=1e-300, beta=0.0, eps=1e300, bias_correction=True),
    "adam-tiny": lambda: rv.adam(lr=5e-324, beta1=0.0, beta2=0.0, eps=5e-324, amsgrad=True),
}


@pytest.mark.parametrize("surface", list(EXTREME_SURFACES))
def test_no_numpy_warning_escapes_at_the_limits(surface):
    # pytest turns every warning into an error here (filterwarnings = error).
    made = EXTREME_SURFACES[surface]()
    for name, make in EXTREME_OPTIMIZERS.items():
        traj = rv.run(made, make(), n_steps=8, label=name)
        _ = traj.effective_lr, traj.best_value, traj.steps_to(1e-3), traj.final_value, traj.diverged
        first_bad = int(traj.diverged_at[0])
        assert np.isfinite(traj.values[: first_bad if first_bad >= 0 else None]).all()
        assert np.isnan(traj.values[first_bad:]).all() if first_bad >= 0 else True
    for factory in (rv.sgd, rv.adagrad, rv.rmsprop, rv.adam):
        for metric in ("final", "best", "steps", "diverged"):
            rv.sweep(made, factory, grid={"lr": [5e-324, 1e-3, 1e300]}, n_steps=6, metric=metric, backend="numpy")
    corner = np.array([[made.bounds[0][0], made.bounds[1][1]], [0.0, 0.0]])
    rv.run(made, rv.rmsprop(lr=1e300), start=corner, n_steps=5)
    made.value(np.array([[1e300, -1e300], [np.nan, 0.0]]))
    made.grad(np.array([[1e300, -1e300], [np.inf, 0.0]]))
