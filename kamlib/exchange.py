"""The class exchange on a classroom hub: submissions in, feedback out, guarded by Unix permissions.

```
<exchange>/                 root:root            0755
  inbound/                  root:<instructors>   0751   trainees pass through, cannot list
    <user>/                 <user>:<instructors> 2750   made at each spawn (``prepare_user``, as root)
      ex00-<UTC>.json       0640 whatever the umask     (a submission; ``create_file``)
  outbound/                 root:<instructors>   0751
    <user>/                 <user>:<instructors> 2570   the trainee reads, instructors write
      feedback.html         0644                        (``release_feedback``)
```

A trainee cannot list ``inbound/``, read or write another trainee's folder, or read another's feedback; the
instructors' group reads every submission and writes into no trainee's inbound folder; nothing is world-writable
(an exchange open to all, as nbgrader's 0777 one, lets anyone hand in or read anything). The setgid bit gives every
file in a trainee's folders the instructors' group. When a file was received is its inode change time
(``st_ctime``): an unprivileged user can move a file's modification time back, never its change time.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from kamlib import paths
from kamlib.atomic import create_new, write_atomic
from kamlib.errors import KamError
from kamlib.i18n import Text
from kamlib.safe_text import is_safe_name

INBOUND, OUTBOUND = "inbound", "outbound"
FEEDBACK_FILE = "feedback.html"
SHARE_PREFIX = "share"  # ``share1-<UTC>.json``: a Share 1 card shared to the class, not a submission
ROOT_MODE = 0o755
BOX_MODE = 0o751  # inbound/ and outbound/: a trainee passes through to their own folder, lists nothing
INBOX_MODE = 0o2750  # inbound/<user>: the trainee writes, the instructors read
OUTBOX_MODE = 0o2570  # outbound/<user>: the trainee reads, the instructors write
FILE_MODE = 0o640  # a submission: its trainee and the instructors
FEEDBACK_MODE = 0o644  # readable only by whoever may enter outbound/<user>/


class ExchangeError(KamError):
    """The exchange is not as the classroom needs it, or a file cannot be put into it."""


@dataclass(frozen=True)
class Expected:
    """A folder of the exchange as it must be: owner (None: root), group (None: root) and mode."""

    path: Path
    owner: str | None
    group: str | None
    mode: int


def _safe_user(user: str) -> str:
    if not is_safe_name(user):
        raise ExchangeError("exchange.bad_user", user=user[:80])
    return user


def inbound_dir(root: str | os.PathLike[str], user: str) -> Path:
    """A trainee's inbound folder: ``<root>/inbound/<user>`` (the user name must be a safe file name)."""
    return Path(root) / INBOUND / _safe_user(user)


def outbound_dir(root: str | os.PathLike[str], user: str) -> Path:
    """A trainee's outbound folder: ``<root>/outbound/<user>``."""
    return Path(root) / OUTBOUND / _safe_user(user)


def layout(root: str | os.PathLike[str], instructors_group: str, users: tuple[str, ...] = ()) -> list[Expected]:
    """The folders of the exchange (and of ``users``) as they must be, top down."""
    root = Path(root)
    out = [Expected(root, None, None, ROOT_MODE),
           Expected(root / INBOUND, None, instructors_group, BOX_MODE),
           Expected(root / OUTBOUND, None, instructors_group, BOX_MODE)]
    for user in users:
        out += [Expected(inbound_dir(root, user), user, instructors_group, INBOX_MODE),
                Expected(outbound_dir(root, user), user, instructors_group, OUTBOX_MODE)]
    return out


# ---- checking -----------------------------------------------------------------------------------------


def _uid(user: str | None) -> int:
    import pwd

    if user is None:
        return 0
    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        raise ExchangeError("exchange.no_user", user=user) from None


def _gid(group: str | None) -> int:
    import grp

    if group is None:
        return 0
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise ExchangeError("exchange.no_group", group=group) from None


ANY_OWNER_ENV = "KAM_EXCHANGE_ANY_OWNER"


def owners_checked() -> bool:
    """Whether a file in ``inbound/<user>/`` must be owned by that user: yes, unless ``KAM_EXCHANGE_ANY_OWNER`` is
    1/true/yes, set where every server runs as one uid and only its own folders are mounted into it (Kubernetes).
    The kernel still stamps when a file was received (``received_time``)."""
    return os.environ.get(ANY_OWNER_ENV, "").strip().lower() not in ("1", "true", "yes")


def owner_name(info: os.stat_result) -> str | None:
    """The user name owning a file (None when its uid names no user, or on a system without users)."""
    try:
        import pwd

        return pwd.getpwuid(info.st_uid).pw_name
    except (ImportError, KeyError):
        return None


def problems(root: str | os.PathLike[str], instructors_group: str, users: tuple[str, ...] = ()) -> list[Text]:
    """What differs from the layout: each folder missing, a link, not a folder, of another owner, group or mode;
    and anything world-writable in the exchange's folders. Empty when all is as it must be."""
    found: list[Text] = []
    for want in layout(root, instructors_group, users):
        shown = str(want.path)
        try:
            info = os.lstat(want.path)
        except FileNotFoundError:
            found.append(Text("exchange.problem.missing", {"path": shown}))
            continue
        except OSError as exc:
            found.append(Text("exchange.problem.unreadable", {"path": shown, "detail": exc.strerror or ""}))
            continue
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            found.append(Text("exchange.problem.not_folder", {"path": shown}))
            continue
        if info.st_uid != _uid(want.owner) or info.st_gid != _gid(want.group):
            found.append(Text("exchange.problem.owner", {"path": shown, "owner": want.owner or "root",
                                                         "group": want.group or "root"}))
        if stat.S_IMODE(info.st_mode) != want.mode:
            found.append(Text("exchange.problem.mode", {"path": shown, "mode": f"{stat.S_IMODE(info.st_mode):04o}",
                                                        "wanted": f"{want.mode:04o}"}))
    return found + world_writable(root)


def world_writable(root: str | os.PathLike[str]) -> list[Text]:
    """Every folder under the exchange (links not followed) that anyone may write into."""
    found = []
    for folder, dirs, _files in os.walk(root, followlinks=False):
        for name in [".", *dirs]:
            path = Path(folder) / name
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode) and mode & stat.S_IWOTH:
                found.append(Text("exchange.problem.world_writable", {"path": str(path.resolve())}))
    return found


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _apply(want: Expected) -> None:
    """As root: make the folder (never through a link) and set its owner, group and mode."""
    try:
        info = os.lstat(want.path)
    except FileNotFoundError:
        os.mkdir(want.path, 0o700)
        info = os.lstat(want.path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise ExchangeError("exchange.problem.not_folder", path=str(want.path))
    os.chown(want.path, _uid(want.owner), _gid(want.group), follow_symlinks=False)
    os.chmod(want.path, want.mode)


def _settle(root: Path, instructors_group: str, users: tuple[str, ...]) -> None:
    """Set the layout up (as root) or only check it (anyone else); raise with every problem left."""
    want = layout(root, instructors_group, users)
    if _is_root():
        root.parent.mkdir(parents=True, exist_ok=True)
        for folder in want:
            _apply(folder)
    found = problems(root, instructors_group, users)
    if found:
        key = "exchange.not_ready" if _is_root() else "exchange.not_ready_user"
        raise ExchangeError(key, details=found, folder=str(root))


def prepare_exchange(root: str | os.PathLike[str], instructors_group: str) -> Path:
    """The exchange's top folders as the layout says. As root they are made and set; as anyone else they are
    only checked, and every difference is explained (``ExchangeError``)."""
    root = Path(root)
    _gid(instructors_group)  # a group that does not exist: said before anything is made
    _settle(root, instructors_group, ())
    return root


def prepare_user(root: str | os.PathLike[str], user: str, instructors_group: str) -> Path:
    """A trainee's inbound and outbound folders (and the top folders), as ``prepare_exchange``: made and set as root,
    only checked otherwise. Returns the trainee's inbound folder."""
    root = Path(root)
    _safe_user(user)
    _uid(user)
    _gid(instructors_group)
    _settle(root, instructors_group, (user,))
    return inbound_dir(root, user)


# ---- files --------------------------------------------------------------------------------------------


def received_time(path: str | os.PathLike[str] | os.stat_result) -> dt.datetime:
    """When the exchange received a file: its inode change time (``st_ctime``; no link followed), in UTC. Setting
    a file's times back (``touch -d``) changes its modification time and moves its change time to now."""
    info = path if isinstance(path, os.stat_result) else os.lstat(path)
    return dt.datetime.fromtimestamp(info.st_ctime, dt.UTC)


def create_file(path: str | os.PathLike[str], data: bytes, mode: int = FILE_MODE) -> Path:
    """Write a new file with exactly ``mode`` whatever the umask; ``FileExistsError`` when the name is taken (a
    link in its place included). A file that cannot be written whole is removed (``kamlib.atomic.create_new``)."""
    return create_new(path, data, mode)


def release_feedback(root: str | os.PathLike[str], user: str, html: str) -> Path:
    """Put a trainee's feedback page into ``outbound/<user>/feedback.html`` (replacing the last one in one step).

    The folder must have been prepared; a link or anything else in its place is refused. The page is written
    under a fresh name and renamed over the old one, so a link a trainee planted is replaced, never followed."""
    folder = outbound_dir(root, user)
    try:
        info = os.lstat(folder)
    except OSError:
        raise ExchangeError("exchange.no_outbox", user=user, folder=str(folder)) from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise ExchangeError("exchange.no_outbox", user=user, folder=str(folder))
    target = folder / FEEDBACK_FILE
    try:
        write_atomic(target, html.encode("utf-8"), mode=FEEDBACK_MODE)
    except OSError as exc:
        raise ExchangeError("exchange.cannot_release", user=user, folder=str(folder),
                            detail=exc.strerror or type(exc).__name__) from exc
    return target


def read_feedback(user: str | None = None) -> Path | None:
    """The feedback page released to a trainee (default: the hub user) in the exchange, if there is one to read."""
    root = paths.exchange_root()
    user = user or paths.hub_user()
    if root is None or not user:
        return None
    try:
        path = outbound_dir(root, user) / FEEDBACK_FILE
    except ExchangeError:
        return None
    try:
        info = os.lstat(path)
    except OSError:
        return None
    readable = stat.S_ISREG(info.st_mode) and os.access(path, os.R_OK)
    return path if readable else None
