"""The race figure: every panel at the same step, frames that only change data, a legend and sizes that fit."""

from __future__ import annotations

import ast
import pathlib

import numpy as np
import pytest
from _plotting_helpers import crowded_race, four_racers
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

import rmsprop_viz as rv
from rmsprop_viz import plotting
from rmsprop_viz.plotting import RaceFigure, draw_surface

PACKAGE = pathlib.Path(rv.__file__).parent


def test_lines_hold_exactly_the_trajectories() -> None:
    surface = rv.Quadratic(condition=20, angle=30)
    race = four_racers(surface, 40)
    fig = RaceFigure(surface, race)
    for step in (0, 7, 40):
        fig.show_frame(step)
        for art, traj in zip(fig.paths, race.values()):
            np.testing.assert_array_equal(art.line.get_xdata(), traj.params[: step + 1, 0, 0])
            np.testing.assert_array_equal(art.line.get_ydata(), traj.params[: step + 1, 0, 1])
            np.testing.assert_array_equal(art.head.get_xdata(), [traj.params[step, 0, 0]])
        assert fig.losses is not None
        for line, traj in zip(fig.losses.lines, race.values()):
            np.testing.assert_allclose(line.get_ydata(), np.maximum(traj.values[: step + 1, 0], 1e-16))


def test_show_frame_only_mutates_the_moving_artists() -> None:
    surface = rv.Rosenbrock()
    fig = RaceFigure(surface, four_racers(surface, 30))
    static = [a for a in fig.fig.findobj() if a not in fig.moving]
    before = {id(a) for a in static}
    lines_before = [np.array(ln.get_xydata()) for ln in fig.ax.lines if ln not in fig.moving]
    fig.show_frame(12)
    assert {id(a) for a in fig.fig.findobj() if a not in fig.moving} == before
    lines_after = [np.array(ln.get_xydata()) for ln in fig.ax.lines if ln not in fig.moving]
    for a, b in zip(lines_before, lines_after):
        np.testing.assert_array_equal(a, b)


def test_legend_carries_the_given_labels() -> None:
    surface = rv.Quadratic()
    race = four_racers(surface, 5)
    labels = [f"{name} (lr=...)" for name in race]
    fig = RaceFigure(surface, race, labels=labels)
    assert [t.get_text() for t in fig.ax.get_legend().get_texts()][-4:] == labels


def test_bad_input_is_reported_clearly() -> None:
    surface = rv.Quadratic()
    race = four_racers(surface, 5)
    with pytest.raises(ValueError, match="labels must have one entry per trajectory"):
        RaceFigure(surface, race, labels=["only one"])
    with pytest.raises(ValueError, match="run must be in"):
        RaceFigure(surface, race, run=3)
    with pytest.raises(ValueError, match="at least one"):
        RaceFigure(surface, {})


def test_library_code_never_uses_pyplot() -> None:
    paths = sorted(PACKAGE.rglob("*.py"))
    assert PACKAGE / "plotting" / "race.py" in paths
    for path in paths:
        if "explorer" in path.relative_to(PACKAGE).parts[:2]:
            continue  # the interactive layer may create figures through pyplot/ipympl
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{a.name}" for a in node.names]
            assert not any("pyplot" in n for n in names), f"{path.name} imports pyplot"


def test_set_trajectories_swaps_the_data_and_keeps_a_ghost() -> None:
    surface = rv.Rosenbrock()
    first = four_racers(surface, 40)
    fig = RaceFigure(surface, first)
    artists_before = set(map(id, fig.fig.findobj()))
    second = rv.race(surface, {k: rv.rmsprop(0.05) for k in first}, n_steps=80)
    fig.set_trajectories(second, ghost=True, labels=["a", "b", "c", "d"])
    assert set(map(id, fig.fig.findobj())) - artists_before <= {id(t) for t in fig.ax.get_legend().findobj()}
    for art, ghost, old, new in zip(fig.paths, fig.ghosts, first.values(), second.values()):
        np.testing.assert_array_equal(ghost.get_xdata(), old.params[:, 0, 0])
        np.testing.assert_array_equal(art.line.get_xdata(), new.params[:, 0, 0])
    assert fig.n_steps == 80
    assert fig.ax_loss is not None
    assert fig.ax_loss.get_xlim() == pytest.approx((-1.6, 81.6))  # steps 0 to 80, and 2% either side
    assert [t.get_text() for t in fig.ax.get_legend().get_texts()] == ["minimum", "start", "a", "b", "c", "d"]
    with pytest.raises(ValueError, match="expected 4 trajectories"):
        fig.set_trajectories(list(second.values())[:2])


def test_hidden_optimizer_leaves_no_trace() -> None:
    surface = rv.Quadratic()
    fig = RaceFigure(surface, four_racers(surface, 20))
    fig.set_visible(2, False)
    assert not fig.paths[2].line.get_visible()
    assert not fig.paths[2].head.get_visible()
    assert fig.losses is not None
    assert not fig.losses.lines[2].get_visible()
    assert "RMSProp" not in [t.get_text() for t in fig.ax.get_legend().get_texts()]
    fig.set_visible(2, True)
    assert fig.paths[2].line.get_visible()
    assert "RMSProp" in [t.get_text() for t in fig.ax.get_legend().get_texts()]


def test_show_only_changes_the_runs_that_differ_and_lays_the_legend_out_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    surface = rv.Quadratic()
    fig = RaceFigure(surface, four_racers(surface, 20))
    legends: list[int] = []
    original = RaceFigure._update_legend

    def counting(self: RaceFigure) -> None:
        legends.append(1)
        original(self)

    monkeypatch.setattr(RaceFigure, "_update_legend", counting)
    assert fig.show_only([True, False, False, True]) is True
    assert [p.line.get_visible() for p in fig.paths] == [True, False, False, True]
    assert fig.visible == [True, False, False, True]
    assert len(legends) == 1
    texts = [t.get_text() for t in fig.ax.get_legend().get_texts()]
    assert texts == ["minimum", "start", fig.labels[0], fig.labels[3]]
    assert fig.show_only([True, False, False, True]) is False  # nothing differs: nothing done
    assert len(legends) == 1
    assert fig.show_only([True, True, False, True]) is True
    assert fig.paths[1].line.get_visible()
    assert len(legends) == 2


def _weird_surfaces() -> dict[str, rv.Surface]:
    class Flat:
        name = "flat"
        bounds = ((-1.0, 1.0), (-1.0, 1.0))
        minima = ()
        default_start = (0.5, 0.5)

        def value(self, points, step=0):
            return np.zeros(np.shape(points)[:-1])

        def grad(self, points, step=0):
            return np.zeros(np.shape(points))

    class Huge(Flat):
        name = "huge"
        minima = ((0.0, 0.0),)

        def value(self, points, step=0):
            p = np.asarray(points, dtype=np.float64)
            return 1e300 * (p[..., 0] ** 2 + p[..., 1] ** 2)  # inf at the corners of the window

        def grad(self, points, step=0):
            return 2e300 * np.asarray(points, dtype=np.float64)

    return {"flat": Flat(), "huge": Huge(), "rosenbrock": rv.Rosenbrock()}


@pytest.mark.parametrize("three_d", [False, True])
@pytest.mark.parametrize(
    ("surface_name", "start", "lr"),
    [
        ("flat", None, 0.1),  # a constant surface, and paths that never move
        ("huge", None, 0.1),  # values past float64's range: SGD diverges at step 1
        ("rosenbrock", (1e6, 1e6), 0.001),  # all-NaN trajectories (diverged at step 0)
        ("rosenbrock", None, 1e6),  # diverged at the first step
    ],
)
def test_no_numpy_warning_escapes_whatever_the_race(surface_name, start, lr, three_d) -> None:
    # pytest turns every warning into an error (filterwarnings = error): drawing must raise none.
    surface = _weird_surfaces()[surface_name]
    race = rv.race(surface, {"SGD": rv.sgd(lr), "Adam": rv.adam(0.1)}, start=start, n_steps=12)
    fig = RaceFigure(surface, race, three_d=three_d, figsize=(6.4, 4.8), dpi=40)
    for step in (0, 1, 6, 12):
        fig.show_frame(step)
        fig.fig.canvas.draw()
    ax = fig.fig.add_subplot(3, 3, 9)
    draw_surface(ax, surface, colorbar=True)


def test_default_race_tells_its_story() -> None:
    # What 'rmsprop-viz race' races: the default scene on Rosenbrock, with its default steps.
    scene = rv.scenes.default_scene(rv.Rosenbrock())
    race = scene.run()
    assert list(race) == ["SGD", "Adagrad", "RMSProp", "Adam"]
    gaps = {name: float(t.values[-1, 0]) for name, t in race.items()}  # f* = 0 at (1, 1)
    assert all(int(t.diverged_at[0]) == -1 for t in race.values())
    # Adam arrives: within 1e-6 of the minimum before the end, and stays there.
    arrival = int(race["Adam"].steps_to(1e-6, target=0.0)[0])
    assert 0 < arrival < scene.n_steps - 50
    assert np.all(race["Adam"].values[arrival:, 0] < 1e-6)
    # The others do not arrive; Adagrad stalls furthest back: its last steps are about 1% of
    # its first one.
    assert min(gaps["SGD"], gaps["Adagrad"], gaps["RMSProp"]) > 1e-3
    assert gaps["Adagrad"] == max(gaps.values())
    adagrad_steps = np.linalg.norm(race["Adagrad"].updates[:, 0], axis=-1)
    assert adagrad_steps[-100:].mean() < 0.02 * adagrad_steps[0]
    # RMSProp keeps steps of about its learning rate to the end (the jitter across the floor),
    # where SGD's steps follow the shrinking gradient along the floor.
    lr = scene.optimizers[2].params["lr"]
    rmsprop_steps = np.abs(race["RMSProp"].updates[-100:, 0]).max(axis=-1)
    assert 0.3 * lr < np.median(rmsprop_steps) < 3 * lr
    sgd_steps = np.abs(race["SGD"].updates[-100:, 0]).max(axis=-1)
    assert np.median(sgd_steps) < 0.1 * np.median(rmsprop_steps)
    # Told apart on the picture: at the last step the four heads are at least 20 pixels apart
    # on a 640 x 480 frame (the smallest export), as at the middle step (all still moving).
    fig = RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=100)
    fig.fig.canvas.draw()
    for step in (scene.n_steps // 2, scene.n_steps):
        heads = fig.ax.transData.transform(np.array([t.params[step, 0] for t in race.values()]))
        distances = np.linalg.norm(heads[:, None] - heads[None, :], axis=-1)
        assert distances[~np.eye(4, dtype=bool)].min() >= 20, (step, distances.round())


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: plotting.surface_grid(rv.Quadratic(), resolution=10**6), "resolution"),
        (lambda: plotting.surface_grid(rv.Quadratic(), resolution=1), "resolution"),
        (lambda: plotting.surface_grid(rv.Quadratic(), resolution=2.5), "resolution"),
        (lambda: draw_surface(Figure().add_subplot(), rv.Quadratic(), levels=10**5), "levels"),
        (lambda: RaceFigure(rv.Quadratic(), four_racers(rv.Quadratic(), 3), dpi=1e6), "dpi"),
        (lambda: RaceFigure(rv.Quadratic(), four_racers(rv.Quadratic(), 3), dpi="high"), "dpi"),
        (lambda: RaceFigure(rv.Quadratic(), four_racers(rv.Quadratic(), 3), figsize=(1e6, 1e6)), "figsize"),
        (lambda: RaceFigure(rv.Quadratic(), four_racers(rv.Quadratic(), 3), figsize=(0.0, 5.0)), "figsize"),
        (lambda: RaceFigure(rv.Quadratic(), four_racers(rv.Quadratic(), 3), figsize=(60, 60), dpi=100), "figsize"),
    ],
)
def test_sizes_are_checked_before_anything_is_allocated(call, name: str) -> None:
    with pytest.raises(ValueError, match=name) as info:
        call()
    assert "\n" not in str(info.value)
    assert any(ch.isdigit() for ch in str(info.value))  # the limit or range is named


@pytest.mark.parametrize("three_d", [False, True])
@pytest.mark.parametrize("figsize", [(12.8, 7.2), (6.4, 4.8)])
def test_the_legend_of_six_racers_lies_inside_the_figure(three_d: bool, figsize: tuple[float, float]) -> None:
    race = crowded_race(three_d)
    # labels as long as the command line's, with their hyperparameters
    hyper = ["lr=0.06", "lr=0.08, momentum=0.9", "lr=0.1, momentum=0.9", "lr=1000", "lr=6, beta=0.9"]
    hyper.append("lr=20, beta1=0.9, beta2=0.999")
    labels = [f"{t.label} ({h})" for t, h in zip(race.trajectories, hyper)]
    fig = RaceFigure(race.surface, race.trajectories, labels=labels, three_d=three_d, figsize=figsize, dpi=100)
    fig.fig.canvas.draw()  # one draw, as an export does
    renderer = fig.fig.canvas.get_renderer()  # type: ignore[attr-defined]
    assert fig.legend is not None
    legend = fig.legend.get_window_extent(renderer)
    whole = fig.fig.bbox
    assert whole.x0 - 0.5 <= legend.x0
    assert legend.x1 <= whole.x1 + 0.5
    assert whole.y0 - 0.5 <= legend.y0
    assert legend.y1 <= whole.y1 + 0.5
    # below the surface's panel, clear of its tick labels (the 3-D box's too)
    assert legend.y1 <= fig.ax.get_tightbbox(renderer, bbox_extra_artists=[]).y0 + 0.5
    if three_d:  # one legend, also after an optimizer is hidden and shown again
        fig.set_visible(1, False)
        fig.set_visible(1, True)
        assert fig.fig.legends == [fig.legend]


def test_step_sizes_have_a_panel_per_coordinate_in_each_optimizers_style() -> None:
    surface = rv.Quadratic(condition=20, angle=30)
    race = four_racers(surface, 40)
    fig = RaceFigure(surface, race)
    assert set(fig.panel_axes) == {"surface", "loss", "step_x", "step_y"}
    assert fig.panel_axes["surface"] is fig.ax
    assert fig.panel_axes["loss"] is fig.ax_loss
    ax_x, ax_y = fig.panel_axes["step_x"], fig.panel_axes["step_y"]
    assert (ax_x.get_title(), ax_y.get_title()) == ("|Δx| per step", "|Δy| per step")
    assert ax_x.get_yscale() == ax_y.get_yscale() == "log"
    assert ax_x.get_ylim() == ax_y.get_ylim()  # one range: the coordinates compare
    fig.show_frame(25)
    for ax, coord in ((ax_x, 0), (ax_y, 1)):
        assert len(ax.get_lines()) == len(race)
        for line, path, traj in zip(ax.get_lines(), fig.paths, race.values()):
            # |Δ| from the positions themselves, steps 1..25
            expected = np.abs(np.diff(traj.params[:26, 0, coord]))
            np.testing.assert_allclose(line.get_ydata(), np.where(expected > 0, expected, np.nan), rtol=1e-12)
            np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 26))
            # the optimizer's own colour and line style, as on the surface
            assert line.get_color() == path.line.get_color()
            assert line.get_linestyle() == path.line.get_linestyle()
    only = RaceFigure(surface, race, panels=False)
    assert list(only.panel_axes) == ["surface"]
    assert only.panel_axes["surface"] is only.ax


def test_legend_shows_each_runs_marker_and_the_start() -> None:
    surface = rv.Rosenbrock()
    race = four_racers(surface, 20)
    fig = RaceFigure(surface, race)
    legend = fig.legend
    assert legend is not None
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[:2] == ["minimum", "start"]
    handles = legend.legend_handles
    start = handles[1]
    assert isinstance(start, Line2D)
    assert start.get_marker() == "o"
    assert start.get_markerfacecolor() == "white"
    for handle, path in zip(handles[2:], fig.paths):
        assert isinstance(handle, Line2D)
        assert handle.get_marker() == path.head.get_marker() != "None"
        assert handle.get_color() == path.line.get_color()
        assert handle.get_linestyle() == path.line.get_linestyle()


def test_presentation_mode_enlarges_fonts_lines_and_markers() -> None:
    surface = rv.Rosenbrock()
    race = four_racers(surface, 20)
    normal, present = RaceFigure(surface, race), RaceFigure(surface, race, present=True)
    for a, b in zip(normal.paths, present.paths):
        assert b.line.get_linewidth() == pytest.approx(1.5 * a.line.get_linewidth())
        assert b.head.get_markersize() == pytest.approx(1.4 * a.head.get_markersize())
    assert normal.ax_loss is not None
    assert present.ax_loss is not None
    for ax_a, ax_b in ((normal.ax, present.ax), (normal.ax_loss, present.ax_loss)):
        assert ax_b.title.get_fontsize() == pytest.approx(1.4 * ax_a.title.get_fontsize())
        assert ax_b.yaxis.label.get_fontsize() == pytest.approx(1.4 * ax_a.yaxis.label.get_fontsize())
    present.fig.canvas.draw()
    tick = present.ax.xaxis.get_major_ticks()[0].label1
    assert tick.get_fontsize() == pytest.approx(1.4 * normal.ax.xaxis.get_major_ticks()[0].label1.get_fontsize())
    legend = present.legend
    assert legend is not None
    assert legend.get_texts()[0].get_fontsize() >= 1.4 * 11 - 1e-9
    # the legend lies inside the figure and covers no panel
    box = legend.get_window_extent()
    assert box.x0 >= 0
    assert box.y0 >= 0
    for ax in present.panel_axes.values():
        assert not box.overlaps(ax.get_window_extent())


@pytest.mark.parametrize("present", [False, True])
def test_caption_is_wrapped_to_the_figure_and_covers_nothing(present: bool) -> None:
    surface = rv.Rosenbrock()
    caption = " ".join(["a long caption that says what to notice in this race"] * 5)
    fig = RaceFigure(surface, four_racers(surface, 20), caption=caption, present=present)
    assert fig.caption is not None
    assert fig.caption.get_text().split() == caption.split()  # every word, in order
    assert 2 <= fig.caption.get_text().count("\n") + 1 <= 4
    assert fig.caption.get_fontsize() == pytest.approx(13 * (1.4 if present else 1.0))  # never shrunk
    fig.fig.canvas.draw()
    box = fig.caption.get_window_extent()
    assert 0 <= box.x0 < box.x1 <= fig.fig.bbox.width
    assert box.y1 <= fig.fig.bbox.height
    for ax in fig.panel_axes.values():
        assert not box.overlaps(ax.title.get_window_extent())
        assert not box.overlaps(ax.get_window_extent())


def test_set_caption_replaces_or_removes_the_caption() -> None:
    surface = rv.Quadratic()
    fig = RaceFigure(surface, four_racers(surface, 10), caption="first words")
    assert fig.fig.get_suptitle() == "first words"
    fig.set_caption("other words")
    assert fig.caption is not None
    assert fig.fig.get_suptitle() == "other words"
    fig.set_caption(None)
    assert fig.caption is None
    assert fig.fig.get_suptitle() == ""
