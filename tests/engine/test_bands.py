"""Seed bands: checked against the plain loop (rv.run per seed), closed forms and numpy."""

from __future__ import annotations

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.core.surfaces import MiniBatchLeastSquares, Noisy, Shifting
from rmsprop_viz.engine.bands import MAX_SEEDS, seed_band, seed_bands, with_seed
from rmsprop_viz.engine.trajectory import loss_floor

LR = 0.1
START = (1.0, -2.0)


def scaled(seed: int) -> rv.Quadratic:
    """A noise-free stand-in for a seeded surface: seed s is 0.5 (s + 1) (x^2 + y^2)."""
    return rv.Quadratic(condition=1.0, scale=1.0 + seed)


def closed_form(seed: int, n_steps: int) -> np.ndarray:
    """SGD on ``scaled(seed)``: theta_t = (1 - lr (s + 1))^t theta_0, shape (n_steps + 1, 2)."""
    factor = (1.0 - LR * (1.0 + seed)) ** np.arange(n_steps + 1)
    out: np.ndarray = factor[:, None] * np.array(START)
    return out


def test_one_seed_is_the_plain_run_on_that_seed() -> None:
    surface = Noisy(rv.Quadratic(), sigma=0.7, seed=0)
    band = seed_band(surface, rv.rmsprop(lr=0.05), seeds=[5], n_steps=40)
    plain = rv.run(Noisy(rv.Quadratic(), sigma=0.7, seed=5), rv.rmsprop(lr=0.05), n_steps=40)
    np.testing.assert_array_equal(band.params[0], plain.params[:, 0])
    np.testing.assert_array_equal(band.gaps[0], plain.values[:, 0] - loss_floor(surface, 40))
    np.testing.assert_array_equal(band.mean_path, plain.params[:, 0])
    np.testing.assert_array_equal(band.path_std, np.zeros((41, 2)))
    np.testing.assert_array_equal(band.loss_median, band.gaps[0])
    assert band.kind == "rmsprop"
    assert band.label == "RMSProp"
    assert band.seeds == (5,)


def test_several_seeds_stack_the_plain_runs_and_reduce_them_with_numpy() -> None:
    seeds = [0, 3, 7, 11]
    band = seed_band(MiniBatchLeastSquares(), rv.sgd(0.05), seeds=seeds, n_steps=30, quantiles=(0.25, 0.75))
    runs = [rv.run(MiniBatchLeastSquares(seed=s), rv.sgd(0.05), n_steps=30) for s in seeds]
    params = np.stack([r.params[:, 0] for r in runs])
    gaps = np.stack([r.values[:, 0] - loss_floor(MiniBatchLeastSquares(seed=s), 30) for r, s in zip(runs, seeds)])
    np.testing.assert_array_equal(band.params, params)
    np.testing.assert_allclose(band.gaps, gaps, rtol=0, atol=0)
    np.testing.assert_allclose(band.mean_path, params.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(band.path_std, params.std(axis=0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(band.loss_median, np.median(gaps, axis=0), rtol=1e-14)
    np.testing.assert_allclose(band.loss_low, np.quantile(gaps, 0.25, axis=0), rtol=1e-14)
    np.testing.assert_allclose(band.loss_high, np.quantile(gaps, 0.75, axis=0), rtol=1e-14)
    # the data sets differ with the seed, and so do the minima the gaps are measured from
    assert len(set(band.floors.tolist())) == len(seeds)


def test_band_statistics_against_closed_forms() -> None:
    seeds, n = [0, 1, 2], 6
    band = seed_band(scaled, rv.sgd(LR), seeds=seeds, n_steps=n, start=START, quantiles=(0.0, 1.0))
    paths = np.stack([closed_form(s, n) for s in seeds])
    np.testing.assert_allclose(band.params, paths, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(band.mean_path, paths.mean(axis=0), rtol=1e-12, atol=1e-15)
    # loss gap 0.5 (s + 1) |theta|^2 with f* = 0; quantiles 0 and 1 are the min and max
    gaps = 0.5 * (1.0 + np.array(seeds))[:, None] * (paths**2).sum(axis=-1)
    np.testing.assert_allclose(band.loss_low, gaps.min(axis=0), rtol=1e-12)
    np.testing.assert_allclose(band.loss_high, gaps.max(axis=0), rtol=1e-12)
    np.testing.assert_allclose(band.loss_median, np.median(gaps, axis=0), rtol=1e-12)
    # step 1: 5 * 0.9, 5 * 0.8, 5 * 0.7 (|theta_0|^2 = 5, factors 0.9, 0.8, 0.7 squared, times s + 1)
    np.testing.assert_allclose(band.gaps[:, 1], [0.5 * 5 * 0.81, 1.0 * 5 * 0.64, 1.5 * 5 * 0.49], rtol=1e-12)
    low, median, high = band.final_spread(last=2)
    tail = gaps[:, -2:].mean(axis=1)
    assert (low, median, high) == pytest.approx((tail.min(), np.median(tail), tail.max()), rel=1e-12)
    np.testing.assert_allclose(band.final_gaps, gaps[:, -1], rtol=1e-12)


def test_diverged_seeds_are_counted_and_leave_the_statistics() -> None:
    # lr (s + 1) > 2 from seed 20 on: SGD's factor |1 - 2.1| > 1 grows until the run leaves the window
    band = seed_band(scaled, rv.sgd(LR), seeds=[0, 1, 20], n_steps=200, start=START)
    assert band.n_diverged == 1
    k = int(band.diverged_at[2])
    assert 0 < k < 200
    assert band.diverged_at[:2].tolist() == [-1, -1]
    assert np.isnan(band.params[2, k:]).all()
    assert np.isnan(band.final_gaps[2])
    after = slice(k, None)
    two = np.stack([closed_form(0, 200), closed_form(1, 200)])
    np.testing.assert_allclose(band.mean_path[after], two.mean(axis=0)[after], rtol=1e-9, atol=1e-300)
    assert np.isfinite(band.loss_median).all()
    assert np.isfinite(band.final_spread()).all()


def test_every_seed_diverging_gives_nan_statistics_without_a_warning() -> None:
    band = seed_band(scaled, rv.sgd(1.0), seeds=[20, 30], n_steps=100, start=START)
    assert band.n_diverged == 2
    assert np.isnan(band.mean_path[-1]).all()
    assert np.isnan(band.loss_median[-1])
    assert np.isnan(band.final_spread()).all()


def test_with_seed_sets_every_seed_along_the_chain() -> None:
    shifting = Shifting(Noisy(rv.Quadratic(), sigma=1.0, seed=0), at_step=10)
    reseeded = with_seed(shifting, 4)
    assert isinstance(reseeded, Shifting)
    assert reseeded.base.seed == 4
    assert reseeded.at_step == 10
    assert with_seed(MiniBatchLeastSquares(batch_size=4), 2) == MiniBatchLeastSquares(batch_size=4, seed=2)
    assert with_seed(scaled, 3) == rv.Quadratic(condition=1.0, scale=4.0)


def test_seed_bands_runs_each_optimizer_on_the_same_seeds() -> None:
    surface = Noisy(rv.Quadratic(), sigma=0.5)
    bands = seed_bands(surface, {"SGD": rv.sgd(0.05), "my RMSProp": rv.rmsprop(0.05)}, seeds=[1, 2], n_steps=20)
    assert list(bands) == ["SGD", "my RMSProp"]
    assert [b.kind for b in bands.values()] == ["sgd", "rmsprop"]
    alone = seed_band(surface, rv.rmsprop(0.05), seeds=[1, 2], n_steps=20)
    np.testing.assert_array_equal(bands["my RMSProp"].params, alone.params)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"seeds": range(MAX_SEEDS + 1)}, "seeds must hold 1 to 64"),
        ({"seeds": []}, "seeds must hold 1 to 64"),
        ({"seeds": [1, 1]}, "seeds must be distinct"),
        ({"seeds": [-1]}, "seeds must be an integer >= 0"),
        ({"seeds": "abc"}, "seeds must be distinct"),
        ({"n_steps": 0}, "n_steps must be an integer"),
        ({"quantiles": (0.9, 0.1)}, "quantiles must be two numbers"),
        ({"quantiles": (0.1, 1.5)}, "quantiles must be a finite number in"),
        ({"start": [[0.0, 0.0], [1.0, 1.0]]}, "start must be one point"),
    ],
)
def test_bad_input_names_the_parameter(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        seed_band(Noisy(rv.Quadratic(), sigma=0.5), rv.sgd(0.1), **{"n_steps": 5, **kwargs})  # type: ignore[arg-type]


def test_a_surface_without_a_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="surface must have a seed"):
        seed_band(rv.Quadratic(), rv.sgd(0.1), seeds=[0], n_steps=5)
    with pytest.raises(ValueError, match="optimizers must be a non-empty mapping"):
        seed_bands(Noisy(rv.Quadratic()), {}, seeds=[0], n_steps=5)
