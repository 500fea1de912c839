"""The classroom presets: read from presets.json, the same scenes as built by hand, and each makes its point."""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rmsprop_viz import scenes
from rmsprop_viz.core.surfaces import Beale, MiniBatchLeastSquares, Noisy, Quadratic, Rosenbrock, Saddle, Shifting
from rmsprop_viz.engine.run import Trajectory
from rmsprop_viz.scenes import OptimizerSpec, Scene, default_scene, read_recipe, surface_to_spec
from rmsprop_viz.scenes.presets import PRESETS_FILE, load_presets

REQUIRED = ["rosenbrock", "ill-conditioned", "rotated", "saddle", "beale", "noisy-bowl", "minibatch", "rescaled"]


def _gaps(name: str) -> tuple[Scene, Any, dict[str, Trajectory], dict[str, np.ndarray]]:
    scene = scenes.get(name)
    surface = scene.build_surface()
    result = scene.run()
    target = float(surface.value(surface.minima[0]))
    return scene, surface, result, {k: t.values[:, 0] - target for k, t in result.items()}


# ------------------------------------------------------------ presets as data


def _spec(kind: str, lr: float, **params: Any) -> OptimizerSpec:
    """A racer as the presets were written in code: RMSProp's and Adam's decays spelled out."""
    decays: dict[str, dict[str, Any]] = {"rmsprop": {"beta": 0.9}, "adam": {"beta1": 0.9, "beta2": 0.999}}
    label = params.pop("label", {"sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSProp", "adam": "Adam"}[kind])
    return OptimizerSpec(kind, {"lr": lr, **decays.get(kind, {}), **params}, label)


def _turned(point: tuple[float, float], degrees: float) -> tuple[float, float]:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return (c * point[0] - s * point[1], s * point[0] + c * point[1])


def _built_by_hand() -> list[Scene]:
    """The presets as they were built in Python before they became data."""
    four = ("sgd", "adagrad", "rmsprop", "adam")
    return [
        default_scene(Rosenbrock()).with_changes(
            caption=(
                "The steep walls cap SGD's rate, so it zig-zags down them and crawls along the flat floor; "
                "Adagrad's steps shrink until it stalls; RMSProp keeps steps of about lr but jitters across the "
                "floor; Adam's momentum smooths the jitter and arrives first."
            ),
        ),
        Scene(
            "ill-conditioned",
            surface_to_spec(Quadratic(condition=25.0, angle=0.0)),
            (_spec("sgd", 0.075), _spec("rmsprop", 0.05)),
            n_steps=60,
            start=(-1.5, 1.0),
            caption=(
                "SGD's rate must suit the steep y axis, so it zig-zags across it and crawls along x; RMSProp "
                "divides each coordinate by its own gradient scale and heads straight in."
            ),
            title="Ill-conditioned bowl: curvature 25× larger along y",
        ),
        Scene(
            "rotated",
            surface_to_spec(Quadratic(condition=25.0, angle=45.0)),
            (_spec("sgd", 0.075), _spec("rmsprop", 0.05)),
            n_steps=60,
            start=_turned((-1.5, 1.0), 45.0),
            caption=(
                "The same bowl and start turned by 45 degrees: SGD's path just turns with them, but the steep "
                "direction is now a diagonal that per-coordinate scaling cannot see, and RMSProp falls far behind."
            ),
            title="The same bowl rotated by 45°",
        ),
        Scene(
            "saddle",
            surface_to_spec(Saddle()),
            tuple(_spec(k, lr) for k, lr in zip(four, (0.05, 0.2, 0.05, 0.05))),
            n_steps=200,
            caption=(
                "Started 0.001 off the saddle's ridge, SGD feels almost no pull along y and sits at the saddle "
                "for 130 steps; the adaptive methods divide by that tiny gradient and are off in a few steps."
            ),
        ),
        Scene(
            "beale",
            surface_to_spec(Beale()),
            tuple(_spec(k, lr) for k, lr in zip(four, (0.005, 0.5, 0.01, 0.2))),
            n_steps=500,
            start=(2.0, 2.0),
            caption=(
                "On the steep ridge the gradient is near 1000: SGD's first step throws it 5 units across the map "
                "(twice this rate diverges), while the adaptive methods step about lr whatever the gradient."
            ),
        ),
        Scene(
            "noisy-bowl",
            surface_to_spec(Noisy(Quadratic(condition=10.0), sigma=1.0, seed=0)),
            tuple(_spec(k, lr) for k, lr in zip(four, (0.05, 0.3, 0.02, 0.02))),
            n_steps=300,
            caption=(
                "Every gradient carries noise of size 1: all four reach the bottom, then jitter around it for good; "
                "Adam, which averages the gradient over about 10 steps, jitters least."
            ),
            title="Noisy bowl: condition 10, gradient noise σ = 1",
        ),
        Scene(
            "minibatch",
            surface_to_spec(MiniBatchLeastSquares()),
            tuple(_spec(k, lr) for k, lr in zip(four, (0.03, 0.2, 0.02, 0.05))),
            n_steps=300,
            caption=(
                "Two weights whose features differ 4-fold in scale: SGD first drops down the steep weight while the "
                "adaptive methods move both at once; near the minimum every path wanders with the batch noise."
            ),
            title="Least squares on mini-batches of 8",
        ),
        Scene(
            "rescaled",
            surface_to_spec(Shifting(Quadratic(condition=4.0), at_step=100, scale=0.01, shift=(2.0, -1.0))),
            tuple(_spec(k, lr) for k, lr in zip(four, (0.38, 0.5, 0.05, 0.05))),
            n_steps=300,
            caption=(
                "At step 100 the loss shrinks 100-fold and its minimum moves: SGD's rate is now 100 times too small "
                "and Adagrad's sum (and Adam's beta2 = 0.999) remember the old gradients, so all three crawl; RMSProp "
                "forgets them in about 1/(1-beta) = 10 steps and walks to the new minimum."
            ),
            title="At step 100 the loss shrinks 100× and its minimum moves to (2, −1)",
        ),
        Scene(
            "first-step",
            surface_to_spec(Quadratic(condition=10.0)),
            (
                _spec("rmsprop", 0.05, beta=0.99, label="RMSProp, beta 0.99"),
                _spec("rmsprop", 0.05, label="RMSProp, beta 0.9"),
                _spec("adam", 0.05),
            ),
            n_steps=30,
            start=(0.2, 0.1),
            caption=(
                "v starts at 0, so however close to the minimum, RMSProp's first step is lr/sqrt(1-beta) in every "
                "coordinate: 10 lr at beta 0.99, past the minimum, 3.2 lr at 0.9; Adam's bias correction makes it lr."
            ),
            title="RMSProp's first step is lr/√(1−β), whatever the gradient",
        ),
        Scene(
            "eps-place",
            surface_to_spec(Quadratic(condition=10.0, scale=0.01)),
            (
                _spec("rmsprop", 0.05, eps=0.001, eps_in_sqrt=True, label="RMSProp, eps inside the root"),
                _spec("rmsprop", 0.05, eps=0.001, eps_in_sqrt=False, label="RMSProp, eps outside the root"),
            ),
            n_steps=150,
            start=(1.5, 1.0),
            caption=(
                "Both runs use ε = 0.001 on a bowl whose gradients are small. Inside the root, √(v + ε) never falls "
                "below √ε ≈ 0.032, so along x, where g² ≈ 2e-4 is below ε, the steps shrink with g as SGD's do (first"
                " step 0.023 in x); outside, √v + ε ≈ √v, and the first step is near α/√(1−β) = 0.16 in both "
                "coordinates (0.13 in x, 0.15 in y)."
            ),
            title="ε inside or outside the root: one RMSProp, two conventions",
        ),
        Scene(
            "bias-correction",
            surface_to_spec(Quadratic(condition=10.0)),
            (_spec("adam", 0.05), _spec("adam", 0.05, bias_correction=False, label="Adam, no bias correction")),
            n_steps=150,
            start=(1.5, 1.0),
            caption=(
                "m and v both start at 0, but v forgets a hundred times more slowly (β₂ = 0.999 remembers about 1000 "
                "steps, β₁ = 0.9 about 10), so without correction m/√v starts at (1−β₁)/√(1−β₂) ≈ 3.16 times the "
                "gradient's sign: the first step is 3.16 α = 0.158 and grows to 0.24 by step 3. With bias correction "
                "the first step is exactly α = 0.05."
            ),
            title="Adam with and without bias correction",
        ),
    ]


def test_the_presets_read_from_json_are_the_scenes_built_by_hand() -> None:
    expected = _built_by_hand()
    assert scenes.names() == [scene.name for scene in expected]
    for scene in expected:
        loaded = scenes.get(scene.name)
        assert loaded == scene, scene.name
        assert loaded.to_recipe() == scene.to_recipe(), scene.name  # the same numbers, bit for bit
        assert loaded.legend_labels() == scene.legend_labels(), scene.name


def test_the_presets_are_package_data() -> None:
    text = resources.files("rmsprop_viz.scenes").joinpath(PRESETS_FILE).read_text(encoding="utf-8")
    assert load_presets(text) == scenes.SCENES
    assert json.loads(text)["format"] == scenes.RECIPE_FORMAT


def test_each_preset_copied_into_a_file_is_a_recipe(tmp_path: Path) -> None:
    data = json.loads(resources.files("rmsprop_viz.scenes").joinpath(PRESETS_FILE).read_text(encoding="utf-8"))
    for entry in data["scenes"]:
        path = tmp_path / f"{entry['name']}.json"
        path.write_text(json.dumps({"format": data["format"], "version": data["version"], **entry}), encoding="utf-8")
        assert Scene.from_recipe(read_recipe(path)) == scenes.get(entry["name"])


def _presets_text(*entries: Any, version: Any = 1) -> str:
    return json.dumps({"format": scenes.RECIPE_FORMAT, "version": version, "scenes": list(entries)})


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[]", "presets: a recipe must be a JSON object, got list"),
        (
            '{"format": "rmsprop_viz recipe", "version": 1}',
            "presets: the file must hold a JSON object with a list 'scenes'",
        ),
        ('{"scenes": [], "scenes": []}', "presets: not valid JSON (the key 'scenes' is given twice in one object)"),
        (
            _presets_text({"name": "x", "n_steps": float("nan")}),
            "presets: not valid JSON (JSON has no NaN; a recipe holds finite numbers only)",
        ),
        (_presets_text("saddle"), "presets: scenes[0] must be a JSON object"),
        (_presets_text({"name": "x"}), "presets: scenes[0]: recipe is missing the key 'surface'"),
        (_presets_text({"name": "x"}, version=2), "presets: scenes[0]: recipe 'version' must be 1, got 2"),
        (
            _presets_text(
                *[{k: v for k, v in scenes.get("saddle").to_recipe().items() if k not in ("format", "version")}] * 2
            ),
            "presets: scenes[1]: the name 'saddle' is used twice",
        ),
    ],
)
def test_a_broken_presets_file_names_the_entry(text: str, words: str) -> None:
    with pytest.raises(ValueError, match="presets") as info:
        load_presets(text)
    assert str(info.value) == words


# ------------------------------------------------------------------------ presets


def test_the_classroom_presets_exist() -> None:
    assert set(REQUIRED) <= set(scenes.names())
    assert list(scenes.SCENES) == scenes.names()
    for name in scenes.names():
        scene = scenes.get(name)
        assert scene.name == name
        assert scene.caption
        assert "\n" not in scene.caption


@pytest.mark.parametrize("name", scenes.names())
def test_every_scene_runs_and_stays_finite(name: str) -> None:
    scene = scenes.get(name)
    result = scene.run()  # warnings are errors in this suite: no numpy warning may escape
    assert list(result) == [s.label for s in scene.optimizers]
    labels = scene.legend_labels()
    assert len(set(labels)) == len(labels) == len(scene.optimizers)
    if "diverge" in scene.caption:
        return
    for label, traj in result.items():
        assert traj.n_steps == scene.n_steps
        assert int(traj.diverged_at[0]) == -1, f"{name}: {label} diverged at step {traj.diverged_at[0]}"
        assert np.isfinite(traj.params).all()
        assert np.isfinite(traj.values).all()


def test_get_unknown_scene_lists_the_names() -> None:
    with pytest.raises(ValueError, match="scene must be one of rosenbrock, ill-conditioned") as info:
        scenes.get("banana")
    assert "banana" in str(info.value)


# --------------------------------------------------- each preset makes its point


def test_rosenbrock_scene() -> None:
    _, _, _, gap = _gaps("rosenbrock")
    final = {k: v[-1] for k, v in gap.items()}
    assert min(final, key=final.__getitem__) == "Adam"  # arrives first
    assert max(final, key=final.__getitem__) == "Adagrad"  # stalls
    assert final["RMSProp"] < final["SGD"] < 1.0  # SGD crawls along the floor


def test_ill_conditioned_scene() -> None:
    _, _, result, gap = _gaps("ill-conditioned")
    sgd_y = result["SGD"].params[:20, 0, 1]
    rms_y = result["RMSProp"].params[:20, 0, 1]
    assert np.count_nonzero(np.diff(np.sign(sgd_y))) >= 15  # SGD zig-zags across the steep axis
    assert np.count_nonzero(np.diff(np.sign(rms_y))) == 0  # RMSProp does not
    assert gap["RMSProp"][-1] < gap["SGD"][-1] / 100


def test_rotated_scene_removes_rmsprops_advantage() -> None:
    _, _, _, gap = _gaps("rotated")
    _, _, _, axis_aligned = _gaps("ill-conditioned")
    assert gap["SGD"][-1] < gap["RMSProp"][-1] / 100
    assert gap["RMSProp"][-1] > 1000 * axis_aligned["RMSProp"][-1]
    # Bowl and start turned together: SGD's losses are the same, up to rounding.
    np.testing.assert_allclose(gap["SGD"], axis_aligned["SGD"], rtol=1e-9)


def test_saddle_scene() -> None:
    _, _, result, gap = _gaps("saddle")
    left = {k: int(np.argmax(t.params[:, 0, 1] > 0.5)) for k, t in result.items()}
    assert left["SGD"] > 100
    assert all(left[k] <= 15 for k in ("Adagrad", "RMSProp", "Adam"))
    assert all(v[-1] < 1e-3 for v in gap.values())  # everyone gets there in the end


def test_beale_scene() -> None:
    scene, _, result, gap = _gaps("beale")
    first = {k: float(np.linalg.norm(t.updates[0, 0])) for k, t in result.items()}
    assert first["SGD"] > 4.0  # thrown across the map
    assert all(first[k] < 1.0 for k in ("Adagrad", "RMSProp", "Adam"))
    assert gap["RMSProp"][-1] < gap["SGD"][-1]
    doubled = scene.with_changes(optimizers=(OptimizerSpec("sgd", {"lr": 0.01}),)).run()["SGD"]
    assert doubled.diverged_at[0] > 0


def test_noisy_bowl_scene() -> None:
    _, _, _, gap = _gaps("noisy-bowl")
    jitter = {k: float(v[150:].mean()) for k, v in gap.items()}
    assert min(jitter, key=jitter.__getitem__) == "Adam"
    assert all(v[-1] > 1e-6 for v in gap.values())  # nobody settles
    assert all((v[:150] < 0.1).any() for v in gap.values())  # everybody reaches the bottom


def test_minibatch_scene() -> None:
    _, _, _, gap = _gaps("minibatch")
    for v in gap.values():
        assert (v[:150] < 0.1).any()
        assert v[150:].min() > 1e-7  # wanders, never sits on the minimum
        assert v[-1] < 0.05


def test_rescaled_scene() -> None:
    _, surface, result, gap = _gaps("rescaled")
    new = np.asarray(surface.minima[-1])
    distance = {k: np.linalg.norm(t.params[:, 0] - new, axis=1) for k, t in result.items()}
    assert all(v[99] < 1e-3 for v in gap.values())  # the first minimum was reached
    assert distance["RMSProp"][200] < 0.05
    assert all(distance[k][-1] > 0.5 for k in ("SGD", "Adagrad", "Adam"))


def test_first_step_scene() -> None:
    _, _, result, _ = _gaps("first-step")
    lr = 0.05
    steps = {k: np.abs(t.updates[0, 0]) for k, t in result.items()}
    np.testing.assert_allclose(steps["RMSProp, beta 0.99"], 10 * lr, rtol=1e-4)
    np.testing.assert_allclose(steps["RMSProp, beta 0.9"], lr / np.sqrt(0.1), rtol=1e-4)
    np.testing.assert_allclose(steps["Adam"], lr, rtol=1e-4)


def test_the_variant_scenes_show_what_their_captions_say() -> None:
    # eps inside the root: sqrt(v + eps) >= sqrt(eps), so where g^2 < eps the step is
    # about lr * g / sqrt((1 - beta) g^2 + eps); outside, lr * g / (sqrt((1 - beta) g^2) + eps).
    runs = scenes.get("eps-place").run()
    inside, outside = (runs[label].updates[0, 0] for label in runs)
    g = np.array([0.01 * 1.5, 0.01 * 10.0 * 1.0])  # the bowl's gradient at the start, by hand
    np.testing.assert_allclose(np.abs(inside), 0.05 * g / np.sqrt(0.1 * g**2 + 0.001), rtol=1e-12)
    np.testing.assert_allclose(np.abs(outside), 0.05 * g / (np.sqrt(0.1 * g**2) + 0.001), rtol=1e-12)
    assert round(float(abs(inside[0])), 3) == 0.023
    assert round(float(abs(outside[0])), 2) == 0.13
    assert round(float(abs(outside[1])), 2) == 0.15
    # Adam without bias correction: m / sqrt(v) = (1 - b1) g / sqrt((1 - b2) g^2) at step 1
    runs = scenes.get("bias-correction").run()
    corrected, raw = (runs[label] for label in runs)
    np.testing.assert_allclose(np.abs(corrected.updates[0, 0]), 0.05, rtol=1e-6)
    np.testing.assert_allclose(np.abs(raw.updates[0, 0]), 0.05 * 0.1 / np.sqrt(0.001), rtol=1e-6)
    assert round(float(np.abs(raw.updates[2, 0]).max()), 2) == 0.24
