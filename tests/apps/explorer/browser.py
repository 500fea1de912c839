"""A real browser for the explorer: JupyterLab or Voila on loopback, driven by Playwright.

Shared by the browser tests and by ``benchmarks/bench_explorer_browser.py``. A server
listens on 127.0.0.1 with a random token, in a throw-away Jupyter configuration, and serves
a folder of notebooks (a temporary copy, so that autosave never touches the repository).
The browser is the system's Chromium (see ``tests/chromium.py``); every request that does
not go to the loopback address is aborted and counted, and the frames each page sends and
receives on its kernel's WebSocket are recorded.

Typical use::

    with chromium() as browser, open_notebook(browser, tmp, ["import rmsprop_viz as rv", "rv.explore()"]) as s:
        s.page.locator(".rv-live").wait_for()

Leaving the ``with`` closes the page, stops the server and its kernels (the server runs in a
process group of its own) and, for :func:`chromium`, the browser.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import pathlib
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from chromium import MISSING, launch, require

#: Requests to any other host are aborted (and counted in :class:`Network`).
NOT_LOOPBACK = re.compile(r"^(?!(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\])[:/])(?!(data|blob|about):)")

#: The explorer's live canvas (not a sensitivity map's: its widget, or its root, carries
#: the class rv-map): its root, and its drawing layer; the sensitivity map's root.
LIVE_ROOT = ".rv-live:not(.rv-map):not(.rv-map *)"
MAP_ROOT = ".rv-live.rv-map, .rv-map .rv-live"
LIVE_READY = f"{LIVE_ROOT} canvas.rv-layer"
#: ipympl's canvas (the second canvas in that div is its rubber-band overlay).
IPYMPL_CANVAS = ".jupyter-matplotlib-canvas-div canvas"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_url(url: str, timeout: float = 90.0) -> None:
    """Return once ``url`` answers with a status below 500."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    raise TimeoutError(f"server at {url} did not answer within {timeout:.0f} s")


def poll(condition: Callable[[], Any], timeout: float = 30.0, what: str = "condition", every: float = 0.1) -> Any:
    """The first true value of ``condition()``, polled every ``every`` s, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def jupyter_env(tmp: pathlib.Path) -> dict[str, str]:
    """The environment for a server with its own configuration, runtime and workspace folders."""
    config = tmp / "config"
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    # JupyterLab's "get notified about news?" pop-up would cover part of the page.
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
        MPLBACKEND="Agg",
    )
    return env


def write_notebook(path: pathlib.Path, cells: Sequence[str]) -> pathlib.Path:
    """Write a notebook of code ``cells`` (Python 3 kernel) to ``path``."""
    notebook = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
            for source in cells
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


@dataclasses.dataclass
class Server:
    """A running JupyterLab or Voila: ``kind`` is ``"lab"`` or ``"voila"``."""

    kind: str
    base: str
    token: str
    root: pathlib.Path

    def url(self, notebook: str) -> str:
        """The page that shows ``notebook`` (Voila serves the one it was started with)."""
        if self.kind == "lab":
            return f"{self.base}/lab/tree/{notebook}?token={self.token}"
        return f"{self.base}/?token={self.token}"


@contextlib.contextmanager
def _process(
    command: list[str], ready_url: str, cwd: pathlib.Path, env: dict[str, str], log: pathlib.Path
) -> Iterator[None]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_for_url(ready_url)
            yield
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)  # the server and its kernels
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@contextlib.contextmanager
def serve(kind: str, root: pathlib.Path, tmp: pathlib.Path, notebook: str = "") -> Iterator[Server]:
    """JupyterLab (``kind="lab"``) over ``root``, or Voila (``"voila"``) showing ``notebook``."""
    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    if kind == "lab":
        command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}"]
        command += [f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        ready = f"{base}/api/status?token={token}"
    elif kind == "voila":
        command = [sys.executable, "-m", "voila", notebook, "--no-browser", f"--port={port}"]
        command += ["--Voila.ip=127.0.0.1", f"--token={token}"]
        ready = f"{base}/?token={token}"
    else:
        raise ValueError(f"kind must be 'lab' or 'voila', got {kind!r}")
    with _process(command, ready, root, jupyter_env(tmp), tmp / f"{kind}.log"):
        yield Server(kind, base, token, root)


@dataclasses.dataclass
class Frame:
    """One WebSocket frame: when Python saw it, its direction, size and text (if any)."""

    at: float
    sent: bool
    size: int
    text: str


@dataclasses.dataclass
class Network:
    """What a page asked of the network: aborted requests, and its kernel WebSocket frames."""

    aborted: list[str] = dataclasses.field(default_factory=list)
    frames: list[Frame] = dataclasses.field(default_factory=list)

    def attach(self, page: Any) -> None:
        """Abort the page's non-loopback requests and record its kernel channels' frames."""

        def abort(route: Any) -> None:
            self.aborted.append(route.request.url)
            route.abort()

        page.route(NOT_LOOPBACK, abort)
        page.on("websocket", self._watch)

    def _watch(self, ws: Any) -> None:
        if "/api/kernels/" not in ws.url:
            return

        def record(payload: str | bytes, sent: bool) -> None:
            raw = payload.encode() if isinstance(payload, str) else payload
            self.frames.append(Frame(time.monotonic(), sent, len(raw), raw.decode("utf-8", "replace")))

        ws.on("framesent", lambda payload: record(payload, True))
        ws.on("framereceived", lambda payload: record(payload, False))

    def mark(self) -> int:
        """A position in :attr:`frames`, for :meth:`since`."""
        return len(self.frames)

    def since(self, mark: int, *, sent: bool) -> list[Frame]:
        """The frames sent (or received) after ``mark``."""
        return [f for f in self.frames[mark:] if f.sent == sent]


#: An init script that logs, in the page's own clock, when each WebSocket message arrives,
#: its size, and whether it is a kernel's "idle" status (it has finished a request):
#: ``window.__rvWs`` = [[performance.now(), bytes, idle], ...] (the last 10,000 or more).
WEBSOCKET_PROBE = """(() => {
    const Native = window.WebSocket;
    const log = (window.__rvWs = []);
    const decoder = new TextDecoder();
    const IDLE = /"execution_state": ?"idle"/;
    class Probe extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', (e) => {
                const now = performance.now();
                const head = (b) => decoder.decode(new Uint8Array(b, 0, Math.min(2000, b.byteLength)));
                const text = typeof e.data === 'string' ? e.data.slice(0, 2000)
                    : e.data instanceof ArrayBuffer ? head(e.data) : '';
                const size = typeof e.data === 'string' ? e.data.length : (e.data.byteLength ?? e.data.size);
                log.push([now, size, IDLE.test(text)]);
                if (log.length > 20000) log.splice(0, 10000);
            });
        }
    }
    window.WebSocket = Probe;
})();"""


@dataclasses.dataclass
class Session:
    """An open notebook: the page, what it did on the network, the server, a folder for pictures."""

    page: Any
    network: Network
    server: Server
    shots: pathlib.Path

    def shot(self, name: str, selector: str = "") -> pathlib.Path:
        """Save a screenshot of the page (or of the first ``selector``) as ``<name>.png``."""
        path = self.shots / f"{name}.png"
        if selector:
            self.page.locator(selector).first.screenshot(path=str(path))
        else:
            self.page.screenshot(path=str(path))
        return path


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """The system's Chromium, headless, closed on exit (RuntimeError if it is missing)."""
    if MISSING:
        raise RuntimeError(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            yield browser
        finally:
            browser.close()


def select_kernel_if_asked(page: Any) -> None:
    """Answer JupyterLab's "Select Kernel" dialog, which a slow kernel start can bring up
    over the notebook, with the kernel it proposes (the notebook's own, Python 3)."""
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    try:
        dialog.first.wait_for(state="visible", timeout=3_000)
    except Exception:
        return  # no dialog
    dialog.first.locator("button", has_text="Select").last.click()
    dialog.first.wait_for(state="hidden", timeout=10_000)


#: A cell's error output (a traceback), in JupyterLab and in Voila (an error is shown as
#: stderr text, as warnings are: told apart by the name of an exception).
CELL_ERROR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
EXCEPTION = re.compile(r"\w+(Error|Exception)\b|Traceback")


def wait_for_output(page: Any, ready: str, timeout: float) -> bool:
    """Wait until ``ready`` is visible: True; AssertionError with the traceback if a cell
    failed; False if neither happened within ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.locator(ready).first.is_visible():
            return True
        error = page.locator(CELL_ERROR, has_text=EXCEPTION)
        if error.count():
            raise AssertionError("a cell of the notebook failed:\n" + error.first.inner_text()[-3000:])
        page.wait_for_timeout(250)
    return False


def run_all_cells(page: Any, ready: str, timeout: float = 120.0) -> None:
    """In JupyterLab: wait for the kernel, Run > Run All Cells, and wait until ``ready`` is
    visible; a cell's error fails at once. The command is retried when no cell started
    within 15 s (now and then it does nothing)."""
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(state="attached", timeout=120_000)
    started = page.locator(".jp-InputPrompt", has_text=re.compile(r"\[(\*|\d+)\]"))
    for attempt in range(3):
        select_kernel_if_asked(page)
        page.locator(".jp-Cell").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        if wait_for_output(page, ready, 15.0):
            return
        if started.count() or attempt == 2:
            break
    if not wait_for_output(page, ready, timeout):
        raise AssertionError(f"{ready} did not appear within {timeout:.0f} s of Run All Cells")


@contextlib.contextmanager
def open_page(
    browser: Any,
    server: Server,
    notebook: str,
    shots: pathlib.Path,
    *,
    ready: str = LIVE_READY,
    viewport: tuple[int, int] = (1400, 1300),
    init_script: str = "",
) -> Iterator[Session]:
    """Open ``notebook`` on ``server``, run it, wait for ``ready``; the page closes on exit
    (after a last screenshot, ``<kind>-last.png``). ``init_script``: JavaScript run in the
    page before its own (e.g. :data:`WEBSOCKET_PROBE`)."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    if init_script:
        page.add_init_script(init_script)
    network = Network()
    network.attach(page)
    session = Session(page, network, server, shots)
    try:
        page.goto(server.url(notebook), timeout=180_000)
        if server.kind == "lab":
            run_all_cells(page, ready)
        elif not wait_for_output(page, ready, 180.0):
            raise AssertionError(f"{ready} did not appear within 180 s in Voila")
        yield session
    finally:
        with contextlib.suppress(Exception):
            session.shot(f"{server.kind}-last")
        page.close()


@contextlib.contextmanager
def open_notebook(
    browser: Any,
    tmp: pathlib.Path,
    cells: Sequence[str],
    *,
    kind: str = "lab",
    ready: str = LIVE_READY,
    viewport: tuple[int, int] = (1400, 1300),
    name: str = "explorer.ipynb",
    init_script: str = "",
) -> Iterator[Session]:
    """Write a notebook of ``cells`` into ``tmp``, serve it (``kind``: "lab" or "voila"),
    open and run it, and wait for ``ready``."""
    root = tmp / "served"
    write_notebook(root / name, cells)
    with (
        serve(kind, root, tmp, name) as server,
        open_page(browser, server, name, tmp, ready=ready, viewport=viewport, init_script=init_script) as session,
    ):
        yield session


def canvas_hash(page: Any, selector: str) -> str:
    """A digest of the pixels of the first canvas matching ``selector``."""
    data = page.locator(selector).first.evaluate("c => c.toDataURL()")
    return hashlib.sha256(data.encode()).hexdigest()


def live_state(page: Any, root: str = LIVE_ROOT) -> dict[str, float]:
    """The live canvas root's counters (DOM contract): seq, drawn_at, updates, frame,
    frames_drawn, playing (1 or 0); a missing attribute reads as -1."""
    return dict(
        page.locator(root).first.evaluate(
            """el => {
                const n = (name) => { const v = el.getAttribute('data-' + name);
                    return v === null ? -1 : (v === 'true' ? 1 : (v === 'false' ? 0 : Number(v))); };
                return {seq: n('seq'), drawn_at: n('drawn-at'), updates: n('updates'), frame: n('frame'),
                        frames_drawn: n('frames-drawn'), playing: n('playing')};
            }"""
        )
    )


def need(chrome: Any) -> None:
    """Fail (not skip) a browser test when the browser is required but missing."""
    if chrome is None:
        require()
