"""The checks made before anything is drawn: settings, and the memory kept frames need."""

from __future__ import annotations

from pathlib import Path

import pytest
from race_pictures import (
    FRAMES,
    SIZE,
    names,
)

from rmsprop_viz import export as animation
from rmsprop_viz.animation import ExportError, save
from rmsprop_viz.export import checks
from rmsprop_viz.plotting import RaceFigure


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"fps": 0}, "fps"),
        ({"fps": -5}, "fps"),
        ({"fps": float("nan")}, "fps"),
        ({"fps": float("inf")}, "fps"),
        ({"fps": "30"}, "fps"),
        ({"frames": 1}, "frames"),
        ({"frames": 0}, "frames"),
        ({"frames": 2.5}, "frames"),
        ({"frames": True}, "frames"),
        ({"dpi": 0}, "dpi"),
        ({"dpi": -100}, "dpi"),
        ({"dpi": float("nan")}, "dpi"),
    ],
)
@pytest.mark.parametrize("suffix", [".gif", ".png"])
def test_bad_settings(untouched: RaceFigure, tmp_path: Path, kwargs: dict, name: str, suffix: str) -> None:
    with pytest.raises(ExportError, match=rf"^{name} must be"):
        save(untouched, tmp_path / f"race{suffix}", progress=False, **kwargs)
    assert names(tmp_path) == []
    assert issubclass(ExportError, ValueError)


@pytest.mark.parametrize("suffix", [".gif", ".html"])
def test_kept_frames_are_limited_before_drawing(
    figure: RaceFigure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    # GIF and HTML writers keep every frame: frames x width x height x bytes a pixel.
    width, height = SIZE
    needed = FRAMES * width * height * animation.KEPT_BYTES_PER_PIXEL
    monkeypatch.setattr(checks, "MAX_KEPT_BYTES", needed - 1)
    drawn: list[int] = []
    monkeypatch.setattr(figure, "show_frame", lambda step: drawn.append(step))
    with pytest.raises(ExportError, match=rf"{FRAMES} frames at dpi 25 .*MAX_KEPT_BYTES"):
        save(figure, tmp_path / f"race{suffix}", frames=FRAMES, progress=False)
    assert drawn == []
    assert list(tmp_path.iterdir()) == []
    # MP4 streams its frames: the same size is no problem for it (checked up to drawing).
    checks.check_size(figure, None, FRAMES)
    monkeypatch.setattr(checks, "MAX_KEPT_BYTES", needed)
    checks.check_size(figure, None, FRAMES, suffix[1:].upper())
