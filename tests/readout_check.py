"""Redo a shown step's arithmetic from the shown numbers, as a student would.

Each shown number stands for an interval: ``-0.0316`` with 3 significant digits for
[-0.03165, -0.03155], ``< 2e-15`` for [-2e-15, 2e-15]. Every formula is evaluated here
in interval arithmetic, written from the update rules of the design (not from the
package's code), and its interval must meet the interval of the number shown for it.
Used by test_reports.py (the reports) and test_explorer.py (the explorer's HTML).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DIGITS = 3
SLACK = 1e-12  # relative widening of every interval end, for the rounding of this check itself


@dataclass(frozen=True)
class Iv:
    lo: float
    hi: float

    @staticmethod
    def of(x: Any) -> Iv:
        return x if isinstance(x, Iv) else Iv(float(x), float(x))

    def widen(self) -> Iv:
        return Iv(self.lo - abs(self.lo) * SLACK, self.hi + abs(self.hi) * SLACK)

    def __add__(self, other: Any) -> Iv:
        o = Iv.of(other)
        return Iv(self.lo + o.lo, self.hi + o.hi).widen()

    __radd__ = __add__

    def __neg__(self) -> Iv:
        return Iv(-self.hi, -self.lo)

    def __sub__(self, other: Any) -> Iv:
        return self + (-Iv.of(other))

    def __rsub__(self, other: Any) -> Iv:
        return Iv.of(other) - self

    def __mul__(self, other: Any) -> Iv:
        o = Iv.of(other)
        products = [a * b for a in (self.lo, self.hi) for b in (o.lo, o.hi)]
        products = [0.0 if math.isnan(p) else p for p in products]  # 0 * inf
        return Iv(min(products), max(products)).widen()

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Iv:
        o = Iv.of(other)
        if o.lo <= 0.0 <= o.hi:
            return Iv(-math.inf, math.inf)
        return self * Iv(1.0 / o.hi, 1.0 / o.lo)

    def square(self) -> Iv:
        ends = sorted([self.lo * self.lo, self.hi * self.hi])
        low = 0.0 if self.lo <= 0.0 <= self.hi else ends[0]
        return Iv(low, ends[1]).widen()

    def sqrt(self) -> Iv:
        return Iv(math.sqrt(max(self.lo, 0.0)), math.sqrt(max(self.hi, 0.0))).widen()

    def meets(self, other: Iv) -> bool:
        return self.lo <= other.hi and other.lo <= self.hi


def maximum(a: Iv, b: Any) -> Iv:
    b = Iv.of(b)
    return Iv(max(a.lo, b.lo), max(a.hi, b.hi))


def shown(text: str, digits: int = DIGITS) -> Iv:
    """The interval a shown number stands for."""
    text = text.strip()
    if text.startswith("<"):
        bound = float(text[1:])
        return Iv(-bound, bound)
    value = float(text)
    assert math.isfinite(value), f"a shown number is not finite: {text!r}"
    if value == 0.0:
        return Iv(0.0, 0.0)
    assert not text.startswith("-0") or value != 0.0, text
    half = 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)
    return Iv(value - half, value + half)


def constants(text: str) -> dict[str, float]:
    """``"α = 0.03, β = 0.9, ε = 1e-08"`` -> ``{"α": 0.03, "β": 0.9, "ε": 1e-08}``."""
    found = re.findall(r"(\S+) = ([-+0-9.eE]+)", text)
    return {name: float(value) for name, value in found}


def check_step(
    factory: str,
    options: Mapping[str, Any],
    consts: Mapping[str, float],
    rows: Mapping[str, tuple[str, str, str]],
) -> list[str]:
    """Recompute every derived row of one shown step; return the rows checked.

    ``rows`` maps a row's name to ``(formula, x text, y text)``; ``options`` holds the
    variant (``momentum``, ``nesterov``, ``eps_in_sqrt``, ``centered``, ``amsgrad``,
    ``bias_correction``); ``consts`` the shown constants (α, β, ε, μ, β₁, β₂, t).
    """
    checked: list[str] = []
    a = consts["α"]
    for coord in (1, 2):

        def iv(name: str, coord: int = coord) -> Iv:
            assert name in rows, f"{factory}: no row {name!r}; rows are {list(rows)}"
            return shown(rows[name][coord])

        def expect(name: str, value: Iv, coord: int = coord) -> None:
            got = iv(name)
            assert value.meets(got), (
                f"{factory}: row {name} shows {rows[name][coord]!r} = [{got.lo:.6g}, {got.hi:.6g}] but its "
                f"formula {rows[name][0]!r} gives [{value.lo:.6g}, {value.hi:.6g}] from the numbers shown"
            )
            checked.append(name)

        def den(second: Iv, eps: float, inside: bool, name: str) -> Iv:
            formula = rows["den"][0]
            if inside:
                assert formula.startswith("√("), formula
                assert formula.endswith("+ ε)"), formula
                return (second + eps).sqrt()
            assert formula.startswith("√"), formula
            assert not formula.startswith("√("), formula
            return second.sqrt() + eps

        g = iv("g")
        if factory == "sgd":
            mu = float(options.get("momentum", 0.0))
            if mu > 0:
                assert consts["μ"] == mu
                expect("b", mu * iv("b_prev") + g)
                if options.get("nesterov"):
                    expect("d", g + mu * iv("b"))
                    expect("step", -(a * iv("d")))
                else:
                    assert "d" not in rows
                    expect("step", -(a * iv("b")))
            else:
                assert set(rows) == {"g", "step"}, list(rows)
                expect("step", -(a * g))
        elif factory == "adagrad":
            expect("s", iv("s_prev") + g.square())
            d = den(iv("s"), consts["ε"], bool(options.get("eps_in_sqrt", False)), "s")
            expect("den", d)
            expect("step", -(a * g) / iv("den"))
        elif factory == "rmsprop":
            b = consts["β"]
            expect("v", b * iv("v_prev") + (1 - b) * g.square())
            second = iv("v")
            if options.get("bias_correction"):
                expect("v̂", second / (1 - b ** consts["t"]))
                second = iv("v̂")
            if options.get("centered"):
                expect("ḡ", b * iv("ḡ_prev") + (1 - b) * g)
                expect("var", maximum(second - iv("ḡ").square(), 0.0))
                second = iv("var")
            else:
                assert "ḡ" not in rows
                assert "var" not in rows
            expect("den", den(second, consts["ε"], bool(options.get("eps_in_sqrt", True)), "v"))
            mu = float(options.get("momentum", 0.0))
            if mu > 0:
                expect("b", mu * iv("b_prev") + g / iv("den"))
                expect("step", -(a * iv("b")))
            else:
                expect("step", -(a * g) / iv("den"))
        elif factory == "adam":
            b1, b2, t = consts["β₁"], consts["β₂"], consts["t"]
            expect("m", b1 * iv("m_prev") + (1 - b1) * g)
            expect("v", b2 * iv("v_prev") + (1 - b2) * g.square())
            second = iv("v")
            if options.get("amsgrad"):
                expect("v_max", maximum(iv("v_max_prev"), iv("v")))
                second = iv("v_max")
            if options.get("bias_correction", True):
                expect("m̂", iv("m") / (1 - b1**t))
                expect("v̂", second / (1 - b2**t))
                expect("den", iv("v̂").sqrt() + consts["ε"])
                expect("step", -(a * iv("m̂")) / iv("den"))
            else:
                expect("den", second.sqrt() + consts["ε"])
                expect("step", -(a * iv("m")) / iv("den"))
        else:
            raise AssertionError(f"unknown optimizer {factory!r}")
    assert "step" in checked
    return checked
