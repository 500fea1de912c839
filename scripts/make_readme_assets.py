"""Make the pictures in the README: ``docs/race.gif`` and ``docs/sweep.png``.

``race.gif`` animates the ``rosenbrock`` scene (SGD, Adagrad, RMSProp and Adam in
Rosenbrock's valley) with its recipe beside it, ``race.json``, so that

    rmsprop-viz race --recipe docs/race.json --out race.mp4

remakes it as a video. ``sweep.png`` maps RMSProp's final loss on the same scene over a
grid of learning rates and decays (its mean over the last 100 steps, which a lucky
moment of a bouncing run cannot fake), the best cell starred.

Only the public API is used: :mod:`rmsprop_viz.scenes`, :mod:`rmsprop_viz.plotting`
and :func:`rmsprop_viz.animation.save`. Run from anywhere:

    python scripts/make_readme_assets.py            # both files, into docs/
    python scripts/make_readme_assets.py --help
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import rmsprop_viz as rv
from rmsprop_viz import scenes
from rmsprop_viz.animation import save
from rmsprop_viz.plotting import RaceFigure, draw_sweep

DOCS = Path(__file__).resolve().parent.parent / "docs"
DPI = 100.0
#: RaceFigure's own size in inches; smaller pictures lower the resolution, not the size,
#: so that the layout (made for 1280 x 720 pixels) keeps its proportions.
RACE_FIGSIZE = (12.8, 7.2)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def make_race(out: Path, *, scene_name: str, width: int, height: int, frames: int, fps: float, progress: bool) -> Path:
    """Animate a scene to ``out`` (and its recipe beside it) at ``width`` x ``height`` pixels."""
    scene = scenes.get(scene_name)
    dpi = width / RACE_FIGSIZE[0]
    figure = RaceFigure(
        scene.build_surface(),
        scene.run(),
        labels=scene.legend_labels(),
        figsize=(RACE_FIGSIZE[0], RACE_FIGSIZE[0] * height / width),
        dpi=dpi,
        title=scene.title or None,
    )
    recipe = {**scene.to_recipe(), "export": {"command": "race", "fps": fps, "frames": frames, "dpi": dpi}}
    return save(figure, out, fps=fps, frames=frames, dpi=dpi, progress=progress, overwrite=True, recipe=recipe)


def _settled_loss(tail: int) -> Callable[[FloatArray, IntArray], FloatArray]:
    """A sweep metric: the mean loss over the last ``tail`` steps (NaN if the run diverged).

    Steady, where the final loss alone would pick a lucky moment of a run still bouncing
    around the valley.
    """

    def metric(values: FloatArray, diverged_at: IntArray) -> FloatArray:
        last = values[-tail:]
        mean = np.where(np.isfinite(last), last, 0.0).mean(axis=0)
        return np.where(np.isfinite(last).all(axis=0) & (diverged_at < 0), mean, np.nan)

    return metric


def make_sweep(out: Path, *, scene_name: str, size: int, width: int, height: int, tail: int) -> Path:
    """RMSProp's settled loss over ``size`` x ``size`` learning rates and decays on a scene."""
    scene = scenes.get(scene_name)
    surface = scene.build_surface()
    spec = next(s for s in scene.optimizers if s.factory == "rmsprop")
    lrs = np.geomspace(1e-4, 1.0, size)
    betas = np.linspace(0.0, 0.999, size)
    fixed = {k: v for k, v in spec.params.items() if k not in ("lr", "beta")}
    settled = rv.sweep(
        surface,
        rv.rmsprop,
        {"lr": lrs, "beta": betas},
        start=scene.start,
        n_steps=scene.n_steps,
        metric=_settled_loss(tail),
        fixed=fixed,
    )
    target = float(surface.value(surface.minima[0]))
    gap = np.where(np.isfinite(settled), np.maximum(settled - target, 1e-16), np.nan)
    i, j = np.unravel_index(int(np.nanargmin(gap)), gap.shape)

    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    draw_sweep(
        ax,
        gap,
        lrs,
        betas,
        xlabel="learning rate lr",
        ylabel="beta",
        label=f"mean loss over steps {scene.n_steps - tail + 1}-{scene.n_steps}",
        current=(float(lrs[i]), float(betas[j])),
    )
    ax.set_title(f"RMSProp on {type(surface).__name__}: {size} × {size} runs in one batch", fontsize=13)
    fig.savefig(out, dpi=DPI)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the README's animation (race.gif, with race.json) and sweep heatmap (sweep.png).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out-dir", type=Path, default=DOCS, help="where to write the files")
    parser.add_argument("--scene", default="rosenbrock", choices=scenes.names(), help="the scene to show")
    parser.add_argument("--width", type=int, default=800, help="width of both pictures in pixels")
    parser.add_argument("--height", type=int, default=450, help="height of the animation in pixels")
    parser.add_argument("--frames", type=int, default=150, help="frames in the animation")
    parser.add_argument("--fps", type=float, default=15.0, help="frames per second of the animation")
    parser.add_argument("--sweep-size", type=int, default=60, help="learning rates (and decays) in the sweep")
    parser.add_argument("--sweep-height", type=int, default=560, help="height of the heatmap in pixels")
    parser.add_argument(
        "--sweep-tail", type=int, default=100, help="the heatmap averages the loss over these last steps"
    )
    parser.add_argument("--only", choices=("race", "sweep"), help="make just one of the two")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if args.only in (None, "race"):
        gif = make_race(
            args.out_dir / "race.gif",
            scene_name=args.scene,
            width=args.width,
            height=args.height,
            frames=args.frames,
            fps=args.fps,
            progress=not args.no_progress,
        )
        written += [gif, gif.with_suffix(".json")]
    if args.only in (None, "sweep"):
        written.append(
            make_sweep(
                args.out_dir / "sweep.png",
                scene_name=args.scene,
                size=args.sweep_size,
                width=args.width,
                height=args.sweep_height,
                tail=args.sweep_tail,
            )
        )
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
