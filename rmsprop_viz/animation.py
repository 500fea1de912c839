"""Animations of a race: :func:`animate` for a notebook, :func:`save` for a file.

This module keeps the public names ``rmsprop_viz.animation.animate`` and
``rmsprop_viz.animation.save``; the writers live in :mod:`rmsprop_viz.export`.
"""

from rmsprop_viz.export import ExportError, animate, check_save, ffmpeg_path, save

__all__ = ["ExportError", "animate", "check_save", "ffmpeg_path", "save"]
