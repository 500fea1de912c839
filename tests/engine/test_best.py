"""The best cell of a sweep: the minimax rule over neighbourhoods, and how a cell is named."""

from __future__ import annotations

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.engine.best import BestCell, best_cell, cell_text

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


def test_cell_text_gives_each_setting_three_significant_digits() -> None:
    grid = {"lr": np.geomspace(1e-3, 1e-1, 5), "beta": np.linspace(0.5, 0.99, 4)}
    # lr[2] = 1e-2 exactly (the middle of 1e-3 .. 1e-1); beta[1] = 0.5 + 0.49 / 3 = 0.66333...
    assert cell_text(grid, (2, 1)) == "lr=0.01, beta=0.663"
    assert cell_text({"lr": [0.007017]}, (0,)) == "lr=0.00702"
    assert cell_text({"lr": [2.5e-5], "beta2": [0.99949]}, (0, 0)) == "lr=2.50e-05, beta2=0.999"
    with pytest.raises(ValueError, match="index must have one entry per grid key"):
        cell_text(grid, (1,))
