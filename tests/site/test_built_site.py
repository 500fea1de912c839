"""The site as built the README's way (from the registries), checked file by file, and
built again from a release folder with ``--pyodide``."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path
from types import ModuleType

import pytest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def official(tmp_path_factory: pytest.TempPathFactory, builder: ModuleType, npm: str) -> Path:
    """npm's ``pyodide`` package of the pinned release, unpacked: the official lock and core."""
    folder = tmp_path_factory.mktemp("npm")
    done = subprocess.run(
        [npm, "pack", f"pyodide@{builder.PYODIDE_VERSION}", "--pack-destination", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    (tarball,) = folder.glob("pyodide-*.tgz")
    assert tarball.name in done.stdout
    with tarfile.open(tarball) as archive:
        archive.extractall(folder, filter="data")
    return folder / "package"


def test_every_file_the_lock_names_is_there_with_its_hash(site: Path, official: Path) -> None:
    lock = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text())
    reference = json.loads((official / "pyodide-lock.json").read_text())["packages"]
    assert lock["info"]["version"] == "0.27.7"
    official_files = {e["file_name"] for e in reference.values()}
    for name, entry in lock["packages"].items():
        path = site / "static" / "pyodide" / entry["file_name"]
        assert path.is_file(), f"{name}: {entry['file_name']} is missing"
        assert sha256(path) == entry["sha256"], f"{name}: the file does not have the lock's sha256"
        if entry["file_name"] in official_files:  # an official package: its entry, unchanged
            assert entry == reference[name], name
    # The pinned wheels' entries: the ones Pyodide lacks, and two (tqdm, typing-extensions)
    # whose official wheels the registries do not carry.
    ours = {n for n, e in lock["packages"].items() if e["file_name"] not in official_files}
    assert ours == {"rmsprop-viz", "ipywidgets", "anywidget", "psygnal", "comm", "tqdm", "typing-extensions"}
    # What a cell's `import rmsprop_viz` loads: the package and everything it needs.
    needed, todo = set(), ["rmsprop-viz"]
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo.extend(re.sub(r"[-_.]+", "-", d).lower() for d in lock["packages"][name]["depends"])
    assert {"numpy", "matplotlib", "pillow", "ipywidgets", "anywidget", "comm", "traitlets"} <= needed
    assert needed <= set(lock["packages"])


def test_the_core_is_npms_and_the_pages_fetch_nothing_from_elsewhere(site: Path, official: Path) -> None:
    for name in ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"):
        assert sha256(site / "static" / "pyodide" / name) == sha256(official / name), name
    for page in site.rglob("*.html"):
        text = page.read_text(errors="replace")
        assert not re.findall(r'(?:src|href)="(?:https?:)?//', text), page
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js"
    assert kernel["disablePyPIFallback"] is True
    names = {e["name"] for e in config["federated_extensions"]}
    assert names == {"@jupyter-widgets/jupyterlab-manager", "anywidget", "@jupyterlite/pyodide-kernel-extension"}
    app = (site / "voici" / "render" / "explorer.html").read_text()
    assert '"../../static/pyodide/pyodide.js"' in app
    assert "../../static/fontawesome/css/all.min.css" in app
    assert "<title>rmsprop_viz: the explorer</title>" in app
    assert (site / "static" / "fontawesome" / "webfonts" / "fa-solid-900.woff2").is_file()


def test_build_info_names_every_pyodide_file_with_its_source(site: Path) -> None:
    info = json.loads((site / "build-info.json").read_text())
    listed = {f["file"]: f for f in info["files"]}
    for path in (site / "static" / "pyodide").iterdir():
        if path.name != "pyodide-lock.json":
            assert path.name in listed, path.name
            assert listed[path.name]["sha256"] == sha256(path)
    assert info["pyodide"] == "0.27.7"
    assert set(info["course"]) == {p.name for p in (site / "files").glob("[0-9]*.ipynb")}
    assert not (site / "files" / "solutions").exists()


def release_folder(site: Path, official: Path, folder: Path) -> Path:
    """A release folder: the official core and lock, and the official package files the
    first build kept (a full release holds all of them; only these are read)."""
    shutil.copytree(official, folder)
    for entry in json.loads((official / "pyodide-lock.json").read_text())["packages"].values():
        path = site / "static" / "pyodide" / entry["file_name"]
        if path.is_file():
            shutil.copyfile(path, folder / entry["file_name"])
    return folder


def test_a_release_folder_builds_the_same_pyodide(
    site: Path, official: Path, builder: ModuleType, tmp_path: Path
) -> None:
    release = release_folder(site, official, tmp_path / "pyodide")

    again = builder.build(tmp_path / "site", release=release)

    first = {p.name: sha256(p) for p in (site / "static" / "pyodide").iterdir() if p.name != "pyodide-lock.json"}
    second = {p.name: sha256(p) for p in (again / "static" / "pyodide").iterdir() if p.name != "pyodide-lock.json"}
    assert second == first
    info = json.loads((again / "build-info.json").read_text())
    assert any("release folder" in f["source"] for f in info["files"])


def test_a_tampered_release_file_stops_the_build_and_keeps_the_old_site(
    site: Path, official: Path, builder: ModuleType, tmp_path: Path
) -> None:
    release = release_folder(site, official, tmp_path / "pyodide")
    lock = json.loads((official / "pyodide-lock.json").read_text())["packages"]
    numpy = release / lock["numpy"]["file_name"]
    data = bytearray(numpy.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte in the middle of the wheel
    numpy.write_bytes(bytes(data))
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the old site")

    with pytest.raises(builder.SiteError, match=re.escape(lock["numpy"]["file_name"])):
        builder.build(out, release=release, force=True)

    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert (out / "index.html").read_text() == "the old site"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
