"""Still images: a race's last frame (:class:`PngWriter`) and any figure (:func:`save_figure`).

Both draw with ``savefig``, the whole figure at its own size, and write through
:class:`~rmsprop_viz.core.staging.Staging`: the file appears only complete.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

import matplotlib
from matplotlib.figure import Figure

from rmsprop_viz.core.staging import Staging, naming
from rmsprop_viz.export.checks import (
    ExportError,
    ExportTypeError,
    check_dpi,
    check_flag,
    check_path,
    check_pixels,
    check_target_of,
    file_errors,
    recipe_text,
)
from rmsprop_viz.export.job import RGBA, Job
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.frames import add_counter, animated_artists
from rmsprop_viz.render.public import Changed, show

__all__ = ["FIGURE_SUFFIXES", "PngWriter", "save_figure", "write_figure"]

#: The still formats :func:`save_figure` writes, by suffix.
FIGURE_SUFFIXES: dict[str, str] = {".png": "PNG image", ".svg": "SVG drawing", ".pdf": "PDF document"}


def write_figure(fig: Figure, dest: Path, fmt: str, dpi: float | None) -> None:
    """``fig`` drawn into ``dest`` as ``fmt`` at ``dpi`` (None: the figure's own): the whole
    figure at its own size, whatever ``savefig.bbox`` says in the user's rcParams."""
    with matplotlib.rc_context({"savefig.bbox": "standard"}):
        fig.savefig(dest, format=fmt, dpi="figure" if dpi is None else dpi)


class PngWriter:
    """The last frame of the race as a PNG, drawn whole by :meth:`setup`."""

    description: ClassVar[str] = "image of the last frame"
    ffmpeg: ClassVar[Literal["needs", "uses", ""]] = ""
    keeps_frames: ClassVar[bool] = False
    draws_frames: ClassVar[bool] = False

    def setup(self, job: Job) -> None:
        figure = job.figure
        counter = add_counter(figure)
        show(figure, counter, figure.n_steps)
        moving = animated_artists(figure, counter)
        flags = [a.get_animated() for a in moving]
        try:
            for artist in moving:
                artist.set_animated(False)  # blitting (see animate) leaves them out of a normal draw
            write_figure(figure.fig, job.dest, "png", job.dpi)
        finally:
            for artist, flag in zip(moving, flags):
                artist.set_animated(flag)

    def frame(self, pixels: RGBA, changed: Changed) -> None:
        raise NotImplementedError("a PNG is the last frame only, drawn by setup")

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        pass


def save_figure(
    figure: Figure | RaceFigure,
    path: str | os.PathLike[str],
    *,
    dpi: float | None = None,
    overwrite: bool = False,
    recipe: Mapping[str, Any] | str | None = None,
    staging: Staging | None = None,
) -> Path:
    """Write ``figure`` (a matplotlib Figure, or a RaceFigure at its current step) to
    ``path`` as PNG, SVG or PDF, by its suffix.

    Parameters
    ----------
    figure : Figure or RaceFigure
        What to draw: the whole figure at its own size.
    path : str or path-like
        Ends in ``.png``, ``.svg`` or ``.pdf``; the directory must exist.
    dpi : float, optional
        Pixels per inch, in :data:`~rmsprop_viz.export.checks.DPI_RANGE`; default: the
        figure's own.
    overwrite : bool
        Replace an existing file (and recipe); otherwise an existing one is an error.
    recipe : mapping or str, optional
        Settings that made the figure, written as JSON beside it with the same stem (a str
        is written as it is).
    staging : Staging, optional
        Write into this staging (the caller commits it, with its other files); default: a
        staging of its own, committed at once.

    Returns
    -------
    pathlib.Path
        The file written (with ``staging``: the file it will be once committed).

    Raises
    ------
    ExportError
        One line: a bad suffix or dpi, an existing file without ``overwrite``, a missing
        or unwritable directory. Nothing is written then.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1), dpi=50)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = save_figure(fig, pathlib.Path(folder) / "plot.svg")
    ...     print(out.name, out.read_text().startswith("<?xml"))
    plot.svg True
    """
    fig = figure.fig if isinstance(figure, RaceFigure) else figure
    if not isinstance(fig, Figure):
        raise ExportTypeError(f"figure must be a matplotlib Figure or a RaceFigure, got {type(figure).__name__}")
    target = check_path(path, FIGURE_SUFFIXES)
    fmt = target.suffix.lower()
    if fmt not in FIGURE_SUFFIXES:
        known = ", ".join(FIGURE_SUFFIXES)
        raise ExportError(f"cannot save {target.name!r}: the file name must end in one of {known}")
    resolution = check_dpi(dpi)
    check_pixels(fig, resolution)
    replace = check_flag("overwrite", overwrite)
    text = recipe if isinstance(recipe, str) or recipe is None else recipe_text(recipe)
    recipe_target = target.with_suffix(".json")
    check_target_of(target, replace)
    if text is not None:
        check_target_of(recipe_target, replace, text)

    def write(into: Staging) -> None:
        with file_errors():
            dest = into.output(target)
            if text is not None:
                into.write_text(recipe_target, text, what="recipe")
        with naming(target):
            write_figure(fig, dest, fmt[1:], resolution)

    if staging is not None:
        write(staging)
        return target
    with Staging(overwrite=replace) as own:
        write(own)
        with file_errors():
            own.commit()
    return target
