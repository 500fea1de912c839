"""A fused step loop for single runs, built by tracing the update rules once.

Why: a single run is the explorer's hot path (every slider move recomputes a whole
race). On Python floats the arithmetic is cheap, but calling ``update`` twice a step and
building its state tuples costs about three quarters of the time. So, as JAX does, we
call the optimizer's ``update`` (and the surface's ``grad_xy``) on symbolic stand-ins,
record the arithmetic they perform, and write it out as one straight-line Python loop.
The update rules themselves stay written once, in :mod:`rmsprop_viz.optimizers`.

The generated loop performs the same floating-point operations in the same order as
calling the functions would, so its results are identical to the bit (the tests check
this for every optimizer variant and surface). Anything the tracer cannot follow (a
branch on a traced value, an array hyperparameter, a random draw keyed by the step)
makes :func:`fused_loop` trace the gradient as a plain call, or give up on the update
and return ``None``, in which case the engine calls the functions directly.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["fused_loop"]


class Untraceable(Exception):
    """The traced function did something the tracer cannot record."""


class _Tape:
    """Lines of straight-line code; temporaries are ``{prefix}{n}``, constants ``k{n}``."""

    def __init__(self, prefix: str, constants: list[float | int]) -> None:
        self.prefix = prefix
        self.constants = constants  # shared by every tape of one loop
        self.lines: list[str] = []

    def name_of(self, value: Any) -> str:
        if isinstance(value, _Var):
            return value.name
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise Untraceable(f"cannot trace an operand of type {type(value).__name__}")
        self.constants.append(int(value) if isinstance(value, numbers.Integral) else float(value))
        return f"k{len(self.constants) - 1}"

    def emit(self, template: str, *operands: Any) -> _Var:
        out = f"{self.prefix}{len(self.lines)}"
        self.lines.append(f"{out} = {template.format(*map(self.name_of, operands))}")
        return _Var(out, self)


def _binary(template: str, *, swap: bool = False) -> Callable[[_Var, Any], _Var]:
    def method(self: _Var, other: Any) -> _Var:
        return self.tape.emit(template, *((other, self) if swap else (self, other)))

    return method


def _refuse(self: _Var, *args: Any) -> Any:
    raise Untraceable("the traced function branches on, or converts, a traced value")


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
    __pow__ = _binary("{} ** {}")
    __rpow__ = _binary("{} ** {}", swap=True)

    def __neg__(self) -> _Var:
        return self.tape.emit("-{}", self)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> _Var:
        if method == "__call__" and not kwargs:
            if ufunc is np.maximum and len(inputs) == 2:
                return self.tape.emit("_maximum({}, {})", *inputs)
            if ufunc is np.sqrt and len(inputs) == 1:
                return self.tape.emit("_sqrt({})", *inputs)
        raise Untraceable(f"cannot trace numpy.{ufunc.__name__}")

    # Anything that would turn a traced value into a Python decision or a plain number.
    # (Comparisons must refuse too: `g == 0` would otherwise fall back to identity and
    # freeze one branch into the loop.)
    __bool__ = __float__ = __int__ = __index__ = __complex__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = __array__ = _refuse
    __hash__ = None  # type: ignore[assignment]


@functools.lru_cache(maxsize=256)
def _compile(source: str) -> Callable[..., list[Any]]:
    """Compile a generated loop; the source holds no values, so it is reused across runs."""
    namespace: dict[str, Any] = {"_maximum": np.maximum, "_sqrt": math.sqrt}
    exec(compile(source, "<rmsprop_viz fused loop>", "exec"), namespace)
    loop: Callable[..., list[Any]] = namespace["_loop"]
    return loop


def _trace_update(update: Callable[..., Any], template: tuple[Any, ...], c: str, constants: list[Any]) -> list[str]:
    """Lines computing ``u{c}`` and the new ``s{c}0, s{c}1, ...`` from ``g{c}`` and the old ones."""
    tape = _Tape(f"_{c}", constants)
    stand_ins: list[Any] = [_Var(f"s{c}{i}", tape) for i in range(len(template))]
    state = type(template)(*stand_ins)
    step, new_state = update(_Var(f"g{c}", tape), state)
    if type(new_state) is not type(template):
        raise Untraceable("the update returned a different state type")
    lines = [*tape.lines, f"u{c} = {tape.name_of(step)}"]
    if template:
        targets = ", ".join(f"s{c}{i}" for i in range(len(template)))
        lines.append(f"{targets}, = {', '.join(map(tape.name_of, new_state))},")
    return lines


def fused_loop(
    update: Callable[..., Any], template: Any, grad_xy: Callable[..., tuple[Any, Any]]
) -> Callable[[float, float, int], list[Any]] | None:
    """Trace ``update`` (and, if it allows, ``grad_xy``) into one single-run loop.

    Parameters
    ----------
    update : callable
        The optimizer's ``update(g, state)``.
    template : NamedTuple
        The state for one coordinate of one run (fields are Python numbers).
    grad_xy : callable
        The surface's ``grad_xy(x, y, step)``.

    Returns
    -------
    callable or None
        ``loop(x, y, n_steps)`` returning one flat list, per step
        ``gx, gy, ux, uy, *state_x, *state_y`` (flat: numpy converts it fastest);
        ``None`` if ``update`` cannot be traced.
    """
    if not isinstance(template, tuple) or not all(isinstance(f, (int, float)) for f in template):
        return None
    constants: list[Any] = []
    try:
        body = _trace_update(update, template, "x", constants) + _trace_update(update, template, "y", constants)
    except Exception:  # Untraceable, or anything else the rule does with a stand-in: don't guess
        return None
    n_before = len(constants)
    try:
        tape = _Tape("_g", constants)
        gx, gy = grad_xy(_Var("x", tape), _Var("y", tape), _Var("t", tape))
        gradient = [*tape.lines, f"gx, gy = {tape.name_of(gx)}, {tape.name_of(gy)}"]
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
        + [f"        record((gx, gy, ux, uy{''.join(', ' + s for s in states)}))", "    return records", ""]
    )
    loop = _compile(source)
    state0 = tuple(template) * 2
    values = tuple(constants)

    def run_loop(x: float, y: float, n_steps: int) -> list[Any]:
        return loop(x, y, n_steps, grad_xy, state0, *values)

    return run_loop
