r"""The anatomy of one step: the vectors a step is made of, and its update rule with numbers.

:func:`step_anatomy` takes one step of a run (step ``t`` moves the parameters from
``θ_{t−1}`` to ``θ_t``) and names what a figure draws over the surface:

- ``sgd = −α·g``: what plain SGD with the same learning rate would have done;
- ``step``: what the optimizer did (``θ_t − θ_{t−1}``, the run's own update);
- ``memory``: the part of the step that comes from a momentum buffer, where there is
  one (what it is for each optimizer is listed in :class:`Anatomy`);
- ``sqrt_v``: ``(√v_x, √v_y)`` of the quantity under the root of the denominator.

Every number comes from :func:`rmsprop_viz.engine.reports.step_report`, the one home of a
step's rows and formulas: nothing of an optimizer's maths is computed a second time here.
:func:`latex_caption` (for MathJax) and :func:`text_caption` write the update rule line by
line with the hyperparameters and the numbers of the lines above filled in, so that each
line can be redone with a calculator. :func:`arrow_scale` and :func:`glyph_scale` say by
how much the arrows and the rectangle are magnified on a figure.

This module needs numpy only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rmsprop_viz.engine.formatting import format_number, format_setting
from rmsprop_viz.engine.reports import Row, StepReport, step_report
from rmsprop_viz.engine.run import Trajectory

__all__ = [
    "Anatomy",
    "arrow_scale",
    "drawn_arrow",
    "glyph_scale",
    "latex_caption",
    "nice_factor",
    "step_anatomy",
    "text_caption",
]

Pair = tuple[float, float]
Window = Sequence[Sequence[float]]

#: Share of the window's smaller side that the longest arrow of a step is drawn at.
ARROW_SHARE = 0.2
#: Below the first share the step's arrow is too short to see; it is then drawn at the second.
STEP_SHARES = (0.05, 0.1)
#: Share of the window's smaller side beyond which an arrow is cut (its label says so).
ARROW_CAP = 0.45
#: The rectangle is drawn at the arrows' scale while its half-sides stay within these
#: shares of the window's smaller side; otherwise at a scale of its own (half-side ~10%).
GLYPH_SHARES = (0.02, 0.45)
GLYPH_SHARE = 0.1


@dataclass(frozen=True)
class Anatomy:
    """One step of one run, as the vectors a figure draws (parameter units) and its rows.

    Attributes
    ----------
    kind : str
        The optimizer's kind (a name of :data:`rmsprop_viz.core.kinds.KINDS`).
    label : str
        Its name in the race.
    t : int
        The step (1 is the first): from ``point`` = θ_{t−1} to ``after`` = θ_t. Past a
        divergence at step ``k`` it is ``k``, the step that left the window.
    lr : float
        The learning rate α.
    point, after : tuple of float
        θ_{t−1} and θ_t. At the step that diverged, ``after`` is ``point + step``, where
        the step would have taken the parameters (the run records no number there).
    sgd : tuple of float
        ``−α·g``: the step plain SGD with the same α would take from ``point``.
    step : tuple of float
        The update the run added: ``θ_t = θ_{t−1} + step``.
    memory : tuple of float or None
        The part of the step carried by a momentum buffer; None without one.

        - SGD with momentum (heavy ball): ``step = −α·g − α·μ·b_{t−1}``, so
          ``memory = −α·μ·b_{t−1}`` and ``sgd + memory == step``.
        - Nesterov: ``step = −α·(g + μ·b_t)``, so ``memory = −α·μ·b_t`` (the look-ahead
          along the new buffer) and again ``sgd + memory == step``.
        - RMSProp with momentum: ``step = −α·g/den − α·μ·b_{t−1}``, so
          ``memory = −α·μ·b_{t−1}``; the rest is RMSProp's own step, not ``sgd``.
        - Adam: the step is ``−α·m̂/den``; ``memory = −α·m̂`` (``−α·m`` without bias
          correction), the step SGD would take with the averaged gradient, in the same
          units as ``sgd``: the two arrows show how averaging turned the gradient, and
          dividing by ``den`` turns ``memory`` into ``step``.
    memory_adds : bool
        True when ``sgd + memory == step`` (heavy ball and Nesterov): a figure may draw
        ``memory`` from the tip of ``sgd``.
    memory_name : str
        What ``memory`` is, as text: ``"−α·μ·b_prev"`` (b of step t−1), ``"−α·μ·b"``,
        ``"−α·m̂"`` or ``"−α·m"``.
    sqrt_v : tuple of float or None
        ``(√v_x, √v_y)`` of the quantity under the root of the denominator: RMSProp's ``v``
        (``v̂`` with bias correction, ``max(v − ḡ², 0)`` centered), Adagrad's sum ``s``,
        Adam's ``v̂`` (``v``, or ``v_max`` with AMSGrad, without bias correction); None for
        SGD, momentum and Nesterov. ``ε`` is left out.
    sqrt_v_name : str
        Its symbol: ``"√v"``, ``"√v̂"``, ``"√s"``, ``"√var"``, ``"√v_max"`` or ``""``.
    report : StepReport
        The step's rows with their formulas (:func:`~rmsprop_viz.engine.reports.step_report`).
    diverged_at : int
        The run's first diverged step, -1 if none.
    """

    kind: str
    label: str
    t: int
    lr: float
    point: Pair
    after: Pair
    sgd: Pair
    step: Pair
    memory: Pair | None
    memory_adds: bool
    memory_name: str
    sqrt_v: Pair | None
    sqrt_v_name: str
    report: StepReport
    diverged_at: int = -1

    @property
    def rows(self) -> tuple[Row, ...]:
        """The step's rows, in the order the optimizer computes them (the last is ``step``)."""
        return self.report.rows

    @property
    def diverged(self) -> bool:
        """True when this is the step at which the run diverged."""
        return self.diverged_at > 0 and self.t >= self.diverged_at


def _pair(values: Any) -> Pair:
    return float(values[0]), float(values[1])


def _scaled(factor: float, values: Sequence[float]) -> Pair:
    return factor * float(values[0]), factor * float(values[1])


def _memory(report: StepReport, factory: str, p: Mapping[str, Any], lr: float) -> tuple[Pair | None, bool, str]:
    names = {row.name for row in report.rows}
    mu = float(p.get("momentum", 0.0))
    if factory == "sgd" and "d" in names:
        return _scaled(-lr * mu, report.row("b").values), True, "−α·μ·b"
    if factory in ("sgd", "rmsprop") and "b_prev" in names:
        return _scaled(-lr * mu, report.row("b_prev").values), factory == "sgd", "−α·μ·b_prev"
    if factory == "adam":
        name = "m̂" if "m̂" in names else "m"
        return _scaled(-lr, report.row(name).values), False, f"−α·{name}"
    return None, False, ""


def _sqrt_v(report: StepReport) -> tuple[Pair | None, str]:
    names = [row.name for row in report.rows]
    if "den" not in names:
        return None, ""
    second = report.rows[names.index("den") - 1]
    with np.errstate(invalid="ignore"):
        root = np.sqrt(np.asarray(second.values, dtype=np.float64))
    return _pair(root), f"√{second.name}"


def step_anatomy(spec: Any, traj: Trajectory, step: int, *, run: int = 0) -> Anatomy:
    r"""Step ``step`` of ``traj``: the arrows of a step-by-step figure and the rows behind them.

    Parameters
    ----------
    spec : OptimizerSpec
        What ran (:class:`rmsprop_viz.core.kinds.OptimizerSpec`), single hyperparameters.
    traj : Trajectory
        Its run.
    step : int
        Which step, 1 to ``traj.n_steps``: the step from ``params[step − 1]`` to
        ``params[step]``. Past a divergence at step ``k``, the anatomy is that of step ``k``.
    run : int
        Which run of a batched trajectory.

    Returns
    -------
    Anatomy
        ``sgd = −α·g``, ``step`` (the run's update), ``memory`` and ``sqrt_v`` as
        described in :class:`Anatomy`, with the rows of
        :func:`~rmsprop_viz.engine.reports.step_report`.

    Examples
    --------
    Adam's first step is ``−α·sign(g)`` (up to ε), whatever the gradient:

    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.core.kinds import OptimizerSpec
    >>> spec = OptimizerSpec("adam", {"lr": 0.1})
    >>> traj = rv.run(rv.Quadratic(), spec.build(), start=(1.0, 1.0), n_steps=3, label="Adam")
    >>> a = step_anatomy(spec, traj, 1)
    >>> a.sgd, [round(s, 6) for s in a.step], a.memory, a.sqrt_v
    ((-0.1, -1.0), [-0.1, -0.1], (-0.1, -1.0), (1.0, 10.0))
    """
    if not isinstance(traj, Trajectory):
        raise ValueError(f"traj must be a Trajectory, got {type(traj).__name__}")
    n = traj.n_steps
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 1 <= step <= n:
        raise ValueError(f"step must be an integer in [1, {n}], got {step!r}")
    report = step_report(spec, traj, int(step), run=run)
    diverged_at = int(traj.diverged_at[run])
    if report.step == 0:  # the start itself is outside the window
        raise ValueError(f"step {step} has no anatomy: {report.note}")
    t = report.step
    lr = float(spec.params["lr"])
    g = report.row("g").values
    update = report.row("step").values
    point = _pair(traj.params[t - 1, run])
    after = _pair(traj.params[t, run])
    if not all(math.isfinite(c) for c in after):
        after = (point[0] + update[0], point[1] + update[1])
    memory, memory_adds, memory_name = _memory(report, report.factory, spec.params, lr)
    sqrt_v, sqrt_v_name = _sqrt_v(report)
    return Anatomy(
        kind=spec.kind,
        label=report.label,
        t=t,
        lr=lr,
        point=point,
        after=after,
        sgd=_scaled(-lr, g),
        step=update,
        memory=memory,
        memory_adds=memory_adds,
        memory_name=memory_name,
        sqrt_v=sqrt_v,
        sqrt_v_name=sqrt_v_name,
        report=report,
        diverged_at=diverged_at,
    )


# ------------------------------------------------------------------------------ sizes


def nice_factor(x: float) -> float:
    """The 1-2-5 number (…, 0.5, 1, 2, 5, 10, 20, …) nearest to ``x > 0`` on a log scale.

    >>> [nice_factor(x) for x in (1.0, 1.4, 1.5, 3.2, 3.1, 7.0, 0.013, 480.0)]
    [1.0, 1.0, 2.0, 5.0, 2.0, 5.0, 0.01, 500.0]
    """
    if not (math.isfinite(x) and x > 0.0):
        raise ValueError(f"x must be a finite number > 0, got {x!r}")
    exponent = math.floor(math.log10(x))
    candidates = [float(f"{m}e{exponent}") for m in (1, 2, 5)] + [float(f"1e{exponent + 1}")]
    return min(candidates, key=lambda c: abs(math.log(c / x)))


def _side(window: Any) -> float:
    try:
        (x0, x1), (y0, y1) = ((float(a), float(b)) for a, b in window)
    except (TypeError, ValueError):
        raise ValueError(f"window must be ((xmin, xmax), (ymin, ymax)), got {window!r}") from None
    if not all(math.isfinite(v) for v in (x0, x1, y0, y1)) or x1 <= x0 or y1 <= y0:
        raise ValueError(
            f"window must be ((xmin, xmax), (ymin, ymax)) with finite xmin < xmax, ymin < ymax, got {window!r}"
        )
    return min(x1 - x0, y1 - y0)


def _finite(vector: Pair | None) -> bool:
    return vector is not None and all(math.isfinite(c) for c in vector)


def arrows(anatomy: Anatomy) -> list[Pair]:
    """The finite vectors among ``sgd``, ``step`` and ``memory`` (what :func:`arrow_scale` sizes)."""
    return [v for v in (anatomy.sgd, anatomy.step, anatomy.memory) if v is not None and _finite(v)]


def _clamped(x: float) -> float:
    return nice_factor(min(max(x, 1e-300), 1e300))


def arrow_scale(anatomy: Anatomy, window: Window) -> float:
    """The factor every arrow of the step is drawn at: a 1-2-5 number, one for all arrows
    of the step so that their lengths compare.

    The longest arrow is drawn at about 20% of the window's smaller side (13% to 32%),
    unless that leaves the step itself shorter than 5% of it (with RMSProp and Adam on a
    steep surface, ``−α·g`` is often 10 to 100 times the step): then the step is drawn at
    about 10% (6% to 16%) and an arrow longer than :data:`ARROW_CAP` of the side is cut
    to that length, its label saying so (:func:`drawn_arrow`). 1 when no arrow has a
    finite length above 0. ``window`` is ``((xmin, xmax), (ymin, ymax))``.

    >>> from types import SimpleNamespace
    >>> a = SimpleNamespace(sgd=(-0.3, 0.4), step=(0.1, 0.0), memory=None)
    >>> arrow_scale(a, ((-2, 2), (-1, 3)))  # |sgd| = 0.5: 0.2 * 4 / 0.5 = 1.6
    2.0
    >>> b = SimpleNamespace(sgd=(-3.0, 4.0), step=(0.03, 0.0), memory=None)
    >>> arrow_scale(b, ((-2, 2), (-1, 3)))  # |step| = 0.03: 0.1 * 4 / 0.03 = 13.3
    10.0
    """
    side = _side(window)
    longest = max((math.hypot(*v) for v in arrows(anatomy)), default=0.0)
    if longest == 0.0:
        return 1.0
    k = _clamped(ARROW_SHARE * side / longest)
    step = math.hypot(*anatomy.step) if _finite(anatomy.step) else 0.0
    if 0.0 < step * k < STEP_SHARES[0] * side:
        k = _clamped(STEP_SHARES[1] * side / step)
    return k


def drawn_arrow(vector: Pair, k: float, window: Window) -> tuple[Pair, float]:
    """``vector × k`` as drawn on ``window``, and by how much it was cut (1: not cut): an
    arrow longer than :data:`ARROW_CAP` of the window's smaller side is drawn that long.

    >>> (x, y), cut = drawn_arrow((3.0, 4.0), 1.0, ((0, 10), (0, 10)))  # 5 > 0.45 * 10: cut to 4.5
    >>> round(x, 12), round(y, 12), round(cut, 12)
    (2.7, 3.6, 1.111111111111)
    >>> drawn_arrow((0.3, 0.4), 2.0, ((0, 10), (0, 10)))
    ((0.6, 0.8), 1.0)
    """
    cap = ARROW_CAP * _side(window)
    x, y = k * vector[0], k * vector[1]
    length = math.hypot(x, y)
    if not length > cap:  # also NaN
        return (x, y), 1.0
    cut = length / cap
    return (x / cut, y / cut), cut


def glyph_scale(anatomy: Anatomy, window: Window) -> float:
    """The factor the √v rectangle's half-sides are drawn at: ``±√v × glyph_scale``.

    The honest mapping is ``α × arrow_scale``: the rectangle then spans ``±α·√v`` at the
    arrows' scale, and where the ``−α·g`` arrow ends outside it the step in that coordinate
    is longer than α (``|step| = α·|g|/√v`` for RMSProp and Adagrad; for Adam compare the
    ``−α·m̂`` arrow). That mapping is used while the largest half-side lies between 2% and
    45% of the window's smaller side; otherwise (a rectangle too small to see or larger
    than the window) the factor is a 1-2-5 number of its own giving a half-side of ~10%,
    and a legend must say so. 1 when there is no √v or it is 0.
    """
    side = _side(window)
    if anatomy.sqrt_v is None or not _finite(anatomy.sqrt_v):
        return 1.0
    largest = max(anatomy.sqrt_v)
    if largest == 0.0:
        return 1.0
    honest = anatomy.lr * arrow_scale(anatomy, window)
    if GLYPH_SHARES[0] * side <= largest * honest <= GLYPH_SHARES[1] * side:
        return honest
    return _clamped(GLYPH_SHARE * side / largest)


# ------------------------------------------------------------------------------ captions

#: Symbols of the rows and constants, in LaTeX and in plain text.
LATEX_NAMES = {
    "g": "g_t",
    "b_prev": "b_{t-1}",
    "b": "b_t",
    "d": "d_t",
    "s_prev": "s_{t-1}",
    "s": "s_t",
    "v_prev": "v_{t-1}",
    "v": "v_t",
    "v̂": r"\hat v_t",
    "ḡ_prev": r"\bar g_{t-1}",
    "ḡ": r"\bar g_t",
    "var": r"\sigma^2_t",
    "den": r"\mathrm{den}_t",
    "m_prev": "m_{t-1}",
    "m": "m_t",
    "m̂": r"\hat m_t",
    "v_max_prev": r"v^{\max}_{t-1}",
    "v_max": r"v^{\max}_t",
    "step": r"\Delta\theta_t",
}
TEXT_NAMES = {"step": "Δθ", "var": "var"}
LATEX_CONSTANTS = {"α": r"\alpha", "β₁": r"\beta_1", "β₂": r"\beta_2", "β": r"\beta", "ε": r"\varepsilon", "μ": r"\mu"}
_TOKEN = re.compile(
    r"∇f\(θ\)|(?<![A-Za-z_\u0302])("
    + "|".join(re.escape(n) for n in sorted([*LATEX_NAMES, *LATEX_CONSTANTS], key=len, reverse=True))
    + r")(?![A-Za-z_\u0302])"
)
_LATEX_OPS = (
    ("·", r"\cdot "),
    ("−", "-"),
    ("²", "^2"),
    ("max(", r"\max("),
    ("\x01", r"\sqrt{"),
    ("\x02", "}"),
    ("\x03", r"\sqrt{"),
    ("\x04", "}"),
)
_TEXT_OPS = (("\x01", "√("), ("\x02", ")"), ("\x03", "√"), ("\x04", ""))


def _roots(formula: str) -> str:
    """``√(a + b)`` marked \\x01 ... \\x02 and ``√a`` marked \\x03 ... \\x04 (the root's extent)."""
    formula = re.sub(r"√\(([^()]*)\)", "\x01\\1\x02", formula)
    return re.sub(r"√(" + _TOKEN.pattern + ")", "\x03\\1\x04", formula)


def _fill(formula: str, token: Callable[[str], str], power: str, ops: Sequence[tuple[str, str]]) -> str:
    pieces, end = [], 0
    text = _roots(formula)
    for match in _TOKEN.finditer(text):
        pieces += [text[end : match.start()], token(match.group(0))]
        end = match.end()
    out = "".join([*pieces, text[end:]]).replace("ᵗ", power)
    for old, new in ops:
        out = out.replace(old, new)
    return out


def _latex_number(text: str) -> str:
    """A number as :meth:`Row.texts` or :func:`format_number` writes it, in LaTeX."""
    if text in ("nan", "inf", "-inf"):
        return {"nan": r"\text{undefined}", "inf": r"\infty", "-inf": r"-\infty"}[text]
    bound = text.startswith("<")
    body = text.lstrip("< ")
    if "e" in body:
        mantissa, exponent = body.split("e")
        power = f"10^{{{int(exponent)}}}"
        body = power if mantissa in ("1", "1.0") else rf"{mantissa}\times {power}"
    return rf"{{<}}\,{body}" if bound else body


def _text_number(text: str) -> str:
    return {"nan": "undefined", "inf": "∞", "-inf": "−∞"}.get(text, text)


def _tex_text(text: str) -> str:
    """Plain text inside ``\\text{}``, with LaTeX's special characters escaped."""
    for old, new in (("\\", r"\backslash "), ("{", r"\{"), ("}", r"\}"), ("$", r"\$"), ("&", r"\&"), ("%", r"\%")):
        text = text.replace(old, new)
    return re.sub(r"([#_^~])", r"\\\1", text)


def _lines(anatomy: Anatomy, digits: int, latex: bool) -> tuple[str, list[tuple[str, str, str, str]]]:
    """The header and, per shown row, ``(symbol, formula, formula with numbers, value)``."""
    report = anatomy.report
    number = _latex_number if latex else _text_number
    sep = r",\ " if latex else ", "
    texts = {row.name: row.texts(digits) for row in report.rows}
    pairs = {name: f"({number(x)}{sep}{number(y)})" for name, (x, y) in texts.items()}
    consts = dict(report.constants)
    values = {k: number(format_setting(v)) for k, v in consts.items() if k != "t"}
    ops = _LATEX_OPS if latex else _TEXT_OPS
    t = str(anatomy.t)

    def symbol(name: str) -> str:
        if latex:
            return LATEX_CONSTANTS.get(name) or LATEX_NAMES.get(name) or r"\nabla f(\theta_{t-1})"
        return TEXT_NAMES.get(name, name if name != "∇f(θ)" else "∇f(θ_prev)")

    def numeric(name: str) -> str:
        if name == "∇f(θ)":
            where = sep.join(number(format_number(c, digits)) for c in anatomy.point)
            return (r"\nabla f(" if latex else "∇f(") + where + ")"
        return values.get(name) or pairs[name]

    power = "^{t}" if latex else "ᵗ"
    lines = []
    for row in report.rows:
        if row.name.endswith("_prev"):
            continue
        formula = _fill(row.formula, symbol, power, ops)
        filled = _fill(row.formula, numeric, f"^{{{t}}}" if latex else f"^{t}", ops)
        lines.append((symbol(row.name), formula, filled, pairs[row.name]))
    shown = [(k, v) for k, v in consts.items() if k != "t"]
    if latex:
        settings = r",\quad ".join(f"{LATEX_CONSTANTS[k]} = {number(format_setting(v))}" for k, v in shown)
        head = rf"\text{{{_tex_text(anatomy.label)}, step }}t = {t}" + (rf":\quad {settings}" if settings else "")
    else:
        settings = ", ".join(f"{k} = {format_setting(v)}" for k, v in shown)
        head = f"{anatomy.label}, step t = {t}" + (f": {settings}" if settings else "")
    if anatomy.diverged:
        said = f"{anatomy.label} diverged at step {anatomy.diverged_at}"
        rest = "the numbers of the step that left the window"
        if latex:
            head = rf"\text{{{_tex_text(said)}}}" + (rf"\ ({settings})" if settings else "") + rf"\text{{: {rest}}}"
        else:
            head = said + (f" ({settings})" if settings else "") + f": {rest}"
    return head, lines


def _check_digits(digits: Any) -> int:
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"digits must be an integer in [1, 17], got {digits!r}")
    return digits


def latex_caption(anatomy: Anatomy, digits: int = 3) -> str:
    r"""The step's update rule with its numbers, for MathJax (``$$\begin{aligned} … $$``).

    A header names the optimizer, the step and the hyperparameters; then one line per
    quantity in the order the optimizer computes it (Adam: g, m, v, m̂, v̂, den, step;
    RMSProp: g, v, den, step; Adagrad: g, s, den, step; momentum: g, b, step; SGD: g,
    step), each ``symbol = formula = formula with numbers = (x, y)``: the numbers filled
    in are the hyperparameters and the values of the lines above as shown (``digits``
    significant digits), so each line can be redone with a calculator. Operations are
    per coordinate. At the step where the run diverged the header says so, and numbers
    that overflowed read "undefined" or ∞, never "nan".

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.core.kinds import OptimizerSpec
    >>> spec = OptimizerSpec("sgd", {"lr": 0.1})
    >>> traj = rv.run(rv.Quadratic(), spec.build(), start=(1.0, 1.0), n_steps=3, label="SGD")
    >>> print(latex_caption(step_anatomy(spec, traj, 1)))
    $$\begin{aligned}&\text{SGD, step }t = 1:\quad \alpha = 0.1\\
    g_t &= \nabla f(\theta_{t-1}) = \nabla f(1,\ 1) = (1,\ 10)\\
    \Delta\theta_t &= -\alpha\cdot g_t = -0.1\cdot (1,\ 10) = (-0.1,\ -1)\end{aligned}$$
    """
    head, lines = _lines(anatomy, _check_digits(digits), latex=True)
    body = [f"{sym} &= {formula} = {filled} = {value}" for sym, formula, filled, value in lines]
    return r"$$\begin{aligned}&" + "\\\\\n".join([head, *body]) + r"\end{aligned}$$"


def text_caption(anatomy: Anatomy, digits: int = 3) -> str:
    """The same lines as :func:`latex_caption`, in plain text for places without MathJax.

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.core.kinds import OptimizerSpec
    >>> spec = OptimizerSpec("rmsprop", {"lr": 0.01, "beta": 0.9})
    >>> traj = rv.run(rv.Quadratic(), spec.build(), start=(1.0, 1.0), n_steps=3, label="RMSProp")
    >>> print(text_caption(step_anatomy(spec, traj, 1)))
    RMSProp, step t = 1: α = 0.01, β = 0.9, ε = 1e-08
      g = ∇f(θ_prev) = ∇f(1, 1) = (1, 10)
      v = β·v_prev + (1−β)·g² = 0.9·(0, 0) + (1−0.9)·(1, 10)² = (0.1, 10)
      den = √(v + ε) = √((0.1, 10) + 1e-08) = (0.316, 3.16)
      Δθ = −α·g / den = −0.01·(1, 10) / (0.316, 3.16) = (-0.0316, -0.0316)
    """
    head, lines = _lines(anatomy, _check_digits(digits), latex=False)
    return "\n".join([head, *(f"  {sym} = {formula} = {filled} = {value}" for sym, formula, filled, value in lines)])
