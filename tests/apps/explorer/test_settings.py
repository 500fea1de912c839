"""The explorer's settings: scenes in and out, and which factory parameter each setting sets."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest
from _explorer_helpers import plain_text

import rmsprop_viz as rv
from rmsprop_viz.apps import explorer as ex
from rmsprop_viz.apps.explorer.settings import KEYS, Settings, apply_initial, settings_from_scene
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.scenes import OptimizerSpec, Scene, surface_to_spec


@pytest.mark.parametrize("backend", ["live", "image"])
def test_a_scene_with_two_runs_of_one_optimizer_races_both(backend: str) -> None:
    e = rv.explore("first-step", backend=backend)
    scene = rv.scenes.get("first-step")
    runs = scene.run()
    lanes = [k for k in e.settings.lanes() if e.settings.enabled[k]]
    assert lanes == ["rmsprop", "adam", "rmsprop:2"]
    # each lane runs what the scene runs: beta 0.99 first, then the variant with beta 0.9
    for key, label in (("rmsprop", "RMSProp, beta 0.99"), ("rmsprop:2", "RMSProp, beta 0.9"), ("adam", "Adam")):
        np.testing.assert_array_equal(e.results[key].params, runs[label].params, err_msg=key)
    assert e.settings.spec("rmsprop:2").params["beta"] == 0.9
    assert e.settings.spec("rmsprop").params["beta"] == 0.99
    # named apart in the legends and drawn in two different colours
    legend = plain_text(e.legend.value)
    assert "RMSProp (β 0.99): lr=0.05, beta=0.99" in legend
    assert "RMSProp (β 0.9): lr=0.05, beta=0.9" in legend
    assert e.colors["rmsprop"] != e.colors["rmsprop:2"]
    assert "RMSProp runs" not in plain_text(e.status.value)
    # the shared beta slider moves the kind's own run; the variant keeps its own beta
    e.beta.value = 0.5
    assert e.settings.spec("rmsprop").params["beta"] == 0.5
    assert e.settings.spec("rmsprop:2").params["beta"] == 0.9
    expected = rv.run(rv.Quadratic(), rv.rmsprop(0.05, beta=0.9), start=e.settings.start, n_steps=e.settings.n_steps)
    np.testing.assert_array_equal(e.results["rmsprop:2"].params, expected.params)
    # and the epsilon slider moves both
    e.epsilon.value = 1e-3
    assert e.settings.spec("rmsprop:2").params["eps"] == e.settings.spec("rmsprop").params["eps"] == 1e-3


def test_variants_are_added_set_and_removed() -> None:
    e = rv.explore("rosenbrock", backend="live", n_steps=40)
    e.variants.kind.value = "adam"
    e.variants.add.click()
    assert "adam:2" in e.settings.lanes()
    assert e.settings.spec("adam:2").params["bias_correction"] is False
    expected = rv.run(rv.Rosenbrock(), rv.adam(0.03, bias_correction=False), start=e.settings.start, n_steps=40)
    np.testing.assert_array_equal(e.results["adam:2"].params, expected.params)
    assert "adam:2" in e.toggles
    assert len(e.figure.paths) == 6
    # its own epsilon, set in its row
    row = e.variants.rows.children[0]
    eps = next(c for c in row.children if getattr(c, "description", "") == "ε")
    eps.value = 0.1
    assert e.settings.spec("adam:2").params["eps"] == 0.1
    assert e.settings.spec("adam").params["eps"] == 1e-8
    eps.value = 5.0  # out of range: refused in one line, nothing raised
    assert "ε must be a number in (0, 1]" in plain_text(e.status.value)
    assert e.settings.spec("adam:2").params["eps"] == 0.1
    # removed
    remove = row.children[-1]
    remove.click()
    assert "adam:2" not in e.settings.lanes()
    assert len(e.figure.paths) == 5


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
    status = plain_text(e.status.value)
    assert "RMSProp's initial_v 0.5 has no place in the explorer: it runs with initial_v 0." in status
    assert "Adam's bias_correction False has no place in the explorer: it runs with bias_correction True." in status
    expected = rv.run(rv.Quadratic(), rv.rmsprop(0.01), start=e.settings.start, n_steps=30)
    np.testing.assert_array_equal(e.results["rmsprop"].params, expected.params)


def test_every_preset_races_in_the_explorer_as_the_scene_runs_it() -> None:
    # Adagrad's own epsilon (1e-10, outside the root) differs from RMSProp's (1e-8,
    # inside): each keeps its own until the shared epsilon controls are moved.
    for name in rv.scenes.names():
        scene = rv.scenes.get(name)
        e = rv.explore(name, backend="image")
        runs = scene.run()
        for key in ex.KEYS:
            if not e.settings.enabled[key]:
                continue
            label = next(s.label for s in scene.optimizers if KINDS[key].label in s.label)
            np.testing.assert_array_equal(e.results[key].params, runs[label].params, err_msg=f"{name}: {key}")
    e = rv.explore("rosenbrock", backend="image", n_steps=40)
    assert "Adagrad: lr=0.1, eps=1e-10, eps_in_sqrt=False" in plain_text(e.legend.value)
    e.epsilon.value = 1e-4  # the shared control now sets every optimizer's epsilon
    expected = rv.run(rv.Rosenbrock(), rv.adagrad(0.1, eps=1e-4), start=e.settings.start, n_steps=40)
    np.testing.assert_array_equal(e.results["adagrad"].params, expected.params)
    e.eps_place.value = False
    e.eps_place.value = True
    expected = rv.run(rv.Rosenbrock(), rv.adagrad(0.1, eps=1e-4, eps_in_sqrt=True), start=e.settings.start, n_steps=40)
    np.testing.assert_array_equal(e.results["adagrad"].params, expected.params)
    assert rv.explore("rosenbrock", backend="image", epsilon=1e-3).settings.spec("adagrad").params["eps"] == 1e-3


def test_importing_the_settings_loads_no_widgets() -> None:
    code = (
        "import sys; import rmsprop_viz.apps.explorer.settings as s; "
        "s.settings_from_scene(s.resolve_scene('rosenbrock')); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'ipympl')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _settings(**changes: object) -> Settings:
    s = Settings({"name": "quadratic"}, (1.0, 1.0), 10, {k: True for k in KEYS}, {k: 0.01 for k in KEYS})
    for name, value in changes.items():
        setattr(s, name, value)
    return s


def test_beta_is_rmsprops_decay_only_and_epsilon_goes_to_the_adaptive_optimizers() -> None:
    s = _settings(beta=0.5, eps=1e-3, beta1=0.8, beta2=0.99)
    specs = {k: s.spec(k) for k in KEYS}
    # the CLI's --beta and the explorer's beta: RMSProp's beta and no other optimizer's
    assert [k for k, spec in specs.items() if 0.5 in spec.params.values()] == ["rmsprop"]
    assert specs["rmsprop"].params["beta"] == 0.5
    assert (specs["adam"].params["beta1"], specs["adam"].params["beta2"]) == (0.8, 0.99)
    assert "beta" not in specs["adam"].params
    assert [k for k, spec in specs.items() if spec.params.get("eps") == 1e-3] == ["adagrad", "rmsprop", "adam"]
    assert specs["sgd"].params == {"lr": 0.01}
    assert specs["momentum"].params == {"lr": 0.01, "momentum": 0.9}
    # and the optimizer built runs with them: RMSProp's first step is lr * g / sqrt((1 - beta) g^2 + eps)
    g = 3.0
    opt = specs["rmsprop"].build()
    step = float(opt.update(np.array(g), opt.init(np.array(0.0)))[0])
    assert step == pytest.approx(-0.01 * g / np.sqrt(0.5 * g * g + 1e-3), rel=1e-12)


def test_switches_are_passed_only_when_on_and_nesterov_only_with_momentum() -> None:
    off = _settings()
    assert "centered" not in off.spec("rmsprop").params
    assert "momentum" not in off.spec("rmsprop").params
    assert "amsgrad" not in off.spec("adam").params
    assert "nesterov" not in off.spec("momentum").params
    on = _settings(centered=True, rmsprop_momentum=0.5, amsgrad=True, nesterov=True)
    assert on.spec("rmsprop").params["centered"] is True
    assert on.spec("rmsprop").params["momentum"] == 0.5
    assert on.spec("adam").params["amsgrad"] is True
    assert on.spec("momentum").params["nesterov"] is True
    assert "nesterov" not in _settings(nesterov=True, momentum=0.0).spec("momentum").params


def test_a_scene_round_trips_through_the_settings() -> None:
    for name in rv.scenes.names():
        settings, _ = settings_from_scene(rv.scenes.get(name))
        again, _notes = settings_from_scene(settings.scene())
        for key in KEYS:
            if settings.enabled[key]:
                assert again.spec(key) == settings.spec(key), (name, key)
        assert again.enabled == settings.enabled


def test_a_shared_change_ends_an_optimizers_own_epsilon() -> None:
    s, _ = settings_from_scene(rv.scenes.get("rosenbrock"))
    assert s.spec("adagrad").params["eps"] == 1e-10  # the scene's own
    s.share("beta", 0.5)
    assert s.spec("adagrad").params["eps"] == 1e-10
    s.share("eps", 1e-4)
    assert s.spec("adagrad").params["eps"] == s.spec("rmsprop").params["eps"] == 1e-4


def test_bad_initial_settings_name_the_setting() -> None:
    s, _ = settings_from_scene(rv.scenes.get("rosenbrock"))
    for key, value, words in (
        ("beta", 1.0, "beta must be a finite number in [0, 1)"),
        ("epsilon", 0.0, "epsilon"),
        ("optimizers", ["lbfgs"], "unknown 'lbfgs'"),
        ("mode", "fast", "mode must be one of each, shared, best"),
        ("speed", 3, "unknown setting 'speed'"),
    ):
        with pytest.raises(ValueError, match=re.escape(words)):
            apply_initial(s, key, value)
