"""The speed a trainee feels in the app: from a click on Save to the page showing the new state, in Chromium.

The in-kernel benchmarks time a save and its re-draw inside the kernel; a trainee waits longer: the messages
travel to the browser, which lays out the new widgets and decodes the new images. Here the app (Voilà, started as
``kam app`` starts it, on 127.0.0.1 with a token) serves a copy of the notebooks over a throw-away home whose
workbook is a full one (30 accounts, a customer tree of 60 units, 60 key people, 30 factors, 40 actions, a tender
with 5 bidders, a whitespace map of 60 units × 8 product lines, 12 assessments), and Debian's Chromium, driven by
Playwright, clicks Save in each chapter's main form. Two times per save, measured in the page from the click:

- the save message shown (target < 0.3 s);
- every chart image re-drawn: the last image put into the page before it falls quiet (target < 1 s).

Then a 1,000-row account list (CSV) is imported in chapter 1, new and again (every name known), until the import's
message and every chart re-drawn (target < 3 s). Each figure is the median of a few saves.

Run with `python benchmarks/browser_speed.py`; prints a table and writes `benchmarks/results/browser_speed.json`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Row, report

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("KAM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT = 300_000  # ms (a busy machine opens a page slowly)
QUIET_MS = 1500  # the page counts as settled after this long without a change
SAVES = 3  # saves timed per form
SAVED = "Saved to your workbook."
TARGETS = {"message": 0.3, "charts": 1.0, "import": 3.0}

# Records, in the page's own clock, the click and every later change: a message that appears, an image put in;
# and whether the kernel is busy (its status messages, read off the page's websocket) since the click.
KERNEL = """(() => {
  const Socket = window.WebSocket;
  window.__kernel = {state: 'idle', busySinceClick: false};
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', event => {
        const text = typeof event.data === 'string' ? event.data : new TextDecoder().decode(event.data);
        const found = /"execution_state":\\s*"(\\w+)"/.exec(text);
        if (!found) return;
        window.__kernel.state = found[1];
        if (found[1] === 'busy' && window.__kam && window.__kam.click !== null) window.__kernel.busySinceClick = true;
      });
    }
  };
})();"""
WATCH = """() => {
  if (window.__kam) return;
  const k = window.__kam = {click: null, text: null, message: null, images: [], last: performance.now()};
  document.addEventListener('click', () => { k.click = performance.now(); }, true);
  new MutationObserver(records => {
    const now = performance.now();
    k.last = now;
    if (k.click === null) return;
    for (const r of records) {
      if (r.type === 'attributes' && r.target.tagName === 'IMG') { k.images.push(now); continue; }
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        if (n.tagName === 'IMG' || n.querySelector('img')) k.images.push(now);
        if (k.message === null && k.text && n.textContent.includes(k.text)) k.message = now;
      }
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
}"""


# ---- the workbook -------------------------------------------------------------------------------------------------


def fill_home(home: Path) -> None:
    """A registered trainee whose workbook fills every chapter as a real account would."""
    from people import organisation
    from retention import plan

    from kamlib.bidding import deck_example
    from kamlib.model import Trainee, create_workbook, update_workbook
    from kamlib.model.workbook import Account, Action, Factor, KeyAccountPick, Workbook, YearFigures

    rnd = random.Random(2024)

    def fill(wb: Workbook) -> None:
        plan(wb, units=60, lines=8)  # tree, product lines, whitespace map, 12 assessments, a crisis
        wb.plan.key_persons.items = organisation(60)
        accounts = [Account(name=f"Account {i}", industry=rnd.choice(["Banking", "Health", "Retail"]),
                            segment=rnd.choice(["lb", "industry", "ga", "smb"]),
                            bp_wan=round(rnd.lognormvariate(6, 1), 1), sow_pct=round(rnd.uniform(0, 90), 1),
                            history=[YearFigures(year=2024, bp_wan=round(rnd.uniform(100, 900)),
                                                 sow_pct=round(rnd.uniform(0, 80)))])
                    for i in range(30)]
        wb.plan.portfolio.items = accounts
        wb.plan.key_accounts = [KeyAccountPick(account_id=accounts[0].id, kind="top")]
        wb.plan.focus_account = accounts[0].id
        wb.plan.factors.items = [Factor(text=f"Factor {i}", advantage=i % 2 == 0, strong_control=i % 3 == 0,
                                        importance=1 + i % 5) for i in range(30)]
        start = dt.date.today() - dt.timedelta(days=60)
        wb.plan.actions.items = [
            Action(text=f"Action {i}", target_on=start + dt.timedelta(days=3 * i),
                   status=("planned", "doing", "done")[i % 3],
                   done_on=start + dt.timedelta(days=3 * i + 1) if i % 3 == 2 else None)
            for i in range(40)]
        wb.plan.bids.items = [deck_example("en")]

    path = home / "workbook" / "bench.json"
    create_workbook(Trainee(id="bench", name="Bench Trainee", team="QA", language="en"), path)
    update_workbook(path, fill)
    (home / "workbook" / ".last-trainee").write_text("bench", encoding="utf-8")


def account_csv(path: Path, rows: int = 1000) -> Path:
    from screening import account_list

    from kamlib.accounts_io import write_table

    return write_table(account_list(rows), path)


# ---- the app and the browser --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class App:
    port: int
    token: str

    def url(self, notebook: str) -> str:
        return f"http://127.0.0.1:{self.port}/voila/render/notebooks/{notebook}?token={self.token}"


@contextlib.contextmanager
def serve(base: Path) -> Iterator[App]:
    """The app over a copy of the notebooks and a throw-away home, as the browser tests start it; always stopped."""
    from kamlib.app import app_command

    root, home = base / "root", base / "home"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    fill_home(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAM_", "JUPYTERHUB_"))}
    env.update(KAM_HOME=str(home), KAM_LANG="en", KAM_SETTINGS=str(home / "none.toml"),
               JUPYTER_CONFIG_DIR=str(base / "jupyter-config"), MPLBACKEND="Agg")
    port, token = _free_port(), secrets.token_hex(16)
    log = (base / "app.log").open("w")
    proc = subprocess.Popen(app_command(root, port, token, config=base / "app-config"), env=env, cwd=root,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start; see {log.name}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=5) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        yield App(port, token)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
        log.close()


def settle(page: Any) -> None:
    """Wait until the page has not changed for ``QUIET_MS``."""
    page.wait_for_function(f"() => window.__kam && performance.now() - window.__kam.last > {QUIET_MS}",
                           timeout=TIMEOUT, polling=100)


def open_notebook(browser: Any, app: App, notebook: str, ready: str) -> tuple[Any, Any, float]:
    """A new tab on ``notebook``, run and settled; returns the context, the page and the seconds it took."""
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    page.add_init_script(KERNEL + f"window.addEventListener('DOMContentLoaded', {WATCH})")
    start = time.perf_counter()
    page.goto(app.url(notebook), timeout=TIMEOUT)
    page.locator(ready).first.wait_for(timeout=TIMEOUT)
    settle(page)
    return context, page, time.perf_counter() - start - QUIET_MS / 1000


def timed_click(page: Any, click: Callable[[], None], message: str) -> tuple[float, float, int]:
    """Seconds from ``click`` to ``message`` shown and to the last image put in; how many images were."""
    page.evaluate("""text => { Object.assign(window.__kam, {click: null, text, message: null, images: []});
                               window.__kernel.busySinceClick = false; }""", message)
    click()
    page.wait_for_function("() => window.__kam.message !== null", timeout=TIMEOUT, polling=50)
    # the message may come before the charts: wait for the kernel to have finished, then for the page to settle
    page.wait_for_function("() => window.__kernel.busySinceClick && window.__kernel.state === 'idle'",
                           timeout=TIMEOUT, polling=50)
    settle(page)
    k = page.evaluate("() => window.__kam")
    shown = (k["message"] - k["click"]) / 1000
    images = k["images"]
    return shown, (max(images) - k["click"]) / 1000 if images else shown, len(images)


def editor(page: Any, has: str, text: str) -> Any:
    """The innermost form holding a widget ``has`` that shows ``text``."""
    return page.locator(".widget-vbox", has=page.locator(has, has_text=text)).last


# ---- the saves ----------------------------------------------------------------------------------------------------

Step = Callable[[Any, int], tuple[Callable[[], None], str]]  # (page, trial) -> (the click, the message it brings)


def _row_save(has: str, text: str, change: Callable[[Any, int], None], first: int = 1) -> Step:
    """Choose row ``first + trial`` (which clears the form's message), change it, and click Save."""
    def step(page: Any, trial: int) -> tuple[Callable[[], None], str]:
        form = editor(page, has, text)
        form.locator(".widget-dropdown select").first.select_option(index=first + trial)
        settle(page)
        change(form, trial)
        return form.get_by_role("button", name="Save", exact=True).click, SAVED
    return step


def _fill(label: str, values: tuple[str, ...], widget: str = ".widget-text") -> Callable[[Any, int], None]:
    def change(form: Any, trial: int) -> None:
        form.locator(widget, has_text=label).locator("input, textarea").first.fill(values[trial % len(values)])
    return change


def _attitude(form: Any, trial: int) -> None:
    form.locator(".widget-dropdown", has_text="Relationship to us").locator("select").select_option(
        index=1 + trial % 5)


def _whitespace(page: Any, trial: int) -> tuple[Callable[[], None], str]:
    form = editor(page, "button", "Save the map")
    form.locator(".widget-dropdown select").nth(trial).select_option(index=1 + trial % 3)
    return form.get_by_role("button", name="Save the map").click, SAVED


def _assessment(page: Any, trial: int) -> tuple[Callable[[], None], str]:
    form = editor(page, "button", "Save the assessment")
    picker = form.locator(".widget-dropdown select").first
    count = picker.locator("option").count()
    picker.select_option(index=count - 1 - trial % 2)  # a different assessment each time: its message is cleared
    settle(page)
    form.locator(".widget-toggle-buttons").nth(trial % 8).locator("button").nth(trial % 2).click()
    settle(page)
    return form.get_by_role("button", name="Save the assessment").click, "Saved: score"


@dataclass(frozen=True)
class Case:
    name: str
    notebook: str
    ready: str  # a selector present once the form is drawn
    step: Step
    reload: bool = False  # the form's message stays the same from save to save: a fresh page for each


CASES = (
    Case("chapter 1: save an account", "01_key_account_screening.ipynb", "text=Account name",
         _row_save(".widget-text", "Account name", _fill("Buying power BP", ("1,200", "1,350", "980")))),
    Case("chapter 1: save a customer-tree unit", "01_key_account_screening.ipynb", "text=Unit name",
         _row_save(".widget-text", "Unit name", _fill("Buying power BP", ("300", "420", "510")), first=2)),
    Case("chapter 2: save a key person (60)", "02_customer_analysis.ipynb", "text=Reports to",
         _row_save(".widget-dropdown", "Reports to", _attitude)),
    Case("chapter 3: save an action (40)", "03_strategy_and_action_plan.ipynb", "text=Evaluation",
         _row_save(".widget-textarea", "Evaluation", _fill("Evaluation", ("on track", "late", "done early"),
                                                           ".widget-textarea"))),
    Case("bidding: save a bidder (5)", "04_bidding_strategy.ipynb", "text=Bid price",
         _row_save(".widget-text", "Bid price", _fill("Bid price", ("16,700", "16,750", "16,800")), first=2)),
    Case("chapter 4: save the whitespace map (60 x 8)", "05_continuous_account_management.ipynb",
         "text=Save the map", _whitespace, reload=True),
    Case("chapter 4: save an assessment (12)", "05_continuous_account_management.ipynb",
         "text=Save the assessment", _assessment),
)


def run_case(browser: Any, app: App, case: Case) -> dict[str, Any]:
    """Open the case's page, time ``SAVES`` saves; the medians and the page's opening time."""
    shown, drawn, counts, opened = [], [], [], []
    context = page = None
    try:
        for trial in range(SAVES):
            if page is None or case.reload:
                if context is not None:
                    context.close()
                context, page, seconds = open_notebook(browser, app, case.notebook, case.ready)
                opened.append(seconds)
            click, message = case.step(page, trial)
            a, b, n = timed_click(page, click, message)
            shown.append(a)
            drawn.append(b)
            counts.append(n)
            assert not page.get_by_text("Traceback").count()
    finally:
        if context is not None:
            context.close()
    return {"message": statistics.median(shown), "charts": statistics.median(drawn),
            "images": statistics.median(counts), "open": statistics.median(opened)}


def run_import(browser: Any, app: App, csv: Path) -> list[dict[str, Any]]:
    """Import ``csv`` twice in chapter 1 (the second time every name is known): message and charts."""
    context, page, _ = open_notebook(browser, app, "01_key_account_screening.ipynb", "text=Account name")
    out = []
    try:
        for _ in range(2):
            with page.expect_file_chooser() as chooser:  # the upload button makes its file input when clicked
                page.locator(".widget-upload").first.click()
            chooser.value.set_files(str(csv))
            settle(page)
            go = page.get_by_role("button", name="Import", exact=True).first.click
            shown, drawn, count = timed_click(page, go, "Imported from")
            out.append({"message": shown, "charts": drawn, "images": count})
    finally:
        context.close()
    return out


IMAGES: dict[str, float] = {}  # images put in per measured click, by row


def measure(only: str = "") -> list[Row]:
    """Every figure; ``only``: the cases whose name holds it (the import: "import")."""
    from playwright.sync_api import sync_playwright

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as app, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            for case in CASES:
                if only not in case.name:
                    continue
                found = run_case(browser, app, case)
                rows.append((f"{case.name}: message (s)", found["message"], TARGETS["message"]))
                rows.append((f"{case.name}: every chart (s)", found["charts"], TARGETS["charts"]))
                IMAGES[rows[-1][0]] = found["images"]
                print(report(rows[-2:]), flush=True)
            if only in "chapter 1: import":
                new, again = run_import(browser, app, account_csv(Path(tmp) / "accounts.csv"))
                for label, found in (("new", new), ("again, every name known", again)):
                    rows.append((f"chapter 1: import 1,000 rows, {label}: message (s)", found["message"],
                                 TARGETS["import"]))
                    rows.append((f"chapter 1: import 1,000 rows, {label}: every chart (s)", found["charts"],
                                 TARGETS["import"]))
                    IMAGES[rows[-1][0]] = found["images"]
        finally:
            browser.close()
    return rows


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: the app and the browser are stopped too
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    rows = measure(only)
    print(report(rows))
    for name, count in IMAGES.items():
        print(f"{name}: {count:g} image(s) put in")
    out = ROOT / "benchmarks" / "results" / "browser_speed.json"
    out.parent.mkdir(exist_ok=True)
    figures = json.loads(out.read_text(encoding="utf-8")) if only and out.is_file() else {}  # a partial run updates
    figures.update({name: {"seconds": round(value, 3), "target": target, **(
        {"images": IMAGES[name]} if name in IMAGES else {})} for name, value, target in rows})
    out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
