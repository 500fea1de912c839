"""Property-based tests of the optimizers and the step loop (hypothesis).

Strategies draw only valid, finite hyperparameters and starts: any error or warning
(pytest turns warnings into errors) is a failure of the package.
"""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import rmsprop_viz as rv
from rmsprop_viz.core.surfaces import Quadratic, Rosenbrock

SETTINGS = settings(max_examples=50, deadline=None)


def floats(low, high, **kwargs):
    return st.floats(low, high, allow_nan=False, allow_infinity=False, **kwargs)


def log_uniform(low, high):
    """Positive floats spread evenly over the decades between ``low`` and ``high``."""
    return floats(np.log10(low), np.log10(high)).map(lambda e: float(10.0**e))


lrs = log_uniform(1e-5, 1.0)
betas = floats(0.0, 0.999)
epss = log_uniform(1e-12, 1e-1)
momenta = floats(0.0, 0.99)
flags = st.booleans()


@st.composite
def optimizers(draw):
    """Any optimizer family with any valid hyperparameters."""
    family = draw(st.sampled_from(["sgd", "adagrad", "rmsprop", "adam"]))
    lr = draw(lrs)
    if family == "sgd":
        momentum = draw(momenta)
        nesterov = momentum > 0 and draw(flags)
        return rv.sgd(lr=lr, momentum=momentum, nesterov=nesterov)
    if family == "adagrad":
        return rv.adagrad(lr=lr, eps=draw(epss), initial_accumulator=draw(floats(0.0, 10.0)), eps_in_sqrt=draw(flags))
    if family == "rmsprop":
        return rv.rmsprop(
            lr=lr,
            beta=draw(betas),
            eps=draw(epss),
            eps_in_sqrt=draw(flags),
            centered=draw(flags),
            momentum=draw(st.sampled_from([0.0, draw(momenta)])),
            initial_v=draw(floats(0.0, 10.0)),
            bias_correction=draw(flags),
        )
    return rv.adam(
        lr=lr,
        beta1=draw(betas),
        beta2=draw(betas),
        eps=draw(epss),
        bias_correction=draw(flags),
        amsgrad=draw(flags),
    )


surfaces_under_test = st.sampled_from(
    [Rosenbrock(), Quadratic(), Quadratic(condition=100.0, angle=30.0), Rosenbrock(a=2.0, b=10.0)]
)


@st.composite
def starts_in(draw, surface, runs=None):
    """A start (or a batch of ``runs`` starts) inside the surface's plot window."""
    (x0, x1), (y0, y1) = surface.bounds
    point = st.tuples(floats(x0, x1), floats(y0, y1))
    if runs is None:
        return draw(point)
    return np.array(draw(st.lists(point, min_size=runs, max_size=runs)))


def away_from_zero(low, high):
    """Floats with 0.01 <= |x| <= high (and >= low): no subnormal corner cases."""
    return (
        st.tuples(flags, floats(0.01, max(abs(low), abs(high))))
        .map(lambda s: -s[1] if s[0] else s[1])
        .filter(lambda x: low <= x <= high)
    )


# ------------------------------------------------------------------ run is safe


@SETTINGS
@given(data=st.data(), surface=surfaces_under_test, optimizer=optimizers())
def test_run_neither_raises_nor_warns(data, surface, optimizer):
    start = data.draw(starts_in(surface))
    traj = rv.run(surface, optimizer, start=start, n_steps=60)
    k = int(traj.diverged_at[0])
    assert k == -1 or 1 <= k <= 60
    end = 61 if k == -1 else k
    assert np.isfinite(traj.params[:end]).all()
    assert np.isfinite(traj.values[:end]).all()
    assert np.isnan(traj.params[end:]).all()


@SETTINGS
@given(data=st.data(), surface=surfaces_under_test, runs=st.integers(2, 4))
def test_batched_run_with_random_hyperparameter_arrays_neither_raises_nor_warns(data, surface, runs):
    starts = data.draw(starts_in(surface, runs))
    column = lambda strategy: np.array(data.draw(st.lists(strategy, min_size=runs, max_size=runs)))[:, None]  # noqa: E731
    optimizer = rv.rmsprop(lr=column(lrs), beta=column(betas), eps=column(epss), momentum=column(momenta))
    traj = rv.run(surface, optimizer, start=starts, n_steps=40)
    assert traj.params.shape == (41, runs, 2)
    for r in range(runs):
        k = int(traj.diverged_at[r])
        end = 41 if k == -1 else k
        assert np.isfinite(traj.params[:end, r]).all()
        assert np.isnan(traj.params[end:, r]).all()


# ------------------------------------------------------------- update is pure


@SETTINGS
@given(
    optimizer=optimizers(),
    runs=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    n_before=st.integers(0, 3),
)
def test_update_never_mutates_its_inputs(optimizer, runs, seed, n_before):
    rng = np.random.default_rng(seed)
    state = optimizer.init(rng.standard_normal((runs, 2)))
    # Warm the state up so that every field holds non-trivial arrays.
    for _ in range(n_before):
        _, state = optimizer.update(rng.standard_normal((runs, 2)), state)
    grads = rng.standard_normal((runs, 2)) * 10.0
    grads_before = grads.copy()
    state_before = copy.deepcopy(state)
    update, new_state = optimizer.update(grads, state)
    np.testing.assert_array_equal(grads, grads_before)
    assert type(new_state) is type(state)
    for field, before in zip(state, state_before):
        np.testing.assert_array_equal(field, before)
    # The outputs are not the inputs either: writing to them leaves the inputs alone.
    assert update is not grads
    np.asarray(update)[...] = 123.0
    for field, before in zip(state, state_before):
        np.testing.assert_array_equal(field, before)
    np.testing.assert_array_equal(grads, grads_before)


# ---------------------------------------------------------- RMSProp properties


@SETTINGS
@given(
    data=st.data(),
    lr=log_uniform(1e-3, 0.1),
    beta=betas,
    scale=log_uniform(1e-3, 1e3),
    eps_in_sqrt=flags,
)
def test_rmsprop_updates_are_invariant_to_scaling_the_gradients(data, lr, beta, scale, eps_in_sqrt):
    # Scaling f by c scales g by c and v by c^2, so g / sqrt(v) is unchanged when eps is
    # negligible against v (eps = 1e-300 is). Replaying a whole recorded run's gradients
    # times c through the update rule gives the same updates, to a few ulps, in every
    # regime (no feedback through the path, so nothing can amplify the rounding).
    surface = Quadratic(condition=10.0, angle=30.0)
    (x0, x1), (y0, y1) = surface.bounds
    start = (data.draw(away_from_zero(x0, x1)), data.draw(away_from_zero(y0, y1)))
    optimizer = rv.rmsprop(lr=lr, beta=beta, eps=1e-300, eps_in_sqrt=eps_in_sqrt)
    unit = rv.run(surface, optimizer, start=start, n_steps=50)
    assert unit.diverged_at[0] == -1
    state = optimizer.init(np.zeros((1, 2)))
    for t in range(50):
        update, state = optimizer.update(scale * unit.grads[t], state)
        np.testing.assert_allclose(update, unit.updates[t], rtol=1e-13)
        np.testing.assert_allclose(state.v, scale**2 * unit.states.v[t], rtol=1e-13)


@SETTINGS
@given(
    data=st.data(),
    lr=log_uniform(1e-4, 1e-3),
    beta=floats(0.0, 0.99),
    scale=log_uniform(1e-3, 1e3),
    eps_in_sqrt=flags,
)
def test_rmsprop_path_is_invariant_to_scaling_the_loss(data, lr, beta, scale, eps_in_sqrt):
    # For any c in [1e-3, 1e3], c * (...) rounds differently from (...), so the two runs
    # differ by an ulp or so per step. Near a minimum RMSProp's map is sign-like (its
    # derivative ~ lr / |g| is huge), so there such ulps grow chaotically and no
    # tolerance holds; away from it the paths agree to rtol 1e-9. Hence an axis-aligned
    # bowl, |start| >= 0.6 per coordinate, and steps of at most
    # lr / sqrt(1 - beta) <= 1e-3 / 0.1 = 0.01, i.e. 0.5 over 50 steps: no coordinate's
    # gradient reaches 0. (The power-of-two test above covers every regime, exactly.)
    unit = Quadratic(condition=10.0)
    scaled = Quadratic(condition=10.0, scale=scale)
    coordinate = st.tuples(flags, floats(0.6, 2.0)).map(lambda s: -s[1] if s[0] else s[1])
    start = (data.draw(coordinate), data.draw(coordinate))
    optimizer = rv.rmsprop(lr=lr, beta=beta, eps=1e-300, eps_in_sqrt=eps_in_sqrt)
    a = rv.run(unit, optimizer, start=start, n_steps=50)
    b = rv.run(scaled, optimizer, start=start, n_steps=50)
    assert np.all(np.sign(a.grads) == np.sign(a.grads[0]))  # the regime claimed above
    np.testing.assert_allclose(b.params, a.params, rtol=1e-9)
    np.testing.assert_allclose(b.values, scale * a.values, rtol=1e-9)
    # Without the eps placement mattering: the effective learning rates scale by 1 / c.
    np.testing.assert_allclose(b.effective_lr, a.effective_lr / scale, rtol=1e-9)


@SETTINGS
@given(
    lr=lrs,
    beta=betas,
    magnitude=log_uniform(1e-3, 1e3),
    negative=flags,
    eps_in_sqrt=flags,
)
def test_rmsprop_first_step_is_lr_over_sqrt_one_minus_beta(lr, beta, magnitude, negative, eps_in_sqrt):
    g = -magnitude if negative else magnitude
    optimizer = rv.rmsprop(lr=lr, beta=beta, eps=1e-30, eps_in_sqrt=eps_in_sqrt)
    step, _ = optimizer.update(g, optimizer.init(0.0))
    expected = -np.sign(g) * lr / np.sqrt(1.0 - beta)
    assert np.isclose(step, expected, rtol=1e-12, atol=0.0)
    # The same holds per coordinate of a batch, whatever each coordinate's gradient.
    grads = np.array([[g, 1e-3], [-1e3, 7.0]])
    steps, _ = optimizer.update(grads, optimizer.init(np.zeros((2, 2))))
    np.testing.assert_allclose(steps, -np.sign(grads) * lr / np.sqrt(1.0 - beta), rtol=1e-12)


@SETTINGS
@given(data=st.data(), lr_eff=log_uniform(1e-3, 0.1), beta=betas, factor=log_uniform(1e6, 1e10))
def test_rmsprop_with_huge_eps_is_sgd(data, lr_eff, beta, factor):
    # With eps in the root and eps >= 1e6 max g^2: sqrt(v + eps) = sqrt(eps) (1 + d),
    # 0 <= d <= v / (2 eps) <= 5e-7 since v <= max g^2. So RMSProp with lr is SGD with
    # lr / sqrt(eps) up to a relative perturbation of 5e-7 per step. On this contracting
    # quadratic (lr / sqrt(eps) * 10 <= 1) the perturbations do not grow, and the paths
    # agree to a few times 5e-7 of the size of the start: rtol 1e-5 with atol 1e-5 * |start|
    # leaves a margin of at least 10.
    surface = Quadratic(condition=10.0)
    # Coordinates away from 0: for a subnormal gradient, lr * g underflows differently
    # from lr / sqrt(eps) * g, which says nothing about the optimizer.
    (x0, x1), (y0, y1) = surface.bounds
    start = np.array([data.draw(away_from_zero(x0, x1)), data.draw(away_from_zero(y0, y1))])
    # The largest gradient on the path is the one at the start (each coordinate contracts).
    g_max = np.abs(surface.grad(start)).max()
    eps = factor * g_max**2
    sgd = rv.run(surface, rv.sgd(lr=lr_eff), start=start, n_steps=50)
    rms = rv.run(surface, rv.rmsprop(lr=lr_eff * np.sqrt(eps), beta=beta, eps=eps), start=start, n_steps=50)
    assert np.abs(sgd.grads).max() <= g_max
    np.testing.assert_allclose(rms.params, sgd.params, rtol=1e-5, atol=1e-5 * np.abs(start).max())


@SETTINGS
@given(
    data=st.data(),
    surface=surfaces_under_test,
    lr=log_uniform(1e-4, 1e-2),
    beta=betas,
    eps=epss,
)
def test_rmsprop_with_bias_correction_is_adam_without_momentum(data, surface, lr, beta, eps):
    # RMSProp: v = beta v + (1-beta) g^2, update = -lr g / (sqrt(v / (1 - beta^t)) + eps).
    # Adam with beta1 = 0: m = g, mhat = g / (1 - 0^t) = g, the same v and vhat.
    start = data.draw(starts_in(surface))
    rms = rv.run(surface, rv.rmsprop(lr=lr, beta=beta, eps=eps, eps_in_sqrt=False, bias_correction=True), start, 60)
    adam = rv.run(surface, rv.adam(lr=lr, beta1=0.0, beta2=beta, eps=eps), start, 60)
    np.testing.assert_array_equal(rms.diverged_at, adam.diverged_at)
    np.testing.assert_allclose(rms.params, adam.params, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(rms.states.v, adam.states.v, rtol=1e-12, atol=1e-300)


# ------------------------------------------- fast paths equal the plain loop


def _plain(optimizer):
    """The same rule behind a wrapper: not one of the package's own optimizers, so the
    engine calls it every step (no tracing, no compiled loop)."""
    update = optimizer.update
    return rv.Optimizer(optimizer.init, lambda g, state: update(g, state))


@st.composite
def families(draw):
    """A factory, fixed keyword arguments and a second grid key with its values."""
    family = draw(st.sampled_from(["sgd", "adagrad", "rmsprop", "adam"]))
    if family == "sgd":
        nesterov = draw(flags)
        low = 0.01 if nesterov else 0.0
        return rv.sgd, {"nesterov": nesterov}, "momentum", draw(st.lists(floats(low, 0.99), min_size=2, max_size=2))
    if family == "adagrad":
        fixed = {"eps": draw(epss), "eps_in_sqrt": draw(flags)}
        return rv.adagrad, fixed, "initial_accumulator", draw(st.lists(floats(0.0, 10.0), min_size=2, max_size=2))
    if family == "rmsprop":
        fixed = {
            "eps": draw(epss),
            "eps_in_sqrt": draw(flags),
            "centered": draw(flags),
            "momentum": draw(st.sampled_from([0.0, draw(momenta)])),
            "initial_v": draw(floats(0.0, 10.0)),
            "bias_correction": draw(flags),
        }
        return rv.rmsprop, fixed, "beta", draw(st.lists(betas, min_size=2, max_size=2))
    fixed = {"beta1": draw(betas), "eps": draw(epss), "bias_correction": draw(flags), "amsgrad": draw(flags)}
    return rv.adam, fixed, "beta2", draw(st.lists(betas, min_size=2, max_size=2))


all_surfaces = st.sampled_from(rv.surfaces.names()).map(rv.surfaces.get)


@SETTINGS
@given(data=st.data(), surface=all_surfaces, optimizer=optimizers())
def test_traced_single_run_equals_the_plain_loop_bit_for_bit(data, surface, optimizer):
    start = data.draw(starts_in(surface))
    fast = rv.run(surface, optimizer, start=start, n_steps=40)
    plain = rv.run(surface, _plain(optimizer), start=start, n_steps=40)
    for name in ("params", "values", "grads", "updates", "diverged_at"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(plain, name), err_msg=name)
    for name, a, b in zip(fast.states._fields, fast.states, plain.states):
        np.testing.assert_array_equal(a, b, err_msg=name)


@settings(max_examples=12, deadline=None)
@given(data=st.data(), family=families(), lr=st.lists(lrs, min_size=3, max_size=3))
def test_compiled_sweep_equals_the_plain_loop_bit_for_bit(data, family, lr):
    # Each new kind of loop compiles once (about a second): fewer examples.
    factory, fixed, key, values = family
    surface = data.draw(surfaces_under_test)
    start = data.draw(starts_in(surface))
    grid = {"lr": lr, key: values}

    def plain_factory(**kwargs):
        return _plain(factory(**kwargs))

    for metric in ("best", "diverged"):
        compiled = rv.sweep(
            surface, factory, grid=grid, start=start, n_steps=30, metric=metric, fixed=fixed, backend="numba"
        )
        plain = rv.sweep(
            surface, plain_factory, grid=grid, start=start, n_steps=30, metric=metric, fixed=fixed, backend="numba"
        )
        np.testing.assert_array_equal(compiled, plain, err_msg=metric)
