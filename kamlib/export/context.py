"""What every section renderer needs: the plan, the language, the date, the plan's health, and the
names as the reader may see them.

Anonymised (for sharing outside the account team), the names become codes as on the Share 1 card
(``kamlib.anonymise.make_codes``): accounts “industry · Account A” (the key account is A), key
persons “title · Person n”, tree units “DMU-n”/“User-n”/“Unit-n”. In the short texts the trainee
typed (topics, factor texts, action texts…) one anonymiser, ``kamlib.anonymise``, replaces every
name the plan knows by its code, our colleagues' names too, the forms of address derived from them
(Zhang zong, Mr Zhao), the account's short forms, the names on the hide list, phone numbers and e-mail
addresses. Free-text notes are left out altogether (their columns are dropped), and so are the
owner and team-map columns that hold our colleagues' names. ``Context.review`` says what was replaced
and what still looks like a name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kamlib.anonymise import Anonymiser, Review, make_codes
from kamlib.export.document import Block, Cell, Column, Kind, Part, Table
from kamlib.health import SECTION_CHAPTERS, PlanHealth, key_account_id
from kamlib.i18n import Lang, Text, t
from kamlib.model.workbook import Account, AccountPlan, KeyPerson, Workbook
from kamlib.people import label, people_by_id
from kamlib.settings import CourseSettings
from kamlib.share_card import card_units


@dataclass(frozen=True)
class Col:
    """A column to build: catalog key ``export.col.<key>``, its kind, and whether it holds free text
    or our colleagues' names (``private``: dropped when anonymised)."""

    key: str
    kind: Kind = "text"
    private: bool = False
    header: str | None = None  # a header that is not a catalog word (e.g. a date)


class Context:
    """The plan as one reader sees it: language, date, names or codes."""

    def __init__(self, workbook: Workbook, lang: Lang, anonymise: bool, now: dt.datetime,
                 settings: CourseSettings, health: PlanHealth) -> None:
        self.workbook = workbook
        self.plan: AccountPlan = workbook.plan
        self.lang: Lang = lang
        self.anonymise = anonymise
        self.now = now
        self.today: dt.date = now.date()
        self.settings = settings
        self.health = health
        self.people: dict[str, KeyPerson] = people_by_id(self.plan.key_persons.items)
        self.key_account: Account | None = next(
            (a for a in self.plan.portfolio.items if a.id == key_account_id(self.plan)), None)
        self.codes: Anonymiser | None = self._codes() if anonymise else None

    def _codes(self) -> Anonymiser:
        plan = self.plan
        key_id = self.key_account.id if self.key_account else plan.share.account_id
        ordered = plan.model_copy(update={"share": plan.share.model_copy(update={"account_id": key_id})})
        return make_codes(ordered, self.lang, card_units(plan, self.key_account))

    # ---- words ---------------------------------------------------------------------------------
    def t(self, key: str, /, **params: Any) -> str:
        return t(key, self.lang, **params)

    def text(self, message: Text) -> str:
        """A catalog message; anonymised, the trainee's words among its parameters lose their names."""
        return self._hide(message).render(self.lang)

    def _hide(self, message: Text) -> Text:
        if self.codes is None:
            return message
        params = {k: self._hide(v) if isinstance(v, Text) else self.short(v) if isinstance(v, str) else v
                  for k, v in message.params.items()}
        return dataclasses.replace(message, params=params)  # a Text subclass keeps its own fields

    def short(self, value: str) -> str:
        """A short text the trainee typed (a topic, a factor, an action): names replaced when anonymised."""
        return self.codes.text(value) if self.codes is not None else value

    def yes_no(self, value: bool) -> str:
        return self.t("export.yes") if value else self.t("export.no")

    def code(self, group: str, value: str | None) -> str:
        """A course code's label from the catalog (``group.value``), "" when not set."""
        return self.t(f"{group}.{value}") if value is not None else ""

    # ---- names ---------------------------------------------------------------------------------
    def account(self, account: Account | None) -> str:
        if account is None:
            return self.t("export.no_account")
        if self.codes is None:
            return account.name
        code = self.codes.label(account.name, self.codes.accounts[account.id], "account")
        industry = self.short(account.industry)
        return self.t("share.anon.account", industry=industry, code=code) if industry else code

    def person(self, person_id: str | None, with_title: bool = True) -> str:
        """A key person: the name (and title), or “title · Person n” when anonymised."""
        if person_id is None:
            return ""
        p = self.people.get(person_id)
        if p is None:
            return self.t("export.unknown_person")
        if self.codes is None:
            return label(p) if with_title else p.name
        code = self.codes.label(p.name, self.codes.persons[p.id], "person")
        title = self.short(p.title)
        return self.t("share.anon.person", title=title, code=code) if title and with_title else code

    def attitude(self, code: str | None) -> str:
        """An attitude as its code and name, e.g. "+ supporter"; "" when not known."""
        return f"{code} {self.t(f'people.attitude.{code}')}" if code is not None else ""

    def persons(self, ids: Sequence[str]) -> str:
        return self.t("i18n.separator").join(self.person(i) for i in ids)

    def shown_people(self) -> list[KeyPerson]:
        """The key persons as a chart may show them: names replaced by codes when anonymised."""
        if self.codes is None:
            return list(self.plan.key_persons.items)
        codes = self.codes
        return [p.model_copy(update={"name": codes.label(p.name, codes.persons[p.id], "person"),
                                     "title": self.short(p.title),
                                     "department": self.short(p.department)})
                for p in self.plan.key_persons.items]

    def unit(self, unit_id: str | None) -> str:
        if unit_id is None:
            return ""
        unit = next((u for u in self.plan.customer_tree.items if u.id == unit_id), None)
        if unit is None:
            return ""
        return self.codes.label(unit.name, self.codes.units[unit.id], "unit") if self.codes is not None else unit.name

    def review(self) -> Review | None:
        """Anonymised: what the sections rendered so far replaced, and what in them still looks like a name."""
        return self.codes.review() if self.codes is not None else None

    # ---- building blocks ---------------------------------------------------------------------------
    def table(self, sheet: str, cols: Sequence[Col], rows: Sequence[Sequence[Cell]], empty: str = "",
              group: str | None = None, group_by: str | None = None) -> Table:
        """A table titled ``export.table.<sheet>``; private columns dropped when anonymised.

        ``group_by`` (a column key) marks a table repeated per item, ``group`` names the item (see ``Table``).
        """
        keep = [i for i, c in enumerate(cols) if not (c.private and self.anonymise)]
        return Table(
            sheet=self.t(f"export.sheet.{sheet}"),
            title=self.t(f"export.table.{sheet}"),
            columns=tuple(Column(cols[i].header or self.t(f"export.col.{cols[i].key}"), cols[i].kind) for i in keep),
            rows=tuple(tuple(row[i] for i in keep) for row in rows),
            empty=empty or self.t("export.empty_table"),
            group=group,
            group_header=self.t(f"export.col.{group_by}") if group_by else "",
        )

    def block(self, key: str, parts: Sequence[Part | None], started: bool | None = None) -> Block:
        """A section of the plan: title, chapter and health from ``kamlib.health``; ``None`` parts skipped."""
        health = self.health.section(key)
        not_started = [self.t("export.not_started")]
        not_started += [self.text(h) for h in health.hints[:1]]
        return Block(
            key=key, chapter=SECTION_CHAPTERS[key], title=self.t(f"health.section.{key}"),
            started=health.started if started is None else started,
            parts=tuple(p for p in parts if p is not None), not_started=" ".join(not_started), health=health,
        )
