"""The explorer's lecture-hall modes, headless: presentation, hide, captions, step by step,
the sensitivity map and the live canvas's messages back (frame, start), set in code and
checked against runs and formulas worked out here."""

from __future__ import annotations

import re

import numpy as np
import pytest
from _explorer_helpers import plain_text

import rmsprop_viz as rv
from rmsprop_viz.apps import explorer as ex
from rmsprop_viz.apps.explorer.layout import GROUPS


def test_presentation_mode_is_larger_and_wider() -> None:
    normal = rv.explore("rosenbrock", n_steps=50)
    big = rv.explore("rosenbrock", n_steps=50, present=True)
    assert "rv-present" in big._dom_classes
    assert "rv-present" not in normal._dom_classes
    assert big.view.widget.present
    assert not normal.view.widget.present
    # the still picture is drawn for a projector's width, with larger text and lines
    assert big.view.widget.size == [1920, 1080]
    assert normal.view.widget.size == [1280, 720]
    assert big.figure.ax.title.get_fontsize() > normal.figure.ax.title.get_fontsize()
    assert big.figure.paths[0].line.get_linewidth() > normal.figure.paths[0].line.get_linewidth()
    # the button switches it, both ways
    normal.present_toggle.value = True
    assert "rv-present" in normal._dom_classes
    assert normal.view.widget.size == [1920, 1080]
    normal.present_toggle.value = False
    assert normal.view.widget.size == [1280, 720]


def test_hide_hides_groups_of_controls_and_names_a_bad_one() -> None:
    e = rv.explore("rosenbrock", n_steps=20, hide=["surface", "export", "advanced"])
    for group in ("surface", "export", "advanced"):
        for name in GROUPS[group]:
            assert getattr(e, name).layout.display == "none", name
    assert e.alpha.layout.display != "none"
    e.alpha.value = 0.02  # a hidden group changes nothing else
    assert e.settings.lr["rmsprop"] == 0.02
    with pytest.raises(ValueError, match="hide: unknown group 'sliders'; known: scene, caption"):
        rv.explore("rosenbrock", hide=["sliders"])


def test_a_scene_shows_its_caption_until_the_race_changes() -> None:
    e = rv.explore("bias-correction")
    scene = rv.scenes.get("bias-correction")
    text = plain_text(e.caption.value)
    assert scene.title in text
    assert scene.caption in text
    assert "changed since" not in text
    assert e.alpha_of.value == "adam"  # alpha sets a run that is shown
    e.alpha.value = 0.02
    assert e.settings.lr["adam"] == 0.02
    assert "changed since" in plain_text(e.caption.value)
    e.preset.value = "eps-place"
    assert rv.scenes.get("eps-place").caption in plain_text(e.caption.value)
    assert "changed since" not in plain_text(e.caption.value)


def test_a_slider_rounding_a_loaded_value_changes_nothing() -> None:
    e = rv.explore("first-step")  # alpha 0.05: the log slider's nearest position is 0.0501
    before = e.updates
    e.alpha.value = 10 ** (-1.30)  # what the front end sends back when it shows the slider
    assert e.settings.lr["rmsprop"] == 0.05
    assert e.updates == before
    e.alpha.value = 10 ** (-1.25)  # one step of the slider: a change
    assert e.settings.lr["rmsprop"] == pytest.approx(0.0562)


def test_the_canvas_reports_the_frame_and_the_dragged_start() -> None:
    e = rv.explore("rosenbrock", n_steps=100)
    canvas = e.view.widget
    canvas.frame = 7  # Play stopped at step 7 in the browser
    assert e.figure.current == 7
    assert "Step 7:" in plain_text(e.readout.value)
    canvas.start = [0.5, 2.0]  # the start mark dropped there
    assert e.settings.start == (0.5, 2.0)
    expected = rv.run(rv.Rosenbrock(), rv.adam(0.03), start=(0.5, 2.0), n_steps=100)
    np.testing.assert_array_equal(e.results["adam"].params, expected.params)
    assert (e.start_x.value, e.start_y.value) == (0.5, 2.0)
    canvas.start = [50.0, 2.0]  # outside the window: refused in one line, the race stays
    assert e.settings.start == (0.5, 2.0)
    assert "The start must lie in the window" in plain_text(e.status.value)


def test_step_by_step_shows_the_next_step_and_hides_it_until_revealed() -> None:
    e = rv.explore("first-step")
    mode = e.steps_mode
    mode.which.value = "rmsprop"
    mode.toggle.value = True
    assert mode.box.layout.display == "flex"
    assert e.figure.current == 0
    # at the start, the next step is RMSProp's first: lr * g / sqrt((1 - beta) g^2 + eps)
    g = np.array([0.2, 10 * 0.1])  # the bowl's gradient at (0.2, 0.1), by hand
    first = -0.05 * g / np.sqrt(0.01 * g**2 + 1e-8)
    overlays = e.view.widget.overlays
    step = next(o for o in overlays if o["type"] == "arrow" and o["label"].startswith("step"))
    factor = float(re.search(r"× ([0-9.]+)", step["label"]).group(1))
    np.testing.assert_allclose([step["x1"] - step["x0"], step["y1"] - step["y0"]], factor * first, rtol=1e-9)
    assert not step["hidden"]
    caption = mode.caption.value
    assert "0.2" in caption
    assert "\\sqrt" in caption
    mode.next.click()
    assert (mode.t, e.figure.current) == (1, 1)
    mode.prev.click()
    mode.prev.click()  # never before the start
    assert mode.t == 0
    # predict, then reveal: the step's arrow is hidden and the caption asks for it
    mode.predict.value = True
    step = next(o for o in e.view.widget.overlays if o["label"].startswith("step"))
    assert step["hidden"]
    assert not e.view.widget.revealed
    assert "predict it" in mode.caption.value
    assert not mode.reveal.disabled
    mode.reveal.click()
    assert e.view.widget.revealed
    assert "predict it" not in mode.caption.value
    mode.next.click()  # the next step is hidden again
    assert not e.view.widget.revealed
    mode.toggle.value = False
    assert e.view.widget.overlays == []


def test_the_sensitivity_map_follows_the_race_and_a_click_runs_a_cell() -> None:
    e = rv.explore("rosenbrock", n_steps=200)
    panel = e.sensitivity
    panel.toggle.value = True
    smap = panel.smap
    assert smap is not None
    assert smap.kind == "rmsprop"
    assert smap.decay == "beta"
    assert smap.n_steps == 200
    assert panel.canvas.cells["nx"] == len(smap.lrs)
    assert len(panel.canvas.cell_rgba) == smap.values.size * 4
    assert "the star" in plain_text(panel.summary.value) or "none is starred" in plain_text(panel.summary.value)
    # a click on a cell races RMSProp at that cell's learning rate and beta
    i, j = 3, 10
    lr, beta = smap.setting(i, j)
    panel.canvas.clicked = {"panel": "map", "x": lr, "y": -np.log10(1 - beta), "seq": 1}
    assert e.settings.lr["rmsprop"] == lr
    assert e.settings.beta == beta
    expected = rv.run(rv.Rosenbrock(), rv.rmsprop(lr, beta=beta), start=e.settings.start, n_steps=200)
    np.testing.assert_array_equal(e.results["rmsprop"].params, expected.params)
    # the map follows a new start: its cells are the runs from there
    before = panel.smap
    e.start_x.value = -1.0
    assert panel.smap is not before
    assert not np.array_equal(panel.smap.values, before.values, equal_nan=True)


def test_each_ones_best_alpha_finds_a_variants_own_best() -> None:
    e = rv.explore("first-step", mode="best")
    for key in ("rmsprop", "rmsprop:2"):
        assert key in e.settings.best_lr, key
    found = rv.engine.sweeps.best_lr(
        rv.Quadratic(), "rmsprop", start=e.settings.start, n_steps=e.settings.n_steps, params={"beta": 0.9}
    )
    assert e.settings.best_lr["rmsprop:2"] == found.lr


def test_every_lane_keeps_its_colour_in_the_explorers_export(tmp_path: object) -> None:
    e = rv.explore("first-step")
    assert ex.KEYS == ("sgd", "momentum", "adagrad", "rmsprop", "adam")
    # the variant's colour is a spare clear of every kind in the figure, Momentum's blue too
    assert e.colors["rmsprop:2"] not in {e.colors[k] for k in ex.KEYS}
    assert e.figure.paths[5].line.get_color() == e.colors["rmsprop:2"]


def test_a_fast_slider_message_races_its_value_and_is_always_answered() -> None:
    e = rv.explore("rosenbrock", n_steps=60)
    answers: list[object] = []
    e.view.widget.send = lambda content, buffers=None: answers.append(content)  # what goes to the browser
    apply = e._guarded(e._on_hyper)
    e.lecture.on_fast({"type": "fast", "values": {"fast_alpha": 0.02, "fast_beta": 0.8}}, apply)
    assert answers == [{"type": "raced"}]
    assert e.settings.lr["rmsprop"] == 0.02
    assert e.settings.beta == 0.8
    expected = rv.run(rv.Rosenbrock(), rv.rmsprop(0.02, beta=0.8), start=e.settings.start, n_steps=60)
    np.testing.assert_array_equal(e.results["rmsprop"].params, expected.params)
    updates = e.updates
    e.beta.value = 0.8  # the slider's own, slower sync of the same value: nothing to do
    assert e.updates == updates
    # a bad value is refused in one line and still answered; other messages are not ours
    e.lecture.on_fast({"type": "fast", "values": {"fast_epsilon": -1.0}}, apply)
    assert answers[-1] == {"type": "raced"}
    assert len(answers) == 2
    assert e.settings.eps == 1e-8
    e.lecture.on_fast({"type": "other"}, apply)
    assert len(answers) == 2


def test_a_new_race_asks_the_browser_to_keep_the_last_one_as_its_ghost() -> None:
    e = rv.explore("rosenbrock", n_steps=50)
    canvas = e.view.widget
    e.alpha.value = 0.02
    assert canvas.ghost_previous  # the ghost: what the browser showed until now
    assert canvas.ghost == b""  # not sent again
    e.ghost.value = False
    e.alpha.value = 0.03
    assert not canvas.ghost_previous
