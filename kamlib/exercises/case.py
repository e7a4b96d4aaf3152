"""A case for an exercise: a fictional rep's account list, loaded as workbook accounts and shown as a table.

The case file ``kamlib/exercises/<name>.toml`` (named by the exercise's ``case`` field) holds codes and
numbers only; account names, industries and the table's words come from the catalogs:
``<catalog>.account.<code>``, ``<catalog>.industry.<industry>`` and ``<catalog>.case.*``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kamlib.exercises import EXERCISES_DIR, load_exercise
from kamlib.i18n import Lang, t
from kamlib.model.workbook import Account, Amount, Influence, Percent, Relationship, YearFigures

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
