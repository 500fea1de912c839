"""The table of optimizer kinds: every kind builds what it says, runs report their kind,
styles are distinct, and an OptimizerSpec survives the round trip through an optimizer."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.core import kinds, optimizers
from rmsprop_viz.core.kinds import DEFAULT_RACE, KINDS, MOMENTUM, OKABE_ITO, SPARE_STYLES, OptimizerSpec, kind_of


def first_update(optimizer, g=2.0):
    update, _ = optimizer.update(g, optimizer.init(0.0))
    return update


# ------------------------------------------------------------------ the table


def test_the_table_lists_each_kind_once_in_race_order():
    assert kinds.names() == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    assert all(name == kind.name for name, kind in KINDS.items())
    assert set(DEFAULT_RACE) <= set(KINDS)
    labels = [kind.label for kind in KINDS.values()]
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_builds_its_factory_with_its_fixed_parameters(name):
    kind = kinds.get(name)
    optimizer = kind.build(lr=0.1)
    made = optimizers.made_by(optimizer)
    assert made is not None
    assert made.factory == kind.factory
    for key, value in kind.fixed.items():
        assert made.params[key] == value
    assert kind_of(made.factory, made.params) == name


def test_momentum_kinds_step_as_the_formulas_say():
    # g = 2 from rest, lr 0.1: b = g, SGD and Momentum step -lr*b = -0.2; Nesterov steps
    # -lr*(g + mu*b) = -0.1 * (2 + 0.9*2) = -0.38.
    assert first_update(KINDS["sgd"].build(lr=0.1)) == pytest.approx(-0.2, rel=1e-15)
    assert first_update(KINDS["momentum"].build(lr=0.1)) == pytest.approx(-0.2, rel=1e-15)
    assert first_update(KINDS["nesterov"].build(lr=0.1)) == pytest.approx(-0.1 * (2 + MOMENTUM * 2), rel=1e-15)
    # The second step shows the buffer: g = 2 again, b = 0.9*2 + 2 = 3.8, step -0.38.
    momentum = KINDS["momentum"].build(lr=0.1)
    _, state = momentum.update(2.0, momentum.init(0.0))
    assert momentum.update(2.0, state)[0] == pytest.approx(-0.38, rel=1e-15)


@pytest.mark.parametrize("name", list(KINDS))
def test_beta_and_eps_name_parameters_of_the_factory(name):
    kind = KINDS[name]
    parameters = inspect.signature(optimizers.get(kind.factory)).parameters
    for knob in (kind.beta, kind.eps):
        assert knob is None or knob in parameters


def test_beta_is_rmsprops_decay_only():
    assert [kind.name for kind in KINDS.values() if kind.beta] == ["rmsprop"]
    # Setting "beta" through the table sets RMSProp's average: the first step is
    # lr * g / sqrt((1 - beta) g^2 + eps) = 0.1 / sqrt(0.01) = 1 with beta 0.99, eps tiny.
    rms = KINDS["rmsprop"]
    optimizer = rms.build(lr=0.1, **{rms.beta: 0.99, rms.eps: 1e-30})
    assert first_update(optimizer, g=1.0) == pytest.approx(-1.0, rel=1e-12)


def test_styles_are_distinct_colour_blind_safe_and_complete():
    styles = [kind.style for kind in KINDS.values()] + list(SPARE_STYLES)
    colours = [style.color for style in styles]
    markers = [style.marker for style in styles]
    assert len(set(colours)) == len(colours)
    assert len(set(markers)) == len(markers)
    # Okabe and Ito's colours where they read as lines; darker shades of theirs otherwise
    assert {s.color for s in (KINDS["momentum"].style, KINDS["adagrad"].style, KINDS["rmsprop"].style)} <= set(
        OKABE_ITO.values()
    )
    for colour in colours:  # contrast against a white page (WCAG's formula): at least 3
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        assert 1.05 / (luminance + 0.05) >= 3.0, colour
    for style in styles:
        assert style.linestyle == "-" or (isinstance(style.linestyle, tuple) and len(style.linestyle) == 2)


def test_get_refuses_unknown_kinds_in_one_line():
    with pytest.raises(ValueError, match=r"optimizer kind must be one of sgd, momentum, .*; got 'adamw'") as info:
        kinds.get("adamw")
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="optimizer kind must be one of"):
        kinds.get(None)  # type: ignore[arg-type]


# ------------------------------------------------------------- kind of a run


@pytest.mark.parametrize("name", list(KINDS))
def test_kind_of_agrees_with_the_kind_of_a_run(name):
    optimizer = KINDS[name].build(lr=1e-3)
    made = optimizers.made_by(optimizer)
    assert made is not None
    traj = rv.run(rv.Quadratic(), optimizer, n_steps=3)
    assert traj.kind == kind_of(made.factory, made.params) == name
    race = rv.race(rv.Quadratic(), {KINDS[name].label: optimizer}, n_steps=3)
    assert race[KINDS[name].label].kind == name


def test_an_optimizer_of_ones_own_has_no_kind():
    sgd = rv.sgd(lr=0.1)
    own = optimizers.Optimizer(sgd.init, lambda g, state: sgd.update(g, state))
    assert rv.run(rv.Quadratic(), own, n_steps=2).kind == ""


def test_kind_of_reads_momentum_and_nesterov():
    assert kind_of("sgd", {"lr": 0.1}) == "sgd"
    assert kind_of("sgd", {"lr": 0.1, "momentum": 0.0}) == "sgd"
    assert kind_of("sgd", {"lr": 0.1, "momentum": 0.5}) == "momentum"
    assert kind_of("sgd", {"lr": 0.1, "momentum": 0.5, "nesterov": True}) == "nesterov"
    # A batch of momenta counts as momentum as soon as one is not zero.
    assert kind_of("sgd", {"lr": 0.1, "momentum": np.array([[0.0], [0.9]])}) == "momentum"
    for factory in ("adagrad", "rmsprop", "adam"):
        assert kind_of(factory, {"lr": 0.1, "momentum": 0.9}) == factory


# -------------------------------------------------------------- OptimizerSpec


@pytest.mark.parametrize(
    ("factory", "params"),
    [
        ("sgd", {"lr": 0.1}),
        ("sgd", {"lr": 0.1, "momentum": 0.9}),
        ("sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        ("adagrad", {"lr": 0.5, "eps": 1e-7, "eps_in_sqrt": True}),
        ("rmsprop", {"lr": 0.01, "beta": 0.99, "centered": True, "momentum": 0.5}),
        ("adam", {"lr": 0.1, "beta1": 0.8, "amsgrad": True}),
    ],
)
def test_spec_round_trip_through_an_optimizer(factory, params):
    spec = OptimizerSpec(factory, params)
    optimizer = spec.build()
    made = optimizers.made_by(optimizer)
    assert made is not None
    again = OptimizerSpec(made.factory, made.params)
    assert (again.factory, again.kind, again.label) == (spec.factory, spec.kind, spec.label)
    assert {k: made.params[k] for k in params} == params
    # The same numbers: two steps of each.
    for g in (2.0, -0.5):
        assert first_update(again.build(), g) == first_update(optimizer, g)


def test_spec_label_is_its_kinds_label_unless_given():
    assert OptimizerSpec("rmsprop", {"lr": 0.01}).label == "RMSProp"
    assert OptimizerSpec("sgd", {"lr": 0.01, "momentum": 0.9}).label == KINDS["momentum"].label
    assert OptimizerSpec("sgd", {"lr": 0.01, "momentum": 0.9, "nesterov": True}).label == "Nesterov"
    assert OptimizerSpec("sgd", {"lr": 0.01}, "mine").label == "mine"


def test_spec_describes_its_parameters_without_negative_zero():
    spec = OptimizerSpec("rmsprop", {"lr": 0.01, "beta": -0.0, "centered": True})
    assert spec.describe() == "lr=0.01, beta=0, centered=True"
    assert math.copysign(1.0, spec.params["beta"]) == 1.0


def test_spec_refuses_unknown_factories_and_parameters_in_one_line():
    with pytest.raises(ValueError, match="optimizer must be one of sgd, adagrad, rmsprop, adam; got 'lion'"):
        OptimizerSpec("lion", {"lr": 0.1})
    with pytest.raises(ValueError, match=r"^adam: ") as info:
        OptimizerSpec("adam", {"lr": 0.1, "beta": 0.9}).build()
    assert "\n" not in str(info.value)
