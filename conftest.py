"""Import the whole package before pytest collects its doctests.

The tests run with ``--import-mode=importlib``, in which pytest imports a module it
collects straight from its file. When that module is also imported by its own package
(``rmsprop_viz/engine/__init__`` ... ``engine/run.py`` imports ``engine/trajectory.py``),
the two imports make two copies of it, each with classes of its own, and an
``isinstance`` check between them fails: ``pytest rmsprop_viz/engine/trajectory.py``
did. Imported here first, every module is already in ``sys.modules`` and pytest
collects that one.
"""

from __future__ import annotations

import importlib
import pkgutil

import rmsprop_viz

for _module in pkgutil.walk_packages(rmsprop_viz.__path__, "rmsprop_viz."):
    if not _module.name.endswith("__main__"):  # `python -m` entry points run on import
        importlib.import_module(_module.name)
