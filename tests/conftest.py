"""Shared test setup."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Helpers shared by several test files (e.g. readout_check.py) import by name.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True, scope="session")
def _compiled_loops_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the loops numba compiles during the tests out of the user's cache folder."""
    patch = pytest.MonkeyPatch()
    patch.setenv("RMSPROP_VIZ_CACHE", str(tmp_path_factory.mktemp("compiled-loops")))
    yield
    patch.undo()
