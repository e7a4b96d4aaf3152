"""The classroom on one Linux server: JupyterHub's configuration and a throw-away trial class.

``deploy/hub/jupyterhub_config.py`` calls ``configure(c)``: plain JupyterHub, PAM logins with the server's Unix
accounts, LocalProcessSpawner (each server runs as its trainee's own account, never as root) or SystemdSpawner
(the same, with a memory limit), the app's start page as the default URL, the single-user servers' config written
from ``kamlib.server_config``, the self-check service ``kam-check`` and the idle culler as managed services, and a
pre-spawn hook that makes the trainee's exchange folders and private home. Its settings come from the environment
(the systemd unit reads them from ``/etc/kam/hub.env``); ``HubSettings`` lists them with their defaults.

``kam hub --trial N`` (``TrialClass``) starts the same configuration on loopback with N throw-away trainees and an
instructor, and removes every account, process and file it made when it stops, pass or fail.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kamlib import exchange
from kamlib.errors import KamError
from kamlib.i18n import Lang, Text, t

START_PAGE = "/voila/render/notebooks/00_start_here.ipynb"
INSTRUCTOR_PAGE = "/lab/tree/instructor/dashboard.ipynb"
INSTRUCTOR_SHELL = '--ServerApp.terminado_settings={"shell_command": ["/bin/bash", "-l"]}'
CHECK_SERVICE = "kam-check"
CULLER_SERVICE = "idle-culler"
TRIAL_SERVICE = "kam-trial"  # the trial's own admin API client (loopback only)
# A Unix account name that is also a safe exchange folder: lower case, starts with a letter, 32 characters at most.
USER_NAME = r"^[a-z][a-z0-9_-]{0,31}$"
DEFAULT_VENV = "/opt/kam-trial/venv"  # the trial's classroom environment (KAM_HUB_VENV)
HOME_FOLDER = "kam"  # KAM_HOME = <the account's home>/kam
PRIVATE_MODE = 0o700
INSTRUCTOR_DIR_MODE = 0o2770  # root:<instructors>: the instructors and the check service write, nobody else enters
KEYS_MODE = 0o2750
KEY_FILE_MODE = 0o640
SERVER_TOKEN_SCOPES = ["users:activity!user", "access:servers!server", f"access:services!service={CHECK_SERVICE}"]
INSTRUCTOR_ROLE = "kam-instructor"
INSTRUCTOR_SCOPES = ["admin-ui", "list:users", "read:users", "read:users:activity", "read:servers", "servers",
                     "read:groups", "list:groups"]
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]


class HubError(KamError):
    """The classroom hub (or its trial) cannot do what was asked; the message says what to change."""


# ---- settings ----------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HubSettings:
    """The hub's settings, each from an environment variable (its name in the comment), else its default."""

    ip: str = ""  # KAM_HUB_IP: the address trainees' browsers reach ("" = every address of the server)
    port: int = 8000  # KAM_HUB_PORT
    state: Path = Path("/srv/kam/hub")  # KAM_HUB_STATE: the hub's database and cookie secret (root only)
    server_config: Path = Path("/srv/kam/jupyter")  # KAM_HUB_SERVER_CONFIG: single-user config written here
    course: Path = Path("/opt/kam/course")  # KAM_COURSE: the hub bundle (read-only for everyone but root)
    exchange: Path = Path("/srv/kam/exchange")  # KAM_EXCHANGE
    instructor_dir: Path = Path("/srv/kam/instructor")  # KAM_INSTRUCTOR_DIR: keys/, gradebook/, checks.jsonl
    runtime: Path = Path("/run/kam")  # KAM_HUB_RUNTIME: <user>/ holds each server's kernel sockets (short paths)
    instructors_group: str = "kam-instructors"  # KAM_INSTRUCTORS_GROUP: hub admins, read every submission
    trainees_group: str = "kam-trainees"  # KAM_TRAINEES_GROUP: the class list
    check_user: str = "kam-check"  # KAM_CHECK_USER: the account the self-check service runs as
    check_port: int = 10101  # KAM_CHECK_PORT: the self-check service, on 127.0.0.1
    culler_user: str = "nobody"  # KAM_HUB_CULLER_USER: the account the idle culler runs as (it only calls the API)
    api_port: int = 8081  # KAM_HUB_API_PORT: the hub's own API, on 127.0.0.1
    proxy_api_port: int = 8001  # KAM_HUB_PROXY_API_PORT: the proxy's API, on 127.0.0.1
    spawner: str = "local"  # KAM_HUB_SPAWNER: local (LocalProcessSpawner) or systemd (SystemdSpawner)
    mem_limit: str = "1536M"  # KAM_HUB_MEM_LIMIT: per trainee, enforced by SystemdSpawner only
    cpu_limit: float = 1.0  # KAM_HUB_CPU_LIMIT: cores per trainee, SystemdSpawner only
    spawn_limit: int = 20  # KAM_HUB_SPAWN_LIMIT: servers starting at once (the others wait)
    idle_timeout: int = 3600  # KAM_HUB_IDLE_TIMEOUT: seconds before an idle server is stopped
    ssl_cert: str = ""  # KAM_HUB_SSL_CERT / KAM_HUB_SSL_KEY: HTTPS for the class (passwords cross the network)
    ssl_key: str = ""
    lang: str = ""  # KAM_LANG: the class's first language (each trainee can switch on the start page)
    admin_token: str = ""  # KAM_HUB_ADMIN_TOKEN: the trial's API token (loopback only, never on a real server)

    @property
    def check_url(self) -> str:
        """Where trainees' kernels reach the self-check service (directly, on this server)."""
        return f"http://127.0.0.1:{self.check_port}/services/{CHECK_SERVICE}/"

    @property
    def keys(self) -> Path:
        return self.instructor_dir / "keys"

    def environment(self) -> dict[str, str]:
        """The settings as the environment variables that give them (what ``settings_from_env`` reads)."""
        return {name: str(getattr(self, field)) for name, field in _ENV.items()}


_ENV = {
    "KAM_HUB_IP": "ip", "KAM_HUB_PORT": "port", "KAM_HUB_STATE": "state", "KAM_HUB_SERVER_CONFIG": "server_config",
    "KAM_COURSE": "course", "KAM_EXCHANGE": "exchange", "KAM_INSTRUCTOR_DIR": "instructor_dir",
    "KAM_HUB_RUNTIME": "runtime",
    "KAM_INSTRUCTORS_GROUP": "instructors_group", "KAM_TRAINEES_GROUP": "trainees_group",
    "KAM_CHECK_USER": "check_user", "KAM_CHECK_PORT": "check_port", "KAM_HUB_CULLER_USER": "culler_user",
    "KAM_HUB_API_PORT": "api_port",
    "KAM_HUB_PROXY_API_PORT": "proxy_api_port", "KAM_HUB_SPAWNER": "spawner", "KAM_HUB_MEM_LIMIT": "mem_limit",
    "KAM_HUB_CPU_LIMIT": "cpu_limit", "KAM_HUB_SPAWN_LIMIT": "spawn_limit", "KAM_HUB_IDLE_TIMEOUT": "idle_timeout",
    "KAM_HUB_SSL_CERT": "ssl_cert", "KAM_HUB_SSL_KEY": "ssl_key", "KAM_LANG": "lang",
    "KAM_HUB_ADMIN_TOKEN": "admin_token",
}
_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
_MEMORY = re.compile(r"^\d+[KMGT]?$")


def settings_from_env(environ: Mapping[str, str] | None = None) -> HubSettings:
    """The hub's settings from ``environ`` (default: this process's environment); a value not accepted is an
    error naming the variable and what it takes."""
    environ = os.environ if environ is None else environ
    fields = {f.name: f for f in dataclasses.fields(HubSettings)}
    values: dict[str, Any] = {}
    problems: list[Text] = []
    for name, field in _ENV.items():
        raw = environ.get(name, "").strip()
        if not raw:
            continue
        kind = fields[field].type
        try:
            if kind == "int":
                value: Any = int(raw)
                if not 0 < value < (65536 if field.endswith("port") else 10**7):
                    raise ValueError(raw)
            elif kind == "float":
                value = float(raw)
                if not value > 0:
                    raise ValueError(raw)
            elif kind == "Path":
                value = Path(raw)
                if not value.is_absolute():
                    raise ValueError(raw)
            else:
                value = raw
        except ValueError:
            problems.append(Text(f"hub.setting.{kind.lower()}", {"name": name, "value": raw[:80]}))
            continue
        values[field] = value
    settings = HubSettings(**values)
    problems += _setting_problems(settings)
    if problems:
        raise HubError("hub.bad_settings", details=problems)
    return settings


def _setting_problems(s: HubSettings) -> list[Text]:
    found = []
    for name, value in (("KAM_INSTRUCTORS_GROUP", s.instructors_group), ("KAM_TRAINEES_GROUP", s.trainees_group),
                        ("KAM_CHECK_USER", s.check_user), ("KAM_HUB_CULLER_USER", s.culler_user)):
        if not _NAME.fullmatch(value):
            found.append(Text("hub.setting.name", {"name": name, "value": value[:80]}))
    if s.spawner not in ("local", "systemd"):
        found.append(Text("hub.setting.spawner", {"value": s.spawner[:80]}))
    if not _MEMORY.fullmatch(s.mem_limit):
        found.append(Text("hub.setting.memory", {"value": s.mem_limit[:80]}))
    if s.lang and s.lang not in ("zh", "en"):
        found.append(Text("hub.setting.lang", {"value": s.lang[:80]}))
    if bool(s.ssl_cert) != bool(s.ssl_key):
        found.append(Text("hub.setting.ssl"))
    if s.admin_token and not _loopback(s.ip):
        found.append(Text("hub.setting.admin_token"))
    if len(str(kernel_socket_example(s.runtime))) > SOCKET_PATH_MAX:
        found.append(Text("hub.setting.runtime", {"value": str(s.runtime)[:80], "most": RUNTIME_PATH_MAX}))
    return found


# A Unix socket's path holds at most 107 bytes (Linux); a kernel's is <runtime>/<user>/kernel-<uuid>-ipc-<n>,
# n its five channels numbered 1 to 5.
SOCKET_PATH_MAX = 107
RUNTIME_PATH_MAX = SOCKET_PATH_MAX - len("/" + "u" * 32 + "/kernel-" + "0" * 36 + "-ipc-5")


def kernel_socket_example(runtime: Path) -> Path:
    """The longest path of a kernel's socket under ``runtime`` (a 32-character user name)."""
    return runtime / ("u" * 32) / f"kernel-{'0' * 36}-ipc-5"


def _loopback(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return ip == "localhost"


# ---- accounts ----------------------------------------------------------------------------------------------------


def group_members(group: str) -> set[str]:
    """The accounts in a Unix group: its listed members and the accounts whose primary group it is."""
    import grp
    import pwd

    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return set()
    return set(entry.gr_mem) | {p.pw_name for p in pwd.getpwall() if p.pw_gid == entry.gr_gid}


def in_group(user: str, group: str) -> bool:
    """Whether the account ``user`` belongs to ``group`` (primary or supplementary)."""
    import grp
    import pwd

    try:
        account, gid = pwd.getpwnam(user), grp.getgrnam(group).gr_gid
    except KeyError:
        return False
    return gid in os.getgrouplist(user, account.pw_gid)


def unix_account(user: str) -> Any:
    """The Unix account a hub user's server runs as; never root."""
    import pwd

    try:
        account = pwd.getpwnam(user)
    except KeyError:
        raise HubError("hub.no_account", user=user) from None
    if account.pw_uid == 0:
        raise HubError("hub.root_user", user=user)
    return account


def prepare_home(account: Any, private: bool) -> Path:
    """The account's ``~/kam`` (``KAM_HOME``), made as root and owned by the account; with ``private`` the home
    itself is closed to other accounts too (a trainee's workbook is theirs)."""
    home = Path(account.pw_dir)
    if not home.is_dir():
        home.mkdir(parents=True, mode=PRIVATE_MODE)
        os.chown(home, account.pw_uid, account.pw_gid)
    if private and stat.S_IMODE(home.stat().st_mode) & 0o077:
        os.chmod(home, PRIVATE_MODE)
    folder = home / HOME_FOLDER
    if folder.is_symlink():
        raise HubError("hub.home_link", folder=str(folder))
    if not folder.exists():
        folder.mkdir(mode=PRIVATE_MODE)
        os.chown(folder, account.pw_uid, account.pw_gid, follow_symlinks=False)
    return folder


def prepare_runtime(runtime: Path, account: Any) -> Path:
    """``<runtime>/<user>``, the server's private ``JUPYTER_RUNTIME_DIR``: its kernels talk over Unix sockets there,
    not over TCP ports, which the kernels of thirty servers on one machine pick at the same moment and collide on
    (a kernel that cannot bind its port leaves the trainee's page waiting)."""
    runtime.mkdir(parents=True, exist_ok=True)
    os.chmod(runtime, 0o755)
    folder = runtime / account.pw_name
    if folder.is_symlink():
        raise HubError("hub.home_link", folder=str(folder))
    if not folder.exists():
        folder.mkdir(mode=PRIVATE_MODE)
    os.chown(folder, account.pw_uid, account.pw_gid, follow_symlinks=False)
    os.chmod(folder, PRIVATE_MODE)
    return folder


def user_environment(s: HubSettings, user: str, home: Path, instructor: bool, venv: Path | None = None
                     ) -> dict[str, str]:
    """What a user's server (and every kernel and terminal it starts) is told: the course, the exchange, their own
    folder, the self-check service, the classroom environment first on ``PATH``; instructors also the instructors'
    folder and the keys. Trainees never get a key's place."""
    venv = venv or Path(sys.prefix)
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "KAM_COURSE": str(s.course),
        "KAM_SETTINGS": str(s.course / "course-settings.toml"),  # the class's settings, not a file of the trainee's
        "KAM_EXCHANGE": str(s.exchange),
        "KAM_HOME": str(home / HOME_FOLDER),
        "KAM_CHECK_URL": s.check_url,
        "JUPYTER_CONFIG_PATH": str(s.server_config),
        "JUPYTER_RUNTIME_DIR": str(s.runtime / user),
        "MPLBACKEND": "Agg",
    }
    if s.lang:
        env["KAM_LANG"] = s.lang
    if instructor:
        env.update(KAM_INSTRUCTOR_DIR=str(s.instructor_dir), KAM_KEYS=str(s.keys),
                   KAM_SUBMISSIONS=str(home / HOME_FOLDER / "submissions"))  # an instructor's own tries stay home
    return env


def make_pre_spawn_hook(s: HubSettings) -> Callable[[Any], None]:
    """The hook run (as root, in the hub) before each server starts: refuse root, make the trainee's private home
    and exchange folders, and set the server's environment."""

    def pre_spawn_hook(spawner: Any) -> None:
        name = spawner.user.name
        account = unix_account(name)
        instructor = in_group(name, s.instructors_group)
        prepare_home(account, private=not instructor)
        prepare_runtime(s.runtime, account)
        if instructor:  # their server opens on the class dashboard, in the instructors' folder
            spawner.notebook_dir, spawner.default_url = str(s.instructor_dir), INSTRUCTOR_PAGE
            # JupyterLab's terminal (kam grade, kam feedback) runs bash: the account itself may have no login shell
            spawner.args = [*spawner.args, INSTRUCTOR_SHELL]
        else:
            exchange.prepare_user(s.exchange, name, s.instructors_group)
        spawner.environment = {**spawner.environment,
                               **user_environment(s, name, Path(account.pw_dir), instructor)}

    return pre_spawn_hook


# ---- folders -----------------------------------------------------------------------------------------------------


def prepare_instructor_dir(folder: Path, group: str, keys_from: Path | None = None,
                           notebooks_from: Path | None = None, course: Path | None = None) -> Path:
    """As root: the instructors' folder (``root:<group>`` 2770, their servers' root) with ``keys/`` (2750, each key
    0640; copied from ``keys_from`` when given), ``instructor/`` (the grading and dashboard notebooks, copied from
    ``notebooks_from`` when given) and, with ``course``, links to its ``notebooks/`` and ``exercises/`` so the
    course's pages open there too. Nothing in it is open to other accounts."""
    import grp

    gid = grp.getgrnam(group).gr_gid
    keys = folder / "keys"
    for path, mode in ((folder, INSTRUCTOR_DIR_MODE), (keys, KEYS_MODE), (folder / "instructor", INSTRUCTOR_DIR_MODE)):
        if path.is_symlink():
            raise HubError("hub.problem.link", path=str(path))
        path.mkdir(parents=True, exist_ok=True)
        os.chown(path, 0, gid)
        os.chmod(path, mode)
    if keys_from is not None:
        for source in sorted(Path(keys_from).glob("*.toml")):
            target = keys / source.name
            target.unlink(missing_ok=True)
            exchange.create_file(target, source.read_bytes(), KEY_FILE_MODE)
    for path in keys.iterdir():
        if path.is_file() and not path.is_symlink():
            os.chown(path, 0, gid)
            os.chmod(path, KEY_FILE_MODE)
    if notebooks_from is not None:
        for source in sorted(Path(notebooks_from).glob("*.ipynb")):
            target = folder / "instructor" / source.name
            target.unlink(missing_ok=True)
            exchange.create_file(target, source.read_bytes(), 0o660)
            os.chown(target, 0, gid)
    if course is not None:
        for name in ("notebooks", "exercises"):
            link = folder / name
            if not link.exists() and not link.is_symlink():
                link.symlink_to(course / name, target_is_directory=True)
    return folder


def writable_by_others(folder: Path) -> list[Path]:
    """Everything under ``folder`` that an account other than root could change (owned by it, or group or
    world writable)."""
    found = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        for name in [".", *dirs, *files]:
            path = Path(top) / name
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if not stat.S_ISLNK(info.st_mode) and (info.st_uid != 0 or info.st_mode & 0o022):
                found.append(path if name != "." else Path(top))
    return found


def open_to_everyone(folder: Path) -> bool:
    """Whether any account can list ``folder``: it and every folder above it are open to others."""
    folder = folder.resolve()
    for path in (folder, *folder.parents):
        try:
            mode = path.stat().st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH or (path == folder and not mode & stat.S_IROTH):
            return False
    return True


def check_data_files(*folders: Path) -> list[Path]:
    """Self-check data (``*.check.json``: digests of the answers) anywhere under ``folders``."""
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.check.json"))


def startup_problems(s: HubSettings, venv: Path) -> list[Text]:
    """What keeps the hub from starting as a classroom: not root, a missing account or group, a course that is not
    the hub bundle or that trainees could change, self-check data a trainee's kernel could read, an instructors'
    folder open to others. The exchange and the instructors' folder are set up on the way (as root)."""
    import grp
    import pwd

    if os.geteuid() != 0:
        return [Text("hub.problem.not_root")]
    found: list[Text] = []
    for group in (s.instructors_group, s.trainees_group):
        try:
            grp.getgrnam(group)
        except KeyError:
            found.append(Text("hub.problem.no_group", {"group": group}))
    try:
        pwd.getpwnam(s.check_user)
    except KeyError:
        found.append(Text("hub.problem.no_check_user", {"user": s.check_user, "group": s.instructors_group}))
    start = s.course / "notebooks" / "00_start_here.ipynb"
    if not start.is_file():
        found.append(Text("hub.problem.no_course", {"folder": str(s.course)}))
    for name in ("solutions", "instructor"):
        if (s.course / name).exists():
            found.append(Text("hub.problem.instructor_material", {"path": str(s.course / name)}))
    package = _installed_kamlib(venv)
    for path in check_data_files(s.course, package / "exercises")[:5]:
        found.append(Text("hub.problem.check_data", {"path": str(path)}))
    for path in writable_by_others(s.course)[:5] if s.course.is_dir() else []:
        found.append(Text("hub.problem.course_writable", {"path": str(path)}))
    if found:
        return found
    try:
        exchange.prepare_exchange(s.exchange, s.instructors_group)
        prepare_instructor_dir(s.instructor_dir, s.instructors_group, course=s.course)
    except KamError as exc:
        return [exc.text, *exc.details]
    if not any(s.keys.glob("*.toml")):
        found.append(Text("hub.problem.no_keys", {"folder": str(s.keys)}))
    return found


def _installed_kamlib(venv: Path) -> Path:
    """The kamlib package the servers run (in the hub's environment)."""
    found = sorted(venv.glob("lib/python3*/site-packages/kamlib"))
    return found[0] if found else Path(__file__).parent


def write_server_config(folder: Path) -> Path:
    """The single-user servers' Jupyter config (JupyterLab, Voila, the app's CSP, kernel culling), written from
    ``kamlib.server_config``, the definition ``kam lab`` and ``kam app`` use too; readable by every account."""
    from kamlib import server_config

    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    server_config.write_config(folder, kernel_transport="ipc")
    for path in folder.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return folder


# ---- JupyterHub's configuration ------------------------------------------------------------------------------


def services(s: HubSettings, venv: Path) -> list[dict[str, Any]]:
    """The hub's managed services: the self-check service (as ``check_user``, in the instructors' group: it reads
    the keys and writes ``checks.jsonl``) and the idle culler (as ``culler_user``, by default ``nobody``: it only
    calls the hub's API)."""
    found = [
        {
            "name": CHECK_SERVICE,
            "url": f"http://127.0.0.1:{s.check_port}",
            "command": [str(venv / "bin" / "kam"), "check-service"],
            "user": s.check_user,
            "cwd": str(s.instructor_dir),
            "environment": {"KAM_KEYS": str(s.keys), "KAM_INSTRUCTOR_DIR": str(s.instructor_dir),
                            "KAM_COURSE": str(s.course), "KAM_SETTINGS": str(s.course / "course-settings.toml"),
                            "KAM_LANG": s.lang or "zh"},
            "display": False,
        },
        {
            "name": CULLER_SERVICE,
            "command": [str(venv / "bin" / "python"), "-m", "jupyterhub_idle_culler",
                        f"--timeout={s.idle_timeout}", f"--cull-every={max(60, min(300, s.idle_timeout // 4))}"],
            "user": s.culler_user,
            "cwd": "/",
            "display": False,
        },
    ]
    if s.admin_token:
        found.append({"name": TRIAL_SERVICE, "api_token": s.admin_token, "display": False})
    return found


def roles(s: HubSettings) -> list[dict[str, Any]]:
    """Trainees (every user) may call the self-check service; the culler stops idle servers; the instructors' hub
    group holds ``kam-instructor``: the admin page, the class's users and servers, starting and stopping them; not
    the admin role, which would also let them enter a trainee's server or make a token in a trainee's name (and so
    hand in or self-check as the trainee). The trial's API client is admin."""
    found: list[dict[str, Any]] = [
        {"name": "user", "scopes": ["self", f"access:services!service={CHECK_SERVICE}"]},
        {"name": CULLER_SERVICE, "scopes": CULLER_SCOPES, "services": [CULLER_SERVICE]},
        {"name": INSTRUCTOR_ROLE, "description": "The class's instructors: watch, start and stop the servers",
         "scopes": INSTRUCTOR_SCOPES, "groups": [s.instructors_group]},
    ]
    if s.admin_token:
        found.append({"name": "admin", "services": [TRIAL_SERVICE]})
    return found


def configure(c: Any, s: HubSettings | None = None, venv: Path | None = None) -> HubSettings:
    """Fill JupyterHub's config object ``c`` for the classroom. Raises ``HubError`` listing every problem that
    keeps the hub from starting (see ``startup_problems``)."""
    s = s or settings_from_env()
    venv = venv or Path(sys.prefix)
    problems = startup_problems(s, venv)
    if problems:
        raise HubError("hub.not_ready", details=problems)
    write_server_config(s.server_config)
    s.state.mkdir(parents=True, exist_ok=True)
    os.chmod(s.state, PRIVATE_MODE)
    instructors = sorted(group_members(s.instructors_group) - {"root", s.check_user})
    trainees = sorted(group_members(s.trainees_group) - {"root"} - set(instructors))

    hub = c.JupyterHub
    hub.ip, hub.port = s.ip, s.port
    hub.hub_ip, hub.hub_port = "127.0.0.1", s.api_port
    hub.db_url = f"sqlite:///{s.state / 'jupyterhub.sqlite'}"
    hub.cookie_secret_file = str(s.state / "jupyterhub_cookie_secret")
    hub.pid_file = str(s.state / "jupyterhub.pid")
    if s.ssl_cert:
        hub.ssl_cert, hub.ssl_key = s.ssl_cert, s.ssl_key
    hub.concurrent_spawn_limit = s.spawn_limit
    hub.load_groups = {s.instructors_group: {"users": instructors}}
    hub.load_roles = roles(s)
    hub.services = services(s, venv)
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.proxy_api_port}"
    c.ConfigurableHTTPProxy.pid_file = str(s.state / "jupyterhub-proxy.pid")

    hub.authenticator_class = "pam"
    c.Authenticator.allowed_users = set(trainees) | set(instructors)  # the class at start …
    c.LocalAuthenticator.allowed_groups = {s.trainees_group, s.instructors_group}  # … and whoever joins it later
    c.Authenticator.blocked_users = {"root", s.check_user, s.culler_user}
    c.Authenticator.username_pattern = USER_NAME
    c.PAMAuthenticator.open_sessions = False  # PAM checks the password only

    if s.spawner == "systemd":
        hub.spawner_class = "systemdspawner.SystemdSpawner"
        c.SystemdSpawner.mem_limit = s.mem_limit
        c.SystemdSpawner.cpu_limit = s.cpu_limit
        c.SystemdSpawner.isolate_tmp = True
        c.SystemdSpawner.isolate_devices = True
        c.SystemdSpawner.disable_user_sudo = True
        c.SystemdSpawner.dynamic_users = False  # the trainee's own Unix account: the exchange checks the owner
    else:
        hub.spawner_class = "localprocess"  # no memory limit: it cannot enforce one (README)
    spawner = c.Spawner
    spawner.cmd = [str(venv / "bin" / "jupyterhub-singleuser")]
    spawner.default_url = START_PAGE
    spawner.notebook_dir = str(s.course)
    spawner.disable_user_config = True  # the class's config, not one a trainee writes into ~/.jupyter
    spawner.server_token_scopes = SERVER_TOKEN_SCOPES
    spawner.pre_spawn_hook = make_pre_spawn_hook(s)
    spawner.start_timeout = 120
    spawner.http_timeout = 120
    return s


# ---- the trial class -----------------------------------------------------------------------------------------


def build_environment(venv: Path, python: str, course: Path, checkout: Path,
                      say: Callable[[str], None] = lambda _line: None, lang: Lang = "zh") -> None:
    """Build the hub bundle of ``checkout`` into ``course`` (readable by every account, changed by root only) and
    the classroom environment ``venv`` from it, with ``deploy/install.sh`` (what the trial, the classroom test and
    CI run before starting a hub)."""
    from kamlib.release import build_release

    say(t("hub.trial.step.bundle", lang, folder=str(course)))
    build_release(course, root=checkout, hub=True)
    for path in [course, *course.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
    say(t("hub.trial.step.venv", lang, folder=str(venv)))
    try:
        _run([str(checkout / "deploy" / "install.sh"), "--prefix", str(venv), "--source", str(course),
              "--python", python], cwd="/")
    except subprocess.CalledProcessError as exc:
        raise HubError("hub.trial.install_failed", detail=(exc.stderr or exc.stdout or "")[-600:]) from None


def run_build(venv: str | None, python: str, lang: Lang) -> int:
    """``kam hub --build-env``: the classroom environment a trial (or the classroom test) will use, built ahead."""
    from kamlib import paths

    target = Path(venv or os.environ.get("KAM_HUB_VENV") or DEFAULT_VENV)
    with tempfile.TemporaryDirectory(prefix="kam-bundle-") as folder:
        os.chmod(folder, 0o755)
        build_environment(target, python, Path(folder) / "course", paths.project_root(),
                          lambda line: print(line, flush=True), lang)
    print(t("hub.built", lang, folder=str(target)))
    return 0


@dataclasses.dataclass(frozen=True)
class Login:
    name: str
    password: str
    instructor: bool = False


def free_ports(count: int) -> list[int]:
    """``count`` different ports on 127.0.0.1 that nothing listens on right now."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs)


def processes_of(uids: set[int]) -> list[int]:
    """The processes running as any of ``uids``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _default_signals() -> None:
    """In the hub's process: the default handling of Ctrl-C and stop signals, whatever was inherited (a job started
    in the background ignores SIGINT, and so would the hub and every server it stops with SIGINT)."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


def _signal_all(pids: list[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, sig)


class TrialClass:
    """A throw-away class on loopback: N trainees (``trainee1``…) and an instructor with generated passwords, a
    course built as the hub bundle, the instructors' folder with the keys, an exchange, and the hub with the
    repository's ``deploy/hub/jupyterhub_config.py``. ``close`` (also on any failure while starting) stops every
    process of the trial's accounts and removes the accounts, the groups and the folder."""

    def __init__(self, trainees: int, venv: Path | None = None, python: str = "/usr/bin/python3",
                 port: int | None = None, checkout: Path | None = None, lang: str = "",
                 say: Callable[[str], None] | None = None) -> None:
        from kamlib import paths

        if not 1 <= trainees <= 60:
            raise HubError("hub.trial.bad_count", count=trainees)
        self.count = trainees
        self.checkout = checkout or paths.project_root()
        self.venv = venv or Path(os.environ.get("KAM_HUB_VENV") or DEFAULT_VENV)
        self.python, self.port, self.lang = python, port, lang
        self.say = say or (lambda _line: None)
        self.instructors_group, self.trainees_group = "kam-trial-instructors", "kam-trial-trainees"
        self.check_user = "kam-trial-check"
        self.trainees = [f"trainee{i}" for i in range(1, trainees + 1)]
        self.instructor = "instructor"
        self.logins: list[Login] = []
        self.base: Path | None = None
        self.hub: subprocess.Popen[bytes] | None = None
        self.settings: HubSettings | None = None
        self._users: list[str] = []
        self._groups: list[str] = []
        self._log: Any = None

    # -- start ---------------------------------------------------------------------------------------------

    def __enter__(self) -> TrialClass:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        assert self.settings is not None
        return f"http://127.0.0.1:{self.settings.port}"

    @property
    def admin_token(self) -> str:
        assert self.settings is not None
        return self.settings.admin_token

    @property
    def hub_log(self) -> Path:
        assert self.base is not None
        return self.base / "hub" / "jupyterhub.log"

    def preflight(self) -> None:
        """Everything the trial needs before it changes anything: root, Linux accounts, the proxy, the checkout,
        names not in use."""
        import grp
        import pwd

        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            raise HubError("hub.trial.not_root")
        for tool in ("useradd", "userdel", "groupadd", "groupdel", "chpasswd"):
            if shutil.which(tool) is None:
                raise HubError("hub.trial.no_tool", tool=tool)
        if shutil.which("configurable-http-proxy") is None:
            raise HubError("hub.trial.no_proxy")
        for path in (self.config_file, self.install_script, self.checkout / "solutions" / "keys"):
            if not path.exists():
                raise HubError("hub.trial.no_checkout", path=str(path))
        for name in [*self.trainees, self.instructor, self.check_user]:
            try:
                pwd.getpwnam(name)
            except KeyError:
                continue
            raise HubError("hub.trial.name_taken", name=name)
        for group in (self.instructors_group, self.trainees_group):
            try:
                grp.getgrnam(group)
            except KeyError:
                continue
            raise HubError("hub.trial.group_taken", group=group)

    @property
    def config_file(self) -> Path:
        return self.checkout / "deploy" / "hub" / "jupyterhub_config.py"

    @property
    def install_script(self) -> Path:
        return self.checkout / "deploy" / "install.sh"

    def start(self) -> None:
        self.preflight()
        keys = self.checkout / "solutions" / "keys"
        if open_to_everyone(keys):
            self.say(t("hub.trial.keys_exposed", self._lang, folder=str(keys)))
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="kam-trial-"))
        os.chmod(self.base, 0o755)
        course = self.base / "course"
        build_environment(self.venv, self.python, course, self.checkout, self.say, self._lang)
        self.say(t("hub.trial.step.accounts", self._lang))
        for group in (self.instructors_group, self.trainees_group):
            _run(["groupadd", group])
            self._groups.append(group)
        self._add_user(self.check_user, system=True, group=self.instructors_group)
        home = self.base / "home"
        home.mkdir(mode=0o755)
        for name in self.trainees:
            self._add_user(name, home=home / name, group=self.trainees_group)
        self._add_user(self.instructor, home=home / self.instructor, group=self.instructors_group)
        prepare_instructor_dir(self.base / "instructor", self.instructors_group,
                               keys_from=self.checkout / "solutions" / "keys",
                               notebooks_from=self.checkout / "instructor", course=self.base / "course")
        port, api, proxy, check = free_ports(4)
        self.settings = HubSettings(
            ip="127.0.0.1", port=self.port or port, state=self.base / "hub", server_config=self.base / "jupyter",
            course=course, exchange=self.base / "exchange", instructor_dir=self.base / "instructor",
            instructors_group=self.instructors_group, trainees_group=self.trainees_group,
            check_user=self.check_user, check_port=check, culler_user=self.check_user, api_port=api,
            proxy_api_port=proxy, lang=self.lang, runtime=Path("/run") / self.base.name,
            admin_token=secrets.token_hex(32))
        self.settings.state.mkdir(mode=PRIVATE_MODE)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KAM_", "JUPYTERHUB_", "JUPYTER_"))}
        env.update({k: v for k, v in self.settings.environment().items() if v})
        self.say(t("hub.trial.step.hub", self._lang))
        self._log = self.hub_log.open("wb")
        self.hub = subprocess.Popen([str(self.venv / "bin" / "jupyterhub"), "-f", str(self.config_file)],
                                    cwd=self.settings.state, env=env, stdout=self._log, stderr=subprocess.STDOUT,
                                    start_new_session=True, preexec_fn=_default_signals)
        self._wait_ready()

    @property
    def _lang(self) -> Lang:
        from kamlib.i18n import resolve_lang

        return resolve_lang(self.lang or None)

    def _add_user(self, name: str, group: str, home: Path | None = None, system: bool = False) -> None:
        argv = ["useradd", "--shell", "/usr/sbin/nologin", "--groups", group]
        argv += ["--system", "--no-create-home", "--home-dir", "/nonexistent"] if system else \
            ["--create-home", "--home-dir", str(home)]
        _run([*argv, name])
        self._users.append(name)
        if not system:
            password = secrets.token_urlsafe(9)
            _run(["chpasswd"], input=f"{name}:{password}\n")
            self.logins.append(Login(name, password, group == self.instructors_group))

    def _wait_ready(self, timeout: float = 90) -> None:
        assert self.hub is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.hub.poll() is not None:
                raise HubError("hub.trial.hub_exited", log=str(self.hub_log), tail=self.log_tail())
            try:
                if self.api("GET", "/")[0] == 200 and self._check_service_up():
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise HubError("hub.trial.hub_timeout", log=str(self.hub_log), tail=self.log_tail())

    def _check_service_up(self) -> bool:
        assert self.settings is not None
        try:
            with urllib.request.urlopen(self.settings.check_url, timeout=5) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.hub_log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # -- use -----------------------------------------------------------------------------------------------

    def api(self, method: str, path: str, body: Mapping[str, Any] | None = None, token: str | None = None,
            timeout: float = 30) -> tuple[int, Any]:
        """Call the hub's REST API (``/hub/api<path>``) with the trial's admin token; (status, JSON reply)."""
        data = json.dumps(body).encode() if body is not None else (b"" if method != "GET" else None)
        request = urllib.request.Request(f"{self.url}/hub/api{path}", data=data, method=method, headers={
            "Authorization": f"token {token or self.admin_token}", "Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=timeout) as reply:
                raw = reply.read()
                return reply.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw) if raw else None
            except ValueError:
                return exc.code, raw.decode(errors="replace")

    def spawn(self, user: str, timeout: float = 120) -> float:
        """Start a user's server through the REST API and wait until the hub says it is ready; seconds taken."""
        start = time.perf_counter()
        status, reply = self.api("POST", f"/users/{user}/server")
        if status not in (201, 202, 400):  # 400: already running
            raise HubError("hub.trial.spawn_failed", user=user, detail=f"{status} {reply}"[:300])
        while time.perf_counter() - start < timeout:
            status, model = self.api("GET", f"/users/{user}")
            server = ((model or {}).get("servers") or {}).get("", {}) if status == 200 else {}
            if server.get("ready"):
                return time.perf_counter() - start
            if status == 200 and not server and time.perf_counter() - start > 2:
                raise HubError("hub.trial.spawn_failed", user=user, detail=self.log_tail(8))
            time.sleep(0.1)
        raise HubError("hub.trial.spawn_failed", user=user, detail="timeout")

    def environment(self, user: str) -> dict[str, str]:
        """The environment a user's server runs with (what the pre-spawn hook gives it), for commands run as them."""
        import pwd

        assert self.settings is not None
        account = pwd.getpwnam(user)
        env = {"HOME": account.pw_dir, "USER": user, "LANG": "C.UTF-8", "JUPYTERHUB_USER": user}
        env.update(user_environment(self.settings, user, Path(account.pw_dir), venv=self.venv,
                                    instructor=in_group(user, self.instructors_group)))
        return env

    def run_as(self, user: str, argv: list[str], env: Mapping[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a command as ``user`` (their uid, groups and server environment), as a terminal of theirs would."""
        import pwd

        account = pwd.getpwnam(user)
        return subprocess.run(argv, user=account.pw_uid, group=account.pw_gid,
                              extra_groups=os.getgrouplist(user, account.pw_gid), cwd=account.pw_dir,
                              env={**self.environment(user), **(env or {})}, capture_output=True, text=True,
                              timeout=timeout, check=False)

    def trial_uids(self) -> set[int]:
        import pwd

        uids = set()
        for name in self._users:
            try:
                uids.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                continue
        return uids

    # -- stop ----------------------------------------------------------------------------------------------

    def close(self) -> list[str]:
        """Stop the hub (it stops the servers, the services and the proxy), then any process left of the trial's
        accounts; remove the accounts, the groups and the folder. Returns what could not be removed."""
        left: list[str] = []
        uids = self.trial_uids()
        if self.hub is not None and self.hub.poll() is None:
            self.hub.send_signal(signal.SIGTERM)
            try:
                self.hub.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_all([self.hub.pid], signal.SIGKILL)
                self.hub.wait(timeout=10)
        if self.hub is not None:
            with contextlib.suppress(OSError):
                os.killpg(self.hub.pid, signal.SIGKILL)  # anything the hub started in its own group
        self._stop_proxy()
        for sig, pause in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 1.0)):
            pids = processes_of(uids)
            if not pids:
                break
            _signal_all(pids, sig)
            deadline = time.monotonic() + pause
            while processes_of(uids) and time.monotonic() < deadline:
                time.sleep(0.1)
        if self._log is not None:
            self._log.close()
            self._log = None
        for name in reversed(self._users):
            done = subprocess.run(["userdel", name], capture_output=True, text=True, check=False)
            if done.returncode not in (0, 6):  # 6: no such user
                left.append(f"user {name}: {done.stderr.strip()}")
        self._users.clear()
        for group in reversed(self._groups):
            done = subprocess.run(["groupdel", group], capture_output=True, text=True, check=False)
            if done.returncode not in (0, 6):
                left.append(f"group {group}: {done.stderr.strip()}")
        self._groups.clear()
        if self.settings is not None:
            shutil.rmtree(self.settings.runtime, ignore_errors=True)
            if self.settings.runtime.exists():
                left.append(str(self.settings.runtime))
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            if self.base.exists():
                left.append(str(self.base))
            self.base = None
        self.hub = None
        return left

    def _stop_proxy(self) -> None:
        """The proxy the hub started, if the hub could not stop it (it runs as root, in a process group of its own)."""
        if self.settings is None:
            return
        pid_file = self.settings.state / "jupyterhub-proxy.pid"
        try:
            pid = int(pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if b"configurable-http-proxy" in cmdline:
            _signal_all([pid], signal.SIGTERM)


def run_trial(count: int, venv: str | None, python: str, port: int | None, lang: Lang) -> int:
    """``kam hub --trial N``: start the trial class, print where to log in, serve until Ctrl-C, remove everything."""

    def stop(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # SIGINT too: a background job ignores it
        signal.signal(sig, stop)
    trial = TrialClass(count, Path(venv) if venv else None, python, port, lang=lang,
                       say=lambda line: print(line, flush=True))
    trial.preflight()  # nothing made yet: a problem here needs no clean-up
    try:
        trial.start()
        for line in trial_lines(trial, lang):
            print(line, flush=True)
        while trial.hub is not None and trial.hub.poll() is None:
            time.sleep(0.5)
        print(t("hub.trial.hub_stopped", lang, log=str(trial.hub_log), tail=trial.log_tail()), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    finally:
        print(t("hub.trial.removing", lang), flush=True)
        left = trial.close()
        print(t("hub.trial.removed", lang) if not left else t("hub.trial.left", lang, things="; ".join(left)),
              flush=True)


def trial_lines(trial: TrialClass, lang: Lang) -> Iterator[str]:
    """What ``kam hub --trial`` prints once the class is up."""
    assert trial.settings is not None
    yield ""
    yield t("hub.trial.ready", lang, url=f"{trial.url}/hub/login")
    width = max(len(login.name) for login in trial.logins)
    for login in trial.logins:
        role = t("hub.trial.role.instructor" if login.instructor else "hub.trial.role.trainee", lang)
        yield f"    {login.name:<{width}}  {login.password}   {role}"
    yield t("hub.trial.folders", lang, course=str(trial.settings.course), exchange=str(trial.settings.exchange),
            instructor=str(trial.settings.instructor_dir))
    yield t("hub.trial.grade", lang)
    yield t("hub.trial.stop", lang)
