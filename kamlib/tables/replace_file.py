"""A file written beside its target and renamed over it once complete, so a reader never sees half."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kamlib.atomic import file_mode
from kamlib.errors import InputError


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[IO[bytes]]:
    """A binary file whose content replaces ``path`` when the block ends without an error.

    The content goes to a temporary file beside ``path`` (``.<name>.<random>.tmp``, as
    ``kamlib.atomic`` names them, so its clean-up finds one left by a killed writer), is flushed to
    disk, then renamed over ``path``, which keeps its permissions; on an error ``path`` is left as it
    was. A file system error becomes an ``InputError`` naming the file.
    """
    mode = file_mode(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise write_failed(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise write_failed(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_failed(path: Path | str, exc: OSError) -> InputError:
    """The error for a file that cannot be written, naming it and saying why."""
    return InputError("tables.error.write_failed", file=str(path), detail=exc.strerror or str(exc))
