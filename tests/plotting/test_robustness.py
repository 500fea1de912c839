"""Robustness curves draw the engine's numbers: gaps, diverged rates, ranges, best rates."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import rmsprop_viz as rv
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.robustness import COMPARISON_MODES, Robustness, compare_modes, robustness
from rmsprop_viz.plotting import style_for
from rmsprop_viz.plotting.robustness import GAP_FLOOR, draw_robustness, modes_figure


@pytest.fixture(scope="module")
def curves() -> dict[str, Robustness]:
    # SGD diverges above 2/10 = 0.2; Adam never does on this grid.
    lrs = np.geomspace(1e-3, 1.0, 13)
    return robustness(rv.Quadratic(condition=10.0), ["sgd", "adam"], lrs, n_steps=300)


def test_lines_are_the_gaps_per_learning_rate(curves: dict[str, Robustness]) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    artists = draw_robustness(ax, curves)
    for kind, curve in curves.items():
        line = artists.lines[kind]
        np.testing.assert_array_equal(np.asarray(line.get_xdata()), curve.lrs)
        ys = np.asarray(line.get_ydata(), float)
        assert np.isnan(ys[curve.diverged]).all()
        kept = ~curve.diverged
        np.testing.assert_array_equal(ys[kept], np.maximum(curve.gaps[kept], GAP_FLOOR))
        assert line.get_color() == style_for(kind).color
        assert str(line.get_label()).startswith(KINDS[kind].label)
    assert ax.get_xscale() == "log"
    assert ax.get_yscale() == "log"


def test_marks_diverged_rates_ranges_and_best(curves: dict[str, Robustness]) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    artists = draw_robustness(ax, curves)
    sgd, _adam = curves["sgd"], curves["adam"]
    # SGD diverges at every lr of the grid above 2/k (hand-derived), Adam at none.
    assert np.asarray(artists.crosses["sgd"].get_xdata()).tolist() == sgd.lrs[sgd.lrs > 0.2].tolist()
    assert len(artists.crosses["sgd"].get_xdata()) == 3  # type: ignore[arg-type]  # 0.316, 0.562, 1
    assert len(artists.crosses["adam"].get_xdata()) == 0  # type: ignore[arg-type]
    for kind, curve in curves.items():
        assert list(artists.ranges[kind].get_xdata()) == [curve.low, curve.high]  # type: ignore[arg-type]
        star = artists.best[kind]
        assert list(star.get_xdata()) == [curve.best_lr]  # type: ignore[arg-type]
    assert artists.threshold is not None
    assert list(artists.threshold.get_ydata()) == [sgd.threshold, sgd.threshold]  # type: ignore[arg-type]
    assert sgd.threshold == pytest.approx(max(1e-6, sgd.start_gap / 1e3))


def test_labels_legend_and_title(curves: dict[str, Robustness]) -> None:
    fig = Figure(layout="constrained")
    ax = fig.add_subplot()
    draw_robustness(ax, curves)
    assert "learning rate" in ax.get_xlabel()
    assert "f − f*" in ax.get_ylabel()
    assert "300 steps" in ax.get_title()
    legend = ax.get_legend()
    assert legend is not None
    texts = [t.get_text() for t in legend.get_texts()]
    width = f"{curves['adam'].width:.2g}"
    assert any(t.startswith(f"Adam: {width} decade") for t in texts)
    assert "diverged" in texts
    assert any(t.startswith("converged below") for t in texts)
    fig.savefig(__import__("io").BytesIO(), format="png", dpi=40)  # draws without error
    ax2 = Figure().add_subplot()
    draw_robustness(ax2, curves, title="mine", legend=False)
    assert ax2.get_legend() is None
    assert ax2.get_title() == "mine"


def test_no_curves_is_an_error() -> None:
    with pytest.raises(ValueError, match="curves"):
        draw_robustness(Figure().add_subplot(), {})


def test_modes_figure_draws_each_modes_runs() -> None:
    k = 10.0
    found = compare_modes(rv.Quadratic(condition=k), {"sgd": 0.15, "adam": 1e-4}, 0.25, (0.0, 1.0), 100)
    fig = modes_figure(found)
    assert len(fig.axes) == len(COMPARISON_MODES)
    for ax, result in zip(fig.axes, found.values()):
        lines = {str(line.get_label()): line for line in ax.get_lines() if not str(line.get_label()).startswith("_")}
        sgd = lines[f"SGD, α = {result.lrs['sgd']:.3g}"]
        ys = np.asarray(sgd.get_ydata(), float)
        if result.mode != "shared":  # SGD's gap by hand: 5 * (1 - a k)^(2t)
            t = np.arange(101)
            expected = np.maximum(0.5 * k * (1 - result.lrs["sgd"] * k) ** (2 * t), 1e-16)
            np.testing.assert_allclose(ys, expected, rtol=1e-9)
        else:
            assert np.isnan(ys[-1])  # 0.25 > 2/k: diverged
        assert ax.get_legend() is not None
        assert ax.get_xlabel() == "step"
    # The shared y axis holds every panel's curves: none runs off the top or the bottom.
    low, high = fig.axes[0].get_ylim()
    for ax in fig.axes:
        for line in ax.get_lines():
            ys = np.asarray(line.get_ydata(), float)
            ys = ys[np.isfinite(ys)]
            assert ys.size == 0 or (low <= ys.min() and ys.max() <= high)
    assert fig.axes[0].get_title() == "alpha per optimizer:\nSGD wins (12 steps)"
    assert fig.axes[1].get_title().startswith("one alpha for all:\nAdam wins")
    with pytest.raises(ValueError, match="found"):
        modes_figure({})
