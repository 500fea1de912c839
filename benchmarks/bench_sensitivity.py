"""Speed of the live sensitivity map: one :func:`~rmsprop_viz.engine.sensitivity.sensitivity_map`
call on the default grid (24 learning rates x 12 decays = 288 runs), and what the live
canvas adds to it (:func:`~rmsprop_viz.render.sensitivity.map_payload`).

Run with ``python benchmarks/bench_sensitivity.py`` (``--repeats`` to change the 20 warm
calls). For each surface of a preset scene (Rosenbrock's valley, the ill-conditioned bowl,
Beale) at the scene's number of steps and at 500, and for each backend (the plain numpy
loop and numba, when installed), a new Python process times its first call (cold: numba
is imported and its loop compiled or loaded from the disk cache) and then the median,
min and max of the warm calls. Target: < 100 ms warm with numba on the default grid.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

#: (name, surface expression, start, the scene's steps), as in the preset scenes.
CASES = [
    ("rosenbrock", "rv.Rosenbrock()", None, 1200),
    ("ill-conditioned bowl", "rv.Quadratic(condition=25.0)", (-1.5, 1.0), 60),
    ("beale", "rv.surfaces.Beale()", (2.0, 2.0), 500),
]
KINDS = ("rmsprop", "adam")
TARGET_MS = 100.0

_CHILD = """
import json, statistics, sys, time
t0 = time.perf_counter()
import rmsprop_viz as rv
from rmsprop_viz.engine.sensitivity import sensitivity_map
surface = {surface}
args = dict(start={start!r}, n_steps={n_steps}, backend={backend!r})
start = time.perf_counter()
sensitivity_map(surface, {kind!r}, **args)
cold = time.perf_counter() - start
times = []
for _ in range({repeats}):
    start = time.perf_counter()
    smap = sensitivity_map(surface, {kind!r}, **args)
    times.append(time.perf_counter() - start)
payload = []
if {payload}:
    import matplotlib
    matplotlib.use("Agg")
    from rmsprop_viz.render.sensitivity import map_payload
    for _ in range({repeats}):
        start = time.perf_counter()
        map_payload(smap, current=(0.01, 0.9))
        payload.append(time.perf_counter() - start)
print(json.dumps({{"cold": cold, "times": times, "payload": payload, "cells": int(smap.values.size)}}))
"""


def measure(surface: str, start: object, n_steps: int, kind: str, backend: str, repeats: int, payload: bool) -> dict:
    """Run one case in a new process and return its timings in seconds."""
    code = _CHILD.format(
        surface=surface, start=start, n_steps=n_steps, kind=kind, backend=backend, repeats=repeats, payload=payload
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="warm calls per case (default 20)")
    args = parser.parse_args()
    try:
        import numba  # noqa: F401

        backends = ["numpy", "numba"]
    except ImportError:
        backends = ["numpy"]
        print("numba is not installed: the plain loop only")
    print(
        f"sensitivity_map, default grid (24 x 12 = 288 runs), {args.repeats} warm calls each; target < {TARGET_MS:g} ms"
    )
    print(f"{'surface':<22}{'kind':<9}{'steps':>6}  {'backend':<7}{'cold ms':>9}{'median':>9}{'min':>8}{'max':>8}")
    first = True
    for name, surface, start, scene_steps in CASES:
        for n_steps in sorted({scene_steps, 500}):
            for kind in KINDS:
                for backend in backends:
                    found = measure(surface, start, n_steps, kind, backend, args.repeats, payload=first)
                    ms = [1e3 * t for t in found["times"]]
                    flag = "" if backend != "numba" or statistics.median(ms) < TARGET_MS else "  over the target"
                    print(
                        f"{name:<22}{kind:<9}{n_steps:>6}  {backend:<7}{1e3 * found['cold']:>9.1f}"
                        f"{statistics.median(ms):>9.2f}{min(ms):>8.2f}{max(ms):>8.2f}{flag}"
                    )
                    if first:
                        pay = [1e3 * t for t in found["payload"]]
                        payload_line = (
                            f"map_payload (cells, colours, marks): median {statistics.median(pay):.2f} ms,"
                            f" min {min(pay):.2f}, max {max(pay):.2f}"
                        )
                        first = False
    print(payload_line)


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - t0:.0f} s)")
