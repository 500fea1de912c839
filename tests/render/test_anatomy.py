"""The overlays of one step on the live canvas: where each arrow starts and ends (against
steps worked out by hand), how it looks, and what its label says."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from typing import Any

import pytest

import rmsprop_viz as rv
from rmsprop_viz.core.kinds import KINDS, OptimizerSpec
from rmsprop_viz.engine.anatomy import ARROW_CAP, arrow_scale, glyph_scale, step_anatomy
from rmsprop_viz.plotting.style import style_for
from rmsprop_viz.render.anatomy import SGD_ARROW_COLOR, legend_entries, step_overlays

START = (-1.5, 2.3)
WINDOW = ((-2.0, 2.0), (-1.0, 3.0))
KEYS = {
    "arrow": {"type", "panel", "x0", "y0", "x1", "y1", "color", "width", "dash", "label", "hidden"},
    "rect": {"type", "panel", "x", "y", "w", "h", "color", "fill", "label"},
    "mark": {"type", "panel", "x", "y", "marker", "color", "size", "label"},
}


def rosenbrock_grad(x: float, y: float) -> tuple[float, float]:
    """∇ of (1 − x)² + 100 (y − x²)², by hand."""
    return -2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)


def _overlays(factory: str, params: dict[str, Any], step: int, **options: Any) -> tuple[Any, list[dict[str, Any]]]:
    spec = OptimizerSpec(factory, params)
    traj = rv.run(rv.Rosenbrock(), spec.build(), start=START, n_steps=max(step, 3), label=spec.label)
    a = step_anatomy(spec, traj, step)
    color = style_for(spec.kind).color
    return a, step_overlays(a, color=color, window=WINDOW, reveal_hidden=options.pop("reveal_hidden", False), **options)


def _by_label(overlays: list[dict[str, Any]], start: str) -> dict[str, Any]:
    (found,) = [o for o in overlays if o["label"].startswith(start)]
    return found


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_gives_overlays_of_the_wire_contract(kind: str) -> None:
    params = {"lr": 0.0005 if KINDS[kind].factory == "sgd" else 0.02, **KINDS[kind].fixed}
    a, overlays = _overlays(KINDS[kind].factory, params, 5)
    types = [o["type"] for o in overlays]
    assert types == (["rect"] if a.sqrt_v else []) + ["arrow"] * (2 + (a.memory is not None)) + ["mark"]
    for o in overlays:
        assert set(o) == KEYS[o["type"]], o
        assert o["panel"] == "surface"
        assert all(math.isfinite(v) for v in o.values() if isinstance(v, float))
    json.dumps(overlays)  # plain data: it crosses the wire as JSON
    colors = {o["color"] for o in overlays if o["label"] != _by_label(overlays, "−α·g")["label"]}
    assert colors == {style_for(kind).color}


def test_rmsprop_first_step_arrows_by_hand() -> None:
    lr, beta = 0.01, 0.9
    a, overlays = _overlays("rmsprop", {"lr": lr, "beta": beta}, 1, reveal_hidden=True)
    k = arrow_scale(a, WINDOW)
    g = rosenbrock_grad(*START)
    step = [-lr * gi / math.sqrt((1 - beta) * gi * gi + 1e-8) for gi in g]  # −α·g/√((1−β)g² + ε)
    arrow = _by_label(overlays, "step")
    assert (arrow["x0"], arrow["y0"]) == START
    assert arrow["x1"] == pytest.approx(START[0] + k * step[0], rel=1e-12)
    assert arrow["y1"] == pytest.approx(START[1] + k * step[1], rel=1e-12)
    assert arrow["label"] == f"step × {k:g}"
    assert arrow["hidden"] is True
    assert arrow["dash"] == []
    # The step is drawn at 6% to 16% of the window (k makes it visible) ...
    assert 0.1 / math.sqrt(2.5) <= math.hypot(*step) * k / 4.0 <= 0.1 * math.sqrt(2.5)
    # ... and −α·g, 8 times longer, is cut to fit: the label says by how much.
    sgd = _by_label(overlays, "−α·g")
    assert sgd["color"] == SGD_ARROW_COLOR
    assert sgd["dash"]
    assert sgd["width"] < arrow["width"]
    drawn = math.hypot(sgd["x1"] - sgd["x0"], sgd["y1"] - sgd["y0"])
    assert drawn == pytest.approx(ARROW_CAP * 4.0)
    assert (sgd["x1"] - sgd["x0"]) / (sgd["y1"] - sgd["y0"]) == pytest.approx(g[0] / g[1])
    full = k * lr * math.hypot(*g)
    cut = re.fullmatch(rf"−α·g × {k:g}, cut: (\S+)× longer", sgd["label"])
    assert cut is not None
    assert float(cut.group(1)) == pytest.approx(full / drawn, rel=0.05)
    mark = _by_label(overlays, "θ at step 0")
    assert (mark["x"], mark["y"], mark["marker"]) == (*START, "o")


def test_step_arrow_is_hidden_only_when_a_prediction_is_asked_for() -> None:
    for reveal_hidden in (False, True):
        _, overlays = _overlays("adam", {"lr": 0.03}, 4, reveal_hidden=reveal_hidden)
        hidden = [o["label"].split(" ×")[0] for o in overlays if o.get("hidden")]
        assert hidden == (["step"] if reveal_hidden else [])


def test_heavy_ball_memory_arrow_runs_from_the_tip_of_sgd_to_the_tip_of_the_step() -> None:
    lr, mu = 0.0002, 0.9
    a, overlays = _overlays("sgd", {"lr": lr, "momentum": mu}, 2)
    g1 = rosenbrock_grad(*START)
    theta1 = (START[0] - lr * g1[0], START[1] - lr * g1[1])
    g2 = rosenbrock_grad(*theta1)
    k = arrow_scale(a, WINDOW)
    sgd, memory, step = (_by_label(overlays, s) for s in ("−α·g", "−α·μ·b_prev", "step"))
    assert "cut" not in sgd["label"]
    assert (memory["x0"], memory["y0"]) == (sgd["x1"], sgd["y1"])
    assert memory["x1"] == pytest.approx(step["x1"], rel=1e-9)
    assert memory["y1"] == pytest.approx(step["y1"], rel=1e-9)
    assert step["x1"] == pytest.approx(theta1[0] + k * (-lr * g2[0] - lr * mu * g1[0]), rel=1e-9)
    assert memory["dash"]
    assert memory["dash"] != sgd["dash"]
    assert memory["color"] == style_for("momentum").color


def test_adam_memory_arrow_starts_at_the_point_and_the_glyph_is_labelled_with_its_scale() -> None:
    a, overlays = _overlays("adam", {"lr": 0.03}, 200)
    memory = _by_label(overlays, "−α·m̂")
    assert (memory["x0"], memory["y0"]) == a.point
    rect = overlays[0]
    kv = glyph_scale(a, WINDOW)
    assert (rect["x"], rect["y"]) == a.point
    assert rect["w"] == pytest.approx(2 * kv * a.sqrt_v[0])
    assert rect["h"] == pytest.approx(2 * kv * a.sqrt_v[1])
    k = arrow_scale(a, WINDOW)
    same = math.isclose(kv, 0.03 * k)
    assert rect["label"] == (f"±α·√v̂ × {k:g}" if same else f"±√v̂ × {kv:g}")
    r, g, b = (int(style_for("adam").color[i : i + 2], 16) for i in (1, 3, 5))
    assert re.fullmatch(rf"rgba\({r}, {g}, {b}, 0\.\d+\)", rect["fill"])


def test_glyph_at_the_arrows_scale_says_so() -> None:
    spec = OptimizerSpec("rmsprop", {"lr": 0.1, "beta": 0.9})
    traj = rv.run(rv.Quadratic(condition=4.0), spec.build(), start=(1.0, 0.5), n_steps=2)
    a = step_anatomy(spec, traj, 1)
    window = ((-2.0, 2.0), (-2.0, 2.0))
    overlays = step_overlays(a, color="#D55E00", window=window, reveal_hidden=False)
    k = arrow_scale(a, window)
    assert overlays[0]["label"] == f"±α·√v × {k:g}"
    # At the first step √v = √(1−β)·|g|: the rectangle's half-side is √0.1 times −α·g's component.
    sgd = _by_label(overlays, "−α·g")
    assert overlays[0]["w"] / 2 == pytest.approx(math.sqrt(0.1) * abs(sgd["x1"] - sgd["x0"]), rel=1e-6)


def test_vectors_that_are_not_finite_are_left_out() -> None:
    a, _ = _overlays("rmsprop", {"lr": 0.01}, 3)
    broken = dataclasses.replace(a, step=(math.nan, 0.0), sqrt_v=(math.inf, 1.0))
    overlays = step_overlays(broken, color="#D55E00", window=WINDOW, reveal_hidden=False)
    assert [o["label"].split(" ×")[0] for o in overlays] == ["−α·g", "θ at step 2"]
    gone = dataclasses.replace(a, point=(math.nan, math.nan))
    assert step_overlays(gone, color="#D55E00", window=WINDOW, reveal_hidden=False) == []


def test_legend_entries_follow_the_overlays() -> None:
    _, overlays = _overlays("sgd", {"lr": 0.0002, "momentum": 0.9}, 2)
    entries = legend_entries(overlays)
    assert [e["label"] for e in entries] == [o["label"] for o in overlays]
    assert all(e["color"] == o["color"] for e, o in zip(entries, overlays, strict=True))
    assert "dash" in entries[0]
    assert "x0" not in entries[0]
