"""The Python API: bad input is one ValueError line naming the parameter; every size has
an upper limit checked before anything is allocated; no numpy warning escapes."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _robustness import assert_one_line, assert_refused_in_child, assert_value_error

import rmsprop_viz as rv
from rmsprop_viz import export as animation
from rmsprop_viz import plotting
from rmsprop_viz.core import surfaces
from rmsprop_viz.core.optimizers import Optimizer
from rmsprop_viz.plotting import RaceFigure

BOWL = rv.Quadratic()


def _small_figure(**options: Any) -> RaceFigure:
    return RaceFigure(BOWL, rv.race(BOWL, {"SGD": rv.sgd(0.1)}, n_steps=5), **options)


def _own_optimizer() -> Optimizer:
    """A user's own optimizer (plain SGD), which the package must run step by step."""
    return Optimizer(lambda params: (), lambda grads, state: (-0.01 * grads, state))


# ------------------------------------------------------------------ sizes

SIZES: dict[str, tuple[Callable[[], Any], tuple[str, ...], float]] = {
    "run-n_steps": (lambda: rv.run(BOWL, rv.sgd(0.1), n_steps=10**12), ("n_steps",), 10**12),
    "run-own-optimizer-n_steps": (lambda: rv.run(BOWL, _own_optimizer(), n_steps=10**12), ("n_steps",), 10**12),
    "race-n_steps": (lambda: rv.race(BOWL, {"A": rv.adam(0.1)}, n_steps=10**12), ("n_steps",), 10**12),
    "sweep-n_steps": (lambda: rv.sweep(BOWL, rv.sgd, grid={"lr": [0.1, 0.2]}, n_steps=10**12), ("n_steps",), 10**12),
    "sweep-grid-cells": (
        lambda: rv.sweep(
            BOWL, rv.rmsprop, grid={"lr": np.geomspace(1e-4, 1, 10**5), "beta": np.linspace(0, 0.9, 10**5)}
        ),
        ("grid",),
        10**10,
    ),
    "minibatch-n_samples": (lambda: surfaces.MiniBatchLeastSquares(n_samples=10**12), ("n_samples",), 10**12),
    "minibatch-batch_size": (lambda: surfaces.MiniBatchLeastSquares(batch_size=10**12), ("batch_size",), 10**12),
    "surface_grid-resolution": (lambda: plotting.surface_grid(BOWL, resolution=10**6), ("resolution",), 10**6),
    "racefigure-dpi": (lambda: _small_figure(dpi=1e6).fig.canvas.draw(), ("dpi",), 1e6),
    "racefigure-figsize": (lambda: _small_figure(figsize=(1e6, 1e6)).fig.canvas.draw(), ("figsize",), 1e6),
    "explore-n_steps": (lambda: rv.explore("saddle", backend="image", n_steps=10**12), ("n_steps",), 10**12),
}


@pytest.mark.parametrize("case", list(SIZES))
def test_sizes_have_an_upper_limit_named_in_the_message(case: str) -> None:
    call, names, given = SIZES[case]
    assert_refused_in_child(call, *names, above=given)


def test_a_batch_of_starts_times_steps_is_limited() -> None:
    starts = np.zeros((10**6, 2))
    message = assert_refused_in_child(lambda: rv.run(BOWL, rv.sgd(0.1), start=starts, n_steps=10**5))
    assert "start" in message or "runs" in message or "n_steps" in message, message


def test_a_sweep_of_many_cells_and_steps_is_refused_or_quick() -> None:
    """Each size may be allowed alone, but together they would take many minutes."""
    from _robustness import in_child

    def big() -> None:
        rv.sweep(BOWL, rv.sgd, grid={"lr": np.geomspace(1e-4, 0.1, 10**4)}, n_steps=10**6, backend="numpy")

    outcome = in_child(big)
    assert outcome.kind in ("returned", "raised"), str(outcome)
    if outcome.kind == "raised":
        assert outcome.error == "ValueError", str(outcome)
        message = assert_one_line(outcome.message)
        assert "n_steps" in message or "grid" in message, message


EXPORT_SIZES: dict[str, tuple[dict[str, Any], str]] = {
    "dpi": ({"dpi": 1e6}, "upper"),
    "frames": ({"frames": 10**12}, "upper"),
    "fps-high": ({"fps": 1e9}, "upper"),
    "fps-low": ({"fps": 1e-9}, "lower"),
}


@pytest.mark.parametrize("case", list(EXPORT_SIZES))
def test_save_limits_fps_frames_and_dpi(case: str, tmp_path: Path) -> None:
    from _robustness import assert_lower_limit, assert_upper_limit

    options, end = EXPORT_SIZES[case]
    ((name, value),) = options.items()
    figure = _small_figure(dpi=20)

    def save() -> None:
        animation.save(figure, tmp_path / "race.gif", progress=False, **options)

    message = assert_refused_in_child(save, name.split("-")[0])
    if end == "upper":
        assert_upper_limit(message, value)
    else:
        assert_lower_limit(message, value)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------- bad input


def test_sweep_fixed_with_an_unknown_hyperparameter() -> None:
    assert_value_error(lambda: rv.sweep(BOWL, rv.rmsprop, grid={"lr": [0.1]}, n_steps=5, fixed={"bogus": 1.0}), "bogus")


def test_sweep_fixed_that_is_not_a_mapping() -> None:
    assert_value_error(lambda: rv.sweep(BOWL, rv.rmsprop, grid={"lr": [0.1]}, n_steps=5, fixed="eps"), "fixed")  # type: ignore[arg-type]


def test_sweep_fixed_with_a_wrong_type() -> None:
    assert_value_error(lambda: rv.sweep(BOWL, rv.rmsprop, grid={"lr": [0.1]}, n_steps=5, fixed={"beta": "hi"}), "beta")


def test_sweep_grid_of_text() -> None:
    assert_value_error(lambda: rv.sweep(BOWL, rv.rmsprop, grid={"lr": "fast"}, n_steps=5), "lr")


@pytest.mark.parametrize("figure", ["race.png", None, 3], ids=["text", "none", "int"])
def test_save_refuses_what_is_not_a_figure(figure: Any, tmp_path: Path) -> None:
    assert_value_error(lambda: animation.save(figure, tmp_path / "race.gif", progress=False), "figure")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", [123, None, 2.5, ["race.gif"]], ids=["int", "none", "float", "list"])
def test_save_refuses_what_is_not_a_path(path: Any) -> None:
    figure = _small_figure(dpi=20)
    assert_value_error(lambda: animation.save(figure, path, progress=False), "path")


def test_save_into_a_missing_folder(tmp_path: Path) -> None:
    figure = _small_figure(dpi=20)
    assert_value_error(lambda: animation.save(figure, tmp_path / "nowhere" / "race.gif", progress=False), "nowhere")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("resolution", ["fine", -1, 2.5], ids=["text", "negative", "fraction"])
def test_surface_grid_resolution(resolution: Any) -> None:
    assert_value_error(lambda: plotting.surface_grid(BOWL, resolution=resolution), "resolution")


@pytest.mark.parametrize(("option", "value"), [("dpi", -5.0), ("dpi", "high"), ("figsize", (0.0, 5.0))])
def test_racefigure_sizes(option: str, value: Any) -> None:
    assert_value_error(lambda: _small_figure(**{option: value}), option)


CHECKED: dict[str, tuple[Callable[[], Any], str]] = {
    "run-n_steps-text": (lambda: rv.run(BOWL, rv.sgd(0.1), n_steps="10"), "n_steps"),  # type: ignore[arg-type]
    "rmsprop-beta-1": (lambda: rv.rmsprop(0.1, beta=1.0), "beta"),
    "sgd-nesterov-text": (lambda: rv.sgd(0.1, momentum=0.9, nesterov="yes"), "nesterov"),  # type: ignore[arg-type]
    "quadratic-condition-list": (lambda: surfaces.get("quadratic", condition=[1.0, 2.0]), "condition"),
    "animate-fps-0": (lambda: animation.animate(_small_figure(dpi=20), fps=0), "fps"),
    "run-start-text": (lambda: rv.run(BOWL, rv.sgd(0.1), start=(0.0, "a")), "start"),
}


@pytest.mark.parametrize("case", list(CHECKED))
def test_checked_parameters_are_named(case: str) -> None:
    call, name = CHECKED[case]
    assert_value_error(call, name)


# ------------------------------------------------- impossible pictures, warnings

IMPOSSIBLE: dict[str, tuple[Callable[[], Any], str]] = {
    "quadratic-condition": (lambda: surfaces.Quadratic(condition=1e300), "condition"),
    "quadratic-scale-huge": (lambda: surfaces.Quadratic(scale=1e300), "scale"),
    "quadratic-scale-tiny": (lambda: surfaces.Quadratic(scale=1e-300), "scale"),
    "rosenbrock-b": (lambda: surfaces.Rosenbrock(b=1e300), "b"),
    "rosenbrock-a": (lambda: surfaces.Rosenbrock(a=1e200), "a"),
    "noisy-sigma": (lambda: surfaces.Noisy(surfaces.Quadratic(), sigma=1e300), "sigma"),
    "shifting-shift": (lambda: surfaces.Shifting(surfaces.Quadratic(), at_step=2, shift=(1e300, 0.0)), "shift"),
    "shifting-scale": (lambda: surfaces.Shifting(surfaces.Quadratic(), at_step=2, scale=1e300), "scale"),
    "minibatch-feature_scales": (lambda: surfaces.MiniBatchLeastSquares(feature_scales=(1e200, 1.0)), "feature_scales"),
}


@pytest.mark.parametrize("case", list(IMPOSSIBLE))
def test_a_surface_that_cannot_be_drawn_is_named_or_drawn_cleanly(case: str) -> None:
    make, name = IMPOSSIBLE[case]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            surface = make()
            race = rv.race(surface, {"SGD": rv.sgd(1e-3), "RMSProp": rv.rmsprop(1e-3)}, n_steps=5)
            figure = RaceFigure(surface, race, dpi=20)
            figure.show_frame(3)
            figure.fig.canvas.draw()
        except ValueError as error:
            message = assert_one_line(str(error))
            assert name in message, f"the message does not name {name!r}: {message!r}"


def _figure_of(surface: Any, optimizer: Optimizer, start: Any = None) -> None:
    race = rv.race(surface, {"X": optimizer}, start=start, n_steps=6)
    traj = race["X"]
    _ = traj.effective_lr, traj.best_value, traj.steps_to(1e-3), traj.final_value
    figure = RaceFigure(surface, race, dpi=20)
    for step in (0, 1, 6):
        figure.show_frame(step)
    figure.fig.canvas.draw()


QUIET: dict[str, Callable[[], Any]] = {
    "sgd-huge-lr": lambda: _figure_of(BOWL, rv.sgd(1e300)),
    "sgd-at-the-minimum": lambda: _figure_of(BOWL, rv.sgd(0.1), start=(0.0, 0.0)),
    "rmsprop-subnormal-eps": lambda: _figure_of(BOWL, rv.rmsprop(0.1, eps=5e-324)),
    "adam-at-the-minimum": lambda: _figure_of(BOWL, rv.adam(0.1), start=(0.0, 0.0)),
    "adagrad-eps-out-at-the-minimum": lambda: _figure_of(BOWL, rv.adagrad(0.1), start=(0.0, 0.0)),
    "rosenbrock-adagrad-huge-lr": lambda: _figure_of(rv.Rosenbrock(), rv.adagrad(1e6)),
    "long-quadratic-race": lambda: RaceFigure(
        BOWL, rv.race(BOWL, {"SGD": rv.sgd(0.15)}, n_steps=3000), dpi=20
    ).fig.canvas.draw(),
    "sweep-best-all-diverged": lambda: rv.sweep(BOWL, rv.sgd, grid={"lr": [10.0, 100.0]}, n_steps=20, metric="best"),
    "sweep-steps-all-diverged": lambda: rv.sweep(BOWL, rv.sgd, grid={"lr": [10.0, 100.0]}, n_steps=20, metric="steps"),
    "draw_sweep-all-nan": lambda: plotting.draw_sweep(
        _axes(),
        np.full((2, 3), np.nan),
        np.array([0.1, 0.2]),
        np.array([0.1, 0.5, 0.9]),
    ),
}


def _axes() -> Any:
    from matplotlib.figure import Figure

    return Figure().add_subplot()


@pytest.mark.parametrize("case", list(QUIET))
def test_no_numpy_warning_escapes(case: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        QUIET[case]()
