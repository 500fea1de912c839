"""The zero-install site, opened offline in Chromium: the explorer as a Voici app and in
JupyterLab, a course notebook from top to bottom, and an export offered as a download.

Every page runs with every request to another host aborted and counted; each test ends by
checking that the count is zero. The site is built once per session, from the registries,
the way the README says (``conftest.py``)."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import pathlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import LIVE_ROOT, canvas_hash, live_state
from chromium import MISSING, skip_or_require
from lite import Offline, execute, move_alpha, offline, open_app, open_notebook, run_all, show_cell

skip_or_require()

CANVAS = f"{LIVE_ROOT} canvas.rv-layer"
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
FONT_NOTICE = "building the font cache"


@pytest.fixture(scope="module")
def served(site: pathlib.Path) -> Iterator[Offline | None]:
    if MISSING:
        yield None
        return
    with offline(site) as instance:
        yield instance


@pytest.fixture
def page(served: Offline | None, tmp_path: pathlib.Path) -> Iterator[Any]:
    """A page in a fresh context (a first visit); a screenshot is left in ``tmp_path``."""
    if served is None:
        pytest.fail(f"RMSPROP_VIZ_REQUIRE_BROWSER=1, but {MISSING}", pytrace=False)
    context = served.context()
    page = context.new_page()
    try:
        yield page
    finally:
        page.screenshot(path=str(tmp_path / "last.png"))
        context.close()


def nothing_left_the_machine(served: Offline) -> None:
    """No request to another host; and every one the site's server got was inside the
    site's folder (the site is served below one, as GitHub Pages serves a project) and
    found: its paths are relative and complete."""
    assert served.blocked == [], f"{len(served.blocked)} requests to other hosts: {served.blocked[:5]}"
    folder = urlsplit(served.url).path
    outside = sorted({p for p, _ in served.answered if not p.startswith(folder)})
    assert outside == [], f"requests outside the site's folder {folder}: {outside[:5]}"
    missing = sorted({p for p, code in served.answered if code >= 400})
    assert missing == [], f"not found in the site: {missing[:5]}"


def test_the_explorer_app_runs_offline_and_follows_its_slider(served: Offline, page: Any) -> None:
    open_app(served, page)
    before = canvas_hash(page, CANVAS)
    seq = live_state(page)["seq"]
    alpha = page.locator(".rv-alpha .widget-readout").first.inner_text()

    move_alpha(page, 0.7)

    assert live_state(page)["seq"] > seq
    assert page.locator(".rv-alpha .widget-readout").first.inner_text() != alpha
    assert canvas_hash(page, CANVAS) != before, "the canvas did not change after the slider moved"
    # No code, no stderr (the font-cache notice above all) on the app's page.
    assert "rv.explore()" not in page.inner_text("body")
    assert page.locator(STDERR).count() == 0, page.locator(STDERR).first.inner_text()
    assert FONT_NOTICE not in page.inner_text("body")
    nothing_left_the_machine(served)


def test_the_explorer_notebook_runs_in_jupyterlab(served: Offline, page: Any) -> None:
    open_notebook(served, page, "03_explorer.ipynb")
    state = run_all(page)
    show_cell(page, "rv.explore(")
    page.locator(CANVAS).first.wait_for(timeout=60_000)
    before = canvas_hash(page, CANVAS)

    move_alpha(page, 0.7)

    assert canvas_hash(page, CANVAS) != before
    stderr = [o["text"] for c in state["cells"] for o in c["outputs"] if o["name"] == "stderr"]
    assert not [t for t in stderr if FONT_NOTICE in t], stderr
    nothing_left_the_machine(served)


@pytest.mark.parametrize("notebook", ["01_rmsprop_step_by_step", "02_optimizer_race"])
def test_a_course_notebook_runs_from_top_to_bottom(served: Offline, page: Any, notebook: str) -> None:
    open_notebook(served, page, f"{notebook}.ipynb")
    state = run_all(page)

    cells = state["cells"]
    assert cells
    assert all(c["count"] is not None for c in cells)
    pictures = [o for c in cells for o in c["outputs"] if o["type"] in ("display_data", "execute_result")]
    assert len(pictures) >= 3, "the notebook's figures were not shown"
    # Nothing on stderr (shown in red): no font-cache notice, no warning.
    stderr = [o["text"] for c in cells for o in c["outputs"] if o["name"] == "stderr"]
    assert stderr == []
    nothing_left_the_machine(served)


def test_an_export_is_offered_as_a_download_and_mp4_says_why_not(served: Offline, page: Any) -> None:
    open_app(served, page)
    page.get_by_text("export and recipe").first.click()
    name = page.locator(".rv-export-name input, .widget-text:has(label:text('file')) input").first
    button = page.locator("button", has_text="Export").first

    name.fill("race.mp4")
    name.press("Enter")
    button.click()
    page.get_by_text("cannot run in a browser").first.wait_for(timeout=60_000)

    name.fill("race.gif")
    name.press("Enter")
    button.click()
    link = page.locator("a[download='race.gif']").first
    link.wait_for(timeout=300_000)
    with page.expect_download() as download:
        link.click()
    data = pathlib.Path(download.value.path()).read_bytes()
    assert data[:6] == b"GIF89a"
    assert len(data) > 10_000
    nothing_left_the_machine(served)


#: What the package does in the browser, printed as one JSON line: a run, a race, a sweep
#: with the numpy loop, a claim's verdict, a PNG and a GIF (their first bytes and frames),
#: and what an MP4 export says.
CHECK = """
import json
import numpy as np
from PIL import Image
import rmsprop_viz as rv
from rmsprop_viz.core import runtime
from rmsprop_viz.export import save
from rmsprop_viz.plotting import RaceFigure

surface = rv.Rosenbrock()
traj = rv.run(surface, rv.rmsprop(lr=0.01, beta=0.9), start=(-1.5, 2.5), n_steps=300)
results = rv.race(surface, {"SGD": rv.sgd(1.5e-3), "Adam": rv.adam(0.05)}, n_steps=300)
grid = {"lr": np.geomspace(1e-3, 1e-1, 5), "beta": np.array([0.5, 0.9, 0.99])}
final = rv.sweep(surface, rv.rmsprop, grid=grid, n_steps=200, backend="numpy")
verdict = rv.claims.check("C1")
figure = RaceFigure(surface, list(results.values()), labels=list(results))
png = save(figure, "check.png", overwrite=True, progress=False)
gif = save(figure, "check.gif", frames=10, fps=10, overwrite=True, progress=False)
with Image.open(gif) as animation:
    frames = animation.n_frames
try:
    save(figure, "check.mp4", overwrite=True, progress=False)
    mp4 = "saved"
except ValueError as error:
    mp4 = str(error)
print(json.dumps({
    "in_browser": runtime.IN_BROWSER,
    "run": traj.params[-1, 0].tolist(),
    "race": {name: r.params[-1, 0].tolist() for name, r in results.items()},
    "sweep": final.ravel().tolist(),
    "verdict": [verdict.verdict, verdict.key, float(verdict.evidence[verdict.key])],
    "png": png.read_bytes()[:8].hex(),
    "gif": [gif.read_bytes()[:6].hex(), frames],
    "mp4": mp4,
}))
"""


def close(a: object, b: object, rtol: float = 1e-6) -> bool:
    """Numbers equal to ``rtol`` (the browser's numpy is another build on another CPU), the
    rest exactly."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-300) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, rtol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], rtol) for k in a)
    return a == b


def test_the_package_computes_in_the_browser_what_it_computes_here(
    served: Offline, page: Any, tmp_path: pathlib.Path
) -> None:
    open_notebook(served, page, "explorer.ipynb")
    printed = execute(page, CHECK)
    assert printed["error"] == "", printed["error"]
    assert FONT_NOTICE not in printed["stderr"]
    there = json.loads(printed["stdout"].strip().splitlines()[-1])

    # The same code here, in a desktop Python: the reference.
    here_out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(here_out):
            exec(CHECK, {})
    finally:
        os.chdir(cwd)
    here = json.loads(here_out.getvalue().strip().splitlines()[-1])

    assert there["in_browser"] is True
    assert here["in_browser"] is False
    for key in ("run", "race", "sweep", "verdict"):
        assert close(there[key], here[key]), f"{key}: browser {there[key]} != here {here[key]}"
    assert there["png"] == "89504e470d0a1a0a"
    assert there["gif"] == ["474946383961", 10]
    assert there["gif"] == here["gif"]
    assert "cannot run in a browser" in there["mp4"]
    assert "check.gif" in there["mp4"]
    nothing_left_the_machine(served)
