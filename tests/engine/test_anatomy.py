"""The anatomy of one step: its vectors against steps worked out by hand, its captions
against the numbers they show, and the sizes of its arrows."""

from __future__ import annotations

import dataclasses
import math
import re
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import readout_check as check  # tests/readout_check.py (tests/conftest.py puts tests/ on the path)

import rmsprop_viz as rv
from rmsprop_viz.core.kinds import KINDS, OptimizerSpec
from rmsprop_viz.engine.anatomy import (
    ARROW_CAP,
    Anatomy,
    arrow_scale,
    drawn_arrow,
    glyph_scale,
    latex_caption,
    nice_factor,
    step_anatomy,
    text_caption,
)

START = (-1.5, 2.3)
WINDOW = ((-2.0, 2.0), (-1.0, 3.0))  # Rosenbrock's window: smaller side 4


def rosenbrock_grad(x: float, y: float) -> tuple[float, float]:
    """∇ of (1 − x)² + 100 (y − x²)², by hand."""
    return -2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)


def _run(factory: str, params: dict[str, Any], n: int = 30, surface: Any = None) -> tuple[OptimizerSpec, Any]:
    spec = OptimizerSpec(factory, params)
    traj = rv.run(surface or rv.Rosenbrock(), spec.build(), start=START, n_steps=n, label=spec.label)
    return spec, traj


# ------------------------------------------------------------------ steps by hand


def test_rmsprop_first_step_is_alpha_g_over_root_of_one_minus_beta_g_squared() -> None:
    lr, beta, eps = 0.01, 0.9, 1e-8
    spec, traj = _run("rmsprop", {"lr": lr, "beta": beta, "eps": eps})
    a = step_anatomy(spec, traj, 1)
    g = rosenbrock_grad(*START)
    for i in range(2):
        assert a.step[i] == pytest.approx(-lr * g[i] / math.sqrt((1 - beta) * g[i] ** 2 + eps), rel=1e-12)
        assert a.sgd[i] == pytest.approx(-lr * g[i], rel=1e-12)
        assert a.sqrt_v is not None
        assert a.sqrt_v[i] == pytest.approx(math.sqrt((1 - beta) * g[i] ** 2), rel=1e-12)
    assert a.memory is None
    assert (a.kind, a.t, a.point) == ("rmsprop", 1, START)
    assert a.after == pytest.approx((START[0] + a.step[0], START[1] + a.step[1]), rel=1e-15)


def test_adam_first_step_is_minus_alpha_sign_g() -> None:
    lr = 0.03
    spec, traj = _run("adam", {"lr": lr})
    a = step_anatomy(spec, traj, 1)
    g = rosenbrock_grad(*START)
    for i in range(2):
        assert a.step[i] == pytest.approx(-lr * math.copysign(1.0, g[i]), rel=1e-8)
        assert a.memory is not None  # −α·m̂, and m̂ = g at the first step
        assert a.memory[i] == pytest.approx(-lr * g[i], rel=1e-12)
    assert a.sqrt_v == pytest.approx((abs(g[0]), abs(g[1])), rel=1e-12)
    assert (a.memory_name, a.sqrt_v_name) == ("−α·m̂", "√v̂")


def test_heavy_ball_second_step_is_sgd_plus_memory() -> None:
    lr, mu = 0.0005, 0.9
    spec, traj = _run("sgd", {"lr": lr, "momentum": mu})
    a = step_anatomy(spec, traj, 2)
    g1 = rosenbrock_grad(*START)
    theta1 = (START[0] - lr * g1[0], START[1] - lr * g1[1])
    g2 = rosenbrock_grad(*theta1)
    assert a.point == pytest.approx(theta1, rel=1e-14)
    for i in range(2):
        assert a.step[i] == pytest.approx(-lr * g2[i] - lr * mu * g1[i], rel=1e-10)
        assert a.sgd[i] == pytest.approx(-lr * g2[i], rel=1e-12)
        assert a.memory is not None
        assert a.memory[i] == pytest.approx(-lr * mu * g1[i], rel=1e-12)
        assert a.sgd[i] + a.memory[i] == pytest.approx(a.step[i], rel=1e-12)
    assert a.memory_adds
    assert a.sqrt_v is None
    assert a.memory_name == "−α·μ·b_prev"


def test_nesterov_second_step_is_sgd_plus_mu_times_new_buffer() -> None:
    lr, mu = 0.0005, 0.9
    spec, traj = _run("sgd", {"lr": lr, "momentum": mu, "nesterov": True})
    a = step_anatomy(spec, traj, 2)
    g1 = rosenbrock_grad(*START)
    theta1 = (START[0] - lr * (1 + mu) * g1[0], START[1] - lr * (1 + mu) * g1[1])
    g2 = rosenbrock_grad(*theta1)
    for i in range(2):
        b2 = mu * g1[i] + g2[i]
        assert a.step[i] == pytest.approx(-lr * (g2[i] + mu * b2), rel=1e-10)
        assert a.memory is not None
        assert a.memory[i] == pytest.approx(-lr * mu * b2, rel=1e-10)
        assert a.sgd[i] + a.memory[i] == pytest.approx(a.step[i], rel=1e-12)
    assert a.memory_adds


def test_rmsprop_momentum_memory_is_the_buffer_part_and_the_rest_is_rmsprop() -> None:
    lr, beta, mu, eps = 0.003, 0.9, 0.5, 1e-8
    spec, traj = _run("rmsprop", {"lr": lr, "beta": beta, "momentum": mu, "eps": eps})
    a = step_anatomy(spec, traj, 2)
    g1 = rosenbrock_grad(*START)
    b1 = [g / math.sqrt((1 - beta) * g * g + eps) for g in g1]
    theta1 = (START[0] - lr * b1[0], START[1] - lr * b1[1])
    g2 = rosenbrock_grad(*theta1)
    for i in range(2):
        v2 = beta * (1 - beta) * g1[i] ** 2 + (1 - beta) * g2[i] ** 2
        own = -lr * g2[i] / math.sqrt(v2 + eps)
        assert a.memory is not None
        assert a.memory[i] == pytest.approx(-lr * mu * b1[i], rel=1e-10)
        assert a.step[i] == pytest.approx(own + a.memory[i], rel=1e-9)
    assert not a.memory_adds


@pytest.mark.parametrize(
    ("factory", "params", "root"),
    [
        ("rmsprop", {"lr": 0.01}, lambda s, t, p: s.v),
        ("rmsprop", {"lr": 0.01, "centered": True}, lambda s, t, p: np.maximum(s.v - s.gbar**2, 0.0)),
        ("rmsprop", {"lr": 0.01, "bias_correction": True}, lambda s, t, p: s.v / (1 - 0.9**t)),
        ("adagrad", {"lr": 0.1}, lambda s, t, p: s.s),
        ("adam", {"lr": 0.02}, lambda s, t, p: s.v / (1 - 0.999**t)),
        ("adam", {"lr": 0.02, "amsgrad": True}, lambda s, t, p: s.vmax / (1 - 0.999**t)),
        ("adam", {"lr": 0.02, "bias_correction": False}, lambda s, t, p: s.v),
    ],
)
def test_sqrt_v_is_the_root_of_the_runs_state(factory: str, params: dict[str, Any], root: Any) -> None:
    spec, traj = _run(factory, params)
    for t in (1, 7, 30):
        a = step_anatomy(spec, traj, t)
        state = SimpleNamespace(**{f: getattr(traj.states, f)[t - 1, 0] for f in traj.states._fields if f != "t"})
        assert a.sqrt_v == pytest.approx(tuple(np.sqrt(root(state, t, params))), rel=1e-12)


@pytest.mark.parametrize("kind", ["sgd", "momentum", "nesterov"])
def test_no_sqrt_v_without_a_denominator(kind: str) -> None:
    spec = OptimizerSpec(KINDS[kind].factory, {"lr": 0.0005, **KINDS[kind].fixed})
    traj = rv.run(rv.Rosenbrock(), spec.build(), start=START, n_steps=3)
    a = step_anatomy(spec, traj, 3)
    assert a.sqrt_v is None
    assert a.sqrt_v_name == ""
    assert (a.memory is None) == (kind == "sgd")


@pytest.mark.parametrize("step", [0, 6, -1, 1.5, True, "2"])
def test_step_out_of_range_is_one_line_naming_step(step: Any) -> None:
    spec, traj = _run("adam", {"lr": 0.02}, n=5)
    with pytest.raises(ValueError, match=r"^step must be an integer in \[1, 5\], got ") as error:
        step_anatomy(spec, traj, step)
    assert "\n" not in str(error.value)


# ------------------------------------------------------------------ captions

# The numbers each line of the text caption fills in, per formula of step_report, written
# from the update rules: ``{name}`` is that row's "(x, y)", Greek letters the settings.
FILLED = {
    "μ·b_prev + g": "{μ}·{b_prev} + {g}",
    "g + μ·b": "{g} + {μ}·{b}",
    "−α·b": "−{α}·{b}",
    "−α·d": "−{α}·{d}",
    "−α·g": "−{α}·{g}",
    "s_prev + g²": "{s_prev} + {g}²",
    "√(s + ε)": "√({s} + {ε})",
    "√s + ε": "√{s} + {ε}",
    "−α·g / den": "−{α}·{g} / {den}",
    "β·v_prev + (1−β)·g²": "{β}·{v_prev} + (1−{β})·{g}²",
    "v / (1−βᵗ)": "{v} / (1−{β}^{t})",
    "β·ḡ_prev + (1−β)·g": "{β}·{ḡ_prev} + (1−{β})·{g}",
    "max(v − ḡ², 0)": "max({v} − {ḡ}², 0)",
    "max(v̂ − ḡ², 0)": "max({v̂} − {ḡ}², 0)",
    "√(v + ε)": "√({v} + {ε})",
    "√v + ε": "√{v} + {ε}",
    "√(v̂ + ε)": "√({v̂} + {ε})",
    "√(var + ε)": "√({var} + {ε})",
    "√var + ε": "√{var} + {ε}",
    "μ·b_prev + g / den": "{μ}·{b_prev} + {g} / {den}",
    "β₁·m_prev + (1−β₁)·g": "{β₁}·{m_prev} + (1−{β₁})·{g}",
    "β₂·v_prev + (1−β₂)·g²": "{β₂}·{v_prev} + (1−{β₂})·{g}²",
    "max(v_max_prev, v)": "max({v_max_prev}, {v})",
    "m / (1−β₁ᵗ)": "{m} / (1−{β₁}^{t})",
    "v / (1−β₂ᵗ)": "{v} / (1−{β₂}^{t})",
    "v_max / (1−β₂ᵗ)": "{v_max} / (1−{β₂}^{t})",
    "√v̂ + ε": "√{v̂} + {ε}",
    "√v_max + ε": "√{v_max} + {ε}",
    "−α·m̂ / den": "−{α}·{m̂} / {den}",
    "−α·m / den": "−{α}·{m} / {den}",
}

# Every kind, and every option that changes the rows.
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    *((KINDS[k].factory, {"lr": 0.0005, **KINDS[k].fixed}) for k in ("sgd", "momentum", "nesterov")),
    ("adagrad", {"lr": 0.1}),
    ("adagrad", {"lr": 0.1, "eps": 1e-3, "eps_in_sqrt": True, "initial_accumulator": 0.1}),
    ("rmsprop", {"lr": 0.01}),
    ("rmsprop", {"lr": 0.01, "eps": 1e-2, "eps_in_sqrt": False}),
    ("rmsprop", {"lr": 0.01, "beta": 0.99, "centered": True}),
    ("rmsprop", {"lr": 0.003, "momentum": 0.5, "eps_in_sqrt": False}),
    ("rmsprop", {"lr": 0.01, "bias_correction": True, "centered": True, "initial_v": 0.5}),
    ("adam", {"lr": 0.02}),
    ("adam", {"lr": 0.02, "amsgrad": True}),
    ("adam", {"lr": 0.02, "bias_correction": False, "beta2": 0.9}),
]
IDS = [f"{f}-{'-'.join(f'{k}={v}' for k, v in p.items() if k != 'lr') or 'plain'}" for f, p in VARIANTS]
ORDER = {  # the lines of each optimizer, in the order it computes them (options add lines)
    "sgd": ["g", "b", "d", "step"],
    "adagrad": ["g", "s", "den", "step"],
    "rmsprop": ["g", "v", "v̂", "ḡ", "var", "den", "b", "step"],
    "adam": ["g", "m", "v", "v_max", "m̂", "v̂", "den", "step"],
}
SYMBOL = {"step": "Δθ"}


def _setting(value: float) -> str:
    return f"{value:.6g}"


def _latex_number(text: str) -> str:
    """``1.23e+03`` -> ``1.23\\times 10^{3}`` (how a LaTeX caption writes a shown number)."""
    if "e" not in text:
        return text
    mantissa, exponent = text.lstrip("< ").split("e")
    return ("{<}\\," if text.startswith("<") else "") + f"{mantissa}\\times 10^{{{int(exponent)}}}"


@pytest.mark.parametrize(("factory", "params"), VARIANTS, ids=IDS)
def test_each_caption_line_fills_in_the_numbers_above_and_recomputes(factory: str, params: dict[str, Any]) -> None:
    spec, traj = _run(factory, params, n=60)
    assert traj.diverged_at[0] == -1
    full = {**{"beta": 0.9, "eps": 1e-8, "beta1": 0.9, "beta2": 0.999}, **params}
    if factory == "adagrad":
        full.setdefault("eps", 1e-10)
        full["eps"] = params.get("eps", 1e-10)
    consts = {"α": params["lr"], "β": full["beta"], "ε": full["eps"], "μ": params.get("momentum", 0.0)}
    consts |= {"β₁": full["beta1"], "β₂": full["beta2"]}
    for t in (1, 2, 17, 60):
        a = step_anatomy(spec, traj, t)
        shown = {row.name: row.texts() for row in a.rows}
        pairs = {name: f"({x}, {y})" for name, (x, y) in shown.items()}
        values = {k: _setting(v) for k, v in consts.items()} | {"t": str(t)}
        lines = text_caption(a).split("\n")
        names = [row.name for row in a.rows if not row.name.endswith("_prev")]
        assert names == [n for n in ORDER[factory] if n in names], names
        assert len(lines) == 1 + len(names)
        assert lines[0].startswith(f"{spec.label}, step t = {t}: α = {_setting(params['lr'])}")
        for line, row in zip(lines[1:], (r for r in a.rows if not r.name.endswith("_prev")), strict=True):
            symbol = SYMBOL.get(row.name, row.name)
            if row.name == "g":
                point = ", ".join(rv.engine.formatting.format_number(c) for c in a.point)
                middle = f"∇f({point})"
            else:
                middle = FILLED[row.formula].format(**pairs, **values)
            assert (
                line
                == f"  {symbol} = {row.formula if row.name != 'g' else '∇f(θ_prev)'} = {middle} = {pairs[row.name]}"
            )
        # Redo every line from the numbers as shown (interval arithmetic, tests/readout_check.py).
        shown_consts = {k: v for k, v in consts.items()} | {"t": float(t)}
        rows = {row.name: (row.formula, *shown[row.name]) for row in a.rows}
        assert "step" in check.check_step(factory, full, shown_consts, rows)
        # The LaTeX caption shows the same numbers, one line per quantity, in the same order.
        latex = latex_caption(a)
        assert latex.startswith("$$\\begin{aligned}")
        assert latex.endswith("\\end{aligned}$$")
        body = latex.split("\\\\\n")
        assert len(body) == len(lines)
        for line, name in zip(body[1:], names, strict=True):
            x, y = (_latex_number(v) for v in shown[name])
            assert line.endswith(f"= ({x},\\ {y})") or line.endswith(f"= ({x},\\ {y})\\end{{aligned}}$$"), line


def test_rmsprop_first_latex_line_by_hand() -> None:
    spec = OptimizerSpec("rmsprop", {"lr": 0.01, "beta": 0.9})
    traj = rv.run(rv.Quadratic(condition=10.0), spec.build(), start=(1.0, 1.0), n_steps=2, label="RMSProp")
    # g = (1, 10); v = 0.1·g² = (0.1, 10); den = √(v + 1e-8) = (0.316, 3.16); step = −0.01·g/den.
    lines = latex_caption(step_anatomy(spec, traj, 1)).split("\\\\\n")
    assert lines[0].endswith(r"\alpha = 0.01,\quad \beta = 0.9,\quad \varepsilon = 10^{-8}")
    assert lines[2] == (
        r"v_t &= \beta\cdot v_{t-1} + (1-\beta)\cdot g_t^2 = 0.9\cdot (0,\ 0) + (1-0.9)\cdot (1,\ 10)^2 = (0.1,\ 10)"
    )
    assert lines[3] == r"\mathrm{den}_t &= \sqrt{v_t + \varepsilon} = \sqrt{(0.1,\ 10) + 10^{-8}} = (0.316,\ 3.16)"
    assert lines[4].endswith(r"= -0.01\cdot (1,\ 10) / (0.316,\ 3.16) = (-0.0316,\ -0.0316)\end{aligned}$$")


def test_a_diverged_step_says_so_and_never_nan() -> None:
    spec, traj = _run("sgd", {"lr": 0.5}, n=10)
    assert traj.diverged_at[0] == 2
    a = step_anatomy(spec, traj, 7)
    assert (a.t, a.diverged) == (2, True)
    assert not step_anatomy(spec, traj, 1).diverged
    assert all(math.isfinite(c) for c in a.after)  # θ_2 is NaN in the run: drawn where the step went
    assert a.after == pytest.approx((a.point[0] + a.step[0], a.point[1] + a.step[1]))
    for caption in (text_caption(a), latex_caption(a)):
        assert "SGD diverged at step 2" in caption
        assert "nan" not in caption.lower()
    # Numbers that overflowed (NaN, ±inf) read "undefined" and ∞, never "nan" or "inf".
    rows = tuple(
        dataclasses.replace(row, values=(math.nan, -math.inf)) if row.name == "step" else row for row in a.rows
    )
    broken = dataclasses.replace(a, report=dataclasses.replace(a.report, rows=rows), step=(math.nan, -math.inf))
    text, latex = text_caption(broken), latex_caption(broken)
    assert text.split("\n")[-1].endswith("= (undefined, −∞)")
    assert latex.endswith(r"= (\text{undefined},\ -\infty)\end{aligned}$$")
    assert "nan" not in (text + latex).lower()


def test_captions_check_digits() -> None:
    spec, traj = _run("adam", {"lr": 0.02}, n=3)
    a = step_anatomy(spec, traj, 2)
    for bad in (0, 18, 2.0, True):
        with pytest.raises(ValueError, match=r"^digits must be an integer in \[1, 17\], got "):
            latex_caption(a, digits=bad)
    assert "(-1.5, 2.3)" in text_caption(step_anatomy(spec, traj, 1), digits=5)


# ------------------------------------------------------------------ sizes


def _mantissa_125(k: float) -> bool:
    exponent = math.floor(math.log10(k) + 1e-12)
    return any(math.isclose(k, m * 10.0**exponent, rel_tol=1e-12) for m in (1, 2, 5))


@pytest.mark.parametrize("x", [1e-7, 0.0031, 0.7, 1.0, 1.58, 3.16, 7.07, 33.0, 4.2e5])
def test_nice_factor_is_the_nearest_1_2_5_number(x: float) -> None:
    k = nice_factor(x)
    assert _mantissa_125(k)
    exponent = math.floor(math.log10(x))
    candidates = [m * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
    assert abs(math.log(k / x)) <= min(abs(math.log(c / x)) for c in candidates) + 1e-12


def _anatomy(sgd: tuple[float, float], step: tuple[float, float], memory: Any = None) -> Any:
    return SimpleNamespace(sgd=sgd, step=step, memory=memory)


@pytest.mark.parametrize("size", [1e-6, 0.003, 0.05, 0.4, 2.0, 130.0])
def test_arrow_scale_draws_the_longest_arrow_at_about_a_fifth_of_the_window(size: float) -> None:
    a = _anatomy((0.6 * size, -0.8 * size), (0.6 * size, -0.5 * size), (0.0, 0.2 * size))
    k = arrow_scale(a, WINDOW)
    assert _mantissa_125(k)
    assert 0.2 / math.sqrt(2.5) <= size * k / 4.0 <= 0.2 * math.sqrt(2.5)


def test_arrow_scale_keeps_a_short_step_visible_and_cuts_the_long_arrows() -> None:
    a = _anatomy((-3.0, 4.0), (0.01, 0.0))  # −α·g 500 times the step (Adam on a steep wall)
    k = arrow_scale(a, WINDOW)
    assert 0.1 / math.sqrt(2.5) <= 0.01 * k / 4.0 <= 0.1 * math.sqrt(2.5)
    (dx, dy), cut = drawn_arrow(a.sgd, k, WINDOW)
    assert math.hypot(dx, dy) == pytest.approx(ARROW_CAP * 4.0)
    assert cut == pytest.approx(5.0 * k / (ARROW_CAP * 4.0))
    assert dx / dy == pytest.approx(-3.0 / 4.0)
    assert drawn_arrow(a.step, k, WINDOW) == ((0.01 * k, 0.0), 1.0)


def test_arrow_scale_of_nothing_to_draw_is_one_and_bad_windows_are_refused() -> None:
    assert arrow_scale(_anatomy((0.0, 0.0), (0.0, 0.0)), WINDOW) == 1.0
    assert arrow_scale(_anatomy((math.nan, 1.0), (math.inf, 0.0)), WINDOW) == 1.0
    for window in (((1.0, 1.0), (0.0, 1.0)), ((0.0, 1.0),), "x", ((0.0, math.inf), (0.0, 1.0))):
        with pytest.raises(ValueError, match=r"^window must be \(\(xmin, xmax\), \(ymin, ymax\)\)"):
            arrow_scale(_anatomy((1.0, 0.0), (1.0, 0.0)), window)


def test_glyph_at_the_arrows_scale_compares_with_the_sgd_arrow() -> None:
    # Where −α·g reaches past the rectangle ±α·√v, the step in that coordinate is longer than α:
    # |sgd_i| / half-side_i = |step_i| / α (ε negligible here).
    spec = OptimizerSpec("rmsprop", {"lr": 0.1, "beta": 0.9})
    traj = rv.run(rv.Quadratic(condition=4.0), spec.build(), start=(1.0, 0.5), n_steps=5)
    window = ((-2.0, 2.0), (-2.0, 2.0))
    for t in (1, 3):
        a = step_anatomy(spec, traj, t)
        k, kv = arrow_scale(a, window), glyph_scale(a, window)
        assert kv == pytest.approx(0.1 * k)
        assert a.sqrt_v is not None
        for i in range(2):
            assert abs(k * a.sgd[i]) / (kv * a.sqrt_v[i]) == pytest.approx(abs(a.step[i]) / 0.1, rel=1e-6)


def test_glyph_too_large_at_the_arrows_scale_gets_its_own_1_2_5_scale() -> None:
    a: Any = SimpleNamespace(sgd=(0.01, 0.0), step=(0.01, 0.0), memory=None, lr=0.01, sqrt_v=(100.0, 1.0))
    k = arrow_scale(a, WINDOW)  # 100: α·√v·k = 100, 25 windows
    kv = glyph_scale(a, WINDOW)
    assert kv != pytest.approx(0.01 * k)
    assert _mantissa_125(kv)
    assert 0.1 / math.sqrt(2.5) <= 100.0 * kv / 4.0 <= 0.1 * math.sqrt(2.5)
    assert glyph_scale(SimpleNamespace(**{**vars(a), "sqrt_v": None}), WINDOW) == 1.0


def test_anatomy_is_frozen_and_its_rows_end_with_the_step() -> None:
    spec, traj = _run("adam", {"lr": 0.02}, n=4)
    a = step_anatomy(spec, traj, 4)
    assert isinstance(a, Anatomy)
    assert a.rows[-1].name == "step"
    assert a.rows[-1].values == a.step == tuple(traj.updates[3, 0])
    with pytest.raises(AttributeError):
        a.t = 2  # type: ignore[misc]
    assert re.fullmatch(r"√v̂", a.sqrt_v_name)
