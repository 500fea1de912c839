"""Saving in a browser (Pyodide): MP4 says in one line why it cannot work there and names
the GIF to save instead; a GIF is still saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rmsprop_viz.core import runtime


@pytest.fixture
def small_figure() -> Any:
    import rmsprop_viz as rv
    from rmsprop_viz.plotting import RaceFigure

    race = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1)}, n_steps=10)
    return RaceFigure(rv.Quadratic(), race, figsize=(6.4, 4.8), dpi=25)


@pytest.mark.parametrize("in_browser", [True, False])
def test_mp4_without_ffmpeg_says_why_in_one_line(
    small_figure: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_browser: bool
) -> None:
    import rmsprop_viz as rv
    from rmsprop_viz.export import ExportError, mp4

    monkeypatch.setattr(runtime, "IN_BROWSER", in_browser)
    monkeypatch.setattr(mp4, "ffmpeg_path", lambda: None)
    with pytest.raises(ExportError) as info:
        rv.export.save(small_figure, tmp_path / "r.mp4", frames=3, progress=False)
    message = str(info.value)
    assert "\n" not in message
    assert "'r.mp4'" in message
    if in_browser:
        assert "cannot run in a browser" in message
        assert "'r.gif'" in message
        assert mp4.INSTALL_FFMPEG not in message  # no pip advice where pip cannot help
    else:
        assert "was not found" in message
        assert mp4.INSTALL_FFMPEG in message
    assert list(tmp_path.iterdir()) == []


def test_a_gif_is_still_saved_in_a_browser(small_figure: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rmsprop_viz as rv
    from rmsprop_viz.export import mp4

    monkeypatch.setattr(runtime, "IN_BROWSER", True)
    monkeypatch.setattr(mp4, "ffmpeg_path", lambda: None)
    out = rv.export.save(small_figure, tmp_path / "r.gif", frames=3, progress=False)
    assert out.read_bytes()[:6] == b"GIF89a"
