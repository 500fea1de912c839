"""The site builder's offline parts: Pyodide's files checked against their lock, the lock
entries of the pinned wheels, the pages, and the command line's errors.

Nothing here uses the network, npm or pip: the Pyodide release is a fake folder whose
lock holds the sha256 of its dummy files, computed here with hashlib.
"""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = "0.27.7"


@pytest.fixture
def bs(builder: ModuleType) -> ModuleType:
    """The builder (``conftest.py``), under a short name."""
    return builder


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------ Pyodide's files

#: A small lock: matplotlib needs numpy and six; scipy is not needed by the roots.
PACKAGES = {
    "numpy": ("numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl", []),
    "matplotlib": ("matplotlib-3.8.4-cp312-cp312-pyodide_2024_0_wasm32.whl", ["numpy", "six"]),
    "six": ("six-1.16.0-py2.py3-none-any.whl", []),
    "scipy": ("scipy-1.14.1-cp312-cp312-pyodide_2024_0_wasm32.whl", ["numpy"]),
}
CORE_FILES = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")


def fake_release(folder: Path, *, version: str = VERSION, extra_depends: tuple[str, ...] = ()) -> dict[str, bytes]:
    """A release folder: dummy core files, dummy package files and a lock holding their
    sha256. Returns every file's bytes by name (the lock's excepted)."""
    folder.mkdir()
    files: dict[str, bytes] = {}
    for name in CORE_FILES:
        files[name] = f"core file {name}\n".encode() * 3
    packages = {}
    for key, (file_name, depends) in PACKAGES.items():
        data = f"wheel of {key}\n".encode() + bytes(range(256))
        files[file_name] = data
        packages[key] = {
            "name": key, "version": file_name.split("-")[1], "file_name": file_name, "install_dir": "site",
            "sha256": digest(data), "package_type": "package", "imports": [key],
            "depends": depends + list(extra_depends if key == "matplotlib" else ()), "unvendored_tests": False,
        }  # fmt: skip
    for name, data in files.items():
        (folder / name).write_bytes(data)
    lock = {"info": {"arch": "wasm32", "python": "3.12.7", "version": version}, "packages": packages}
    (folder / "pyodide-lock.json").write_text(json.dumps(lock))
    return files


@pytest.fixture
def small_roots(bs: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bs, "ROOTS", ("numpy", "matplotlib"))


def folders(tmp_path: Path) -> tuple[Path, Path]:
    out, work = tmp_path / "out", tmp_path / "work"
    out.mkdir()
    work.mkdir()
    return out, work


@pytest.mark.usefixtures("small_roots")
def test_a_release_folder_is_copied_cut_to_the_closure_and_every_file_listed(bs: ModuleType, tmp_path: Path) -> None:
    release = tmp_path / "pyodide"
    files = fake_release(release)
    out, work = folders(tmp_path)
    lock, provenance = bs.pyodide(out, work, release=release)

    kept = {"numpy", "matplotlib", "six"}
    assert set(lock["packages"]) == kept
    assert lock["info"]["version"] == VERSION
    wanted = set(CORE_FILES) | {PACKAGES[k][0] for k in kept}
    assert {p.name for p in out.iterdir()} == wanted  # no scipy, no lock (the build writes its own)
    for name in wanted:
        assert (out / name).read_bytes() == files[name], name
    assert {p["file"]: p["sha256"] for p in provenance} == {name: digest(files[name]) for name in wanted}
    assert len(provenance) == len(wanted)
    assert all(p["source"] for p in provenance)


@pytest.mark.usefixtures("small_roots")
def test_a_tampered_package_file_stops_the_build_naming_it(bs: ModuleType, tmp_path: Path) -> None:
    release = tmp_path / "pyodide"
    fake_release(release)
    target = release / PACKAGES["matplotlib"][0]
    data = bytearray(target.read_bytes())
    data[20] ^= 1
    target.write_bytes(bytes(data))
    with pytest.raises(bs.SiteError, match=re.escape(PACKAGES["matplotlib"][0]) + ".*does not match"):
        bs.pyodide(*folders(tmp_path), release=release)


@pytest.mark.usefixtures("small_roots")
def test_a_missing_package_file_stops_the_build_naming_it(bs: ModuleType, tmp_path: Path) -> None:
    release = tmp_path / "pyodide"
    fake_release(release)
    (release / PACKAGES["six"][0]).unlink()
    with pytest.raises(bs.SiteError, match=re.escape(PACKAGES["six"][0]) + r" \(for six\) is missing"):
        bs.pyodide(*folders(tmp_path), release=release)


@pytest.mark.usefixtures("small_roots")
def test_a_missing_core_file_stops_the_build_naming_it(bs: ModuleType, tmp_path: Path) -> None:
    release = tmp_path / "pyodide"
    fake_release(release)
    (release / "python_stdlib.zip").unlink()
    with pytest.raises(bs.SiteError, match=r"lacks python_stdlib\.zip"):
        bs.pyodide(*folders(tmp_path), release=release)


@pytest.mark.usefixtures("small_roots")
def test_a_lock_of_another_version_is_refused_naming_both(bs: ModuleType, tmp_path: Path) -> None:
    release = tmp_path / "pyodide"
    fake_release(release, version="0.26.4")
    with pytest.raises(bs.SiteError) as info:
        bs.pyodide(*folders(tmp_path), release=release)
    assert "0.26.4" in str(info.value)
    assert VERSION in str(info.value)


@pytest.mark.usefixtures("small_roots")
def test_a_dependency_missing_from_the_lock_is_an_error(bs: ModuleType, tmp_path: Path) -> None:
    release = tmp_path / "pyodide"
    fake_release(release, extra_depends=("kiwisolver",))
    with pytest.raises(bs.SiteError, match="no package 'kiwisolver'"):
        bs.pyodide(*folders(tmp_path), release=release)


def test_closure_matches_names_by_their_normal_form_and_survives_cycles(bs: ModuleType) -> None:
    lock = {
        "ipython": {"depends": ["prompt_toolkit", "Pygments", "traitlets"]},
        "prompt-toolkit": {"depends": ["wcwidth"]},
        "pygments": {"depends": []},
        "wcwidth": {"depends": []},
        "traitlets": {"depends": ["ipython"]},  # a cycle
        "scipy": {"depends": []},
    }
    assert bs.closure(lock, ["IPython"]) == ["ipython", "prompt-toolkit", "pygments", "traitlets", "wcwidth"]
    assert bs.closure(lock, ["wcwidth"]) == ["wcwidth"]
    with pytest.raises(bs.SiteError, match="no package 'numpy'"):
        bs.closure(lock, ["numpy"])


# ----------------------------------------------------------------- the pinned wheels

PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+) --hash=sha256:(?P<sha>[0-9a-f]{64})")

#: The closure of the builder's roots in Pyodide 0.27.7's official pyodide-lock.json:
#: the packages the site's lock keeps from it (written out, since the lock is not here).
KEPT_FROM_PYODIDE = {
    "asttokens", "contourpy", "cycler", "decorator", "executing", "fonttools", "ipython", "jedi", "kiwisolver",
    "matplotlib", "matplotlib-inline", "matplotlib-pyodide", "micropip", "numpy", "openssl", "packaging",
    "parso", "pillow", "prompt-toolkit", "pure-eval", "pygments", "pyparsing", "python-dateutil", "pytz",
    "six", "sqlite3", "ssl", "stack-data", "traitlets", "wcwidth",
}  # fmt: skip


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    """site-requirements.txt's pins, name (normal form) -> version; every line checked."""
    found = {}
    for line in (ROOT / "scripts" / "site-requirements.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = PIN.fullmatch(line.strip())
        assert match, f"not an '==' pin with a sha256 of 64 hex digits: {line!r}"
        found[normal(match["name"])] = match["version"]
    return found


def test_every_requirement_is_pinned_with_its_hash_and_kernel_wheels_match_it(bs: ModuleType) -> None:
    pinned = pins()
    front_end_only = {normal(e) for e in bs.EXTENSIONS} - set(bs.KERNEL_WHEELS)
    assert front_end_only == {"jupyterlab-widgets", "jupyterlite-pyodide-kernel"}
    assert set(pinned) == (set(bs.KERNEL_WHEELS) - {"rmsprop-viz"}) | front_end_only
    assert {normal(e) for e in bs.EXTENSIONS} <= set(pinned)


def test_every_kernel_wheel_depends_on_what_the_site_lock_holds(bs: ModuleType) -> None:
    assert {normal(r) for r in bs.ROOTS} <= KEPT_FROM_PYODIDE
    for name, (imports, depends) in bs.KERNEL_WHEELS.items():
        assert name == normal(name)
        assert imports, name
        for dependency in depends:
            assert dependency in set(bs.KERNEL_WHEELS) | KEPT_FROM_PYODIDE, f"{name} depends on {dependency}"


def fake_wheels(folder: Path) -> dict[str, Path]:
    """A wheel file (dummy bytes) for each pin and the package, named as pip names them."""
    import rmsprop_viz

    folder.mkdir()
    made = {}
    for name, version in {**pins(), "rmsprop-viz": rmsprop_viz.__version__}.items():
        path = folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
        path.write_bytes(f"{name} {version}\n".encode() * 7)
        made[name] = path
    return made


def test_lock_entries_describe_each_kernel_wheel_and_skip_the_front_end_ones(bs: ModuleType, tmp_path: Path) -> None:
    made = fake_wheels(tmp_path / "wheels")
    out = tmp_path / "out"
    out.mkdir()
    entries, provenance = bs.lock_entries(sorted(made.values()), out)

    kernel = {"anywidget", "comm", "ipywidgets", "psygnal", "tqdm", "typing-extensions", "rmsprop-viz"}
    assert set(entries) == kernel
    assert {p.name for p in out.iterdir()} == {made[n].name for n in kernel}
    versions = {**pins(), "rmsprop-viz": "0.1.0"}
    for name in kernel:
        entry, data = entries[name], made[name].read_bytes()
        # the fields of an entry of Pyodide's own lock
        assert set(entry) == {
            "name", "version", "file_name", "install_dir", "sha256", "package_type", "imports", "depends",
            "unvendored_tests",
        }  # fmt: skip
        assert entry["name"] == name
        assert entry["version"] == versions[name]
        assert entry["file_name"] == made[name].name
        assert entry["sha256"] == digest(data)
        assert entry["imports"] == [made[name].name.split("-")[0]]  # e.g. typing_extensions
        assert entry["depends"] == bs.KERNEL_WHEELS[name][1]
        assert (out / made[name].name).read_bytes() == data
    assert {p["file"]: p["sha256"] for p in provenance} == {made[n].name: digest(made[n].read_bytes()) for n in kernel}


def test_a_missing_kernel_wheel_is_named(bs: ModuleType, tmp_path: Path) -> None:
    made = fake_wheels(tmp_path / "wheels")
    out = tmp_path / "out"
    out.mkdir()
    found = sorted(p for n, p in made.items() if n != "psygnal")
    with pytest.raises(bs.SiteError, match=r"no wheel for psygnal$"):
        bs.lock_entries(found, out)


# ------------------------------------------------------------------------- the pages


class Links(HTMLParser):
    """The ``href``/``src`` values of a page, and its elements' attributes by id."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.text: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("href", "src") and v is not None]
        if found.get("id"):
            self.by_id[str(found["id"])] = {"tag": tag, **found}
            self._open = str(found["id"])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.text[self._open] = self.text.get(self._open, "") + data

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def parsed(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


VOICI_PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@5.15.4/css/all.min.css">
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@5.15.4/css/v4-shims.min.css">
<script id="jupyter-config-data" type="application/json">{"baseUrl": "../../",
 "federated_extensions": [{"name": "anywidget", "load": "./extensions/anywidget/static/remoteEntry.js"}],
 "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": {"pyodideUrl": "./static/pyodide/pyodide.js"}}}
</script></head><body></body></html>
"""


def test_fix_voici_keeps_the_app_page_with_paths_from_where_it_lives(bs: ModuleType, tmp_path: Path) -> None:
    render = tmp_path / "voici" / "render"
    render.mkdir(parents=True)
    (render / "explorer.html").write_text(VOICI_PAGE)
    (render / "other.html").write_text("<p>another notebook</p>")
    (tmp_path / "voici" / "tree").mkdir()
    (tmp_path / "voici" / "tree" / "index.html").write_text("<p>the tree</p>")
    bs.fix_voici(tmp_path)

    assert sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "voici").rglob("*")) == [
        "voici/index.html", "voici/render", "voici/render/explorer.html",
    ]  # fmt: skip
    page = (render / "explorer.html").read_text()
    links = parsed(page)
    assert links.urls == ["../../static/fontawesome/css/all.min.css", "../../static/fontawesome/css/v4-shims.min.css"]
    config = json.loads(links.text["jupyter-config-data"])
    assert config["federated_extensions"][0]["load"] == "../../extensions/anywidget/static/remoteEntry.js"
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "../../static/pyodide/pyodide.js"
    assert config["baseUrl"] == "../../"
    assert "https://" not in page
    assert '"./' not in page
    # from voici/render/, ../../static/... is the site's static/
    assert (render / "../../static/pyodide").resolve() == (tmp_path / "static" / "pyodide").resolve()
    redirect = (tmp_path / "voici" / "index.html").read_text()
    assert 'content="0; url=render/explorer.html"' in redirect
    assert parsed(redirect).urls == ["render/explorer.html"]


def test_outside_urls_finds_other_hosts_only(bs: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "lab").mkdir()
    (tmp_path / "index.html").write_text('<a href="lab/index.html">lab</a><img src="static/logo.png">')
    (tmp_path / "lab" / "index.html").write_text(
        '<script src="https://unpkg.com/x.js"></script><link href="../build/a.css"><a href="#top">top</a>'
    )
    assert bs.outside_urls(tmp_path) == ["lab/index.html: https://unpkg.com/x.js"]
    (tmp_path / "lab" / "index.html").write_text('<link href="../build/a.css">')
    assert bs.outside_urls(tmp_path) == []


def test_the_course_is_the_numbered_notebooks(bs: ModuleType) -> None:
    numbered = sorted(p.name for p in (ROOT / "notebooks").iterdir() if re.fullmatch(r"\d\d_\w+\.ipynb", p.name))
    assert numbered
    assert numbered == bs.COURSE


def test_the_landing_page_links_every_notebook_the_app_and_carries_the_lite_config(bs: ModuleType) -> None:
    page = bs.landing(bs.COURSE, "40 MB")
    links = parsed(page)
    for name in bs.COURSE:
        assert f"lab/index.html?path={name}" in links.urls
        assert (ROOT / "notebooks" / name).is_file()
    assert "voici/render/explorer.html" in links.urls
    assert "lab/index.html" in links.urls
    assert all(not re.match(r"\w+:", url) for url in links.urls)  # all inside the site
    config = links.by_id["jupyter-config-data"]
    assert config["tag"] == "script"
    assert config["type"] == "application/json"
    assert config["data-jupyter-lite-root"] == "."
    assert json.loads(links.text["jupyter-config-data"]) == {}
    assert "40 MB" in page


def test_the_app_notebook_is_a_valid_notebook_that_opens_the_explorer(bs: ModuleType) -> None:
    import ast

    import nbformat

    notebook = nbformat.reads(bs.APP_NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    tree = ast.parse("\n".join(cell.source for cell in code))
    imports = [(a.name, a.asname) for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
    assert ("rmsprop_viz", "rv") in imports
    calls = [ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert "rv.explore" in calls


# ---------------------------------------------------------------- the command line


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("build_site: error: ")
    return lines[0]


def test_a_pyodide_folder_without_a_lock_is_one_error_line(
    bs: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bs.main(["--out", str(tmp_path / "site"), "--pyodide", str(tmp_path)]) == 1
    line = one_error_line(capsys)
    assert "--pyodide" in line
    assert "pyodide-lock.json" in line
    assert not (tmp_path / "site").exists()


def test_a_wheel_that_is_not_a_file_is_one_error_line(
    bs: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "rmsprop_viz-0.1.0-py3-none-any.whl"
    assert bs.main(["--out", str(tmp_path / "site"), "--wheel", str(missing)]) == 1
    line = one_error_line(capsys)
    assert f"--wheel: {missing} is not a file" in line
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    ("builders", "words"),
    [
        ({"no-such-package-xyz": "1.0"}, "no-such-package-xyz is not installed"),
        ({"pytest": "0.0.1"}, f"pytest {pytest.__version__} is installed, the site is built with 0.0.1"),
    ],
)
def test_builders_missing_or_of_another_version_are_one_error_line(
    bs: ModuleType,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    builders: dict[str, str],
    words: str,
) -> None:
    monkeypatch.setattr(bs, "BUILDERS", builders)
    assert bs.main(["--out", str(tmp_path / "site")]) == 1
    line = one_error_line(capsys)
    assert words in line
    assert "pip install '.[site]'" in line
    assert not (tmp_path / "site").exists()
