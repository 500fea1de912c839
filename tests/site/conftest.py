"""The site's tests: the harness (``lite.py`` beside this file) and the explorer's browser
helpers import by name; one site is built per test session, into a temporary folder."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent / "apps" / "explorer")]


@pytest.fixture(scope="session")
def builder() -> ModuleType:
    """``scripts/build_site.py`` as a module."""
    from lite import load_builder

    return load_builder()


@pytest.fixture(scope="session")
def npm() -> str:
    """npm, which fetches Pyodide's core. Without it the site's tests are skipped, with the
    reason, unless RMSPROP_VIZ_REQUIRE_BROWSER=1 (CI installs npm, so there they fail)."""
    from chromium import REQUIRED

    found = shutil.which("npm")
    if found is None:
        why = "npm is missing (apt-get install -y npm): the site's build fetches Pyodide's core with it"
        if REQUIRED:
            pytest.fail(f"RMSPROP_VIZ_REQUIRE_BROWSER=1, but {why}", pytrace=False)
        pytest.skip(why)
    return found


@pytest.fixture(scope="session")
def site(builder: ModuleType, npm: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once for the session the way the README says (from the registries)."""
    out = tmp_path_factory.mktemp("site") / "site"
    try:
        return Path(builder.build(out))
    except builder.SiteError as error:
        pytest.fail(f"the site could not be built: {error}", pytrace=False)
