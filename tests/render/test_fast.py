"""The fast frame path: its frames are those of a full draw, and it says where they changed."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import numpy as np
from race_pictures import (
    N_STEPS,
    assert_same_picture,
    frozen_reference,
)

import rmsprop_viz as rv
from rmsprop_viz.plotting import RaceFigure
from rmsprop_viz.render.fast import fast_frames


def test_fast_frames_equal_a_full_draw(make_figure) -> None:
    """Drawing only what changed gives the pixels of a full draw, at any step, before and
    after SGD diverges (step 5), in any order."""
    reference = frozen_reference(make_figure())
    with fast_frames(make_figure(), None) as render:
        for step, other in [(N_STEPS, 0), (0, N_STEPS), (4, 5), (5, 4), (17, 12), (N_STEPS, 17)]:
            assert_same_picture(render(step), reference, step, other)


def test_fast_frames_equal_a_full_draw_at_a_larger_size(race: dict[str, rv.Trajectory]) -> None:
    """At 60 dpi: markers, dashes and the step counter at sizes like those of a real export,
    frame after frame (paths growing by one step, and by several) and back to the start."""

    def make() -> RaceFigure:
        return RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=60)

    reference = frozen_reference(make())
    with fast_frames(make(), None) as render:
        for step, other in [(0, 1), (1, 0), (2, 1), (3, 2), (6, 5), (9, 6), (10, 9), (25, 10), (N_STEPS, 25), (7, 8)]:
            assert_same_picture(render(step), reference, step, other)


def test_fast_frames_equal_a_full_draw_with_gaps_in_dashed_curves(race: dict[str, rv.Trajectory]) -> None:
    """A curve with missing values (NaN: nothing drawn) starts its dash pattern again after
    each gap; the frames drawn bit by bit do too."""

    def make() -> RaceFigure:
        figure = RaceFigure(rv.Rosenbrock(), race, figsize=(6.4, 4.8), dpi=60)
        assert figure.losses is not None
        assert figure.steps is not None
        for curves, index in ((figure.losses, 2), (figure.steps, 5)):  # Adam: dashed loss, dotted |dy|
            xs, ys = curves.data[index]
            ys = ys.copy()
            ys[[9, 10, 16]] = np.nan
            curves.data[index] = (xs, ys)
        figure.show_frame(figure.n_steps)
        return figure

    reference = frozen_reference(make())
    with fast_frames(make(), None) as render:
        render(8)
        assert_same_picture(render(12), reference, 12, 8)  # grown across the first gap in one frame
        for step in range(13, 20):
            render(step)  # and one step at a time across the second
        assert_same_picture(render(20), reference, 20, 19)


def test_fast_frames_equal_a_full_draw_in_3d() -> None:
    race = rv.race(rv.Rosenbrock(), {"RMSProp": rv.rmsprop(0.03), "Adam": rv.adam(0.05)}, n_steps=N_STEPS)
    reference = frozen_reference(RaceFigure(rv.Rosenbrock(), race, three_d=True, figsize=(6.4, 4.8), dpi=25))
    figure = RaceFigure(rv.Rosenbrock(), race, three_d=True, figsize=(6.4, 4.8), dpi=25)
    with fast_frames(figure, None) as render:
        for step, other in [(0, 17), (17, 0), (N_STEPS, 17)]:
            assert_same_picture(render(step), reference, step, other)


def test_frames_change_only_where_they_say(make_figure) -> None:
    """What the video converts: every pixel that differs from the frame before lies in the
    rows and columns the renderer says it changed, growing, going back, and diverging."""
    with fast_frames(make_figure(), 60) as render:
        before = render(0).copy()
        assert render.changed is None  # the first frame: all of it
        for step in [1, 2, 3, 4, 5, 6, 9, 10, 20, 12, 13, N_STEPS]:
            frame = render(step)
            differs = (frame != before).any(axis=-1)
            assert render.changed is not None  # known, divergence note included
            for rows, columns in render.changed:
                differs[rows, columns] = False
            assert not differs.any(), f"step {step}: {differs.sum()} pixels changed unsaid"
            before = frame.copy()


# ------------------------------------------- private attributes of other libraries

PACKAGE_DIR = Path(importlib.util.find_spec("rmsprop_viz").origin).parent  # type: ignore[arg-type, union-attr]
#: The only folder allowed to touch other libraries' private attributes.
FAST_DIR = PACKAGE_DIR / "render" / "fast"
#: Underscore names that are public API: a namedtuple's methods and fields.
PUBLIC_UNDERSCORE = {"_fields", "_replace", "_asdict", "_make", "_field_defaults"}


def _private(name: str) -> bool:
    return (
        name.startswith("_") and not (name.startswith("__") and name.endswith("__")) and name not in PUBLIC_UNDERSCORE
    )


def own_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The module's own top-level names, and every attribute name it defines itself (its
    functions, methods and classes, what it assigns to ``self.x`` or ``cls.x``, and what
    its class bodies assign)."""
    top: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top.add(node.name)
        for target in getattr(node, "targets", []):
            if isinstance(target, ast.Name):
                top.add(target.id)
    defined: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        stored = isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
        owner = getattr(node, "value", None)
        if stored and isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            defined.add(node.attr)
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                targets = (
                    [statement.target] if isinstance(statement, ast.AnnAssign) else getattr(statement, "targets", [])
                )
                defined |= {target.id for target in targets if isinstance(target, ast.Name)}
    return top, defined


def foreign_private_attributes(path: Path) -> list[str]:
    """``file:line name`` of every private attribute ``path`` reads or writes on an object
    that is not its own: ``x._name`` (or ``getattr(x, "_name")``) where ``x`` is not
    ``self``, ``cls`` or one of the module's own names and ``_name`` is not an attribute
    the module defines itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top, defined = own_names(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        name, owner = None, None
        if isinstance(node, ast.Attribute) and _private(node.attr):
            name, owner = node.attr, node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            name, owner = node.args[1].value, node.args[0]
        if name is None or name in defined:
            continue
        if isinstance(owner, ast.Name) and (owner.id in ("self", "cls") or owner.id in top):
            continue
        found.append((node.lineno, f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno} {name}"))
    return [entry for _, entry in sorted(found)]


def test_private_attributes_of_other_libraries_stay_in_the_fast_path() -> None:
    """Only render/fast/ relies on matplotlib's internals; and it does (the scan sees them)."""
    inside, outside = [], []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        (inside if FAST_DIR in path.parents else outside).extend(foreign_private_attributes(path))
    assert not outside, "private attributes of other libraries outside render/fast/: " + ", ".join(outside)
    names = {entry.split()[-1] for entry in inside}
    assert {"_dashes", "_fast_from_codes_and_verts"} <= names


def test_the_scan_sees_every_spelling(tmp_path: Path) -> None:
    source = tmp_path / "rmsprop_viz" / "sample.py"
    source.parent.mkdir()
    source.write_text(
        "from matplotlib.path import Path as MplPath\n"
        "class Pen:\n"
        "    _cache = {}\n"
        "    def __init__(self, gc, fig):\n"
        "        self._gc = gc\n"
        "        self._gc._dashes = (0, None)\n"  # 6: a graphics context's private field
        "        MplPath._fast_from_codes_and_verts(1, 2, 3)\n"  # 7: a private constructor
        "        getattr(fig, '_original_dpi', 1)\n"  # 8: through getattr
        "        Pen._cache.clear()\n"  # its own class: fine
        "        self._gc.__class__\n"  # a dunder: fine
        "        gc._replace()\n"  # a namedtuple's method: fine
        "def make(pen):\n"
        "    pen._gc = None\n"  # an attribute this module defines: fine
        "    return pen._other\n",  # 14: one it does not
        encoding="utf-8",
    )
    global PACKAGE_DIR
    saved = PACKAGE_DIR
    PACKAGE_DIR = tmp_path / "rmsprop_viz"
    try:
        found = foreign_private_attributes(source)
    finally:
        PACKAGE_DIR = saved
    assert found == [
        "rmsprop_viz/sample.py:6 _dashes",
        "rmsprop_viz/sample.py:7 _fast_from_codes_and_verts",
        "rmsprop_viz/sample.py:8 _original_dpi",
        "rmsprop_viz/sample.py:14 _other",
    ]
