"""On a classroom hub the trainee's identity is the hub's: registration takes JUPYTERHUB_USER as the trainee id
whatever the id box holds, and a workbook of another id cannot submit."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamlib import paths
from kamlib.forms.exercise import ExerciseForm
from kamlib.forms.page import Page
from kamlib.forms.start import Registration
from kamlib.model import load_workbook
from kamlib.submission import list_submissions


@pytest.fixture
def hub(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A trainee's server on the hub: their hub name, and the class exchange."""
    monkeypatch.setenv("JUPYTERHUB_USER", "cd07")
    monkeypatch.setenv("KAM_EXCHANGE", str(tmp_path / "exchange"))
    return tmp_path / "exchange"


def test_registration_on_a_hub_takes_the_hub_user_whatever_the_box_holds(hub: Path) -> None:
    page = Page(lang="en")
    form = Registration(page)
    assert form.trainee_id.value == "cd07" and form.trainee_id.disabled  # shown, not typed
    form.name.value, form.team.value = "Li Wei", "Chengdu 2"
    form.trainee_id.value = "wang.fang"  # a front end made to send another id
    form.save.click()
    assert form.status.kind == "ok", form.status.text
    assert load_workbook(paths.workbook_path("cd07")).trainee.id == "cd07"
    assert not paths.workbook_path("wang.fang").exists()
    assert form.trainee_id.value == "cd07" and form.trainee_id.disabled


def test_a_workbook_of_another_id_is_flagged_and_cannot_submit(hub: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER")
    page = Page(lang="en")
    form = Registration(page)
    form.name.value, form.trainee_id.value = "Wang Fang", "wang.fang"  # made before the hub said who this is
    form.save.click()
    assert load_workbook(paths.workbook_path("wang.fang")).trainee.id == "wang.fang"
    monkeypatch.setenv("JUPYTERHUB_USER", "cd07")
    flagged = Registration(Page(lang="en"))
    assert flagged.status.kind == "error" and "cd07" in flagged.status.text and "wang.fang" in flagged.status.text
    exercise = ExerciseForm(Page(lang="en"), "ex00")
    exercise.inputs["q1"].value = "ch3"
    exercise.submit.click()
    assert exercise.status.kind == "error"
    assert "logged in to the classroom server as cd07" in exercise.status.text
    assert "Traceback" not in exercise.status.text
    assert list_submissions() == [] and not (hub / "inbound").exists()
    assert load_workbook(paths.workbook_path("wang.fang")).exercises["ex00"].answers["q1"] == "ch3"  # kept
    zh = ExerciseForm(Page(lang="zh"), "ex00")
    zh.submit.click()
    assert "登录的身份是 cd07" in zh.status.text


def test_the_hub_users_own_workbook_submits_into_the_exchange(hub: Path) -> None:
    page = Page(lang="en")
    form = Registration(page)
    form.name.value = "Li Wei"
    form.save.click()
    exercise = ExerciseForm(Page(lang="en"), "ex00")
    exercise.inputs["q1"].value = "ch3"
    path = exercise._submit()
    assert path.parent == hub / "inbound" / "cd07"
    assert list_submissions(trainee="cd07") == [path]
