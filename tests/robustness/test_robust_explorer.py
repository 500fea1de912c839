"""The explorer, headless: setting a control never raises; a message on the status line
names what was wrong, and the explorer stays usable."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
from _robustness import assert_one_line, assert_refused_in_child, assert_value_error, recipe

import rmsprop_viz as rv
from rmsprop_viz.apps import explorer as ex


def status(e: ex.Explorer) -> str:
    """The status line as plain text."""
    return html.unescape(re.sub(r"<[^>]+>", "", e.status.value)).strip()


@pytest.fixture
def explorer() -> ex.Explorer:
    return ex.explore("saddle", backend="image", n_steps=30)


def _all_off(e: ex.Explorer) -> None:
    for toggle in e.toggles.values():
        toggle.value = False


def test_all_optimizers_off_says_so_and_shows_an_empty_race(explorer: ex.Explorer) -> None:
    _all_off(explorer)
    text = status(explorer)
    assert "optimizer" in text.lower(), text
    assert_one_line(text)
    assert not any(path.line.get_visible() for path in explorer.figure.paths)


def test_all_off_then_other_controls_raise_no_error(explorer: ex.Explorer) -> None:
    _all_off(explorer)
    explorer.alpha.value = 0.02
    explorer.beta.value = 0.5
    explorer.steps.value = 40
    explorer.frame.value = 3
    explorer.mode.value = "best"
    explorer.surface.value = "quadratic"
    text = status(explorer)
    assert "Could not" not in text, text
    assert "optimizer" in text.lower(), text
    assert not any(path.line.get_visible() for path in explorer.figure.paths)


def test_all_off_then_one_back_on_races_again(explorer: ex.Explorer) -> None:
    _all_off(explorer)
    explorer.alpha.value = 0.02
    explorer.toggles["rmsprop"].value = True
    index = ex.KEYS.index("rmsprop")
    assert explorer.figure.paths[index].line.get_visible()
    assert explorer.results["rmsprop"].n_steps == 30
    assert "Could not" not in status(explorer)
    scene = json.loads(explorer.recipe.value)
    assert [o["label"] for o in scene["optimizers"]] == ["RMSProp"]


def test_all_off_then_export_says_why_and_writes_nothing(explorer: ex.Explorer, tmp_path: Path) -> None:
    _all_off(explorer)
    explorer.export_name.value = str(tmp_path / "race.gif")
    explorer.export_button.click()
    text = assert_one_line(status(explorer))
    assert "optimizer" in text.lower(), text
    assert list(tmp_path.iterdir()) == []


IMPOSSIBLE: dict[str, tuple[str, str, float]] = {
    "quadratic-condition": ("quadratic", "condition", 1e300),
    "rosenbrock-b": ("rosenbrock", "b", 1e300),
    "shifting-scale": ("shifting", "scale", 1e300),
    "noisy-sigma": ("noisy", "sigma", 1e300),
}


def _force(control: Any, value: float) -> None:
    """Set a control beyond the range its slider offers (as a script may)."""
    if isinstance(control, widgets.FloatLogSlider):
        control.max = 300
    else:
        control.max = value
    control.value = value


@pytest.mark.parametrize("case", list(IMPOSSIBLE))
def test_a_surface_that_cannot_be_drawn_is_named_and_the_last_good_one_kept(case: str) -> None:
    name, param, value = IMPOSSIBLE[case]
    e = rv.explore(backend="image", n_steps=20)
    e.surface.value = name
    good = json.loads(json.dumps(e.settings.surface))
    _force(e.surface_params[name][param], value)
    text = status(e)
    if e.settings.surface != good:  # it was drawn: then it is a real picture, and no error
        assert "Could not" not in text, text
        return
    assert param in text, text
    assert_one_line(text)
    before = e.updates
    e.alpha.value = 0.002
    assert e.updates > before
    assert e.settings.surface == good
    assert "Could not" not in status(e), status(e)


def test_extreme_slider_positions_raise_nothing(explorer: ex.Explorer) -> None:
    for control, values in (
        (explorer.alpha, (explorer.alpha.min, 10.0**explorer.alpha.max)),
        (explorer.beta, (explorer.beta.min, explorer.beta.max)),
        (explorer.epsilon, (10.0**explorer.epsilon.min, 10.0**explorer.epsilon.max)),
        (explorer.momentum, (explorer.momentum.min, explorer.momentum.max)),
        (explorer.beta1, (explorer.beta1.min, explorer.beta1.max)),
        (explorer.beta2, (explorer.beta2.min, explorer.beta2.max)),
        (explorer.steps, (explorer.steps.min, explorer.steps.max)),
    ):
        for value in values:
            control.value = value
            assert "Could not" not in status(explorer), (control.description, value, status(explorer))
    explorer.mode.value = "best"
    assert "Could not" not in status(explorer), status(explorer)


@pytest.mark.parametrize("name", rv.surfaces.names())
def test_every_surface_control_at_both_ends_raises_nothing(name: str) -> None:
    e = ex.explore(backend="image", n_steps=30)
    e.surface.value = name
    assert "Could not" not in status(e), status(e)
    for control in e.surface_params.get(name, {}).values():
        for value in (control.min, control.max):
            control.value = 10.0**value if isinstance(control, widgets.FloatLogSlider) else value
            assert "Could not" not in status(e), (control.description, value, status(e))
    e.alpha.value = 0.01
    assert "Could not" not in status(e), status(e)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("race.xyz", ".gif"), ("no/such/folder/race.gif", "folder"), ("", ".gif"), ("race", ".gif")],
    ids=["suffix", "folder", "empty", "no-suffix"],
)
def test_an_export_that_cannot_be_done_says_why(
    name: str, expected: str, explorer: ex.Explorer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    explorer.export_name.value = name
    explorer.export_button.click()  # must not raise
    text = assert_one_line(status(explorer))
    assert expected in text, text
    for word in ("Error:", "Traceback", "Exception", "object has no attribute"):
        assert word not in text, text
    assert list(tmp_path.iterdir()) == []


def test_export_through_the_api_refuses_an_unknown_suffix(explorer: ex.Explorer, tmp_path: Path) -> None:
    assert_value_error(lambda: explorer.export(str(tmp_path / "race.xyz")), ".xyz")
    assert list(tmp_path.iterdir()) == []


def test_a_start_that_is_not_a_number_is_refused(explorer: ex.Explorer) -> None:
    good = explorer.settings.start
    explorer.start_x.value = float("nan")
    assert explorer.settings.start == good
    assert "start" in status(explorer).lower()


INITIAL: dict[str, tuple[dict[str, Any], str]] = {
    "alpha-text": ({"alpha": "fast"}, "alpha"),
    "beta-two": ({"beta": 2.0}, "beta"),
    "start-one-number": ({"start": (1.0,)}, "start"),
    "start-text": ({"start": "ab"}, "start"),
    "optimizers-unknown": ({"optimizers": ["lbfgs"]}, "lbfgs"),
    "mode-unknown": ({"mode": "fastest"}, "mode"),
    "n_steps-text": ({"n_steps": "many"}, "n_steps"),
    "epsilon-negative": ({"epsilon": -1.0}, "eps"),
}


@pytest.mark.parametrize("case", list(INITIAL))
def test_bad_initial_values(case: str) -> None:
    values, name = INITIAL[case]
    assert_value_error(lambda: rv.explore("saddle", backend="image", **values), name)


def test_a_recipe_file_with_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(json.dumps(recipe(caption="caf\u00e9"), ensure_ascii=False).encode("latin-1"))
    message = assert_value_error(lambda: rv.explore(str(path), backend="image"))
    assert "bad.json" in message or "scene" in message, message


def test_a_recipe_with_a_wrong_type() -> None:
    assert_value_error(lambda: rv.explore(recipe(n_steps="5"), backend="image"), "n_steps")


def test_a_huge_step_count_is_refused() -> None:
    assert_refused_in_child(lambda: rv.explore("saddle", backend="image", n_steps=10**9), "n_steps", above=1e9)
