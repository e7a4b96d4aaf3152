"""A file written beside its target and renamed over it once complete, so a reader never sees half."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kamlib.atomic import atomic_writer
from kamlib.errors import InputError


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[IO[bytes]]:
    """A binary file whose content replaces ``path`` when the block ends without an error.

    ``kamlib.atomic.atomic_writer`` does the writing (temporary file beside ``path``, flushed, renamed
    over it, permissions kept); on an error ``path`` is left as it was. A file system error becomes an
    ``InputError`` naming the file.
    """
    try:
        with atomic_writer(path) as fh:
            yield fh
    except OSError as exc:
        raise write_failed(path, exc) from exc


def write_failed(path: Path | str, exc: OSError) -> InputError:
    """The error for a file that cannot be written, naming it and saying why."""
    return InputError("tables.error.write_failed", file=str(path), detail=exc.strerror or str(exc))
