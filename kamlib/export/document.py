"""The Account Plan as format-neutral blocks: each section renderer returns one ``Block``, and the
HTML and XLSX writers turn the blocks into a file. Every string here is already in the reader's
language and, when the export is anonymised, already free of names; the writers escape it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from kamlib.health import SectionHealth

Figure = Any  # a matplotlib Figure: only kamlib.charts imports matplotlib

Cell = str | int | float | dt.date | None
Kind = Literal["text", "long", "number", "percent", "date"]
Tone = Literal["plain", "note", "warning", "ok"]


@dataclass(frozen=True)
class Column:
    """A table column: its header and how its values read (``long``: free text, wrapped)."""

    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Table:
    """A table of the plan; ``sheet`` is its short name (an XLSX sheet).

    A table repeated per item (a tender's bidders, an incident's response plan) names its item in
    ``group``: the HTML shows each under its item's heading, the XLSX puts the tables of one sheet
    together, one after the other, with a first column headed ``group_header`` naming the item.
    """

    sheet: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty: str = ""  # said instead of an empty table
    group: str | None = None
    group_header: str = ""


@dataclass(frozen=True)
class Facts:
    """Labelled values, e.g. the account's BP and SoW."""

    items: tuple[tuple[str, Cell], ...]


@dataclass(frozen=True)
class Heading:
    """The heading of one item of a section (a tender, an incident): the parts after it are about it."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    tone: Tone = "plain"


@dataclass(frozen=True)
class Bullets:
    """A titled list (red flags, what is missing, actions due soon)."""

    title: str
    items: tuple[str, ...]
    tone: Tone = "plain"


@dataclass(frozen=True)
class Bar:
    label: str
    share: float  # 0–1
    text: str  # what the bar says in words (the bar alone never carries the figure)


@dataclass(frozen=True)
class Bars:
    """Horizontal bars drawn with CSS (no image), e.g. the assessment scores over time."""

    title: str
    items: tuple[Bar, ...]


Mark = Literal["done", "overdue", "due_soon", "open", "dropped"]


@dataclass(frozen=True)
class Moment:
    """An item of a timeline: its date (None: not dated), what, and its state in words and as a mark."""

    on: dt.date | None
    text: str
    state: str
    mark: Mark


@dataclass(frozen=True)
class Timeline:
    """Dated items month by month, with today marked (the action plan)."""

    title: str
    today: dt.date
    today_label: str
    undated_label: str
    items: tuple[Moment, ...]


@dataclass(frozen=True)
class Chart:
    """A chart: ``make`` draws it (matplotlib is imported only by the HTML writer's call)."""

    alt: str
    make: Callable[[], Figure]
    tight: bool = True  # crop to what is drawn (a second drawing pass); False for charts that place every text


Part = Heading | Facts | Paragraph | Bullets | Bars | Timeline | Table | Chart


@dataclass(frozen=True)
class Block:
    """One section of the export, rendered in one language."""

    key: str
    chapter: str | None  # None: the front matter (cover, plan health)
    title: str
    started: bool
    parts: tuple[Part, ...] = ()
    not_started: str = ""  # what the reader sees instead of the parts when the section is not started
    health: SectionHealth | None = None

    def tables(self) -> list[Table]:
        return [p for p in self.parts if isinstance(p, Table)]


@dataclass(frozen=True)
class Document:
    """The whole export: its title, language, the blocks in course order."""

    lang: str
    title: str
    subtitle: str
    anonymised: bool
    blocks: tuple[Block, ...]
    chapter_titles: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # the writers' own words (not started, contents)
