"""The package surface: lazy imports, version, and a numerical core free of matplotlib."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import rmsprop_viz

PACKAGE_DIR = Path(importlib.util.find_spec("rmsprop_viz").origin).parent
CORE_MODULES = [
    "core/surfaces/base",
    "core/surfaces/planar",
    "core/surfaces/stochastic",
    "core/surfaces/curvature",
    "core/optimizers/base",
    "core/optimizers/descent",
    "core/optimizers/adaptive",
    "core/checks",
    "engine/run",
    "engine/sweeps",
    "engine/accel/tracing",
    "engine/accel/compiled",
    "__init__",
]
# Modules that load matplotlib (directly or through each other) and must stay lazy.
PLOTTING = {"matplotlib", "ipywidgets", "ipympl", "mpl_toolkits"}
LAZY_LAYERS = {"plotting", "animation", "explorer", "cli", "scenes", "claims"}


def run_python(code):
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_loads_neither_matplotlib_nor_ipywidgets():
    out = run_python(
        """
        import sys
        import rmsprop_viz as rv
        rv.run(rv.Rosenbrock(), rv.rmsprop(lr=0.01), n_steps=5)
        rv.race(rv.Quadratic(), {"a": rv.sgd(lr=0.1)}, n_steps=5)
        rv.sweep(rv.Quadratic(), rv.rmsprop, grid={"lr": [0.01, 0.1]}, n_steps=5)
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"matplotlib", "ipywidgets", "ipympl", "numba"})
        print(loaded)
        print("numpy" in sys.modules)
        """
    )
    assert out.split("\n")[:2] == ["[]", "True"]


def test_version_is_a_string():
    assert isinstance(rmsprop_viz.__version__, str)
    parts = rmsprop_viz.__version__.split(".")
    assert len(parts) >= 2
    assert all(p.isdigit() for p in parts[:2])


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        _ = rmsprop_viz.no_such_thing
    assert not hasattr(rmsprop_viz, "definitely_not_here")
    # In a fresh interpreter too (module __getattr__ runs before anything else is loaded).
    out = run_python(
        """
        import rmsprop_viz
        try:
            rmsprop_viz.nope
        except AttributeError as error:
            print("AttributeError", error)
        """
    )
    assert out.startswith("AttributeError")


def test_public_names_are_exported():
    for name in rmsprop_viz.__all__:
        if name not in LAZY_LAYERS:
            assert hasattr(rmsprop_viz, name), name
    assert callable(rmsprop_viz.run)
    assert callable(rmsprop_viz.race)
    assert callable(rmsprop_viz.sweep)


def _literal_import(call):
    """The module named by ``import_module("...")`` or ``__import__("...")``, else None."""
    name = getattr(call.func, "attr", getattr(call.func, "id", ""))
    if name not in {"import_module", "__import__"} or not call.args:
        return None
    first = call.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def imported_modules(path):
    """Every module an ``import`` statement in the file names, at any depth, with
    relative imports resolved within the package (``from .plotting import x`` ->
    ``rmsprop_viz.plotting``, ``from . import plotting`` -> ``rmsprop_viz.plotting``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = "rmsprop_viz" + (f".{node.module}" if node.module else "")
                names.add(base)
                if not node.module:
                    names.update(f"rmsprop_viz.{alias.name}" for alias in node.names)
            else:
                names.add(node.module or "")
        elif isinstance(node, ast.Call) and _literal_import(node) is not None:
            # importlib.import_module("matplotlib.pyplot") and the like.
            target = _literal_import(node)
            names.add(f"rmsprop_viz{target}" if target.startswith(".") else target)
    return names


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_matplotlib(module):
    path = PACKAGE_DIR / f"{module}.py"
    assert path.exists(), path
    names = imported_modules(path)
    assert "numpy" in names or module == "__init__"
    for name in names:
        top = name.split(".")[0]
        assert top not in PLOTTING, f"{module} imports {name}"
        if top == "rmsprop_viz" and name.count(".") >= 1:
            layer = name.split(".")[1]
            if module != "__init__":  # __init__ names the lazy layers, loaded on first use only
                assert layer not in LAZY_LAYERS, f"{module} imports the plotting layer {name}"


def test_imported_modules_sees_every_spelling_of_an_import(tmp_path):
    source = textwrap.dedent(
        """
        import numpy as np
        import importlib
        def f():
            import matplotlib.pyplot as plt
            from mpl_toolkits import mplot3d
            from . import plotting
            from .animation import animate
            importlib.import_module("ipywidgets")
        """
    )
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    names = imported_modules(path)
    expected = {"numpy", "matplotlib.pyplot", "mpl_toolkits", "rmsprop_viz.plotting", "rmsprop_viz.animation"}
    assert expected | {"ipywidgets"} <= names


def test_core_modules_import_without_matplotlib_in_a_fresh_interpreter():
    # Block matplotlib entirely: the numerical core must still import and run.
    out = run_python(
        """
        import sys
        sys.modules["matplotlib"] = None
        sys.modules["ipywidgets"] = None
        import rmsprop_viz.core.surfaces, rmsprop_viz.core.optimizers, rmsprop_viz.engine.run
        import rmsprop_viz.engine.sweeps, rmsprop_viz.engine.accel.tracing, rmsprop_viz.core.checks
        import rmsprop_viz as rv
        traj = rv.run(rv.Rosenbrock(), rv.adam(lr=0.01), n_steps=10)
        print(traj.params.shape)
        """
    )
    assert out.strip() == "(11, 1, 2)"
