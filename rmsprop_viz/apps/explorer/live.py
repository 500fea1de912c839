"""The live canvas: a still background drawn by matplotlib, and what moves drawn by the
browser on a canvas over it (``live.js``).

The traitlets below are the wire contract of :mod:`rmsprop_viz.render.live`, which builds
their values from a race figure. Only arrays cross the wire, once per change; Play and the
scrub bar run in the browser, which writes ``frame`` and ``playing`` back only when Play
stops or the scrub is released. The methods only set traitlets: no maths, no drawing.
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from typing import Any

import anywidget
import traitlets

from rmsprop_viz.core.checks import check_int, check_number, check_point
from rmsprop_viz.render.live import Background

__all__ = ["LiveCanvas"]


class LiveCanvas(anywidget.AnyWidget):
    """The explorer's canvas: a background PNG with each panel's pixel box and limits, and
    the runs, ghosts, overlays and map cells drawn over it in the browser.

    Examples
    --------
    >>> canvas = LiveCanvas()
    >>> canvas.show_race([{"key": "SGD", "n_steps": 3, "offset": 0}], b"")
    >>> canvas.seq, canvas.n_frames, canvas.frame
    (1, 4, 3)
    """

    _esm = pathlib.Path(__file__).with_name("live.js")
    _css = pathlib.Path(__file__).with_name("live.css")

    background = traitlets.Bytes(b"").tag(sync=True)
    size = traitlets.List(traitlets.Int(), default_value=[0, 0]).tag(sync=True)
    panels = traitlets.Dict().tag(sync=True)
    runs = traitlets.List(traitlets.Dict()).tag(sync=True)
    data = traitlets.Bytes(b"").tag(sync=True)
    ghost_runs = traitlets.List(traitlets.Dict()).tag(sync=True)
    ghost = traitlets.Bytes(b"").tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    n_frames = traitlets.Int(1).tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)
    fps = traitlets.Float(30.0).tag(sync=True)
    frame_step = traitlets.Int(1).tag(sync=True)
    start = traitlets.List(traitlets.Float(), default_value=[]).tag(sync=True)
    draggable = traitlets.Bool(False).tag(sync=True)
    overlays = traitlets.List(traitlets.Dict()).tag(sync=True)
    revealed = traitlets.Bool(False).tag(sync=True)
    cells = traitlets.Dict().tag(sync=True)
    cell_rgba = traitlets.Bytes(b"").tag(sync=True)
    clickable = traitlets.List(traitlets.Unicode()).tag(sync=True)
    clicked = traitlets.Dict().tag(sync=True)
    present = traitlets.Bool(False).tag(sync=True)
    seq = traitlets.Int(0).tag(sync=True)
    #: With new runs: keep the runs shown until now as the faded ghost (the browser has
    #: them; nothing is sent again). ``ghost``/``ghost_runs``, when given, take precedence.
    ghost_previous = traitlets.Bool(False).tag(sync=True)
    #: Sliders whose values the canvas sends itself: name -> the slider's model id. In the
    #: browser it listens to their values and sends each new one at once as a message
    #: ``{"type": "fast", "values": {name: value}}``, one in flight until the kernel answers
    #: ``{"type": "raced"}`` (see :meth:`answer`).
    fast_sources = traitlets.Dict().tag(sync=True)

    def _changed(self) -> None:
        self.seq = self.seq + 1

    def show_background(self, still: Background) -> None:
        """Show a new background (:func:`rmsprop_viz.render.live.background`)."""
        with self.hold_sync():
            self.background = still.png
            self.size = [int(still.size[0]), int(still.size[1])]
            self.panels = still.panels
            self._changed()

    def show_race(
        self,
        runs: Sequence[dict[str, Any]],
        data: bytes,
        *,
        ghost: tuple[Sequence[dict[str, Any]], bytes] | None = None,
        frame: int | None = None,
        ghost_previous: bool = False,
    ) -> None:
        """Show new runs (:func:`rmsprop_viz.render.live.race_payload`) at ``frame`` (default:
        the last), with the previous race's ``ghost`` (:func:`~rmsprop_viz.render.live.ghost_payload`),
        or with ``ghost_previous`` the runs shown until now as the ghost, or none."""
        n_frames = max((int(run["n_steps"]) for run in runs), default=0) + 1
        with self.hold_sync():
            self.runs = [dict(run) for run in runs]
            self.data = bytes(data)
            self.ghost_runs = [dict(g) for g in ghost[0]] if ghost is not None else []
            self.ghost = bytes(ghost[1]) if ghost is not None else b""
            self.ghost_previous = bool(ghost_previous) and ghost is None
            self.n_frames = n_frames
            self.frame = n_frames - 1 if frame is None else min(max(int(frame), 0), n_frames - 1)
            self._changed()

    def set_visible(self, key: str, visible: bool) -> None:
        """Show or hide the run named ``key``."""
        runs = [{**run, "visible": bool(visible)} if run.get("key") == key else run for run in self.runs]
        with self.hold_sync():
            self.runs = runs
            self._changed()

    def set_frame(self, frame: int) -> None:
        """Show step ``frame`` (0 is the start), in [0, n_frames - 1]."""
        self.frame = check_int("frame", frame, low=0, high=max(self.n_frames - 1, 0))

    def play(self, *, fps: float | None = None, frame_step: int | None = None) -> None:
        """Start Play in the browser, at ``fps`` frames per second (1 to 120), advancing
        ``frame_step`` steps per frame (1 to 10000)."""
        with self.hold_sync():
            if fps is not None:
                self.fps = float(check_number("fps", fps, low=1.0, high=120.0, allow_array=False))
            if frame_step is not None:
                self.frame_step = check_int("frame_step", frame_step, low=1, high=10_000)
            self.playing = True

    def pause(self) -> None:
        """Stop Play; the browser writes back the frame it stopped at."""
        self.playing = False

    def set_start(self, start: Sequence[float], *, draggable: bool | None = None) -> None:
        """Show the start mark at ``start`` (x, y); with ``draggable`` the browser lets it be
        dragged on the surface and writes the new point back to ``start``."""
        x, y = check_point("start", start)
        with self.hold_sync():
            self.start = [x, y]
            if draggable is not None:
                self.draggable = bool(draggable)

    def set_overlays(self, overlays: Sequence[dict[str, Any]], *, revealed: bool | None = None) -> None:
        """Draw ``overlays`` (arrows, rectangles, marks) over the panels; hidden arrows show
        once ``revealed``."""
        with self.hold_sync():
            self.overlays = [dict(o) for o in overlays]
            if revealed is not None:
                self.revealed = bool(revealed)
            self._changed()

    def reveal(self, revealed: bool = True) -> None:
        """Show (or hide again) the overlays marked hidden."""
        with self.hold_sync():
            self.revealed = bool(revealed)
            self._changed()

    def show_cells(self, cells: dict[str, Any], rgba: bytes, *, clickable: Sequence[str] | None = None) -> None:
        """Colour the cells of a map panel: ``cells`` = {"panel", "nx", "ny", "x_edges",
        "y_edges"} and ``rgba`` ny * nx * 4 bytes, row 0 the first y row."""
        nx, ny = int(cells["nx"]), int(cells["ny"])
        if len(rgba) != nx * ny * 4:
            raise ValueError(f"rgba must hold ny * nx * 4 = {nx * ny * 4} bytes, got {len(rgba)}")
        with self.hold_sync():
            self.cells = dict(cells)
            self.cell_rgba = bytes(rgba)
            if clickable is not None:
                self.clickable = [str(name) for name in clickable]
            self._changed()

    def answer(self) -> None:
        """Tell the browser that its last fast slider message has been answered (its race
        sent), so that it sends the next."""
        self.send({"type": "raced"})

    def set_present(self, present: bool) -> None:
        """Presentation mode: the canvas fills the width."""
        self.present = bool(present)
