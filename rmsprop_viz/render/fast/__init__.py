"""The fast frame path: an accelerator for exports, with the public twin as its fallback.

:class:`~rmsprop_viz.render.fast.renderer.FastFrames` draws the contours, axes, tick labels
and legend once and keeps that picture; the paths and curves only grow, so it keeps them
drawn too and per frame draws again only the few pixels around their new points, from
drawing calls recorded once and replayed (:mod:`~rmsprop_viz.render.fast.calls`); and it
pastes the markers at the heads of the paths and the step counter from pictures rendered
once (:mod:`~rmsprop_viz.render.fast.sprites`). Its frames are those of the public twin
(:class:`~rmsprop_viz.render.public.PublicFrames`, matplotlib's blitting API) as
:func:`~rmsprop_viz.render.public.frames_agree` defines it: within a level or two in 256,
lines of 128 points or more within a fraction of a pixel.

Replaying drawing calls relies on matplotlib's internals, and every use of them stays in
this folder. :func:`frames` picks the renderer for an export:

* the environment variable :data:`RENDERER_VARIABLE` (``RMSPROP_VIZ_RENDERER``) set to
  ``"public"`` forces the twin, ``"fast"`` the fast path (unchecked);
* unset (or empty), the fast path is used when matplotlib's version is in
  :data:`TESTED_MATPLOTLIB` and its first and last frames agree with the twin's; else the
  twin draws the whole export, which is slower but the same picture.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import matplotlib
import numpy as np

from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.fast.renderer import FastFrames, fast_frames
from rmsprop_viz.render.frames import StepCounter
from rmsprop_viz.render.public import Frames, PublicFrames, frames_agree, prepared, show

__all__ = [
    "RENDERERS",
    "RENDERER_VARIABLE",
    "TESTED_MATPLOTLIB",
    "FastFrames",
    "fast_frames",
    "frames",
    "renderer_choice",
    "self_check",
    "version_is_tested",
]

log = logging.getLogger(__name__)

#: The environment variable that picks the renderer of exports.
RENDERER_VARIABLE = "RMSPROP_VIZ_RENDERER"
#: Its valid values; unset or empty: the fast path when it checks out, else the twin.
RENDERERS = ("fast", "public")
#: The matplotlib versions the fast path is tested with: from the first, up to (without) the second.
TESTED_MATPLOTLIB = ((3, 8), (3, 12))


def renderer_choice() -> str:
    """``"fast"``, ``"public"`` or ``""`` (choose by itself), from :data:`RENDERER_VARIABLE`.

    Raises
    ------
    ValueError
        One line naming the variable and its valid values.
    """
    value = os.environ.get(RENDERER_VARIABLE, "").strip().lower()
    if value and value not in RENDERERS:
        raise ValueError(
            f"{RENDERER_VARIABLE} must be one of {', '.join(RENDERERS)} (or unset), "
            f"got {os.environ[RENDERER_VARIABLE]!r:.40}"
        )
    return value


def version_is_tested(version: str | None = None) -> bool:
    """Whether matplotlib's ``version`` (default: the installed one) is in :data:`TESTED_MATPLOTLIB`.

    >>> version_is_tested("3.11.2"), version_is_tested("3.7.5"), version_is_tested("4.0.0rc1")
    (True, False, False)
    """
    text = matplotlib.__version__ if version is None else version
    found = re.match(r"(\d+)\.(\d+)", text)
    if found is None:
        return False
    low, high = TESTED_MATPLOTLIB
    return low <= (int(found[1]), int(found[2])) < high


def self_check(
    figure: RaceFigure, counter: StepCounter, fast: FastFrames, public: PublicFrames, steps: Sequence[int]
) -> bool:
    """Whether ``fast`` draws ``figure`` at ``steps`` as ``public`` does (:func:`frames_agree`).

    Both draw on one canvas, which is left holding ``fast``'s frame. An error of the fast
    path is a failed check; an error of the figure's own (``show_frame``) or of the twin
    is raised.
    """
    for step in steps:
        show(figure, counter, step)
        try:
            ours = fast.draw().copy()
        except Exception:  # a matplotlib the fast path does not know
            log.debug("rmsprop_viz: the fast frame path failed at step %d", step, exc_info=True)
            return False
        agree = frames_agree(ours, public.draw())
        np.copyto(public.pixels, ours)  # the canvas as the fast path left it
        if not agree:
            log.debug("rmsprop_viz: the fast frame at step %d differs from the public one", step)
            return False
    return True


@contextmanager
def frames(figure: RaceFigure, dpi: float | None = None, check: Sequence[int] = ()) -> Iterator[Frames]:
    """The frames of ``figure`` at ``dpi`` for an export: the fast path's, or the public
    twin's (see the module's docstring); ``check`` are the steps the fast path is checked
    at (default: the first and the last). The figure comes back as it was.

    Raises
    ------
    ValueError
        If :data:`RENDERER_VARIABLE` holds something other than :data:`RENDERERS`.
    """
    choice = renderer_choice()
    with prepared(figure, dpi) as (canvas, order, counter):
        public = PublicFrames(figure, canvas, order, counter)  # the background, kept before the fast path draws
        if choice == "public" or (not choice and not version_is_tested()):
            yield public
            return
        if choice == "fast":
            yield FastFrames(figure, canvas, order, counter)
            return
        fast: FastFrames | None = None
        try:
            fast = FastFrames(figure, canvas, order, counter)
        except Exception:  # a matplotlib the fast path does not know: the twin draws the same
            log.debug("rmsprop_viz: the fast frame path failed; using the public one", exc_info=True)
        if fast is not None and self_check(figure, counter, fast, public, check or (0, figure.n_steps)):
            yield fast
        else:
            public.restart()
            yield public
