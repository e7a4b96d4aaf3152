"""`kam grade`, `kam marks`, `kam feedback`, `kam release`: an instructor's session from the terminal."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path

import pytest

from kamlib import gradebook as gb
from kamlib.cli import main as kam
from kamlib.grading import load_key, model_answers
from kamlib.model.workbook import Trainee
from kamlib.submission import Submission, submission_name

pytestmark = pytest.mark.solutions
CJK = re.compile(r"[\u3400-\u9fff]")


def _submit(root: Path, trainee: str, answers: dict, minutes: int = 0, exercise: str = "ex00") -> None:
    at = dt.datetime(2026, 3, 2, 1, minutes, tzinfo=dt.UTC)
    sub = Submission(exercise_id=exercise, trainee=Trainee(id=trainee, name=trainee.upper(), language="en"),
                     submitted_at=at, answers=answers)
    path = root / trainee / submission_name(exercise, at)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sub.model_dump_json(), encoding="utf-8")
    os.utime(path, (at.timestamp(), at.timestamp()))  # received when it says it was submitted


@pytest.fixture
def class_zip(tmp_path: Path) -> Path:
    """A platform download: two trainees, one earlier submission, one broken file."""
    root = tmp_path / "subs"
    full = model_answers(load_key("ex00"), "en")
    _submit(root, "li.wei", {"q1": "ch4"}, minutes=0)
    _submit(root, "li.wei", full, minutes=5)
    _submit(root, "wang", {**full, "q1": "ch2"}, minutes=7)
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in root.rglob("*.json"):
            zf.write(path, f"course/{path.relative_to(root)}")
        zf.writestr("course/zhao/ex00-x.json", "{ broken")
    return archive


def test_grade_a_zip_prints_the_report_and_writes_the_exports(class_zip: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "book"
    assert kam(["grade", str(class_zip), "--out", str(out), "--lang", "en"]) == 0
    printed = capsys.readouterr()
    assert "New submissions read: 3" in printed.out and "earlier submissions kept but not graded: 1" in printed.out
    assert "Rejected, 1 file:" in printed.out and "download.zip:course/zhao/ex00-x.json" in printed.out
    assert "Grading [" in printed.err and "] 2/2" in printed.err  # the progress bar
    for name in ("gradebook.sqlite", "gradebook.csv", "gradebook-items.csv", "gradebook.xlsx", "report-en.txt"):
        assert (out / name).is_file(), name
    rows = list(csv.reader(io.StringIO((out / "gradebook.csv").read_text(encoding="utf-8-sig"))))
    # ex00's written q7 and q8 wait for the instructor: 9 of 11 points are scored automatically
    assert [r[:4] for r in rows[1:]] == [["li.wei", "LI.WEI", "", "9.0"], ["wang", "WANG", "", "8.0"]]
    assert kam(["grade", str(class_zip), "--out", str(out), "--lang", "zh"]) == 0
    again = capsys.readouterr().out
    assert "新读取的提交：0 份" in again and "分数有变化" not in again


def test_grade_with_roster_due_dates_and_assigned_exercises(class_zip: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("id,name,team\nli.wei,Li Wei,A\nwang,Wang Fang,A\nzhao,Zhao Lei,B\n", encoding="utf-8")
    settings = tmp_path / "settings.toml"
    settings.write_text('[exercises.ex00]\ndue = 2026-03-02T01:06:00Z\n', encoding="utf-8")
    out = tmp_path / "book"
    assert kam(["--lang", "en", "grade", str(class_zip), "--out", str(out), "--roster", str(roster),
                "--settings", str(settings), "--exercises", "ex00,ex01"]) == 0
    printed = capsys.readouterr().out
    assert "late: 1" in printed and "without a submission: 4" in printed
    book = gb.read_gradebook(out)
    assert book.trainees["zhao"].name == "Zhao Lei" and book.exercise_ids() == ["ex00", "ex01"]


def test_marks_template_and_import_then_feedback(class_zip: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "book"
    kam(["grade", str(class_zip), "--out", str(out)])
    template = tmp_path / "marks.csv"
    assert kam(["--lang", "en", "marks", "--out", str(out), "--template", str(template), "--all-items"]) == 0
    rows = list(csv.reader(io.StringIO(template.read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["trainee", "group"] and len(rows) == 1 + 2 * 8
    for row in rows[1:]:
        if row[0] == "wang" and row[4] == "q1":
            row[7], row[8] = "1", "Half a mark for the reasoning? No: full, your reasoning was right."
        if row[0] == "wang" and row[4] in ("q7", "q8"):  # the written answers, scored by hand
            row[7] = "1"
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    template.write_text(buf.getvalue(), encoding="utf-8")
    capsys.readouterr()
    assert kam(["--lang", "en", "marks", str(template), "--out", str(out)]) == 0
    assert f"Imported {len(rows) - 1} rows" in capsys.readouterr().out
    assert gb.read_gradebook(out).results[("wang", "ex00")].total == 11
    pages = tmp_path / "pages"
    assert kam(["--lang", "en", "feedback", "--out", str(out), "--to", str(pages), "--no-charts"]) == 0
    assert "2 feedback pages" in capsys.readouterr().out
    page = (pages / "wang.html").read_text(encoding="utf-8")
    assert "your reasoning was right" in page and '<html lang="en">' in page
    assert kam(["--lang", "en", "feedback", "--out", str(out), "--to", str(pages), "--trainee", "wang",
                "--feedback-lang", "zh", "--no-charts"]) == 0
    assert '<html lang="zh-CN">' in (pages / "wang.html").read_text(encoding="utf-8")


def test_a_template_that_cannot_be_written_is_one_clear_line(class_zip: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "book"
    kam(["grade", str(class_zip), "--out", str(out)])
    capsys.readouterr()
    template = tmp_path / "no such folder" / "marks.csv"
    assert kam(["--lang", "en", "marks", "--out", str(out), "--template", str(template)]) == 2  # a traceback before
    err = capsys.readouterr().err
    assert f"{template} cannot be written" in err and "Traceback" not in err
    assert not template.parent.exists()


def test_errors_are_one_clear_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kam(["--lang", "en", "feedback", "--out", str(tmp_path / "none")]) == 2
    assert "There is no gradebook" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("x\n", encoding="utf-8")
    assert kam(["--lang", "zh", "grade", str(tmp_path), "--roster", str(bad), "--out", str(tmp_path / "b")]) == 2
    assert "学员名单" in capsys.readouterr().err
    assert kam(["--lang", "en", "marks", "--out", str(tmp_path / "b")]) == 2


def test_release_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bundle.zip"
    assert kam(["--lang", "en", "release", "--out", str(out)]) == 0
    assert "Trainee bundle written" in capsys.readouterr().out and out.is_file()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help_lists_the_instructor_commands(lang: str, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KAM_LANG", lang)
    with pytest.raises(SystemExit):
        kam(["--help"])
    text = capsys.readouterr().out
    assert all(command in text for command in ("grade", "marks", "feedback", "release"))
    assert bool(CJK.search(text)) == (lang == "zh")
    with pytest.raises(SystemExit):
        kam(["grade", "--help"])
    assert "--roster" in capsys.readouterr().out
