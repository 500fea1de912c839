"""Styles by kind of optimizer, titles that fit their panels, and one function per mark."""

from __future__ import annotations

import colorsys
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

import rmsprop_viz as rv
from rmsprop_viz import plotting
from rmsprop_viz.core.kinds import KINDS, SPARE_STYLES
from rmsprop_viz.engine.best import best_cell
from rmsprop_viz.plotting import RaceFigure, style, style_for, styles_for


def test_styles_are_fixed_per_optimizer_and_distinct_within_a_figure() -> None:
    assert style_for("rmsprop") == KINDS["rmsprop"].style
    assert style_for("momentum").color != style_for("sgd").color
    surface = rv.Quadratic()
    race = rv.race(
        surface,
        {"RMSProp, eps in": rv.rmsprop(0.02), "RMSProp, eps out": rv.rmsprop(0.02, eps_in_sqrt=False)},
        n_steps=10,
    )
    fig = RaceFigure(surface, race)
    colors = [p.line.get_color() for p in fig.paths]
    assert colors[0] == KINDS["rmsprop"].style.color
    assert colors[0] != colors[1]
    legend = [t.get_text() for t in fig.ax.get_legend().get_texts()]
    assert "RMSProp, eps out" in legend


def _hue_gap(a: str, b: str) -> float:
    """Degrees between the hues of two colours, computed here with colorsys alone."""
    hue = [colorsys.rgb_to_hsv(*(int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)))[0] * 360 for c in (a, b)]
    gap = abs(hue[0] - hue[1])
    return min(gap, 360 - gap)


def _saturation(color: str) -> float:
    red, green, blue = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.0 if max(red, green, blue) == min(red, green, blue) else 1.0


@pytest.mark.parametrize(
    "run_kinds",
    [
        ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"],
        ["rmsprop", "rmsprop", "adam"],  # the first-step scene: two RMSProps and Adam
        ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "rmsprop", "adam", ""],
        ["", "momentum", "rmsprop", "rmsprop", "momentum"],
    ],
)
def test_no_two_runs_of_a_figure_share_a_hue(run_kinds: list[str]) -> None:
    """One hue per run: two hues at least 30 degrees apart (no "two oranges", no "two
    blues"); greys (black included) apart in lightness."""
    chosen = styles_for(run_kinds)
    # the first run of each kind keeps its kind's own style
    firsts = {kind: chosen[run_kinds.index(kind)] for kind in run_kinds if kind}
    assert all(firsts[kind] == KINDS[kind].style for kind in firsts)
    assert len({s.marker for s in chosen}) == len(chosen)
    colours = [s.color for s in chosen]
    for i, a in enumerate(colours):
        for b in colours[:i]:
            if _saturation(a) and _saturation(b):
                assert _hue_gap(a, b) >= 30, (a, b)
            else:
                assert a != b
                lightness = [colorsys.rgb_to_hls(*(int(c[k : k + 2], 16) / 255 for k in (1, 3, 5)))[1] for c in (a, b)]
                assert _saturation(a) != _saturation(b) or abs(lightness[0] - lightness[1]) >= 0.25, (a, b)


def test_the_old_clashes_are_gone() -> None:
    """RMSProp and Adam were "two oranges", SGD and Momentum "two blues"."""
    assert _hue_gap(style_for("rmsprop").color, style_for("adam").color) >= 30
    assert not _saturation(style_for("sgd").color)  # SGD black: no hue to share with Momentum's blue
    # A second RMSProp takes the first spare, a sky blue, unless Momentum's blue is in the
    # figure: then the next spare.
    assert styles_for(["rmsprop", "rmsprop"])[1] == SPARE_STYLES[0]
    assert styles_for(["momentum", "rmsprop", "rmsprop"])[2] == SPARE_STYLES[1]


def _own_optimizer() -> rv.Optimizer:
    """Plain gradient descent written by hand: an optimizer of no kind."""
    return rv.Optimizer(lambda params: (), lambda grads, state: (-0.05 * grads, state))


@pytest.mark.parametrize("three_d", [False, True])
def test_runs_are_styled_by_their_kind_never_by_their_label(three_d: bool) -> None:
    surface = rv.Quadratic()
    # labels that say nothing of the optimizer, or the wrong thing
    optimizers = {"A": rv.adam(0.05), "SGD?": rv.sgd(0.05, momentum=0.9), "mine": _own_optimizer()}
    optimizers |= {"Adam": rv.adam(0.01), "B": rv.sgd(0.05)}
    race = rv.race(surface, optimizers, n_steps=10)
    assert [t.kind for t in race.values()] == ["adam", "momentum", "", "adam", "sgd"]
    fig = RaceFigure(surface, race, three_d=three_d)
    paths = fig.paths or fig.paths_3d
    expected = [
        KINDS["adam"].style,
        KINDS["momentum"].style,
        SPARE_STYLES[1],  # an optimizer of the user's own: a spare (violet: the sky blue is Momentum's hue)
        SPARE_STYLES[2],  # a second Adam: the next spare clear of every hue, never another kind's style
        KINDS["sgd"].style,
    ]
    assert [p.line.get_color() for p in paths] == [s.color for s in expected]
    assert [p.head.get_marker() for p in paths] == [s.marker for s in expected]
    assert fig.losses is not None
    assert [line.get_color() for line in fig.losses.lines] == [s.color for s in expected]
    assert [h.get_marker() for h in fig.losses.heads if h is not None] == [s.marker for s in expected]
    if not three_d:
        assert [p.line.get_linestyle() for p in paths][:2] == ["--", "--"]  # Adam's and Momentum's dashes


def _marks_drawn(monkeypatch: pytest.MonkeyPatch) -> list[Line2D]:
    """Record every line the mark functions (draw_minimum, draw_start, draw_divergence) make."""
    drawn: list[Line2D] = []
    real = style._plot

    def spy(*args: Any, **kwargs: Any) -> Line2D:
        line = real(*args, **kwargs)
        drawn.append(line)
        return line

    monkeypatch.setattr(style, "_plot", spy)
    return drawn


def _diverging_race(three_d: bool) -> Figure:
    surface = rv.Rosenbrock()
    race = rv.race(surface, {"SGD": rv.sgd(0.01), "Adam": rv.adam(0.05)}, n_steps=40)  # SGD diverges
    return RaceFigure(surface, race, three_d=three_d).fig


def _sweep(one_d: bool) -> Figure:
    lrs = np.array([0.05, 0.1, 0.15, 0.25, 0.4])
    grid = {"lr": lrs} if one_d else {"lr": lrs, "momentum": np.array([0.0, 0.5])}
    values = rv.sweep(rv.Quadratic(), rv.sgd, grid=grid, n_steps=100)  # the largest rates diverge
    return plotting.sweep_figure(grid, values, None, "final", best_cell(values), n_steps=100)


@pytest.mark.parametrize(
    ("make", "marks"),
    [
        (lambda: _diverging_race(False), {"minimum", "start", "divergence"}),
        (lambda: _diverging_race(True), {"minimum", "start", "divergence"}),
        (lambda: _sweep(False), {"minimum"}),
        (lambda: _sweep(True), {"minimum", "divergence"}),
    ],
    ids=["2-D race", "3-D race", "sweep map", "1-D sweep"],
)
def test_every_star_circle_and_cross_is_drawn_by_its_one_function(
    monkeypatch: pytest.MonkeyPatch, make: Any, marks: set[str]
) -> None:
    drawn = _marks_drawn(monkeypatch)
    fig = make()
    found = set()
    for ax in fig.axes:
        for line in ax.get_lines():
            if line.get_marker() == style.MINIMUM["marker"]:
                found.add("minimum")
            elif line.get_marker() == style.DIVERGENCE_CROSS["marker"]:
                found.add("divergence")
            elif line.get_marker() == style.START["marker"] and line.get_markerfacecolor() == "white":
                found.add("start")
            else:
                continue
            assert any(line is mark for mark in drawn), (line.get_marker(), line)
    assert found == marks


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
