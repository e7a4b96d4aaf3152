"""Moving between pages: every chapter and exercise page has a bar (course map, exercise or chapter, next chapter)
at its top and bottom, with relative links that open in the same tab; the JupyterLab hint is left out of the app's
pages (a cell tag the app's Voila configuration removes) and kept in JupyterLab."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from traitlets.config.loader import JSONFileConfigLoader

from kamlib import server_config
from kamlib.forms.exercise import exercise_page
from kamlib.forms.nav import nav_html
from kamlib.forms.page import Page
from kamlib.i18n import t
from kamlib.navigation import CHAPTER_NOTEBOOKS, NavLink, chapter_exercises, page_links

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = {"ch1": [("ex01", "ex01_screening.ipynb")], "intro": [("ex00", "ex00_warmup.ipynb")],
             "crisis": [("ex06", "ex06_crisis.ipynb")]}
PAGES = sorted(p for folder in ("notebooks", "exercises", "solutions", "instructor")
               for p in (ROOT / folder).glob("*.ipynb"))


def test_a_chapter_links_the_map_its_exercise_and_the_next_chapter() -> None:
    assert page_links("ch1", EXERCISES) == [
        NavLink("map", "start", "00_start_here.ipynb"),
        NavLink("exercise", "ex01", "../exercises/ex01_screening.ipynb"),
        NavLink("next", "ch2", "02_customer_analysis.ipynb"),
    ]
    assert [link.kind for link in page_links("crisis", EXERCISES)] == ["map", "exercise"]  # the last: no next
    assert page_links("ch2", EXERCISES, chapters=("ch1", "ch2"))[-1].kind == "map"  # ch3 not there yet


def test_an_exercise_links_the_map_its_chapter_and_the_next_chapter() -> None:
    assert page_links("ex01", EXERCISES) == [
        NavLink("map", "start", "../notebooks/00_start_here.ipynb"),
        NavLink("chapter", "ch1", "../notebooks/01_key_account_screening.ipynb"),
        NavLink("next", "ch2", "../notebooks/02_customer_analysis.ipynb"),
    ]
    # the warm-up comes before every chapter: its next page is chapter 1
    assert page_links("ex00", EXERCISES)[-1] == NavLink("next", "ch1", "../notebooks/01_key_account_screening.ipynb")


@pytest.mark.parametrize("here", [*CHAPTER_NOTEBOOKS, *(ex for items in chapter_exercises().values()
                                                           for ex, _ in items)])
def test_every_link_of_every_bar_leads_to_a_page_of_the_course_in_the_same_tab(here: str) -> None:
    folder = "notebooks" if here in CHAPTER_NOTEBOOKS else "exercises"
    bar = nav_html(here, "en")
    hrefs = re.findall(r'<a href="([^"]+)" target="_self">', bar)
    assert len(hrefs) == bar.count("<a ") >= 2
    for href in hrefs:
        assert not href.startswith(("/", "http")) and (ROOT / folder / href).resolve().is_file(), href
    assert t("nav.map", "en") in bar and t("nav.map", "zh") in nav_html(here, "zh")


@pytest.mark.parametrize("chapter", list(CHAPTER_NOTEBOOKS))
def test_every_chapter_page_shows_the_bar_at_its_top_and_bottom(chapter: str, workbook_file: Path) -> None:
    nb = json.loads((ROOT / "notebooks" / CHAPTER_NOTEBOOKS[chapter]).read_text(encoding="utf-8"))
    opening = "".join(next(c for c in nb["cells"] if "open_page(" in "".join(c["source"]))["source"])
    module = re.search(r"from kamlib\.forms import (\w+) as", opening).group(1)
    page = __import__(f"kamlib.forms.{module}", fromlist=["open_page"]).open_page(lang="en")
    assert page._displays[0][1]("en").data == nav_html(chapter, "en")  # above the chapter's title
    assert "".join(nb["cells"][-1]["source"]).endswith(f'nav_bar(page, "{chapter}")')  # the page's last cell


@pytest.mark.parametrize("registered", [True, False])
def test_every_exercise_page_shows_the_bar_at_its_top_and_bottom(registered: bool, home: Path,
                                                                   request: pytest.FixtureRequest) -> None:
    if registered:
        request.getfixturevalue("workbook_file")
    page = exercise_page("ex01", lang="en")
    shown = [render("en") for _target, render in page._displays]
    assert shown[0].data == shown[-1].data == nav_html("ex01", "en")
    assert "# Exercise 01" in shown[1].data


def _lab_hint(cell: dict) -> bool:
    return cell["cell_type"] == "markdown" and "Restart Kernel and Run All" in "".join(cell["source"])


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_the_jupyterlab_hint_is_tagged_for_jupyterlab_alone(path: Path) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    hints = [c for c in cells if _lab_hint(c)]
    assert hints == [cells[0]]
    assert server_config.LAB_ONLY_TAG in cells[0]["metadata"].get("tags", [])
    assert not [c for c in cells[1:] if server_config.LAB_ONLY_TAG in c["metadata"].get("tags", [])]


@pytest.mark.parametrize("name", [server_config.VOILA_FILE, server_config.SERVER_FILE])
def test_the_app_leaves_the_jupyterlab_hint_out_and_jupyterlab_keeps_it(name: str, tmp_path: Path) -> None:
    """Through the files ``kam app``, ``kam lab`` and a hub's servers read: Voila's exporter drops the tagged cell
    (as Voila builds it: the server's config as its config); JupyterLab's own HTML export keeps it."""
    import nbformat
    from nbconvert.exporters.html import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from voila.exporter import VoilaExporter

    server_config.write_config(tmp_path)
    config = JSONFileConfigLoader(name, str(tmp_path)).load_config()
    nb = nbformat.read(ROOT / "notebooks" / "01_key_account_screening.ipynb", as_version=4)
    app, _ = super(TemplateExporter, VoilaExporter(config=config)).from_notebook_node(nb, {})
    lab, _ = super(TemplateExporter, HTMLExporter(config=config)).from_notebook_node(nb, {})
    assert not [c for c in app.cells if _lab_hint(c)] and len(app.cells) == len(nb.cells) - 1
    assert "parameters" in app.cells[0].metadata.tags  # the rest of the page as it was
    assert len(lab.cells) == len(nb.cells)


def test_the_welcome_says_how_pages_open_where_the_trainee_is(monkeypatch: pytest.MonkeyPatch) -> None:
    from kamlib.forms import start

    lab = Page(lang="en")
    start.welcome(lab)
    assert "Restart Kernel and Run All" in lab._displays[-1][1]("en").data
    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")
    app = Page(lang="zh")
    start.welcome(app)
    text = app._displays[-1][1]("zh").data
    assert "重启内核" not in text and "课程地图" in text
