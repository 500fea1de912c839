"""How fast the explorer answers a slider, next to the usual notebook approach.

Run with ``python benchmarks/bench_explorer.py``. In the kernel, a change of alpha costs:
recomputing the race (4 optimizers x 500 steps on Rosenbrock), changing the artists'
data, drawing the new frame, and (ipympl) computing and PNG-encoding the difference
image that goes to the browser. The script measures that, the cost of one Play frame
(which must stay under Play's interval, 100 ms, so that Play never builds a backlog),
and the usual approach: an ``ipywidgets.interact`` callback that runs the race and
draws a new figure to PNG every time. Target: slider change < 50 ms median.

The ipympl canvas is measured as if a browser were attached (its diff image is
computed and encoded on every update); nothing is sent anywhere.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
import warnings

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import rmsprop_viz as rv
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.scenes import default_specs

N_STEPS = 500
TARGET_MS = 50.0
PLAY_INTERVAL_MS = 100.0


def _median_ms(samples: list[float]) -> float:
    return 1e3 * statistics.median(samples)


def explorer_slider(alphas: np.ndarray, *, attached: bool) -> tuple[float, float]:
    """Median ms of an alpha change, and of a Play frame, in the explorer (ipympl).

    ``attached``: as after a browser's "initialized" message, so every update also
    computes and PNG-encodes ipympl's difference image; otherwise the update ends with
    the frame drawn into the canvas.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        explorer = rv.explore(
            "rosenbrock", backend="ipympl", n_steps=N_STEPS, optimizers=["sgd", "adagrad", "rmsprop", "adam"]
        )
    explorer.canvas_widget.syncing_data_url = not attached
    explorer.alpha_of.value = "rmsprop"
    changes = []
    for alpha in alphas:
        start = time.perf_counter()
        explorer.alpha.value = float(alpha)
        changes.append(time.perf_counter() - start)
    frames = []
    for step in range(0, N_STEPS, 5):
        start = time.perf_counter()
        explorer.frame.value = step
        frames.append(time.perf_counter() - start)
    return _median_ms(changes[2:]), _median_ms(frames[2:])


def interact_baseline(alphas: np.ndarray) -> float:
    """Median ms of what an ``interact`` callback does: race, new figure, PNG."""
    surface = rv.Rosenbrock()
    specs = default_specs(surface)
    times = []
    for alpha in alphas:
        start = time.perf_counter()
        optimizers = {s.label: s.build() for s in specs}
        optimizers["RMSProp"] = rv.rmsprop(float(alpha))
        results = rv.race(surface, optimizers, n_steps=N_STEPS)
        figure = Figure(figsize=(11.0, 6.2), dpi=80, layout="constrained")
        FigureCanvasAgg(figure)
        RaceFigure(surface, results, labels=[s.label for s in specs], figure=figure)
        with io.BytesIO() as png:
            figure.savefig(png, format="png")  # what the inline backend sends
        times.append(time.perf_counter() - start)
    return _median_ms(times[2:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=30, help="slider changes to time (default 30)")
    args = parser.parse_args()
    alphas = np.geomspace(0.003, 0.05, args.changes)
    ours, frame = explorer_slider(alphas, attached=False)
    sent, sent_frame = explorer_slider(alphas, attached=True)
    theirs = interact_baseline(alphas[: max(5, args.changes // 3)])

    def row(name: str, ms: float, target: float | None = None) -> None:
        verdict = (
            "" if target is None else f"{'< ' + format(target, 'g') + 'ms':>9s}  {'ok' if ms < target else 'MISS'}"
        )
        print(f"{name:56s} {ms:7.1f}ms {verdict}")

    print(f"rmsprop_viz {rv.__version__}: 4 optimizers x {N_STEPS} steps on Rosenbrock")
    row("alpha change: recompute + artists + canvas draw", ours, TARGET_MS)
    row("  the same + ipympl's diff image (PNG) for the browser", sent)
    row("one Play frame, with the diff image", sent_frame, PLAY_INTERVAL_MS)
    row("  without it", frame)
    row("interact(): race + new figure + PNG", theirs)
    print(f"{'ratio interact() / explorer with the diff image':56s} {theirs / sent:7.1f}x")


if __name__ == "__main__":
    main()
