"""Where the trainee's files live: ``KAM_HOME`` or the project folder, never anywhere else."""

from __future__ import annotations

import os
from pathlib import Path

from kamlib.atomic import write_atomic

_PROJECT = Path(__file__).resolve().parents[1]
LAST_USED = ".last-trainee"


def home() -> Path:
    """The folder holding ``workbook/`` and ``submissions/``: ``KAM_HOME``, else the project."""
    env = os.environ.get("KAM_HOME")
    if env:
        return Path(env).expanduser()
    if (_PROJECT / "pyproject.toml").is_file() and (_PROJECT / "kamlib").is_dir():
        return _PROJECT
    return Path.cwd()


def project_root() -> Path:
    """The project checkout (for shipped files such as answer keys and notebooks)."""
    return _PROJECT


def workbook_dir() -> Path:
    return home() / "workbook"


def submissions_dir() -> Path:
    return home() / "submissions"


def workbook_path(trainee_id: str) -> Path:
    """The workbook file of one trainee."""
    return workbook_dir() / f"{trainee_id}.json"


def default_trainee_id() -> str:
    """On JupyterHub the trainee id is the hub user; elsewhere the trainee types it."""
    return os.environ.get("JUPYTERHUB_USER", "").strip()


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
