"""Real servers and a real browser: JupyterLab and the app (Voila) on free loopback ports, each with a
token, a throw-away copy of the notebooks and a throw-away workbook; Debian's Chromium driven by
Playwright. The servers are always stopped, also when a test fails.

Without Chromium or Playwright the tests skip with the reason, except in CI (``CI`` set), where
a skipped browser test would hide a broken app: there they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kamlib.app import app_command, lab_command
from tests.conftest import CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"


def _unavailable() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session", autouse=True)
def _need_a_browser() -> None:
    reason = _unavailable()
    if reason and os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason}")
    if reason:
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process in its own process group, stopped with everything it started."""

    def __init__(self, cmd: list[str], env: dict[str, str], cwd: Path, port: int, token: str, log: Path) -> None:
        self.port, self.token, self.root = port, token, cwd
        self.log = log.open("w")
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self, path: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}{path}"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early; see {self.log.name}")
            try:
                with urllib.request.urlopen(url, timeout=5) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"server not ready at {url}; see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self.log.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A copy of the notebooks (servers may autosave) and a workbook home with one trainee."""
    from tests.browser.data import fill_home

    base = tmp_path_factory.mktemp("browser")
    root = base / "root"
    for folder in ("notebooks", "exercises", "solutions"):
        if (ROOT / folder).is_dir():  # the trainee bundle has no solutions/
            shutil.copytree(ROOT / folder, root / folder)
    home = base / "home"
    fill_home(home)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return {"root": root, "home": home, "base": base}


def _env(site: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAM_", "JUPYTERHUB_"))}
    env.update(KAM_HOME=str(site["home"]), KAM_LANG="en", KAM_SETTINGS=str(site["home"] / "none.toml"),
               JUPYTER_CONFIG_DIR=str(site["base"] / "jupyter-config"), MPLBACKEND="Agg")
    return env


def _serve(site: dict[str, Path], name: str, command: Callable[[int, str], list[str]], ready: str) -> Iterator[Server]:
    """Start a server on a free port with a fresh token; always stop it afterwards."""
    port, token = _free_port(), secrets.token_hex(16)
    server = Server(command(port, token), _env(site), site["root"], port, token, site["base"] / f"{name}.log")
    try:
        server.wait_ready(ready.format(token=token))
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def lab(site: dict[str, Path]) -> Iterator[Server]:
    yield from _serve(site, "lab", lambda port, token: lab_command(site["root"], port, token, open_page=False),
                      "/api/status?token={token}")


@pytest.fixture(scope="session")
def app(site: dict[str, Path]) -> Iterator[Server]:
    yield from _serve(site, "app", lambda port, token: app_command(site["root"], port, token), "/?token={token}")


@pytest.fixture(scope="session")
def browser(chromium: object) -> object:
    return chromium
