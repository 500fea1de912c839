"""The loss and step-size panels: markers over the curves, log axes that take any loss."""

from __future__ import annotations

import numpy as np
from _plotting_helpers import four_racers

import rmsprop_viz as rv
from rmsprop_viz.plotting import RaceFigure


def test_markers_sit_over_every_curve() -> None:
    surface = rv.Rosenbrock()
    fig = RaceFigure(surface, four_racers(surface, 10))
    assert fig.losses is not None
    assert fig.ax_loss is not None
    under = [*fig.losses.lines, *fig.ax_loss.spines.values()]
    assert min(h.get_zorder() for h in fig.losses.heads) > max(a.get_zorder() for a in under)


def test_subnormal_losses_draw_on_a_log_axis_without_warnings() -> None:
    # Plain SGD on a bowl reaches losses of 1e-320 and below: half of the smallest is 0,
    # which a log axis refuses (matplotlib warns). pytest turns the warning into an error.
    race = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.15)}, n_steps=3000)
    assert np.nanmin(race["SGD"].values[race["SGD"].values > 0]) < 1e-300
    fig = RaceFigure(rv.Quadratic(), race, dpi=20)
    fig.fig.canvas.draw()
    assert fig.ax_loss is not None
    assert fig.ax_loss.get_ylim()[0] > 0


def test_a_log_axis_spans_at_most_its_decades() -> None:
    from matplotlib.figure import Figure

    from rmsprop_viz.plotting.curves import MAX_LOG_DECADES, set_log_limits

    ax = Figure().add_subplot()
    set_log_limits(ax, [np.array([2.0, 1e-132, 0.5])])  # a step that fell to 1e-132
    low, high = ax.get_ylim()
    assert high == 4.0  # twice the largest
    assert low == 2.0 * 10.0**-MAX_LOG_DECADES / 2  # MAX_LOG_DECADES below it, halved
    ax = Figure().add_subplot()
    set_log_limits(ax, [np.array([1e3, 1e-3])])  # within the cap: the smallest value, halved
    assert ax.get_ylim() == (5e-4, 2e3)
