"""Every optimizer variant against trajectories recorded from torch.optim and optax.

The fixture ``reference/reference.npz`` is made by ``reference/make_reference.py`` (which
needs torch and optax); these tests need only numpy. Each case stores the rmsprop_viz
surface and optimizer to rebuild, the start, the reference parameters after every step
and ``trusted_steps``: for how many steps the reference stays within 1e-10 (relative) of
itself when its start is moved by 1e-15 (relative). Only those steps are compared, at a
tolerance ten times looser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import rmsprop_viz as rv

FIXTURE = Path(__file__).parent / "reference" / "reference.npz"
RTOL = 1e-9
ATOL = 1e-12  # floor for coordinates that pass near 0
MIN_TRUSTED_STEPS = 30

# Every variant the fixture must cover, with the library its reference comes from.
REQUIRED: dict[str, str] = {
    "sgd": "torch",
    "sgd-momentum": "torch",
    "sgd-nesterov": "torch",
    "adagrad": "torch",
    "adagrad-large-eps": "torch",
    "adagrad-optax": "optax",
    "rmsprop-eps-out": "torch",
    "rmsprop-eps-out-centered": "torch",
    "rmsprop-eps-out-momentum": "torch",
    "rmsprop-eps-out-centered-momentum": "torch",
    "rmsprop-eps-in": "optax",
    "rmsprop-eps-in-centered": "optax",
    "rmsprop-eps-in-momentum": "optax",
    "rmsprop-initial-v": "optax",
    "rmsprop-eps-in-bias-correction": "optax",
    "rmsprop-eps-out-bias-correction": "optax",
    "adam": "torch",
    "adam-amsgrad": "torch",
    "adam-optax": "optax",
}
REQUIRED_SURFACES = {"rosenbrock": {"a": 1.0, "b": 100.0}, "quadratic": {"condition": 20.0, "angle": 30.0}}


def load_fixture(path: Path = FIXTURE) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, np.ndarray]]:
    """``(meta, cases, params by case name)`` from the fixture, with no pickles."""
    with np.load(path, allow_pickle=False) as data:
        table = json.loads(str(data["cases"]))
        params = {case["name"]: data[f"params/{case['name']}"] for case in table["cases"]}
    return table["meta"], table["cases"], params


META, CASES, PARAMS = load_fixture()


def rebuild(case: dict[str, Any]) -> tuple[rv.Surface, rv.Optimizer]:
    surface = rv.surfaces.get(case["surface"]["name"], **case["surface"]["params"])
    optimizer = rv.optimizers.get(case["factory"])(**case["kwargs"])
    return surface, optimizer


def compared(case: dict[str, Any], ours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Our params and the reference's over steps ``0 .. trusted_steps``."""
    k = case["trusted_steps"]
    assert MIN_TRUSTED_STEPS <= k <= case["n_steps"], f"{case['name']}: only {k} trusted steps"
    ref = PARAMS[case["name"]]
    assert ref.shape == (case["n_steps"] + 1, 2)
    assert ours.shape == ref.shape
    return ours[: k + 1], ref[: k + 1]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_single_run_matches_reference(case: dict[str, Any]) -> None:
    surface, optimizer = rebuild(case)
    traj = rv.run(surface, optimizer, start=case["start"], n_steps=case["n_steps"])
    assert traj.diverged_at.tolist() == [-1]
    ours, ref = compared(case, traj.params[:, 0, :])
    np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=ATOL, err_msg=case["reference"])


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_batched_run_matches_reference(case: dict[str, Any]) -> None:
    # Two runs from the same start take the array code path instead of the fused loop.
    surface, optimizer = rebuild(case)
    traj = rv.run(surface, optimizer, start=[case["start"]] * 2, n_steps=case["n_steps"])
    assert traj.diverged_at.tolist() == [-1, -1]
    for r in range(2):
        ours, ref = compared(case, traj.params[:, r, :])
        np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=ATOL, err_msg=case["reference"])


def test_fixture_covers_every_variant() -> None:
    found = {(case["surface"]["name"], case["variant"]): case for case in CASES}
    assert len(found) == len(CASES), "duplicate cases"
    for surface, params in REQUIRED_SURFACES.items():
        for variant, library in REQUIRED.items():
            case = found.get((surface, variant))
            assert case is not None, f"the fixture has no case for {variant} on {surface}"
            assert case["library"] == library
            assert case["library_version"].startswith(library)
            assert case["surface"]["params"] == params
            assert case["n_steps"] == 200
            assert case["name"] == f"{surface}-{variant}"


def test_fixture_is_sane() -> None:
    assert META["dtype"] == "float64"
    assert META["perturbation"] == 1e-15
    assert META["depart_rtol"] <= RTOL / 10
    for case in CASES:
        ref = PARAMS[case["name"]]
        assert ref.dtype == np.float64
        assert np.isfinite(ref).all()
        assert ref[0].tolist() == case["start"]
        # The run must actually move, or the comparison would be empty.
        assert np.abs(ref[case["trusted_steps"]] - ref[0]).max() > 1e-3, case["name"]


# Conventions that differ between libraries (or from our defaults), each changed on a case
# where it matters: the references must tell them apart at the test's tolerance.
WRONG_CONVENTIONS: list[tuple[str, dict[str, Any]]] = [
    ("quadratic-rmsprop-eps-out", {"eps_in_sqrt": True}),  # optax's eps placement for torch's
    ("quadratic-rmsprop-eps-in", {"eps_in_sqrt": False}),  # and the other way round
    ("quadratic-rmsprop-eps-out", {"beta": 0.99}),  # torch's default alpha
    ("quadratic-rmsprop-eps-out-centered", {"centered": False}),
    ("quadratic-rmsprop-eps-in-centered", {"centered": False}),
    ("quadratic-rmsprop-initial-v", {"initial_v": 0.0}),
    ("quadratic-rmsprop-eps-in-bias-correction", {"bias_correction": False}),
    ("quadratic-adagrad-large-eps", {"eps_in_sqrt": True}),
    ("quadratic-adagrad-optax", {"eps_in_sqrt": False}),
    ("quadratic-adagrad-optax", {"initial_accumulator": 0.0}),
    ("quadratic-adagrad-optax", {"eps": 1e-10}),  # our default eps, not optax's 1e-7
    ("rosenbrock-sgd-nesterov", {"nesterov": False}),
    ("rosenbrock-adam-amsgrad", {"amsgrad": False}),
    ("quadratic-adam", {"eps": 1e-7}),
]


@pytest.mark.parametrize(
    ("name", "change"), WRONG_CONVENTIONS, ids=[f"{n}-{k}={v}" for n, c in WRONG_CONVENTIONS for k, v in c.items()]
)
def test_reference_tells_conventions_apart(name: str, change: dict[str, Any]) -> None:
    case = next(c for c in CASES if c["name"] == name)
    surface = rv.surfaces.get(case["surface"]["name"], **case["surface"]["params"])
    optimizer = rv.optimizers.get(case["factory"])(**{**case["kwargs"], **change})
    ours, ref = compared(case, rv.run(surface, optimizer, start=case["start"], n_steps=case["n_steps"]).params[:, 0])
    with pytest.raises(AssertionError, match="Not equal to tolerance"):
        np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=ATOL)


def test_comparison_catches_a_small_error() -> None:
    # A relative error of 1e-8 at one step of one reference must fail the comparison.
    case = next(c for c in CASES if c["variant"] == "rmsprop-eps-in")
    surface, optimizer = rebuild(case)
    ours, ref = compared(case, rv.run(surface, optimizer, start=case["start"], n_steps=case["n_steps"]).params[:, 0])
    ref = ref.copy()
    ref[case["trusted_steps"] // 2, 1] *= 1.0 + 1e-8
    with pytest.raises(AssertionError, match="Not equal to tolerance"):
        np.testing.assert_allclose(ours, ref, rtol=RTOL, atol=ATOL)
