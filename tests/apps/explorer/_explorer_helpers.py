"""Helpers shared by the explorer's tests: read what the explorer shows back as data."""

from __future__ import annotations

import functools
import json
import pathlib
import re
from html.parser import HTMLParser
from typing import Any

import numpy as np
import readout_check as check  # tests/readout_check.py (tests/conftest.py puts tests/ on the path)

from rmsprop_viz.apps import explorer as ex
from rmsprop_viz.core import optimizers
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.scenes import Scene


def factory_of(settings: ex.Settings, key: str) -> Any:
    """``lr -> optimizer`` for ``key`` at the other current settings, built here from the spec."""
    spec = settings.spec(key)
    return functools.partial(optimizers.get(spec.factory), **{k: v for k, v in spec.params.items() if k != "lr"})


def path_of(e: ex.Explorer, key: str) -> np.ndarray:
    art = e.figure.paths[ex.KEYS.index(key)]
    return np.column_stack([art.line.get_xdata(), art.line.get_ydata()])


class Tables(HTMLParser):
    """The readout's tables as text, the way a reader sees them (subscripts as ``_sub``)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, Any]] = {}
        self._table: dict[str, Any] | None = None
        self._cells: list[str] | None = None
        self._row = ""
        self._inside: set[str] = set()  # "caption", "constants", "note"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-kind"):
            self._table = {"caption": "", "constants": "", "note": "", "rows": {}}
            self.tables[str(a["data-kind"])] = self._table
        elif self._table is None:
            return
        elif tag == "caption":
            self._inside.add("caption")
        elif tag == "span" and a.get("class") == "rv-constants":
            self._inside.add("constants")
        elif tag == "i" and a.get("class") == "rv-note":
            self._inside.add("note")
        elif tag == "tr" and a.get("data-row"):
            self._row, self._cells = str(a["data-row"]), []
        elif tag == "td" and self._cells is not None:
            self._cells.append("")
        elif tag == "sub" and self._cells:
            self._cells[-1] += "_"

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "caption":
            self._inside.clear()
        elif tag == "span":
            self._inside.discard("constants")
        elif tag == "i":
            self._inside.discard("note")
        elif tag == "tr" and self._cells is not None and self._table is not None:
            _name, formula, x, y = self._cells
            self._table["rows"][self._row] = (formula.removeprefix("= ").replace(",", "_"), x, y)
            self._cells = None

    def handle_data(self, data: str) -> None:
        if self._table is None:
            return
        if self._cells is not None and self._cells:
            self._cells[-1] += data
        else:
            for part in self._inside:
                self._table[part] += data


def readout(html: str) -> dict[str, dict[str, Any]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def check_readout(e: ex.Explorer, step: int) -> dict[str, list[str]]:
    """Move to ``step``, parse the readout and redo every shown step from the shown numbers."""
    e.frame.value = step
    tables = readout(e.readout.value)
    on = [k for k in ex.KEYS if e.settings.enabled[k]]
    assert list(tables) == on
    checked = {}
    for key, table in tables.items():
        spec = e.settings.spec(key)
        checked[key] = check.check_step(spec.factory, spec.params, check.constants(table["constants"]), table["rows"])
    return checked


ALL = ["sgd", "momentum", "adagrad", "rmsprop", "adam"]


VARIANTS: dict[str, dict[str, Any]] = {
    "plain": {},
    "eps-outside": {"eps_in_sqrt": False, "epsilon": 1e-2},
    "eps-inside-large": {"eps_in_sqrt": True, "epsilon": 1e-2},
    "nesterov": {"nesterov": True},
    "centered": {"centered": True},
    "amsgrad": {"amsgrad": True},
}


NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def numbers(html: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"&lt;\s*\d(?:\.\d+)?e-\d+", " ", text)  # "< 1e-15": below resolution, said as such
    return NUMBER.findall(text)


def figure_legend(e: ex.Explorer) -> list[str]:
    legend = e.figure.ax.get_legend()
    return [t.get_text() for t in legend.get_texts() if t.get_text() not in ("minimum", "start")]


def html_legend(e: ex.Explorer) -> list[str]:
    return re.findall(r"</span> ([A-Za-z]+):", e.legend.value)


def on(e: ex.Explorer) -> list[str]:
    return [KINDS[k].label for k in ex.KEYS if e.settings.enabled[k]]


def recipe_file(tmp_path: pathlib.Path, scene: Scene) -> pathlib.Path:
    path = tmp_path / "race.json"
    path.write_text(json.dumps(scene.to_recipe()))
    return path


def plain_text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
