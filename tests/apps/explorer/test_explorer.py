"""The explorer, headless: set controls in code, check what was computed and drawn."""

from __future__ import annotations

import base64
import json
import pathlib
import re
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pytest
import readout_check as check  # tests/readout_check.py (tests/conftest.py puts tests/ on the path)
from matplotlib.backend_bases import MouseEvent

import rmsprop_viz as rv
from rmsprop_viz.apps import explorer as ex
from rmsprop_viz.engine.sweeps import best_cell
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.scenes import OptimizerSpec, Scene, surface_to_spec

BACKENDS = ["image", "ipympl"]


@pytest.fixture(params=BACKENDS)
def explorer(request: pytest.FixtureRequest) -> ex.Explorer:
    return rv.explore("rosenbrock", backend=request.param, n_steps=120)


def _path(e: ex.Explorer, key: str) -> np.ndarray:
    art = e.figure.paths[list(ex.FAMILIES).index(key)]
    return np.column_stack([art.line.get_xdata(), art.line.get_ydata()])


def test_alpha_recomputes_the_race_and_the_artists_hold_the_new_run(explorer: ex.Explorer) -> None:
    before = explorer.updates
    explorer.alpha_of.value = "rmsprop"
    explorer.alpha.value = 0.004
    assert explorer.updates == before + 1
    s = explorer.settings
    expected = rv.run(rv.Rosenbrock(), rv.rmsprop(s.lr["rmsprop"], beta=s.beta, eps=s.eps), start=s.start, n_steps=120)
    assert s.lr["rmsprop"] == pytest.approx(0.004, rel=1e-9)
    np.testing.assert_array_equal(explorer.results["rmsprop"].params, expected.params)
    np.testing.assert_array_equal(_path(explorer, "rmsprop"), expected.params[:, 0])
    # the other optimizers kept their own alphas
    assert explorer.results["adam"].params.shape == (121, 1, 2)
    assert "RMSProp: lr=0.004" in explorer.legend.value


def test_beta_and_epsilon_reach_the_optimizer(explorer: ex.Explorer) -> None:
    explorer.beta.value = 0.5
    explorer.epsilon.value = 1e-2
    explorer.eps_place.value = False
    s = explorer.settings
    opt = rv.rmsprop(s.lr["rmsprop"], beta=0.5, eps=1e-2, eps_in_sqrt=False)
    expected = rv.run(rv.Rosenbrock(), opt, start=s.start, n_steps=120)
    np.testing.assert_array_equal(explorer.results["rmsprop"].params, expected.params)
    np.testing.assert_array_equal(explorer.results["rmsprop"].states.v, expected.states.v)


def test_contours_are_drawn_again_only_for_a_new_surface(explorer: ex.Explorer) -> None:
    contours = explorer.figure.surface_artists.filled
    explorer.alpha.value = 0.02
    explorer.beta.value = 0.8
    explorer.frame.value = 10
    assert explorer.figure.surface_artists.filled is contours
    explorer.surface.value = "quadratic"
    assert explorer.figure.surface_artists.filled is not contours
    shown = {w.description for w in explorer.surface_box.children}
    assert shown == {"condition", "angle"}
    explorer.surface_params["quadratic"]["condition"].value = 50.0
    assert explorer.settings.surface["params"]["condition"] == pytest.approx(50.0)
    assert explorer.results["sgd"].params.shape[0] == 121


def test_toggling_an_optimizer_hides_its_artists(explorer: ex.Explorer) -> None:
    index = list(ex.FAMILIES).index("adagrad")
    explorer.toggles["adagrad"].value = False
    art = explorer.figure.paths[index]
    assert not art.line.get_visible()
    assert not art.head.get_visible()
    assert explorer.figure.losses is not None
    assert not explorer.figure.losses.lines[index].get_visible()
    assert "Adagrad" not in explorer.legend.value
    assert ">Adagrad</b>" not in explorer.readout.value
    explorer.toggles["adagrad"].value = True
    assert art.line.get_visible()
    assert "Adagrad" in explorer.legend.value


def test_a_click_on_the_surface_moves_the_start() -> None:
    e = rv.explore("rosenbrock", backend="ipympl", n_steps=50)
    ax = e.figure.ax
    x, y = ax.transData.transform((0.5, -0.25))
    event = MouseEvent("button_press_event", e.figure.fig.canvas, x, y, button=1)
    event._process()
    assert e.settings.start == pytest.approx((0.5, -0.25), abs=2e-3)
    assert (e.start_x.value, e.start_y.value) == pytest.approx(e.settings.start)
    for key, traj in e.results.items():
        if e.settings.enabled[key]:
            np.testing.assert_array_equal(traj.params[0, 0], e.settings.start)
    start_marker = e.figure.paths[0].start
    assert (start_marker.get_xdata()[0], start_marker.get_ydata()[0]) == pytest.approx(e.settings.start)


def test_number_fields_move_the_start_and_bad_ones_are_refused(explorer: ex.Explorer) -> None:
    explorer.start_x.value = -1.0
    assert explorer.settings.start[0] == -1.0
    assert explorer.results["sgd"].params[0, 0, 0] == -1.0
    explorer.start_y.value = 99.0  # outside the window
    assert explorer.settings.start == (-1.0, explorer.settings.start[1])
    assert explorer.start_y.value == explorer.settings.start[1]
    assert "must lie in the window" in explorer.status.value


def test_the_frame_slider_shows_a_step_and_the_readout_follows_it(explorer: ex.Explorer) -> None:
    explorer.frame.value = 7
    for key in ex.FAMILIES:
        assert len(_path(explorer, key)) == 8
    assert "Step 7" in explorer.readout.value
    g = explorer.results["rmsprop"].grads[6, 0]
    rows = _readout(explorer.readout.value)["rmsprop"]["rows"]
    assert float(rows["g"][1]) == pytest.approx(g[0], rel=5e-3)
    assert float(rows["g"][2]) == pytest.approx(g[1], rel=5e-3)
    assert explorer.figure.counter.get_text() == "step \u2007\u20077 / 120"  # padded with figure spaces


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


def test_shared_and_best_alpha_modes(explorer: ex.Explorer) -> None:
    explorer.mode.value = "shared"
    explorer.alpha.value = 0.002
    s = explorer.settings
    for key in ("sgd", "adagrad", "rmsprop", "adam"):
        spec = s.spec(key)
        assert spec.params["lr"] == pytest.approx(0.002)
        expected = rv.run(rv.Rosenbrock(), spec.build(), start=s.start, n_steps=120)
        np.testing.assert_array_equal(explorer.results[key].params, expected.params)
    assert explorer.alpha_of.disabled
    explorer.mode.value = "best"
    for key in ("sgd", "rmsprop"):
        finals = rv.sweep(rv.Rosenbrock(), ex._factory_of(s, key), grid={"lr": ex.BEST_LRS}, start=s.start, n_steps=120)
        best = best_cell(finals)
        assert best.index is not None
        i = best.index[0]
        assert s.best_lr[key] == ex.BEST_LRS[i]
        assert explorer.results[key].final_value[0] == pytest.approx(finals[i], rel=1e-9)
        # the chosen alpha and its neighbours in the sweep all converged
        assert np.isfinite(finals[max(i - 1, 0) : i + 2]).all()
    assert "its best alpha" in explorer.legend.value
    assert best.rule in explorer.legend.value  # the rule is shown beside the result


def test_callbacks_never_raise(explorer: ex.Explorer, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(ex, "race", broken)
    explorer.alpha.value = 0.05  # must not raise
    assert "simulated failure" in explorer.status.value
    monkeypatch.undo()
    explorer.alpha.value = 0.03
    assert "simulated failure" not in explorer.status.value


def test_recipe_rebuilds_the_same_race(explorer: ex.Explorer) -> None:
    explorer.toggles["sgd"].value = False
    explorer.beta.value = 0.95
    scene = Scene.from_recipe(json.loads(explorer.recipe.value))
    rebuilt = scene.run()
    assert [s.label for s in scene.optimizers] == ["Adagrad", "RMSProp", "Adam"]
    for key, traj in explorer.results.items():
        if explorer.settings.enabled[key]:
            np.testing.assert_array_equal(rebuilt[ex.FAMILIES[key][0]].params, traj.params)
    assert "SGD" not in rebuilt


def test_the_image_fallback_renders_a_png_of_the_figure() -> None:
    e = rv.explore("saddle", backend="image", n_steps=40)
    png = e.canvas_widget.value
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    before = png
    e.beta.value = 0.5
    assert e.canvas_widget.value != before
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(e.canvas_widget.value)) as image:
        assert image.size == e.figure.fig.canvas.get_width_height()


def test_initial_values_and_bad_ones() -> None:
    e = rv.explore(
        "ill-conditioned",
        backend="image",
        alpha=0.003,
        beta=0.99,
        epsilon=1e-6,
        optimizers=["rmsprop", "adam"],
        n_steps=30,
    )
    assert e.settings.surface["params"]["condition"] == 25.0
    assert e.settings.beta == 0.99
    assert e.settings.eps == 1e-6
    assert e.settings.lr["rmsprop"] == e.settings.lr["adam"] == 0.003
    assert e.results["rmsprop"].n_steps == 30
    assert [k for k, on in e.settings.enabled.items() if on] == ["rmsprop", "adam"]
    with pytest.raises(ValueError, match="unknown setting"):
        rv.explore(backend="image", speed=3)
    with pytest.raises(ValueError, match="backend"):
        rv.explore(backend="qt")
    with pytest.raises(ValueError, match="scene"):
        rv.explore("no-such-scene", backend="image")


def test_export_writes_the_animation_and_its_recipe(tmp_path: pathlib.Path) -> None:
    e = rv.explore("saddle", backend="image", n_steps=30, optimizers=["sgd", "rmsprop"])
    path = e.export(str(tmp_path / "mine.gif"), frames=6)
    from PIL import Image

    with Image.open(path) as gif:
        assert gif.n_frames == 6
    recipe = json.loads(path.with_suffix(".json").read_text())
    scene = Scene.from_recipe(recipe)
    assert [s.label for s in scene.optimizers] == ["SGD", "RMSProp"]
    np.testing.assert_array_equal(scene.run()["RMSProp"].params, e.results["rmsprop"].params)
    assert "Exported" in e.status.value
    # the button does the same with the file name typed beside it
    e.export_name.value = str(tmp_path / "button.png")
    e.export_button.click()
    assert (tmp_path / "button.png").exists()
    assert (tmp_path / "button.json").exists()


# ------------------------------------------------------------------ the readout


class _Tables(HTMLParser):
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


def _readout(html: str) -> dict[str, dict[str, Any]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _check_readout(e: ex.Explorer, step: int) -> dict[str, list[str]]:
    """Move to ``step``, parse the readout and redo every shown step from the shown numbers."""
    e.frame.value = step
    tables = _readout(e.readout.value)
    on = [k for k in ex.FAMILIES if e.settings.enabled[k]]
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


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_step_in_the_readout_can_be_recomputed_from_the_numbers_shown(variant: str) -> None:
    e = rv.explore("rosenbrock", backend="image", n_steps=90, optimizers=ALL, **VARIANTS[variant])
    for step in (1, 2, 45, 90):
        checked = _check_readout(e, step)
        assert all("step" in rows for rows in checked.values())
    tables = _readout(e.readout.value)
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
            _check_readout(e, step)
    table = _readout(e.readout.value)["sgd"]
    assert f"diverged at step {k}" in table["note"]
    assert f"SGD, step {k}" in table["caption"]


def test_the_readout_says_at_the_start_and_shows_no_minus_zero() -> None:
    e = rv.explore("rosenbrock", backend="image", n_steps=30, optimizers=["rmsprop", "adam"])
    e.frame.value = 0
    tables = _readout(e.readout.value)
    assert all(t["rows"] == {} and "at the start" in t["note"] for t in tables.values())


NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def _numbers(html: str) -> list[str]:
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"&lt;\s*\d(?:\.\d+)?e-\d+", " ", text)  # "< 1e-15": below resolution, said as such
    return NUMBER.findall(text)


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
            for number in _numbers(html):
                assert not re.fullmatch(r"-0(\.0*)?(e[-+]?\d+)?", number), (number, html[:200])
                if "e-" in number:
                    assert float(number) == 0 or abs(float(number)) >= 1e-17, number
    tables = _readout(e.readout.value)
    assert tables["sgd"]["rows"]["g"][1].startswith("<")


# ------------------------------------------------------------------ the legend


def _figure_legend(e: ex.Explorer) -> list[str]:
    legend = e.figure.ax.get_legend()
    return [t.get_text() for t in legend.get_texts() if t.get_text() != "minimum"]


def _html_legend(e: ex.Explorer) -> list[str]:
    return re.findall(r"</span> ([A-Za-z]+):", e.legend.value)


def _on(e: ex.Explorer) -> list[str]:
    return [ex.FAMILIES[k][0] for k in ex.FAMILIES if e.settings.enabled[k]]


def test_the_legends_list_exactly_the_optimizers_that_are_on(explorer: ex.Explorer) -> None:
    e = rv.explore("rosenbrock", backend=explorer.backend, n_steps=40, optimizers=["rmsprop", "adam"])
    assert _figure_legend(e) == _html_legend(e) == _on(e) == ["RMSProp", "Adam"]  # first open
    e.toggles["sgd"].value = True
    e.toggles["adam"].value = False
    assert _figure_legend(e) == _html_legend(e) == ["SGD", "RMSProp"]
    e.surface.value = "quadratic"  # a new surface draws a new figure
    assert _figure_legend(e) == _html_legend(e) == ["SGD", "RMSProp"]
    e.surface_params["quadratic"]["angle"].value = 30.0
    assert _figure_legend(e) == _html_legend(e) == ["SGD", "RMSProp"]
    e.preset.value = "ill-conditioned"  # a new scene: SGD and RMSProp race there
    expected = [s.label for s in rv.scenes.get("ill-conditioned").optimizers]
    assert _figure_legend(e) == _html_legend(e) == _on(e) == expected
    e.preset.value = "rosenbrock"
    assert _figure_legend(e) == _html_legend(e) == _on(e)
    assert len(_on(e)) >= 3
    # the hidden racers are hidden in every panel
    for i, key in enumerate(ex.FAMILIES):
        assert e.figure.paths[i].line.get_visible() == e.settings.enabled[key]


# ------------------------------------------------------------------ bad input


def test_all_optimizers_off_gives_a_message_and_an_empty_race(explorer: ex.Explorer) -> None:
    for toggle in explorer.toggles.values():
        toggle.value = False
    assert "Every optimizer is off" in explorer.status.value
    assert _figure_legend(explorer) == []
    assert not any(p.line.get_visible() for p in explorer.figure.paths)
    assert "every optimizer is off" in explorer.legend.value
    # later changes do not fail
    for change in (
        lambda: setattr(explorer.alpha, "value", 0.002),
        lambda: setattr(explorer.beta, "value", 0.8),
        lambda: setattr(explorer.frame, "value", 3),
        lambda: setattr(explorer.surface, "value", "saddle"),
        lambda: setattr(explorer.mode, "value", "best"),
    ):
        change()
        assert "Every optimizer is off" in explorer.status.value
        assert "Could not" not in explorer.status.value
    assert explorer.settings.surface["name"] == "saddle"
    explorer.export_name.value = "race.gif"
    explorer.export_button.click()
    assert "every optimizer is off" in explorer.status.value
    assert "Could not apply" not in explorer.status.value
    # and one toggled back on races again
    explorer.toggles["rmsprop"].value = True
    assert _figure_legend(explorer) == ["RMSProp"]
    assert explorer.figure.paths[list(ex.FAMILIES).index("rmsprop")].line.get_visible()
    assert explorer.results["rmsprop"].params[0, 0].tolist() == list(explorer.settings.start)
    assert "Every optimizer is off" not in explorer.status.value


def test_a_surface_parameter_that_cannot_be_drawn_is_refused_and_the_explorer_goes_on(
    explorer: ex.Explorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    explorer.surface.value = "quadratic"
    condition = explorer.surface_params["quadratic"]["condition"]
    good = dict(explorer.settings.surface)
    contours = explorer.figure.surface_artists.filled

    def refuse(name: str, **params: Any) -> Any:
        raise ValueError(f"condition must be a finite number in [1, 1e6], got {params['condition']!r}")

    monkeypatch.setattr(rv.surfaces, "get", refuse)
    old = condition.value
    condition.value = 500.0
    assert "condition" in explorer.status.value
    assert "Kept the previous surface" in explorer.status.value
    assert "\n" not in explorer.status.value
    assert condition.value == old
    assert explorer.settings.surface == good
    assert explorer.figure.surface_artists.filled is contours
    monkeypatch.undo()

    # a surface whose values are nowhere finite
    class Broken(rv.Quadratic):
        def value(self, points: Any, step: Any = 0) -> Any:
            return np.full(np.shape(points)[:-1], np.nan)

    monkeypatch.setattr(rv.surfaces, "get", lambda name, **params: Broken(**params))
    explorer.surface_params["quadratic"]["angle"].value = 45.0
    assert "angle = 45" in explorer.status.value
    assert "not finite" in explorer.status.value
    assert explorer.settings.surface == good
    monkeypatch.undo()

    # drawing itself fails (once): the last good surface is drawn again
    real = RaceFigure
    calls: list[int] = []

    def fails(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("simulated drawing failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(ex, "RaceFigure", fails)
    explorer.surface.value = "beale"
    assert "Cannot draw the surface beale" in explorer.status.value
    assert explorer.surface.value == "quadratic"
    monkeypatch.undo()
    # still usable
    explorer.surface.value = "saddle"
    assert explorer.settings.surface["name"] == "saddle"
    explorer.alpha.value = 0.003
    assert "Cannot" not in explorer.status.value
    assert explorer.results["rmsprop"].params[0, 0].tolist() == list(rv.surfaces.Saddle().default_start)


def test_exports_that_cannot_be_done_say_why_in_one_line(tmp_path: pathlib.Path) -> None:
    e = rv.explore("saddle", backend="image", n_steps=20, optimizers=["rmsprop"])
    for name, reason in (
        (str(tmp_path / "race.avi"), ".avi"),
        (str(tmp_path / "no" / "such" / "folder" / "race.gif"), "folder"),
        ("", ""),
    ):
        e.export_name.value = name
        e.export_button.click()  # never raises
        status = e.status.value
        assert "Could not export" in status, status
        assert reason in status
        assert "Traceback" not in status
        assert "\n" not in status
        assert e.download.value == ""
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="must end in one of"):
        e.export(str(tmp_path / "race.avi"))


def test_an_export_is_offered_to_the_browser_as_a_download(tmp_path: pathlib.Path) -> None:
    e = rv.explore("saddle", backend="image", n_steps=20, optimizers=["sgd", "adam"])
    e.export_name.value = str(tmp_path / "race.png")
    e.export_button.click()
    links = re.findall(r"<a download='([^']+)' href='data:([^;]+);base64,([^']+)'", e.download.value)
    assert [(name, mime) for name, mime, _ in links] == [("race.png", "image/png"), ("race.json", "application/json")]
    for name, _, data in links:
        assert base64.b64decode(data) == (tmp_path / name).read_bytes()


def test_a_click_next_to_zero_gives_zero_not_minus_zero() -> None:
    e = rv.explore("ill-conditioned", backend="ipympl", n_steps=20)
    x, y = e.figure.ax.transData.transform((-0.0002, 0.5))
    MouseEvent("button_press_event", e.figure.fig.canvas, x, y, button=1)._process()
    assert e.start_x.value == 0.0
    assert np.copysign(1.0, e.start_x.value) == 1.0
    assert np.copysign(1.0, e.settings.start[0]) == 1.0
    e.start_y.value = 50.0  # refused: the message names the window and the start kept, without "-0"
    assert "must lie in the window [-2, 2] x [-2, 2]; kept (0, 0.5)" in e.status.value


def _recipe_file(tmp_path: pathlib.Path, scene: Scene) -> pathlib.Path:
    path = tmp_path / "race.json"
    path.write_text(json.dumps(scene.to_recipe()))
    return path


def test_a_recipe_with_rmsprop_momentum_runs_with_that_momentum(tmp_path: pathlib.Path) -> None:
    scene = Scene(
        name="mine",
        surface=surface_to_spec(rv.Rosenbrock()),
        optimizers=(
            OptimizerSpec("rmsprop", {"lr": 0.01, "beta": 0.9, "momentum": 0.5}, label="RMSProp"),
            OptimizerSpec("adam", {"lr": 0.03}, label="Adam"),
        ),
        n_steps=60,
    )
    e = rv.explore(str(_recipe_file(tmp_path, scene)), backend="image")
    start = e.settings.start
    # the plain loop, with the recipe's numbers typed out here
    expected = rv.run(rv.Rosenbrock(), rv.rmsprop(0.01, beta=0.9, momentum=0.5), start=start, n_steps=60)
    np.testing.assert_array_equal(e.results["rmsprop"].params, expected.params)
    np.testing.assert_array_equal(e.results["rmsprop"].params, scene.run()["RMSProp"].params)
    assert e.rmsprop_momentum.value == 0.5
    assert "momentum=0.5" in e.legend.value.split("Adam")[0]  # RMSProp's entry says it
    rmsprop_table = e.readout.value.split("data-kind='rmsprop'")[1].split("</table>")[0]
    assert "<tr data-row='b'>" in rmsprop_table  # the readout has b = μ·b_prev + g/den
    assert "μ = 0.5" in rmsprop_table
    assert "has no place" not in e.status.value  # nothing of the recipe was left out
    # the control reaches the optimizer; 0 is RMSProp without momentum
    e.rmsprop_momentum.value = 0.0
    plain = rv.run(rv.Rosenbrock(), rv.rmsprop(0.01, beta=0.9), start=start, n_steps=60)
    np.testing.assert_array_equal(e.results["rmsprop"].params, plain.params)
    assert "momentum" not in e.legend.value.split("Adam")[0]


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_a_preset_with_two_rmsprops_says_which_one_the_explorer_shows() -> None:
    e = rv.explore("first-step", backend="image")
    status = _text(e.status.value)
    assert "two RMSProp runs (beta 0.99 and beta 0.9)" in status
    assert "the explorer shows one: beta 0.99" in status
    # what it says runs is what runs, and what the legend says
    expected = rv.run(rv.Quadratic(), rv.rmsprop(0.05, beta=0.99), start=e.settings.start, n_steps=e.settings.n_steps)
    np.testing.assert_array_equal(e.results["rmsprop"].params, expected.params)
    assert "RMSProp: lr=0.05, beta=0.99," in _text(e.legend.value)
    # the same through the preset menu, from another scene
    other = rv.explore("rosenbrock", backend="image", n_steps=30)
    assert "RMSProp runs" not in other.status.value
    other.preset.value = "first-step"
    assert "the explorer shows one: beta 0.99" in _text(other.status.value)
    # once the race is no longer the scene's, the note goes
    other.beta.value = 0.5
    assert "RMSProp runs" not in other.status.value


def test_a_hyperparameter_without_a_control_is_named_with_what_runs_instead(tmp_path: pathlib.Path) -> None:
    scene = Scene(
        name="mine",
        surface=surface_to_spec(rv.Quadratic()),
        optimizers=(
            OptimizerSpec("rmsprop", {"lr": 0.01, "initial_v": 0.5}, label="RMSProp"),
            OptimizerSpec("adam", {"lr": 0.02, "bias_correction": False}, label="Adam"),
        ),
        n_steps=30,
    )
    e = rv.explore(scene, backend="image")
    status = _text(e.status.value)
    assert "RMSProp's initial_v 0.5 has no place in the explorer: it runs with initial_v 0." in status
    assert "Adam's bias_correction False has no place in the explorer: it runs with bias_correction True." in status
    expected = rv.run(rv.Quadratic(), rv.rmsprop(0.01), start=e.settings.start, n_steps=30)
    np.testing.assert_array_equal(e.results["rmsprop"].params, expected.params)


def test_a_loaded_surface_parameter_outside_its_slider_is_kept_by_later_changes() -> None:
    scene = Scene(
        name="mine",
        surface={"name": "quadratic", "params": {"condition": 1e8, "angle": 0.0, "scale": 2.0}},
        optimizers=(OptimizerSpec("rmsprop", {"lr": 0.01}, label="RMSProp"),),
        n_steps=20,
    )
    e = rv.explore("rosenbrock", backend="image", n_steps=20)
    e.load(scene.to_recipe())
    condition = e.surface_params["quadratic"]["condition"]
    assert condition.value == 1e8  # the slider holds the loaded value (its range widened)
    e.surface_params["quadratic"]["angle"].value = 30.0
    assert e.settings.surface["params"] == {"condition": 1e8, "angle": 30.0, "scale": 2.0}
    expected = rv.run(rv.Quadratic(1e8, angle=30.0, scale=2.0), rv.rmsprop(0.01), start=e.settings.start, n_steps=20)
    np.testing.assert_array_equal(e.results["rmsprop"].params, expected.params)
    # a preset's parameter below its slider (scale 0.01) and one without a slider (shift)
    e.load("rescaled")
    assert e.surface_params["shifting"]["scale"].value == 0.01
    e.surface_params["shifting"]["at_step"].value = 50
    assert e.settings.surface["params"]["scale"] == 0.01
    assert e.settings.surface["params"]["shift"] == [2.0, -1.0]
    # an initial hyperparameter outside its slider survives a change of another one
    f = rv.explore("rosenbrock", backend="image", n_steps=20, beta=0.9999, epsilon=1e-14)
    f.alpha.value = 0.002
    assert (f.settings.beta, f.settings.eps) == (0.9999, 1e-14)
    assert (f.beta.value, f.epsilon.value) == (0.9999, 1e-14)


def test_the_readout_shows_no_subnormal_number() -> None:
    tiny = float(np.finfo(np.float64).tiny)
    e = rv.explore("saddle", backend="image", n_steps=400, optimizers=list(ex.FAMILIES), start=(1e-300, 1e-300))
    reports = e.reports(400)
    assert any(0.0 < abs(v) < tiny for r in reports.values() for row in r.rows for v in row.values)
    cells = re.findall(r"<td class='rv-[xy]'[^>]*>([^<]*)</td>", e.readout.value)
    assert len(cells) == 2 * sum(len(r.rows) for r in reports.values())
    for cell in cells:
        text = _text(cell)
        if text == "0":
            continue
        assert abs(float(text.removeprefix("< "))) >= tiny, text


def test_every_preset_races_in_the_explorer_as_the_scene_runs_it() -> None:
    # Adagrad's own epsilon (1e-10, outside the root) differs from RMSProp's (1e-8,
    # inside): each keeps its own until the shared epsilon controls are moved.
    for name in rv.scenes.names():
        scene = rv.scenes.get(name)
        e = rv.explore(name, backend="image")
        runs = scene.run()
        for key in ex.FAMILIES:
            if not e.settings.enabled[key]:
                continue
            label = next(s.label for s in scene.optimizers if ex.FAMILIES[key][0] in s.label)
            np.testing.assert_array_equal(e.results[key].params, runs[label].params, err_msg=f"{name}: {key}")
    e = rv.explore("rosenbrock", backend="image", n_steps=40)
    assert "Adagrad: lr=0.1, eps=1e-10, eps_in_sqrt=False" in _text(e.legend.value)
    e.epsilon.value = 1e-4  # the shared control now sets every optimizer's epsilon
    expected = rv.run(rv.Rosenbrock(), rv.adagrad(0.1, eps=1e-4), start=e.settings.start, n_steps=40)
    np.testing.assert_array_equal(e.results["adagrad"].params, expected.params)
    e.eps_place.value = False
    e.eps_place.value = True
    expected = rv.run(rv.Rosenbrock(), rv.adagrad(0.1, eps=1e-4, eps_in_sqrt=True), start=e.settings.start, n_steps=40)
    np.testing.assert_array_equal(e.results["adagrad"].params, expected.params)
    assert rv.explore("rosenbrock", backend="image", epsilon=1e-3).settings.spec("adagrad").params["eps"] == 1e-3
