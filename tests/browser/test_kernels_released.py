"""Kernels are released: an app page's kernel is gone soon after its tab is closed, in the app (standalone Voila,
``kam app``) and in a Jupyter server with Voila as an extension (as a hub's single-user servers run it), and a page
whose kernel is gone says it must be reloaded.

The servers run ``server_config``'s settings with culling shortened to seconds; the times and the memory freed
are written to ``test-artifacts/browser/kernels.json``.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from kamlib.app import app_command, lab_command
from kamlib.server_config import Culling
from tests.browser.conftest import ARTIFACTS, Server, _env, _free_port

TIMEOUT = 60_000  # ms
CULLING = Culling(page_idle_s=6, lab_idle_s=3600, interval_s=1)
GONE_WITHIN = CULLING.page_idle_s + 2 * CULLING.interval_s + 10  # s, shutting a kernel down takes a moment
START = "notebooks/00_start_here.ipynb"
CHAPTER = "notebooks/01_key_account_screening.ipynb"
FIGURES: dict[str, object] = {}


def _serve(site: dict[str, Path], name: str, cmd: list[str], port: int, token: str, ready: str) -> Iterator[Server]:
    server = Server(cmd, _env(site), site["root"], port, token, site["base"] / f"{name}.log")
    try:
        server.wait_ready(ready)
        yield server
    finally:
        server.stop()
        (ARTIFACTS / "kernels.json").write_text(json.dumps(FIGURES, indent=2), encoding="utf-8")


@pytest.fixture(scope="module")
def quick_app(site: dict[str, Path]) -> Iterator[Server]:
    port, token = _free_port(), secrets.token_hex(16)
    cmd = app_command(site["root"], port, token, config=site["base"] / "quick-app-config", culling=CULLING)
    yield from _serve(site, "quick-app", cmd, port, token, f"/?token={token}")


@pytest.fixture(scope="module")
def quick_server(site: dict[str, Path]) -> Iterator[Server]:
    port, token = _free_port(), secrets.token_hex(16)
    cmd = lab_command(site["root"], port, token, open_page=False, config=site["base"] / "quick-server-config",
                      culling=CULLING)
    yield from _serve(site, "quick-server", cmd, port, token, f"/api/status?token={token}")


def kernel_processes(server: Server) -> list[psutil.Process]:
    """The server's kernels, as processes (standalone Voila lists no kernels through its API)."""
    return [p for p in psutil.Process(server.proc.pid).children(recursive=True)
            if "ipykernel" in " ".join(p.cmdline())]


def kernel_status(server: Server, kernel_id: str) -> int:
    url = f"http://127.0.0.1:{server.port}/api/kernels/{kernel_id}?token={server.token}"
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as exc:
        return exc.code


def listed_kernels(server: Server) -> list[dict]:
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/api/kernels?token={server.token}", timeout=5) as r:
        return json.loads(r.read())


def open_page(context, server: Server, notebook: str, ready: str):
    page = context.new_page()
    began = time.monotonic()
    page.goto(f"http://127.0.0.1:{server.port}/voila/render/{notebook}?token={server.token}")
    page.locator(ready).first.wait_for(timeout=TIMEOUT)
    page.locator(".kam-reload-text").first.wait_for(state="attached", timeout=TIMEOUT)
    kernel_id = json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]
    assert kernel_status(server, kernel_id) == 200
    FIGURES[f"page shown with its forms (s): {notebook}"] = round(time.monotonic() - began, 1)
    return page, kernel_id


def wait_gone(server: Server, kernel_ids: list[str], since: float, processes: bool = True) -> float:
    """Seconds from ``since`` until none of ``kernel_ids`` exists (nor, with ``processes``, any kernel process)."""
    while time.monotonic() - since < GONE_WITHIN:
        if all(kernel_status(server, k) == 404 for k in kernel_ids) and not (processes and kernel_processes(server)):
            return round(time.monotonic() - since, 2)
        time.sleep(0.2)
    raise AssertionError(f"kernels still running {GONE_WITHIN} s after the tabs closed: {kernel_ids}")


def test_the_app_releases_a_page_kernel_when_its_tab_closes(browser, quick_app: Server) -> None:
    """Closing a tab shuts its kernel down at once (Voila's request, with the XSRF cookie now set); a tab that
    goes without a word (a browser killed) leaves a kernel that culling removes."""
    context = browser.new_context()
    try:
        start, start_kernel = open_page(context, quick_app, START, ".widget-toggle-button")
        start_loaded = time.monotonic()
        chapter, chapter_kernel = open_page(context, quick_app, CHAPTER, ".widget-dropdown")
        assert "_xsrf" in {c["name"] for c in context.cookies()}
        running = kernel_processes(quick_app)
        assert len(running) >= 2
        memory = sum(p.memory_info().rss for p in running)
        # a page still open is never culled, however long it is idle
        time.sleep(max(0.0, start_loaded + CULLING.page_idle_s + 2 * CULLING.interval_s - time.monotonic()))
        assert kernel_status(quick_app, start_kernel) == kernel_status(quick_app, chapter_kernel) == 200

        closed = time.monotonic()
        chapter.close(run_before_unload=True)  # as a trainee closes a tab
        FIGURES["app: tab closed -> kernel gone (s)"] = wait_gone(quick_app, [chapter_kernel], closed, False)
        closed = time.monotonic()
        start.close()  # no beforeunload: as a killed browser
        FIGURES["app: tab gone unannounced -> kernel culled (s)"] = wait_gone(quick_app, [start_kernel], closed)
        FIGURES["app: kernels' memory freed (MiB, RSS)"] = round(memory / 2**20)
        FIGURES["culling in the test"] = {"page_idle_s": CULLING.page_idle_s, "interval_s": CULLING.interval_s}
    finally:
        context.close()


def test_a_page_whose_kernel_is_gone_says_it_must_be_reloaded(browser, quick_app: Server) -> None:
    context = browser.new_context()
    try:
        page, kernel_id = open_page(context, quick_app, START, ".widget-toggle-button")
        assert not page.locator(".kam-reload-notice").count()
        request = urllib.request.Request(
            f"http://127.0.0.1:{quick_app.port}/api/kernels/{kernel_id}?token={quick_app.token}", method="DELETE")
        with urllib.request.urlopen(request, timeout=30) as reply:  # as culling does to a sleeping laptop's page
            assert reply.status == 204
        page.locator(".widget-toggle-button", has_text="中文").click()  # the trainee goes on
        notice = page.get_by_role("alert")
        notice.wait_for(timeout=10_000)
        assert "Reload the page to go on" in notice.inner_text()
        page.screenshot(path=str(ARTIFACTS / "app-kernel-gone.png"))
        with page.expect_navigation(timeout=TIMEOUT):
            notice.get_by_role("button", name="Reload the page").click()
        page.locator(".widget-toggle-button").first.wait_for(timeout=TIMEOUT)
        assert not page.locator(".kam-reload-notice").count()  # a new kernel, a working page
    finally:
        context.close()


def test_with_voila_as_a_server_extension_page_kernels_go_and_lab_kernels_stay(browser, quick_server: Server) -> None:
    """As on a hub: the page's kernel is culled after the page timeout; a JupyterLab kernel with nothing
    connected stays until the longer JupyterLab timeout."""
    request = urllib.request.Request(f"http://127.0.0.1:{quick_server.port}/api/kernels?token={quick_server.token}",
                                     method="POST", data=b"{}")
    with urllib.request.urlopen(request, timeout=60) as reply:
        lab_kernel = json.loads(reply.read())["id"]
    context = browser.new_context()
    try:
        page, page_kernel = open_page(context, quick_server, START, ".widget-toggle-button")
        assert {k["id"] for k in listed_kernels(quick_server)} == {lab_kernel, page_kernel}
        closed = time.monotonic()
        page.close(run_before_unload=True)
        FIGURES["server extension: tab closed -> kernel gone (s)"] = wait_gone(
            quick_server, [page_kernel], closed, processes=False)
        assert [k["id"] for k in listed_kernels(quick_server)] == [lab_kernel]
    finally:
        context.close()


def test_closing_a_notebook_in_jupyterlab_shuts_its_kernel_down(browser, quick_server: Server) -> None:
    """``kernelShutdown`` in the lab settings: a notebook tab closed in JupyterLab leaves no kernel behind."""
    before = {k["id"] for k in listed_kernels(quick_server)}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{quick_server.port}/lab/workspaces/kernels/tree/exercises/ex00_warmup.ipynb"
                  f"?token={quick_server.token}&reset")
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=TIMEOUT)
        (started,) = [k["id"] for k in listed_kernels(quick_server) if k["id"] not in before]
        closed = time.monotonic()
        page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="ex00_warmup.ipynb").locator(
            ".lm-TabBar-tabCloseIcon").click()
        discard = page.get_by_role("button", name="Discard")  # JupyterLab marks the notebook changed on opening
        discard.click(timeout=5_000)
        FIGURES["JupyterLab: notebook closed -> kernel gone (s)"] = wait_gone(
            quick_server, [started], closed, processes=False)
    finally:
        context.close()
