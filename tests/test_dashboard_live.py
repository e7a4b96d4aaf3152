"""The live classroom: the trainee's "share with the class" form in chapter 1, and the instructor's dashboard
reading the class exchange (who handed in what, the Share 1 cards pooled and as a gallery, Refresh), or the
gradebook and the demo class as before when there is no exchange."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from kamlib.class_share import SharedCard, own_shared, read_class_cards, write_shared_card
from kamlib.forms import screening as ch1
from kamlib.forms.class_share import ClassShareForm
from kamlib.forms.classroom import RefreshForm
from kamlib.forms.gradebook import dashboard_page
from kamlib.forms.page import Page
from kamlib.grading import load_key, model_answers
from kamlib.model import Trainee, update_workbook
from kamlib.model.workbook import Account, KeyAccountPick, KeyPerson, ShareCard, Workbook
from kamlib.submission import Submission, write_submission
from tests.form_checks import form_of, shown

ROOT = Path(__file__).resolve().parents[1]
ME = getpass.getuser()


@pytest.fixture(autouse=True)
def no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAM_EXCHANGE", "KAM_SUBMISSIONS", "KAM_INSTRUCTOR_DIR", "KAM_KEYS"):
        monkeypatch.delenv(name, raising=False)


def _card_plan(wb: Workbook) -> None:
    account = Account(name="Harbour Bank", industry="Banking", segment="lb", bp_wan=900, sow_pct=60)
    wb.plan.portfolio.items = [account]
    wb.plan.key_accounts = [KeyAccountPick(account_id=account.id, kind="top")]
    wb.plan.key_persons.items = [KeyPerson(name="Chen Jing", title="CIO")]
    wb.plan.share = ShareCard(account_id=account.id, goal="Raise SoW at Harbour Bank", problem="Chen Jing prefers "
                              "a rival", organisation="IT and procurement")


# ---- the trainee's form -----------------------------------------------------------------------------


def test_chapter_1_offers_sharing_with_the_class(workbook_file: Path) -> None:
    update_workbook(workbook_file, _card_plan)
    page = ch1.open_page(lang="en")
    ch1.share_form(page)
    form = form_of(page, ClassShareForm)
    assert form.anonymise.value is True and form.share_button.disabled  # anonymised by default, preview first
    assert any("Share 1 in class" in text for text in shown(page))


def test_what_is_shared_is_exactly_what_was_previewed(workbook_file: Path, tmp_path: Path) -> None:
    update_workbook(workbook_file, _card_plan)
    page = Page(lang="en")
    folder = tmp_path / "subs"
    form = page.form(ClassShareForm(page, folder=folder))
    form.share_button.click()  # nothing previewed: nothing shared
    assert own_shared("li.wei", folder) is None
    assert form.status.kind == "error" and "Preview the card first" in form.status.text
    card = form.make_preview()
    assert card.anonymised and "Harbour Bank" not in form.preview.value and "Chen Jing" not in form.preview.value
    assert "li.wei" in form.preview.value and not form.share_button.disabled
    path = form.share()
    assert path.parent == folder / "li.wei"
    assert SharedCard.model_validate_json(path.read_text(encoding="utf-8")) == card.model_copy(
        update={"shared_at": SharedCard.model_validate_json(path.read_text(encoding="utf-8")).shared_at})
    assert "Harbour Bank" not in path.read_text(encoding="utf-8")
    assert form.share_button.disabled and "Shared with the class now" in form.current.value
    form.anonymise.value = False  # a named card: a warning, and a new preview before sharing
    assert "Named card" in form.warning.value and form.share_button.disabled and form.preview.value == ""
    form.make_preview()
    assert "Harbour Bank" in form.preview.value
    form.anonymise.value = True  # changed again: the named preview is gone, nothing named can go
    assert form.pending is None
    form.make_preview()
    page.set_lang("zh")  # the page changed (here its language): previewed again before sharing
    assert form.pending is None and form.share_button.description == "把这张卡片分享给全班"
    assert form.withdraw() == 1 and own_shared("li.wei", folder) is None
    assert form.withdraw() == 0 and form.status.kind == "info"


def test_a_card_without_an_account_is_not_shared(workbook_file: Path, tmp_path: Path) -> None:
    form = ClassShareForm(Page(lang="en"), folder=tmp_path)
    form.preview_button.click()
    assert form.status.kind == "error" and "Choose the account" in form.status.text and form.pending is None


def test_on_the_hub_the_card_goes_to_the_exchange(workbook_file: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    update_workbook(workbook_file, _card_plan)
    monkeypatch.setenv("KAM_EXCHANGE", str(tmp_path / "exchange"))
    monkeypatch.setenv("JUPYTERHUB_USER", "li.wei")
    form = ClassShareForm(Page(lang="en"))
    assert "class dashboard, which projects" in form.help.value
    form.make_preview()
    path = form.share()
    assert path.parent == tmp_path / "exchange" / "inbound" / "li.wei"
    assert "dashboard shows it" in form.status.text


# ---- the instructor's dashboard -----------------------------------------------------------------------


def _exchange(tmp_path: Path) -> Path:
    """An exchange with this user's folder (a submission and a card), an empty folder, and a card claimed for
    someone else in a folder this user owns (not shown on the hub)."""
    root = tmp_path / "exchange"
    inbound = root / "inbound"
    sub = Submission(exercise_id="ex00", trainee=Trainee(id=ME, name="Me"), answers=model_answers(load_key("ex00"),
                                                                                                    "en"))
    write_submission(sub, inbound)
    write_shared_card(SharedCard(trainee_id=ME, lang="en", account="Banking · Account A", account_chosen=True,
                                 goal="<b>bold</b> goal", radp_box="R3", radp_level=3, key_account="top"), inbound)
    (inbound / "zz-empty").mkdir()
    return root


def _texts(page: Page) -> str:
    return "\n".join(shown(page))


@pytest.mark.skipif(os.name != "posix", reason="the hub's exchange is a Linux matter")
def test_dashboard_reads_the_exchange_live_and_refresh_reads_it_again(tmp_path: Path) -> None:
    root = _exchange(tmp_path)
    page = dashboard_page(lang="en", exchange=root)
    text = _texts(page)
    assert "From the class exchange" in text and f"| {ME} | ✔ on time" in text and "| zz-empty | — missing" in text
    assert "&lt;b&gt;bold&lt;/b&gt; goal" in text and "<b>bold</b> goal" not in text
    assert "1 card shared, 1 of them anonymised" in text and "Top account | 1" in text
    assert "Trainees in the gradebook: 1" in text and "Scores per exercise" in text  # the exchange, graded
    assert "demo" not in text.lower()
    assert "Not shown" not in text
    (root / "inbound" / "zz-empty" / "share1-20260101T000000000000Z.json").write_text(
        SharedCard(trainee_id="zz-empty", account="X", account_chosen=True).model_dump_json(), encoding="utf-8")
    assert "Not shown" not in _texts(page)  # the page shows the class as last read
    refresh = form_of(page, RefreshForm)
    refresh.button.click()
    after = _texts(page)
    assert refresh.status.kind == "ok" and "Read again at" in refresh.status.text
    assert f"Not shown: zz-empty/share1-20260101T000000000000Z.json, the file belongs to {ME}" in after
    page.set_lang("zh")
    assert "全班现状" in _texts(page)


@pytest.mark.skipif(os.name != "posix", reason="the hub's exchange is a Linux matter")
def test_on_the_hub_the_dashboard_grades_the_exchange_into_the_instructors_gradebook(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kamlib import gradebook as gb

    root = _exchange(tmp_path)
    monkeypatch.setenv("KAM_EXCHANGE", str(root))
    monkeypatch.setenv("KAM_INSTRUCTOR_DIR", str(tmp_path / "instructor"))  # its keys/ holds no key yet
    text = _texts(dashboard_page(lang="en", anonymous=True))
    assert "exercise ex00 cannot be graded" in text and "Trainees in the gradebook: 0" in text
    monkeypatch.setenv("KAM_KEYS", str(ROOT / "solutions" / "keys"))
    text = _texts(dashboard_page(lang="en", anonymous=True))
    assert "The class now" in text and "Scores per exercise" in text and "Trainees in the gradebook: 1" in text
    assert gb.read_gradebook(tmp_path / "instructor" / "gradebook").trainees.keys() == {ME}
    assert f"| {ME} |" not in text and "Card 1" in text  # anonymous: counts and numbered cards


def test_collected_submissions_are_read_like_the_exchange_without_owners(tmp_path: Path) -> None:
    folder = tmp_path / "collected"
    write_shared_card(SharedCard(trainee_id="amy", lang="en", account="A", account_chosen=True), folder)
    (folder / "ben").mkdir()
    (folder / "ben" / "share1-20260101T000000000000Z.json").write_text("{", encoding="utf-8")
    text = _texts(dashboard_page(lang="en", collected=folder))
    assert "From the collected submissions" in text and "| amy |" in text
    assert "Not shown: ben/share1-20260101T000000000000Z.json, it is not readable JSON" in text
    assert len(read_class_cards(folder).cards) == 1


def test_without_an_exchange_the_dashboard_is_as_before() -> None:
    page = dashboard_page(lang="en")
    text = _texts(page)
    assert "demo" in text.lower() and "The class now" not in text and not any(
        isinstance(f, RefreshForm) for f in page._forms)


@pytest.mark.skipif(os.name != "posix", reason="the hub's exchange is a Linux matter")
@pytest.mark.notebook  # papermill
def test_dashboard_notebook_runs_on_an_exchange(tmp_path: Path) -> None:
    root = _exchange(tmp_path)
    out = tmp_path / "dashboard.ipynb"
    pm.execute_notebook(str(ROOT / "instructor" / "dashboard.ipynb"), str(out),
                        parameters={"lang": "en", "exchange": str(root)}, kernel_name="python3",
                        cwd=str(ROOT / "instructor"), execution_timeout=120, progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    outputs = json.dumps([o for c in nb.cells for o in c.get("outputs", [])])
    assert "Traceback" not in outputs and "kam-error" not in outputs
    assert "kam-gallery" in outputs and "From the class exchange" in outputs


@pytest.mark.skipif(os.name != "posix", reason="the hub's exchange is a Linux matter")
@pytest.mark.parametrize("anonymous", [False, True])
def test_on_the_hub_the_dashboard_shows_the_self_check_attempts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                anonymous: bool) -> None:
    root = _exchange(tmp_path)
    instructor = tmp_path / "instructor"
    instructor.mkdir()
    monkeypatch.setenv("KAM_INSTRUCTOR_DIR", str(instructor))
    text = _texts(dashboard_page(lang="en", exchange=root, anonymous=anonymous))
    assert "Self-checks (the hub's self-check service)" in text and "No self-check yet." in text
    lines = [{"time": f"2026-12-04T09:0{i}:00+00:00", "check": f"c{i}", "user": "li.wei", "exercise": "ex00",
              "item": "q1", "status": status, "counted": status != "limited"}
             for i, status in enumerate(["not_yet", "correct", "limited"])]
    (instructor / "checks.jsonl").write_text("\n".join(map(json.dumps, lines)) + "\n", encoding="utf-8")
    page = dashboard_page(lang="en", exchange=root, anonymous=anonymous)
    text = _texts(page)
    if anonymous:
        assert "li.wei" not in text and "| Exercise | Trainees who checked | Checks | Answers tried |" in text
    else:
        assert "| li.wei | " in text and "| 3 | 2 | 1 | 1 | 09:02 |" in text  # checks, tried, right, refused, last
    page.set_lang("zh")
    assert "自测（课堂服务器的自测服务）" in _texts(page)


def test_without_a_hub_the_dashboard_has_no_self_check_section(tmp_path: Path) -> None:
    assert "Self-checks" not in _texts(dashboard_page(lang="en", collected=tmp_path))
