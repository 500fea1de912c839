"""Atomic staging: files appear complete and together, or not at all; old files survive."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from rmsprop_viz.staging import Staging, TargetExistsError, check_target, write_file


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
