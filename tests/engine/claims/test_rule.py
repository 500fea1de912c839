"""The claims about the update rule (C1, C4, C10): verdicts, evidence against hand-derived values."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.engine.claims.rule import c1_update_rule, c4_beta_memory, c10_epsilon


@pytest.fixture(scope="module")
def c1() -> rv.claims.Verdict:
    return c1_update_rule()


@pytest.fixture(scope="module")
def c4() -> rv.claims.Verdict:
    return c4_beta_memory()


@pytest.fixture(scope="module")
def c10() -> rv.claims.Verdict:
    return c10_epsilon()


# ---------------------------------------------------------------------------------- C1


def test_c1_is_partly_one_convention_of_two(c1: rv.claims.Verdict) -> None:
    ev = c1.evidence
    assert c1.id == "C1"
    assert c1.verdict == rv.claims.PARTLY
    assert c1.key == "small_scale_gap"
    assert ev["first_step_error_inside"] <= 1e-12  # the formula, up to rounding
    assert ev["first_step_error_outside"] <= 1e-12
    assert ev["small_scale_gap"] >= 3 * 0.05  # the placements part where g^2 ~ eps
    assert ev["unit_scale_gap"] <= 0.05 / 30  # and barely differ at scale 1


def test_c1_first_step_by_hand() -> None:
    # Quadratic(condition=10, scale=s) at (1, 1): g = s * (1, 10); v_1 = 0.1 g^2 (beta = 0.9).
    v = c1_update_rule()
    s, lr, eps = 1e-4, 0.01, 1e-8
    g = s * np.array([1.0, 10.0])
    inside = -lr * g / np.sqrt(0.1 * g**2 + eps)
    outside = -lr * g / (np.sqrt(0.1) * np.abs(g) + eps)
    np.testing.assert_allclose(v.data["small_inside"].updates[0, 0], inside, rtol=1e-12)
    np.testing.assert_allclose(v.data["small_outside"].updates[0, 0], outside, rtol=1e-12)
    # x coordinate: 0.01 * 1e-4 / sqrt(1e-9 + 1e-8) = 0.00953..., outside 0.0316...: ratio 3.3
    assert v.evidence["first_step_ratio_outside_inside"] == pytest.approx(outside[0] / inside[0], rel=1e-12)
    assert outside[0] / inside[0] == pytest.approx(3.3156, abs=1e-3)


def test_c1_gap_is_the_largest_distance_between_the_paths(c1: rv.claims.Verdict) -> None:
    a = c1.data["small_inside"].params[:, 0]
    b = c1.data["small_outside"].params[:, 0]
    gap = max(math.dist(p, q) for p, q in zip(a.tolist(), b.tolist())) / math.sqrt(2.0)
    assert c1.evidence["small_scale_gap"] == pytest.approx(gap, rel=1e-12)


def test_c1_without_small_gradients_the_placement_does_not_matter() -> None:
    v = c1_update_rule(small_scale=1.0)
    assert v.verdict == rv.claims.SUPPORTED
    assert v.evidence["small_scale_gap"] < 0.05 / 30


def test_c1_settings_rerun_it(c1: rv.claims.Verdict) -> None:
    again = rv.claims.check(c1.id, **c1.settings)
    assert again.verdict == c1.verdict
    assert again.evidence == c1.evidence


# ---------------------------------------------------------------------------------- C4


def test_c4_memory_is_one_over_one_minus_beta(c4: rv.claims.Verdict) -> None:
    ev = c4.evidence
    assert c4.verdict == rv.claims.SUPPORTED
    assert c4.key == "worst_memory_ratio"
    # An average with decay b keeps b^k of the old level after k steps: 63% forgotten at
    # the first k with b^k <= 1/e, 50% at the first k with b^k <= 1/2.
    for b in (0.5, 0.9, 0.99):
        k63 = math.ceil(-1.0 / math.log(b))
        k50 = math.ceil(math.log(0.5) / math.log(b))
        assert ev[f"memory_steps_at_beta_{b:g}"] == k63
        assert ev[f"half_life_at_beta_{b:g}"] == k50
    assert (ev["memory_steps_at_beta_0.5"], ev["memory_steps_at_beta_0.9"], ev["memory_steps_at_beta_0.99"]) == (
        2,
        10,
        100,
    )
    assert ev["worst_memory_ratio"] <= 1.1 < 1.5


def test_c4_first_step_overshoot(c4: rv.claims.Verdict) -> None:
    # v_1 = (1 - b) g^2 with g = 1, eps = 1e-8: |step| / lr = 1 / sqrt(1 - b + 1e-8).
    for b, near in ((0.5, 1.41421), (0.9, 3.16228), (0.99, 10.0)):
        got = c4.evidence[f"first_step_over_lr_at_beta_{b:g}"]
        assert got == pytest.approx(1.0 / math.sqrt(1.0 - b + 1e-8), rel=1e-9)
        assert got == pytest.approx(near, rel=1e-5)


def test_c4_too_little_time_after_the_change_flips_it() -> None:
    # 50 steps cannot show beta = 0.99's memory of 100 steps.
    v = c4_beta_memory(steps_after=50)
    assert v.verdict == rv.claims.MISLEADING
    assert v.evidence["memory_steps_at_beta_0.99"] == 0


def test_c4_settings_rerun_it(c4: rv.claims.Verdict) -> None:
    again = rv.claims.check("C4", **c4.settings)
    assert (again.verdict, again.evidence) == (c4.verdict, c4.evidence)


# --------------------------------------------------------------------------------- C10


def test_c10_large_eps_turns_rmsprop_into_sgd(c10: rv.claims.Verdict) -> None:
    ev = c10.evidence
    assert c10.verdict == rv.claims.MISLEADING
    assert c10.key == "distance_from_sgd"
    assert ev["distance_from_sgd"] <= 0.01 / 30
    assert ev["largest_path_change"] >= 3 * 0.1
    # g at (1, 1) on Quadratic(condition=10) is (1, 10): the smaller g^2 is 1, and the path
    # starts to change when eps reaches about that size.
    assert ev["smallest_g_squared_at_start"] == 1.0
    assert 0.1 <= ev["eps_where_path_changes"] <= 10.0


def test_c10_sgd_path_by_closed_form(c10: rv.claims.Verdict) -> None:
    # SGD on 0.5 (x^2 + 10 y^2) from (1, 1): x_t = (1 - lr)^t, y_t = (1 - 10 lr)^t.
    t = np.arange(201)
    sgd = c10.data["sgd_run"].params[:, 0]
    np.testing.assert_allclose(sgd[:, 0], 0.95**t, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(sgd[:, 1], 0.5**t, rtol=1e-9, atol=1e-300)
    # RMSProp with eps = 1e4 and lr = 0.05 * 100 takes SGD's first step within v/(2 eps):
    # v_1 = 0.1 g^2 <= 10, so the relative error is below 5e-4.
    first = c10.data["large_eps_run"].updates[0, 0]
    np.testing.assert_allclose(first, [-0.05, -0.5], rtol=5e-4)


def test_c10_small_eps_only_keeps_it_a_safety_constant() -> None:
    v = c10_epsilon(eps_grid=(1e-8, 1e-7, 1e-6), large_eps=1e-2)
    assert v.verdict == rv.claims.SUPPORTED
    assert v.evidence["largest_path_change"] < 0.1 / 30
    assert v.evidence["distance_from_sgd"] > 3 * 0.01
    assert v.evidence["eps_where_path_changes"] == 0.0


def test_c10_settings_rerun_it(c10: rv.claims.Verdict) -> None:
    again = rv.claims.check("c10", **c10.settings)
    assert (again.verdict, again.evidence) == (c10.verdict, c10.evidence)


# ------------------------------------------------------------------------- bad settings


@pytest.mark.parametrize(
    ("claim", "settings", "name"),
    [
        (c1_update_rule, {"beta": 1.0}, "beta"),
        (c1_update_rule, {"n_steps": 5001}, "n_steps"),
        (c1_update_rule, {"small_scale": 0.0}, "small_scale"),
        (c1_update_rule, {"min_gap": -1.0}, "min_gap"),
        (c4_beta_memory, {"betas": ()}, "betas"),
        (c4_beta_memory, {"betas": (0.9, 1.0)}, "betas"),
        (c4_beta_memory, {"betas": tuple(np.linspace(0.1, 0.9, 101))}, "betas"),
        (c4_beta_memory, {"change_at": 4000, "steps_after": 1001}, "change_at + steps_after"),
        (c4_beta_memory, {"lr": 0.1}, "lr"),
        (c10_epsilon, {"eps_grid": (0.0, 1.0)}, "eps_grid"),
        (c10_epsilon, {"eps_grid": "1e-8"}, "eps_grid"),
        (c10_epsilon, {"large_eps": float("nan")}, "large_eps"),
        (c10_epsilon, {"equal_tol": 0.0}, "equal_tol"),
    ],
)
def test_bad_settings_name_the_parameter(claim: object, settings: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(name)} "):
        claim(**settings)  # type: ignore[operator]


def test_diverging_settings_give_a_verdict_without_warnings() -> None:
    # SGD with lr 1 on a bowl of curvature 10 diverges (lr > 2 / 10); so does RMSProp with lr 10.
    v = c10_epsilon(sgd_lr=1.0)
    assert v.data["sgd_run"].diverged_at[0] > 0
    assert v.evidence["distance_from_sgd"] > 0.01
    assert v.verdict == rv.claims.PARTLY
    c1 = c1_update_rule(lr=10.0)
    assert c1.verdict in rv.claims.VERDICTS
    assert np.isfinite(c1.evidence["small_scale_gap"])
