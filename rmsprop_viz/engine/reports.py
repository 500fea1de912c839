r"""What one step of an optimizer did, row by row, each row with its formula.

:func:`step_report` reads one step of a :class:`~rmsprop_viz.engine.run.Trajectory` and lays it
out the way the optimizer computes it, so that a reader can redo the arithmetic with the
numbers shown: for RMSProp (eps inside the root)

=========  ==========================  ============
row        formula                     (x, y)
=========  ==========================  ============
g          ∇f(θ)                       the gradient
v_prev     v of step t−1               (0 at t = 1)
v          β·v_prev + (1−β)·g²
den        √(v + ε)
step       −α·g / den                  what was added to θ
=========  ==========================  ============

The rows come from each optimizer's own formula (SGD, with momentum or Nesterov;
Adagrad; RMSProp, centered or with momentum; Adam, with AMSGrad or without bias
correction), with every option of :mod:`rmsprop_viz.core.optimizers`. The gradient, the state
and the step are the run's own numbers; the rows in between (``den``, ``m̂``, ``v̂``) are
computed here from the state with the same formula the optimizer used, and the tests
check that the shown step follows from them.

This module needs numpy only.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from rmsprop_viz.core import optimizers
from rmsprop_viz.engine.formatting import format_gap
from rmsprop_viz.engine.run import Trajectory

__all__ = ["Row", "StepReport", "step_report"]

#: Greek letters for the hyperparameters a report names.
SYMBOLS = {"lr": "α", "beta": "β", "beta1": "β₁", "beta2": "β₂", "eps": "ε", "momentum": "μ"}


@dataclass(frozen=True)
class Row:
    """One quantity of a step, in both coordinates.

    Attributes
    ----------
    name : str
        Its symbol, e.g. ``"v"``; ``"v_prev"`` is the same quantity one step earlier.
    formula : str
        How it is computed from the rows above and the constants, e.g.
        ``"β·v_prev + (1−β)·g²"``; for a value read from the run, where it comes from.
    values : tuple of float
        ``(x, y)``.
    scale : float
        Its size at the first step (> 0): values below ``1e-15 * scale`` are rounding
        noise and print as ``< 1e-15`` (:func:`rmsprop_viz.engine.formatting.format_gap`).
    """

    name: str
    formula: str
    values: tuple[float, float]
    scale: float = 1.0

    def texts(self, digits: int = 3) -> tuple[str, str]:
        """``(x, y)`` as text: ``digits`` significant digits, ``0`` for an exact zero (such
        as a state before the first step), ``< 1e-15`` (times ``scale``) for rounding noise.

        >>> Row("v_prev", "v of step t−1", (0.0, -0.0)).texts()
        ('0', '0')
        >>> Row("g", "∇f(θ)", (8.44e-172, -0.5), scale=2.0).texts()
        ('< 2e-15', '-0.5')
        """
        x, y = ("0" if v == 0.0 else format_gap(v, self.scale, digits) for v in self.values)
        return x, y


@dataclass(frozen=True)
class StepReport:
    """Step ``step`` of one optimizer, as rows a reader can recompute.

    Attributes
    ----------
    label : str
        The optimizer's name in the race.
    factory : str
        ``"sgd"``, ``"adagrad"``, ``"rmsprop"`` or ``"adam"``.
    step : int
        The step the rows describe (1 is the first); 0 when no step is shown.
    constants : tuple of (str, float)
        The hyperparameters the formulas name, e.g. ``(("α", 0.01), ("β", 0.9))``.
    rows : tuple of Row
        In the order the optimizer computes them; the last is ``step``.
    note : str
        Why the rows are empty or are not those of the step asked for ("" otherwise).
    """

    label: str
    factory: str
    step: int
    constants: tuple[tuple[str, float], ...]
    rows: tuple[Row, ...]
    note: str = ""

    def constants_text(self) -> str:
        """The constants as ``"α = 0.01, β = 0.9, ε = 1e-08"`` (6 significant digits)."""
        return ", ".join(f"{name} = {value:.6g}" for name, value in self.constants)

    def row(self, name: str) -> Row:
        """The row called ``name``."""
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"no row {name!r} in the report of {self.label}; rows: {[r.name for r in self.rows]}")

    def as_text(self, digits: int = 3) -> str:
        """The report as a plain-text table, for terminals and logs.

        Examples
        --------
        >>> import rmsprop_viz as rv
        >>> from rmsprop_viz.core.kinds import OptimizerSpec
        >>> spec = OptimizerSpec("sgd", {"lr": 0.1})
        >>> traj = rv.run(rv.Quadratic(), spec.build(), start=(1.0, 1.0), n_steps=3, label="SGD")
        >>> print(step_report(spec, traj, 1).as_text())
        SGD, step 1 (α = 0.1)
          g     = ∇f(θ)     1  10
          step  = −α·g   -0.1  -1
        """
        head = f"{self.label}, step {self.step}" + (f" ({self.constants_text()})" if self.constants else "")
        lines = [head + (f": {self.note}" if self.note else "")]
        cells = [(r.name, f"= {r.formula}", *r.texts(digits)) for r in self.rows]
        widths = [max((len(c[i]) for c in cells), default=0) for i in range(4)]
        for name, formula, x, y in cells:
            lines.append(
                f"  {name.ljust(widths[0])}  {formula.ljust(widths[1])}  {x.rjust(widths[2])}  {y.rjust(widths[3])}"
            )
        return "\n".join(lines)


def _hyper(spec: Any) -> tuple[str, dict[str, Any]]:
    """The factory name and every hyperparameter (the factory's defaults filled in)."""
    factory = str(spec.factory)
    make = optimizers.get(factory)
    params = {name: p.default for name, p in inspect.signature(make).parameters.items() if p.default is not p.empty}
    params.update(dict(spec.params))
    for name, value in params.items():
        if np.ndim(value) != 0:
            raise ValueError(
                f"a step report needs single hyperparameters; {name} is an array of shape {np.shape(value)}"
            )
    return factory, params


def _den(second: Any, eps: float, inside: bool) -> Any:
    return np.sqrt(second + eps) if inside else np.sqrt(second) + eps


def _den_text(name: str, inside: bool) -> str:
    return f"√({name} + ε)" if inside else f"√{name} + ε"


def _rows(factory: str, p: Mapping[str, Any], traj: Trajectory, i: int, run: int) -> list[tuple[str, str, Any]]:
    """``(name, formula, (x, y) array)`` for step index ``i`` (step ``i + 1``)."""
    g = traj.grads[i, run]
    states = traj.states

    def now(field: str) -> Any:
        return getattr(states, field)[i, run]

    def before(field: str, initial: float = 0.0) -> Any:
        return getattr(states, field)[i - 1, run] if i > 0 else np.full(2, float(initial))

    rows: list[tuple[str, str, Any]] = [("g", "∇f(θ)", g)]
    if factory == "sgd":
        if float(p["momentum"]) > 0.0:
            rows += [("b_prev", "b of step t−1", before("b")), ("b", "μ·b_prev + g", now("b"))]
            if p["nesterov"]:
                rows += [("d", "g + μ·b", g + float(p["momentum"]) * now("b")), ("step", "−α·d", None)]
            else:
                rows.append(("step", "−α·b", None))
        else:
            rows.append(("step", "−α·g", None))
    elif factory == "adagrad":
        inside = bool(p["eps_in_sqrt"])
        s = now("s")
        rows += [
            ("s_prev", "s of step t−1", before("s", float(p["initial_accumulator"]))),
            ("s", "s_prev + g²", s),
            ("den", _den_text("s", inside), _den(s, float(p["eps"]), inside)),
            ("step", "−α·g / den", None),
        ]
    elif factory == "rmsprop":
        beta, inside, t = float(p["beta"]), bool(p["eps_in_sqrt"]), i + 1
        v = now("v")
        rows += [("v_prev", "v of step t−1", before("v", float(p["initial_v"]))), ("v", "β·v_prev + (1−β)·g²", v)]
        second, name = v, "v"
        if p["bias_correction"]:
            second, name = v / (1.0 - beta**t), "v̂"
            rows.append(("v̂", "v / (1−βᵗ)", second))
        if p["centered"]:
            gbar = now("gbar")
            rows += [("ḡ_prev", "ḡ of step t−1", before("gbar")), ("ḡ", "β·ḡ_prev + (1−β)·g", gbar)]
            second = np.maximum(second - gbar * gbar, 0.0)
            rows.append(("var", f"max({name} − ḡ², 0)", second))
            name = "var"
        rows.append(("den", _den_text(name, inside), _den(second, float(p["eps"]), inside)))
        if float(p["momentum"]) > 0.0:
            rows += [("b_prev", "b of step t−1", before("b")), ("b", "μ·b_prev + g / den", now("b"))]
            rows.append(("step", "−α·b", None))
        else:
            rows.append(("step", "−α·g / den", None))
    elif factory == "adam":
        b1, b2, t = float(p["beta1"]), float(p["beta2"]), i + 1
        m, v = now("m"), now("v")
        rows += [
            ("m_prev", "m of step t−1", before("m")),
            ("m", "β₁·m_prev + (1−β₁)·g", m),
            ("v_prev", "v of step t−1", before("v")),
            ("v", "β₂·v_prev + (1−β₂)·g²", v),
        ]
        second, name = v, "v"
        if p["amsgrad"]:
            second, name = now("vmax"), "v_max"
            rows += [("v_max_prev", "v_max of step t−1", before("vmax")), ("v_max", "max(v_max_prev, v)", second)]
        if p["bias_correction"]:
            rows += [("m̂", "m / (1−β₁ᵗ)", m / (1.0 - b1**t)), ("v̂", f"{name} / (1−β₂ᵗ)", second / (1.0 - b2**t))]
            rows += [("den", "√v̂ + ε", np.sqrt(second / (1.0 - b2**t)) + float(p["eps"])), ("step", "−α·m̂ / den", None)]
        else:
            rows += [("den", f"√{name} + ε", np.sqrt(second) + float(p["eps"])), ("step", "−α·m / den", None)]
    else:  # pragma: no cover - optimizers.get() refuses other names
        raise ValueError(f"no step report for optimizer {factory!r}")
    name, formula, _ = rows[-1]
    rows[-1] = (name, formula, traj.updates[i, run])
    return rows


def _constants(factory: str, p: Mapping[str, Any], step: int) -> tuple[tuple[str, float], ...]:
    names = ["lr"]
    if factory == "sgd" and float(p["momentum"]) > 0.0:
        names.append("momentum")
    elif factory == "adagrad":
        names.append("eps")
    elif factory == "rmsprop":
        names += ["beta", "eps"] + (["momentum"] if float(p["momentum"]) > 0.0 else [])
    elif factory == "adam":
        names += ["beta1", "beta2", "eps"]
    out = [(SYMBOLS[n], float(p[n])) for n in names]
    if factory == "adam" or (factory == "rmsprop" and p["bias_correction"]):
        out.append(("t", float(step)))
    return tuple(out)


def _scale(values: Any) -> float:
    size = float(np.max(np.abs(values))) if np.all(np.isfinite(values)) else 0.0
    return size if size > 0.0 else 1.0


def step_report(spec: Any, traj: Trajectory, step: int, *, run: int = 0) -> StepReport:
    r"""Step ``step`` of ``traj`` as rows that follow the optimizer's own formula.

    Parameters
    ----------
    spec : OptimizerSpec
        What ran: ``spec.factory`` (``"sgd"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``)
        and ``spec.params``, the hyperparameters (single numbers; the factory's defaults
        fill in the rest). See :class:`rmsprop_viz.core.kinds.OptimizerSpec`.
    traj : Trajectory
        The run of that optimizer.
    step : int
        Which step, 1 to ``traj.n_steps``; 0 (the start) gives a report without rows.
        Past a divergence at step ``k`` the rows are those of step ``k``, the step that
        left the window, and ``note`` says so.
    run : int
        Which run of a batched trajectory.

    Returns
    -------
    StepReport
        ``rows`` ends with ``step``, the update the run added to the parameters:
        ``θ_t = θ_{t−1} + step``.

    Examples
    --------
    RMSProp's first step is ``−α/√(1−β)`` per coordinate, whatever the gradient:

    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.core.kinds import OptimizerSpec
    >>> spec = OptimizerSpec("rmsprop", {"lr": 0.01, "beta": 0.9})
    >>> traj = rv.run(rv.Quadratic(), spec.build(), start=(1.0, 1.0), n_steps=5, label="RMSProp")
    >>> report = step_report(spec, traj, 1)
    >>> [r.name for r in report.rows]
    ['g', 'v_prev', 'v', 'den', 'step']
    >>> report.row("den").formula, report.row("step").texts()
    ('√(v + ε)', ('-0.0316', '-0.0316'))
    """
    factory, p = _hyper(spec)
    if not isinstance(traj, Trajectory):
        raise ValueError(f"traj must be a Trajectory, got {type(traj).__name__}")
    n = traj.n_steps
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step <= n:
        raise ValueError(f"step must be an integer in [0, {n}], got {step!r}")
    if isinstance(run, bool) or not isinstance(run, (int, np.integer)) or not 0 <= run < traj.runs:
        raise ValueError(f"run must be an integer in [0, {traj.runs - 1}], got {run!r}")
    step, run = int(step), int(run)
    label = traj.label or factory
    k = int(traj.diverged_at[run])
    note = ""
    if step == 0:
        return StepReport(label, factory, 0, _constants(factory, p, 0), (), "at the start, before any step")
    if k == 0:
        return StepReport(label, factory, 0, _constants(factory, p, 0), (), "the start itself is outside the window")
    if k > 0 and step > k:
        note = f"diverged at step {k}; these are the numbers of step {k}, the step that left the window"
        step = k
    with np.errstate(all="ignore"):
        rows = _rows(factory, p, traj, step - 1, run)
        first = {name: values for name, _, values in _rows(factory, p, traj, 0, run)}
    shown = []
    for name, formula, values in rows:
        base = first.get(name.removesuffix("_prev"), values)
        pair = (float(values[0]), float(values[1]))
        shown.append(Row(name, formula, pair, _scale(base)))
    return StepReport(label, factory, step, _constants(factory, p, step), tuple(shown), note)
