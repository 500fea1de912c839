"""The writers, by suffix: one class per format, and no other place that tells formats apart.

>>> sorted(WRITERS)
['.gif', '.html', '.mp4', '.png']
>>> writer_for(Path("race.GIF")).description
'animated GIF'
"""

from __future__ import annotations

from pathlib import Path

from rmsprop_viz.export.checks import ExportError
from rmsprop_viz.export.gif import GifWriter
from rmsprop_viz.export.html import HtmlWriter
from rmsprop_viz.export.job import Writer
from rmsprop_viz.export.mp4 import Mp4Writer
from rmsprop_viz.export.png import PngWriter

__all__ = ["SUFFIXES", "WRITERS", "writer_for"]

#: The writer of each suffix :func:`~rmsprop_viz.export.save` knows (lower case).
WRITERS: dict[str, type[Writer]] = {
    ".mp4": Mp4Writer,
    ".gif": GifWriter,
    ".html": HtmlWriter,
    ".png": PngWriter,
}

#: The file types :func:`~rmsprop_viz.export.save` writes, by suffix.
SUFFIXES: dict[str, str] = {suffix: writer.description for suffix, writer in WRITERS.items()}


def writer_for(path: Path) -> type[Writer]:
    """The writer class of ``path``'s suffix (in any case).

    Raises
    ------
    ExportError
        For a suffix no writer knows, naming those that are known.
    """
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        known = ", ".join(WRITERS)
        got = f"{path.suffix!r}" if path.suffix else "no suffix"
        raise ExportError(f"cannot export {path.name!r}: the file name must end in one of {known}, got {got}")
    return writer
