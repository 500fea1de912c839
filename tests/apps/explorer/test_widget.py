"""The explorer widget, headless: set controls in code, check what was computed and drawn."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import numpy as np
import pytest
from _explorer_helpers import (
    factory_of,
    figure_legend,
    html_legend,
    on,
    path_of,
    readout,
    recipe_file,
)

import rmsprop_viz as rv
from rmsprop_viz.apps import explorer as ex
from rmsprop_viz.apps.explorer import canvas, widget
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.engine.best import best_cell
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.frames import add_counter
from rmsprop_viz.scenes import OptimizerSpec, Scene, surface_to_spec


def test_alpha_recomputes_the_race_and_the_artists_hold_the_new_run(explorer: ex.Explorer) -> None:
    before = explorer.updates
    explorer.alpha_of.value = "rmsprop"
    explorer.alpha.value = 0.004
    assert explorer.updates == before + 1
    s = explorer.settings
    expected = rv.run(rv.Rosenbrock(), rv.rmsprop(s.lr["rmsprop"], beta=s.beta, eps=s.eps), start=s.start, n_steps=120)
    assert s.lr["rmsprop"] == pytest.approx(0.004, rel=1e-9)
    np.testing.assert_array_equal(explorer.results["rmsprop"].params, expected.params)
    np.testing.assert_array_equal(path_of(explorer, "rmsprop"), expected.params[:, 0])
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


def test_toggling_an_optimizer_hides_its_artists(explorer: ex.Explorer) -> None:
    index = ex.KEYS.index("adagrad")
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
    for key in ex.KEYS:
        assert len(path_of(explorer, key)) == 8
    assert "Step 7" in explorer.readout.value
    g = explorer.results["rmsprop"].grads[6, 0]
    rows = readout(explorer.readout.value)["rmsprop"]["rows"]
    assert float(rows["g"][1]) == pytest.approx(g[0], rel=5e-3)
    assert float(rows["g"][2]) == pytest.approx(g[1], rel=5e-3)
    assert add_counter(explorer.figure).text.get_text() == "step \u2007\u20077 / 120"  # padded with figure spaces


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
    # the documented grid: 26 learning rates from 1e-5 to 1, log-spaced, 3 significant digits
    lrs = np.array([float(f"{v:.3g}") for v in np.geomspace(1e-5, 1.0, 26)])
    for key in ("sgd", "rmsprop"):
        finals = rv.sweep(rv.Rosenbrock(), factory_of(s, key), grid={"lr": lrs}, start=s.start, n_steps=120)
        best = best_cell(finals)
        assert best.index is not None
        i = best.index[0]
        assert s.best_lr[key] == lrs[i]
        assert explorer.results[key].final_value[0] == pytest.approx(finals[i], rel=1e-9)
        # the chosen alpha and its neighbours in the sweep all converged
        assert np.isfinite(finals[max(i - 1, 0) : i + 2]).all()
    assert "its best alpha" in explorer.legend.value
    assert "of 26 values from 1e-05 to 1," in explorer.legend.value
    assert best.rule in explorer.legend.value  # the rule is shown beside the result


def test_callbacks_never_raise(explorer: ex.Explorer, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(widget, "race", broken)
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
            np.testing.assert_array_equal(rebuilt[KINDS[key].label].params, traj.params)
    assert "SGD" not in rebuilt


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


def test_the_legends_list_exactly_the_optimizers_that_are_on(explorer: ex.Explorer) -> None:
    e = rv.explore("rosenbrock", backend=explorer.backend, n_steps=40, optimizers=["rmsprop", "adam"])
    assert figure_legend(e) == html_legend(e) == on(e) == ["RMSProp", "Adam"]  # first open
    e.toggles["sgd"].value = True
    e.toggles["adam"].value = False
    assert figure_legend(e) == html_legend(e) == ["SGD", "RMSProp"]
    e.surface.value = "quadratic"  # a new surface draws a new figure
    assert figure_legend(e) == html_legend(e) == ["SGD", "RMSProp"]
    e.surface_params["quadratic"]["angle"].value = 30.0
    assert figure_legend(e) == html_legend(e) == ["SGD", "RMSProp"]
    e.preset.value = "ill-conditioned"  # a new scene: SGD and RMSProp race there
    expected = [s.label for s in rv.scenes.get("ill-conditioned").optimizers]
    assert figure_legend(e) == html_legend(e) == on(e) == expected
    e.preset.value = "rosenbrock"
    assert figure_legend(e) == html_legend(e) == on(e)
    assert len(on(e)) >= 3
    # the hidden racers are hidden in every panel
    for i, key in enumerate(ex.KEYS):
        assert e.figure.paths[i].line.get_visible() == e.settings.enabled[key]


def test_all_optimizers_off_gives_a_message_and_an_empty_race(explorer: ex.Explorer) -> None:
    for toggle in explorer.toggles.values():
        toggle.value = False
    assert "Every optimizer is off" in explorer.status.value
    assert figure_legend(explorer) == []
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
    assert figure_legend(explorer) == ["RMSProp"]
    assert explorer.figure.paths[ex.KEYS.index("rmsprop")].line.get_visible()
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

    monkeypatch.setattr(canvas, "RaceFigure", fails)
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
    e = rv.explore(str(recipe_file(tmp_path, scene)), backend="image")
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
