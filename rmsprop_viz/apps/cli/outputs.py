"""The files a command will write, checked before any work: a known suffix, a directory
that exists and accepts new files, and no file in the way unless ``--force`` (a recipe
that already holds the same text is no conflict)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from rmsprop_viz.core.staging import check_target, check_writable

__all__ = ["FORCE", "check_out", "recipe_note"]

#: How the user allows replacing files, for messages.
FORCE = "add --force"


def check_out(path_text: str, suffixes: Sequence[str], force: bool, companions: Mapping[str, str | None]) -> Path:
    """Refuse, before any work, an output that could not or should not be written.

    ``companions`` maps the suffix of each file written beside the output to its content
    when it is known now (the recipe), else None. A companion that already holds exactly
    that content is no conflict: ``race.gif`` and ``race.mp4`` of one race share
    ``race.json``.
    """
    path = Path(path_text)
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise ValueError(
            f"--out {path_text}: unknown format {suffix or '(no suffix)'}; use one of {', '.join(suffixes)}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise ValueError(f"--out {path_text}: the directory {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"--out {path_text}: the directory {str(folder)!r} is not writable")
    try:
        check_writable(folder)  # the permission bits say yes for /proc, /sys, read-only mounts
        check_target(path, overwrite=force, how=FORCE)
        same_recipe = False
        for companion, content in companions.items():
            if content is not None:
                same_recipe |= check_target(
                    path.with_suffix(companion), overwrite=force, content=content, what="recipe", how=FORCE
                )
        for companion, content in companions.items():
            # A result beside the same recipe is the same result (e.g. a sweep's CSV): it is
            # compared when it has been computed, and kept if it is the same.
            if content is None and not same_recipe:
                check_target(path.with_suffix(companion), overwrite=force, how=FORCE)
    except ValueError as error:
        raise ValueError(f"--out {path_text}: {error}") from None
    return path


def recipe_note(path: Path, text: str) -> str:
    """What the command says about the recipe it writes: a recipe file that already holds
    exactly this text is left as it is (two exports of one race share it)."""
    if check_target(path, overwrite=True, content=text):
        return f"kept {path} (it already holds this recipe)"
    return f"wrote {path}"
