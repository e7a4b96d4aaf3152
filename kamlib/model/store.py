"""The one store of the workbook file: load (with migration), atomic save with a backup.

A file that cannot be read, is of a newer schema, or fails validation is never overwritten.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from kamlib.errors import InputError, WorkbookError
from kamlib.i18n import Text
from kamlib.model.migrate import migrate
from kamlib.model.validation import describe
from kamlib.model.workbook import SCHEMA_VERSION, Trainee, Workbook, now


def backup_path(path: Path) -> Path:
    """Where the previous version of ``path`` is kept: ``name.bak.json`` beside it."""
    return path.with_name(f"{path.stem}.bak{path.suffix or '.json'}")


def load_workbook(path: str | os.PathLike[str]) -> Workbook:
    """Read and validate a workbook file, migrating an older schema in memory."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkbookError("workbook.missing", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkbookError("workbook.unreadable", file=str(path), detail=str(exc)) from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        backup = backup_path(path)
        hint = [Text("workbook.backup_hint", {"backup": str(backup)})] if backup.is_file() else []
        raise WorkbookError(
            "workbook.corrupt", details=hint, file=str(path), line=exc.lineno, column=exc.colno
        ) from exc
    if not isinstance(data, dict):
        raise WorkbookError("workbook.not_workbook", file=str(path))
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise WorkbookError("workbook.not_workbook", file=str(path))
    if version > SCHEMA_VERSION:
        raise WorkbookError(
            "workbook.newer", file=str(path), found=version, supported=SCHEMA_VERSION
        )
    data = migrate(data)
    try:
        return Workbook.model_validate(data)
    except ValidationError as exc:
        raise WorkbookError("workbook.invalid", details=describe(exc), file=str(path)) from exc


def save_workbook(workbook: Workbook, path: str | os.PathLike[str]) -> Path:
    """Write atomically (temp file + replace), keeping the previous version as a backup.

    Refuses to replace a file that does not load: that file may hold work we cannot see.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        try:
            load_workbook(path)
        except WorkbookError as exc:
            raise WorkbookError(
                "workbook.refuse_overwrite", details=[exc.text, *exc.details], file=str(path)
            ) from exc
        _write_atomic(backup_path(path), path.read_bytes())
    workbook.meta.updated_at = now()
    _write_atomic(path, workbook.model_dump_json(indent=2).encode("utf-8") + b"\n")
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_workbook(trainee: Trainee, path: str | os.PathLike[str]) -> Workbook:
    """A new, empty workbook for ``trainee``; an existing file at ``path`` is an error."""
    path = Path(path)
    if path.exists():
        raise WorkbookError("workbook.exists", file=str(path))
    workbook = Workbook(trainee=trainee)
    save_workbook(workbook, path)
    return workbook


def update_workbook(
    path: str | os.PathLike[str], change: Callable[[Workbook], None], *, section: str | None = None
) -> Workbook:
    """Load, apply ``change``, re-validate the whole plan, stamp ``section``, save; or raise.

    On any error the file is left as it was, so nothing already saved is lost.
    """
    workbook = load_workbook(path)
    change(workbook)
    try:
        checked = Workbook.model_validate(workbook.model_dump())
    except ValidationError as exc:
        raise InputError("errors.input.rejected", details=describe(exc)) from exc
    if section is not None and "updated_at" in type(getattr(checked.plan, section)).model_fields:
        getattr(checked.plan, section).updated_at = now()  # a card without the stamp is saved as it is
    save_workbook(checked, path)
    return checked
