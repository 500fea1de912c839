"""Checks shared by the command line's test modules."""

from __future__ import annotations

import pytest

from rmsprop_viz.apps import cli


def one_error_line(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err
    return err


def same_to_4_digits(text: str, value: float) -> bool:
    """A printed number is ``value`` to 4 significant digits (whatever the notation)."""
    return float(text) == float(f"{value:.3e}")
