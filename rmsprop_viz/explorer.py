"""The interactive explorer: ``from rmsprop_viz.explorer import explore``.

The widget lives in :mod:`rmsprop_viz.apps.explorer`.
"""

from rmsprop_viz.apps.explorer import Explorer, explore

__all__ = ["Explorer", "explore"]
