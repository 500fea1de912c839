"""Frames of a race: the schedule, the lines that only grow, the step counter, and the
blitting renderer, which draws what a full draw draws."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import rmsprop_viz as rv
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.frames import (
    FIGURE_SPACE,
    FrameRenderer,
    add_counter,
    animated_artists,
    frame_steps,
    growing_lines,
)


def _race(surface: rv.Surface, n_steps: int) -> dict[str, rv.Trajectory]:
    return rv.race(
        surface,
        {"SGD": rv.sgd(0.001), "Adagrad": rv.adagrad(0.1), "RMSProp": rv.rmsprop(0.02), "Adam": rv.adam(0.02)},
        n_steps=n_steps,
    )


def _crowded(three_d: bool = False) -> RaceFigure:
    """Six racers that all diverge at the first step: crosses and notes crowd the window."""
    surface = rv.Quadratic(condition=50)
    opts = {"SGD": rv.sgd(1e6), "Momentum": rv.sgd(1e6, momentum=0.9), "Nesterov": rv.sgd(1e6, momentum=0.5)}
    opts |= {"Adagrad": rv.adagrad(1e6), "RMSProp": rv.rmsprop(1e6), "Adam": rv.adam(1e6)}
    return RaceFigure(surface, rv.race(surface, opts, n_steps=20), three_d=three_d)


def test_frame_steps_cover_the_run_evenly() -> None:
    assert frame_steps(100, None) == list(range(101))
    assert frame_steps(100, 11) == list(range(0, 101, 10))
    assert frame_steps(100, 500) == list(range(101))
    assert frame_steps(100, 1) == [100]  # one frame: the end of the race
    assert frame_steps(0, 5) == [0]
    with pytest.raises(ValueError, match="n_steps"):
        frame_steps(10**12, 5)  # a list this long is refused before it is made
    with pytest.raises(ValueError, match="frames"):
        frame_steps(10, 0)


def test_counter_shows_the_step_and_keeps_its_width() -> None:
    """The step number is padded with figure spaces (as wide as a digit), so that the
    counter's box does not grow at steps 10 and 100."""
    surface = rv.Rosenbrock()
    fig = RaceFigure(surface, _race(surface, 120), figsize=(6.4, 4.8), dpi=50)
    counter = add_counter(fig)
    assert add_counter(fig) is counter  # one counter per figure
    canvas = FigureCanvasAgg(fig.fig)
    widths = []
    for step, text in [(5, "step \u2007\u20075 / 120"), (42, "step \u200742 / 120"), (120, "step 120 / 120")]:
        fig.show_frame(step)
        assert counter.show(step).get_text() == text
        canvas.draw()
        patch = counter.text.get_bbox_patch()
        assert patch is not None
        widths.append(patch.get_window_extent().width)
    assert widths[0] == pytest.approx(widths[1]) == pytest.approx(widths[2])
    assert FIGURE_SPACE == "\u2007"
    short = RaceFigure(surface, _race(surface, 30))
    short.show_frame(12)
    assert add_counter(short).text.get_text() == "step 12 / 30"  # a new counter shows the current step


def test_growing_lines_only_grow() -> None:
    """At any step each growing line holds the first points of what it holds at the last
    step: what lets an export draw only the new part of each line."""
    surface = rv.Rosenbrock()
    race = rv.race(surface, {"SGD": rv.sgd(0.01), "Adam": rv.adam(0.05)}, n_steps=40)  # SGD diverges
    assert race["SGD"].diverged_at[0] > 0
    fig = RaceFigure(surface, race)
    lines = growing_lines(fig)
    assert len(lines) == 2 + 2 + 4  # the paths, the loss curves, the step-size curves
    assert not set(lines) & {a for p in fig.paths for a in (p.head, p.cross)}
    full = [(line.get_xdata().copy(), line.get_ydata().copy()) for line in lines]
    for step in (0, 1, 2, 17, 40, 3):
        fig.show_frame(step)
        for line, (xs, ys) in zip(lines, full):
            n = len(line.get_xdata())
            np.testing.assert_array_equal(line.get_xdata(), xs[:n])
            np.testing.assert_array_equal(line.get_ydata(), ys[:n])
    in_3d = RaceFigure(surface, race, three_d=True)  # 3-D paths drop the points that leave the window
    assert not set(growing_lines(in_3d)) & {a for path in in_3d.paths_3d for a in path.moving}
    assert len(growing_lines(in_3d)) == 2 + 4


def test_counter_sits_over_still_markers_and_under_moving_ones() -> None:
    surface = rv.Rosenbrock()
    fig = RaceFigure(surface, _race(surface, 10))
    counter = add_counter(fig).text
    still = [p.start for p in fig.paths] + [fig.surface_artists.minima]
    moving = [a for p in fig.paths for a in (p.head, p.cross, p.note)]
    assert max(a.get_zorder() for a in still) < counter.get_zorder() < min(a.get_zorder() for a in moving)


def test_counter_is_clear_of_the_window_the_legend_and_every_note() -> None:
    race = _crowded()
    counter_text = add_counter(race).text
    race.fig.canvas.draw()
    renderer = race.fig.canvas.get_renderer()  # type: ignore[attr-defined]
    notes = [p.note for p in race.paths if p.note.get_visible()]
    assert len(notes) >= 1
    boxes = [n.get_bbox_patch().get_window_extent(renderer) for n in notes]  # type: ignore[union-attr]
    counter = counter_text.get_bbox_patch().get_window_extent(renderer)  # type: ignore[union-attr]
    # the counter is outside the window, where no cross can land, and clear of the legend
    window = race.ax.get_window_extent(renderer)
    assert counter.y1 < window.y0
    legend = race.ax.get_legend().get_window_extent(renderer)  # type: ignore[union-attr]
    assert not legend.overlaps(counter)
    for box in boxes:
        assert not box.overlaps(counter)


def test_animated_artists_are_what_a_frame_changes_each_once() -> None:
    surface = rv.Quadratic()
    fig = RaceFigure(surface, _race(surface, 20))
    counter = add_counter(fig)
    moving = animated_artists(fig, counter)
    assert len(moving) == len(set(moving))
    assert counter.text in moving
    assert set(fig.moving) <= set(moving)
    assert not {p.start for p in fig.paths} & set(moving)  # still between frames


@pytest.mark.parametrize("three_d", [False, True])
def test_frame_renderer_draws_what_a_full_draw_draws(three_d: bool) -> None:
    """Blitted frames (static part once, then what moves) match the figure drawn whole at
    the same step, also after a jump back and after the step counter changed width."""
    surface = rv.Rosenbrock()
    race = rv.race(surface, {"SGD": rv.sgd(0.01), "Adam": rv.adam(0.05)}, n_steps=40)  # SGD diverges
    fig = RaceFigure(surface, race, figsize=(6.4, 4.8), dpi=50, three_d=three_d)
    renderer = FrameRenderer(fig, per_race=[*fig.ghosts, *(p.start for p in fig.paths)])
    for step in (40, 3, 0, 25):
        fig.show_frame(step)
        renderer.render()
        blitted = np.asarray(fig.fig.canvas.buffer_rgba()).copy()  # type: ignore[attr-defined]
        fig.fig.canvas.draw()
        whole = np.asarray(fig.fig.canvas.buffer_rgba())  # type: ignore[attr-defined]
        assert renderer.counter is not None
        assert renderer.counter.text.get_text().endswith(f"{step} / 40")
        off = np.abs(blitted.astype(int) - whole.astype(int)).max(axis=-1)
        if three_d:
            # A full 3-D draw sorts the translucent mesh by depth, over parts of the paths;
            # frames draw the paths over it: those pixels (well under 1%) may differ.
            assert np.count_nonzero(off > 2) <= 0.005 * off.size, step
            continue
        # the same picture: a level or two in 256 (antialiased edges blend in another order
        # here and there), never more than 8, and over 2 at no more than 0.05% of the pixels
        assert off.max() <= 8, step
        assert np.count_nonzero(off > 2) <= 0.0005 * off.size, step


@pytest.mark.parametrize("present", [False, True])
def test_step_counter_covers_no_tick_label_nor_the_x_label(present: bool) -> None:
    surface = rv.Rosenbrock()
    fig = RaceFigure(surface, _race(surface, 1200), present=present)
    counter = add_counter(fig)
    counter.show(600)
    fig.fig.canvas.draw()
    box = counter.text.get_window_extent()
    assert not box.overlaps(fig.ax.xaxis.label.get_window_extent())
    for tick in fig.ax.xaxis.get_major_ticks():
        if tick.label1.get_visible() and tick.label1.get_text():
            assert not box.overlaps(tick.label1.get_window_extent()), tick.label1.get_text()
    legend = fig.legend
    assert legend is not None
    assert not box.overlaps(legend.get_window_extent())
