"""In a browser (Pyodide) the explorer's automatic backend is the live canvas, or the image
where anywidget cannot be imported: never ipympl, whose front end the site does not ship."""

from __future__ import annotations

import sys
from typing import Any

import ipywidgets as W
import pytest

from rmsprop_viz.apps.explorer import canvas
from rmsprop_viz.core import runtime


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A browser's platform, ipympl looking usable, and every canvas backend made, in order."""
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setattr(runtime, "IN_BROWSER", True)
    monkeypatch.setattr(canvas, "ipympl_usable", lambda: True)
    backends: list[str] = []
    real = canvas.make_canvas

    def recording(figure: Any, backend: str, on_click: Any) -> W.Widget:
        backends.append(backend)
        return real(figure, backend, on_click)

    monkeypatch.setattr(canvas, "make_canvas", recording)
    return backends


def test_auto_is_the_live_canvas_where_anywidget_imports(made: list[str]) -> None:
    import rmsprop_viz as rv
    from rmsprop_viz.apps.explorer.live import LiveCanvas

    explorer = rv.explore(backend="auto", n_steps=40)
    assert explorer.backend == "live"
    assert isinstance(explorer.canvas_widget, LiveCanvas)
    assert made == []  # no kernel-drawn canvas at all


def test_auto_is_the_image_where_anywidget_does_not_import(made: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import rmsprop_viz as rv

    monkeypatch.setitem(sys.modules, "anywidget", None)  # `import anywidget` raises ImportError
    assert canvas.live_usable() is False
    explorer = rv.explore(backend="auto", n_steps=40)
    assert explorer.backend == "image"
    assert type(explorer.canvas_widget) is W.Image
    assert made == ["image"]
