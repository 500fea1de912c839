"""Where the explorer's figure is shown: the live canvas drawn by the browser, an ipympl
canvas, or a PNG in an image widget.

``"live"`` (the default wherever anywidget is installed) shows a
:class:`~rmsprop_viz.apps.explorer.live.LiveCanvas`: matplotlib draws the still picture of
the race figure once per surface (:func:`rmsprop_viz.render.live.background`) and the
browser draws the runs over it from their arrays (:func:`rmsprop_viz.render.live.race_payload`),
so that Play, scrubbing and the start's drag need no kernel work per frame.
:class:`LiveView` keeps that canvas in step with the race figure.

``"ipympl"`` and ``"image"`` are the figures drawn in the kernel: :func:`make_canvas`
attaches a matplotlib ``Figure`` to the chosen backend and returns the widget to lay out;
:func:`show` sends the pixels the figure's canvas holds now. :class:`RaceView` keeps the
race figure in its canvas: laid out once per surface, then only its artists change, and
both backends are fed by the same frame renderer, which draws only what moved.
"""

from __future__ import annotations

import io
import math
import sys
import warnings
from collections.abc import Callable
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from rmsprop_viz.core.surfaces import Surface
from rmsprop_viz.engine.run import Trajectory
from rmsprop_viz.engine.trajectory import gap_scale
from rmsprop_viz.plotting import RaceFigure, set_step_limits, surface_grid
from rmsprop_viz.render.frames import FrameRenderer

__all__ = [
    "BACKENDS",
    "LiveView",
    "RaceView",
    "check_drawable",
    "choose_backend",
    "fix_limits",
    "ipympl_usable",
    "live_usable",
    "make_canvas",
    "show",
]

#: The canvas backends :func:`explore` takes.
BACKENDS = ("auto", "live", "ipympl", "image")


def live_usable() -> bool:
    """True where the live canvas can be made (anywidget is installed)."""
    try:
        import anywidget  # noqa: F401
    except ImportError:
        return False
    return True


def ipympl_usable() -> bool:
    """True inside a Jupyter kernel where ipympl can be imported (and not on Colab, where
    its custom widget needs a manager that often fails)."""
    if "google.colab" in sys.modules:
        return False
    try:
        import ipympl  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def choose_backend(backend: str) -> str:
    """``"live"``, ``"ipympl"`` or ``"image"`` for ``backend`` (one of :data:`BACKENDS`):
    ``"auto"`` is the live canvas where anywidget is installed, else the image.

    >>> choose_backend("image")
    'image'
    >>> choose_backend("qt")
    Traceback (most recent call last):
    ...
    ValueError: backend must be 'auto', 'live', 'ipympl' or 'image', got 'qt'
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be 'auto', 'live', 'ipympl' or 'image', got {backend!r}")
    if backend == "auto":
        return "live" if live_usable() else "image"
    if backend == "live" and not live_usable():
        raise ValueError("backend 'live' needs anywidget: pip install anywidget (or use backend='image')")
    return backend


def make_canvas(figure: Figure, backend: str, on_click: Callable[[Any], None]) -> W.Widget:
    """Attach ``figure`` to a canvas of ``backend`` and return the widget that shows it.

    ``"ipympl"``: the live canvas itself, without header, footer or toolbar, calling
    ``on_click`` for each mouse press; ``"image"``: an empty PNG image widget (the figure
    is drawn off screen by Agg; :func:`show` fills the image).
    """
    if backend == "ipympl":
        from ipympl.backend_nbagg import Canvas, FigureManager

        canvas = Canvas(figure)
        with warnings.catch_warnings():
            # ipympl's toolbar passes its canvas on to traitlets, which warns about it.
            warnings.filterwarnings("ignore", "Passing unrecognized arguments", DeprecationWarning)
            FigureManager(canvas, 0)
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.toolbar_visible = False
        canvas.resizable = False
        canvas.mpl_connect("button_press_event", on_click)
        return canvas
    FigureCanvasAgg(figure)
    return W.Image(format="png")


def show(figure: Figure, backend: str, widget: W.Widget) -> None:
    """Send what ``figure``'s canvas holds now to the front end."""
    canvas = figure.canvas
    if backend == "ipympl":
        # Send the new pixels once a browser is connected; until then it asks for a
        # full draw when it shows the canvas.
        if not getattr(canvas, "syncing_data_url", False):
            canvas.blit(figure.bbox)
        return
    rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[attr-defined]
    with io.BytesIO() as png:
        Image.fromarray(rgba[..., :3]).save(png, format="png", compress_level=1)
        widget.value = png.getvalue()


def check_drawable(surface: Surface) -> None:
    """Raise ValueError when ``surface`` gives no finite value to draw in its window."""
    (x0, x1), (y0, y1) = surface.bounds
    if not all(math.isfinite(v) for v in (x0, x1, y0, y1)) or not (x0 < x1 and y0 < y1):
        raise ValueError(f"its window {surface.bounds} is not a finite box")
    z = surface_grid(surface, 40)[2]
    if not np.isfinite(z).any():
        raise ValueError("its values are not finite anywhere in the window")


def fix_limits(race: RaceFigure, surface: Surface, runs: list[Trajectory], n_steps: int) -> None:
    """Fixed, generous ranges for the loss and step panels, so that a slider move changes
    no tick label (and so no still pixel: the background stays valid)."""
    start_gap = max(gap_scale([t.values[0, 0] for t in runs], race.floor), 1e-6)
    if race.ax_loss is not None:
        set_step_limits(race.ax_loss, n_steps)
        race.ax_loss.set_ylim(1e-14, start_gap * 1e3)
    (x0, x1), (y0, y1) = surface.bounds
    for name in ("step_x", "step_y"):
        ax = race.panel_axes.get(name)
        if ax is not None:
            set_step_limits(ax, n_steps)
            ax.set_ylim(1e-8, max(x1 - x0, y1 - y0))


class RaceView:
    """The race figure in its canvas: drawn once per surface, then changed by setting the
    data of its artists.

    ``figure`` is the :class:`~rmsprop_viz.plotting.RaceFigure` shown (``None`` until
    :meth:`draw`), ``widget`` the widget to lay out.
    """

    def __init__(self, fig: Figure, backend: str, on_click: Callable[[Any], None]) -> None:
        self.fig = fig
        self.backend = backend
        self.widget = make_canvas(fig, backend, on_click)
        self.figure: RaceFigure | None = None
        self.renderer: FrameRenderer | None = None

    def draw(
        self, surface: Surface, runs: list[Trajectory], names: list[str], visible: list[bool], *, n_steps: int
    ) -> RaceFigure:
        """Lay the race figure out for ``surface`` (the contours are drawn here, once),
        showing the runs whose ``visible`` is true, and return it."""
        if self.figure is not None:
            self.fig.clear()
            self.fig.set_layout_engine("constrained")
        # The figure's legend names the optimizers (static pixels); the hyperparameters,
        # which change with every slider move, are in the HTML legend above it.
        race = RaceFigure(surface, runs, labels=names, figure=self.fig)
        self.figure = race
        # Agg's own draw: lays the figure out without sending a picture to a front end
        # that may not exist yet (ipympl would keep it as an unusable data URL).
        FigureCanvasAgg.draw(self.fig.canvas)  # type: ignore[no-untyped-call, arg-type]
        self.fig.set_layout_engine("none")  # solved once; re-solving on every draw costs ~36 ms
        fix_limits(race, surface, runs, n_steps)
        race.show_only(visible)
        race.set_trajectories(runs, rescale=False)
        self.renderer = FrameRenderer(race, per_race=[*race.ghosts, *(p.start for p in race.paths)])
        return race

    def _race(self) -> tuple[RaceFigure, FrameRenderer]:
        if self.figure is None or self.renderer is None:
            raise RuntimeError("the race figure is not drawn yet")
        return self.figure, self.renderer

    def set_visible(self, visible: list[bool]) -> None:
        """Show exactly the runs whose ``visible`` is true, in the paths, the curves and
        the figure's legend."""
        race, renderer = self._race()
        if race.show_only(visible):
            renderer.background = None  # the legend is part of the static picture

    def set_race(
        self,
        runs: list[Trajectory],
        *,
        ghost: bool,
        surface: Surface,
        n_steps: int,
        rescale: bool = False,
        names: list[str] | None = None,
    ) -> None:
        """Show a new race (the previous one as a ghost if ``ghost``); ``rescale`` when the
        number of steps or the start changed; ``names`` for the legend, when they changed."""
        race, renderer = self._race()
        relabel = names is not None and list(names) != race.labels
        race.set_trajectories(runs, ghost=ghost, step=n_steps, rescale=False, labels=names if relabel else None)
        if relabel:
            renderer.background = None  # the legend is part of the static picture
        if rescale:
            fix_limits(race, surface, runs, n_steps)
            renderer.background = None  # axis ranges changed: capture again
        renderer.new_race()

    def show_frame(self, step: int) -> None:
        """Show the race up to ``step`` and send the new pixels."""
        self._race()[0].show_frame(int(step))
        self.render()

    def render(self) -> None:
        """Draw what changed and send the pixels to the front end."""
        self._race()[1].render()
        show(self.fig, self.backend, self.widget)


class LiveView:
    """The race figure on a live canvas: matplotlib draws its still picture (once per
    surface, and again when the legend or the axes' ranges change); every change of the
    race sends the runs' arrays, which the browser draws, plays and scrubs by itself.

    Same verbs as :class:`RaceView`, plus :meth:`set_overlays` (step-by-step mode).
    ``keys`` name the runs on the canvas (the explorer's lanes).
    """

    backend = "live"

    def __init__(self, fig: Figure, *, present: bool = False) -> None:
        from rmsprop_viz.apps.explorer.live import LiveCanvas

        self.fig = fig
        FigureCanvasAgg(fig)  # drawn off screen: the browser shows the picture
        self.present = present
        self.widget = LiveCanvas(present=present, fps=60.0)
        self.widget.add_class("rv-race")
        self.figure: RaceFigure | None = None
        self.keys: list[str] = []

    def _race(self) -> RaceFigure:
        if self.figure is None:
            raise RuntimeError("the race figure is not drawn yet")
        return self.figure

    def draw(
        self,
        surface: Surface,
        runs: list[Trajectory],
        names: list[str],
        visible: list[bool],
        *,
        n_steps: int,
        keys: list[str] | None = None,
    ) -> RaceFigure:
        """Lay the race figure out for ``surface`` and send its picture and runs."""
        if self.figure is not None:
            self.fig.clear()
            self.fig.set_layout_engine("constrained")
        race = RaceFigure(surface, runs, labels=names, figure=self.fig, present=self.present)
        self.figure = race
        self.keys = list(keys) if keys is not None else list(names)
        FigureCanvasAgg.draw(self.fig.canvas)  # type: ignore[no-untyped-call, arg-type]
        self.fig.set_layout_engine("none")  # solved once: the panels' pixel boxes stay put
        fix_limits(race, surface, runs, n_steps)
        race.show_only(visible)
        race.set_trajectories(runs, rescale=False)
        self._send_background()
        self._send_race(ghost=False)
        return race

    def _send_background(self) -> None:
        from rmsprop_viz.render.live import background

        self.widget.show_background(background(self._race()))

    def _send_race(self, *, ghost: bool) -> None:
        from rmsprop_viz.render.live import race_payload

        race = self._race()
        runs, data = race_payload(race, self.keys)
        for run, on in zip(runs, race.visible):
            run["visible"] = bool(on)
        with self.widget.hold_sync():  # one message
            # Play runs at 60 frames per second through a race in about 5 s (300 frames).
            self.widget.frame_step = max(1, round(race.n_steps / 300))
            # The ghost is the race shown until now: the browser keeps it (38 KB less per change).
            self.widget.show_race(runs, data, frame=race.current, ghost_previous=ghost)

    def set_visible(self, visible: list[bool]) -> None:
        """Show exactly the runs whose ``visible`` is true (the legend is in the picture)."""
        race = self._race()
        if race.show_only(visible):
            self._send_background()
            self._send_race(ghost=False)

    def set_race(
        self,
        runs: list[Trajectory],
        *,
        ghost: bool,
        surface: Surface,
        n_steps: int,
        rescale: bool = False,
        names: list[str] | None = None,
    ) -> None:
        """Send a new race (the previous one as a ghost if ``ghost``); ``rescale`` when the
        number of steps or the start changed, ``names`` when the legend's names changed
        (the picture is drawn again for either)."""
        race = self._race()
        relabel = names is not None and list(names) != race.labels
        race.set_trajectories(runs, ghost=ghost, step=n_steps, rescale=False, labels=names if relabel else None)
        if rescale:
            fix_limits(race, surface, runs, n_steps)
        if rescale or relabel:
            self._send_background()
        self._send_race(ghost=ghost)

    def show_frame(self, step: int) -> None:
        """Show the race up to ``step`` (the browser draws it)."""
        race = self._race()
        race.show_frame(int(step))
        if self.widget.frame != race.current:
            self.widget.frame = race.current

    def render(self) -> None:
        """Nothing to do: the browser draws each change."""

    def set_overlays(self, overlays: list[dict[str, Any]], *, revealed: bool | None = None) -> None:
        """Draw step-by-step arrows and glyphs over the surface."""
        self.widget.set_overlays(overlays, revealed=revealed)
