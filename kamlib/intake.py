"""Reading a class's submissions safely from a folder or a zip, without ever executing anything.

Expected layout (as trainees' Submit writes it): ``<trainee-id>/<exercise-id>-<UTC time>.json``, under
the folder or zip given, at any depth (a platform's zip may wrap it in further folders). Zips found in a
folder are read too. Each file is checked; a bad one becomes a ``Rejection`` (one report line) and the
rest of the run goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from kamlib.exercises import exercise_ids
from kamlib.i18n import Lang, Text, t
from kamlib.model.validation import describe
from kamlib.submission import SUBMISSION_SCHEMA, Submission

MAX_FILE_BYTES = 1_000_000  # a submission is a few kB; anything above 1 MB is not one
MAX_TOTAL_BYTES = 200_000_000  # what one zip may unpack to, in all
MAX_RATIO = 100  # uncompressed : compressed, above which a zip is treated as a zip bomb
RATIO_FLOOR_BYTES = 1_000_000  # below this many unpacked bytes the ratio is not checked
MAX_ENTRIES = 50_000  # entries of one zip
SKIPPED_PARTS = ("__MACOSX",)
_SAFE_NAME = re.compile(r"\w[\w.@-]{0,63}")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def is_safe_name(name: str) -> bool:
    """Whether ``name`` can be a file or folder name everywhere: letters, digits, ``_ . @ -``, not ``..``,
    no trailing dot, not a reserved device name; at most 64 characters."""
    return (
        isinstance(name, str)
        and _SAFE_NAME.fullmatch(name) is not None
        and ".." not in name
        and not name.endswith(".")
        and name.split(".")[0].lower() not in _RESERVED
    )


@dataclass(frozen=True)
class Rejection:
    """A file (or a whole zip) not graded, and why: a catalog key ``gradebook.reject.<reason>``."""

    file: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    details: tuple[Text, ...] = ()

    def text(self) -> Text:
        return Text(f"gradebook.reject.{self.reason}", {"file": self.file, **self.params})

    def message(self, lang: Lang) -> str:
        lines = [self.text().render(lang)] + [f"  • {d.render(lang)}" for d in self.details]
        return "\n".join(lines)


@dataclass(frozen=True)
class Received:
    """A submission that passed every check: where it came from, what it holds, a digest of its bytes."""

    file: str
    submission: Submission
    digest: str


@dataclass
class Intake:
    """Everything read from the sources: accepted submissions, rejections, files that are not submissions."""

    received: list[Received] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    def extend(self, other: Intake) -> None:
        self.received += other.received
        self.rejected += other.rejected
        self.ignored += other.ignored


def parse_submission(
    file: str, data: bytes, folder: str | None, known: set[str] | None = None
) -> Received | Rejection:
    """Check one file's bytes: size, JSON, schema version, exercise, trainee id and its folder, fields."""
    if len(data) > MAX_FILE_BYTES:
        return Rejection(file, "too_large", {"size": len(data), "limit": MAX_FILE_BYTES})
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # deep nesting: RecursionError
        return Rejection(file, "bad_json", {"detail": str(exc)[:200] or type(exc).__name__})
    if not isinstance(raw, dict):
        return Rejection(file, "bad_json", {"detail": type(raw).__name__})
    version = raw.get("schema_version", SUBMISSION_SCHEMA)
    if version != SUBMISSION_SCHEMA:
        return Rejection(file, "schema", {"found": str(version)[:20], "known": SUBMISSION_SCHEMA})
    exercise = raw.get("exercise_id")
    known = set(exercise_ids()) if known is None else known
    if exercise not in known:
        return Rejection(file, "unknown_exercise", {"exercise": str(exercise)[:40]})
    trainee = raw.get("trainee")
    trainee_id = trainee.get("id") if isinstance(trainee, dict) else None
    if isinstance(trainee_id, str) and not is_safe_name(trainee_id):
        return Rejection(file, "unsafe_id", {"id": trainee_id[:80]})
    try:
        submission = Submission.model_validate(raw)
    except ValidationError as exc:
        return Rejection(file, "invalid", details=tuple(describe(exc)))
    if folder is None:
        return Rejection(file, "no_folder", {"id": submission.trainee.id})
    if folder != submission.trainee.id:
        return Rejection(file, "folder_mismatch", {"id": submission.trainee.id, "folder": folder[:80]})
    group = submission.group
    unsafe = [m.id for m in group.members if not is_safe_name(m.id)] if group else []
    if group and (not is_safe_name(group.id) or unsafe):
        return Rejection(file, "unsafe_id", {"id": (unsafe or [group.id])[0]})
    return Received(file, submission, hashlib.sha256(data).hexdigest())


# ---- folders -----------------------------------------------------------------------------------


def _walk(root: Path) -> Iterator[Path]:
    """Files under ``root`` (no links followed, hidden and platform folders skipped), sorted."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_PARTS)
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name


def read_folder(root: Path, known: set[str] | None = None) -> Intake:
    """Every ``*.json`` under ``root`` as a submission; zips in it are read as sources too."""
    out = Intake()
    for path in _walk(root):
        rel = path.relative_to(root)
        shown = str(PurePosixPath(root.name, *rel.parts))
        suffix = path.suffix.lower()
        if suffix not in (".json", ".zip"):
            out.ignored.append(shown)
            continue
        if path.is_symlink():
            out.rejected.append(Rejection(shown, "link"))
            continue
        if suffix == ".zip":
            out.extend(read_zip(path, known, shown=shown))
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            out.rejected.append(Rejection(shown, "too_large", {"size": size, "limit": MAX_FILE_BYTES}))
            continue
        folder = rel.parts[-2] if len(rel.parts) > 1 else None
        result = parse_submission(shown, path.read_bytes(), folder, known)
        (out.received if isinstance(result, Received) else out.rejected).append(result)  # type: ignore[arg-type]
    return out


# ---- zips --------------------------------------------------------------------------------------


def _member_parts(name: str) -> tuple[str, ...] | None:
    """The path parts of a zip entry, or None when it would land outside the zip's root."""
    if name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return None
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    return None if ".." in parts else parts


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def check_zip(archive: zipfile.ZipFile, file: str) -> Rejection | None:
    """A whole-zip problem (a path outside its root, a zip bomb, too many entries), or None."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        return Rejection(file, "zip_entries", {"count": len(entries), "limit": MAX_ENTRIES})
    for info in entries:
        if _member_parts(info.filename) is None:
            return Rejection(file, "zip_outside", {"member": info.filename[:120]})
    unpacked = sum(i.file_size for i in entries)
    packed = max(1, sum(i.compress_size for i in entries))
    ratio = unpacked / packed
    if unpacked > MAX_TOTAL_BYTES or (unpacked > RATIO_FLOOR_BYTES and ratio > MAX_RATIO):
        return Rejection(file, "zip_bomb", {"size": unpacked, "limit": MAX_TOTAL_BYTES,
                                            "ratio": round(ratio), "max_ratio": MAX_RATIO})
    return None


def read_zip(path: Path, known: set[str] | None = None, shown: str | None = None) -> Intake:
    """Every ``*.json`` entry of the zip as a submission, read in memory (nothing is unpacked to disk)."""
    shown = shown or path.name
    out = Intake()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        out.rejected.append(Rejection(shown, "bad_zip", {"detail": str(exc)[:200]}))
        return out
    with archive:
        problem = check_zip(archive, shown)
        if problem is not None:
            out.rejected.append(problem)
            return out
        read_so_far = 0
        for info in archive.infolist():
            parts = _member_parts(info.filename) or ()
            if info.is_dir() or not parts or parts[0] in SKIPPED_PARTS or any(p.startswith(".") for p in parts):
                continue
            name = f"{shown}:{'/'.join(parts)}"
            if not parts[-1].lower().endswith(".json"):
                out.ignored.append(name)
                continue
            if _is_link(info):
                out.rejected.append(Rejection(name, "link"))
                continue
            if info.flag_bits & 0x1:
                out.rejected.append(Rejection(name, "encrypted"))
                continue
            if info.file_size > MAX_FILE_BYTES:
                out.rejected.append(Rejection(name, "too_large", {"size": info.file_size, "limit": MAX_FILE_BYTES}))
                continue
            try:
                with archive.open(info) as fh:
                    data = fh.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
                out.rejected.append(Rejection(name, "bad_zip", {"detail": str(exc)[:200]}))
                continue
            read_so_far += len(data)
            if read_so_far > MAX_TOTAL_BYTES:  # the headers understated the sizes
                out.rejected.append(Rejection(shown, "zip_bomb", {"size": read_so_far, "limit": MAX_TOTAL_BYTES,
                                                                  "ratio": "?", "max_ratio": MAX_RATIO}))
                break
            folder = parts[-2] if len(parts) > 1 else None
            result = parse_submission(name, data, folder, known)
            (out.received if isinstance(result, Received) else out.rejected).append(result)  # type: ignore[arg-type]
    return out


def read_sources(
    sources: list[Path], known: set[str] | None = None, on_source: Callable[[Path], None] | None = None
) -> Intake:
    """Read every source (folder, zip or single ``.json`` file in its trainee folder) into one intake."""
    out = Intake()
    for source in sources:
        if on_source is not None:
            on_source(source)
        if source.is_dir():
            out.extend(read_folder(source, known))
        elif source.is_file() and source.suffix.lower() == ".zip":
            out.extend(read_zip(source, known))
        elif source.is_file() and source.suffix.lower() == ".json":
            if source.is_symlink():
                out.rejected.append(Rejection(str(source), "link"))
            elif source.stat().st_size > MAX_FILE_BYTES:
                out.rejected.append(Rejection(str(source), "too_large",
                                              {"size": source.stat().st_size, "limit": MAX_FILE_BYTES}))
            else:
                result = parse_submission(str(source), source.read_bytes(), source.parent.name, known)
                (out.received if isinstance(result, Received) else out.rejected).append(result)  # type: ignore[arg-type]
        else:
            out.rejected.append(Rejection(str(source), "no_source"))
    return out


def rejection_lines(rejected: list[Rejection], lang: Lang) -> list[str]:
    """Every rejection as report lines in ``lang``."""
    return [r.message(lang) for r in rejected] or [t("gradebook.report.none_rejected", lang)]
