"""C7, noisy gradients and small batches: the verdict, its evidence against thresholds with
margin, the stationary noise floor of SGD from its closed form, and verdicts that flip."""

from __future__ import annotations

import functools

import pytest

import rmsprop_viz as rv
from rmsprop_viz.engine.claims import PARTLY, Verdict
from rmsprop_viz.engine.claims.noise import NOISE_SCENES, c7_noisy_gradients


@functools.cache
def default() -> Verdict:
    return c7_noisy_gradients()


def sgd_floor(lr: float, sigma: float, curvatures: tuple[float, ...]) -> float:
    """SGD's mean loss gap once it hovers on a bowl with gradient noise sigma (by hand).

    Per coordinate x_{t+1} = (1 - lr k) x_t - lr sigma xi_t has stationary variance
    lr^2 sigma^2 / (1 - (1 - lr k)^2) = lr sigma^2 / (k (2 - lr k)), and the loss k x^2 / 2
    then averages lr sigma^2 / (2 (2 - lr k)).
    """
    return sum(lr * sigma**2 / (2.0 * (2.0 - lr * k)) for k in curvatures)


def test_the_verdict_is_partly_with_every_ratio_far_from_its_threshold() -> None:
    v = default()
    assert v.id == "C7"
    assert v.verdict == PARTLY
    threshold = v.settings["min_ratio"]
    # RMSProp helps with large noise and with batches of one sample ...
    assert v.evidence["sgd_over_rmsprop_large_noise"] >= 3 * threshold
    assert v.evidence["sgd_over_rmsprop_minibatch"] >= 3 * threshold
    # ... and hurts with small noise
    assert v.evidence["rmsprop_over_sgd_small_noise"] >= 3 * threshold
    assert v.evidence["diverged_runs"] == 0
    assert v.key == "sgd_over_rmsprop_large_noise"


def test_sgd_floor_matches_its_closed_form() -> None:
    v = default()
    s = v.settings
    curvatures = (1.0, s["condition"])  # Quadratic(condition): 0.5 (x^2 + condition y^2)
    for problem, sigma in [("small_noise", s["small_sigma"]), ("large_noise", s["large_sigma"])]:
        expected = sgd_floor(s["lr"], sigma, curvatures)
        # 8 seeds x 100 correlated steps: the median is within about a third of the mean
        assert v.evidence[f"sgd_floor_{problem}"] == pytest.approx(expected, rel=0.35)


def test_rmsprop_steps_stay_about_lr_while_sgd_steps_shrink_with_the_noise() -> None:
    v = default()
    # near the minimum g is mostly noise of size sigma and v ~ sigma^2: RMSProp's step ~ lr g / sigma ~ lr
    assert 0.7 <= v.evidence["rmsprop_step_over_lr_small_noise"] <= 1.3
    # SGD's step is lr g, with g of size sigma = 0.1
    assert v.evidence["sgd_step_over_lr_small_noise"] == pytest.approx(v.settings["small_sigma"], rel=0.3)


def test_the_floors_and_spreads_are_the_bands_numbers() -> None:
    v = default()
    tail = v.settings["tail"]
    assert set(v.data["bands"]) == set(NOISE_SCENES)
    for problem, bands in v.data["bands"].items():
        for name, band in zip(("sgd", "rmsprop", "adam"), bands.values()):
            assert band.kind == name
            assert len(band.seeds) == v.settings["seeds"]
            low, median, high = band.final_spread(last=tail)
            assert v.evidence[f"{name}_floor_{problem}"] == median
            assert v.evidence[f"{name}_spread_{problem}"] == pytest.approx(high - low)
            assert 0 < low <= median <= high


def test_settings_flip_the_verdict() -> None:
    # all noise large: RMSProp helps everywhere and hurts nowhere
    assert c7_noisy_gradients(small_sigma=10.0, large_sigma=30.0, seeds=4, n_steps=200).verdict == "supported"
    # small noise only and full batches (no noise at all): RMSProp never settles lower
    misleading = c7_noisy_gradients(large_sigma=0.5, batch_size=256, seeds=4, n_steps=200)
    assert misleading.verdict == "misleading"
    assert misleading.evidence["sgd_over_rmsprop_minibatch"] < 0.1


def test_recorded_settings_rerun_the_verdict() -> None:
    v = c7_noisy_gradients(seeds=3, n_steps=150, tail=50)
    again = rv.claims.check(v.id, **v.settings)
    assert again.verdict == v.verdict
    assert again.evidence == v.evidence


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seeds": 65}, "seeds must be an integer in"),
        ({"seeds": 1}, "seeds must be an integer in"),
        ({"small_sigma": 5.0, "large_sigma": 1.0}, "small_sigma must be less than large_sigma"),
        ({"n_steps": 100, "tail": 101}, "tail must be an integer in"),
        ({"n_steps": 6000}, "n_steps must be an integer in"),
        ({"lr": 0.0}, "lr must be a finite number in"),
        ({"batch_size": 0}, "batch_size must be an integer in"),
        ({"min_ratio": 1.0}, "min_ratio must be a finite number in"),
    ],
)
def test_bad_settings_name_the_parameter(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        c7_noisy_gradients(**kwargs)  # type: ignore[arg-type]
