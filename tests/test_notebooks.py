"""Every notebook: stored clean, parameterised, and run headless by papermill in both languages."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from kamlib import paths
from kamlib.grading import load_key, model_answers
from kamlib.model import Trainee, create_workbook, update_workbook
from kamlib.model.workbook import (
    Account,
    Action,
    CampaignStep,
    Factor,
    InformationItem,
    KeyAccountPick,
    KeyPerson,
    Measure,
    ShareCard,
    StrategyChoice,
    TeamPair,
    TreeUnit,
    Workbook,
    YearFigures,
)
from kamlib.submission import Submission, write_submission

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p for folder in ("notebooks", "exercises", "solutions", "instructor") for p in (ROOT / folder).rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]
CJK = re.compile(r"[\u4e00-\u9fff]")
ALLOWED_IN_EN = set("万元语言中文")  # course units and the bilingual language label


def _parameters(nb: nbformat.NotebookNode) -> set[str]:
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "exactly one cell tagged 'parameters'"
    return set(re.findall(r"^(\w+)\s*=", cells[0].source, flags=re.M))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_without_outputs_and_with_parameters(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    names = _parameters(nb)
    assert "lang" in names
    assert names & {"workbook", "keys"}, "a workbook (or keys) parameter so tests use copies"
    assert nb.metadata.kernelspec.name == "python3"


@pytest.fixture
def scratch(home: Path) -> dict[str, str]:
    """A copy-workbook and a submissions folder, for the notebooks' parameters."""
    workbook = home / "copy" / "trainee.json"
    create_workbook(Trainee(id="copy", name="Test Trainee", team="QA"), workbook)
    update_workbook(workbook, _sample_plan)
    return {"workbook": str(workbook), "submissions": str(home / "subs")}


def _sample_plan(wb: Workbook) -> None:
    """A small plan in every chapter-1 section, so that the notebooks draw every chart."""
    history = [YearFigures(year=2024, bp_wan=700, sow_pct=55), YearFigures(year=2025, bp_wan=800, sow_pct=52)]
    accounts = [
        Account(name="Harbour Bank", industry="Banking", segment="lb", bp_wan=900, sow_pct=60, history=history),
        Account(name="Metro Hospital", industry="Health", segment="industry", bp_wan=650, sow_pct=5, benchmark=True),
        Account(name="City Bureau", industry="Government", segment="ga", bp_wan=120, sow_pct=0),
    ]
    wb.plan.portfolio.items = accounts
    wb.plan.key_accounts = [KeyAccountPick(account_id=accounts[0].id, kind="top"),
                            KeyAccountPick(account_id=accounts[1].id, kind="strategic")]
    head = TreeUnit(name="Harbour Bank HQ", kind="unit")
    branch = TreeUnit(name="East branch", kind="dmu", parent_id=head.id, bp_wan=500)
    wb.plan.customer_tree.items = [head, branch, TreeUnit(name="Credit dept", kind="user", parent_id=branch.id)]
    wb.plan.share = ShareCard(account_id=accounts[0].id, goal="Raise SoW to 70%", problem="New CIO",
                              organisation="CIO and procurement")
    wb.plan.focus_account = accounts[0].id
    vp = KeyPerson(name="Chen", title="Senior VP", role="A", style="D", attitude="=", contact="0", decision_layer=True)
    cio = KeyPerson(name="Zhou", title="CIO", reports_to=vp.id, role="D", style="A", attitude="+", contact="N",
                    influences=[vp.id], inner_circle=True)
    wb.plan.key_persons.items = [vp, cio, KeyPerson(name="Wu", title="System manager", reports_to=cio.id, role="U",
                                                    style="E", attitude="*", contact="F")]
    wb.plan.information.items = [InformationItem(level="public", topic="Annual report", status="known"),
                                 InformationItem(level="important", topic="Budget", status="partly")]
    wb.plan.factors.items = [Factor(text="Price above the rival", advantage=False, strong_control=True),
                             Factor(text="Fast service response", advantage=True, strong_control=True, importance=3),
                             Factor(text="Rival's product is stronger", advantage=False, strong_control=False)]
    _sample_chapter_3(wb, vp, cio)


def _sample_chapter_3(wb: Workbook, vp: KeyPerson, cio: KeyPerson) -> None:
    """A chosen strategy, a measure, a campaign row, a team pair and dated actions (one overdue)."""
    wb.plan.strategy = StrategyChoice(chosen="persevere", reason="We control most factors")
    wb.plan.measures.items = [Measure(priority=1, key_factor="Price above the rival", measures="Re-configure")]
    wb.plan.campaign.items = [CampaignStep(person_id=vp.id, priority=1, goal="to_supporter", aim="Executive visit")]
    wb.plan.team.items = [TeamPair(stage="middle", our_name="Li", our_role="account_manager", their_id=cio.id)]
    wb.plan.actions.items = [
        Action(text="Visit the CIO", person_id=cio.id, target_on=dt.date(2026, 1, 10), commitment="Visit"),
        Action(text="Trial unit", target_on=dt.date(2026, 2, 1), done_on=dt.date(2026, 2, 3), status="done"),
    ]


def _texts(nb: nbformat.NotebookNode) -> list[str]:
    out = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            out += [data[m] for m in ("text/markdown", "text/html") if m in data]
    return out


@pytest.mark.notebook  # runs notebooks in a kernel (papermill): `make check` leaves it out
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_runs_headless_in_both_languages(path: Path, lang: str, scratch: dict, tmp_path: Path) -> None:
    names = _parameters(nbformat.read(path, as_version=4))
    params = {"lang": lang, **{k: v for k, v in scratch.items() if k in names}}
    exercise_id = path.stem.split("_")[0]
    if "submission" in names:  # a model submission of the notebook's own exercise, to be scored
        sub = Submission(exercise_id=exercise_id, trainee=Trainee(id="copy", name="Test Trainee"),
                         answers=model_answers(load_key(exercise_id), lang))
        params["submission"] = str(write_submission(sub, scratch["submissions"]))
    out = tmp_path / f"{path.stem}-{lang}.ipynb"
    pm.execute_notebook(
        str(path), str(out), parameters=params, kernel_name="python3", cwd=str(path.parent),
        execution_timeout=120, start_timeout=120, progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    texts = _texts(nb)
    assert not [t for t in texts if "kam-error" in t], "a display showed an error message"
    assert texts, "the notebook shows something"
    if lang == "zh":
        assert any(CJK.search(t) for t in texts)
    else:
        stray = {ch for t in texts for ch in CJK.findall(t)} - ALLOWED_IN_EN
        assert stray == set(), "Chinese text in the English run"
    assert not paths.workbook_dir().exists() or not any(paths.workbook_dir().glob("*.json"))


@pytest.mark.notebook
def test_start_page_shows_progress_of_a_filled_workbook(scratch: dict, tmp_path: Path) -> None:

    update_workbook(scratch["workbook"], lambda wb: wb.plan.portfolio.items.append(Account(name="ACME")))
    # 4 accounts, picks, tree and card: every chapter-1 section holds something
    out = tmp_path / "start.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "00_start_here.ipynb"), str(out),
        parameters={"lang": "en", "workbook": scratch["workbook"]}, kernel_name="python3",
        execution_timeout=120, progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    joined = "\n".join(_texts(nb))
    assert "Workbook of **Test Trainee**" in joined and "| Chapter 1 Key account screening | 4/4 |" in joined
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the progress chart
    saved = json.loads(Path(scratch["workbook"]).read_text(encoding="utf-8"))
    assert saved["trainee"]["name"] == "Test Trainee"


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", ["notebooks/00_start_here.ipynb", "exercises/ex00_warmup.ipynb"])
def test_damaged_workbook_is_explained_not_a_traceback(notebook: str, scratch: dict, tmp_path: Path) -> None:
    Path(scratch["workbook"]).write_text("{ not json", encoding="utf-8")
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(ROOT / notebook), str(out), parameters={"lang": "en", "workbook": scratch["workbook"]},
        kernel_name="python3", cwd=str((ROOT / notebook).parent), execution_timeout=120,
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    shown = json.dumps([o for c in nb.cells for o in c.get("outputs", [])])
    assert "is damaged" in shown and "Traceback" not in shown
    assert Path(scratch["workbook"]).read_text(encoding="utf-8") == "{ not json"


@pytest.mark.notebook
def test_uncaught_error_shows_a_plain_message_and_still_fails(tmp_path: Path) -> None:
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[
        new_code_cell("from kamlib.forms.page import Page\npage = Page(lang='zh')"),
        new_code_cell("from kamlib.model import load_workbook\nload_workbook('missing.json')"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    src = tmp_path / "raise.ipynb"
    nbformat.write(nb, src)
    with pytest.raises(pm.PapermillExecutionError):
        pm.execute_notebook(str(src), str(tmp_path / "out.ipynb"), kernel_name="python3",
                            cwd=str(tmp_path), progress_bar=False)
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    (error,) = [o for c in out.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert error.traceback == [error.traceback[0]] and "找不到练习手册文件" in error.traceback[0]
    assert "Traceback" not in error.traceback[0]
