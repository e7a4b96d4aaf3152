"""Feedback pages (one per trainee, in their language, everything escaped, charts embedded), the dashboard and
feedback charts, and the instructor forms over the gradebook."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from collections import Counter
from pathlib import Path

import pytest

from kamlib import gradebook as gb
from kamlib.charts import dashboard as charts
from kamlib.charts.feedback import submission_pngs
from kamlib.class_groups import GroupEntry
from kamlib.errors import InputError, KamError
from kamlib.exercises import load_exercise
from kamlib.exercises.case import load_case
from kamlib.feedback import answer_text, feedback_html, people_from_answers, picks_from_answers, write_feedback
from kamlib.forms import gradebook as forms
from kamlib.grading import load_key, model_answers
from kamlib.i18n import LANGS, Lang, t
from kamlib.model.workbook import Trainee
from kamlib.settings import CourseSettings, ExerciseSettings
from kamlib.submission import Group, GroupMember, Submission, submission_name
from tests.chart_checks import glyph_warnings, render_png, texts

pytestmark = pytest.mark.solutions
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
XSS = "<script>alert('x')</script>"
CJK = re.compile(r"[\u4e00-\u9fff]")


def submit(root: Path, trainee: str, exercise: str, answers: dict, lang: str = "en", name: str = "",
           group: Group | None = None, minutes: int = 0) -> None:
    at = T0 + dt.timedelta(minutes=minutes)
    sub = Submission(exercise_id=exercise, trainee=Trainee(id=trainee, name=name or trainee, language=lang),
                     submitted_at=at, answers=answers, group=group)
    path = root / trainee / submission_name(exercise, at)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sub.model_dump_json(), encoding="utf-8")


@pytest.fixture
def book_dir(tmp_path: Path) -> Path:
    """li.wei (English, a hostile name) and wang (Chinese) in ex00, ex01 and ex02; a group in ex02."""
    root = tmp_path / "subs"
    full = {ex: model_answers(load_key(ex), "en") for ex in ("ex00", "ex01", "ex02")}
    submit(root, "li.wei", "ex00", {**full["ex00"], "q1": "ch2", "q7": XSS}, name=f"Li {XSS}")
    submit(root, "li.wei", "ex01", {**full["ex01"], "top": ["a02", "a09"]})
    submit(root, "wang", "ex00", {**full["ex00"], "q8": "ok"}, lang="zh", name="Wang")  # q8 too short to score
    team = Group(id="team1", name=f"T {XSS}", members=[GroupMember(id="li.wei"), GroupMember(id="wang")])
    submit(root, "wang", "ex02", full["ex02"], lang="zh", group=team)
    folder = tmp_path / "book"
    group_work = CourseSettings(exercises={"ex02": ExerciseSettings(group=True)})
    gb.grade_class([root], folder, settings=group_work,
                   groups=[GroupEntry("team1", "li.wei"), GroupEntry("team1", "wang")])
    gb.set_manual(folder, [gb.ManualEntry("ex00", "q1", "trainee", "li.wei", None, f"Think of {XSS} again")])
    return folder


def test_a_page_in_the_trainees_language_with_everything_escaped(book_dir: Path) -> None:
    book = gb.read_gradebook(book_dir)
    page = feedback_html(book, "li.wei", figures=None)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert XSS not in page and "&lt;script&gt;" in page
    key = load_key("ex00")
    assert key.items[0].explanation["en"].replace("“", "“") in page.replace("&quot;", '"')
    assert "Think of &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; again" in page
    assert "Score: 8 / 11 points (73%)" in page  # q1 wrong; the written q7 and q8 wait for the instructor
    assert "Group work: T &lt;script&gt;" in page  # ex02 through wang's group
    zh = feedback_html(book, "wang", figures=None)
    assert '<html lang="zh-CN">' in zh and "得分" in zh and key.items[0].explanation["zh"] in zh
    assert t("grading.status.too_short", "zh") in zh and t("gradebook.status.pending", "zh") in zh  # q8, q7
    assert t("grading.status.too_short", "en") not in page and t("gradebook.status.pending", "en") in page
    forced = feedback_html(book, "wang", lang="en", figures=None)
    assert "Score:" in forced and not CJK.search(re.sub(r"<td>[^<]*</td>", "", forced).split("<body>")[1][:200])
    assert "Exercise 01" in feedback_html(book, "wang", figures=None, lang="en").split("No submission received")[1]


def test_reveal_results_and_pending_items_are_shown(book_dir: Path) -> None:
    book = gb.read_gradebook(book_dir)
    page = feedback_html(book, "li.wei", figures=None)
    assert "D2" in page  # the tool's box for a01 (reveal of ex01)
    conn_book = gb.read_gradebook(book_dir)
    assert conn_book.results[("li.wei", "ex01")].total < load_key("ex01").max_points


def test_charts_are_embedded_as_png_data(book_dir: Path) -> None:
    book = gb.read_gradebook(book_dir)
    page = feedback_html(book, "li.wei", figures=submission_pngs)
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2  # ex01: the picks grid; ex02 (the group's): the key persons as coded
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    # the score per part beside the class: a table with bars and every number written (ex00, ex01, ex02)
    assert page.count('<table class="parts">') == 3 and re.search(r'class="bar you" style="width:\d+%"', page)
    assert page.count('class="bar class"') == page.count('class="bar you"') > 3


def test_trainees_who_answered_alike_share_one_drawing(book_dir: Path) -> None:
    from kamlib.charts.feedback import _case_png

    _case_png.cache_clear()
    book = gb.read_gradebook(book_dir)
    feedback_html(book, "li.wei", figures=submission_pngs)
    drawn = _case_png.cache_info().misses
    feedback_html(book, "li.wei", lang="zh" if book.trainees["li.wei"].language == "en" else "en",
                  figures=submission_pngs)
    feedback_html(book, "li.wei", figures=submission_pngs)  # the same answers again: nothing new to draw
    assert _case_png.cache_info().misses == 2 * drawn and _case_png.cache_info().hits >= drawn


def test_write_feedback_for_everyone_and_unknown_trainees(book_dir: Path, tmp_path: Path) -> None:
    pages = write_feedback(book_dir, tmp_path / "out", figures=None)
    assert sorted(p.name for p in pages) == ["li.wei.html", "wang.html"]
    assert all(p.read_text(encoding="utf-8").endswith("</html>\n") for p in pages)
    with pytest.raises(KamError) as err:
        write_feedback(book_dir, tmp_path / "out", trainees=["nobody"])
    assert "nobody" in err.value.message("en")


def test_kam_feedback_draws_the_charts_unless_told_not_to(book_dir: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from kamlib.cli import main as kam

    assert kam(["--lang", "en", "feedback", "--out", str(book_dir), "--to", str(tmp_path / "charts")]) == 0
    page = (tmp_path / "charts" / "li.wei.html").read_text(encoding="utf-8")
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 2 and '<table class="parts">' in page
    assert kam(["--lang", "en", "feedback", "--out", str(book_dir), "--to", str(tmp_path / "plain"),
                "--no-charts"]) == 0
    page = (tmp_path / "plain" / "li.wei.html").read_text(encoding="utf-8")
    assert "data:image/png" not in page and '<table class="parts">' not in page
    assert "Traceback" not in capsys.readouterr().err


def test_answers_read_as_the_trainee_saw_them() -> None:
    assert answer_text("ex00", "q3", ["lb", "ga"], "en").startswith("LB")
    assert answer_text("ex00", "q4", 20.0, "en") == "20"
    assert answer_text("ex00", "q1", None, "zh") == "—"
    assert answer_text("ex00", "q1", "not-a-choice", "en") == "not-a-choice"
    assert answer_text("ex99", "q1", "x", "en") == "x"


def test_charts_of_a_submission_come_from_its_answers() -> None:
    ex01 = load_exercise("ex01")
    picks = picks_from_answers(ex01, {"top": ["a04", "a09"], "strategic": ["a06"], "order1": "a02"})
    assert [(p.account_id, p.kind) for p in picks] == [("a04", "top"), ("a09", "top"), ("a06", "strategic")]
    people = people_from_answers("ex02", {"reports_p2": "p1", "role_p2": "D", "role_p3": "Z", "reports_p4": "p4"}, "en")
    by_id = {p.id: p for p in people}
    assert by_id["p2"].reports_to == "p1" and by_id["p2"].role == "D" and by_id["p2"].decision_layer
    assert by_id["p3"].role is None and by_id["p4"].reports_to is None


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_draws_in_both_languages_without_missing_glyphs(book_dir: Path, lang: Lang) -> None:
    book = gb.read_gradebook(book_dir)
    stats = gb.exercise_stats(book)
    labels = [forms.exercise_title(s.exercise_id, lang) for s in stats]
    items = [s for s in gb.item_stats(book) if s.missed][:5]
    figures = [
        charts.score_distribution_chart(stats, labels, lang),
        charts.submission_status_chart(stats, labels, lang),
        charts.most_missed_chart(items, [forms.chart_item_label(s.exercise_id, s.item_id, lang) for s in items], lang),
        charts.answer_distribution_chart(Counter({"ch1": 3, "ch2": 1, "—": 1}), {"ch1"}, {"ch1": "A", "ch2": "B"},
                                         "q1", lang),
        charts.pooled_boxes_chart({"top": Counter({"R3": 4, "D3": 2}), "strategic": Counter({"A3": 1})},
                                  {"top": "Top", "strategic": "Strategic"}, lang),
        charts.picks_grid(load_case("ex01", lang), picks_from_answers(load_exercise("ex01"), {"top": ["a09"]}), lang),
        charts.people_map(people_from_answers("ex02", {"role_p1": "A"}, lang), lang),
        charts.score_distribution_chart([], [], lang),
        charts.most_missed_chart([], [], lang),
        charts.pooled_boxes_chart({}, {}, lang),
    ]
    for fig in figures:
        png, warnings = render_png(fig)
        assert png[:4] == b"\x89PNG" and glyph_warnings(warnings) == []
        words = " ".join(texts(fig))
        if lang == "en":
            assert not CJK.search(words.replace("万元", "").replace("万", "")), words
        else:
            assert CJK.search(words)


def test_dashboard_pieces(book_dir: Path) -> None:
    book = gb.read_gradebook(book_dir)
    summary = forms.summary_markdown(book, "en").data
    assert "| Exercise 00" in summary and "Trainees in the gradebook: 2" in summary
    named = forms.missing_markdown(book, "en", anonymous=False).data
    assert "wang" in named and "ex01" in named
    hidden = forms.missing_markdown(book, "en", anonymous=True).data
    assert "wang" not in hidden and "1 trainee lacks a submission" in hidden
    groups = forms.groups_markdown(book, "en", anonymous=False).data
    assert "&lt;" not in groups and "\\<script\\>" in groups  # Markdown-escaped
    assert "T " not in forms.groups_markdown(book, "en", anonymous=True).data
    assert "×" in forms.missed_answers(book, "en").data


def test_grading_page_forms_save_import_and_export(book_dir: Path) -> None:
    page = forms.grading_page(lang="en", gradebook=book_dir)
    manual, importer, exporter = page._forms
    manual.exercise.value = "ex00"
    manual.item.value = "q7"
    assert set(manual.points) == {("trainee", "li.wei"), ("trainee", "wang")}
    (q7,) = [k for k in load_key("ex00").items if k.id == "q7"]
    assert html.escape(q7.explanation["en"]) in manual.rubric.value  # the rubric to score by
    assert q7.example and html.escape(q7.example["en"]) in manual.rubric.value
    manual.item.value = "q8"  # wang wrote "ok": flagged, not scored
    shown = [row.children[1].value for row in manual.rows_box.children]
    assert [t("grading.status.too_short", "en") in v for v in shown] == [False, True]
    manual.item.value = "q7"
    manual.points[("trainee", "li.wei")].value = "lots"
    manual.comments[("trainee", "li.wei")].value = "typed, kept"
    manual.save_button.click()
    assert manual.status.kind == "error" and "“lots” is not a number" in manual.status.text
    assert manual.comments[("trainee", "li.wei")].value == "typed, kept"
    manual.points[("trainee", "li.wei")].value = "0.5"
    assert manual.save() == 2 and manual.status.kind == "ok"
    book = gb.read_gradebook(book_dir)
    assert gb.manual_value(book, "ex00", "q7", "trainee", "li.wei") == (0.5, "typed, kept")
    manual.exercise.value = "ex02"
    manual.item.value = "role_p1"
    assert list(manual.points) == [("group", "team1")]
    assert "T &lt;script&gt;" in manual.labels[0][0].value
    assert importer.import_text("trainee,exercise,item,points,comment\nwang,ex00,q7,1,fine\n") == 1
    assert "Imported 1 row." in importer.status.text
    with pytest.raises(InputError):
        importer.import_text("trainee,exercise,item,points\nwang,ex00,q7,9\n")
    importer.upload.value = ()
    importer._import_upload()
    assert importer.status.kind == "info"
    exporter.charts.value = False
    written = exporter.write()
    assert {p.name for p in written} >= {"gradebook.xlsx", "li.wei.html", "wang.html"}
    assert "feedback.zip" in exporter.links.value
    page.set_lang("zh")
    assert manual.save_button.description == "保存"


def test_pages_run_on_the_demo_class_when_no_gradebook_is_given() -> None:
    page = forms.dashboard_page(lang="en")
    assert page._displays  # drawn without a gradebook: the demo class
    grading = forms.grading_page(lang="zh")
    manual = grading._forms[0]
    assert manual.exercise.options and manual.item.options


def test_a_class_is_drawn_by_worker_processes_with_the_same_pages(tmp_path: Path) -> None:
    subs = gb.demo_submissions(tmp_path, trainees=8)
    folder = tmp_path / "book"
    gb.grade_class([subs], folder)
    seen: list[tuple[int, int]] = []
    parallel = write_feedback(folder, tmp_path / "parallel", workers=2, figures=submission_pngs,
                              progress=lambda n, total: seen.append((n, total)))
    serial = write_feedback(folder, tmp_path / "serial", workers=1, figures=submission_pngs)
    assert [p.name for p in parallel] == [p.name for p in serial] and len(parallel) >= 8
    for a, b in zip(parallel, serial, strict=True):
        assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8")
    assert seen[-1] == (len(parallel), len(parallel))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_grading_page_says_why_the_exchange_cannot_be_read_and_goes_on(tmp_path: Path, lang: str) -> None:
    from kamlib.errors import explain
    from kamlib.exchange import ExchangeError

    try:
        gb.grade_exchange(tmp_path / "no-exchange", tmp_path / "book")
    except ExchangeError as exc:
        expected = explain(exc, lang)
    page = forms.grading_page(lang=lang, exchange=tmp_path / "no-exchange")  # no traceback
    shown = [render(lang) for _target, render in page._displays]
    assert any(html.escape(expected.splitlines()[0]) in str(getattr(item, "data", item)) for item in shown)
    assert page._forms  # the gradebook as it is (here the demo class) is still there to work on
