"""Tests of C5 (Adagrad's learning rate keeps shrinking) and C6 (a changing objective)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.engine.claims.change import c5_adagrad_decay, c6_nonstationary


@pytest.fixture(scope="module")
def c5() -> rv.claims.Verdict:
    return c5_adagrad_decay()


@pytest.fixture(scope="module")
def c6() -> rv.claims.Verdict:
    return c6_nonstationary()


# ----------------------------------------------------------------------------- C5


def test_c5_is_supported_with_margin(c5: rv.claims.Verdict) -> None:
    e = c5.evidence
    assert c5.id == "C5"
    assert c5.verdict == rv.claims.SUPPORTED
    assert c5.key == "adagrad_lr_ratio"
    assert e["adagrad_lr_ratio"] <= 0.6 / 1.5  # threshold 0.6, with margin
    assert e["rmsprop_lr_ratio"] >= 0.8 * 1.5  # threshold 0.8, with margin
    assert e["late_progress_ratio"] < 0.1  # Adagrad barely moves late in the run
    assert c5.explanation.count(". ") == 1
    assert c5.explanation.endswith(".")


def test_c5_adagrad_falls_like_one_over_root_t(c5: rv.claims.Verdict) -> None:
    # Gradients of steady size g: lr / sqrt(t g^2), so the ratio is sqrt(t1 / t2).
    e, s = c5.evidence, c5.settings
    early, late = s["early_step"] + 1, s["n_steps"]  # gradients summed by then
    assert e["adagrad_lr_ratio"] == pytest.approx(math.sqrt(early / late), rel=0.05)
    assert e["adagrad_lr_exponent"] == pytest.approx(-0.5, abs=0.03)


def test_c5_distances_match_the_step_sizes(c5: rv.claims.Verdict) -> None:
    # RMSProp with v ~ g^2 steps lr per coordinate; Adagrad lr / sqrt(t) per coordinate.
    e, s = c5.evidence, c5.settings
    lr, n = s["lr"], s["n_steps"]
    assert e["rmsprop_late_distance"] == pytest.approx(lr * (n - n // 2) * math.sqrt(2), rel=0.05)
    adagrad = lr * 2 * (math.sqrt(n) - math.sqrt(n // 2)) * math.sqrt(2)  # integral of 1/sqrt(t)
    assert e["adagrad_late_distance"] == pytest.approx(adagrad, rel=0.1)


def test_c5_ratios_from_the_recorded_gradients(c5: rv.claims.Verdict) -> None:
    # A plain loop over the recorded gradients gives both effective learning rates.
    s = c5.settings
    lr, beta, early, late = s["lr"], s["beta"], s["early_step"], s["n_steps"] - 1
    runs = c5.data["trajectories"]
    g = runs["adagrad"].grads[:, 0]
    total = np.cumsum(g * g, axis=0)
    rates = lr / (np.sqrt(total) + 1e-10)
    expected = math.sqrt(np.prod(rates[late]) / np.prod(rates[early]))
    assert c5.evidence["adagrad_lr_ratio"] == pytest.approx(expected, rel=1e-9)
    g = runs["rmsprop"].grads[:, 0]
    v = np.zeros(2)
    rates = []
    for row in g:
        v = beta * v + (1 - beta) * row * row
        rates.append(lr / np.sqrt(v + 1e-8))
    expected = math.sqrt(np.prod(rates[late]) / np.prod(rates[early]))
    assert c5.evidence["rmsprop_lr_ratio"] == pytest.approx(expected, rel=1e-9)


def test_c5_flips_when_adagrad_reaches_the_minimum() -> None:
    # A large learning rate: Adagrad gets near the minimum, its gradients vanish and its sum stops growing.
    v = c5_adagrad_decay(lr=0.1)
    assert v.verdict == rv.claims.PARTLY
    assert v.evidence["adagrad_lr_ratio"] > 0.6


def test_c5_settings_rerun_it(c5: rv.claims.Verdict) -> None:
    again = rv.claims.check(c5.id, **c5.settings)
    assert again.verdict == c5.verdict
    assert again.evidence == c5.evidence
    assert set(c5.settings) >= {"lr", "beta", "n_steps", "max_adagrad_ratio", "min_rmsprop_ratio"}


@pytest.mark.parametrize(
    ("name", "value"),
    [("lr", -1.0), ("n_steps", 10**6), ("early_step", 400), ("beta", 1.0), ("start", "far"), ("condition", 0.5)],
)
def test_c5_bad_settings_name_the_parameter(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=name):
        c5_adagrad_decay(**{name: value})  # type: ignore[arg-type]


def test_c5_data_holds_the_runs(c5: rv.claims.Verdict) -> None:
    runs = c5.data["trajectories"]
    assert [t.kind for t in runs.values()] == ["adagrad", "rmsprop"]
    assert runs["rmsprop"].n_steps == c5.settings["n_steps"]


# ----------------------------------------------------------------------------- C6


def test_c6_is_supported_with_margin(c6: rv.claims.Verdict) -> None:
    e = c6.evidence
    assert c6.id == "C6"
    assert c6.verdict == rv.claims.SUPPORTED
    assert c6.key == "adagrad_slowdown"
    assert e["adagrad_slowdown"] >= 5.0 * 3  # threshold 5
    assert e["rmsprop_slowdown"] <= 5.0 / 2  # threshold 5
    assert e["adagrad_never_recovered"] == 1
    assert e["adagrad_recovery_steps"] == c6.settings["n_steps"] - c6.settings["change_step"]
    assert e["rmsprop_recovery_steps"] < e["adagrad_recovery_steps"] / 3
    assert c6.explanation.count(". ") == 1
    assert c6.explanation.endswith(".")


def test_c6_memory_is_about_one_over_one_minus_beta(c6: rv.claims.Verdict) -> None:
    # New gradients are much smaller, so v falls like beta^k: below v/e after
    # ceil(1 / -ln(beta)) = 10 steps at beta = 0.9, about 1 / (1 - beta).
    e = c6.evidence
    assert e["memory_formula_steps"] == pytest.approx(10.0)
    hand = math.ceil(-1.0 / math.log(c6.settings["beta"]))
    assert hand <= e["rmsprop_memory_steps"] <= hand + 2


def test_c6_adagrad_step_after_the_change_uses_the_whole_sum(c6: rv.claims.Verdict) -> None:
    # Plain loop: Adagrad's first step after the change divides by the root of every
    # squared gradient since step 0, not just the new one.
    traj = c6.data["trajectories"]["adagrad"]
    t, lr = c6.settings["change_step"], c6.settings["adagrad_lr"]
    g = traj.grads[: t + 1, 0]
    expected = -lr * g[-1] / (np.sqrt((g * g).sum(axis=0)) + 1e-10)
    np.testing.assert_allclose(traj.updates[t, 0], expected, rtol=1e-12)
    fresh_first = c6.data["fresh"]["adagrad"].updates[0, 0]
    np.testing.assert_allclose(np.abs(fresh_first), lr, rtol=1e-6)  # a fresh start steps lr per coordinate
    assert np.all(np.abs(traj.updates[t, 0]) < np.abs(fresh_first) / 20)


def test_c6_recovery_is_counted_from_the_change(c6: rv.claims.Verdict) -> None:
    traj = c6.data["trajectories"]["rmsprop"]
    t, floor = c6.settings["change_step"], c6.data["floor"]
    tol = c6.settings["rel_tol"] * (traj.values[t, 0] - floor)
    steps = int(c6.evidence["rmsprop_recovery_steps"])
    gap = traj.values[t:, 0] - floor
    assert np.all(gap[steps:] <= tol)
    assert gap[steps - 1] > tol


def test_c6_flips_with_a_long_memory() -> None:
    # beta = 0.99 remembers ~100 steps: RMSProp, too, is slow to forget the old scale.
    v = c6_nonstationary(beta=0.99)
    assert v.verdict == rv.claims.PARTLY
    assert v.evidence["rmsprop_slowdown"] > 5.0
    assert v.evidence["memory_formula_steps"] == pytest.approx(100.0)


def test_c6_settings_rerun_it(c6: rv.claims.Verdict) -> None:
    again = rv.claims.check(c6.id, **c6.settings)
    assert again.verdict == c6.verdict
    assert again.evidence == c6.evidence


@pytest.mark.parametrize(
    ("name", "value"),
    [("change_step", 595), ("scale", 0.0), ("shift", (1.0,)), ("rel_tol", 1.0), ("n_steps", 6000), ("rmsprop_lr", 0.0)],
)
def test_c6_bad_settings_name_the_parameter(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=name):
        c6_nonstationary(**{name: value})  # type: ignore[arg-type]
