"""Two tabs or windows on one workbook: their saves take turns, and neither loses the other's work."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kamlib.errors import WorkbookError
from kamlib.forms.page import Page
from kamlib.forms.start import Registration
from kamlib.locking import locked
from kamlib.model import load_workbook, save_workbook, store, update_workbook
from kamlib.model.workbook import Account

# One notebook tab: adds accounts one save at a time, as the chapter 1 form does, once told to go.
_TAB = """
import sys, time
from pathlib import Path
from kamlib.model import update_workbook
from kamlib.model.workbook import Account

path, tag, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
while not go.exists():
    time.sleep(0.005)
for i in range(count):
    update_workbook(path, lambda wb, i=i: wb.plan.portfolio.items.append(Account(name=f"{tag}-{i}")),
                    section="portfolio")
"""


def test_two_processes_adding_accounts_at_once_keep_all_of_them(workbook_file: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    tabs = [
        subprocess.Popen([sys.executable, "-c", _TAB, str(workbook_file), tag, "40", str(go)],
                         stderr=subprocess.PIPE, text=True)
        for tag in ("left", "right")
    ]
    time.sleep(0.5)  # both have started Python; let them start adding together
    go.touch()
    for tab in tabs:
        _, err = tab.communicate(timeout=120)
        assert tab.returncode == 0, err
    names = {a.name for a in load_workbook(workbook_file).plan.portfolio.items}
    expected = {f"{tag}-{i}" for tag in ("left", "right") for i in range(40)}
    assert names == expected, f"{len(expected - names)} of 80 additions lost"


def test_a_save_waits_for_the_other_tab_then_says_busy_and_changes_nothing(
    workbook_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "LOCK_WAIT_SECONDS", 0.2)
    before = workbook_file.read_bytes()
    with locked(workbook_file, timeout=1), pytest.raises(WorkbookError) as err:
        update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "X"))
    en, zh = err.value.message("en"), err.value.message("zh")
    assert str(workbook_file) in en and "another tab or window" in en and "try again" in en.lower()
    assert str(workbook_file) in zh and "另一个标签页或窗口" in zh
    assert workbook_file.read_bytes() == before
    update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "X"))  # free again: saves
    assert load_workbook(workbook_file).trainee.team == "X"


def test_saving_an_object_read_before_another_tab_saved_is_refused(workbook_file: Path) -> None:
    stale = load_workbook(workbook_file)
    update_workbook(workbook_file, lambda wb: wb.plan.portfolio.items.append(Account(name="From the other tab")))
    saved = workbook_file.read_bytes()
    stale.trainee.team = "Overwrites?"
    with pytest.raises(WorkbookError) as err:
        save_workbook(stale, workbook_file)
    en, zh = err.value.message("en"), err.value.message("zh")
    assert str(workbook_file) in en and "changed in another tab or window" in en and "enter it again" in en
    assert str(workbook_file) in zh and "另一个标签页或窗口中被修改" in zh
    assert workbook_file.read_bytes() == saved


def test_one_tab_saving_the_same_object_again_and_again_is_never_refused(workbook_file: Path) -> None:
    wb = load_workbook(workbook_file)
    for team in ("A", "B", "C"):
        wb.trainee.team = team
        save_workbook(wb, workbook_file)
    assert load_workbook(workbook_file).trainee.team == "C"
    again = update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "D"))
    again.trainee.team = "E"
    save_workbook(again, workbook_file)  # what update_workbook returns is current too
    assert load_workbook(workbook_file).trainee.team == "E"


def test_a_form_shows_a_busy_or_full_disk_in_plain_words(workbook_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "LOCK_WAIT_SECONDS", 0.2)
    form = Registration(Page(lang="en"))
    form.team.value = "Chengdu 9"
    with locked(workbook_file, timeout=1):
        form.save.click()
    assert form.status.kind == "error", form.status.text
    assert "another tab or window" in form.status.text and "Something went wrong" not in form.status.text
    form.page.set_lang("zh")
    assert "另一个标签页或窗口" in form.status.text
    monkeypatch.setattr("os.replace", _disk_full)
    form.save.click()
    assert "磁盘已满" in form.status.text and "出了点问题" not in form.status.text
    assert load_workbook(workbook_file).trainee.team == "Chengdu 2"


def _disk_full(*args: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.skipif(os.name == "nt", reason="flock is the POSIX lock")
def test_a_file_system_without_locks_still_saves(workbook_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fcntl

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "NFS"))
    assert load_workbook(workbook_file).trainee.team == "NFS"
