"""The class exchange of a classroom hub: modes whatever the umask, received time that cannot be set back, the
instructors' side reading it (`kam grade --exchange`, `kam feedback --release`), and, as root with throw-away Unix
accounts, the permission model itself: each check is made by the uid it is about."""

from __future__ import annotations

import contextlib
import datetime as dt
import grp
import json
import os
import pickle
import pwd
import secrets
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kamlib import exchange, paths
from kamlib.cli import main as kam
from kamlib.errors import KamError
from kamlib.exchange import ExchangeError
from kamlib.forms.start import feedback_view
from kamlib.gradebook import read_gradebook
from kamlib.intake import read_exchange
from kamlib.model.workbook import Trainee
from kamlib.submission import Submission, list_submissions, write_submission

ME = pwd.getpwuid(os.getuid()).pw_name  # the folder a file written by this test's uid may sit in
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _submission(trainee: str, answers: dict[str, Any] | None = None, exercise: str = "ex00") -> Submission:
    return Submission(exercise_id=exercise, trainee=Trainee(id=trainee, name=trainee.upper(), language="en"),
                      answers=answers if answers is not None else {"q1": "ch3"})


@contextlib.contextmanager
def _umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


# ---- files: modes and times ------------------------------------------------------------------------------


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o077])
def test_a_submission_is_written_0640_whatever_the_umask(tmp_path: Path, mask: int) -> None:
    with _umask(mask):
        path = write_submission(_submission("li.wei"), tmp_path / "subs")
        card = exchange.create_file(tmp_path / "card.json", b"{}")
    assert stat.S_IMODE(path.stat().st_mode) == exchange.FILE_MODE == 0o640
    assert stat.S_IMODE(card.stat().st_mode) == 0o640
    with pytest.raises(FileExistsError):
        exchange.create_file(card, b"again")
    assert card.read_bytes() == b"{}"  # never replaced


def test_a_link_in_the_place_of_a_new_file_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep", encoding="utf-8")
    (tmp_path / "new.json").symlink_to(target)
    with pytest.raises(FileExistsError):
        exchange.create_file(tmp_path / "new.json", b"{}")
    assert target.read_text(encoding="utf-8") == "keep"


def test_received_time_is_the_change_time_which_back_dating_does_not_move_back(tmp_path: Path) -> None:
    path = write_submission(_submission("li.wei"), tmp_path)
    received = exchange.received_time(path)
    assert abs((received - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    week_ago = time.time() - 7 * 86400
    os.utime(path, (week_ago, week_ago))  # what `touch -d` does: the modification time moves back...
    assert path.stat().st_mtime == pytest.approx(week_ago)
    assert exchange.received_time(path) >= received  # ...the change time moves on, never back
    assert exchange.received_time(os.lstat(path)) == exchange.received_time(path)


# ---- paths on a hub ----------------------------------------------------------------------------------------


def test_submissions_go_to_the_exchange_on_a_hub_and_kam_submissions_wins(tmp_path: Path, home: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert paths.submissions_dir() == home / "submissions"
    monkeypatch.setenv("KAM_EXCHANGE", str(tmp_path / "exchange"))
    assert paths.submissions_dir() == tmp_path / "exchange" / "inbound"
    monkeypatch.setenv("KAM_SUBMISSIONS", str(tmp_path / "elsewhere"))
    assert paths.submissions_dir() == tmp_path / "elsewhere"


@pytest.mark.parametrize(("lang", "words"), [("en", "logged in to the classroom server as cd07"),
                                             ("zh", "登录的身份是 cd07")])
def test_on_a_hub_another_trainee_id_cannot_submit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str,
                                                   words: str) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "cd07")
    with pytest.raises(KamError) as err:
        write_submission(_submission("li.wei"), tmp_path)
    assert words in err.value.message(lang) and "li.wei" in err.value.message(lang)
    assert not list(tmp_path.rglob("*.json"))
    assert write_submission(_submission("cd07"), tmp_path).parent == tmp_path / "cd07"


def test_the_trainee_lists_only_their_own_folder(tmp_path: Path) -> None:
    mine = write_submission(_submission("li.wei"), tmp_path)
    write_submission(_submission("wang"), tmp_path)
    exchange.create_file(tmp_path / "li.wei" / "share1-20260101T000000000000Z.json", b"{}")  # a card, not a submission
    assert list_submissions(tmp_path, trainee="li.wei") == [mine]
    assert len(list_submissions(tmp_path)) == 2  # the instructor's view: every folder (a shared card is no submission)
    assert list_submissions(tmp_path, trainee="nobody") == []


def test_the_start_page_lists_one_folder_and_never_the_whole_exchange(workbook_file: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """On the hub the trainee cannot list inbound/: the page reads ``<inbound>/<id>/*.json`` only."""
    from kamlib.forms import start
    from kamlib.forms.page import Page

    monkeypatch.setenv("KAM_EXCHANGE", str(tmp_path))
    mine = write_submission(_submission("li.wei"))
    globbed: list[tuple[Path, str]] = []
    real_glob = Path.glob

    def glob(self: Path, pattern: str) -> Any:
        globbed.append((self, pattern))
        return real_glob(self, pattern)

    monkeypatch.setattr(Path, "glob", glob)
    page = Page(lang="en")
    start.data_note(page)
    links = page._displays[-2][1]("en").data
    assert f'download="{mine.name}"' in links
    assert (tmp_path / "inbound", "*/*.json") not in globbed
    assert (tmp_path / "inbound" / "li.wei", "*.json") in globbed


# ---- release and read feedback -------------------------------------------------------------------------------


def test_release_feedback_replaces_a_planted_link_and_the_trainee_sees_the_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "exchange"
    folder = exchange.outbound_dir(root, "li.wei")
    folder.mkdir(parents=True)
    victim = tmp_path / "instructor-file.txt"
    victim.write_text("private", encoding="utf-8")
    (folder / exchange.FEEDBACK_FILE).symlink_to(victim)  # planted by a trainee who made their folder writable
    with _umask(0o077):
        path = exchange.release_feedback(root, "li.wei", "<html><body><h1>Feedback of Li Wei</h1></body></html>")
    assert path == folder / "feedback.html" and not path.is_symlink()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert victim.read_text(encoding="utf-8") == "private"
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.setenv("KAM_EXCHANGE", str(root))
    assert exchange.read_feedback("li.wei") == path
    assert exchange.read_feedback("wang") is None and exchange.read_feedback("../x") is None
    monkeypatch.setenv("JUPYTERHUB_USER", "li.wei")
    assert exchange.read_feedback() == path
    shown = feedback_view("en").data
    assert "Feedback from your instructor" in shown and 'sandbox=""' in shown and "download=\"feedback.html\"" in shown
    assert "Feedback of Li Wei" in shown and "<h1>" not in shown  # the page sits escaped inside the frame
    assert "讲师给你的反馈" in feedback_view("zh").data
    monkeypatch.setenv("JUPYTERHUB_USER", "wang")
    assert feedback_view("en").data == ""


def test_release_without_the_trainees_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(ExchangeError) as err:
        exchange.release_feedback(tmp_path, "li.wei", "<html></html>")
    assert "li.wei" in err.value.message("en") and "first starts" in err.value.message("en")
    with pytest.raises(ExchangeError):
        exchange.outbound_dir(tmp_path, "../li.wei")


# ---- checking and preparing ---------------------------------------------------------------------------------


def test_not_as_root_prepare_only_checks_and_explains(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exchange, "_is_root", lambda: False)
    root = tmp_path / "exchange"
    (root / "inbound").mkdir(parents=True)
    (root / "inbound").chmod(0o777)
    group = grp.getgrgid(os.getgid()).gr_name
    with pytest.raises(ExchangeError) as err:
        exchange.prepare_exchange(root, group)
    text = err.value.message("en")
    assert "only root can set it up" in text
    assert f"{root / 'outbound'} is missing" in text and "can be written by anyone" in text
    assert "0777" in text and "must be 0751" in text
    assert not (root / "outbound").exists() and stat.S_IMODE((root / "inbound").stat().st_mode) == 0o777
    assert "只有 root 能设置" in err.value.message("zh")
    with pytest.raises(ExchangeError) as err:
        exchange.prepare_exchange(root, "no-such-group-kam")
    assert "groupadd no-such-group-kam" in err.value.message("en")


# ---- the instructors' side: kam grade --exchange, kam feedback --release -----------------------------------------


def _exchange_class(root: Path) -> dict[str, Path]:
    """An exchange written by this uid: a good submission in its own folder (back-dated by a week, as `touch -d`
    would), one whose id differs from its folder, and one in another user's folder that this uid owns."""
    from kamlib.grading import load_key, model_answers

    full = model_answers(load_key("ex00"), "en")
    inbound = root / exchange.INBOUND
    good = write_submission(_submission(ME, full), inbound)
    week_ago = time.time() - 7 * 86400
    os.utime(good, (week_ago, week_ago))
    forged_id = write_submission(_submission("wang", full), inbound)
    forged_id = forged_id.rename(inbound / ME / forged_id.name)
    other = "nobody" if ME != "nobody" else "daemon"
    foreign = write_submission(_submission(other, {"q1": "ch2"}), inbound)
    exchange.create_file(inbound / ME / "share1-20260101T000000000000Z.json", b'{"card": 1}')
    return {"good": good, "forged_id": forged_id, "foreign": foreign}


@pytest.mark.solutions
def test_kam_grade_reads_the_exchange_with_received_times_and_owner_checks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "exchange"
    files = _exchange_class(root)
    intake = read_exchange(root)
    assert [r.submission.trainee.id for r in intake.received] == [ME]
    reasons = sorted(r.reason for r in intake.rejected)
    assert reasons == ["exchange.owner", "folder_mismatch"] and len(intake.ignored) == 1
    from kamlib.grading import keys_dir

    shutil.copytree(keys_dir(), tmp_path / "instructors" / "keys")  # on a hub the keys live with the instructors
    monkeypatch.setenv("KAM_EXCHANGE", str(root))
    monkeypatch.setenv("KAM_INSTRUCTOR_DIR", str(tmp_path / "instructors"))
    assert keys_dir() == tmp_path / "instructors" / "keys"
    assert kam(["grade", "--exchange", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    owner_lines = [line for line in printed.splitlines() if f"the file belongs to user {ME}" in line]
    assert len(owner_lines) == 1 and files["foreign"].name in owner_lines[0]
    assert len([line for line in printed.splitlines() if "differs from its folder" in line]) == 1
    book = read_gradebook(tmp_path / "instructors" / "gradebook")  # KAM_INSTRUCTOR_DIR: the default gradebook
    (result,) = book.results.values()
    assert result.trainee_id == ME
    received = dt.datetime.fromisoformat(result.received_at)
    assert received == exchange.received_time(files["good"])  # the change time, not the back-dated one
    assert received.timestamp() > files["good"].stat().st_mtime + 6 * 86400


@pytest.mark.solutions
def test_kam_grade_exchange_needs_to_know_which(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kam(["grade", "--exchange", "--out", str(tmp_path / "book"), "--lang", "en"]) == 2
    assert "KAM_EXCHANGE is not set" in capsys.readouterr().err
    assert kam(["grade", "--exchange", str(tmp_path / "none"), "--out", str(tmp_path / "book"), "--lang", "zh"]) == 2
    assert "无法读取交换文件夹中的提交" in capsys.readouterr().err


@pytest.mark.solutions
def test_kam_feedback_release_puts_each_page_into_outbound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "exchange"
    _exchange_class(root)
    book = tmp_path / "book"
    assert kam(["grade", "--exchange", str(root), "--out", str(book), "--lang", "en"]) == 0
    capsys.readouterr()
    assert kam(["feedback", "--out", str(book), "--no-charts", "--release", str(root), "--lang", "en"]) == 2
    err = capsys.readouterr()
    assert f"No feedback released to {ME}" in err.err  # its outbound folder is made at spawn: not yet
    exchange.outbound_dir(root, ME).mkdir(parents=True)
    assert kam(["feedback", "--out", str(book), "--no-charts", "--release", str(root), "--lang", "en"]) == 0
    assert "1 feedback page released" in capsys.readouterr().out
    page = exchange.outbound_dir(root, ME) / "feedback.html"
    assert stat.S_IMODE(page.stat().st_mode) == 0o644 and ME.upper() in page.read_text(encoding="utf-8")


# ---- as root: the permission model, each check made by the uid it is about -----------------------------------------

needs_root = pytest.mark.skipif(not IS_ROOT or not shutil.which("useradd"),
                                reason="needs root and useradd to make throw-away trainee accounts")


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, capture_output=True)


@contextlib.contextmanager
def _accounts(count: int) -> Iterator[tuple[str, list[str], str]]:
    """An instructors' group with one instructor, and ``count`` trainees: made for the test, removed after it."""
    tag = secrets.token_hex(3)
    group, instructor = f"kamg{tag}", f"kami{tag}"
    trainees = [f"kamt{tag}{n}" for n in range(count)]
    made: list[str] = []
    group_made = False
    try:
        _run("groupadd", group)
        group_made = True
        _run("useradd", "-M", "-U", "-s", "/usr/sbin/nologin", "-G", group, instructor)
        made.append(instructor)
        for name in trainees:
            _run("useradd", "-M", "-U", "-s", "/usr/sbin/nologin", name)
            made.append(name)
        yield group, trainees, instructor
    finally:
        for name in made:
            subprocess.run(["userdel", name], capture_output=True)
        if group_made:
            subprocess.run(["groupdel", group], capture_output=True)


def as_user(user: str, fn: Callable[..., Any], *args: Any, env: dict[str, str] | None = None) -> Any:
    """``fn(*args)`` run by ``user``'s uid, gid and groups in a forked child (the interpreter as loaded: the
    trainee account runs no program of its own); an exception comes back as ``("raised", its type name)``."""
    entry = pwd.getpwnam(user)
    groups = [g.gr_gid for g in grp.getgrall() if user in g.gr_mem]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to the user, run, report, and leave without running any of pytest's clean-up
        code = 0
        try:
            os.close(read)
            os.setgroups(groups)
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
            os.environ.update(env or {})
            try:
                result: Any = ("returned", fn(*args))
            except BaseException as exc:
                result = ("raised", type(exc).__name__)
            with os.fdopen(write, "wb") as fh:
                pickle.dump(result, fh)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and data, f"the child running as {user} failed"
    kind, value = pickle.loads(data)
    return value if kind == "returned" else ("raised", value)


DENIED = ("raised", "PermissionError")


def _list(path: Path) -> list[str]:
    return sorted(os.listdir(path))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _write(path: Path) -> str:
    path.write_text("{}", encoding="utf-8")
    return "written"


def _submit(trainee: str) -> str:
    with _umask(0):  # the loosest umask: the file is still 0640
        return str(write_submission(_submission(trainee)))


def _own_listing(trainee: str) -> list[str]:
    return [p.name for p in list_submissions(trainee=trainee)]


def _back_date(path: str) -> float:
    os.utime(path, (time.time() - 86400, time.time() - 86400))
    return exchange.received_time(path).timestamp()


@pytest.fixture
def public_tmp() -> Iterator[Path]:
    """A folder every account can reach (pytest's own is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="kam-exchange-test-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@needs_root
@pytest.mark.solutions
def test_the_permission_model_holds_for_each_uid(public_tmp: Path) -> None:
    # Every module the children need is loaded first: this interpreter's own library may be out of their reach.
    from kamlib.intake import parse_submission

    warm = write_submission(_submission("warm.up"), public_tmp / "warm")
    parse_submission(warm.name, warm.read_bytes(), "warm.up")
    feedback_view("en")
    root = public_tmp / "exchange"
    with _accounts(2) as (group, (alice, bob), instructor):
        exchange.prepare_exchange(root, group)
        for user in (alice, bob):
            assert exchange.prepare_user(root, user, group) == root / "inbound" / user
        assert exchange.problems(root, group, (alice, bob)) == []
        inbound, outbound = root / "inbound", root / "outbound"
        hub = {"KAM_EXCHANGE": str(root)}

        # a trainee hands in: 0640 under umask 0, the instructors' group, in their own folder only
        file_a = Path(as_user(alice, _submit, alice, env={**hub, "JUPYTERHUB_USER": alice}))
        assert file_a.parent == inbound / alice
        info = file_a.stat()
        assert stat.S_IMODE(info.st_mode) == 0o640 and info.st_uid == pwd.getpwnam(alice).pw_uid
        assert grp.getgrgid(info.st_gid).gr_name == group  # the folder's setgid bit
        file_b = Path(as_user(bob, _submit, bob, env={**hub, "JUPYTERHUB_USER": bob}))
        assert as_user(alice, _submit, bob, env={**hub, "JUPYTERHUB_USER": alice}) == ("raised", "GradingError")

        # what alice's uid cannot do
        assert as_user(alice, _list, inbound) == DENIED
        assert as_user(alice, _list, outbound) == DENIED
        assert as_user(alice, _list, inbound / bob) == DENIED
        assert as_user(alice, _read, file_b) == DENIED
        assert as_user(alice, _write, inbound / bob / "ex00-forged.json") == DENIED
        assert as_user(alice, _list, outbound / bob) == DENIED
        # what she can: her own folder, listed by its name (the start page never lists inbound/)
        assert as_user(alice, _own_listing, alice, env=hub) == [file_a.name]
        # the instructors read every trainee's files and write into no trainee's inbound folder
        assert as_user(instructor, _list, inbound) == sorted([alice, bob])
        assert "ex00" in as_user(instructor, _read, file_a)
        assert as_user(instructor, _write, inbound / alice / "ex00-by-instructor.json") == DENIED

        # the instructor releases feedback: alice reads hers, not bob's
        released = as_user(instructor, exchange.release_feedback, root, alice, "<p>for alice</p>")
        as_user(instructor, exchange.release_feedback, root, bob, "<p>for bob</p>")
        assert as_user(alice, _read, released) == "<p>for alice</p>"
        assert as_user(alice, _read, outbound / bob / "feedback.html") == DENIED
        assert as_user(alice, exchange.read_feedback, env={**hub, "JUPYTERHUB_USER": alice}) == released
        assert "for alice" in as_user(alice, lambda: feedback_view("en").data, env={**hub, "JUPYTERHUB_USER": alice})
        assert as_user(alice, _write, released) == DENIED

        # alice back-dates her file as `touch -d` would: its received time does not move back
        before = exchange.received_time(file_a).timestamp()
        assert as_user(alice, _back_date, str(file_a)) >= before

        # no folder anywhere that anyone may write into
        assert exchange.world_writable(root) == []
        for folder, dirs, _files in os.walk(root):
            for name in [".", *dirs]:
                assert not os.lstat(Path(folder) / name).st_mode & stat.S_IWOTH

        # the instructors' read: a file alice's uid put into bob's folder (here: as root, since she cannot) does not
        # count for bob
        smuggled = inbound / bob / "ex00-20260101T000000000000Z.json"
        smuggled.write_text(json.dumps(json.loads(file_b.read_text(encoding="utf-8"))), encoding="utf-8")
        os.chown(smuggled, pwd.getpwnam(alice).pw_uid, -1)
        intake = as_user(instructor, read_exchange, root)
        assert sorted(r.submission.trainee.id for r in intake.received) == sorted([alice, bob])
        assert [r.reason for r in intake.rejected] == ["exchange.owner"]

        # a spawn after all this resets the folders (a trainee may have opened their own folder to others)
        os.chmod(inbound / alice, 0o777)
        exchange.prepare_user(root, alice, group)
        assert stat.S_IMODE((inbound / alice).stat().st_mode) == exchange.INBOX_MODE
    assert not [u for u in (alice, bob, instructor) if _exists(u)]  # the accounts are gone


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


@needs_root
def test_prepare_user_refuses_an_account_that_does_not_exist(public_tmp: Path) -> None:
    group = grp.getgrgid(0).gr_name
    with pytest.raises(ExchangeError) as err:
        exchange.prepare_user(public_tmp / "exchange", "no-such-trainee-kam", group)
    assert "no user account no-such-trainee-kam" in err.value.message("en")
