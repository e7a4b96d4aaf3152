"""The workbook file: round trip, atomic save and backup, clear errors that never lose data."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kamlib import paths
from kamlib.atomic import STALE_AFTER_SECONDS, temp_files
from kamlib.errors import InputError, WorkbookError
from kamlib.model import (
    SCHEMA_VERSION,
    Trainee,
    Workbook,
    load_workbook,
    save_workbook,
    update_workbook,
)
from kamlib.model.store import backup_path, create_workbook
from kamlib.model.workbook import Account, KeyAccountPick


def test_round_trip_keeps_every_section(workbook_file: Path) -> None:
    def change(wb):
        wb.plan.portfolio.items.append(Account(name="中国工商银行安徽省分行", bp_wan=800, sow_pct=12))
        wb.plan.key_accounts = [KeyAccountPick(account_id=wb.plan.portfolio.items[0].id, kind="top")]

    update_workbook(workbook_file, change, section="portfolio")
    wb = load_workbook(workbook_file)
    assert wb.plan.portfolio.items[0].name == "中国工商银行安徽省分行"
    assert wb.plan.portfolio.updated_at is not None
    assert wb.plan.key_accounts[0].account_id == wb.plan.portfolio.items[0].id
    text = workbook_file.read_text(encoding="utf-8")
    assert "中国工商银行" in text  # human-readable: no \\u escapes
    assert json.loads(text)["schema_version"] == SCHEMA_VERSION


def test_save_keeps_previous_version_and_leaves_no_temp_files(workbook_file: Path) -> None:
    before = workbook_file.read_text(encoding="utf-8")
    update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "Chengdu 3"))
    assert backup_path(workbook_file).read_text(encoding="utf-8") == before
    assert load_workbook(workbook_file).trainee.team == "Chengdu 3"
    assert sorted(p.name for p in workbook_file.parent.iterdir() if p.name.endswith(".tmp")) == []


def test_corrupt_file_error_names_file_in_both_languages_and_keeps_it(workbook_file: Path) -> None:
    update_workbook(workbook_file, lambda wb: None)  # so that a backup exists
    workbook_file.write_text('{"schema_version": 2, "trainee": ', encoding="utf-8")
    with pytest.raises(WorkbookError) as err:
        load_workbook(workbook_file)
    message = str(err.value)
    assert str(workbook_file) in message
    assert "已损坏" in message and "damaged" in message
    assert str(backup_path(workbook_file)) in err.value.message("en")
    with pytest.raises(WorkbookError, match="Not saved"):
        save_workbook(Workbook(trainee=Trainee(id="li.wei", name="Li Wei")), workbook_file)
    assert workbook_file.read_text(encoding="utf-8") == '{"schema_version": 2, "trainee": '


def test_newer_schema_is_refused_and_untouched(workbook_file: Path) -> None:
    data = json.loads(workbook_file.read_text(encoding="utf-8"))
    data["schema_version"] = SCHEMA_VERSION + 1
    workbook_file.write_text(json.dumps(data), encoding="utf-8")
    before = workbook_file.read_bytes()
    with pytest.raises(WorkbookError) as err:
        update_workbook(workbook_file, lambda wb: None)
    assert f"{SCHEMA_VERSION + 1}" in err.value.message("en")
    assert "newer version" in err.value.message("en")
    assert "更新版本" in err.value.message("zh")
    assert workbook_file.read_bytes() == before


def test_invalid_field_is_named_with_what_is_accepted(workbook_file: Path) -> None:
    data = json.loads(workbook_file.read_text(encoding="utf-8"))
    data["plan"]["portfolio"]["items"] = [{"id": "a1", "name": "ACME", "sow_pct": 130}]
    workbook_file.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(WorkbookError) as err:
        load_workbook(workbook_file)
    en, zh = err.value.message("en"), err.value.message("zh")
    assert "Share of wallet SoW (%)" in en and "#1" in en and "greater than 100" in en
    assert "钱包份额 SoW（%）" in zh and "不能大于 100" in zh


def test_v1_file_is_migrated(home: Path) -> None:
    v1 = {
        "schema_version": 1,
        "trainee": {"id": "old", "name": "Old Hand", "team": "", "language": "en"},
        "plan": {"portfolio": {"items": [{"id": "k1", "name": "ICBC"}]}, "key_account": "k1"},
    }
    path = paths.workbook_path("old")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(v1), encoding="utf-8")
    wb = load_workbook(path)
    assert wb.schema_version == SCHEMA_VERSION
    assert wb.plan.key_accounts == [KeyAccountPick(account_id="k1", kind=None)]
    assert wb.plan.focus_account == "k1"
    update_workbook(path, lambda wb: None)
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION
    assert json.loads(backup_path(path).read_text(encoding="utf-8"))["schema_version"] == 1


def test_rejected_change_leaves_file_unchanged(workbook_file: Path) -> None:
    before = workbook_file.read_bytes()

    def bad(wb):
        wb.plan.key_accounts.append(KeyAccountPick(account_id="nope", kind="top"))

    with pytest.raises(InputError) as err:
        update_workbook(workbook_file, bad)
    assert "nope" in err.value.message("en") and "nope" in err.value.message("zh")
    assert workbook_file.read_bytes() == before


def test_create_refuses_existing_file(workbook_file: Path) -> None:
    with pytest.raises(WorkbookError, match="already exists"):
        create_workbook(Trainee(id="li.wei", name="Someone"), workbook_file)


def test_not_a_workbook(home: Path) -> None:
    path = home / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(WorkbookError) as err:
        load_workbook(path)
    assert "not a workbook" in err.value.message("en")


@pytest.mark.parametrize("bad_id", ["", "../x", "a/b", ".hidden", "x" * 65])
def test_trainee_id_must_be_safe_as_a_file_name(bad_id: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Trainee(id=bad_id, name="X")


def test_default_id_is_the_hub_user_and_workbook_is_found(
    workbook_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    assert paths.default_trainee_id() == "hubuser"
    assert paths.find_workbook() == workbook_file  # hub user has no file: last used
    create_workbook(Trainee(id="hubuser", name="Hub"), paths.workbook_path("hubuser"))
    assert paths.find_workbook() == paths.workbook_path("hubuser")
    assert paths.find_workbook("elsewhere.json") == Path("elsewhere.json")
    monkeypatch.setenv("KAM_WORKBOOK", "/x/y.json")
    assert paths.find_workbook() == Path("/x/y.json")


def test_v2_file_is_migrated(home: Path) -> None:
    v2 = {
        "schema_version": 2,
        "trainee": {"id": "v2", "name": "Two", "team": "", "language": "zh"},
        "plan": {
            "portfolio": {"items": [{"id": "k1", "name": "ICBC", "bp_wan": 900, "sow_pct": 20}]},
            "key_accounts": ["k1"],
            "customer_tree": {"items": [
                {"id": "u1", "name": "ICBC", "level": 1, "kind": "unit"},
                {"id": "u2", "name": "Anhui", "level": 2, "parent_id": "u1", "kind": "dmu"},
            ]},
        },
    }
    path = paths.workbook_path("v2")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(v2), encoding="utf-8")
    wb = load_workbook(path)
    assert wb.plan.key_accounts == [KeyAccountPick(account_id="k1", kind=None)]
    assert [u.parent_id for u in wb.plan.customer_tree.items] == [None, "u1"]
    assert wb.plan.portfolio.items[0].bp_wan == 900


def test_v4_file_keeps_its_chapter_3_and_later_rows(home: Path) -> None:
    v4 = {
        "schema_version": 4,
        "trainee": {"id": "v4", "name": "Four", "team": "", "language": "en"},
        "plan": {
            "measures": {"items": [{"id": "m1", "priority": 2, "key_factor": "Price"}]},
            "campaign": {"items": [{"id": "c1", "person_id": "p1", "aim": "Visit"}]},
            "actions": {"items": [{"id": "a1", "text": "Trial", "target_on": "2026-01-05"}]},
            "bids": {"items": [{"id": "b1", "name": "Desktops 2026"}]},
            "assessments": {"items": [{"id": "s1", "taken_on": "2026-01-01", "answers": [True] * 4 + [False] * 4}]},
            "crises": {"items": [{"id": "x1", "title": "Late delivery", "severity": 3}]},
        },
    }
    path = paths.workbook_path("v4")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(v4), encoding="utf-8")
    wb = load_workbook(path)
    assert wb.schema_version == SCHEMA_VERSION == 6
    assert wb.plan.actions.items[0].status == "planned" and wb.plan.actions.items[0].history == []
    assert (wb.plan.measures.items[0].key_factor, wb.plan.campaign.items[0].goal) == ("Price", None)
    assert [s.name for s in wb.plan.bids.items] == ["Desktops 2026"]
    assert wb.plan.crises.items[0].severity == 3 and wb.plan.strategy.chosen is None


# ---- files left by a killed save -------------------------------------------------------------------
_KILLED_MID_SAVE = """
import os, sys, time
from kamlib.model import load_workbook, save_workbook
rename = os.replace
def replace(src, dst):  # the backup is renamed into place; the workbook's new version is written, not renamed
    if dst.name.endswith(".bak.json"):
        return rename(src, dst)
    open(sys.argv[2], "w").close()
    time.sleep(60)
os.replace = replace
wb = load_workbook(sys.argv[1])
wb.trainee.team = "never saved"
save_workbook(wb, sys.argv[1])
"""


def test_temp_files_of_a_killed_save_are_cleared_when_the_workbook_is_next_opened(
    workbook_file: Path, tmp_path: Path
) -> None:
    update_workbook(workbook_file, lambda wb: None)  # so that a backup exists
    before = workbook_file.read_bytes()
    stopped = tmp_path / "stopped"
    writer = subprocess.Popen([sys.executable, "-c", _KILLED_MID_SAVE, str(workbook_file), str(stopped)])
    try:
        deadline = time.monotonic() + 30
        while not stopped.exists():
            assert writer.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        long_ago = time.time() - 2 * STALE_AFTER_SECONDS
        os.utime(temp_files(workbook_file)[0], (long_ago, long_ago))
        load_workbook(workbook_file)  # its writer is alive (stopped, not dead): even an old file is kept
        assert len(temp_files(workbook_file)) == 1
    finally:
        writer.kill()
        writer.wait()
    assert workbook_file.read_bytes() == before
    stale_backup = backup_path(workbook_file).with_name(f".{backup_path(workbook_file).name}.k1ll3d.tmp")
    stale_backup.write_bytes(b"half a backup")
    left = temp_files(workbook_file) + temp_files(backup_path(workbook_file))
    assert len(left) == 2
    other = workbook_file.with_name(".someone.json.abc123.tmp")
    other.write_bytes(b"not ours")
    for tmp in [*left, other]:
        os.utime(tmp, (long_ago, long_ago))
    fresh = workbook_file.with_name(f".{workbook_file.name}.fresh1.tmp")
    fresh.write_bytes(b"being written")
    load_workbook(workbook_file)
    assert not any(p.exists() for p in left)
    assert other.exists() and fresh.exists()  # another file's, and one written just now: kept


# ---- permissions -------------------------------------------------------------------------------------
def test_save_keeps_the_files_permissions_for_it_and_its_backup(workbook_file: Path) -> None:
    os.chmod(workbook_file, 0o640)
    update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "T"))
    assert stat.S_IMODE(workbook_file.stat().st_mode) == 0o640
    assert stat.S_IMODE(backup_path(workbook_file).stat().st_mode) == 0o640


def test_a_read_only_workbook_is_not_replaced_and_the_message_says_how_to_allow_changes(
    workbook_file: Path,
) -> None:
    update_workbook(workbook_file, lambda wb: None)
    os.chmod(workbook_file, 0o444)
    before, backup = workbook_file.read_bytes(), backup_path(workbook_file).read_bytes()
    with pytest.raises(WorkbookError) as err:
        update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "T"))
    en, zh = err.value.message("en"), err.value.message("zh")
    assert str(workbook_file) in en and "read-only" in en and "chmod u+w" in en and "Read-only" in en
    assert str(workbook_file) in zh and "只读" in zh and "chmod u+w" in zh
    with pytest.raises(WorkbookError, match="read-only"):
        save_workbook(Workbook(trainee=Trainee(id="li.wei", name="Li Wei")), workbook_file)
    assert workbook_file.read_bytes() == before and backup_path(workbook_file).read_bytes() == backup
    assert stat.S_IMODE(workbook_file.stat().st_mode) == 0o444
    os.chmod(workbook_file, 0o644)  # the trainee allows changes again: saving works
    update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "T"))
    assert load_workbook(workbook_file).trainee.team == "T"


# ---- a failed write explained ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "where", "en_says", "zh_says"),
    [
        (errno.ENOSPC, "os.replace", "disk holding the folder", "磁盘已满"),
        (errno.EDQUOT, "os.fsync", "disk holding the folder", "磁盘已满"),
        (errno.EROFS, "os.replace", "read-only drive or file system", "只读的磁盘或文件系统"),
        (errno.EACCES, "os.replace", "no permission to write in the folder", "没有权限在文件夹"),
        (errno.EACCES, "os.open", "no permission to write in the folder", "没有权限在文件夹"),  # the lock file
        (errno.EIO, "os.fsync", "Could not save", "无法保存"),
    ],
)
def test_a_failed_write_says_why_and_leaves_the_file_as_it_was(
    workbook_file: Path, monkeypatch: pytest.MonkeyPatch, code: int, where: str, en_says: str, zh_says: str
) -> None:
    before = workbook_file.read_bytes()

    def fail(*args: object) -> None:
        raise (PermissionError if code == errno.EACCES else OSError)(code, os.strerror(code))

    monkeypatch.setattr(where, fail)
    with pytest.raises(WorkbookError) as err:
        update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "T"))
    monkeypatch.undo()
    en, zh = err.value.message("en"), err.value.message("zh")
    assert en_says in en and zh_says in zh and str(workbook_file) in en and str(workbook_file) in zh
    if code != errno.EIO:
        assert str(workbook_file.parent) in en
    else:
        assert os.strerror(code) in en
    assert workbook_file.read_bytes() == before
    assert temp_files(workbook_file) == [] and temp_files(backup_path(workbook_file)) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write in any folder")
def test_a_read_only_folder_is_named(workbook_file: Path) -> None:
    before = workbook_file.read_bytes()
    folder = workbook_file.parent
    os.chmod(folder, 0o555)
    try:
        with pytest.raises(WorkbookError) as err:
            update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "T"))
        with pytest.raises(WorkbookError) as err_new:
            create_workbook(Trainee(id="new.one", name="New"), folder / "new.one.json")
    finally:
        os.chmod(folder, 0o755)
    for message in (err.value.message("en"), err_new.value.message("en")):
        assert f"no permission to write in the folder {folder}" in message
    assert workbook_file.read_bytes() == before


# ---- damaged and misleading files --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "en_says"), [("deep", "nested too deeply"), ("long_number", "number too long")]
)
def test_absurd_json_is_a_damaged_file_in_the_store_and_in_kam_export(
    workbook_file: Path, capsys: pytest.CaptureFixture[str], case: str, en_says: str
) -> None:
    update_workbook(workbook_file, lambda wb: None)  # so that a backup exists
    good = workbook_file.read_bytes()
    if case == "deep":
        bad = b'{"schema_version": %d, "x": ' % SCHEMA_VERSION + b"[" * 100_000 + b"]" * 100_000 + b"}"
    else:
        version = b'"schema_version": %d' % SCHEMA_VERSION
        bad = good.replace(version, version + b', "n": ' + b"7" * 5000)
    workbook_file.write_bytes(bad)
    with pytest.raises(WorkbookError) as err:
        load_workbook(workbook_file)
    en, zh = err.value.message("en"), err.value.message("zh")
    assert str(workbook_file) in en and "damaged" in en and en_says in en
    assert str(backup_path(workbook_file)) in en
    assert str(workbook_file) in zh and "已损坏" in zh
    from kamlib.export_cli import main

    assert main(["--lang", "en", "export", str(workbook_file)]) == 2
    said = capsys.readouterr().err
    assert "damaged" in said and "Traceback" not in said
    with pytest.raises(WorkbookError, match="Not saved"):
        save_workbook(Workbook(trainee=Trainee(id="li.wei", name="Li Wei")), workbook_file)
    assert workbook_file.read_bytes() == bad


def test_a_schema_version_written_as_text_is_said_plainly(workbook_file: Path) -> None:
    data = json.loads(workbook_file.read_text(encoding="utf-8"))
    data["schema_version"] = "1"
    workbook_file.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(WorkbookError) as err:
        load_workbook(workbook_file)
    en, zh = err.value.message("en"), err.value.message("zh")
    assert str(workbook_file) in en and "schema_version must be a whole number" in en
    assert 'here it is "1", which is text' in en and "not a workbook file" in en
    assert "schema_version 字段必须是" in zh and '"1"' in zh and "是文字" in zh
    data["schema_version"] = 2.5
    workbook_file.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(WorkbookError, match=r"here it is 2\.5, which is a number with a decimal point"):
        load_workbook(workbook_file)


def test_a_workbook_saved_with_a_byte_order_mark_is_read(workbook_file: Path) -> None:
    workbook_file.write_bytes(b"\xef\xbb\xbf" + workbook_file.read_bytes())
    assert load_workbook(workbook_file).trainee.id == "li.wei"
    update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "BOM"))
    assert load_workbook(workbook_file).trainee.team == "BOM"


# ---- the last trainee of the folder --------------------------------------------------------------------
def test_remember_from_two_threads_at_once_never_fails_and_keeps_one_whole_id(home: Path) -> None:
    failures: list[BaseException] = []

    def note(trainee_id: str) -> None:
        for _ in range(200):
            try:
                paths.remember(trainee_id)
            except OSError as exc:
                failures.append(exc)

    threads = [threading.Thread(target=note, args=(tid,)) for tid in ("li.wei", "wang.fang")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert (paths.workbook_dir() / paths.LAST_USED).read_text(encoding="utf-8") in ("li.wei", "wang.fang")
    assert [p.name for p in paths.workbook_dir().iterdir() if p.name.endswith(".tmp")] == []
