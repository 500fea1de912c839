"""Optimizers: hand-worked first and second steps, hyperparameter checks, the registry.

Every expected number below is worked out by hand in the comments from the formulas in
the docstrings of ``rmsprop_viz.optimizers``; the update is what gets *added* to the
parameters, so a step against a positive gradient is negative.
"""

from __future__ import annotations

import copy
import math
import pickle
import re

import numpy as np
import pytest

from rmsprop_viz.core import optimizers
from rmsprop_viz.core.optimizers import adagrad, adam, rmsprop, sgd

approx = pytest.approx


def steps(opt, grads, param=0.0):
    """Feed the gradients ``grads`` one at a time; return the updates and the last state."""
    state = opt.init(param)
    out = []
    for g in grads:
        u, state = opt.update(g, state)
        out.append(u)
    return out, state


# ------------------------------------------------------------------------ SGD


def test_sgd_plain():
    # lr=0.1, g=2: update = -0.1 * 2 = -0.2; then g=-1: +0.1.
    (u1, u2), state = steps(sgd(lr=0.1), [2.0, -1.0])
    assert u1 == approx(-0.2, rel=1e-15)
    assert u2 == approx(0.1, rel=1e-15)
    # Without momentum the buffer is just the last gradient (b = 0 * b + g).
    assert state.b == -1.0


def test_sgd_momentum_two_steps():
    # lr=0.1, mu=0.9, g1=2, g2=1:
    #   b1 = 0.9 * 0 + 2 = 2         update1 = -0.1 * 2   = -0.2
    #   b2 = 0.9 * 2 + 1 = 2.8       update2 = -0.1 * 2.8 = -0.28
    (u1, u2), state = steps(sgd(lr=0.1, momentum=0.9), [2.0, 1.0])
    assert u1 == approx(-0.2, rel=1e-14)
    assert u2 == approx(-0.28, rel=1e-14)
    assert state.b == approx(2.8, rel=1e-14)


def test_sgd_nesterov_two_steps():
    # lr=0.1, mu=0.9, g1=2, g2=1:
    #   b1 = 2,   d1 = g1 + mu b1 = 2 + 1.8 = 3.8      update1 = -0.38
    #   b2 = 2.8, d2 = g2 + mu b2 = 1 + 2.52 = 3.52    update2 = -0.352
    (u1, u2), state = steps(sgd(lr=0.1, momentum=0.9, nesterov=True), [2.0, 1.0])
    assert u1 == approx(-0.38, rel=1e-14)
    assert u2 == approx(-0.352, rel=1e-14)
    assert state.b == approx(2.8, rel=1e-14)


# -------------------------------------------------------------------- Adagrad


def test_adagrad_eps_outside_the_root():
    # lr=0.5, eps=1e-10 (outside the root), g1=3, g2=4:
    #   s1 = 9,  update1 = -0.5 * 3 / (3 + 1e-10) ~ -0.5
    #   s2 = 25, update2 = -0.5 * 4 / (5 + 1e-10) ~ -0.4
    (u1, u2), state = steps(adagrad(lr=0.5), [3.0, 4.0])
    assert u1 == approx(-1.5 / (3 + 1e-10), rel=1e-14)
    assert u2 == approx(-2.0 / (5 + 1e-10), rel=1e-14)
    assert state.s == 25.0


def test_adagrad_eps_in_versus_out_of_the_root():
    # A large eps = 16 makes the two placements visibly different, g=3 (s = 9):
    #   outside: -0.5 * 3 / (sqrt(9) + 16) = -1.5 / 19
    #   inside:  -0.5 * 3 / sqrt(9 + 16)  = -1.5 / 5 = -0.3
    (out,), _ = steps(adagrad(lr=0.5, eps=16.0, eps_in_sqrt=False), [3.0])
    (inside,), _ = steps(adagrad(lr=0.5, eps=16.0, eps_in_sqrt=True), [3.0])
    assert out == approx(-1.5 / 19, rel=1e-14)
    assert inside == approx(-0.3, rel=1e-14)


def test_adagrad_initial_accumulator_and_shrinking_steps():
    # s0 = 7, g = 3: s1 = 16, update1 = -0.5 * 3 / (4 + 1e-10) ~ -0.375;
    # the same gradient again: s2 = 25, update2 = -1.5 / 5 = -0.3 (smaller).
    (u1, u2), _ = steps(adagrad(lr=0.5, initial_accumulator=7.0), [3.0, 3.0])
    assert u1 == approx(-0.375, rel=1e-9)
    assert u2 == approx(-0.3, rel=1e-9)


# -------------------------------------------------------------------- RMSProp


def test_rmsprop_eps_in_the_root_two_steps():
    # lr=0.1, beta=0.9, eps=1e-8 inside the root, g1=2, g2=1:
    #   v1 = 0.9 * 0 + 0.1 * 4 = 0.4         update1 = -0.1 * 2 / sqrt(0.4 + 1e-8)
    #   v2 = 0.9 * 0.4 + 0.1 * 1 = 0.46      update2 = -0.1 * 1 / sqrt(0.46 + 1e-8)
    (u1, u2), state = steps(rmsprop(lr=0.1, beta=0.9, eps=1e-8), [2.0, 1.0])
    assert u1 == approx(-0.2 / math.sqrt(0.4 + 1e-8), rel=1e-14)
    assert u2 == approx(-0.1 / math.sqrt(0.46 + 1e-8), rel=1e-14)
    assert state.v == approx(0.46, rel=1e-14)
    assert state.t == 2


def test_rmsprop_eps_in_versus_out_of_the_root():
    # eps = 0.5, g=2, v1 = 0.4:
    #   inside:  -0.1 * 2 / sqrt(0.4 + 0.5)   = -0.2 / sqrt(0.9)  ~ -0.2108
    #   outside: -0.1 * 2 / (sqrt(0.4) + 0.5) = -0.2 / 1.1325    ~ -0.1766
    (inside,), _ = steps(rmsprop(lr=0.1, beta=0.9, eps=0.5, eps_in_sqrt=True), [2.0])
    (out,), _ = steps(rmsprop(lr=0.1, beta=0.9, eps=0.5, eps_in_sqrt=False), [2.0])
    assert inside == approx(-0.2 / math.sqrt(0.9), rel=1e-14)
    assert out == approx(-0.2 / (math.sqrt(0.4) + 0.5), rel=1e-14)


def test_rmsprop_centered_uses_v_minus_gbar_squared():
    # lr=0.1, beta=0.9, g1=2, g2=1:
    #   v1 = 0.4,  gbar1 = 0.1 * 2 = 0.2,              v1 - gbar1^2 = 0.4 - 0.04 = 0.36
    #   update1 = -0.1 * 2 / sqrt(0.36 + eps) ~ -0.2 / 0.6 = -1/3
    #   v2 = 0.46, gbar2 = 0.9 * 0.2 + 0.1 * 1 = 0.28, v2 - gbar2^2 = 0.46 - 0.0784 = 0.3816
    #   update2 = -0.1 / sqrt(0.3816 + eps)
    (u1, u2), state = steps(rmsprop(lr=0.1, beta=0.9, eps=1e-8, centered=True), [2.0, 1.0])
    assert u1 == approx(-0.2 / math.sqrt(0.36 + 1e-8), rel=1e-13)
    assert u2 == approx(-0.1 / math.sqrt(0.3816 + 1e-8), rel=1e-13)
    assert state.gbar == approx(0.28, rel=1e-14)
    # Not centered, gbar is not tracked: the state has no such field.
    _, plain = steps(rmsprop(lr=0.1, beta=0.9), [2.0, 1.0])
    assert not hasattr(plain, "gbar")


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.5])
@pytest.mark.parametrize("bias_correction", [False, True])
def test_rmsprop_state_carries_only_what_its_options_use(centered, momentum, bias_correction):
    opt = rmsprop(lr=0.1, centered=centered, momentum=momentum, bias_correction=bias_correction)
    expected = ["v"] + ["gbar"] * centered + ["b"] * (momentum > 0) + ["t"] + ["beta_t"] * bias_correction
    _, state = steps(opt, [2.0, 1.0])
    assert list(state._fields) == expected
    assert isinstance(state, optimizers.RMSPropState)
    assert type(state) is type(opt.init(0.0))
    # Same options, same type: the engine compares state types between steps and runs.
    again = rmsprop(lr=0.2, centered=centered, momentum=momentum, bias_correction=bias_correction)
    assert type(again.init(0.0)) is type(state)
    # Every carried field is a number that moved (v, gbar, b, t, beta_t all change).
    assert all(value != first for value, first in zip(state, opt.init(0.0)))


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("bias_correction", [False, True])
def test_adam_state_carries_only_what_its_options_use(amsgrad, bias_correction):
    opt = adam(lr=0.1, amsgrad=amsgrad, bias_correction=bias_correction)
    expected = ["m", "v"] + ["vmax"] * amsgrad + ["t"] + ["beta1_t", "beta2_t"] * bias_correction
    _, state = steps(opt, [2.0, 1.0])
    assert list(state._fields) == expected
    assert isinstance(state, optimizers.AdamState)
    assert type(state) is type(opt.init(0.0))
    assert type(adam(lr=0.3, amsgrad=amsgrad, bias_correction=bias_correction).init(0.0)) is type(state)


@pytest.mark.parametrize(
    "opt", [rmsprop(lr=0.1, centered=True), rmsprop(lr=0.1, momentum=0.5), adam(lr=0.1), adam(lr=0.1, amsgrad=True)]
)
def test_states_survive_pickle_and_deepcopy(opt):
    _, state = steps(opt, [np.array([[2.0, -1.0]]), np.array([[0.5, 1.0]])], param=np.zeros((1, 2)))
    for copied in (pickle.loads(pickle.dumps(state)), copy.deepcopy(state)):
        assert type(copied) is type(state)
        assert copied._fields == state._fields
        for a, b in zip(copied, state):
            np.testing.assert_array_equal(a, b)


def test_rmsprop_options_give_the_updates_of_the_full_formula():
    # The full formula by hand for g = 2, then 1 (lr 0.1, beta 0.9, eps 1e-8, mu 0.5),
    # centered and bias-corrected:
    #   t=1: v = 0.4, gbar = 0.2, v^ = 0.4/0.1 = 4, gbar^2 = 0.04, var = 3.96,
    #        den = sqrt(3.96 + eps), b = 2/den, step = -0.1 b
    #   t=2: v = 0.46, gbar = 0.28, v^ = 0.46/0.19, var = v^ - 0.0784,
    #        den = sqrt(var + eps), b = 0.5 b1 + 1/den, step = -0.1 b
    eps = 1e-8
    den1 = math.sqrt(3.96 + eps)
    b1 = 2.0 / den1
    den2 = math.sqrt(0.46 / 0.19 - 0.0784 + eps)
    b2 = 0.5 * b1 + 1.0 / den2
    opt = rmsprop(lr=0.1, beta=0.9, eps=eps, centered=True, momentum=0.5, bias_correction=True)
    (u1, u2), state = steps(opt, [2.0, 1.0])
    assert u1 == approx(-0.1 * b1, rel=1e-13)
    assert u2 == approx(-0.1 * b2, rel=1e-13)
    assert (state.v, state.gbar, state.b, state.t) == (approx(0.46), approx(0.28), approx(b2), 2)
    assert state.beta_t == approx(0.81, rel=1e-15)


def test_rmsprop_centered_constant_gradient_has_zero_variance():
    # A constant gradient: v = (1 - 0.9^t) g^2, gbar = (1 - 0.9^t) g; centered second
    # moment = (1-0.9^t) g^2 - (1-0.9^t)^2 g^2 = 0.9^t (1 - 0.9^t) g^2, never negative.
    opt = rmsprop(lr=0.1, beta=0.9, eps=1e-8, centered=True)
    state = opt.init(0.0)
    for t in range(1, 6):
        u, state = opt.update(1.0, state)
        second = 0.9**t * (1 - 0.9**t)
        assert u == approx(-0.1 / math.sqrt(second + 1e-8), rel=1e-9)


def test_rmsprop_momentum_two_steps():
    # lr=0.1, beta=0.9, mu=0.5, g1=2, g2=1:
    #   b1 = 0.5 * 0 + 2 / sqrt(0.4 + eps)                  update1 = -0.1 * b1
    #   b2 = 0.5 * b1 + 1 / sqrt(0.46 + eps)                update2 = -0.1 * b2
    eps = 1e-8
    (u1, u2), state = steps(rmsprop(lr=0.1, beta=0.9, eps=eps, momentum=0.5), [2.0, 1.0])
    b1 = 2 / math.sqrt(0.4 + eps)
    b2 = 0.5 * b1 + 1 / math.sqrt(0.46 + eps)
    assert u1 == approx(-0.1 * b1, rel=1e-14)
    assert u2 == approx(-0.1 * b2, rel=1e-14)
    assert state.b == approx(b2, rel=1e-14)


def test_rmsprop_bias_correction_two_steps():
    # lr=0.1, beta=0.9, g1=2, g2=1:
    #   v1 = 0.4,  vhat1 = 0.4 / (1 - 0.9)   = 4,          update1 = -0.1 * 2 / sqrt(4) = -0.1
    #   v2 = 0.46, vhat2 = 0.46 / (1 - 0.81) = 2.42105..., update2 = -0.1 / sqrt(2.42105...)
    (u1, u2), _ = steps(rmsprop(lr=0.1, beta=0.9, eps=1e-12, bias_correction=True), [2.0, 1.0])
    assert u1 == approx(-0.1, rel=1e-12)
    assert u2 == approx(-0.1 / math.sqrt(0.46 / 0.19), rel=1e-12)


def test_rmsprop_initial_v():
    # v0 = 4, g = 2: v1 = 0.9 * 4 + 0.1 * 4 = 4, update = -0.1 * 2 / sqrt(4) = -0.1,
    # instead of the lr / sqrt(1 - beta) = 0.316 first step from v0 = 0.
    (u1,), state = steps(rmsprop(lr=0.1, beta=0.9, eps=1e-12, initial_v=4.0), [2.0])
    assert u1 == approx(-0.1, rel=1e-12)
    assert state.v == approx(4.0, rel=1e-15)
    (u0,), _ = steps(rmsprop(lr=0.1, beta=0.9, eps=1e-12), [2.0])
    assert u0 == approx(-0.1 / math.sqrt(0.1), rel=1e-12)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("g", [1e-3, -1.0, 1e3])
def test_rmsprop_first_step_is_lr_over_sqrt_one_minus_beta(beta, g):
    # v1 = (1 - beta) g^2, update = -lr g / sqrt((1 - beta) g^2) = -lr sign(g) / sqrt(1 - beta).
    (u,), _ = steps(rmsprop(lr=0.01, beta=beta, eps=1e-30), [g])
    assert u == approx(-math.copysign(0.01 / math.sqrt(1 - beta), g), rel=1e-12)


# ----------------------------------------------------------------------- Adam


@pytest.mark.parametrize("g", [-5.0, 1e-2, 2.0, 300.0])
def test_adam_first_step_is_lr_times_sign(g):
    # m1 = 0.1 g, v1 = 0.001 g^2; mhat = g, vhat = g^2: update = -lr g / (|g| + eps).
    (u,), state = steps(adam(lr=0.1), [g])
    assert u == approx(-0.1 * g / (abs(g) + 1e-8), rel=1e-14)
    assert u == approx(-math.copysign(0.1, g), rel=1e-5)
    assert state.t == 1


def test_adam_second_step():
    # lr=0.1, betas (0.9, 0.999), g1=2, g2=1:
    #   m2 = 0.9 * 0.2 + 0.1 * 1 = 0.28            mhat2 = 0.28 / (1 - 0.81) = 1.47368...
    #   v2 = 0.999 * 0.004 + 0.001 * 1 = 0.004996  vhat2 = 0.004996 / (1 - 0.998001) = 2.49924...
    #   update2 = -0.1 * 1.47368 / (sqrt(2.49924) + 1e-8) ~ -0.093218
    (u1, u2), state = steps(adam(lr=0.1), [2.0, 1.0])
    assert u1 == approx(-0.2 / (2 + 1e-8), rel=1e-12)
    mhat = 0.28 / 0.19
    vhat = 0.004996 / 0.001999
    assert u2 == approx(-0.1 * mhat / (math.sqrt(vhat) + 1e-8), rel=1e-12)
    assert u2 == approx(-0.093218, rel=1e-5)
    assert state.m == approx(0.28, rel=1e-14)
    assert state.v == approx(0.004996, rel=1e-12)


def test_bias_correction_powers_are_running_products():
    # beta^t is carried in the state: after t steps, beta1_t = beta1 * ... * beta1 (t
    # factors, multiplied in order) and beta2_t likewise; 1 before the first step.
    b1, b2, beta = 0.8, 0.95, 0.7
    opt = adam(lr=0.1, beta1=b1, beta2=b2)
    state = opt.init(0.0)
    assert (state.beta1_t, state.beta2_t) == (1.0, 1.0)
    p1 = p2 = 1.0
    for _ in range(40):
        _, state = opt.update(0.3, state)
        p1, p2 = b1 * p1, b2 * p2
        assert (state.beta1_t, state.beta2_t) == (p1, p2)
    assert state.beta1_t == approx(b1**40, rel=1e-14)
    assert state.beta2_t == approx(b2**40, rel=1e-14)
    rms = rmsprop(lr=0.1, beta=beta, bias_correction=True)
    (_, _, _), rstate = steps(rms, [1.0, 2.0, 3.0])
    assert rstate.beta_t == beta * beta * beta
    # Without bias correction the products are not used, and not carried.
    _, plain = steps(adam(lr=0.1, bias_correction=False), [1.0, 2.0])
    assert not hasattr(plain, "beta1_t")
    assert not hasattr(plain, "beta2_t")
    _, plain_rms = steps(rmsprop(lr=0.1), [1.0, 2.0])
    assert not hasattr(plain_rms, "beta_t")


def test_adam_third_step_by_hand_with_exact_powers():
    # beta1 = 0.5, beta2 = 0.75 make every power exact in binary, so the hand formula with
    # 1 - beta^t gives the same bits: g = 1, 2, 4.
    #   m: 0.5, 1.25, 2.625          1 - b1^t: 0.5, 0.75, 0.875     mhat3 = 3
    #   v: 0.25, 1.1875, 4.890625    1 - b2^t: 0.25, 0.4375, 0.578125  vhat3 = 8.4594594...
    (_, _, u3), state = steps(adam(lr=0.1, beta1=0.5, beta2=0.75, eps=1e-8), [1.0, 2.0, 4.0])
    assert state.m == 2.625
    assert state.v == 4.890625
    vhat = 4.890625 / 0.578125
    assert u3 == -0.1 * (2.625 / 0.875) / (math.sqrt(vhat) + 1e-8)


def test_adam_without_bias_correction_first_step():
    # m1 = (1 - b1) g, v1 = (1 - b2) g^2, update = -lr (1 - b1) g / (sqrt(1 - b2) |g| + eps)
    #   ~ -lr (1 - b1) / sqrt(1 - b2) sign(g) = -0.1 * 0.1 / 0.0316228 = -0.0316228.
    (u,), _ = steps(adam(lr=0.1, bias_correction=False), [4.0])
    assert u == approx(-0.1 * 0.1 * 4 / (math.sqrt(0.001) * 4 + 1e-8), rel=1e-13)
    assert u == approx(-0.1 * 0.1 / math.sqrt(0.001), rel=1e-6)


def test_amsgrad_uses_the_largest_v():
    # b1 = 0 (m = g), b2 = 0.5, no bias correction, lr = 0.1, g1 = 2, g2 = 0.1:
    #   v1 = 0.5 * 4 = 2, vmax1 = 2;  v2 = 0.5 * 2 + 0.5 * 0.01 = 1.005, vmax2 = 2.
    #   amsgrad update2 = -0.1 * 0.1 / (sqrt(2) + eps)
    #   adam    update2 = -0.1 * 0.1 / (sqrt(1.005) + eps)
    kw = {"lr": 0.1, "beta1": 0.0, "beta2": 0.5, "bias_correction": False}
    (_, ams2), state = steps(adam(**kw, amsgrad=True), [2.0, 0.1])
    (_, plain2), _ = steps(adam(**kw), [2.0, 0.1])
    assert ams2 == approx(-0.01 / (math.sqrt(2.0) + 1e-8), rel=1e-14)
    assert plain2 == approx(-0.01 / (math.sqrt(1.005) + 1e-8), rel=1e-14)
    assert state.vmax == 2.0
    assert state.v == approx(1.005, rel=1e-15)


def test_amsgrad_with_bias_correction_corrects_vmax():
    # Same gradients, with bias correction: vhat2 = vmax2 / (1 - 0.5^2) = 2 / 0.75.
    (_, u2), _ = steps(adam(lr=0.1, beta1=0.0, beta2=0.5, amsgrad=True), [2.0, 0.1])
    assert u2 == approx(-0.01 / (math.sqrt(2 / 0.75) + 1e-8), rel=1e-14)


# ------------------------------------------------- floats and arrays, purity


@pytest.mark.parametrize(
    "opt",
    [
        sgd(lr=0.1),
        sgd(lr=0.1, momentum=0.9, nesterov=True),
        adagrad(lr=0.1),
        rmsprop(lr=0.1),
        rmsprop(lr=0.1, centered=True, momentum=0.5, bias_correction=True),
        adam(lr=0.1, amsgrad=True),
    ],
)
def test_update_on_arrays_matches_update_on_floats(opt):
    grads = [np.array([[2.0, -1.0], [0.5, 3.0]]), np.array([[1.0, 0.25], [-2.0, 1.5]])]
    batch, _ = steps(opt, grads, param=np.zeros((2, 2)))
    for r in range(2):
        for c in range(2):
            one, _ = steps(opt, [float(g[r, c]) for g in grads])
            for t in range(2):
                assert batch[t][r, c] == approx(one[t], rel=1e-14, abs=1e-300)


def test_update_returns_floats_for_floats():
    for opt in (sgd(0.1), adagrad(0.1), rmsprop(0.1), adam(0.1)):
        u, state = opt.update(1.5, opt.init(0.0))
        assert np.ndim(u) == 0
        assert all(np.ndim(field) == 0 for field in state)


def test_array_hyperparameters_batch_runs():
    # lr of shape (3, 1): one row per run.
    lr = np.array([[0.1], [0.2], [0.4]])
    opt = sgd(lr=lr)
    u, _ = opt.update(np.ones((3, 2)), opt.init(np.zeros((3, 2))))
    np.testing.assert_allclose(u, -np.repeat(lr, 2, axis=1), rtol=1e-15)


# ------------------------------------------------------------ invalid input


def bad(name, value, valid):
    """The pattern of a range error: name, the value it got, the range it accepts."""
    return rf"{re.escape(name)} must be a finite number {re.escape(valid)}, got {re.escape(value)}"


@pytest.mark.parametrize(
    ("factory", "kwargs", "pattern"),
    [
        (sgd, {"lr": 0.0}, bad("lr", "0.0", "> 0")),
        (sgd, {"lr": -0.1}, bad("lr", "-0.1", "> 0")),
        (sgd, {"lr": float("nan")}, bad("lr", "nan", "> 0")),
        (sgd, {"lr": float("inf")}, bad("lr", "inf", "> 0")),
        (sgd, {"lr": 0.1, "momentum": 1.0}, bad("momentum", "1.0", "in [0, 1)")),
        (sgd, {"lr": 0.1, "momentum": -0.5}, bad("momentum", "-0.5", "in [0, 1)")),
        (adagrad, {"lr": 0.0}, bad("lr", "0.0", "> 0")),
        (adagrad, {"lr": 0.1, "eps": 0.0}, bad("eps", "0.0", "> 0")),
        (adagrad, {"lr": 0.1, "initial_accumulator": -1.0}, bad("initial_accumulator", "-1.0", ">= 0")),
        (rmsprop, {"lr": -1.0}, bad("lr", "-1.0", "> 0")),
        (rmsprop, {"lr": 0.1, "beta": 1.0}, bad("beta", "1.0", "in [0, 1)")),
        (rmsprop, {"lr": 0.1, "beta": -0.1}, bad("beta", "-0.1", "in [0, 1)")),
        (rmsprop, {"lr": 0.1, "beta": float("nan")}, bad("beta", "nan", "in [0, 1)")),
        (rmsprop, {"lr": 0.1, "eps": 0.0}, bad("eps", "0.0", "> 0")),
        (rmsprop, {"lr": 0.1, "eps": -1e-8}, bad("eps", "-1e-08", "> 0")),
        (rmsprop, {"lr": 0.1, "momentum": 1.0}, bad("momentum", "1.0", "in [0, 1)")),
        (rmsprop, {"lr": 0.1, "initial_v": -0.1}, bad("initial_v", "-0.1", ">= 0")),
        (adam, {"lr": float("-inf")}, bad("lr", "-inf", "> 0")),
        (adam, {"lr": 0.1, "beta1": 1.0}, bad("beta1", "1.0", "in [0, 1)")),
        (adam, {"lr": 0.1, "beta1": -0.1}, bad("beta1", "-0.1", "in [0, 1)")),
        (adam, {"lr": 0.1, "beta2": 1.5}, bad("beta2", "1.5", "in [0, 1)")),
        (adam, {"lr": 0.1, "beta2": -1e-3}, bad("beta2", "-0.001", "in [0, 1)")),
        (adam, {"lr": 0.1, "eps": 0.0}, bad("eps", "0.0", "> 0")),
    ],
)
def test_invalid_hyperparameters_name_parameter_value_and_range(factory, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        factory(**kwargs)


@pytest.mark.parametrize(
    ("factory", "kwargs", "pattern"),
    [
        (sgd, {"lr": np.array([[0.1], [-0.2], [0.3]])}, bad("lr", "-0.2", "> 0")),
        (rmsprop, {"lr": 0.1, "beta": np.array([[0.5], [0.9], [1.0]])}, bad("beta", "1.0", "in [0, 1)")),
        (rmsprop, {"lr": [[0.1], [float("nan")]]}, bad("lr", "nan", "> 0")),
        (adam, {"lr": 0.1, "beta2": np.array([0.9, 0.99, 2.0])}, bad("beta2", "2.0", "in [0, 1)")),
        (adagrad, {"lr": 0.1, "eps": np.array([[1e-8], [0.0]])}, bad("eps", "0.0", "> 0")),
    ],
)
def test_array_hyperparameter_with_one_bad_entry(factory, kwargs, pattern):
    with pytest.raises(ValueError, match=pattern + r" \(an entry of an array of shape"):
        factory(**kwargs)


@pytest.mark.parametrize(
    ("factory", "kwargs", "name"),
    [
        (sgd, {"lr": 0.1, "momentum": 0.9, "nesterov": "yes"}, "nesterov"),
        (sgd, {"lr": 0.1, "momentum": 0.9, "nesterov": 1}, "nesterov"),
        (adagrad, {"lr": 0.1, "eps_in_sqrt": None}, "eps_in_sqrt"),
        (rmsprop, {"lr": 0.1, "eps_in_sqrt": 0}, "eps_in_sqrt"),
        (rmsprop, {"lr": 0.1, "centered": "False"}, "centered"),
        (rmsprop, {"lr": 0.1, "bias_correction": 1.0}, "bias_correction"),
        (adam, {"lr": 0.1, "bias_correction": "no"}, "bias_correction"),
        (adam, {"lr": 0.1, "amsgrad": [True]}, "amsgrad"),
    ],
)
def test_non_bool_flags_are_rejected(factory, kwargs, name):
    value = kwargs[name]
    with pytest.raises(ValueError, match=rf"{name} must be True or False, got {re.escape(repr(value))}"):
        factory(**kwargs)


def test_numpy_bools_are_accepted_as_flags():
    opt = rmsprop(lr=0.1, centered=np.bool_(True))
    _, state = opt.update(2.0, opt.init(0.0))
    assert state.gbar == approx(0.2)


@pytest.mark.parametrize("value", ["0.1", None, True, object(), {"lr": 0.1}])
def test_non_numeric_hyperparameters_are_rejected(value):
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got"):
        rmsprop(lr=value)


def test_nesterov_needs_momentum():
    with pytest.raises(ValueError, match=r"nesterov=True needs momentum in \(0, 1\), got momentum=0\.0"):
        sgd(lr=0.1, nesterov=True)


def test_empty_array_hyperparameter_is_rejected():
    with pytest.raises(ValueError, match="lr must not be empty"):
        sgd(lr=np.array([]))


def test_one_element_array_hyperparameter_is_a_number():
    # A one-element array is accepted and behaves like the scalar.
    u_arr, _ = sgd(lr=np.array([0.1])).update(2.0, sgd(lr=0.1).init(0.0))
    u_num, _ = sgd(lr=0.1).update(2.0, sgd(lr=0.1).init(0.0))
    assert u_arr == u_num
    assert np.ndim(u_arr) == 0


# ------------------------------------------------------------------ registry


def test_names_and_get():
    assert optimizers.names() == ["sgd", "adagrad", "rmsprop", "adam"]
    assert optimizers.get("sgd") is sgd
    assert optimizers.get("adagrad") is adagrad
    assert optimizers.get("rmsprop") is rmsprop
    assert optimizers.get("adam") is adam
    for name in optimizers.names():
        opt = optimizers.get(name)(lr=0.1)
        assert isinstance(opt, optimizers.Optimizer)
        assert callable(opt.init)
        assert callable(opt.update)


def test_get_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match=r"optimizer must be one of sgd, adagrad, rmsprop, adam; got 'nope'"):
        optimizers.get("nope")
