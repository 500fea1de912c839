"""The explorer, headless: set controls in code, check what was computed and drawn."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent

import rmsprop_viz as rv
from rmsprop_viz import explorer as ex
from rmsprop_viz.scenes import Scene

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
    assert ex._fmt(float(g[0])) in explorer.readout.value
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
        assert s.best_lr[key] == ex.BEST_LRS[int(np.nanargmin(finals))]
        assert explorer.results[key].final_value[0] == pytest.approx(np.nanmin(finals), rel=1e-9)
    assert "its best alpha" in explorer.legend.value


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
