r"""The claim that Adam, which adds momentum to RMSProp's scaling, is more robust (C9).

"Robust" is read here as *forgiving about the learning rate*: on a log grid of learning
rates :math:`\alpha`, count how many let the optimizer converge and how wide the range
is (:func:`rmsprop_viz.engine.robustness.robustness`). A run converges when it did not
diverge and its final loss gap :math:`f(\theta_T) - f^*` is at most
:math:`\max(\text{tol},\ (f(\theta_0) - f^*)/\text{reduction})`.

Adam's step is about :math:`\alpha` in each coordinate whatever the gradient's size,

.. math::

    \Delta\theta_t = -\alpha\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}, \qquad
    \left|\frac{\hat m_t}{\sqrt{\hat v_t}}\right| \lesssim 1,

so a large :math:`\alpha` makes it wander by about :math:`\alpha`, rather than blow up
by a factor :math:`|1 - \alpha L|` per step as SGD does above :math:`2/L`; its
momentum averages out the sign flips that keep RMSProp bouncing by :math:`\alpha`.
"""

from __future__ import annotations

import math

import numpy as np

from rmsprop_viz.core.checks import check_int
from rmsprop_viz.core.kinds import KINDS
from rmsprop_viz.core.surfaces import Quadratic, Rosenbrock, Surface
from rmsprop_viz.engine.claims.record import MISLEADING, PARTLY, SUPPORTED, Verdict
from rmsprop_viz.engine.claims.settings import number
from rmsprop_viz.engine.formatting import format_number
from rmsprop_viz.engine.robustness import MAX_ROBUSTNESS_LRS, Robustness, robustness

__all__ = ["C9_SURFACES", "c9_robustness", "c9_surface"]

#: The surfaces C9 can try, by name.
C9_SURFACES = ("rosenbrock", "quadratic")

#: The most steps per run of C9.
_MAX_STEPS = 5000


def c9_surface(name: str, condition: float) -> tuple[Surface, str]:
    """The surface C9 calls ``name`` (one of :data:`C9_SURFACES`) and its label for
    figures; ``condition`` is the quadratic's condition number.

    >>> c9_surface("quadratic", 100.0)[1]
    'a bowl of condition 100'
    """
    if name == "rosenbrock":
        return Rosenbrock(), "Rosenbrock's valley"
    if name == "quadratic":
        return Quadratic(condition=condition), f"a bowl of condition {format_number(condition)}"
    raise ValueError(f"surfaces must name some of {', '.join(C9_SURFACES)}, got {name!r}")


def _lr_grid(lr_low: float, lr_high: float, per_decade: int) -> tuple[float, ...]:
    """``per_decade`` learning rates per decade from ``lr_low`` to ``lr_high``, evenly spaced
    on a log scale and rounded to 3 significant digits."""
    n = round(per_decade * math.log10(lr_high / lr_low)) + 1
    if n > MAX_ROBUSTNESS_LRS:
        raise ValueError(
            f"per_decade x decades from lr_low to lr_high must give at most {MAX_ROBUSTNESS_LRS} learning rates,"
            f" got {n}"
        )
    return tuple(float(f"{v:.3g}") for v in np.geomspace(lr_low, lr_high, n))


def c9_robustness(
    *,
    kinds: tuple[str, ...] = ("sgd", "momentum", "adagrad", "rmsprop", "adam"),
    surfaces: tuple[str, ...] = C9_SURFACES,
    condition: float = 100.0,
    lr_low: float = 1e-4,
    lr_high: float = 10.0,
    per_decade: int = 5,
    n_steps: int = 1000,
    tol: float = 1e-6,
    reduction: float = 1e3,
    min_lead: float = 0.4,
) -> Verdict:
    r"""C9: "Adam, with momentum, is often more robust".

    The experiment sweeps each optimizer's learning rate over a log grid (``per_decade``
    values per decade from ``lr_low`` to ``lr_high``) on each surface of ``surfaces``
    (Rosenbrock's valley, a quadratic bowl of condition number ``condition``), from the
    surface's default start, ``n_steps`` steps each, and measures per optimizer the
    *width* of its converging range: :math:`\log_{10}(\alpha_j/\alpha_i)` decades over
    the longest run of consecutive converging learning rates
    :math:`\alpha_i, \dots, \alpha_j` (:func:`.robustness.robustness`; a run converges
    when its final gap is :math:`\le \max(\text{tol}, \text{gap}_0/\text{reduction})`).
    Adam's *lead* on a surface is its width minus the widest of the others'. Ranges
    are counted within the grid: one that reaches the grid's edge may go on beyond it.

    Verdict rule: **supported** if Adam leads by at least ``min_lead`` decades on every
    surface tried, **partly** if on some of them, **misleading** if on none.

    Parameters
    ----------
    kinds : tuple of str
        The optimizers compared (kinds of :data:`rmsprop_viz.core.kinds.KINDS`); must
        include ``"adam"`` and at least one other.
    surfaces : tuple of str
        Some of :data:`C9_SURFACES`.
    condition : float
        The quadratic's condition number, in [1, 1e4].
    lr_low, lr_high : float
        The grid's ends, with 1e-8 <= lr_low < lr_high <= 100.
    per_decade : int
        Learning rates per decade, 1 to 20 (at most 100 in all).
    n_steps : int
        Steps per run, 1 to 5000.
    tol : float
        A final gap at most ``tol`` converges, > 0.
    reduction : float
        A final gap at most the start gap / ``reduction`` converges too, >= 1.
    min_lead : float
        The lead in decades Adam needs on a surface, >= 0.

    Returns
    -------
    Verdict
        Evidence: ``adam_lead`` (key: Adam's smallest lead over the surfaces, in
        decades), ``adam_lead_<surface>``, and per surface and kind
        ``<kind>_decades_<surface>`` (width) and ``<kind>_converging_<surface>`` (how
        many learning rates converged).

    Examples
    --------
    >>> v = c9_robustness()
    >>> v.verdict, round(v.evidence["adam_decades_rosenbrock"], 1), round(v.evidence["adam_lead"], 1)
    ('supported', 2.2, 1.2)
    """
    if not isinstance(kinds, (tuple, list)):
        raise ValueError(f"kinds must be a tuple of kinds of optimizer ({', '.join(KINDS)}), got {kinds!r}")
    kind_names = tuple(str(k) for k in kinds)
    for k in kind_names:
        if k not in KINDS:
            raise ValueError(f"kinds must name kinds of optimizer ({', '.join(KINDS)}), got {k!r}")
    if "adam" not in kind_names or len(set(kind_names)) < 2 or len(set(kind_names)) != len(kind_names):
        raise ValueError(f"kinds must list 'adam' and at least one other kind, each once, got {kinds!r}")
    if not isinstance(surfaces, (tuple, list)) or not surfaces:
        raise ValueError(f"surfaces must be a non-empty tuple of some of {', '.join(C9_SURFACES)}, got {surfaces!r}")
    surface_names = tuple(str(s) for s in surfaces)
    if len(set(surface_names)) != len(surface_names):
        raise ValueError(f"surfaces must name each surface once, got {surfaces!r}")
    condition = number("condition", condition, low=1.0, high=1e4)
    built = {name: c9_surface(name, condition) for name in surface_names}
    lr_low = number("lr_low", lr_low, low=1e-8, high=100.0)
    lr_high = number("lr_high", lr_high, low=lr_low, high=100.0, low_open=True)
    per_decade = check_int("per_decade", per_decade, low=1, high=20)
    n_steps = check_int("n_steps", n_steps, low=1, high=_MAX_STEPS)
    tol = number("tol", tol, low=0.0, low_open=True)
    reduction = number("reduction", reduction, low=1.0)
    min_lead = number("min_lead", min_lead, low=0.0)
    settings = {
        "kinds": kind_names,
        "surfaces": surface_names,
        "condition": condition,
        "lr_low": lr_low,
        "lr_high": lr_high,
        "per_decade": per_decade,
        "n_steps": n_steps,
        "tol": tol,
        "reduction": reduction,
        "min_lead": min_lead,
    }
    lrs = _lr_grid(lr_low, lr_high, per_decade)

    curves: dict[str, dict[str, Robustness]] = {}
    leads: dict[str, float] = {}
    widest_other: dict[str, str] = {}
    evidence: dict[str, float] = {}
    for name, (surface, _) in built.items():
        found = robustness(surface, kind_names, lrs, n_steps=n_steps, tol=tol, reduction=reduction, backend="numpy")
        curves[name] = found
        others = [k for k in kind_names if k != "adam"]
        rival = max(others, key=lambda k: found[k].width)  # ties: the first in kinds
        widest_other[name] = rival
        leads[name] = found["adam"].width - found[rival].width
    evidence["adam_lead"] = min(leads.values())
    for name in surface_names:
        evidence[f"adam_lead_{name}"] = leads[name]
    for name in surface_names:
        for k in kind_names:
            evidence[f"{k}_decades_{name}"] = curves[name][k].width
            evidence[f"{k}_converging_{name}"] = curves[name][k].n_converged

    # The verdict: on how many surfaces does Adam's range beat every other by min_lead?
    won = [name for name in surface_names if leads[name] >= min_lead]
    verdict = SUPPORTED if len(won) == len(surface_names) else PARTLY if won else MISLEADING
    ranges = "; ".join(
        f"in {built[name][1]} Adam converged over {format_number(curves[name]['adam'].width, 2)} decades "
        f"of α, the widest of the others ({KINDS[widest_other[name]].label}) over "
        f"{format_number(curves[name][widest_other[name]].width, 2)}"
        for name in surface_names
    )
    meaning = {
        SUPPORTED: "Adam is the most forgiving about its learning rate on every surface tried, by at least "
        f"{format_number(min_lead)} decades, which is what 'more robust' can mean here.",
        PARTLY: f"Adam leads by at least {format_number(min_lead)} decades on {', '.join(won)} only, so it is "
        "more forgiving about its learning rate on some surfaces, not all.",
        MISLEADING: f"Adam does not lead by {format_number(min_lead)} decades on any surface tried, so here it "
        "is not more forgiving about its learning rate than the others.",
    }[verdict]
    return Verdict(
        id="C9",
        claim="Adam, with momentum, converges over a wider range of learning rates.",
        verdict=verdict,
        evidence=evidence,
        key="adam_lead",
        explanation=f"{ranges[0].upper()}{ranges[1:]}. {meaning}",
        experiment=(
            f"{', '.join(KINDS[k].label for k in kind_names)} with {len(lrs)} learning rates from "
            f"{format_number(lr_low)} to {format_number(lr_high)} on {' and '.join(b[1] for b in built.values())}, "
            f"{n_steps} steps from the default start; a run converges when its gap f − f* ends at most "
            f"max({format_number(tol)}, start gap / {format_number(reduction)})."
        ),
        settings=settings,
        data={
            "curves": curves,
            "labels": {name: label for name, (_, label) in built.items()},
            "leads": leads,
            "widest_other": widest_other,
        },
    )
