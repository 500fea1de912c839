"""Shared by the tests of exports and frame renderers: a small race, its figures, and ways
to look at the pixels of what was written (tests/conftest.py puts tests/ on the path)."""

from __future__ import annotations

import gc
import os
import warnings
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

import rmsprop_viz as rv
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.frames import add_counter
from rmsprop_viz.render.public import show

N_STEPS = 30

FRAMES = 10

SIZE = (160, 120)  # 6.4 x 4.8 inches at 25 dpi: few pixels, but room for the layout


@pytest.fixture(scope="module")
def race() -> dict[str, rv.Trajectory]:
    # SGD at this rate diverges at step 5: its path shoots out of the window and stops growing.
    optimizers = {"SGD": rv.sgd(0.005), "RMSProp": rv.rmsprop(0.03), "Adam": rv.adam(0.05)}
    result = rv.race(rv.Rosenbrock(), optimizers, n_steps=N_STEPS)
    assert result["SGD"].diverged_at[0] == 5
    return result


@pytest.fixture
def figure(race: dict[str, rv.Trajectory]) -> RaceFigure:
    return RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=25)


@pytest.fixture(scope="module")
def untouched(race: dict[str, rv.Trajectory]) -> RaceFigure:
    """A figure for the tests whose export is refused before anything is drawn."""
    return RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=25)


@pytest.fixture
def make_figure(race: dict[str, rv.Trajectory]):
    return lambda: RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=25)


def full_render(figure: RaceFigure, step: int) -> np.ndarray:
    """The figure at ``step`` drawn the ordinary way: everything, in one canvas.draw()."""
    show(figure, add_counter(figure), step)
    figure.fig.canvas.draw()
    return np.asarray(figure.fig.canvas.buffer_rgba())[..., :3].astype(np.int16)


def rgb(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(np.int16)


def mp4_frames(path: Path) -> tuple[dict, list[np.ndarray]]:
    """The metadata and RGB frames of a video, decoded by imageio-ffmpeg."""
    with warnings.catch_warnings():
        # read_frames leaves the pipes of an ffmpeg that ended by itself to the garbage collector.
        warnings.simplefilter("ignore", ResourceWarning)
        reader = imageio_ffmpeg.read_frames(str(path))
        try:
            meta = next(reader)
            width, height = meta["size"]
            frames = [np.frombuffer(f, np.uint8).reshape(height, width, 3) for f in reader]
        finally:
            reader.close()
        del reader
        gc.collect()
    return meta, frames


def names(folder: Path) -> list[str]:
    """Every entry of ``folder``, hidden temporary files included."""
    return sorted(os.listdir(folder))


def frozen_reference(figure: RaceFigure) -> RaceFigure:
    """``figure`` laid out at the last step, as the fast path does, and kept so for every
    full draw."""
    figure.fig.canvas.draw()
    figure.fig.set_layout_engine("none")
    return figure


def assert_same_picture(frame: np.ndarray, reference: RaceFigure, step: int, other: int | None = None) -> None:
    """``frame`` is a full draw of ``reference`` at ``step``: a level or two in 256 off at
    most (Agg rounds where a clip box cuts a shape, and pasting a rendered marker or glyph
    rounds a little differently from drawing it). Drawn at the step ``other``, many pixels
    would be far off: the comparison can tell."""
    error = np.abs(frame[..., :3].astype(np.int16) - full_render(reference, step)).max(axis=-1)
    assert error.max() <= 2, f"step {step}: {(error > 2).sum()} pixels off by up to {error.max()}"
    if other is not None:
        wrong = np.abs(frame[..., :3].astype(np.int16) - full_render(reference, other)).max(axis=-1)
        assert (wrong > 32).sum() > 10, f"step {step} looks like step {other}"


def dashed_gaps_figure(race: dict[str, rv.Trajectory]) -> RaceFigure:
    """Curves with missing values (NaN: nothing drawn), which start their dash pattern
    again after each gap: Adam's dashed loss and dotted step size."""
    figure = RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=60)
    assert figure.losses is not None
    assert figure.steps is not None
    for curves, index in ((figure.losses, 2), (figure.steps, 5)):
        xs, ys = curves.data[index]
        ys = ys.copy()
        ys[[9, 10, 16]] = np.nan
        curves.data[index] = (xs, ys)
    figure.show_frame(figure.n_steps)
    return figure


def export_cases(race: dict[str, rv.Trajectory]) -> dict[str, RaceFigure]:
    """A figure of each kind an export draws: 2-D with and without panels, at small and
    export-like sizes, with a diverging run, dashed curves with gaps, in 3-D, and a run that
    diverges at its first step."""
    three = {k: v for k, v in race.items() if k != "SGD"}
    first = rv.race(
        rv.Rosenbrock(), {"SGD": rv.sgd(1e6), "Adagrad": rv.adagrad(0.1), "RMSProp": rv.rmsprop(0.01)}, n_steps=40
    )
    return {
        "2-D, panels, divergence": RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=25),
        "2-D, 60 dpi": RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=60),
        "2-D, no panels": RaceFigure(rv.Rosenbrock(), race, panels=False, figsize=(4.8, 4.8), dpi=50),
        "dashed curves with gaps": dashed_gaps_figure(race),
        "3-D": RaceFigure(rv.Rosenbrock(), three, three_d=True, figsize=(6.4, 4.8), dpi=40),
        "3-D, no panels": RaceFigure(rv.Rosenbrock(), three, three_d=True, panels=False, figsize=(4.8, 4.8), dpi=40),
        "diverged at step 1": RaceFigure(rv.Rosenbrock(), first, figsize=(6.4, 4.8), dpi=50),
    }
