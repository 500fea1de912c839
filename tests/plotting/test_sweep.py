"""Sweep figures: diverged cells never on the colour scale, the best cell starred, words
when nothing is on the scale."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import rmsprop_viz as rv
from rmsprop_viz import plotting
from rmsprop_viz.plotting import draw_sweep


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


def _sweep_parts(fig: Figure):
    ax = fig.axes[0]
    meshes = [c for c in ax.collections if not c.get_hatch()]
    hatched = {c.get_hatch(): c for c in ax.collections if c.get_hatch()}
    return ax, meshes, hatched


def test_sweep_figure_never_puts_a_diverged_cell_on_the_colour_scale() -> None:
    lrs, betas = np.array([0.01, 0.1, 1.0]), np.array([0.5, 0.9])
    values = np.array([[0.5, 2e-3], [np.nan, -2.24e-300], [np.inf, 3.0]])  # final loss; the minimum is 0
    diverged = np.array([[False, False], [True, True], [True, True]])  # (1, 1) diverged after its best
    best = rv.engine.best.best_cell(values, diverged=diverged, radius=0)
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
    best = rv.engine.best.best_cell(values)
    fig = plotting.sweep_figure({"lr": lrs}, values, None, "final", best, n_steps=100)
    ax = fig.axes[0]
    curve, crosses, star = ax.get_lines()
    np.testing.assert_array_equal(curve.get_xdata(), lrs)
    np.testing.assert_array_equal(np.isfinite(curve.get_ydata()), [True, True, True, False, False])  # no bridge
    np.testing.assert_array_equal(crosses.get_xdata(), lrs[3:])
    assert crosses.get_marker() == plotting.DIVERGENCE_CROSS["marker"]  # the divergence cross, as on paths
    # Along the top (axes fraction), where an endless loss would be, never at the low end.
    assert crosses.get_transform() == ax.get_xaxis_transform()
    assert (np.asarray(crosses.get_ydata()) > 0.9).all()
    # ... and in a grey band over each diverged learning rate.
    bands = [p for p in ax.patches if p.get_hatch() == plotting.DIVERGED_CELL["hatch"]]
    assert len(bands) == 2
    np.testing.assert_array_equal(star.get_xdata(), [lrs[best.index[0]]])
    assert ax.get_yscale() == "log"


def test_sweep_caption_is_wrapped_inside_the_figure() -> None:
    from rmsprop_viz.engine.best import BestCell

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
