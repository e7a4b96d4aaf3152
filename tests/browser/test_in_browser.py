"""Every notebook in a real browser, in JupyterLab and in the app: open it, run it, fill a form as a
trainee would, and see the result. One short entry per notebook in ``CASES``."""

from __future__ import annotations

import itertools
import json
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlparse

import pytest

from kamlib.chapters import CHAPTERS
from tests.browser.conftest import ARTIFACTS, ROOT, Server

_ACCOUNT_NUMBER = itertools.count(1)

TIMEOUT = 60_000  # ms


def start_page(page) -> None:
    title = "Key Account Development and Management · Workbook"
    page.get_by_role("heading", name=title).first.wait_for(timeout=TIMEOUT)
    page.locator(".widget-toggle-button", has_text="中文").click()
    page.get_by_role("heading", name="重点客户开拓和管理 · 练习手册").first.wait_for(timeout=TIMEOUT)
    page.locator(".widget-toggle-button", has_text="English").click()
    page.get_by_text("Switched to English").wait_for(timeout=TIMEOUT)
    team = page.locator(".widget-text", has_text="Team / region").locator("input")
    assert page.locator(".widget-text", has_text="Name").first.locator("input").input_value() == "Browser Trainee"
    team.fill("QA 2")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved:").wait_for(timeout=TIMEOUT)
    page.get_by_text("Download my workbook (JSON)").wait_for(timeout=TIMEOUT)


def exercise_00(page) -> None:
    page.get_by_text("Chapter 1 Key account screening", exact=True).first.click()
    page.get_by_role("button", name="Self-check").click()
    page.get_by_text("Self-check: 1 right,").wait_for(timeout=TIMEOUT)


def chapter_1(page) -> None:
    name = f"Test Co {next(_ACCOUNT_NUMBER)}"  # the app and Lab runs share one workbook: a name is added once
    editor = page.locator(".widget-vbox", has=page.locator(".widget-text", has_text="Account name")).last
    editor.locator(".widget-text", has_text="Account name").locator("input").fill(name)
    editor.locator(".widget-text", has_text="Buying power BP").locator("input").fill("1,200")
    editor.locator(".widget-text", has_text="Share of wallet SoW").locator("input").fill("30")
    editor.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved to your workbook.").first.wait_for(timeout=TIMEOUT)
    page.get_by_role("cell", name=name).first.wait_for(timeout=TIMEOUT)  # the RADP table redrawn
    assert page.locator("img").count() >= 4  # grid, scatter, pyramid, tree
    # Top and Strategic: tick boxes, the eligible account first with its RADP box, ticked as saved
    top = page.locator(".widget-checkbox", has_text="Harbour Bank · R3")
    assert top.count() == 2 and top.first.locator("input").is_checked()
    page.locator(".widget-checkbox", has_text="Metro Hospital · A3").nth(1).locator("input").check()  # Strategic
    page.get_by_role("button", name="Save my picks").click()
    page.get_by_text("Where your picks break the rule:").wait_for(timeout=TIMEOUT)
    page.get_by_text("“Metro Hospital” has no buying power and share of wallet for").first.wait_for(timeout=TIMEOUT)


def chapter_2(page) -> None:
    editor = page.locator(".widget-vbox", has=page.locator(".widget-dropdown", has_text="Reports to")).last
    editor.locator(".widget-text", has_text="Name").first.locator("input").fill("Test Person")
    role = editor.locator(".widget-dropdown", has_text="Authority (role)").locator("select")
    role.select_option(label="D Decision-maker")
    editor.locator(".widget-dropdown", has_text="Relationship to us").locator("select").select_option(
        label="/ opponent")
    editor.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved to your workbook.").first.wait_for(timeout=TIMEOUT)
    page.locator("li", has_text="Test Person").first.wait_for(timeout=TIMEOUT)  # red flags name the new opponent
    # step 4 offers the new person among the decision and procurement people, where it asks for them
    page.locator(".widget-select-multiple", has_text="Decision and procurement people").get_by_text(
        "Test Person").first.wait_for(timeout=TIMEOUT)
    assert page.locator("img").count() >= 2  # readiness, panorama
    images = page.locator("img").count()
    page.locator(".widget-toggle-button", has_text="Attitude and power matrix").click()
    page.wait_for_function(f"document.querySelectorAll('img').length >= {images}")  # the matrix in its place


def chapter_3(page) -> None:
    editor = page.locator(".widget-vbox", has=page.locator(".widget-checkbox", has_text="Advantage")).first
    editor.locator(".widget-text", has_text="Factor").first.locator("input").fill("Timely supply")
    editor.locator(".widget-checkbox", has_text="Advantage").locator("input").check()
    editor.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved to your workbook.").first.wait_for(timeout=TIMEOUT)
    page.get_by_text("Factors so far:").first.wait_for(timeout=TIMEOUT)  # the recommender re-read them
    choice = page.locator(".widget-dropdown", has_text="My integrated strategy").locator("select")
    # one advantage, not under our control, is read as "venture forward" (kamlib.strategy's table)
    venture = [o.get_attribute("value") for o in choice.locator("option").all() if "Venture" in o.inner_text()]
    choice.select_option(value=venture[0])
    page.locator(".widget-vbox", has=choice).last.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("agrees with the tool's recommendation").first.wait_for(timeout=TIMEOUT)
    assert page.locator("img").count() >= 3  # quadrants, strategies, team map (no dated action yet)


def exercise_03(page) -> None:
    page.get_by_text("Eliminate (a disadvantage, strong control)", exact=True).first.click()
    page.get_by_role("button", name="Self-check").click()
    page.get_by_text("Self-check: 1 right,").wait_for(timeout=TIMEOUT)


def bidding(page) -> None:
    page.get_by_role("button", name="Load the deck's worked example").click()
    page.get_by_text("allowed rules").first.wait_for(timeout=TIMEOUT)
    page.wait_for_function("document.querySelectorAll('img').length >= 2", timeout=TIMEOUT)  # bars, heat map


def exercise_04(page) -> None:
    page.get_by_text("J3 service", exact=True).first.click()
    page.get_by_role("button", name="Self-check").click()
    page.get_by_text("Self-check: 1 right,").wait_for(timeout=TIMEOUT)


def chapter_4(page) -> None:
    page.get_by_role("button", name="Use the deck's example").click()
    page.get_by_text("10 times").first.wait_for(timeout=TIMEOUT)
    page.wait_for_function("document.querySelectorAll('img').length >= 2", timeout=TIMEOUT)  # leverage, stages


def crisis(page) -> None:
    page.locator(".widget-text", has_text="Incident").first.locator("input").fill("Late delivery")
    page.get_by_role("button", name="Save", exact=True).first.click()
    page.get_by_text("Saved to your workbook.").first.wait_for(timeout=TIMEOUT)
    page.get_by_role("button", name="Add the playbook's steps for the phases that have none").click()
    # the page works on the incident chosen in its picker: with incidents from an earlier run, that one
    # may have its steps already
    page.get_by_text(re.compile(r"\d+ steps? added")).first.wait_for(timeout=TIMEOUT)


def exercise_05(page) -> None:
    page.get_by_text("yes (1 point)", exact=True).first.click()
    page.get_by_role("button", name="Self-check").click()
    page.get_by_text("Self-check: 1 right,").wait_for(timeout=TIMEOUT)


def exercise_06(page) -> None:
    page.get_by_text("- non-supporter", exact=True).first.click()
    page.get_by_role("button", name="Self-check").click()
    page.get_by_text("Self-check: 1 right,").wait_for(timeout=TIMEOUT)


def exercise_with_drop_downs(page) -> None:
    page.locator(".widget-dropdown select").first.select_option(index=1)
    page.get_by_role("button", name="Self-check").click()
    page.get_by_text("Self-check:").wait_for(timeout=TIMEOUT)


def solution(page) -> None:
    page.get_by_role("button", name="Score").click()
    page.get_by_text("Browser Trainee:").wait_for(timeout=TIMEOUT)


# chapter key (``kamlib.chapters``): (what shows when its page has run, the trainee's steps)
CHAPTER_CASES: dict[str, tuple[str, Callable]] = {
    "ch1": (".widget-dropdown", chapter_1),
    "ch2": (".widget-dropdown", chapter_2),
    "ch3": (".widget-dropdown", chapter_3),
    "bidding": (".widget-dropdown", bidding),
    "ch4": (".widget-toggle-button", chapter_4),
    "crisis": (".widget-dropdown", crisis),
}
CASES: dict[str, tuple[str, Callable]] = {
    # notebook: (what shows when it has run, the trainee's steps)
    "notebooks/00_start_here.ipynb": (".widget-toggle-button", start_page),
    # every chapter's page, in course order (a chapter without a case above is a KeyError here)
    **{f"notebooks/{c.notebook}": CHAPTER_CASES[c.key] for c in CHAPTERS},
    "exercises/ex00_warmup.ipynb": (".widget-radio-box", exercise_00),
    "exercises/ex01_screening.ipynb": (".widget-dropdown", exercise_with_drop_downs),
    "exercises/ex02_customer_analysis.ipynb": (".widget-dropdown", exercise_with_drop_downs),
    "solutions/ex00_warmup.ipynb": (".widget-dropdown", solution),
    "solutions/ex01_screening.ipynb": (".widget-dropdown", solution),
    "solutions/ex02_customer_analysis.ipynb": (".widget-dropdown", solution),
    "exercises/ex03_strategy.ipynb": (".widget-radio-box", exercise_03),
    "solutions/ex03_strategy.ipynb": (".widget-dropdown", solution),
    "exercises/ex04_bidding.ipynb": (".widget-radio-box", exercise_04),
    "solutions/ex04_bidding.ipynb": (".widget-dropdown", solution),
    "exercises/ex05_account_management.ipynb": (".widget-radio-box", exercise_05),
    "solutions/ex05_account_management.ipynb": (".widget-dropdown", solution),
    "exercises/ex06_crisis.ipynb": (".widget-radio-box", exercise_06),
    "solutions/ex06_crisis.ipynb": (".widget-dropdown", solution),
}
CASES = {k: v for k, v in CASES.items() if (ROOT / k).exists()}  # the trainee bundle has no solutions/
# In JupyterLab too: every chapter, and one exercise and one solution page (all exercise pages are built by
# the same two functions, whose every page the app runs).
LAB_CASES = [k for k in CASES if k.startswith("notebooks/") or "ex00" in k]
TIMES: dict[str, float] = {}


def _run(browser, server: Server, kind: str, notebook: str) -> None:
    ready, steps = CASES[notebook]
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    outside: list[str] = []

    def leaving(route) -> None:  # whatever would leave this machine is recorded and stopped
        outside.append(route.request.url)
        route.abort()

    context.route(lambda url: urlparse(url).hostname not in {"127.0.0.1", "localhost"}, leaving)
    start = time.perf_counter()
    try:
        if kind == "lab":
            page.goto(f"http://127.0.0.1:{server.port}/lab/workspaces/{uuid.uuid4().hex}/tree/{notebook}"
                      f"?token={server.token}&reset")
            page.locator(".jp-Notebook:visible").first.wait_for(timeout=TIMEOUT)
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=TIMEOUT)  # the kernel is ready
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
            page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        else:
            page.goto(f"http://127.0.0.1:{server.port}/voila/render/{notebook}?token={server.token}")
        page.locator(ready).first.wait_for(timeout=TIMEOUT)
        steps(page)
        hint = page.get_by_text("Restart Kernel and Run All").count()  # how to run a page: JupyterLab's alone
        assert hint == 0 if kind == "app" else hint >= 1
        assert not page.get_by_text("Traceback").count()
        assert not page.get_by_text("Jupyter news").count(), "JupyterLab asked about its news feed"
        assert outside == [], f"requests left this machine: {outside}"
    finally:
        TIMES[f"{kind} {notebook}"] = round(time.perf_counter() - start, 2)
        name = f"{kind}-{notebook.replace('/', '-').removesuffix('.ipynb')}.png"
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        context.close()
        (ARTIFACTS / "times.json").write_text(json.dumps(TIMES, indent=2), encoding="utf-8")


@pytest.mark.parametrize("notebook", list(CASES))
def test_in_the_app(browser, app: Server, notebook: str) -> None:
    _run(browser, app, "app", notebook)


@pytest.mark.parametrize("notebook", LAB_CASES)
def test_in_jupyterlab(browser, lab: Server, notebook: str) -> None:
    _run(browser, lab, "lab", notebook)


def test_the_app_reaches_every_chapter_from_the_start_page(browser, app: Server) -> None:
    """A trainee in the app follows the course map's links: every link names a notebook the app serves, and
    following one to a chapter and one to an exercise opens a page of forms (every notebook's own page is
    opened by ``test_in_the_app``)."""
    context = browser.new_context()
    page = context.new_page()
    try:
        start = f"http://127.0.0.1:{app.port}/voila/render/notebooks/00_start_here.ipynb?token={app.token}"
        page.goto(start)
        page.locator(".widget-toggle-button").first.wait_for(timeout=TIMEOUT)
        links = page.locator("a[href$='.ipynb']")
        targets = sorted({links.nth(i).get_attribute("href") for i in range(links.count())})
        assert "01_key_account_screening.ipynb" in targets and "../exercises/ex00_warmup.ipynb" in targets
        assert {"../exercises/ex03_strategy.ipynb", "../exercises/ex06_crisis.ipynb"} <= set(targets)  # practice
        for href in targets:
            assert (app.root / "notebooks" / href).resolve().is_file(), href
        assert links.count() == page.locator("a[href$='.ipynb'][target='_self']").count()  # never a new tab
        for href in ("01_key_account_screening.ipynb", "../exercises/ex03_strategy.ipynb"):
            page.goto(start)
            page.locator(f"a[href='{href}']").first.click()
            page.wait_for_url(re.compile(re.escape(href.removeprefix("..")) + "$"), timeout=TIMEOUT)  # this tab
            page.locator(".widget-button, .widget-dropdown, .widget-radio-box").first.wait_for(timeout=TIMEOUT)
            assert "/voila/render/" in page.url and not page.get_by_text("Traceback").count()
        assert len(context.pages) == 1
    finally:
        context.close()


def test_an_app_page_links_on_to_the_next_page_and_drops_the_jupyterlab_hint(browser, app: Server) -> None:
    """Chapter 1 in the app: no "In JupyterLab, press …" line; its bar (top and bottom) leads to exercise 01 and
    on to chapter 2 in the same tab, and exercise 01's bar back to the course map."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{app.port}/voila/render/notebooks/01_key_account_screening.ipynb"
                  f"?token={app.token}")
        page.locator(".widget-dropdown").first.wait_for(timeout=TIMEOUT)
        assert not page.get_by_text("Restart Kernel and Run All").count()
        bars = page.locator(".kam-nav")
        assert bars.count() == 2
        assert bars.first.locator("a[target='_self']").count() == 3
        bars.last.get_by_text("Next: Chapter 2 Customer analysis").click()
        page.wait_for_url(re.compile(r"/notebooks/02_customer_analysis\.ipynb$"), timeout=TIMEOUT)
        page.locator(".kam-nav").first.get_by_text("Exercise 02").click()
        page.wait_for_url(re.compile(r"/exercises/ex02_customer_analysis\.ipynb$"), timeout=TIMEOUT)
        page.locator(".kam-nav").first.get_by_text("Course map").click()
        page.wait_for_url(re.compile(r"/notebooks/00_start_here\.ipynb$"), timeout=TIMEOUT)
        page.locator(".widget-toggle-button").first.wait_for(timeout=TIMEOUT)
        assert len(context.pages) == 1 and not page.get_by_text("Traceback").count()
    finally:
        context.close()
