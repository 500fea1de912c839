"""Accelerated step loops for the package's own optimizers, each tested against the plain loop."""
