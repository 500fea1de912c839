"""Styles by kind of optimizer, titles that fit their panels, and one function per mark."""

from __future__ import annotations

import pytest

import rmsprop_viz as rv
from rmsprop_viz import plotting
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.plotting import RaceFigure, style_for


def test_styles_are_fixed_per_optimizer_and_distinct_within_a_figure() -> None:
    assert style_for("rmsprop") == plotting.STYLES["rmsprop"] == KINDS["rmsprop"].style
    assert style_for("momentum").color != style_for("sgd").color
    surface = rv.Quadratic()
    race = rv.race(
        surface,
        {"RMSProp, eps in": rv.rmsprop(0.02), "RMSProp, eps out": rv.rmsprop(0.02, eps_in_sqrt=False)},
        n_steps=10,
    )
    fig = RaceFigure(surface, race)
    colors = [p.line.get_color() for p in fig.paths]
    assert colors[0] == plotting.STYLES["rmsprop"].color
    assert colors[0] != colors[1]
    legend = [t.get_text() for t in fig.ax.get_legend().get_texts()]
    assert "RMSProp, eps out" in legend


# The explorer's figure size, and a small export: 640 x 480.
TITLE_SIZES = [(11.0, 6.2), (6.4, 4.8)]


TITLE_SURFACES = [
    *(rv.surfaces.get(name) for name in rv.surfaces.names()),
    rv.Quadratic(condition=1000, angle=45),
    rv.surfaces.get("noisy", base="shifting"),  # nested: the longest titles
]


def _balanced(line: str) -> bool:
    depth = 0
    for char in line:
        depth += (char in "([{") - (char in ")]}")
        if depth < 0:
            return False
    return depth == 0


def _overlaps(a, b) -> bool:
    return a.x0 < b.x1 - 0.5 and b.x0 < a.x1 - 0.5 and a.y0 < b.y1 - 0.5 and b.y0 < a.y1 - 0.5


@pytest.mark.parametrize("figsize", TITLE_SIZES)
@pytest.mark.parametrize("surface", TITLE_SURFACES, ids=lambda s: repr(s)[:40])
def test_titles_fit_their_panels(surface: rv.Surface, figsize: tuple[float, float]) -> None:
    race = rv.race(surface, {"SGD": rv.sgd(0.001), "Adam": rv.adam(0.01)}, n_steps=5)
    for three_d in (False, True):
        fig = RaceFigure(surface, race, figsize=figsize, dpi=100, three_d=three_d)
        fig.fig.canvas.draw()
        renderer = fig.fig.canvas.get_renderer()
        page = fig.fig.bbox
        for ax in fig.fig.axes:
            title = ax.title.get_window_extent(renderer)
            assert ax.title.get_text()
            # inside the figure, not cut at its edge
            inside = [page.x0 - 0.5 <= title.x0, title.x1 <= page.x1 + 0.5, page.y0 - 0.5 <= title.y0]
            assert all([*inside, title.y1 <= page.y1 + 0.5]), (ax.title.get_text(), title, page)
            assert ax.title.get_fontsize() >= 9
            # never wrapped inside brackets: "(x, y)" stays on one line
            assert all(map(_balanced, ax.title.get_text().split("\n"))), ax.title.get_text()
            for other in fig.fig.axes:
                if other is not ax:  # clear of every other panel, its labels and its title
                    assert not _overlaps(title, other.get_tightbbox(renderer)), (ax.title.get_text(), other)
