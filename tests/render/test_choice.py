"""Which renderer draws an export: the fast path when it agrees with its public twin, the
twin when it does not, when matplotlib is untested, or when RMSPROP_VIZ_RENDERER says so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from race_pictures import FRAMES, N_STEPS, full_render, rgb

from rmsprop_viz import export
from rmsprop_viz.render import fast
from rmsprop_viz.render.fast import RENDERER_VARIABLE, FastFrames, frames, renderer_choice, version_is_tested
from rmsprop_viz.render.public import PublicFrames


@pytest.fixture(autouse=True)
def _no_renderer_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RENDERER_VARIABLE, raising=False)


def last_gif_frame(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        image.seek(image.n_frames - 1)
        return rgb(image)


def assert_export_is_right(make_figure, path: Path) -> None:  # type: ignore[no-untyped-def]
    """The export's last frame is the last step (a GIF's palette: close, no pixel wrong)."""
    export.save(make_figure(), path, frames=FRAMES, progress=False)
    error = np.abs(last_gif_frame(path) - full_render(make_figure(), N_STEPS)).max(axis=-1)
    assert error.mean() < 1.5
    assert (error > 96).sum() <= 2


def test_unset_picks_the_fast_path_when_it_checks_out(make_figure) -> None:  # type: ignore[no-untyped-def]
    assert renderer_choice() == ""
    assert version_is_tested()
    with frames(make_figure()) as render:
        assert isinstance(render, FastFrames)


@pytest.mark.parametrize(
    ("value", "kind"), [("public", PublicFrames), ("fast", FastFrames), (" Public ", PublicFrames)]
)
def test_the_variable_forces_a_renderer(make_figure, monkeypatch: pytest.MonkeyPatch, value: str, kind: type) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(RENDERER_VARIABLE, value)
    with frames(make_figure()) as render:
        assert isinstance(render, kind)


def test_the_variable_forces_the_twin_for_a_whole_export(  # type: ignore[no-untyped-def]
    make_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = {"fast": 0, "public": 0}
    for name, kind in (("fast", FastFrames), ("public", PublicFrames)):
        real = kind.draw

        def counting(self, real=real, name=name):  # type: ignore[no-untyped-def]
            drawn[name] += 1
            return real(self)

        monkeypatch.setattr(kind, "draw", counting)
    monkeypatch.setenv(RENDERER_VARIABLE, "public")
    assert_export_is_right(make_figure, tmp_path / "public.gif")
    assert drawn == {"fast": 0, "public": FRAMES + 3}  # each frame, and three for the palette
    monkeypatch.delenv(RENDERER_VARIABLE)
    drawn.update(fast=0, public=0)
    export.save(make_figure(), tmp_path / "fast.gif", frames=FRAMES, progress=False)
    assert drawn == {"fast": FRAMES + 3 + 2, "public": 2}  # and each renderer twice for the check


@pytest.mark.parametrize("value", ["quick", "0", "fast,public"])
def test_a_bad_value_is_one_line_naming_the_variable(  # type: ignore[no-untyped-def]
    untouched, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(RENDERER_VARIABLE, value)
    with pytest.raises(ValueError, match=rf"^{RENDERER_VARIABLE} must be one of fast, public \(or unset\), got"):
        renderer_choice()
    with pytest.raises(export.ExportError, match=rf"^{RENDERER_VARIABLE} must be one of fast, public") as info:
        export.check_save(untouched, tmp_path / "race.gif")
    assert "\n" not in str(info.value)
    with pytest.raises(export.ExportError, match=RENDERER_VARIABLE):
        export.save(untouched, tmp_path / "race.gif", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_self_check_falls_back_to_the_twin(  # type: ignore[no-untyped-def]
    make_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fast, "self_check", lambda *args: False)
    with frames(make_figure()) as render:
        assert isinstance(render, PublicFrames)
    assert_export_is_right(make_figure, tmp_path / "race.gif")


def test_the_self_check_sees_a_wrong_frame(make_figure, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A fast path that draws a frame a little wrong (a 3 x 3 patch of black) is caught."""
    real = FastFrames.draw

    def smudged(self: FastFrames) -> np.ndarray:
        pixels = real(self)
        pixels[50:53, 80:83, :3] = 0
        return pixels

    with frames(make_figure()) as render:
        assert isinstance(render, FastFrames)
    monkeypatch.setattr(FastFrames, "draw", smudged)
    with frames(make_figure()) as render:
        assert isinstance(render, PublicFrames)


@pytest.mark.parametrize("where", ["setup", "frame"])
def test_a_fast_path_that_fails_falls_back_to_the_twin(  # type: ignore[no-untyped-def]
    make_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """What a matplotlib the fast path does not know would do: an error in its own code."""

    def broken(*args: object) -> None:
        raise AttributeError("'GraphicsContextBase' object has no attribute '_dashes'")

    monkeypatch.setattr(FastFrames, "__init__" if where == "setup" else "draw", broken)
    with frames(make_figure()) as render:
        assert isinstance(render, PublicFrames)
    assert_export_is_right(make_figure, tmp_path / "race.gif")


def test_an_untested_matplotlib_gets_the_twin(make_figure, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(fast.matplotlib, "__version__", "3.99.0")
    assert not version_is_tested()
    with frames(make_figure()) as render:
        assert isinstance(render, PublicFrames)
    monkeypatch.setenv(RENDERER_VARIABLE, "fast")  # unless the fast path is asked for
    with frames(make_figure()) as render:
        assert isinstance(render, FastFrames)


@pytest.mark.parametrize(
    ("version", "tested"),
    [("3.8.0", True), ("3.11.2", True), ("3.10.0rc1", True), ("3.7.5", False), ("3.12.0", False), ("4.0", False)],
)
def test_tested_versions(version: str, tested: bool) -> None:
    low, high = fast.TESTED_MATPLOTLIB
    assert (low, high) == ((3, 8), (3, 12))
    assert version_is_tested(version) is tested
    assert not version_is_tested("unknown")
