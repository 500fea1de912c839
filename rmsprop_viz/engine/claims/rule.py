r"""Claims about the update rule itself: where eps goes (C1), what beta does (C4), what eps does (C10).

RMSProp keeps a moving average of squared gradients and divides the gradient by its
square root:

.. math::

    v_t = \beta v_{t-1} + (1-\beta) g_t^2, \qquad
    \theta_t = \theta_{t-1} - \frac{\alpha\, g_t}{\sqrt{v_t + \epsilon}}

Each claim below runs RMSProp on a quadratic bowl and reads the numbers off the runs:
the first step, the trace of :math:`v`, and how far two paths are apart.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core.checks import check_int
from rmsprop_viz.core.optimizers import rmsprop, sgd
from rmsprop_viz.core.surfaces import Quadratic, Shifting
from rmsprop_viz.engine.claims.record import MISLEADING, PARTLY, SUPPORTED, Verdict
from rmsprop_viz.engine.claims.settings import number, numbers
from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.engine.run import run
from rmsprop_viz.engine.trajectory import distances, farthest, max_distance, path_length

__all__ = ["MAX_CLAIM_STEPS", "MAX_GRID", "c1_update_rule", "c4_beta_memory", "c10_epsilon"]

#: The most steps a claim of this module runs (per run).
MAX_CLAIM_STEPS = 5000
#: The most values of a grid of beta or eps.
MAX_GRID = 100

FloatArray = npt.NDArray[np.float64]


def _grid(name: str, values: Any, *, low: float, high: float, high_open: bool = False) -> tuple[float, ...]:
    """A non-empty tuple of at most :data:`MAX_GRID` numbers in ``[low, high]``, sorted."""
    return tuple(sorted(numbers(name, values, MAX_GRID, low=low, high=high, high_open=high_open)))


# ---------------------------------------------------------------------------------- C1


def c1_update_rule(
    *,
    lr: float = 0.01,
    beta: float = 0.9,
    eps: float = 1e-8,
    condition: float = 10.0,
    small_scale: float = 1e-4,
    n_steps: int = 300,
    rel_tol: float = 1e-9,
    min_gap: float = 0.05,
) -> Verdict:
    r"""C1: "RMSProp's update is :math:`\theta \leftarrow \theta - \alpha g/\sqrt{v + \epsilon}`".

    The rule as written puts :math:`\epsilon` inside the square root (optax, Keras, d2l);
    PyTorch puts it outside, :math:`\sqrt{v} + \epsilon`. The experiment checks the
    first step of a run against the formula, then runs the same RMSProp with
    :math:`\epsilon` inside and outside on the bowl ``Quadratic(condition)`` from (1, 1),
    once at scale 1 and once with the loss scaled by ``small_scale``, where
    :math:`g^2` is about as small as :math:`\epsilon`. Since :math:`v_0 = 0`, the
    first step is

    .. math::

        \Delta\theta_1 = -\frac{\alpha g_1}{\sqrt{(1-\beta) g_1^2 + \epsilon}}
        \ \text{(inside)}, \qquad
        -\frac{\alpha g_1}{\sqrt{(1-\beta) g_1^2} + \epsilon} \ \text{(outside)}.

    The two agree while :math:`v \gg \epsilon` and part where :math:`v` is small.

    Verdict rule: **misleading** if the first step of the eps-inside run differs from
    the formula by more than ``rel_tol`` (relative); else **partly** if, on the
    small-gradient bowl, the two placements' paths get further apart than ``min_gap``
    times the distance from the start to the minimum (the rule is one convention of
    two, and the choice changes the run); else **supported** (the placement does not
    matter for these settings).

    Parameters
    ----------
    lr, beta, eps : float
        RMSProp's learning rate (in (0, 10]), decay (in [0, 1)) and epsilon (in (0, 1e4]).
    condition : float
        The bowl's condition number, in [1, 1e4].
    small_scale : float
        The loss scale of the small-gradient bowl, in [1e-8, 1e8].
    n_steps : int
        Steps per run, in [1, 5000].
    rel_tol : float
        Largest relative error of the first step that still matches the formula, > 0.
    min_gap : float
        Largest distance between the two paths (relative to the start's distance from
        the minimum) below which the placement counts as not mattering, > 0.

    Returns
    -------
    Verdict
        Evidence: ``first_step_error_inside`` and ``first_step_error_outside`` (relative
        error of each run's first step against its formula, at the small scale),
        ``first_step_ratio_outside_inside`` (how much larger PyTorch's first step is
        there, x coordinate), ``unit_scale_gap`` and ``small_scale_gap`` (key: the
        largest distance between the two paths, relative).

    Examples
    --------
    >>> v = c1_update_rule()
    >>> v.verdict, v.evidence["small_scale_gap"] > 0.05 > v.evidence["unit_scale_gap"]
    ('partly', True)
    """
    lr = number("lr", lr, low=0.0, high=10.0, low_open=True)
    beta = number("beta", beta, low=0.0, high=1.0, high_open=True)
    eps = number("eps", eps, low=0.0, high=1e4, low_open=True)
    condition = number("condition", condition, low=1.0, high=1e4)
    small_scale = number("small_scale", small_scale, low=1e-8, high=1e8)
    n_steps = check_int("n_steps", n_steps, low=1, high=MAX_CLAIM_STEPS)
    rel_tol = number("rel_tol", rel_tol, low=0.0, low_open=True)
    min_gap = number("min_gap", min_gap, low=0.0, low_open=True)
    settings = {
        "lr": lr,
        "beta": beta,
        "eps": eps,
        "condition": condition,
        "small_scale": small_scale,
        "n_steps": n_steps,
        "rel_tol": rel_tol,
        "min_gap": min_gap,
    }

    start = (1.0, 1.0)
    reach = float(np.hypot(*start))  # distance from the start to the minimum (0, 0)
    runs: dict[str, Any] = {}
    gaps: dict[str, FloatArray] = {}
    for name, scale in (("unit", 1.0), ("small", small_scale)):
        bowl = Quadratic(condition=condition, scale=scale)
        inside = run(bowl, rmsprop(lr, beta=beta, eps=eps), start, n_steps, label="RMSProp, ε inside √")
        outside = run(
            bowl, rmsprop(lr, beta=beta, eps=eps, eps_in_sqrt=False), start, n_steps, label="RMSProp, ε outside √"
        )
        runs[name] = (bowl, inside, outside)
        gaps[name] = distances(inside.params[:, 0], outside.params[:, 0]) / reach

    # The formula of the claim (and PyTorch's), applied to the run's own first gradient.
    _, inside, outside = runs["small"]
    g = inside.grads[0, 0]
    formula_inside = -lr * g / np.sqrt((1.0 - beta) * g**2 + eps)
    formula_outside = -lr * g / (np.sqrt((1.0 - beta) * g**2) + eps)
    error_inside = float(np.max(np.abs(inside.updates[0, 0] - formula_inside) / np.abs(formula_inside)))
    error_outside = float(np.max(np.abs(outside.updates[0, 0] - formula_outside) / np.abs(formula_outside)))
    evidence = {
        "first_step_error_inside": error_inside,
        "first_step_error_outside": error_outside,
        "first_step_ratio_outside_inside": float(outside.updates[0, 0, 0] / inside.updates[0, 0, 0]),
        "unit_scale_gap": max_distance(runs["unit"][1], runs["unit"][2]) / reach,
        "small_scale_gap": max_distance(runs["small"][1], runs["small"][2]) / reach,
    }

    # The verdict: does the written rule describe the run, and does the other placement matter?
    gap, unit_gap, ratio = (
        format_number(evidence[k]) for k in ("small_scale_gap", "unit_scale_gap", "first_step_ratio_outside_inside")
    )
    if not error_inside <= rel_tol:
        verdict = MISLEADING
        explanation = (
            f"RMSProp's first step differs from the written rule by {format_number(error_inside)} (relative), "
            f"more than the tolerance {format_number(rel_tol)}. The formula does not describe what the optimizer does."
        )
    elif evidence["small_scale_gap"] >= min_gap:
        verdict = PARTLY
        explanation = (
            f"The first step matches the formula, but on the loss scaled by {format_number(small_scale)}, where "
            f"g² is near ε, putting ε outside the root (as PyTorch does) makes the first step {ratio} times larger "
            f"and moves the path by {gap} of the distance to the minimum ({unit_gap} at scale 1). The rule is one "
            "convention of two, and which one you use matters wherever v is as small as ε."
        )
    else:
        verdict = SUPPORTED
        explanation = (
            f"The first step matches the formula, and putting ε outside the root moves the path by at most {gap} "
            f"of the distance to the minimum, below {format_number(min_gap)}. For these settings the placement "
            "of ε does not matter."
        )
    return Verdict(
        id="C1",
        claim="RMSProp divides the gradient by the square root of v plus epsilon (epsilon inside the root).",
        verdict=verdict,
        evidence=evidence,
        key="small_scale_gap",
        explanation=explanation,
        experiment=(
            f"RMSProp with ε inside and outside the root on a quadratic bowl of condition {format_number(condition)}, "
            f"at loss scale 1 and {format_number(small_scale)}, {n_steps} steps each, first step checked by hand."
        ),
        settings=settings,
        data={
            "unit_surface": runs["unit"][0],
            "unit_inside": runs["unit"][1],
            "unit_outside": runs["unit"][2],
            "small_surface": runs["small"][0],
            "small_inside": runs["small"][1],
            "small_outside": runs["small"][2],
            "unit_gap": gaps["unit"],
            "small_gap": gaps["small"],
            "formula_inside": formula_inside,
            "formula_outside": formula_outside,
        },
    )


# ---------------------------------------------------------------------------------- C4


def c4_beta_memory(
    *,
    betas: tuple[float, ...] = (0.5, 0.9, 0.99),
    lr: float = 1e-5,
    change_at: int = 700,
    steps_after: int = 400,
    drop: float = 0.01,
    max_ratio: float = 1.5,
) -> Verdict:
    r"""C4: "beta sets how much the moving average remembers".

    The experiment runs RMSProp on a round bowl whose loss is multiplied by ``drop``
    at step ``change_at`` (:class:`~rmsprop_viz.core.surfaces.Shifting`), with a
    learning rate so small that the parameters, and so the gradients, barely move:
    :math:`v` sees a constant :math:`g^2` that falls by the factor ``drop**2`` at the
    change. It counts the steps after the change until :math:`v` has forgotten
    :math:`1 - 1/e \approx 63\%` of the way from the old level to the new one. For an
    average with decay :math:`\beta`, the old level's weight after :math:`k` steps is
    :math:`\beta^k`, so

    .. math::

        k_{63\%} = \left\lceil \frac{-1}{\ln \beta} \right\rceil \approx \frac{1}{1-\beta},
        \qquad \Delta\theta_1 = \frac{-\alpha g_1}{\sqrt{(1-\beta) g_1^2 + \epsilon}}
        \approx \frac{-\alpha}{\sqrt{1-\beta}}\,\mathrm{sign}(g_1).

    The second formula is what the claim leaves unsaid: as :math:`v_0 = 0`, the first
    step is :math:`1/\sqrt{1-\beta}` times the learning rate (3.16 at 0.9, 10 at 0.99);
    the runs measure it too.

    Verdict rule: **supported** if, for every beta, the measured memory is within a
    factor ``max_ratio`` of :math:`1/(1-\beta)`; **misleading** otherwise.

    Parameters
    ----------
    betas : tuple of float
        The decays, each in [0.01, 0.999], 1 to 100 of them.
    lr : float
        Learning rate, in (0, 1e-3]: small, so that the gradient stays constant.
    change_at : int
        The step at which the loss drops, in [1, 4000]; it should exceed a few
        :math:`1/(1-\beta)` so that :math:`v` has settled before.
    steps_after : int
        Steps run after the change, in [1, 4000] (``change_at + steps_after <= 5000``).
    drop : float
        Factor on the loss at the change, in [1e-4, 0.5].
    max_ratio : float
        Largest factor between measured memory and :math:`1/(1-\beta)`, > 1.

    Returns
    -------
    Verdict
        Evidence, per beta: ``memory_steps_at_beta_<b>`` (steps to forget 63%),
        ``half_life_at_beta_<b>`` (steps to forget 50%), ``first_step_over_lr_at_beta_<b>``;
        and ``worst_memory_ratio`` (key: the largest factor between a measured memory and
        :math:`1/(1-\beta)`, 1 is perfect).

    Examples
    --------
    >>> v = c4_beta_memory()
    >>> v.verdict, v.evidence["memory_steps_at_beta_0.9"], round(v.evidence["first_step_over_lr_at_beta_0.99"], 2)
    ('supported', 10, 10.0)
    """
    beta_grid = _grid("betas", betas, low=0.01, high=0.999)
    lr = number("lr", lr, low=0.0, high=1e-3, low_open=True)
    change_at = check_int("change_at", change_at, low=1, high=4000)
    steps_after = check_int("steps_after", steps_after, low=1, high=4000)
    if change_at + steps_after > MAX_CLAIM_STEPS:
        raise ValueError(f"change_at + steps_after must be at most {MAX_CLAIM_STEPS}, got {change_at} + {steps_after}")
    drop = number("drop", drop, low=1e-4, high=0.5)
    max_ratio = number("max_ratio", max_ratio, low=1.0, low_open=True)
    settings = {
        "betas": beta_grid,
        "lr": lr,
        "change_at": change_at,
        "steps_after": steps_after,
        "drop": drop,
        "max_ratio": max_ratio,
    }

    # One batched run: one row per beta, all from (1, 1) on a round bowl whose loss drops.
    surface = Shifting(Quadratic(condition=1.0), at_step=change_at, scale=drop, shift=(0.0, 0.0))
    beta_column = np.array(beta_grid)[:, None]
    start = np.ones((len(beta_grid), 2))
    traj = run(surface, rmsprop(lr, beta=beta_column), start, change_at + steps_after, label="RMSProp")
    v = traj.states.v[:, :, 0]  # (n_steps, runs): v after each step, x coordinate
    old = v[change_at - 1]  # v just before the first gradient of the new loss
    new = traj.grads[change_at, :, 0] ** 2  # the level v moves to: the new g^2
    forgotten = (old - v[change_at:]) / (old - new)  # (steps_after, runs): 0 before, 1 when done
    after = np.arange(1, steps_after + 1)

    def steps_to_forget(share: float, j: int) -> int:
        """Steps after the change until v has forgotten ``share`` of the old level (0: never)."""
        reached = np.flatnonzero(forgotten[:, j] >= share)
        return int(after[reached[0]]) if reached.size else 0

    evidence: dict[str, float] = {}
    memory = []
    ratios = []
    for j, b in enumerate(beta_grid):
        name = format_number(b, 6)
        k63 = steps_to_forget(1.0 - np.exp(-1.0), j)
        memory.append(k63)
        evidence[f"memory_steps_at_beta_{name}"] = k63
        evidence[f"half_life_at_beta_{name}"] = steps_to_forget(0.5, j)
        evidence[f"first_step_over_lr_at_beta_{name}"] = float(abs(traj.updates[0, j, 0]) / lr)
        expected = 1.0 / (1.0 - b)
        ratios.append(max(k63 / expected, expected / k63) if k63 > 0 else float("inf"))
    worst = float(max(ratios))
    evidence["worst_memory_ratio"] = worst

    # The verdict: does the memory follow 1/(1 - beta) for every beta?
    listing = ", ".join(f"{m} steps at β = {format_number(b)}" for m, b in zip(memory, beta_grid))
    overshoot = ", ".join(
        f"{format_number(evidence[f'first_step_over_lr_at_beta_{format_number(b, 6)}'])} α at β = {format_number(b)}"
        for b in beta_grid
    )
    if worst <= max_ratio:
        verdict = SUPPORTED
        explanation = (
            f"After the gradient's scale changes, v needs {listing} to forget 63% of the old scale, "
            f"within a factor {format_number(worst)} of 1/(1−β). What the claim leaves out: as v starts at 0, "
            f"the first step is {overshoot}, not α."
        )
    else:
        verdict = MISLEADING
        explanation = (
            f"After the gradient's scale changes, v needs {listing} to forget 63% of the old scale, up to "
            f"{format_number(worst)} times off 1/(1−β). Beta does not set the memory the way the claim says."
        )
    return Verdict(
        id="C4",
        claim="Beta sets how many steps RMSProp's average of squared gradients remembers.",
        verdict=verdict,
        evidence=evidence,
        key="worst_memory_ratio",
        explanation=explanation,
        experiment=(
            f"RMSProp with β in {{{', '.join(format_number(b) for b in beta_grid)}}} on a round bowl whose loss is "
            f"multiplied by {format_number(drop)} at step {change_at}; v traced for {steps_after} steps after."
        ),
        settings=settings,
        data={
            "betas": np.array(beta_grid),
            "steps_after": after,
            "forgotten": forgotten.T.copy(),
            "memory_steps": np.array(memory),
            "expected_memory": 1.0 / (1.0 - np.array(beta_grid)),  # the claim's 1/(1 - beta)
            "expected_first_step": 1.0 / np.sqrt(1.0 - np.array(beta_grid)),  # |first step| / lr, eps aside
            "first_step_over_lr": np.array([abs(traj.updates[0, j, 0]) / lr for j in range(len(beta_grid))]),
            "v": v.T.copy(),
            "change_at": change_at,
            "trajectory": traj,
        },
    )


# --------------------------------------------------------------------------------- C10


def c10_epsilon(
    *,
    lr: float = 0.01,
    eps_grid: tuple[float, ...] = (1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1e3, 1e4),
    large_eps: float = 1e4,
    sgd_lr: float = 0.05,
    condition: float = 10.0,
    n_steps: int = 200,
    change_tol: float = 0.1,
    equal_tol: float = 0.01,
) -> Verdict:
    r"""C10: "eps is only a tiny constant that keeps the division safe".

    Two experiments on the bowl ``Quadratic(condition)`` from (1, 1), with
    :math:`\epsilon` inside the root. First, RMSProp with learning rate ``lr`` for every
    :math:`\epsilon` of ``eps_grid``: how far each path gets from the path with the
    smallest :math:`\epsilon`, relative to that path's length. Second, RMSProp with
    :math:`\epsilon` = ``large_eps`` and learning rate ``sgd_lr * sqrt(large_eps)``
    beside plain SGD with learning rate ``sgd_lr``. When :math:`\epsilon \gg v`,

    .. math::

        \frac{\alpha\, g}{\sqrt{v + \epsilon}} = \frac{\alpha}{\sqrt{\epsilon}}\,
        \frac{g}{\sqrt{1 + v/\epsilon}} \approx \frac{\alpha}{\sqrt{\epsilon}}\, g,

    which is SGD's step with learning rate :math:`\alpha/\sqrt{\epsilon}`.

    Verdict rule: **misleading** if some :math:`\epsilon` of the grid moves the path
    by at least ``change_tol`` of its length *and* the large-eps run follows SGD within
    ``equal_tol`` of SGD's path length (eps is a hyperparameter that can turn RMSProp
    into SGD); **partly** if only one of the two holds; **supported** if neither.

    Parameters
    ----------
    lr : float
        RMSProp's learning rate for the sweep, in (0, 10].
    eps_grid : tuple of float
        The epsilons of the sweep, each in (0, 1e8], 1 to 100 of them; the smallest is the
        reference.
    large_eps : float
        The epsilon of the comparison with SGD, in (0, 1e8].
    sgd_lr : float
        SGD's learning rate in that comparison, in (0, 10].
    condition : float
        The bowl's condition number, in [1, 1e4].
    n_steps : int
        Steps per run, in [1, 5000].
    change_tol : float
        Path change (relative to its length) from which eps counts as changing RMSProp, > 0.
    equal_tol : float
        Largest distance from SGD's path (relative to its length) that counts as the same path, > 0.

    Returns
    -------
    Verdict
        Evidence: ``largest_path_change`` (over the grid), ``eps_where_path_changes``
        (the smallest eps of the grid whose path moved by ``change_tol`` or more; 0 if
        none), ``smallest_g_squared_at_start`` (what eps competes with), and
        ``distance_from_sgd`` (key: the large-eps run's largest distance from SGD's
        path, relative to SGD's path length).

    Examples
    --------
    >>> v = c10_epsilon()
    >>> v.verdict, v.evidence["distance_from_sgd"] < 0.01, v.evidence["eps_where_path_changes"]
    ('misleading', True, 1.0)
    """
    lr = number("lr", lr, low=0.0, high=10.0, low_open=True)
    grid = _grid("eps_grid", eps_grid, low=0.0, high=1e8)
    if grid[0] <= 0.0:
        raise ValueError(f"eps_grid must hold numbers in (0, 1e8], got {grid[0]!r}")
    large_eps = number("large_eps", large_eps, low=0.0, high=1e8, low_open=True)
    sgd_lr = number("sgd_lr", sgd_lr, low=0.0, high=10.0, low_open=True)
    condition = number("condition", condition, low=1.0, high=1e4)
    n_steps = check_int("n_steps", n_steps, low=1, high=MAX_CLAIM_STEPS)
    change_tol = number("change_tol", change_tol, low=0.0, low_open=True)
    equal_tol = number("equal_tol", equal_tol, low=0.0, low_open=True)
    settings = {
        "lr": lr,
        "eps_grid": grid,
        "large_eps": large_eps,
        "sgd_lr": sgd_lr,
        "condition": condition,
        "n_steps": n_steps,
        "change_tol": change_tol,
        "equal_tol": equal_tol,
    }

    bowl = Quadratic(condition=condition)
    start = (1.0, 1.0)
    # The sweep: one batched run, one row per eps; row 0 (the smallest eps) is the reference.
    eps_column = np.array(grid)[:, None]
    sweep = run(bowl, rmsprop(lr, eps=eps_column), np.tile(start, (len(grid), 1)), n_steps, label="RMSProp")
    reference = sweep.params[:, 0]
    change = np.array([farthest(distances(sweep.params[:, j], reference)) for j in range(len(grid))])
    change /= path_length(reference)
    changed = np.flatnonzero(change >= change_tol)

    # The comparison: RMSProp with a large eps against SGD with lr / sqrt(eps).
    big_lr = sgd_lr * float(np.sqrt(large_eps))
    big = run(bowl, rmsprop(big_lr, eps=large_eps), start, n_steps, label="RMSProp")
    plain = run(bowl, sgd(sgd_lr), start, n_steps, label="SGD")
    from_sgd = distances(big.params[:, 0], plain.params[:, 0]) / path_length(plain.params[:, 0])
    evidence = {
        "largest_path_change": float(np.max(change)),
        "eps_where_path_changes": float(grid[changed[0]]) if changed.size else 0.0,
        "smallest_g_squared_at_start": float(np.min(sweep.grads[0, 0] ** 2)),
        "distance_from_sgd": max_distance(big, plain) / path_length(plain.params[:, 0]),
    }

    # The verdict: does eps change the run, and does a large eps turn RMSProp into SGD?
    is_knob = changed.size > 0
    is_sgd = evidence["distance_from_sgd"] <= equal_tol
    where = format_number(evidence["eps_where_path_changes"])
    sgd_text = (
        f"with ε = {format_number(large_eps)}, RMSProp's path stays within "
        f"{format_number(evidence['distance_from_sgd'])} of its length from SGD's "
        f"with learning rate α/√ε = {format_number(sgd_lr)}"
    )
    if is_knob and is_sgd:
        verdict = MISLEADING
        explanation = (
            f"From ε = {where} on (about the size of g², {format_number(evidence['smallest_g_squared_at_start'])} "
            f"at the start) the path moves by {format_number(change_tol)} of its length or more, and {sgd_text}. "
            "Epsilon is a hyperparameter: made large, it turns RMSProp into plain gradient descent."
        )
    elif is_knob or is_sgd:
        verdict = PARTLY
        explanation = (
            f"The largest path change over the ε grid is {format_number(evidence['largest_path_change'])} of its "
            f"length, and {sgd_text}. Only one of the two effects shows with these settings."
        )
    else:
        verdict = SUPPORTED
        explanation = (
            f"Over the ε grid the path moves by at most {format_number(evidence['largest_path_change'])} of its "
            f"length, and {sgd_text}. For these settings ε is only a safety constant."
        )
    return Verdict(
        id="C10",
        claim="Epsilon is only a tiny constant that keeps RMSProp from dividing by zero.",
        verdict=verdict,
        evidence=evidence,
        key="distance_from_sgd",
        explanation=explanation,
        experiment=(
            f"RMSProp with ε from {format_number(grid[0])} to {format_number(grid[-1])} on a quadratic bowl of "
            f"condition {format_number(condition)}, and with ε = {format_number(large_eps)} beside SGD with "
            f"α/√ε, {n_steps} steps each."
        ),
        settings=settings,
        data={
            "surface": bowl,
            "eps_grid": np.array(grid),
            "path_change": change,
            "sweep": sweep,
            "large_eps_run": big,
            "large_eps_lr": big_lr,
            "sgd_run": plain,
            "distance_from_sgd": from_sgd,
        },
    )
