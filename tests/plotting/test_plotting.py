"""The plotting layer draws what the trajectories say, and frames only change data."""

from __future__ import annotations

import ast
import pathlib

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.testing.decorators import check_figures_equal

import rmsprop_viz as rv
from rmsprop_viz import plotting
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.plotting import RaceFigure, draw_paths, draw_surface, draw_sweep, style_for, update_paths

matplotlib.use("Agg")

PACKAGE = pathlib.Path(rv.__file__).parent


def _race(surface: rv.Surface, n_steps: int = 60) -> dict[str, rv.Trajectory]:
    return rv.race(
        surface,
        {"SGD": rv.sgd(0.001), "Adagrad": rv.adagrad(0.1), "RMSProp": rv.rmsprop(0.02), "Adam": rv.adam(0.02)},
        n_steps=n_steps,
    )


@check_figures_equal(extensions=["png"])
def test_frame_k_looks_like_a_run_that_stopped_at_k(fig_test: Figure, fig_ref: Figure) -> None:
    # Showing step 25 of a 60-step race must draw exactly what a 25-step race draws at its end.
    surface = rv.Rosenbrock()
    long_race = list(_race(surface, 60).values())
    short_race = list(_race(surface, 25).values())
    ax = fig_test.add_subplot()
    draw_surface(ax, surface)
    update_paths(draw_paths(ax, long_race), long_race, 25)
    ax_ref = fig_ref.add_subplot()
    draw_surface(ax_ref, surface)
    draw_paths(ax_ref, short_race)


def test_lines_hold_exactly_the_trajectories() -> None:
    surface = rv.Quadratic(condition=20, angle=30)
    race = _race(surface, 40)
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
    fig = RaceFigure(surface, _race(surface, 30))
    static = [a for a in fig.fig.findobj() if a not in fig.animated_artists]
    before = {id(a) for a in static}
    lines_before = [np.array(ln.get_xydata()) for ln in fig.ax.lines if ln not in fig.animated_artists]
    fig.show_frame(12)
    assert {id(a) for a in fig.fig.findobj() if a not in fig.animated_artists} == before
    lines_after = [np.array(ln.get_xydata()) for ln in fig.ax.lines if ln not in fig.animated_artists]
    for a, b in zip(lines_before, lines_after):
        np.testing.assert_array_equal(a, b)
    assert fig.counter.get_text() == "step 12 / 30"


def test_counter_keeps_its_width() -> None:
    """The step number is padded with figure spaces (as wide as a digit), so that the
    counter's box does not grow at steps 10 and 100."""
    surface = rv.Rosenbrock()
    fig = RaceFigure(surface, _race(surface, 120), figsize=(6.4, 4.8), dpi=50)
    canvas = FigureCanvasAgg(fig.fig)
    widths = []
    for step, text in [(5, "step \u2007\u20075 / 120"), (42, "step \u200742 / 120"), (120, "step 120 / 120")]:
        fig.show_frame(step)
        assert fig.counter.get_text() == text
        canvas.draw()
        patch = fig.counter.get_bbox_patch()
        assert patch is not None
        widths.append(patch.get_window_extent().width)
    assert widths[0] == pytest.approx(widths[1]) == pytest.approx(widths[2])


def test_growing_lines_only_grow() -> None:
    """At any step each growing line holds the first points of what it holds at the last
    step: what lets an export draw only the new part of each line."""
    surface = rv.Rosenbrock()
    race = rv.race(surface, {"SGD": rv.sgd(0.01), "Adam": rv.adam(0.05)}, n_steps=40)  # SGD diverges
    assert race["SGD"].diverged_at[0] > 0
    fig = RaceFigure(surface, race)
    lines = fig.growing_lines
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
    assert not set(in_3d.growing_lines) & {a for path in in_3d.paths_3d for a in path.moving}
    assert len(in_3d.growing_lines) == 2 + 4


def test_markers_sit_over_every_curve_and_the_counter_over_still_markers() -> None:
    surface = rv.Rosenbrock()
    fig = RaceFigure(surface, _race(surface, 10))
    assert fig.losses is not None
    assert fig.ax_loss is not None
    under = [*fig.losses.lines, *fig.ax_loss.spines.values()]
    assert min(h.get_zorder() for h in fig.losses.heads) > max(a.get_zorder() for a in under)
    still = [p.start for p in fig.paths] + [fig.surface_artists.minima]
    moving = [a for p in fig.paths for a in (p.head, p.cross, p.note)]
    assert max(a.get_zorder() for a in still) < fig.counter.get_zorder() < min(a.get_zorder() for a in moving)


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


def test_styles_are_fixed_per_optimizer_and_distinct_within_a_figure() -> None:
    assert style_for("rmsprop") == plotting.STYLES["rmsprop"] == KINDS["rmsprop"].style
    assert style_for("momentum").color != style_for("sgd").color
    surface = rv.Quadratic()
    race = rv.race(
        surface,
        {"RMSProp, eps in": rv.rmsprop(0.02), "RMSProp, eps out": rv.rmsprop(0.02, eps_in_sqrt=False)},
        n_steps=10,
    )
    fig = RaceFigure(surface, race)
    colors = [p.line.get_color() for p in fig.paths]
    assert colors[0] == plotting.STYLES["rmsprop"].color
    assert colors[0] != colors[1]
    legend = [t.get_text() for t in fig.ax.get_legend().get_texts()]
    assert "RMSProp, eps out" in legend


def test_legend_carries_the_given_labels() -> None:
    surface = rv.Quadratic()
    race = _race(surface, 5)
    labels = [f"{name} (lr=...)" for name in race]
    fig = RaceFigure(surface, race, labels=labels)
    assert [t.get_text() for t in fig.ax.get_legend().get_texts()][-4:] == labels


def test_log_levels_where_values_span_decades() -> None:
    fig = Figure()
    assert draw_surface(fig.add_subplot(), rv.Rosenbrock()).log_levels
    assert not draw_surface(fig.add_subplot(), rv.Quadratic(condition=2)).log_levels


def test_sweep_heatmap_marks_diverged_cells_and_the_current_setting() -> None:
    lrs = np.array([0.05, 0.1, 0.15, 0.25, 0.4])
    moms = np.array([0.0, 0.5, 0.9])
    values = rv.sweep(rv.Quadratic(), rv.sgd, grid={"lr": lrs, "momentum": moms}, n_steps=100)
    assert np.isnan(values).any()
    fig = Figure()
    art = draw_sweep(fig.add_subplot(), values, lrs, moms, ylabel="momentum", current=(0.1, 0.5))
    shown = art.mesh.get_array()
    assert shown.shape == (moms.size, lrs.size)
    np.testing.assert_array_equal(np.ma.getmaskarray(shown), np.isnan(values).T)
    np.testing.assert_array_equal(art.marker.get_xydata(), [[0.1, 0.5]])
    assert art.diverged is not None
    with pytest.raises(ValueError, match="values must have shape"):
        draw_sweep(fig.add_subplot(), values.T, lrs, moms)


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


def test_frame_steps_cover_the_run_evenly() -> None:
    surface = rv.Quadratic()
    fig = RaceFigure(surface, _race(surface, 100), panels=False)
    assert fig.frame_steps(None) == list(range(101))
    steps = fig.frame_steps(11)
    assert steps == list(range(0, 101, 10))
    assert fig.frame_steps(500) == list(range(101))


def test_bad_input_is_reported_clearly() -> None:
    surface = rv.Quadratic()
    race = _race(surface, 5)
    with pytest.raises(ValueError, match="labels must have one entry per trajectory"):
        RaceFigure(surface, race, labels=["only one"])
    with pytest.raises(ValueError, match="run must be in"):
        RaceFigure(surface, race, run=3)
    with pytest.raises(ValueError, match="at least one"):
        RaceFigure(surface, {})


def test_library_code_never_uses_pyplot() -> None:
    for path in PACKAGE.glob("*.py"):
        if path.name == "explorer.py":
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
    first = _race(surface, 40)
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
    assert [t.get_text() for t in fig.ax.get_legend().get_texts()] == ["minimum", "a", "b", "c", "d"]
    with pytest.raises(ValueError, match="expected 4 trajectories"):
        fig.set_trajectories(list(second.values())[:2])


def test_hidden_optimizer_leaves_no_trace() -> None:
    surface = rv.Quadratic()
    fig = RaceFigure(surface, _race(surface, 20))
    fig.set_visible(2, False)
    assert not fig.paths[2].line.get_visible()
    assert not fig.paths[2].head.get_visible()
    assert fig.losses is not None
    assert not fig.losses.lines[2].get_visible()
    assert "RMSProp" not in [t.get_text() for t in fig.ax.get_legend().get_texts()]
    fig.set_visible(2, True)
    assert fig.paths[2].line.get_visible()
    assert "RMSProp" in [t.get_text() for t in fig.ax.get_legend().get_texts()]


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


# The explorer's figure size, and a small export: 640 x 480.
TITLE_SIZES = [(11.0, 6.2), (6.4, 4.8)]
TITLE_SURFACES = [
    *(rv.surfaces.get(name) for name in rv.surfaces.names()),
    rv.Quadratic(condition=1000, angle=45),
    rv.surfaces.get("noisy", base="shifting"),  # nested: the longest titles
]


def _balanced(line: str) -> bool:
    depth = 0
    for char in line:
        depth += (char in "([{") - (char in ")]}")
        if depth < 0:
            return False
    return depth == 0


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 - 0.5 and b.x0 < a.x1 - 0.5 and a.y0 < b.y1 - 0.5 and b.y0 < a.y1 - 0.5


@pytest.mark.parametrize("figsize", TITLE_SIZES)
@pytest.mark.parametrize("surface", TITLE_SURFACES, ids=lambda s: repr(s)[:40])
def test_titles_fit_their_panels(surface: rv.Surface, figsize: tuple[float, float]) -> None:
    race = rv.race(surface, {"SGD": rv.sgd(0.001), "Adam": rv.adam(0.01)}, n_steps=5)
    for three_d in (False, True):
        fig = RaceFigure(surface, race, figsize=figsize, dpi=100, three_d=three_d)
        fig.fig.canvas.draw()
        renderer = fig.fig.canvas.get_renderer()
        page = fig.fig.bbox
        for ax in fig.fig.axes:
            title = ax.title.get_window_extent(renderer)
            assert ax.title.get_text()
            # inside the figure, not cut at its edge
            inside = [page.x0 - 0.5 <= title.x0, title.x1 <= page.x1 + 0.5, page.y0 - 0.5 <= title.y0]
            assert all([*inside, title.y1 <= page.y1 + 0.5]), (ax.title.get_text(), title, page)
            assert ax.title.get_fontsize() >= 9
            # never wrapped inside brackets: "(x, y)" stays on one line
            assert all(map(_balanced, ax.title.get_text().split("\n"))), ax.title.get_text()
            for other in fig.fig.axes:
                if other is not ax:  # clear of every other panel, its labels and its title
                    assert not _overlaps(title, other.get_tightbbox(renderer)), (ax.title.get_text(), other)


def _sweep_parts(fig: Figure):
    ax = fig.axes[0]
    meshes = [c for c in ax.collections if not c.get_hatch()]
    hatched = {c.get_hatch(): c for c in ax.collections if c.get_hatch()}
    return ax, meshes, hatched


def test_sweep_figure_never_puts_a_diverged_cell_on_the_colour_scale() -> None:
    lrs, betas = np.array([0.01, 0.1, 1.0]), np.array([0.5, 0.9])
    values = np.array([[0.5, 2e-3], [np.nan, -2.24e-300], [np.inf, 3.0]])  # final loss; the minimum is 0
    diverged = np.array([[False, False], [True, True], [True, True]])  # (1, 1) diverged after its best
    best = rv.engine.sweeps.best_cell(values, diverged=diverged, radius=0)
    fig = plotting.sweep_figure(
        {"lr": lrs, "beta": betas}, values, diverged, "best", best, n_steps=100, title="RMSProp"
    )
    ax, (mesh,), hatched = _sweep_parts(fig)
    shown = mesh.get_array()
    dead = diverged | ~np.isfinite(values)
    # exactly the diverged cells are off the scale, and hatched
    np.testing.assert_array_equal(np.ma.getmaskarray(shown), dead.T)
    np.testing.assert_array_equal(~np.ma.getmaskarray(hatched["xx"].get_array()), dead.T)
    # the colour scale spans the converged gaps only: 2e-3 (best) to 0.5
    assert mesh.norm.vmin == pytest.approx(2e-3)
    assert mesh.norm.vmax == pytest.approx(0.5)
    assert "diverged" in [t.get_text() for t in ax.get_legend().get_texts()]
    # the star is on the best cell, and the rule is written under the plot
    assert best.index == (0, 1)
    stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
    np.testing.assert_array_equal(stars[0].get_xydata(), [[0.01, 0.9]])
    assert best.rule in fig._supxlabel.get_text()


def test_sweep_figure_shows_gaps_below_float_resolution_at_that_resolution() -> None:
    values = np.array([[1e-3, -2.24e-300], [0.1, 1.0]])  # a tiny negative: rounding at the minimum
    fig = plotting.sweep_figure({"lr": [0.1, 1.0], "beta": [0.5, 0.9]}, values, None, "final", n_steps=10)
    _ax, (mesh,), hatched = _sweep_parts(fig)
    assert not hatched
    assert mesh.get_array()[1, 0] == pytest.approx(1e-15)  # [beta 0.9, lr 0.1]: not 1e-16, not masked
    assert mesh.norm.vmin == pytest.approx(1e-15)
    assert "at the minimum" in fig.axes[1].get_ylabel()  # the colour bar says what its end means


@pytest.mark.parametrize(
    ("metric", "values", "says"),
    [
        ("diverged", np.full((3, 2), -1), "no run diverged within 40 steps"),
        ("final", np.full((3, 2), np.nan), "every run diverged within 40 steps"),
        ("steps", np.full((3, 2), -1), "no run reached the tolerance within 40 steps"),
    ],
)
def test_sweep_figure_says_when_nothing_is_on_the_scale(metric: str, values: np.ndarray, says: str) -> None:
    fig = plotting.sweep_figure({"lr": [0.01, 0.1, 1.0], "beta": [0.5, 0.9]}, values, None, metric, n_steps=40)
    ax, meshes, _hatched = _sweep_parts(fig)
    assert not meshes  # no flat colour map
    assert len(fig.axes) == 1  # and no colour bar
    assert says in [t.get_text() for t in ax.texts]


def test_sweep_figure_colours_divergence_steps_and_leaves_the_others_pale() -> None:
    values = np.array([[-1, -1], [-1, 30], [4, 2]])  # metric "diverged": the step, -1 if never
    fig = plotting.sweep_figure({"lr": [0.01, 0.1, 1.0], "beta": [0.5, 0.9]}, values, None, "diverged", n_steps=40)
    _ax, (mesh,), hatched = _sweep_parts(fig)
    np.testing.assert_array_equal(np.ma.getmaskarray(mesh.get_array()), (values < 0).T)
    assert (mesh.norm.vmin, mesh.norm.vmax) == (2, 30)
    assert "xx" not in hatched  # divergence is the data here
    np.testing.assert_array_equal(~np.ma.getmaskarray(hatched[".."].get_array()), (values < 0).T)


def test_one_dimensional_sweep_figure_marks_diverged_learning_rates_and_the_best() -> None:
    lrs = np.array([0.05, 0.1, 0.15, 0.25, 0.4])
    values = rv.sweep(rv.Quadratic(), rv.sgd, grid={"lr": lrs}, n_steps=100)
    assert np.isnan(values[-2:]).all()  # SGD diverges above lr = 2 / 10
    best = rv.engine.sweeps.best_cell(values)
    fig = plotting.sweep_figure({"lr": lrs}, values, None, "final", best, n_steps=100)
    ax = fig.axes[0]
    curve, crosses, star = ax.get_lines()
    np.testing.assert_array_equal(curve.get_xdata(), lrs)
    np.testing.assert_array_equal(np.isfinite(curve.get_ydata()), [True, True, True, False, False])  # no bridge
    np.testing.assert_array_equal(crosses.get_xdata(), lrs[3:])
    assert crosses.get_marker() == "x"
    # Along the top (axes fraction), where an endless loss would be, never at the low end.
    assert crosses.get_transform() == ax.get_xaxis_transform()
    assert (np.asarray(crosses.get_ydata()) > 0.9).all()
    # ... and in a grey band over each diverged learning rate.
    bands = [p for p in ax.patches if p.get_hatch() == plotting.DIVERGED_CELL["hatch"]]
    assert len(bands) == 2
    np.testing.assert_array_equal(star.get_xdata(), [lrs[best.index[0]]])
    assert ax.get_yscale() == "log"


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
        (lambda: RaceFigure(rv.Quadratic(), _race(rv.Quadratic(), 3), dpi=1e6), "dpi"),
        (lambda: RaceFigure(rv.Quadratic(), _race(rv.Quadratic(), 3), dpi="high"), "dpi"),
        (lambda: RaceFigure(rv.Quadratic(), _race(rv.Quadratic(), 3), figsize=(1e6, 1e6)), "figsize"),
        (lambda: RaceFigure(rv.Quadratic(), _race(rv.Quadratic(), 3), figsize=(0.0, 5.0)), "figsize"),
        (lambda: RaceFigure(rv.Quadratic(), _race(rv.Quadratic(), 3), figsize=(60, 60), dpi=100), "figsize"),
    ],
)
def test_sizes_are_checked_before_anything_is_allocated(call, name: str) -> None:
    with pytest.raises(ValueError, match=name) as info:
        call()
    assert "\n" not in str(info.value)
    assert any(ch.isdigit() for ch in str(info.value))  # the limit or range is named


def test_subnormal_losses_draw_on_a_log_axis_without_warnings() -> None:
    # Plain SGD on a bowl reaches losses of 1e-320 and below: half of the smallest is 0,
    # which a log axis refuses (matplotlib warns). pytest turns the warning into an error.
    race = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.15)}, n_steps=3000)
    assert np.nanmin(race["SGD"].values[race["SGD"].values > 0]) < 1e-300
    fig = RaceFigure(rv.Quadratic(), race, dpi=20)
    fig.fig.canvas.draw()
    assert fig.ax_loss is not None
    assert fig.ax_loss.get_ylim()[0] > 0


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


def _crowded_race(three_d: bool) -> RaceFigure:
    surface = rv.Quadratic(condition=50)
    opts = {"SGD": rv.sgd(1e6), "Momentum": rv.sgd(1e6, momentum=0.9), "Nesterov": rv.sgd(1e6, momentum=0.5)}
    opts |= {"Adagrad": rv.adagrad(1e6), "RMSProp": rv.rmsprop(1e6), "Adam": rv.adam(1e6)}
    return RaceFigure(surface, rv.race(surface, opts, n_steps=20), three_d=three_d)


def test_divergence_notes_never_overlap_each_other_or_the_counter() -> None:
    race = _crowded_race(False)
    race.fig.canvas.draw()
    renderer = race.fig.canvas.get_renderer()  # type: ignore[attr-defined]
    notes = [p.note for p in race.paths if p.note.get_visible()]
    texts = [n.get_text() for n in notes]
    for name in ("SGD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam"):
        assert sum(name in t for t in texts) == 1, texts  # every run is named once
    boxes = [n.get_bbox_patch().get_window_extent(renderer) for n in notes]  # type: ignore[union-attr]
    counter = race.counter.get_bbox_patch().get_window_extent(renderer)  # type: ignore[union-attr]
    # the counter is outside the window, where no cross can land, and clear of the legend
    window = race.ax.get_window_extent(renderer)
    assert counter.y1 < window.y0
    legend = race.ax.get_legend().get_window_extent(renderer)  # type: ignore[union-attr]
    assert not legend.overlaps(counter)
    for i, a in enumerate(boxes):
        assert not a.overlaps(counter)
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_notes_of_far_apart_crosses_are_stacked_apart() -> None:
    assert plotting.paths.note_groups([(0.0, 0.5), (0.05, 0.52), (0.9, 0.5), (0.0, 0.0)]) == [[0, 1], [2], [3]]
    assert plotting.paths.note_text(["SGD", "Adam"], [1, 1]) == "SGD, Adam diverged at step 1"


@pytest.mark.parametrize("three_d", [False, True])
@pytest.mark.parametrize("figsize", [(12.8, 7.2), (6.4, 4.8)])
def test_the_legend_of_six_racers_lies_inside_the_figure(three_d: bool, figsize: tuple[float, float]) -> None:
    race = _crowded_race(three_d)
    # labels as long as the command line's, with their hyperparameters
    hyper = ["lr=0.06", "lr=0.08, momentum=0.9", "lr=0.1, momentum=0.9", "lr=1000", "lr=6, beta=0.9"]
    hyper.append("lr=20, beta1=0.9, beta2=0.999")
    labels = [f"{t.label} ({h})" for t, h in zip(race.trajectories, hyper)]
    fig = RaceFigure(race.surface, race.trajectories, labels=labels, three_d=three_d, figsize=figsize, dpi=100)
    fig.fig.canvas.draw()  # one draw, as an export does
    renderer = fig.fig.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = fig.ax.get_legend().get_window_extent(renderer)  # type: ignore[union-attr]
    whole = fig.fig.bbox
    assert whole.x0 - 0.5 <= legend.x0
    assert legend.x1 <= whole.x1 + 0.5
    assert whole.y0 - 0.5 <= legend.y0
    assert legend.y1 <= whole.y1 + 0.5


def test_divergence_notes_in_3d_name_every_run_once_and_never_overlap() -> None:
    race = _crowded_race(True)
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


def test_sweep_caption_is_wrapped_inside_the_figure() -> None:
    from rmsprop_viz.engine.sweeps import BestCell

    grid = {"lr": np.geomspace(1e-4, 100, 20), "beta": np.linspace(0, 0.99, 12)}
    values = np.full((20, 12), -1)
    rule = "cell with the best worst case over the 3x3 block around it; all of it must converge"
    fig = plotting.sweep_figure(grid, values, None, "steps", BestCell(None, np.nan, rule), n_steps=200)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    caption = fig._supxlabel  # type: ignore[attr-defined]
    assert "no star" in caption.get_text()
    box = caption.get_window_extent(renderer)
    assert fig.bbox.x0 - 0.5 <= box.x0
    assert box.x1 <= fig.bbox.x1 + 0.5
    assert box.y0 >= fig.bbox.y0 - 0.5


@pytest.mark.parametrize(
    ("grid", "key"),
    [
        ({"lr": [1e-3, 1e-3, 1e-2]}, "lr"),
        ({"lr": [1e-3, 1e-2], "beta": [0.5, 0.5]}, "beta"),
        ({"lr": [1e-2, 1e-3]}, "lr"),
    ],
)
def test_sweep_figure_refuses_a_grid_axis_that_is_not_strictly_increasing(grid: dict, key: str) -> None:
    shape = tuple(len(v) for v in grid.values())
    with pytest.raises(ValueError, match=f"grid\\['{key}'\\] must be finite and strictly increasing"):
        plotting.sweep_figure(grid, np.ones(shape), None, "final", n_steps=10)


def test_single_cell_sweeps_draw_sensibly() -> None:
    # 2-D, one cell: the beta axis spans a little either side of the value, not 1 whole unit
    fig = plotting.sweep_figure({"lr": [0.01], "beta": [0.9]}, np.ones((1, 1)), None, "final", n_steps=10)
    low, high = fig.axes[0].get_ylim()
    assert low < 0.9 < high
    assert high - low <= 0.2
    # 1-D, nothing on the scale: no y ticks to read a meaningless value off
    fig = plotting.sweep_figure({"lr": [0.01, 0.1]}, np.full(2, np.nan), None, "final", n_steps=10)
    assert len(fig.axes[0].get_yticks()) == 0
