"""Where the package runs: the browser is recognised by its platform, matplotlib's
font-cache notice and tqdm's monitor thread are kept off the screen there (MP4 export in
a browser: tests/export/test_save_in_browser.py)."""

from __future__ import annotations

import importlib.util
import io
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rmsprop_viz.core import runtime

LOGGER = "matplotlib.font_manager"


def matplotlib_notice() -> str:
    """The notice as matplotlib's own source words it (the reference, not our copy)."""
    spec = importlib.util.find_spec(LOGGER)
    assert spec is not None
    assert spec.origin is not None
    source = Path(spec.origin).read_text(encoding="utf-8")
    found = re.findall(r"""['"](Matplotlib is building the font cache[^'"]*)['"]""", source)
    assert found, "matplotlib no longer words its font-cache notice this way"
    return str(found[0])


def record(message: str, level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord(LOGGER, level, __file__, 1, message, None, None)


@pytest.fixture
def font_logger() -> Iterator[logging.Logger]:
    """matplotlib's font logger, its filters put back as they were afterwards."""
    logger = logging.getLogger(LOGGER)
    before = list(logger.filters)
    yield logger
    logger.filters[:] = before


def test_the_filter_drops_exactly_the_notice() -> None:
    notice = runtime.FontCacheNotice()
    assert notice.filter(record(matplotlib_notice())) is False
    assert notice.filter(record("Matplotlib is building the font cache; this may take a moment.")) is False
    assert notice.filter(record("findfont: Font family 'Nope' not found.")) is True
    assert notice.filter(record("Matplotlib is building")) is True  # only the whole notice's start
    assert notice.filter(record("Failed to open font file %s: %s", logging.INFO)) is True


def test_quiet_font_cache_is_idempotent_and_silences_only_the_notice(font_logger: logging.Logger) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    font_logger.addHandler(handler)
    try:
        font_logger.warning(matplotlib_notice())
        assert "font cache" in stream.getvalue()  # heard before
        stream.truncate(0)
        stream.seek(0)

        runtime.quiet_font_cache()
        runtime.quiet_font_cache()
        assert sum(isinstance(f, runtime.FontCacheNotice) for f in font_logger.filters) == 1
        font_logger.warning(matplotlib_notice())
        assert stream.getvalue() == ""
        font_logger.warning("findfont: Font family 'Nope' not found.")
        assert stream.getvalue() == "findfont: Font family 'Nope' not found.\n"
    finally:
        font_logger.removeHandler(handler)


def test_the_notice_does_not_reach_stderr_through_the_last_resort(
    font_logger: logging.Logger, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no handler anywhere (a plain Python), logging writes warnings to stderr."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(font_logger, "handlers", [])
    runtime.quiet_font_cache()
    font_logger.warning(matplotlib_notice())
    font_logger.warning("another warning")
    assert capsys.readouterr().err == "another warning\n"


def test_in_browser_is_the_emscripten_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    assert runtime.IN_BROWSER is (sys.platform == "emscripten")
    monkeypatch.setattr(sys, "platform", "emscripten")
    spec = importlib.util.spec_from_file_location("runtime_in_a_browser", runtime.__file__)
    assert spec is not None
    assert spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    assert fresh.IN_BROWSER is True


def test_importing_the_package_in_a_browser_quiets_the_notice_and_tqdms_monitor() -> None:
    code = (
        "import sys, logging\n"
        "sys.platform = {platform!r}\n"
        "import rmsprop_viz\n"
        "import tqdm\n"
        "from rmsprop_viz.core.runtime import FontCacheNotice\n"
        "print(sum(isinstance(f, FontCacheNotice) for f in logging.getLogger('matplotlib.font_manager').filters),"
        " 'matplotlib' in sys.modules, tqdm.tqdm.monitor_interval == 0)\n"
    )
    found = {}
    for platform in ("emscripten", sys.platform):
        done = subprocess.run(
            [sys.executable, "-c", code.format(platform=platform)], capture_output=True, text=True, check=True
        )
        found[platform] = done.stdout.split()
    # The filter, without importing matplotlib; tqdm's monitor thread off.
    assert found["emscripten"] == ["1", "False", "True"]
    assert found[sys.platform] == ["0", "False", "False"]
