"""The servers' configuration, defined once: JupyterLab, the app (Voila), the app's Content-Security-Policy and
kernel culling.

``kam lab`` and ``kam app`` write it with ``write_config`` and start their server on it (the port and the token
stay on the command line); a classroom hub writes it into the folder its single-user servers read
(``JUPYTER_CONFIG_PATH``). Each function returns plain traitlets config (dicts), the content of the files.

Kernels: the app's page closes its own kernel when its tab is closed or left (Voila sends a request on
``beforeunload``; ``kamlib.xsrf_cookie`` makes it pass the server's XSRF check). Culling catches what that misses
(a browser killed, a laptop asleep): kernels without a connection and not busy are shut down after
``Culling.page_idle_s`` for app pages and after ``Culling.lab_idle_s`` for JupyterLab, whose notebook tabs
trainees leave open over lunch. A kernel a page is connected to is never culled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kamlib.atomic import write_atomic

# overrides.json: no news prompt, no update check, a notebook's kernel shut down when its tab is closed
LAB_SETTINGS = Path(__file__).parent / "lab_settings"
SERVER_FILE = "jupyter_server_config.json"  # JupyterLab, and a hub's single-user servers (Voila as an extension)
VOILA_FILE = "voila.json"  # the app run as standalone Voila (``kam app``)


@dataclass(frozen=True)
class Culling:
    """When kernels without a connection are shut down (seconds).

    - ``page_idle_s`` 15 min: an app page's kernel whose tab is gone without closing it (browser killed, laptop
      asleep: the server notices the lost connection within 90 s). A coffee break survives; lunch does not, and
      the page then says to reload it (the trainee's saved work is in the workbook file).
    - ``lab_idle_s`` 3 h: a JupyterLab kernel, which holds what a trainee ran and is lost with it; a lunch break
      with a nap (12:00-14:00) survives, and a kernel left behind is freed the same afternoon.
    - ``interval_s``: how often the server looks.
    """

    page_idle_s: int = 15 * 60
    lab_idle_s: int = 3 * 60 * 60
    interval_s: int = 60


CULLING = Culling()

# This server only: Voila's page would fetch an icon font from a CDN. 'self' covers the page's own ws:/wss:
# connection (CSP level 3, checked in Chromium by the browser test), also behind a hub's proxy on another host and
# port, since the page and its websocket share the proxy's origin. No page is framed, not even by the same origin:
# on a hub every user's server shares it, so a trainee's page could otherwise frame the instructor's (JupyterHub's
# own default; it costs JupyterLab only the Voila preview panel, which the course does not use).
CSP = ("default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; connect-src 'self'; "
       "frame-ancestors 'none'")


# A notebook cell for JupyterLab alone (how to run a page there): the app leaves it out of the pages it renders.
LAB_ONLY_TAG = "lab-only"


def app_pages() -> dict[str, Any]:
    """What the app leaves out of a page: cells tagged ``LAB_ONLY_TAG`` (nbconvert's tag filter, set for Voila's
    exporter alone, so that JupyterLab's own export of a notebook keeps them). Voila reads it from ``voila.json``
    (``kam app``) and from the Jupyter server's config (``kam lab``, a hub's single-user servers)."""
    return {"VoilaExporter": {"TagRemovePreprocessor": {"remove_cell_tags": [LAB_ONLY_TAG]}}}


def headers() -> dict[str, dict[str, str]]:
    """The tornado settings that send the Content-Security-Policy."""
    return {"headers": {"Content-Security-Policy": CSP}}


def lab_config(settings_dir: Path = LAB_SETTINGS) -> dict[str, Any]:
    """JupyterLab without its news feed, update check or PyPI extension manager; ``settings_dir`` holds
    ``overrides.json``."""
    return {
        "LabApp": {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
            "extension_manager": "readonly",
            "app_settings_dir": str(settings_dir),
        },
    }


def culling_config(idle_s: int, culling: Culling = CULLING) -> dict[str, Any]:
    """Cull kernels without a connection after ``idle_s`` of no activity; busy or connected ones never."""
    return {
        "MappingKernelManager": {
            "cull_idle_timeout": idle_s,
            "cull_interval": culling.interval_s,
            "cull_connected": False,
            "cull_busy": False,
        },
    }


def server_config(culling: Culling = CULLING, settings_dir: Path = LAB_SETTINGS,
                  kernel_transport: str = "tcp") -> dict[str, Any]:
    """``jupyter_server_config.json``: JupyterLab and Voila in one Jupyter server (``kam lab``, a hub's single-user
    servers). App page kernels and JupyterLab's are told apart by ``kamlib.kernel_culling.KamKernelManager``.

    ``kernel_transport`` "ipc" (a hub on one Linux server): kernels talk over Unix sockets in the server's
    ``JUPYTER_RUNTIME_DIR`` instead of loopback TCP ports, which the kernels of many servers would pick at the same
    moment and collide on. Windows has no such sockets: ``kam lab`` keeps TCP.

    ``notebook_shim`` (classic Notebook config, not used here) is switched off: it reads every setting of the
    server at start, which prints a deprecation warning to the trainee.
    """
    config = {
        "ServerApp": {
            "tornado_settings": headers(),
            "jpserver_extensions": {"notebook_shim": False},
            "kernel_manager_class": "kamlib.kernel_culling.KamKernelManager",
        },
        **lab_config(settings_dir),
        **culling_config(culling.lab_idle_s, culling),
        **app_pages(),
    }
    config["KamKernelManager"] = {"page_cull_idle_timeout": culling.page_idle_s}
    if kernel_transport != "tcp":
        config["KernelManager"] = {"transport": kernel_transport}
    return config


def voila_config(culling: Culling = CULLING) -> dict[str, Any]:
    """``voila.json``: the app as standalone Voila (``kam app``), where every kernel is a page's.

    The identity provider sets the XSRF cookie with each page, without which Voila's "shut my kernel down" on
    closing the tab is refused (voila-dashboards/voila#1458). A hub's single-user servers read only the
    ``VoilaConfiguration`` section of this file (none here): there the hub's login sets that cookie, and Voila
    renders with the server's config, which holds ``app_pages`` too.
    """
    return {
        "Voila": {
            "tornado_settings": headers(),
            "identity_provider_class": "kamlib.xsrf_cookie.XsrfCookieIdentityProvider",
        },
        **culling_config(culling.page_idle_s, culling),
        **app_pages(),
    }


def write_config(folder: Path, culling: Culling = CULLING, kernel_transport: str = "tcp") -> Path:
    """Write ``jupyter_server_config.json``, ``voila.json`` and ``lab_settings/overrides.json`` into ``folder``
    (created); returns the path of ``jupyter_server_config.json``. The folder is complete in itself: a hub points
    ``JUPYTER_CONFIG_PATH`` at it."""
    folder = Path(folder)
    settings_dir = folder / "lab_settings"
    settings_dir.mkdir(parents=True, exist_ok=True)
    for source in sorted(LAB_SETTINGS.glob("*.json")):
        write_atomic(settings_dir / source.name, source.read_bytes(), mode=0o644)
    _write_json(folder / VOILA_FILE, voila_config(culling))
    server = folder / SERVER_FILE
    _write_json(server, server_config(culling, settings_dir, kernel_transport))
    return server


def read_config(folder: Path) -> dict[str, dict[str, Any]]:
    """The files ``write_config`` wrote, by name (for checks)."""
    return {name: json.loads((Path(folder) / name).read_text(encoding="utf-8")) for name in (SERVER_FILE, VOILA_FILE)}


def _write_json(path: Path, config: dict[str, Any]) -> None:
    write_atomic(path, (json.dumps(config, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), mode=0o644)
