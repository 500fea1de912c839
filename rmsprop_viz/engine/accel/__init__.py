"""Accelerated step loops for the package's own optimizers, each tested against the plain loop.

``tracing`` records an update rule's arithmetic once and writes the fused single-run
loop (about three times faster than the plain loop on the explorer's race);
``compiled`` writes a sweep's step loop for numba (four times faster on a large sweep,
tens of times on the explorer's best-alpha sweeps). A user's own optimizer or surface
never takes these paths.
"""
