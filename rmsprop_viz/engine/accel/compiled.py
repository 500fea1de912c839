"""The batched step loop of a sweep compiled with numba.

:func:`.tracing.trace_step` turns one step of an optimizer on a surface into a list of
operations; here they are written as one loop over the runs that does a whole step of
one run at a time, and numba compiles it. Nothing is stored between the operations of
a step, so a 100 x 100 sweep of 500 steps runs about four times faster than the plain
loop of :mod:`rmsprop_viz.engine.sweeps`, and the explorer's best-alpha sweeps about
forty times (``benchmarks/bench_core.py``).

The compiled loop performs the same IEEE operations in the same order as the plain
loop's numpy calls (numba is asked for no fast-math, so it neither reorders nor fuses
them), so the two agree to the bit; the tests check this for every optimizer variant.
It applies the divergence rule of :mod:`rmsprop_viz.engine.divergence`, written into
the loop by :func:`.divergence.park_source`.

numba is optional (``pip install "rmsprop-viz[fast]"``). Compiling one kind of loop
takes about a second; the compiled code is kept in a cache folder (see
:func:`cache_dir`), so each kind is compiled once per machine.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from rmsprop_viz.core.staging import write_file
from rmsprop_viz.engine.accel.tracing import TracedStep, trace_step
from rmsprop_viz.engine.divergence import Box, park_source

__all__ = ["CompiledLoop", "available", "cache_dir", "compiled_loop"]

#: ``loop(p, n_steps, record, diverged_at, box)``, see :func:`compiled_loop`.
CompiledLoop = Callable[[Any, int, Any, Any, Box], None]

#: The expression numba evaluates for each recorded operation. All of them are correctly
#: rounded IEEE operations (powers are never recorded, see :mod:`.tracing`), so numba,
#: numpy's vectorised loops and Python floats give the same bits on every CPU;
#: ``_maximum`` keeps numpy's NaN rule.
_EXPRESSIONS = {
    "{} + {}": "{} + {}",
    "{} - {}": "{} - {}",
    "{} * {}": "{} * {}",
    "{} / {}": "{} / {}",
    "-{}": "-{}",
    "_maximum({}, {})": "({0} if ({0} >= {1} or {0} != {0}) else {1})",
    "_sqrt({})": "math.sqrt({})",
}


def available() -> bool:
    """True when numba can be imported (without importing it)."""
    return importlib.util.find_spec("numba") is not None


def cache_dir() -> Path | None:
    """Folder for compiled loops: ``$RMSPROP_VIZ_CACHE``, else the user's cache folder.

    ``None`` when it cannot be created or written (then nothing is cached).
    """
    env = os.environ.get("RMSPROP_VIZ_CACHE")
    if env:
        folder = Path(env)
    elif sys.platform == "win32":
        folder = Path(os.environ.get("LOCALAPPDATA", Path.home())) / "rmsprop_viz" / "kernels"
    else:
        folder = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rmsprop_viz" / "kernels"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def compiled_loop(
    update: Callable[..., Any],
    state0: Any,
    grad_xy: Callable[..., tuple[Any, Any]],
    value_xy: Callable[..., Any] | None,
    *,
    trace_surface: bool = True,
) -> CompiledLoop | None:
    """A sweep's step loop, compiled with numba.

    Parameters
    ----------
    update : callable
        The optimizer's ``update(g, state)``; its hyperparameters may be arrays of shape
        ``(runs,)`` (one value per run).
    state0 : NamedTuple
        ``init(p)`` for ``(2, runs)`` starting parameters.
    grad_xy, value_xy : callable
        The surface's formulas; ``value_xy=None`` records no loss.
    trace_surface : bool
        False: do not trace the surface's formulas (then there is no compiled loop).

    Returns
    -------
    callable or None
        ``loop(p, n_steps, record, diverged_at, box)``, which does what the plain loop
        of :mod:`rmsprop_viz.engine.sweeps` does: it updates ``p`` (shape ``(2, runs)``)
        in place, writes the loss after step ``t`` into ``record[t + 1]`` (when
        ``value_xy`` was given), and :func:`parks <.divergence.park>` a run that leaves
        the :class:`.divergence.Box` ``box``. ``None`` when numba is missing, the update
        cannot be traced, or the surface's formulas must be called each step (noise
        keyed by the step, a change at a given step, a surface that is not the
        package's own, ``trace_surface=False``): the plain loop handles those.
    """
    if not available():
        return None
    traced = trace_step(update, state0, grad_xy, value_xy, trace_surface=trace_surface)
    if traced is None or traced.gradient is None or (value_xy is not None and traced.loss is None):
        return None
    source = _source(traced, record=value_xy is not None)
    if source is None:
        return None
    kernel = _load(source)
    constants = tuple(traced.constants)

    def run_loop(p: Any, n_steps: int, record: Any, diverged_at: Any, box: Box) -> None:
        state = traced.fresh_state()
        rows = record if value_xy is not None else np.empty((1, 1))
        kernel(p, n_steps, rows, diverged_at, *box, *state, *constants)

    return run_loop


def _source(traced: TracedStep, *, record: bool) -> str | None:
    """Source of the compiled loop, or ``None`` for arrays of shapes it does not handle."""
    shapes = traced.shapes
    full = shapes["G"]
    assert full is not None
    row = full[1:]

    def ref(name: str, c: int) -> str:
        """How coordinate ``c`` of run ``i`` of a value is spelled inside the loop."""
        shape = shapes[name]
        if shape is None:
            return name
        if name.startswith("k"):  # a hyperparameter array, read from memory
            return f"{name}[i]" if shape == row else f"{name}[{c}, i]"
        return f"{name}_{c}" if shape == full else name

    if any(shape not in (None, row, full) for shape in shapes.values()):
        return None
    outer: list[str] = []  # scalars: they depend on the step only
    inner: list[list[str]] = [[], [], []]  # per run: gradient, update, loss
    for j, (out, template, args) in enumerate(traced.ops):
        phase = (j >= traced.n_gradient) + (j >= traced.n_update)
        expression = _EXPRESSIONS[template]
        if shapes[out] is None:
            outer.append(f"{out} = {expression.format(*args)}")
            continue
        for c in (0, 1) if shapes[out] == full else (0,):
            inner[phase].append(f"{ref(out, c)} = {expression.format(*(ref(a, c) for a in args))}")

    array_fields = [i for i, name in enumerate(traced.new_state) if shapes[f"s{i}"] is not None]
    scalar_fields = [i for i in range(len(traced.new_state)) if i not in array_fields]
    gx, gy = traced.gradient  # type: ignore[misc]
    body = ["x = p[0, i]", "y = p[1, i]"]
    body += [f"s{i}_{c} = s{i}[{c}, i]" for i in array_fields for c in (0, 1)]
    body += inner[0]
    body += [f"G_0 = {ref(gx, 0)}", f"G_1 = {ref(gy, 0)}"]
    body += inner[1]
    body += [
        f"s{i}[{c}, i] = {ref(name, c)}" for i, name in enumerate(traced.new_state) if i in array_fields for c in (0, 1)
    ]
    body += [
        f"x = x + {ref(traced.step, 0)}",
        f"y = y + {ref(traced.step, 1)}",
        *park_source("x", "y", "i", "tv"),
        "p[0, i] = x",
        "p[1, i] = y",
    ]
    if record:
        body += inner[2] + [f"record[tv, i] = {ref(traced.loss, 0)}"]  # type: ignore[arg-type]
    params = ["p", "n_steps", "record", "diverged_at", *Box._fields]
    params += [f"s{i}" for i in range(len(traced.new_state))]
    params += [f"k{i}" for i in range(len(traced.constants))]
    lines = [
        '"""A step loop of rmsprop_viz, written from a traced update rule."""',
        "import math",
        "",
        "import numba",
        "",
        "",
        '@numba.njit(cache=CACHE, error_model="numpy", nogil=True)',
        f"def kernel({', '.join(params)}):",
        "    runs = p.shape[1]",
        "    for t in range(n_steps):",
        "        tv = t + 1",
        *(f"        {line}" for line in outer),
        "        for i in range(runs):",
        *(f"            {line}" for line in body),
    ]
    if scalar_fields:
        targets = ", ".join(f"s{i}" for i in scalar_fields)
        lines.append(f"        {targets}, = {', '.join(traced.new_state[i] for i in scalar_fields)},")
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=64)
def _load(source: str) -> Callable[..., None]:
    """Import the loop from a file named by its source's hash, so numba can cache it."""
    folder = cache_dir()
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    name = f"rmsprop_viz_kernel_{digest}"
    if folder is None:  # nowhere to cache: compile in memory
        namespace: dict[str, Any] = {"CACHE": False}
        exec(compile(source, f"<{name}>", "exec"), namespace)
        return namespace["kernel"]  # type: ignore[no-any-return]
    path = folder / f"{name}.py"
    write_file(path, source, overwrite=True)  # staged: whole or not at all; left alone when the same
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.CACHE = True  # type: ignore[attr-defined]
    sys.modules[name] = module  # numba finds the module by name when it loads its cache
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's notes on caching are not the user's concern
        spec.loader.exec_module(module)
    return module.kernel  # type: ignore[no-any-return]
