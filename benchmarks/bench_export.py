"""Speed and size of exported animations: ``rmsprop_viz.animation.save`` against matplotlib.

Run with ``python benchmarks/bench_export.py`` (``--frames N`` for a quicker run). It
builds the default Rosenbrock race (SGD, Adagrad, RMSProp, Adam; 200 steps) on a
640 x 480 figure and times, in the same process, writing 200 frames as

* MP4 with :func:`rmsprop_viz.animation.save` (target < 1.5 s), and with matplotlib's
  ``FuncAnimation(...).save`` through ``FFMpegWriter`` (the same ffmpeg, libx264, yuv420p);
* GIF with :func:`rmsprop_viz.animation.save` (target < 5 s and < 1 MB), and with
  ``FuncAnimation(...).save`` through ``PillowWriter``.

Each export starts from a freshly built figure. It prints the time and file size of each
and the ratios baseline / ours. matplotlib's writers draw the whole figure (twice) for
every frame; ``save`` draws the static parts once, keeps the growing paths and curves drawn
and per frame draws again only the pixels around their new points, pastes the markers and
the step counter from pictures rendered once, and gives the GIF one shared palette. It
encodes the MP4 while it draws, handing ffmpeg each frame as YUV 4:2:0 converted only
where it changed, with libx264's ultrafast preset (a larger file than the baseline's
default preset, about 0.3 MB here).

The targets were set on a 2-core machine with no display; on a slower machine the times
grow but the ratios should hold. Such a machine is also noisy: the same export can take
1.5 times as long a minute later. So ours runs ``--repeat`` times (5 by default; about a
second each) and the median is what counts, printed with the fastest and slowest run;
matplotlib's exports, which take minutes, run once. Before timing, one figure is built and
drawn, so that one-time costs of the process (imports, the font cache, matplotlib's
mathtext parser) fall on neither side.
"""

from __future__ import annotations

import argparse
import functools
import math
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg

import rmsprop_viz as rv
from rmsprop_viz import export as animation
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.scenes import default_specs

N_STEPS = 200
FRAMES = 200
FPS = 30
MP4_TARGET_S = 1.5
GIF_TARGET_S = 5.0
GIF_TARGET_MB = 1.0


def build_figure() -> RaceFigure:
    """The default Rosenbrock race on a 640 x 480 figure."""
    surface = rv.Rosenbrock()
    specs = default_specs(surface)
    race = rv.race(surface, {s.label: s.build() for s in specs}, n_steps=N_STEPS)
    return RaceFigure(surface, race, figsize=(6.4, 4.8), dpi=100)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def ours(path: Path, frames: int, repeat: int) -> list[float]:
    """The times of ``repeat`` exports to ``path``, each of a freshly built figure."""
    options = {"fps": FPS, "frames": frames, "progress": False, "overwrite": True}
    return [timed(functools.partial(animation.save, build_figure(), path, **options)) for _ in range(repeat)]


def warm_up() -> None:
    """Build and draw one figure: imports, fonts and mathtext, once per process."""
    canvas: Any = FigureCanvasAgg(build_figure().fig)  # (matplotlib's Agg backend has no annotations)
    canvas.draw()


def baseline(path: Path, frames: int, ffmpeg: str | None) -> float:
    figure = build_figure()
    steps = figure.frame_steps(frames)
    anim = FuncAnimation(figure.fig, figure.show_frame, frames=steps, interval=1000 / FPS)
    if path.suffix == ".gif":
        return timed(lambda: anim.save(path, writer=PillowWriter(fps=FPS)))
    writer = FFMpegWriter(fps=FPS, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])
    with matplotlib.rc_context({"animation.ffmpeg_path": ffmpeg}):
        return timed(lambda: anim.save(path, writer=writer))


def megabytes(path: Path) -> float:
    return path.stat().st_size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=FRAMES, help=f"frames per export (default {FRAMES})")
    parser.add_argument(
        "--repeat", type=int, default=5, help="exports of ours per format; the median counts (default 5)"
    )
    parser.add_argument("--ours-only", action="store_true", help="skip matplotlib's exports (minutes each): no ratios")
    args = parser.parse_args()
    frames, repeat = max(2, args.frames), max(1, args.repeat)
    ffmpeg = animation.ffmpeg_path()
    print(f"python {platform.python_version()}, matplotlib {matplotlib.__version__}, {platform.machine()}")
    print(f"ffmpeg: {Path(ffmpeg).name if ffmpeg else 'not found (MP4 rows skipped)'}")
    print(f"default Rosenbrock race, {N_STEPS} steps, 640 x 480, {frames} frames at {FPS} fps")
    matplotlib_runs = "not run" if args.ours_only else "one export"
    print(f"ours: median of {repeat} exports (fastest-slowest); matplotlib: {matplotlib_runs}\n")
    warm_up()

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        rows = []
        for kind in ("mp4", "gif"):
            if kind == "mp4" and ffmpeg is None:
                continue
            ours_path, base_path = out / f"ours.{kind}", out / f"matplotlib.{kind}"
            times = ours(ours_path, frames, repeat)
            if args.ours_only:
                rows.append((kind, times, megabytes(ours_path), math.nan, math.nan))
                continue
            t_base = baseline(base_path, frames, ffmpeg)
            rows.append((kind, times, megabytes(ours_path), t_base, megabytes(base_path)))

    header = f"{'format':<7}{'ours':>9}{'(fastest-slowest)':>19}{'size':>9}{'matplotlib':>12}{'size':>9}"
    print(f"{header}{'time ratio':>12}{'size ratio':>12}")
    for kind, times, mb_ours, t_base, mb_base in rows:
        median = statistics.median(times)
        spread = f"({min(times):.2f}-{max(times):.2f} s)"
        if math.isnan(t_base):  # --ours-only
            print(f"{kind:<7}{median:>8.2f}s{spread:>19}{mb_ours:>7.2f}MB{'-':>12}{'-':>9}{'-':>12}{'-':>12}")
            continue
        print(
            f"{kind:<7}{median:>8.2f}s{spread:>19}{mb_ours:>7.2f}MB{t_base:>11.2f}s{mb_base:>7.2f}MB"
            f"{t_base / median:>11.1f}x{mb_base / mb_ours:>11.1f}x"
        )
    print()
    for kind, times, mb_ours, _, _ in rows:
        median = statistics.median(times)
        if kind == "mp4":
            verdict = "ok" if median < MP4_TARGET_S else "MISSED"
            print(f"MP4: {median:.2f} s (target < {MP4_TARGET_S} s): {verdict}")
        else:
            verdict = "ok" if median < GIF_TARGET_S and mb_ours < GIF_TARGET_MB else "MISSED"
            print(f"GIF: {median:.2f} s, {mb_ours:.2f} MB (target < {GIF_TARGET_S} s, < {GIF_TARGET_MB} MB): {verdict}")
    if frames != FRAMES:
        print(f"(targets are for {FRAMES} frames)")


if __name__ == "__main__":
    main()
