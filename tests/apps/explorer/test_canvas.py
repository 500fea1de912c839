"""The explorer's canvas: the figure is drawn once per surface, in ipympl or as a PNG, and clicks move the start."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

import rmsprop_viz as rv
from rmsprop_viz.apps import explorer as ex


def test_contours_are_drawn_again_only_for_a_new_surface(explorer: ex.Explorer) -> None:
    contours = explorer.figure.surface_artists.filled
    explorer.alpha.value = 0.02
    explorer.beta.value = 0.8
    explorer.frame.value = 10
    assert explorer.figure.surface_artists.filled is contours
    explorer.surface.value = "quadratic"
    assert explorer.figure.surface_artists.filled is not contours
    shown = {w.description for w in explorer.surface_box.children}
    assert shown == {"condition", "angle"}
    explorer.surface_params["quadratic"]["condition"].value = 50.0
    assert explorer.settings.surface["params"]["condition"] == pytest.approx(50.0)
    assert explorer.results["sgd"].params.shape[0] == 121


def test_a_click_on_the_surface_moves_the_start() -> None:
    e = rv.explore("rosenbrock", backend="ipympl", n_steps=50)
    ax = e.figure.ax
    x, y = ax.transData.transform((0.5, -0.25))
    event = MouseEvent("button_press_event", e.figure.fig.canvas, x, y, button=1)
    event._process()
    assert e.settings.start == pytest.approx((0.5, -0.25), abs=2e-3)
    assert (e.start_x.value, e.start_y.value) == pytest.approx(e.settings.start)
    for key, traj in e.results.items():
        if e.settings.enabled[key]:
            np.testing.assert_array_equal(traj.params[0, 0], e.settings.start)
    start_marker = e.figure.paths[0].start
    assert (start_marker.get_xdata()[0], start_marker.get_ydata()[0]) == pytest.approx(e.settings.start)


def test_the_image_fallback_renders_a_png_of_the_figure() -> None:
    e = rv.explore("saddle", backend="image", n_steps=40)
    png = e.canvas_widget.value
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    before = png
    e.beta.value = 0.5
    assert e.canvas_widget.value != before
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(e.canvas_widget.value)) as image:
        assert image.size == e.figure.fig.canvas.get_width_height()


def test_a_click_next_to_zero_gives_zero_not_minus_zero() -> None:
    e = rv.explore("ill-conditioned", backend="ipympl", n_steps=20)
    x, y = e.figure.ax.transData.transform((-0.0002, 0.5))
    MouseEvent("button_press_event", e.figure.fig.canvas, x, y, button=1)._process()
    assert e.start_x.value == 0.0
    assert np.copysign(1.0, e.start_x.value) == 1.0
    assert np.copysign(1.0, e.settings.start[0]) == 1.0
    e.start_y.value = 50.0  # refused: the message names the window and the start kept, without "-0"
    assert "must lie in the window [-2, 2] x [-2, 2]; kept (0, 0.5)" in e.status.value
