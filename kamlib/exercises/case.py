"""A case for an exercise: a fictional rep's account list, loaded as workbook accounts and shown as a table.

The case file ``kamlib/exercises/<name>.toml`` (named by the exercise's ``case`` field) holds codes and
numbers only; account names, industries and the table's words come from the catalogs:
``<catalog>.account.<code>``, ``<catalog>.industry.<industry>`` and ``<catalog>.case.*``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kamlib.errors import GradingError
from kamlib.exercises import EXERCISES_DIR, load_exercise
from kamlib.i18n import Lang, t
from kamlib.model.workbook import (
    Account,
    Amount,
    Attitude,
    Contact,
    Influence,
    InfoLevel,
    KeyPerson,
    Percent,
    Relationship,
    Role,
    Style,
    YearFigures,
)

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]


class CaseAccount(BaseModel):
    """One account of the case: figures per year of the case, oldest first (the last is this year)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    industry: Code
    bp_wan: tuple[Amount, ...]
    sow_pct: tuple[Percent, ...]
    benchmark: bool = False
    influence: Influence | None = None
    relationship: Relationship | None = None


class Case(BaseModel):
    """The case file: the catalog its words come from, its years, its accounts in list order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    catalog: Code
    years: tuple[int, ...] = Field(min_length=1)
    accounts: tuple[CaseAccount, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_figure_per_year(self) -> Case:
        if list(self.years) != sorted(set(self.years)):
            raise ValueError("years must be distinct and in ascending order")
        codes = [a.code for a in self.accounts]
        if len(set(codes)) != len(codes):
            raise ValueError("account codes must be distinct")
        for a in self.accounts:
            if len(a.bp_wan) != len(self.years) or len(a.sow_pct) != len(self.years):
                raise ValueError(f"account {a.code}: one bp_wan and one sow_pct per year")
        return self

    @property
    def this_year(self) -> int:
        return self.years[-1]


@cache
def load_case_data(exercise_id: str) -> Case:
    """The case of the exercise as stored; an exercise without a case is a programming error."""
    name = load_exercise(exercise_id).case
    if name is None:
        raise ValueError(f"exercise {exercise_id} has no case")
    with (EXERCISES_DIR / name).open("rb") as fh:
        return Case.model_validate(tomllib.load(fh))


def account_name(exercise_id: str, code: str, lang: Lang) -> str:
    """The name of a case account in ``lang``."""
    return t(f"{load_case_data(exercise_id).catalog}.account.{code}", lang)


def industry_name(exercise_id: str, industry: str, lang: Lang) -> str:
    """The name of a case industry in ``lang``."""
    return t(f"{load_case_data(exercise_id).catalog}.industry.{industry}", lang)


def load_case(exercise_id: str, lang: Lang = "zh") -> list[Account]:
    """The case's accounts as workbook accounts (id = code), with names and industries in ``lang``."""
    case = load_case_data(exercise_id)
    accounts = []
    for a in case.accounts:
        history = [
            YearFigures(year=year, bp_wan=bp, sow_pct=sow)
            for year, bp, sow in zip(case.years[:-1], a.bp_wan[:-1], a.sow_pct[:-1], strict=True)
        ]
        accounts.append(Account(
            id=a.code, name=account_name(exercise_id, a.code, lang),
            industry=industry_name(exercise_id, a.industry, lang),
            bp_wan=a.bp_wan[-1], sow_pct=a.sow_pct[-1], history=history, benchmark=a.benchmark,
            influence=a.influence, relationship=a.relationship,
        ))
    return accounts


def _number(value: float) -> str:
    return f"{value:,g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def case_markdown(exercise_id: str, lang: Lang) -> str:
    """The case as Markdown: its story, then one table row per account with every year's BP and SoW."""
    case = load_case_data(exercise_id)
    key = f"{case.catalog}.case"

    def year_label(year: int) -> str:
        return t(f"{key}.this_year", lang, year=year) if year == case.this_year else str(year)

    header = [t(f"{key}.col.account", lang), t(f"{key}.col.industry", lang), t(f"{key}.col.benchmark", lang)]
    for year in case.years:
        header += [t(f"{key}.col.bp", lang, year=year_label(year)), t(f"{key}.col.sow", lang, year=year_label(year))]
    header += [t(f"{key}.col.influence", lang), t(f"{key}.col.relationship", lang)]
    align = [":--"] * 3 + ["--:"] * (2 * len(case.years)) + [":-:"] * 2
    rows = ["| " + " | ".join(_cell(h) for h in header) + " |", "| " + " | ".join(align) + " |"]
    for a in case.accounts:
        cells = [
            account_name(exercise_id, a.code, lang),
            industry_name(exercise_id, a.industry, lang),
            t(f"{key}.{'yes' if a.benchmark else 'no'}", lang),
        ]
        for bp, sow in zip(a.bp_wan, a.sow_pct, strict=True):
            cells += [_number(bp), _number(sow)]
        cells += [
            t(f"{key}.influence.{a.influence}", lang) if a.influence else "—",
            t(f"{key}.relationship.{a.relationship}", lang) if a.relationship else "—",
        ]
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    parts = [t(f"{key}.heading", lang), t(f"{key}.intro", lang), "\n".join(rows), t(f"{key}.note", lang)]
    return "\n\n".join(parts)


# ---- a case of key persons (exercise 02): the people at one account and pieces of information ----------------


class CasePerson(BaseModel):
    """A key person of the case with their true codes (chapter 2.4); ``reports_to`` None: nobody in the case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    reports_to: Code | None = None
    role: Role
    style: Style
    attitude: Attitude
    contact: Contact
    influences: tuple[Code, ...] = ()  # the people this person influences


class CaseInfo(BaseModel):
    """A piece of information about the account (or about us) and its true level of the pyramid (chapter 2.1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    level: InfoLevel


class PeopleCase(BaseModel):
    """The case file of a key-person exercise: catalog, the account's catalog key, its people and information."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    catalog: Code
    account: str  # catalog key of the account's name, e.g. "ex01.account.a09"
    people: tuple[CasePerson, ...] = Field(min_length=1)
    info: tuple[CaseInfo, ...] = ()

    @model_validator(mode="after")
    def _a_sound_chart(self) -> PeopleCase:
        codes = [p.code for p in self.people]
        if len(set(codes)) != len(codes) or len({i.code for i in self.info}) != len(self.info):
            raise ValueError("person and information codes must be distinct")
        for p in self.people:
            others = set(codes) - {p.code}
            if (p.reports_to is not None and p.reports_to not in others) or not set(p.influences) <= others:
                raise ValueError(f"person {p.code}: reports_to and influences name other people of the case")
        boss = {p.code: p.reports_to for p in self.people}
        for first in codes:  # every chain of superiors ends: no one reports to themself in a loop
            seen: set[str] = set()
            code: str | None = first
            while code is not None:
                if code in seen:
                    raise ValueError("the reporting lines form a loop")
                seen.add(code)
                code = boss[code]
        return self

    def person(self, code: str) -> CasePerson:
        for p in self.people:
            if p.code == code:
                return p
        raise KeyError(code)


class PeopleOutline(BaseModel):
    """What trainees get of a key-person case: the story's catalog, the account, who is in it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    catalog: Code
    account: str
    people: tuple[str, ...] = Field(min_length=1)


def _case_path(exercise_id: str) -> Path:
    name = load_exercise(exercise_id).case
    if name is None:
        raise ValueError(f"exercise {exercise_id} has no case")
    return EXERCISES_DIR / name


def _load_toml(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def is_people_case(exercise_id: str) -> bool:
    """Whether the exercise's case is a case of key persons (else an account list)."""
    return "people" in _load_toml(_case_path(exercise_id))


@cache
def load_people_outline(exercise_id: str) -> PeopleOutline:
    """The shipped part of a key-person case (no answers)."""
    return PeopleOutline.model_validate(_load_toml(_case_path(exercise_id)))


@cache
def load_people_case(exercise_id: str) -> PeopleCase:
    """The whole key-person case with its true codes: instructor material beside the key (solutions/keys)."""
    from kamlib.grading import keys_dir

    path = keys_dir() / Path(_case_path(exercise_id)).name
    if not path.is_file():
        raise GradingError("grading.no_key", exercise=exercise_id, file=str(path))
    return PeopleCase.model_validate(_load_toml(path))


def person_label(exercise_id: str, code: str, lang: Lang) -> str:
    """How a person of the case reads in ``lang``: name and title."""
    return t(f"{load_people_outline(exercise_id).catalog}.who.{code}", lang)


def case_people(exercise_id: str, lang: Lang = "zh") -> list[KeyPerson]:
    """The case's people as workbook key persons (id = code) with their true codes; A and D form the decision layer."""
    case = load_people_case(exercise_id)
    return [
        KeyPerson(
            id=p.code, name=person_label(exercise_id, p.code, lang), reports_to=p.reports_to, role=p.role,
            style=p.style, attitude=p.attitude, contact=p.contact, decision_layer=p.role in ("A", "D"),
            influences=list(p.influences),
        )
        for p in case.people
    ]


def people_case_markdown(exercise_id: str, lang: Lang) -> str:
    """The key-person case as Markdown: heading, the account's situation, the story of each person, who is who."""
    case = load_people_outline(exercise_id)
    key = f"{case.catalog}.case"
    account = t(case.account, lang)
    people = t("i18n.separator", lang).join(person_label(exercise_id, code, lang) for code in case.people)
    parts = [
        t(f"{key}.heading", lang, account=account), t(f"{key}.intro", lang, account=account),
        t(f"{key}.story", lang), t(f"{key}.people", lang, people=people),
    ]
    return "\n\n".join(parts)


def exercise_case_markdown(exercise_id: str, lang: Lang) -> str:
    """The exercise's case as Markdown, whichever kind of case it is."""
    if is_people_case(exercise_id):
        return people_case_markdown(exercise_id, lang)
    return case_markdown(exercise_id, lang)
