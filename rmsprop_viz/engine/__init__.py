"""The engine: runs optimizers on surfaces and says what happened.

=================  ==================================================================
``run``            the step loop: :func:`run`, :func:`race`, the checks of their input
``trajectory``     :class:`Trajectory`, what a run leaves, and its metrics
``divergence``     the divergence rule, used by every loop
``sweeps``         :func:`sweep` over a grid of hyperparameters, :func:`sweep_map`, :func:`best_lr`
``best``           :func:`best_cell`, the best cell of a sweep, and :func:`cell_text`, its name
``bands``          :func:`seed_band`, one optimizer over several seeds: mean path, spread, loss band
``robustness``     robustness curves (which learning rates converge) and the comparison modes
``explain``        sentences about runs: why one diverged, how best alpha was chosen
``reports``        the step-by-step readout of one run
``formatting``     numbers as the interfaces show them
``accel``          fast paths for the package's own optimizers (the fused single-run
                   loop, the numba sweep loop), each tested against the plain loop
=================  ==================================================================
"""
