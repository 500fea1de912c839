"""Still images: a race's last frame (save to .png) and any figure (save_figure), drawn whole."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image
from race_pictures import FRAMES, N_STEPS, SIZE, full_render, names, rgb

from rmsprop_viz.animation import animate, save
from rmsprop_viz.core.staging import Staging
from rmsprop_viz.export import ExportError, save_figure
from rmsprop_viz.render.frames import add_counter, animated_artists


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
    assert all(
        a.get_animated() for a in animated_artists(figure, add_counter(figure))
    )  # blitting: left out of a plain draw
    out = save(figure, tmp_path / "race.png", progress=False)
    with Image.open(out) as png:
        error = np.abs(rgb(png) - full_render(make_figure(), N_STEPS)).max(axis=-1)
    # Each draw moves the constrained layout by a fraction of a pixel, hence no exact match;
    # without the paths, hundreds of pixels would be off by more than 64.
    assert (error > 64).sum() < 20
    assert all(
        a.get_animated() for a in animated_artists(figure, add_counter(figure))
    )  # the animation's flags are back
    del anim


# ------------------------------------------------------------- save_figure


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_save_figure_writes_each_still_format(tmp_path: Path, suffix: str, magic: bytes) -> None:
    fig = Figure(figsize=(2.0, 1.5), dpi=40)
    fig.add_subplot().plot([0, 1], [1, 0])
    out = save_figure(fig, tmp_path / f"plot{suffix.upper()}")  # the suffix in any case
    assert out == tmp_path / f"plot{suffix.upper()}"
    assert out.read_bytes().startswith(magic)
    assert names(tmp_path) == [out.name]


def test_save_figure_png_is_the_figure_drawn_at_its_dpi(make_figure, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = save_figure(make_figure(), tmp_path / "race.png", dpi=50)
    with Image.open(out) as png:
        assert png.size == (320, 240)
    figure = make_figure()
    add_counter(figure)  # as full_render draws it
    out = save_figure(figure, tmp_path / "same.png")
    with Image.open(out) as png:
        np.testing.assert_array_equal(rgb(png), full_render(make_figure(), N_STEPS))


def test_save_figure_writes_its_recipe_and_refuses_before_writing(tmp_path: Path) -> None:
    fig = Figure(figsize=(2.0, 1.5), dpi=40)
    save_figure(fig, tmp_path / "plot.svg", recipe={"surface": "rosenbrock"})
    assert json.loads((tmp_path / "plot.json").read_text()) == {"surface": "rosenbrock"}
    with pytest.raises(ExportError, match=r"plot\.svg.*already exists"):
        save_figure(fig, tmp_path / "plot.svg")
    save_figure(fig, tmp_path / "plot.svg", overwrite=True, recipe={"surface": "rosenbrock"})
    for kwargs, words in [
        ({"dpi": 0}, "^dpi must be"),
        ({"overwrite": "yes"}, "^overwrite must be True or False"),
    ]:
        with pytest.raises(ExportError, match=words) as info:
            save_figure(fig, tmp_path / "other.png", **kwargs)
        assert "\n" not in str(info.value)
    with pytest.raises(ExportError, match=r"12000 x 9000 pixels.*MAX_PIXELS"):
        save_figure(Figure(figsize=(40.0, 30.0), dpi=20), tmp_path / "huge.png", dpi=300)
    with pytest.raises(ExportError, match=r"12000 x 9000 pixels.*MAX_PIXELS"):
        save_figure(Figure(figsize=(40.0, 30.0), dpi=20), tmp_path / "huge.png", dpi=300)
    with pytest.raises(ExportError, match=r"\.png, \.svg, \.pdf"):
        save_figure(fig, tmp_path / "plot.gif")
    with pytest.raises(ExportError, match="figure must be"):
        save_figure("a figure", tmp_path / "plot.png")  # type: ignore[arg-type]
    assert names(tmp_path) == ["plot.json", "plot.svg"]


def test_save_figure_joins_a_staging(tmp_path: Path) -> None:
    """With a staging, the figure appears with the caller's other files, at its commit."""
    fig = Figure(figsize=(2.0, 1.5), dpi=40)
    with Staging() as staging:
        save_figure(fig, tmp_path / "plot.png", staging=staging)
        staging.write_text(tmp_path / "plot.csv", "a,b\n")
        assert [n for n in names(tmp_path) if not n.startswith(".")] == []
        staging.commit()
    assert names(tmp_path) == ["plot.csv", "plot.png"]
