r"""The claim about noisy gradients and small batches (C7), tested over several seeds.

One noisy run proves little, so every optimizer runs once per seed
(:func:`rmsprop_viz.engine.bands.seed_bands`) and the evidence is the median over the
seeds, with the spread between the seeds beside it.
"""

from __future__ import annotations

import math

import numpy as np

from rmsprop_viz.core.checks import check_int
from rmsprop_viz.core.optimizers import adam, rmsprop, sgd
from rmsprop_viz.core.surfaces import MiniBatchLeastSquares, Noisy, Quadratic
from rmsprop_viz.engine.bands import MAX_SEEDS, SeedBand, seed_bands
from rmsprop_viz.engine.claims.record import MISLEADING, PARTLY, SUPPORTED, Verdict
from rmsprop_viz.engine.claims.settings import number
from rmsprop_viz.engine.formatting import format_number

__all__ = ["MAX_CLAIM_STEPS", "NOISE_SCENES", "c7_noisy_gradients"]

#: Upper limit of ``n_steps`` for the claim of this module.
MAX_CLAIM_STEPS = 5000
#: The three stochastic problems of C7, in the order the evidence and the figure use.
NOISE_SCENES = ("small_noise", "large_noise", "minibatch")
#: The optimizers compared, by the prefix of their evidence names.
_OPTIMIZERS = ("sgd", "rmsprop", "adam")


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom > 0 else math.inf


def _step_over_lr(band: SeedBand, tail: int, lr: float) -> float:
    """Median over the seeds of the root-mean-square step per coordinate over the last
    ``tail`` steps, divided by ``lr``: how big the steps stay once the run hovers."""
    sizes = [float(np.sqrt(np.mean(t.updates[-tail:, 0] ** 2))) for t in band.trajectories if t.diverged_at[0] < 0]
    return float(np.median(sizes)) / lr if sizes else math.nan


def c7_noisy_gradients(
    *,
    condition: float = 10.0,
    small_sigma: float = 0.1,
    large_sigma: float = 10.0,
    batch_size: int = 1,
    lr: float = 0.05,
    beta: float = 0.9,
    seeds: int = 8,
    n_steps: int = 300,
    tail: int = 100,
    min_ratio: float = 2.0,
) -> Verdict:
    r"""C7: "RMSProp suits noisy gradients and small mini-batches".

    **Experiment.** SGD, RMSProp and Adam, all with learning rate ``lr``, run ``n_steps``
    steps from the default start of three stochastic problems, once per seed (``seeds``
    seeds, 0, 1, ...): the bowl ``Quadratic(condition)`` with Gaussian gradient noise of
    size ``small_sigma`` and of size ``large_sigma`` (:class:`.Noisy`), and least squares
    on mini-batches of ``batch_size`` samples (:class:`.MiniBatchLeastSquares`, features of
    scales 1 and 4). A run's *noise floor* is its mean loss gap :math:`f - f^*` over the
    last ``tail`` steps; the evidence is its median over the seeds, and its spread (10% to
    90% quantile).

    The learning rate is the same for all three, a fair choice: 0.05 is a quarter of
    SGD's stability limit :math:`2/\lambda_{max} = 0.2` on the bowl of condition 10 and
    0.4 of it on the least-squares problem (:math:`\lambda_{max} \approx 16`), and the
    adaptive methods' steps are about ``lr`` per coordinate, as large as SGD's steps where
    the gradient is about 1.

    **Why.** Near the minimum the gradient is mostly noise of size :math:`\sigma`.
    SGD's step is :math:`\text{lr}\,(\nabla f + \sigma\xi)`: its jitter, and its floor
    :math:`\approx \text{lr}\,\sigma^2/2` (two coordinates), grow with the square of the
    noise. RMSProp divides by :math:`\sqrt{v} \approx \sigma`: its steps stay about
    :math:`\text{lr}` whatever the noise, so its floor, :math:`\approx \text{lr}\,\sigma/2`,
    grows only like :math:`\sigma`. It wins when the noise is large, and loses when the
    noise is small: it normalises the noise instead of averaging it away.

    The floor is only a floor if every run has reached it before the last ``tail`` steps:
    with a smaller ``lr`` RMSProp and Adam (steps of about ``lr``) need more steps to
    cross the bowl (``lr=0.01`` needs ``n_steps=2000, tail=500``), else the "floor" is
    still the descent and the verdict says so.

    **Verdict.** RMSProp *helps* on a problem when SGD's median floor is at least
    ``min_ratio`` times RMSProp's (tested with large noise and with small batches), and
    *hurts* when RMSProp's floor with small noise is at least ``min_ratio`` times SGD's.
    Supported when it helps on both and never hurts; misleading when it helps on
    neither; partly otherwise.

    Parameters
    ----------
    condition : float
        Condition number of the noisy bowl, in [1, 100].
    small_sigma, large_sigma : float
        Sizes of the gradient noise, in [0, 100], ``small_sigma < large_sigma``.
    batch_size : int
        Samples per mini-batch of the least-squares problem (256 samples), in [1, 256].
    lr : float
        Learning rate of all three optimizers, in (0, 0.1].
    beta : float
        RMSProp's decay, in [0, 0.999].
    seeds : int
        Seeds per optimizer and problem, in [2, 64].
    n_steps : int
        Steps of each run, in [20, 5000].
    tail : int
        Steps at the end whose loss gap is averaged, in [1, n_steps].
    min_ratio : float
        How many times lower a floor must be to count as better, in (1, 100].

    Returns
    -------
    Verdict
        Evidence, for each optimizer ``o`` in sgd, rmsprop, adam and each problem ``p`` in
        small_noise, large_noise, minibatch: ``o_floor_p`` (median floor) and
        ``o_spread_p`` (90% minus 10% quantile of the floors over the seeds); the ratios
        ``sgd_over_rmsprop_large_noise``, ``sgd_over_rmsprop_minibatch`` and
        ``rmsprop_over_sgd_small_noise``; ``rmsprop_step_over_lr_small_noise`` and
        ``sgd_step_over_lr_small_noise`` (typical step per coordinate at the end, over lr);
        ``diverged_runs``. Data: ``bands`` (problem -> label -> :class:`.SeedBand`),
        ``titles`` (problem -> a short title), ``tail``.

    Examples
    --------
    >>> v = c7_noisy_gradients()
    >>> v.verdict, v.evidence["sgd_over_rmsprop_large_noise"] > 2, v.evidence["rmsprop_over_sgd_small_noise"] > 2
    ('partly', True, True)
    """
    condition = number("condition", condition, low=1.0, high=100.0)
    small_sigma = number("small_sigma", small_sigma, low=0.0, high=100.0)
    large_sigma = number("large_sigma", large_sigma, low=0.0, high=100.0)
    if not small_sigma < large_sigma:
        raise ValueError(f"small_sigma must be less than large_sigma, got {small_sigma:g} and {large_sigma:g}")
    batch_size = check_int("batch_size", batch_size, low=1, high=MiniBatchLeastSquares.n_samples)
    lr = number("lr", lr, low=0.0, low_open=True, high=0.1)
    beta = number("beta", beta, low=0.0, high=0.999)
    seeds = check_int("seeds", seeds, low=2, high=MAX_SEEDS)
    n_steps = check_int("n_steps", n_steps, low=20, high=MAX_CLAIM_STEPS)
    tail = check_int("tail", tail, low=1, high=n_steps)
    min_ratio = number("min_ratio", min_ratio, low=1.0, low_open=True, high=100.0)
    settings = {
        "condition": condition,
        "small_sigma": small_sigma,
        "large_sigma": large_sigma,
        "batch_size": batch_size,
        "lr": lr,
        "beta": beta,
        "seeds": seeds,
        "n_steps": n_steps,
        "tail": tail,
        "min_ratio": min_ratio,
    }
    bowl = Quadratic(condition=condition)
    problems = {
        "small_noise": Noisy(bowl, sigma=small_sigma),
        "large_noise": Noisy(bowl, sigma=large_sigma),
        "minibatch": MiniBatchLeastSquares(batch_size=batch_size),
    }
    titles = {
        "small_noise": f"small noise: σ = {small_sigma:g}",
        "large_noise": f"large noise: σ = {large_sigma:g}",
        "minibatch": f"least squares, batches of {batch_size}",
    }
    optimizers = {
        f"SGD (lr={lr:g})": sgd(lr),
        f"RMSProp (lr={lr:g}, β={beta:g})": rmsprop(lr, beta=beta),
        f"Adam (lr={lr:g})": adam(lr),
    }
    bands = {p: seed_bands(f, optimizers, seeds=range(seeds), n_steps=n_steps) for p, f in problems.items()}

    evidence: dict[str, float] = {}
    floors: dict[tuple[str, str], float] = {}
    for problem, by_label in bands.items():
        for name, band in zip(_OPTIMIZERS, by_label.values()):
            low, median, high = band.final_spread(last=tail)
            # a diverged seed has no floor; with one, the median alone would flatter the optimizer
            floors[name, problem] = median if band.n_diverged == 0 else math.inf
            evidence[f"{name}_floor_{problem}"] = floors[name, problem]
            evidence[f"{name}_spread_{problem}"] = high - low
    evidence["sgd_over_rmsprop_large_noise"] = _ratio(floors["sgd", "large_noise"], floors["rmsprop", "large_noise"])
    evidence["sgd_over_rmsprop_minibatch"] = _ratio(floors["sgd", "minibatch"], floors["rmsprop", "minibatch"])
    evidence["rmsprop_over_sgd_small_noise"] = _ratio(floors["rmsprop", "small_noise"], floors["sgd", "small_noise"])
    small = list(bands["small_noise"].values())
    evidence["rmsprop_step_over_lr_small_noise"] = _step_over_lr(small[1], tail, lr)
    evidence["sgd_step_over_lr_small_noise"] = _step_over_lr(small[0], tail, lr)
    evidence["diverged_runs"] = sum(b.n_diverged for by_label in bands.values() for b in by_label.values())

    # The verdict: where does RMSProp's floor beat SGD's by min_ratio, and where does SGD's beat it?
    helps = [evidence["sgd_over_rmsprop_large_noise"] >= min_ratio, evidence["sgd_over_rmsprop_minibatch"] >= min_ratio]
    hurts = evidence["rmsprop_over_sgd_small_noise"] >= min_ratio
    if all(helps) and not hurts:
        verdict = SUPPORTED
        meaning = "Here RMSProp's normalised steps pay off with every noise size tested."
    elif not any(helps):
        verdict = MISLEADING
        meaning = "Here RMSProp settles no lower than SGD under heavy noise or small batches."
    else:
        verdict = PARTLY
        meaning = (
            "RMSProp divides the noise by its own size, so its steps stay about lr: that helps when the "
            "noise is large, but leaves it hovering at a floor set by lr when the noise is small."
        )
    f = format_number
    explanation = (
        f"With large noise SGD's loss floor was {f(evidence['sgd_over_rmsprop_large_noise'])} times "
        f"RMSProp's and with mini-batches of {batch_size} {f(evidence['sgd_over_rmsprop_minibatch'])} times, "
        f"but with small noise RMSProp's was {f(evidence['rmsprop_over_sgd_small_noise'])} times SGD's, "
        f"its steps staying {f(evidence['rmsprop_step_over_lr_small_noise'])} lr against SGD's "
        f"{f(evidence['sgd_step_over_lr_small_noise'])} lr. {meaning}"
    )
    return Verdict(
        id="C7",
        claim="RMSProp suits noisy gradients and small mini-batches.",
        verdict=verdict,
        evidence=evidence,
        key="sgd_over_rmsprop_large_noise",
        explanation=explanation,
        experiment=(
            f"SGD, RMSProp and Adam (lr {lr:g}) run {n_steps} steps on {seeds} seeds each of a bowl with "
            f"gradient noise {small_sigma:g} and {large_sigma:g} and of least squares on batches of "
            f"{batch_size}, and we compare the median loss over the last {tail} steps."
        ),
        settings=settings,
        data={"bands": bands, "titles": titles, "tail": tail},
    )
