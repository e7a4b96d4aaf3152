"""Every chapter page (``kamlib.chapters``) run cell by cell as its notebook runs, without a workbook: before
registering it shows its navigation bar, its intro and where to register, and no error; with the workbook gone
(or no workbook file to save to), every button of its forms answers with a message in the trainee's language,
never an error the forms did not expect."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest

from kamlib.chapters import CHAPTERS, Chapter
from kamlib.forms.common import Status
from kamlib.forms.page import Page
from kamlib.i18n import LANGS, t

ROOT = Path(__file__).resolve().parents[1]
KEYS = [c.key for c in CHAPTERS]
INTROS = {"ch1": "ch1.intro", "ch2": "ch2.intro", "ch3": "ch3.intro", "bidding": "bidding.intro",
          "ch4": "retention.intro", "crisis": "crisis.intro"}


def _run_notebook(c: Chapter, lang: str) -> Page:
    """The chapter's notebook, its code cells run in order with the parameters a trainee's page gets."""
    nb = json.loads((ROOT / "notebooks" / c.notebook).read_text(encoding="utf-8"))
    names: dict[str, Any] = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]), names)
            if "parameters" in cell["metadata"].get("tags", []):
                names["lang"], names["workbook"] = lang, None
    return names["page"]


def _errors_shown(page: Page, lang: str) -> list[str]:
    shown = [page._safe(render) for _, render in page._displays]
    return [s.data for s in shown if "kam-msg kam-error" in str(getattr(s, "data", ""))]


def _buttons(widget: Any) -> list[w.Button]:
    found = [widget] if isinstance(widget, w.Button) else []
    for child in getattr(widget, "children", ()):
        found += _buttons(child)
    return found


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("c", CHAPTERS, ids=KEYS)
def test_before_registering_a_chapter_page_says_where_to_register_and_shows_no_error(home: Path, c: Chapter,
                                                                                      lang: str) -> None:
    page = _run_notebook(c, lang)
    assert not page.registered
    head = [render(lang) for _, render in page._displays[:3]]
    assert 'class="kam-nav"' in head[0].data
    assert [h.data for h in head[1:]] == [t(INTROS[c.key], lang), t("page.not_registered", lang)]
    assert _errors_shown(page, lang) == []
    # no form works on the trainee's data (a deck example needs none)
    assert all(type(f).__name__ == "DeckExample" for f in page._forms), page._forms


@pytest.mark.parametrize("gone", ["file", "path"])
@pytest.mark.parametrize("c", CHAPTERS, ids=KEYS)
def test_without_a_workbook_every_button_answers_in_the_trainees_words(workbook_file: Path, c: Chapter, gone: str,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    page = _run_notebook(c, "en")
    assert page.registered
    buttons = [b for f in page._forms for b in _buttons(f.widget)]
    assert len(buttons) > 5
    if gone == "file":
        workbook_file.unlink()  # deleted while the page is open
    else:
        page.workbook_path = None  # a page with no workbook to save to
    statuses = [s for f in page._forms for s in vars(f).values() if isinstance(s, Status)]
    for button in buttons:
        for s in statuses:
            s.clear()
        with caplog.at_level(logging.WARNING):
            button.click()
        assert not [r for r in caplog.records if "Exception in callback" in r.getMessage()], button.description
        said = [s.text for s in statuses if s.kind == "error"]
        unexpected = t("errors.unexpected", "en", kind="", detail="").split("(")[0]
        assert not [m for m in said if m.startswith(unexpected)], (button.description, said)
