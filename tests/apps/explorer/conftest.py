"""The explorer's tests: its helpers (``_explorer_helpers.py``, beside this file) import by
name, and most tests start from the Rosenbrock race in each canvas backend."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

BACKENDS = ["live", "image", "ipympl"]


@pytest.fixture(params=BACKENDS)
def explorer(request: pytest.FixtureRequest) -> object:
    import rmsprop_viz as rv

    return rv.explore("rosenbrock", backend=request.param, n_steps=120)


@pytest.fixture(scope="module")
def chrome() -> Iterator[Any]:
    """The system's Chromium for a module's browser tests; None where it is missing (each
    test then fails or skips through :func:`need`)."""
    from browser import chromium
    from chromium import MISSING

    if MISSING:
        yield None
        return
    with chromium() as instance:
        yield instance
