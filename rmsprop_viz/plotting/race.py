"""The race figure: the surface with every path, the loss curves and the per-coordinate step
sizes, all showing the same step, which :meth:`RaceFigure.show_frame` changes by setting
the data of existing artists only."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib import transforms as mtransforms
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text

from rmsprop_viz.core.checks import check_number
from rmsprop_viz.core.surfaces import Surface
from rmsprop_viz.engine.run import Trajectory
from rmsprop_viz.plotting.curves import (
    STEP_TICKS,
    CurveArtists,
    draw_losses,
    draw_step_panels,
    loss_gap,
    set_log_limits,
    set_step_limits,
    step_sizes,
)
from rmsprop_viz.plotting.paths import PathArtists, draw_paths, update_paths
from rmsprop_viz.plotting.style import (
    FONT,
    LINE_WIDTH,
    PRESENT,
    START,
    TITLE_Y,
    enlarge,
    legend_handle,
    set_title,
    wrap_to_width,
)
from rmsprop_viz.plotting.surface import draw_surface, surface_floor, surface_grid
from rmsprop_viz.plotting.three_d import Path3DArtists, draw_paths_3d, draw_surface_3d, start_3d, update_paths_3d

__all__ = [
    "FIGURE_DPI_RANGE",
    "LEGEND_DROP",
    "MAX_FIGURE_INCHES",
    "MAX_FIGURE_PIXELS",
    "RaceFigure",
]

#: Pixels of a new RaceFigure, at most: 4096 x 4096.
MAX_FIGURE_PIXELS = 4096 * 4096
#: Dots per inch of a new RaceFigure: (lowest, highest).
FIGURE_DPI_RANGE = (10.0, 1000.0)
#: Width or height of a new RaceFigure in inches, at most.
MAX_FIGURE_INCHES = 100.0


def _check_figure_size(figsize: Any, dpi: Any) -> tuple[tuple[float, float], float]:
    """``figsize`` and ``dpi`` of a new figure, checked: sides in (0, :data:`MAX_FIGURE_INCHES`]
    inches, ``dpi`` in :data:`FIGURE_DPI_RANGE`, and at most :data:`MAX_FIGURE_PIXELS` pixels."""
    low, high = FIGURE_DPI_RANGE
    resolution = 100.0 if dpi is None else float(check_number("dpi", dpi, low=low, high=high, allow_array=False))
    try:
        width, height = (float(v) for v in figsize)
    except (TypeError, ValueError):
        raise ValueError(f"figsize must be (width, height) in inches, got {figsize!r:.60}") from None
    if not (0 < width <= MAX_FIGURE_INCHES and 0 < height <= MAX_FIGURE_INCHES):
        raise ValueError(f"figsize must be two numbers in (0, {MAX_FIGURE_INCHES:g}] inches, got {figsize!r:.60}")
    pixels = width * resolution * height * resolution
    if pixels > MAX_FIGURE_PIXELS:
        raise ValueError(
            f"figsize {width:g} x {height:g} inches at dpi {resolution:g} makes {width * resolution:.0f} x "
            f"{height * resolution:.0f} pixels; at most MAX_FIGURE_PIXELS = {MAX_FIGURE_PIXELS} (4096 x 4096): "
            "lower figsize or dpi"
        )
    return (width, height), resolution


#: How far below a 2-D window the legend's top sits, in points: under the x label's row,
#: which leaves room there for a step counter (see rmsprop_viz.render.frames).
LEGEND_DROP = 46


class RaceFigure:
    """A race on one figure: the surface with every path, the loss curves and the
    per-coordinate step sizes, all showing the same step.

    Parameters
    ----------
    surface : Surface
        The surface the trajectories ran on.
    trajectories : mapping or sequence of Trajectory
        The race, e.g. the result of :func:`rmsprop_viz.race`.
    labels : sequence of str, optional
        Legend entries (default: each trajectory's label). Put the hyperparameters here.
    run : int
        Which run of each (batched) trajectory to show.
    panels : bool
        Add the loss panel and, under it, the two step-size panels (``|Δx|`` and ``|Δy|``
        per step) beside the surface. :attr:`panel_axes` names every panel's Axes.
    three_d : bool
        Draw the surface in 3-D, the paths riding on it.
    figsize, dpi : optional
        Size of a new figure; 12.8 x 7.2 inches at 100 dpi by default (1280 x 720). ``dpi``
        in :data:`FIGURE_DPI_RANGE` (10 to 1000), sides up to :data:`MAX_FIGURE_INCHES`
        inches, at most :data:`MAX_FIGURE_PIXELS` pixels (4096 x 4096).
    figure : Figure, optional
        Draw into this figure (e.g. an interactive one) instead of a new one.
    title : str, optional
        Figure title (default: the surface and its formula).
    legend : bool
        Add the legend: each run's line with its marker, the minimum's star and the start's
        circle.
    present : bool
        For a projector: fonts :data:`~rmsprop_viz.plotting.style.PRESENT` times larger
        (1.4), lines 1.5 times thicker, markers 1.4 times larger.
    caption : str, optional
        A sentence or two across the top of the figure, over the panels' titles (a scene's
        caption: what to notice), wrapped to the figure's width at the label size, on as
        many lines as it takes (the layout makes room).

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> race = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1), "RMSProp": rv.rmsprop(0.05)}, n_steps=50)
    >>> fig = RaceFigure(rv.Quadratic(), race)
    >>> _ = fig.show_frame(10)
    >>> fig.paths[0].line.get_xdata().shape
    (11,)
    """

    def __init__(
        self,
        surface: Surface,
        trajectories: Mapping[str, Trajectory] | Sequence[Trajectory],
        *,
        labels: Sequence[str] | None = None,
        run: int = 0,
        panels: bool = True,
        three_d: bool = False,
        figsize: tuple[float, float] | None = None,
        dpi: float | None = None,
        figure: Figure | None = None,
        title: str | None = None,
        legend: bool = True,
        present: bool = False,
        caption: str | None = None,
    ) -> None:
        trajs = list(trajectories.values()) if isinstance(trajectories, Mapping) else list(trajectories)
        if not trajs:
            raise ValueError("trajectories must hold at least one Trajectory")
        if not all(isinstance(t, Trajectory) for t in trajs):
            raise ValueError("trajectories must be Trajectory objects, e.g. the result of rv.race(...)")
        if not 0 <= run < min(t.runs for t in trajs):
            raise ValueError(f"run must be in [0, {min(t.runs for t in trajs) - 1}], got {run}")
        self.surface = surface
        self.trajectories = trajs
        self.run = run
        self.labels = list(labels) if labels is not None else [t.label for t in trajs]
        if len(self.labels) != len(trajs):
            raise ValueError(f"labels must have one entry per trajectory ({len(trajs)}), got {len(self.labels)}")
        self.n_steps = max(t.n_steps for t in trajs)
        if figure is None:
            default = (12.8, 7.2) if panels else (7.2, 6.4)
            size, resolution = _check_figure_size(default if figsize is None else figsize, dpi)
            figure = Figure(figsize=size, dpi=resolution, layout="constrained")
            FigureCanvasAgg(figure)
        self.fig = figure
        self.three_d = three_d
        self.present = bool(present)
        #: How much larger than :data:`~rmsprop_viz.plotting.style.FONT` the texts are.
        self.font_scale = PRESENT["font"] if self.present else 1.0

        if panels:
            # The surface on the left; on the right the loss over the two step-size panels.
            grid = figure.add_gridspec(3, 2, width_ratios=(1.35, 1.0), height_ratios=(1.6, 1.0, 1.0))
            main_spec, loss_spec, step_x_spec, step_y_spec = grid[:, 0], grid[0, 1], grid[1, 1], grid[2, 1]
        else:
            grid = figure.add_gridspec(1, 1)
            main_spec = grid[0, 0]
        self.paths: list[PathArtists] = []
        self.paths_3d: list[Path3DArtists] = []
        if three_d:
            self.ax = figure.add_subplot(main_spec, projection="3d")
            # The 3-D box shrinks to its aspect inside the place the layout gives it: keep it
            # at the top of that place, where the layout left room for the title.
            self.ax.set_anchor("N")
            self.surface_artists: Any = draw_surface_3d(self.ax, surface, title=title is None)
            self._height = self.surface_artists[1]
            self._zmax = self.ax.get_zlim()[1]
            self.paths_3d = draw_paths_3d(self.ax, trajs, self._height, labels=self.labels, run=run, zmax=self._zmax)
        else:
            self.ax = figure.add_subplot(main_spec)
            self.surface_artists = draw_surface(self.ax, surface, title=title is None)
            self.paths = draw_paths(self.ax, trajs, labels=self.labels, run=run)
        if title is not None:
            set_title(self.ax, title, **({"pad": 2} if three_d else {"y": TITLE_Y}))
        # Faded copies of the previous race's paths (see set_trajectories(ghost=True)).
        self.ghosts: list[Line2D] = []
        for p in self.paths:
            (ghost,) = self.ax.plot(
                [],
                [],
                color=p.line.get_color(),
                linestyle=p.line.get_linestyle(),
                linewidth=LINE_WIDTH - 0.8,
                alpha=0.3,
                zorder=2,
            )
            self.ghosts.append(ghost)
        self._legend = legend
        self._figure_legend: Legend | None = None
        self.visible = [True] * len(trajs)
        self._update_legend()

        self.losses: CurveArtists | None = None
        self.steps: CurveArtists | None = None
        self.ax_loss: Axes | None = None
        self.ax_step_x: Axes | None = None
        self.ax_step_y: Axes | None = None
        #: The panels by name: "surface", and with ``panels`` "loss", "step_x", "step_y".
        self.panel_axes: dict[str, Axes] = {"surface": self.ax}
        self.floor = surface_floor(surface, surface_grid(surface, 60)[2])
        if panels:
            self.ax_loss = figure.add_subplot(loss_spec)
            self.losses = draw_losses(self.ax_loss, trajs, self.floor, run=run)
            self.ax_step_x = figure.add_subplot(step_x_spec)
            self.ax_step_y = figure.add_subplot(step_y_spec)
            self.steps = draw_step_panels(self.ax_step_x, self.ax_step_y, trajs, run=run)
            self.panel_axes.update(loss=self.ax_loss, step_x=self.ax_step_x, step_y=self.ax_step_y)
            # The three panels share their steps: the bottom one names them.
            self.ax_loss.tick_params(labelbottom=False)
            self.ax_loss.set_xlabel("")
        if self.present:
            enlarge(figure)
            self._update_legend()  # made again at its own size, from the enlarged lines
        self.caption: Text | None = None
        self.set_caption(caption)
        self.show_frame(self.n_steps)

    def set_caption(self, caption: str | None) -> None:
        """Put ``caption`` across the top of the figure, over the panels' titles, wrapped to
        the figure's width at the label size (as many lines as it takes: the layout makes
        room); None or "" takes it away."""
        if self.caption is not None:
            self.caption.set_text("")
            self.caption.set_visible(False)
            self.caption = None
        if caption:
            size = FONT["label"] * self.font_scale
            text = wrap_to_width(str(caption), size, self.fig.bbox.width * 0.96, self.fig)
            self.caption = self.fig.suptitle(text, fontsize=size, fontstyle="italic", color="#222222")
            self.caption.set_visible(True)

    @property
    def ax_steps(self) -> Axes | None:
        """The ``|Δx|`` panel (read-only; the step sizes are in two panels now:
        :attr:`ax_step_x` and :attr:`ax_step_y`)."""
        return self.ax_step_x

    @property
    def moving(self) -> list[Artist]:
        """Every artist that :meth:`show_frame` changes."""
        moving: list[Artist] = []
        for p in self.paths:
            moving += p.moving
        for path in self.paths_3d:
            moving += path.moving
        for curves in (self.losses, self.steps):
            if curves is not None:
                moving += curves.moving
        return moving

    def show_frame(self, step: int) -> list[Artist]:
        """Show every panel at ``step`` (0 is the start); returns the artists changed."""
        step = int(min(max(step, 0), self.n_steps))
        self.current = step
        if self.three_d:
            update_paths_3d(
                self.paths_3d,
                self.trajectories,
                self._height,
                step,
                bounds=self.surface.bounds,
                run=self.run,
                zmax=self._zmax,
            )
        else:
            update_paths(self.paths, self.trajectories, step, run=self.run)
        if self.losses is not None:
            self.losses.show(step)
        if self.steps is not None:
            self.steps.show(max(step - 1, 0) if step else 0)
            if step == 0:
                for line in self.steps.lines:
                    line.set_data([], [])
        return self.moving

    @property
    def legend(self) -> Legend | None:
        """The legend: under the surface's window in 2-D, across the figure's foot in 3-D and
        in presentation mode."""
        return self._figure_legend if self.three_d or self.present else self.ax.get_legend()

    def _update_legend(self) -> None:
        if not self._legend:
            return
        scale = self.font_scale
        marks: list[tuple[Line2D, str]] = []
        if not self.three_d and self.surface_artists.minima:
            marks.append((self.surface_artists.minima, "minimum"))
        if self.paths or self.paths_3d:
            start = {**START, "markersize": START["markersize"] * scale, "markeredgecolor": "#333333"}
            marks.append((Line2D([], [], **start), "start"))
        path_arts: list[Any] = list(self.paths) if self.paths else list(self.paths_3d)
        handles = [legend_handle(p.line, p.head.get_marker(), p.head.get_markersize()) for p in path_arts]
        shown = [(handle, label) for handle, label, on in zip(handles, self.labels, self.visible) if on]
        # Below the surface, outside it: the paths stay in view. Long labels (with their
        # hyperparameters) get a column of their own on a narrow figure.
        texts = [*(text for _, text in marks), *(label for _, label in shown)]
        narrow = max(map(len, texts), default=0) * FONT["legend"] * scale * 1.1 > self.fig.get_figwidth() * 72 * 0.55
        style: dict[str, Any] = {
            "ncol": 1 if narrow else 2,
            "fontsize": (FONT["legend"] - (2 if narrow else 0)) * scale,
            "frameon": False,
        }
        handles = [*(mark for mark, _ in marks)]
        artists = [*handles, *(handle for handle, _ in shown)]
        if self.present or self.three_d:
            # Across the figure's foot, in as few rows as fit its width: under the surface
            # alone, large fonts would take a column of rows, squeezing every panel; and the
            # 3-D box shrinks to its aspect inside the place the layout gives it, so that a
            # legend hung from the box would cover its tick labels or fall below the figure.
            if self._figure_legend is not None:
                self._figure_legend.remove()
            style["loc"] = "outside lower center" if self.present else "outside lower left"
            renderer = self.fig.canvas.get_renderer()  # type: ignore[attr-defined]
            for ncol in range(len(texts), 0, -1):
                style["ncol"] = ncol
                self._figure_legend = self.fig.legend(artists, texts, **style)
                if ncol == 1 or self._figure_legend.get_window_extent(renderer).width <= self.fig.bbox.width:
                    return
                self._figure_legend.remove()
            return
        self.ax.legend(
            artists,
            texts,
            loc="upper center",
            # Its top a fixed distance below the window (leaving a row for a step counter):
            # in points, so the layout engine finds it where it left it.
            bbox_to_anchor=(0.5, 0.0),
            bbox_transform=self.ax.transAxes
            + mtransforms.ScaledTranslation(0, -LEGEND_DROP * scale / 72, self.fig.dpi_scale_trans),
            **style,
        )

    def set_visible(self, index: int, visible: bool, *, legend: bool = True) -> None:
        """Show or hide every artist of the ``index``-th optimizer, and (with ``legend``)
        its legend entry."""
        self.visible[index] = bool(visible)
        artists: list[Artist] = []
        if self.paths:
            artists += [*self.paths[index].moving, self.paths[index].start, self.ghosts[index]]
        if self.paths_3d:
            artists += [*self.paths_3d[index].moving, self.paths_3d[index].start]
        for curves, per in ((self.losses, 1), (self.steps, 2)):
            if curves is not None:
                artists += curves.lines[index * per : (index + 1) * per]
                artists += [h for h in curves.heads[index * per : (index + 1) * per] if h is not None]
        for artist in artists:
            artist.set_visible(visible)
        if (self.paths or self.paths_3d) and visible:
            self.show_frame(self.current)  # the divergence note knows whether it should show
        if legend:
            self._update_legend()

    def show_only(self, visible: Sequence[bool]) -> bool:
        """Show exactly the optimizers whose ``visible`` is true (one flag per optimizer),
        changing only the ones that differ and laying the legend out once, after the last;
        True when any changed."""
        changed = [i for i, on in enumerate(visible) if self.visible[i] != bool(on)]
        for i in changed:
            self.set_visible(i, bool(visible[i]), legend=i == changed[-1])
        return bool(changed)

    def set_trajectories(
        self,
        trajectories: Mapping[str, Trajectory] | Sequence[Trajectory],
        *,
        labels: Sequence[str] | None = None,
        ghost: bool = False,
        step: int | None = None,
        rescale: bool = True,
    ) -> None:
        """Show a new race of as many optimizers, changing only the artists' data.

        With ``ghost=True`` the paths shown so far stay behind as faded lines, so the
        effect of a change of hyperparameters is visible. The view shows ``step`` (the
        last step by default). With ``rescale=False`` the loss and step panels keep
        their ranges (so their tick labels, and any cached background, stay valid).
        """
        trajs = list(trajectories.values()) if isinstance(trajectories, Mapping) else list(trajectories)
        if len(trajs) != len(self.trajectories):
            raise ValueError(f"expected {len(self.trajectories)} trajectories, got {len(trajs)}")
        if ghost:
            for line, old in zip(self.ghosts, self.trajectories):
                line.set_data(old.params[:, self.run, 0], old.params[:, self.run, 1])
        else:
            for line in self.ghosts:
                line.set_data([], [])
        self.trajectories = trajs
        if labels is not None:
            self.labels = list(labels)
        self.n_steps = max(t.n_steps for t in trajs)
        for art, traj in zip(self.paths, trajs):
            art.start.set_data([traj.params[0, self.run, 0]], [traj.params[0, self.run, 1]])
        for art3, traj in zip(self.paths_3d, trajs):
            art3.start.set_data_3d(*start_3d(traj, self._height, self.surface.bounds, run=self.run, zmax=self._zmax))
        if self.losses is not None and self.ax_loss is not None:
            self.losses.data = [
                (np.arange(t.n_steps + 1, dtype=np.float64), loss_gap(t, self.floor, self.run)) for t in trajs
            ]
            if rescale:
                set_step_limits(self.ax_loss, self.n_steps)
                set_log_limits(self.ax_loss, [gap for _, gap in self.losses.data])
        if self.steps is not None and self.ax_step_x is not None and self.ax_step_y is not None:
            # per trajectory, its |Δx| then its |Δy| (see draw_step_panels)
            self.steps.data = [step_sizes(t, coord, self.run) for t in trajs for coord in (0, 1)]
            if rescale:
                for ax in (self.ax_step_x, self.ax_step_y):
                    set_step_limits(ax, self.n_steps)
                    set_log_limits(ax, [d for _, d in self.steps.data], STEP_TICKS)
        if labels is not None:
            self._update_legend()
        self.show_frame(self.n_steps if step is None else step)

    def _repr_png_(self) -> bytes:
        """Notebooks show a RaceFigure as its picture."""
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png")
        return buffer.getvalue()
