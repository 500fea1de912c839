"""The core: loss surfaces and optimizers in plain numpy, and the checks every layer uses.

Nothing here imports a higher layer, and surfaces and optimizers do not import each other.
"""

__all__ = ["checks", "kinds", "optimizers", "runtime", "staging", "surfaces"]


def __dir__() -> list[str]:
    return sorted(__all__)
