"""The robustness suite: bad input, sizes, recipes, the explorer, files and signals.

The helpers live in ``_robustness.py`` beside this file; this makes them importable.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


def pytest_report_header(config: pytest.Config) -> str:
    import rmsprop_viz

    return f"rmsprop_viz under test: {rmsprop_viz.__file__}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    import rmsprop_viz

    terminalreporter.write_line(f"rmsprop_viz under test: {rmsprop_viz.__file__}")
