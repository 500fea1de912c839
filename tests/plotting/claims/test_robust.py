"""The figure of C9 draws the verdict's own robustness curves, one panel per surface."""

from __future__ import annotations

import io

import numpy as np
import pytest

from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.claims import Verdict
from rmsprop_viz.engine.claims.robust import c9_robustness
from rmsprop_viz.plotting.claims import claim_figure


@pytest.fixture(scope="module")
def verdict() -> Verdict:
    return c9_robustness(per_decade=3)


def test_panels_draw_the_verdicts_curves(verdict: Verdict) -> None:
    fig = claim_figure(verdict)
    curves = verdict.data["curves"]
    assert len(fig.axes) == len(curves) == 2
    for ax, (name, found) in zip(fig.axes, curves.items()):
        lines = {str(line.get_label()).split(":")[0]: line for line in ax.get_lines()}
        for curve in found.values():
            line = lines[KINDS[curve.kind].label]
            np.testing.assert_array_equal(np.asarray(line.get_xdata()), curve.lrs)
            ys = np.asarray(line.get_ydata(), float)
            np.testing.assert_array_equal(np.isnan(ys), curve.diverged)
        # The key number, Adam's lead on this surface, is in the panel's title.
        lead = verdict.evidence[f"adam_lead_{name}"]
        assert f"lead {lead:.2g}" in ax.get_title()
        assert ax.get_xlabel()
        assert ax.get_ylabel()


def test_one_legend_for_the_figure(verdict: Verdict) -> None:
    fig = claim_figure(verdict)
    assert len(fig.legends) == 1
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[:5] == ["SGD", "Momentum", "Adagrad", "RMSProp", "Adam"]
    assert "diverged" in texts
    assert fig.get_suptitle().startswith("C9, supported")
    fig.savefig(io.BytesIO(), format="png", dpi=40)


def test_one_surface_one_panel() -> None:
    v = c9_robustness(surfaces=("quadratic",), per_decade=2)
    fig = claim_figure(v)
    assert len(fig.axes) == 1
    assert "condition 100" in fig.axes[0].get_title()
