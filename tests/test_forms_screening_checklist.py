"""Chapter 1 step 2 without a browser: the guidelines checklist, the proposal with candidates and criteria,
the RADP table's verdicts and the LEVEL3 note read from the settings in force."""

from __future__ import annotations

from pathlib import Path

from kamlib.forms import screening as ch1
from kamlib.forms.page import Page
from kamlib.forms.screening_checklist import ChecklistForm
from kamlib.model import load_workbook, update_workbook
from kamlib.model.workbook import Account, YearFigures
from tests.form_checks import form_of, shown


def _history(*figures: tuple[int, float, float]) -> list[YearFigures]:
    return [YearFigures(year=y, bp_wan=b, sow_pct=s) for y, b, s in figures]


def _list(workbook_file: Path) -> dict[str, str]:
    accounts = [
        Account(name="Harbour Bank", bp_wan=900, sow_pct=60, history=_history((2023, 800, 55), (2024, 850, 52))),
        Account(name="New Steel", bp_wan=1200, sow_pct=30),  # R/D level 3 this year only: a candidate
        Account(name="Metro Hospital", bp_wan=650, sow_pct=5, benchmark=True,
                history=_history((2023, 600, 0), (2024, 620, 3))),
        Account(name="City Bureau", bp_wan=120, sow_pct=0),
    ]
    update_workbook(workbook_file, lambda wb: wb.plan.portfolio.items.extend(accounts))
    return {a.name: a.id for a in accounts}


def test_checklist_ticks_are_saved_per_account_and_shown_beside_the_proposal(workbook_file: Path) -> None:
    ids = _list(workbook_file)
    page = Page(lang="en")
    form = ch1.checklist_form(page)
    picks = ch1.picks_form(page)
    assert form is not None and picks is not None
    labels = [label for label, _ in form.account.options]
    assert [label.split(" · ")[0] for label in labels] == ["Harbour Bank", "Metro Hospital", "New Steel"]
    assert form.boxes["benchmark"].description == "An industry benchmark company"
    form.account.value = ids["Harbour Bank"]
    assert "place 1 on your list (of 4 accounts with figures)" in form.rank.value
    form.boxes["output_rank"].value = True
    form.boxes["fight_competitor"].value = True
    form.save_button.click()
    assert form.status.kind == "ok" and "“Harbour Bank”: 2 met" in form.status.text
    saved = {a.name: a for a in load_workbook(workbook_file).plan.portfolio.items}
    assert saved["Harbour Bank"].criteria == ["output_rank", "fight_competitor"]
    # the benchmark tick is the account's benchmark flag, which the Strategic rule reads
    form.account.value = ids["Metro Hospital"]
    assert form.boxes["benchmark"].value is True
    form.boxes["benchmark"].value = False
    form.save_button.click()
    assert load_workbook(workbook_file).plan.portfolio.items[2].benchmark is False
    form.boxes["benchmark"].value = True
    form.save_button.click()
    # the proposal beside it: proposed accounts, the candidate whose history is missing, the criteria met
    proposal = picks.proposal.value
    assert "Top: Harbour Bank; Strategic: Metro Hospital" in proposal
    assert "Candidates" in proposal and "New Steel (missing 2023, 2024)" in proposal
    assert "Harbour Bank meets 2 (Historical output, Fighting a competitor)" in proposal
    assert "Metro Hospital meets 1 (Benchmark)" in proposal and "New Steel has nothing ticked yet" in proposal
    # the table below the checklist
    table = next(text for text in shown(page) if "Output place" in text)
    harbour = next(line for line in table.splitlines() if line.startswith("| Harbour Bank"))
    assert "Top account" in harbour and harbour.count("✓") == 2 and "2/5" in harbour
    steel = next(line for line in table.splitlines() if line.startswith("| New Steel"))
    assert "Top candidate: figures missing for 2023, 2024" in steel


def test_reopened_checklist_shows_the_saved_ticks_in_chinese(workbook_file: Path) -> None:
    ids = _list(workbook_file)
    update_workbook(workbook_file, lambda wb: setattr(wb.plan.portfolio.items[0], "criteria", ["major_opportunity"]))
    page = Page(lang="zh")
    ch1.checklist_form(page)
    form = form_of(page, ChecklistForm)
    form.account.value = ids["Harbour Bank"]
    assert form.boxes["major_opportunity"].value is True and form.boxes["output_rank"].value is False
    assert form.boxes["major_opportunity"].description == "年度有重大项目和商机"
    assert "排第 1 位" in form.rank.value


def test_radp_table_says_top_strategic_or_candidate(workbook_file: Path) -> None:
    _list(workbook_file)
    page = Page(lang="en")
    ch1.radp_view(page)
    table = next(text for text in shown(page) if "| Account |" in text)
    rows = {line.split(" | ")[0][2:]: line for line in table.splitlines() if line.startswith("| ")}
    assert rows["Harbour Bank"].endswith("Top account |")
    assert rows["Metro Hospital"].endswith("Strategic account |")
    assert "Top candidate: figures missing for 2023, 2024" in rows["New Steel"]
    assert rows["City Bureau"].endswith(" |  |")


def test_level3_note_says_the_deck_is_inconsistent_and_reads_the_settings(workbook_file: Path, home: Path) -> None:
    page = Page(lang="en")
    ch1.picks_form(page)
    ch1.radp_view(page)
    text = "\n".join(shown(page))
    assert "The deck is inconsistent here" in text and "BP ≥ 500万" in text and "bp_level3_wan" in text
    assert "LEVEL3 ≥ 500万" in text
    (home / "course-settings.toml").write_text("[radp]\nbp_level2_wan = 200\nbp_level3_wan = 300\n",
                                               encoding="utf-8")
    page = Page(lang="zh")
    ch1.picks_form(page)
    ch1.radp_view(page)
    zh = "\n".join(shown(page))
    assert "课件在这里前后不一致" in zh and "BP ≥ 300万" in zh and "LEVEL3 ≥ 300万" in zh
    assert "course-settings.toml" in zh


def test_unregistered_page_has_no_checklist(home: Path) -> None:
    assert ch1.checklist_form(ch1.open_page(lang="en")) is None


def test_ticking_an_account_deleted_in_another_tab_says_so_and_saves_nothing(workbook_file: Path) -> None:
    ids = _list(workbook_file)
    form = ch1.checklist_form(Page(lang="en"))
    assert form is not None
    form.account.value = ids["Harbour Bank"]
    form.boxes["output_rank"].value = True
    update_workbook(workbook_file, lambda wb: wb.plan.portfolio.items.pop(0))  # the other tab deletes it
    before = workbook_file.read_bytes()
    form.save_button.click()
    assert form.status.kind == "error" and "no longer on your list" in form.status.text
    assert workbook_file.read_bytes() == before
