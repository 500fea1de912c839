"""The package's architecture, checked: its folders are its layers.

``core`` -> ``engine`` -> ``scenes`` -> ``plotting`` -> ``render`` -> ``export`` -> ``apps``:
a module imports only from its own layer or the layers below it. No module imports another
module's underscore names, no module is longer than 600 lines, and the tests mirror the
package's folders.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

PACKAGE_DIR = Path(importlib.util.find_spec("rmsprop_viz").origin).parent
TESTS_DIR = Path(__file__).parent

#: Each layer folder with its height; a module may import from layers of its height or lower.
LAYERS = {"core": 0, "engine": 1, "scenes": 2, "plotting": 3, "render": 4, "export": 5, "apps": 6}
#: The package's top-level modules: the package face and the modules that keep public paths.
TOP_LEVEL = {"__init__": 1, "animation": 5, "explorer": 6, "__main__": 6}
MAX_LINES = 600


def modules() -> list[Path]:
    return sorted(PACKAGE_DIR.rglob("*.py"))


def dotted(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def height(module: str) -> int:
    """The layer of ``rmsprop_viz.<folder>...`` or of a top-level module."""
    parts = module.split(".")
    if len(parts) == 1:
        return TOP_LEVEL["__init__"]
    name = parts[1]
    if name in LAYERS:
        return LAYERS[name]
    return TOP_LEVEL[name]


def own_height(path: Path) -> int:
    relative = path.relative_to(PACKAGE_DIR)
    if len(relative.parts) == 1:
        return TOP_LEVEL[relative.stem]
    return LAYERS[relative.parts[0]]


def package_imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """``(line, module, names)`` of every import of the package in ``path``, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = dotted(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, alias.name, []) for alias in node.names if alias.name.split(".")[0] == "rmsprop_viz"
            ]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] == "rmsprop_viz":
                found.append((node.lineno, module, [alias.name for alias in node.names]))
    return found


def test_every_module_is_in_a_layer():
    for path in modules():
        own_height(path)  # raises KeyError for a module outside the layers


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_imports_point_down(path):
    mine = own_height(path)
    for line, module, names in package_imports(path):
        theirs = height(module)
        if module == "rmsprop_viz":  # `from rmsprop_viz import plotting` imports a layer by name
            theirs = max([theirs, *(height(f"rmsprop_viz.{n}") for n in names if n in LAYERS or n in TOP_LEVEL)])
        assert theirs <= mine, f"{path.name}:{line} imports {module} from a higher layer"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_no_module_imports_underscore_names(path):
    for line, module, names in package_imports(path):
        private = [n for n in names if n.startswith("_") and not n.startswith("__")]
        assert not private, f"{path.name}:{line} imports {', '.join(private)} from {module}"
        assert not any(part.startswith("_") and not part.startswith("__") for part in module.split(".")), (
            f"{path.name}:{line} imports the private module {module}"
        )


def test_surfaces_and_optimizers_do_not_import_each_other():
    for a, b in (("surfaces", "optimizers"), ("optimizers", "surfaces")):
        for path in PACKAGE_DIR.joinpath("core").glob(f"{a}*"):
            files = [path] if path.is_file() else sorted(path.rglob("*.py"))
            for file in files:
                for line, module, names in package_imports(file):
                    assert b not in module.split("."), f"{file.name}:{line} imports {b}"
                    assert b not in names, f"{file.name}:{line} imports {b}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_no_module_is_longer_than_the_limit(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE_DIR)} has {lines} lines (at most {MAX_LINES})"


def test_the_tests_mirror_the_layers():
    for layer in LAYERS:
        folder = PACKAGE_DIR / layer
        if folder.is_dir():
            assert (TESTS_DIR / layer).is_dir(), f"no tests/{layer} for rmsprop_viz/{layer}"


def test_the_checks_see_a_violation(tmp_path):
    """The scanner finds an upward import, a private name and a relative import's target."""
    fake = tmp_path / "rmsprop_viz" / "core"
    fake.mkdir(parents=True)
    source = fake / "bad.py"
    source.write_text("from rmsprop_viz.plotting import draw\nfrom ..engine.run import _best\n", encoding="utf-8")
    global PACKAGE_DIR
    saved = PACKAGE_DIR
    PACKAGE_DIR = tmp_path / "rmsprop_viz"
    try:
        found = package_imports(source)
        assert found == [(1, "rmsprop_viz.plotting", ["draw"]), (2, "rmsprop_viz.engine.run", ["_best"])]
        with pytest.raises(AssertionError, match="higher layer"):
            test_imports_point_down(source)
        with pytest.raises(AssertionError, match="imports _best"):
            test_no_module_imports_underscore_names(source)
    finally:
        PACKAGE_DIR = saved
