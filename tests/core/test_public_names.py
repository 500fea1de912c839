"""Each module of the core names its public names in ``__all__``, and ``dir()`` shows them."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "rmsprop_viz.core",
    "rmsprop_viz.core.checks",
    "rmsprop_viz.core.kinds",
    "rmsprop_viz.core.staging",
    "rmsprop_viz.core.surfaces",
    "rmsprop_viz.core.surfaces.base",
    "rmsprop_viz.core.surfaces.planar",
    "rmsprop_viz.core.surfaces.stochastic",
    "rmsprop_viz.core.surfaces.curvature",
    "rmsprop_viz.core.optimizers",
    "rmsprop_viz.core.optimizers.base",
    "rmsprop_viz.core.optimizers.descent",
    "rmsprop_viz.core.optimizers.adaptive",
]


@pytest.mark.parametrize("name", MODULES)
def test_dir_shows_the_public_names(name):
    module = importlib.import_module(name)
    public = module.__all__
    assert dir(module) == sorted(public)
    assert len(set(public)) == len(public)
    for attribute in public:
        assert not attribute.startswith("_"), attribute
        assert getattr(module, attribute) is not None


def test_the_packages_re_export_what_their_modules_define():
    from rmsprop_viz.core import optimizers, surfaces
    from rmsprop_viz.core.optimizers import adaptive, descent
    from rmsprop_viz.core.surfaces import planar, stochastic

    for module in (planar, stochastic):
        for name in module.__all__:
            if not name.isupper():  # the classes, not the limits of their parameters
                assert getattr(surfaces, name) is getattr(module, name), name
    for module in (descent, adaptive):
        for name in module.__all__:
            assert getattr(optimizers, name) is getattr(module, name), name
