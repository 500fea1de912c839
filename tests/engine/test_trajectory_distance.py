"""max_distance: how far apart two runs' paths get."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.engine.trajectory import max_distance


def test_max_distance_of_two_sgd_runs_from_the_closed_form() -> None:
    # On 0.5 x^2 from x = 1, SGD's x after t steps is (1 - lr)^t: the gap is largest at t = 3 here.
    a = rv.run(rv.Quadratic(), rv.sgd(lr=0.1), start=(1.0, 0.0), n_steps=5)
    b = rv.run(rv.Quadratic(), rv.sgd(lr=0.3), start=(1.0, 0.0), n_steps=5)
    expected = max(abs(0.9**t - 0.7**t) for t in range(6))
    assert max_distance(a, b) == pytest.approx(expected, rel=1e-12)
    assert max_distance(b, a) == max_distance(a, b)


def test_max_distance_is_zero_for_the_same_algorithm_written_by_hand() -> None:
    class Steps(NamedTuple):
        t: int  # steps taken

    def init(params: float) -> Steps:
        return Steps(0)

    def update(g: float, state: Steps) -> tuple[float, Steps]:
        return -0.1 * g, Steps(state.t + 1)

    a = rv.run(rv.Quadratic(condition=10), rv.Optimizer(init, update), n_steps=40)
    b = rv.run(rv.Quadratic(condition=10), rv.sgd(lr=0.1), n_steps=40)
    assert max_distance(a, b) <= 1e-15


def test_max_distance_over_a_batch_and_a_divergence() -> None:
    starts = np.array([[1.0, 0.0], [0.0, 1.0]])
    a = rv.run(rv.Quadratic(condition=10), rv.sgd(lr=0.1), start=starts, n_steps=4)
    b = rv.run(rv.Quadratic(condition=10), rv.sgd(lr=0.15), start=starts, n_steps=4)
    # Run 2 moves along y with curvature 10: (1 - 10 lr)^t, 0 against (-0.5)^t.
    expected = max(max(abs(0.9**t - 0.85**t), abs(0.0**t - (-0.5) ** t)) for t in range(5))
    assert max_distance(a, b) == pytest.approx(expected, rel=1e-12)
    gone = rv.run(rv.Quadratic(condition=10), rv.sgd(lr=1.0), start=starts, n_steps=4)
    assert bool(gone.diverged.any())
    assert max_distance(a, gone) == math.inf
    assert max_distance(gone, gone) == 0.0


def test_max_distance_refuses_what_it_cannot_compare() -> None:
    a = rv.run(rv.Quadratic(), rv.sgd(lr=0.1), n_steps=4)
    b = rv.run(rv.Quadratic(), rv.sgd(lr=0.1), n_steps=5)
    with pytest.raises(ValueError, match="same steps and runs"):
        max_distance(a, b)
    with pytest.raises(ValueError, match="two Trajectory"):
        max_distance(a, a.params)  # type: ignore[arg-type]
