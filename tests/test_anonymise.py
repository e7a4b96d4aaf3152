"""kamlib.anonymise: what an anonymised card or export shares is really anonymous — names the plan knows,
the forms of address derived from them, our colleagues, the account's short forms, the hide list, phone
numbers and e-mail addresses are replaced in the HTML, the XLSX and the card; the review lists what was
replaced and what still looks like a name; the hide list is saved and edited in both forms."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook as load_xlsx

from kamlib import paths
from kamlib.anonymise import (
    Replacement,
    chinese_name,
    colleague_names,
    format_hide_list,
    make_codes,
    org_stems,
    parse_hide_list,
    suspects,
)
from kamlib.charts.card import share_card_figure, share_card_html
from kamlib.charts.tree import customer_tree_chart
from kamlib.errors import InputError
from kamlib.export import build_document, export_html, export_review, export_xlsx
from kamlib.export.document import Chart
from kamlib.export_cli import add_export_parser, export_command
from kamlib.forms import screening as ch1
from kamlib.forms.export import ExportForm
from kamlib.forms.page import Page
from kamlib.i18n import LANGS, t
from kamlib.model import load_workbook, save_workbook
from kamlib.model.retention import Crisis, ResponseStep
from kamlib.model.workbook import (
    Account,
    AccountPlan,
    Action,
    HiddenName,
    InformationItem,
    KeyAccountPick,
    KeyPerson,
    ShareCard,
    TeamPair,
    Trainee,
    TreeUnit,
    Workbook,
)
from kamlib.share_card import card_content, card_review
from tests.chart_checks import texts

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

# Chinese written with escapes (no Chinese in .py files).
ZHANG_WEI = "\u5f20\u4f1f"  # Zhang Wei, a key person
MARKETING_DIRECTOR = "\u8425\u9500\u603b\u76d1"  # marketing director (his title)
WANG_FANG = "\u738b\u82b3"  # Wang Fang, a key person without a title
LI_QIANG = "\u674e\u5f3a"  # Li Qiang, our colleague
WANG_WU = "\u738b\u4e94"  # Wang Wu, another colleague (shares Wang Fang's surname)
CMB_BRANCH = "\u62db\u5546\u94f6\u884c\u6210\u90fd\u5206\u884c"  # China Merchants Bank, Chengdu branch
CMB = "\u62db\u5546\u94f6\u884c"  # China Merchants Bank
CMB_SHORT = "\u62db\u884c"  # its short form
BANKING = "\u94f6\u884c"  # banking (the industry)
IT_DEPT = "\u4fe1\u606f\u79d1\u6280\u90e8"  # IT department (a unit of the tree)
ZHANG_ZONG = "\u5f20\u603b"  # "Director Zhang": Zhang Wei as colleagues name him
ZHANG_ZONG_SAYS = "\u5f20\u603b\u8bf4\u2026"  # "Director Zhang says ..."
WANG_ZONG = "\u738b\u603b"  # "Director Wang"
LI_QIANG_IN_CHARGE = "\u674e\u5f3a\u8d1f\u8d23"  # "Li Qiang is in charge"
ZHAO_ZONG = "\u8d75\u603b"  # "Director Zhao": a person the plan does not know
SAYS = "\u8bf4"  # says
MOBILE, LANDLINE, EMAIL = "13812345678", "028-85551234", "zhang.wei@cmbchina.com"

ACTION = f"{ZHANG_ZONG_SAYS} {WANG_ZONG} ok; {LI_QIANG_IN_CHARGE}; {CMB_SHORT} budget"
CONTACT = f"call {MOBILE} or {LANDLINE}, mail {EMAIL}; {ZHAO_ZONG} too"
NOTE = f"NOTE {ACTION} {CONTACT}"
# What no anonymised file may show: names, short forms, forms of address, contact details.
SECRETS = [ZHANG_WEI, WANG_FANG, LI_QIANG, WANG_WU, CMB_BRANCH, CMB, CMB_SHORT, IT_DEPT, ZHANG_ZONG, WANG_ZONG,
           MOBILE, LANDLINE, "85551234", EMAIL, "cmbchina"]


def scenario(lang: str = "zh") -> Workbook:
    """A plan with the names, short forms and contact details in kept texts and in notes."""
    wb = Workbook(trainee=Trainee(id="li.wei", name="Li Wei", team="Chengdu 2", language=lang))
    plan = wb.plan
    plan.portfolio.items = [Account(id="cmb", name=CMB_BRANCH, industry=BANKING, bp_wan=900, sow_pct=20),
                            Account(id="other", name="Rongxin Trust", industry="Trust", bp_wan=100, sow_pct=5)]
    plan.key_accounts = [KeyAccountPick(account_id="cmb", kind="top")]
    plan.focus_account = "cmb"
    plan.share = ShareCard(account_id="cmb", goal=ACTION, problem=CONTACT, organisation=f"{CMB_BRANCH} > {IT_DEPT}")
    plan.customer_tree.items = [TreeUnit(id="root", name=CMB_BRANCH, kind="dmu", bp_wan=900),
                                TreeUnit(id="it", name=IT_DEPT, parent_id="root", kind="user", bp_wan=300)]
    plan.key_persons.items = [
        KeyPerson(id="zw", name=ZHANG_WEI, title=MARKETING_DIRECTOR, department=IT_DEPT, role="D", attitude="+"),
        KeyPerson(id="wf", name=WANG_FANG, role="E", attitude="="),
    ]
    plan.team.items = [TeamPair(our_name=LI_QIANG, our_role="account_manager", their_id="zw", notes=NOTE)]
    plan.information.items = [InformationItem(level="public", topic=CONTACT, status="known", content=NOTE)]
    plan.actions.items = [
        Action(text=ACTION, person_id="zw", owner=LI_QIANG, evaluation=NOTE, target_on=NOW.date()),
        Action(text=CONTACT, person_id="wf", owner=f"{LI_QIANG}\u3001{WANG_WU}", target_on=NOW.date()),
    ]
    plan.crises.items = [Crisis(title=f"{WANG_ZONG} {CMB_SHORT}", notes=NOTE, steps=[
        ResponseStep(phase="acknowledge", action=f"{LI_QIANG_IN_CHARGE} {MOBILE}", owner=WANG_WU)])]
    plan.sharing.hide = [HiddenName(text=CMB_SHORT)]
    return Workbook.model_validate(wb.model_dump())


def leaks(text: str) -> list[str]:
    folded = text.casefold()
    return [s for s in SECRETS if s.casefold() in folded]


def xlsx_cells(data: bytes) -> str:
    book = load_xlsx(io.BytesIO(data))
    out = [book.properties.title or "", *book.sheetnames]
    out += [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    return "\n".join(out)


def code(lang: str, number: int) -> str:
    return t("share.anon.person_code", lang, number=number)


# ---- the brief's plan, end to end ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_anonymised_html_export_keeps_no_name_short_form_or_contact(lang: str) -> None:
    wb = scenario(lang)
    named = export_html(wb, lang, False, NOW)
    assert [s for s in (ZHANG_ZONG, LI_QIANG, CMB_SHORT, MOBILE, EMAIL) if s not in named] == []
    page = export_html(wb, lang, True, NOW)
    assert leaks(page) == []
    assert f"{code(lang, 1)}{SAYS}" in page  # 张总说 → the person's code, the sentence kept
    assert t("anonymise.label.phone", lang) in page and t("anonymise.label.email", lang) in page
    assert t("anonymise.label.colleague", lang, number=1) in page  # 李强负责
    assert ZHAO_ZONG in page  # the plan does not know him: the review says so (below)


@pytest.mark.parametrize("lang", LANGS)
def test_the_anonymised_xlsx_export_keeps_no_name_short_form_or_contact(lang: str) -> None:
    cells = xlsx_cells(export_xlsx(scenario(lang), lang, True, NOW))
    assert leaks(cells) == []
    assert t("anonymise.label.phone", lang) in cells


def test_the_anonymised_export_charts_keep_no_name() -> None:
    doc = build_document(scenario("zh"), "zh", anonymise=True, now=NOW)
    shown = [s for b in doc.blocks for p in b.parts if isinstance(p, Chart) for s in texts(p.make())]
    assert shown and leaks("\n".join(shown)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_anonymised_card_keeps_no_name_short_form_or_contact(lang: str) -> None:
    plan = scenario(lang).plan
    named = share_card_html(plan, lang)
    assert ZHANG_ZONG in named and MOBILE in named
    page = share_card_html(plan, lang, anonymise=True)
    assert leaks(page) == []
    card = card_content(plan, lang, anonymise=True)  # what the PNG draws
    assert leaks("\n".join(texts(share_card_figure(card)))) == []
    assert leaks("\n".join(texts(customer_tree_chart(list(card.units), lang)))) == []
    assert card.goal.text.startswith(f"{code(lang, 1)}{SAYS}")
    assert t("anonymise.label.phone", lang) in card.problem.text


@pytest.mark.parametrize("lang", LANGS)
def test_the_review_lists_the_replacements_and_flags_a_name_the_plan_does_not_know(lang: str) -> None:
    wb = scenario(lang)
    for review in (export_review(wb, lang, NOW), card_review(wb.plan, lang)):
        pairs = {(r.original, r.replacement) for r in review.replacements}
        account = t("share.anon.account_code", lang, letter="A")
        someone = t("anonymise.label.someone", lang)  # Wang Fang and our colleague Wang Wu
        assert {(ZHANG_ZONG, code(lang, 1)), (WANG_ZONG, someone), (CMB_SHORT, account),
                (MOBILE, t("anonymise.label.phone", lang)), (EMAIL, t("anonymise.label.email", lang))} <= pairs
        assert [s.text for s in review.suspects] == [ZHAO_ZONG]
        assert all(r.count >= 1 for r in review.replacements)
        lines = "\n".join(review.lines(lang))
        assert t("anonymise.review.replaced", lang) in lines and ZHAO_ZONG in lines
    export = export_review(wb, lang, NOW)
    assert (LI_QIANG, t("anonymise.label.colleague", lang, number=1)) in {
        (r.original, r.replacement) for r in export.replacements}
    zhang = next(r for r in export.replacements if r.original == ZHANG_ZONG)
    assert zhang == Replacement(ZHANG_ZONG, code(lang, 1), "address", zhang.count) and zhang.count >= 3


@pytest.mark.parametrize("lang", LANGS)
def test_a_name_put_on_the_hide_list_is_gone_and_no_longer_suspected(lang: str) -> None:
    wb = scenario(lang)
    wb.plan.sharing.hide.append(HiddenName(text=ZHAO_ZONG, replacement="Director X"))
    assert ZHAO_ZONG not in export_html(wb, lang, True, NOW) and "Director X" in export_html(wb, lang, True, NOW)
    assert ZHAO_ZONG not in share_card_html(wb.plan, lang, anonymise=True)
    assert export_review(wb, lang, NOW).suspects == ()


# ---- the anonymiser -----------------------------------------------------------------------------------


def plan_of(*people: KeyPerson, colleagues: tuple[str, ...] = (), hide: tuple[HiddenName, ...] = ()) -> AccountPlan:
    plan = AccountPlan(portfolio={"items": [Account(id="a", name="Jinmin Bank, Sichuan Branch")]})
    plan.key_persons.items.extend(people)
    plan.team.items.extend(TeamPair(our_name=c) for c in colleagues)
    plan.sharing.hide.extend(hide)
    return plan


def test_forms_of_address_are_derived_from_the_people_of_the_plan() -> None:
    codes = make_codes(plan_of(KeyPerson(name=ZHANG_WEI), KeyPerson(name="\u6b27\u9633\u5a1c\u5a1c")), "en")
    cases = {
        f"{ZHANG_ZONG}{SAYS}": f"Person 1{SAYS}",  # surname + title
        "\u5f20\u603b\u76d1": "Person 1",  # the longer title wins: not "Person 1" + the rest of the title
        "\u5f20\u5de5 \u5f20\u5904\u957f \u5f20\u4e3b\u4efb": "Person 1 Person 1 Person 1",  # engineer, head, director
        "\u8001\u5f20 \u5c0f\u5f20\u4f1f": "Person 1 Person 1",  # lao/xiao + surname, + full name
        "\u6b27\u9633\u603b": "Person 2",  # a two-character surname: Ouyang
        "\u8fd9\u5f20\u5de5\u4f5c\u8868": "\u8fd9\u5f20\u5de5\u4f5c\u8868",  # "this worksheet": no engineer in it
        "\u738b\u603b": "\u738b\u603b",  # nobody of that surname in the plan: left (the review flags it)
    }
    assert {k: codes.text(k) for k in cases} == cases


def test_english_forms_of_address_and_short_latin_names() -> None:
    codes = make_codes(plan_of(KeyPerson(name="Zhao Guoqiang"), KeyPerson(name="Li")), "en")
    assert codes.text("Mr Zhao, mr. zhao and Director Zhao Guoqiang met Ms Guoqiang") == \
        "Person 1, Person 1 and Person 1 met Person 1"
    assert codes.text("Zhaoxin sent it; Li agreed with the client; li is lower-case") == \
        "Zhaoxin sent it; Person 2 agreed with the client; li is lower-case"


def test_a_form_two_people_share_names_nobody_in_particular() -> None:
    codes = make_codes(plan_of(KeyPerson(name=WANG_FANG), colleagues=(WANG_WU,)), "zh")
    someone = t("anonymise.label.someone", "zh")
    assert codes.text(WANG_ZONG) == someone
    assert codes.text(WANG_FANG) == code("zh", 1)
    assert codes.text(WANG_WU) == t("anonymise.label.colleague", "zh", number=1)


def test_colleagues_are_the_people_named_as_owners_never_us_or_a_function() -> None:
    plan = plan_of(colleagues=(LI_QIANG,))
    technical = "\u6280\u672f"  # "technical": a function, not a person
    plan.actions.items = [Action(text="x", owner=f"{LI_QIANG}\u3001{WANG_WU}"), Action(text="y", owner="me"),
                          Action(text="z", owner="Hu Wenbo and Tang Wei"), Action(text="w", owner="Sales"),
                          Action(text="v", owner=technical)]
    assert colleague_names(plan) == [LI_QIANG, WANG_WU, "Hu Wenbo", "Tang Wei"]
    codes = make_codes(plan, "en")
    assert codes.text(f"{WANG_WU}: Tang Wei, Hu Wenbo, me") == "Colleague 2: Colleague 4, Colleague 3, me"
    assert codes.text(f"Sales {technical} exchange") == f"Sales {technical} exchange"


@pytest.mark.parametrize("phone", ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678",
                                   "+8613812345678", "028-85551234", "(028) 8555 1234", "010-12345678",
                                   "0755 8888 9999", "400-123-4567", "+44 20 7946 0958"])
def test_phone_numbers_are_redacted(phone: str) -> None:
    codes = make_codes(AccountPlan(), "en")
    assert codes.text(f"call {phone} now") == "call [phone] now"


@pytest.mark.parametrize("email", ["zhang.wei@cmbchina.com", "a_b+c@mail.example.org", "li\uff20example.cn"])
def test_email_addresses_are_redacted(email: str) -> None:
    assert make_codes(AccountPlan(), "zh").text(f"mail {email}.") == "mail \u3014\u90ae\u7bb1\u3015."


@pytest.mark.parametrize("text", ["2026-03-02", "budget 1,380,000", "BP 13800 wan", "ID 12345678", "Q3 2026 v2.1"])
def test_numbers_that_are_no_phone_stay(text: str) -> None:
    assert make_codes(AccountPlan(), "en").text(text) == text


def test_short_forms_and_stems_of_the_accounts_name() -> None:
    assert org_stems(CMB_BRANCH) == [CMB, CMB_SHORT]
    assert org_stems("Jinmin Bank, Sichuan Branch") == ["Jinmin Bank"]
    assert org_stems("ACME Software Co., Ltd.")[-1] == "ACME Software"
    assert org_stems("Yunnan Zinc") == []  # "Inc" only as a word
    codes = make_codes(plan_of(), "en")
    assert codes.text("Jinmin Bank's budget") == "Account A's budget"


def test_the_hide_list_replaces_with_the_trainees_word_or_withheld() -> None:
    plan = plan_of(hide=(HiddenName(text="Rongxin"), HiddenName(text="Old Li", replacement="the CFO")))
    codes = make_codes(plan, "en")
    assert codes.text("Rongxin and old li") == "[withheld] and the CFO"


def test_the_hide_list_reads_as_typed_and_explains_mistakes() -> None:
    typed = f"{CMB_SHORT} = Account A\n\n  Old  Li \nold li\n{ZHAO_ZONG}\uff1dDirector X\n"
    entries = parse_hide_list(typed)
    assert [(e.text, e.replacement) for e in entries] == [
        (CMB_SHORT, "Account A"), ("Old Li", ""), (ZHAO_ZONG, "Director X")]
    assert parse_hide_list(format_hide_list(entries)) == entries
    with pytest.raises(InputError) as short:
        parse_hide_list("Rongxin\nX = y")
    assert "2" in short.value.message("en") and "X" in short.value.message("zh")


def test_chinese_names_and_their_surnames() -> None:
    assert chinese_name(ZHANG_WEI) == ("\u5f20", ZHANG_WEI)
    assert chinese_name("\u6b27\u9633\u5a1c\u5a1c") == ("\u6b27\u9633", "\u6b27\u9633\u5a1c\u5a1c")
    assert chinese_name(f"{ZHANG_WEI} (CIO)") == ("\u5f20", ZHANG_WEI)
    assert chinese_name("Zhang Wei") is None and chinese_name("\u5f20") is None


def test_what_still_looks_like_a_name() -> None:
    found = suspects([
        f"{ZHAO_ZONG}{SAYS}; \u8001\u8d75{SAYS}",  # surname + title; lao + surname
        "\u548c\u8d75\u516d\u8bf4",  # "said to Zhao Liu"
        "\u94b1\u4e03\u8d1f\u8d23",  # "Qian Qi is in charge"
        "\u62dc\u8bbf\u5b59\u603b",  # "visit Director Sun": found by its context, a surname and a title
        "Mr Smith and Director Wong; wechat: abc@", "fax 85551234, dated 2026-03-02",
    ])
    assert {(s.text, s.why) for s in found} == {
        (ZHAO_ZONG, "title"), ("\u8001\u8d75", "familiar"), ("\u8d75\u516d", "context"), ("\u94b1\u4e03", "context"),
        ("\u5b59\u603b", "title"),
        ("Mr Smith", "honorific"), ("Director Wong", "honorific"), ("abc@", "at"), ("85551234", "digits")}


@pytest.mark.parametrize("text", [
    "\u8425\u9500\u603b\u76d1\u8d1f\u8d23\u9884\u7b97",  # "the marketing director owns the budget"
    "\u4e0b\u5468\u5b89\u6392\u6280\u672f\u4ea4\u6d41\uff0c\u786e\u8ba4\u9884\u7b97\u3002",  # "tech exchange next week"
    "\u5bf9\u65b9\u8868\u793a\u540c\u610f\u8bd5\u70b9",  # the other side agrees to a pilot
    "\u65b9\u6848\u8d1f\u8d23\u4eba\u5df2\u786e\u8ba4",  # the owner of the proposal confirmed
    "\u9ad8\u5c42\u8ba4\u4e3a\u4ef7\u683c\u504f\u9ad8",  # senior management finds the price high
    "\u8fd9\u5f20\u5de5\u4f5c\u8868\u9700\u8981\u66f4\u65b0",  # this worksheet needs updating
    "\u7531\u4e8e\u9884\u7b97\u7d27\u5f20\uff0c\u9879\u76ee\u63a8\u8fdf",  # the budget is tight: delayed
    "\u4e0e\u9ad8\u5c42\u6c9f\u901a\uff0c\u4e89\u53d6\u9884\u7b97",  # talk to senior management for budget
    "Person 1 agreed; Account A budget 1,200; User-1", "\u5173\u952e\u4eba1\u8bf4",  # codes are no names
])
def test_ordinary_text_and_codes_are_not_suspected(text: str) -> None:
    assert suspects([text]) == ()


# ---- the workbook, the forms, the command ----------------------------------------------------------------


def test_a_file_without_a_hide_list_loads_and_the_list_is_saved(home: Path) -> None:
    old = {"schema_version": 5, "trainee": {"id": "old", "name": "Old", "team": "", "language": "zh"},
           "plan": {"portfolio": {"items": [{"id": "k1", "name": "ICBC"}]}}}
    path = paths.workbook_path("old")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(old), encoding="utf-8")
    wb = load_workbook(path)
    assert wb.plan.sharing.hide == []
    wb.plan.sharing.hide = [HiddenName(text=CMB_SHORT, replacement="Account A")]
    save_workbook(wb, path)
    assert load_workbook(path).plan.sharing.hide == [HiddenName(text=CMB_SHORT, replacement="Account A")]


def _registered(workbook_file: Path, lang: str) -> None:
    save_workbook(scenario(lang).model_copy(update={"trainee": load_workbook(workbook_file).trainee}), workbook_file)


def test_the_export_form_shows_the_review_before_the_button_and_saves_the_hide_list(workbook_file: Path,
                                                                                      home: Path) -> None:
    _registered(workbook_file, "en")
    form = ExportForm(Page(lang="en"))
    children = list(form.widget.children)
    assert children.index(form.sharing.widget) < children.index(form.button)
    assert form.sharing.widget.layout.display == "none"
    form.anonymise.value = True
    assert form.sharing.widget.layout.display == ""
    report = form.sharing.report.value
    assert ZHAO_ZONG in report and f"{ZHANG_ZONG} → Person 1" in report
    form.sharing.entries.value += f"\n{ZHAO_ZONG} = Director X"
    form.sharing.save_button.click()
    assert form.sharing.status.kind == "ok", form.sharing.status.text
    assert load_workbook(workbook_file).plan.sharing.hide[-1] == HiddenName(text=ZHAO_ZONG, replacement="Director X")
    assert t("anonymise.review.no_suspects", "en") in form.sharing.report.value
    form.format.value = "xlsx"
    form.button.click()
    path = home / "exports" / "account-plan-li.wei-anonymised.xlsx"
    cells = xlsx_cells(path.read_bytes())
    assert leaks(cells) == [] and ZHAO_ZONG not in cells and "Director X" in cells


def test_the_share_form_adds_the_suspects_to_the_hide_list(workbook_file: Path, home: Path) -> None:
    _registered(workbook_file, "zh")
    form = ch1.ShareForm(Page(lang="zh"))
    form.anonymise.value = True
    assert ZHAO_ZONG in form.sharing.report.value
    form.sharing.add_button.click()
    assert form.sharing.status.kind == "ok", form.sharing.status.text
    assert [e.text for e in load_workbook(workbook_file).plan.sharing.hide] == [CMB_SHORT, ZHAO_ZONG]
    html_path, _ = form.export()
    page = html_path.read_text(encoding="utf-8")
    assert html_path.name.endswith("-anonymised.html") and leaks(page) == [] and ZHAO_ZONG not in page
    bad = form.sharing.entries.value + "\nX"
    form.sharing.entries.value = bad
    form.sharing.save_button.click()
    assert form.sharing.status.kind == "error" and "Traceback" not in form.sharing.status.text
    assert len(load_workbook(workbook_file).plan.sharing.hide) == 2  # nothing saved


@pytest.mark.parametrize("lang", LANGS)
def test_kam_export_anonymised_prints_the_review(lang: str, tmp_path: Path, capsys) -> None:
    source = tmp_path / "wb.json"
    save_workbook(scenario(lang), source)
    parser = argparse.ArgumentParser(prog="kam")
    parser.add_argument("--lang")
    add_export_parser(parser.add_subparsers(dest="command", required=True))
    out = tmp_path / "plan.html"
    assert export_command(parser.parse_args(["export", str(source), "--out", str(out), "--anonymise",
                                             "--lang", lang])) == 0
    said = capsys.readouterr().out
    assert t("anonymise.review.replaced", lang) in said and t("anonymise.review.suspects", lang) in said
    assert f"{ZHANG_ZONG} → {code(lang, 1)}" in said and ZHAO_ZONG in said
    assert leaks(out.read_text(encoding="utf-8")) == []


def test_importing_the_anonymiser_imports_no_ui() -> None:
    run = "import sys, kamlib.anonymise; print(sorted({'ipywidgets', 'matplotlib'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr
