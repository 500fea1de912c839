"""The classroom presets: scenes tuned so that each picture makes its point in its steps.

The presets are data, ``presets.json`` beside this module: a list of recipes (the schema
of :mod:`rmsprop_viz.scenes.recipes`, without their ``format`` and ``version``, which the
file gives once). Each entry copied into a file of its own, with those two keys added,
is a recipe the command line runs (``rmsprop-viz race --recipe``).

>>> names()[:3]
['rosenbrock', 'ill-conditioned', 'rotated']
>>> get("ill-conditioned").legend_labels()
['SGD (lr=0.075)', 'RMSProp (lr=0.05, beta=0.9)']
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from rmsprop_viz.scenes.recipes import parse_recipe
from rmsprop_viz.scenes.scene import Scene

__all__ = ["PRESETS_FILE", "SCENES", "get", "load_presets", "names"]

#: The presets' file, in this package.
PRESETS_FILE = "presets.json"


def load_presets(text: str | None = None) -> dict[str, Scene]:
    """The preset scenes by name, in the file's order, read from ``text`` (default: the
    package's :data:`PRESETS_FILE`). The file is read, and each entry checked, as a recipe is.

    >>> load_presets('{"format": "rmsprop_viz recipe", "version": 1, "scenes": [{"name": "x"}]}')
    Traceback (most recent call last):
    ...
    ValueError: presets: scenes[0]: recipe is missing the key 'surface'
    """
    if text is None:
        text = resources.files(__package__).joinpath(PRESETS_FILE).read_text(encoding="utf-8")
    data: Any = parse_recipe(text, where="presets")
    if not isinstance(data.get("scenes"), list):
        raise ValueError("presets: the file must hold a JSON object with a list 'scenes'")
    out: dict[str, Scene] = {}
    for i, entry in enumerate(data["scenes"]):
        if not isinstance(entry, dict):
            raise ValueError(f"presets: scenes[{i}] must be a JSON object")
        try:
            scene = Scene.from_recipe({"format": data.get("format"), "version": data.get("version"), **entry})
        except ValueError as error:
            raise ValueError(f"presets: scenes[{i}]: {error}") from None
        if scene.name in out:
            raise ValueError(f"presets: scenes[{i}]: the name {scene.name!r} is used twice")
        out[scene.name] = scene
    return out


#: The preset scenes by name.
SCENES: dict[str, Scene] = load_presets()


def names() -> list[str]:
    """Names of the preset scenes."""
    return list(SCENES)


def get(name: str) -> Scene:
    """The preset scene called ``name`` (one of :func:`names`)."""
    if not isinstance(name, str) or name not in SCENES:
        raise ValueError(f"scene must be one of {', '.join(SCENES)}; got {name!r}")
    return SCENES[name]
