"""``rmsprop-viz claims``: the verdicts' table, ``--only``, the Markdown report of ``--out``,
progress lines, Ctrl-C; fast made-up claims stand in for the experiments, and one test
runs a real claim end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_checks import one_error_line

from rmsprop_viz.apps import cli
from rmsprop_viz.engine import claims
from rmsprop_viz.engine.claims import MISLEADING, PARTLY, SUPPORTED, Verdict

IDS = [f"C{n}" for n in range(1, 12)]


def fake_claim(n: int, calls: list[str]) -> Callable[..., Verdict]:
    """A claim that answers at once: claim n, its verdict cycling through the three words."""

    def run(**settings: Any) -> Verdict:
        calls.append(f"C{n}")
        return Verdict(
            f"C{n}",
            f"Made-up claim number {n} | with a pipe, and long enough to need wrapping in a narrow terminal.",
            (SUPPORTED, PARTLY, MISLEADING)[n % 3],
            {"speedup": 1.5 * n, "other": 7.0},
            "speedup",
            f"The speedup was {1.5 * n}. That is what it is.",
            f"Experiment {n}.",
            {"steps": 10 * n, "angles": (0.0, 45.0)},
        )

    return run


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Claims C1-C10 replaced by fast made-up ones; the list records which ran, in order."""
    ran: list[str] = []
    for n in range(1, 11):
        monkeypatch.setitem(claims.CLAIMS, f"C{n}", fake_claim(n, ran))
    return ran


def table_rows(out: str) -> dict[str, list[str]]:
    """The table's first line of each claim, split into words, by id."""
    lines = out.splitlines()
    assert lines[0].split() == ["id", "claim", "verdict", "key", "number"]
    return {line.split()[0]: line.split() for line in lines[2:] if line[:1] == "C"}


def test_claims_prints_one_row_per_claim_in_order(calls: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["claims"]) == 0
    captured = capsys.readouterr()
    assert calls == IDS[:10]
    rows = table_rows(captured.out)
    assert list(rows) == IDS
    for n in range(1, 11):
        assert rows[f"C{n}"][-4:] == [(SUPPORTED, PARTLY, MISLEADING)[n % 3], "speedup", "=", f"{1.5 * n:g}"]
    assert rows["C11"][-1] == "-"
    assert "outside a 2-D visualizer" in captured.out
    assert captured.err == ""  # stderr is not a terminal here: no progress lines


def test_only_runs_the_claims_named(calls: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["claims", "--only", "c8, 2"]) == 0
    assert calls == ["C8", "C2"]
    assert list(table_rows(capsys.readouterr().out)) == ["C8", "C2"]


@pytest.mark.parametrize(
    ("only", "words"),
    [
        ("C2,C12", "unknown claim 'C12'; the ids are C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11"),
        ("C2,,C8", "expected claim ids separated by single commas"),
        ("C8,8", "C8 is listed twice"),
        ("rnn", "unknown claim 'rnn'"),
    ],
)
def test_a_bad_only_is_one_line_naming_the_option_and_the_ids(
    only: str, words: str, calls: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    err = one_error_line(capsys, ["claims", "--only", only])
    assert err.startswith("rmsprop-viz claims: error: argument --only: ")
    assert words in err
    assert "C11" in err
    assert calls == []


def test_progress_lines_on_a_terminal_unless_no_progress(
    calls: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli.main(["claims", "--only", "C3,C11"]) == 0
    assert capsys.readouterr().err.splitlines() == [f"[1/2] C3: {SUPPORTED}", "[2/2] C11: outside a 2-D visualizer"]
    assert cli.main(["claims", "--only", "C3,C11", "--no-progress"]) == 0
    assert capsys.readouterr().err == ""


def test_out_writes_the_markdown_report(calls: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "claims.md"
    assert cli.main(["claims", "--only", "C7,C11", "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"wrote {out}"
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# ")
    header = lines.index("| id | claim | verdict | key number |")
    assert lines[header + 1] == "|---|---|---|---|"
    assert lines[header + 2].startswith("| C7 | Made-up claim number 7 \\| with a pipe,")
    assert lines[header + 2].endswith(f"| {PARTLY} | speedup = 10.5 |")
    assert lines[header + 3].startswith("| C11 | ")
    assert "### C7: Made-up claim number 7 | with a pipe" in text
    assert "The speedup was 10.5. That is what it is." in text
    assert "| `other` | 7 |" in text
    assert '*Settings:* `steps=70, angles=(0, 45)`; `rv.claims.check("C7", NAME=VALUE)` reruns it' in text
    assert "### C11: " in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.md"]  # no temporary file left


def test_out_refuses_to_overwrite_without_force_before_running(
    calls: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "claims.md"
    out.write_text("old report")
    err = one_error_line(capsys, ["claims", "--out", str(out)])
    assert err == (
        f"rmsprop-viz: error: --out {out}: {out} already exists; add --force to replace it, or choose another name"
    )
    assert calls == []  # refused before any claim ran
    assert out.read_text() == "old report"
    err = one_error_line(capsys, ["claims", "--out", str(tmp_path / "claims.txt")])
    assert "unknown format .txt; use one of .md" in err
    assert cli.main(["claims", "--only", "C1", "--out", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8").startswith("# ")


def test_a_failed_write_leaves_the_old_report_intact(
    calls: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "claims.md"
    out.write_bytes(b"old report")
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(src).name.endswith(".part") and Path(dst) == out:
            raise OSError(30, "Read-only file system", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    assert cli.main(["claims", "--only", "C1", "--force", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Read-only file system" in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.md"]
    assert out.read_bytes() == b"old report"


def test_ctrl_c_during_a_claim_stops_with_130_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(**settings: Any) -> Verdict:
        os.kill(os.getpid(), signal.SIGINT)
        raise AssertionError("the signal should have stopped the claim")

    monkeypatch.setitem(claims.CLAIMS, "C2", interrupted)
    out = tmp_path / "claims.md"
    out.write_bytes(b"old report")
    assert cli.main(["claims", "--only", "C11,C2", "--force", "--out", str(out)]) == 128 + signal.SIGINT
    captured = capsys.readouterr()
    assert captured.err.strip() == "rmsprop-viz: interrupted by SIGINT; no partial file is left"
    assert captured.out == ""
    assert out.read_bytes() == b"old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.md"]


def test_the_real_c11_end_to_end(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rmsprop_viz", "claims", "--only", "C11", "--out", "c11.md"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    rows = table_rows(done.stdout)
    assert list(rows) == ["C11"]
    assert " ".join(rows["C11"][-5:]) == "outside a 2-D visualizer -"
    assert done.stdout.splitlines()[-1] == "wrote c11.md"
    report = (tmp_path / "c11.md").read_text(encoding="utf-8")
    assert "| C11 | RMSProp works well for training recurrent networks" in report
    assert "a two-parameter surface cannot stand in for a recurrent network" in report


def test_claims_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli.main(["claims", "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "rmsprop-viz claims --out claims.md" in text
    assert "--only IDS" in text
