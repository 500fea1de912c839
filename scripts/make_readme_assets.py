"""Make the pictures in the README: ``docs/race.gif`` and ``docs/sweep.png``.

Each is what the README's own command makes, run here through the command line's entry
point with its defaults:

* ``docs/race.gif`` (and its recipe ``docs/race.json``): the Quickstart's
  ``rmsprop-viz race --out race.gif``, the default race on Rosenbrock;
* ``docs/sweep.png``: ``rmsprop-viz sweep --optimizer rmsprop --out sweep.png``, RMSProp's
  final loss over learning rates and decays on the same race, diverged cells hatched and
  the robust best cell starred (the sweep's CSV and recipe are not kept).

Only options that do not change the pictures are added (``--force`` to replace the old
files, ``--no-progress``). Run from anywhere:

    python scripts/make_readme_assets.py            # both files, into docs/
    python scripts/make_readme_assets.py --help
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from rmsprop_viz.apps import cli

DOCS = Path(__file__).resolve().parent.parent / "docs"

#: The README's commands, as typed there (the output file aside).
RACE = ["race"]
SWEEP = ["sweep", "--optimizer", "rmsprop"]


def make_race(out: Path, *, progress: bool = True) -> Path:
    """``rmsprop-viz race --out OUT``: the Quickstart's animation, and its recipe beside it."""
    extra = ["--force"] + ([] if progress else ["--no-progress"])
    if cli.main([*RACE, "--out", str(out), *extra]) != 0:
        raise SystemExit(f"rmsprop-viz race failed for {out}")
    return out


def make_sweep(out: Path) -> Path:
    """``rmsprop-viz sweep --optimizer rmsprop --out OUT``, keeping only the picture."""
    with tempfile.TemporaryDirectory() as folder:
        picture = Path(folder) / out.name
        if cli.main([*SWEEP, "--out", str(picture)]) != 0:
            raise SystemExit(f"rmsprop-viz sweep failed for {out}")
        shutil.copyfile(picture, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the README's animation (race.gif, with race.json) and sweep heatmap (sweep.png) "
        "with the README's own commands.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--out-dir", type=Path, default=DOCS, help="where to write the files")
    parser.add_argument("--only", choices=("race", "sweep"), help="make just one of the two")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if args.only in (None, "race"):
        gif = make_race(args.out_dir / "race.gif", progress=not args.no_progress)
        written += [gif, gif.with_suffix(".json")]
    if args.only in (None, "sweep"):
        written.append(make_sweep(args.out_dir / "sweep.png"))
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
