"""``save`` and ``animate``: a race as a file, or as an animation in a notebook.

:func:`save` checks everything first (:mod:`~rmsprop_viz.export.checks`), picks the writer
by the suffix (:data:`~rmsprop_viz.export.writers.WRITERS`), renders the frames
(:func:`rmsprop_viz.render.fast.frames`) and hands them to the writer, all into files
staged beside their targets and renamed into place only when complete.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from tqdm.auto import tqdm

from rmsprop_viz.core import runtime
from rmsprop_viz.core.staging import Staging, naming
from rmsprop_viz.export import mp4
from rmsprop_viz.export.checks import (
    ExportError,
    check_dpi,
    check_duration,
    check_figure,
    check_flag,
    check_fps,
    check_frames,
    check_hold,
    check_path,
    check_size,
    check_target_of,
    file_errors,
    recipe_text,
)
from rmsprop_viz.export.job import Job, Writer
from rmsprop_viz.export.writers import WRITERS, writer_for
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render import fast
from rmsprop_viz.render.frames import add_counter, animated_artists, frame_steps
from rmsprop_viz.render.public import show

__all__ = ["animate", "check_save", "save", "timing"]


def animate(figure: RaceFigure, *, frames: int | None = None, fps: float = 30.0, repeat: bool = True) -> FuncAnimation:
    """A matplotlib animation of ``figure`` for notebooks and interactive windows.

    ``frames`` evenly spaced frames cover the whole run (``None``: one per step), shown
    ``fps`` times a second. The animation blits (redraws only the moving artists) where
    the canvas supports it. Keep a reference to the result while it plays.

    To write a file, use :func:`save`: it is much faster than ``FuncAnimation.save``.
    While a blitting animation is running, a plain ``savefig`` of the same figure leaves
    the moving artists out (matplotlib marks them *animated*); :func:`save` does not.

    Examples
    --------
    In a notebook (``%matplotlib inline``)::

        from IPython.display import HTML
        figure = RaceFigure(surface, race)
        HTML(animate(figure, frames=100).to_jshtml())

    (``to_jshtml`` drops frames past :rc:`animation.embed_limit`, 20 MB; ``save(figure,
    "race.html")`` never does.)
    """
    figure = check_figure(figure)
    rate = check_fps(fps)
    steps = frame_steps(figure.n_steps, check_frames(frames))
    blit = bool(getattr(figure.fig.canvas, "supports_blit", False))
    counter = add_counter(figure)

    def update(step: int) -> list[Artist]:
        show(figure, counter, step)
        return animated_artists(figure, counter)

    return FuncAnimation(
        figure.fig,
        update,
        frames=steps,
        interval=1000.0 / rate,
        repeat=bool(repeat),
        blit=blit,
        cache_frame_data=False,
    )


def check_save(
    figure: RaceFigure,
    path: str | os.PathLike[str],
    *,
    fps: float = 30.0,
    frames: int | None = 200,
    dpi: float | None = None,
    hold: float = 1.5,
    duration: float | None = None,
) -> None:
    """Refuse, before anything is drawn, an export :func:`save` would refuse for its
    settings or size (:data:`MAX_FRAMES`, :data:`MAX_PIXELS`, :data:`MAX_KEPT_BYTES`,
    :data:`HOLD_RANGE`, :data:`DURATION_RANGE`).

    Raises
    ------
    ExportError
        One line naming the setting and its limit.
    """
    _checked(figure, path, fps, frames, dpi)
    check_hold(hold)
    check_duration(duration)


def timing(n_steps: int, frames: int | None, fps: float, duration: float | None) -> tuple[list[int], float]:
    """The steps the frames show and their rate: ``frames`` evenly spaced frames
    (:func:`~rmsprop_viz.render.frames.frame_steps`) at ``fps``; with a ``duration``, as
    many of them as play in ``duration`` seconds at ``fps`` at most, at the rate that makes
    them last ``duration`` (from the first frame's start to the last's end): slower than
    ``fps`` (slow motion) when the run has fewer steps.

    >>> steps, rate = timing(1200, 200, 30.0, 4.0)  # 200 frames would take 6.7 s: 120 of them
    >>> len(steps), rate
    (120, 30.0)
    >>> steps, rate = timing(20, 200, 30.0, 4.0)  # 21 steps in 4 seconds
    >>> len(steps), rate
    (21, 5.25)
    """
    steps = frame_steps(n_steps, frames)
    if duration is None:
        return steps, fps
    if len(steps) > fps * duration:
        steps = frame_steps(n_steps, max(2, round(fps * duration)))
    return steps, len(steps) / duration


def _checked(
    figure: Any, path: Any, fps: Any, frames: Any, dpi: Any
) -> tuple[RaceFigure, Path, type[Writer], float, int | None, float | None]:
    """:func:`save`'s checks of its settings and size, before anything is drawn:
    ``(figure, target, writer class, fps, frames, dpi)`` as checked."""
    figure = check_figure(figure)
    target = check_path(path, WRITERS)
    writer = writer_for(target)
    rate = check_fps(fps)
    count = check_frames(frames)
    resolution = check_dpi(dpi)
    if writer.draws_frames:
        check_size(figure, resolution, count, target.suffix[1:].upper() if writer.keeps_frames else "")
    else:
        check_size(figure, resolution, 2)
    try:
        fast.renderer_choice()
    except ValueError as error:
        raise ExportError(str(error)) from None
    return figure, target, writer, rate, count, resolution


def save(
    figure: RaceFigure,
    path: str | os.PathLike[str],
    *,
    fps: float = 30.0,
    frames: int | None = 200,
    dpi: float | None = None,
    progress: bool = True,
    overwrite: bool = False,
    recipe: Mapping[str, Any] | None = None,
    hold: float = 1.5,
    duration: float | None = None,
    caption: str | None = None,
) -> Path:
    """Write the race in ``figure`` to ``path``; the suffix picks the format.

    Parameters
    ----------
    figure : RaceFigure
        The race to export. It is left showing the last step.
    path : str or path-like
        ``.mp4`` (needs ffmpeg), ``.gif``, ``.html`` (self-contained) or ``.png`` (the last
        frame only). The directory must exist.
    fps : float
        Frames per second (> 0). A GIF stores frame times in whole hundredths of a second
        and plays at 50 fps at most.
    frames : int or None
        Number of frames (>= 2), evenly spaced over the run; ``None``: one per step. A run
        shorter than ``frames`` gets one frame per step.
    dpi : float, optional
        Pixels per inch (> 0); the image is the figure size times this. Default: the
        figure's own (1280 x 720 pixels for a default RaceFigure).
    progress : bool
        Show a progress bar over the frames.
    overwrite : bool
        Replace an existing file (and recipe); otherwise an existing one is an error.
    recipe : mapping, optional
        Settings that made this race (surface, optimizers, steps...), written as JSON beside
        the export with the same stem: ``race.mp4`` gets ``race.json``.
    hold : float
        Seconds the last frame stays before the animation ends or starts again, in
        :data:`HOLD_RANGE` (0 to 10): time to read where each run ended. A GIF stores it
        as the last frame's time, a video as that frame repeated, a page's player as a
        pause (its slider still counts the frames drawn).
    duration : float, optional
        Seconds from the first frame to the last (the hold comes after), in
        :data:`DURATION_RANGE`: the frames play at the rate that fills it, ``fps`` at most,
        so that fewer frames are drawn when ``frames`` would not fit, and a short run plays
        in slow motion (see :func:`timing`). None: ``frames`` at ``fps``.
    caption : str, optional
        A caption for the figure (:meth:`RaceFigure.set_caption`), e.g. a scene's.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ExportError
        For an unknown suffix, a bad ``fps``, ``frames`` or ``dpi``, a missing or unwritable
        directory, an existing file without ``overwrite``, a recipe that is not JSON, or a
        missing or failing ffmpeg. Nothing is written then: a file appears only complete.

    Examples
    --------
    >>> import tempfile, pathlib, rmsprop_viz as rv
    >>> from rmsprop_viz.plotting import RaceFigure
    >>> race = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1)}, n_steps=20)
    >>> figure = RaceFigure(rv.Quadratic(), race, figsize=(6.4, 4.8), dpi=25)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = save(figure, pathlib.Path(folder) / "race.gif", frames=5, progress=False)
    ...     print(out.name, out.stat().st_size > 0)
    race.gif True
    """
    figure, target, writer_class, rate, count, resolution = _checked(figure, path, fps, frames, dpi)
    held = check_hold(hold)
    steps, rate = timing(figure.n_steps, count, rate, check_duration(duration))
    if caption is not None and not isinstance(caption, str):
        raise ExportError(f"caption must be a string or None, got {type(caption).__name__}")
    check_flag("progress", progress)
    overwriting = check_flag("overwrite", overwrite)
    text = recipe_text(recipe) if recipe is not None else None
    check_target_of(target, overwriting)
    recipe_target = target.with_suffix(".json")
    if text is not None:
        check_target_of(recipe_target, overwriting, text)
    exe = mp4.ffmpeg_path() if writer_class.ffmpeg else None
    if writer_class.ffmpeg == "needs" and exe is None and runtime.IN_BROWSER:
        raise ExportError(
            f"saving {target.name!r} as {writer_class.description} needs ffmpeg, which cannot run in a browser "
            f"(Pyodide); save it as {target.with_suffix('.gif').name!r} instead"
        )
    if writer_class.ffmpeg == "needs" and exe is None:
        raise ExportError(
            f"saving {target.name!r} as {writer_class.description} needs ffmpeg, which was not found; "
            f"{mp4.INSTALL_FFMPEG}"
        )

    # Every file is staged beside its target and renamed into place only when all are
    # complete; with overwrite, the old files come back if any rename fails.
    with Staging(overwrite=overwriting) as staging:
        with file_errors():
            dest = staging.output(target)
            if text is not None:
                staging.write_text(recipe_target, text, what="recipe")
        if caption is not None:
            figure.set_caption(caption)
        job = Job(figure, dest, target.name, staging, rate, steps, resolution, exe, None, held)
        with _collector_paused(), naming(target):  # e.g. a full disk names the file
            _write(writer_class(), job, bool(progress))
        with file_errors():
            staging.commit()
    return target


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the frames are written, on again after (if it
    was on). Drawing makes many short-lived objects, which set off collections of every
    object in the process: a tenth of a second each on a slow machine, now and then in
    the middle of an export, for garbage the export hardly makes (reference counting
    frees its objects)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _write(writer: Writer, job: Job, progress: bool) -> None:
    """Run ``writer`` over the frames of ``job``: setup, each frame, finish (abort on failure)."""
    if not writer.draws_frames:
        try:
            writer.setup(job)
            writer.finish()
        except BaseException:
            writer.abort()
            raise
        return
    steps = job.steps
    check = (steps[0], steps[-1])
    with (
        fast.frames(job.figure, job.dpi, check) as render,
        tqdm(total=len(steps), desc=job.name, unit="frame", disable=not progress, leave=False) as bar,
    ):
        try:
            writer.setup(replace(job, frames=render))
            for step in steps:
                writer.frame(render(step), render.changed)
                bar.update(1)
            writer.finish()
        except BaseException:
            writer.abort()
            raise
