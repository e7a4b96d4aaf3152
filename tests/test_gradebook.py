"""The class gradebook: latest submission graded, earlier kept, idempotent re-grading, changed keys recorded,
late flags, group work, manual scores and CSV import, transactional writes, exports, the class's picture."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kamlib import gradebook as gb
from kamlib.class_groups import GroupEntry
from kamlib.errors import GradingError, InputError
from kamlib.gradebook import runs
from kamlib.grading import keys_dir, load_key, model_answers
from kamlib.i18n import LANGS, t
from kamlib.model.workbook import Trainee
from kamlib.settings import CourseSettings, ExerciseSettings
from kamlib.submission import Group, GroupMember, Submission, submission_name

pytestmark = pytest.mark.solutions
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
FULL = 11  # ex00's points
AUTO = 9  # ex00's points scored without the instructor: q7 and q8 are written answers, scored by hand


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    """A copy of the course's keys (ex00's written q7 and q8 are left to the instructor), free to change."""
    folder = tmp_path / "keys"
    shutil.copytree(keys_dir(), folder)
    return folder


def submit(root: Path, trainee: str, exercise: str = "ex00", answers: dict | None = None, minutes: int = 0,
           name: str | None = None, lang: str = "en", group: Group | None = None,
           received: dt.datetime | None = None) -> Path:
    """A submission claiming ``T0 + minutes``, its file dated when it was received (by default: as claimed)."""
    at = T0 + dt.timedelta(minutes=minutes)
    sub = Submission(exercise_id=exercise, trainee=Trainee(id=trainee, name=name or trainee.title(), language=lang),
                     submitted_at=at, answers=answers or {}, group=group)
    path = root / trainee / submission_name(exercise, at)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sub.model_dump_json(), encoding="utf-8")
    stamp = (received or at).timestamp()
    os.utime(path, (stamp, stamp))
    return path


GROUP_WORK = CourseSettings(exercises={"ex00": ExerciseSettings(group=True)})


def listed(group: str, *members: str) -> list[GroupEntry]:
    """The instructor's group list: ``members`` in ``group`` for every group-work exercise."""
    return [GroupEntry(group, m) for m in members]


def full(exercise: str = "ex00", lang: str = "en") -> dict:
    return model_answers(load_key(exercise), lang)  # type: ignore[arg-type]


def dump(path: Path, skip: tuple[str, ...] = ("runs", "rejections", "changes")) -> dict[str, list]:
    conn = sqlite3.connect(path)
    query = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite%'"
    tables = [r[0] for r in conn.execute(query)]
    out = {name: sorted(conn.execute(f"SELECT * FROM {name}").fetchall(), key=repr) for name in tables
           if name not in skip}
    conn.close()
    return out


@pytest.fixture
def classroom(tmp_path: Path) -> Path:
    """li.wei submits twice (the second is right), wang once (blank), zhao once (half right)."""
    root = tmp_path / "subs"
    submit(root, "li.wei", answers={"q1": "ch2"}, minutes=0)
    submit(root, "li.wei", answers=full(), minutes=30)
    submit(root, "wang", minutes=5)
    half = {k: v for k, v in full().items() if k in ("q1", "q2", "q4")}
    submit(root, "zhao", answers=half, minutes=7, lang="zh")
    return root


def test_the_latest_submission_is_graded_and_earlier_ones_kept(classroom: Path, tmp_path: Path, keys: Path) -> None:
    ticks: list[tuple[int, int]] = []
    report = gb.grade_class([classroom], tmp_path / "book", keys=keys, progress=lambda d, n: ticks.append((d, n)))
    assert ticks[-1] == (3, 3)
    assert (report.received, report.results, report.trainees, report.earlier) == (4, 3, 3, 1)
    book = gb.read_gradebook(tmp_path / "book")
    li = book.results[("li.wei", "ex00")]
    assert li.total == AUTO and li.pending == 2  # q7 and q8 wait for the instructor
    assert li.submitted_at.startswith("2026-03-02T01:30")
    assert book.results[("wang", "ex00")].total == 0
    assert book.results[("zhao", "ex00")].total == 3
    assert [(s.trainee_id, s.graded) for s in book.submissions] == [("li.wei", False), ("li.wei", True),
                                                                    ("wang", True), ("zhao", True)]
    assert book.trainees["zhao"].language == "zh"
    for lang in LANGS:
        text = "\n".join(report.lines(lang))
        assert "4" in text and str(report.gradebook) in text


def test_grading_again_changes_nothing(classroom: Path, tmp_path: Path, keys: Path) -> None:
    gb.grade_class([classroom], tmp_path / "book", keys=keys)
    before = dump(gb.gradebook_path(tmp_path / "book"))
    again = gb.grade_class([classroom], tmp_path / "book", keys=keys)
    assert again.received == 0 and again.changes == [] and again.rejected == []
    assert dump(gb.gradebook_path(tmp_path / "book")) == before
    assert len(gb.run_log(tmp_path / "book")) == 2


def test_a_changed_key_regrades_and_records_what_changed(classroom: Path, tmp_path: Path, keys: Path) -> None:
    book_dir = tmp_path / "book"
    gb.grade_class([classroom], book_dir, keys=keys)
    key_file = keys / "ex00.toml"
    key_file.write_text(key_file.read_text(encoding="utf-8").replace("answer = 20", "answer = 25"), encoding="utf-8")
    report = gb.grade_class([], book_dir, keys=keys)  # no sources: re-grade what the gradebook holds
    changed = {(c.trainee_id, c.item_id, c.old, c.new, c.reason) for c in report.changes}
    assert changed == {("li.wei", "q4", 1.0, 0.0, "key"), ("zhao", "q4", 1.0, 0.0, "key")}
    assert gb.read_gradebook(book_dir).results[("zhao", "ex00")].total == 2
    assert "the key changed" in "\n".join(report.lines("en")) and "答案已修改" in "\n".join(report.lines("zh"))
    submit(classroom, "wang", answers=full(), minutes=60)
    later = gb.grade_class([classroom], book_dir, keys=keys)
    assert {c.reason for c in later.changes} == {"submission"} and {c.trainee_id for c in later.changes} == {"wang"}
    assert [run for run, _ in gb.change_log(book_dir)] == [2, 2, 3, 3, 3, 3, 3]


def test_late_submissions_are_flagged_against_the_due_date(classroom: Path, tmp_path: Path, keys: Path) -> None:
    due = T0 + dt.timedelta(minutes=6)
    settings = CourseSettings(exercises={"ex00": ExerciseSettings(due=due)})
    report = gb.grade_class([classroom], tmp_path / "book", keys=keys, settings=settings)
    book = gb.read_gradebook(tmp_path / "book")
    late = {tid for (tid, ex), r in book.results.items() if r.late}
    assert late == {"li.wei", "zhao"} and report.late == 2
    summary = gb.summary_table(book, "en")
    assert summary[0][-2] == "Late" and [row[-2] for row in summary[1:]] == ["ex00", "", "ex00"]


def test_a_due_date_without_time_zone_is_local_time() -> None:
    naive = dt.datetime(2026, 3, 2, 9, 0)
    local = naive.astimezone()
    assert gb.is_late(local + dt.timedelta(seconds=1), naive)
    assert not gb.is_late(local - dt.timedelta(seconds=1), naive)
    assert not gb.is_late(local, None)


def _group(*members: str, gid: str = "team1") -> Group:
    return Group(id=gid, name="Team One", members=[GroupMember(id=m, name=m.upper()) for m in members])


def test_group_work_every_member_gets_the_group_score(tmp_path: Path, keys: Path) -> None:
    root = tmp_path / "subs"
    answers = {k: v for k, v in full().items() if k != "q3"}  # 3 points short
    submit(root, "li.wei", answers=answers, minutes=1, group=_group("li.wei", "wang", "zhao"))
    submit(root, "qian", answers=full(), minutes=2)
    gb.grade_class([root], tmp_path / "book", keys=keys, settings=GROUP_WORK,
                   groups=listed("team1", "li.wei", "wang", "zhao"))
    book = gb.read_gradebook(tmp_path / "book")
    totals = {tid: r.total for (tid, ex), r in book.results.items()}
    assert totals == {"li.wei": AUTO - 3, "wang": AUTO - 3, "zhao": AUTO - 3, "qian": AUTO}
    assert book.trainees["zhao"].name == "ZHAO"  # never submitted: named by the group
    (group,) = book.groups
    assert group.members == ("li.wei", "wang", "zhao") and group.name == "Team One"
    groups = gb.groups_table(book, "en")
    assert groups[1][:2] == ["ex00", "team1"] and groups[1][4] == AUTO - 3
    items = gb.items_table(book, "en")
    assert {row[0] for row in items[1:] if row[4] == "team1"} == {"li.wei", "wang", "zhao"}
    # wang hands in alone later: his own latest submission now counts, the group keeps two members
    # (the group list given before is kept in the gradebook)
    submit(root, "wang", answers=full(), minutes=9)
    gb.grade_class([root], tmp_path / "book", keys=keys, settings=GROUP_WORK)
    book = gb.read_gradebook(tmp_path / "book")
    assert book.results[("wang", "ex00")].total == AUTO and book.results[("wang", "ex00")].group_id is None
    assert book.groups[0].members == ("li.wei", "zhao")


def test_the_submitter_is_always_a_member(tmp_path: Path, keys: Path) -> None:
    root = tmp_path / "subs"
    submit(root, "li.wei", answers=full(), group=_group("wang"))
    gb.grade_class([root], tmp_path / "book", keys=keys, settings=GROUP_WORK, groups=listed("team1", "li.wei", "wang"))
    assert gb.read_gradebook(tmp_path / "book").groups[0].members == ("li.wei", "wang")


def test_manual_scores_override_and_comments_show(classroom: Path, tmp_path: Path, keys: Path) -> None:
    root = tmp_path / "subs2"
    submit(root, "li.wei", answers=full(), group=_group("li.wei", "wang"))
    submit(root, "zhao", answers=full())
    book_dir = tmp_path / "book"
    report = gb.grade_class([root], book_dir, keys=keys, settings=GROUP_WORK, groups=listed("team1", "li.wei", "wang"))
    assert report.pending_manual == 6  # q7 and q8 of li.wei, wang and zhao
    entries = [
        gb.ManualEntry("ex00", "q7", "group", "team1", 1, "Clear goal."),
        gb.ManualEntry("ex00", "q7", "trainee", "zhao", 0.5, "Name the industry."),
        gb.ManualEntry("ex00", "q1", "trainee", "zhao", None, "Right, and well argued."),
        gb.ManualEntry("ex00", "q8", "group", "team1", 1, ""),
        gb.ManualEntry("ex00", "q8", "trainee", "zhao", 1, ""),
    ]
    assert gb.set_manual(book_dir, entries) == 5
    book = gb.read_gradebook(book_dir)
    assert book.results[("li.wei", "ex00")].total == FULL and book.results[("wang", "ex00")].total == FULL
    zhao = book.results[("zhao", "ex00")]
    assert zhao.total == FULL - 0.5 and zhao.pending == 0
    q1 = next(i for i in zhao.items if i.item_id == "q1")
    assert q1.final_points == q1.auto_points == 1 and q1.comment == "Right, and well argued."
    # a member's own entry wins over the group's; the group's comment is kept beside it
    gb.set_manual(book_dir, [gb.ManualEntry("ex00", "q7", "trainee", "wang", 0, "See me.")])
    wang = next(i for i in gb.read_gradebook(book_dir).results[("wang", "ex00")].items if i.item_id == "q7")
    assert wang.final_points == 0 and wang.comment == "Clear goal.\nSee me."
    # an empty entry removes what was stored
    gb.set_manual(book_dir, [gb.ManualEntry("ex00", "q7", "trainee", "wang", None, "")])
    assert gb.read_gradebook(book_dir).results[("wang", "ex00")].total == FULL
    # manual scores survive re-grading
    gb.grade_class([root], book_dir, keys=keys, settings=GROUP_WORK)
    assert gb.read_gradebook(book_dir).results[("zhao", "ex00")].total == FULL - 0.5


def test_bad_manual_entries_save_nothing_and_say_why(classroom: Path, tmp_path: Path, keys: Path) -> None:
    book_dir = tmp_path / "book"
    gb.grade_class([classroom], book_dir, keys=keys)
    before = dump(gb.gradebook_path(book_dir))
    bad = [gb.ManualEntry("ex00", "q7", "trainee", "li.wei", 1, "ok"),
           gb.ManualEntry("ex00", "q7", "trainee", "zhao", 5, "", "row 3"),
           gb.ManualEntry("ex00", "q9", "trainee", "zhao", 1),
           gb.ManualEntry("ex00", "q7", "trainee", "nobody", 1),
           gb.ManualEntry("ex00", "q7", "group", "team9", 1),
           gb.ManualEntry("ex07", "q7", "trainee", "zhao", 1)]
    with pytest.raises(InputError) as err:
        gb.set_manual(book_dir, bad)
    message = err.value.message("en")
    assert "Nothing was saved: 5 problems" in message
    assert "row 3: 5 points is outside 0–1" in message and "“q9”" in message and "“nobody”" in message
    assert "“team9”" in message and "“ex07”" in message
    assert "没有保存任何内容" in err.value.message("zh")
    assert dump(gb.gradebook_path(book_dir)) == before


def test_manual_scores_by_csv_with_the_template(classroom: Path, tmp_path: Path, keys: Path) -> None:
    book_dir = tmp_path / "book"
    gb.grade_class([classroom], book_dir, keys=keys)
    book = gb.read_gradebook(book_dir)
    template = gb.manual_template(book, "zh")
    rows = list(csv.reader(io.StringIO(template)))
    assert rows[0] == [t(f"gradebook.csv.{c}", "zh") for c in gb.MANUAL_COLUMNS]
    assert [(r[0], r[4]) for r in rows[1:]] == [(s, q) for s in ("li.wei", "wang", "zhao") for q in ("q7", "q8")]
    li_answer = full()["q7"]
    assert rows[1][6] == li_answer and rows[3][6] == "—"
    rows[1][7], rows[1][8] = "1", "Good: =concrete goal"
    rows[2][7], rows[3][7], rows[4][7] = "1", "0", "0"  # li.wei's q8, wang's q7 and q8
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    assert gb.import_manual_csv(book_dir, text=out.getvalue()) == 6
    book = gb.read_gradebook(book_dir)
    assert book.results[("li.wei", "ex00")].total == FULL and book.results[("wang", "ex00")].pending == 0
    assert gb.manual_value(book, "ex00", "q7", "trainee", "li.wei") == (1.0, "Good: =concrete goal")
    # English headers, semicolons, a bad row: nothing is imported and the row is named
    bad = "trainee;exercise;item;points;comment\nzhao;ex00;q7;1;ok\nwang;ex00;q7;lots;\n"
    with pytest.raises(InputError) as err:
        gb.import_manual_csv(book_dir, text=bad)
    assert "CSV, row 3: “lots” is not a number" in err.value.message("en")
    assert gb.manual_value(gb.read_gradebook(book_dir), "ex00", "q7", "trainee", "zhao") == (None, "")
    with pytest.raises(InputError) as err:
        gb.import_manual_csv(book_dir, text="who,what\nzhao,1\n")
    assert "Columns missing from" in err.value.message("en") and ": exercise, item, points (" in err.value.message("en")
    every = list(csv.reader(io.StringIO(gb.manual_template(book, "en", exercise="ex00", every_item=True))))
    assert len(every) == 1 + 3 * 8


def test_a_crash_mid_write_leaves_the_gradebook_as_it_was(classroom: Path, tmp_path: Path, keys: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    book_dir = tmp_path / "book"
    gb.grade_class([classroom], book_dir, keys=keys)
    before = dump(gb.gradebook_path(book_dir), skip=())
    submit(classroom, "qian", answers=full(), minutes=50)

    def boom(*args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(runs, "_write_trainees", boom)  # after the submissions are inserted, inside the transaction
    with pytest.raises(RuntimeError):
        gb.grade_class([classroom], book_dir, keys=keys)
    assert dump(gb.gradebook_path(book_dir), skip=()) == before


def test_a_killed_process_leaves_the_gradebook_as_it_was(classroom: Path, tmp_path: Path, keys: Path) -> None:
    book_dir = tmp_path / "book"
    gb.grade_class([classroom], book_dir, keys=keys)
    before = dump(gb.gradebook_path(book_dir), skip=())
    submit(classroom, "qian", answers=full(), minutes=50)
    script = (
        "import os, sys\n"
        "from kamlib import gradebook as gb\n"
        "gb.runs._write_trainees = lambda *a: os._exit(9)\n"
        f"gb.grade_class([{str(classroom)!r}], {str(book_dir)!r}, keys={str(keys)!r})\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 9
    assert dump(gb.gradebook_path(book_dir), skip=()) == before
    assert gb.grade_class([classroom], book_dir, keys=keys).received == 1


def test_a_damaged_gradebook_is_explained(tmp_path: Path, keys: Path) -> None:
    path = tmp_path / "book" / "gradebook.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"this is not a database" * 100)
    for call in (lambda: gb.read_gradebook(path.parent), lambda: gb.grade_class([], path.parent, keys=keys)):
        with pytest.raises(GradingError) as err:
            call()
        assert str(path) in err.value.message("en") and "cannot be read" in err.value.message("en")
    with pytest.raises(GradingError) as err:
        gb.read_gradebook(tmp_path / "none")
    assert "kam grade" in err.value.message("en")


def test_trainee_text_is_data_never_code(tmp_path: Path, keys: Path) -> None:
    root = tmp_path / "subs"
    marker = tmp_path / "PWNED"
    answers = {**full(), "q7": f"__import__('os').system('touch {marker}')", "q8": "'); DROP TABLE scores; --"}
    submit(root, "li.wei", answers=answers, name="Robert'); DROP TABLE trainees;--")
    gb.grade_class([root], tmp_path / "book", keys=keys)
    book = gb.read_gradebook(tmp_path / "book")
    assert not marker.exists()
    assert book.trainees["li.wei"].name == "Robert'); DROP TABLE trainees;--"
    assert book.answers("li.wei", "ex00")["q8"] == "'); DROP TABLE scores; --"


def test_exports_one_row_per_trainee_and_an_item_sheet(classroom: Path, tmp_path: Path, keys: Path) -> None:
    submit(classroom, "evil", answers=full(), name="=HYPERLINK(\"http://x\",\"click\")")
    submit(classroom, "li.wei", exercise="ex01", answers=full("ex01"), minutes=3)
    book_dir = tmp_path / "book"
    gb.grade_class([classroom], book_dir, keys=keys)
    files = gb.write_exports(book_dir, "en")
    assert [f.name for f in files] == ["gradebook.csv", "gradebook-items.csv", "gradebook-groups.csv",
                                       "gradebook.xlsx"]
    rows = list(csv.reader(io.StringIO((book_dir / "gradebook.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][:5] == ["Trainee ID", "Name", "Team", "ex00", "ex01"]
    by_id = {r[0]: r for r in rows[1:]}
    assert set(by_id) == {"evil", "li.wei", "wang", "zhao"}
    assert by_id["li.wei"][3:5] == [f"{AUTO:.1f}", str(load_key("ex01").max_points)]
    assert by_id["wang"][4] == "" and by_id["wang"][rows[0].index("Missing")] == "ex01"
    assert by_id["evil"][1].startswith("'=")  # never a formula in a spreadsheet
    items = list(csv.reader(io.StringIO((book_dir / "gradebook-items.csv").read_text(encoding="utf-8-sig"))))
    assert len(items) == 1 + 4 * 8 + len(load_key("ex01").items)
    xlsx = load_workbook(book_dir / "gradebook.xlsx")
    assert xlsx.sheetnames == ["Trainees", "Items", "Groups", "Submissions", "Rejected", "Changes"]
    names = [c for c in xlsx["Trainees"]["B"] if c.value and "HYPERLINK" in str(c.value)]
    assert names and all(c.data_type == "s" for c in names)
    zh = gb.write_exports(book_dir, "zh", folder=tmp_path / "zh")
    assert load_workbook(zh[-1]).sheetnames[0] == "学员"


def test_the_class_picture(tmp_path: Path, keys: Path) -> None:
    root = tmp_path / "subs"
    wrong_q1 = {**full(), "q1": "ch3"}
    submit(root, "a", answers=wrong_q1)
    submit(root, "b", answers={**wrong_q1, "q2": "user"})
    submit(root, "c", answers=full())
    for n, who in enumerate(("a", "b")):
        submit(root, who, exercise="ex01", answers=full("ex01"), minutes=n)
    roster = tmp_path / "roster.csv"
    roster.write_text("学员ID,姓名,小组\na,Anna,T1\nb,Bo,T1\nc,Cai,T2\nabsent,Dai,T2\n", encoding="utf-8")
    gb.grade_class([root], tmp_path / "book", keys=keys, roster=gb.read_roster(roster))
    book = gb.read_gradebook(tmp_path / "book")
    assert book.trainees["a"].name == "Anna" and book.trainees["absent"].on_roster
    top = gb.item_stats(book)[:2]
    assert [(s.exercise_id, s.item_id, s.missed, s.graded) for s in top] == [("ex00", "q1", 2, 3), ("ex00", "q2", 1, 3)]
    assert gb.missing_submissions(book) == [("absent", ["ex00", "ex01"]), ("c", ["ex01"])]
    stats = {s.exercise_id: s for s in gb.exercise_stats(book)}
    assert (stats["ex00"].submitted, stats["ex00"].missing, stats["ex01"].missing) == (3, 1, 2)
    assert gb.answer_counts(book, "ex00", "q1") == {"ch3": 2, "ch1": 1}
    pooled = gb.pooled_account_boxes(book, "ex01")
    assert set(pooled["top"]) <= {"R3", "D3"} and sum(pooled["top"].values()) == 6
    assert set(pooled["strategic"]) <= {"A3", "P3"} and sum(pooled["strategic"].values()) == 4
    parts = dict((p, (mine, everyone)) for p, mine, everyone in gb.part_scores(book, "c", "ex00"))
    assert parts["q1"] == (100.0, pytest.approx(100 / 3))


def test_a_bad_roster_is_explained(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nok,Fine\n../x,Bad\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        gb.read_roster(roster)
    assert "row 3" in err.value.message("en") and "../x" in err.value.message("en")
    roster.write_text("who\nx\n", encoding="utf-8")
    with pytest.raises(InputError):
        gb.read_roster(roster)


def test_rejected_files_are_kept_in_the_report_of_the_run(tmp_path: Path, keys: Path) -> None:
    root = tmp_path / "subs"
    submit(root, "li.wei", answers=full())
    (root / "wang").mkdir()
    (root / "wang" / "ex00-x.json").write_text("{", encoding="utf-8")
    report = gb.grade_class([root], tmp_path / "book", keys=keys)
    assert [r.reason for r in report.rejected] == ["bad_json"]
    book = gb.read_gradebook(tmp_path / "book")
    assert [r.reason for r in book.last_rejections] == ["bad_json"]
    assert "subs/wang/ex00-x.json" in gb.rejected_table(book, "en")[1][1]


def test_an_exercise_without_a_usable_key(tmp_path: Path, keys: Path) -> None:
    root = tmp_path / "subs"
    submit(root, "li.wei", answers=full())
    submit(root, "li.wei", exercise="ex01", answers=full("ex01"))
    (keys / "ex01.toml").unlink()
    report = gb.grade_class([root], tmp_path / "book", keys=keys)
    assert [r.reason for r in report.rejected] == ["key_problem"] and report.exercises == ["ex00"]
    assert "ex01" in report.rejected[0].message("en")


def test_the_demo_class(tmp_path: Path) -> None:
    book = gb.read_gradebook(gb.build_demo_gradebook(tmp_path / "demo", lang="en"))
    assert book.demo and len(book.trainees) == 16 and book.groups
    assert gb.missing_submissions(book) and all(n.startswith("Demo") for n in (t.name for t in book.trainees.values()))
    assert {t.language for t in book.trainees.values()} == {"zh", "en"}
    assert not gb.read_gradebook(gb.build_demo_gradebook(tmp_path / "demo2")).trainees["demo01"].name.startswith("D")


def test_the_same_submission_twice_is_one_and_a_forged_copy_is_rejected(tmp_path: Path, keys: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    path = submit(first, "li.wei", answers=full())
    copy = second / "li.wei" / path.name
    copy.parent.mkdir(parents=True)
    copy.write_bytes(path.read_bytes())
    report = gb.grade_class([first, second], tmp_path / "book", keys=keys)
    assert report.received == 1 and report.rejected == []
    copy.write_text(copy.read_text(encoding="utf-8").replace('"ch1"', '"ch2"'), encoding="utf-8")
    report = gb.grade_class([second], tmp_path / "book", keys=keys)
    assert [r.reason for r in report.rejected] == ["duplicate"] and report.changes == []
    assert "first one is kept" in report.rejected[0].message("en")


def test_an_assigned_exercise_without_a_key_is_reported(tmp_path: Path, keys: Path) -> None:
    report = gb.grade_class([], tmp_path / "book", keys=keys, exercises=["ex00", "ex77"])
    assert report.exercises == ["ex00"] and [r.file for r in report.rejected] == ["ex77"]


def test_a_submission_that_cannot_be_graded_is_reported_and_the_earlier_counts(
        tmp_path: Path, keys: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "subs"
    submit(root, "li.wei", answers=full(), minutes=0)
    submit(root, "li.wei", answers={**full(), "q8": "odd"}, minutes=5)
    submit(root, "wang", answers={"q8": "odd"}, minutes=5)
    real = runs.grade

    def choke(sub: Submission, key: object) -> object:
        if sub.answers.get("q8") == "odd":
            raise ValueError("cannot judge this answer")
        return real(sub, key)  # type: ignore[arg-type]

    monkeypatch.setattr(runs, "grade", choke)
    report = gb.grade_class([root], tmp_path / "book", keys=keys)
    assert sorted(r.reason for r in report.rejected) == ["grade_failed", "grade_failed"]
    assert "cannot judge this answer" in report.rejected[0].message("en")
    book = gb.read_gradebook(tmp_path / "book")
    assert book.results[("li.wei", "ex00")].submitted_at.startswith("2026-03-02T01:00")
    assert ("wang", "ex00") not in book.results


# ---- CSV files saved by Chinese Excel, characters no spreadsheet holds --------------------------------


def test_a_class_list_saved_by_chinese_excel_is_read(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes("学员ID,姓名,小组\nli.wei,李伟,一组\nwang,王芳,二组\n".encode("gbk"))
    assert [(r.id, r.name, r.team) for r in gb.read_roster(roster)] == [("li.wei", "李伟", "一组"),
                                                                        ("wang", "王芳", "二组")]
    roster.write_bytes(b"\x81\xff\xfe\x80")
    with pytest.raises(InputError) as err:
        gb.read_roster(roster)
    assert "GB18030" in err.value.message("en") and "Big5" in err.value.message("zh")


def test_manual_scores_saved_as_gbk_are_imported(classroom: Path, tmp_path: Path, keys: Path) -> None:
    book_dir = tmp_path / "book"
    gb.grade_class([classroom], book_dir, keys=keys)
    rows = list(csv.reader(io.StringIO(gb.manual_template(gb.read_gradebook(book_dir), "zh"))))
    rows[1][7], rows[1][8] = "1", "很好：目标具体"
    marks = tmp_path / "marks.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    marks.write_bytes(buf.getvalue().encode("gbk"))  # Chinese Excel's "CSV (comma delimited)"
    assert gb.import_manual_csv(book_dir, marks) == 6  # q7 and q8 of three trainees
    assert gb.manual_value(gb.read_gradebook(book_dir), "ex00", "q7", "trainee", "li.wei") == (1.0, "很好：目标具体")


def test_exports_show_characters_no_spreadsheet_holds(classroom: Path, tmp_path: Path, keys: Path) -> None:
    book_dir = tmp_path / "book"
    gb.grade_class([classroom], book_dir, keys=keys)
    text = "trainee,exercise,item,points,comment\nli.wei,ex00,q7,1,ok\x0bfine\x00\nwang,ex00,q7,0,-1+1\n"
    assert gb.import_manual_csv(book_dir, text=text) == 2
    gb.write_exports(book_dir, "en")
    items = load_workbook(book_dir / "gradebook.xlsx")["Items"]
    comments = [c.value for c in items["K"] if c.value]
    assert "ok\ufffdfine\ufffd" in comments and "-1+1" in comments
    assert all(c.data_type == "s" for c in items["K"] if c.value)
    rows = list(csv.reader(io.StringIO((book_dir / "gradebook-items.csv").read_bytes().decode("utf-8-sig"))))
    assert "'-1+1" in [r[10] for r in rows]
