r"""Claims about a learning rate that keeps shrinking (C5) and an objective that changes (C6).

Both claims are about memory. Adagrad divides by the root of the *sum* of every squared
gradient it has seen, :math:`s_t = \sum_{k \le t} g_k^2`, which only grows; RMSProp
divides by the root of a *moving average*, :math:`v_t = \beta v_{t-1} + (1-\beta) g_t^2`,
which forgets a gradient after about :math:`1/(1-\beta)` steps. C5 measures what the
sum does to the effective learning rate on a long run, C6 what it does when the
objective changes in the middle of a run.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rmsprop_viz.core.checks import check_int
from rmsprop_viz.core.optimizers import adagrad, rmsprop
from rmsprop_viz.core.surfaces import Quadratic, Shifting
from rmsprop_viz.engine.claims.record import MISLEADING, PARTLY, SUPPORTED, Verdict
from rmsprop_viz.engine.claims.settings import number
from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.engine.run import run
from rmsprop_viz.engine.trajectory import Trajectory, loss_floor

__all__ = ["c5_adagrad_decay", "c6_nonstationary"]

#: Upper limit of ``n_steps`` for the claims of this module.
MAX_CLAIM_STEPS = 5000


def _check_start(start: Any) -> tuple[float, float]:
    """``start`` as two finite numbers in [-10, 10]; else one clear line."""
    try:
        x, y = (float(v) for v in start)
    except (TypeError, ValueError):
        raise ValueError(f"start must be two numbers (x, y) in [-10, 10], got {start!r}") from None
    if not (math.isfinite(x) and math.isfinite(y) and abs(x) <= 10.0 and abs(y) <= 10.0):
        raise ValueError(f"start must be two numbers (x, y) in [-10, 10], got {start!r}")
    return x, y


def _typical_lr(traj: Trajectory, step: int) -> float:
    """The effective learning rate at ``step``: geometric mean of its two coordinates."""
    x, y = traj.effective_lr[step, 0]
    return float(math.sqrt(x * y))


def c5_adagrad_decay(
    *,
    condition: float = 10.0,
    start: tuple[float, float] = (-1.8, 1.2),
    lr: float = 0.001,
    beta: float = 0.9,
    n_steps: int = 500,
    early_step: int = 50,
    max_adagrad_ratio: float = 0.6,
    min_rmsprop_ratio: float = 0.8,
) -> Verdict:
    r"""C5: "Adagrad's learning rate keeps shrinking; RMSProp's does not".

    **Experiment.** Adagrad and RMSProp, with the same learning rate, take ``n_steps``
    small steps down the bowl ``Quadratic(condition)`` from ``start``, far from its
    minimum, so the gradient keeps about the same size for the whole run. We read each
    run's effective learning rate :math:`|\Delta\theta| / |g|` (geometric mean of the two
    coordinates) at ``early_step`` and at the last step, and how far each moves in the
    second half of the run.

    **Why.** Adagrad's effective learning rate is :math:`\text{lr}/\sqrt{s_t}` with
    :math:`s_t = \sum_{k=1}^{t} g_k^2`; for gradients of steady size :math:`g` that is
    :math:`\text{lr}/(g\sqrt t)`, so from step :math:`t_1` to :math:`t_2` it falls by
    :math:`\sqrt{t_1/t_2}` and the distance covered grows only like :math:`\sqrt t`.
    RMSProp's is :math:`\text{lr}/\sqrt{v_t + \epsilon}` with :math:`v_t \approx g^2`:
    it stays where the gradient's size puts it.

    Why not Rosenbrock's valley: there Adagrad's sum is dominated by the few huge
    gradients of its first steps on the valley's wall, after which the small gradients of
    the floor hardly add to it, so its rate drops at the start and then barely moves
    (and RMSProp's path in the valley is chaotic). The claim is about the sum that keeps
    growing, which shows where gradients keep their size; with a large ``lr`` Adagrad
    reaches the minimum, its gradients vanish and the verdict becomes "partly".

    **Verdict.** Supported when Adagrad's ratio (late / early) is at most
    ``max_adagrad_ratio`` and RMSProp's is at least ``min_rmsprop_ratio``; partly when
    only one of the two holds; misleading when neither does.

    Parameters
    ----------
    condition : float
        Condition number of the bowl, in [1, 100].
    start : tuple of float
        Starting point, two numbers in [-10, 10].
    lr : float
        Learning rate of both optimizers, in (0, 0.1].
    beta : float
        RMSProp's decay, in [0, 0.999].
    n_steps : int
        Steps of each run, in [20, 5000].
    early_step : int
        The step whose effective learning rate is "early", in [1, n_steps / 2].
    max_adagrad_ratio, min_rmsprop_ratio : float
        The thresholds of the verdict, in (0, 10].

    Returns
    -------
    Verdict
        Evidence: ``adagrad_lr_ratio`` and ``rmsprop_lr_ratio`` (effective learning rate
        at the last step / at ``early_step``), ``adagrad_lr_exponent`` (slope of
        :math:`\log` effective lr against :math:`\log t` between the two steps; -0.5 is
        :math:`1/\sqrt t`), ``adagrad_late_distance`` and ``rmsprop_late_distance``
        (distance moved in the second half) and ``late_progress_ratio`` (Adagrad's over
        RMSProp's). Data: the two trajectories, keyed ``"adagrad"`` and ``"rmsprop"``,
        the steps compared and the surface.

    Examples
    --------
    >>> v = c5_adagrad_decay()
    >>> v.verdict, round(v.evidence["adagrad_lr_exponent"], 1)
    ('supported', -0.5)
    """
    condition = number("condition", condition, low=1.0, high=100.0)
    start = _check_start(start)
    lr = number("lr", lr, low=0.0, low_open=True, high=0.1)
    beta = number("beta", beta, low=0.0, high=0.999)
    n_steps = check_int("n_steps", n_steps, low=20, high=MAX_CLAIM_STEPS)
    early_step = check_int("early_step", early_step, low=1, high=n_steps // 2)
    max_adagrad_ratio = number("max_adagrad_ratio", max_adagrad_ratio, low=0.0, low_open=True, high=10.0)
    min_rmsprop_ratio = number("min_rmsprop_ratio", min_rmsprop_ratio, low=0.0, low_open=True, high=10.0)
    settings = {
        "condition": condition,
        "start": start,
        "lr": lr,
        "beta": beta,
        "n_steps": n_steps,
        "early_step": early_step,
        "max_adagrad_ratio": max_adagrad_ratio,
        "min_rmsprop_ratio": min_rmsprop_ratio,
    }
    surface = Quadratic(condition=condition)
    runs = {
        "adagrad": run(surface, adagrad(lr=lr), start=start, n_steps=n_steps, label=f"Adagrad (lr={lr:g})"),
        "rmsprop": run(
            surface, rmsprop(lr=lr, beta=beta), start=start, n_steps=n_steps, label=f"RMSProp (lr={lr:g}, β={beta:g})"
        ),
    }
    late_step = n_steps - 1
    half = n_steps // 2
    ratio = {k: _typical_lr(t, late_step) / _typical_lr(t, early_step) for k, t in runs.items()}
    distance = {k: float(np.linalg.norm(t.params[-1, 0] - t.params[half, 0])) for k, t in runs.items()}
    exponent = math.log(ratio["adagrad"]) / math.log((late_step + 1) / (early_step + 1))
    evidence: dict[str, float] = {
        "adagrad_lr_ratio": ratio["adagrad"],
        "rmsprop_lr_ratio": ratio["rmsprop"],
        "adagrad_lr_exponent": exponent,
        "adagrad_late_distance": distance["adagrad"],
        "rmsprop_late_distance": distance["rmsprop"],
        "late_progress_ratio": distance["adagrad"] / distance["rmsprop"] if distance["rmsprop"] > 0 else math.inf,
    }
    # The verdict: does Adagrad's rate fall, and does RMSProp's hold?
    adagrad_shrinks = ratio["adagrad"] <= max_adagrad_ratio
    rmsprop_holds = ratio["rmsprop"] >= min_rmsprop_ratio
    if adagrad_shrinks and rmsprop_holds:
        verdict = SUPPORTED
        meaning = (
            "Adagrad's sum of squared gradients only grows, while RMSProp's average "
            "follows the gradient's size, exactly as claimed."
        )
    elif adagrad_shrinks or rmsprop_holds:
        verdict = PARTLY
        meaning = "Only one half of the claim holds under these settings."
    else:
        verdict = MISLEADING
        meaning = "Neither half of the claim holds under these settings."
    f = format_number
    explanation = (
        f"From step {early_step} to step {late_step} Adagrad's effective learning rate fell to "
        f"{f(ratio['adagrad'])} of its value (like t^{f(exponent, 2)}), RMSProp's went to "
        f"{f(ratio['rmsprop'])} of its value, and in the second half Adagrad moved "
        f"{f(evidence['late_progress_ratio'])} times as far as RMSProp. {meaning}"
    )
    return Verdict(
        id="C5",
        claim="Adagrad's learning rate keeps shrinking during training; RMSProp's does not.",
        verdict=verdict,
        evidence=evidence,
        key="adagrad_lr_ratio",
        explanation=explanation,
        experiment=(
            f"Adagrad and RMSProp with lr {lr:g} take {n_steps} steps down a bowl of condition "
            f"{condition:g}, far from its minimum, and we compare their effective learning rates "
            f"at steps {early_step} and {late_step}."
        ),
        settings=settings,
        data={"trajectories": runs, "early_step": early_step, "late_step": late_step, "surface": surface},
    )


def _recovery(traj: Trajectory, tol: float, floor: float, limit: int) -> tuple[int, bool]:
    """Steps after the change until the loss stays within ``tol`` of ``floor``, and
    whether it never does (then the steps are ``limit``, the steps there were)."""
    steps = int(traj.steps_to(tol, target=floor)[0])
    return (steps, False) if steps >= 0 else (limit, True)


def c6_nonstationary(
    *,
    condition: float = 10.0,
    start: tuple[float, float] = (-1.8, 1.2),
    change_step: int = 100,
    scale: float = 0.01,
    shift: tuple[float, float] = (1.0, 1.0),
    adagrad_lr: float = 0.5,
    rmsprop_lr: float = 0.02,
    beta: float = 0.9,
    n_steps: int = 600,
    rel_tol: float = 1e-3,
    min_adagrad_slowdown: float = 3.0,
    max_rmsprop_slowdown: float = 5.0,
) -> Verdict:
    r"""C6: "RMSProp suits objectives that change over time" (compared with Adagrad).

    **Experiment.** The bowl ``Quadratic(condition)`` changes at step ``change_step``: its
    loss is multiplied by ``scale`` and its minimum moves by ``shift``
    (:class:`~rmsprop_viz.core.surfaces.Shifting`). Adagrad and RMSProp, each with its own
    learning rate, run ``n_steps`` steps from ``start``. The *recovery time* is the number
    of steps after the change until the loss stays within ``rel_tol`` times the loss gap
    just after the change (:meth:`Trajectory.steps_to` counts from the change). Each is
    compared with the same optimizer started afresh, with empty memory, at the point where
    the change found it: the *slowdown* is recovery time / fresh time.

    **Why.** Adagrad's divisor :math:`\sqrt{s_t}`, :math:`s_t = \sum_k g_k^2`, still holds
    the large gradients of before the change, so after a change to small gradients its
    steps stay small for good. RMSProp's average :math:`v_t` forgets: with new gradients
    much smaller, :math:`v_{T+k} \approx \beta^k v_T`, which falls by a factor
    :math:`e` after :math:`k \approx 1/(1-\beta)` steps (``rmsprop_memory_steps``).

    **Verdict.** Supported when Adagrad's slowdown is at least ``min_adagrad_slowdown``
    and RMSProp's at most ``max_rmsprop_slowdown``; partly when only one holds;
    misleading when neither does. A run that never gets there counts as taking all the
    steps after the change (a lower bound).

    Parameters
    ----------
    condition : float
        Condition number of the bowl, in [1, 100].
    start : tuple of float
        Starting point, two numbers in [-10, 10].
    change_step : int
        The step of the change, in [10, n_steps - 10].
    scale : float
        Factor on the loss after the change, in [1e-4, 1e4].
    shift : tuple of float
        Where the minimum moves, two numbers in [-10, 10].
    adagrad_lr, rmsprop_lr : float
        Learning rates, in (0, 10].
    beta : float
        RMSProp's decay, in [0, 0.999].
    n_steps : int
        Steps of each run, in [20, 5000].
    rel_tol : float
        Tolerance, as a fraction of the loss gap just after the change, in (0, 1).
    min_adagrad_slowdown, max_rmsprop_slowdown : float
        The thresholds of the verdict, in (0, 1000].

    Returns
    -------
    Verdict
        Evidence: ``adagrad_recovery_steps``, ``rmsprop_recovery_steps``,
        ``adagrad_fresh_steps``, ``rmsprop_fresh_steps``, ``adagrad_slowdown``,
        ``rmsprop_slowdown``, ``adagrad_never_recovered`` (1 or 0),
        ``rmsprop_memory_steps`` (steps after the change until RMSProp's :math:`v`,
        summed over both coordinates, is below :math:`1/e` of its value before it; 0 when
        it never is) and ``memory_formula_steps`` (:math:`1/(1-\beta)`). Data: the runs
        (``"adagrad"``, ``"rmsprop"``), the fresh runs, the surface, the change step,
        the tolerance and the loss at the new minimum.

    Examples
    --------
    >>> v = c6_nonstationary()
    >>> v.verdict, v.evidence["rmsprop_memory_steps"], round(v.evidence["memory_formula_steps"], 9)
    ('supported', 11, 10.0)
    """
    condition = number("condition", condition, low=1.0, high=100.0)
    start = _check_start(start)
    n_steps = check_int("n_steps", n_steps, low=20, high=MAX_CLAIM_STEPS)
    change_step = check_int("change_step", change_step, low=10, high=n_steps - 10)
    scale = number("scale", scale, low=1e-4, high=1e4)
    try:
        shift = _check_start(shift)
    except ValueError:
        raise ValueError(f"shift must be two numbers (dx, dy) in [-10, 10], got {shift!r}") from None
    adagrad_lr = number("adagrad_lr", adagrad_lr, low=0.0, low_open=True, high=10.0)
    rmsprop_lr = number("rmsprop_lr", rmsprop_lr, low=0.0, low_open=True, high=10.0)
    beta = number("beta", beta, low=0.0, high=0.999)
    rel_tol = number("rel_tol", rel_tol, low=0.0, low_open=True, high=1.0, high_open=True)
    min_adagrad_slowdown = number("min_adagrad_slowdown", min_adagrad_slowdown, low=0.0, low_open=True, high=1000.0)
    max_rmsprop_slowdown = number("max_rmsprop_slowdown", max_rmsprop_slowdown, low=0.0, low_open=True, high=1000.0)
    settings = {
        "condition": condition,
        "start": start,
        "change_step": change_step,
        "scale": scale,
        "shift": shift,
        "adagrad_lr": adagrad_lr,
        "rmsprop_lr": rmsprop_lr,
        "beta": beta,
        "n_steps": n_steps,
        "rel_tol": rel_tol,
        "min_adagrad_slowdown": min_adagrad_slowdown,
        "max_rmsprop_slowdown": max_rmsprop_slowdown,
    }
    base = Quadratic(condition=condition)
    surface = Shifting(base, at_step=change_step, scale=scale, shift=shift)
    after = Shifting(base, at_step=0, scale=scale, shift=shift)  # the new objective from step 0
    floor = loss_floor(surface, n_steps)
    optimizers = {
        "adagrad": (adagrad(lr=adagrad_lr), f"Adagrad (lr={adagrad_lr:g})"),
        "rmsprop": (rmsprop(lr=rmsprop_lr, beta=beta), f"RMSProp (lr={rmsprop_lr:g}, β={beta:g})"),
    }
    runs = {k: run(surface, opt, start=start, n_steps=n_steps, label=label) for k, (opt, label) in optimizers.items()}
    left = n_steps - change_step
    recovery: dict[str, int] = {}
    never: dict[str, bool] = {}
    fresh_steps: dict[str, int] = {}
    fresh: dict[str, Trajectory] = {}
    for key, traj in runs.items():
        opt, label = optimizers[key]
        where = traj.params[change_step, 0]
        if not np.isfinite(where).all():
            raise ValueError(f"{key} diverged before the change at step {change_step}: lower its learning rate")
        # The tolerance: a fraction of this run's loss gap just after the change.
        tol = rel_tol * max(float(traj.values[change_step, 0]) - floor, 1e-300)
        recovery[key], never[key] = _recovery(traj, tol, floor, left)
        fresh[key] = run(after, opt, start=where, n_steps=left, label=f"{label}, started afresh")
        fresh_steps[key] = max(_recovery(fresh[key], tol, floor, left)[0], 1)
    slowdown = {k: recovery[k] / fresh_steps[k] for k in runs}
    # RMSProp's memory: steps after the change until v (summed) is below 1/e of v before it.
    v = runs["rmsprop"].states.v[:, 0, :].sum(axis=1)
    below = np.flatnonzero(v[change_step:] < v[change_step - 1] / math.e)
    memory = int(below[0]) + 1 if below.size else 0
    evidence: dict[str, float] = {
        "adagrad_recovery_steps": recovery["adagrad"],
        "rmsprop_recovery_steps": recovery["rmsprop"],
        "adagrad_fresh_steps": fresh_steps["adagrad"],
        "rmsprop_fresh_steps": fresh_steps["rmsprop"],
        "adagrad_slowdown": slowdown["adagrad"],
        "rmsprop_slowdown": slowdown["rmsprop"],
        "adagrad_never_recovered": int(never["adagrad"]),
        "rmsprop_memory_steps": memory,
        "memory_formula_steps": 1.0 / (1.0 - beta),
    }
    # The verdict: is Adagrad slowed down by its memory, and RMSProp not?
    adagrad_slowed = slowdown["adagrad"] >= min_adagrad_slowdown
    rmsprop_fine = slowdown["rmsprop"] <= max_rmsprop_slowdown
    if adagrad_slowed and rmsprop_fine:
        verdict = SUPPORTED
        meaning = (
            "Adagrad's sum remembers the old, larger gradients, while RMSProp's average "
            "forgets them in about 1/(1-beta) steps."
        )
    elif adagrad_slowed or rmsprop_fine:
        verdict = PARTLY
        meaning = "Only one half of the claim holds under these settings."
    else:
        verdict = MISLEADING
        meaning = "Neither half of the claim holds under these settings."
    f = format_number
    never_text = " (it never got there)" if never["adagrad"] else ""
    explanation = (
        f"After the change Adagrad needed {recovery['adagrad']} steps{never_text} against {fresh_steps['adagrad']} "
        f"when started afresh ({f(slowdown['adagrad'])} times slower), RMSProp {recovery['rmsprop']} against "
        f"{fresh_steps['rmsprop']} ({f(slowdown['rmsprop'])} times), and RMSProp's average dropped below 1/e of "
        f"its old value after {memory} steps (1/(1-beta) = {f(1.0 / (1.0 - beta))}). {meaning}"
    )
    return Verdict(
        id="C6",
        claim="RMSProp suits objectives that change during training, unlike Adagrad.",
        verdict=verdict,
        evidence=evidence,
        key="adagrad_slowdown",
        explanation=explanation,
        experiment=(
            f"At step {change_step} a bowl's loss is multiplied by {scale:g} and its minimum moved by "
            f"({shift[0]:g}, {shift[1]:g}); we count the steps Adagrad and RMSProp need to get back "
            f"within {rel_tol:g} of the new gap, against a fresh start from the same point."
        ),
        settings=settings,
        data={
            "trajectories": runs,
            "fresh": fresh,
            "surface": surface,
            "change_step": change_step,
            "floor": floor,
            "rel_tol": rel_tol,
        },
    )
