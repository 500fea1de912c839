"""MP4: H.264 video through ffmpeg, fed the frames in the video's own pixel format.

The frames go to ffmpeg's standard input as raw YUV 4:2:0 (:class:`Yuv420`), converted only
where they changed, and ffmpeg encodes them with libx264's fastest preset while the next
frames are drawn. ffmpeg is imageio-ffmpeg's bundled binary or one on the PATH
(:func:`ffmpeg_path`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import IO, ClassVar, Literal

import numpy as np
import numpy.typing as npt

from rmsprop_viz.core.staging import held_signals
from rmsprop_viz.export.checks import ExportError
from rmsprop_viz.export.job import RGBA, Job
from rmsprop_viz.render.public import Changed

__all__ = ["INSTALL_FFMPEG", "Mp4Writer", "Yuv420", "ffmpeg_path"]

INSTALL_FFMPEG = (
    'install it with pip install "rmsprop_viz[video]" (which brings a bundled ffmpeg) '
    "or put a system ffmpeg with libx264 on the PATH"
)


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


# How libx264 encodes. The frames are mostly the same picture, so the fastest preset still
# makes a small file (about 0.3 MB for 200 frames of 640 x 480); one thread leaves the
# other cores to drawing the frames, and is faster than them on its own.
_X264 = ("-preset", "ultrafast", "-threads", "1")


class Yuv420:
    """Frames in the video's own pixel format, YUV 4:2:0 (ffmpeg's ``yuv420p``), kept up to
    date where they change.

    ITU-R BT.601 in limited ("TV") range, the matrix ffmpeg uses by default:

    .. math::

        Y  &= 16 + (65.481 R + 128.553 G + 24.966 B) / 255 \\
        C_b &= 128 + (-37.797 \bar R - 74.203 \bar G + 112 \bar B) / 255 \\
        C_r &= 128 + (112 \bar R - 93.786 \bar G - 18.214 \bar B) / 255

    with :math:`\bar R, \bar G, \bar B` the means over each 2 x 2 block of pixels, which
    share one pair of colour values (as ffmpeg's ``area`` scaling; its default filter is a
    little wider); alpha is ignored (the figure is opaque). Converting a whole frame in
    numpy costs several times as much as drawing one, and ffmpeg's own conversion takes
    CPU from the drawing; but a frame differs from the one before in a few small boxes, and
    only the tiles they touch are converted. The frame is cropped to even sides, as yuv420p
    needs.

    >>> frame = np.zeros((2, 4, 4), np.uint8)
    >>> frame[:, :2] = (255, 0, 0, 255)  # red on the left, black on the right
    >>> video = Yuv420(2, 4)
    >>> video.update(frame, None).tolist()  # Y (2 x 4), then Cb and Cr (1 x 2 each)
    [81, 81, 16, 16, 81, 81, 16, 16, 90, 128, 240, 128]
    >>> frame[:, 2:] = 255  # the right turns white
    >>> video.update(frame, [(slice(0, 1), slice(3, 4))]).tolist()  # a pixel of its block changed
    [81, 81, 235, 235, 81, 81, 235, 235, 90, 128, 240, 128]
    """

    # A pixel's R, G, B, A (0..255) to its Y; the sum of a 2 x 2 block's to its Cb and Cr.
    _Y = np.array([[65.481], [128.553], [24.966], [0]]) / 255
    _CBCR = np.array([[-37.797, 112.0], [-74.203, -93.786], [112.0, -18.214], [0, 0]]) / (4 * 255)
    _Y_OFFSET, _C_OFFSET = np.float32(16.5), np.float32(128.5)  # + 0.5: storing truncates

    def __init__(self, height: int, width: int) -> None:
        self.height, self.width = height - height % 2, width - width % 2
        # Converted in square tiles: the largest side of 16, 8, 4 or 2 pixels that fits.
        self._tile = tile = next(t for t in (16, 8, 4, 2) if self.height % t == 0 and self.width % t == 0)
        rows, columns = self.height // tile, self.width // tile
        size = self.height * self.width
        self.data: npt.NDArray[np.uint8] = np.zeros(size * 3 // 2, dtype=np.uint8)
        # The planes as tiles: (tile row, row in tile, tile column, column in tile).
        self._y = self.data[:size].reshape(rows, tile, columns, tile)
        self._cb = self.data[size : size * 5 // 4].reshape(rows, tile // 2, columns, tile // 2)
        self._cr = self.data[size * 5 // 4 :].reshape(rows, tile // 2, columns, tile // 2)
        self._changed = np.zeros((rows, columns), dtype=bool)  # the tiles to convert
        # The same for a few pixels side by side at once (one matrix product for all): their
        # RGBA in a row to their Y; the sums of two rows of them to their blocks' Cb, Cr, Cb...
        self._across = across = min(tile, 4)
        self._to_y = np.kron(np.eye(across), self._Y).astype(np.float32)
        self._to_c = np.kron(np.kron(np.eye(across // 2), [[1], [1]]), self._CBCR).astype(np.float32)

    def update(self, frame: RGBA, changed: list[tuple[slice, slice]] | None) -> npt.NDArray[np.uint8]:
        """Convert ``frame`` where it ``changed`` (rows and columns; None: everywhere) and
        return the whole picture: the Y plane, then Cb, then Cr."""
        tile = self._tile
        mask = self._changed
        if changed is None:
            mask[:] = True
        else:
            mask[:] = False
            for rows, columns in changed:
                mask[rows.start // tile : -(-rows.stop // tile), columns.start // tile : -(-columns.stop // tile)] = (
                    True
                )
        tile_rows, tile_columns = np.nonzero(mask)
        if not len(tile_rows):
            return self.data
        # The changed tiles, a pixel's RGBA as one 32-bit number: (tile, row, column).
        pixels = np.ascontiguousarray(frame[: self.height, : self.width]).view(np.uint32)[..., 0]
        tiles = pixels.reshape(len(mask), tile, -1, tile)[tile_rows, :, tile_columns]
        count, half = len(tile_rows), tile // 2
        rgba = tiles.view(np.uint8).reshape(count, tile, tile, 4).astype(np.float32)
        y = (rgba.reshape(-1, 4 * self._across) @ self._to_y).reshape(count, tile, tile)
        y += self._Y_OFFSET
        self._y[tile_rows, :, tile_columns] = y
        pairs = rgba[:, 0::2] + rgba[:, 1::2]  # the sums of two rows
        colour = (pairs.reshape(-1, 4 * self._across) @ self._to_c).reshape(count, half, half, 2)
        colour += self._C_OFFSET
        self._cb[tile_rows, :, tile_columns] = colour[..., 0]
        self._cr[tile_rows, :, tile_columns] = colour[..., 1]
        return self.data


class Mp4Writer:
    """Pipe the frames into ffmpeg as raw YUV 4:2:0 (:class:`Yuv420`); ``size`` is the
    video's (even) width and height."""

    description: ClassVar[str] = "H.264 video"
    ffmpeg: ClassVar[Literal["needs", "uses", ""]] = "needs"
    keeps_frames: ClassVar[bool] = False
    draws_frames: ClassVar[bool] = True

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._video: Yuv420 | None = None
        self._first = True
        self._broken = False  # ffmpeg stopped reading: its exit status and log say why
        self.size = (0, 0)
        #: Times :meth:`finish` gives the last frame again (a hold on it).
        self.hold_frames = 0

    def setup(self, job: Job) -> None:
        assert job.ffmpeg is not None
        assert job.frames is not None
        self.start(job.dest, job.fps, job.ffmpeg, job.frames.background.shape[:2])
        self.hold_frames = job.hold_frames

    def start(self, dest: Path, fps: float, exe: str, shape: tuple[int, ...]) -> None:
        """Start ffmpeg writing ``dest`` from frames of ``shape`` (height, width)."""
        video = self._video = Yuv420(shape[0], shape[1])
        self.size = video.width, video.height
        command = [exe, "-hide_banner", "-loglevel", "error", "-y"]
        command += ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{video.width}x{video.height}"]
        command += ["-r", f"{fps:g}", "-i", "-", "-an", "-c:v", "libx264", *_X264, "-pix_fmt", "yuv420p"]
        # Say which conversion made the colours (BT.601, limited range), so that a player
        # does not guess BT.709 for a video this size and shift them.
        command += ["-colorspace", "smpte170m", "-color_range", "tv", "-movflags", "+faststart", "-f", "mp4"]
        command.append(str(dest))
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by finish or abort)
        # An interrupt waits while ffmpeg starts (it arrives when this block ends), so that
        # it cannot land before ``_process`` is known: an orphaned ffmpeg would go on to
        # finish its file.
        with held_signals():
            try:
                self._process = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log
                )
            except OSError as error:
                raise ExportError(
                    f"cannot run ffmpeg at {exe!r} ({error.strerror or error}); {INSTALL_FFMPEG}"
                ) from None
        assert self._process.stdin is not None
        _widen(self._process.stdin, 2 * video.data.nbytes)

    def frame(self, pixels: RGBA, changed: Changed) -> None:
        if self._broken:
            return
        assert self._process is not None
        assert self._process.stdin is not None
        assert self._video is not None
        data = self._video.update(pixels, None if self._first else changed)
        try:
            self._process.stdin.write(data.data)
            self._first = False
        except BrokenPipeError:
            self._broken = True

    def finish(self) -> None:
        process, log = self._process, self._log
        assert process is not None
        assert process.stdin is not None
        assert log is not None
        if self._video is not None and not self._first:
            for _ in range(self.hold_frames):  # the last frame again: a hold
                if self._broken:
                    break
                try:
                    process.stdin.write(self._video.data.data)
                except BrokenPipeError:
                    self._broken = True
        with suppress(BrokenPipeError):
            process.stdin.close()
        process.wait()
        self._process = None
        code = process.returncode
        message = _tail(log)
        log.close()
        if code != 0:
            raise ExportError(f"ffmpeg failed with exit status {code}: {message}")

    def abort(self) -> None:
        """End ffmpeg and reap it (whatever stopped the export: an error, Ctrl-C, SIGTERM)."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            with held_signals():
                process.wait()
            if process.stdin is not None:
                with suppress(OSError):
                    process.stdin.close()
        if self._log is not None:
            self._log.close()


def _widen(pipe: IO[bytes], size: int) -> None:
    """Ask for a pipe buffer of ``size`` bytes, so that a write of a frame or two returns at
    once while ffmpeg reads the one before; Linux only, and only up to its limit (1 MB by
    default). Elsewhere a write waits for ffmpeg to read."""
    with suppress(ImportError, AttributeError, OSError):
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, min(size, 1 << 20))


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    lines = [line.strip() for line in log.read().decode(errors="replace").splitlines() if line.strip()]
    return " / ".join(lines[-3:]) if lines else "it printed no message"
