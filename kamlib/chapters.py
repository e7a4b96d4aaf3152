"""What a chapter is, declared once: one ``Chapter`` record per chapter, in the course's order.

Every list of chapters is derived from ``CHAPTERS``: the workbook sections each chapter fills
(``kamlib.model.workbook.CHAPTER_SECTIONS``, read by the start page's progress), the sections of the
plan health and the export (``kamlib.health.SECTION_CHAPTERS``, ``kamlib.export.sections.SECTIONS``),
the chapter pages of the course map and the navigation bars (``kamlib.navigation.CHAPTER_NOTEBOOKS``)
and the browser tests' pages. ``tests/test_chapters.py`` fails when a chapter's parts are incomplete.

Names. A chapter's **key** is its one name in code and data: ``ch1``–``ch4`` for the course's four
chapters, the topic for a special topic (``bidding``, ``crisis``). The key names the chapter in the
exercise specs (``chapter = "ch4"``), the catalogs (``course.chapter.ch4``), the navigation bar
(``nav_bar(page, "ch4")``) and the export's module (``kamlib/export/sections/ch4.py``). Two older names
stay as they are, because renaming them would change what trainees see (the notebooks import the forms
module, the catalog keys are the page's text): the page's forms module is named after the topic
(``forms``: chapter 4's page is ``kamlib.forms.retention``), and so is the catalog file of the page's
text for the later chapters (``catalog``: ``retention.toml`` holds ``retention.*``; chapters 1–3 use
``ch1.toml``–``ch3.toml``, beside the logic's own ``screening.toml``, ``analysis.toml``, ``strategy.toml``).
Notebooks are numbered in page order, special topics included: chapter 4 is ``05_…``.

Pure data: this module imports nothing of kamlib, so that the model and every layer above may read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["chapter", "special"]  # a chapter of the course, or a special topic


@dataclass(frozen=True)
class Chapter:
    """One chapter (or special topic) and its parts."""

    key: str
    kind: Kind
    number: int  # chapter N or special topic N, as the course numbers them
    notebook: str  # its page in notebooks/
    forms: str  # its page's module in ``kamlib.forms``
    catalog: str  # the catalog file of its page's text: ``kamlib/i18n/{zh,en}/<catalog>.toml``
    # the workbook's ``AccountPlan`` fields it fills, counted by the start page's progress summary
    workbook_sections: tuple[str, ...]
    # the sections of the Account Plan it adds: each has a check in ``kamlib.health.SECTION_CHECKS``, an export
    # renderer ``<section>`` in ``kamlib/export/sections/<key>.py`` and the title ``health.section.<section>``
    plan_sections: tuple[str, ...]
    # ``AccountPlan`` fields it also writes that the progress summary does not count (a choice, a helper list)
    also_writes: tuple[str, ...] = ()

    @property
    def title_key(self) -> str:
        """The catalog key of the chapter's short title (course map, navigation bar, export, progress)."""
        return f"course.chapter.{self.key}.short"

    @property
    def export_module(self) -> str:
        """The module of the chapter's export renderers."""
        return f"kamlib.export.sections.{self.key}"

    @property
    def forms_module(self) -> str:
        """The module of the chapter's page, which its notebook imports."""
        return f"kamlib.forms.{self.forms}"

    def catalog_keys(self) -> tuple[str, ...]:
        """The catalog keys the chapter needs outside its own page's catalog, in both languages."""
        return (
            self.title_key, f"course.chapter.{self.key}.produces",
            *(f"course.section.{s}" for s in self.workbook_sections),
            *(f"health.section.{s}" for s in self.plan_sections),
        )


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        key="ch1", kind="chapter", number=1, notebook="01_key_account_screening.ipynb",
        forms="screening", catalog="ch1",
        workbook_sections=("portfolio", "key_accounts", "customer_tree", "share"),
        plan_sections=("key_account", "customer_tree"),
    ),
    Chapter(
        key="ch2", kind="chapter", number=2, notebook="02_customer_analysis.ipynb",
        forms="analysis", catalog="ch2",
        workbook_sections=("information", "departments", "key_persons", "needs", "opportunities", "push_plan",
                           "factors"),
        plan_sections=("information", "five_step", "key_persons"),
        also_writes=("focus_account", "question_bank"),
    ),
    Chapter(
        key="ch3", kind="chapter", number=3, notebook="03_strategy_and_action_plan.ipynb",
        forms="strategy", catalog="ch3",
        workbook_sections=("factors", "strategy", "measures", "campaign", "team", "actions"),
        plan_sections=("strategy", "measures", "campaign", "team", "actions"),
    ),
    Chapter(
        key="bidding", kind="special", number=1, notebook="04_bidding_strategy.ipynb",
        forms="bidding", catalog="bidding",
        workbook_sections=("bids",),
        plan_sections=("bids",),
        also_writes=("rule_templates",),
    ),
    Chapter(
        key="ch4", kind="chapter", number=4, notebook="05_continuous_account_management.ipynb",
        forms="retention", catalog="retention",
        workbook_sections=("assessments", "retention"),
        plan_sections=("assessments", "retention"),
    ),
    Chapter(
        key="crisis", kind="special", number=2, notebook="06_crisis_handling.ipynb",
        forms="crisis", catalog="crisis",
        workbook_sections=("crises",),
        plan_sections=("crises",),
    ),
)
BY_KEY: dict[str, Chapter] = {c.key: c for c in CHAPTERS}
# ``AccountPlan`` fields of no single chapter: the hide list for anonymised sharing (the start page's export form
# and chapter 1's Share 1 form edit it).
SHARED_SECTIONS: tuple[str, ...] = ("sharing",)


def chapter(key: str) -> Chapter:
    """The chapter with this key; KeyError for an unknown key."""
    return BY_KEY[key]


def section_chapters() -> dict[str, str]:
    """Each section of the Account Plan (health and export) → the key of its chapter, in course order."""
    return {section: c.key for c in CHAPTERS for section in c.plan_sections}
