"""Pixel boxes: where on the canvas a drawing call can colour, and clip boxes to match.

A box is ``(x0, y0, x1, y1)`` in pixels from the bottom left, as Agg counts them.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from matplotlib.transforms import Bbox

__all__ = ["Box", "clip_box", "corners", "intersection", "merged", "overlap", "reach", "union"]

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels from the bottom left


def intersection(box: Box, clip: Box | None) -> Box:
    if clip is None:
        return box
    return max(box[0], clip[0]), max(box[1], clip[1]), min(box[2], clip[2]), min(box[3], clip[3])


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def merged(boxes: list[Box]) -> list[Box]:
    """``boxes``, any two of them replaced by one around both, until no two overlap or are
    near: closer than makes a box around both four times as large as they are. Each box
    costs a pass over every line, each line in it some drawing: boxes close together are
    cheaper as one, far apart as two."""

    def area(b: Box) -> float:
        return max(b[2] - b[0], 0.0) * max(b[3] - b[1], 0.0)

    def near(a: Box, b: Box) -> bool:
        return overlap(a, b) or area(union([a, b])) <= 4 * (area(a) + area(b))

    merged: list[Box] = []
    for box in boxes:
        while (other := next((m for m in merged if near(m, box)), None)) is not None:
            merged.remove(other)
            box = union([box, other])
        merged.append(box)
    return merged


def union(boxes: list[Box]) -> Box:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


@functools.lru_cache(maxsize=16)
def clip_box(box: Box, clip: Box | None) -> Bbox | Literal[False]:
    """The clip rectangle for drawing only inside ``box`` what ``clip`` clips (False: empty).
    Cached: a frame clips many calls alike."""
    x0, y0, x1, y1 = intersection(box, clip)
    return Bbox.from_extents(x0, y0, x1, y1) if x1 > x0 and y1 > y0 else False


def reach(gc: Any, dpi: float) -> float:
    """How far past its path, in pixels, a stroke drawn with ``gc`` can colour a pixel: half
    its width; times the square root of 2 at a square end; up to twice its width at a mitred
    corner (Agg limits the mitre to four half widths); and a pixel and a half for
    antialiasing and snapping."""
    width = float(gc.get_linewidth()) * dpi / 72
    if gc.get_joinstyle() == "miter":
        return 2 * width + 1.5
    return width * (math.sqrt(0.5) if gc.get_capstyle() == "projecting" else 0.5) + 1.5


def corners(
    pixels: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | tuple[None, None]:
    """The lower left and upper right of the finite ``pixels`` (None, None if there are none)."""
    pixels = pixels[np.isfinite(pixels).all(axis=1)]
    return (pixels.min(axis=0), pixels.max(axis=0)) if len(pixels) else (None, None)
