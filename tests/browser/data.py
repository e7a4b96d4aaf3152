"""The trainee the browser tests work as: a registered workbook with a small chapter-1 plan."""

from __future__ import annotations

from pathlib import Path

from kamlib.grading import keys_dir, load_key, model_answers
from kamlib.model import Trainee, create_workbook, update_workbook
from kamlib.model.workbook import (
    Account,
    InformationItem,
    KeyAccountPick,
    KeyPerson,
    TreeUnit,
    Workbook,
    YearFigures,
)
from kamlib.submission import Submission, write_submission


def _plan(wb: Workbook) -> None:
    history = [YearFigures(year=2024, bp_wan=700, sow_pct=55), YearFigures(year=2025, bp_wan=800, sow_pct=52)]
    accounts = [
        Account(name="Harbour Bank", industry="Banking", segment="lb", bp_wan=900, sow_pct=60, history=history),
        Account(name="Metro Hospital", industry="Health", segment="industry", bp_wan=650, sow_pct=5, benchmark=True),
    ]
    wb.plan.portfolio.items = accounts
    wb.plan.key_accounts = [KeyAccountPick(account_id=accounts[0].id, kind="top")]
    head = TreeUnit(name="Harbour Bank HQ", kind="unit")
    wb.plan.customer_tree.items = [head, TreeUnit(name="East branch", kind="dmu", parent_id=head.id, bp_wan=500)]
    wb.plan.focus_account = accounts[0].id
    vp = KeyPerson(name="Chen", title="Senior VP", role="A", style="D", attitude="=", contact="0")
    wb.plan.key_persons.items = [vp, KeyPerson(name="Zhou", title="CIO", reports_to=vp.id, role="D", style="A",
                                               attitude="+", contact="N", influences=[vp.id])]
    wb.plan.information.items = [InformationItem(level="public", topic="Annual report", status="known")]


def fill_home(home: Path) -> None:
    """Register trainee ``browser`` in ``home`` and hand in one model submission per exercise."""
    path = home / "workbook" / "browser.json"
    trainee = Trainee(id="browser", name="Browser Trainee", team="QA", language="en")
    create_workbook(trainee, path)
    update_workbook(path, _plan)
    (home / "workbook" / ".last-trainee").write_text("browser", encoding="utf-8")
    for exercise in sorted(p.stem for p in keys_dir().glob("ex??.toml")):
        answers = model_answers(load_key(exercise), "en")
        write_submission(Submission(exercise_id=exercise, trainee=trainee, answers=answers), home / "submissions")
