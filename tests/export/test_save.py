"""save and animate: frame counts, sizes, files that appear only complete, the figure left as it was, recipes."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.layout_engine import ConstrainedLayoutEngine
from PIL import Image
from race_pictures import FRAMES, N_STEPS, SIZE, names

from rmsprop_viz.animation import ExportError, animate, save
from rmsprop_viz.export import gif
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.frames import add_counter, animated_artists, frame_steps


def test_dpi_sets_the_pixel_size(figure: RaceFigure, tmp_path: Path) -> None:
    gif = save(figure, tmp_path / "race.gif", frames=FRAMES, dpi=50, progress=False)
    png = save(figure, tmp_path / "race.png", dpi=30, progress=False)
    with Image.open(gif) as a, Image.open(png) as b:
        assert a.size == (320, 240)
        assert b.size == (192, 144)
    assert figure.fig.dpi == 25  # the figure itself is unchanged


def test_frames_none_gives_one_frame_per_step(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.gif", frames=None, progress=False)
    with Image.open(out) as gif:
        assert gif.n_frames == N_STEPS + 1


def test_more_frames_than_steps_gives_one_per_step(figure: RaceFigure, tmp_path: Path) -> None:
    out = save(figure, tmp_path / "race.gif", frames=200, progress=False)
    with Image.open(out) as gif:
        assert gif.n_frames == N_STEPS + 1


@pytest.mark.parametrize("enabled", [True, False])
def test_save_leaves_the_garbage_collector_as_it_was(
    make_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    """Paused while the frames are written, then as before: after an export, and after one
    that fails."""
    seen = []
    real = gif.GifWriter.finish

    def writer(self: gif.GifWriter) -> None:
        seen.append(gc.isenabled())
        real(self)

    monkeypatch.setattr(gif.GifWriter, "finish", writer)
    (gc.enable if enabled else gc.disable)()
    try:
        save(make_figure(), tmp_path / "race.gif", frames=FRAMES, progress=False)
        assert seen == [False]
        assert gc.isenabled() == enabled
        figure = make_figure()
        monkeypatch.setattr(figure, "show_frame", lambda step: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            save(figure, tmp_path / "again.gif", frames=FRAMES, progress=False)
        assert gc.isenabled() == enabled
    finally:
        gc.enable()


def test_save_restores_the_figure(figure: RaceFigure, tmp_path: Path) -> None:
    canvas = figure.fig.canvas
    save(figure, tmp_path / "race.gif", frames=FRAMES, dpi=40, progress=False)
    assert figure.fig.canvas is canvas
    assert figure.fig.dpi == 25
    assert isinstance(figure.fig.get_layout_engine(), ConstrainedLayoutEngine)
    assert not any(a.get_animated() for a in animated_artists(figure, add_counter(figure)))
    assert figure.paths[0].line.get_xdata().shape == (N_STEPS + 1,)  # left at the last step


def test_progress_bar_is_labelled_with_the_file_name(
    figure: RaceFigure, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save(figure, tmp_path / "race.gif", frames=FRAMES)
    assert "race.gif" in capsys.readouterr().err
    save(figure, tmp_path / "quiet.gif", frames=FRAMES, progress=False)
    assert capsys.readouterr().err == ""


def test_animate_covers_the_run(figure: RaceFigure) -> None:
    anim = animate(figure, frames=FRAMES, fps=20)
    assert isinstance(anim, FuncAnimation)
    steps = list(anim.new_frame_seq())
    assert steps == frame_steps(figure.n_steps, FRAMES)
    assert len(steps) == FRAMES
    assert steps[0] == 0
    assert steps[-1] == N_STEPS
    assert anim.event_source.interval == 50
    every = animate(figure)
    assert list(every.new_frame_seq()) == list(range(N_STEPS + 1))
    assert anim._blit  # an Agg canvas can blit
    # The animation's update function is show_frame: a frame shows its step.
    anim._draw_next_frame(17, blit=False)
    assert add_counter(figure).text.get_text() == f"step 17 / {N_STEPS}"


@pytest.mark.parametrize(("kwargs", "name"), [({"fps": 0}, "fps"), ({"frames": 1}, "frames")])
def test_animate_checks_its_arguments(untouched: RaceFigure, kwargs: dict, name: str) -> None:
    with pytest.raises(ExportError, match=name):
        animate(untouched, **kwargs)


def test_missing_directory(untouched: RaceFigure, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"nowhere.*does not exist"):
        save(untouched, tmp_path / "nowhere" / "race.gif", progress=False)
    assert names(tmp_path) == []


def test_directory_that_is_a_file(untouched: RaceFigure, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ExportError, match=r"notes\.txt.*not a directory"):
        save(untouched, tmp_path / "notes.txt" / "race.gif", progress=False)
    assert names(tmp_path) == ["notes.txt"]


def test_unwritable_directory(untouched: RaceFigure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    real_open = os.open

    def refuse(path, *args, **kwargs):  # what a read-only directory does (root ignores chmod)
        if Path(path).parent == folder:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(ExportError, match=r"locked.*Permission denied"):
        save(untouched, folder / "race.gif", progress=False)
    monkeypatch.undo()
    assert names(folder) == []


def test_existing_file_needs_overwrite(figure: RaceFigure, tmp_path: Path) -> None:
    target = tmp_path / "race.gif"
    target.write_bytes(b"old")
    with pytest.raises(ExportError, match=r"already exists.*overwrite=True"):
        save(figure, target, frames=FRAMES, progress=False)
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["race.gif"]
    save(figure, target, frames=FRAMES, progress=False, overwrite=True)
    with Image.open(target) as gif:
        assert gif.n_frames == FRAMES
    assert names(tmp_path) == ["race.gif"]


def test_target_that_is_a_directory(untouched: RaceFigure, tmp_path: Path) -> None:
    (tmp_path / "race.gif").mkdir()
    with pytest.raises(ExportError, match="is a directory"):
        save(untouched, tmp_path / "race.gif", overwrite=True, progress=False)


def test_uses_no_pyplot(figure: RaceFigure, tmp_path: Path) -> None:
    """Exporting never touches pyplot's global state (no figure manager, no backend switch)."""
    save(figure, tmp_path / "race.gif", frames=FRAMES, progress=False)
    assert figure.fig.canvas.manager is None
    code = "import sys, rmsprop_viz.animation; print('matplotlib.pyplot' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "False"


def test_wrong_figure_type(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="RaceFigure"):
        save("not a figure", tmp_path / "race.gif")  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".gif", ".mp4", ".html", ".png"])
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failure_midway_leaves_no_file(
    figure: RaceFigure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, error: type[BaseException]
) -> None:
    real = figure.show_frame
    calls = []

    def failing(step: int) -> list:
        calls.append(step)
        if len(calls) == 5:
            raise error("stopped on frame 5")
        return real(step)

    monkeypatch.setattr(figure, "show_frame", failing)

    def failing_savefig(*args: object, **kwargs: object) -> None:
        raise error("stopped while writing")

    if suffix == ".png":  # a single frame: fail in the writer itself
        monkeypatch.setattr(figure.fig, "savefig", failing_savefig)
    (tmp_path / "race.json").write_text("{}")  # an old recipe is kept when the export fails
    with pytest.raises(error, match="stopped"):
        save(figure, tmp_path / f"race{suffix}", frames=FRAMES, progress=False, overwrite=True, recipe={"a": 1})
    assert names(tmp_path) == ["race.json"]
    assert (tmp_path / "race.json").read_text() == "{}"
    assert not any(a.get_animated() for a in animated_artists(figure, add_counter(figure)))
    assert isinstance(figure.fig.get_layout_engine(), ConstrainedLayoutEngine)


@pytest.mark.parametrize("suffix", [".gif", ".png"])
def test_recipe_is_written_beside_the_export(figure: RaceFigure, tmp_path: Path, suffix: str) -> None:
    recipe = {
        "surface": "rosenbrock",
        "n_steps": N_STEPS,
        "optimizers": [{"factory": "sgd", "params": {"lr": np.float64(0.005)}}],
        "start": np.array([-1.5, 2.5]),
    }
    save(figure, tmp_path / f"race{suffix}", frames=FRAMES, progress=False, recipe=recipe)
    assert names(tmp_path) == sorted([f"race{suffix}", "race.json"])
    text = (tmp_path / "race.json").read_text(encoding="utf-8")
    assert text.startswith("{\n  ")  # pretty
    assert json.loads(text) == {
        "surface": "rosenbrock",
        "n_steps": N_STEPS,
        "optimizers": [{"factory": "sgd", "params": {"lr": 0.005}}],
        "start": [-1.5, 2.5],
    }


def test_existing_recipe_needs_overwrite(figure: RaceFigure, tmp_path: Path) -> None:
    (tmp_path / "race.json").write_text("{}")
    with pytest.raises(ExportError, match=r"race\.json.*already exists"):
        save(figure, tmp_path / "race.gif", frames=FRAMES, progress=False, recipe={"a": 1})
    assert names(tmp_path) == ["race.json"]
    save(figure, tmp_path / "race.gif", frames=FRAMES, progress=False, recipe={"a": 1}, overwrite=True)
    assert json.loads((tmp_path / "race.json").read_text()) == {"a": 1}


@pytest.mark.parametrize("recipe", [{"bad": object()}, {"nan": float("nan")}, ["not", "a", "mapping"]])
def test_recipe_that_is_not_json(untouched: RaceFigure, tmp_path: Path, recipe) -> None:
    with pytest.raises(ExportError, match="recipe"):
        save(untouched, tmp_path / "race.gif", progress=False, recipe=recipe)
    assert names(tmp_path) == []


def test_a_hidpi_canvas_exports_at_the_figure_own_size(make_figure, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A HiDPI screen doubles the figure's dpi while it is shown (the canvas's device pixel
    ratio); the export is the figure's own size, as savefig makes it."""
    figure = make_figure()
    assert figure.fig.canvas._set_device_pixel_ratio(2)  # what a HiDPI window does
    assert figure.fig.dpi == 50
    out = save(figure, tmp_path / "race.gif", frames=FRAMES, progress=False)
    with Image.open(out) as gif:
        assert gif.size == SIZE
    assert figure.fig.dpi == 50  # and left as it was


def test_caption_goes_on_the_figure_of_the_export(make_figure, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    figure = make_figure()
    words = "the steep walls cap SGD's rate; RMSProp keeps steps of about lr"
    save(figure, tmp_path / "race.png", caption=words, progress=False)
    assert figure.caption is not None
    assert figure.caption.get_text().split() == words.split()
    assert figure.fig.get_suptitle() == figure.caption.get_text()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"hold": -0.5}, r"^hold must be .*HOLD_RANGE = \(0, 10\)\)$"),
        ({"hold": 11}, r"^hold must be .*HOLD_RANGE"),
        ({"duration": 0}, r"^duration must be .*DURATION_RANGE = \(0\.1, 600\)\)$"),
        ({"duration": float("nan")}, r"^duration must be"),
        ({"caption": 3}, r"^caption must be a string or None, got int$"),
    ],
)
def test_bad_hold_duration_or_caption_is_one_line(make_figure, tmp_path: Path, setting, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ExportError, match=message) as info:
        save(make_figure(), tmp_path / "race.gif", progress=False, **setting)
    assert "\n" not in str(info.value)
    assert names(tmp_path) == []
