"""The explorer's controls, built from tables: each control reaches its setting and holds values outside its range."""

from __future__ import annotations

import dataclasses

import ipywidgets as widgets
import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.apps.explorer.controls import (
    HYPERPARAMETERS,
    STEPS,
    SURFACE_CONTROLS,
    ControlSpec,
    hold,
    make,
    read,
    toggle_button,
)
from rmsprop_viz.apps.explorer.settings import KEYS, Settings
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.scenes import OptimizerSpec, Scene, surface_from_spec


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


def test_every_hyperparameter_control_sets_its_field_and_reaches_the_optimizer() -> None:
    e = rv.explore("rosenbrock", backend="image", n_steps=10, optimizers=list(KEYS))
    fields = {f.name for f in dataclasses.fields(Settings)}
    moved = {
        "beta": 0.5,
        "epsilon": 1e-3,
        "eps_place": False,
        "momentum": 0.3,
        "beta1": 0.7,
        "beta2": 0.95,
        "rmsprop_momentum": 0.2,
        "nesterov": True,
        "centered": True,
        "amsgrad": True,
    }
    assert set(moved) == {spec.name for spec in HYPERPARAMETERS}
    for spec in HYPERPARAMETERS:
        assert spec.field in fields
        control = e.hyper[spec.name]
        assert getattr(e, spec.name) is control
        assert control.description == spec.description
        control.value = moved[spec.name]
        assert getattr(e.settings, spec.field) == moved[spec.name]
    # what the optimizers run with, typed out by hand
    assert e.settings.spec("rmsprop").params == {
        "lr": e.settings.lr["rmsprop"],
        "beta": 0.5,
        "eps": 1e-3,
        "eps_in_sqrt": False,
        "centered": True,
        "momentum": 0.2,
    }
    assert e.settings.spec("adam").params == {
        "lr": e.settings.lr["adam"],
        "beta1": 0.7,
        "beta2": 0.95,
        "eps": 1e-3,
        "amsgrad": True,
    }
    assert e.settings.spec("momentum").params == {"lr": e.settings.lr["momentum"], "momentum": 0.3, "nesterov": True}
    expected = rv.run(
        rv.Rosenbrock(),
        rv.adam(e.settings.lr["adam"], beta1=0.7, beta2=0.95, eps=1e-3, amsgrad=True),
        start=e.settings.start,
        n_steps=10,
    )
    np.testing.assert_array_equal(e.results["adam"].params, expected.params)


def test_every_surface_control_names_a_parameter_of_its_surface() -> None:
    for name, specs in SURFACE_CONTROLS.items():
        assert name in rv.surfaces.names()
        for spec in specs:
            surface = surface_from_spec({"name": name, "params": {spec.name: spec.default}})
            assert getattr(surface, spec.name) == spec.default, (name, spec.name)
            control = make(spec)
            assert control.value == spec.default
            assert control.description == spec.name


def test_make_builds_the_kind_of_control_its_row_names() -> None:
    log = make(ControlSpec("x", "log", -2, 1, default=0.5))
    assert isinstance(log, widgets.FloatLogSlider)
    assert (log.min, log.max, log.base, log.value) == (-2, 1, 10, 0.5)
    assert isinstance(make(ControlSpec("n", "int", 1, 9, default=3)), widgets.IntSlider)
    assert isinstance(make(ControlSpec("f", "float", 0, 2, 0.5, default=1.0)), widgets.FloatSlider)
    assert isinstance(make(ControlSpec("t", "toggle", default=True)), widgets.Checkbox)
    choice = make(ControlSpec("c", "choice", options=(("a", 1), ("b", 2)), default=2, width="60px"))
    assert isinstance(choice, widgets.ToggleButtons)
    assert choice.value == 2
    assert not make(ControlSpec("f", "float", 0, 2, default=1.0)).continuous_update
    with pytest.raises(ValueError, match="kind must be one of"):
        make(ControlSpec("z", "dial"))
    assert read(STEPS, make(STEPS, 40)) == 40
    assert type(read(STEPS, make(STEPS, 40))) is int


def test_hold_widens_a_slider_to_the_value_instead_of_clamping() -> None:
    log = make(ControlSpec("x", "log", -2, 1, default=0.5))
    hold(log, 1e-7)
    assert (log.value, log.min, log.max) == (1e-7, -7, 1)
    hold(log, 300.0)
    assert (log.value, log.max) == (300.0, 3)  # 10**3 >= 300
    steps = make(STEPS, 30)
    hold(steps, 5000)
    assert (steps.value, steps.max) == (5000, 5000)
    beta = make(HYPERPARAMETERS[0], 0.9)
    hold(beta, 0.9999)
    assert (beta.value, beta.max, beta.readout_format) == (0.9999, 0.9999, ".6g")
    hold(beta, -0.5)
    assert (beta.value, beta.min) == (-0.5, -0.5)


def test_each_toggle_shows_its_run_in_its_colour_and_reads_at_wcag_aa() -> None:
    # Every toggle's text reads at >= 4.5:1 on the white, light-grey (off) and darker-grey
    # (on) buttons of JupyterLab and Voila: contrast computed here by the WCAG formula.
    def luminance(color: str) -> float:
        channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    def contrast(a: str, b: str) -> float:
        hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    for key in KEYS:
        color = KINDS[key].style.color
        for on in (True, False):
            button = toggle_button(KINDS[key].label, color, on)
            assert button.description == KINDS[key].label
            assert color in button.layout.border
            assert button.icon == ("check" if on else "")
            text = button.style.text_color
            assert min(contrast(text, bg) for bg in ("#FFFFFF", "#EEEEEE", "#BDBDBD")) >= 4.5, (key, text)
    button = toggle_button("RMSProp", KINDS["rmsprop"].style.color, True)
    button.value = False
    assert button.icon == ""
    # the hue is kept: the darker text is the colour scaled towards black
    r, g, b = (int(KINDS["rmsprop"].style.color[i : i + 2], 16) for i in (1, 3, 5))
    tr, tg, tb = (int(button.style.text_color[i : i + 2], 16) for i in (1, 3, 5))
    assert abs(tr * g - tg * r) <= 255 * 2
    assert abs(tr * b - tb * r) <= 255 * 2
