"""Writing a file all at once: a temporary file beside it, flushed to disk, then renamed over it.

A reader sees the old file or the new one, never half of one. A writer killed mid-write leaves a
temporary file ``.<name>.<random>.tmp``; ``remove_stale_temps`` clears those later. Every file the
package writes goes through here: ``write_atomic``/``atomic_writer`` replace a file, ``create_new``
makes a file that must not exist yet (a submission in the class exchange).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

NEW_FILE_MODE = 0o600  # a new file is private to its owner, as mkstemp makes it
OPEN_MODE = 0o666  # a new file as ``open()`` makes it: what the umask allows
_CREATE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
                 | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOINHERIT", 0))
STALE_AFTER_SECONDS = 60.0  # a temporary file untouched this long has no writer any more
_REPLACE_RETRY_SECONDS = 1.0  # Windows refuses a rename while a reader has the target open


def write_atomic(path: str | os.PathLike[str], data: bytes, mode: int | None = None,
                 new_mode: int = NEW_FILE_MODE) -> None:
    """Replace ``path`` with ``data`` in one step.

    ``mode`` gives the file's permission bits whatever the umask; by default an existing file keeps its
    own and a new one gets ``new_mode`` less the umask (private to its owner unless ``OPEN_MODE`` is
    given, as ``open()`` would make it). On any error ``path`` is left as it was and the temporary file
    is removed; the ``OSError`` is raised for the caller to explain.
    """
    with atomic_writer(path, mode, new_mode) as fh:
        fh.write(data)


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str], mode: int | None = None,
                  new_mode: int = NEW_FILE_MODE) -> Iterator[IO[bytes]]:
    """A binary file whose content replaces ``path`` in one step when the block ends without error.

    As ``write_atomic``, for content written in pieces: on any error, in the block or after it,
    ``path`` is left as it was, the temporary file is removed and the error is raised.
    """
    path = Path(path)
    if mode is None:
        mode = file_mode(path)
    fd, tmp = _create_temp(path, new_mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)  # on the open file: no name to swap in between
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None and not hasattr(os, "fchmod"):  # pragma: no cover - Windows
            os.chmod(tmp, mode)
        _replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_new(path: str | os.PathLike[str], data: bytes, mode: int) -> Path:
    """Write a file that must not exist yet, with exactly ``mode`` whatever the umask.

    ``FileExistsError`` when the name is taken (a link in its place included, never followed): unlike
    ``write_atomic`` nothing is replaced, so a name once handed in stays its first writer's. The data
    is flushed to disk; a file that cannot be written whole is removed.
    """
    path = Path(path)
    fd = os.open(path, _CREATE_FLAGS, mode)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)  # the umask took bits away at creation
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
    return path


def _create_temp(path: Path, new_mode: int) -> tuple[int, str]:
    """A new temporary file ``.<name>.<random>.tmp`` beside ``path``, created with ``new_mode`` less the umask."""
    for _ in range(100):
        tmp = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, _CREATE_FLAGS, new_mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path))


def file_mode(path: Path) -> int | None:
    """The permission bits of ``path``, or None when there is no such file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None


def is_read_only(path: Path) -> bool:
    """Whether the owner may not write ``path`` (its mode bits; ``os.access`` says yes to root)."""
    mode = file_mode(path)
    return mode is not None and not mode & stat.S_IWUSR


def temp_files(path: Path) -> list[Path]:
    """The temporary files ``write_atomic`` may have left beside ``path``."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[A-Za-z0-9_]+\.tmp")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    return [path.parent / name for name in names if pattern.fullmatch(name)]


def remove_stale_temps(path: Path, older_than: float = STALE_AFTER_SECONDS) -> int:
    """Delete the temporary files of ``path`` not written to for ``older_than`` seconds.

    A live writer touches its file continuously and renames it within moments, so only files left
    by a writer that was killed are this old. Returns how many were deleted; a file that cannot be
    deleted (read-only folder, or open elsewhere on Windows) is left.
    """
    cutoff = time.time() - older_than
    removed = 0
    for tmp in temp_files(path):
        try:
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _replace(tmp: str, path: Path) -> None:
    deadline = time.monotonic() + _REPLACE_RETRY_SECONDS
    while True:
        try:
            os.replace(tmp, path)
            return
        except PermissionError:
            if os.name != "nt" or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)
