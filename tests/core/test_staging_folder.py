"""A folder built all at once or not at all (``staged_folder``): the new one appears only
complete, the old one survives any failure byte for byte, and nothing hidden is left."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from rmsprop_viz.core.staging import TargetExistsError, staged_folder


def names(folder: Path) -> list[str]:
    """Every entry of ``folder``, hidden ones included."""
    return sorted(p.name for p in folder.iterdir())


def contents(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}


def old_site(parent: Path) -> Path:
    site = parent / "site"
    (site / "static").mkdir(parents=True)
    (site / "index.html").write_bytes(b"<p>old</p>\n")
    (site / "static" / "data.bin").write_bytes(bytes(range(256)))
    return site


def fill(folder: Path) -> None:
    (folder / "lab").mkdir()
    (folder / "lab" / "index.html").write_text("<p>new lab</p>")
    (folder / "index.html").write_text("<p>new</p>")


def test_a_new_folder_appears_complete_when_the_block_ends(tmp_path: Path) -> None:
    target = tmp_path / "site"
    with staged_folder(target) as folder:
        assert folder.parent == tmp_path
        assert folder.name.startswith(".")
        assert folder.is_dir()
        assert list(folder.iterdir()) == []
        fill(folder)
        assert not target.exists()  # nothing in place until the block ends
    assert names(tmp_path) == ["site"]
    assert contents(target) == {"index.html": b"<p>new</p>", "lab": None, "lab/index.html": b"<p>new lab</p>"}


def test_an_existing_folder_without_overwrite_is_refused_before_the_block(tmp_path: Path) -> None:
    site = old_site(tmp_path)
    before = contents(site)
    ran = False
    with (
        pytest.raises(TargetExistsError, match=r"site already exists; pass --force to replace it"),
        staged_folder(site, how="pass --force"),
    ):
        ran = True
    assert not ran
    assert contents(site) == before
    assert names(tmp_path) == ["site"]


def test_overwrite_replaces_the_old_folder_and_leaves_nothing_hidden(tmp_path: Path) -> None:
    site = old_site(tmp_path)
    with staged_folder(site, overwrite=True) as folder:
        fill(folder)
        assert (site / "static" / "data.bin").is_file()  # the old one serves until the end
    assert contents(site) == {"index.html": b"<p>new</p>", "lab": None, "lab/index.html": b"<p>new lab</p>"}
    assert names(tmp_path) == ["site"]


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("existing", [True, False])
def test_a_failure_in_the_block_leaves_the_old_folder_and_nothing_else(
    tmp_path: Path, error: type[BaseException], existing: bool
) -> None:
    site = old_site(tmp_path) if existing else tmp_path / "site"
    before = contents(site) if existing else None

    def build_then_fail() -> None:
        with staged_folder(site, overwrite=True) as folder:
            fill(folder)
            raise error("the build failed")

    with pytest.raises(error, match="the build failed"):
        build_then_fail()
    if existing:
        assert contents(site) == before
        assert names(tmp_path) == ["site"]
    else:
        assert names(tmp_path) == []


@pytest.mark.parametrize("overwrite", [True, False])
def test_a_file_in_the_way_is_refused(tmp_path: Path, overwrite: bool) -> None:
    (tmp_path / "site").write_text("a file\n")
    with (
        pytest.raises(TargetExistsError, match=r"cannot write the folder '.*site': a file of that name is in the way"),
        staged_folder(tmp_path / "site", overwrite=overwrite),
    ):
        pass  # pragma: no cover - never entered
    assert (tmp_path / "site").read_text() == "a file\n"
    assert names(tmp_path) == ["site"]


def test_a_missing_parent_is_refused(tmp_path: Path) -> None:
    with (
        pytest.raises(TargetExistsError, match=r"the directory '.*nope' does not exist"),
        staged_folder(tmp_path / "nope" / "site"),
    ):
        pass  # pragma: no cover - never entered
    assert names(tmp_path) == []


def test_a_failed_final_rename_puts_the_old_folder_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = old_site(tmp_path)
    before = contents(site)
    real_replace = os.replace
    moves: list[tuple[str, str]] = []

    def refuse_the_new_one(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        moves.append((Path(src).name, Path(dst).name))
        if Path(dst) == site and Path(src).name.endswith(".part"):
            raise OSError(errno.EXDEV, "Invalid cross-device link", str(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse_the_new_one)
    with pytest.raises(OSError, match="Invalid cross-device link"), staged_folder(site, overwrite=True) as folder:
        fill(folder)
    assert len(moves) == 3  # old aside, new refused, old back
    assert contents(site) == before
    assert names(tmp_path) == ["site"]
