"""The verdicts' tables: plain text that fits a terminal, Markdown tables and the report."""

from __future__ import annotations

import pytest

import rmsprop_viz as rv
from rmsprop_viz.engine.claims import MISLEADING, PARTLY, SUPPORTED, Verdict
from rmsprop_viz.engine.claims.table import (
    HEADER,
    MIN_CLAIM_WIDTH,
    escape_cell,
    markdown_report,
    markdown_table,
    settings_text,
    summary_rows,
    text_table,
    verdict_markdown,
)


def fake_verdicts() -> list[Verdict]:
    """Three made-up verdicts with long claims, a pipe and settings of several types."""
    return [
        Verdict(
            "C2",
            "Scaling the loss by any constant leaves the adaptive optimizer's path where it was, "
            "while plain gradient descent crawls or explodes.",
            MISLEADING,
            {"rmsprop_path_change": 2.5e-07, "sgd_path_change": 31.0},
            "rmsprop_path_change",
            "The path moved by 2.5e-07. Scale is not signal.",
            "Loss scaled by 1e-4, 1 and 1e4.",
            {"scales": (1e-4, 1.0, 1e4), "lr": 0.01, "surface": "quadratic"},
        ),
        Verdict(
            "C7",
            "Noisy | small-batch gradients suit it.",
            PARTLY,
            {"spread_ratio": 0.4},
            "spread_ratio",
            "The spread was 0.4 of SGD's. It depends on the noise.",
            "Eight seeds per optimizer.",
            {"seeds": 8},
        ),
        Verdict(
            "C8",
            "It beats SGD when the scales differ by direction, a well-known rule-of-thumb of "
            "step-size tuning for ill-conditioned problems.",
            SUPPORTED,
            {"sgd_steps_at_45": 410, "rmsprop_steps_at_45": 395},
            "sgd_steps_at_45",
            "SGD took 410 steps. RMSProp took 395.",
            "Quadratic at 0 and 45 degrees.",
            {"angles": (0.0, 45.0), "condition": 50.0},
        ),
    ]


def test_rows_are_the_verdicts_fields() -> None:
    verdicts = [*fake_verdicts(), rv.claims.c11_rnns()]
    rows = summary_rows(verdicts)
    assert [r[0] for r in rows] == ["C2", "C7", "C8", "C11"]
    assert [r[1] for r in rows] == [v.claim for v in verdicts]
    assert [r[2] for r in rows] == [MISLEADING, PARTLY, SUPPORTED, "outside a 2-D visualizer"]
    # The key number is the key's evidence value, written by hand here.
    assert [r[3] for r in rows] == [
        "rmsprop_path_change = 2.50e-07",
        "spread_ratio = 0.4",
        "sgd_steps_at_45 = 410",
        "-",
    ]


def read_back(lines: list[str]) -> dict[str, list[str]]:
    """The cells of a text table, read back by the header's column starts: for each
    claim, the words of its claim, verdict and key number, joined across its lines."""
    starts = [lines[0].index(name) for name in ("claim", "verdict", "key number")]
    cells: dict[str, list[list[str]]] = {}
    current = ""
    for line in lines[2:]:
        current = line[: starts[0]].strip() or current
        parts = [line[a:b] for a, b in zip(starts, [*starts[1:], len(line)])]
        for column, part in enumerate(parts):
            cells.setdefault(current, [[], [], []])[column].extend(part.split())
    return {key: [" ".join(words) for words in columns] for key, columns in cells.items()}


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_the_text_table_fits_and_wrapping_keeps_every_word(width: int) -> None:
    verdicts = fake_verdicts()
    lines = text_table(verdicts, width=width).splitlines()
    assert lines[0].split() == ["id", "claim", "verdict", "key", "number"]
    # The narrowest this table can be: "id" 2, the claim 20 (MIN_CLAIM_WIDTH), the
    # verdict's longest word "misleading" 10, the key's "rmsprop_path_change" 19, and
    # three gaps of 2.
    assert MIN_CLAIM_WIDTH == 20
    assert max(len(line) for line in lines) <= max(width, 2 + 20 + 10 + 19 + 6)
    assert all(line == line.rstrip() for line in lines)
    assert read_back(lines) == {v.id: [v.claim, v.verdict, v.key_number] for v in verdicts}
    if width <= 80:
        assert len(lines) > 2 + len(verdicts)  # the long claim did wrap


def test_the_claim_gives_way_before_the_other_columns() -> None:
    lines = text_table(fake_verdicts(), width=100).splitlines()
    # 100 = 2 + 10 + 30 + 3 gaps of 2: the claim keeps 52 characters, the verdict
    # ("misleading") and the key number stay on one line.
    assert lines[1].split() == ["-" * 2, "-" * 52, "-" * 10, "-" * 30]
    assert lines[2].endswith("misleading  rmsprop_path_change = 2.50e-07")
    # C11 at 60: "C11", the claim 30, the key's header 10 and 3 gaps of 2 leave the
    # verdict 11 characters, so it wraps.
    table = text_table([rv.claims.c11_rnns()], width=60).splitlines()
    assert read_back(table)["C11"][1] == "outside a 2-D visualizer"
    assert max(len(line) for line in table) <= 60
    assert table[2].split()[-3:] == ["outside", "a", "-"]  # "outside a" is 9 of 11
    assert "visualizer" not in table[2]


def test_a_wide_terminal_gives_one_line_per_claim() -> None:
    lines = text_table(fake_verdicts(), width=300).splitlines()
    assert len(lines) == 2 + 3
    assert lines[2].split()[0] == "C2"
    assert lines[2].endswith("rmsprop_path_change = 2.50e-07")


def test_a_bad_width_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match=r"^width must be an integer in \[40, 1000\], got 10$"):
        text_table(fake_verdicts(), width=10)
    with pytest.raises(ValueError, match="verdicts must be Verdict records"):
        text_table(["C1"])  # type: ignore[list-item]


def test_markdown_escapes_pipes_in_cells() -> None:
    assert escape_cell("a|b") == "a\\|b"
    assert escape_cell("a\\|b") == "a\\|b"  # already escaped: not twice
    table = markdown_table(fake_verdicts()).splitlines()
    assert table[0] == "| " + " | ".join(HEADER) + " |"
    assert table[1] == "|---|---|---|---|"
    assert table[3] == "| C7 | Noisy \\| small-batch gradients suit it. | partly | spread_ratio = 0.4 |"
    for line in table:  # every row has exactly the header's cells
        assert line.replace("\\|", "").count("|") == len(HEADER) + 1


def test_a_verdicts_section_holds_every_number_and_its_settings() -> None:
    v = fake_verdicts()[2]
    text = verdict_markdown(v)
    assert text.startswith(f"### C8: {v.claim}\n")
    assert "**Verdict: supported.** SGD took 410 steps. RMSProp took 395." in text
    assert "*Experiment:* Quadratic at 0 and 45 degrees." in text
    assert "| `sgd_steps_at_45` | **410** (key) |" in text
    assert "| `rmsprop_steps_at_45` | 395 |" in text
    assert '*Settings:* `angles=(0, 45), condition=50`; `rv.claims.check("C8", NAME=VALUE)` reruns it' in text
    assert v._repr_markdown_() == text
    assert verdict_markdown(v, level=2).startswith("## C8")


def test_settings_are_written_as_one_would_type_them() -> None:
    assert settings_text({"scales": (1e-4, 1.0, 1e4), "lr": 0.01, "name": "quadratic", "one": (3,)}) == (
        "scales=(0.0001, 1, 10000), lr=0.01, name='quadratic', one=(3,)"
    )
    grid = {"lrs": tuple(float(n) for n in range(1, 42)), "seeds": (0, 1, 2)}
    assert settings_text(grid, max_items=8) == "lrs=(1, 2, ..., 41) [41 values], seeds=(0, 1, 2)"
    assert settings_text(grid).startswith("lrs=(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,")


def test_counts_are_written_in_full_in_the_evidence() -> None:
    v = Verdict("C8", "A claim.", SUPPORTED, {"sgd_steps": 1011, "ratio": 1011.0}, "sgd_steps", "One. Two.", "Ran.")
    assert v.key_number == "sgd_steps = 1011"
    text = verdict_markdown(v)
    assert "| `sgd_steps` | **1011** (key) |" in text
    assert "| `ratio` | 1.01e+03 |" in text  # a float keeps its 3 significant digits


def test_the_report_has_the_table_then_a_section_per_claim() -> None:
    verdicts = [*fake_verdicts(), rv.claims.c11_rnns()]
    report = markdown_report(verdicts)
    assert report.startswith("# Claims about RMSProp, tested\n")
    assert report.endswith("\n")
    assert not report.endswith("\n\n")
    assert markdown_table(verdicts) in report
    starts = [report.index(f"### {v.id}: ") for v in verdicts]
    assert starts == sorted(starts)
    assert report.index("| id | claim |") < starts[0]
    for v in verdicts:
        assert v.explanation in report
    assert "outside a 2-D visualizer" in report
