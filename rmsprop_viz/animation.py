"""Animations of a race: in a notebook, or saved as MP4, GIF, HTML or PNG.

:func:`animate` wraps a :class:`~rmsprop_viz.plotting.RaceFigure` in a matplotlib
``FuncAnimation`` for interactive use. :func:`save` writes a file, picking the format
from the suffix:

========  ===========================================================================
``.mp4``  H.264 video (needs ffmpeg: ``pip install "rmsprop_viz[video]"``)
``.gif``  looping GIF with one shared palette (small; no ffmpeg needed)
``.html`` a self-contained page: the MP4 in a ``<video>`` tag when ffmpeg is there,
          else the frames as images in a small player with a frame slider
``.png``  the last frame
========  ===========================================================================

Saving does not go through ``FuncAnimation.save``, which draws the whole figure twice
per frame. The contours, axes, tick labels and legend never change during a race, so
:func:`save` draws them once, keeps that picture, and per frame only pastes it back and
draws the artists that :meth:`RaceFigure.show_frame` moves (paths, curves, markers, the
step counter). The frames are the same pixels as a full redraw (before a GIF's palette or
the video codec), many times faster.

Files are written under a temporary name in the target directory and renamed into place
only when complete, so a failed or interrupted export leaves nothing behind.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.lines import Line2D
from matplotlib.spines import Spine
from PIL import Image
from tqdm.auto import tqdm

from ._checks import check_int, check_number
from .plotting import RaceFigure

__all__ = ["SUFFIXES", "ExportError", "animate", "ffmpeg_path", "save"]

#: The file types :func:`save` writes, by suffix.
SUFFIXES: dict[str, str] = {
    ".mp4": "H.264 video",
    ".gif": "animated GIF",
    ".html": "self-contained web page",
    ".png": "image of the last frame",
}

#: Colours in the GIF palette (GIF allows 256); fewer make smaller files.
GIF_COLOURS = 128

_INSTALL_FFMPEG = (
    'install it with pip install "rmsprop_viz[video]" (which brings a bundled ffmpeg) '
    "or put a system ffmpeg with libx264 on the PATH"
)

RGBA = npt.NDArray[np.uint8]


class ExportError(ValueError):
    """A file could not be exported: bad settings, a path that cannot be written, or a
    missing tool. The message says which and what to do."""


# ----------------------------------------------------------------------- checks


def _check_fps(fps: Any) -> float:
    try:
        return float(check_number("fps", fps, low=0.0, low_open=True, allow_array=False))
    except ValueError as error:
        raise ExportError(str(error)) from None


def _check_frames(frames: Any) -> int | None:
    if frames is None:
        return None
    try:
        return check_int("frames", frames, low=2)
    except ValueError as error:
        raise ExportError(f"{error} (or None for every step)") from None


def _check_dpi(dpi: Any) -> float | None:
    if dpi is None:
        return None
    try:
        return float(check_number("dpi", dpi, low=0.0, low_open=True, allow_array=False))
    except ValueError as error:
        raise ExportError(str(error)) from None


def _check_figure(figure: Any) -> RaceFigure:
    if not isinstance(figure, RaceFigure):
        raise TypeError(f"figure must be a RaceFigure (rmsprop_viz.plotting.RaceFigure), got {type(figure).__name__}")
    return figure


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        known = ", ".join(SUFFIXES)
        got = f"{path.suffix!r}" if path.suffix else "no suffix"
        raise ExportError(f"cannot export {path.name!r}: the file name must end in one of {known}, got {got}")
    return suffix


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _recipe_text(recipe: Mapping[str, Any]) -> str:
    if not isinstance(recipe, Mapping):
        raise ExportError(f"recipe must be a mapping (e.g. a dict) of settings, got {type(recipe).__name__}")
    try:
        return json.dumps(dict(recipe), indent=2, default=_jsonable, allow_nan=False, ensure_ascii=False) + "\n"
    except (TypeError, ValueError) as error:
        raise ExportError(f"recipe cannot be written as JSON: {error}") from None


# ------------------------------------------------------------------- ffmpeg


def ffmpeg_path() -> str | None:
    """The ffmpeg executable to use: imageio-ffmpeg's bundled binary when that package is
    installed (``pip install "rmsprop_viz[video]"``), else an ``ffmpeg`` on the PATH, else
    ``None``."""
    try:
        import imageio_ffmpeg
    except ImportError:
        pass
    else:
        with suppress(RuntimeError, OSError):
            return str(imageio_ffmpeg.get_ffmpeg_exe())
    return shutil.which("ffmpeg")


# ------------------------------------------------------------- files in place


class _Staging:
    """Temporary files beside the targets, renamed into place only when all are done.

    Every temporary file is removed by :meth:`cleanup`, whatever happened.
    """

    def __init__(self) -> None:
        self._temps: list[Path] = []
        self._moves: list[tuple[Path, Path]] = []

    def temp(self, target: Path) -> Path:
        """A new empty file in ``target``'s directory (a hidden ``.part`` name)."""
        for _ in range(100):
            path = target.parent / f".{target.name}.{secrets.token_hex(4)}.part"
            try:
                # os.open with 0o666 honours the umask, so the result gets ordinary permissions.
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            except FileExistsError:
                continue
            except OSError as error:
                raise ExportError(
                    f"cannot write to the directory {str(target.parent)!r}: {error.strerror or error}"
                ) from None
            self._temps.append(path)
            return path
        raise ExportError(f"cannot create a temporary file in {str(target.parent)!r}")  # pragma: no cover

    def output(self, target: Path) -> Path:
        """A temporary file that :meth:`commit` will rename to ``target``."""
        path = self.temp(target)
        self._moves.append((path, target))
        return path

    def target_name(self, temp: Path) -> str:
        """The name of the file that the output ``temp`` becomes."""
        return next(target.name for path, target in self._moves if path == temp)

    def commit(self) -> None:
        """Rename every output into place (``os.replace``: atomic on one file system)."""
        done: list[Path] = []
        try:
            for temp, target in self._moves:
                os.replace(temp, target)
                done.append(target)
        except OSError as error:
            for target in done:  # all or nothing: an export without its recipe is removed again
                with suppress(OSError):
                    target.unlink()
            raise ExportError(f"cannot write {str(target)!r}: {error.strerror or error}") from None

    def cleanup(self) -> None:
        for path in self._temps:
            with suppress(OSError):
                path.unlink(missing_ok=True)


def _check_target(target: Path, overwrite: bool) -> None:
    folder = target.parent
    if not folder.exists():
        raise ExportError(f"cannot write {target.name!r}: the directory {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise ExportError(f"cannot write {target.name!r}: {str(folder)!r} is not a directory")
    if target.is_dir():
        raise ExportError(f"cannot write {str(target)!r}: it is a directory")
    if target.exists() and not overwrite:
        raise ExportError(f"{str(target)!r} already exists; pass overwrite=True to replace it")


# --------------------------------------------------------------- fast frames


def _draw_list(figure: RaceFigure) -> list[Artist]:
    """The artists to leave out of the background, in the order to draw them per frame.

    That is every moving artist, plus the static lines and spines of the same axes that sit
    above the lowest moving artist (start circles, minima stars), so that they stay on top
    as in a full draw. Text and legends are left out: they are slow to draw and sit beside
    the paths, not on them.
    """
    moving = list(dict.fromkeys(figure.animated_artists))
    chosen = set(moving)
    order: list[Artist] = []
    by_axes: dict[Any, list[Artist]] = {}  # axes (or None) -> its moving artists
    for artist in moving:
        by_axes.setdefault(artist.axes, []).append(artist)
    for ax, artists in by_axes.items():
        if ax is None:
            order += artists
            continue
        lowest = min(a.get_zorder() for a in artists)
        layer = [
            child
            for child in ax.get_children()
            if child in chosen
            or (
                isinstance(child, (Line2D, Spine))
                and child.get_visible()
                and not child.get_animated()
                and child.get_zorder() > lowest
            )
        ]
        order += sorted(layer, key=lambda a: a.get_zorder())  # stable, like Axes.draw
    return order


def _shows_something(artist: Artist) -> bool:
    """False for a hidden artist or an empty line (no diverged cross yet, say): no need to draw it."""
    if not artist.get_visible():
        return False
    if hasattr(artist, "get_data_3d"):  # a 3-D line: its 2-D data are only set when it is drawn
        return bool(np.size(artist.get_data_3d()[0]) > 0)
    return not isinstance(artist, Line2D) or np.size(artist.get_xdata(orig=True)) > 0


class _Renderer:
    """``render(step)``: the figure at ``step`` as a ``(height, width, 4)`` uint8 RGBA array,
    a view into the canvas that the next call overwrites. ``background`` is a copy of the
    picture without the moving artists."""

    def __init__(self, figure: RaceFigure, canvas: Any, order: list[Artist]) -> None:
        self._figure = figure
        self._canvas = canvas
        self._order = order
        self._saved = canvas.copy_from_bbox(figure.fig.bbox)
        self.background: RGBA = np.array(canvas.buffer_rgba())

    def __call__(self, step: int) -> RGBA:
        self._figure.show_frame(step)
        self._canvas.restore_region(self._saved)
        fig = self._figure.fig
        for artist in self._order:
            if _shows_something(artist):
                fig.draw_artist(artist)
        return np.asarray(self._canvas.buffer_rgba())


@contextmanager
def _fast_frames(figure: RaceFigure, dpi: float | None) -> Iterator[_Renderer]:
    """A :class:`_Renderer` of ``figure`` at ``dpi`` (default: the figure's own).

    The figure is drawn once without its moving artists on a private Agg canvas, with the
    layout frozen afterwards; every frame then pastes that background back and draws only
    the moving artists. The figure's canvas, dpi, layout engine and animated flags come
    back as they were.
    """
    fig = figure.fig
    order = _draw_list(figure)
    flags = [a.get_animated() for a in order]
    old_canvas = fig.canvas
    old_dpi = fig.dpi
    engine = fig.get_layout_engine()
    frozen = False
    try:
        # A private canvas (typed Any: matplotlib's Agg backend has no annotations), so that
        # an interactive one is not disturbed; savefig does the same.
        canvas: Any = FigureCanvasAgg(fig)
        fig.dpi = dpi if dpi is not None else getattr(fig, "_original_dpi", old_dpi)
        for artist in order:
            artist.set_animated(True)
        # Lay out at the last step, as a savefig of the finished race would (a note beside a
        # diverged path can change the layout), and draw everything that does not move.
        figure.show_frame(figure.n_steps)
        canvas.draw()
        if engine is not None:
            fig.set_layout_engine("none")  # the layout is done: do not solve it again per frame
            frozen = True
        yield _Renderer(figure, canvas, order)
    finally:
        for artist, flag in zip(order, flags):
            artist.set_animated(flag)
        if frozen:
            fig.set_layout_engine(engine)
        fig.dpi = old_dpi
        fig.canvas = old_canvas
        fig.stale = True


# ------------------------------------------------------------------ writers


def _write_mp4(frames: Iterator[RGBA], dest: Path, fps: float, exe: str) -> tuple[int, int]:
    """Pipe raw RGBA frames into ffmpeg; returns the video's (even) width and height."""
    first = next(frames)
    height, width = first.shape[:2]
    even = ["-vf", f"crop={width - width % 2}:{height - height % 2}:0:0"] if width % 2 or height % 2 else []
    command = [
        exe,
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgba",
        "-s",
        f"{width}x{height}",
        "-r",
        f"{fps:g}",
        "-i",
        "-",
        *even,
        "-an",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(dest),
    ]
    with tempfile.TemporaryFile() as log:
        try:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
        except OSError as error:
            raise ExportError(f"cannot run ffmpeg at {exe!r} ({error.strerror or error}); {_INSTALL_FFMPEG}") from None
        assert process.stdin is not None
        try:
            try:
                process.stdin.write(np.ascontiguousarray(first).data)
                for frame in frames:
                    process.stdin.write(np.ascontiguousarray(frame).data)
                process.stdin.close()
            except BrokenPipeError:
                pass  # ffmpeg stopped early: its exit status and log say why
            code = process.wait()
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            with suppress(OSError):
                process.stdin.close()
        if code != 0:
            raise ExportError(f"ffmpeg failed with exit status {code}: {_tail(log)}")
    return width - width % 2, height - height % 2


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    lines = [line.strip() for line in log.read().decode(errors="replace").splitlines() if line.strip()]
    return " / ".join(lines[-3:]) if lines else "it printed no message"


def _rgb(frame: RGBA) -> Image.Image:
    """An RGB copy of an RGBA frame."""
    return Image.fromarray(frame[..., :3])


class _Palette:
    """One palette for every frame of a GIF, and the exact nearest-colour mapping to it.

    The palette is median cut of the last frame, which has every path drawn in full, to at
    most :data:`GIF_COLOURS` colours. Pillow maps other images to a given palette through a
    coarse cache (pure white becomes a light grey, say), so frames are mapped here instead:
    each colour to its nearest palette entry, remembered in a table over all 2**24 colours.
    Successive frames share nearly all their colours, so after the first this is a lookup.
    """

    def __init__(self, last: RGBA) -> None:
        image = _rgb(last).quantize(colors=GIF_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        flat = image.getpalette() or []
        entries = min(len(flat) // 3, GIF_COLOURS)
        self.colours: list[int] = flat[: 3 * entries]
        self._rgb = np.asarray(self.colours, dtype=np.int32).reshape(-1, 3)
        self._table = np.full(1 << 24, 255, dtype=np.uint8)  # 255: not looked up yet

    def index(self, frame: RGBA) -> Image.Image:
        """``frame`` as a "P" image on this palette."""
        image = Image.fromarray(self.indices(frame))
        image.putpalette(self.colours)
        return image

    def indices(self, frame: RGBA) -> npt.NDArray[np.uint8]:
        """The palette index of every pixel of ``frame``."""
        height, width = frame.shape[:2]
        codes = np.ascontiguousarray(frame).view(np.uint32).reshape(height, width)
        codes = codes & np.uint32(0xFFFFFF) if sys.byteorder == "little" else codes >> np.uint32(8)
        indices = self._table[codes]
        unknown = indices == 255
        if unknown.any():
            new = np.unique(codes[unknown])
            if sys.byteorder == "little":  # the uint32 of R, G, B, A bytes is R + G << 8 + B << 16
                rgb = np.stack([new & 255, (new >> 8) & 255, new >> 16], axis=-1).astype(np.int32)
            else:
                rgb = np.stack([new >> 16, (new >> 8) & 255, new & 255], axis=-1).astype(np.int32)
            for chunk in range(0, len(new), 4096):  # bounded memory for the distance table
                part = rgb[chunk : chunk + 4096]
                nearest = ((part[:, None, :] - self._rgb[None, :, :]) ** 2).sum(axis=-1).argmin(axis=1)
                self._table[new[chunk : chunk + 4096]] = nearest
            indices = self._table[codes]
        result: npt.NDArray[np.uint8] = indices
        return result


def _write_gif(frames: Iterator[RGBA], dest: Path, fps: float, last: RGBA) -> None:
    # One palette for every frame: per-frame palettes make the file ten times larger and
    # the background flicker.
    palette = _Palette(last)
    images = (palette.index(frame) for frame in frames)
    first = next(images)
    with dest.open("wb") as file:  # Pillow leaves its own file open on KeyboardInterrupt
        # palette=: one global colour table, none per frame. optimize=True: each frame stores only
        # the box that changed, with unchanged pixels transparent, which compresses to almost nothing.
        first.save(
            file,
            format="GIF",
            save_all=True,
            append_images=images,
            palette=palette.colours,
            optimize=True,
            loop=0,
            duration=10 * max(2, round(100 / fps)),  # GIF counts in hundredths; browsers play 2 at least
        )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ margin: 0; padding: 1em; font-family: sans-serif; background: #ffffff; }}
.player {{ max-width: {width}px; margin: 0 auto; }}
.player video, .player canvas {{ width: 100%; height: auto; display: block; }}
.controls {{ display: flex; align-items: center; gap: 0.8em; margin-top: 0.4em; }}
.controls input {{ flex: 1; }}
</style>
</head>
<body>
<div class="player">
{body}
</div>
</body>
</html>
"""

_VIDEO = """<video controls autoplay muted playsinline{loop} width="{width}" height="{height}"
 src="data:video/mp4;base64,{data}"></video>"""

_PLAYER = """<canvas id="frame" width="{width}" height="{height}" aria-label="{title}, frame by frame"></canvas>
<div class="controls">
<button id="play" type="button">Pause</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="frame">
<span id="label"></span>
</div>
<script>
// Every frame is the background with a transparent PNG of what moved drawn over it.
const background = "data:image/png;base64,{background}";
const frames = [
{frames}
];
const interval = {interval};
const repeat = {repeat};
const canvas = document.getElementById("frame");
const context = canvas.getContext("2d");
const slider = document.getElementById("slider");
const label = document.getElementById("label");
const button = document.getElementById("play");
let current = 0;
let timer = null;
function load(data) {{
  const image = new Image();
  image.onload = function () {{ draw(); }};
  image.src = data;
  return image;
}}
const back = load(background);
const layers = frames.map(load);
function draw() {{
  const layer = layers[current];
  if (back.complete && layer.complete) {{
    context.drawImage(back, 0, 0);
    context.drawImage(layer, 0, 0);
  }}
}}
function show(i) {{
  current = i;
  slider.value = i;
  label.textContent = "frame " + (i + 1) + " / " + frames.length;
  draw();
}}
function tick() {{
  if (current + 1 < frames.length) {{
    show(current + 1);
  }} else if (repeat) {{
    show(0);
  }} else {{
    pause();
  }}
}}
function play() {{
  if (timer === null) {{
    if (current + 1 >= frames.length) {{ show(0); }}
    timer = setInterval(tick, interval);
    button.textContent = "Pause";
  }}
}}
function pause() {{
  if (timer !== null) {{ clearInterval(timer); timer = null; }}
  button.textContent = "Play";
}}
button.addEventListener("click", function () {{ if (timer === null) {{ play(); }} else {{ pause(); }} }});
slider.addEventListener("input", function () {{ pause(); show(parseInt(slider.value, 10)); }});
show(0);
play();
</script>"""


def _page(title: str, width: int, body: str) -> str:
    return _PAGE.format(title=html.escape(title), width=width, body=body)


def _png_base64(image: Image.Image, **options: Any) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **options)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _write_html_frames(
    frames: Iterator[RGBA], dest: Path, fps: float, title: str, last: RGBA, background: RGBA, repeat: bool = True
) -> None:
    """A page with a small player: the background as one PNG, and per frame only the pixels
    that differ from it, on the GIF's palette, as a PNG that is transparent elsewhere (a few
    kB each, where whole frames as JPEG take ten times more)."""
    palette = _Palette(last)
    clear = len(palette.colours) // 3  # a spare index for "unchanged": the palette has < 256 colours
    colours = [*palette.colours, 0, 0, 0]
    still = np.ascontiguousarray(background).view(np.uint32)
    height, width = background.shape[:2]
    encoded: list[str] = []
    for frame in frames:
        indices = palette.indices(frame)
        indices[np.ascontiguousarray(frame).view(np.uint32)[..., 0] == still[..., 0]] = clear
        layer = Image.fromarray(indices)
        layer.putpalette(colours)
        encoded.append(_png_base64(layer, transparency=clear))
    body = _PLAYER.format(
        width=width,
        height=height,
        title=html.escape(title),
        last=len(encoded) - 1,
        background=_png_base64(_rgb(background)),
        frames=",\n".join(f'"data:image/png;base64,{data}"' for data in encoded),
        interval=f"{1000.0 / fps:.6g}",
        repeat="true" if repeat else "false",
    )
    dest.write_text(_page(title, width, body), encoding="utf-8")


def _write_html_video(video: Path, dest: Path, title: str, size: tuple[int, int], repeat: bool = True) -> None:
    width, height = size
    data = base64.b64encode(video.read_bytes()).decode("ascii")
    body = _VIDEO.format(loop=" loop" if repeat else "", width=width, height=height, data=data)
    dest.write_text(_page(title, width, body), encoding="utf-8")


def _write_png(figure: RaceFigure, dest: Path, dpi: float | None) -> None:
    fig = figure.fig
    figure.show_frame(figure.n_steps)
    moving = figure.animated_artists
    flags = [a.get_animated() for a in moving]
    try:
        for artist in moving:
            artist.set_animated(False)  # blitting (see animate) leaves them out of a normal draw
        # The whole figure at its own size, whatever savefig.bbox says in the user's rcParams.
        with matplotlib.rc_context({"savefig.bbox": "standard"}):
            fig.savefig(dest, format="png", dpi="figure" if dpi is None else dpi)
    finally:
        for artist, flag in zip(moving, flags):
            artist.set_animated(flag)


# ------------------------------------------------------------------- the API


def animate(figure: RaceFigure, *, frames: int | None = None, fps: float = 30.0, repeat: bool = True) -> FuncAnimation:
    """A matplotlib animation of ``figure`` for notebooks and interactive windows.

    ``frames`` evenly spaced frames cover the whole run (``None``: one per step), shown
    ``fps`` times a second. The animation blits (redraws only the moving artists) where
    the canvas supports it. Keep a reference to the result while it plays.

    To write a file, use :func:`save`: it is much faster than ``FuncAnimation.save``.
    While a blitting animation is running, a plain ``savefig`` of the same figure leaves
    the moving artists out (matplotlib marks them *animated*); :func:`save` does not.

    Examples
    --------
    In a notebook (``%matplotlib inline``)::

        from IPython.display import HTML
        figure = RaceFigure(surface, race)
        HTML(animate(figure, frames=100).to_jshtml())

    (``to_jshtml`` drops frames past :rc:`animation.embed_limit`, 20 MB; ``save(figure,
    "race.html")`` never does.)
    """
    figure = _check_figure(figure)
    rate = _check_fps(fps)
    steps = figure.frame_steps(_check_frames(frames))
    blit = bool(getattr(figure.fig.canvas, "supports_blit", False))
    return FuncAnimation(
        figure.fig,
        figure.show_frame,
        frames=steps,
        interval=1000.0 / rate,
        repeat=bool(repeat),
        blit=blit,
        cache_frame_data=False,
    )


def save(
    figure: RaceFigure,
    path: str | os.PathLike[str],
    *,
    fps: float = 30.0,
    frames: int | None = 200,
    dpi: float | None = None,
    progress: bool = True,
    overwrite: bool = False,
    recipe: Mapping[str, Any] | None = None,
) -> Path:
    """Write the race in ``figure`` to ``path``; the suffix picks the format.

    Parameters
    ----------
    figure : RaceFigure
        The race to export. It is left showing the last step.
    path : str or path-like
        ``.mp4`` (needs ffmpeg), ``.gif``, ``.html`` (self-contained) or ``.png`` (the last
        frame only). The directory must exist.
    fps : float
        Frames per second (> 0). A GIF stores frame times in whole hundredths of a second
        and plays at 50 fps at most.
    frames : int or None
        Number of frames (>= 2), evenly spaced over the run; ``None``: one per step. A run
        shorter than ``frames`` gets one frame per step.
    dpi : float, optional
        Pixels per inch (> 0); the image is the figure size times this. Default: the
        figure's own (1280 x 720 pixels for a default RaceFigure).
    progress : bool
        Show a progress bar over the frames.
    overwrite : bool
        Replace an existing file (and recipe); otherwise an existing one is an error.
    recipe : mapping, optional
        Settings that made this race (surface, optimizers, steps...), written as JSON beside
        the export with the same stem: ``race.mp4`` gets ``race.json``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ExportError
        For an unknown suffix, a bad ``fps``, ``frames`` or ``dpi``, a missing or unwritable
        directory, an existing file without ``overwrite``, a recipe that is not JSON, or a
        missing or failing ffmpeg. Nothing is written then: a file appears only complete.

    Examples
    --------
    >>> import tempfile, pathlib, rmsprop_viz as rv
    >>> from rmsprop_viz.plotting import RaceFigure
    >>> race = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1)}, n_steps=20)
    >>> figure = RaceFigure(rv.Quadratic(), race, figsize=(6.4, 4.8), dpi=25)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = save(figure, pathlib.Path(folder) / "race.gif", frames=5, progress=False)
    ...     print(out.name, out.stat().st_size > 0)
    race.gif True
    """
    figure = _check_figure(figure)
    target = Path(os.fspath(path))
    kind = _suffix(target)
    rate = _check_fps(fps)
    count = _check_frames(frames)
    resolution = _check_dpi(dpi)
    text = _recipe_text(recipe) if recipe is not None else None
    _check_target(target, overwrite)
    recipe_target = target.with_suffix(".json")
    if text is not None:
        _check_target(recipe_target, overwrite)
    exe = ffmpeg_path() if kind in (".mp4", ".html") else None
    if kind == ".mp4" and exe is None:
        raise ExportError(f"saving {target.name!r} as MP4 needs ffmpeg, which was not found; {_INSTALL_FFMPEG}")

    staging = _Staging()
    try:
        dest = staging.output(target)
        if text is not None:
            staging.output(recipe_target).write_text(text, encoding="utf-8")
        if kind == ".png":
            _write_png(figure, dest, resolution)
        else:
            _write_frames(figure, kind, dest, staging, rate, count, resolution, progress, exe)
        staging.commit()
    finally:
        staging.cleanup()
    return target


def _write_frames(
    figure: RaceFigure,
    kind: str,
    dest: Path,
    staging: _Staging,
    fps: float,
    frames: int | None,
    dpi: float | None,
    progress: bool,
    exe: str | None,
) -> None:
    steps = figure.frame_steps(frames)
    name = staging.target_name(dest)
    with (
        _fast_frames(figure, dpi) as render,
        tqdm(total=len(steps), desc=name, unit="frame", disable=not progress, leave=False) as bar,
    ):

        def each() -> Iterator[RGBA]:
            for step in steps:
                yield render(step)
                bar.update(1)

        if kind == ".gif":
            _write_gif(each(), dest, fps, last=render(steps[-1]))
        elif kind == ".mp4":
            assert exe is not None
            _write_mp4(each(), dest, fps, exe)
        elif exe is not None:  # .html with ffmpeg: a small MP4 in a <video> tag
            video = staging.temp(dest.with_name(name))
            size = _write_mp4(each(), video, fps, exe)
            _write_html_video(video, dest, Path(name).stem, size)
        else:  # .html without ffmpeg: a little player of PNG layers
            _write_html_frames(each(), dest, fps, Path(name).stem, last=render(steps[-1]), background=render.background)
