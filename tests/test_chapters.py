"""The chapter registry (``kamlib.chapters``): every chapter has all its parts, and every list of chapters follows it.

A chapter added to the registry without its notebook, forms, model sections, health checks, export renderers,
catalog entries, exercise or browser case fails here; so does a part (a notebook, a plan field, a health check)
that no chapter names."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from kamlib import health
from kamlib.chapters import BY_KEY, CHAPTERS, SHARED_SECTIONS, Chapter, chapter, section_chapters
from kamlib.exercises import exercise_ids, load_exercise
from kamlib.i18n import LANGS, catalog
from kamlib.model.workbook import CHAPTER_SECTIONS, AccountPlan
from kamlib.navigation import CHAPTER_NOTEBOOKS
from kamlib.progress import plan_progress

ROOT = Path(__file__).resolve().parents[1]
KEYS = [c.key for c in CHAPTERS]
FRONT = ("cover", "health")  # the export's front matter, before the chapters' sections


def _cells(c: Chapter) -> list[str]:
    nb = json.loads((ROOT / "notebooks" / c.notebook).read_text(encoding="utf-8"))
    return ["".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "code"]


def test_keys_numbers_and_notebooks_are_unique_and_in_course_order() -> None:
    assert len(set(KEYS)) == len(KEYS) and {c.key: c for c in CHAPTERS} == BY_KEY and chapter("ch4").number == 4
    for kind in ("chapter", "special"):
        assert [c.number for c in CHAPTERS if c.kind == kind] == list(range(1, 1 + sum(c.kind == kind
                                                                                    for c in CHAPTERS)))
    # a chapter of the course is named ch<number>; a special topic by its topic
    assert all(c.key == f"ch{c.number}" for c in CHAPTERS if c.kind == "chapter")
    assert not any(re.fullmatch(r"ch\d+", c.key) for c in CHAPTERS if c.kind == "special")
    # notebooks numbered in page order: 01_…, 02_…; the start page is 00_
    assert [c.notebook[:3] for c in CHAPTERS] == [f"{i:02d}_" for i in range(1, len(CHAPTERS) + 1)]


def test_every_chapter_notebook_is_in_the_registry() -> None:
    found = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if not p.name.startswith("00_"))
    assert found == sorted(c.notebook for c in CHAPTERS)


@pytest.mark.parametrize("c", CHAPTERS, ids=KEYS)
def test_the_notebook_opens_the_chapter_page_and_its_text(c: Chapter) -> None:
    assert (ROOT / "notebooks" / c.notebook).is_file(), f"{c.key}: notebooks/{c.notebook} is missing"
    cells = _cells(c)
    opening = next(s for s in cells if "open_page(" in s)
    assert re.search(rf"from kamlib\.forms import {c.forms} as \w+", opening), f"{c.key}: not {c.forms_module}"
    module = importlib.import_module(c.forms_module)
    assert callable(module.open_page)
    # its navigation bar names the chapter by its key, in the forms (top) and the notebook's last cell (bottom)
    assert re.search(rf'(nav_bar\(page|chapter_page\(\w+\(lang=lang, workbook=workbook\)), "{c.key}"',
                     Path(module.__file__ or "").read_text(encoding="utf-8"))
    assert cells[-1].strip().endswith(f'nav_bar(page, "{c.key}")')
    # the page's text is the chapter's catalog
    prose = set(re.findall(r'page\.prose\("([a-z0-9_]+)\.', "\n".join(cells)))
    assert c.catalog in prose, f"{c.key}: the notebook's prose is not in {c.catalog}.toml ({sorted(prose)})"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("c", CHAPTERS, ids=KEYS)
def test_the_catalogs_have_the_chapters_entries(c: Chapter, lang: str) -> None:
    assert (ROOT / "kamlib" / "i18n" / lang / f"{c.catalog}.toml").is_file()
    missing = [k for k in c.catalog_keys() if k not in catalog(lang)]  # type: ignore[arg-type]
    assert not missing, f"{c.key}: {lang} catalog lacks {missing}"


def test_every_field_of_the_plan_belongs_to_a_chapter() -> None:
    fields = set(AccountPlan.model_fields)
    claimed: set[str] = set(SHARED_SECTIONS)
    for c in CHAPTERS:
        named = {*c.workbook_sections, *c.also_writes}
        assert named <= fields, f"{c.key}: not fields of the workbook's plan: {sorted(named - fields)}"
        assert c.workbook_sections, f"{c.key}: fills no section of the workbook"
        claimed |= named
    assert fields == claimed, f"plan fields of no chapter: {sorted(fields - claimed)}"


def test_the_model_and_the_progress_follow_the_registry() -> None:
    assert {c.key: c.workbook_sections for c in CHAPTERS} == CHAPTER_SECTIONS
    progress = plan_progress(AccountPlan())
    assert [(p.chapter, p.sections_total) for p in progress] == [(c.key, c.workbook_sections) for c in CHAPTERS]


def test_every_plan_section_has_a_health_check_and_an_export_renderer() -> None:
    from kamlib.export.sections import SECTIONS as EXPORT_SECTIONS  # here: a missing renderer fails this test only

    sections = [s for c in CHAPTERS for s in c.plan_sections]
    assert len(set(sections)) == len(sections), "a plan section named by two chapters"
    assert all(c.plan_sections for c in CHAPTERS)
    assert set(health.SECTION_CHECKS) == set(sections), "health checks and the chapters' sections differ"
    assert tuple(sections) == health.SECTIONS and section_chapters() == health.SECTION_CHAPTERS
    for c in CHAPTERS:
        module = importlib.import_module(c.export_module)
        for s in c.plan_sections:
            assert callable(getattr(module, s, None)), f"{c.key}: no export renderer {c.export_module}.{s}"
    assert [s.key for s in EXPORT_SECTIONS] == [*FRONT, *sections]


def test_the_plan_health_reports_every_section_with_its_chapter() -> None:
    report = health.plan_health(AccountPlan())
    assert [(s.key, s.chapter) for s in report.sections] == list(section_chapters().items())


def test_navigation_follows_the_registry() -> None:
    assert {c.key: c.notebook for c in CHAPTERS} == CHAPTER_NOTEBOOKS


def test_every_chapter_has_an_exercise_and_every_exercise_a_chapter() -> None:
    chapters = {ex: load_exercise(ex).chapter for ex in exercise_ids()}
    assert set(chapters.values()) <= {"intro", *KEYS}, chapters
    assert not set(KEYS) - set(chapters.values()), f"chapters without an exercise: {set(KEYS) - set(chapters.values())}"


def test_every_chapter_has_a_browser_case() -> None:
    from tests.browser.test_in_browser import CASES, CHAPTER_CASES

    assert set(CHAPTER_CASES) == set(KEYS)
    assert {f"notebooks/{c.notebook}" for c in CHAPTERS} <= set(CASES)
