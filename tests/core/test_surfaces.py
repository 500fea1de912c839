"""Loss surfaces: analytic gradients, broadcasting, minima, noise and input checks."""

from __future__ import annotations

import dataclasses
import inspect
import math
import re

import numpy as np
import pytest

from rmsprop_viz.core import surfaces
from rmsprop_viz.core.surfaces import MiniBatchLeastSquares, Noisy, Quadratic, Rosenbrock, Shifting

# Every registered surface with its default parameters, plus a few non-default ones.
DEFAULT_SURFACES = {name: surfaces.get(name) for name in surfaces.names()}
EXTRA_SURFACES = {
    "quadratic-50-30-2": Quadratic(condition=50, angle=30, scale=2),
    "rosenbrock-2-10": Rosenbrock(a=2, b=10),
    "shifting-rosenbrock": Shifting(base=Rosenbrock(), at_step=5, scale=3, shift=(0.5, -0.2)),
    "noisy-rosenbrock": Noisy(Rosenbrock(), sigma=0.3, seed=4),
}
ALL_SURFACES = {**DEFAULT_SURFACES, **EXTRA_SURFACES}


def random_points(surface, n=20, seed=0):
    """``n`` points drawn uniformly inside the surface's plot window."""
    (x0, x1), (y0, y1) = surface.bounds
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def central_differences(value, points, step=0):
    """Central finite differences of ``value(points, step)``, relative step 1e-6."""
    points = np.asarray(points, dtype=np.float64)
    out = np.empty_like(points)
    for i in range(2):
        h = 1e-6 * np.maximum(1.0, np.abs(points[:, i]))
        plus, minus = points.copy(), points.copy()
        plus[:, i] += h
        minus[:, i] -= h
        # Divide by the step actually taken, after rounding of points +- h.
        out[:, i] = (value(plus, step) - value(minus, step)) / (plus[:, i] - minus[:, i])
    return out


def assert_gradient_matches(grad, fd):
    # rtol 1e-5 plus an absolute floor proportional to each point's gradient size: a
    # coordinate whose derivative is near zero next to a large one carries the rounding
    # error of the large one (|f| * 1e-16 / h).
    scale = 1.0 + np.linalg.norm(grad, axis=-1, keepdims=True)
    assert np.all(np.abs(grad - fd) <= 1e-5 * np.abs(fd) + 1e-6 * scale), np.max(np.abs(grad - fd))


def noise_free(surface):
    """The surface with any gradient noise switched off, or None for a mini-batch surface."""
    if isinstance(surface, Noisy):
        return dataclasses.replace(surface, sigma=0.0)
    return surface


# ------------------------------------------------------------------ gradients


@pytest.mark.parametrize("name", list(ALL_SURFACES))
def test_gradient_matches_finite_differences(name):
    surface = ALL_SURFACES[name]
    if isinstance(surface, MiniBatchLeastSquares):
        # The noise-free gradient of a mini-batch surface is the full-data one.
        points = random_points(surface)
        assert_gradient_matches(surface.full_grad(points), central_differences(surface.value, points))
        return
    surface = noise_free(surface)
    points = random_points(surface)
    assert_gradient_matches(surface.grad(points), central_differences(surface.value, points))


def test_noisy_with_zero_sigma_is_its_base():
    base = Rosenbrock()
    surface = Noisy(base, sigma=0.0, seed=4)
    points = random_points(surface)
    for step in (0, 1, 17):
        np.testing.assert_array_equal(surface.grad(points, step=step), base.grad(points))
        np.testing.assert_array_equal(surface.value(points, step=step), base.value(points))


@pytest.mark.parametrize("name", ["noisy", "noisy-rosenbrock"])
def test_noisy_gradient_is_base_gradient_plus_one_noise_vector_per_step(name):
    surface = ALL_SURFACES[name]
    base = surface.base
    points = random_points(surface, seed=1)
    noises = []
    for step in range(6):
        noise = surface.grad(points, step=step) - base.grad(points)
        # The same vector for every point at this step (up to rounding of g + noise).
        np.testing.assert_allclose(noise, np.broadcast_to(noise[0], noise.shape), rtol=0, atol=1e-9)
        assert np.all(np.abs(noise[0]) > 0)
        noises.append(noise[0])
    noises = np.array(noises)
    # ... and a different vector at each step.
    for i in range(len(noises)):
        for j in range(i):
            assert not np.allclose(noises[i], noises[j])
    # Its size is sigma times a standard normal: nothing absurd.
    assert np.all(np.abs(noises) < 6 * surface.sigma)


def test_noisy_value_is_noise_free():
    surface = Noisy(Rosenbrock(), sigma=0.3, seed=4)
    points = random_points(surface)
    for step in (0, 5):
        np.testing.assert_array_equal(surface.value(points, step=step), Rosenbrock().value(points))


def test_minibatch_full_grad_matches_finite_differences_and_the_batch_average():
    surface = MiniBatchLeastSquares()
    points = random_points(surface, n=5, seed=2)
    assert_gradient_matches(surface.full_grad(points), central_differences(surface.value, points))

    n = 2000
    batches = np.array([surface.grad(points, step=step) for step in range(n)])  # (n, 5, 2)
    mean = batches.mean(axis=0)
    # The batch gradients really are noisy ...
    assert np.all(batches.std(axis=0) > 1e-3)
    # ... and unbiased: the average is within 5 standard errors of the full gradient.
    standard_error = batches.std(axis=0) / np.sqrt(n)
    assert np.all(np.abs(mean - surface.full_grad(points)) < 5 * standard_error)
    # A single batch is not the full gradient.
    assert not np.allclose(batches[0], surface.full_grad(points))


def test_minibatch_gradient_is_reproducible_per_step():
    a, b = MiniBatchLeastSquares(seed=3), MiniBatchLeastSquares(seed=3)
    w = np.array([[0.2, -0.1], [1.0, 2.0]])
    np.testing.assert_array_equal(a.grad(w, step=7), b.grad(w, step=7))
    assert not np.array_equal(a.grad(w, step=7), a.grad(w, step=8))
    assert not np.array_equal(a.grad(w, step=7), MiniBatchLeastSquares(seed=4).grad(w, step=7))


@pytest.mark.parametrize("name", ["shifting", "shifting-rosenbrock"])
def test_shifting_gradient_matches_finite_differences_before_and_after_the_shift(name):
    surface = ALL_SURFACES[name]
    points = random_points(surface)
    for step in (0, surface.at_step - 1, surface.at_step, surface.at_step + 3):
        fd = central_differences(surface.value, points, step)
        assert_gradient_matches(surface.grad(points, step=step), fd)


def test_shifting_changes_the_objective_at_at_step():
    base = Rosenbrock()
    surface = Shifting(base=base, at_step=5, scale=3, shift=(0.5, -0.2))
    points = random_points(surface)
    np.testing.assert_array_equal(surface.value(points, step=4), base.value(points))
    np.testing.assert_array_equal(surface.grad(points, step=4), base.grad(points))
    moved = points - np.array([0.5, -0.2])
    np.testing.assert_allclose(surface.value(points, step=5), 3 * base.value(moved), rtol=1e-14)
    np.testing.assert_allclose(surface.grad(points, step=5), 3 * base.grad(moved), rtol=1e-14)
    # An array of steps selects per element.
    steps = np.array([[4], [5]])
    both = surface.value(points[None, :2], step=steps)
    np.testing.assert_allclose(both[0], base.value(points[:2]), rtol=1e-14)
    np.testing.assert_allclose(both[1], 3 * base.value(moved[:2]), rtol=1e-14)


# --------------------------------------------------------------- broadcasting


@pytest.mark.parametrize("name", list(ALL_SURFACES))
def test_value_and_grad_broadcast_over_a_grid(name):
    surface = ALL_SURFACES[name]
    grid = random_points(surface, n=35, seed=3).reshape(5, 7, 2)
    values = surface.value(grid, step=2)
    grads = surface.grad(grid, step=2)
    assert values.shape == (5, 7)
    assert grads.shape == (5, 7, 2)
    assert values.dtype == grads.dtype == np.float64
    one_by_one_values = np.array([[surface.value(grid[i, j], step=2) for j in range(7)] for i in range(5)])
    one_by_one_grads = np.array([[surface.grad(grid[i, j], step=2) for j in range(7)] for i in range(5)])
    # Same formulas; allow for last-bit differences of vectorised transcendental functions.
    np.testing.assert_allclose(values, one_by_one_values, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(grads, one_by_one_grads, rtol=1e-13, atol=1e-12)


@pytest.mark.parametrize("name", list(ALL_SURFACES))
def test_single_point_gives_scalar_value_and_2_vector(name):
    surface = ALL_SURFACES[name]
    assert np.shape(surface.value(surface.default_start)) == ()
    assert surface.grad(surface.default_start).shape == (2,)


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((4, 3)), 1.0])
def test_points_of_the_wrong_shape_are_rejected(bad):
    with pytest.raises(ValueError, match=r"points must have shape \(\.\.\., 2\)"):
        Rosenbrock().value(bad)
    with pytest.raises(ValueError, match=r"points must have shape \(\.\.\., 2\)"):
        Rosenbrock().grad(bad)


# --------------------------------------------------------- minima and windows


def inside(point, bounds):
    (x0, x1), (y0, y1) = bounds
    return x0 <= point[0] <= x1 and y0 <= point[1] <= y1


def noise_free_grad(surface, points, step):
    if isinstance(surface, MiniBatchLeastSquares):
        return surface.full_grad(points)
    return noise_free(surface).grad(points, step=step)


@pytest.mark.parametrize("name", list(ALL_SURFACES))
def test_minima_are_stationary_lower_than_the_start_and_inside_the_window(name):
    surface = ALL_SURFACES[name]
    assert len(surface.minima) >= 1
    assert inside(surface.default_start, surface.bounds)
    # Time-varying surfaces: each listed minimum is a minimum before or after the change.
    steps = (0, surface.at_step) if isinstance(surface, Shifting) else (0,)
    for minimum in surface.minima:
        assert inside(minimum, surface.bounds), minimum
        ok = []
        for step in steps:
            g = noise_free_grad(surface, np.array(minimum), step)
            start_value = float(surface.value(surface.default_start, step=step))
            ok.append(np.allclose(g, 0.0, atol=1e-9) and float(surface.value(minimum, step=step)) <= start_value)
        assert any(ok), (minimum, ok)


@pytest.mark.parametrize(
    ("surface", "value"),
    [
        (Rosenbrock(), 0.0),
        (Rosenbrock(a=2, b=10), 0.0),
        (Quadratic(condition=50, angle=30, scale=2), 0.0),
        (surfaces.get("beale"), 0.0),
        (surfaces.get("himmelblau"), 0.0),
        (surfaces.get("saddle"), -0.25),
        (surfaces.get("rastrigin"), 0.0),
    ],
)
def test_known_minimum_values(surface, value):
    for minimum in surface.minima:
        assert float(surface.value(minimum)) == pytest.approx(value, abs=1e-12)


def test_minibatch_minimum_is_the_least_squares_solution():
    surface = MiniBatchLeastSquares()
    a, y = surface.data
    solution, *_ = np.linalg.lstsq(a, y, rcond=None)
    np.testing.assert_allclose(surface.minima[0], solution, rtol=1e-10)
    # Close to the weights the data were made from.
    np.testing.assert_allclose(solution, MiniBatchLeastSquares.true_weights, atol=0.2)


def test_shifting_lists_the_moved_minimum():
    surface = Shifting(base=Rosenbrock(), at_step=5, scale=3, shift=(0.5, -0.2))
    assert surface.minima == ((1.0, 1.0), (1.5, 0.8))
    # A shift that moves nothing does not list the minimum twice.
    assert Shifting(base=Rosenbrock(), shift=(0.0, 0.0)).minima == ((1.0, 1.0),)


@pytest.mark.parametrize("name", surfaces.names())
def test_every_surface_states_its_window_minima_and_start_the_same_way(name):
    cls = surfaces.REGISTRY[name]
    surface = surfaces.get(name)
    for attribute in ("bounds", "minima", "default_start"):
        # One way for all: a read-only property computed from the parameters, not a field.
        assert isinstance(inspect.getattr_static(cls, attribute), property), attribute
        assert attribute not in {f.name for f in dataclasses.fields(cls)}, attribute
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(surface, attribute, None)
    (x0, x1), (y0, y1) = surface.bounds
    assert all(isinstance(v, float) for v in (x0, x1, y0, y1))
    assert x0 < x1
    assert y0 < y1
    assert all(len(m) == 2 and all(isinstance(v, float) for v in m) for m in surface.minima)
    assert len(surface.default_start) == 2
    assert all(isinstance(v, float) for v in surface.default_start)


@pytest.mark.parametrize("name", surfaces.names())
def test_every_surface_writes_its_loss_and_gradient(name):
    cls = surfaces.REGISTRY[name]
    surface = surfaces.get(name)
    doc = cls.__doc__ or ""
    assert ".. math::" in doc
    assert "\\nabla f" in doc or "\\tilde g" in doc, name
    assert surface.formula, name
    assert surface.tex.startswith("$"), name


def test_parameters_move_the_stated_window_minima_and_start():
    # The properties follow the parameters: Rosenbrock's minimum is (a, a^2), the
    # wrappers state what their base states, a shift adds the moved minimum.
    assert Rosenbrock(a=2.0).minima == ((2.0, 4.0),)
    assert Rosenbrock(a=2.0).bounds[1][1] >= 5.0
    base = Rosenbrock(a=-1.5)
    noisy = Noisy(base, sigma=0.1)
    assert (noisy.bounds, noisy.minima, noisy.default_start) == (base.bounds, base.minima, base.default_start)
    assert Shifting(base, shift=(1.0, 0.0)).minima == ((-1.5, 2.25), (-0.5, 2.25))


class OwnBowl:
    """A user's surface: the protocol only, no xy formulas."""

    name = "own bowl"
    bounds = ((-1.0, 1.0), (-1.0, 1.0))
    minima = ((0.0, 0.0),)
    default_start = (0.5, 0.5)

    def value(self, points, step=0):
        p = np.asarray(points, dtype=np.float64)
        return p[..., 0] ** 2 + 3.0 * p[..., 1] ** 2

    def grad(self, points, step=0):
        p = np.asarray(points, dtype=np.float64)
        return np.stack([2.0 * p[..., 0], 6.0 * p[..., 1]], axis=-1)


def test_xy_formulas_are_a_surfaces_own_or_adapters_around_value_and_grad():
    rosenbrock = Rosenbrock()
    assert surfaces.xy_formulas(rosenbrock) == (rosenbrock.value_xy, rosenbrock.grad_xy)
    value_xy, grad_xy = surfaces.xy_formulas(OwnBowl())
    # Floats in, floats out: f(1, 2) = 1 + 12, grad = (2, 12).
    assert value_xy(1.0, 2.0) == 13.0
    assert grad_xy(1.0, 2.0) == (2.0, 12.0)
    x, y = np.array([[1.0], [-1.0]]), np.array([[2.0], [0.5]])
    np.testing.assert_array_equal(value_xy(x, y), [[13.0], [1.75]])
    gx, gy = grad_xy(x, y)
    np.testing.assert_array_equal(gx, [[2.0], [-2.0]])
    np.testing.assert_array_equal(gy, [[12.0], [3.0]])


def test_only_the_registered_surfaces_built_on_registered_surfaces_are_builtin():
    @dataclasses.dataclass(frozen=True)
    class Steeper(Rosenbrock):
        pass

    assert all(surfaces.is_builtin_surface(surfaces.get(name)) for name in surfaces.names())
    assert surfaces.is_builtin_surface(Shifting(Noisy(Rosenbrock())))
    assert not surfaces.is_builtin_surface(Steeper())
    assert not surfaces.is_builtin_surface(OwnBowl())
    assert not surfaces.is_builtin_surface(Noisy(OwnBowl()))
    assert not surfaces.is_builtin_surface(Shifting(Noisy(Steeper())))


# -------------------------------------------------------------------- noise


def test_noise_is_keyed_by_seed_and_step_only():
    surface = Noisy(Quadratic(), sigma=0.5, seed=3)
    base = Quadratic()
    far_apart = np.array([[1.9, -1.9], [-0.3, 0.2], [0.0, 0.0]])
    noise = surface.grad(far_apart, step=11) - base.grad(far_apart)
    np.testing.assert_allclose(noise, np.broadcast_to(noise[0], (3, 2)), atol=1e-12)
    # An equal surface built separately draws the same noise.
    again = Noisy(Quadratic(), sigma=0.5, seed=3).grad(far_apart[:1], step=11) - base.grad(far_apart[:1])
    np.testing.assert_allclose(again[0], noise[0], atol=1e-12)
    # Asking for other steps first changes nothing.
    surface.grad(far_apart, step=2048)
    surface.grad(far_apart, step=5)
    np.testing.assert_array_equal(surface.grad(far_apart, step=11) - base.grad(far_apart), noise)
    # Another seed draws other noise.
    other = Noisy(Quadratic(), sigma=0.5, seed=4).grad(far_apart, step=11) - base.grad(far_apart)
    assert not np.allclose(other, noise)


def test_every_optimizer_in_a_race_sees_the_same_noise():
    import rmsprop_viz as rv

    surface = Noisy(Quadratic(), sigma=0.5, seed=3)
    result = rv.race(
        surface,
        {"sgd": rv.sgd(lr=0.05), "rmsprop": rv.rmsprop(lr=0.01), "adam": rv.adam(lr=0.02)},
        n_steps=30,
    )
    noises = []
    for traj in result.values():
        assert not traj.diverged.any()
        noises.append(traj.grads[:, 0] - Quadratic().grad(traj.params[:-1, 0]))
    # The paths differ, the noise does not.
    assert not np.allclose(result["sgd"].params, result["adam"].params)
    for noise in noises[1:]:
        np.testing.assert_allclose(noise, noises[0], atol=1e-12)
    # And it is the noise a direct call gets at any point.
    for step in (0, 13, 29):
        direct = surface.grad([0.7, -0.4], step=step) - Quadratic().grad([0.7, -0.4])
        np.testing.assert_allclose(noises[0][step], direct, atol=1e-12)


def test_noisy_needs_an_integer_step_for_its_gradient():
    with pytest.raises(ValueError, match="step"):
        Noisy(Quadratic(), sigma=0.5).grad([0.0, 0.0], step=np.array([1, 2]))


# ---------------------------------------------------------------- bad input


def test_unknown_surface_name():
    with pytest.raises(ValueError, match=r"surface must be one of .*rosenbrock.*; got 'nope'"):
        surfaces.get("nope")


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        (
            lambda: surfaces.get("quadratic", condition=0.5),
            r"condition must be a finite number in \[1, 1e\+08\], got 0\.5",
        ),
        (lambda: Quadratic(condition=float("nan")), r"condition must be a finite number in \[1, 1e\+08\], got nan"),
        (lambda: Quadratic(condition=1e300), r"condition must be a finite number in \[1, 1e\+08\], got 1e\+300"),
        (lambda: Quadratic(scale=0), r"scale must be a finite number in \[1e-08, 1e\+08\], got 0\.0"),
        (lambda: Quadratic(scale=1e300), r"scale must be a finite number in \[1e-08, 1e\+08\]"),
        (lambda: Quadratic(scale=1e-300), r"scale must be a finite number in \[1e-08, 1e\+08\]"),
        (lambda: Quadratic(angle=float("inf")), r"angle must be a finite number in \[-360, 360\], got inf"),
        (lambda: Quadratic(angle=1e20), r"angle must be a finite number in \[-360, 360\]"),
        (lambda: Noisy(sigma=-1), r"sigma must be a finite number in \[0, 1e\+06\], got -1\.0"),
        (lambda: Noisy(sigma=1e300), r"sigma must be a finite number in \[0, 1e\+06\]"),
        (lambda: Noisy(seed=-1), r"seed must be an integer >= 0, got -1"),
        (lambda: Rosenbrock(b=-1), r"b must be a finite number in \(0, 1e\+06\], got -1\.0"),
        (lambda: Rosenbrock(b=1e300), r"b must be a finite number in \(0, 1e\+06\]"),
        (lambda: Rosenbrock(a=1e200), r"a must be a finite number in \[-10, 10\]"),
        (lambda: Shifting(at_step=2.5), r"at_step must be an integer in \[0, 1000000\], got 2\.5"),
        (lambda: Shifting(at_step=10**12), r"at_step must be an integer in \[0, 1000000\]"),
        (lambda: Shifting(scale=0.0), r"scale must be a finite number in \[1e-08, 1e\+08\]"),
        (lambda: Shifting(scale=1e300), r"scale must be a finite number in \[1e-08, 1e\+08\]"),
        (lambda: Shifting(shift=(0.0, float("nan"))), r"shift must be a point \(x, y\)"),
        (lambda: Shifting(shift=(1e300, 0.0)), r"shift must be two numbers in \[-1000, 1000\]"),
        (lambda: MiniBatchLeastSquares(batch_size=0), r"batch_size must be an integer in \[1, 256\], got 0"),
        (lambda: MiniBatchLeastSquares(batch_size=10**12), r"batch_size must be an integer in \[1, 256\]"),
        (lambda: MiniBatchLeastSquares(n_samples=10**12), r"n_samples must be an integer in \[2, 1000000\]"),
        (
            lambda: MiniBatchLeastSquares(feature_scales=(1.0, 0.0)),
            r"feature_scales must be two numbers in \[0\.001, 1000\]",
        ),
        (lambda: MiniBatchLeastSquares(feature_scales=(1e200, 1.0)), r"feature_scales must be two numbers in"),
        (lambda: MiniBatchLeastSquares(noise=1e300), r"noise must be a finite number in \[0, 1000\]"),
        (lambda: Noisy(base="nope"), r"surface must be one of"),
        (lambda: Noisy(base=42), r"base must be a surface"),
    ],
)
def test_bad_parameters_name_the_parameter_and_the_range(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_unknown_keyword_names_the_accepted_parameters():
    with pytest.raises(ValueError, match=re.escape("surface 'quadratic' takes the parameters condition, angle, scale")):
        surfaces.get("quadratic", bogus=1)
    with pytest.raises(ValueError, match="bogus"):
        surfaces.get("quadratic", bogus=1)


def test_get_builds_the_named_surface_with_parameters():
    assert surfaces.get("quadratic", condition=50, angle=45) == Quadratic(condition=50, angle=45)
    assert surfaces.get("Rosenbrock") == Rosenbrock()
    noisy = surfaces.get("noisy", base="rosenbrock", sigma=0.2)
    assert noisy.base == Rosenbrock()
    assert noisy.sigma == 0.2


def test_names_lists_every_registered_surface():
    assert surfaces.names() == [
        "rosenbrock",
        "quadratic",
        "beale",
        "himmelblau",
        "saddle",
        "rastrigin",
        "noisy",
        "minibatch",
        "shifting",
    ]
    for name in surfaces.names():
        surface = surfaces.get(name)
        assert surface.name == name
        assert isinstance(surface, surfaces.Surface)


def test_surfaces_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Quadratic().condition = 3.0  # type: ignore[misc]


def test_max_curvature_matches_the_analytic_hessian_and_is_nan_far_out():
    # Rosenbrock: H = [[2 - 4b(y - 3x^2), -4bx], [-4bx, 2b]]; at (1, 1) with b = 100:
    # [[802, -400], [-400, 200]], largest eigenvalue 501 + sqrt(301^2 + 400^2).
    expected = 501.0 + math.sqrt(301.0**2 + 400.0**2)
    assert surfaces.max_curvature(Rosenbrock(), (1.0, 1.0)) == pytest.approx(expected, rel=1e-6)
    # Far out the gradients overflow: no answer, and no numpy warning (errors here).
    assert math.isnan(surfaces.max_curvature(Rosenbrock(), (1e300, 0.0)))


def test_titles_show_the_surface_s_own_numbers() -> None:
    assert Rosenbrock(a=2.0, b=50.0).tex == r"$(2 - x)^2 + 50\,(y - x^2)^2$"
    assert Quadratic(condition=10.0).tex == r"$\frac{1}{2}\,(x^2 + 10\, y^2)$"
    turned = Quadratic(condition=50.0, angle=45.0, scale=0.001).tex
    assert turned == r"$\frac{0.001}{2}\,(u^2 + 50\, w^2)$, $(u, w)$ = $(x, y)$ rotated by 45°"
