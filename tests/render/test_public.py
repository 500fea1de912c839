"""The public twin: matplotlib's blitting API gives the frames of a full draw, and the fast
path's frames agree with it for every kind of figure an export draws."""

from __future__ import annotations

import numpy as np
import pytest
from race_pictures import FRAMES, N_STEPS, assert_same_picture, export_cases, frozen_reference

import rmsprop_viz as rv
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.fast import fast_frames
from rmsprop_viz.render.frames import add_counter, animated_artists, frame_steps
from rmsprop_viz.render.public import (
    LEVELS,
    SHIFTED_LEVELS,
    SHIFTED_SHARE,
    changed_bands,
    frames_agree,
    public_frames,
)

CASES = [
    "2-D, panels, divergence",
    "2-D, 60 dpi",
    "2-D, no panels",
    "dashed curves with gaps",
    "3-D",
    "3-D, no panels",
    "diverged at step 1",
]


@pytest.fixture(scope="module")
def cases(race: dict[str, rv.Trajectory]):  # type: ignore[no-untyped-def]
    """A new set of the export cases for each call (a figure is changed by drawing it)."""
    return lambda: export_cases(race)


def test_the_cases_are_every_export_case(cases) -> None:  # type: ignore[no-untyped-def]
    assert sorted(cases()) == sorted(CASES)


@pytest.mark.parametrize("name", CASES)
def test_public_frames_equal_a_full_draw(cases, name: str) -> None:  # type: ignore[no-untyped-def]
    """The twin's frames are a full draw's (the same tolerance as the fast path's), at any
    step and in any order."""
    reference = frozen_reference(cases()[name])
    with public_frames(cases()[name]) as render:
        for step, other in [(N_STEPS, 0), (0, N_STEPS), (4, 5), (5, 4), (17, 12)]:
            assert_same_picture(render(step), reference, step, other)


@pytest.mark.parametrize("name", CASES)
def test_fast_and_public_frames_agree(cases, name: str) -> None:  # type: ignore[no-untyped-def]
    """Every frame of an export, rendered through both renderers, agrees as the module's
    docstring says; these lines are short (< 128 points), so to within LEVELS everywhere."""
    figure = cases()[name]
    steps = frame_steps(figure.n_steps, FRAMES)
    fast_pixels = []
    with fast_frames(figure) as render:
        fast_pixels = [render(step).copy() for step in steps]
    twin = cases()[name]
    with public_frames(twin) as render:
        for step, ours in zip(steps, fast_pixels):
            theirs = render(step)
            assert frames_agree(ours, theirs), name
            error = np.abs(ours.astype(np.int16) - theirs.astype(np.int16)).max()
            assert error <= LEVELS, f"{name}, step {step}: {error} levels off"


def test_long_lines_agree_within_a_fraction_of_a_pixel() -> None:
    """Lines of 128 points or more, which Agg simplifies: the fast path's frames agree with
    the twin's as frames_agree says, and not to within LEVELS alone (the allowance is used)."""
    race = rv.race(rv.Rosenbrock(), {"RMSProp": rv.rmsprop(0.01), "Adam": rv.adam(0.02)}, n_steps=300)

    def make() -> RaceFigure:
        return RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=50)

    steps = frame_steps(300, 40)
    with fast_frames(make()) as render:
        ours = [render(step).copy() for step in steps]
    worst = 0
    with public_frames(make()) as render:
        for step, frame in zip(steps, ours):
            theirs = render(step)
            assert frames_agree(frame, theirs), f"step {step}"
            worst = max(worst, int(np.abs(frame.astype(np.int16) - theirs.astype(np.int16)).max()))
    assert LEVELS < worst <= SHIFTED_LEVELS  # the allowance for simplified lines is needed, and enough


def test_frames_agree_is_strict_where_it_must_be() -> None:
    white = np.full((50, 100, 4), 255, np.uint8)
    near = white.copy()
    near[..., :3] -= LEVELS
    assert frames_agree(white, near)  # every pixel LEVELS off
    near[..., 0] -= 1
    assert not frames_agree(white, near)  # every pixel one level more
    shifted = white.copy()
    count = int(SHIFTED_SHARE * 50 * 100)
    shifted.reshape(-1, 4)[:count, 1] = 255 - SHIFTED_LEVELS
    assert frames_agree(white, shifted)  # a few pixels by the most a shifted line changes
    shifted.reshape(-1, 4)[count, 1] = 255 - SHIFTED_LEVELS
    assert not frames_agree(white, shifted)  # one pixel more
    wrong = white.copy()
    wrong[10, 10, 2] = 255 - SHIFTED_LEVELS - 1
    assert not frames_agree(white, wrong)  # a single pixel further off
    assert not frames_agree(white, white[:-1])  # another size


def test_changed_bands_cover_every_change_and_little_else() -> None:
    rng = np.random.default_rng(3)
    before = rng.integers(0, 256, (70, 90, 4), dtype=np.uint8)
    after = before.copy()
    after[3, 7, 1] ^= 1
    after[40:45, 60:70] = 0
    after[69, 89, 3] ^= 4
    bands = changed_bands(before, after)
    assert bands == [(slice(0, 16), slice(7, 8)), (slice(32, 48), slice(60, 70)), (slice(64, 70), slice(89, 90))]
    assert changed_bands(before, before) == []


def test_public_frames_say_where_they_changed(make_figure) -> None:  # type: ignore[no-untyped-def]
    with public_frames(make_figure()) as render:
        before = render(0).copy()
        assert render.changed is None  # the first frame: all of it
        for step in [1, 2, 5, 6, 20, 12, N_STEPS]:
            frame = render(step)
            differs = (frame != before).any(axis=-1)
            assert render.changed is not None
            assert differs.any()
            for rows, columns in render.changed:
                differs[rows, columns] = False
            assert not differs.any(), f"step {step}: {differs.sum()} pixels changed unsaid"
            before = frame.copy()


def test_public_frames_restore_the_figure(make_figure) -> None:  # type: ignore[no-untyped-def]
    figure = make_figure()
    canvas, engine = figure.fig.canvas, figure.fig.get_layout_engine()
    with public_frames(figure, 40) as render:
        assert render(3).shape[:2] == (192, 256)  # 6.4 x 4.8 inches at 40 dpi
    assert figure.fig.canvas is canvas
    assert figure.fig.dpi == 25
    assert figure.fig.get_layout_engine() is engine
    assert not any(a.get_animated() for a in animated_artists(figure, add_counter(figure)))
