"""The sections of the Account Plan, in the order the export shows them: one small renderer each.

A renderer takes the ``Context`` and returns a ``Block``; a section with no data is still returned
(``started`` False) so the reader sees it as not started instead of missing. After the front matter
(cover, health), the sections are the chapters' (``kamlib.chapters``): section ``<section>`` of chapter
``<key>`` is the function ``<section>`` of the module ``<key>`` in this package. To add a section, write its
renderer there and name the section in its chapter's ``plan_sections``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from kamlib.chapters import CHAPTERS, Chapter
from kamlib.export.context import Context
from kamlib.export.document import Block
from kamlib.export.sections import front


@dataclass(frozen=True)
class SectionRenderer:
    key: str
    render: Callable[[Context], Block]


def chapter_renderers(chapter: Chapter) -> tuple[SectionRenderer, ...]:
    """The renderers of a chapter's sections, from its module in this package."""
    module = import_module(chapter.export_module)
    return tuple(SectionRenderer(section, getattr(module, section)) for section in chapter.plan_sections)


SECTIONS: tuple[SectionRenderer, ...] = (
    SectionRenderer("cover", front.cover),
    SectionRenderer("health", front.health),
    *(renderer for chapter in CHAPTERS for renderer in chapter_renderers(chapter)),
)
