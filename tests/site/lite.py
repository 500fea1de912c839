"""The zero-install site in a real browser: a static server on 127.0.0.1, and Chromium with
every request to another host aborted and counted.

Shared by the site's browser tests and by ``benchmarks/bench_site.py``. The server is a
plain static file server (as a university web space or GitHub Pages would be), and counts
the bytes it sends. The browser is the system's Chromium (``tests/chromium.py``); two
things keep it off the network:

* a Playwright route on the browser context aborts, and counts, every request of the
  pages and their workers whose host is not the loopback address;
* Chromium's proxy is a local "black hole" that answers every request with 403, so that
  nothing can leave even where a route does not see it (a service worker's own fetches).
  Chromium's own background requests (component updates, autofill) also end there; they
  are not the page's and are listed apart (:attr:`Offline.browser_own`).

The JupyterLab pages are driven through JupyterLab's own command registry: the route
that serves ``jupyter-lite.json`` adds ``exposeAppInBrowser`` (JupyterLab's switch that
puts the application at ``window.jupyterapp``); the site on disk is not changed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import importlib.util
import json
import pathlib
import re
import threading
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any, ClassVar

from browser import LIVE_READY, LIVE_ROOT, NOT_LOOPBACK, live_state, wait_for_output
from chromium import ARGS, CHROMIUM, MISSING

#: Hosts Chromium talks to by itself (component updates, autofill, sign-in, safe
#: browsing), never on a page's behalf; a page's request to any other host is counted.
BROWSER_OWN = re.compile(
    r"^(update|content-autofill|optimizationguide-pa|safebrowsing|clientservices)\.googleapis\.com$"
    r"|^(accounts|clients\d*)\.google\.com$|(^|\.)gvt1\.com$"
)


def host_of(request: str) -> str:
    """The host of a URL, or of a proxy's request line (``CONNECT host:443`` or a URL)."""
    target = request.split(" ")[-1]
    return re.sub(r"^\w+://", "", target).split("/")[0].split(":")[0]


APP = "voici/render/explorer.html"
BUILDER = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "build_site.py"
#: The live canvas of the explorer, ready to draw.
READY = LIVE_READY


def load_builder() -> ModuleType:
    """``scripts/build_site.py`` (a script, not part of the package) as a module."""
    spec = importlib.util.spec_from_file_location("build_site", BUILDER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Files(http.server.SimpleHTTPRequestHandler):
    """A static file server that records what it sent: (path, bytes)."""

    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
    }
    sent: list[tuple[str, int]]
    answered: list[tuple[str, int]]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.answered.append((self.path, int(code) if str(code).isdigit() else 0))

    def copyfile(self, source: Any, destination: Any) -> None:
        size = 0
        while block := source.read(1 << 16):
            destination.write(block)
            size += len(block)
        self.sent.append((self.path, size))


class BlackHole(http.server.BaseHTTPRequestHandler):
    """A proxy that forwards nothing: every request gets 403, and is recorded."""

    asked: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def refuse(self) -> None:
        self.asked.append(self.path)
        self.send_error(403)

    do_GET = do_POST = do_PUT = do_HEAD = do_CONNECT = do_OPTIONS = refuse


@contextlib.contextmanager
def listening(handler: Any) -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@dataclasses.dataclass
class Offline:
    """A served site and a browser that cannot leave the machine."""

    url: str
    sent: list[tuple[str, int]]
    answered: list[tuple[str, int]]
    aborted: list[str]
    proxied: list[str]
    browser: Any

    @property
    def blocked(self) -> list[str]:
        """Requests of the pages (and their workers) to another host than loopback."""
        return [r for r in self.aborted + self.proxied if not BROWSER_OWN.search(host_of(r))]

    @property
    def browser_own(self) -> list[str]:
        """Chromium's own background requests (blocked too, but not the pages')."""
        return [r for r in self.aborted + self.proxied if BROWSER_OWN.search(host_of(r))]

    def context(self, viewport: tuple[int, int] = (1400, 1100)) -> Any:
        """A fresh context (empty cache and storage: a first visit) with the routes set."""
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})

        def abort(route: Any) -> None:
            self.aborted.append(route.request.url)
            route.abort()

        def expose(route: Any) -> None:
            response = route.fetch()
            config = json.loads(response.text())
            config.setdefault("jupyter-config-data", {})["exposeAppInBrowser"] = "true"
            route.fulfill(response=response, body=json.dumps(config))

        context.route(NOT_LOOPBACK, abort)
        context.route(re.compile(r"/jupyter-lite\.json(\?.*)?$"), expose)
        return context

    def bytes_sent(self, since: int = 0) -> int:
        return sum(n for _, n in self.sent[since:])


@contextlib.contextmanager
def offline(site: pathlib.Path) -> Iterator[Offline]:
    """Serve ``site`` on 127.0.0.1 and start Chromium behind the black hole. The site is
    served below a folder of its name (``/site/``), as GitHub Pages serves a project's
    site (``/REPO/``): every path in it must be relative."""
    if MISSING:
        raise RuntimeError(MISSING)
    from playwright.sync_api import sync_playwright

    sent: list[tuple[str, int]] = []
    asked: list[str] = []
    answered: list[tuple[str, int]] = []
    files = type("SiteFiles", (Files,), {"sent": sent, "answered": answered})
    hole = type("Hole", (BlackHole,), {"asked": asked})
    with (
        listening(functools.partial(files, directory=str(site.parent))) as server,
        listening(hole) as proxy,
        sync_playwright() as playwright,
    ):
        proxy_arg = f"--proxy-server=http://127.0.0.1:{proxy.server_address[1]}"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*ARGS, proxy_arg])
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/{site.name}/"
            yield Offline(url, sent, answered, [], asked, browser)
        finally:
            browser.close()


def open_app(site: Offline, page: Any, timeout: float = 120.0) -> float:
    """Open the Voici app and wait for the explorer's canvas; seconds it took."""
    started = time.monotonic()
    page.goto(site.url + APP, timeout=timeout * 1000)
    if not wait_for_output(page, READY, timeout):
        raise AssertionError(f"the explorer's canvas did not appear within {timeout:.0f} s in the Voici app")
    return time.monotonic() - started


#: A summary of the open notebook in JupyterLab: its kernel's status, and per code cell the
#: execution count, the output types, the stderr text and any error.
NOTEBOOK_STATE = """() => {
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) return null;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    const cells = [];
    const model = panel.content.model;
    for (let i = 0; i < model.cells.length; i++) {
        const cell = model.cells.get(i);
        if (cell.type !== 'code') continue;
        const outputs = [];
        for (let j = 0; j < cell.outputs.length; j++) {
            const out = cell.outputs.get(j).toJSON();
            outputs.push({type: out.output_type, name: out.name || '', text: [].concat(out.text || []).join(''),
                          error: out.ename ? out.ename + ': ' + out.evalue : ''});
        }
        cells.push({count: cell.executionCount, outputs});
    }
    return {status: kernel ? kernel.status : 'none', cells};
}"""


#: Runs code in the open notebook's kernel (not in a cell) and collects what it printed:
#: {"stdout", "stderr", "error"}.
EXECUTE = """async (code) => {
    const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    const future = kernel.requestExecute({code, stop_on_error: true});
    const out = {stdout: '', stderr: '', error: ''};
    future.onIOPub = (msg) => {
        const type = msg.header.msg_type;
        if (type === 'stream') out[msg.content.name] += msg.content.text;
        if (type === 'error') out.error = msg.content.ename + ': ' + msg.content.evalue;
    };
    await future.done;
    return out;
}"""


def execute(page: Any, code: str) -> dict[str, str]:
    """Run ``code`` in the kernel of the notebook open on ``page``; what it printed."""
    return dict(page.evaluate(EXECUTE, code))


def notebook_state(page: Any) -> dict[str, Any] | None:
    state = page.evaluate(NOTEBOOK_STATE)
    return dict(state) if state else None


def open_notebook(site: Offline, page: Any, name: str, timeout: float = 120.0) -> float:
    """Open ``name`` in the site's JupyterLab and wait for its kernel; seconds it took."""
    started = time.monotonic()
    page.goto(f"{site.url}lab/index.html?path={name}", timeout=timeout * 1000)
    deadline = started + timeout
    while True:
        state = notebook_state(page)
        if state and state["status"] == "idle":
            return time.monotonic() - started
        if time.monotonic() > deadline:
            raise AssertionError(f"{name}: the kernel was not ready within {timeout:.0f} s (state: {state})")
        page.wait_for_timeout(250)


def run_all(page: Any, timeout: float = 600.0) -> dict[str, Any]:
    """Run every cell of the open notebook and wait until all ran; a cell's error fails at once."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    deadline = time.monotonic() + timeout
    while True:
        page.wait_for_timeout(500)
        state = notebook_state(page)
        assert state is not None
        errors = [o["error"] for c in state["cells"] for o in c["outputs"] if o["type"] == "error"]
        if errors:
            raise AssertionError(f"a cell failed: {errors[0]}")
        if state["status"] == "idle" and all(c["count"] is not None for c in state["cells"]):
            return state
        if time.monotonic() > deadline:
            done = sum(c["count"] is not None for c in state["cells"])
            raise AssertionError(f"{done} of {len(state['cells'])} cells ran within {timeout:.0f} s")


def show_cell(page: Any, text: str) -> None:
    """Scroll the open notebook to the first cell whose source holds ``text`` (JupyterLab
    renders only the cells near the view, so a widget far off is not on the page)."""
    page.evaluate(
        """async (text) => {
            const notebook = window.jupyterapp.shell.currentWidget.content;
            const index = notebook.widgets.findIndex((cell) => cell.model.sharedModel.getSource().includes(text));
            notebook.activeCellIndex = index;
            await notebook.scrollToItem(index, 'start');
        }""",
        text,
    )
    page.wait_for_timeout(500)


#: Logs each press of a mouse button in the page's clock (a capturing listener, installed once).
PRESSES = """() => {
    if (window.__rvPresses) return;
    window.__rvPresses = [];
    document.addEventListener('mousedown', () => window.__rvPresses.push(performance.now()), true);
}"""


def move_alpha(page: Any, fraction: float, timeout: float = 30.0) -> float:
    """Click the alpha slider's track at ``fraction`` of its width (the handle jumps there)
    and wait for the canvas to draw the new race; milliseconds from the mouse press to
    that frame, both in the page's clock. (A click, not a key: JupyterLab's notebook keeps
    the arrow keys for itself in command mode.)"""
    track = page.locator(".rv-alpha .noUi-target").first
    track.scroll_into_view_if_needed()
    page.evaluate(PRESSES)
    seq = live_state(page)["seq"]
    box = track.bounding_box()
    page.mouse.click(box["x"] + fraction * box["width"], box["y"] + box["height"] / 2)
    page.wait_for_function(
        "([root, s]) => Number(document.querySelector(root).dataset.seq) > s",
        arg=[LIVE_ROOT, seq],
        polling="raf",
        timeout=timeout * 1000,
    )
    return live_state(page)["drawn_at"] - float(page.evaluate("window.__rvPresses.at(-1)"))
