"""Speed and size of exported animations: ``rmsprop_viz.animation.save`` against matplotlib.

Run with ``python benchmarks/bench_export.py`` (``--frames N`` for a quicker run). It
builds the default Rosenbrock race (SGD, Adagrad, RMSProp, Adam; 200 steps) on a
640 x 480 figure and times, in the same process, writing 200 frames as

* MP4 with :func:`rmsprop_viz.animation.save`, through the fast frame path (target
  <= 1.5 s) and through its public twin (``RMSPROP_VIZ_RENDERER=public``, target <= 3 s),
  and with matplotlib's ``FuncAnimation(...).save`` through ``FFMpegWriter`` (the same
  ffmpeg, libx264, yuv420p);
* GIF the same way (target <= 2.5 s with the fast path), matplotlib through ``PillowWriter``.

Each export starts from a freshly built figure. It prints the time and file size of each,
and the ratio of matplotlib's time to ours. matplotlib's writers draw the whole figure
(twice) for every frame; ``save`` draws the static parts once and then, with the fast
path, keeps the growing paths and curves drawn and per frame draws again only the pixels
around their new points and pastes the markers and the step counter from pictures
rendered once; with the public twin it blits (``restore_region`` and ``draw_artist`` of
every moving artist). It encodes the MP4 while it draws, handing ffmpeg each frame as YUV
4:2:0 converted only where it changed, with libx264's ultrafast preset (a larger file than
the baseline's default preset, about 0.3 MB here).

The targets were set on a 2-core machine with no display; on a slower machine the times
grow but the ratios should hold. Such a machine is also noisy: the same export can take
1.5 times as long a minute later. So ours runs ``--repeat`` times (5 by default; about a
second each) and the median is what counts, printed with the fastest and slowest run;
matplotlib's exports, which take minutes, run once, over ``--baseline-frames`` frames
(default: as many as ours; fewer give a quicker run, and the ratio is then of the time per
frame). ``--ours-only`` skips them (no ratio). Before timing, one figure is built and
drawn, so that one-time costs of the process (imports, the font cache, matplotlib's
mathtext parser) fall on neither side.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
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
from rmsprop_viz import export
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.fast import RENDERER_VARIABLE
from rmsprop_viz.render.frames import add_counter, frame_steps
from rmsprop_viz.render.public import show
from rmsprop_viz.scenes import default_specs

N_STEPS = 200
FRAMES = 200
FPS = 30
#: Target seconds by format and renderer (None: no target).
TARGETS_S: dict[tuple[str, str], float | None] = {
    ("mp4", "fast"): 1.5,
    ("mp4", "public"): 3.0,
    ("gif", "fast"): 2.5,
    ("gif", "public"): None,
}
RENDERERS = ("fast", "public")


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


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (ffmpeg), user and system."""
    used = os.times()
    return used.user + used.system + used.children_user + used.children_system


def ours(path: Path, frames: int, repeat: int, renderer: str) -> list[tuple[float, float]]:
    """The times of ``repeat`` exports to ``path`` through ``renderer`` ("fast": the default
    choice, the fast path after its check against the twin; "public": the twin), each of a
    freshly built figure, with the CPU seconds each took (ours and ffmpeg's: on a busy
    machine, a steadier measure than the time)."""
    options = {"fps": FPS, "frames": frames, "progress": False, "overwrite": True}
    saved = os.environ.get(RENDERER_VARIABLE)
    if renderer == "public":
        os.environ[RENDERER_VARIABLE] = "public"
    else:
        os.environ.pop(RENDERER_VARIABLE, None)
    try:
        times = []
        for _ in range(repeat):
            figure = build_figure()
            before = cpu_seconds()
            wall = timed(functools.partial(export.save, figure, path, **options))
            times.append((wall, cpu_seconds() - before))
        return times
    finally:
        if saved is None:
            os.environ.pop(RENDERER_VARIABLE, None)
        else:
            os.environ[RENDERER_VARIABLE] = saved


def warm_up() -> None:
    """Build and draw one figure: imports, fonts and mathtext, once per process."""
    canvas: Any = FigureCanvasAgg(build_figure().fig)  # (matplotlib's Agg backend has no annotations)
    canvas.draw()


def baseline(path: Path, frames: int, ffmpeg: str | None) -> float:
    figure = build_figure()
    steps = frame_steps(figure.n_steps, frames)
    counter = add_counter(figure)
    anim = FuncAnimation(figure.fig, lambda step: show(figure, counter, step), frames=steps, interval=1000 / FPS)
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
        "--repeat", type=int, default=5, help="exports of ours per format and renderer; the median counts (default 5)"
    )
    parser.add_argument(
        "--baseline-frames", type=int, default=None, help="frames of matplotlib's exports (default: --frames)"
    )
    parser.add_argument("--ours-only", action="store_true", help="skip matplotlib's exports (minutes each): no ratios")
    args = parser.parse_args()
    frames, repeat = max(2, args.frames), max(1, args.repeat)
    base_frames = max(2, args.baseline_frames or frames)
    ffmpeg = export.ffmpeg_path()
    print(f"python {platform.python_version()}, matplotlib {matplotlib.__version__}, {platform.machine()}")
    print(f"ffmpeg: {Path(ffmpeg).name if ffmpeg else 'not found (MP4 rows skipped)'}")
    print(f"default Rosenbrock race, {N_STEPS} steps, 640 x 480, {frames} frames at {FPS} fps")
    matplotlib_runs = "not run" if args.ours_only else f"one export of {base_frames} frames"
    print(f"ours: median of {repeat} exports (fastest-slowest); matplotlib: {matplotlib_runs}\n")
    warm_up()

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for kind in ("mp4", "gif"):
            if kind == "mp4" and ffmpeg is None:
                continue
            per_frame_base, mb_base = math.nan, math.nan
            if not args.ours_only:
                base_path = out / f"matplotlib.{kind}"
                per_frame_base = baseline(base_path, base_frames, ffmpeg) / base_frames
                mb_base = megabytes(base_path)
            for renderer in RENDERERS:
                ours_path = out / f"{renderer}.{kind}"
                times = ours(ours_path, frames, repeat, renderer)
                rows.append((kind, renderer, times, megabytes(ours_path), per_frame_base * frames, mb_base))

    header = f"{'format':<7}{'renderer':<9}{'ours':>8}{'(fastest-slowest)':>19}{'size':>9}"
    print(f"{header}{'cpu':>8}{'matplotlib':>12}{'size':>9}{'ratio':>9}{'target':>9}")
    for kind, renderer, runs, mb_ours, t_base, mb_base in rows:
        times = [wall for wall, _ in runs]
        median = statistics.median(times)
        cpu = statistics.median(used for _, used in runs)
        spread = f"({min(times):.2f}-{max(times):.2f} s)"
        target = TARGETS_S[kind, renderer]
        verdict = "-" if target is None else f"{'ok' if median <= target else 'MISSED'} {target:g}s"
        base = "-" if math.isnan(t_base) else f"{t_base:.1f}s"
        base_mb = "-" if math.isnan(mb_base) else f"{mb_base:.2f}MB"
        ratio = "-" if math.isnan(t_base) else f"{t_base / median:.0f}x"
        print(
            f"{kind:<7}{renderer:<9}{median:>7.2f}s{spread:>19}{mb_ours:>7.2f}MB{cpu:>7.2f}s"
            f"{base:>12}{base_mb:>9}{ratio:>9}{verdict:>9}"
        )
    if base_frames != frames and not args.ours_only:
        print(f"(matplotlib timed over {base_frames} frames and scaled to {frames}; sizes are of its shorter file)")
    if frames != FRAMES:
        print(f"(targets are for {FRAMES} frames)")


if __name__ == "__main__":
    main()
