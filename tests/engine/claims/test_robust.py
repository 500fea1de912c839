"""C9: Adam's range of converging learning rates against the others', with numbers checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.engine.claims import MISLEADING, PARTLY, SUPPORTED, Verdict
from rmsprop_viz.engine.claims.robust import c9_robustness


@pytest.fixture(scope="module")
def verdict() -> Verdict:
    return c9_robustness()


def default_grid() -> np.ndarray:
    """Five learning rates per decade from 1e-4 to 10, rounded to 3 digits, as C9 documents."""
    return np.array([float(f"{v:.3g}") for v in np.geomspace(1e-4, 10.0, 26)])


def test_verdict_and_evidence_against_thresholds(verdict: Verdict) -> None:
    assert verdict.id == "C9"
    assert verdict.verdict == SUPPORTED
    min_lead = verdict.settings["min_lead"]
    assert min_lead == 0.4
    # Adam's lead is three times the margin asked for (1.2 decades, six grid points).
    assert verdict.evidence["adam_lead"] >= 2.5 * min_lead
    assert verdict.evidence["adam_lead_rosenbrock"] >= 4 * min_lead
    assert verdict.evidence["adam_lead_quadratic"] >= 2.5 * min_lead
    assert verdict.evidence["adam_lead"] == min(
        verdict.evidence["adam_lead_rosenbrock"], verdict.evidence["adam_lead_quadratic"]
    )
    # In Rosenbrock's valley only Adam converges over more than half a decade.
    assert verdict.evidence["adam_decades_rosenbrock"] >= 2.0
    for kind in ("sgd", "momentum", "adagrad", "rmsprop"):
        assert verdict.evidence[f"{kind}_decades_rosenbrock"] <= 0.5
    assert verdict.key == "adam_lead"
    assert "Adam" in verdict.explanation
    assert verdict.explanation.count(". ") == 1  # two sentences


def test_sgd_on_the_quadratic_by_the_closed_form(verdict: Verdict) -> None:
    # SGD from (x0, y0) on f = (x^2 + k y^2) / 2: gap_T = (x0^2 (1 - a)^(2T) + k y0^2 (1 - a k)^(2T)) / 2.
    k, n_steps = verdict.settings["condition"], verdict.settings["n_steps"]
    x0, y0 = rv.Quadratic(condition=k).default_start
    lrs = default_grid()
    with np.errstate(over="ignore"):
        gaps = 0.5 * (x0**2 * (1 - lrs) ** (2 * n_steps) + k * y0**2 * (1 - lrs * k) ** (2 * n_steps))
    start_gap = 0.5 * (x0**2 + k * y0**2)
    converges = gaps <= max(verdict.settings["tol"], start_gap / verdict.settings["reduction"])
    assert (lrs[converges] < 2 / k).all()
    curve = verdict.data["curves"]["quadratic"]["sgd"]
    np.testing.assert_array_equal(curve.lrs, lrs)
    assert curve.converged.tolist() == converges.tolist()
    assert verdict.evidence["sgd_converging_quadratic"] == int(converges.sum()) == 6
    run = np.flatnonzero(converges)
    assert verdict.evidence["sgd_decades_quadratic"] == pytest.approx(np.log10(lrs[run[-1]] / lrs[run[0]]))


def test_rmsprop_bounces_by_about_its_learning_rate(verdict: Verdict) -> None:
    # On the quadratic RMSProp's steps are about a in each coordinate, so it ends bouncing
    # with amplitude ~ a / 2 across the steep valley: gap ~ k (a / 2)^2 / 2, which passes the
    # threshold 73.6 / 1e3 between a = 0.01 (0.0013) and a = 0.1 (0.125).
    curve = verdict.data["curves"]["quadratic"]["rmsprop"]
    assert curve.high is not None
    assert 0.01 <= curve.high < 0.1
    assert curve.converged[curve.lrs >= 0.1].sum() == 0
    assert curve.converged[curve.lrs == 0.01].all()


def test_settings_flip_the_verdict() -> None:
    # A grid that stops at 0.1 cuts Adam's range on the quadratic; at 0.01 on both.
    partly = c9_robustness(lr_high=0.1)
    assert partly.verdict == PARTLY
    assert partly.evidence["adam_lead_rosenbrock"] >= 0.5
    assert partly.evidence["adam_lead_quadratic"] <= -0.5
    misleading = c9_robustness(lr_high=0.01)
    assert misleading.verdict == MISLEADING
    assert misleading.evidence["adam_lead"] <= -0.3
    # Asking for a lead larger than Adam's on the quadratic (1.2 decades) makes it partly.
    assert c9_robustness(min_lead=1.5).verdict == PARTLY


def test_recorded_settings_reproduce_the_verdict(verdict: Verdict) -> None:
    again = rv.claims.check(verdict.id, **verdict.settings)
    assert again.verdict == verdict.verdict
    assert again.evidence == verdict.evidence
    one = c9_robustness(surfaces=("rosenbrock",))
    assert one.verdict == SUPPORTED
    assert "adam_lead_quadratic" not in one.evidence


@pytest.mark.parametrize(
    ("settings", "name"),
    [
        ({"kinds": ("sgd", "rmsprop")}, "kinds"),
        ({"kinds": ("adam",)}, "kinds"),
        ({"kinds": ("adam", "lion")}, "kinds"),
        ({"kinds": "adam"}, "kinds"),
        ({"surfaces": ("himmelblau",)}, "surfaces"),
        ({"surfaces": ()}, "surfaces"),
        ({"condition": 0.5}, "condition"),
        ({"lr_high": 1e-5}, "lr_high"),
        ({"per_decade": 0}, "per_decade"),
        ({"per_decade": 20, "lr_low": 1e-8, "lr_high": 100.0}, "per_decade"),
        ({"n_steps": 6000}, "n_steps"),
        ({"tol": 0.0}, "tol"),
        ({"reduction": 0.1}, "reduction"),
        ({"min_lead": -1.0}, "min_lead"),
    ],
)
def test_bad_settings_name_the_parameter(settings: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        c9_robustness(**settings)  # type: ignore[arg-type]
