"""The race in 3-D: paths inside the window, crosses and notes as in 2-D."""

from __future__ import annotations

import numpy as np
import pytest
from _plotting_helpers import crowded_race

import rmsprop_viz as rv
from rmsprop_viz import plotting
from rmsprop_viz.plotting import RaceFigure


def test_three_d_view_keeps_paths_inside_the_window() -> None:
    surface = rv.Rosenbrock()
    race = rv.race(surface, {"SGD": rv.sgd(0.01), "Adam": rv.adam(0.02)}, n_steps=30)
    fig = RaceFigure(surface, race, three_d=True)
    (x0, x1), (y0, y1) = surface.bounds
    for path in fig.paths_3d:
        xs, ys, _zs = path.line.get_data_3d()
        assert np.all((xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1))
    adam_x = fig.paths_3d[1].line.get_data_3d()[0]
    np.testing.assert_array_equal(adam_x, race["Adam"].params[:, 0, 0])


def test_diverged_run_in_3d_ends_in_a_cross_with_its_step_and_the_head_stops() -> None:
    surface = rv.Rosenbrock()
    race = rv.race(surface, {"SGD": rv.sgd(0.01), "RMSProp": rv.rmsprop(0.01)}, n_steps=40)
    k = int(race["SGD"].diverged_at[0])
    assert k > 0
    fig = RaceFigure(surface, race, three_d=True)
    sgd, rmsprop = fig.paths_3d
    fig.show_frame(k - 1)
    assert not sgd.note.get_visible()
    assert np.size(sgd.cross.get_data_3d()[0]) == 0
    assert np.size(sgd.head.get_data_3d()[0]) == 1
    fig.show_frame(40)
    assert sgd.note.get_visible()
    assert sgd.note.get_text().strip() == f"SGD diverged at step {k}"
    # where it left the window, as in 2-D
    xs, ys, _zs = sgd.cross.get_data_3d()
    expected = plotting.divergence_point(race["SGD"].params[:, 0], k, surface.bounds)
    np.testing.assert_allclose([xs[0], ys[0]], expected, rtol=1e-12)
    assert np.size(sgd.head.get_data_3d()[0]) == 0  # the head stopped: the cross replaces it
    assert not rmsprop.note.get_visible()
    assert np.size(rmsprop.head.get_data_3d()[0]) == 1
    fig.set_visible(0, False)
    assert not sgd.note.get_visible()
    assert not sgd.cross.get_visible()


def test_divergence_notes_in_3d_name_every_run_once_and_never_overlap() -> None:
    race = crowded_race(True)
    race.fig.canvas.draw()
    renderer = race.fig.canvas.get_renderer()  # type: ignore[attr-defined]
    notes = [p.note for p in race.paths_3d if p.note.get_visible()]
    texts = [n.get_text() for n in notes]
    for name in ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam"):
        assert sum(name in t for t in texts) == 1, texts
    boxes = [n.get_bbox_patch().get_window_extent(renderer) for n in notes]  # type: ignore[union-attr]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_three_d_paths_start_at_a_circle_and_stay_inside_the_box() -> None:
    surface = rv.Rosenbrock()
    # Adam gets closer to the minimum (1e-8 and below) than the drawn surface's floor
    race = rv.race(surface, {"SGD": rv.sgd(0.0015), "Adam": rv.adam(0.03)}, start=(-1.5, 2.3), n_steps=1200)
    assert race["Adam"].values[-1, 0] < 1e-6
    fig = RaceFigure(surface, race, three_d=True)
    bottom, top = fig.ax.get_zlim()
    assert np.log10(race["Adam"].values[-1, 0]) < bottom  # below the box's floor
    for path, traj in zip(fig.paths_3d, race.values()):
        xs, ys, zs = path.start.get_data_3d()
        np.testing.assert_allclose([xs[0], ys[0]], traj.params[0, 0])
        assert zs[0] == pytest.approx(np.log10(traj.values[0, 0]))  # on the surface (f* = 0)
        assert path.start.get_markerfacecolor() == "white"
        _x, _y, line_z = path.line.get_data_3d()
        assert bottom <= np.min(line_z)
        assert np.max(line_z) <= top
