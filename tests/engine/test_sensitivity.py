"""The sensitivity map: each cell is the run a plain loop gives, the star is best_cell's
rule redone by hand, cells and settings invert each other, sizes are capped."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.core import kinds
from rmsprop_viz.engine import sensitivity
from rmsprop_viz.engine.sensitivity import MAX_SENSITIVITY_STEPS, decay_of, memory_of, sensitivity_map

BOWL = rv.Quadratic(condition=50.0)  # f = (x^2 + 50 y^2) / 2, f* = 0
START = (-1.5, 1.0)
HAS_NUMBA = importlib.util.find_spec("numba") is not None


def plain_final_loss(kind: str, lr: float, decay: float | None, n_steps: int) -> float:
    """The final loss of one run on BOWL, by the textbook formulas, one step at a time."""
    theta = np.array(START, dtype=np.float64)
    m = np.zeros(2)
    v = np.zeros(2)
    b = np.zeros(2)
    for t in range(1, n_steps + 1):
        g = np.array([theta[0], 50.0 * theta[1]])
        if kind == "sgd":
            theta = theta - lr * g
        elif kind == "momentum":
            b = g if t == 1 else decay * b + g  # type: ignore[operator]
            theta = theta - lr * b
        elif kind == "rmsprop":  # eps inside the root, eps = 1e-8
            v = decay * v + (1 - decay) * g**2  # type: ignore[operator]
            theta = theta - lr * g / np.sqrt(v + 1e-8)
        elif kind == "adam":  # beta1 = 0.9, eps = 1e-8 outside the root
            m = 0.9 * m + 0.1 * g
            v = decay * v + (1 - decay) * g**2  # type: ignore[operator]
            theta = theta - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - decay**t)) + 1e-8)  # type: ignore[operator]
        if not np.all(np.abs(theta) < 1e6):
            return math.inf
    return float(0.5 * (theta[0] ** 2 + 50.0 * theta[1] ** 2))


@pytest.mark.parametrize("kind", ["sgd", "momentum", "rmsprop", "adam"])
def test_every_cell_is_the_run_of_its_setting(kind: str) -> None:
    lrs = [0.003, 0.02, 0.039, 0.05]
    decays = None if kind == "sgd" else [0.0, 0.5, 0.9, 0.99]
    # 60 steps: beta = 0 makes a sign-like descent, whose rounding errors grow past 1e-7 by step 100
    smap = sensitivity_map(BOWL, kind, start=START, n_steps=60, lrs=lrs, decays=decays, backend="numpy")
    for i in range(smap.shape[0]):
        for j in range(smap.shape[1]):
            lr, decay = smap.setting(i, j)
            want = plain_final_loss(kind, lr, decay, 60)
            if math.isinf(want):
                assert smap.diverged[i, j], (lr, decay)
                assert np.isnan(smap.values[i, j]), (lr, decay)
            else:
                assert not smap.diverged[i, j]
                assert smap.values[i, j] == pytest.approx(max(want, smap.floor), rel=1e-7, abs=1e-13), (lr, decay)
    if kind == "sgd":  # SGD diverges above lr = 2 / 50 = 0.04, and only there
        np.testing.assert_array_equal(smap.diverged, [[False, False, False, True]])


@pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed")
def test_numba_and_numpy_give_the_same_map() -> None:
    a = sensitivity_map(rv.Rosenbrock(), "rmsprop", size=(8, 5), n_steps=300, backend="numpy")
    b = sensitivity_map(rv.Rosenbrock(), "rmsprop", size=(8, 5), n_steps=300, backend="numba")
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.diverged_at, b.diverged_at)
    assert a.best == b.best


def hand_best(values: np.ndarray, dead: np.ndarray) -> tuple[int, int] | None:
    """best_cell's minimax rule written out with loops: a cell qualifies when it and its 3 x 3
    neighbours converged; it scores its worst neighbour; lowest score wins, then its own value."""
    ny, nx = values.shape
    choice, key = None, None
    for i in range(ny):
        for j in range(nx):
            block = [(a, b) for a in range(i - 1, i + 2) for b in range(j - 1, j + 2) if 0 <= a < ny and 0 <= b < nx]
            if any(dead[a, b] or not np.isfinite(values[a, b]) for a, b in block):
                continue
            score = (max(values[a, b] for a, b in block), values[i, j])
            if key is None or score < key:
                choice, key = (i, j), score
    return choice


@pytest.mark.parametrize(
    ("surface", "kind", "steps"),
    [(rv.Rosenbrock(), "rmsprop", 500), (BOWL, "momentum", 200), (rv.surfaces.Beale(), "adam", 300)],
    ids=["rosen-rmsprop", "bowl-momentum", "beale-adam"],
)
def test_the_star_is_the_cell_whose_worst_neighbour_is_best(surface: rv.Surface, kind: str, steps: int) -> None:
    smap = sensitivity_map(surface, kind, size=(12, 6), n_steps=steps, backend="numpy")
    assert smap.best.index == hand_best(smap.values, smap.diverged)
    if kind == "momentum":
        assert smap.diverged.any()  # the rule was tested next to diverged cells
    if smap.best.index is not None:
        i, j = smap.best.index
        assert not smap.diverged[max(i - 1, 0) : i + 2, max(j - 1, 0) : j + 2].any()


def test_a_lucky_cell_next_to_a_diverged_one_is_not_the_star() -> None:
    # SGD on the bowl: the lowest loss is at lr = 0.039, the last before 2/50, whose neighbour diverges.
    lrs = [0.01, 0.02, 0.03, 0.039, 0.05]
    smap = sensitivity_map(BOWL, "sgd", start=START, n_steps=100, lrs=lrs)
    finite = np.where(smap.diverged, np.inf, smap.values)
    assert int(np.argmin(finite[0])) == 3
    assert smap.best.index == (0, 2)
    summary = smap.summary()
    assert "1 of 5 settings diverged" in summary
    assert "lr=0.03 " in summary


def test_cells_and_settings_invert_each_other() -> None:
    smap = sensitivity_map(BOWL, "rmsprop", size=(10, 7), n_steps=20)
    for i in range(7):
        for j in range(10):
            assert smap.cell_of(*smap.setting(i, j)) == (i, j)
    # between two learning rates, the nearer on a log scale; between decays, in log(1 - beta)
    lr0, lr1 = smap.lrs[3], smap.lrs[4]
    assert smap.cell_of(lr0 * (lr1 / lr0) ** 0.4, smap.decays[2])[1] == 3
    assert smap.cell_of(lr0 * (lr1 / lr0) ** 0.6, smap.decays[2])[1] == 4
    middle = 1 - 10 ** -((memory_of(smap.decays[5]) + memory_of(smap.decays[6])) / 2 + 0.01)
    assert smap.cell_of(lr0, float(middle))[0] == 6
    with pytest.raises(ValueError, match=r"^i \(row\) must be an integer in \[0, 6\], got 7$"):
        smap.setting(7, 0)


def test_default_grid_spans_best_lrs_and_decays_evenly_in_log_one_minus_beta() -> None:
    smap = sensitivity_map(BOWL, "rmsprop", n_steps=10)
    assert smap.shape == (12, 24)
    assert smap.lrs[0] == pytest.approx(1e-5)
    assert smap.lrs[-1] == pytest.approx(1.0)
    np.testing.assert_allclose(np.diff(np.log(smap.lrs)), np.log(1e5) / 23, rtol=0.03)
    assert smap.decays[0] == 0.0
    assert smap.decays[-1] == pytest.approx(0.999)
    np.testing.assert_allclose(np.diff(memory_of(smap.decays)), 3 / 11, rtol=0.03)


def test_which_decay_each_kind_is_mapped_over() -> None:
    assert [decay_of(k) for k in kinds.names()] == [None, "momentum", "momentum", None, "beta", "beta2"]
    # Momentum's row at momentum 0 is plain SGD
    mom = sensitivity_map(BOWL, "momentum", lrs=[0.01, 0.03], decays=[0.0, 0.9], start=START, n_steps=50)
    sgd = sensitivity_map(BOWL, "sgd", lrs=[0.01, 0.03], start=START, n_steps=50)
    np.testing.assert_array_equal(mom.values[0], sgd.values[0])
    # Adam's map varies beta2 and keeps the beta1 it is given
    adam = sensitivity_map(BOWL, "adam", {"beta1": 0.5}, lrs=[0.01], decays=[0.9], start=START, n_steps=30)
    want = rv.run(BOWL, rv.adam(0.01, beta1=0.5, beta2=0.9), START, 30).values[-1, 0]
    assert adam.values[0, 0] == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("kind", ["sgd", "adagrad"])
def test_a_kind_without_a_decay_gives_one_row(kind: str) -> None:
    smap = sensitivity_map(BOWL, kind, size=(9, 5), n_steps=30)
    assert smap.decay is None
    assert smap.shape == (1, 9)
    assert smap.decays.size == 0
    assert smap.setting(0, 4) == (float(smap.lrs[4]), None)
    with pytest.raises(ValueError, match=f"^decays must be None for {kind}: it has no decay"):
        sensitivity_map(BOWL, kind, decays=[0.9], n_steps=30)


def test_caps_are_one_line_errors_naming_the_limit() -> None:
    cases = [
        ({"size": (65, 12)}, r"^size\[0\] \(learning rates\) must be an integer in \[2, 64\], got 65$"),
        ({"size": (24, 65)}, r"^size\[1\] \(decays\) must be an integer in \[2, 64\], got 65$"),
        ({"n_steps": MAX_SENSITIVITY_STEPS + 1}, r"^n_steps must be an integer in \[1, 100000\], got 100001$"),
        ({"lrs": np.geomspace(1e-3, 1, 65)}, r"^lrs must be a 1-D list of at most 64 numbers, strictly increasing"),
        ({"decays": [0.5, 1.0]}, r"^decays must be a finite number in \[0, 1\), got 1.0"),
        ({"lrs": [0.1, 0.01]}, r"^lrs must be a 1-D list of at most 64 numbers, strictly increasing"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message) as error:
            sensitivity_map(BOWL, "rmsprop", **kwargs)  # type: ignore[arg-type]
        assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match=r"^optimizer kind must be one of"):
        sensitivity_map(BOWL, "RMSProp")


def test_the_step_cap_is_the_scenes_cap() -> None:
    from rmsprop_viz.scenes.limits import MAX_SCENE_STEPS

    assert sensitivity.MAX_SENSITIVITY_STEPS == MAX_SCENE_STEPS
