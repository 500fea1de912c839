"""A sweep's grid as CSV: every cell once, in grid order, numbers that read back exactly."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

import rmsprop_viz as rv
from rmsprop_viz.export.tables import grid_csv


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_each_cell_is_a_row_in_grid_order_and_reads_back_exactly() -> None:
    lrs, betas = np.geomspace(1e-3, 0.3, 3), np.linspace(0.5, 0.99, 2)
    values = rv.sweep(rv.Quadratic(), rv.rmsprop, {"lr": lrs, "beta": betas}, n_steps=30)
    header, *rows = _rows(grid_csv({"lr": lrs, "beta": betas}, values, "final"))
    assert header == ["lr", "beta", "final"]
    assert len(rows) == 6
    for n, row in enumerate(rows):
        i, j = divmod(n, 2)  # the last key varies fastest
        assert [float(v) for v in row] == [lrs[i], betas[j], values[i, j]]  # repr: exact


def test_steps_are_integers_and_a_diverged_loss_is_nan() -> None:
    lrs = [0.1, 0.15, 0.25]
    steps = rv.sweep(rv.Quadratic(), rv.sgd, {"lr": lrs}, n_steps=100, metric="diverged")
    assert [row[1] for row in _rows(grid_csv({"lr": lrs}, steps, "diverged"))[1:]] == [str(int(s)) for s in steps]
    final = rv.sweep(rv.Quadratic(), rv.sgd, {"lr": lrs}, n_steps=100)
    assert _rows(grid_csv({"lr": lrs}, final, "final"))[-1][1] == "nan"  # 0.25 > 2/L = 0.2 diverged


def test_a_row_ends_in_crlf() -> None:
    assert grid_csv({"lr": [0.5]}, [2.0], "best") == "lr,best\r\n0.5,2.0\r\n"


@pytest.mark.parametrize(
    ("grid", "values", "words"),
    [
        ({"lr": [0.1, 0.2]}, [1.0], r"values must have the grid's shape \(2,\), got \(1,\)"),
        ({"lr": np.ones(1001), "beta": np.ones(1000)}, [0.0], "grid may have at most 1000000 cells, got 1001 x 1000"),
    ],
)
def test_a_table_that_does_not_fit_is_one_line(grid: dict[str, object], values: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        grid_csv(grid, values, "final")  # type: ignore[arg-type]
