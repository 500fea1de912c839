"""The registry of writers: one class per suffix."""

from __future__ import annotations

from pathlib import Path

import pytest
from race_pictures import (
    names,
)

from rmsprop_viz.animation import ExportError, save
from rmsprop_viz.plotting import RaceFigure


@pytest.mark.parametrize("filename", ["race.avi", "race", "race.jpeg"])
def test_unknown_suffix(untouched: RaceFigure, tmp_path: Path, filename: str) -> None:
    with pytest.raises(ExportError, match=r"\.mp4, \.gif, \.html, \.png"):
        save(untouched, tmp_path / filename, progress=False)
    assert names(tmp_path) == []
