"""The sensitivity map on the live canvas: a background whose 'map' panel, with the cells'
edges and colours, puts each colour where matplotlib's full figure has it; marks on the
best cell and the current setting; clicks back to the cell's setting."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image

import rmsprop_viz as rv
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.best import best_cell
from rmsprop_viz.engine.sensitivity import SensitivityMap, memory_of, sensitivity_map
from rmsprop_viz.plotting.sensitivity import sensitivity_figure
from rmsprop_viz.render.sensitivity import background_key, clicked_setting, map_background, map_payload


@pytest.fixture(scope="module")
def smap() -> SensitivityMap:
    return sensitivity_map(rv.Quadratic(condition=50.0), "momentum", size=(10, 6), n_steps=200, backend="numpy")


def to_pixel(panel: dict, x: float, y: float) -> tuple[float, float]:
    """The wire contract's mapping of a data point to figure pixels from the top-left."""
    x0, y0, x1, y1 = panel["box"]
    (ax_, bx), (ay, by) = panel["xlim"], panel["ylim"]
    if panel["xscale"] == "log":
        x, ax_, bx = math.log10(x), math.log10(ax_), math.log10(bx)
    assert panel["yscale"] == "linear"
    return x0 + (x1 - x0) * (x - ax_) / (bx - ax_), y1 - (y1 - y0) * (y - ay) / (by - ay)


def test_cells_drawn_by_the_contract_land_where_matplotlib_draws_them(smap: SensitivityMap) -> None:
    still = map_background(smap, dpi=80)
    panel = still.panels["map"]
    cells, rgba, _ = map_payload(smap, dpi=80)
    ny, nx = cells["ny"], cells["nx"]
    colours = np.frombuffer(rgba, dtype=np.uint8).reshape(ny, nx, 4)
    full = sensitivity_figure(smap, dpi=80)
    full.canvas.draw()
    pixels = np.asarray(full.canvas.buffer_rgba())  # type: ignore[attr-defined]
    assert (pixels.shape[1], pixels.shape[0]) == tuple(still.size)
    xe, ye = cells["x_edges"], cells["y_edges"]
    checked = 0
    for i in range(ny):
        for j in range(nx):
            if smap.diverged[i, j] or smap.best.index == (i, j):
                continue
            x = math.sqrt(xe[j] * math.sqrt(xe[j] * xe[j + 1]))  # a quarter into the cell
            y = ye[i] + 0.25 * (ye[i + 1] - ye[i])
            px, py = to_pixel(panel, x, y)
            np.testing.assert_allclose(pixels[int(py), int(px), :3], colours[i, j, :3], atol=2, err_msg=str((i, j)))
            checked += 1
    assert checked > 40
    # The background itself has no cells there: it is the frame only.
    frame = np.asarray(Image.open(io.BytesIO(still.png)).convert("RGBA"))
    px, py = to_pixel(panel, math.sqrt(xe[0] * xe[1]), (ye[0] + ye[1]) / 2)
    assert tuple(frame[int(py), int(px), :3]) == (255, 255, 255)


def test_rows_start_at_the_first_decay_and_diverged_cells_are_grey() -> None:
    values = np.array([[np.nan, np.nan, np.nan], [1e-3, 1e-2, 1e-1]])  # row 0 (decay 0) diverged
    dead = np.array([[3, 3, 3], [-1, -1, -1]])
    m = SensitivityMap(
        "rmsprop",
        "beta",
        np.array([0.01, 0.1, 1.0]),
        np.array([0.0, 0.9]),
        values,
        dead,
        best_cell(values, diverged=dead, radius=0),
        {},
        10,
        1e-15,
        0.0,
        rv.Quadratic(),
    )
    cells, rgba, marks = map_payload(m)
    assert cells == {
        "panel": "map",
        "nx": 3,
        "ny": 2,
        "x_edges": pytest.approx([10**-2.5, 10**-1.5, 10**-0.5, 10**0.5]),
        "y_edges": pytest.approx([-0.5, 0.5, 1.5]),
    }
    assert len(rgba) == 2 * 3 * 4
    assert rgba[:12] == bytes([154, 154, 154, 255] * 3)
    assert rgba[12:16] != bytes([154, 154, 154, 255])
    assert marks[0]["x"] == 0.01  # best: the lowest gap, at lr 0.01 and beta 0.9 (memory 1)
    assert marks[0]["y"] == pytest.approx(1.0)


def test_marks_sit_on_the_best_cell_and_the_current_setting(smap: SensitivityMap) -> None:
    _, _, marks = map_payload(smap, current=(0.0123, 0.93), dpi=144)
    star, ring = marks
    i, j = smap.best.index
    assert (star["type"], star["panel"], star["marker"], star["color"]) == ("mark", "map", "*", "white")
    assert (star["x"], star["y"]) == pytest.approx((smap.lrs[j], memory_of(smap.decays[i])))
    assert star["size"] == pytest.approx(20 * 2)  # 20 points at 144 dpi
    ci, cj = smap.cell_of(0.0123, 0.93)
    assert (ring["x"], ring["y"]) == pytest.approx((smap.lrs[cj], memory_of(smap.decays[ci])))
    assert ring["color"] == KINDS["momentum"].style.color  # momentum's colour
    assert ring["fill"] is False
    assert ring["label"] == "current setting"


def test_a_click_anywhere_in_a_cell_gives_that_cells_setting(smap: SensitivityMap) -> None:
    cells, _, _ = map_payload(smap)
    xe, ye = cells["x_edges"], cells["y_edges"]
    for i in range(smap.shape[0]):
        for j in range(smap.shape[1]):
            for fx, fy in ((0.02, 0.02), (0.98, 0.98), (0.5, 0.5), (0.02, 0.98)):
                x = xe[j] * (xe[j + 1] / xe[j]) ** fx
                y = ye[i] + fy * (ye[i + 1] - ye[i])
                got = clicked_setting(smap, {"panel": "map", "x": x, "y": y, "seq": 1})
                assert got == smap.setting(i, j), (i, j, fx, fy)
    with pytest.raises(ValueError, match=r"^clicked's x must be a learning rate > 0"):
        clicked_setting(smap, {"panel": "map", "x": -1.0, "y": 0.5})
    with pytest.raises(ValueError, match=r"^clicked must be a click on the 'map' panel"):
        clicked_setting(smap, {"panel": "surface", "x": 1.0, "y": 0.5})


def test_a_click_on_a_map_of_one_row_ignores_y() -> None:
    one = sensitivity_map(rv.Quadratic(), "adagrad", size=(6, 4), n_steps=20)
    assert clicked_setting(one, {"panel": "map", "x": float(one.lrs[2]) * 1.1, "y": 0.9}) == (float(one.lrs[2]), None)


def test_the_background_changes_only_with_what_it_draws(smap: SensitivityMap) -> None:
    same = sensitivity_map(rv.Quadratic(condition=50.0), "momentum", size=(10, 6), n_steps=200, backend="numpy")
    assert background_key(same) == background_key(smap)
    other = sensitivity_map(rv.Quadratic(condition=50.0), "momentum", size=(10, 6), n_steps=100, backend="numpy")
    assert background_key(other) != background_key(smap)
