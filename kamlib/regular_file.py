"""Opening a file from a folder others filled only if it is a regular file.

Opening a named pipe (FIFO) waits for a writer, forever; a device may never end or have side effects. So
the kind of file is checked before opening (``lstat``: not following a link) and again on what was opened
(``fstat``: the name may have been swapped in between); pipes are opened non-blocking, so even a swapped-in
one cannot make the open wait.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class NotRegularFile(Exception):
    """The path is a link (``link``) or a pipe, device, socket or folder, not a regular file."""

    def __init__(self, path: str | os.PathLike[str], link: bool) -> None:
        super().__init__(str(path))
        self.link = link


class FileTooLarge(Exception):
    """The file holds more bytes than the reader accepts."""

    def __init__(self, path: str | os.PathLike[str], size: int) -> None:
        super().__init__(str(path))
        self.size = size


def open_regular(path: str | os.PathLike[str], follow_links: bool = False) -> BinaryIO:
    """The file opened for binary reading; ``NotRegularFile`` for a link (unless ``follow_links``) or
    anything else that is not a regular file, ``OSError`` when it cannot be opened."""
    info = os.stat(path) if follow_links else os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise NotRegularFile(path, link=stat.S_ISLNK(info.st_mode))
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)  # a link swapped in since lstat: the open fails
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFile(path, link=False)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike[str], limit: int, follow_links: bool = False) -> bytes:
    """All bytes of a regular file of at most ``limit`` bytes; ``FileTooLarge`` above it (also when the file
    grew after its size was checked), else as ``open_regular``."""
    with open_regular(Path(path), follow_links) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise FileTooLarge(path, size)
        data = fh.read(size + 1)  # the file and one byte more if it grew since (not a buffer of ``limit``)
        if len(data) > size:
            data += fh.read(limit + 1 - len(data))
    if len(data) > limit:
        raise FileTooLarge(path, len(data))
    return data
