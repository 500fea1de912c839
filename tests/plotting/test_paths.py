"""The 2-D paths: lines that hold exactly the trajectories, a cross where a run left the
window, notes that never overlap."""

from __future__ import annotations

import numpy as np
import pytest
from _plotting_helpers import crowded_race, four_racers
from matplotlib.figure import Figure
from matplotlib.testing.decorators import check_figures_equal

import rmsprop_viz as rv
from rmsprop_viz import plotting
from rmsprop_viz.plotting import RaceFigure, draw_paths, draw_surface, update_paths


@check_figures_equal(extensions=["png"])
def test_frame_k_looks_like_a_run_that_stopped_at_k(fig_test: Figure, fig_ref: Figure) -> None:
    # Showing step 25 of a 60-step race must draw exactly what a 25-step race draws at its end.
    surface = rv.Rosenbrock()
    long_race = list(four_racers(surface, 60).values())
    short_race = list(four_racers(surface, 25).values())
    ax = fig_test.add_subplot()
    draw_surface(ax, surface)
    update_paths(draw_paths(ax, long_race), long_race, 25)
    ax_ref = fig_ref.add_subplot()
    draw_surface(ax_ref, surface)
    draw_paths(ax_ref, short_race)


def test_diverged_run_ends_in_a_cross_with_its_step_and_the_view_stays() -> None:
    surface = rv.Rosenbrock()
    race = rv.race(surface, {"SGD": rv.sgd(0.01), "RMSProp": rv.rmsprop(0.01)}, n_steps=40)
    k = int(race["SGD"].diverged_at[0])
    assert k > 0
    fig = RaceFigure(surface, race)
    sgd = fig.paths[0]
    fig.show_frame(k - 1)
    assert not sgd.note.get_visible()
    assert len(sgd.cross.get_xdata()) == 0
    fig.show_frame(40)
    assert sgd.note.get_visible()
    assert sgd.note.get_text() == f"SGD diverged at step {k}"
    # the cross sits where the path left the window (1% inside its edges): on the segment
    # from the last point inside to the next, and on the edge
    (x0, x1), (y0, y1) = surface.bounds
    low = np.array([x0 + 0.01 * (x1 - x0), y0 + 0.01 * (y1 - y0)])
    high = np.array([x1 - 0.01 * (x1 - x0), y1 - 0.01 * (y1 - y0)])
    path = race["SGD"].params[:k, 0]
    inside = np.flatnonzero(((path >= low) & (path <= high)).all(axis=1))
    p, q = path[inside[-1]], path[inside[-1] + 1]
    expected = np.array([sgd.cross.get_xdata()[0], sgd.cross.get_ydata()[0]])
    along = expected - p
    assert abs(along[0] * (q - p)[1] - along[1] * (q - p)[0]) < 1e-9 * np.abs(q - p).max() ** 2
    assert 0 <= along @ (q - p) <= (q - p) @ (q - p)
    assert np.isclose(expected, low, rtol=0, atol=1e-12).any() or np.isclose(expected, high, rtol=0, atol=1e-12).any()
    assert fig.ax.contains_point(fig.ax.transData.transform(expected))
    assert len(sgd.head.get_xdata()) == 0
    assert fig.ax.get_xlim() == surface.bounds[0]
    assert fig.ax.get_ylim() == surface.bounds[1]
    assert not fig.paths[1].note.get_visible()


def test_run_that_diverged_at_its_start_is_still_marked() -> None:
    # A start far outside the escape box: the run has no finite point at all (diverged at step 0).
    surface = rv.Rosenbrock()
    race = rv.race(surface, {"SGD": rv.sgd(0.001), "Adam": rv.adam(0.02)}, start=(1e6, 1e6), n_steps=10)
    assert [int(t.diverged_at[0]) for t in race.values()] == [0, 0]
    assert np.isnan(race["SGD"].params).all()
    (x0, x1), (y0, y1) = surface.bounds
    corner = [x0 + 0.01 * (x1 - x0), y1 - 0.01 * (y1 - y0)]  # top left, just inside the window
    for three_d in (False, True):
        fig = RaceFigure(surface, race, three_d=three_d)
        for step in (0, 10):
            fig.show_frame(step)
            # both crosses in the same corner: one note names both
            notes = [p.note.get_text().strip() for p in fig.paths or fig.paths_3d if p.note.get_visible()]
            assert notes == ["SGD, Adam diverged at step 0"]
            for path in fig.paths or fig.paths_3d:
                cross = path.cross.get_data_3d() if three_d else path.cross.get_data()
                np.testing.assert_allclose([cross[0][0], cross[1][0]], corner)
                assert np.size(path.head.get_data_3d()[0] if three_d else path.head.get_xdata()) == 0
        fig.fig.canvas.draw()  # and it draws (no NaN positions)


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        # left through the left edge at y = 2.1: on the edge (1% inside), at that height
        ([[0.0, 2.1], [-10.0, 2.1], [np.nan, np.nan]], (-1.96, 2.1)),
        # slanting out: (0, 0) + t (-4, 2) meets x = -1.96 at t = 0.49, y = 0.98
        ([[0.0, 0.0], [-4.0, 2.0], [np.nan, np.nan]], (-1.96, 0.98)),
        # out of the top-right corner, the top edge first: (0, 0) + t (4, 8) meets y = 2.96 at t = 0.37
        ([[0.0, 0.0], [4.0, 8.0], [np.nan, np.nan]], (1.48, 2.96)),
        # the last finite point is inside: there
        ([[0.0, 0.0], [0.5, 0.25], [np.nan, np.nan]], (0.5, 0.25)),
        # never inside: the last finite point, clamped
        ([[5.0, 2.0], [6.0, 2.0], [np.nan, np.nan]], (1.96, 2.0)),
    ],
)
def test_the_cross_sits_where_the_path_leaves_the_window(
    points: list[list[float]], expected: tuple[float, float]
) -> None:
    got = plotting.divergence_point(np.array(points), 2, ((-2.0, 2.0), (-1.0, 3.0)))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_divergence_notes_never_overlap_each_other() -> None:
    race = crowded_race(False)
    race.fig.canvas.draw()
    renderer = race.fig.canvas.get_renderer()  # type: ignore[attr-defined]
    notes = [p.note for p in race.paths if p.note.get_visible()]
    texts = [n.get_text() for n in notes]
    for name in ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam"):
        assert sum(name in t for t in texts) == 1, texts  # every run is named once
    boxes = [n.get_bbox_patch().get_window_extent(renderer) for n in notes]  # type: ignore[union-attr]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_notes_of_far_apart_crosses_are_stacked_apart() -> None:
    assert plotting.paths.note_groups([(0.0, 0.5), (0.05, 0.52), (0.9, 0.5), (0.0, 0.0)]) == [[0, 1], [2], [3]]
    assert plotting.paths.note_text(["SGD", "Adam"], [1, 1]) == "SGD, Adam diverged at step 1"
