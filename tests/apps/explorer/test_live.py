"""The live canvas widget (rmsprop_viz.apps.explorer.live): its methods set the traitlets of
the wire contract, every data change counts up ``seq``, and the package loads no anywidget."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.markers import MarkerStyle

from rmsprop_viz.apps.explorer import live
from rmsprop_viz.apps.explorer.live import LiveCanvas
from rmsprop_viz.core.kinds import KINDS, SPARE_STYLES
from rmsprop_viz.plotting.paths import NOTE_NEAR, NOTE_WIDTH
from rmsprop_viz.render.live import Background

SCRIPT = Path(live.__file__).with_name("live.js")
RUN = {"key": "SGD", "label": "SGD", "color": "#0072b2", "n_steps": 4, "offset": 0, "visible": True}


def test_the_background_and_the_race_set_their_traitlets() -> None:
    canvas = LiveCanvas()
    panels = {"surface": {"box": [1.0, 2.0, 3.0, 4.0], "xlim": [0, 1], "ylim": [0, 1]}}
    canvas.show_background(Background(b"\x89PNG", (640, 480), panels))
    assert canvas.background == b"\x89PNG"
    assert canvas.size == [640, 480]
    assert canvas.panels == panels
    assert canvas.seq == 1
    data = np.arange(23, dtype="<f4").tobytes()
    ghost = ([{"color": "#000000", "width": 1.0, "dash": [], "n": 2, "offset": 0}], np.zeros(4, "<f4").tobytes())
    canvas.show_race([RUN, {**RUN, "key": "Adam", "n_steps": 9}], data, ghost=ghost)
    assert canvas.seq == 2
    assert [r["key"] for r in canvas.runs] == ["SGD", "Adam"]
    assert canvas.data == data
    assert canvas.n_frames == 10  # the longest run's steps and its start
    assert canvas.frame == 9
    assert canvas.ghost_runs == ghost[0]
    assert canvas.ghost == ghost[1]
    canvas.show_race([RUN], data, frame=2)
    assert canvas.seq == 3
    assert canvas.frame == 2
    assert canvas.ghost_runs == []
    assert canvas.ghost == b""


def test_frames_play_and_visibility() -> None:
    canvas = LiveCanvas()
    canvas.show_race([RUN], b"")
    canvas.set_frame(1)
    assert canvas.frame == 1
    with pytest.raises(ValueError, match=r"^frame must be an integer in \[0, 4\]"):
        canvas.set_frame(5)
    canvas.play(fps=24, frame_step=3)
    assert (canvas.playing, canvas.fps, canvas.frame_step) == (True, 24.0, 3)
    canvas.pause()
    assert canvas.playing is False
    with pytest.raises(ValueError, match=r"^fps must be"):
        canvas.play(fps=0)
    seq = canvas.seq
    canvas.set_visible("SGD", False)
    assert canvas.runs[0]["visible"] is False
    assert canvas.seq == seq + 1


def test_start_overlays_cells_and_presentation() -> None:
    canvas = LiveCanvas()
    canvas.set_start((0.5, -1.0), draggable=True)
    assert canvas.start == [0.5, -1.0]
    assert canvas.draggable is True
    arrow = {"type": "arrow", "panel": "surface", "x0": 0, "y0": 0, "x1": 1, "y1": 1, "hidden": True}
    canvas.set_overlays([arrow], revealed=False)
    assert canvas.overlays == [arrow]
    assert canvas.revealed is False
    seq = canvas.seq
    canvas.reveal()
    assert canvas.revealed is True
    assert canvas.seq == seq + 1
    cells = {"panel": "map", "nx": 2, "ny": 1, "x_edges": [0, 1, 2], "y_edges": [0, 1]}
    canvas.show_cells(cells, bytes(8), clickable=["map"])
    assert canvas.cells == cells
    assert canvas.cell_rgba == bytes(8)
    assert canvas.clickable == ["map"]
    with pytest.raises(ValueError, match=r"^rgba must hold ny \* nx \* 4 = 8 bytes, got 4$"):
        canvas.show_cells(cells, bytes(4))
    canvas.set_present(True)
    assert canvas.present is True
    with pytest.raises(ValueError, match=r"^start must be"):
        canvas.set_start((np.nan, 0.0))


def test_the_traitlets_of_the_contract_are_synced() -> None:
    names = [
        *("background", "size", "panels", "runs", "data", "ghost_runs", "ghost", "frame", "n_frames"),
        *("playing", "fps", "frame_step", "start", "draggable", "overlays", "revealed", "cells"),
        *("cell_rgba", "clickable", "clicked", "present", "seq"),
    ]
    synced = set(LiveCanvas().keys)
    assert set(names) <= synced


def test_the_module_and_its_style_ship_beside_it() -> None:
    js = SCRIPT.read_text(encoding="utf-8")
    assert "export default" in js
    assert SCRIPT.with_name("live.css").is_file()
    assert str(LiveCanvas._esm) == js  # anywidget reads the file beside the module
    for name in ("rv-live", "rv-background", "rv-layer", "rv-play", "rv-scrub", "rv-step", "rv-present"):
        assert name in js


def test_the_scripts_markers_and_notes_are_matplotlibs() -> None:
    """live.js draws matplotlib's marker shapes and places notes by plotting/paths.py's rules."""
    js = SCRIPT.read_text(encoding="utf-8")
    table = js[js.index("const MARKERS = {") + len("const MARKERS = ") : js.index("};", js.index("const MARKERS")) + 1]
    table = re.sub(r"^\s*([A-Za-z]):", r'"\1":', table, flags=re.M)
    table = re.sub(r",(\s*[\]}])", r"\1", table)
    markers = json.loads(table)
    # every marker a run can have (its kind's or a spare's), the circle drawn as an arc
    used = {kind.style.marker for kind in KINDS.values()} | {style.marker for style in SPARE_STYLES}
    assert set(markers) == (used | {"*"}) - {"o"}
    for code, vertices in markers.items():
        style = MarkerStyle(code)
        expected = style.get_path().transformed(style.get_transform()).vertices[:-1]
        np.testing.assert_allclose(np.array(vertices), expected, atol=1e-4)
    assert f"const NOTE_NEAR = [{NOTE_NEAR[0]}, {NOTE_NEAR[1]}];" in js
    assert f"const NOTE_WIDTH = {NOTE_WIDTH};" in js


def test_importing_the_package_loads_no_anywidget() -> None:
    code = (
        "import sys, rmsprop_viz, rmsprop_viz.apps.explorer, rmsprop_viz.render.live\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('anywidget', 'ipywidgets')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
