"""Chapter 4 (continuous account management) and special topic 2 (crisis handling).

Every field added after schema v5 has a default, so older files load unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from kamlib.model.base import Amount, Model, Name, Note, Row, ShortText

Stage = Literal["no_sales", "price", "product", "needs", "consultant"]
CellStatus = Literal["bought", "open", "na"]
OrgItem = Literal[
    "consulting", "outsourcing", "alliance", "structure_other",
    "customisation", "system_development", "technology_other",
    "resident_engineers", "financing", "advertising_exchange", "marketing_cooperation", "support_other",
]
OrgStatus = Literal["in_place", "planned"]
Activity = Literal[
    "service_supply", "finance", "certification", "training", "strategic_cooperation", "executive_care", "other",
]
QuestionNumber = Annotated[int, Field(ge=1, le=8)]
Phase = Literal["acknowledge", "contain", "fix", "repair", "prevent"]
CrisisKind = Literal["quality", "delivery", "service", "price", "people", "compliance", "other"]
# The attitude codes of chapter 2.4, as ``workbook.Attitude`` (which cannot be imported here: workbook imports us).
Attitude = Literal["*", "+", "=", "-", "/"]


class Assessment(Row):
    """A dated substitutability assessment: the eight yes/no questions (chapter 4)."""

    taken_on: dt.date
    answers: list[bool] = Field(min_length=8, max_length=8)
    notes: Note = ""
    crisis_id: str | None = None  # the crisis after which this assessment was re-run (special topic 2)


class LeverageInputs(Model):
    """The profit-leverage calculator's figures: yuan per unit, units, yuan of fixed cost, the change in %."""

    price: Amount | None = None
    material_cost: Amount | None = None
    variable_cost: Amount | None = None  # freight, manufacturing, service, … per unit
    volume: Amount | None = None
    fixed_cost: Amount = 0.0
    change_pct: float = Field(1.0, gt=0, le=50, allow_inf_nan=False)


class ProductLine(Row):
    """One of our product lines, a column of the whitespace map."""

    name: Name
    notes: Note = ""


class WhitespaceCell(Model):
    """What a unit of the customer tree does with one product line: bought, an open opportunity, not applicable."""

    unit_id: str
    line_id: str
    status: CellStatus


class OrgRelation(Row):
    """One tie of the organisational customer relationship, in place or planned (kind follows from the item)."""

    item: OrgItem
    status: OrgStatus = "in_place"
    description: Note = ""
    since: dt.date | None = None


class PlannedActivity(Row):
    """A marketing activity aimed at questions of the assessment that scored 0 (chapter 4, step 3)."""

    activity: Activity
    text: Name
    questions: list[QuestionNumber] = Field(default_factory=list)
    owner: ShortText = ""
    due_on: dt.date | None = None
    done: bool = False


class StageChoice(Model):
    """The relationship stage we are in (chapter 4, step 2), the evidence, and the stage we aim for by when."""

    current: Stage | None = None
    evidence: Note = ""
    target: Stage | None = None
    target_on: dt.date | None = None


class Retention(Model):
    """Chapter 4's inputs about the account that are not dated rows."""

    leverage: LeverageInputs = Field(default_factory=LeverageInputs)
    product_lines: list[ProductLine] = Field(default_factory=list)
    whitespace: list[WhitespaceCell] = Field(default_factory=list)
    relations: list[OrgRelation] = Field(default_factory=list)
    activities: list[PlannedActivity] = Field(default_factory=list)
    stage: StageChoice = Field(default_factory=StageChoice)
    updated_at: dt.datetime | None = None

    @model_validator(mode="after")
    def _one_status_per_cell(self) -> Retention:
        seen: set[tuple[str, str]] = set()
        for cell in self.whitespace:
            pair = (cell.unit_id, cell.line_id)
            if pair in seen:
                raise PydanticCustomError("kam", "{key}", {"key": "retention.error.cell_twice"})
            seen.add(pair)
        return self


class AffectedPerson(Row):
    """A key person (chapter 2 map) the crisis touched, with their attitude before and after it."""

    person_id: str
    before: Attitude | None = None
    after: Attitude | None = None
    note: Note = ""


class ResponseStep(Row):
    """A step of the response plan, in one of the playbook's five phases."""

    phase: Phase
    action: Name
    owner: ShortText = ""
    due_on: dt.date | None = None
    done_on: dt.date | None = None


class Crisis(Row):
    """An incident of the crisis log (special topic 2); ``notes`` tells what happened."""

    title: Name
    happened_on: dt.date | None = None
    severity: int = Field(2, ge=1, le=3)
    notes: Note = ""
    kind: CrisisKind | None = None
    detected_on: dt.date | None = None
    products: ShortText = ""  # the products or services involved, in the trainee's words
    line_ids: list[str] = Field(default_factory=list)  # product lines of chapter 4 involved
    root_cause: Note = ""
    affected: list[AffectedPerson] = Field(default_factory=list)
    steps: list[ResponseStep] = Field(default_factory=list)

    @model_validator(mode="after")
    def _each_person_once(self) -> Crisis:
        ids = [a.person_id for a in self.affected]
        if len(set(ids)) != len(ids):
            raise PydanticCustomError("kam", "{key}", {"key": "crisis.error.person_twice"})
        return self
