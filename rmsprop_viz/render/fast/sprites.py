"""Pictures rendered once and pasted: the markers at the heads of the paths and the step
counter (:class:`Marks`, :class:`Counter`), each checked against drawing it in place."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from rmsprop_viz.render.fast.boxes import Box
from rmsprop_viz.render.fast.calls import Call, record, replay
from rmsprop_viz.render.frames import FIGURE_SPACE
from rmsprop_viz.render.public import shows_something

__all__ = ["Counter", "Marks", "Sprite"]

RGBA = npt.NDArray[np.uint8]


class Sprite:
    """An RGBA image to paste with its lower left corner at pixel ``(left, bottom)``; its rows
    go up, as ``draw_image`` takes them."""

    def __init__(self, image: RGBA, left: int, bottom: int) -> None:
        self.image = image
        self.left = left
        self.bottom = bottom

    @classmethod
    def cut(cls, renderer: Any, near: Sprite | None = None) -> Sprite | None:
        """What is drawn on ``renderer``, a transparent canvas, looking only where ``near``
        is if given (None if nothing is drawn)."""
        pixels = np.asarray(renderer.buffer_rgba())
        top, left = 0, 0
        if near is not None:
            height, width = near.image.shape[:2]
            top, left = len(pixels) - near.bottom - height, near.left
            pixels = pixels[top : top + height, left : left + width]
        drawn = pixels[..., 3] > 0
        rows, columns = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
        if not len(rows):
            return None
        image = np.ascontiguousarray(pixels[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1][::-1])
        bottom = len(np.asarray(renderer.buffer_rgba())) - (top + rows[-1] + 1)
        return cls(image, int(left + columns[0]), int(bottom))

    def paste(self, renderer: Any, gc: Any, left: int | None = None, bottom: int | None = None) -> Box:
        """Draw the sprite (at ``left``, ``bottom`` if given); return where."""
        left = self.left if left is None else left
        bottom = self.bottom if bottom is None else bottom
        renderer.draw_image(gc, left, bottom, self.image)
        height, width = self.image.shape[:2]
        return float(left), float(bottom), float(left + width), float(bottom + height)

    @staticmethod
    def window(box: Box, renderer: Any, margin: int = 0) -> tuple[slice, slice]:
        """The buffer's rows and columns of ``box`` (whole pixels) and ``margin`` around it."""
        height, width = np.asarray(renderer.buffer_rgba()).shape[:2]
        x0, y0 = max(math.floor(box[0]) - margin, 0), max(math.floor(box[1]) - margin, 0)
        x1, y1 = min(math.ceil(box[2]) + margin, width), min(math.ceil(box[3]) + margin, height)
        return slice(height - y1, height - y0), slice(x0, x1)

    def covers(self, renderer: Any) -> RGBA:
        """The pixels of ``renderer`` where the sprite goes."""
        pixels = np.asarray(renderer.buffer_rgba())
        height, width = self.image.shape[:2]
        top = len(pixels) - self.bottom - height
        return pixels[top : top + height, self.left : self.left + width]


class Marks:
    """A line of markers only (the head of a path), drawn at its current points.

    Agg draws a marker by rendering it once and copying that to each point, rounded to a
    whole pixel, so a marker rendered once, cut out as a :class:`Sprite` and pasted gives
    the same pixels, within one level in 256 (checked once, at a few places; if it does not,
    the calls recorded from the line are replayed instead).
    """

    def __init__(self, line: Line2D, calls: list[Call], height: int) -> None:
        self.line = line
        self._calls = calls
        self._transform = line.get_transform()
        self._affine = calls[0].args[3].get_matrix()  # the affine part, as recorded
        self._rows = self._affine[:2].tolist()  # the same, as numbers: quicker for a point or two
        self._is_affine = bool(self._transform.is_affine)
        self._height = height
        self._sprite: Sprite | None = None
        self._anchor = (0, 0)  # the pixel the sprite is drawn for
        self._gc: Any = None

    @classmethod
    def of(cls, line: Line2D, renderer: Any, scratch: Any) -> Marks | None:
        """Markers for ``line``, or None unless it draws markers only and holds a point now.
        ``scratch`` is a transparent canvas to render the sprite on."""
        if not shows_something(line):
            return None
        calls = record(line, renderer)
        if not calls or any(call.method != "draw_markers" for call in calls) or calls[0].clip is None:
            return None
        marks = cls(line, calls, int(renderer.height))
        marks._cut(renderer, scratch)
        return marks

    def _anchor_of(self, x: float, y: float) -> tuple[int, int]:
        """The pixel (column, row of the buffer) that Agg copies a marker at ``(x, y)`` to."""
        return math.floor(x + 0.5), math.floor(self._height - y + 0.5)

    def _replay_at(self, renderer: Any, x: float, y: float) -> None:
        for call in self._calls:
            marker_path, marker_transform, _, affine, *face = call.args
            point = MplPath(affine.inverted().transform([[x, y]]))
            call.replay(renderer, None, (marker_path, marker_transform, point, affine, *face))

    def _paste(self, renderer: Any, x: float, y: float) -> Box:
        assert self._sprite is not None
        column, row = self._anchor_of(x, y)
        sprite = self._sprite
        left, bottom = sprite.left + column - self._anchor[0], sprite.bottom - (row - self._anchor[1])
        return sprite.paste(renderer, self._gc, left, bottom)

    def _cut(self, renderer: Any, scratch: Any) -> None:
        """Render the sprite, in the middle of the axes, and check it."""
        assert self._calls[0].clip is not None
        x0, y0, x1, y1 = self._calls[0].clip
        x, y = np.floor((x0 + x1) / 2) + 0.25, np.floor((y0 + y1) / 2) + 0.25  # far from rounding ties
        scratch.clear()
        self._replay_at(scratch, x, y)
        sprite = Sprite.cut(scratch)
        if sprite is None:
            return
        self._sprite, self._anchor = sprite, self._anchor_of(x, y)
        self._gc = renderer.new_gc()
        self._gc.set_clip_rectangle(Bbox.from_extents(x0, y0, x1, y1))
        for dx, dy in ((3.7, -2.1), (-5.4, 4.8)):
            scratch.clear()
            rows, columns = Sprite.window(self._paste(scratch, x + dx, y + dy), scratch, margin=2)
            pasted = np.array(np.asarray(scratch.buffer_rgba())[rows, columns], dtype=np.int16)
            scratch.clear()
            self._replay_at(scratch, x + dx, y + dy)
            if np.abs(np.asarray(scratch.buffer_rgba())[rows, columns] - pasted).max() > 1:
                self._sprite = None
                return

    def draw(self, renderer: Any) -> list[Box] | None:
        line = self.line
        if not line.get_visible():
            return []
        points = np.array((line.get_xdata(orig=True), line.get_ydata(orig=True)), dtype=np.float64).T
        if not len(points):
            return []
        # As Line2D.draw: the data through the non-affine part of the transform (a log scale,
        # say); the affine part, which the frozen layout fixes, is in the recorded call.
        if not self._is_affine:
            points = np.asarray(self._transform.transform_non_affine(points), dtype=np.float64)
        if self._sprite is not None:
            (a, c, e), (b, d, f) = self._rows
            boxes = []
            for x, y in points.tolist():
                px, py = a * x + c * y + e, b * x + d * y + f
                if math.isfinite(px) and math.isfinite(py):
                    boxes.append(self._paste(renderer, px, py))
            return boxes
        path = MplPath(points)
        for call in self._calls:
            marker_path, marker_transform, _, affine, *face = call.args
            call.replay(renderer, None, (marker_path, marker_transform, path, affine, *face))
        return None


class _Piece:
    """The step counter at one number of digits: the box and words, with the digits left
    blank, and each digit as drawn in the first place for digits, ``advance`` (a whole
    number of) pixels from one place to the next."""

    def __init__(self, words: Sprite, digits: dict[str, Sprite], advance: int, gc: Any) -> None:
        self.words = words
        self.digits = digits
        self.advance = advance
        self.gc = gc

    def draw(self, renderer: Any, number: str) -> list[Box]:
        boxes = [self.words.paste(renderer, self.gc)]
        for place, digit in enumerate(number):
            if digit == FIGURE_SPACE:
                continue  # blank in the words already
            sprite = self.digits[digit]
            boxes.append(sprite.paste(renderer, self.gc, sprite.left + place * self.advance))
        return boxes


class Counter:
    """The step counter, whose text changes every frame in its number only ("step 75 / 200").

    Laying out and rendering a whole text costs as much as all the other moving artists
    together, so the counter is pasted from pieces rendered once for each number of digits:
    the box and words, with figure spaces (U+2007, as wide as a digit) for the digits, and
    each digit. Agg puts every glyph of a text a whole number of pixels from the first (its
    text hinting rounds the advances), so a digit looks the same in each place. A piece is
    used only if all digits are equally wide, so that the box is the same whatever the
    number, and if the counter pasted from it matches the text drawn whole, checked once,
    within one level in 256; else the text is drawn whole.
    """

    _NUMBER = re.compile(rf"(\D*?)({FIGURE_SPACE}*\d+)(.*)", re.DOTALL)  # a number padded with figure spaces

    def __init__(self, text: Text, renderer: Any, scratch: Any) -> None:
        self.text = text
        self._renderer = renderer
        self._pieces: dict[tuple[str, int, str], _Piece | None] = {}
        self._digits: dict[tuple[float, float], dict[str, Sprite] | None] = {}  # by where the first goes
        self._advance: float | None = None  # the width of every digit (NaN if they differ)
        self._scratch = scratch

    def draw(self, renderer: Any) -> list[Box] | None:
        text = self.text
        if not text.get_visible():
            return []
        match = self._NUMBER.fullmatch(text.get_text())
        piece = None
        if match is not None:
            prefix, number, suffix = match.groups()
            key = (prefix, len(number), suffix)
            if key not in self._pieces:
                self._pieces[key] = self._piece(prefix, number, suffix)
            piece = self._pieces[key]
        if piece is None:
            text.draw(renderer)
            return None
        return piece.draw(renderer, number)

    def _piece(self, prefix: str, number: str, suffix: str) -> _Piece | None:
        """The piece for numbers as long as ``number``, checked with ``number``."""
        text, renderer = self.text, self._renderer
        prop, count = text.get_fontproperties(), len(number)

        def size(line: str) -> tuple[float, float, float]:
            width, height, descent = renderer.get_text_width_height_descent(line, prop, ismath=False)
            return width, height, descent

        if self._advance is None:
            sizes = {size(digit) for digit in "0123456789"}
            self._advance = sizes.pop()[0] if len(sizes) == 1 else math.nan
        advance = self._advance
        blank = f"{prefix}{FIGURE_SPACE * count}{suffix}"
        if not advance.is_integer() or size(f"{prefix}{'0' * count}{suffix}") != size(blank):
            # Digits of different sizes, or a figure space unlike them: the box would change
            # with the number. Or a digit would look different in each place.
            return None
        shown = text.get_text()
        text.set_text(blank)
        try:
            calls = record(text, renderer) or []
        finally:
            text.set_text(shown)
        writes = [call for call in calls if call.method == "draw_text"]
        if len(writes) != 1 or writes[0].kwargs.get("ismath") or writes[0].args[4] != 0:
            return None  # not one straight line of plain text
        write = writes[0]
        if write.gc.get_clip_path()[0] is not None:
            return None
        scratch = self._scratch
        scratch.clear()
        replay(calls, scratch)
        words = Sprite.cut(scratch)
        if words is None:
            return None
        x, y, _, *rest = write.args
        start = x + size(prefix)[0]  # where the whole text puts the first digit
        if (start, y) not in self._digits:
            digits: dict[str, Sprite] | None = {}
            for digit in "0123456789":
                scratch.clear()
                write.replay(scratch, None, (start, y, digit, *rest))
                sprite = Sprite.cut(scratch, near=words)
                if sprite is None or digits is None:
                    digits = None
                    break
                digits[digit] = sprite
            self._digits[start, y] = digits
        digits = self._digits[start, y]
        if digits is None:
            return None
        gc = renderer.new_gc()
        gc.set_clip_rectangle(write.gc.get_clip_rectangle())
        piece = _Piece(words, digits, int(advance), gc)
        # Once, the counter as it is now, drawn whole and pasted: they must match.
        scratch.clear()
        text.draw(scratch)
        whole = words.covers(scratch).astype(np.int16)
        scratch.clear()
        piece.draw(scratch, number)
        if np.abs(words.covers(scratch).astype(np.int16) - whole).max() > 1:
            return None
        return piece
