"""The sections of the Account Plan, in the order the export shows them: one small renderer each.

A renderer takes the ``Context`` and returns a ``Block``; a section with no data is still returned
(``started`` False) so the reader sees it as not started instead of missing. To add a section,
write its renderer and put it in ``SECTIONS`` where it belongs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kamlib.export.context import Context
from kamlib.export.document import Block
from kamlib.export.sections import bidding, ch1, ch2, ch3, ch4, crisis, front


@dataclass(frozen=True)
class SectionRenderer:
    key: str
    render: Callable[[Context], Block]


SECTIONS: tuple[SectionRenderer, ...] = (
    SectionRenderer("cover", front.cover),
    SectionRenderer("health", front.health),
    SectionRenderer("key_account", ch1.key_account),
    SectionRenderer("customer_tree", ch1.customer_tree),
    SectionRenderer("information", ch2.information),
    SectionRenderer("five_step", ch2.five_step),
    SectionRenderer("key_persons", ch2.key_persons),
    SectionRenderer("strategy", ch3.strategy),
    SectionRenderer("measures", ch3.measures),
    SectionRenderer("campaign", ch3.campaign),
    SectionRenderer("team", ch3.team),
    SectionRenderer("actions", ch3.actions),
    SectionRenderer("bids", bidding.bids),
    SectionRenderer("assessments", ch4.assessments),
    SectionRenderer("retention", ch4.retention),
    SectionRenderer("crises", crisis.crises),
)
