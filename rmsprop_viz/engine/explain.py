"""Explanations: the words the explorer and the command line show about runs.

Each function takes what the engine and the core know (a kind of optimizer, its
hyperparameters, a surface, a start, a :class:`.Trajectory`, a :class:`.BestLR`) and
returns a sentence; no interface builds these sentences itself.

* :func:`why_diverged`: why a run diverged, with the numbers behind it;
* :func:`lr_limit`: the learning rate above which gradient descent (plain, heavy-ball
  or Nesterov momentum) diverges on a quadratic, and the formula it comes from;
* :func:`best_lr_rule`: how :func:`.best_lr` chose its learning rate;
* :func:`race_summary`: what happened in a race (who diverged and why, else who got
  lowest and how far above the minimum).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from rmsprop_viz.core import kinds
from rmsprop_viz.core.kinds import OptimizerSpec
from rmsprop_viz.core.surfaces import Surface, gd_lr_limit, max_curvature
from rmsprop_viz.engine.formatting import below_resolution, format_gap, format_number, format_setting, resolution_text
from rmsprop_viz.engine.sweeps import BestLR
from rmsprop_viz.engine.trajectory import Trajectory

__all__ = ["best_lr_rule", "lr_limit", "race_summary", "why_diverged"]


def _settings(kind: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The kind's fixed parameters with ``params`` over them (an unknown kind: ``params``)."""
    fixed = kinds.KINDS[kind].fixed if kind in kinds.KINDS else {}
    return {**fixed, **params}


def lr_limit(kind: str, params: Mapping[str, Any], curvature: float) -> tuple[float, str] | None:
    r"""The learning rate above which a kind of the SGD family diverges on a quadratic of
    curvature :math:`L`, and the formula, as text; None for other kinds (their steps do
    not grow with the gradient).

    With momentum :math:`\mu`: heavy-ball momentum diverges above
    :math:`2(1 + \mu)/L` (:func:`.surfaces.gd_lr_limit`), Nesterov's above
    :math:`2(1 + \mu)/((1 + 2\mu) L)` (where the root of
    :math:`z^2 - (1 + \mu)(1 - hL)z + \mu(1 - hL)` reaches -1), plain SGD above
    :math:`2/L`.

    >>> lr_limit("sgd", {}, 10.0)
    (0.2, '2/L')
    >>> lr_limit("momentum", {}, 10.0)   # momentum 0.9, the kind's own
    (0.38, '2(1 + momentum)/L')
    >>> round(lr_limit("nesterov", {"momentum": 0.5}, 10.0)[0], 6)   # 3 / (2 * 10)
    0.15
    >>> lr_limit("adam", {}, 10.0) is None
    True
    """
    settings = _settings(kind, params)
    if kind not in kinds.KINDS or kinds.KINDS[kind].factory != "sgd":
        return None
    mu = float(settings.get("momentum", 0.0))
    if mu and settings.get("nesterov", False):
        return (math.inf if curvature <= 0 else 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) * curvature)), (
            "2(1 + momentum)/((1 + 2 momentum) L)"
        )
    return gd_lr_limit(curvature, mu), ("2(1 + momentum)/L" if mu else "2/L")


def why_diverged(
    kind: str, params: Mapping[str, Any], surface: Surface, start: Any, traj: Trajectory, run: int = 0
) -> str:
    """A sentence on why run ``run`` of ``traj`` (optimizer ``kind`` with ``params``,
    started at ``start`` on ``surface``) diverged.

    Parameters
    ----------
    kind : str
        A kind of :data:`rmsprop_viz.core.kinds.KINDS`, or ``""`` for an optimizer of the
        user's own.
    params : mapping
        Its hyperparameters as given to its factory (``lr`` at least).
    surface : Surface
        The surface it ran on.
    start : (float, float) or None
        Where the run started (the curvature is measured there); None: the surface's
        default start.
    traj : Trajectory
        The run.
    run : int
        Which run of the batch.

    Returns
    -------
    str
        One sentence, starting in lower case ("its alpha ... is above ..."), to follow
        "<label> diverged at step k: ".

    Examples
    --------
    SGD on ``Quadratic(condition=10)``, whose curvature is :math:`L = 10` everywhere,
    diverges above :math:`2/L = 0.2`:

    >>> import rmsprop_viz as rv
    >>> traj = rv.run(rv.Quadratic(condition=10), rv.sgd(0.25), start=(0.0, 1.0), n_steps=20)
    >>> why_diverged("sgd", {"lr": 0.25}, rv.Quadratic(condition=10), (0.0, 1.0), traj)
    'its alpha 0.25 is above 2/L = 0.2 for this surface (L = 10, the steepest curvature at the start).'
    """
    settings = _settings(kind, params)
    lr = float(settings.get("lr", math.nan))
    alpha = format_setting(lr)
    x0, y0 = surface.default_start if start is None else start
    curvature = max_curvature(surface, (float(x0), float(y0)))
    limit = lr_limit(kind, params, curvature)
    if limit is not None:
        bound, formula = limit
        if lr > bound:
            return (
                f"its alpha {alpha} is above {formula} = {format_number(bound)} for this surface "
                f"(L = {format_number(curvature)}, the steepest curvature at the start)."
            )
        return f"its alpha {alpha} is too large for the curvature it met on the way."
    steps = np.abs(traj.updates[:1, run])
    first = format_number(float(np.max(steps))) if np.isfinite(steps).all() and steps.size else None
    if first is None:
        return "its first step already left the surface's region of finite values."
    if kind == "rmsprop" and not settings.get("bias_correction", False) and not settings.get("initial_v", 0.0):
        beta = float(settings.get("beta", 0.9))
        formula = "alpha/sqrt(beta (1 - beta))" if settings.get("centered", False) else "alpha/sqrt(1 - beta)"
        return (
            f"its first step was {first} in each coordinate ({formula}, whatever the gradient, "
            f"at beta = {format_setting(beta)}), too long for this surface."
        )
    if kind in kinds.KINDS:
        return f"its steps of about alpha = {alpha} per coordinate (the first was {first}) are too long here."
    return f"its steps grew too long for this surface (the first was {first})."


def best_lr_rule(found: BestLR) -> str:
    """How :func:`.best_lr` chose: the values tried, the measure and :func:`.best_cell`'s rule.

    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.engine.sweeps import best_lr
    >>> found = best_lr(rv.Quadratic(), "sgd", n_steps=30, backend="numpy")
    >>> print(best_lr_rule(found))  # doctest: +NORMALIZE_WHITESPACE
    of 26 values from 1e-05 to 1, by the loss after 30 steps, the cell with the best worst
    case over itself and the cell either side; all of them must converge
    """
    lo, hi = format_setting(float(found.lrs[0])), format_setting(float(found.lrs[-1]))
    return (
        f"of {len(found.lrs)} values from {lo} to {hi}, by the loss after {found.n_steps} steps, the {found.cell.rule}"
    )


def race_summary(
    results: Mapping[str, Trajectory],
    specs: Mapping[str, OptimizerSpec],
    surface: Surface,
    start: Any,
    *,
    floor: float,
    scale: float,
) -> tuple[str, bool]:
    """What happened in a race, in words, and whether it is bad news (a divergence).

    Every run that diverged gets a sentence, "<label> diverged at step k: " and
    :func:`why_diverged`; when none did, the run with the lowest final loss is named
    with its gap :math:`f - f^*` above ``floor`` ("at the minimum" when the gap is below
    what float64 resolves at ``scale``, :func:`.formatting.below_resolution`).

    Parameters
    ----------
    results : mapping of str to Trajectory
        The runs to speak of (run 0 of each), in order.
    specs : mapping of str to OptimizerSpec
        The optimizer behind each run, same keys (its kind and hyperparameters say why
        it diverged).
    surface : Surface
        The surface raced on.
    start : (float, float) or None
        The common start; None: the surface's default start.
    floor : float
        The loss at the minimum, :math:`f^*` (:func:`.trajectory.loss_floor`).
    scale : float
        The loss gap at the start (:func:`.trajectory.gap_scale`), > 0.

    Returns
    -------
    (str, bool)
        The text ("" for no run) and whether a run diverged.

    Examples
    --------
    >>> import rmsprop_viz as rv
    >>> from rmsprop_viz.core.kinds import OptimizerSpec
    >>> specs = {"sgd": OptimizerSpec("sgd", {"lr": 0.1})}
    >>> runs = {"sgd": rv.run(rv.Quadratic(), specs["sgd"].build(), start=(1.0, 0.0), n_steps=10, label="SGD")}
    >>> race_summary(runs, specs, rv.Quadratic(), (1.0, 0.0), floor=0.0, scale=0.5)   # 0.5 * 0.9^20
    ('Nobody diverged. Lowest loss after 10 steps: SGD, f - f* = 0.0608.', False)
    """
    messages = []
    for key, t in results.items():
        if int(t.diverged_at[0]) >= 0:
            spec = specs[key]
            why = why_diverged(spec.kind, spec.params, surface, start, t)
            messages.append(f"{t.label} diverged at step {int(t.diverged_at[0])}: {why}")
    if messages:
        return " ".join(messages), True
    if not results:
        return "", False
    best, label, n_steps = min((float(t.values[-1, 0]), t.label, t.n_steps) for t in results.values())
    gap = best - floor
    where = (
        f"at the minimum (f - f* {resolution_text(scale)})"
        if below_resolution(gap, scale)
        else f"f - f* = {format_gap(gap, scale)}"
    )
    return f"Nobody diverged. Lowest loss after {n_steps} steps: {label}, {where}.", False
