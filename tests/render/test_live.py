"""The live canvas's payload (rmsprop_viz.render.live): the background without what moves,
pixel boxes that map data where matplotlib draws it, and the race's arrays and styles."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

import rmsprop_viz as rv
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.plotting.style import style_for
from rmsprop_viz.render import live
from rmsprop_viz.render.live import background, dash_pixels, figure_background, ghost_payload, race_payload

DPI = 50


@pytest.fixture(scope="module")
def trajs() -> dict[str, rv.Trajectory]:
    # SGD at this rate diverges at step 5; the others do not.
    optimizers = {"SGD": rv.sgd(0.005), "RMSProp": rv.rmsprop(0.03), "Adam": rv.adam(0.05)}
    result = rv.race(rv.Rosenbrock(), optimizers, n_steps=40)
    assert result["SGD"].diverged_at[0] == 5
    return result


@pytest.fixture
def race(trajs: dict[str, rv.Trajectory]) -> RaceFigure:
    return RaceFigure(rv.Rosenbrock(), trajs, dpi=DPI)


def pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB")).astype(np.int16)


def full_draw(race: RaceFigure) -> np.ndarray:
    buffer = io.BytesIO()
    race.fig.savefig(buffer, format="png", dpi=race.fig.dpi)
    return pixels(buffer.getvalue())


def near_colour(image: np.ndarray, color: str, tolerance: int = 30) -> np.ndarray:
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    return np.abs(image - rgb).max(axis=-1) <= tolerance


def inside(mask: np.ndarray, box: list[float]) -> np.ndarray:
    x0, y0, x1, y1 = (round(v) for v in box)
    return mask[y0:y1, x0:x1]


def test_the_background_leaves_out_what_moves_and_restores_it(race: RaceFigure) -> None:
    """Another race on the same figure (other paths, starts, curves, and the first race as
    ghosts) leaves the background unchanged to the pixel, while a full draw changes."""
    race.set_visible(1, False)
    race.fig.canvas.draw()  # (a new figure's constrained layout settles, by 1/250 pixel, on its first draw)
    before = [artist.get_visible() for artist in race.fig.findobj()]
    still = background(race)
    assert [artist.get_visible() for artist in race.fig.findobj()] == before
    drawn = full_draw(race)
    other = rv.race(
        rv.Rosenbrock(),
        {"SGD": rv.sgd(0.001), "RMSProp": rv.rmsprop(0.01), "Adam": rv.adam(0.02)},
        start=(0.5, -0.5),
        n_steps=40,
    )
    race.set_trajectories(other, ghost=True, rescale=False)  # the panels keep their limits
    before = [artist.get_visible() for artist in race.fig.findobj()]
    again = background(race)
    assert [artist.get_visible() for artist in race.fig.findobj()] == before
    np.testing.assert_array_equal(pixels(again.png), pixels(still.png))
    for name, panel in again.panels.items():
        assert panel["box"] == pytest.approx(still.panels[name]["box"], abs=0.01)
        assert panel["ylim"] == still.panels[name]["ylim"]
    redrawn = full_draw(race)
    assert pixels(still.png).shape == drawn.shape == (still.size[1], still.size[0], 3)
    for panel in still.panels.values():  # every panel shows the race in a full draw
        assert (inside(np.abs(redrawn - drawn).max(axis=-1) > 40, panel["box"])).sum() > 20
    # and the background is the rest of the picture: contours, axes, titles, legend
    assert (np.abs(pixels(still.png) - drawn).max(axis=-1) == 0).mean() > 0.9


def test_the_boxes_are_where_a_full_draw_puts_the_panels(race: RaceFigure) -> None:
    still = background(race)
    race.fig.canvas.draw()  # everything shown: the layout must not have moved
    height = race.fig.bbox.height
    for name, ax in race.panel_axes.items():
        box = ax.get_window_extent()
        assert still.panels[name]["box"] == pytest.approx([box.x0, height - box.y1, box.x1, height - box.y0], abs=0.5)
    assert set(still.panels) == {"surface", "loss", "step_x", "step_y"}
    assert still.panels["loss"]["yscale"] == "log"
    assert still.panels["surface"]["xlim"] == list(race.ax.get_xlim())


@pytest.mark.parametrize("scale", ["linear", "log"])
def test_a_box_maps_data_to_the_pixel_matplotlib_draws_it_at(scale: str) -> None:
    """A red square drawn at a data point sits, in the picture, at the pixel that the box,
    limits and scale give by the contract's formula (within 1 pixel)."""
    fig = Figure(figsize=(6, 4), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.15, 0.3, 0.7, 0.6))  # (not centred: a box upside down is caught)
    ax.set_xlim(-3, 5)
    if scale == "log":
        ax.set_yscale("log")
        ax.set_ylim(1e-3, 1e2)
        point = (1.5, 0.2)
    else:
        ax.set_ylim(10, 30)
        point = (1.5, 17.0)
    ax.plot([point[0]], [point[1]], "s", color="#ff0000", markersize=8, markeredgewidth=0)
    still = figure_background(fig, {"panel": ax})
    panel = still.panels["panel"]
    x0, y0, x1, y1 = panel["box"]
    (a, b), (c, d) = panel["xlim"], panel["ylim"]
    if panel["yscale"] == "log":
        c, d, y = np.log10(c), np.log10(d), np.log10(point[1])
    else:
        y = point[1]
    px = x0 + (point[0] - a) / (b - a) * (x1 - x0)
    py = y1 - (y - c) / (d - c) * (y1 - y0)
    red = near_colour(pixels(still.png), "#ff0000", 40)
    rows, cols = np.nonzero(red)
    assert rows.size > 20
    # pixel (col, row) covers [col, col + 1) x [row, row + 1): its centre is at +0.5
    assert cols.mean() + 0.5 == pytest.approx(px, abs=1.0)
    assert rows.mean() + 0.5 == pytest.approx(py, abs=1.0)
    assert panel["yscale"] == scale


def test_the_data_are_the_runs_arrays(race: RaceFigure, trajs: dict[str, rv.Trajectory]) -> None:
    runs, data = race_payload(race, keys=["a", "b", "c"])
    values = np.frombuffer(data, dtype="<f4")
    assert [r["key"] for r in runs] == ["a", "b", "c"]
    total = 0
    for run, traj in zip(runs, trajs.values()):
        n = traj.n_steps
        assert run["n_steps"] == n
        assert run["offset"] == total
        chunk = values[run["offset"] : run["offset"] + 3 * (n + 1) + 2 * n]
        xy = traj.params[:, 0].astype(np.float32)
        np.testing.assert_array_equal(chunk[: n + 1], xy[:, 0])
        np.testing.assert_array_equal(chunk[n + 1 : 2 * (n + 1)], xy[:, 1])
        with np.errstate(invalid="ignore"):
            gap = np.maximum(traj.values[:, 0] - race.floor, 1e-16)
        np.testing.assert_allclose(chunk[2 * (n + 1) : 3 * (n + 1)], gap.astype(np.float32), rtol=1e-6)
        for coord, at in ((0, 3 * (n + 1)), (1, 3 * (n + 1) + n)):
            size = np.abs(traj.updates[:, 0, coord])
            expected = np.where(size > 0, size, np.nan).astype(np.float32)
            np.testing.assert_array_equal(chunk[at : at + n], expected)
        assert run["diverged_at"] == int(traj.diverged_at[0])
        total += 3 * (n + 1) + 2 * n
    assert values.size == total
    assert np.isnan(values[runs[0]["offset"] + 10])  # SGD's path after it diverged


def test_the_styles_are_the_figures(race: RaceFigure, trajs: dict[str, rv.Trajectory]) -> None:
    runs, _ = race_payload(race)
    px = DPI / 72
    for run, traj, path in zip(runs, trajs.values(), race.paths):
        style = style_for(traj.kind)
        assert run["color"] == style.color.lower()
        assert run["marker"] == style.marker
        width = path.line.get_linewidth()
        assert run["width"] == pytest.approx(width * px)
        assert run["marker_size"] == pytest.approx(path.head.get_markersize() * px)
        if isinstance(style.linestyle, str):
            pattern = [] if style.linestyle == "-" else list(rcParams[f"lines.{style.linestyle}_pattern"])
        else:
            pattern = list(style.linestyle[1])
        scale = width if rcParams["lines.scale_dashes"] else 1.0
        assert run["dash"] == pytest.approx([v * scale * px for v in pattern])
    # SGD diverged: its cross is on the window's edge, where the export draws it
    (x0, x1), (y0, y1) = race.ax.get_xlim(), race.ax.get_ylim()
    cx, cy = runs[0]["cross"]
    assert min(abs(cx - x0), abs(cx - x1), abs(cy - y0), abs(cy - y1)) < 0.02 * max(x1 - x0, y1 - y0)
    assert runs[1]["cross"] is None


def test_dash_pixels_of_named_styles() -> None:
    dashed = list(rcParams["lines.dashed_pattern"])
    assert dash_pixels("--", 3.0, 2.0) == pytest.approx([v * 3.0 * 2.0 for v in dashed])
    assert dash_pixels("-", 3.0, 2.0) == []


def test_ghosts_are_the_previous_paths(race: RaceFigure, trajs: dict[str, rv.Trajectory]) -> None:
    assert ghost_payload(race) == ([], b"")
    old = list(trajs.values())
    newer = rv.race(
        rv.Rosenbrock(), {"SGD": rv.sgd(0.001), "RMSProp": rv.rmsprop(0.01), "Adam": rv.adam(0.02)}, n_steps=40
    )
    race.set_trajectories(newer, ghost=True)
    ghosts, data = ghost_payload(race)
    values = np.frombuffer(data, dtype="<f4")
    assert len(ghosts) == 3
    for ghost, traj in zip(ghosts, old):
        n = ghost["n"]
        np.testing.assert_array_equal(values[ghost["offset"] : ghost["offset"] + n], traj.params[:, 0, 0].astype("f4"))
        np.testing.assert_array_equal(
            values[ghost["offset"] + n : ghost["offset"] + 2 * n], traj.params[:, 0, 1].astype("f4")
        )
        assert ghost["alpha"] == pytest.approx(0.3)
        assert ghost["color"] == style_for(traj.kind).color.lower()


def test_caps_give_one_line_errors(race: RaceFigure, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "MAX_LIVE_RUNS", 2)
    with pytest.raises(ValueError, match=r"^race must hold at most MAX_LIVE_RUNS = 2 runs, got 3$"):
        race_payload(race)
    monkeypatch.setattr(live, "MAX_LIVE_RUNS", 64)
    monkeypatch.setattr(live, "MAX_LIVE_POINTS", 40)
    with pytest.raises(ValueError, match=r"^each run must have at most MAX_LIVE_POINTS = 40 points, got 41$"):
        race_payload(race)
    monkeypatch.setattr(live, "MAX_LIVE_POINTS", 20_001)
    with pytest.raises(ValueError, match=r"^keys must have one entry per run \(3\), got 1$"):
        race_payload(race, keys=["x"])


def test_a_figure_without_panels_has_only_its_surface(trajs: dict[str, rv.Trajectory]) -> None:
    race = RaceFigure(rv.Rosenbrock(), trajs, panels=False, dpi=DPI)
    assert set(background(race).panels) == {"surface"}
    runs, data = race_payload(race)
    values = np.frombuffer(data, dtype="<f4")
    n = runs[1]["n_steps"]
    at = runs[1]["offset"]
    np.testing.assert_array_equal(values[at : at + n + 1], trajs["RMSProp"].params[:, 0, 0].astype("f4"))
    assert np.isnan(values[at + 2 * (n + 1) : at + 3 * (n + 1) + 2 * n]).all()  # no curves to draw
    assert "loss_width" not in runs[1]


def test_a_3d_figure_is_refused(trajs: dict[str, rv.Trajectory]) -> None:
    race = RaceFigure(rv.Rosenbrock(), trajs, three_d=True, panels=False, dpi=20)
    for call in (background, race_payload, ghost_payload):
        with pytest.raises(ValueError, match=r"^race must be a 2-D RaceFigure \(three_d=False\) for the live canvas$"):
            call(race)
