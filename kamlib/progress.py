"""How much of the account plan is filled in, chapter by chapter (for the start page)."""

from __future__ import annotations

from dataclasses import dataclass

from kamlib.model.base import Section
from kamlib.model.workbook import CHAPTER_SECTIONS, AccountPlan


@dataclass(frozen=True)
class ChapterProgress:
    """One chapter: which of its sections hold anything, and how many rows in all."""

    chapter: str
    sections_filled: tuple[str, ...]
    sections_total: tuple[str, ...]
    rows: int

    @property
    def share(self) -> float:
        """Filled sections over all sections of the chapter, 0.0–1.0."""
        return len(self.sections_filled) / len(self.sections_total)

    @property
    def started(self) -> bool:
        return self.rows > 0


def section_rows(plan: AccountPlan, section: str) -> int:
    """How many rows a section holds (picks count as rows; a card such as Share 1 or the chosen
    strategy counts as one once anything in it differs from the blank card)."""
    value = getattr(plan, section)
    if isinstance(value, list):
        return len(value)
    if isinstance(value, Section):
        return len(value.items)
    blank = type(value)()
    return int(value.model_dump(exclude={"updated_at"}) != blank.model_dump(exclude={"updated_at"}))


def plan_progress(plan: AccountPlan) -> list[ChapterProgress]:
    """Progress of every chapter, in course order."""
    out = []
    for chapter, sections in CHAPTER_SECTIONS.items():
        counts = {s: section_rows(plan, s) for s in sections}
        out.append(
            ChapterProgress(
                chapter=chapter,
                sections_filled=tuple(s for s in sections if counts[s]),
                sections_total=sections,
                rows=sum(counts.values()),
            )
        )
    return out
