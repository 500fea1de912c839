"""Robustness curves and comparison modes, checked against SGD's closed form on a quadratic.

SGD with learning rate a on Quadratic(condition=k) from (0, y0) moves only along y:
y_t = (1 - a k)^t y0, so the loss gap is f_t = k y0^2 (1 - a k)^(2t) / 2. It converges
exactly for a < 2/k (core.surfaces.curvature.gd_lr_limit) and diverges above.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.core.surfaces.curvature import gd_lr_limit
from rmsprop_viz.engine.robustness import (
    COMPARISON_MODES,
    compare_modes,
    converged_mask,
    longest_run,
    modes_table,
    robustness,
)
from rmsprop_viz.engine.sweeps import best_lr


def sgd_gap(lr: float, k: float, y0: float, t: int) -> float:
    """The loss gap of SGD after t steps from (0, y0), by the closed form."""
    return 0.5 * k * y0 * y0 * (1.0 - lr * k) ** (2 * t)


@pytest.mark.parametrize("k", [10.0, 50.0])
def test_sgd_converges_exactly_below_two_over_k(k: float) -> None:
    lrs = np.geomspace(0.12 / k, 12.0 / k, 21)  # ten per decade; 1.90/k is below 2/k, 2.39/k above
    n_steps = 400
    curve = robustness(rv.Quadratic(condition=k), ["sgd"], lrs, start=(0.0, 1.0), n_steps=n_steps)["sgd"]
    limit = gd_lr_limit(k)
    below = lrs < limit
    # In 400 steps every lr below 2/k cuts the gap by far more than 1e3: |1 - a k| <= 0.902.
    assert curve.n_converged == int(below.sum()) == 13
    assert curve.converged.tolist() == below.tolist()
    assert curve.diverged.tolist() == (~below).tolist()
    # The converging run is the first 13 learning rates: 1.2 decades (10 points per decade).
    assert curve.low == pytest.approx(lrs[0])
    assert curve.high == pytest.approx(lrs[12])
    assert curve.width == pytest.approx(math.log10(lrs[12] / lrs[0])) == pytest.approx(1.2)
    expected = np.array([sgd_gap(a, k, 1.0, n_steps) for a in lrs[below]])
    np.testing.assert_allclose(curve.gaps[below], expected, rtol=1e-9, atol=1e-300)
    assert np.isnan(curve.gaps[~below]).all()
    assert curve.start_gap == pytest.approx(0.5 * k)


def test_the_rule_takes_tol_or_the_reduction_factor() -> None:
    # From (1, 0) SGD moves only along x (curvature 1): gap 0.5 (1 - a)^(2t).
    lrs = np.array([0.001, 0.003, 0.01, 0.03, 0.1])
    n_steps, tol, reduction = 100, 1e-6, 50.0
    curve = robustness(rv.Quadratic(condition=10.0), ["sgd"], lrs, (1.0, 0.0), n_steps, tol=tol, reduction=reduction)[
        "sgd"
    ]
    gaps = 0.5 * (1.0 - lrs) ** (2 * n_steps)
    np.testing.assert_allclose(curve.gaps, gaps, rtol=1e-9)
    # 0.03: 0.5 * 0.97^200 = 1.1e-3 <= 0.5 / 50 = 0.01; 0.01: 0.5 * 0.99^200 = 0.067 is not.
    assert curve.converged.tolist() == [False, False, False, True, True]
    strict = robustness(rv.Quadratic(condition=10.0), ["sgd"], lrs, (1.0, 0.0), n_steps, tol=tol, reduction=1e6)
    # Only the gap of 0.1, 0.5 * 0.9^200 = 3.5e-10, is within tol = 1e-6 when the factor is 1e6.
    assert strict["sgd"].converged.tolist() == [False, False, False, False, True]


def test_best_lr_is_the_sweeps_answer_and_kinds_keep_their_order() -> None:
    surface = rv.Quadratic(condition=20.0)
    lrs = np.geomspace(1e-3, 1.0, 13)
    curves = robustness(surface, ["adam", "sgd"], lrs, n_steps=150, params={"adam": {"beta1": 0.8}})
    assert list(curves) == ["adam", "sgd"]
    assert curves["sgd"].best_lr == best_lr(surface, "sgd", lrs, n_steps=150).lr
    assert curves["adam"].best_lr == best_lr(surface, "adam", lrs, n_steps=150, params={"beta1": 0.8}).lr
    # SGD's best lr converges and lies below 2/k.
    assert curves["sgd"].best_lr is not None
    assert curves["sgd"].best_lr < gd_lr_limit(20.0)


def test_no_best_where_nothing_converges() -> None:
    # SGD on a bowl of condition 10 from (0, 1) with lr <= 0.01: in 3 steps the gap
    # shrinks by (1 - 10 lr)^6 >= 0.94 (closed form), far from the 1e3 cut, so nothing
    # converges; best_lr still names the least bad, robustness names no best.
    surface = rv.Quadratic(condition=10.0)
    lrs = np.array([1e-3, 3e-3, 1e-2])
    found = best_lr(surface, "sgd", lrs, start=(0.0, 1.0), n_steps=3)
    assert found.lr is not None
    assert sgd_gap(found.lr, 10.0, 1.0, 3) > sgd_gap(0.0, 10.0, 1.0, 3) / 1e3
    curve = robustness(surface, ["sgd"], lrs, start=(0.0, 1.0), n_steps=3)["sgd"]
    assert curve.n_converged == 0
    assert curve.best_lr is None


def test_converged_mask_and_longest_run_by_hand() -> None:
    mask = converged_mask([np.nan, 1e-7, 0.02, 0.2, np.inf], start_gap=10.0, tol=1e-6, reduction=100.0)
    assert mask.tolist() == [False, True, True, False, False]  # <= max(1e-6, 10 / 100) = 0.1
    assert longest_run([True, False, True, True, False, True]) == (2, 3)
    assert longest_run([True, True, False, True, True]) == (0, 1)  # ties: the first
    assert longest_run([False, False]) is None
    curve = robustness(rv.Quadratic(condition=10.0), ["sgd"], [0.3, 0.5], n_steps=50)["sgd"]
    assert curve.n_converged == 0
    assert curve.width == 0.0
    assert curve.low is None
    assert curve.best_lr is None


def test_width_is_the_longest_run_not_the_span(monkeypatch: pytest.MonkeyPatch) -> None:
    # A converging set with a hole: lrs 1e-3 and 0.1, 1, 10 converge, 0.01 does not. The
    # longest run is 0.1 .. 10 (2 decades), not 1e-3 .. 10 (4 decades).
    from rmsprop_viz.engine import robustness as module

    mask = np.array([True, False, True, True, True])
    monkeypatch.setattr(module, "converged_mask", lambda gaps, start_gap, **kw: mask.copy())
    curve = robustness(rv.Quadratic(), ["adam"], [1e-3, 1e-2, 0.1, 1.0, 10.0], n_steps=5)["adam"]
    assert curve.n_converged == 4
    assert curve.low == 0.1
    assert curve.high == 10.0
    assert curve.width == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"kinds": "sgd"}, "kinds"),
        ({"kinds": ["sgd", "lbfgs"]}, "lbfgs"),
        ({"kinds": ["sgd", "sgd"]}, "kinds"),
        ({"lrs": [0.1, 0.01]}, "lrs"),
        ({"lrs": [-0.1, 0.1]}, "lrs"),
        ({"lrs": np.geomspace(1e-4, 1, 101)}, "lrs"),
        ({"n_steps": 0}, "n_steps"),
        ({"tol": 0.0}, "tol"),
        ({"reduction": 0.5}, "reduction"),
        ({"params": {"adam": {"beta1": 0.5}}}, "params"),
    ],
)
def test_bad_input_names_the_parameter(kwargs: dict[str, object], name: str) -> None:
    settings: dict[str, object] = {"kinds": ["sgd"], "lrs": [0.01, 0.1], "n_steps": 10, **kwargs}
    with pytest.raises(ValueError, match=name):
        robustness(rv.Quadratic(), **settings)  # type: ignore[arg-type]


# ------------------------------------------------------------------ comparison modes


def first_within(lr: float, k: float, y0: float, tol: float, n_steps: int) -> int:
    """SGD's steps to tol by the closed form (the gap decreases monotonically)."""
    for t in range(n_steps + 1):
        if sgd_gap(lr, k, y0, t) <= tol:
            return t
    return -1


def test_modes_are_the_explorers() -> None:
    from rmsprop_viz.apps.explorer import settings

    assert settings.MODES is COMPARISON_MODES
    assert list(COMPARISON_MODES) == ["each", "shared", "best"]


def test_compare_modes_by_hand() -> None:
    k, tol, n_steps = 10.0, 1e-6, 300
    surface = rv.Quadratic(condition=k)
    # Own rates: SGD 0.15 (converges), Adam 1e-4 (crawls). Shared 0.25 > 2/k: SGD diverges.
    found = compare_modes(surface, {"sgd": 0.15, "adam": 1e-4}, 0.25, (0.0, 1.0), n_steps, tol=tol)
    assert list(found) == list(COMPARISON_MODES)
    each, shared, best = found["each"], found["shared"], found["best"]
    assert each.lrs == {"sgd": 0.15, "adam": 1e-4}
    assert shared.lrs == {"sgd": 0.25, "adam": 0.25}
    assert each.steps["sgd"] == first_within(0.15, k, 1.0, tol, n_steps) == 12  # 5 * 0.25^t <= 1e-6 from t = 12
    assert each.gaps["sgd"] == pytest.approx(sgd_gap(0.15, k, 1.0, n_steps), rel=1e-9, abs=1e-300)
    assert each.steps["adam"] == -1
    assert each.winner == "sgd"
    assert math.isnan(shared.gaps["sgd"])
    assert shared.steps["sgd"] == -1
    assert shared.winner == "adam"
    for kind in ("sgd", "adam"):
        assert best.lrs[kind] == best_lr(surface, kind, start=(0.0, 1.0), n_steps=n_steps).lr
    assert best.winner in ("sgd", "adam")
    assert best.steps[best.winner] >= 0


def test_compare_modes_winner_without_tolerance_is_the_lowest_gap() -> None:
    found = compare_modes(rv.Quadratic(), {"sgd": 1e-3, "adagrad": 1e-3}, 1e-3, n_steps=20, tol=1e-12)
    each = found["each"]
    assert each.steps == {"sgd": -1, "adagrad": -1}
    assert each.winner == min(each.gaps, key=lambda kind: each.gaps[kind])


@pytest.mark.parametrize(
    ("lrs", "shared", "name"),
    [({"sgd": 0.0}, 0.1, "lrs"), ({"sgd": 0.1}, -1.0, "shared_lr"), ({"bfgs": 0.1}, 0.1, "bfgs"), ([0.1], 0.1, "lrs")],
)
def test_compare_modes_bad_input(lrs: object, shared: float, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        compare_modes(rv.Quadratic(), lrs, shared, n_steps=10)  # type: ignore[arg-type]


def test_modes_table_and_runs_by_hand() -> None:
    k, n_steps = 10.0, 300
    found = compare_modes(rv.Quadratic(condition=k), {"sgd": 0.15, "adam": 1e-4}, 0.25, (0.0, 1.0), n_steps)
    each = found["each"]
    # The runs are the race of the mode: SGD's y after t steps is (1 - a k)^t y0 = (-0.5)^t.
    np.testing.assert_allclose(each.runs["sgd"].params[:6, 0, 1], (-0.5) ** np.arange(6), rtol=1e-12)
    assert each.scale == pytest.approx(0.5 * k)
    table = modes_table(found).splitlines()
    assert len(table) == 2 + len(COMPARISON_MODES)
    assert table[2].startswith("| alpha per optimizer | SGD α 0.15: ")
    assert "12 steps" in table[2]  # 5 * 0.25^t <= 1e-6 from t = 12
    assert table[2].endswith("| **SGD** |")
    assert "SGD α 0.25: diverged" in table[3]
    assert table[3].endswith("| **Adam** |")
    with pytest.raises(ValueError, match="found"):
        modes_table({})
