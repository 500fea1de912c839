"""Animations of a race: in a notebook, or saved as MP4, GIF, HTML or PNG.

:func:`animate` wraps a :class:`~rmsprop_viz.plotting.RaceFigure` in a matplotlib
``FuncAnimation`` for interactive use. :func:`save` writes a file, picking the writer
from the suffix (:data:`WRITERS`):

========  ===========================================================================
``.mp4``  H.264 video (needs ffmpeg: ``pip install "rmsprop_viz[video]"``)
``.gif``  looping GIF with one shared palette (small; no ffmpeg needed)
``.html`` a self-contained page: the MP4 in a ``<video>`` tag when ffmpeg is there,
          else the frames as images in a small player with a frame slider
``.png``  the last frame
========  ===========================================================================

:func:`save_figure` writes any figure as PNG, SVG or PDF.

Saving does not go through ``FuncAnimation.save``, which draws the whole figure twice
per frame: the frames come from :mod:`rmsprop_viz.render` (drawn once, then only what
moves), and an MP4 is encoded while they are drawn, with ffmpeg's fastest libx264 preset,
fed in the video's own pixel format (YUV 4:2:0), converted only where they changed.

Files are written under a temporary name in the target directory and renamed into place
only when complete, so a failed or interrupted export leaves nothing behind.

One module per part: :mod:`~rmsprop_viz.export.saving` (``save``, ``check_save``,
``animate``), :mod:`~rmsprop_viz.export.checks` (the limits and the error),
:mod:`~rmsprop_viz.export.writers` (the registry) and a module per format
(:mod:`~rmsprop_viz.export.mp4`, :mod:`~rmsprop_viz.export.gif`,
:mod:`~rmsprop_viz.export.html`, :mod:`~rmsprop_viz.export.png`).
"""

from rmsprop_viz.export.checks import (
    DPI_RANGE,
    FPS_RANGE,
    KEPT_BYTES_PER_PIXEL,
    MAX_FRAMES,
    MAX_KEPT_BYTES,
    MAX_PIXELS,
    ExportError,
)
from rmsprop_viz.export.gif import GIF_COLOURS
from rmsprop_viz.export.mp4 import ffmpeg_path
from rmsprop_viz.export.png import FIGURE_SUFFIXES, save_figure
from rmsprop_viz.export.saving import animate, check_save, save
from rmsprop_viz.export.writers import SUFFIXES, WRITERS

__all__ = [
    "DPI_RANGE",
    "FIGURE_SUFFIXES",
    "FPS_RANGE",
    "GIF_COLOURS",
    "KEPT_BYTES_PER_PIXEL",
    "MAX_FRAMES",
    "MAX_KEPT_BYTES",
    "MAX_PIXELS",
    "SUFFIXES",
    "WRITERS",
    "ExportError",
    "animate",
    "check_save",
    "ffmpeg_path",
    "save",
    "save_figure",
]
