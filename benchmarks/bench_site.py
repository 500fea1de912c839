"""The zero-install site, measured: its size, what a first visit downloads, how long until
the explorer answers, and how fast a slider change reaches the canvas in Pyodide.

Run with ``python benchmarks/bench_site.py`` (a few minutes; ``--site DIR`` measures a
site already built, ``--changes 20`` sets the number of slider changes, ``--front-ends
voici lab``). It builds the site the README's way into a temporary folder (unless
``--site``), serves it on 127.0.0.1 and opens it in the system's Chromium with every
request to another host aborted (see ``tests/site/lite.py``). For each front end, in a
fresh browser context (an empty cache: a student's first visit):

* first load: the bytes the server sent until the explorer's canvas was drawn, and in
  how many files;
* time to interactive: from opening the page to the explorer's first canvas frame (the
  Voici app); for JupyterLab, to the notebook's kernel being ready and then to the
  explorer after Run All;
* slider to canvas: the alpha slider's track is clicked ``--changes`` times, to and fro;
  each latency runs from the mouse press to the first canvas frame that shows the new
  race (both in the page's clock);
* blocked: requests of the pages to any other host (aborted, counted);
* with ``--course``: each course notebook run from top to bottom in JupyterLab, in a
  fresh context, timed from opening it (the kernel's start included).

Targets: 0 blocked requests, slider to canvas <= 100 ms median, interactive <= 20 s.
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
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "site"), str(ROOT / "tests" / "apps" / "explorer")]

from chromium import MISSING  # noqa: E402
from lite import READY, Offline, load_builder, move_alpha, offline, open_app, open_notebook, run_all, show_cell  # noqa: E402

TARGETS = {"blocked": 0, "latency_ms": 100.0, "interactive_s": 20.0}


def build(out: pathlib.Path) -> pathlib.Path:
    return pathlib.Path(load_builder().build(out))


def size_of(site: pathlib.Path) -> tuple[int, int]:
    files = [p for p in site.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def latencies(page: Any, changes: int) -> list[float]:
    out = []
    for i in range(changes):
        out.append(move_alpha(page, 0.65 if i % 2 == 0 else 0.45))
        page.wait_for_timeout(300)  # let the kernel settle between changes
    return out


def measure(served: Offline, front_end: str, changes: int) -> dict[str, Any]:
    context = served.context()
    page = context.new_page()
    mark = len(served.sent)
    blocked_before = len(served.blocked)
    result: dict[str, Any] = {"front end": front_end}
    try:
        if front_end == "voici":
            result["interactive_s"] = open_app(served, page)
        else:
            started = time.monotonic()
            result["kernel_s"] = open_notebook(served, page, "explorer.ipynb")
            run_all(page)
            show_cell(page, "rv.explore(")
            page.locator(READY).first.wait_for(timeout=120_000)
            result["interactive_s"] = time.monotonic() - started
        result["first_load_mb"] = served.bytes_sent(mark) / 1e6
        result["first_load_files"] = len(served.sent) - mark
        result["latency_ms"] = latencies(page, changes)
        result["blocked"] = len(served.blocked) - blocked_before
    finally:
        context.close()
    return result


def course(served: Offline, site: pathlib.Path) -> None:
    """Run each course notebook from top to bottom; print its time and what went to stderr."""
    for notebook in sorted(p.name for p in (site / "files").glob("[0-9]*.ipynb")):
        context = served.context()
        page = context.new_page()
        started = time.monotonic()
        try:
            open_notebook(served, page, notebook)
            state = run_all(page, timeout=900)
            stderr = sum(o["name"] == "stderr" for c in state["cells"] for o in c["outputs"])
            print(
                f"{notebook}: ran in {time.monotonic() - started:.1f} s, {len(state['cells'])} cells, {stderr} stderr"
            )
        except AssertionError as error:
            print(f"{notebook}: FAILED after {time.monotonic() - started:.1f} s: {error}")
        finally:
            context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=pathlib.Path, help="a site already built (default: build one now)")
    parser.add_argument("--changes", type=int, default=20, help="slider changes per front end")
    parser.add_argument("--front-ends", nargs="+", default=["voici", "lab"], choices=["voici", "lab"])
    parser.add_argument("--course", action="store_true", help="also run every course notebook, timed")
    args = parser.parse_args(argv)
    if MISSING:
        print(f"skipped: {MISSING}")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        site = args.site or build(pathlib.Path(scratch) / "site")
        total, count = size_of(site)
        pyodide, _ = size_of(site / "static" / "pyodide")
        print(f"site: {total / 1e6:.1f} MB in {count} files (Pyodide and its wheels: {pyodide / 1e6:.1f} MB)")
        with offline(site) as served:
            for front_end in args.front_ends:
                r = measure(served, front_end, args.changes)
                lat = r["latency_ms"]
                print(
                    f"{front_end:>5}: first load {r['first_load_mb']:.1f} MB in {r['first_load_files']} files; "
                    f"interactive {r['interactive_s']:.1f} s"
                    + (f" (kernel ready {r['kernel_s']:.1f} s)" if "kernel_s" in r else "")
                    + f"; slider to canvas median {statistics.median(lat):.0f} ms "
                    f"(min {min(lat):.0f}, max {max(lat):.0f}, n={len(lat)}); blocked requests {r['blocked']}"
                )
            if args.course:
                course(served, site)
            print(f"blocked requests in all: {len(served.blocked)}")
            print(f"Chromium's own background requests, blocked too (not the pages'): {len(served.browser_own)}")
    print(f"targets: {TARGETS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
