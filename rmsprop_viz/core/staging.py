"""Writing files all at once or not at all.

Every file the package writes (animations, figures, a sweep's CSV, recipes) goes through
a :class:`Staging`: each output is first written to a hidden temporary file beside its
target, and only when every output of the job is complete are they renamed into place,
one ``os.replace`` each (atomic on one file system). So a failed or interrupted job
leaves no half-written file behind, and never a picture without its recipe.

When an output replaces an old file (``overwrite=True``), the old file is kept as a
hidden backup until every new file is in place: if one rename fails (a directory in
the way, a full disk, a read-only file system), the files already renamed are put back
as they were and the old ones are still there, byte for byte. The renames run with
SIGINT, SIGTERM and SIGHUP held back, so an interrupt lands before or after them,
never between two of them.

A target that already holds exactly the bytes a job would write is not a conflict: it
is left as it is (two exports of one race, ``race.gif`` and ``race.mp4``, share one
``race.json``).

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with Staging() as staging:
...     staging.write_text(folder / "a.txt", "one\\n")
...     staging.write_text(folder / "a.json", "{}\\n")
...     staging.commit()
True
True
>>> sorted(p.name for p in folder.iterdir())
['a.json', 'a.txt']
>>> with Staging() as staging:  # doctest: +ELLIPSIS
...     staging.write_text(folder / "a.txt", "two\\n")
Traceback (most recent call last):
...
rmsprop_viz.core.staging.TargetExistsError: ...a.txt already exists; pass overwrite=True to replace it, or choose ...
>>> import shutil; shutil.rmtree(folder)
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "MAX_COMPARED_BYTES",
    "Staging",
    "TargetExistsError",
    "check_target",
    "check_writable",
    "held_signals",
    "naming",
    "staged_folder",
    "write_file",
]

#: An existing target larger than this is never read to compare it with new content.
MAX_COMPARED_BYTES = 16 * 2**20

#: Signals held back while files are renamed into place.
_HELD = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class TargetExistsError(ValueError):
    """A target exists and may not be replaced (no ``overwrite``), or is in the way."""


def _as_bytes(content: bytes | str) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _same_content(target: Path, content: bytes) -> bool:
    try:
        if not target.is_file() or target.stat().st_size != len(content) or len(content) > MAX_COMPARED_BYTES:
            return False
        return target.read_bytes() == content
    except OSError:
        return False


def check_target(
    target: Path,
    *,
    overwrite: bool,
    content: bytes | str | None = None,
    what: str = "",
    how: str = "pass overwrite=True",
) -> bool:
    """Refuse, before any work, a target that cannot or may not be written.

    Parameters
    ----------
    target : Path
        The file to write.
    overwrite : bool
        Whether an existing file may be replaced.
    content : bytes or str, optional
        What will be written, when it is known now (e.g. a recipe). A target that already
        holds exactly these bytes is no conflict.
    what : str
        What the file holds, for the message (e.g. ``"recipe"``).
    how : str
        How the caller allows overwriting, for the message (``"add --force"`` in the CLI).

    Returns
    -------
    bool
        True when the target already holds ``content`` (nothing needs writing).

    Raises
    ------
    TargetExistsError
        When the folder is missing or not a folder, the target is a directory, or it
        exists with other content and ``overwrite`` is false.
    """
    folder = target.parent
    if not folder.exists():
        raise TargetExistsError(f"cannot write {target.name!r}: the directory {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise TargetExistsError(f"cannot write {target.name!r}: {str(folder)!r} is not a directory")
    if target.is_dir():
        raise TargetExistsError(f"cannot write {str(target)!r}: it is a directory")
    if content is not None and not target.is_symlink() and _same_content(target, _as_bytes(content)):
        return True
    if (target.exists() or target.is_symlink()) and not overwrite:  # a symlink, even dangling, is a file there
        kind = f" with a different {what}" if content is not None and what else ""
        raise TargetExistsError(f"{target} already exists{kind}; {how} to replace it, or choose another name")
    return False


def check_writable(folder: Path) -> None:
    """Refuse, before any work, a directory in which no new file can be created.

    The test is the real thing: a hidden empty file is created and removed at once (the
    permission bits alone say yes for /proc, /sys or a read-only mount).

    Raises
    ------
    TargetExistsError
        One line naming the directory and why.
    """
    probe = _hidden(folder / "probe", "part")
    with held_signals():  # an interrupt must not leave the probe behind
        try:
            os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except OSError as error:
            why = "it does not accept new files" if error.errno == errno.ENOENT else (error.strerror or str(error))
            raise TargetExistsError(f"cannot create a file in the directory {str(folder)!r}: {why}") from None
        with suppress(OSError):
            probe.unlink()


def _hidden(target: Path, tag: str) -> Path:
    return target.parent / f".{target.name}.{secrets.token_hex(4)}.{tag}"


def _fsync(path: Path) -> None:
    with suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def held_signals() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP wait until the block ends, then arrive as they would have.

    In the main thread their Python handlers are swapped for a recorder during the block
    (any thread of the process may receive a signal, but Python runs its handlers in the
    main thread), and the recorded signals are raised again afterwards. Elsewhere, where
    handlers cannot be set, they are held back by the thread's signal mask.
    """
    if threading.current_thread() is not threading.main_thread():
        mask = getattr(signal, "pthread_sigmask", None)
        if mask is None or not _HELD:  # pragma: no cover - not on POSIX
            yield
            return
        old_mask = mask(signal.SIG_BLOCK, _HELD)
        try:
            yield
        finally:
            mask(signal.SIG_SETMASK, old_mask)
        return
    pending: list[int] = []

    def record(signum: int, frame: Any) -> None:
        pending.append(signum)

    old: dict[int, Any] = {}
    try:
        for sig in _HELD:
            handler = signal.getsignal(sig)
            if handler is not None:  # None: set outside Python, cannot be put back
                old[sig] = signal.signal(sig, record)
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(pending):
            signal.raise_signal(sig)


@contextmanager
def naming(target: Path) -> Iterator[None]:
    """An OSError raised while ``target``'s content is written (e.g. a full disk) names
    ``target``, not the hidden temporary file, nor nothing at all.

    >>> with naming(Path("race.png")):  # doctest: +ELLIPSIS
    ...     raise OSError(28, "No space left on device")
    Traceback (most recent call last):
    ...
    OSError: [Errno 28] cannot write 'race.png': No space left on device...
    """
    try:
        yield
    except OSError as error:
        if isinstance(error, TargetExistsError) or str(target) in str(error):
            raise
        raise OSError(error.errno, f"cannot write {str(target)!r}: {error.strerror or error}", str(target)) from None


@contextmanager
def staged_folder(target: Path, *, overwrite: bool = False, how: str = "pass overwrite=True") -> Iterator[Path]:
    """A new, empty hidden folder beside ``target``, put in its place when the block ends.

    The block fills the folder. When it ends without an error, the old ``target`` (if
    any, and allowed by ``overwrite``) is renamed aside, the new folder renamed into its
    place and only then the old one removed; the renames run with signals held back. When
    the block fails or is interrupted, the new folder is removed and the old one is left
    as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> site = pathlib.Path(tempfile.mkdtemp()) / "site"
    >>> with staged_folder(site) as folder:
    ...     _ = (folder / "index.html").write_text("<p>one</p>")
    >>> [p.name for p in site.iterdir()]
    ['index.html']
    >>> with staged_folder(site, overwrite=True) as folder:
    ...     raise RuntimeError("the build failed")
    Traceback (most recent call last):
    ...
    RuntimeError: the build failed
    >>> (site / "index.html").read_text()  # the old folder is untouched
    '<p>one</p>'
    >>> shutil.rmtree(site.parent)
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise TargetExistsError(f"cannot write the folder {str(target)!r}: a file of that name is in the way")
    if target.exists() and not overwrite:
        raise TargetExistsError(f"{target} already exists; {how} to replace it, or choose another name")
    if not target.parent.is_dir():
        raise TargetExistsError(f"cannot write {target.name!r}: the directory {str(target.parent)!r} does not exist")
    check_writable(target.parent)
    temp = _hidden(target, "part")
    old = _hidden(target, "old")
    try:
        temp.mkdir()
        yield temp
        with held_signals():
            if target.exists() and not overwrite:  # made while the block ran
                raise TargetExistsError(f"{target} already exists; {how} to replace it, or choose another name")
            if target.exists():
                os.replace(target, old)
            try:
                os.replace(temp, target)
            except OSError:
                if old.exists():
                    os.replace(old, target)
                raise
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


class Staging:
    """Temporary files beside their targets, renamed into place together by :meth:`commit`.

    Use it as a context manager: leaving the block removes every temporary file (and,
    after a failed commit, every backup), whatever happened, including interrupts.

    Parameters
    ----------
    overwrite : bool
        Whether existing targets may be replaced. Without it an existing target is a
        :class:`TargetExistsError` when it is staged (unless it holds the same bytes).
    how : str
        How the caller allows overwriting, for messages.
    """

    def __init__(self, *, overwrite: bool = False, how: str = "pass overwrite=True") -> None:
        self.overwrite = bool(overwrite)
        self.how = how
        self._temps: list[Path] = []
        self._moves: list[tuple[Path, Path]] = []
        self._committed = False

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.cleanup()

    # ------------------------------------------------------------------ staging

    def _new_temp(self, target: Path, tag: str = "part") -> Path:
        for _ in range(100):
            path = _hidden(target, tag)
            # Listed before it exists: an interrupt right after the file is created (before
            # this method returns) must still find it in the list that cleanup() removes.
            self._temps.append(path)
            try:
                # os.open with 0o666 honours the umask, so the result gets ordinary permissions.
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            except FileExistsError:  # pragma: no cover - 32 random bits
                self._temps.remove(path)  # somebody else's file: never removed by us
                continue
            except OSError as error:
                self._temps.remove(path)
                raise OSError(
                    error.errno,
                    f"cannot write to the directory {str(target.parent)!r}: {error.strerror or error}",
                    str(target.parent),
                ) from None
            return path
        raise OSError(f"cannot create a temporary file in {str(target.parent)!r}")  # pragma: no cover

    def scratch(self, near: Path) -> Path:
        """A new empty temporary file in ``near``'s directory, removed at the end."""
        return self._new_temp(near)

    def output(self, target: Path, *, what: str = "") -> Path:
        """A new empty temporary file that :meth:`commit` renames to ``target``."""
        target = Path(target)
        check_target(target, overwrite=self.overwrite, how=self.how, what=what)
        if any(t == target for _, t in self._moves):
            raise ValueError(f"{target} is staged twice")
        path = self._new_temp(target)
        self._moves.append((path, target))
        return path

    def write_bytes(self, target: Path, content: bytes | str, *, what: str = "") -> bool:
        """Stage ``content`` for ``target``; False (nothing staged) if it already holds it."""
        data = _as_bytes(content)
        target = Path(target)
        if check_target(target, overwrite=self.overwrite, content=data, how=self.how, what=what):
            return False
        temp = self.output(target, what=what)
        with naming(target):
            temp.write_bytes(data)
        return True

    def write_text(self, target: Path, text: str, *, what: str = "") -> bool:
        """:meth:`write_bytes` of ``text`` in UTF-8."""
        return self.write_bytes(target, text.encode("utf-8"), what=what)

    def target_of(self, temp: Path) -> Path:
        """The target that the output ``temp`` becomes."""
        return next(target for path, target in self._moves if path == temp)

    @property
    def targets(self) -> list[Path]:
        """Every target staged so far, in order."""
        return [target for _, target in self._moves]

    # ------------------------------------------------------------------- commit

    def commit(self) -> None:
        """Rename every output into place; on any failure, put every old file back.

        Raises
        ------
        OSError
            When a file cannot be put in place; the message names it and says that the
            old files are unchanged.
        """
        if self._committed:
            raise RuntimeError("this staging was already committed")
        backups: dict[Path, Path] = {}
        done: list[Path] = []
        with held_signals():
            try:
                for temp, target in self._moves:
                    _fsync(temp)
                    if target.is_dir():
                        raise IsADirectoryError(21, "it is a directory", str(target))
                    if target.exists() or target.is_symlink():
                        if not self.overwrite:  # appeared since it was staged
                            raise FileExistsError(17, "it appeared meanwhile", str(target))
                        backups[target] = self._backup(target)
                for temp, target in self._moves:
                    os.replace(temp, target)
                    done.append(target)
            except BaseException as error:
                self._roll_back(done, backups)
                if isinstance(error, OSError):
                    # os.replace names the hidden temporary file first: name its target instead.
                    staged = {str(temp): str(target) for temp, target in self._moves}
                    where = staged.get(str(error.filename), error.filename) or (str(done[-1]) if done else "")
                    raise OSError(
                        error.errno,
                        f"cannot put {where!r} in place ({error.strerror or error}); no file was changed",
                        where,
                    ) from None
                raise
            self._committed = True
            for backup in backups.values():
                with suppress(OSError):
                    backup.unlink()

    def _backup(self, target: Path) -> Path:
        """A hidden second name (a hard link, else a copy) for the old ``target``."""
        for _ in range(100):
            backup = _hidden(target, "old")
            try:
                os.link(target, backup, follow_symlinks=False)
            except FileExistsError:  # pragma: no cover - 32 random bits
                continue
            except OSError:  # no hard links here (e.g. some network or FAT file systems)
                shutil.copy2(target, backup, follow_symlinks=False)
            self._temps.append(backup)
            return backup
        raise OSError(f"cannot create a backup of {str(target)!r}")  # pragma: no cover

    @staticmethod
    def _roll_back(done: list[Path], backups: dict[Path, Path]) -> None:
        for target in reversed(done):
            with suppress(OSError):
                if target in backups:
                    os.replace(backups[target], target)
                else:
                    target.unlink()

    def cleanup(self) -> None:
        """Remove every temporary file and backup that is still there."""
        for path in self._temps:
            with suppress(OSError):
                path.unlink(missing_ok=True)
        self._temps.clear()


def write_file(
    target: Path, content: bytes | str, *, overwrite: bool = False, how: str = "pass overwrite=True"
) -> bool:
    """Write one file atomically; False when it already held exactly ``content``."""
    with Staging(overwrite=overwrite, how=how) as staging:
        written = staging.write_bytes(Path(target), content)
        staging.commit()
    return written


def __dir__() -> list[str]:
    return sorted(__all__)
