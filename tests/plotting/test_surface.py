"""The surface: its levels and contours."""

from __future__ import annotations

from matplotlib.figure import Figure

import rmsprop_viz as rv
from rmsprop_viz.plotting import draw_surface


def test_log_levels_where_values_span_decades() -> None:
    fig = Figure()
    assert draw_surface(fig.add_subplot(), rv.Rosenbrock()).log_levels
    assert not draw_surface(fig.add_subplot(), rv.Quadratic(condition=2)).log_levels
