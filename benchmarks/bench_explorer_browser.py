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
    change. Live: the ``data-drawn-at`` of the first ``data-seq`` above the one before the
    key (the root's attributes, logged by a MutationObserver). ipympl: a
    requestAnimationFrame loop hashes the canvas pixels and logs when they change. An
    init script logs each WebSocket message's arrival in the page's clock, which splits
    the latency: when the race (or ipympl's image) arrived, and when the kernel said it
    was idle again. Also the bytes the page received per change.
(b) updates/s during a continuous drag: the page presses the handle and moves the mouse
    every animation frame (about 60 Hz) for ``--seconds`` (mouse events sent from Python
    arrive at 10-20 Hz on a busy machine); live: the race messages that arrived (each is
    drawn on the next frame), beside the ``data-seq`` values drawn; ipympl: distinct
    canvas images.
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

from browser import (  # noqa: E402
    IPYMPL_CANVAS,
    LIVE_READY,
    LIVE_ROOT,
    WEBSOCKET_PROBE,
    Session,
    chromium,
    live_state,
    open_notebook,
)
from chromium import MISSING  # noqa: E402

TARGETS = {"latency_ms": 50.0, "drag_updates_per_s": 20.0, "play_fps": 30.0}
#: A message this large brings a race to the live canvas (four runs of 1,200 steps: 170 KB).
RACE_BYTES = 20_000

#: A capturing keydown listener (the latency's start); for the live canvas, a log of each
#: seq drawn and when (the root's data-seq and data-drawn-at); for ipympl, a pixel watcher.
INSTRUMENT = """([canvasSelector, liveRoot]) => {
    const rv = (window.__rv = {keys: [], changes: [], drawn: []});
    document.addEventListener('keydown', () => rv.keys.push(performance.now()), true);
    if (liveRoot) {
        const root = document.querySelector(liveRoot);
        new MutationObserver(() => {
            const seq = Number(root.dataset.seq), at = Number(root.dataset.drawnAt);
            const last = rv.drawn[rv.drawn.length - 1];
            if (!last || last[0] !== seq) rv.drawn.push([seq, at]);
        }).observe(root, {attributes: true, attributeFilter: ['data-drawn-at']});
    }
    rv.watch = (selector) => {  // log when the canvas's pixels change, once per animation frame
        const canvas = document.querySelector(selector);
        const ctx = canvas.getContext('2d');
        let last = null;
        rv.watching = true;
        const tick = () => {
            const pixels = new Uint32Array(ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer);
            let h = 2166136261;
            for (let i = 0; i < pixels.length; i++) h = Math.imul(h ^ pixels[i], 16777619);
            if (h !== last) { rv.changes.push(performance.now()); last = h; }
            if (rv.watching) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    };
    if (canvasSelector) rv.watch(canvasSelector);
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


def _messages(page: Any, t0: float, t1: float) -> list[tuple[float, int, bool]]:
    """WebSocket messages received between ``t0`` and ``t1`` (page clock): time, bytes, idle."""
    return [(float(t), int(n), bool(idle)) for t, n, idle in page.evaluate("window.__rvWs") if t0 < t <= t1]


def _arrival(page: Any, t0: float, t1: float) -> float:
    """When the largest WebSocket message between ``t0`` and ``t1`` (page clock) arrived."""
    found = _messages(page, t0, t1)
    return max(found, key=lambda m: m[1])[0] if found else float("nan")


def _idle_after(page: Any, t: float, timeout_s: float = 10.0) -> float:
    """When the kernel next said it was idle after ``t`` (page clock)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        idle = [m[0] for m in _messages(page, t, float("inf")) if m[2]]
        if idle:
            return idle[0]
        page.wait_for_timeout(10)
    return float("nan")


def latency(session: Session, live: bool, n: int) -> dict[str, list[float]]:
    """For each of ``n`` alpha changes, milliseconds from the key press to the first frame
    that shows it ("frame"), to the arrival of the largest message it brought (the race, or
    ipympl's image: "data"), and to the kernel's "idle" after it ("idle"); and the bytes the
    page received on the kernel WebSocket ("bytes")."""
    page, network = session.page, session.network
    handle = _handle(page)
    handle.focus()
    out: dict[str, list[float]] = {"frame": [], "data": [], "idle": [], "bytes": []}
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
            shown = float(page.evaluate("s => window.__rv.drawn.find(([q]) => q > s)[1]", seq))
        else:
            _wait_quiet(page)
            page.keyboard.press(key)
            t0 = float(page.evaluate("window.__rv.keys.at(-1)"))
            deadline = time.monotonic() + 15
            while not [t for t in _changes(page) if t > t0] and time.monotonic() < deadline:
                page.wait_for_timeout(10)
            after = [t for t in _changes(page) if t > t0]
            shown = after[0] if after else float("nan")
        data = _arrival(page, t0, shown)
        idle = _idle_after(page, data)
        page.wait_for_timeout(200)  # let the kernel and the page settle
        if not live:
            _wait_quiet(page)
        out["frame"].append(shown - t0)
        out["data"].append(data - t0)
        out["idle"].append(idle - t0)
        out["bytes"].append(sum(f.size for f in network.since(mark, sent=False)))
    return out


#: A continuous drag of a slider's handle, made in the page: a mouse press on the handle,
#: a move every animation frame (about 60 Hz) to and fro over ``amplitude`` px once a
#: second for ``seconds``, then the release. (Mouse events driven from Python arrive at
#: far less than 60 Hz on a busy machine.) Returns [start, end, moves] (page clock).
DRAG = """async ([handleSelector, seconds, amplitude]) => {
    const handle = document.querySelector(handleSelector);
    const box = handle.getBoundingClientRect();
    const x = box.x + box.width / 2, y = box.y + box.height / 2;
    const mouse = (type, cx, buttons) => new MouseEvent(type, {bubbles: true, cancelable: true, composed: true,
        clientX: cx, clientY: y, button: 0, buttons, view: window});
    (handle.querySelector('.noUi-touch-area') || handle).dispatchEvent(mouse('mousedown', x, 1));
    const t0 = performance.now();
    let moves = 0;
    await new Promise((resolve) => {
        const step = (now) => {
            const t = now - t0;
            if (t >= 1000 * seconds) return resolve();
            const offset = amplitude * (1 - Math.abs(2 * ((t / 1000) % 1) - 1));
            document.documentElement.dispatchEvent(mouse('mousemove', x - offset, 1));
            moves += 1;
            requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
    });
    const t1 = performance.now();
    document.documentElement.dispatchEvent(mouse('mouseup', x, 0));
    return [t0, t1, moves];
}"""


def drag(session: Session, live: bool, seconds: float) -> dict[str, float]:
    """Per second, while the alpha handle is dragged to and fro at about 60 Hz: "updates",
    the canvas updates that show a new race (live: messages that bring one, each drawn on
    the next frame; ipympl: distinct canvas images); "seqs", the live root's ``data-seq``
    values drawn; "sent", slider messages the page sent; "moves", mouse moves made."""
    page, network = session.page, session.network
    page.wait_for_timeout(500)
    mark = network.mark()
    start, end, moves = page.evaluate(DRAG, [".rv-alpha .noUi-handle", seconds, 60])
    page.wait_for_timeout(1000)
    sent = len(network.since(mark, sent=True))
    span = (end - start) / 1e3
    if live:
        updates = len([m for m in _messages(page, start, end) if m[1] >= RACE_BYTES])
        seqs = len([d for d in page.evaluate("window.__rv.drawn") if start < d[1] <= end])
    else:
        updates, seqs = len([t for t in _changes(page) if start < t <= end]), 0
    return {"updates": updates / span, "seqs": seqs / span, "sent": sent / span, "moves": moves / span}


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
        with open_notebook(
            browser, tmp, cells, kind=kind, ready=ready, viewport=(1400, 1300), init_script=WEBSOCKET_PROBE
        ) as session:
            page = session.page
            page.wait_for_timeout(2000)  # first images, fonts
            page.evaluate(INSTRUMENT, [None, LIVE_ROOT] if live else [IPYMPL_CANVAS, None])
            lat = latency(session, live, changes)
            dragged = drag(session, live, seconds)
            fps, during, around = play(session, live, seconds)
            aborted = len(session.network.aborted)
    frame = sorted(lat["frame"])
    return {
        "front end": kind,
        "backend": backend,
        "median ms": statistics.median(frame),
        "p90 ms": frame[min(len(frame) - 1, int(0.9 * len(frame)))],
        "data ms": statistics.median(lat["data"]),
        "idle ms": statistics.median(lat["idle"]),
        "updates/s": dragged["updates"],
        "seqs/s": dragged["seqs"],
        "sent/s": dragged["sent"],
        "moves/s": dragged["moves"],
        "Play fps": fps,
        "sent in Play": during,
        "sent at play, pause": around,
        "KB in/change": statistics.median(lat["bytes"]) / 1e3,
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
    columns = [  # title, key, format, target
        ("median ms", "median ms", ".1f", f"<= {TARGETS['latency_ms']:.0f}"),
        ("p90 ms", "p90 ms", ".1f", ""),
        ("data ms", "data ms", ".1f", ""),
        ("idle ms", "idle ms", ".1f", ""),
        ("updates/s", "updates/s", ".1f", f">= {TARGETS['drag_updates_per_s']:.0f}"),
        ("seqs/s", "seqs/s", ".1f", ""),
        ("sent/s", "sent/s", ".1f", ""),
        ("Play fps", "Play fps", ".1f", f">= {TARGETS['play_fps']:.0f}"),
        ("sent in Play", "sent in Play", "d", "0"),
        ("KB/change", "KB in/change", ".1f", ""),
    ]
    print()
    print(f"{'front end':<9} {'backend':<7} " + " ".join(f"{title:>{len(title)}}" for title, *_ in columns))
    print(f"{'target':<9} {'':<7} " + " ".join(f"{target:>{len(title)}}" for title, _, _, target in columns))
    for r in rows:
        cells = " ".join(f"{r[key]:>{len(title)}{spec}}" for title, key, spec, _ in columns)
        print(f"{r['front end']:<9} {r['backend']:<7} {cells}")
    moves = ", ".join(f"{r['moves/s']:.0f}" for r in rows)
    print(
        f"""
(a) {args.changes} alpha changes (arrow keys on the focused handle), medians unless said: from the key
    event to the first frame that shows the change (median, p90), to the arrival of the largest
    message it brought (data: the race, or ipympl's image) and to the kernel's next "idle" (idle).
(b) a {args.seconds:g} s drag of the alpha handle made in the page ({moves} mouse moves/s): updates/s =
    canvas updates that show a new race (live: race messages, each drawn on the next frame; ipympl:
    distinct canvas images); seqs/s = the live root's data-seq values drawn; sent/s = slider
    messages sent (ipywidgets keeps one in flight, so 1 / sent/s is the kernel's round trip).
(c) {args.seconds:g} s of Play: frames drawn per second, and WebSocket frames the page sent after Play's
    click and before Pause. KB/change: what the page received on the kernel WebSocket per change.
WebSocket frames sent by the clicks on Play and Pause: {", ".join(str(r["sent at play, pause"]) for r in rows)}.
Requests to other hosts aborted: {", ".join(str(r["aborted"]) for r in rows)}."""
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
