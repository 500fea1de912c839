"""Where the package runs: a desktop Python, or a browser tab (Pyodide, in JupyterLite or
Voici).

In a browser there is no ffmpeg (no MP4 export: a GIF instead), no numba, and
matplotlib's first import builds its font list in the tab's fresh file system, which it
announces on stderr ("Matplotlib is building the font cache; this may take a moment.").
That notice says nothing a student can act on, so :func:`quiet_font_cache` keeps it off
the screen; importing the package calls it when it runs in a browser.

>>> IN_BROWSER  # a desktop Python
False
"""

from __future__ import annotations

import logging
import sys

__all__ = ["IN_BROWSER", "FontCacheNotice", "quiet_font_cache"]

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
