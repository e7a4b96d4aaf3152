"""`kam lab` and `kam app` always ask for a token, whatever the user's own Jupyter config says, print the start
page, start on the settings of ``kamlib.server_config`` and print no warning to the trainee."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kamlib.app import START_PAGE, app_url, free_port, lab_command, lab_url
from kamlib.server_config import CSP

ROOT = Path(__file__).resolve().parents[1]


def test_lab_command_always_carries_a_token(tmp_path: Path) -> None:
    cmd = lab_command(ROOT, 8899, "s3cret", config=tmp_path)
    assert "--IdentityProvider.token=s3cret" in cmd and "--ServerApp.port=8899" in cmd
    with pytest.raises(ValueError):
        lab_command(ROOT, 8899, "", config=tmp_path)


def test_lab_url_opens_the_start_page_not_the_file_browser() -> None:
    assert lab_url(8899, "abc") == f"http://127.0.0.1:8899/lab/tree/{START_PAGE}?token=abc"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError):
        return 0  # not listening yet


def _start(command: str, port: int, tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str, Path]:
    """``kam <command> --port <port>`` in its own process group; its address (token included) and its stderr."""
    kam = Path(sys.executable).with_name("kam")
    errors = tmp_path / f"{command}.stderr"
    with errors.open("w") as err:
        server = subprocess.Popen([str(kam), command, "--port", str(port)], cwd=tmp_path, env=env,
                                  stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True)
    assert server.stdout is not None
    printed = ""
    while "token=" not in printed:
        line = server.stdout.readline()
        if not line:
            _stop(server)
            raise AssertionError(f"kam {command} printed no address")
        printed += line
    return server, re.search(r"http://\S+", printed).group(0), errors


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)


def _wait_for(url: str, server: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while _status(url) != 200:
        assert time.monotonic() < deadline and server.poll() is None, f"{what} did not start"
        time.sleep(0.3)


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "KAM_", "PYTHONWARNINGS"))}
    env.update(JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_TOKEN="", BROWSER="true", KAM_LANG="en")
    return env


def test_kam_lab_needs_its_token_even_when_the_users_config_empties_it(tmp_path: Path) -> None:
    """A user's jupyter_server_config.py with an empty token must not switch authentication off; the trainee's
    terminal shows no deprecation warning (issue 18)."""
    env = _clean_env(tmp_path)
    config = Path(env["JUPYTER_CONFIG_DIR"])
    config.mkdir()
    (config / "jupyter_server_config.py").write_text(
        "c.IdentityProvider.token = ''\nc.ServerApp.token = ''\nc.ServerApp.password = ''\n", encoding="utf-8")
    port = free_port()
    server, url, errors = _start("lab", port, tmp_path, env)
    try:
        token = url.split("token=", 1)[1]
        assert url == lab_url(port, token) and len(token) >= 24
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/api/status?token={token}", server, "JupyterLab")
        assert _status(f"{base}/api/contents") == 403
        assert _status(f"{base}/api/contents?token=wrong") == 403
        assert _status(f"{base}/api/contents?token={token}") == 200
        assert _status(url) == 200
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as reply:
            assert reply.headers["Content-Security-Policy"] == CSP  # the file server_config wrote was read
        started = urllib.request.Request(f"{base}/api/kernels?token={token}", method="POST", data=b"{}")
        with urllib.request.urlopen(started, timeout=60) as reply:  # the culler starts with the first kernel
            assert reply.status == 201
    finally:
        _stop(server)
    log = errors.read_text(encoding="utf-8")
    assert "Warning" not in log.replace("WARNING", ""), log  # e.g. DeprecationWarning, FutureWarning
    assert "Culling kernels with idle durations > 10800 seconds" in log


def test_kam_app_starts_on_the_shared_config_and_warns_of_nothing(tmp_path: Path) -> None:
    port = free_port()
    server, url, errors = _start("app", port, tmp_path, _clean_env(tmp_path))
    try:
        token = url.split("token=", 1)[1]
        assert url == app_url(port, token) and len(token) >= 24
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/?token={token}", server, "The app")
        nobody = f"{base}/api/kernels/00000000-0000-0000-0000-000000000000"
        assert _status(nobody) == 403 and _status(f"{nobody}?token=wrong") == 403  # no token, no access
        assert _status(f"{nobody}?token={token}") == 404
        with urllib.request.urlopen(f"{base}/?token={token}", timeout=10) as reply:
            assert reply.headers["Content-Security-Policy"] == CSP
    finally:
        _stop(server)
    log = errors.read_text(encoding="utf-8")
    assert "Warning" not in log.replace("WARNING", ""), log
    assert "DeprecationWarning" not in log
