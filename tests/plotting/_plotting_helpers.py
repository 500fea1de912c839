"""Races shared by the plotting tests."""

from __future__ import annotations

import rmsprop_viz as rv
from rmsprop_viz.plotting import RaceFigure


def four_racers(surface: rv.Surface, n_steps: int = 60) -> dict[str, rv.Trajectory]:
    """SGD, Adagrad, RMSProp and Adam on ``surface``, with learning rates that suit Rosenbrock."""
    return rv.race(
        surface,
        {"SGD": rv.sgd(0.001), "Adagrad": rv.adagrad(0.1), "RMSProp": rv.rmsprop(0.02), "Adam": rv.adam(0.02)},
        n_steps=n_steps,
    )


def crowded_race(three_d: bool) -> RaceFigure:
    """Six racers that all diverge at the first step on a quadratic: crosses and notes crowd."""
    surface = rv.Quadratic(condition=50)
    opts = {"SGD": rv.sgd(1e6), "Momentum": rv.sgd(1e6, momentum=0.9), "Nesterov": rv.sgd(1e6, momentum=0.5)}
    opts |= {"Adagrad": rv.adagrad(1e6), "RMSProp": rv.rmsprop(1e6), "Adam": rv.adam(1e6)}
    return RaceFigure(surface, rv.race(surface, opts, n_steps=20), three_d=three_d)
