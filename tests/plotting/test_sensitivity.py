"""The sensitivity map's figure: labels and colour bar, diverged cells grey and off the
scale, the star on the best cell, and cell colours that are the pixels matplotlib draws."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import colors as mcolors

import rmsprop_viz as rv
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.best import best_cell
from rmsprop_viz.engine.sensitivity import SensitivityMap, memory_of, sensitivity_map
from rmsprop_viz.plotting.sensitivity import (
    DIVERGED_RGBA,
    cell_colours,
    draw_sensitivity,
    map_edges,
    sensitivity_figure,
    sensitivity_norm,
)


@pytest.fixture(scope="module")
def smap() -> SensitivityMap:
    # Momentum on a bowl of condition 50: large learning rates with much momentum diverge.
    return sensitivity_map(rv.Quadratic(condition=50.0), "momentum", size=(10, 6), n_steps=200, backend="numpy")


def made(values: list[list[float]], dead: list[list[bool]]) -> SensitivityMap:
    """A map with given values (rows: decays 0, 0.9, columns: lr 0.01, 0.1, 1)."""
    v, d = np.array(values), np.array(dead)
    best = best_cell(np.where(d, np.nan, v), radius=0)
    return SensitivityMap(
        "rmsprop",
        "beta",
        np.array([0.01, 0.1, 1.0]),
        np.array([0.0, 0.9]),
        np.where(d, np.nan, v),
        np.where(d, 5, -1),
        best,
        {},
        10,
        1e-15,
        0.0,
        rv.Quadratic(),
    )


def test_the_figure_says_what_it_shows(smap: SensitivityMap) -> None:
    assert smap.diverged.any()
    fig = sensitivity_figure(smap, current=(0.01, 0.9))
    ax, bar = fig.axes
    assert ax.get_xlabel() == "learning rate α"
    assert "momentum" in ax.get_ylabel()
    assert ax.get_xscale() == "log"
    assert "f − f*" in bar.get_ylabel()
    assert "200 steps" in bar.get_ylabel()
    title = ax.get_title()
    assert "Momentum" in title
    assert "final loss gap" in title
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["best (its worst neighbour is best)", "current setting", "diverged"]
    # decays are ticked where they sit on the log(1 - beta) axis
    ticks = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks()))
    assert ticks["0.9"] == pytest.approx(1.0)
    assert ticks["0.99"] == pytest.approx(2.0)


def test_diverged_cells_are_off_the_scale_and_the_star_is_on_the_best_cell(smap: SensitivityMap) -> None:
    fig = sensitivity_figure(smap, current=(0.01, 0.9))
    art = draw_sensitivity(fig.add_subplot(), smap, current=(0.01, 0.9))
    shown = art.mesh.get_array()
    np.testing.assert_array_equal(np.ma.getmaskarray(shown), smap.diverged)
    assert art.diverged is not None
    assert art.diverged.get_hatch() == "xx"
    i, j = smap.best.index
    np.testing.assert_allclose(art.best.get_xydata(), [[smap.lrs[j], memory_of(smap.decays[i])]])
    ci, cj = smap.cell_of(0.01, 0.9)
    np.testing.assert_allclose(art.current.get_xydata(), [[smap.lrs[cj], memory_of(smap.decays[ci])]])
    assert art.current.get_markeredgecolor() == KINDS["momentum"].style.color


def test_cell_colours_differ_with_value_and_diverged_cells_are_grey() -> None:
    m = made([[1e-3, 1e-1, 1.0], [1e-3, 1e-6, 1.0]], [[False, False, True], [False, False, False]])
    rgba = cell_colours(m)
    assert rgba.shape == (2, 3, 4)
    assert rgba.dtype == np.uint8
    assert tuple(rgba[0, 2]) == DIVERGED_RGBA == (154, 154, 154, 255)  # #9a9a9a
    assert (rgba[0, 0] == rgba[1, 0]).all()  # equal values, equal colours
    assert (rgba[0, 0] != rgba[0, 1]).any()
    assert (rgba[1, 1] != rgba[0, 1]).any()
    # the scale's ends are whole decades around the values: 1e-6 .. 1
    norm = sensitivity_norm(m)
    assert (norm.vmin, norm.vmax) == (1e-6, 1.0)
    assert not any(tuple(c) == DIVERGED_RGBA for c in rgba.reshape(-1, 4)[[0, 1, 3, 4, 5]])


def test_cell_colours_are_the_pixels_matplotlib_draws(smap: SensitivityMap) -> None:
    fig = sensitivity_figure(smap, dpi=80)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    ax = fig.axes[0]
    rgba = cell_colours(smap)
    x_edges, y_edges = map_edges(smap)
    height = pixels.shape[0]
    checked = 0
    for i in range(smap.shape[0]):
        for j in range(smap.shape[1]):
            if smap.diverged[i, j] or smap.best.index == (i, j):
                continue  # hatched, or under the star
            # a quarter of the way into the cell, away from the star and the ring at its centre
            x = float(np.sqrt(x_edges[j] * np.sqrt(x_edges[j] * x_edges[j + 1])))
            y = float(y_edges[i] + 0.25 * (y_edges[i + 1] - y_edges[i]))
            px, py = ax.transData.transform((x, y))
            got = pixels[int(height - py), int(px)]
            np.testing.assert_allclose(got[:3], rgba[i, j, :3], atol=2, err_msg=f"cell {(i, j)}")
            checked += 1
    assert checked > 40


def test_the_frame_has_no_cells_but_the_same_axes_and_scale(smap: SensitivityMap) -> None:
    full = sensitivity_figure(smap)
    frame = sensitivity_figure(smap, frame_only=True)
    assert len(frame.axes[0].collections) == 0
    assert len(full.axes[0].collections) >= 1
    full.canvas.draw()
    frame.canvas.draw()
    for a, b in zip(full.axes, frame.axes):
        np.testing.assert_allclose(a.get_position().bounds, b.get_position().bounds, atol=1e-9)
        assert a.get_xlim() == b.get_xlim()
        assert a.get_ylim() == b.get_ylim()
    norm = full.axes[0].collections[0].norm
    assert isinstance(norm, mcolors.LogNorm)
    assert (norm.vmin, norm.vmax) == (sensitivity_norm(smap).vmin, sensitivity_norm(smap).vmax)


def test_a_map_of_one_row_spans_zero_to_one() -> None:
    one = sensitivity_map(rv.Quadratic(condition=50.0), "sgd", size=(8, 4), n_steps=50)
    fig = sensitivity_figure(one, current=(0.01, None))
    ax = fig.axes[0]
    assert ax.get_ylim() == (0.0, 1.0)
    assert list(ax.get_yticks()) == []
    assert ax.get_ylabel() == "no decay: one row"
