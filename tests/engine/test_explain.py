"""Explanations of runs: every number in them derived by hand, every bound checked by runs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.core.kinds import OptimizerSpec
from rmsprop_viz.core.surfaces import Rosenbrock
from rmsprop_viz.engine.explain import best_lr_rule, lr_limit, race_summary, why_diverged
from rmsprop_viz.engine.sweeps import best_lr

BOWL = rv.Quadratic(condition=10.0)  # curvature L = 10 everywhere
START = (0.0, 1.0)


def _diverges(optimizer: rv.Optimizer, n_steps: int = 3000) -> bool:
    return bool(rv.run(BOWL, optimizer, start=START, n_steps=n_steps).diverged[0])


def test_sgd_above_two_over_l() -> None:
    traj = rv.run(BOWL, rv.sgd(0.25), start=START, n_steps=30)
    assert traj.diverged_at[0] >= 0
    assert why_diverged("sgd", {"lr": 0.25}, BOWL, START, traj) == (
        "its alpha 0.25 is above 2/L = 0.2 for this surface (L = 10, the steepest curvature at the start)."
    )


@pytest.mark.parametrize(
    ("kind", "params", "limit", "formula"),
    [
        ("sgd", {}, 2 / 10, "2/L"),
        ("momentum", {}, 2 * 1.9 / 10, "2(1 + momentum)/L"),  # the kind's momentum is 0.9
        ("momentum", {"momentum": 0.5}, 2 * 1.5 / 10, "2(1 + momentum)/L"),
        ("nesterov", {}, 2 * 1.9 / (2.8 * 10), "2(1 + momentum)/((1 + 2 momentum) L)"),
        ("nesterov", {"momentum": 0.5}, 2 * 1.5 / (2.0 * 10), "2(1 + momentum)/((1 + 2 momentum) L)"),
    ],
)
def test_lr_limits_are_where_runs_start_to_diverge(
    kind: str, params: dict[str, Any], limit: float, formula: str
) -> None:
    found = lr_limit(kind, params, 10.0)
    assert found is not None
    assert found[0] == pytest.approx(limit, rel=1e-12)
    assert found[1] == formula
    # The bound is real: 1% below it the run settles, 1% above it runs away.
    build = rv.core.kinds.KINDS[kind].build
    assert not _diverges(build(lr=0.99 * limit, **params))
    assert _diverges(build(lr=1.01 * limit, **params))


def test_momentum_above_its_bound_names_it() -> None:
    traj = rv.run(BOWL, rv.sgd(0.4, momentum=0.9), start=START, n_steps=200)
    assert traj.diverged_at[0] >= 0
    text = why_diverged("momentum", {"lr": 0.4}, BOWL, START, traj)
    assert text.startswith("its alpha 0.4 is above 2(1 + momentum)/L = 0.38 for this surface (L = 10,")


def test_nesterov_uses_its_own_bound() -> None:
    # 2 * 1.9 / (2.8 * 10) = 0.1357: 0.14 is above it, though below heavy-ball's 0.38.
    traj = rv.run(BOWL, rv.sgd(0.14, momentum=0.9, nesterov=True), start=START, n_steps=500)
    assert traj.diverged_at[0] >= 0
    text = why_diverged("nesterov", {"lr": 0.14, "momentum": 0.9, "nesterov": True}, BOWL, START, traj)
    assert "above 2(1 + momentum)/((1 + 2 momentum) L) = 0.136" in text


def test_rosenbrock_curvature_at_the_start_by_hand() -> None:
    # Hessian at (-1.5, 2.5): f_xx = 2 - 400 (y - x^2) + 800 x^2 = 1702, f_xy = -400 x = 600,
    # f_yy = 200; largest eigenvalue 951 + sqrt(751^2 + 600^2) = 1912.25, so 2/L = 0.001046.
    start = (-1.5, 2.5)
    traj = rv.run(rv.Rosenbrock(), rv.sgd(0.1), start=start, n_steps=10)
    text = why_diverged("sgd", {"lr": 0.1}, rv.Rosenbrock(), start, traj)
    assert "2/L = 0.00105" in text
    assert "L = 1.91e+03" in text
    # No start given: the surface's default start, (-1.5, 2.3) for Rosenbrock, where
    # f_xx = 2 - 400 * 0.05 + 1800 = 1782, f_xy = 600, f_yy = 200: L = 991 + sqrt(791^2 + 600^2) = 1983.8.
    assert Rosenbrock().default_start == (-1.5, 2.3)
    assert "L = 1.98e+03" in why_diverged("sgd", {"lr": 0.1}, rv.Rosenbrock(), None, traj)


class Funnel:
    """``0.5 (x - 3)^2 + 0.5 (1 + x^2) y^2``: flat across at x = 0, steep across at x = 3."""

    name = "funnel"
    bounds = ((-2.0, 4.0), (-2.0, 2.0))
    minima = ((3.0, 0.0),)
    default_start = (0.0, 0.1)

    def value(self, points: Any, step: Any = 0) -> Any:
        p = np.asarray(points, dtype=np.float64)
        x, y = p[..., 0], p[..., 1]
        return 0.5 * (x - 3.0) ** 2 + 0.5 * (1.0 + x * x) * y * y

    def grad(self, points: Any, step: Any = 0) -> Any:
        p = np.asarray(points, dtype=np.float64)
        x, y = p[..., 0], p[..., 1]
        return np.stack([x - 3.0 + x * y * y, (1.0 + x * x) * y], axis=-1)


def test_sgd_below_the_bound_at_the_start_met_a_steeper_place() -> None:
    # At (0, 0.1) L = 1.01 (2/L = 1.98); near x = 3 the curvature across is 10, and
    # lr = 0.5 gives the factor 1 - 0.5 * 10 = -4 there.
    traj = rv.run(Funnel(), rv.sgd(0.5), start=(0.0, 0.1), n_steps=100)
    assert traj.diverged_at[0] >= 0
    assert why_diverged("sgd", {"lr": 0.5}, Funnel(), (0.0, 0.1), traj) == (
        "its alpha 0.5 is too large for the curvature it met on the way."
    )


@pytest.mark.parametrize(
    ("params", "first", "formula"),
    [
        ({"lr": 100.0}, "316", "alpha/sqrt(1 - beta)"),  # 100 / sqrt(0.1) = 316.2
        ({"lr": 100.0, "centered": True}, "333", "alpha/sqrt(beta (1 - beta))"),  # 100 / sqrt(0.09)
    ],
)
def test_rmsprop_names_its_first_step(params: dict[str, Any], first: str, formula: str) -> None:
    traj = rv.run(rv.Quadratic(), rv.rmsprop(**params), start=(1.0, 1.0), n_steps=5)
    assert traj.diverged_at[0] == 1
    assert why_diverged("rmsprop", params, rv.Quadratic(), (1.0, 1.0), traj) == (
        f"its first step was {first} in each coordinate ({formula}, whatever the gradient, at beta = 0.9), "
        "too long for this surface."
    )


def test_adam_steps_are_about_alpha() -> None:
    traj = rv.run(rv.Quadratic(), rv.adam(500.0), start=(1.0, 1.0), n_steps=5)
    assert traj.diverged_at[0] == 1
    assert why_diverged("adam", {"lr": 500.0}, rv.Quadratic(), (1.0, 1.0), traj) == (
        "its steps of about alpha = 500 per coordinate (the first was 500) are too long here."
    )


def test_a_users_optimizer_and_a_first_step_that_is_not_finite() -> None:
    mine = rv.Optimizer(lambda p: (), lambda g, state: (-1e3 * g, state))
    traj = rv.run(rv.Quadratic(), mine, start=(1.0, 1.0), n_steps=5)
    assert why_diverged("", {"lr": 1e3}, rv.Quadratic(), (1.0, 1.0), traj) == (
        "its steps grew too long for this surface (the first was 1.00e+04)."  # 1e3 * 10
    )
    broken = rv.Optimizer(lambda p: (), lambda g, state: (g * math.nan, state))
    traj = rv.run(rv.Quadratic(), broken, start=(1.0, 1.0), n_steps=5)
    assert traj.diverged_at[0] == 1
    assert "first step already left" in why_diverged("adam", {"lr": 1.0}, rv.Quadratic(), (1.0, 1.0), traj)


def test_best_lr_rule_says_what_was_tried() -> None:
    found = best_lr(rv.Quadratic(), "sgd", lrs=[0.01, 0.1, 0.15], start=(1.0, 1.0), n_steps=40, backend="numpy")
    assert best_lr_rule(found) == (
        "of 3 values from 0.01 to 0.15, by the loss after 40 steps, the cell with the best worst case over "
        "itself and the cell either side; all of them must converge"
    )


# -------------------------------------------------------------- race_summary


def _race(lrs: dict[str, float], start: tuple[float, float], n_steps: int = 10) -> tuple[dict, dict]:
    specs = {label: OptimizerSpec("sgd", {"lr": lr}, label=label) for label, lr in lrs.items()}
    surface = rv.Quadratic(condition=10)
    runs = {k: rv.run(surface, spec.build(), start=start, n_steps=n_steps, label=k) for k, spec in specs.items()}
    return runs, specs


def test_race_summary_names_the_lowest_loss_and_its_gap() -> None:
    # From (1, 0) on f = (x^2 + 10 y^2) / 2, SGD multiplies x by 1 - lr each step: after 10
    # steps f = 0.5 (1 - lr)^20, 0.0608 for lr = 0.1 and 0.00576 for lr = 0.2.
    runs, specs = _race({"A": 0.1, "B": 0.2}, (1.0, 0.0))
    text, bad = race_summary(runs, specs, rv.Quadratic(condition=10), (1.0, 0.0), floor=0.0, scale=0.5)
    assert text == "Nobody diverged. Lowest loss after 10 steps: B, f - f* = 0.00576."
    assert not bad
    # A floor above zero is subtracted: 0.00576 - 0.005 = 0.000765 (0.5 * 0.8^20 = 0.0057646)
    text, _ = race_summary(runs, specs, rv.Quadratic(condition=10), (1.0, 0.0), floor=0.005, scale=0.5)
    assert text.endswith("B, f - f* = 7.65e-04.")
    # lr = 1 lands on the minimum in one step: below what float64 resolves at the scale 0.5
    runs, specs = _race({"A": 0.1, "C": 1.0}, (1.0, 0.0))
    text, _ = race_summary(runs, specs, rv.Quadratic(condition=10), (1.0, 0.0), floor=0.0, scale=0.5)
    assert text == "Nobody diverged. Lowest loss after 10 steps: C, at the minimum (f - f* < 5e-16)."


def test_race_summary_gives_each_divergence_its_reason() -> None:
    surface = rv.Quadratic(condition=10)
    runs, specs = _race({"A": 0.25, "B": 0.1, "C": 0.3}, (0.0, 1.0), n_steps=40)
    text, bad = race_summary(runs, specs, surface, (0.0, 1.0), floor=0.0, scale=5.0)
    assert bad
    k_a, k_c = int(runs["A"].diverged_at[0]), int(runs["C"].diverged_at[0])
    assert k_a > 0
    assert k_c > 0
    why_a = why_diverged("sgd", {"lr": 0.25}, surface, (0.0, 1.0), runs["A"])
    assert why_a.startswith("its alpha 0.25 is above 2/L = 0.2")  # L = 10
    why_c = why_diverged("sgd", {"lr": 0.3}, surface, (0.0, 1.0), runs["C"])
    assert text == f"A diverged at step {k_a}: {why_a} C diverged at step {k_c}: {why_c}"
    assert race_summary({}, {}, surface, None, floor=0.0, scale=1.0) == ("", False)
