"""Recipes: a scene as a JSON file, read and written with limits.

A *recipe* is the JSON object :meth:`~rmsprop_viz.scenes.Scene.to_recipe` writes beside
every figure and animation. Its schema:

==============  ========  ===========================================================
key             needed    value
==============  ========  ===========================================================
``format``      yes       :data:`RECIPE_FORMAT`
``version``     yes       :data:`RECIPE_VERSION`
``name``        yes       the scene's short name
``surface``     yes       a surface spec, ``{"name": ..., "params": {...}}``
``optimizers``  yes       a list of ``{"factory": ..., "params": {...}, "label": ...}``
``n_steps``     yes       steps of the race
``start``       no        ``[x, y]``, or null for the surface's default start
``caption``     no        one line: what to notice
``title``       no        the figure's title
``export``      no        the command line's export settings (ignored by scenes)
``sweep``       no        the command line's sweep settings (ignored by scenes)
==============  ========  ===========================================================

:func:`read_recipe` reads the file (size, encoding, JSON and number limits; the JSON by
:func:`parse_recipe`),
:func:`scene_fields` checks the schema and returns the scene's fields, and
:func:`recipe_json` writes the text. Every problem is one ``ValueError`` line naming the
field by its path, e.g. ``optimizers[1].params.lr``.

>>> scene_fields({"format": RECIPE_FORMAT, "version": 2})
Traceback (most recent call last):
...
ValueError: recipe 'version' must be 1, got 2
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from rmsprop_viz.scenes.limits import MAX_CAPTION, MAX_JSON_DEPTH, MAX_JSON_ITEMS, MAX_RECIPE_BYTES

__all__ = [
    "RECIPE_FORMAT",
    "RECIPE_VERSION",
    "check_json",
    "describe_value",
    "parse_recipe",
    "read_recipe",
    "recipe_json",
    "scene_fields",
]

RECIPE_FORMAT = "rmsprop_viz recipe"
RECIPE_VERSION = 1

_REQUIRED = ("name", "surface", "optimizers", "n_steps")
_OPTIONAL = ("start", "caption", "title")
_SECTIONS = ("export", "sweep")  # the command line's own settings, ignored by scenes


def describe_value(value: Any) -> str:
    """A short description of a wrong value for a message: the value, or its type when long.

    >>> describe_value(0.5), describe_value([1, 2]), describe_value("x" * 100)
    ('0.5', 'a list', 'a long string')
    """
    names: dict[type, str] = {list: "a list", dict: "a mapping", tuple: "a tuple"}
    if type(value) in names:
        return names[type(value)]
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "a very large integer"
    text = repr(value)
    if len(text) <= 60:
        return text
    return "a long string" if isinstance(value, str) else f"a {type(value).__name__}"


def check_json(value: Any, where: str, depth: int = 0) -> None:
    """Refuse, with the field's path, what no recipe field can hold: nesting deeper than
    :data:`~rmsprop_viz.scenes.limits.MAX_JSON_DEPTH`, non-finite numbers, integers beyond
    2**53, strings longer than :data:`~rmsprop_viz.scenes.limits.MAX_CAPTION`, containers
    with more than :data:`~rmsprop_viz.scenes.limits.MAX_JSON_ITEMS` entries.

    >>> check_json({"start": [0.0, float("nan")]}, "")
    Traceback (most recent call last):
    ...
    ValueError: start[1] must be a finite number, got nan
    """
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"{where} is nested deeper than MAX_JSON_DEPTH = {MAX_JSON_DEPTH} levels")
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise ValueError(
                f"{where} must be a number of at most 2**53 in size, got an integer of about "
                f"{int(value.bit_length() * math.log10(2)) + 1} digits"
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} must be a finite number, got {value!r}")
    elif isinstance(value, str):
        if len(value) > MAX_CAPTION:
            raise ValueError(f"{where} must be a string of at most {MAX_CAPTION} characters, got {len(value)}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValueError(
                f"{where} is not valid Unicode text: character {error.start + 1} is a lone surrogate "
                f"{value[error.start]!r} (JSON \\u{ord(value[error.start]):04x})"
            ) from None
    elif isinstance(value, (list, tuple, Mapping)):
        if len(value) > MAX_JSON_ITEMS:
            raise ValueError(
                f"{where or 'it'} must hold at most MAX_JSON_ITEMS = {MAX_JSON_ITEMS} entries, got {len(value)}"
            )
        if isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ValueError(f"{where or 'it'} has a key that is not a string: {describe_value(key)}")
                check_json(item, f"{where}.{key}" if where else key, depth + 1)
        else:
            for i, item in enumerate(value):
                check_json(item, f"{where}[{i}]", depth + 1)


def scene_fields(recipe: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of the scene a recipe describes, after checking its schema (see the
    table above); the fields' values are checked by :class:`~rmsprop_viz.scenes.Scene`.

    The sections ``"export"`` and ``"sweep"`` (written by the command line) are ignored
    here. Anything else unknown is an error, so that a typo does not pass silently.
    """
    if not isinstance(recipe, Mapping):
        raise ValueError(f"a recipe must be a JSON object (a mapping), got {type(recipe).__name__}")
    try:
        check_json(recipe, "")
    except ValueError as error:
        raise ValueError(f"recipe: {error}") from None
    if "format" not in recipe:
        raise ValueError(f"recipe is missing the key 'format' (it should be {RECIPE_FORMAT!r})")
    if recipe["format"] != RECIPE_FORMAT:
        raise ValueError(f"recipe 'format' must be {RECIPE_FORMAT!r}, got {describe_value(recipe['format'])}")
    if "version" not in recipe:
        raise ValueError(f"recipe is missing the key 'version' (it should be {RECIPE_VERSION})")
    version = recipe["version"]
    if isinstance(version, bool) or version != RECIPE_VERSION:
        raise ValueError(f"recipe 'version' must be {RECIPE_VERSION}, got {describe_value(version)}")
    for key in _REQUIRED:
        if key not in recipe:
            raise ValueError(f"recipe is missing the key {key!r}")
    known = ("format", "version", *_REQUIRED, *_OPTIONAL, *_SECTIONS)
    unknown = sorted(str(k) for k in set(recipe) - set(known))
    if unknown:
        raise ValueError(f"recipe has an unknown key {unknown[0]!r}; known keys: {', '.join(known)}")
    for section in _SECTIONS:
        if recipe.get(section) is not None and not isinstance(recipe[section], Mapping):
            raise ValueError(f"recipe: {section} must be a mapping of settings, got {describe_value(recipe[section])}")
    optimizers = recipe["optimizers"]
    if not isinstance(optimizers, list) or not optimizers:
        raise ValueError(f"recipe 'optimizers' must be a non-empty list, got {describe_value(optimizers)}")
    return {
        "name": recipe["name"],
        "surface": recipe["surface"],
        "optimizers": tuple(optimizers),
        "n_steps": recipe["n_steps"],
        "start": recipe.get("start"),
        "caption": recipe.get("caption", ""),
        "title": recipe.get("title", ""),
    }


# ------------------------------------------------------------------ reading a file


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different (JSON itself would keep the last of two)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} is given twice in one object")
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"JSON has no {name}; a recipe holds finite numbers only")


class _LongInteger(NamedTuple):
    """An integer in a recipe too long to read as a number (Python refuses over 4300 digits)."""

    digits: int


def _read_integer(text: str) -> int | _LongInteger:
    return int(text) if len(text) <= 20 else _LongInteger(len(text.lstrip("-")))


def _long_integer_at(value: Any, path: str, depth: int = 0) -> str | None:
    """The path of the first over-long integer in ``value`` (see :class:`_LongInteger`);
    deeper than any recipe goes (which is refused later anyway), it stops looking."""
    if isinstance(value, _LongInteger):
        return path
    if depth > 2 * MAX_JSON_DEPTH:
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _long_integer_at(item, f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]", depth + 1)
        if found is not None:
            return found
    return None


def read_recipe(path: str | os.PathLike[str], *, where: str | None = None) -> dict[str, Any]:
    """The JSON object in a recipe file, read with limits: at most
    :data:`~rmsprop_viz.scenes.limits.MAX_RECIPE_BYTES`, UTF-8, finite numbers only, each
    key once per object, nested at most :data:`~rmsprop_viz.scenes.limits.MAX_JSON_DEPTH`
    deep (checked again field by field by :func:`scene_fields`). Every problem is one
    ValueError line starting with ``where`` (the path by default).

    >>> read_recipe("no-such-recipe.json")
    Traceback (most recent call last):
    ...
    ValueError: no-such-recipe.json: no such file
    """
    path = Path(path)
    where = str(path) if where is None else where
    try:
        if path.is_dir():
            raise ValueError(f"{where}: is a directory, not a recipe file")
        with path.open("rb") as handle:
            raw = handle.read(MAX_RECIPE_BYTES + 1)
    except FileNotFoundError:
        raise ValueError(f"{where}: no such file") from None
    except OSError as error:
        raise ValueError(f"{where}: cannot read it ({error.strerror or error})") from None
    if len(raw) > MAX_RECIPE_BYTES:
        raise ValueError(f"{where}: too large for a recipe (the limit is MAX_RECIPE_BYTES = {MAX_RECIPE_BYTES} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{where}: not UTF-8 text (byte {error.start} is {raw[error.start]:#04x})") from None
    return parse_recipe(text, where=where)


def parse_recipe(text: str, *, where: str = "recipe") -> dict[str, Any]:
    """The JSON object in ``text``, read by the rules of :func:`read_recipe`: finite numbers
    only, each key once per object, no integer of more than 20 digits. Every problem is
    one ValueError line starting with ``where``.

    >>> parse_recipe('{"n_steps": 5, "n_steps": 6}')
    Traceback (most recent call last):
    ...
    ValueError: recipe: not valid JSON (the key 'n_steps' is given twice in one object)
    """
    try:
        data = json.loads(
            text, parse_constant=_reject_constant, parse_int=_read_integer, object_pairs_hook=_unique_keys
        )
    except json.JSONDecodeError as error:
        raise ValueError(f"{where}: not valid JSON ({error})") from None
    except RecursionError:
        raise ValueError(f"{where}: not a recipe: its JSON is nested too deeply") from None
    except ValueError as error:  # e.g. NaN, or an integer of thousands of digits
        raise ValueError(f"{where}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{where}: a recipe must be a JSON object, got {type(data).__name__}")
    long = _long_integer_at(data, "")
    if long is not None:
        raise ValueError(f"{where}: {long.lstrip('.')} is an integer of more than 20 digits; no setting is that large")
    return data


# ------------------------------------------------------------------ writing a file


def recipe_json(recipe: Mapping[str, Any]) -> str:
    """A recipe as the JSON text written beside a file: indented, UTF-8, ending in a newline.

    Numpy scalars and arrays become numbers and lists; NaN and infinity are refused (a
    ``ValueError``), as JSON has no such numbers.

    >>> print(recipe_json({"n_steps": np.int64(3), "start": np.array([1.0, -2.0])}), end="")
    {
      "n_steps": 3,
      "start": [
        1.0,
        -2.0
      ]
    }
    """
    if not isinstance(recipe, Mapping):
        raise ValueError(f"recipe must be a mapping (e.g. a dict) of settings, got {type(recipe).__name__}")
    try:
        return json.dumps(dict(recipe), indent=2, default=_jsonable, allow_nan=False, ensure_ascii=False) + "\n"
    except (TypeError, ValueError) as error:
        raise ValueError(f"recipe cannot be written as JSON: {error}") from None


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
