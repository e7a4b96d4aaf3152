"""Widget forms without a browser: set values as a trainee would, click, check the saved file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kamlib import paths
from kamlib.exercises import choice_label, load_exercise
from kamlib.forms.exercise import ExerciseForm, exercise_page
from kamlib.forms.instructor import ScoreForm, solution_page
from kamlib.forms.page import Page
from kamlib.forms.start import LanguagePicker, Registration
from kamlib.grading import check_data_path, load_key, model_answers
from kamlib.i18n import t
from kamlib.model import load_workbook
from kamlib.submission import list_submissions
from tests.form_checks import fill_answers

# A bundle built for a graded class ships no self-check data for exercise 00: these tests have nothing to check.
needs_check_data = pytest.mark.skipif(not check_data_path("ex00").is_file(), reason="no self-check data shipped")


def test_registration_creates_the_workbook(home: Path) -> None:
    page = Page(lang="en")
    form = Registration(page)
    assert form.save.description == "Create / open my workbook"
    form.name.value, form.trainee_id.value, form.team.value = "李伟", "liwei", "成都 2组"
    form.save.click()
    assert form.status.kind == "ok", form.status.text
    wb = load_workbook(paths.workbook_path("liwei"))
    assert (wb.trainee.name, wb.trainee.team, wb.trainee.language) == ("李伟", "成都 2组", "en")
    assert page.registered and form.save.description == "Save changes"
    assert form.trainee_id.disabled
    assert paths.find_workbook() == paths.workbook_path("liwei")  # chapter pages find it


def test_registration_defaults_to_hub_user(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "cd07")
    assert Registration(Page(lang="zh")).trainee_id.value == "cd07"


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "“Trainee ID”"), ("zh", "“学员编号”")]
)
def test_bad_registration_names_the_field_and_saves_nothing(home: Path, lang: str, expected: str) -> None:
    form = Registration(Page(lang=lang))
    form.name.value, form.trainee_id.value = "Li Wei", "li/wei"
    form.save.click()
    assert form.status.kind == "error"
    assert expected.replace("“", "").replace("”", "") in form.status.text
    assert not paths.workbook_dir().exists() or not list(paths.workbook_dir().glob("*.json"))
    assert form.name.value == "Li Wei"  # nothing typed is lost


def test_updating_profile_keeps_the_plan(workbook_file: Path) -> None:
    page = Page()
    form = Registration(page)
    assert form.name.value == "Li Wei"
    form.team.value = "Chengdu 5"
    form.save.click()
    assert load_workbook(workbook_file).trainee.team == "Chengdu 5"


def test_language_switch_relabels_and_is_remembered(workbook_file: Path) -> None:
    page = Page()
    assert page.lang == "zh"
    reg = page.form(Registration(page))
    picker = page.form(LanguagePicker(page))
    picker.choice.value = "en"
    assert page.lang == "en" and reg.name.description == "Name"
    assert load_workbook(workbook_file).trainee.language == "en"
    assert Page().lang == "en"  # the next notebook opens in English
    assert Page(lang="zh").lang == "zh"  # a parameter still wins




def test_exercise_answers_are_saved_as_typed_and_survive_reopening(workbook_file: Path) -> None:
    form = ExerciseForm(Page(lang="en"), "ex00")
    form.inputs["q1"].value = "ch3"
    form.inputs["q3"].children[2].value = True
    form.inputs["q4"].value = "30%"
    saved = load_workbook(workbook_file).exercises["ex00"].answers
    assert saved == {"q1": "ch3", "q3": ["lb"], "q4": 30.0}
    again = ExerciseForm(Page(lang="zh"), "ex00")
    assert again.inputs["q1"].value == "ch3" and again.inputs["q3"].children[2].value
    assert again.inputs["q4"].value == "30"


@needs_check_data
@pytest.mark.parametrize(("lang", "word"), [("en", "not a number"), ("zh", "不是数字")])
def test_bad_number_is_explained_and_not_saved(workbook_file: Path, lang: str, word: str) -> None:
    form = ExerciseForm(Page(lang=lang), "ex00")
    form.inputs["q4"].value = "30"
    form.inputs["q4"].value = "twenty"
    assert word in form.notes["q4"].text
    assert form.inputs["q4"].value == "twenty"  # the typed text stays in the box
    assert load_workbook(workbook_file).exercises["ex00"].answers["q4"] == 30.0
    form.check.click()
    assert word in form.notes["q4"].text  # self-check does not hide the problem
    form.submit.click()
    assert form.status.kind == "error" and not list_submissions()
    form.inputs["q4"].value = "30"
    form.check.click()
    assert form.notes["q4"].text and word not in form.notes["q4"].text  # now self-check's verdict


@pytest.mark.solutions
def test_self_check_then_submit_then_reveal(workbook_file: Path) -> None:
    key = model_answers(load_key("ex00"))  # the answers come from the key: this file spells out none
    wrong_q1 = next(c for c in load_exercise("ex00").item("q1").choices if c != key["q1"])
    form = ExerciseForm(Page(lang="en"), "ex00")
    fill_answers(form, {"q1": wrong_q1, "q5": key["q5"], "q7": "ok", "q8": "x" * 300})
    form.check.click()
    assert "not yet" in form.notes["q1"].text and "right" in form.notes["q5"].text
    assert form.notes["q7"].text == t("grading.check.too_short", "en") and form.notes["q7"].kind == "error"
    assert form.notes["q8"].text == t("grading.check.instructor", "en")  # filler is never "right"
    # q5 right, q1 not yet; q7 too short and q8 written: the instructor's; q2, q3, q4, q6 blank
    assert "Self-check: 1 right, 1 not yet right, 4 not answered yet, 2 written answers (checked by your instructor)." \
        in form.status.text
    assert key["q1"] not in form.status.text  # never reveals the key
    form.submit.click()
    assert form.status.kind == "ok", form.status.text
    (path,) = list_submissions()
    assert json.loads(path.read_text(encoding="utf-8"))["answers"]["q1"] == wrong_q1
    q5 = load_exercise("ex00").item("q5")
    assert choice_label("ex00", q5, key["q5"], "en") in form.status.text  # the tool's result only after submitting
    assert load_workbook(workbook_file).exercises["ex00"].submitted == [path.name]
    form.submit.click()
    assert len(list_submissions()) == 2


def test_self_check_can_be_turned_off(workbook_file: Path, home: Path) -> None:
    (home / "course-settings.toml").write_text("[exercises.ex00]\nself_check = false\n", encoding="utf-8")
    form = ExerciseForm(Page(lang="en"), "ex00")
    form.inputs["q1"].value = "ch3"
    form.check.click()
    assert "turned self-check off" in form.status.text and form.notes["q1"].text == ""


@pytest.mark.parametrize(("lang", "word"), [("en", "Submit"), ("zh", "提交")])
def test_self_check_on_without_shipped_data_explains(workbook_file: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, lang: str, word: str) -> None:
    """A bundle built for a graded class ships no check data; self-check turned back on says so plainly."""
    from kamlib import grading

    monkeypatch.setattr(grading, "check_data_path", lambda _exercise_id: tmp_path / "none.check.json")
    form = ExerciseForm(Page(lang=lang), "ex00")
    form.inputs["q1"].value = "ch3"
    form.check.click()
    assert form.status.kind == "error" and "ex00" in form.status.text and word in form.status.text
    assert "Traceback" not in form.status.text and "FileNotFoundError" not in form.status.text
    assert load_workbook(workbook_file).exercises["ex00"].answers["q1"] == "ch3"  # nothing entered is lost


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_group_work_names_the_group_on_the_submission(workbook_file: Path, home: Path, lang: str) -> None:
    (home / "course-settings.toml").write_text("[exercises.ex00]\ngroup = true\n", encoding="utf-8")
    form = ExerciseForm(Page(lang=lang), "ex00")
    assert form.group is not None and form.group.widget in form.widget.children
    fill_answers(form, {"q1": "ch2"})
    form.submit.click()
    assert form.status.kind == "error" and list_submissions() == []  # no group yet: nothing handed in
    form.group.group_id.value = "team 1"
    form.group.members.value = "wang.fang Wang Fang\n../etc"
    form.group.save_button.click()
    assert "team 1" in form.group.status.text and "../etc" in form.group.status.text
    assert load_workbook(workbook_file).exercises["ex00"].group is None  # nothing half-saved
    assert form.group.members.value.endswith("../etc")  # what was typed stays
    form.group.group_id.value = "team1"
    form.group.members.value = "wang.fang Wang Fang\nzhao.lei"
    form.group.save_button.click()
    assert form.group.status.kind == "ok"
    form.submit.click()
    (path,) = list_submissions()
    group = json.loads(path.read_text(encoding="utf-8"))["group"]
    assert group["id"] == "team1" and [m["id"] for m in group["members"]] == ["wang.fang", "zhao.lei"]
    again = ExerciseForm(Page(lang=lang), "ex00")  # reopened: the group is read back from the workbook
    assert again.group.group_id.value == "team1" and "zhao.lei" in again.group.members.value


def test_unregistered_trainee_is_sent_to_the_start_page(home: Path, capsys) -> None:
    page = exercise_page("ex00", lang="en")
    assert not page.registered and not page._forms


@pytest.mark.solutions
def test_instructor_scores_a_submission(workbook_file: Path) -> None:
    form = ExerciseForm(Page(lang="en"), "ex00")
    fill_answers(form, model_answers(load_key("ex00")))
    form.submit.click()
    page = solution_page("ex00", lang="en")
    score_form = next(f for f in page._forms if isinstance(f, ScoreForm))
    assert len(score_form.files.options) == 1
    score_form.files.value = score_form.files.options[0][1]
    score_form.score_button.click()
    assert score_form.status.text == "Li Wei: 9 / 11 points."  # q7 and q8 are scored by the instructor


def test_messages_follow_a_language_switch(workbook_file: Path) -> None:
    page = Page(lang="zh")
    reg = page.form(Registration(page))
    picker = page.form(LanguagePicker(page))
    reg.team.value = "Chengdu 9"
    reg.save.click()
    assert "已保存" in reg.status.text
    picker.choice.value = "en"
    assert reg.status.text.startswith("Saved:") and "已保存" not in reg.status.widget.value
    form = page.form(ExerciseForm(page, "ex00"))
    form.inputs["q4"].value = "twenty"
    picker.choice.value = "zh"
    assert "不是数字" in form.notes["q4"].widget.value


def test_app_mode_keeps_displays_live_in_output_widgets(workbook_file: Path, monkeypatch) -> None:
    import ipywidgets as w

    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")
    page = Page()
    assert page.live
    page.prose("start.register.heading")
    ((box, _render),) = page._displays
    assert isinstance(box, w.Output)
    assert "注册" in box.outputs[0]["data"]["text/markdown"]
    page.set_lang("en")
    assert len(box.outputs) == 1 and "Register" in box.outputs[0]["data"]["text/markdown"]


def test_downloads_carry_the_file(workbook_file: Path) -> None:
    import base64
    import re

    form = ExerciseForm(Page(lang="en"), "ex00")
    form.inputs["q1"].value = "ch3"
    path = form._submit()
    link = form.download.value
    assert f'download="{path.name}"' in link
    payload = re.search(r"base64,([^\"]+)", link).group(1)
    assert base64.b64decode(payload) == path.read_bytes()


def test_course_map_links_every_chapter_and_its_exercise(workbook_file: Path) -> None:
    from kamlib.forms import start
    from kamlib.navigation import CHAPTER_NOTEBOOKS

    exercises = start.chapter_exercises()
    assert set(CHAPTER_NOTEBOOKS) <= set(exercises)  # every chapter has its practice
    page = Page(lang="en")
    start.course_map(page)
    text = page._displays[-1][1]("en").data
    for chapter, notebook in CHAPTER_NOTEBOOKS.items():  # same tab: the app would open a new one
        assert f'<a href="{notebook}" target="_self">' in text
        for _ex, name in exercises[chapter]:
            assert f'<a href="../exercises/{name}" target="_self">' in text
    assert "](" not in text  # no Markdown link, which the app opens in a new tab


def test_self_check_summary_counts_each_question_once() -> None:
    from kamlib.forms.exercise import check_summary
    from kamlib.grading import CheckCounts, count_checks

    result = {"a": "correct", "b": "not_yet", "c": "blank", "d": "too_short", "e": "blank", "f": "limited"}
    counts = count_checks(result, ("d", "e"))  # d and e: written answers, whatever their status
    assert counts == CheckCounts(right=1, not_yet=1, blank=1, written=2, limited=1)
    assert check_summary(counts, "en").startswith(
        "Self-check: 1 right, 1 not yet right, 1 not answered yet, 2 written answers (checked by your instructor).")
    assert check_summary(CheckCounts(right=20, not_yet=2, written=3), "en").startswith(
        "Self-check: 20 right, 2 not yet right, 3 written answers (checked by your instructor).")
    assert check_summary(CheckCounts(right=0, written=1), "en").startswith(
        "Self-check: 0 right, 1 written answer (checked by your instructor).")
    assert check_summary(CheckCounts(right=20, not_yet=2, written=3), "zh").startswith(
        "自测：答对 20 题，2 题还没答对，3 道书面题（由讲师评分）。")


def test_every_form_class_keeps_the_form_contract() -> None:
    """``Page.form`` takes a ``Form``: each form class of kamlib.forms relabels itself with ``relabel(lang)``."""
    import importlib
    import inspect
    import pkgutil
    import typing

    import kamlib.forms
    from kamlib.forms.page import Form, FormT

    assert typing.get_type_hints(Page.form)["form"] is FormT and FormT.__bound__ is Form
    found = []
    for info in pkgutil.iter_modules(kamlib.forms.__path__):
        module = importlib.import_module(f"kamlib.forms.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and "relabel" in vars(cls):
                assert list(inspect.signature(cls.relabel).parameters) == ["self", "lang"], cls
                found.append(cls)
    assert len(found) > 30


def test_a_part_for_registered_trainees_shows_nothing_without_a_workbook(workbook_file: Path, home: Path) -> None:
    from kamlib.forms.page import for_registered

    calls: list[tuple] = []

    @for_registered
    def part(page: Page, name: str, size: int = 1) -> str:
        calls.append((name, size))
        return f"{name} {size}"

    assert part.__name__ == "part"
    assert part(Page(lang="en"), "people", size=2) == "people 2"
    assert part(Page(lang="en", workbook=home / "nobody.json"), "people") is None
    assert calls == [("people", 2)]


def test_the_file_to_save_to_is_the_workbook_or_a_clear_error(workbook_file: Path, home: Path) -> None:
    from kamlib.errors import KamError, explain

    assert Page(lang="en").workbook_file() == workbook_file
    workbook_file.unlink()
    page = Page(lang="en")
    assert page.workbook_path is None
    with pytest.raises(KamError) as caught:
        page.workbook_file()
    assert explain(caught.value, "en") == t("page.no_workbook", "en")


@pytest.mark.parametrize(("module", "intro"), [("screening", "ch1.intro"), ("analysis", "ch2.intro"),
                                               ("strategy", "ch3.intro"), ("retention", "retention.intro"),
                                               ("crisis", "crisis.intro"), ("bidding", "bidding.intro")])
def test_every_chapter_page_opens_with_its_bar_its_intro_and_where_to_register(home: Path, module: str,
                                                                               intro: str) -> None:
    import importlib

    from kamlib.forms import screening

    page = importlib.import_module(f"kamlib.forms.{module}").open_page(lang="en")
    assert not page.registered
    shown = [render("en") for _, render in page._displays]
    assert 'class="kam-nav"' in shown[0].data
    assert [s.data for s in shown[1:]] == [t(intro, "en"), t("page.not_registered", "en")]
    assert screening.account_editor(page) is None and page._forms == []  # the chapter's forms: nothing to show
