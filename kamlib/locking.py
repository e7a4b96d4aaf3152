"""An exclusive lock across processes on a file, held through a lock file beside it.

The lock file ``.<name>.lock`` is locked with ``fcntl.flock`` (POSIX) or ``msvcrt.locking``
(Windows). The operating system releases the lock when its holder ends, even by a crash, so a
stale lock never blocks anyone. The lock file itself stays: deleting it would let two holders in.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

if sys.platform == "win32":  # pragma: no cover - exercised on Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLK):
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    # A network file system without a lock service: saving goes on unlocked, as it did before
    # locks, rather than not at all (the store's check for a file changed since it was read stays).
    _NO_LOCKS = {errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS}

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as exc:
            if exc.errno in _NO_LOCKS:
                return True
            raise
        return True

    def _unlock(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError as exc:
            if exc.errno not in _NO_LOCKS:
                raise


class LockBusy(Exception):
    """Another process held the lock for longer than the wait allowed."""


def lock_path(path: Path) -> Path:
    """The lock file of ``path``: ``.<name>.lock`` in the same folder."""
    return path.with_name(f".{path.name}.lock")


@contextmanager
def locked(path: str | os.PathLike[str], timeout: float) -> Iterator[None]:
    """Hold the lock of ``path`` for the ``with`` block, waiting at most ``timeout`` seconds.

    Raises ``LockBusy`` when the wait ends, and ``OSError`` when the lock file cannot be made
    (for instance in a read-only folder).
    """
    fd = os.open(lock_path(Path(path)), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        delay = 0.005
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise LockBusy(str(path))
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
