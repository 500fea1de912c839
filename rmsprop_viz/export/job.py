"""What every writer of an export is given, and the three verbs it answers to.

A writer is a small class, as matplotlib's movie writers are: :meth:`Writer.setup` with the
:class:`Job`, :meth:`Writer.frame` for each frame, :meth:`Writer.finish` once all are
given. :meth:`Writer.abort` ends whatever it started (an ffmpeg process) when the export
fails. The registry in :mod:`rmsprop_viz.export.writers` maps each suffix to its class.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal, Protocol

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core.staging import Staging
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.public import Changed, Frames

__all__ = ["RGBA", "Job", "Writer"]

RGBA = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Job:
    """One export: the ``figure`` at ``steps`` into the staged file ``dest`` (its target
    is ``name``), ``fps`` frames a second, ``dpi`` (None: the figure's own), the last frame
    shown ``hold`` seconds more before the animation ends or starts again.

    ``frames`` renders the figure at a step (None for a writer that draws no frames); it is
    also there to sample frames before the first is given (a GIF's palette). ``ffmpeg`` is
    the executable found (None: none).
    """

    figure: RaceFigure
    dest: Path
    name: str
    staging: Staging
    fps: float
    steps: list[int]
    dpi: float | None
    ffmpeg: str | None
    frames: Frames | None
    hold: float = 0.0

    @property
    def hold_frames(self) -> int:
        """Frames that show the last one again for :attr:`hold` seconds (a video's way).

        >>> Job(None, None, "", None, 30.0, [0], None, None, None, hold=1.5).hold_frames  # type: ignore[arg-type]
        45
        """
        return round(self.hold * self.fps)


class Writer(Protocol):
    """A format's writer. Its class says what the format is (``description``), whether it
    needs ffmpeg (``"needs"``), can use it (``"uses"``) or not (``""``), whether it keeps
    every frame until :meth:`finish` (``keeps_frames``: limited by
    :data:`~rmsprop_viz.export.checks.MAX_KEPT_BYTES`) and whether it is given frames at
    all (``draws_frames``: a still image is drawn by :meth:`setup`)."""

    description: ClassVar[str]
    ffmpeg: ClassVar[Literal["needs", "uses", ""]]
    keeps_frames: ClassVar[bool]
    draws_frames: ClassVar[bool]

    def setup(self, job: Job) -> None:
        """Start the file (before the first frame)."""

    def frame(self, pixels: RGBA, changed: Changed) -> None:
        """Add a frame: its pixels (RGBA, rows from the top), and the rows and columns that
        changed since the frame before (None: not known)."""

    def finish(self) -> None:
        """Complete the file (after the last frame)."""

    def abort(self) -> None:
        """End what :meth:`setup` started, after a failure."""
