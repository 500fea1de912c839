"""The figures of C2, C3 and C8 draw the verdict's own runs, labelled, with the key numbers."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import rmsprop_viz as rv
from rmsprop_viz.engine.claims import Verdict
from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.plotting.claims import claim_figure
from rmsprop_viz.plotting.claims.scale import draw_c2, draw_c3, draw_c8


@pytest.fixture(scope="module")
def verdicts() -> dict[str, Verdict]:
    return {"C2": rv.claims.c2_gradient_scale(), "C3": rv.claims.c3_large_gradients(), "C8": rv.claims.c8_rotation()}


def _line(ax: Axes, label: str) -> tuple[np.ndarray, np.ndarray]:
    for line in ax.get_lines():
        if line.get_label() == label:
            return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    raise AssertionError(f"no line labelled {label!r}: {[ln.get_label() for ln in ax.get_lines()]}")


def _legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()] + [legend.get_title().get_text()]


def _assert_labelled(fig: Figure) -> None:
    for ax in fig.axes:
        assert ax.get_xlabel()
        assert ax.get_ylabel()
        assert ax.get_title()
        assert _legend_texts(ax)


def test_c2_draws_each_scales_loss_share(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["C2"]
    fig = Figure()
    draw_c2(fig, v)
    left, middle, right = fig.axes
    for ax, name in ((left, "rmsprop"), (middle, "sgd")):
        for scale in v.data["scales"]:
            traj = v.data[name][scale]
            x, y = _line(ax, f"loss × {scale:g}")
            np.testing.assert_array_equal(x, np.arange(traj.n_steps + 1))
            np.testing.assert_array_equal(y, traj.values[:, 0] / traj.values[0, 0])
    assert any("lr=0.01" in t and "eps=1e-16" in t for t in _legend_texts(left))
    assert any("lr=0.1" in t for t in _legend_texts(middle))
    # Every noisy seed is drawn, at both scales.
    shown = {(tuple(np.asarray(ln.get_ydata(), float)[:3])) for ln in right.get_lines()}
    for runs in v.data["noisy"].values():
        for traj in runs:
            assert tuple(traj.values[:3, 0] / traj.values[0, 0]) in shown
    assert format_number(v.evidence["rmsprop_path_change"]) in left.get_title()
    assert format_number(100 * v.evidence["noisy_progress_at_smallest_scale"]) in right.get_title()
    _assert_labelled(fig)


def test_c2_marks_the_diverged_sgd_run(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["C2"]
    fig = Figure()
    draw_c2(fig, v)
    middle = fig.axes[1]
    crosses = [np.asarray(ln.get_xdata(), float) for ln in middle.get_lines() if ln.get_marker() == "X"]
    crosses = [x for x in crosses if x.size == 1]
    assert len(crosses) == 1
    # The cross sits on the last finite step before the divergence.
    assert float(crosses[0][0]) == v.evidence["sgd_diverged_step_at_largest_scale"] - 1
    assert "diverges at step 1" in middle.get_title()


def test_c3_draws_steps_and_effective_learning_rates(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["C3"]
    fig = claim_figure(v)
    paths, steps, rates = fig.axes
    rms, plain = v.data["rmsprop"], v.data["sgd"]
    x, y = _line(paths, rms.label)
    np.testing.assert_array_equal(np.column_stack([x, y]), rms.params[:, 0])
    # draw_step_sizes: |Δx| then |Δy| for each run, in order.
    drawn = [np.asarray(ln.get_ydata(), float) for ln in steps.get_lines()[:4]]
    np.testing.assert_array_equal(drawn[0], np.abs(rms.updates[:, 0, 0]))
    np.testing.assert_array_equal(drawn[3], np.abs(plain.updates[:, 0, 1]))
    x, y = _line(rates, rms.label)
    np.testing.assert_array_equal(y, rms.effective_lr[:, 0, 0])
    assert format_number(v.evidence["rmsprop_step_ratio"]) in steps.get_title()
    assert format_number(v.evidence["sgd_first_step_ratio"]) in steps.get_title()
    assert format_number(v.evidence["rmsprop_effective_lr_ratio"]) in rates.get_title()
    assert any("β=0.9" in t for t in _legend_texts(steps))
    assert fig.get_suptitle().startswith("C3, partly:")
    _assert_labelled(fig)


def test_c8_bars_are_the_steps_to_tolerance(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["C8"]
    fig = claim_figure(v)
    at_0, at_45, bars = fig.axes
    heights = sorted(round(p.get_height()) for p in bars.patches if isinstance(p, Rectangle))
    e = v.evidence
    expected = sorted(int(e[f"{n}_steps_at_{a}"]) for n in ("sgd", "rmsprop") for a in (0, 45))
    assert heights == expected
    assert format_number(e["speedup_at_0"]) in bars.get_title()
    assert format_number(e["speedup_at_45"]) in bars.get_title()
    # The paths run up to the step where the faster optimizer reached the tolerance.
    runs = v.data["runs"][0.0]
    at = int(e["rmsprop_steps_at_0"])
    x, y = _line(at_0, runs["sgd"].label)
    np.testing.assert_array_equal(np.column_stack([x, y]), runs["sgd"].params[: at + 1, 0])
    assert f"up to step {at}" in _legend_texts(at_0)[-1]
    assert "45°" in at_45.get_title()
    _assert_labelled(fig)


def test_c8_one_angle_and_never_reached() -> None:
    v = rv.claims.c8_rotation(angles=(0.0,), n_steps=50)
    assert v.evidence["sgd_steps_at_0"] == -1
    fig = Figure()
    draw_c8(fig, v)
    paths, bars = fig.axes
    never = [p for p in bars.patches if isinstance(p, Rectangle) and p.get_height() == 50]
    assert len(never) == 2
    assert all(p.get_hatch() == "//" for p in never)
    assert any(t.get_text() == "> 50" for t in bars.texts)
    assert paths.get_title().startswith("0°: SGD > 50 steps")


def test_c3_figure_reads_only_the_verdict(verdicts: dict[str, Verdict]) -> None:
    v = verdicts["C3"]
    fig = Figure()
    draw_c3(fig, v)
    again = Figure()
    draw_c3(again, v)
    first = [np.asarray(ln.get_ydata(), float) for ax in fig.axes for ln in ax.get_lines()]
    second = [np.asarray(ln.get_ydata(), float) for ax in again.axes for ln in ax.get_lines()]
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
