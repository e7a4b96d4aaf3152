"""Chapter 2's recommended tools: the profile questionnaire and the company question bank as logic, in the
workbook file (older files load, answers survive a save), and in the Account Plan export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kamlib.export import build_document, export_html, export_xlsx
from kamlib.i18n import LANGS, catalog, t
from kamlib.model import load_workbook, update_workbook
from kamlib.model.workbook import BankQuestion, KeyPerson, PersonProfile, ProfileAnswer, Workbook
from kamlib.question_bank import STARTERS, STEPS, answered_count, by_step, missing_starters, starter_questions
from kamlib.questionnaire import GROUPS, PROMPTS_PER_GROUP, by_group, profile_completeness, starter_prompts
from tests.export_fixtures import NOW, full_workbook, secrets
from tests.test_export import parse, xlsx_texts

# ---- the questionnaire ------------------------------------------------------------------------------


def test_the_seven_groups_are_mackays_with_our_own_prompts_in_both_languages() -> None:
    assert GROUPS == ("customer", "education", "family", "business", "interests", "lifestyle", "you")
    for lang in LANGS:
        names = [t(f"questionnaire.group.{g}", lang) for g in GROUPS]
        assert len(set(names)) == 7
        prompts = [p for g in GROUPS for p in starter_prompts(g, lang)]
        assert len(prompts) == len(set(prompts)) == 7 * PROMPTS_PER_GROUP
    # no prompt beyond the ones the code offers, so none is left unused in a catalog
    assert sum(k.startswith("questionnaire.prompt.") for k in catalog("en")) == 7 * PROMPTS_PER_GROUP
    assert t("questionnaire.group.you", "zh") == "客户和你"
    assert t("questionnaire.group.you", "en") == "The customer and you"


def test_a_group_counts_once_one_of_its_questions_has_an_answer() -> None:
    profile = PersonProfile(answers=[
        ProfileAnswer(group="education", question="What did they study?", answer="Engineering, Sichuan University"),
        ProfileAnswer(group="education", question="Alumni network?"),
        ProfileAnswer(group="interests", question="Free time?", answer="   "),  # blank is no answer
        ProfileAnswer(group="you", question="What problem could we solve?", answer="Branch downtime"),
    ])
    done = profile_completeness(profile)
    assert done.answered == ("education", "you") and done.total == 7
    assert done.share == pytest.approx(2 / 7)
    assert done.covers("you") and not done.covers("interests")
    assert done.missing == ("customer", "family", "business", "interests", "lifestyle")
    assert (done.questions, done.open_questions) == (4, 2)
    assert profile_completeness(PersonProfile()).answered == () and profile_completeness(PersonProfile()).share == 0


def test_answers_by_group_keep_every_group_in_order() -> None:
    entries = [ProfileAnswer(group="you", question="b"), ProfileAnswer(group="customer", question="a"),
               ProfileAnswer(group="you", question="c")]
    groups = by_group(entries)
    assert list(groups) == list(GROUPS)
    assert [e.question for e in groups["you"]] == ["b", "c"] and groups["family"] == []


# ---- the question bank ----------------------------------------------------------------------------------


def test_starter_questions_cover_every_step_in_both_languages() -> None:
    for lang in LANGS:
        starters = starter_questions(lang)
        assert [q.step for q in starters] == [s for s in STEPS for _ in range(STARTERS[s])]
        assert len({q.question for q in starters}) == len(starters)
        assert all(q.answer == "" and q.starter for q in starters)
    assert sum(k.startswith("question_bank.starter.") for k in catalog("zh")) == sum(STARTERS.values())


def test_missing_starters_never_adds_one_twice_even_edited_or_typed_in_the_other_language() -> None:
    first = starter_questions("en")
    assert len(missing_starters([], "en")) == len(first)
    edited = first[0].model_copy(update={"question": "Who reports to whom, after the merger?", "answer": "A chart"})
    typed = BankQuestion(step=2, question=t("question_bank.starter.2.3", "zh"))  # the trainee's own, same words
    left = missing_starters([edited, typed], "en")
    assert len(left) == len(first) - 2
    assert {q.starter for q in left}.isdisjoint({"1.1", "2.3"})
    assert missing_starters(first, "zh") == []


def test_questions_by_step_and_answered_count() -> None:
    bank = [BankQuestion(step=4, question="Funding?", answer="Annual budget"), BankQuestion(step=1, question="Org?"),
            BankQuestion(step=4, question="Who signs?")]
    steps = by_step(bank)
    assert list(steps) == [1, 2, 3, 4, 5] and [q.question for q in steps[4]] == ["Funding?", "Who signs?"]
    assert answered_count(steps[4]) == (1, 2) and answered_count([]) == (0, 0)
    with pytest.raises(ValueError):
        BankQuestion(step=6, question="Beyond the five steps")
    with pytest.raises(ValueError):
        BankQuestion(step=1, question="")


# ---- the workbook file ------------------------------------------------------------------------------------


def test_a_file_saved_before_the_tools_loads_with_empty_ones(workbook_file: Path) -> None:
    data = json.loads(workbook_file.read_text(encoding="utf-8"))
    person = KeyPerson(name="Chen").model_dump(mode="json")
    person["profile"].pop("answers")  # as an older workbook wrote it
    data["plan"]["key_persons"]["items"] = [person]
    data["plan"].pop("question_bank")
    workbook_file.write_text(json.dumps(data), encoding="utf-8")
    wb = load_workbook(workbook_file)
    assert wb.plan.key_persons.items[0].profile.answers == [] and wb.plan.question_bank.items == []


def test_answers_and_the_bank_survive_a_save(workbook_file: Path) -> None:
    def fill(wb: Workbook) -> None:
        wb.plan.key_persons.items = [KeyPerson(name="Chen", profile=PersonProfile(
            interests="cycling", answers=[ProfileAnswer(group="interests", question="Sport?", answer="Cycling")]))]
        wb.plan.question_bank.items = starter_questions("zh")[:2]

    update_workbook(workbook_file, fill, section="question_bank")
    wb = load_workbook(workbook_file)
    assert wb.plan.key_persons.items[0].profile.answers[0].answer == "Cycling"
    assert [q.starter for q in wb.plan.question_bank.items] == ["1.1", "1.2"]
    assert wb.plan.question_bank.updated_at is not None


# ---- the Account Plan export ------------------------------------------------------------------------------

PRIVATE = "ANSWER-only the account team may read"


def _with_tools(lang: str) -> Workbook:
    """The full case workbook with two profiles filled in and a question bank (a name in a question)."""
    wb = full_workbook(lang)
    people = wb.plan.key_persons.items
    people[0].profile.answers = [
        ProfileAnswer(group="education", question=f"Where did {people[0].name} study?", answer=f"{PRIVATE} 1"),
        ProfileAnswer(group="you", question="What would they find improper?", answer=f"{PRIVATE} 2"),
        ProfileAnswer(group="family", question="Family occasions?"),  # no answer: the group is not complete
    ]
    people[3].profile.answers = [ProfileAnswer(group="interests", question="Free time?", answer=f"{PRIVATE} 3")]
    wb.plan.question_bank.items = [
        *starter_questions(lang)[:2],
        BankQuestion(step=4, question=f"Does {people[3].name} sign off the budget?", answer=f"{PRIVATE} 4"),
    ]
    return Workbook.model_validate(wb.model_dump())


def _table(doc, sheet: str, lang: str):
    return next((tb for b in doc.blocks for tb in b.tables() if tb.sheet == t(f"export.sheet.{sheet}", lang)), None)


@pytest.mark.parametrize("lang", LANGS)
def test_the_export_has_the_question_bank_and_each_profiles_completeness(lang: str) -> None:
    wb = _with_tools(lang)
    doc = build_document(wb, lang, now=NOW)
    bank = _table(doc, "question_bank", lang)
    assert [r[0] for r in bank.rows] == [t("analysis.step.1.title", lang)] * 2 + [t("analysis.step.4.title", lang)]
    assert bank.rows[2][2] == t("export.yes", lang) and bank.rows[0][2] == t("export.no", lang)
    assert f"{PRIVATE} 4" in bank.rows[2]
    profile = _table(doc, "profile", lang)
    headers = [c.header for c in profile.columns]
    assert headers[1:8] == [t(f"questionnaire.group.{g}", lang) for g in GROUPS]
    rows = {r[0]: r for r in profile.rows}
    first, fourth = wb.plan.key_persons.items[0], wb.plan.key_persons.items[3]
    first_row = next(r for name, r in rows.items() if first.name in name)
    assert first_row[-1] == "2/7" and first_row[1 + GROUPS.index("family")] == t("export.no", lang)
    assert first_row[1 + GROUPS.index("education")] == t("export.yes", lang)
    assert next(r for name, r in rows.items() if fourth.name in name)[-1] == "1/7"
    assert len(profile.rows) == len(wb.plan.key_persons.items)  # everyone, 0/7 included
    answers = _table(doc, "profile_answers", lang)
    assert [r[1] for r in answers.rows[:3]] == [t(f"questionnaire.group.{g}", lang)
                                                for g in ("education", "family", "you")]  # group order
    text = parse(export_html(wb, lang, now=NOW)).text
    assert f"{PRIVATE} 1" in text and t("export.table.profile", lang) in text
    assert t("export.table.question_bank", lang) in text


@pytest.mark.parametrize("lang", LANGS)
def test_the_anonymised_export_keeps_completeness_and_questions_but_no_answer_and_no_name(lang: str) -> None:
    wb = _with_tools(lang)
    doc = build_document(wb, lang, anonymise=True, now=NOW)
    assert _table(doc, "profile_answers", lang) is None
    profile = _table(doc, "profile", lang)
    assert len(profile.rows) == len(wb.plan.key_persons.items)
    person1 = t("share.anon.person_code", lang, number=1)
    assert any(person1 in str(r[0]) and r[-1] == "2/7" for r in profile.rows)
    bank = _table(doc, "question_bank", lang)
    assert t("export.col.answer", lang) not in [c.header for c in bank.columns]
    assert any(str(r[1]).startswith("Does ") and "sign off the budget" in str(r[1]) for r in bank.rows)
    hidden = [*secrets(wb), PRIVATE]
    page = export_html(wb, lang, anonymise=True, now=NOW)
    assert [s for s in hidden if s.casefold() in page.casefold()] == []
    _, cells = xlsx_texts(export_xlsx(wb, lang, anonymise=True, now=NOW))
    joined = "\n".join(cells).casefold()
    assert [s for s in hidden if s.casefold() in joined] == []
