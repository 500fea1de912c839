"""Seed bands drawn: the artists carry the band's numbers, in the kind's colours, labelled."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

import rmsprop_viz as rv
from rmsprop_viz.engine.bands import SeedBand, seed_bands
from rmsprop_viz.plotting import draw_surface
from rmsprop_viz.plotting.bands import band_figure, band_label, draw_band_paths, draw_loss_band
from rmsprop_viz.plotting.style import style_for

SURFACE = rv.surfaces.Noisy(rv.Quadratic(), sigma=1.0)


def bands(n_steps: int = 60) -> list[SeedBand]:
    racers = {"SGD (lr=0.05)": rv.sgd(0.05), "RMSProp (lr=0.05)": rv.rmsprop(0.05), "SGD (lr=0.3)": rv.sgd(0.3)}
    return list(seed_bands(SURFACE, racers, seeds=range(4), n_steps=n_steps).values())


def test_mean_paths_seed_paths_and_ellipses_carry_the_bands_numbers() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    draw_surface(ax, SURFACE, resolution=40)
    made = bands()
    drawn = draw_band_paths(ax, made, ellipses=3)
    for band, art in zip(made, drawn):
        np.testing.assert_array_equal(np.asarray(art.line.get_xydata()), band.mean_path)
        assert len(art.seeds) == 4
        for seed_line, path in zip(art.seeds, band.params):
            np.testing.assert_array_equal(np.asarray(seed_line.get_xydata()), path)
    sgd, rms, wild = drawn
    # ellipses at steps 20, 40, 60: centred on the mean path, one std each way
    for art, band in ((sgd, made[0]), (rms, made[1])):
        assert len(art.ellipses) == 3
        for patch, step in zip(art.ellipses, (20, 40, 60)):
            assert patch.center == pytest.approx(tuple(band.mean_path[step]))
            assert patch.width == pytest.approx(2 * band.path_std[step, 0])
            assert patch.height == pytest.approx(2 * band.path_std[step, 1])
    # colours by kind; the second SGD gets a spare style
    assert to_hex(sgd.line.get_color()) == style_for("sgd").color.lower()
    assert to_hex(rms.line.get_color()) == style_for("rmsprop").color.lower()
    assert to_hex(wild.line.get_color()) != style_for("sgd").color.lower()
    # SGD at lr 0.3 on curvature 10 diverges on every seed: one cross per seed, and the legend says so
    assert made[2].n_diverged == 4
    assert wild.crosses is not None
    assert np.asarray(wild.crosses.get_xdata()).shape == (4,)
    assert sgd.crosses is None
    legend = ax.get_legend()
    assert legend is not None
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[:3] == [f"{band_label(b)}: mean path" for b in made]
    assert "SGD (lr=0.3), 4 seeds (4 diverged): mean path" in texts
    assert {"one seed's path", "± 1 std over the seeds", "a seed diverged"} <= set(texts)
    fig.canvas.draw()


def test_loss_band_draws_the_median_and_the_quantile_band_on_a_log_axis() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    made = bands()[:2]
    drawn = draw_loss_band(ax, made)
    for band, art in zip(made, drawn):
        xs, ys = (np.asarray(a) for a in art.line.get_data())
        np.testing.assert_array_equal(xs, np.arange(61))
        np.testing.assert_allclose(ys, np.maximum(band.loss_median, 1e-16))
        assert art.fill is not None
        # the shaded polygon runs along the upper quantile and back along the lower one
        vertices = np.asarray(art.fill.get_paths()[0].vertices, dtype=np.float64)
        for step in (0, 30, 60):
            at = vertices[np.isclose(vertices[:, 0], step), 1]
            assert np.min(at) == pytest.approx(band.loss_low[step])
            assert np.max(at) == pytest.approx(band.loss_high[step])
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "step"
    assert "f − f*" in ax.get_ylabel()
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "SGD (lr=0.05), 4 seeds: median",
        "RMSProp (lr=0.05), 4 seeds: median",
        "10% to 90% of the seeds",
    ]
    fig.canvas.draw()


def test_no_ellipses_and_no_seed_paths_on_request_and_a_bad_count_is_refused() -> None:
    ax = Figure().add_subplot()
    art = draw_band_paths(ax, bands(20)[:1], ellipses=0, seed_paths=False, legend=False)[0]
    assert art.ellipses == []
    assert art.seeds == []
    assert ax.get_legend() is None
    with pytest.raises(ValueError, match="ellipses must be an integer in"):
        draw_band_paths(ax, bands(20)[:1], ellipses=51)


def test_band_figure_puts_the_paths_over_the_surface_beside_the_loss_bands() -> None:
    made = bands(20)[:2]
    fig = band_figure(SURFACE, {b.label: b for b in made}, ellipses=2)
    ax_paths, ax_loss = fig.axes[:2]
    assert ax_paths.get_xlim() == pytest.approx(SURFACE.bounds[0])
    means = [ln for ln in ax_paths.get_lines() if str(ln.get_label()).endswith(": mean path")]
    np.testing.assert_array_equal(np.asarray(means[1].get_xydata()), made[1].mean_path)
    assert ax_loss.get_yscale() == "log"
    with pytest.raises(ValueError, match="bands must be a non-empty list"):
        band_figure(SURFACE, [])
