"""Whether the browser tests can run: the system's Chromium and Playwright.

Without them a browser test module is skipped, with the reason; with the environment
variable ``RMSPROP_VIZ_REQUIRE_BROWSER=1`` (set in CI) its tests fail instead, saying what
is missing. Call :func:`skip_or_require` at the top of the module, and :func:`launch` to
start the browser.
"""

from __future__ import annotations

import os
import pathlib
from typing import Any

import pytest

CHROMIUM = os.environ.get("RMSPROP_VIZ_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("RMSPROP_VIZ_REQUIRE_BROWSER", "") == "1"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing() -> str:
    """What is missing for a browser test, or ``""``."""
    if not pathlib.Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set RMSPROP_VIZ_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    return ""


MISSING = missing()


def skip_or_require() -> None:
    """Skip the calling module when the browser is missing, unless it is required."""
    if MISSING and not REQUIRED:
        pytest.skip(MISSING, allow_module_level=True)


def require() -> None:
    """Fail (not skip) the calling test when the browser is required but missing."""
    if MISSING:
        pytest.fail(f"RMSPROP_VIZ_REQUIRE_BROWSER=1, but {MISSING}", pytrace=False)


def launch(playwright: Any) -> Any:
    """Chromium, headless, started by a ``sync_playwright()`` instance."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
