"""Fixtures: a fresh KAM_HOME per test, a registered trainee's workbook in it, and one Chromium for the session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kamlib import paths
from kamlib.model import Trainee, create_workbook


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test works in its own KAM_HOME with the deck's default settings."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("KAM_HOME", str(folder))
    for name in ("KAM_LANG", "KAM_WORKBOOK", "KAM_SETTINGS", "JUPYTERHUB_USER", "KAM_COURSE", "KAM_KEYS",
                 "KAM_EXCHANGE", "KAM_SUBMISSIONS", "KAM_INSTRUCTOR_DIR", "KAM_CHECK_URL", "JUPYTERHUB_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture
def workbook_file(home: Path) -> Path:
    """A registered trainee with an empty plan."""
    path = paths.workbook_path("li.wei")
    create_workbook(Trainee(id="li.wei", name="Li Wei", team="Chengdu 2"), path)
    paths.remember("li.wei")
    return path


CHROMIUM = os.environ.get("KAM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium under Playwright, one for the whole run: Playwright's sync API runs one instance per
    thread, so the browser tests and the classroom test share it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
