"""PNG: the last frame, drawn whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from race_pictures import (
    FRAMES,
    N_STEPS,
    SIZE,
    full_render,
    rgb,
)

from rmsprop_viz.animation import animate, save


def test_png_is_the_last_frame(make_figure, tmp_path: Path) -> None:
    out = save(make_figure(), tmp_path / "race.png", progress=False)
    reference = full_render(make_figure(), N_STEPS)
    with Image.open(out) as png:
        assert png.size == SIZE
        np.testing.assert_array_equal(rgb(png), reference)


def test_png_after_a_blitting_animation_still_has_the_paths(make_figure, tmp_path: Path) -> None:
    figure = make_figure()
    anim = animate(figure, frames=FRAMES)
    figure.fig.canvas.draw()
    assert all(a.get_animated() for a in figure.animated_artists)  # blitting: left out of a plain draw
    out = save(figure, tmp_path / "race.png", progress=False)
    with Image.open(out) as png:
        error = np.abs(rgb(png) - full_render(make_figure(), N_STEPS)).max(axis=-1)
    # Each draw moves the constrained layout by a fraction of a pixel, hence no exact match;
    # without the paths, hundreds of pixels would be off by more than 64.
    assert (error > 64).sum() < 20
    assert all(a.get_animated() for a in figure.animated_artists)  # the animation's flags are back
    del anim
