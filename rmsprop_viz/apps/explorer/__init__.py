"""The live explorer: sliders for alpha, beta and epsilon, and four optimizers racing.

``rv.explore()`` returns an ipywidgets box that shows itself in JupyterLab, Notebook 7
and Voila. The explorer only wires lower layers together, in five rooms:

- :mod:`~rmsprop_viz.apps.explorer.settings`: what it shows, as plain data (no widgets);
- :mod:`~rmsprop_viz.apps.explorer.controls`: the controls, built from tables;
- :mod:`~rmsprop_viz.apps.explorer.canvas`: where the figure is shown (an ipympl canvas,
  or a PNG in an image widget where ipympl is not usable: Colab, some VS Code setups);
- :mod:`~rmsprop_viz.apps.explorer.reports`: the legend, readout and status line as HTML;
- :mod:`~rmsprop_viz.apps.explorer.widget`: the :class:`Explorer` box that wires them.

Trajectories come from :func:`rmsprop_viz.race`, the step-by-step readout from
:func:`rmsprop_viz.engine.reports.step_report`, pictures from
:class:`rmsprop_viz.plotting.RaceFigure`, files from :func:`rmsprop_viz.export.save`.
Importing this package loads no ipywidgets until a widget is asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from rmsprop_viz.apps.explorer.settings import KEYS, MODES, Settings

if TYPE_CHECKING:
    from rmsprop_viz.apps.explorer.canvas import ipympl_usable
    from rmsprop_viz.apps.explorer.widget import Explorer, explore

__all__ = ["KEYS", "MODES", "Explorer", "Settings", "explore", "ipympl_usable"]

_LAZY = {
    "Explorer": "widget",
    "explore": "widget",
    "ipympl_usable": "canvas",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"rmsprop_viz.apps.explorer.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
