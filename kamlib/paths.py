"""Where things live: set by the environment, else the project checkout kamlib runs from.

- ``KAM_COURSE``: the course folder (``notebooks/``, ``exercises/``; read-only for trainees): ``course_root()``.
- ``KAM_HOME``: the trainee's own data (``workbook/``, ``exports/``): ``home()``.
- ``KAM_SUBMISSIONS``: where Submit writes; else ``<KAM_EXCHANGE>/inbound`` on a classroom hub; else
  ``submissions/`` of the home: ``submissions_dir()``.
- ``KAM_EXCHANGE``: the class exchange (hub only, see ``kamlib.exchange``): ``exchange_root()``.
- ``KAM_KEYS``: the answer keys (``kamlib.grading.keys_dir``); ``KAM_INSTRUCTOR_DIR``: the instructors' own folder
  on a hub (keys, gradebook): ``instructor_dir()``.
- ``JUPYTERHUB_USER``: on a hub, the trainee id (``hub_user()``).
"""

from __future__ import annotations

import os
from pathlib import Path

from kamlib.atomic import write_atomic
from kamlib.errors import KamError

_PROJECT = Path(__file__).resolve().parents[1]
LAST_USED = ".last-trainee"


def _env_path(name: str) -> Path | None:
    """The folder an environment setting names (``~`` expanded), or None when it is unset or empty."""
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def checkout() -> Path | None:
    """The project checkout kamlib runs from (the source tree, or an editable install of it); None when kamlib is
    an installed package."""
    if (_PROJECT / "pyproject.toml").is_file() and (_PROJECT / "kamlib").is_dir():
        return _PROJECT
    return None


def home() -> Path:
    """The folder holding ``workbook/`` and ``exports/``: ``KAM_HOME``, else the checkout, else the current one."""
    return _env_path("KAM_HOME") or checkout() or Path.cwd()


def course_root() -> Path:
    """The course folder (``notebooks/``, ``exercises/``, ``course-settings.toml``): ``KAM_COURSE``, else the
    checkout kamlib runs from. An installed kamlib without ``KAM_COURSE`` has no course: a clear error."""
    env = _env_path("KAM_COURSE")
    if env is not None:
        if not env.is_dir():
            raise KamError("paths.bad_course", folder=str(env))
        return env
    root = checkout()
    if root is None:
        raise KamError("paths.no_course", package=str(_PROJECT / "kamlib"))
    return root


def project_root() -> Path:
    """The project checkout, for work on its source (building the trainee bundle). Course files go through
    ``course_root()``."""
    root = checkout()
    if root is None:
        raise KamError("paths.no_checkout", package=str(_PROJECT / "kamlib"))
    return root


def exchange_root() -> Path | None:
    """The class exchange folder (``KAM_EXCHANGE``, set on a classroom hub), or None."""
    return _env_path("KAM_EXCHANGE")


def instructor_dir() -> Path | None:
    """The instructors' own folder on a hub (``KAM_INSTRUCTOR_DIR``: keys, gradebook), or None."""
    return _env_path("KAM_INSTRUCTOR_DIR")


def gradebook_dir() -> Path:
    """The default gradebook folder: ``<KAM_INSTRUCTOR_DIR>/gradebook`` when set, else ``gradebook/`` of the home."""
    return (instructor_dir() or home()) / "gradebook"


def workbook_dir() -> Path:
    return home() / "workbook"


def submissions_dir() -> Path:
    """Where Submit writes: ``KAM_SUBMISSIONS``, else the exchange's ``inbound/``, else ``submissions/`` of the home."""
    env = _env_path("KAM_SUBMISSIONS")
    if env is not None:
        return env
    exchange = exchange_root()
    return exchange / "inbound" if exchange is not None else home() / "submissions"


def workbook_path(trainee_id: str) -> Path:
    """The workbook file of one trainee."""
    return workbook_dir() / f"{trainee_id}.json"


def default_trainee_id() -> str:
    """On JupyterHub the trainee id is the hub user; elsewhere the trainee types it."""
    return os.environ.get("JUPYTERHUB_USER", "").strip()


def hub_user() -> str | None:
    """On a hub, THE trainee id (``JUPYTERHUB_USER``): registration cannot change it and no other id submits."""
    return default_trainee_id() or None


def remember(trainee_id: str) -> None:
    """Note which trainee used this folder last, so chapter notebooks open their workbook."""
    folder = workbook_dir()
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / LAST_USED, trainee_id.encode("utf-8"))


def find_workbook(param: str | os.PathLike[str] | None = None) -> Path | None:
    """The workbook to open: parameter > ``KAM_WORKBOOK`` > hub user's > last used > the only one."""
    for explicit in (param, os.environ.get("KAM_WORKBOOK")):
        if explicit:
            return Path(explicit).expanduser()
    folder = workbook_dir()
    candidates = [default_trainee_id()]
    last = folder / LAST_USED
    if last.is_file():
        candidates.append(last.read_text(encoding="utf-8").strip())
    for trainee_id in candidates:
        if trainee_id and (folder / f"{trainee_id}.json").is_file():
            return folder / f"{trainee_id}.json"
    files = [p for p in folder.glob("*.json") if not p.name.endswith(".bak.json")]
    return files[0] if len(files) == 1 else None
