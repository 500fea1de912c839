"""Tracing the update rules once: a fused loop for single runs, a step for compiled sweeps.

Why: a single run is the explorer's hot path (every slider move recomputes a whole
race). On Python floats the arithmetic is cheap, but calling ``update`` twice a step and
building its state tuples costs about three quarters of the time. So, as JAX does, we
call the optimizer's ``update`` (and the surface's ``grad_xy``) on symbolic stand-ins,
record the arithmetic they perform, and write it out as one straight-line Python loop.
The update rules themselves stay written once, in :mod:`rmsprop_viz.core.optimizers`.

The generated loop performs the same floating-point operations in the same order as
calling the functions would, so its results are identical to the bit (the tests check
this for every optimizer variant and surface). Anything the tracer cannot follow (a
branch on a traced value, an array hyperparameter, a random draw keyed by the step)
makes :func:`fused_loop` trace the gradient as a plain call, or give up on the update
and return ``None``, in which case the engine calls the functions directly.

:func:`trace_step` traces one step of a *batch* of runs (hyperparameters as arrays) into
a list of operations, which :mod:`rmsprop_viz.engine.accel.compiled` writes out as a
loop for numba. Only the package's own optimizers and surfaces are traced: a user's own
functions are always called, with real numbers.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

__all__ = ["FusedLoop", "TracedStep", "fused_loop", "trace_step"]


class Untraceable(Exception):
    """The traced function did something the tracer cannot record."""


class _Tape:
    """Straight-line code; temporaries are ``{prefix}{n}``, constants ``k{n}``.

    Each operation is kept as ``(output, template, operand names)`` (``ops``); the
    loops written from a tape spell them as Python expressions (here) or as numba
    source (:mod:`rmsprop_viz.engine.accel.compiled`). Array constants (hyperparameter
    arrays of a batch) are accepted only when ``arrays`` is true.
    """

    def __init__(self, prefix: str, constants: list[Any], *, arrays: bool = False) -> None:
        self.prefix = prefix
        self.constants = constants  # shared by every tape of one loop
        self.arrays = arrays
        self.ops: list[tuple[str, str, tuple[str, ...]]] = []

    @property
    def lines(self) -> list[str]:
        return [f"{out} = {template.format(*args)}" for out, template, args in self.ops]

    def name_of(self, value: Any) -> str:
        kind = type(value)
        if kind is _Var:
            return str(value.name)
        if kind is float or kind is int:  # the common constants, without the checks below
            self.constants.append(value)
            return f"k{len(self.constants) - 1}"
        if isinstance(value, _Var):
            return value.name
        if self.arrays and isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
            self.constants.append(value)
        elif isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise Untraceable(f"cannot trace an operand of type {type(value).__name__}")
        else:
            self.constants.append(int(value) if isinstance(value, numbers.Integral) else float(value))
        return f"k{len(self.constants) - 1}"

    def emit(self, template: str, *operands: Any) -> _Var:
        out = f"{self.prefix}{len(self.ops)}"
        self.ops.append((out, template, tuple([self.name_of(operand) for operand in operands])))
        return _Var(out, self)


def _binary(template: str, *, swap: bool = False) -> Callable[[_Var, Any], _Var]:
    def method(self: _Var, other: Any) -> _Var:
        return self.tape.emit(template, *((other, self) if swap else (self, other)))

    return method


def _refuse(self: _Var, *args: Any) -> Any:
    raise Untraceable("the traced function branches on, or converts, a traced value")


def _refuse_power(self: _Var, *args: Any) -> Any:
    raise Untraceable("the traced function raises a traced value to a power")


class _Var:
    """A symbolic number: each arithmetic operation on it writes one line to its tape."""

    __slots__ = ("name", "tape")

    def __init__(self, name: str, tape: _Tape) -> None:
        self.name = name
        self.tape = tape

    __add__ = _binary("{} + {}")
    __radd__ = _binary("{} + {}", swap=True)
    __sub__ = _binary("{} - {}")
    __rsub__ = _binary("{} - {}", swap=True)
    __mul__ = _binary("{} * {}")
    __rmul__ = _binary("{} * {}", swap=True)
    __truediv__ = _binary("{} / {}")
    __rtruediv__ = _binary("{} / {}", swap=True)

    def __neg__(self) -> _Var:
        return self.tape.emit("-{}", self)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> _Var:
        # numpy hands us its ufuncs: np.sqrt / np.maximum called on a stand-in, and
        # arithmetic between a hyperparameter array and a stand-in (``beta * v``).
        template = _UFUNC_TEMPLATES.get(ufunc)
        if method == "__call__" and not kwargs and template is not None and template.count("{}") == len(inputs):
            return self.tape.emit(template, *inputs)
        raise Untraceable(f"cannot trace numpy.{ufunc.__name__}")

    # Powers are not recorded: ``pow`` is not correctly rounded, and the C library's,
    # numpy's vectorised one and numba's differ in the last bit, so loops using it could
    # not agree with the plain calls to the bit. (The built-in rules multiply instead.)
    __pow__ = __rpow__ = _refuse_power

    # Anything that would turn a traced value into a Python decision or a plain number.
    # (Comparisons must refuse too: `g == 0` would otherwise fall back to identity and
    # freeze one branch into the loop.)
    __bool__ = __float__ = __int__ = __index__ = __complex__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = __array__ = _refuse
    __hash__ = None  # type: ignore[assignment]


#: numpy ufuncs a stand-in accepts, and the line each one records.
_UFUNC_TEMPLATES: dict[Any, str] = {
    np.add: "{} + {}",
    np.subtract: "{} - {}",
    np.multiply: "{} * {}",
    np.true_divide: "{} / {}",
    np.negative: "-{}",
    np.maximum: "_maximum({}, {})",
    np.sqrt: "_sqrt({})",
}


@functools.lru_cache(maxsize=256)
def _compile(source: str) -> Callable[..., list[Any]]:
    """Compile a generated loop; the source holds no values, so it is reused across runs."""
    namespace: dict[str, Any] = {"_maximum": np.maximum, "_sqrt": math.sqrt}
    exec(compile(source, "<rmsprop_viz fused loop>", "exec"), namespace)
    loop: Callable[..., list[Any]] = namespace["_loop"]
    return loop


def _straight_line(ops: list[Op], results: dict[str, str]) -> list[str]:
    """Python lines for ``ops``, each value written once and nested where it is read once.

    ``results`` maps a traced value to the variable it must end up in (``gx``, ``ux``,
    ``sx0``, ...). A value read by exactly one later operation is written inside that
    operation's expression, in parentheses, instead of through a temporary: the same
    floating-point operations on the same operands, so the same results, with fewer
    loads and stores for the interpreter. A result is assigned to its variable as soon
    as it is computed, unless the old value of that variable is still to be read.
    """
    uses: dict[str, int] = {}
    last_read: dict[str, int] = {}
    for j, (_, _, args) in enumerate(ops):
        for a in args:
            uses[a] = uses.get(a, 0) + 1
            last_read[a] = j
    nested: dict[str, str] = {}  # value -> its expression, not yet written out
    alias: dict[str, str] = {}  # value -> the variable holding it
    lines: list[str] = []
    for j, (out, template, args) in enumerate(ops):
        text = template.format(*(f"({nested.pop(a)})" if a in nested else alias.get(a, a) for a in args))
        target = results.get(out)
        if target is None and uses.get(out, 0) == 1:
            nested[out] = text
        elif target is not None and last_read.get(target, -1) <= j:
            lines.append(f"{target} = {text}")
            alias[out] = target
        else:
            lines.append(f"{out} = {text}")
    for value, target in results.items():
        source = alias.get(value, value)
        if source != target:
            lines.append(f"{target} = {source}")
    return lines


def _trace_update(
    update: Callable[..., Any], template: tuple[Any, ...], c: str, constants: list[Any]
) -> tuple[list[str], list[int]]:
    """Lines computing ``u{c}`` and the new ``s{c}0, s{c}1, ...`` from ``g{c}`` and the old
    ones, and the indices of the fields that change (the others keep their first value)."""
    tape = _Tape(f"_{c}", constants)
    stand_ins: list[Any] = [_Var(f"s{c}{i}", tape) for i in range(len(template))]
    state = type(template)(*stand_ins)
    step, new_state = update(_Var(f"g{c}", tape), state)
    if type(new_state) is not type(template):
        raise Untraceable("the update returned a different state type")
    results = {tape.name_of(step): f"u{c}"}
    after: list[str] = []  # fields that take a value computed for something else, or a constant
    changed: list[int] = []
    for i, field in enumerate(new_state):
        name, target = tape.name_of(field), f"s{c}{i}"
        if name == target:
            continue  # unchanged
        changed.append(i)
        if name.startswith(f"s{c}"):
            raise Untraceable("a state field takes another field's old value")
        if name.startswith("_") and name not in results:
            results[name] = target
        else:
            after.append(f"{target} = {results.get(name, name)}")
    return _straight_line(tape.ops, results) + after, changed


class FusedLoop(NamedTuple):
    """A single-run loop from :func:`fused_loop`."""

    #: ``run(x, y, n_steps)`` -> one flat list, per step ``gx, gy, ux, uy``, then the
    #: ``changed`` fields of the x state, then those of the y state.
    run: Callable[[float, float, int], list[Any]]
    #: Indices of the state fields that change; the others keep their initial value
    #: and are not recorded.
    changed: tuple[int, ...]


def fused_loop(
    update: Callable[..., Any],
    template: Any,
    grad_xy: Callable[..., tuple[Any, Any]],
    *,
    trace_surface: bool = True,
) -> FusedLoop | None:
    """Trace ``update`` (and, if it allows, ``grad_xy``) into one single-run loop.

    Parameters
    ----------
    update : callable
        The optimizer's ``update(g, state)``.
    template : NamedTuple
        The state for one coordinate of one run (fields are Python numbers).
    grad_xy : callable
        The surface's ``grad_xy(x, y, step)``.
    trace_surface : bool
        False: call ``grad_xy`` each step without tracing it.

    Returns
    -------
    FusedLoop or None
        The loop, whose ``run(x, y, n_steps)`` returns one flat list (numpy converts
        that fastest), and which state fields it records; ``None`` if ``update``
        cannot be traced.
    """
    if not isinstance(template, tuple) or not all(isinstance(f, (int, float)) for f in template):
        return None
    constants: list[Any] = []
    try:
        body_x, changed = _trace_update(update, template, "x", constants)
        body_y, changed_y = _trace_update(update, template, "y", constants)
    except Exception:  # Untraceable, or anything else the rule does with a stand-in: don't guess
        return None
    if changed != changed_y:
        return None
    body = body_x + body_y
    n_before = len(constants)
    try:
        if not trace_surface:
            raise Untraceable("the surface is not to be traced")
        tape = _Tape("_g", constants)
        gx, gy = grad_xy(_Var("x", tape), _Var("y", tape), _Var("t", tape))
        gx_name, gy_name = tape.name_of(gx), tape.name_of(gy)
        if gx_name.startswith("_g") and gy_name.startswith("_g") and gx_name != gy_name:
            gradient = _straight_line(tape.ops, {gx_name: "gx", gy_name: "gy"})
        else:
            gradient = [*tape.lines, f"gx, gy = {gx_name}, {gy_name}"]
    except Exception:  # e.g. noise keyed by the step: call the function each step instead
        del constants[n_before:]
        gradient = ["gx, gy = grad_xy(x, y, t)"]

    n = len(template)
    states = [f"s{c}{i}" for c in "xy" for i in range(n)]
    args = "".join(f", k{i}" for i in range(len(constants)))
    source = "\n".join(
        [f"def _loop(x, y, n_steps, grad_xy, state{args}):"]
        + ([f"    {', '.join(states)}, = state"] if n else [])
        + ["    records = []", "    record = records.extend", "    for t in range(n_steps):"]
        + [f"        {line}" for line in gradient + body]
        + ["        x = x + ux", "        y = y + uy"]
        + [f"        record((gx, gy, ux, uy{''.join(f', s{c}{i}' for c in 'xy' for i in changed)}))"]
        + ["    return records", ""]
    )
    loop = _compile(source)
    state0 = tuple(template) * 2
    values = tuple(constants)

    def run_loop(x: float, y: float, n_steps: int) -> list[Any]:
        return loop(x, y, n_steps, grad_xy, state0, *values)

    return FusedLoop(run_loop, tuple(changed))


# ------------------------------------------------------------ one step of a batch

Shape = tuple[int, ...] | None  # None: a Python scalar (the step counter and what follows from it)
Op = tuple[str, str, tuple[str, ...]]  # (output, template, operands)


@dataclass
class TracedStep:
    """One step of a batched run, as the operations it performs.

    Names: ``x``, ``y`` (rows of the ``(2, runs)`` parameters), ``t`` (the step),
    ``tv`` (the step the loss is taken at, ``t + 1``), ``G`` (the ``(2, runs)``
    gradient), ``s{i}`` (state fields), ``k{n}`` (constants, some of them
    hyperparameter arrays), ``_g*``, ``_b*``, ``_v*`` (results of the gradient, the
    update and the loss). ``ops`` holds only the operations whose results are used, in
    order: the gradient's, then the update's, then the loss's.
    """

    shapes: dict[str, Shape]
    constants: list[Any]
    ops: list[Op]
    n_gradient: int
    n_update: int
    gradient: tuple[str, str] | None  # None: grad_xy is called each step
    step: str
    new_state: list[str]
    loss: str | None  # None: value_xy is called each step (or no loss is recorded)
    state0: tuple[Any, ...]

    def fresh_state(self) -> list[Any]:
        """The initial state, with its arrays copied: a loop writes into them."""
        return [np.array(f, dtype=np.float64) if isinstance(f, np.ndarray) else f for f in self.state0]


def trace_step(
    update: Callable[..., Any],
    state0: Any,
    grad_xy: Callable[..., tuple[Any, Any]],
    value_xy: Callable[..., Any] | None,
    *,
    trace_surface: bool = True,
) -> TracedStep | None:
    """Trace one batched step; ``None`` when ``update`` cannot be traced.

    ``state0`` is ``init(p)`` for ``(2, runs)`` parameters. The surface's formulas are
    traced when they allow it and ``trace_surface`` is true (else the loop calls them);
    ``value_xy=None`` traces no loss.
    """
    if not isinstance(state0, tuple):
        return None
    fields = tuple(state0)
    constants: list[Any] = []
    try:
        shape = _state_shape(fields)
        row = shape[1:]
        shapes: dict[str, Shape] = {"x": row, "y": row, "t": None, "tv": None, "G": shape}
        for i, field in enumerate(fields):
            shapes[f"s{i}"] = np.shape(field) if isinstance(field, np.ndarray) else None
        tape = _Tape("_b", constants, arrays=True)
        state_type: Any = type(state0)  # a NamedTuple: built from its fields in order
        stand_ins = state_type(*[_Var(f"s{i}", tape) for i in range(len(fields))])
        step, new_state = update(_Var("G", tape), stand_ins)
        if type(new_state) is not type(state0):
            raise Untraceable("the update returned a different state type")
        step_name = tape.name_of(step)
        new_names = [tape.name_of(field) for field in new_state]
    except Exception:  # Untraceable, or anything else the rule does with a stand-in: don't guess
        return None

    gradient: tuple[_Tape, list[str]] | None = None
    loss: tuple[_Tape, list[str]] | None = None
    if trace_surface:
        gradient = _traced(lambda t: grad_xy(_Var("x", t), _Var("y", t), _Var("t", t)), "_g", constants)
    if value_xy is not None and trace_surface:
        loss = _traced(lambda t: (value_xy(_Var("x", t), _Var("y", t), _Var("tv", t)),), "_v", constants)
    for i, value in enumerate(constants):
        shapes[f"k{i}"] = np.shape(value) if isinstance(value, np.ndarray) else None
    ops: list[Op] = []
    try:
        for part in (gradient[0].ops if gradient else [], tape.ops, loss[0].ops if loss else []):
            for out, template, args in part:
                arrays = [shape for shape in (shapes[a] for a in args) if shape is not None]
                shapes[out] = np.broadcast_shapes(*arrays) if arrays else None
                ops.append((out, template, args))
    except ValueError:  # shapes that do not broadcast: let the plain loop report it
        return None
    n_gradient = len(gradient[0].ops) if gradient else 0
    n_update = n_gradient + len(tape.ops)
    if shapes.get(step_name) != shape:
        return None
    for i, name in enumerate(new_names):
        if shapes.get(name) != shapes[f"s{i}"] or (name != f"s{i}" and name[0] == "s"):
            return None  # a field changes shape, or takes another field's old value

    # Keep only what each step must produce: the gradient, the update, the new state and
    # the loss. Operations whose results nobody reads are dropped.
    needed = {step_name, *new_names, *(gradient[1] if gradient else ()), *(loss[1] if loss else ())}
    kept = []
    for j in reversed(range(len(ops))):
        if ops[j][0] in needed:
            needed.update(ops[j][2])
            kept.append(j)
    keep = set(kept)
    return TracedStep(
        shapes=shapes,
        constants=constants,
        ops=[op for j, op in enumerate(ops) if j in keep],
        n_gradient=sum(1 for j in keep if j < n_gradient),
        n_update=sum(1 for j in keep if j < n_update),
        gradient=(gradient[1][0], gradient[1][1]) if gradient else None,
        step=step_name,
        new_state=new_names,
        loss=loss[1][0] if loss else None,
        state0=fields,
    )


def _state_shape(fields: tuple[Any, ...]) -> tuple[int, ...]:
    shapes = {np.shape(f) for f in fields if isinstance(f, np.ndarray)}
    if len(shapes) != 1:
        raise Untraceable("the state's arrays do not share one shape")
    (shape,) = shapes
    if len(shape) != 2 or shape[0] != 2:
        raise Untraceable(f"the state's arrays have shape {shape}, not (2, runs)")
    return shape


def _traced(
    call: Callable[[_Tape], tuple[Any, ...]], prefix: str, constants: list[Any]
) -> tuple[_Tape, list[str]] | None:
    """Trace a surface formula; ``None`` (and no constants left behind) if it cannot be."""
    n_before = len(constants)
    tape = _Tape(prefix, constants, arrays=True)
    try:
        names = [tape.name_of(out) for out in call(tape)]
    except Exception:  # e.g. noise keyed by the step, or a change at a given step
        del constants[n_before:]
        return None
    return tape, names
