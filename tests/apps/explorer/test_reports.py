"""What the explorer says: the readout can be redone from its numbers, the status line
explains, the download link holds the file."""

from __future__ import annotations

import base64
import pathlib
import re

import numpy as np
import pytest
from _explorer_helpers import (
    ALL,
    VARIANTS,
    check_readout,
    numbers,
    plain_text,
    readout,
)

import rmsprop_viz as rv
from rmsprop_viz.apps import explorer as ex
from rmsprop_viz.apps.explorer import reports as texts
from rmsprop_viz.apps.explorer.settings import settings_from_scene
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.scenes import OptimizerSpec, Scene, surface_to_spec


def test_divergence_is_explained_and_the_view_stays(explorer: ex.Explorer) -> None:
    limits = (explorer.figure.ax.get_xlim(), explorer.figure.ax.get_ylim())
    explorer.alpha_of.value = "sgd"
    explorer.alpha.value = 0.01
    k = int(explorer.results["sgd"].diverged_at[0])
    assert k > 0
    assert f"SGD diverged at step {k}" in explorer.status.value
    assert "2/L" in explorer.status.value
    assert (explorer.figure.ax.get_xlim(), explorer.figure.ax.get_ylim()) == limits
    assert explorer.figure.paths[0].note.get_visible()


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_step_in_the_readout_can_be_recomputed_from_the_numbers_shown(variant: str) -> None:
    e = rv.explore("rosenbrock", backend="image", n_steps=90, optimizers=ALL, **VARIANTS[variant])
    for step in (1, 2, 45, 90):
        checked = check_readout(e, step)
        assert all("step" in rows for rows in checked.values())
    tables = readout(e.readout.value)
    formulas = {key: {name: row[0] for name, row in t["rows"].items()} for key, t in tables.items()}
    assert formulas["adam"]["step"] == "−α·m̂ / den"
    assert formulas["sgd"]["step"] == "−α·g"
    assert ("d" in formulas["momentum"]) == (variant == "nesterov")
    assert ("ḡ" in formulas["rmsprop"]) == (variant == "centered")
    assert ("v_max" in formulas["adam"]) == (variant == "amsgrad")
    # Adam's shown step has the sign of -alpha * m-hat, the opposite of its m-hat
    rows = tables["adam"]["rows"]
    for c in (1, 2):
        assert float(rows["step"][c]) * float(rows["m̂"][c]) < 0


def test_the_readout_after_a_divergence_shows_the_step_that_left() -> None:
    e = rv.explore("rosenbrock", backend="image", n_steps=60, optimizers=ALL)
    e.alpha_of.value = "sgd"
    e.alpha.value = 0.004  # SGD leaves the window after a few steps
    k = int(e.results["sgd"].diverged_at[0])
    assert 0 < k < 60
    for step in (k - 1, k, k + 1, 60):
        if step >= 1:
            check_readout(e, step)
    table = readout(e.readout.value)["sgd"]
    assert f"diverged at step {k}" in table["note"]
    assert f"SGD, step {k}" in table["caption"]


def test_the_readout_says_at_the_start_and_shows_no_minus_zero() -> None:
    e = rv.explore("rosenbrock", backend="image", n_steps=30, optimizers=["rmsprop", "adam"])
    e.frame.value = 0
    tables = readout(e.readout.value)
    assert all(t["rows"] == {} and "at the start" in t["note"] for t in tables.values())


def test_values_below_float64_resolution_and_minus_zero_are_never_shown() -> None:
    # Gradient descent on a round bowl reaches the minimum up to rounding, then x shrinks
    # towards 1e-300: the explorer says "at the minimum" instead of printing such numbers.
    bowl = Scene(
        "bowl",
        surface_to_spec(rv.Quadratic(condition=1.0)),
        (OptimizerSpec("sgd", {"lr": 0.45}), OptimizerSpec("adam", {"lr": 0.05})),
        n_steps=200,
        start=(1.5, -1.0),
    )
    e = rv.explore(bowl, backend="image")
    assert e.results["sgd"].final_value[0] < 1e-90  # the case in point
    assert "at the minimum" in e.status.value
    for step in (1, 100, 200):
        e.frame.value = step
        for html in (e.status.value, e.readout.value, e.legend.value):
            for number in numbers(html):
                assert not re.fullmatch(r"-0(\.0*)?(e[-+]?\d+)?", number), (number, html[:200])
                if "e-" in number:
                    assert float(number) == 0 or abs(float(number)) >= 1e-17, number
    tables = readout(e.readout.value)
    assert tables["sgd"]["rows"]["g"][1].startswith("<")


def test_the_readout_shows_no_subnormal_number() -> None:
    tiny = float(np.finfo(np.float64).tiny)
    e = rv.explore("saddle", backend="image", n_steps=400, optimizers=list(ex.KEYS), start=(1e-300, 1e-300))
    reports = e.reports(400)
    assert any(0.0 < abs(v) < tiny for r in reports.values() for row in r.rows for v in row.values)
    cells = re.findall(r"<td class='rv-[xy]'[^>]*>([^<]*)</td>", e.readout.value)
    assert len(cells) == 2 * sum(len(r.rows) for r in reports.values())
    for cell in cells:
        text = plain_text(cell)
        if text == "0":
            continue
        assert abs(float(text.removeprefix("< "))) >= tiny, text


def test_an_export_is_offered_to_the_browser_as_a_download(tmp_path: pathlib.Path) -> None:
    e = rv.explore("saddle", backend="image", n_steps=20, optimizers=["sgd", "adam"])
    e.export_name.value = str(tmp_path / "race.png")
    e.export_button.click()
    links = re.findall(r"<a download='([^']+)' href='data:([^;]+);base64,([^']+)'", e.download.value)
    assert [(name, mime) for name, mime, _ in links] == [("race.png", "image/png"), ("race.json", "application/json")]
    for name, _, data in links:
        assert base64.b64decode(data) == (tmp_path / name).read_bytes()


def test_the_legend_colours_each_optimizer_by_its_kind_not_its_label() -> None:
    s, _ = settings_from_scene(rv.scenes.get("rosenbrock"))
    s.enabled = {k: True for k in ex.KEYS}
    html = texts.legend_html(s)
    shown = re.findall(r"color:(#[0-9A-F]{6}); font-size:18px'>&#9632;</span> ([A-Za-z]+):", html)
    by_kind = [(KINDS[k].label, KINDS[k].style.color) for k in ex.KEYS]
    assert [(label, colour) for colour, label in shown] == by_kind
    assert len({colour for _, colour in by_kind}) == len(by_kind)
    s.enabled = {k: False for k in ex.KEYS}
    assert "every optimizer is off" in texts.legend_html(s)


def test_html_special_characters_are_escaped_and_subscripts_drawn() -> None:
    assert texts.escape("<b>&") == "&lt;b&gt;&amp;"
    assert texts.symbol("v_prev") == "v<sub>prev</sub>"
    assert texts.symbol("v_max") == "v<sub>max</sub>"
    assert texts.status_html("a < b", error=True) == "<span style='color:#b00020; font-size: 14px'>a &lt; b</span>"
    assert texts.one_line(ValueError("first line\nsecond")) == "first line"


def test_a_file_too_large_is_named_not_offered(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.gif"
    path.write_bytes(b"GIF89a" + bytes(2000))
    monkeypatch.setattr(texts, "MAX_DOWNLOAD_BYTES", 1000)
    link = texts.download_link(path)
    assert "too large to offer here" in link
    assert "href" not in link
    monkeypatch.undo()
    assert base64.b64decode(re.findall(r"base64,([^']+)'", texts.download_link(path))[0]) == path.read_bytes()


def test_the_summary_names_the_lowest_loss_and_each_divergence() -> None:
    s, _ = settings_from_scene(rv.scenes.get("rosenbrock"))
    surface = rv.Rosenbrock()
    n = s.n_steps  # the summary says how many steps the runs took
    runs = {k: rv.run(surface, s.spec(k).build(), start=s.start, n_steps=n, label=s.spec(k).label) for k in ex.KEYS}
    shown = {k: t for k, t in runs.items() if s.enabled[k]}
    best = min(shown, key=lambda k: float(shown[k].values[-1, 0]))
    text, bad = texts.race_summary(s, runs, surface, floor=0.0, scale=1.0)
    assert not bad
    assert text.startswith(f"Nobody diverged. Lowest loss after {s.n_steps} steps: {shown[best].label}, f - f* = ")
    s.lr["sgd"] = 0.01  # above 2/L at the start: SGD leaves the window
    runs["sgd"] = rv.run(surface, s.spec("sgd").build(), start=s.start, n_steps=n, label="SGD")
    k = int(runs["sgd"].diverged_at[0])
    text, bad = texts.race_summary(s, runs, surface, floor=0.0, scale=1.0)
    assert bad
    assert text.startswith(f"SGD diverged at step {k}: its alpha 0.01 is above 2/L = ")


def test_the_status_measures_the_gap_from_the_minimum_after_the_surface_changed() -> None:
    # From step 20 the loss is 3 f(p - shift): its minimum is 3 times the base's (a
    # least-squares residual, not zero), not the lowest value drawn at step 0.
    base = rv.surfaces.MiniBatchLeastSquares()
    surface = rv.surfaces.Shifting(base, at_step=20, scale=3.0, shift=(0.3, -0.2))
    scene = Scene("moved", surface_to_spec(surface), (OptimizerSpec("adam", {"lr": 0.05}),), n_steps=120)
    e = rv.explore(scene, backend="image")
    floor = 3.0 * float(base.value(np.asarray(base.minima[0], dtype=np.float64)))
    gap = float(e.results["adam"].final_value[0]) - floor
    assert 0 < gap < floor  # a gap measured from the old floor would be larger than floor
    shown = float(re.findall(r"f - f\* = ([0-9.e+-]+)\.", e.status.value)[0])
    np.testing.assert_allclose(shown, gap, rtol=5e-3)  # 3 significant digits
