"""No text cut off in the app: every chapter page and every exercise page (in English, and in Chinese through a copy
whose ``parameters`` cell says ``lang = "zh"``), with every label, checkbox, radio button, toggle button, button and
table cell shown whole, every drop-down wide enough for each of its options and every box for its hint. A cut text
hides the meaning: two red flags or two accounts that differ only at their ends read the same."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, ROOT, Server

TIMEOUT = 90_000  # ms
FOLDERS = ("notebooks", "exercises", "solutions")
PAGES = [f"{folder}/{p.name}" for folder in FOLDERS for p in sorted((ROOT / folder).glob("*.ipynb"))]
ZH_PREFIX = "zh-"

# Elements that show one line and cut what does not fit (ipywidgets give them overflow: hidden, ellipsis), and
# every table cell; a drop-down's options are measured against the drop-down's own width.
FIND_CLIPPED = """
() => {
  const selectors = ['.widget-label', '.widget-label-basic', '.widget-checkbox label', '.widget-radio-box label',
                     '.widget-toggle-button', '.widget-button', '.widget-html-content', '.widget-inline-hbox label',
                     'td', 'th'];
  const seen = new Set();
  const out = [];
  const visible = (el) => el.offsetParent !== null && el.getClientRects().length > 0;
  for (const el of document.querySelectorAll(selectors.join(','))) {
    if (seen.has(el) || !visible(el)) continue;
    seen.add(el);
    const text = (el.innerText || '').trim();
    if (!text) continue;
    const style = getComputedStyle(el);
    const cuts = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
    if (cuts && el.scrollWidth > el.clientWidth + 1) {
      out.push({kind: el.tagName.toLowerCase() + '.' + [...el.classList].join('.'), text: text.slice(0, 120),
                box: el.clientWidth, needs: el.scrollWidth});
    }
  }
  const canvas = document.createElement('canvas').getContext('2d');
  for (const select of document.querySelectorAll('select')) {
    if (!visible(select) || select.multiple || select.size > 1) continue;
    const style = getComputedStyle(select);
    canvas.font = style.font;
    // the room for the text: the box less its padding and the arrow (ipywidgets draws it in the right padding)
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    for (const option of select.options) {
      const text = option.text.trim();
      const needs = Math.ceil(canvas.measureText(text).width);
      if (text && needs > room + 1) {
        out.push({kind: 'select option', text: text.slice(0, 120), box: Math.floor(room), needs});
      }
    }
  }
  // a hint in an empty box (a placeholder) is cut at the box's edge
  for (const input of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    const text = input.placeholder.trim();
    if (!visible(input) || input.value || !text || input.tagName === 'TEXTAREA') continue;
    const style = getComputedStyle(input);
    canvas.font = style.font;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const needs = Math.ceil(canvas.measureText(text).width);
    if (needs > room + 1) out.push({kind: 'placeholder', text: text.slice(0, 120), box: Math.floor(room), needs});
  }
  return out;
}
"""


def _zh_copy(root: Path, notebook: str) -> str:
    """A copy of ``notebook`` beside it that runs in Chinese (its ``parameters`` cell says so)."""
    source = root / notebook
    copy = source.with_name(ZH_PREFIX + source.name)
    if not copy.exists():
        nb = json.loads(source.read_text(encoding="utf-8"))
        cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
        lines = cell["source"] if isinstance(cell["source"], list) else cell["source"].splitlines(keepends=True)
        cell["source"] = ['lang = "zh"\n' if line.startswith("lang =") else line for line in lines]
        assert 'lang = "zh"\n' in cell["source"], notebook
        copy.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return str(copy.relative_to(root))


def _settled(page) -> None:
    """Wait until the page's widgets are drawn and stop changing."""
    page.locator(".widget-button, .widget-dropdown, .widget-radio-box, .widget-toggle-button").first.wait_for(
        timeout=TIMEOUT)
    count, deadline = -1, time.monotonic() + 30
    while time.monotonic() < deadline:
        now = page.evaluate("document.querySelectorAll('.jupyter-widgets, img, td').length")
        if now == count:
            return
        count = now
        page.wait_for_timeout(1500)


def clipped_on(browser, server: Server, notebook: str, chinese: bool = False) -> list[dict]:
    """Each cut text of an app page: what it is, its text, its width and the width it needs (CSS pixels).
    ``chinese``: the page must be in Chinese (more Chinese characters than Latin letters)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{server.port}/voila/render/{notebook}?token={server.token}", timeout=TIMEOUT)
        _settled(page)
        assert not page.get_by_text("Traceback").count()
        words = page.evaluate("document.body.innerText")
        cjk, latin = sum("\u4e00" <= c <= "\u9fff" for c in words), sum(c.isascii() and c.isalpha() for c in words)
        assert (cjk > latin) == chinese, f"{notebook}: {cjk} Chinese characters, {latin} Latin letters"
        found = page.evaluate(FIND_CLIPPED)
        name = notebook.replace("/", "-").removesuffix(".ipynb")
        if found:
            page.screenshot(path=str(ARTIFACTS / f"clipped-{name}.png"), full_page=True)
        return found
    finally:
        context.close()


def _report(notebook: str, found: list[dict]) -> str:
    lines = [f"{len(found)} text(s) cut off on {notebook}:"]
    lines += [f"  {f['kind']}: {f['text']!r} ({f['box']} px shown, {f['needs']} px needed)" for f in found]
    return "\n".join(lines)


@pytest.mark.parametrize("notebook", PAGES)
def test_no_text_is_cut_off_in_english(browser, app: Server, notebook: str) -> None:
    found = clipped_on(browser, app, notebook)
    assert not found, _report(notebook, found)


@pytest.mark.parametrize("notebook", [p for p in PAGES if not p.startswith("solutions/")])
def test_no_text_is_cut_off_in_chinese(browser, app: Server, notebook: str) -> None:
    copy = _zh_copy(app.root, notebook)
    found = clipped_on(browser, app, copy, chinese=True)
    assert not found, _report(copy, found)
