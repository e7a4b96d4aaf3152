"""How the workbook's two servers are started: JupyterLab (`make lab`) and the no-code app (`make app`).

One place for the command lines, used by the Makefile (through ``kam lab`` / ``kam app``) and by the
browser tests, so that what is tested is what trainees run. Both listen on 127.0.0.1 with a token and load
nothing from outside this machine. Their settings (JupyterLab's flags, the app's Content-Security-Policy,
kernel culling) are ``kamlib.server_config``'s, written to a folder the server reads, as a classroom hub's
servers do; the port and the token stay on the command line.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from pathlib import Path

from kamlib import server_config

START_PAGE = "notebooks/00_start_here.ipynb"


def _root_flag() -> list[str]:
    return ["--allow-root"] if hasattr(os, "getuid") and os.getuid() == 0 else []


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def config_dir() -> Path:
    """Where ``kam lab`` and ``kam app`` write their settings: the user's Jupyter runtime folder."""
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir()) / "kam-server-config"


def lab_command(root: Path, port: int, token: str, open_page: bool = True, config: Path | None = None,
                culling: server_config.Culling = server_config.CULLING) -> list[str]:
    """JupyterLab on ``server_config``'s settings, written to ``config`` (default ``config_dir()``).

    The port and the token are always given on the command line, which no Jupyter config file of the
    user's can override: a config that empties the token never turns authentication off.
    """
    if not token:
        raise ValueError("JupyterLab is never started without a token")
    settings = server_config.write_config(config or config_dir(), culling)
    cmd = [
        sys.executable, "-m", "jupyterlab", f"--config={settings}", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}", *_root_flag(),
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


def app_command(root: Path, port: int, token: str, config: Path | None = None,
                culling: server_config.Culling = server_config.CULLING) -> list[str]:
    """Voila over the course: forms, text and charts only; every notebook reachable by link.

    Voila reads ``voila.json`` from the folder ``server_config.write_config`` wrote (``config``, default
    ``config_dir()``) and from nowhere else.
    """
    if not token:
        raise ValueError("The app is never started without a token")
    folder = server_config.write_config(config or config_dir(), culling).parent
    return [
        sys.executable, "-m", "voila", "--no-browser", f"--Voila.config_file_paths={folder}", "--Voila.ip=127.0.0.1",
        f"--port={port}", f"--token={token}", f"--Voila.root_dir={root}",
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
