"""Reading a class's submissions safely from a folder or a zip, without ever executing anything.

Expected layout (as trainees' Submit writes it): ``<trainee-id>/<exercise-id>-<UTC time>.json``, under
the folder or zip given, at any depth (a platform's zip may wrap it in further folders). Zips found in a
folder are read too. Each file is checked; a bad one becomes a ``Rejection`` (one report line) and the
rest of the run goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from kamlib.exchange import INBOUND, SHARE_PREFIX, ExchangeError, owner_name, owners_checked, received_time
from kamlib.exercises import exercise_ids
from kamlib.i18n import Lang, Text, t
from kamlib.model.validation import describe
from kamlib.regular_file import FileTooLarge, NotRegularFile, open_regular, read_regular
from kamlib.safe_text import is_safe_name, printable
from kamlib.submission import MAX_SUBMISSION_BYTES, SUBMISSION_SCHEMA, Submission

MAX_FILE_BYTES = MAX_SUBMISSION_BYTES  # a submission is a few kB; anything above 1 MB is not one
MAX_TOTAL_BYTES = 200_000_000  # what one zip may unpack to, in all
MAX_RATIO = 100  # uncompressed : compressed, above which a zip is treated as a zip bomb
RATIO_FLOOR_BYTES = 1_000_000  # below this many unpacked bytes the ratio is not checked
MAX_ENTRIES = 50_000  # entries of one zip
SKIPPED_PARTS = ("__MACOSX",)


@dataclass(frozen=True)
class Rejection:
    """A file (or a whole zip) not graded, and why: a catalog key ``gradebook.reject.<reason>``.

    The file's name and every text parameter are kept in printable form (see ``printable``): they come from
    the trainee, and go to the terminal, the report and the exports."""

    file: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    details: tuple[Text, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", printable(self.file))
        object.__setattr__(self, "params", {k: printable(v) if isinstance(v, str) else v
                                            for k, v in self.params.items()})

    def text(self) -> Text:
        return Text(f"gradebook.reject.{self.reason}", {"file": self.file, **self.params})

    def message(self, lang: Lang) -> str:
        """The report line, then one line per detail (whose parameters may quote the file: made printable)."""
        lines = [self.text().render(lang)] + [f"  • {printable(d.render(lang))}" for d in self.details]
        return "\n".join(lines)


@dataclass(frozen=True)
class Received:
    """A submission that passed every check: where it came from, what it holds, a digest of its bytes,
    and when this side received it (the file's time as the instructor's machine or zip records it; None
    when unknown). The trainee's own ``submitted_at`` is a claim; ``received_at`` is what grading trusts."""

    file: str
    submission: Submission
    digest: str
    received_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", printable(self.file))  # a name the trainee chose, kept printable


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
    """Check one file's bytes: size, JSON, schema version, exercise, trainee id and its folder, fields.

    Whatever the bytes hold, the answer is a ``Received`` or one ``Rejection``: a check that fails in a way
    not foreseen rejects the file (``unreadable``) rather than stop the class's grading."""
    try:
        return _parse(file, data, folder, known)
    except Exception as exc:  # one hostile file must not stop the run
        return Rejection(file, "unreadable", {"detail": f"{type(exc).__name__}: {exc}"[:200]})


def _parse(file: str, data: bytes, folder: str | None, known: set[str] | None) -> Received | Rejection:
    if len(data) > MAX_FILE_BYTES:
        return Rejection(file, "too_large", {"size": len(data), "limit": MAX_FILE_BYTES})
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:
        # ValueError: not UTF-8, not JSON, or an integer of more digits than Python converts;
        # RecursionError: nesting too deep
        return Rejection(file, "bad_json", {"detail": str(exc)[:200] or type(exc).__name__})
    if not isinstance(raw, dict):
        return Rejection(file, "bad_json", {"detail": type(raw).__name__})
    version = raw.get("schema_version", SUBMISSION_SCHEMA)
    if version != SUBMISSION_SCHEMA:
        return Rejection(file, "schema", {"found": str(version)[:20], "known": SUBMISSION_SCHEMA})
    exercise = raw.get("exercise_id")
    known = set(exercise_ids()) if known is None else known
    if not isinstance(exercise, str) or exercise not in known:  # a list or an object cannot even be looked up
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


# ---- when a file was received --------------------------------------------------------------------


def file_time(path: Path, follow_links: bool = False) -> dt.datetime | None:
    """When this machine last wrote the file (``os.lstat`` modification time; with ``follow_links``, the later
    of the link's and its target's), in UTC; None if unknown."""
    times = []
    for read in (os.lstat, os.stat) if follow_links else (os.lstat,):
        try:
            times.append(dt.datetime.fromtimestamp(read(path).st_mtime, dt.UTC))
        except (OSError, OverflowError, ValueError):
            continue
    return max(times, default=None)


def entry_time(info: zipfile.ZipInfo) -> dt.datetime | None:
    """A zip entry's date and time as the zip wrote it, read as this machine's local time, in UTC; None when
    the zip wrote none (the format's earliest date, 1980-01-01 00:00, is what a zip without dates holds)."""
    if tuple(info.date_time) <= (1980, 1, 1, 0, 0, 0):
        return None
    try:
        return dt.datetime(*info.date_time).astimezone(dt.UTC)
    except (ValueError, OverflowError, TypeError):
        return None


def with_received(result: Received | Rejection, at: dt.datetime | None,
                  not_after: dt.datetime | None = None) -> Received | Rejection:
    """A received submission with the time it was received (never after ``not_after``); a rejection as is."""
    if not isinstance(result, Received):
        return result
    times = [moment for moment in (at, not_after) if moment is not None]
    return replace(result, received_at=min(times) if times else None)


# ---- folders -----------------------------------------------------------------------------------


def _walk(root: Path, unlisted: list[OSError]) -> Iterator[tuple[Path, bool]]:
    """Files under ``root`` (no links followed, hidden and platform folders skipped), sorted, each with
    whether it is a linked folder (listed to be reported, never entered). Folders that cannot be listed
    go to ``unlisted``."""
    for folder, dirs, files in os.walk(root, followlinks=False, onerror=unlisted.append):
        visible = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_PARTS)
        linked = [d for d in visible if (Path(folder) / d).is_symlink()]
        dirs[:] = [d for d in visible if d not in linked]
        for name in linked:
            yield Path(folder) / name, True
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(folder) / name, False


def _file_bytes(path: Path, shown: str, follow_links: bool = False) -> bytes | Rejection:
    """The bytes of a submission file, or why it is not read: a link, not a regular file (a pipe would
    never answer), too large, or an error of the system (no permission, gone since it was listed)."""
    try:
        return read_regular(path, MAX_FILE_BYTES, follow_links)
    except NotRegularFile as exc:
        return Rejection(shown, "link" if exc.link else "not_regular")
    except FileTooLarge as exc:
        return Rejection(shown, "too_large", {"size": exc.size, "limit": MAX_FILE_BYTES})
    except OSError as exc:
        return Rejection(shown, "unreadable", {"detail": exc.strerror or type(exc).__name__})


def _shown(root: Path, path: str | Path) -> str:
    """How a file under ``root`` is named in the report: from the root's own name, printable."""
    try:
        rel = Path(path).relative_to(root)
    except ValueError:
        return printable(path)
    return printable(PurePosixPath(root.name, *rel.parts))


def read_folder(root: Path, known: set[str] | None = None) -> Intake:
    """Every ``*.json`` under ``root`` as a submission; zips in it are read as sources too. A link (to a
    file or a folder), a pipe or device, and a folder that cannot be listed each get a rejection line."""
    out = Intake()
    unlisted: list[OSError] = []
    for path, linked_folder in _walk(root, unlisted):
        rel = path.relative_to(root)
        shown = _shown(root, path)
        suffix = path.suffix.lower()
        if linked_folder:
            out.rejected.append(Rejection(shown, "link"))
            continue
        if suffix not in (".json", ".zip") or path.name.startswith(SHARE_PREFIX):  # a Share 1 card is no submission
            out.ignored.append(shown)
            continue
        if suffix == ".zip":
            out.extend(read_zip(path, known, shown=shown))
            continue
        data = _file_bytes(path, shown)
        if isinstance(data, Rejection):
            out.rejected.append(data)
            continue
        folder = rel.parts[-2] if len(rel.parts) > 1 else None
        result = parse_submission(shown, data, folder, known)
        result = with_received(result, file_time(path))
        (out.received if isinstance(result, Received) else out.rejected).append(result)  # type: ignore[arg-type]
    for exc in unlisted:
        out.rejected.append(Rejection(_shown(root, exc.filename or root), "unreadable",
                                      {"detail": exc.strerror or type(exc).__name__}))
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


def read_zip(path: Path, known: set[str] | None = None, shown: str | None = None,
             follow_links: bool = False) -> Intake:
    """Every ``*.json`` entry of the zip as a submission, read in memory (nothing is unpacked to disk).
    Only a regular file is opened (a link too with ``follow_links``: a zip the instructor named)."""
    shown = printable(shown or path.name)
    out = Intake()
    written = file_time(path, follow_links)  # no entry was received after the zip itself was written
    try:
        handle = open_regular(path, follow_links)
    except NotRegularFile as exc:
        out.rejected.append(Rejection(shown, "link" if exc.link else "not_regular"))
        return out
    except OSError as exc:
        out.rejected.append(Rejection(shown, "unreadable", {"detail": exc.strerror or type(exc).__name__}))
        return out
    try:
        archive = zipfile.ZipFile(handle)
    except Exception as exc:  # a damaged header may raise anything (e.g. NotImplementedError: zip version)
        handle.close()
        out.rejected.append(Rejection(shown, "bad_zip", {"detail": str(exc)[:200] or type(exc).__name__}))
        return out
    with handle, archive:
        problem = check_zip(archive, shown)
        if problem is not None:
            out.rejected.append(problem)
            return out
        read_so_far = 0
        for info in archive.infolist():
            parts = _member_parts(info.filename) or ()
            if info.is_dir() or not parts or parts[0] in SKIPPED_PARTS or any(p.startswith(".") for p in parts):
                continue
            name = printable(f"{shown}:{'/'.join(parts)}")
            if not parts[-1].lower().endswith(".json") or parts[-1].startswith(SHARE_PREFIX):
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
            except Exception as exc:  # damaged data raises what its codec raises (zlib.error, LZMAError, ...)
                out.rejected.append(Rejection(name, "bad_zip", {"detail": str(exc)[:200] or type(exc).__name__}))
                continue
            read_so_far += len(data)
            if read_so_far > MAX_TOTAL_BYTES:  # the headers understated the sizes
                out.rejected.append(Rejection(shown, "zip_bomb", {"size": read_so_far, "limit": MAX_TOTAL_BYTES,
                                                                  "ratio": "?", "max_ratio": MAX_RATIO}))
                break
            folder = parts[-2] if len(parts) > 1 else None
            result = parse_submission(name, data, folder, known)
            result = with_received(result, entry_time(info), written)
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
            out.extend(read_zip(source, known, follow_links=True))
        elif source.is_file() and source.suffix.lower() == ".json":
            data = _file_bytes(source, printable(source))
            if isinstance(data, Rejection):
                out.rejected.append(data)
            else:
                result = parse_submission(str(source), data, source.parent.name, known)
                result = with_received(result, file_time(source))
                (out.received if isinstance(result, Received) else out.rejected).append(result)  # type: ignore[arg-type]
        else:
            out.rejected.append(Rejection(str(source), "no_source"))
    return out


# ---- the class exchange (a classroom hub) -----------------------------------------------------------


def read_exchange(root: Path, known: set[str] | None = None, check_owner: bool = True) -> Intake:
    """Every submission in the exchange's ``inbound/<user>/`` folders (see ``kamlib.exchange``), read as the
    instructor sees them. A file counts only if its folder, the trainee id inside and the user owning the file
    name one trainee (``check_owner=False``, or ``KAM_EXCHANGE_ANY_OWNER`` set, where every server runs as one uid
    and isolation comes from what is mounted, as on Kubernetes). It was received at its inode change time
    (``exchange.received_time``), which no trainee can set back. Share cards (``share*.json``) are not
    submissions: listed as ignored."""
    check_owner = check_owner and owners_checked()
    inbound = Path(root) / INBOUND
    out = Intake()
    try:
        users = sorted(os.scandir(inbound), key=lambda e: e.name)
    except OSError as exc:  # no exchange there, or this account is not one of the instructors
        raise ExchangeError("exchange.cannot_read", folder=str(inbound),
                            detail=exc.strerror or type(exc).__name__) from exc
    for user in users:
        shown_user = _shown(inbound, user.path)
        if user.name.startswith("."):
            continue
        if user.is_symlink():
            out.rejected.append(Rejection(shown_user, "link"))
            continue
        if not user.is_dir(follow_symlinks=False):
            out.ignored.append(shown_user)
            continue
        try:
            entries = sorted(os.scandir(user.path), key=lambda e: e.name)
        except OSError as exc:
            out.rejected.append(Rejection(shown_user, "unreadable", {"detail": exc.strerror or type(exc).__name__}))
            continue
        for entry in entries:
            shown = _shown(inbound, entry.path)
            if entry.name.startswith("."):
                continue
            if entry.name.startswith(SHARE_PREFIX) or not entry.name.lower().endswith(".json"):
                out.ignored.append(shown)
                continue
            result = _exchange_file(Path(entry.path), shown, user.name, known, check_owner, owner_name, received_time)
            (out.received if isinstance(result, Received) else out.rejected).append(result)  # type: ignore[arg-type]
    return out


def _exchange_file(path: Path, shown: str, folder: str, known: set[str] | None, check_owner: bool,
                   owner_name: Callable[[os.stat_result], str | None],
                   received_time: Callable[[os.stat_result], dt.datetime]) -> Received | Rejection:
    """One file of a trainee's inbound folder: its bytes, then owner and change time of what was read (``fstat``
    after reading: a change made while it was read moves the time on, never back)."""
    try:
        with open_regular(path) as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
            info = os.fstat(fh.fileno())
    except NotRegularFile as exc:
        return Rejection(shown, "link" if exc.link else "not_regular")
    except OSError as exc:
        return Rejection(shown, "unreadable", {"detail": exc.strerror or type(exc).__name__})
    if len(data) > MAX_FILE_BYTES:
        return Rejection(shown, "too_large", {"size": max(len(data), info.st_size), "limit": MAX_FILE_BYTES})
    result = parse_submission(shown, data, folder, known)
    if not isinstance(result, Received):
        return result
    owner = owner_name(info)
    if check_owner and owner != folder:
        return Rejection(shown, "exchange.owner", {"id": result.submission.trainee.id, "folder": folder,
                                                   "owner": owner or f"uid {info.st_uid}"})
    return with_received(result, received_time(info))


def rejection_lines(rejected: list[Rejection], lang: Lang) -> list[str]:
    """Every rejection as report lines in ``lang``."""
    return [r.message(lang) for r in rejected] or [t("gradebook.report.none_rejected", lang)]
