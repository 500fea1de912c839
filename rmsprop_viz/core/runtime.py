"""Where the package runs: a desktop Python, or a browser tab (Pyodide, in JupyterLite or
Voici).

In a browser there is no ffmpeg (no MP4 export: a GIF instead), no numba, and no
threads. Two things would print on a student's screen, in red, without saying anything
they can act on: matplotlib's first import builds its font list in the tab's fresh file
system and announces it ("Matplotlib is building the font cache; this may take a
moment."), and tqdm warns that it cannot start the thread that watches its progress bars.
Importing the package calls :func:`prepare_browser` when it runs in a browser, which
keeps both off the screen.

>>> IN_BROWSER  # a desktop Python
False
"""

from __future__ import annotations

import logging
import sys

__all__ = ["IN_BROWSER", "FontCacheNotice", "prepare_browser", "quiet_font_cache"]

#: True in Pyodide (the browser's Python), whose platform is Emscripten.
IN_BROWSER = sys.platform == "emscripten"


class FontCacheNotice(logging.Filter):
    """Drops matplotlib's "building the font cache" notice; lets every other record through.

    >>> notice = logging.LogRecord("matplotlib.font_manager", logging.WARNING, "", 0,
    ...     "Matplotlib is building the font cache; this may take a moment.", None, None)
    >>> FontCacheNotice().filter(notice)
    False
    >>> other = logging.LogRecord("matplotlib.font_manager", logging.WARNING, "", 0, "findfont: not found", None, None)
    >>> FontCacheNotice().filter(other)
    True
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Matplotlib is building the font cache")


def quiet_font_cache() -> None:
    """Keep matplotlib's font-cache notice off the screen (idempotent; matplotlib need not be
    imported yet: the filter sits on its logger, which exists from then on)."""
    logger = logging.getLogger("matplotlib.font_manager")
    if not any(isinstance(f, FontCacheNotice) for f in logger.filters):
        logger.addFilter(FontCacheNotice())


def prepare_browser() -> None:
    """Set the package up for a browser tab: matplotlib's font-cache notice kept off the
    screen, and tqdm's monitor thread (``tqdm.monitor_interval``, tqdm's own switch) off,
    since a browser has no threads to start it in."""
    quiet_font_cache()
    import tqdm

    tqdm.tqdm.monitor_interval = 0
