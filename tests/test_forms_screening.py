"""Chapter 1 forms without a browser: enter accounts, pick, build the tree, as a trainee would."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamlib.forms import screening as ch1
from kamlib.forms.page import Page
from kamlib.forms.rows import NEW
from kamlib.model import load_workbook
from kamlib.model.workbook import Account, KeyAccountPick, Workbook, YearFigures


def _add(editor, **values) -> str:
    editor.picker.value = NEW
    for name, value in values.items():
        editor.inputs[name].value = value
    return editor.save()


def test_enter_an_account_with_history(workbook_file: Path) -> None:
    page = Page(lang="en")
    editor = ch1.account_editor(page)
    assert editor.inputs["bp_wan"].description == "Buying power BP (万元 = 10,000 yuan)"
    _add(editor, name="ICBC Anhui", industry="Banking", segment="lb", bp_wan="1,200", sow_pct="35%",
         benchmark=True, relationship="good")
    history = editor.inputs["history"]
    history.rows[0][0].value, history.rows[0][1].value, history.rows[0][2].value = "2024", "900", "30"
    editor.save()
    (account,) = load_workbook(workbook_file).plan.portfolio.items
    assert (account.bp_wan, account.sow_pct, account.segment, account.benchmark) == (1200, 35, "lb", True)
    assert account.history == [YearFigures(year=2024, bp_wan=900, sow_pct=30)]
    assert editor.picker.value == account.id  # the saved row stays selected
    assert "D3" in editor.picker.label


@pytest.mark.parametrize(("lang", "words"), [("en", ["Share of wallet SoW (%)", "abc"]),
                                             ("zh", ["钱包份额 SoW（%）", "abc"])])
def test_bad_number_names_the_field_and_keeps_the_list(workbook_file: Path, lang: str, words) -> None:
    editor = ch1.account_editor(Page(lang=lang))
    _add(editor, name="ACME", bp_wan="100", sow_pct="10")
    before = workbook_file.read_bytes()
    editor.picker.value = NEW
    editor.inputs["name"].value, editor.inputs["sow_pct"].value = "Beta", "abc"
    editor.save_button.click()
    assert editor.status.kind == "error" and all(w in editor.status.text for w in words)
    assert workbook_file.read_bytes() == before
    assert editor.inputs["name"].value == "Beta"  # what was typed stays


def test_out_of_range_sow_is_refused_by_the_model(workbook_file: Path) -> None:
    editor = ch1.account_editor(Page(lang="en"))
    editor.picker.value = NEW
    editor.inputs["name"].value, editor.inputs["sow_pct"].value = "ACME", "130"
    editor.save_button.click()
    assert "Share of wallet SoW (%)" in editor.status.text and "100" in editor.status.text
    assert load_workbook(workbook_file).plan.portfolio.items == []


def test_edit_and_delete_a_row(workbook_file: Path) -> None:
    editor = ch1.account_editor(Page(lang="en"))
    row_id = _add(editor, name="ACME", bp_wan="100", sow_pct="10")
    editor.picker.value = row_id
    assert editor.inputs["bp_wan"].value == "100"
    editor.inputs["bp_wan"].value = "650"
    editor.save()
    assert load_workbook(workbook_file).plan.portfolio.items[0].bp_wan == 650
    editor.delete_button.click()
    assert load_workbook(workbook_file).plan.portfolio.items == []


@pytest.mark.parametrize(("lang", "words"), [("en", ["already on your account list", "account 1"]),
                                             ("zh", ["\u5df2\u5728\u4f60\u7684\u5ba2\u6237\u6e05\u5355\u4e2d",
                                                     "\u7b2c 1 \u4e2a\u5ba2\u6237"])])
def test_an_account_named_like_one_on_the_list_is_refused(workbook_file: Path, lang: str, words) -> None:
    editor = ch1.account_editor(Page(lang=lang))
    first = _add(editor, name="ICBC Anhui", bp_wan="100", sow_pct="10")
    before = workbook_file.read_bytes()
    full_width = "\uff49\uff43\uff42\uff43\u3000\uff21\uff4e\uff48\uff55\uff49"  # ｉｃｂｃ　Ａｎｈｕｉ
    for typed in ("ICBC Anhui", "  icbc anhui ", full_width):
        editor.picker.value = NEW
        editor.inputs["name"].value = typed
        editor.save_button.click()
        assert editor.status.kind == "error" and all(w in editor.status.text for w in words)
        assert f"\u201c{typed.strip()}\u201d" in editor.status.text and "\u201cICBC Anhui\u201d" in editor.status.text
        assert workbook_file.read_bytes() == before  # nothing saved
        assert editor.inputs["name"].value == typed  # what was typed stays
    other = _add(editor, name="Beta", bp_wan="50")
    editor.picker.value = other
    editor.inputs["name"].value = "ICBC anhui"  # renaming another account to a name on the list: refused too
    editor.save_button.click()
    assert editor.status.kind == "error"
    editor.picker.value = first
    editor.inputs["bp_wan"].value = "120"  # an account keeps its own name when edited
    editor.save()
    assert [a.bp_wan for a in load_workbook(workbook_file).plan.portfolio.items] == [120, 50]


def test_a_list_with_the_same_account_twice_says_so_and_an_import_updates_neither(workbook_file: Path,
                                                                                 tmp_path: Path) -> None:
    from kamlib.model import update_workbook
    from tests.form_checks import shown

    update_workbook(workbook_file, lambda wb: wb.plan.portfolio.items.extend(
        [Account(name="ACME", bp_wan=100), Account(name="Beta"), Account(name="acme ", bp_wan=200)]))
    page = Page(lang="en")
    ch1.account_editor(page)
    warning = next(s for s in shown(page) if "more than once" in s)
    assert "\u201cACME\u201d (account 1), \u201cacme\u201d (account 3)" in warning
    csv = tmp_path / "list.csv"
    csv.write_text("Account,BP (\u4e07\u5143),SoW (%)\nAcme,300,10\nGamma,40,0\ngamma,50,0\n", encoding="utf-8")
    form = ch1.ImportForm(page)
    assert form.import_file(csv) == (1, 0, 2)
    accounts = load_workbook(workbook_file).plan.portfolio.items
    assert [(a.name, a.bp_wan) for a in accounts] == [("ACME", 100), ("Beta", None), ("acme", 200), ("Gamma", 40)]
    assert "row 2" in form.status.text and "2 times" in form.status.text  # neither twin updated
    assert "row 4" in form.status.text and "same account as row 3" in form.status.text


def test_a_deleted_row_can_be_put_back_where_it_was(workbook_file: Path) -> None:
    editor = ch1.account_editor(Page(lang="en"))
    ids = [_add(editor, name=name, bp_wan="100") for name in ("Alpha", "Beta", "Gamma")]
    before = load_workbook(workbook_file).plan.portfolio.items[1]
    assert editor.undo_button.layout.display == "none"  # nothing to undo yet
    editor.picker.value = ids[1]
    editor.delete_button.click()
    assert [a.name for a in load_workbook(workbook_file).plan.portfolio.items] == ["Alpha", "Gamma"]
    assert "Deleted \u201cBeta" in editor.status.text
    assert editor.undo_button.layout.display != "none" and "Beta" in editor.undo_button.description
    editor.page.set_lang("zh")
    assert "\u64a4\u9500" in editor.undo_button.description  # relabelled: 撤销
    editor.undo_button.click()
    items = load_workbook(workbook_file).plan.portfolio.items
    assert [a.name for a in items] == ["Alpha", "Beta", "Gamma"] and items[1] == before  # same id and figures
    assert editor.picker.value == ids[1] and editor.status.kind == "ok"
    assert editor.undo_button.layout.display == "none"
    editor.picker.value = ids[0]
    editor.delete_button.click()
    _add(editor, name="Delta")  # the next save ends the offer
    assert editor.undo_button.layout.display == "none"
    assert editor.undo_delete() is None


def test_an_undo_cannot_bring_back_a_name_taken_meanwhile(workbook_file: Path) -> None:
    editor = ch1.account_editor(Page(lang="en"))
    row = _add(editor, name="Alpha")
    editor.picker.value = row
    editor.delete_button.click()
    _add(ch1.account_editor(Page(lang="en")), name="alpha")  # another tab adds it again
    editor.undo_button.click()
    assert editor.status.kind == "error" and "already on your account list" in editor.status.text
    assert [a.name for a in load_workbook(workbook_file).plan.portfolio.items] == ["alpha"]


def _portfolio(workbook_file: Path) -> dict[str, str]:
    from kamlib.model import update_workbook

    accounts = [
        Account(name="Top1", bp_wan=900, sow_pct=60, history=[YearFigures(year=2024, bp_wan=800, sow_pct=55)]),
        Account(name="Top2", bp_wan=700, sow_pct=20),
        Account(name="Bench", bp_wan=800, sow_pct=5, benchmark=True),
        Account(name="Small", bp_wan=50, sow_pct=0),
    ]
    update_workbook(workbook_file, lambda wb: wb.plan.portfolio.items.extend(accounts))
    return {a.name: a.id for a in accounts}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_proposal_shows_none_and_names_as_written(workbook_file: Path, lang: str) -> None:
    """The proposal is HTML: Markdown escapes would show as typed (Top: \\(none\\))."""
    import html

    from kamlib.i18n import t

    form = ch1.PicksForm(Page(lang=lang))
    none = t("ch1.pick.none", lang)
    assert html.escape(t("ch1.pick.proposal", lang, top=none, strategic=none)) in form.proposal.value
    assert "\\" not in form.proposal.value
    from kamlib.model import update_workbook

    odd = "A&B (Group) *Top* <1>"
    history = [YearFigures(year=y, bp_wan=900, sow_pct=60) for y in (2024, 2025)]
    update_workbook(workbook_file, lambda wb: wb.plan.portfolio.items.append(
        Account(name=odd, bp_wan=900, sow_pct=60, history=history)))
    form.relabel(lang)
    assert html.escape(odd) in form.proposal.value and "\\" not in form.proposal.value


def test_picks_are_saved_and_checked(workbook_file: Path) -> None:
    ids = _portfolio(workbook_file)
    form = ch1.PicksForm(Page(lang="en"))
    assert "Top1" in form.proposal.value and "Bench" in form.proposal.value
    form.boxes["top"][ids["Top1"]].value = form.boxes["top"][ids["Small"]].value = True
    form.boxes["strategic"][ids["Bench"]].value = True
    form.save_button.click()
    picks = load_workbook(workbook_file).plan.key_accounts
    assert KeyAccountPick(account_id=ids["Top1"], kind="top") in picks
    assert "“Small” is LEVEL0" in form.status.text
    assert "You picked 2 Top accounts; the rule is 3" in form.status.text
    form.boxes["top"][ids["Small"]].value = False
    form.boxes["strategic"][ids["Bench"]].value = False
    form.boxes["strategic"][ids["Top1"]].value = True
    form.save_button.click()
    assert form.status.kind == "error" and "both" in form.status.text


def _eligible_list(workbook_file: Path) -> dict[str, str]:
    from kamlib.model import update_workbook

    def years(*figures: tuple[int, float, float]) -> list[YearFigures]:
        return [YearFigures(year=y, bp_wan=b, sow_pct=sow) for y, b, sow in figures]

    accounts = [
        Account(name="City Bureau", bp_wan=120, sow_pct=0),
        Account(name="Metro Steel", bp_wan=800, sow_pct=5, benchmark=True,
                history=years((2023, 700, 4), (2024, 750, 0))),
        Account(name="Big New", bp_wan=2000, sow_pct=60),  # R3 this year only: a candidate, not eligible
        Account(name="Harbour Bank", bp_wan=700, sow_pct=55, history=years((2023, 650, 50), (2024, 600, 52))),
        Account(name="No Figures"),
        Account(name="Huaxi Hospital", bp_wan=900, sow_pct=60, history=years((2023, 800, 55), (2024, 850, 52))),
    ]
    update_workbook(workbook_file, lambda wb: wb.plan.portfolio.items.extend(accounts))
    return {a.name: a.id for a in accounts}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_picks_are_tick_boxes_with_the_eligible_accounts_first(workbook_file: Path, lang: str) -> None:
    import ipywidgets as w

    from kamlib.i18n import t

    ids = _eligible_list(workbook_file)
    names = {i: n for n, i in ids.items()}
    form = ch1.PicksForm(Page(lang=lang))
    assert [names[i] for i in form.shown("top")] == [
        "Huaxi Hospital", "Harbour Bank", "Big New", "Metro Steel", "City Bureau", "No Figures"]
    assert [names[i] for i in form.shown("strategic")] == [
        "Metro Steel", "Big New", "Huaxi Hospital", "Harbour Bank", "City Bureau", "No Figures"]
    eligible = form.eligible["top"].children
    assert all(isinstance(b, w.Checkbox) for b in eligible + form.others["top"].children)
    assert [b.description for b in eligible] == ["Huaxi Hospital · R3", "Harbour Bank · R3"]
    assert [b.description for b in form.eligible["strategic"].children] == ["Metro Steel · A3"]
    assert form.boxes["top"][ids["No Figures"]].description == "No Figures · —"
    assert form.group_titles[("top", "eligible")].value == t("ch1.pick.eligible_top", lang)
    assert "Ctrl" not in form.proposal.value and "⌘" not in form.proposal.value
    assert not any(b.value for kind in ("top", "strategic") for b in form.boxes[kind].values())


def test_ticks_are_the_picks_saved_in_the_workbook(workbook_file: Path) -> None:
    ids = _eligible_list(workbook_file)
    page = Page(lang="en")
    form = page.form(ch1.PicksForm(page))
    for name in ("Huaxi Hospital", "Harbour Bank", "Big New"):
        form.boxes["top"][ids[name]].value = True
    form.boxes["strategic"][ids["Metro Steel"]].value = True
    form.save_button.click()
    picks = load_workbook(workbook_file).plan.key_accounts
    assert [(p.account_id, p.kind) for p in picks] == [
        (ids["Huaxi Hospital"], "top"), (ids["Harbour Bank"], "top"), (ids["Big New"], "top"),
        (ids["Metro Steel"], "strategic")]
    # the rule of 3 Top + 2 Strategic is checked as before
    assert "“Big New” has no buying power and share of wallet for 2023, 2024" in form.status.text
    assert "You picked 1 Strategic account; the rule is 2" in form.status.text
    form.boxes["top"][ids["City Bureau"]].value = True  # ticked, not saved: the workbook says what is picked
    again = ch1.PicksForm(Page(lang="en"))
    assert [i for i, b in again.boxes["top"].items() if b.value] == [
        ids["Huaxi Hospital"], ids["Harbour Bank"], ids["Big New"]]
    assert again.ticked("strategic") == [ids["Metro Steel"]]
    # an account deleted elsewhere leaves both lists; the ticks follow the workbook on every redraw
    from kamlib.model import update_workbook

    def drop(wb: Workbook) -> None:
        wb.plan.key_accounts = [p for p in wb.plan.key_accounts if p.account_id != ids["Big New"]]
        wb.plan.portfolio.items = [a for a in wb.plan.portfolio.items if a.id != ids["Big New"]]

    update_workbook(workbook_file, drop)
    page.refresh()
    assert ids["Big New"] not in form.shown("top") and ids["Big New"] not in form.boxes["strategic"]
    assert form.ticked("top") == [ids["Huaxi Hospital"], ids["Harbour Bank"]]
    assert form.boxes["top"][ids["City Bureau"]].value is False


def test_screening_table_follows_the_largest_bp(workbook_file: Path) -> None:
    _portfolio(workbook_file)
    page = Page(lang="en")
    shown = []
    page.show = lambda render: shown.append(render("en").data)  # type: ignore[method-assign]
    ch1.screening_table(page)
    text = shown[0]
    assert text.index("Top1") < text.index("Bench") < text.index("Top2") < text.index("Small")
    assert "near-term (suggested)" in text and "20/80 check" in text


def test_tree_editor_builds_units_under_parents(workbook_file: Path) -> None:
    page = Page(lang="zh")
    editor = ch1.tree_editor(page)
    head = _add(editor, name="工商银行总行", kind="unit")
    editor.relabel("zh")
    _add(editor, name="安徽省分行", kind="dmu", parent_id=head, bp_wan="1200")
    units = load_workbook(workbook_file).plan.customer_tree.items
    assert [(u.name, u.parent_id, u.kind) for u in units] == [
        ("工商银行总行", None, "unit"), ("安徽省分行", head, "dmu")]


def test_unregistered_page_shows_no_forms(home: Path) -> None:
    page = ch1.open_page(lang="en")
    assert ch1.account_editor(page) is None and ch1.picks_form(page) is None


def test_share_card_is_saved_and_exported_with_an_anonymised_variant(workbook_file: Path, home: Path) -> None:
    ids = _portfolio(workbook_file)
    form = ch1.ShareForm(Page(lang="en"))
    form.account.value = ids["Top1"]
    form.goal.value, form.problem.value = "Win Top1's core system", "Top1's CIO prefers a rival"
    form.save_button.click()
    card = load_workbook(workbook_file).plan.share
    assert (card.account_id, card.goal) == (ids["Top1"], "Win Top1's core system")
    html_path, png_path = form.export()
    assert html_path.parent == home / "exports" and "Top1" in html_path.read_text(encoding="utf-8")
    assert png_path.read_bytes().startswith(b"\x89PNG")
    form.anonymise.value = True
    anon_html, _ = form.export()
    assert anon_html.name.endswith("-anonymised.html")
    assert "Top1" not in anon_html.read_text(encoding="utf-8")
    assert ch1.ShareForm(Page(lang="zh")).goal.value == "Win Top1's core system"  # reopened from the file


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_share_form_and_card_agree_on_organisation_and_people(workbook_file: Path, lang: str) -> None:
    from html import escape

    from kamlib.i18n import t
    from kamlib.model import update_workbook
    from kamlib.model.workbook import KeyPerson

    form = ch1.ShareForm(Page(lang=lang))
    assert form.organisation.description == t("share.field.organisation", lang)  # the card's two headings
    assert form.people.description == t("share.field.people", lang)
    assert escape(t("share.no_people", lang)) in form.people.value  # none yet: where to enter them
    person = KeyPerson(name="Zhou", title="CIO")
    update_workbook(workbook_file, lambda wb: wb.plan.key_persons.items.append(person))
    form.relabel(lang)
    assert escape(t("ch1.share.people_from", lang)) in form.people.value and "Zhou · CIO" in form.people.value


def test_import_adds_new_names_updates_known_ones_and_reports_bad_rows(workbook_file: Path, tmp_path: Path) -> None:
    _portfolio(workbook_file)
    csv = tmp_path / "list.csv"
    csv.write_text(
        "客户名称,行业,采购能力(万元),钱包份额(%)\n"
        "Top1,Banking,\"1,100\",65%\n"
        "Newco,Energy,450,12\n"
        "Broken,Energy,300,140\n",
        encoding="utf-8",
    )
    form = ch1.ImportForm(Page(lang="en"))
    assert form.import_file(csv) == (1, 1, 1)
    accounts = {a.name: a for a in load_workbook(workbook_file).plan.portfolio.items}
    assert accounts["Top1"].bp_wan == 1100 and accounts["Top1"].sow_pct == 65
    assert accounts["Top1"].history  # figures updated, history kept
    assert accounts["Newco"].industry == "Energy" and "Broken" not in accounts
    assert "accounts added 1, updated 1; rows skipped 1" in form.status.text
    assert "row 4" in form.status.text
