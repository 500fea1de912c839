"""The files a command writes: refused before any work when they cannot or should not be
written, shared recipes, and old files kept when writing fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_checks import one_error_line

from rmsprop_viz.apps import cli


@pytest.mark.parametrize("command", ["race", "plot", "sweep"])
def test_bad_outputs_are_refused_before_any_work(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken.png"
    taken.write_bytes(b"")
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a directory")
    cases = [
        (tmp_path / "out.bmp", "unknown format .bmp"),
        (tmp_path / "out", "unknown format (no suffix)"),
        (taken, "already exists; add --force"),
        (tmp_path / "missing" / "out.png", "does not exist"),
        (a_file / "out.png", "does not exist"),
    ]
    for out, words in cases:
        assert cli.main([command, "--steps", "5", "--out", str(out)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""  # refused before the race ran
        assert words in captured.err
        assert len(captured.err.strip().splitlines()) == 1
    assert taken.read_bytes() == b""


def test_an_existing_recipe_beside_the_output_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x.json").write_text("{}")
    assert cli.main(["plot", "--steps", "5", "--out", str(tmp_path / "x.png")]) == 2
    assert "x.json already exists" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_an_unwritable_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Permission bits do not bind everyone (root, some file systems): ask the check directly.
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != tmp_path)
    for command in ("race", "plot", "sweep"):
        assert cli.main([command, "--steps", "5", "--out", str(tmp_path / "x.png")]) == 2
        err = capsys.readouterr().err
        assert f"the directory {str(tmp_path)!r} is not writable" in err
        assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_second_export_of_the_same_race_shares_its_recipe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["race", "--scene", "saddle", "--steps", "10", "--frames", "3", "--dpi", "20", "--no-progress"]
    assert cli.main([*argv, "--out", str(tmp_path / "race.gif")]) == 0
    recipe = (tmp_path / "race.json").read_bytes()
    capsys.readouterr()
    assert cli.main([*argv, "--out", str(tmp_path / "race.png")]) == 0  # same race: same recipe, no conflict
    assert f"kept {tmp_path / 'race.json'} (it already holds this recipe)" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.gif", "race.json", "race.png"]
    assert (tmp_path / "race.json").read_bytes() == recipe
    capsys.readouterr()
    # Another race beside them would change the recipe: refused, saying why and what to do.
    assert cli.main([*argv, "--lr", "0.01", "--out", str(tmp_path / "race.html")]) == 2
    err = capsys.readouterr().err
    assert "race.json already exists with a different recipe" in err
    assert "--force" in err
    assert len(err.strip().splitlines()) == 1
    assert (tmp_path / "race.json").read_bytes() == recipe
    assert not (tmp_path / "race.html").exists()


def test_a_second_sweep_picture_beside_the_first_shares_its_grid_and_recipe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["sweep", "--optimizer", "sgd", "--lr-range", "1e-3,0.1,5", "--steps", "20", "--dpi", "20"]
    assert cli.main([*argv, "--out", str(tmp_path / "s.png")]) == 0
    grid = (tmp_path / "s.csv").read_bytes()
    capsys.readouterr()
    assert cli.main([*argv, "--out", str(tmp_path / "s.pdf")]) == 0
    out = capsys.readouterr().out
    assert f"kept {tmp_path / 's.csv'} (it already holds this grid)" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv", "s.json", "s.pdf", "s.png"]
    assert (tmp_path / "s.csv").read_bytes() == grid
    # Another grid beside them is refused before it is computed.
    other = [*argv[:4], "1e-3,0.1,6", *argv[5:]]
    assert cli.main([*other, "--out", str(tmp_path / "s.svg")]) == 2
    assert "s.json already exists with a different recipe" in capsys.readouterr().err
    assert not (tmp_path / "s.svg").exists()


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE")
def test_a_full_disk_while_overwriting_keeps_the_old_files(tmp_path: Path) -> None:
    """The file size limit makes writes fail as a full disk would: the command fails with
    one line, and the old export and recipe are still there, byte for byte."""
    import resource

    out = tmp_path / "race.gif"
    out.write_bytes(b"old export")
    (tmp_path / "race.json").write_bytes(b"old recipe")

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rmsprop_viz",
            "race",
            "--steps",
            "100",
            "--frames",
            "50",
            "--force",
            "--no-progress",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        timeout=120,
    )
    assert done.returncode in (1, 2)
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "File too large" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.gif", "race.json"]
    assert out.read_bytes() == b"old export"
    assert (tmp_path / "race.json").read_bytes() == b"old recipe"


def test_a_rename_that_fails_puts_back_every_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sweep writes three files; the last rename fails: the first two come back."""
    old = {name: f"old {name}".encode() for name in ("s.png", "s.csv", "s.json")}
    for name, data in old.items():
        (tmp_path / name).write_bytes(data)
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(src).name.endswith(".part") and Path(dst).name == "s.json":
            raise OSError(30, "Read-only file system", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    argv = ["sweep", "--optimizer", "sgd", "--lr-range", "1e-3,0.1,4", "--steps", "20", "--dpi", "20"]
    assert cli.main([*argv, "--force", "--out", str(tmp_path / "s.png")]) == 1
    err = capsys.readouterr().err
    assert "Read-only file system" in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(old)
    for name, data in old.items():
        assert (tmp_path / name).read_bytes() == data


@pytest.mark.parametrize("command", ["race", "plot", "sweep"])
def test_an_unwritable_directory_is_refused_before_work(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = one_error_line(capsys, [command, "--steps", "5", "--out", "/proc/a.png"])
    assert err.startswith("rmsprop-viz: error: --out /proc/a.png: cannot create a file in the directory '/proc'")
    assert capsys.readouterr().out == ""  # nothing ran


@pytest.mark.parametrize("dangling", [True, False])
def test_a_symlink_at_the_output_needs_force_up_front(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dangling: bool
) -> None:
    (tmp_path / "elsewhere.png").write_bytes(b"") if not dangling else None
    for name in ("a.png", "b.json"):
        (tmp_path / name).symlink_to(tmp_path / "elsewhere.png")
    for out in ("a.png", "b.png"):
        err = one_error_line(capsys, ["plot", "--steps", "5", "--out", str(tmp_path / out)])
        assert "already exists" in err
        assert "add --force" in err
    assert cli.main(["plot", "--steps", "5", "--out", str(tmp_path / "a.png"), "--force"]) == 0
    assert not (tmp_path / "a.png").is_symlink()


def test_a_full_disk_names_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from matplotlib.figure import Figure

    def full(self: Figure, *args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", full)
    out = tmp_path / "p.png"
    assert cli.main(["plot", "--steps", "5", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"rmsprop-viz: error: cannot write {str(out)!r}: No space left on device"
    assert list(tmp_path.iterdir()) == []
