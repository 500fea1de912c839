"""The explorer's export: the race it shows, written as an animation with its recipe,
and offered to the browser as a download.

The files are written by :func:`rmsprop_viz.export.save` (atomically, through the
package's one staging helper); this module only wires the explorer's button, progress
and links to it.
"""

from __future__ import annotations

import logging
import pathlib
from typing import Any

from rmsprop_viz.apps.explorer import reports as texts
from rmsprop_viz.plotting import RaceFigure

__all__ = ["export", "export_clicked"]

log = logging.getLogger(__name__)


def export_clicked(explorer: Any) -> None:
    """The Export button: export to the file named beside it, or say in one line why not."""
    name = explorer.export_name.value
    try:
        export(explorer, name)
    except Exception as error:
        if not isinstance(error, (ValueError, OSError)):
            log.exception("explorer: export failed")
        explorer.download.value = ""
        explorer.say(f"Could not export {name!r}: {texts.one_line(error)}", error=True)


def export(explorer: Any, path: str, *, fps: float = 30.0, frames: int = 150, overwrite: bool = True) -> pathlib.Path:
    """Write ``explorer``'s race as an animation (by suffix: .gif .mp4 .html .png) and its
    recipe beside it; progress shows under the button, and a link offers both files to the
    browser (the way to get them from a server, e.g. under Voila).

    Raises ValueError (an ``ExportError``) with a one-line reason when the export cannot
    be done: every optimizer off, an unknown suffix, a missing folder, ...
    """
    from rmsprop_viz.export import save

    s = explorer.settings
    scene = s.scene()  # raises ValueError when every optimizer is off
    lanes = s.lanes()
    # Every lane, as on the canvas, the ones that are off hidden: each run keeps the colour,
    # line style and marker it has on the canvas (a variant's spare style depends on the
    # kinds in the figure).
    figure = RaceFigure(
        explorer.surface_now(),
        [explorer.results[k] for k in lanes],
        labels=[f"{s.label(k)} ({s.spec(k).describe()})" for k in lanes],
        present=explorer.present,
    )
    figure.show_only([bool(s.enabled.get(key)) for key in lanes])
    explorer.export_log.clear_output()
    explorer.download.value = ""
    # The progress bar shows in the export's Output widget. Inside a kernel that widget
    # swallows an exception raised in its block (it shows the traceback instead), so the
    # error is carried out of the block and raised here, for the one-line message.
    failure: Exception | None = None
    with explorer.export_log:
        try:
            written = save(
                figure, path, fps=fps, frames=frames, progress=True, overwrite=overwrite, recipe=scene.to_recipe()
            )
        except Exception as error:
            failure = error
    if failure is not None:
        raise failure
    recipe = written.with_suffix(".json")
    explorer.download.value = " ".join(texts.download_link(p) for p in (written, recipe) if p.exists())
    explorer.say(f"Exported {written} (and its recipe {recipe.name}).")
    return written
