"""The checks of an export, made before anything is drawn, and its one kind of error.

Every bad setting is refused with one :class:`ExportError` line naming the parameter and
its limit: ``fps`` in :data:`FPS_RANGE`, ``frames`` up to :data:`MAX_FRAMES`, ``dpi`` in
:data:`DPI_RANGE`, ``hold`` in :data:`HOLD_RANGE`, ``duration`` in :data:`DURATION_RANGE`,
frames of at most :data:`MAX_PIXELS` pixels, and GIF or HTML exports that keep at most
:data:`MAX_KEPT_BYTES` of frames in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from rmsprop_viz.core.checks import check_int, check_number
from rmsprop_viz.core.staging import TargetExistsError, check_target
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.scenes import DPI_RANGE, FPS_RANGE, MAX_FRAMES, recipe_json

__all__ = [
    "DPI_RANGE",
    "DURATION_RANGE",
    "FPS_RANGE",
    "HOLD_RANGE",
    "KEPT_BYTES_PER_PIXEL",
    "MAX_FRAMES",
    "MAX_KEPT_BYTES",
    "MAX_PIXELS",
    "ExportError",
    "ExportTypeError",
    "check_dpi",
    "check_duration",
    "check_figure",
    "check_flag",
    "check_fps",
    "check_frames",
    "check_hold",
    "check_path",
    "check_pixels",
    "check_size",
    "check_target_of",
    "file_errors",
    "recipe_text",
]


#: Pixels of one frame (width times height): 4096 x 4096. The limits of ``fps``, ``frames``
#: and ``dpi`` (:data:`FPS_RANGE`, :data:`MAX_FRAMES`, :data:`DPI_RANGE`) come from
#: :mod:`rmsprop_viz.scenes`, which checks a recipe's export settings against them.
MAX_PIXELS = 4096 * 4096

#: Memory a GIF or HTML export may keep while it is written: both keep every frame until
#: the end (Pillow's GIF writer holds each palette-indexed frame and its change box, about
#: KEPT_BYTES_PER_PIXEL bytes a pixel; the page holds each frame's PNG text).
MAX_KEPT_BYTES = 4 * 2**30
#: Bytes kept per pixel of each frame by the GIF and HTML writers (measured: 6 GB after
#: 388 frames of 3840 x 2160 pixels is under 2 bytes a pixel).
KEPT_BYTES_PER_PIXEL = 2


#: Seconds an animation may hold its last frame: (least, most).
HOLD_RANGE = (0.0, 10.0)
#: Seconds an animation may last, from its first frame to its last: (least, most).
DURATION_RANGE = (0.1, 600.0)


class ExportError(ValueError):
    """A file could not be exported: bad settings, a path that cannot be written, or a
    missing tool. The message says which and what to do."""


class ExportTypeError(ExportError, TypeError):
    """A parameter of the wrong type: a ValueError like every export error, and a
    TypeError for code that catches that."""


def check_fps(fps: Any) -> float:
    low, high = FPS_RANGE
    try:
        return float(check_number("fps", fps, low=low, high=high, allow_array=False))
    except ValueError as error:
        raise ExportError(f"{error} (the limits are FPS_RANGE = ({low:g}, {high:g}))") from None


def check_hold(hold: Any) -> float:
    low, high = HOLD_RANGE
    try:
        return float(check_number("hold", hold, low=low, high=high, allow_array=False))
    except ValueError as error:
        raise ExportError(f"{error} seconds (the limits are HOLD_RANGE = ({low:g}, {high:g}))") from None


def check_duration(duration: Any) -> float | None:
    if duration is None:
        return None
    low, high = DURATION_RANGE
    try:
        return float(check_number("duration", duration, low=low, high=high, allow_array=False))
    except ValueError as error:
        raise ExportError(
            f"{error} seconds (or None: fps sets it; the limits are DURATION_RANGE = ({low:g}, {high:g}))"
        ) from None


def check_frames(frames: Any) -> int | None:
    if frames is None:
        return None
    try:
        return check_int("frames", frames, low=2, high=MAX_FRAMES)
    except ValueError as error:
        raise ExportError(f"{error} (or None for every step; the limit is MAX_FRAMES = {MAX_FRAMES})") from None


def check_dpi(dpi: Any) -> float | None:
    if dpi is None:
        return None
    low, high = DPI_RANGE
    try:
        return float(check_number("dpi", dpi, low=low, high=high, allow_array=False))
    except ValueError as error:
        raise ExportError(f"{error} (the limits are DPI_RANGE = ({low:g}, {high:g}))") from None


def check_flag(name: str, flag: Any) -> bool:
    if not isinstance(flag, (bool, np.bool_)):
        raise ExportTypeError(f"{name} must be True or False, got {flag!r:.80}")
    return bool(flag)


def check_figure(figure: Any) -> RaceFigure:
    if not isinstance(figure, RaceFigure):
        raise ExportTypeError(
            f"figure must be a RaceFigure (rmsprop_viz.plotting.RaceFigure), got {type(figure).__name__}"
        )
    return figure


def check_path(path: Any, suffixes: Iterable[str]) -> Path:
    """``path`` as a Path; refused unless it is a file name (ending in one of ``suffixes``,
    said in the message; the suffix itself is checked by the writers' registry)."""
    if isinstance(path, (str, os.PathLike)):
        text = os.fspath(path)
        if isinstance(text, str) and text.strip() and "\0" not in text:
            return Path(text)
    known = ", ".join(suffixes)
    raise ExportTypeError(f"path must be a file name (a str or pathlib.Path) ending in {known}, got {path!r:.80}")


def check_pixels(fig: Figure, dpi: float | None) -> tuple[float, float]:
    """Refuse a picture of ``fig`` at ``dpi`` (None: its own) of more than
    :data:`MAX_PIXELS` pixels; return its size in inches."""
    width, height = (float(v) for v in fig.get_size_inches())
    scale = float(fig.dpi if dpi is None else dpi)
    pixels = width * scale * height * scale
    if not pixels <= MAX_PIXELS:
        raise ExportError(
            f"dpi {scale:g} makes {width * scale:.0f} x {height * scale:.0f} pixels of a {width:g} x {height:g} inch "
            f"figure; at most MAX_PIXELS = {MAX_PIXELS} pixels: lower dpi"
        )
    return width, height


def check_size(figure: RaceFigure, dpi: float | None, frames: int | None, keeps: str = "") -> None:
    """Refuse, before drawing, frames too many or too large (:data:`MAX_FRAMES`, :data:`MAX_PIXELS`),
    and, for a format that keeps its frames until the end (``keeps``: its name, "GIF" say),
    frames that need more than :data:`MAX_KEPT_BYTES`: frames x width x height x
    :data:`KEPT_BYTES_PER_PIXEL`."""
    width, height = check_pixels(figure.fig, dpi)
    scale = float(figure.fig.dpi if dpi is None else dpi)
    if frames is None and figure.n_steps + 1 > MAX_FRAMES:
        raise ExportError(
            f"frames=None asks for one frame per step, {figure.n_steps + 1} frames; the limit is MAX_FRAMES = "
            f"{MAX_FRAMES}: give frames"
        )
    if keeps:
        count = min(figure.n_steps + 1, figure.n_steps + 1 if frames is None else frames)
        kept = count * round(width * scale) * round(height * scale) * KEPT_BYTES_PER_PIXEL
        if kept > MAX_KEPT_BYTES:
            raise ExportError(
                f"{count} frames at dpi {scale:g} ({width * scale:.0f} x {height * scale:.0f} pixels) would keep "
                f"about {kept / 2**30:.1f} GiB in memory while the {keeps} is written; the limit is "
                f"MAX_KEPT_BYTES = {MAX_KEPT_BYTES / 2**30:g} GiB: use fewer frames, a lower dpi, or .mp4"
            )


def recipe_text(recipe: Mapping[str, Any]) -> str:
    try:
        return recipe_json(recipe)
    except ValueError as error:
        raise ExportError(str(error)) from None


def check_target_of(target: Path, overwrite: bool, content: str | None = None) -> bool:
    """Refuse an unwritable or existing target before any work; True when it already holds
    ``content`` (a recipe shared by two exports of one race)."""
    try:
        return check_target(target, overwrite=overwrite, content=content, what="recipe")
    except ValueError as error:
        raise ExportError(str(error)) from None


@contextmanager
def file_errors() -> Iterator[None]:
    """The files' own problems (a full disk, a rename that fails) as one-line ExportErrors."""
    try:
        yield
    except TargetExistsError as error:
        raise ExportError(str(error)) from None
    except OSError as error:
        text = str(error.strerror or error)
        if text.startswith("cannot "):  # already one line naming the file (see rmsprop_viz.staging)
            raise ExportError(text) from None
        where = f" {error.filename!r}" if error.filename and str(error.filename) not in text else ""
        raise ExportError(f"cannot write{where}: {text}") from None
