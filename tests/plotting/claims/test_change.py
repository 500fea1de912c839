"""The figures of C5 and C6 draw the verdict's own runs, labelled, with the key numbers."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import rmsprop_viz as rv
from rmsprop_viz.engine.claims import Verdict
from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.plotting.claims import claim_figure
from rmsprop_viz.plotting.claims.change import draw_c5, draw_c6, draw_effective_lr


@pytest.fixture(scope="module")
def verdicts() -> dict[str, Verdict]:
    return {"C5": rv.claims.c5_adagrad_decay(), "C6": rv.claims.c6_nonstationary()}


def _line(ax: Axes, label: str) -> tuple[np.ndarray, np.ndarray]:
    for line in ax.get_lines():
        if line.get_label() == label:
            return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    raise AssertionError(f"no line labelled {label!r}: {[ln.get_label() for ln in ax.get_lines()]}")


def _assert_labelled(fig: Figure) -> None:
    for ax in fig.axes:
        assert ax.get_xlabel()
        assert ax.get_ylabel()
        assert ax.get_title()
        legend = ax.get_legend()
        assert legend is not None
        texts = [t.get_text() for t in legend.get_texts()]
        assert any("Adagrad (lr=" in t for t in texts)
        assert any("RMSProp (lr=" in t and "β=" in t for t in texts)


def test_c5_draws_the_effective_learning_rates(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["C5"]
    fig = Figure()
    draw_c5(fig, v)
    left, right = fig.axes
    for traj in v.data["trajectories"].values():
        x, y = _line(left, traj.label)
        np.testing.assert_array_equal(x, np.arange(1, traj.n_steps + 1))
        np.testing.assert_array_equal(y, np.abs(traj.updates[:, 0, 0]) / np.abs(traj.grads[:, 0, 0]))
    assert left.get_xscale() == "log"
    xs = [np.asarray(line.get_xdata(), float) for line in left.get_lines() if line.get_linestyle() == "--"]
    steps = sorted(float(x[0]) for x in xs if x.size == 2)
    assert steps == [v.data["early_step"] + 1, v.data["late_step"] + 1]
    assert format_number(v.evidence["adagrad_lr_ratio"]) in left.get_title()
    assert format_number(v.evidence["late_progress_ratio"]) in right.get_title()
    _assert_labelled(fig)


def test_c5_loss_panel_shows_the_runs_losses(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["C5"]
    fig = Figure()
    draw_c5(fig, v)
    ys = [
        np.asarray(line.get_ydata(), float) for line in fig.axes[1].get_lines() if np.asarray(line.get_ydata()).size > 2
    ]
    expected = [t.values[:, 0] for t in v.data["trajectories"].values()]  # the bowl's minimum is 0
    assert len(ys) == 2
    for got, want in zip(ys, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_c6_draws_the_losses_and_the_change(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["C6"]
    fig = Figure()
    draw_c6(fig, v)
    left, right = fig.axes
    change = v.data["change_step"]
    x, _ = _line(left, f"objective changes (step {change})")
    assert x.tolist() == [change, change]
    ys = [np.asarray(line.get_ydata(), float) for line in left.get_lines() if np.asarray(line.get_ydata()).size > 2]
    for got, traj in zip(ys, v.data["trajectories"].values()):
        want = np.maximum(traj.values[:, 0] - v.data["floor"], 1e-16)
        np.testing.assert_allclose(got, want, rtol=1e-12)
    for traj in v.data["trajectories"].values():
        _, y = _line(right, traj.label)
        np.testing.assert_array_equal(y, traj.effective_lr[:, 0, 0])
    assert right.get_xlim()[1] < change + 100  # zoomed on the change
    assert "> 500" in left.get_title()
    assert f"in {int(v.evidence['rmsprop_memory_steps'])} steps" in right.get_title()
    _assert_labelled(fig)


@pytest.mark.parametrize("claim", ["C5", "C6"])
def test_claim_figure_titles_them(verdicts: dict[str, Verdict], claim: str) -> None:
    v = verdicts[claim]
    fig = claim_figure(v)
    assert len(fig.axes) == 2
    title = fig.get_suptitle()
    assert title.startswith(f"{claim}, supported")
    fig.canvas.draw()  # renders without error


def test_draw_effective_lr_marks_every_run(verdicts: dict[str, Verdict]) -> None:
    runs = list(verdicts["C5"].data["trajectories"].values())
    ax = Figure().add_subplot()
    lines = draw_effective_lr(ax, runs)
    assert [line.get_label() for line in lines] == [t.label for t in runs]
    assert len(ax.get_lines()) == 4  # x and y of each run
    assert ax.get_yscale() == "log"
