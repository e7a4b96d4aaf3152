"""The one store of the workbook file: load (with migration), atomic save with a backup.

A file that cannot be read, is of a newer schema, or fails validation is never overwritten. Every
write holds the workbook's lock (``kamlib.locking``), so two notebook tabs or windows saving at once
take turns instead of losing each other's work; a save from an object read before the file last
changed is refused rather than overwriting that change.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kamlib.atomic import file_mode, is_read_only, remove_stale_temps, temp_files, write_atomic
from kamlib.errors import InputError, WorkbookError
from kamlib.i18n import Text
from kamlib.locking import LockBusy, locked
from kamlib.model.migrate import migrate
from kamlib.model.validation import describe
from kamlib.model.workbook import SCHEMA_VERSION, Trainee, Workbook, now

# How long a save waits for another tab or window to finish its own; a large workbook's update
# takes a second or two, so this lets a few queued saves through before saying it is busy.
LOCK_WAIT_SECONDS = 10.0

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_DENIED = {errno.EACCES, errno.EPERM}


def backup_path(path: Path) -> Path:
    """Where the previous version of ``path`` is kept: ``name.bak.json`` beside it."""
    return path.with_name(f"{path.stem}.bak{path.suffix or '.json'}")


def load_workbook(path: str | os.PathLike[str]) -> Workbook:
    """Read and validate a workbook file, migrating an older schema in memory.

    The returned object remembers which bytes it was read from, so that ``save_workbook`` can
    refuse to overwrite a change made since. Temporary files left by a killed save are cleared.
    """
    path = Path(path)
    _clear_stale_temps(path)
    raw = _read(path)
    workbook = _parse(raw, path)
    workbook._source = _fingerprint(path, raw)
    return workbook


def save_workbook(workbook: Workbook, path: str | os.PathLike[str]) -> Path:
    """Write atomically (temp file + replace), keeping the previous version as a backup.

    Refuses to replace a file that does not load (it may hold work we cannot see), a file that
    changed since ``workbook`` was read from it, and a file its owner made read-only.
    """
    path = Path(path)
    with _writing(path, make_folder=True):
        _save(workbook, path)
    return path


def create_workbook(trainee: Trainee, path: str | os.PathLike[str]) -> Workbook:
    """A new, empty workbook for ``trainee``; an existing file at ``path`` is an error."""
    path = Path(path)
    if path.exists():
        raise WorkbookError("workbook.exists", file=str(path))
    workbook = Workbook(trainee=trainee)
    with _writing(path, make_folder=True):
        if path.exists():  # made by another tab or window while this one waited
            raise WorkbookError("workbook.exists", file=str(path))
        _save(workbook, path)
    return workbook


def update_workbook(
    path: str | os.PathLike[str], change: Callable[[Workbook], None], *, section: str | None = None
) -> Workbook:
    """Load, apply ``change``, re-validate the whole plan, stamp ``section``, save; or raise.

    The whole read-change-write holds the workbook's lock, so a change made at the same time in
    another tab or window is read here, never overwritten. On any error the file is left as it
    was, so nothing already saved is lost.
    """
    path = Path(path)
    _clear_stale_temps(path)
    if not path.exists():
        raise WorkbookError("workbook.missing", file=str(path))
    with _writing(path, make_folder=False):
        raw = _read(path)
        workbook = _parse(raw, path)
        change(workbook)
        try:
            checked = Workbook.model_validate(workbook.model_dump())
        except ValidationError as exc:
            raise InputError("errors.input.rejected", details=describe(exc)) from exc
        if section is not None and "updated_at" in type(getattr(checked.plan, section)).model_fields:
            getattr(checked.plan, section).updated_at = now()  # a card without the stamp is saved as it is
        _save(checked, path, current=raw)
    return checked


# ---- reading -----------------------------------------------------------------------------------
def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise WorkbookError("workbook.missing", file=str(path)) from None
    except OSError as exc:
        raise WorkbookError("workbook.unreadable", file=str(path), detail=str(exc)) from exc


def _parse(raw: bytes, path: Path) -> Workbook:
    """The workbook in ``raw`` (the bytes of ``path``), or a WorkbookError saying what is wrong."""
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is accepted
    except UnicodeDecodeError as exc:
        raise WorkbookError("workbook.unreadable", file=str(path), detail=str(exc)) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _damaged(path, "workbook.corrupt", line=exc.lineno, column=exc.colno) from exc
    except RecursionError:
        raise _damaged(path, "workbook.corrupt_deep") from None
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise _damaged(path, "workbook.corrupt_number") from exc
    if not isinstance(data, dict) or "schema_version" not in data:
        raise WorkbookError("workbook.not_workbook", file=str(path))
    version = data["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise WorkbookError(
            "workbook.bad_version",
            file=str(path),
            value=json.dumps(version, ensure_ascii=False)[:40],
            kind=Text(f"workbook.kind.{_kind(version)}"),
            supported=SCHEMA_VERSION,
        )
    if version > SCHEMA_VERSION:
        raise WorkbookError(
            "workbook.newer", file=str(path), found=version, supported=SCHEMA_VERSION
        )
    try:
        return Workbook.model_validate(migrate(data))
    except ValidationError as exc:
        raise WorkbookError("workbook.invalid", details=describe(exc), file=str(path)) from exc
    except RecursionError:
        raise _damaged(path, "workbook.corrupt_deep") from None


def _damaged(path: Path, key: str, **params: Any) -> WorkbookError:
    backup = backup_path(path)
    hint = [Text("workbook.backup_hint", {"backup": str(backup)})] if backup.is_file() else []
    return WorkbookError(key, details=hint, file=str(path), **params)


def _kind(value: object) -> str:
    """Which catalog word describes a schema_version that is not a whole number from 1."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "below_one"
    if isinstance(value, float):
        return "fraction"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "empty"
    return "list" if isinstance(value, list) else "table"


def _fingerprint(path: Path, raw: bytes) -> tuple[str, str]:
    return str(path.resolve()), hashlib.sha256(raw).hexdigest()


def _clear_stale_temps(path: Path) -> None:
    """Delete what killed saves left: temporary files a minute old, and only while no save runs."""
    if not temp_files(path) and not temp_files(backup_path(path)):
        return
    try:
        with locked(path, timeout=0):
            remove_stale_temps(path)
            remove_stale_temps(backup_path(path))
    except (LockBusy, OSError):
        pass  # a save is under way, or the folder is read-only: the files wait for the next time


# ---- writing -----------------------------------------------------------------------------------
@contextmanager
def _writing(path: Path, *, make_folder: bool) -> Iterator[None]:
    """Hold the workbook's lock for the block; a lock held elsewhere too long is explained."""
    with ExitStack() as stack:
        try:
            if make_folder:
                path.parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(locked(path, LOCK_WAIT_SECONDS))
        except LockBusy:
            raise WorkbookError("workbook.busy", file=str(path)) from None
        except OSError as exc:
            raise _write_error(exc, path) from exc
        yield


def _save(workbook: Workbook, path: Path, current: bytes | None = None) -> None:
    """Write ``workbook`` to ``path``, the previous version to its backup; the lock is held.

    ``current`` is what ``path`` holds, when the caller has just read and loaded it under this
    lock; otherwise the file is read here and must load and be unchanged since ``workbook`` was
    read from it.
    """
    mode = file_mode(path)
    if mode is not None:
        if is_read_only(path):
            raise WorkbookError("workbook.read_only", file=str(path))
        if current is None:
            current = _current(workbook, path)
    workbook.meta.updated_at = now()
    data = workbook.model_dump_json(indent=2).encode("utf-8") + b"\n"
    try:
        if current is not None:
            write_atomic(backup_path(path), current, mode)
        write_atomic(path, data, mode)
    except OSError as exc:
        raise _write_error(exc, path) from exc
    workbook._source = _fingerprint(path, data)


def _current(workbook: Workbook, path: Path) -> bytes:
    """The bytes of ``path``, checked: it loads, and it is what ``workbook`` was read from."""
    try:
        raw = _read(path)
    except WorkbookError as exc:
        raise WorkbookError(
            "workbook.refuse_overwrite", details=[exc.text, *exc.details], file=str(path)
        ) from exc
    source = workbook._source
    if source is not None and source != _fingerprint(path, raw) and source[0] == str(path.resolve()):
        raise WorkbookError("workbook.changed", file=str(path))
    try:
        _parse(raw, path)
    except WorkbookError as exc:
        raise WorkbookError(
            "workbook.refuse_overwrite", details=[exc.text, *exc.details], file=str(path)
        ) from exc
    return raw


def _write_error(exc: OSError, path: Path) -> WorkbookError:
    """A failed write explained: the file on disk is as it was before."""
    if exc.errno in _DISK_FULL:
        return WorkbookError("workbook.disk_full", file=str(path), folder=str(path.parent))
    if exc.errno == errno.EROFS:
        return WorkbookError("workbook.read_only_fs", file=str(path), folder=str(path.parent))
    if isinstance(exc, PermissionError) or exc.errno in _DENIED:
        return WorkbookError("workbook.denied", file=str(path), folder=str(path.parent))
    return WorkbookError("workbook.save_failed", file=str(path), reason=exc.strerror or str(exc))
