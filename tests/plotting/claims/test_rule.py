"""The figures of C1, C4 and C10 draw the verdict's own data, labelled."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import rmsprop_viz as rv
from rmsprop_viz.engine.claims import Verdict
from rmsprop_viz.plotting.claims import claim_figure
from rmsprop_viz.plotting.claims.rule import draw_c1, draw_c4, draw_c10


@pytest.fixture(scope="module")
def verdicts() -> dict[str, Verdict]:
    return {
        "C1": rv.claims.c1_update_rule(n_steps=120),
        "C4": rv.claims.c4_beta_memory(),
        "C10": rv.claims.c10_epsilon(n_steps=100),
    }


def _line(ax: Axes, label_start: str) -> tuple[np.ndarray, np.ndarray]:
    for line in ax.get_lines():
        if str(line.get_label()).startswith(label_start):
            return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    raise AssertionError(f"no line labelled {label_start!r}: {[ln.get_label() for ln in ax.get_lines()]}")


def _assert_labelled(fig: Figure) -> None:
    for ax in fig.axes:
        assert ax.get_xlabel()
        assert ax.get_ylabel()
        assert ax.get_legend() is not None
        assert ax.get_title()


def test_c1_draws_both_paths_and_the_gaps(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["C1"]
    fig = Figure(layout="constrained")
    draw_c1(fig, v)
    paths_ax, gap_ax = fig.axes
    x, y = _line(paths_ax, "ε inside")
    np.testing.assert_array_equal(np.c_[x, y], v.data["small_inside"].params[:, 0])
    x, y = _line(paths_ax, "ε outside")
    np.testing.assert_array_equal(np.c_[x, y], v.data["small_outside"].params[:, 0])
    np.testing.assert_array_equal(_line(gap_ax, "loss × 1 ")[1], v.data["unit_gap"])
    np.testing.assert_array_equal(_line(gap_ax, "loss × 1.00e-04")[1], v.data["small_gap"])
    assert "0.254" in gap_ax.get_title()  # the key number
    _assert_labelled(fig)


def test_c4_draws_the_forgotten_share_and_the_first_steps(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["C4"]
    fig = Figure(layout="constrained")
    draw_c4(fig, v)
    memory_ax, first_ax = fig.axes
    for j, label in enumerate(("β = 0.5: 63% after 2 steps", "β = 0.9: 63% after 10 steps", "β = 0.99: 63% after 100")):
        x, y = _line(memory_ax, label)
        np.testing.assert_array_equal(x, v.data["steps_after"])
        np.testing.assert_array_equal(y, v.data["forgotten"][j])
    heights = [bar.get_height() for container in first_ax.containers for bar in container if isinstance(bar, Rectangle)]
    np.testing.assert_array_equal(heights, v.data["first_step_over_lr"])
    assert [t.get_text() for t in first_ax.texts] == ["1.41 α", "3.16 α", "10 α"]
    assert "worst factor 1" in memory_ax.get_title()
    _assert_labelled(fig)


def test_c10_draws_rmsprop_over_sgd_and_the_sweep(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["C10"]
    fig = Figure(layout="constrained")
    draw_c10(fig, v)
    paths_ax, sweep_ax = fig.axes
    x, y = _line(paths_ax, "RMSProp, α = 5, ε = 10000")
    np.testing.assert_array_equal(np.c_[x, y], v.data["large_eps_run"].params[:, 0])
    x, y = _line(paths_ax, "SGD, α = 0.05")
    np.testing.assert_array_equal(np.c_[x, y], v.data["sgd_run"].params[:, 0])
    x, y = _line(sweep_ax, "RMSProp, α = 0.01")
    np.testing.assert_array_equal(x, v.data["eps_grid"])
    np.testing.assert_array_equal(y, v.data["path_change"])
    assert "from ε = 1" in sweep_ax.get_title()
    assert sweep_ax.get_xscale() == "log"
    _assert_labelled(fig)


@pytest.mark.parametrize("claim", ["C1", "C4", "C10"])
def test_claim_figure_titles_each(verdicts: dict[str, Verdict], claim: str) -> None:
    v = verdicts[claim]
    fig = claim_figure(v)
    assert fig.get_suptitle().startswith(f"{claim}, {v.verdict}: ")
    assert len(fig.axes) == 2
