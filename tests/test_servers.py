"""`kam lab` always asks for a token, whatever the user's own Jupyter config says, and prints the start page."""

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

from kamlib.app import START_PAGE, free_port, lab_command, lab_url

ROOT = Path(__file__).resolve().parents[1]


def test_lab_command_always_carries_a_token() -> None:
    cmd = lab_command(ROOT, 8899, "s3cret")
    assert "--IdentityProvider.token=s3cret" in cmd and "--ServerApp.port=8899" in cmd
    with pytest.raises(ValueError):
        lab_command(ROOT, 8899, "")


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


def test_kam_lab_needs_its_token_even_when_the_users_config_empties_it(tmp_path: Path) -> None:
    """A user's jupyter_server_config.py with an empty token must not switch authentication off."""
    config = tmp_path / "jupyter-config"
    config.mkdir()
    (config / "jupyter_server_config.py").write_text(
        "c.IdentityProvider.token = ''\nc.ServerApp.token = ''\nc.ServerApp.password = ''\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_TOKEN="", BROWSER="true", KAM_LANG="en")
    port = free_port()
    kam = Path(sys.executable).with_name("kam")
    server = subprocess.Popen([str(kam), "lab", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        assert server.stdout is not None
        printed = ""
        while "token=" not in printed:
            line = server.stdout.readline()
            assert line, "kam lab printed no address"
            printed += line
        url = re.search(r"http://\S+", printed).group(0)
        token = url.split("token=", 1)[1]
        assert url == lab_url(port, token) and len(token) >= 24
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while _status(f"{base}/api/status?token={token}") != 200:
            assert time.monotonic() < deadline and server.poll() is None, "JupyterLab did not start"
            time.sleep(0.3)
        assert _status(f"{base}/api/contents") == 403
        assert _status(f"{base}/api/contents?token=wrong") == 403
        assert _status(f"{base}/api/contents?token={token}") == 200
        assert _status(url) == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
