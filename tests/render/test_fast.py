"""The fast frame path: its frames are those of a full draw, and it says where they changed."""

from __future__ import annotations

import numpy as np
from race_pictures import (
    N_STEPS,
    assert_same_picture,
    frozen_reference,
)

import rmsprop_viz as rv
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.fast import fast_frames


def test_fast_frames_equal_a_full_draw(make_figure) -> None:
    """Drawing only what changed gives the pixels of a full draw, at any step, before and
    after SGD diverges (step 5), in any order."""
    reference = frozen_reference(make_figure())
    with fast_frames(make_figure(), None) as render:
        for step, other in [(N_STEPS, 0), (0, N_STEPS), (4, 5), (5, 4), (17, 12), (N_STEPS, 17)]:
            assert_same_picture(render(step), reference, step, other)


def test_fast_frames_equal_a_full_draw_at_a_larger_size(race: dict[str, rv.Trajectory]) -> None:
    """At 60 dpi: markers, dashes and the step counter at sizes like those of a real export,
    frame after frame (paths growing by one step, and by several) and back to the start."""

    def make() -> RaceFigure:
        return RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=60)

    reference = frozen_reference(make())
    with fast_frames(make(), None) as render:
        for step, other in [(0, 1), (1, 0), (2, 1), (3, 2), (6, 5), (9, 6), (10, 9), (25, 10), (N_STEPS, 25), (7, 8)]:
            assert_same_picture(render(step), reference, step, other)


def test_fast_frames_equal_a_full_draw_with_gaps_in_dashed_curves(race: dict[str, rv.Trajectory]) -> None:
    """A curve with missing values (NaN: nothing drawn) starts its dash pattern again after
    each gap; the frames drawn bit by bit do too."""

    def make() -> RaceFigure:
        figure = RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=60)
        assert figure.losses is not None
        assert figure.steps is not None
        for curves, index in ((figure.losses, 2), (figure.steps, 5)):  # Adam: dashed loss, dotted |dy|
            xs, ys = curves.data[index]
            ys = ys.copy()
            ys[[9, 10, 16]] = np.nan
            curves.data[index] = (xs, ys)
        figure.show_frame(figure.n_steps)
        return figure

    reference = frozen_reference(make())
    with fast_frames(make(), None) as render:
        render(8)
        assert_same_picture(render(12), reference, 12, 8)  # grown across the first gap in one frame
        for step in range(13, 20):
            render(step)  # and one step at a time across the second
        assert_same_picture(render(20), reference, 20, 19)


def test_fast_frames_equal_a_full_draw_in_3d() -> None:
    race = rv.race(rv.Rosenbrock(), {"RMSProp": rv.rmsprop(0.03), "Adam": rv.adam(0.05)}, n_steps=N_STEPS)
    reference = frozen_reference(RaceFigure(rv.Rosenbrock(), race, three_d=True, figsize=(6.4, 4.8), dpi=25))
    figure = RaceFigure(rv.Rosenbrock(), race, three_d=True, figsize=(6.4, 4.8), dpi=25)
    with fast_frames(figure, None) as render:
        for step, other in [(0, 17), (17, 0), (N_STEPS, 17)]:
            assert_same_picture(render(step), reference, step, other)


def test_frames_change_only_where_they_say(make_figure) -> None:
    """What the video converts: every pixel that differs from the frame before lies in the
    rows and columns the renderer says it changed, growing, going back, and diverging."""
    with fast_frames(make_figure(), 60) as render:
        before = render(0).copy()
        assert render.changed is None  # the first frame: all of it
        for step in [1, 2, 3, 4, 5, 6, 9, 10, 20, 12, 13, N_STEPS]:
            frame = render(step)
            differs = (frame != before).any(axis=-1)
            assert render.changed is not None  # known, divergence note included
            for rows, columns in render.changed:
                differs[rows, columns] = False
            assert not differs.any(), f"step {step}: {differs.sum()} pixels changed unsaid"
            before = frame.copy()
