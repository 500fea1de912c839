"""C7's figure: the loss bands drawn are the verdict's bands, the titles quote its ratios."""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.figure import Figure

from rmsprop_viz.engine.claims import Verdict
from rmsprop_viz.engine.claims.noise import c7_noisy_gradients
from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.plotting.claims import claim_figure


@functools.cache
def small() -> Verdict:
    return c7_noisy_gradients(seeds=3, n_steps=60, tail=20)


def test_each_panel_draws_the_verdicts_bands_and_quotes_its_ratio() -> None:
    v = small()
    fig = claim_figure(v)
    assert isinstance(fig, Figure)
    axes = fig.axes
    assert len(axes) == 3
    ratios = ["rmsprop_over_sgd_small_noise", "sgd_over_rmsprop_large_noise", "sgd_over_rmsprop_minibatch"]
    for ax, (problem, bands), ratio in zip(axes, v.data["bands"].items(), ratios):
        assert v.data["titles"][problem] in ax.get_title()
        assert format_number(v.evidence[ratio]) in ax.get_title()
        assert ax.get_xlabel() == "step"
        assert ax.get_yscale() == "log"
        medians = [np.asarray(line.get_ydata(), dtype=np.float64) for line in ax.get_lines()]
        assert len(medians) == len(bands)
        for drawn, band in zip(medians, bands.values()):
            np.testing.assert_allclose(drawn, np.maximum(band.loss_median, 1e-16))
    assert "f − f*" in axes[0].get_ylabel()
    assert len(fig.legends) == 1
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[:3] == [
        "SGD (lr=0.05), 3 seeds: median",
        "RMSProp (lr=0.05, β=0.9), 3 seeds: median",
        "Adam (lr=0.05), 3 seeds: median",
    ]
    assert "the last 20 steps: the floor" in texts
    assert fig.get_suptitle().startswith("C7, ")
    fig.canvas.draw()
