"""Step reports: every shown step can be recomputed from the numbers shown beside it."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
import readout_check as check  # tests/readout_check.py (tests/conftest.py puts tests/ on the path)

import rmsprop_viz as rv
from rmsprop_viz.engine.reports import Row, StepReport, step_report
from rmsprop_viz.scenes import OptimizerSpec

# (factory, hyperparameters): every optimizer and every option that changes its rows.
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("sgd", {"lr": 0.001}),
    ("sgd", {"lr": 0.0005, "momentum": 0.9}),
    ("sgd", {"lr": 0.0005, "momentum": 0.9, "nesterov": True}),
    ("adagrad", {"lr": 0.1}),
    ("adagrad", {"lr": 0.1, "eps": 1e-3, "eps_in_sqrt": True, "initial_accumulator": 0.1}),
    ("rmsprop", {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "eps": 1e-2, "eps_in_sqrt": False}),
    ("rmsprop", {"lr": 0.01, "beta": 0.99, "centered": True}),
    ("rmsprop", {"lr": 0.003, "momentum": 0.5, "eps_in_sqrt": False}),
    ("rmsprop", {"lr": 0.01, "bias_correction": True, "centered": True, "initial_v": 0.5}),
    ("adam", {"lr": 0.02}),
    ("adam", {"lr": 0.02, "amsgrad": True}),
    ("adam", {"lr": 0.02, "bias_correction": False, "beta2": 0.9}),
]
IDS = [f"{f}-{'-'.join(f'{k}={v}' for k, v in p.items() if k != 'lr') or 'plain'}" for f, p in VARIANTS]


def _shown(report: StepReport) -> dict[str, tuple[str, str, str]]:
    rows = {}
    for row in report.rows:
        x, y = row.texts()
        rows[row.name] = (row.formula, x, y)
    return rows


def _check(report: StepReport, factory: str, params: dict[str, Any]) -> list[str]:
    consts = check.constants(report.constants_text())
    checked: list[str] = check.check_step(factory, params, consts, _shown(report))
    return checked


def _run(
    factory: str, params: dict[str, Any], surface: Any, n_steps: int, start: Any = None
) -> tuple[OptimizerSpec, rv.Trajectory]:
    spec = OptimizerSpec(factory, params)
    where = {} if start is None else {"start": start}
    return spec, rv.run(surface, spec.build(), n_steps=n_steps, label=spec.label, **where)


@pytest.mark.parametrize(("factory", "params"), VARIANTS, ids=IDS)
def test_every_shown_step_follows_from_the_numbers_shown(factory: str, params: dict[str, Any]) -> None:
    n = 80
    spec, traj = _run(factory, params, rv.Rosenbrock(), n)
    assert traj.diverged_at[0] == -1
    for step in (1, 2, n // 2, n):
        report = step_report(spec, traj, step)
        assert report.step == step
        assert report.note == ""
        checked = _check(report, factory, params)
        assert set(checked) == {r.name for r in report.rows} - {"g"} - {
            r.name for r in report.rows if "_prev" in r.name
        }
        # the step shown is the run's own update, to the digits shown
        u = traj.updates[step - 1, 0]
        assert check.shown(report.row("step").texts()[0]).meets(check.Iv(u[0], u[0]))


@pytest.mark.parametrize(("factory", "params"), VARIANTS, ids=IDS)
def test_after_a_divergence_the_report_shows_the_step_that_left(factory: str, params: dict[str, Any]) -> None:
    # SGD a little above its stable learning rate on a bowl grows for a while before it
    # leaves; the adaptive methods leave at their first step when alpha is huge.
    if factory == "sgd":
        big = dict(params, lr=0.4 if params.get("momentum") else 0.21)
        spec, traj = _run(factory, big, rv.Quadratic(), 80)
    else:
        big = dict(params, lr=2000.0)
        spec, traj = _run(factory, big, rv.Rosenbrock(), 80)
    k = int(traj.diverged_at[0])
    assert k > 0
    for step in (k, k + 1, 80):
        report = step_report(spec, traj, step)
        assert report.step == k
        assert (f"diverged at step {k}" in report.note) == (step > k)
        _check(report, factory, big)
    if k > 1:
        _check(step_report(spec, traj, k - 1), factory, big)


@pytest.mark.parametrize(("factory", "params"), VARIANTS, ids=IDS)
def test_the_previous_state_shown_is_the_state_shown_one_step_earlier(factory: str, params: dict[str, Any]) -> None:
    spec, traj = _run(factory, params, rv.Rosenbrock(), 12)
    for step in range(2, 13):
        now, before = step_report(spec, traj, step), step_report(spec, traj, step - 1)
        for row in now.rows:
            if row.name.endswith("_prev"):
                assert row.texts() == before.row(row.name.removesuffix("_prev")).texts()


def test_the_first_state_starts_from_the_initial_values() -> None:
    spec, traj = _run("adagrad", {"lr": 0.1, "initial_accumulator": 0.25}, rv.Quadratic(), 3)
    assert step_report(spec, traj, 1).row("s_prev").values == (0.25, 0.25)
    spec, traj = _run("rmsprop", {"lr": 0.1, "initial_v": 2.0}, rv.Quadratic(), 3)
    assert step_report(spec, traj, 1).row("v_prev").values == (2.0, 2.0)
    spec, traj = _run("adam", {"lr": 0.1}, rv.Quadratic(), 3)
    assert step_report(spec, traj, 1).row("m_prev").values == (0.0, 0.0)


def test_the_check_catches_a_step_of_the_wrong_sign_or_a_misplaced_eps() -> None:
    # The test above can fail: Adam's step with the opposite sign, or RMSProp's den with
    # eps outside the root while the run had it inside, are caught.
    spec, traj = _run("adam", {"lr": 0.02}, rv.Rosenbrock(), 10)
    report = step_report(spec, traj, 5)
    flipped = [
        dataclasses.replace(r, values=(-r.values[0], -r.values[1])) if r.name == "step" else r for r in report.rows
    ]
    with pytest.raises(AssertionError, match="row step"):
        _check(dataclasses.replace(report, rows=tuple(flipped)), "adam", {"lr": 0.02})
    params = {"lr": 0.01, "eps": 1e-2}
    spec, traj = _run("rmsprop", params, rv.Rosenbrock(), 10)
    report = step_report(spec, traj, 5)
    with pytest.raises(AssertionError):
        _check(report, "rmsprop", {**params, "eps_in_sqrt": False})


def test_values_below_resolution_say_so_and_no_minus_zero() -> None:
    # Gradient descent on a round bowl reaches the minimum up to rounding, then keeps
    # shrinking x towards 1e-300: those gradients are noise, not numbers to print.
    spec, traj = _run("sgd", {"lr": 0.45}, rv.Quadratic(condition=1.0), 1500)
    g_last = traj.grads[-1, 0]
    assert 0 < np.max(np.abs(g_last)) < 1e-100 or np.all(g_last == 0)
    report = step_report(spec, traj, 1500)
    for row in report.rows:
        for text, value in zip(row.texts(), row.values):
            assert text.startswith("< ") or (text == "0" and value == 0.0), (row.name, text)
    _check(report, "sgd", {"lr": 0.45})
    assert Row("g", "∇f(θ)", (-0.0, 0.0), scale=1.0).texts() == ("0", "0")  # exact zeros, no -0
    assert Row("g", "∇f(θ)", (-2.24e-300, 8.44e-172), scale=3.0).texts() == ("< 3e-15", "< 3e-15")


def test_a_start_near_1e_300_shows_no_subnormal_number() -> None:
    # The saddle from (1e-300, 1e-300): the gradient at step 1 is about 1e-300 (a real
    # number), but after 400 steps x has shrunk below float64's smallest normal number.
    # Those digits are underflow, not the optimizer's: they print through the "< ..."
    # rule, and the rule's own threshold is a normal number, never "< 1e-315".
    tiny = float(np.finfo(np.float64).tiny)
    seen_subnormal = False
    for factory, params in [("sgd", {"lr": 0.01}), ("sgd", {"lr": 0.005, "momentum": 0.9}), ("adagrad", {"lr": 0.1})]:
        spec, traj = _run(factory, params, rv.surfaces.Saddle(), 400, start=(1e-300, 1e-300))
        report = step_report(spec, traj, 400)
        for row in report.rows:
            for text, value in zip(row.texts(), row.values):
                seen_subnormal |= 0.0 < abs(value) < tiny
                if text == "0":
                    assert value == 0.0, (factory, row.name)
                    continue
                number = float(text.removeprefix("< "))
                assert abs(number) >= tiny, (factory, row.name, value, text)
                if 0.0 < abs(value) < tiny:
                    assert text.startswith("< "), (factory, row.name, value, text)
    assert seen_subnormal  # the case this test is about did occur


def test_the_start_and_bad_arguments() -> None:
    spec, traj = _run("rmsprop", {"lr": 0.01}, rv.Quadratic(), 5)
    start = step_report(spec, traj, 0)
    assert start.rows == ()
    assert "start" in start.note
    with pytest.raises(ValueError, match=r"step must be an integer in \[0, 5\]"):
        step_report(spec, traj, 6)
    with pytest.raises(ValueError, match=r"run must be an integer in \[0, 0\]"):
        step_report(spec, traj, 1, run=1)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        step_report(dataclasses.replace(spec, factory="lion"), traj, 1)
    batched = OptimizerSpec("rmsprop", {"lr": np.array([[0.01], [0.02]])})
    with pytest.raises(ValueError, match="single hyperparameters; lr"):
        step_report(batched, traj, 1)
    with pytest.raises(KeyError, match="no row 'm'"):
        step_report(spec, traj, 1).row("m")


def test_the_text_table_lists_formula_and_numbers() -> None:
    spec, traj = _run("rmsprop", {"lr": 0.01, "eps_in_sqrt": False}, rv.Rosenbrock(), 5)
    text = step_report(spec, traj, 3).as_text()
    lines = text.splitlines()
    assert lines[0] == "RMSProp, step 3 (α = 0.01, β = 0.9, ε = 1e-08)"
    assert [line.split()[0] for line in lines[1:]] == ["g", "v_prev", "v", "den", "step"]
    assert "= √v + ε" in text
    assert "= −α·g / den" in text
