"""Chapter 2's recommended tools as forms, without a browser: the profile questionnaire saves into the
chosen person's profile and shows each profile's completeness; the question bank is seeded and edited."""

from __future__ import annotations

from pathlib import Path

from kamlib.forms import analysis as ch2
from kamlib.forms.ch2_tools import BankSeed, ProfileQuestionnaire
from kamlib.forms.page import Page
from kamlib.forms.rows import NEW
from kamlib.i18n import t
from kamlib.model import load_workbook, update_workbook
from kamlib.model.workbook import KeyPerson, PersonProfile
from kamlib.question_bank import STARTERS
from kamlib.questionnaire import starter_prompts
from tests.form_checks import add_row, form_of, shown


def _people(workbook_file: Path) -> tuple[str, str]:
    chen = KeyPerson(name="Chen", title="Senior VP", profile=PersonProfile(interests="cycling"))
    zhou = KeyPerson(name="Zhou", title="CIO", reports_to=chen.id)
    update_workbook(workbook_file, lambda wb: wb.plan.key_persons.items.extend([chen, zhou]))
    return chen.id, zhou.id


def test_answers_go_into_the_chosen_persons_profile_and_the_completeness_follows(workbook_file: Path) -> None:
    chen, zhou = _people(workbook_file)
    page = Page(lang="en")
    form = ch2.questionnaire(page)
    assert isinstance(form, ProfileQuestionnaire)
    assert [label for label, _ in form.person.options] == ["—", "Chen (Senior VP)", "Zhou (CIO)"]
    assert "0/7" in shown(page)[-1] and "Chen" in shown(page)[-1]
    form.person.value = chen
    form.inputs["group"].value = "education"
    assert list(form.inputs["question"].options) == starter_prompts("education", "en")  # take or leave
    add_row(form, group="education", question=starter_prompts("education", "en")[0], answer="Engineering")
    add_row(form, group="you", question="Which problem keeps them awake?", answer="")
    wb = load_workbook(workbook_file)
    profile = wb.plan.key_persons.items[0].profile
    assert [(a.group, a.answer) for a in profile.answers] == [("education", "Engineering"), ("you", "")]
    assert profile.interests == "cycling" and wb.plan.key_persons.items[1].profile.answers == []
    table = shown(page)[-1]
    assert table.count("1/7") == 1 and table.count("0/7") == 1  # an open question does not count
    assert any(label.startswith("○ The customer and you") for label, _ in form.picker.options)
    # the second person's entries are their own; switching back shows Chen's again
    form.person.value = zhou
    assert [v for _, v in form.picker.options] == [NEW]
    add_row(form, group="lifestyle", question="Where do they like to meet?", answer="Tea house")
    form.person.value = chen
    entry = load_workbook(workbook_file).plan.key_persons.items[0].profile.answers[1]
    form.picker.value = entry.id
    form.inputs["answer"].value = "Branch downtime"
    form.save()
    form.delete_button.click()  # deletes the entry shown, and only that one
    answers = load_workbook(workbook_file).plan.key_persons.items[0].profile.answers
    assert [a.question for a in answers] == [starter_prompts("education", "en")[0]]
    assert load_workbook(workbook_file).plan.key_persons.items[1].profile.answers[0].answer == "Tea house"


def test_saving_a_person_in_the_six_step_editor_keeps_their_answers(workbook_file: Path) -> None:
    chen, _ = _people(workbook_file)
    page = Page(lang="en")
    form = ch2.questionnaire(page)
    form.person.value = chen
    add_row(form, group="family", question="Family occasions?", answer="Daughter's graduation in June")
    people = ch2.key_persons(page)
    people.picker.value = chen
    people.inputs["attitude"].value = "+"
    people.save()
    person = load_workbook(workbook_file).plan.key_persons.items[0]
    assert person.attitude == "+" and person.profile.answers[0].answer == "Daughter's graduation in June"


def test_the_questionnaire_asks_for_a_person_and_a_group_in_the_trainees_language(workbook_file: Path) -> None:
    _people(workbook_file)
    page = Page(lang="zh")
    form = ch2.questionnaire(page)
    form.picker.value = NEW
    form.inputs["question"].value = "Where did they study?"
    form.save_button.click()
    assert form.status.text == t("questionnaire.no_person", "zh")
    form.person.value = load_workbook(workbook_file).plan.key_persons.items[0].id
    form.save_button.click()  # no group chosen
    assert t("questionnaire.field.group", "zh") in form.status.text
    assert load_workbook(workbook_file).plan.key_persons.items[0].profile.answers == []
    page.set_lang("en")
    assert form.person.description == "Key person" and form.inputs["group"].options[1][0] == "The customer"


def test_without_key_persons_the_page_says_where_to_enter_them(workbook_file: Path) -> None:
    page = Page(lang="en")
    ch2.questionnaire(page)
    assert shown(page)[-1] == t("questionnaire.no_people", "en")


def test_the_question_bank_is_seeded_once_edited_and_shown_by_step(workbook_file: Path) -> None:
    page = Page(lang="zh")
    editor = ch2.question_bank(page)
    assert shown(page)[-1] == t("question_bank.empty", "zh")
    seed = form_of(page, BankSeed)
    assert seed.add_starters() == sum(STARTERS.values())
    assert seed.add_starters() == 0  # nothing twice
    bank = load_workbook(workbook_file).plan.question_bank.items
    editor.picker.value = bank[0].id
    assert editor.inputs["step"].value == 1
    editor.inputs["question"].value = "组织架构最近有调整吗？"
    editor.inputs["answer"].value = "去年合并了两个部门"
    editor.save()
    add_row(editor, step=4, question="谁来审批预算？", answer="")
    bank = load_workbook(workbook_file).plan.question_bank.items
    assert bank[0].starter == "1.1" and bank[0].answer == "去年合并了两个部门" and bank[-1].step == 4
    assert seed.add_starters() == 0  # the edited starter is still there: not added again
    text = shown(page)[-1]
    assert t("question_bank.count", "zh", answered=1, total=3) in text  # step 1
    assert t("question_bank.count", "zh", answered=0, total=5) in text and "谁来审批预算？" in text  # step 4
    editor.picker.value = NEW
    editor.inputs["question"].value = "没有步骤的问题"
    editor.save_button.click()
    assert t("question_bank.field.step", "zh") in editor.status.text


def test_the_further_reading_names_the_book_as_the_deck_gives_it(workbook_file: Path) -> None:
    page = Page(lang="zh")
    ch2.further_reading(page)
    assert "哈维·麦凯" in shown(page)[-1] and "《攻心为上》" in shown(page)[-1]


def test_renaming_the_chosen_person_keeps_them_chosen(workbook_file: Path) -> None:
    chen, _ = _people(workbook_file)
    page = Page(lang="en")
    form = ch2.questionnaire(page)
    form.person.value = chen
    people = ch2.key_persons(page)
    people.picker.value = chen
    people.inputs["name"].value = "Chen Hao"
    people.save()  # the page relabels every form: the questionnaire's person list changes
    assert form.person.value == chen and form.person.label == "Chen Hao (Senior VP)"
    add_row(form, group="customer", question="How to address them?", answer="Chen zong")
    assert load_workbook(workbook_file).plan.key_persons.items[0].profile.answers[0].answer == "Chen zong"
