"""Atomic staging: files appear complete and together, or not at all; old files survive."""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import pytest

from rmsprop_viz.core.staging import Staging, TargetExistsError, check_target, check_writable, write_file


def names(folder: Path) -> list[str]:
    """Every entry of ``folder``, hidden ones included."""
    return sorted(p.name for p in folder.iterdir())


def test_outputs_appear_together_only_at_commit(tmp_path: Path) -> None:
    with Staging() as staging:
        staging.write_text(tmp_path / "a.gif", "picture")
        staging.write_text(tmp_path / "a.json", "{}\n")
        assert not (tmp_path / "a.gif").exists()
        assert not (tmp_path / "a.json").exists()
        assert len(names(tmp_path)) == 2  # two hidden temporary files
        staging.commit()
    assert names(tmp_path) == ["a.gif", "a.json"]
    assert (tmp_path / "a.gif").read_text() == "picture"


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failure_before_commit_leaves_nothing(tmp_path: Path, error: type[BaseException]) -> None:
    (tmp_path / "a.gif").write_text("old")

    def stage_then_fail() -> None:
        with Staging(overwrite=True) as staging:
            staging.write_text(tmp_path / "a.gif", "new")
            staging.scratch(tmp_path / "a.gif").write_text("scratch")
            raise error("stopped")

    with pytest.raises(error):
        stage_then_fail()
    assert names(tmp_path) == ["a.gif"]
    assert (tmp_path / "a.gif").read_text() == "old"


def test_existing_targets_need_overwrite(tmp_path: Path) -> None:
    (tmp_path / "a.gif").write_text("old")
    staging = Staging(how="add --force")
    with pytest.raises(TargetExistsError, match=r"a\.gif already exists; add --force to replace it"):
        staging.output(tmp_path / "a.gif")
    staging.cleanup()
    assert names(tmp_path) == ["a.gif"]


def test_the_same_content_is_no_conflict_and_a_different_one_says_so(tmp_path: Path) -> None:
    recipe = tmp_path / "race.json"
    recipe.write_text('{"a": 1}\n')
    before = recipe.stat().st_mtime_ns
    assert check_target(recipe, overwrite=False, content='{"a": 1}\n', what="recipe") is True
    with Staging() as staging:
        assert staging.write_text(recipe, '{"a": 1}\n', what="recipe") is False  # nothing staged
        staging.commit()
    assert recipe.stat().st_mtime_ns == before
    with pytest.raises(TargetExistsError, match=r"race\.json already exists with a different recipe; pass overwrite"):
        check_target(recipe, overwrite=False, content='{"a": 2}\n', what="recipe")
    assert write_file(recipe, '{"a": 2}\n', overwrite=True) is True
    assert recipe.read_text() == '{"a": 2}\n'


def test_a_directory_in_the_way_restores_every_old_file(tmp_path: Path) -> None:
    """A companion that cannot be renamed: the first output was already in place, and
    comes back out; the old file is there again, byte for byte, and no backup is left."""
    (tmp_path / "a.gif").write_bytes(b"old picture")
    (tmp_path / "a.json").write_text("old recipe")
    with Staging(overwrite=True) as staging:
        staging.write_text(tmp_path / "a.gif", "new picture")
        staging.write_text(tmp_path / "a.json", "new recipe")
        (tmp_path / "a.json").unlink()
        (tmp_path / "a.json").mkdir()  # appears after staging, before the commit
        with pytest.raises(OSError, match=r"a\.json.*no file was changed"):
            staging.commit()
    assert names(tmp_path) == ["a.gif", "a.json"]
    assert (tmp_path / "a.gif").read_bytes() == b"old picture"


@pytest.mark.parametrize("failing", [0, 1, 2])
def test_a_rename_that_fails_midway_puts_the_old_files_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    """Whichever rename fails (disk full, read-only, an interrupt), the files renamed
    before it are undone: old ones restored, new ones removed."""
    (tmp_path / "a.mp4").write_bytes(b"old video")
    (tmp_path / "a.json").write_bytes(b"old recipe")  # a.csv does not exist yet
    real_replace = os.replace
    calls: list[str] = []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(src).name.endswith(".part"):
            calls.append(Path(dst).name)
            if len(calls) == failing + 1:
                raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with Staging(overwrite=True) as staging:
        for name in ("a.mp4", "a.csv", "a.json"):
            staging.write_text(tmp_path / name, f"new {name}")
        with pytest.raises(OSError, match="No space left on device"):
            staging.commit()
    monkeypatch.undo()
    assert calls == ["a.mp4", "a.csv", "a.json"][: failing + 1]
    assert names(tmp_path) == ["a.json", "a.mp4"]
    assert (tmp_path / "a.mp4").read_bytes() == b"old video"
    assert (tmp_path / "a.json").read_bytes() == b"old recipe"


def test_an_interrupt_during_the_renames_waits_until_they_are_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGINT sent between two renames is held back: the set lands whole, then the
    interrupt is raised."""
    real_replace = os.replace
    sent: list[object] = []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        real_replace(src, dst)
        if not sent:
            sent.append(dst)
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(os, "replace", replace)
    with Staging() as staging:
        staging.write_text(tmp_path / "a.gif", "picture")
        staging.write_text(tmp_path / "a.json", "recipe")
        with pytest.raises(KeyboardInterrupt):
            staging.commit()
    assert names(tmp_path) == ["a.gif", "a.json"]


def test_backups_are_removed_after_a_successful_overwrite(tmp_path: Path) -> None:
    (tmp_path / "a.gif").write_text("old")
    linked = tmp_path / "other-name.gif"
    os.link(tmp_path / "a.gif", linked)  # another name of the old file keeps the old bytes
    write_file(tmp_path / "a.gif", "new", overwrite=True)
    assert names(tmp_path) == ["a.gif", "other-name.gif"]
    assert (tmp_path / "a.gif").read_text() == "new"
    assert linked.read_text() == "old"


def test_bad_targets_are_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "dir.gif").mkdir()
    (tmp_path / "file").write_text("x")
    cases = [
        (tmp_path / "missing" / "a.gif", "does not exist"),
        (tmp_path / "file" / "a.gif", "is not a directory"),
        (tmp_path / "dir.gif", "it is a directory"),
    ]
    for target, words in cases:
        with pytest.raises(TargetExistsError, match=words):
            check_target(target, overwrite=True)
    assert names(tmp_path) == ["dir.gif", "file"]


def test_a_target_staged_twice_is_an_error(tmp_path: Path) -> None:
    with Staging() as staging:
        staging.output(tmp_path / "a.gif")
        with pytest.raises(ValueError, match="staged twice"):
            staging.output(tmp_path / "a.gif")
    assert names(tmp_path) == []


# ----------------------------------------------------------------- exports (the API)


@pytest.fixture(scope="module")
def small_figure():  # type: ignore[no-untyped-def]
    import rmsprop_viz as rv
    from rmsprop_viz.plotting import RaceFigure

    race = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1)}, n_steps=10)
    return RaceFigure(rv.Quadratic(), race, figsize=(6.4, 4.8), dpi=25)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"fps": 0.1}, "fps must be a finite number in [0.5, 120]"),
        ({"fps": 1e6}, "FPS_RANGE = (0.5, 120)"),
        ({"frames": 10**9}, "MAX_FRAMES = 5000"),
        ({"frames": 1}, "frames must be an integer in [2, 5000]"),
        ({"dpi": 1}, "DPI_RANGE = (10, 300)"),
        ({"dpi": 1e5}, "dpi must be a finite number in [10, 300]"),
        ({"dpi": [100]}, "dpi must be"),
        ({"overwrite": "no"}, "overwrite must be True or False"),
        ({"progress": None}, "progress must be True or False"),
    ],
)
def test_save_checks_every_setting_with_its_limit(small_figure, tmp_path: Path, kwargs, words: str) -> None:  # type: ignore[no-untyped-def]
    from rmsprop_viz.export import ExportError, save

    with pytest.raises(ExportError) as info:
        save(small_figure, tmp_path / "race.gif", **kwargs)
    assert words in str(info.value)
    assert "\n" not in str(info.value)
    assert names(tmp_path) == []


@pytest.mark.parametrize(
    ("figure", "path", "words"),
    [
        ("not a figure", "race.gif", "figure must be a RaceFigure"),
        (None, "race.gif", "figure must be a RaceFigure"),
        ("small", 42, "path must be a file name"),
        ("small", b"race.gif", "path must be a file name"),
        ("small", ["race.gif"], "path must be a file name"),
        ("small", "", "path must be a file name"),
    ],
)
def test_save_with_a_wrong_type_is_a_value_error_naming_the_parameter(  # type: ignore[no-untyped-def]
    small_figure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figure, path, words: str
) -> None:
    from rmsprop_viz.export import save

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=words):
        save(small_figure if figure == "small" else figure, path, progress=False)
    assert names(tmp_path) == []


def test_save_refuses_frames_too_large_before_drawing(tmp_path: Path) -> None:
    import rmsprop_viz as rv
    from rmsprop_viz.export import ExportError, save
    from rmsprop_viz.plotting import RaceFigure

    race = rv.race(rv.Quadratic(), {"SGD": rv.sgd(0.1)}, n_steps=6000)
    figure = RaceFigure(rv.Quadratic(), race, figsize=(40.0, 30.0), dpi=20)
    with pytest.raises(ExportError, match=r"12000 x 9000 pixels.*MAX_PIXELS"):
        save(figure, tmp_path / "race.gif", dpi=300, progress=False)
    with pytest.raises(ExportError, match=r"one frame per step, 6001 frames.*MAX_FRAMES = 5000"):
        save(figure, tmp_path / "race.gif", frames=None, progress=False)
    assert names(tmp_path) == []


def test_two_exports_of_one_race_share_one_recipe(small_figure, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from rmsprop_viz.export import ExportError, save

    recipe = {"n_steps": 10, "optimizers": ["sgd"]}
    save(small_figure, tmp_path / "race.gif", frames=3, progress=False, recipe=recipe)
    save(small_figure, tmp_path / "race.png", frames=3, progress=False, recipe=recipe)
    assert names(tmp_path) == ["race.gif", "race.json", "race.png"]
    with pytest.raises(ExportError, match=r"race\.json already exists with a different recipe; pass overwrite=True"):
        save(small_figure, tmp_path / "race.html", frames=3, progress=False, recipe={**recipe, "n_steps": 11})
    assert names(tmp_path) == ["race.gif", "race.json", "race.png"]


def test_an_interrupt_just_after_a_temporary_file_is_created_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The signal lands after os.open made the file and before the staging returned its name.
    real_close = os.close

    def interrupted_close(fd: int) -> None:
        real_close(fd)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), Staging() as staging:  # noqa: PT012 - the interrupt is inside
        monkeypatch.setattr(os, "close", interrupted_close)
        staging.output(tmp_path / "race.json")
    monkeypatch.undo()
    assert names(tmp_path) == []


@pytest.mark.parametrize("dangling", [True, False])
def test_a_symlink_at_the_target_is_an_existing_file(tmp_path: Path, dangling: bool) -> None:
    real = tmp_path / "real.txt"
    if not dangling:
        real.write_text("{}\n")
    link = tmp_path / "out.json"
    link.symlink_to(real)
    # Even when the link leads to the very content that would be written, it is in the way.
    with pytest.raises(TargetExistsError, match="already exists"):
        check_target(link, overwrite=False, content="{}\n")
    assert check_target(link, overwrite=True, content="{}\n") is False


def test_check_writable_tries_a_real_file(tmp_path: Path) -> None:
    check_writable(tmp_path)
    assert names(tmp_path) == []  # the probe is gone
    with pytest.raises(TargetExistsError, match=r"cannot create a file in the directory '/proc': it does not accept"):
        check_writable(Path("/proc"))


def test_a_failed_write_names_the_target_not_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.json"

    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    with monkeypatch.context() as patch:
        patch.setattr(Path, "write_bytes", full)
        with Staging() as staging, pytest.raises(OSError, match=r"^\[Errno 28\] cannot write '.*r\.json': No space"):
            staging.write_text(target, "{}\n")
    assert names(tmp_path) == []


def test_a_failed_rename_names_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.json"
    target.write_text("old\n")
    real_replace = os.replace

    def refuse(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == target:  # like an immutable file: os.replace names the source first
            raise PermissionError(errno.EPERM, "Operation not permitted", str(src), None, str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    with Staging(overwrite=True) as staging:
        staging.write_text(target, "new\n")
        with pytest.raises(OSError, match=r"cannot put '.*/r\.json' in place") as caught:
            staging.commit()
    assert ".part" not in str(caught.value)
    assert target.read_text() == "old\n"
