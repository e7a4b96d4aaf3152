"""Chapter 3.3: the sales measures table and the deck's three worked rows.

The deck's worked rows (its sales measures table, in the text the course gives) are kept word for word
in the catalogs (``ch3.sample.*``): the key factor, the analysis, the numbered sales measures and, for
the first row only, the resources ("1. executive visit 2. ……"); the other two rows name no resources.
The one change: the deck's own company is written "our" in both languages, as everywhere in the
workbook. The deck leaves the priority column empty; the rows take their order in the deck as
priority 1–3 (the model needs a number).
"""

from __future__ import annotations

from kamlib.i18n import Lang, catalog, t
from kamlib.model.workbook import Measure

DECK_ROWS = ("relationship", "acceptance", "service")  # in the deck's order


def deck_measures(lang: Lang) -> list[Measure]:
    """The deck's three worked rows in ``lang``, as the deck has them (resources only where it gives them)."""
    out = []
    for priority, row in enumerate(DECK_ROWS, start=1):
        key = f"ch3.sample.{row}"
        resources = f"{key}.resources"
        out.append(Measure(priority=priority, key_factor=t(f"{key}.factor", lang), analysis=t(f"{key}.analysis", lang),
                           measures=t(f"{key}.measures", lang),
                           resources=t(resources, lang) if resources in catalog(lang) else ""))
    return out
