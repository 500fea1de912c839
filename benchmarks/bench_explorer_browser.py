"""How fast the explorer answers in a real browser: the live canvas next to ipympl.

Run with ``python benchmarks/bench_explorer_browser.py`` (a few minutes; options:
``--front-ends lab voila``, ``--backends live ipympl``, ``--changes 30``, ``--seconds 3``).
It needs the system's Chromium and Playwright (see ``tests/chromium.py``) and skips,
saying so, without them. For each front end (JupyterLab, Voila) and explorer backend
("live": matplotlib draws the still parts once, the browser draws what moves; "ipympl":
the kernel draws every frame, the baseline), a notebook with ``rv.explore("rosenbrock",
backend=...)`` is served on loopback and opened in headless Chromium, and the script
measures:

(a) latency: the alpha slider's handle is focused and ArrowRight (then ArrowLeft) pressed,
    ``--changes`` times; the latency runs from the key event in the page
    (``performance.now()`` in a capturing listener) to the first frame that shows the
    change. Live: the canvas root's ``data-drawn-at`` once ``data-seq`` grew. ipympl: a
    requestAnimationFrame loop hashes the canvas pixels and logs when they change. Also
    the bytes the page received on the kernel WebSocket per change.
(b) updates/s during a continuous drag: the mouse holds the slider's handle and moves at
    60 Hz for ``--seconds``; live: distinct ``data-seq`` drawn (``data-updates``);
    ipympl: distinct canvas images.
(c) Play: frames drawn per second over ``--seconds`` (live: ``data-frames-drawn``;
    ipympl: distinct canvas images while its Play widget runs), and (d) the WebSocket
    frames the page sent to the kernel during Play (live: none expected).

Targets: latency <= 50 ms median, >= 20 updates/s while dragging, Play >= 30 fps. The
browser runs headless on this machine's CPU (no GPU), so its drawing is slower than on a
lecturer's laptop.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile
import time
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE.parent / "tests" / "apps" / "explorer")]

from browser import IPYMPL_CANVAS, LIVE_READY, LIVE_ROOT, Session, chromium, live_state, open_notebook  # noqa: E402
from chromium import MISSING  # noqa: E402

TARGETS = {"latency_ms": 50.0, "drag_updates_per_s": 20.0, "play_fps": 30.0}

#: A capturing keydown listener (the latency's start) and, for ipympl, a pixel watcher.
INSTRUMENT = """(canvasSelector) => {
    const rv = (window.__rv = {keys: [], changes: []});
    document.addEventListener('keydown', () => rv.keys.push(performance.now()), true);
    if (!canvasSelector) return;
    const canvas = document.querySelector(canvasSelector);
    const ctx = canvas.getContext('2d');
    let last = null;
    const tick = () => {
        const pixels = new Uint32Array(ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer);
        let h = 2166136261;
        for (let i = 0; i < pixels.length; i++) h = Math.imul(h ^ pixels[i], 16777619);
        if (h !== last) { rv.changes.push(performance.now()); last = h; }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""


def _handle(page: Any) -> Any:
    """The alpha slider's handle (by its class, else by its label)."""
    tagged = page.locator(".rv-alpha .noUi-handle")
    if tagged.count():
        return tagged.first
    slider = page.locator(".widget-slider", has=page.locator("label", has_text="alpha")).first
    return slider.locator(".noUi-handle").first


def _now(page: Any) -> float:
    return float(page.evaluate("performance.now()"))


def _changes(page: Any) -> list[float]:
    return [float(t) for t in page.evaluate("window.__rv.changes")]


def _wait_quiet(page: Any, quiet_ms: float = 400.0, timeout_s: float = 15.0) -> None:
    """ipympl: wait until the canvas has not changed for ``quiet_ms``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        changes = _changes(page)
        if not changes or _now(page) - changes[-1] > quiet_ms:
            return
        page.wait_for_timeout(50)


def latency(session: Session, live: bool, n: int) -> tuple[list[float], list[int]]:
    """Milliseconds from each key press to the first frame that shows it, and the bytes
    the page received on the kernel WebSocket for each change."""
    page, network = session.page, session.network
    handle = _handle(page)
    handle.focus()
    samples, received = [], []
    for i in range(n):
        key = "ArrowRight" if i < n // 2 else "ArrowLeft"
        mark = network.mark()
        if live:
            seq = live_state(page)["seq"]
            page.keyboard.press(key)
            page.wait_for_function(
                "([root, s]) => Number(document.querySelector(root).dataset.seq) > s",
                arg=[LIVE_ROOT, seq],
                polling="raf",
            )
            t0 = float(page.evaluate("window.__rv.keys.at(-1)"))
            samples.append(live_state(page)["drawn_at"] - t0)
            page.wait_for_timeout(150)  # let the kernel settle
        else:
            _wait_quiet(page)
            page.keyboard.press(key)
            t0 = float(page.evaluate("window.__rv.keys.at(-1)"))
            deadline = time.monotonic() + 15
            while not [t for t in _changes(page) if t > t0] and time.monotonic() < deadline:
                page.wait_for_timeout(10)
            after = [t for t in _changes(page) if t > t0]
            samples.append(after[0] - t0 if after else float("nan"))
            _wait_quiet(page)
        received.append(sum(f.size for f in network.since(mark, sent=False)))
    return samples, received


def drag(session: Session, live: bool, seconds: float) -> float:
    """Canvas updates per second while the alpha handle is dragged to and fro at 60 Hz."""
    page = session.page
    handle = _handle(page)
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    before = live_state(page)["updates"] if live else 0.0
    start = _now(page)
    moves = int(seconds * 60)
    t_begin = time.monotonic()
    for k in range(moves):
        offset = 60.0 * (1 - abs((k % 60) / 30.0 - 1))  # a triangle wave, 0..60..0 px, once a second
        page.mouse.move(x - offset, y)
        pause = t_begin + (k + 1) / 60.0 - time.monotonic()
        if pause > 0:
            page.wait_for_timeout(1e3 * pause)
    end = _now(page)
    updates = live_state(page)["updates"] - before if live else len([t for t in _changes(page) if start < t <= end])
    page.mouse.up()
    page.wait_for_timeout(1000)
    return 1e3 * updates / (end - start)


def play(session: Session, live: bool, seconds: float) -> tuple[float, int, int]:
    """Frames drawn per second during Play, WebSocket frames the page sent during it (after
    the click that started it), and those sent by the click and the Pause."""
    page, network = session.page, session.network
    if live:
        button = page.locator(".rv-live button.rv-play").first
    else:
        page.locator(".widget-play button").nth(1).click()  # stop: back to step 0
        page.wait_for_timeout(1000)
        button = page.locator(".widget-play button").nth(0)
    mark_click = network.mark()
    button.click()
    page.wait_for_timeout(300)
    mark = network.mark()
    start, drawn = _now(page), live_state(page)["frames_drawn"] if live else 0.0
    page.wait_for_timeout(1e3 * seconds)
    end = _now(page)
    drawn = live_state(page)["frames_drawn"] - drawn if live else len([t for t in _changes(page) if start < t <= end])
    during = len(network.since(mark, sent=True))
    mark_pause = network.mark()
    button.click()
    page.wait_for_timeout(1000)
    around = len([f for f in network.frames[mark_click:mark] if f.sent]) + len(network.since(mark_pause, sent=True))
    return 1e3 * drawn / (end - start), during, around


def measure(browser: Any, kind: str, backend: str, changes: int, seconds: float) -> dict[str, Any]:
    """One row of the table."""
    live = backend == "live"
    cells = ["import rmsprop_viz as rv", f'rv.explore("rosenbrock", backend="{backend}")']
    with tempfile.TemporaryDirectory() as folder:
        tmp = pathlib.Path(folder)
        ready = LIVE_READY if live else IPYMPL_CANVAS
        with open_notebook(browser, tmp, cells, kind=kind, ready=ready, viewport=(1400, 1300)) as session:
            page = session.page
            page.wait_for_timeout(2000)  # first images, fonts
            page.evaluate(INSTRUMENT, None if live else IPYMPL_CANVAS)
            samples, received = latency(session, live, changes)
            updates = drag(session, live, seconds)
            fps, during, around = play(session, live, seconds)
            aborted = len(session.network.aborted)
    ordered = sorted(samples)
    return {
        "front end": kind,
        "backend": backend,
        "median ms": statistics.median(samples),
        "p90 ms": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
        "updates/s drag": updates,
        "Play fps": fps,
        "sent in Play": during,
        "sent by play+pause": around,
        "KB in/change": statistics.median(received) / 1e3,
        "aborted": aborted,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--front-ends", nargs="+", default=["lab", "voila"], choices=["lab", "voila"])
    parser.add_argument("--backends", nargs="+", default=["live", "ipympl"], choices=["live", "ipympl"])
    parser.add_argument("--changes", type=int, default=30, help="slider changes for the latency (>= 1)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of the drag and of Play, in s")
    args = parser.parse_args(argv)
    if not 1 <= args.changes <= 1000:
        parser.error(f"--changes must be in [1, 1000], got {args.changes}")
    if not 0.5 <= args.seconds <= 60:
        parser.error(f"--seconds must be in [0.5, 60], got {args.seconds}")
    if MISSING:
        print(f"skipped: {MISSING}")
        return 0
    rows = []
    with chromium() as browser:
        for kind in args.front_ends:
            for backend in args.backends:
                began = time.monotonic()
                try:
                    rows.append(measure(browser, kind, backend, args.changes, args.seconds))
                except Exception as error:  # report the row as failed, keep measuring the others
                    print(f"{kind}/{backend}: failed: {type(error).__name__}: {str(error).splitlines()[0]}")
                    continue
                print(f"{kind}/{backend}: measured in {time.monotonic() - began:.0f} s", flush=True)
    header = (
        f"{'front end':<9} {'backend':<7} {'median ms':>9} {'p90 ms':>7} {'updates/s':>9} {'Play fps':>8} "
        f"{'WS sent in Play':>15} {'KB in/change':>12}"
    )
    print()
    print(header)
    print(
        f"{'target':<9} {'':<7} {'<= ' + format(TARGETS['latency_ms'], '.0f'):>9} {'':>7} "
        f"{'>= ' + format(TARGETS['drag_updates_per_s'], '.0f'):>9} {'>= ' + format(TARGETS['play_fps'], '.0f'):>8} "
        f"{'0':>15} {'':>12}"
    )
    for r in rows:
        print(
            f"{r['front end']:<9} {r['backend']:<7} {r['median ms']:>9.1f} {r['p90 ms']:>7.1f} "
            f"{r['updates/s drag']:>9.1f} {r['Play fps']:>8.1f} {r['sent in Play']:>15d} {r['KB in/change']:>12.1f}"
        )
    print(
        f"\n(a) over {args.changes} alpha changes (arrow keys on the focused handle), (b) a {args.seconds:g} s drag "
        f"at 60 Hz, (c) {args.seconds:g} s of Play; WebSocket frames the page sent after Play's click and "
        "before Pause; kilobytes the page received on the kernel WebSocket per change (median). "
        f"Requests to other hosts aborted: {', '.join(str(r['aborted']) for r in rows)}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
