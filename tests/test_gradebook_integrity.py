"""Grades that cannot be taken or forged: group submissions count only as the instructor's group list
says, and "late" and "latest" go by when a file was received, never by the time a trainee's file claims."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kamlib import gradebook as gb
from kamlib.class_groups import GroupEntry
from kamlib.cli import main as kam
from kamlib.errors import InputError
from kamlib.forms import gradebook as forms
from kamlib.grading import load_key, model_answers
from kamlib.i18n import LANGS
from kamlib.intake import read_sources
from kamlib.model.workbook import Trainee
from kamlib.settings import CourseSettings, ExerciseSettings, GradingSettings
from kamlib.submission import Group, GroupMember, Submission, submission_name

pytestmark = pytest.mark.solutions
T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
FULL = 9  # ex00's points scored automatically with the course's key (its written q7 and q8 are scored by hand)
GROUP_WORK = CourseSettings(exercises={"ex00": ExerciseSettings(group=True)})


def full() -> dict:
    return model_answers(load_key("ex00"), "en")


def submit(root: Path, trainee: str, answers: dict | None = None, claimed: dt.datetime = T0,
           received: dt.datetime | None = None, group: Group | None = None, exercise: str = "ex00") -> Path:
    """A submission claiming ``claimed``, its file dated ``received`` (by default: as claimed)."""
    sub = Submission(exercise_id=exercise, trainee=Trainee(id=trainee, name=trainee.title(), language="en"),
                     submitted_at=claimed, answers=answers or {}, group=group)
    path = root / trainee / submission_name(exercise, claimed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sub.model_dump_json(), encoding="utf-8")
    stamp = (received or claimed).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def team(*members: str, gid: str = "team1") -> Group:
    return Group(id=gid, name="Team", members=[GroupMember(id=m) for m in members])


def later(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def shown(path: Path, root: Path) -> str:
    """A file as the report names it: the source folder's name, then the path inside it."""
    return "/".join((root.name, *path.relative_to(root).parts))


# ---- group submissions -------------------------------------------------------------------------------


def test_a_group_submission_for_individual_work_cannot_overwrite_another_trainee(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    submit(root, "victim", full())
    submit(root, "attacker", {"q1": "ch1"}, claimed=later(5))
    forged = submit(root, "attacker", {}, claimed=later(60), group=team("attacker", "victim"))
    report = gb.grade_class([root], tmp_path / "book", settings=CourseSettings())
    book = gb.read_gradebook(tmp_path / "book")
    assert book.results[("victim", "ex00")].total == FULL
    assert book.results[("attacker", "ex00")].total == 1  # the attacker's own submission still counts
    assert [(r.reason, r.file) for r in report.rejected] == [("not_group_work", shown(forged, root))]
    for lang in LANGS:
        lines = [line for line in report.lines(lang) if shown(forged, root) in line]
        assert len(lines) == 1 and "ex00" in lines[0]
    assert "not mark as group work" in report.rejected[0].message("en")
    assert "小组作业" in report.rejected[0].message("zh")
    assert [s.refused for s in book.submissions if s.trainee_id == "attacker"] == [False, True]


def test_a_group_submission_credits_exactly_the_listed_members_of_the_submitters_group(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    submit(root, "chen", full())  # in the group on the list, but not named by the submission: keeps her own
    submit(root, "li.wei", {"q1": "ch1"}, claimed=later(10), group=team("li.wei", "wang", gid="whatever"))
    groups = [GroupEntry("g1", m) for m in ("li.wei", "wang", "chen")]
    report = gb.grade_class([root], tmp_path / "book", settings=GROUP_WORK, groups=groups)
    book = gb.read_gradebook(tmp_path / "book")
    totals = {tid: r.total for (tid, _), r in book.results.items()}
    assert totals == {"li.wei": 1, "wang": 1, "chen": FULL}
    (group,) = book.groups
    assert (group.group_id, group.members) == ("g1", ("li.wei", "wang"))  # the list's id, not the one typed
    assert report.rejected == [] and report.unchecked == []


def test_members_not_in_the_submitters_group_on_the_list_are_rejected(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    submit(root, "victim", full())
    outsider = submit(root, "attacker", {}, claimed=later(60), group=team("attacker", "victim"))
    nobody = submit(root, "loner", {}, claimed=later(61), group=team("loner", "attacker", gid="team2"))
    groups = [GroupEntry("g1", "attacker"), GroupEntry("g2", "victim")]
    report = gb.grade_class([root], tmp_path / "book", settings=GROUP_WORK, groups=groups)
    book = gb.read_gradebook(tmp_path / "book")
    assert book.results[("victim", "ex00")].total == FULL
    assert ("attacker", "ex00") not in book.results and ("loner", "ex00") not in book.results
    assert sorted((r.reason, r.file) for r in report.rejected) == [
        ("no_group", shown(nobody, root)), ("not_members", shown(outsider, root))]
    by_reason = {r.reason: r for r in report.rejected}
    assert "victim" in by_reason["not_members"].message("en") and "g1" in by_reason["not_members"].message("en")
    assert "分组名单" in by_reason["no_group"].message("zh")
    assert book.groups == []


def test_without_a_group_list_a_group_submission_counts_for_the_submitter_alone(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    submit(root, "victim", full())
    submit(root, "attacker", {"q1": "ch1"}, claimed=later(60), group=team("attacker", "victim", "ghost"))
    report = gb.grade_class([root], tmp_path / "book", settings=GROUP_WORK)
    book = gb.read_gradebook(tmp_path / "book")
    assert book.results[("victim", "ex00")].total == FULL
    assert book.results[("attacker", "ex00")].total == 1 and book.results[("attacker", "ex00")].group_id is None
    assert "ghost" not in book.trainees  # nobody is added by what a submission claims
    assert report.rejected == [] and len(report.unchecked) == 1
    assert "could not be checked: no group list was given" in "\n".join(report.lines("en"))
    assert "无法核对小组成员" in "\n".join(report.lines("zh"))
    assert sum("could not be checked" in line for line in report.lines("en")) == 1


def test_the_group_list_is_kept_for_regrades_and_a_new_one_replaces_it(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    submit(root, "a", full(), group=team("a", "b"))
    book_dir = tmp_path / "book"
    gb.grade_class([root], book_dir, settings=GROUP_WORK, groups=[GroupEntry("g", "a"), GroupEntry("g", "b")])
    again = gb.grade_class([], book_dir, settings=GROUP_WORK)  # no list given: the stored one holds
    assert again.unchecked == [] and set(gb.read_gradebook(book_dir).results) == {("a", "ex00"), ("b", "ex00")}
    moved = gb.grade_class([], book_dir, settings=GROUP_WORK, groups=[GroupEntry("g", "a"), GroupEntry("h", "b")])
    assert [r.reason for r in moved.rejected] == ["not_members"]
    assert set(gb.read_gradebook(book_dir).results) == set()


def test_per_exercise_groups_win_over_the_class_lists_group_column(tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("学员ID,姓名,小组,组\na,A,North,g1\nb,B,North,g1\nc,C,South,g2\n", encoding="utf-8")
    entries = gb.read_roster(roster)
    assert [(e.id, e.team, e.group) for e in entries] == [("a", "North", "g1"), ("b", "North", "g1"),
                                                         ("c", "South", "g2")]  # 小组 is still the team
    groups_csv = tmp_path / "groups.csv"
    groups_csv.write_text("Group,Trainee ID,Exercise\ng9,b,ex00\ng9,c,ex00\n", encoding="utf-8")
    listed = gb.given_group_list(entries, gb.read_groups(groups_csv))
    assert listed is not None
    assert [listed.group_of(ex, tid) for ex, tid in (("ex00", "b"), ("ex01", "b"), ("ex00", "a"))] == ["g9", "g1", "g1"]
    assert listed.members("ex00", "g9") == ["b", "c"] and listed.members("ex00", "g1") == ["a"]
    root = tmp_path / "subs"
    submit(root, "b", full(), group=team("b", "c"))
    gb.grade_class([root], tmp_path / "book", settings=GROUP_WORK, roster=entries, groups=gb.read_groups(groups_csv))
    assert set(gb.read_gradebook(tmp_path / "book").results) == {("b", "ex00"), ("c", "ex00")}


def test_a_bad_group_list_is_explained_and_nothing_is_graded(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("组,学员,练习\ng1,a,\ng1,../x,\ng2,b,ex99\ng2,a,\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        gb.read_groups(path)
    en = err.value.message("en")
    assert "groups.csv, row 3" in en and "../x" in en and "row 4" in en and "ex99" in en
    assert "第 3 行" in err.value.message("zh")
    path.write_text("group,trainee\ng1,a\ng2,a\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        gb.read_groups(path)
    assert "row 3" in err.value.message("en") and "already in group g1" in err.value.message("en")
    path.write_text("who,what\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        gb.read_groups(path)
    assert "“group” and “trainee”" in err.value.message("en")
    roster = tmp_path / "class.csv"
    roster.write_text("id,name,group\na,A,g1\nb,B,bad/group\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        gb.read_roster(roster)
    assert "row 3" in err.value.message("en") and "bad/group" in err.value.message("en")
    with pytest.raises(InputError) as err:  # the class list and the group file disagree
        gb.given_group_list([gb.RosterEntry("a", "A", "", "g1")], [GroupEntry("g2", "a")])
    assert "class list, trainee a" in err.value.message("en")


# ---- the time received -----------------------------------------------------------------------------


def test_a_claim_from_the_future_does_not_make_a_submission_the_latest(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    future = submit(root, "li.wei", full(), claimed=dt.datetime(2099, 1, 1, tzinfo=dt.UTC), received=later(10))
    submit(root, "li.wei", {"q1": "ch1"}, claimed=later(20))
    report = gb.grade_class([root], tmp_path / "book", settings=CourseSettings())
    book = gb.read_gradebook(tmp_path / "book")
    graded = book.results[("li.wei", "ex00")]
    assert graded.total == 1 and graded.submitted_at.startswith("2026-03-02T01:20")
    assert [(c.file, c.flag) for c in report.clock] == [(shown(future, root), "future")]
    line = next(line for line in report.lines("en") if shown(future, root) in line)
    assert "2099-01-01 00:00:00 UTC" in line and "2026-03-02 01:10:00 UTC" in line
    assert any("声称的时间晚于接收时间" in line for line in report.lines("zh"))
    flagged = gb.clock_flagged(book)
    assert [(s.file, s.clock_flag, s.received_at) for s in flagged] == [
        (shown(future, root), "future", "2026-03-02T01:10:00.000000+00:00")]


def test_a_back_dated_submission_received_after_the_due_date_is_late_and_flagged(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    due = T0 + dt.timedelta(days=1)
    backdated = submit(root, "late", full(), claimed=T0, received=due + dt.timedelta(days=2))
    submit(root, "honest", full(), claimed=T0 + dt.timedelta(hours=2))
    settings = CourseSettings(exercises={"ex00": ExerciseSettings(due=due)})
    report = gb.grade_class([root], tmp_path / "book", settings=settings)
    book = gb.read_gradebook(tmp_path / "book")
    assert book.results[("late", "ex00")].late and not book.results[("honest", "ex00")].late
    assert report.late == 1
    assert [(c.file, c.flag) for c in report.clock] == [(shown(backdated, root), "backdated")]
    assert book.results[("late", "ex00")].clock_flag == "backdated"
    # the thresholds are a course setting
    relaxed = CourseSettings(exercises=settings.exercises, grading=GradingSettings(backdate_hours=24 * 7))
    assert gb.grade_class([], tmp_path / "book", settings=relaxed).clock == []


def test_received_is_never_later_than_first_seen_and_kept_on_regrades(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    path = submit(root, "li.wei", full(), claimed=later(0), received=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    before = dt.datetime.now(dt.UTC)
    gb.grade_class([root], tmp_path / "book", settings=CourseSettings())
    after = dt.datetime.now(dt.UTC)
    (first,) = gb.read_gradebook(tmp_path / "book").submissions
    assert first.received_at is not None and before <= dt.datetime.fromisoformat(first.received_at) <= after
    os.utime(path, (T0.timestamp(), T0.timestamp()))  # touched back to an earlier time: changes nothing
    gb.grade_class([root], tmp_path / "book", settings=CourseSettings())
    assert gb.read_gradebook(tmp_path / "book").submissions[0].received_at == first.received_at


def test_a_zip_entry_is_received_at_its_date_never_after_the_zip_was_written(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    honest = submit(subs, "a", full(), claimed=later(0))
    future = submit(subs, "b", full(), claimed=later(0))
    undated = submit(subs, "c", full(), claimed=later(0))
    archive = tmp_path / "class.zip"
    local = later(30).astimezone()  # a zip stores local time
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(zipfile.ZipInfo("a/" + honest.name, local.timetuple()[:6]), honest.read_bytes())
        zf.writestr(zipfile.ZipInfo("b/" + future.name, (2098, 1, 1, 0, 0, 0)), future.read_bytes())
        zf.writestr(zipfile.ZipInfo("c/" + undated.name, (1980, 1, 1, 0, 0, 0)), undated.read_bytes())
    os.utime(archive, (later(90).timestamp(), later(90).timestamp()))
    received = {r.submission.trainee.id: r.received_at for r in read_sources([archive]).received}
    assert received == {"a": later(30), "b": later(90), "c": later(90)}  # no date in the zip: when it was written


def test_a_version_1_gradebook_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "book" / "gradebook.sqlite"
    path.parent.mkdir()
    honest = Submission(exercise_id="ex00", trainee=Trainee(id="li.wei", name="Li"), submitted_at=T0, answers={})
    forged = honest.model_copy(update={"submitted_at": dt.datetime(2099, 1, 1, tzinfo=dt.UTC), "answers": full()})
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA + "INSERT INTO meta VALUES ('schema_version', '1');")
    conn.execute("INSERT INTO exercises VALUES ('ex00', 11, ?, 'old')", (later(30).isoformat(),))
    conn.execute("INSERT INTO trainees VALUES ('li.wei', 'Li', '', 'en', 0)")
    for sub in (honest, forged):
        conn.execute("INSERT INTO submissions VALUES (?, 'li.wei', 'ex00', ?, 'f.json', 'd', NULL, 0, ?, ?)",
                     (gb.submission_id(sub), gb.iso_time(sub.submitted_at), int(sub is forged), sub.model_dump_json()))
    conn.execute("INSERT INTO runs (at, sources, received, rejected, graded, changes) VALUES (?, '[]', 2, 0, 1, 0)",
                 (gb.iso_time(later(60)),))
    conn.commit()
    conn.close()
    book = gb.read_gradebook(path)
    rows = {s.submitted_at[:4]: s for s in book.submissions}
    assert rows["2026"].received_at == gb.iso_time(T0) and rows["2099"].received_at == gb.iso_time(later(60))
    assert (rows["2026"].late, rows["2099"].late) == (False, True)  # due at T0 + 30 min
    assert (rows["2026"].clock_flag, rows["2099"].clock_flag) == (None, "future")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(gb.SCHEMA_VERSION),)
    conn.close()
    # and it grades on: a submission received after the migration's cut-off is the latest
    root = tmp_path / "subs"
    submit(root, "li.wei", {"q1": "ch1"}, claimed=later(120))
    gb.grade_class([root], path.parent, settings=CourseSettings())
    assert gb.read_gradebook(path).results[("li.wei", "ex00")].total == 1


# ---- what the instructor sees --------------------------------------------------------------------


@pytest.fixture
def flagged_book(tmp_path: Path) -> Path:
    root = tmp_path / "subs"
    submit(root, "li.wei", full(), claimed=dt.datetime(2099, 1, 1, tzinfo=dt.UTC), received=later(10))
    submit(root, "wang", full())
    submit(root, "wang", {}, claimed=later(60), group=team("wang", "li.wei"))
    gb.grade_class([root], tmp_path / "book", settings=CourseSettings())
    return tmp_path / "book"


def test_exports_show_the_time_received_and_the_clock_flag(flagged_book: Path, tmp_path: Path) -> None:
    gb.write_exports(flagged_book, "en")
    items = list(csv.reader(io.StringIO((flagged_book / "gradebook-items.csv").read_text(encoding="utf-8-sig"))))
    head = items[0]
    li = next(row for row in items[1:] if row[0] == "li.wei")
    assert li[head.index("Received (UTC)")].startswith("2026-03-02T01:10")
    assert li[head.index("Time check")] == "claimed time later than received"
    sheet = load_workbook(flagged_book / "gradebook.xlsx")["Submissions"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["claimed time later than received" in row for row in values[1:]].count(True) == 1
    assert any("not counted (see Rejected)" in row for row in values[1:])
    zh = gb.write_exports(flagged_book, "zh", folder=tmp_path / "zh")
    texts = [c.value for row in load_workbook(zh[-1])["提交"].iter_rows() for c in row]
    assert "声称时间晚于接收时间" in texts and "接收时间（UTC）" in texts


def test_the_instructor_pages_show_the_new_lines_in_both_languages(flagged_book: Path) -> None:
    book = gb.read_gradebook(flagged_book)
    named = forms.clock_markdown(book, "en", anonymous=False).data
    assert "li.wei" in named and "claimed time later than received" in named and "2099" in named
    hidden = forms.clock_markdown(book, "zh", anonymous=True).data
    assert "li.wei" not in hidden and "1 份提交" in hidden
    assert forms.last_run(book, "en").data.count("not mark as group work") == 1
    assert "课程设置没有把该练习设为小组作业" in forms.last_run(book, "zh").data
    page = forms.dashboard_page(lang="en", gradebook=flagged_book)
    assert page._displays
    grading = forms.grading_page(lang="zh", gradebook=flagged_book)
    assert grading._forms


def test_kam_grade_with_a_group_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "subs"
    submit(root, "a", full(), group=team("a", "b"))
    settings = tmp_path / "settings.toml"
    settings.write_text("[exercises.ex00]\ngroup = true\n", encoding="utf-8")
    groups = tmp_path / "groups.csv"
    groups.write_text("group,trainee\ng1,a\ng1,b\n", encoding="utf-8")
    out = tmp_path / "book"
    assert kam(["--lang", "en", "grade", str(root), "--out", str(out), "--settings", str(settings),
                "--groups", str(groups)]) == 0
    assert "group submissions 1" in capsys.readouterr().out
    assert set(gb.read_gradebook(out).results) == {("a", "ex00"), ("b", "ex00")}
    groups.write_text("group,trainee\ng1,a\ng2,a\n", encoding="utf-8")
    assert kam(["--lang", "zh", "grade", str(root), "--out", str(out), "--groups", str(groups)]) == 2
    assert "groups.csv 第 3 行" in capsys.readouterr().err
    assert kam(["--lang", "en", "grade", str(root), "--out", str(tmp_path / "b2"), "--settings", str(settings)]) == 0
    assert "Group members could not be checked" in capsys.readouterr().out


# The gradebook as kamlib wrote it at schema version 1 (kept verbatim to test the migration).
V1_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trainees (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, team TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'zh', on_roster INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS exercises (
    id TEXT PRIMARY KEY, max_points REAL NOT NULL, due TEXT, key_digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    exercise_id TEXT NOT NULL, item_id TEXT NOT NULL, position INTEGER NOT NULL,
    max_points REAL NOT NULL, scoring TEXT NOT NULL, PRIMARY KEY (exercise_id, item_id));
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY, trainee_id TEXT NOT NULL, exercise_id TEXT NOT NULL, submitted_at TEXT NOT NULL,
    file TEXT NOT NULL, digest TEXT NOT NULL, group_id TEXT, late INTEGER NOT NULL DEFAULT 0,
    graded INTEGER NOT NULL DEFAULT 0, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS groups (
    exercise_id TEXT NOT NULL, group_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',
    submission_id TEXT NOT NULL, PRIMARY KEY (exercise_id, group_id));
CREATE TABLE IF NOT EXISTS group_members (
    exercise_id TEXT NOT NULL, group_id TEXT NOT NULL, trainee_id TEXT NOT NULL,
    PRIMARY KEY (exercise_id, group_id, trainee_id));
CREATE TABLE IF NOT EXISTS results (
    trainee_id TEXT NOT NULL, exercise_id TEXT NOT NULL, submission_id TEXT NOT NULL, group_id TEXT,
    PRIMARY KEY (trainee_id, exercise_id));
CREATE TABLE IF NOT EXISTS scores (
    trainee_id TEXT NOT NULL, exercise_id TEXT NOT NULL, item_id TEXT NOT NULL,
    auto_points REAL NOT NULL, status TEXT NOT NULL, PRIMARY KEY (trainee_id, exercise_id, item_id));
CREATE TABLE IF NOT EXISTS manual (
    exercise_id TEXT NOT NULL, item_id TEXT NOT NULL, subject_kind TEXT NOT NULL, subject_id TEXT NOT NULL,
    points REAL, comment TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,
    PRIMARY KEY (exercise_id, item_id, subject_kind, subject_id));
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, sources TEXT NOT NULL, received INTEGER NOT NULL,
    rejected INTEGER NOT NULL, graded INTEGER NOT NULL, changes INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS rejections (
    run_id INTEGER NOT NULL, file TEXT NOT NULL, reason TEXT NOT NULL, params TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes (
    run_id INTEGER NOT NULL, trainee_id TEXT NOT NULL, exercise_id TEXT NOT NULL, item_id TEXT NOT NULL,
    old_points REAL, new_points REAL, reason TEXT NOT NULL);
CREATE VIEW IF NOT EXISTS item_scores AS
SELECT s.trainee_id, s.exercise_id, s.item_id, i.position, i.max_points, i.scoring, s.auto_points, s.status,
       r.group_id, COALESCE(mt.points, mg.points) AS manual_points,
       COALESCE(mg.comment, '') AS group_comment, COALESCE(mt.comment, '') AS trainee_comment,
       COALESCE(mt.points, mg.points, s.auto_points) AS final_points
FROM scores s
JOIN items i ON i.exercise_id = s.exercise_id AND i.item_id = s.item_id
JOIN results r ON r.trainee_id = s.trainee_id AND r.exercise_id = s.exercise_id
LEFT JOIN manual mt ON mt.subject_kind = 'trainee' AND mt.subject_id = s.trainee_id
     AND mt.exercise_id = s.exercise_id AND mt.item_id = s.item_id
LEFT JOIN manual mg ON mg.subject_kind = 'group' AND mg.subject_id = r.group_id
     AND mg.exercise_id = s.exercise_id AND mg.item_id = s.item_id;
"""


def test_a_version_1_submission_without_a_zone_still_grades_after_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "book" / "gradebook.sqlite"
    path.parent.mkdir()
    sub = Submission(exercise_id="ex00", trainee=Trainee(id="li.wei", name="Li"), submitted_at=T0, answers=full())
    body = json.loads(sub.model_dump_json())
    body["submitted_at"] = T0.astimezone().replace(tzinfo=None).isoformat()  # version 1 accepted this
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA + "INSERT INTO meta VALUES ('schema_version', '1');")
    conn.execute("INSERT INTO submissions VALUES (?, 'li.wei', 'ex00', ?, 'f.json', 'd', NULL, 0, 1, ?)",
                 (gb.submission_id(sub), gb.iso_time(T0), json.dumps(body)))
    conn.commit()
    conn.close()
    gb.grade_class([], path.parent, settings=CourseSettings())  # re-reads every stored body: no traceback
    assert gb.read_gradebook(path).results[("li.wei", "ex00")].submitted_at == gb.iso_time(T0)
