"""One definition of the servers' settings: what ``kam lab`` / ``kam app`` start with is what a hub's single-user
servers read (``server_config.write_config``); kernels are culled, page kernels sooner; the app's page closes its
own kernel (XSRF cookie) and says when it must be reloaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kamlib import server_config
from kamlib.app import app_command, lab_command
from kamlib.forms import reload_notice
from kamlib.kernel_culling import QUIET_KERNEL_WARNINGS, KamKernelManager, is_page_kernel, kernel_env, should_cull
from kamlib.server_config import CSP, Culling, read_config, write_config
from kamlib.xsrf_cookie import XsrfCookieIdentityProvider, sets_cookie

ROOT = Path(__file__).resolve().parents[1]


def _option(cmd: list[str], name: str) -> str:
    (value,) = [arg.split("=", 1)[1] for arg in cmd if arg.startswith(f"{name}=")]
    return value


def test_write_config_writes_a_folder_complete_in_itself(tmp_path: Path) -> None:
    path = write_config(tmp_path / "jupyter")
    assert path == tmp_path / "jupyter" / "jupyter_server_config.json"
    files = read_config(path.parent)
    overrides = path.parent / "lab_settings" / "overrides.json"
    assert files["jupyter_server_config.json"]["LabApp"]["app_settings_dir"] == str(overrides.parent)
    assert json.loads(overrides.read_text(encoding="utf-8")) == json.loads(
        (server_config.LAB_SETTINGS / "overrides.json").read_text(encoding="utf-8"))
    assert files["jupyter_server_config.json"] == server_config.server_config(settings_dir=overrides.parent)
    assert files["voila.json"] == server_config.voila_config()
    assert write_config(tmp_path / "jupyter") == path  # written again in place (each start does)


def test_kam_lab_and_kam_app_start_on_the_files_a_hub_reads(tmp_path: Path) -> None:
    """The command lines carry only the address, the token and the folder: every other setting is in the files,
    the same a hub's single-user servers read."""
    hub = read_config(write_config(tmp_path / "hub").parent)
    lab = lab_command(ROOT, 8899, "s3cret", open_page=False, config=tmp_path / "lab")
    app = app_command(ROOT, 8866, "s3cret", config=tmp_path / "app")
    assert read_config(Path(_option(lab, "--config")).parent) == _same_folder(hub, tmp_path / "hub", tmp_path / "lab")
    assert read_config(Path(_option(app, "--Voila.config_file_paths"))) == _same_folder(hub, tmp_path / "hub",
                                                                                      tmp_path / "app")
    for cmd in (lab, app):
        assert not [arg for arg in cmd if "={" in arg or "=[" in arg]  # dict flags warn (traitlets 5)
        assert not [arg for arg in cmd if "Content-Security-Policy" in arg or "cull" in arg or "LabApp" in arg]
    assert "--IdentityProvider.token=s3cret" in lab and "--token=s3cret" in app
    with pytest.raises(ValueError):
        app_command(ROOT, 8866, "", config=tmp_path / "app")


def _same_folder(config: dict, old: Path, new: Path) -> dict:
    """``config`` with its lab settings folder moved from ``old`` to ``new``."""
    text = json.dumps(config).replace(json.dumps(str(old))[1:-1], json.dumps(str(new))[1:-1])
    return json.loads(text)


def test_the_lab_flags_of_before_are_kept() -> None:
    lab = server_config.lab_config()["LabApp"]
    assert lab["news_url"] is None and lab["check_for_updates_class"] == "jupyterlab.NeverCheckForUpdate"
    assert lab["extension_manager"] == "readonly"
    overrides = json.loads((server_config.LAB_SETTINGS / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/apputils-extension:notification"]["checkForUpdates"] is False
    assert overrides["@jupyterlab/notebook-extension:tracker"]["kernelShutdown"] is True  # closing a tab frees it


def test_one_content_security_policy_for_the_app_alone_and_on_a_hub() -> None:
    server = server_config.server_config()["ServerApp"]["tornado_settings"]["headers"]["Content-Security-Policy"]
    voila = server_config.voila_config()["Voila"]["tornado_settings"]["headers"]["Content-Security-Policy"]
    assert server == voila == CSP
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    assert directives["connect-src"] == "'self'"  # no host or port: behind a hub's proxy too
    assert directives["frame-ancestors"] == "'none'"  # on a hub every user's server shares one origin
    assert "http" not in CSP and "ws:" not in CSP and "*" not in CSP  # nothing from elsewhere


def test_culling_page_kernels_sooner_than_jupyterlab_kernels() -> None:
    culling = Culling(page_idle_s=60, lab_idle_s=7200, interval_s=10)
    server = server_config.server_config(culling)
    voila = server_config.voila_config(culling)
    assert server["ServerApp"]["kernel_manager_class"] == "kamlib.kernel_culling.KamKernelManager"
    assert server["KamKernelManager"]["page_cull_idle_timeout"] == voila["MappingKernelManager"]["cull_idle_timeout"]
    assert server["MappingKernelManager"]["cull_idle_timeout"] == 7200
    for config in (server, voila):
        kernels = config["MappingKernelManager"]
        assert kernels["cull_interval"] == 10 and kernels["cull_connected"] is False and kernels["cull_busy"] is False
    default = server_config.CULLING
    assert 0 < default.interval_s < default.page_idle_s <= 30 * 60 < 2 * 60 * 60 <= default.lab_idle_s


def test_notebook_shim_is_off_so_jupyterlab_prints_no_deprecation_warning() -> None:
    assert server_config.server_config()["ServerApp"]["jpserver_extensions"] == {"notebook_shim": False}


def test_the_classes_the_files_name_exist() -> None:
    from jupyter_server.auth.identity import PasswordIdentityProvider
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from traitlets.utils.importstring import import_item

    assert import_item(server_config.voila_config()["Voila"]["identity_provider_class"]) is XsrfCookieIdentityProvider
    assert issubclass(XsrfCookieIdentityProvider, PasswordIdentityProvider)
    manager = import_item(server_config.server_config()["ServerApp"]["kernel_manager_class"])
    assert manager is KamKernelManager and issubclass(manager, AsyncMappingKernelManager)


def test_kernels_start_without_ipykernels_shutdown_warning() -> None:
    import subprocess
    import sys

    env = kernel_env({"PATH": "/bin", "PYTHONWARNINGS": "default"})
    assert env["PATH"] == "/bin" and env["PYTHONWARNINGS"] == f"default,{QUIET_KERNEL_WARNINGS}"
    assert kernel_env(env) == env  # added once
    # the filter is one Python accepts and it silences exactly that warning
    code = ("import warnings; warnings.warn(\"coroutine 'IPythonKernel.poll_stopped_queue' was never awaited\", "
            "RuntimeWarning); warnings.warn('another', RuntimeWarning)")
    done = subprocess.run([sys.executable, "-c", code], env=kernel_env({}), capture_output=True, text=True, check=True)
    assert "poll_stopped_queue" not in done.stderr and "another" in done.stderr and "Invalid" not in done.stderr


def test_which_kernels_are_app_pages() -> None:
    assert is_page_kernel({"SERVER_SOFTWARE": "voila/0.5.13", "PATH": "/bin"})
    assert not is_page_kernel({"PATH": "/usr/bin", "SERVER_SOFTWARE": "nginx"})
    assert not is_page_kernel(None) and not is_page_kernel({})


@pytest.mark.parametrize(("idle", "connections", "busy", "culled"), [
    (61, 0, False, True),
    (59, 0, False, False),  # not idle long enough
    (61, 1, False, False),  # a page is connected: never
    (61, 0, True, False),  # busy: never
])
def test_when_a_kernel_is_culled(idle: float, connections: int, busy: bool, culled: bool) -> None:
    assert should_cull(idle, 60, connections, busy) is culled
    assert not should_cull(idle, 0, connections, busy)  # 0 switches it off


def test_the_xsrf_cookie_is_set_on_app_pages_only() -> None:
    assert sets_cookie("GET", "/voila/render/notebooks/00_start_here.ipynb")
    assert sets_cookie("GET", "/user/li.wei/voila/render/notebooks/00_start_here.ipynb")
    assert not sets_cookie("POST", "/voila/render/notebooks/00_start_here.ipynb")
    assert not sets_cookie("GET", "/api/kernels/abc")


def test_an_app_page_says_in_its_language_when_it_must_be_reloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    from kamlib.forms.page import Page

    assert not any(isinstance(f, reload_notice.ReloadNotice) for f in Page(lang="en")._forms)  # not in JupyterLab
    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")
    page = Page(lang="zh")
    (notice,) = [f for f in page._forms if isinstance(f, reload_notice.ReloadNotice)]
    assert "重新加载" in notice.widget.value and notice.widget.layout.display == "none"
    page.set_lang("en")
    assert 'data-button="Reload the page"' in notice.widget.value and "reloaded" not in notice.widget.value
    assert "Reload the page to go on" in notice.widget.value


def test_the_reload_notice_asks_for_its_own_kernel_without_counting_as_activity() -> None:
    script = reload_notice.SCRIPT
    assert '"api/kernels/" + data.kernelId + "?no_track_activity=1"' in script
    assert "reply.status === 404" in script and "window.location.reload()" in script
    assert "textContent" in script and "innerHTML" not in script  # the texts are never parsed as markup
    from html.parser import HTMLParser

    from kamlib.i18n import t

    class Attributes(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list) -> None:
            self.found = dict(attrs)

    for lang in ("zh", "en"):
        parser = Attributes()
        parser.feed(reload_notice.notice_markup(lang))
        assert parser.found["data-text"] == t("page.reload.notice", lang)
        assert parser.found["data-button"] == t("page.reload.button", lang)
