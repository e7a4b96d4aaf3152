"""How the workbook's two servers are started: JupyterLab (`make lab`) and the no-code app (`make app`).

One place for the flags, used by the Makefile (through ``kam lab`` / ``kam app``) and by the
browser tests, so that what is tested is what trainees run. Both listen on 127.0.0.1 with a
token and load nothing from outside this machine.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from pathlib import Path

START_PAGE = "notebooks/00_start_here.ipynb"
# overrides.json: no "Would you like to get notified about Jupyter news?" prompt, no update check
LAB_SETTINGS = Path(__file__).parent / "lab_settings"


def _root_flag() -> list[str]:
    return ["--allow-root"] if hasattr(os, "getuid") and os.getuid() == 0 else []


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lab_command(root: Path, port: int, token: str, open_page: bool = True) -> list[str]:
    """JupyterLab without its news feed, update check or PyPI extension manager.

    The port and the token are always given on the command line, which no Jupyter config file of the
    user's can override: a config that empties the token never turns authentication off.
    """
    if not token:
        raise ValueError("JupyterLab is never started without a token")
    cmd = [
        sys.executable, "-m", "jupyterlab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly", f"--LabApp.app_settings_dir={LAB_SETTINGS}", *_root_flag(),
    ]
    if port is not None:
        cmd.append(f"--ServerApp.port={port}")
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if open_page:
        cmd.append(START_PAGE)
    else:
        cmd.append("--no-browser")
    return cmd


def app_csp(port: int) -> str:
    """The app's Content-Security-Policy: this server only (Voila would fetch icons from a CDN)."""
    return (
        "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
        f"connect-src 'self' ws://127.0.0.1:{port}"
    )


def app_command(root: Path, port: int, token: str) -> list[str]:
    """Voila over the project: forms, text and charts only; every notebook reachable by link."""
    settings = {"headers": {"Content-Security-Policy": app_csp(port)}}
    return [
        sys.executable, "-m", "voila", "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}",
        f"--token={token}", f"--Voila.root_dir={root}", f"--Voila.tornado_settings={settings!r}",
    ]


def app_url(port: int, token: str, notebook: str = START_PAGE) -> str:
    return f"http://127.0.0.1:{port}/voila/render/{notebook}?token={token}"


def lab_url(port: int, token: str, notebook: str = START_PAGE) -> str:
    """The start page opened in JupyterLab (not the file browser), token included."""
    return f"http://127.0.0.1:{port}/lab/tree/{notebook}?token={token}"


def run_app(root: Path, port: int) -> int:
    """Print the app's address (token included) and serve until stopped."""
    token = secrets.token_urlsafe(24)
    print(f"\n    {app_url(port, token)}\n", flush=True)
    os.execv(sys.executable, app_command(root, port, token))
    return 0  # pragma: no cover


def run_lab(root: Path, port: int | None = None) -> int:
    """Print the start page's address in JupyterLab (token included) and serve until stopped."""
    port = port or free_port()
    token = secrets.token_urlsafe(24)
    print(f"\n    {lab_url(port, token)}\n", flush=True)
    os.chdir(root)
    os.execv(sys.executable, lab_command(root, port, token))
    return 0  # pragma: no cover
