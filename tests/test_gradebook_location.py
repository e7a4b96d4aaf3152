"""One gradebook folder for everyone: ``kam grade``/``kam feedback`` write where the grading notebook and the class
dashboard read (``paths.gradebook_dir()``), every hint names that folder, and the dashboard opens another gradebook
folder typed in the page (the app has no parameters to pass)."""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest

from kamlib import gradebook as gb
from kamlib import paths
from kamlib.cli import main as kam
from kamlib.errors import InputError
from kamlib.forms import gradebook as forms
from kamlib.forms.classroom import RefreshForm
from kamlib.forms.common import md_escape
from kamlib.forms.page import Page
from kamlib.i18n import t
from tests.form_checks import form_of, shown

pytestmark = pytest.mark.solutions  # the class is made from the model answers
ROOT = Path(__file__).resolve().parents[1]


def _texts(page: Page) -> str:
    return "\n".join(shown(page))


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The instructor's terminal is in another folder than the workbook home (e.g. the project folder)."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def subs(tmp_path: Path) -> Path:
    return gb.demo_submissions(tmp_path / "subs", trainees=3, lang="en")


def _class(folder: Path, subs: Path) -> Path:
    gb.grade_class([subs], folder)
    return gb.gradebook_path(folder)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_demo_hint_names_the_folder_kam_grade_writes_and_no_parameter(home: Path, elsewhere: Path,
                                                                          lang: str) -> None:
    folder = home / "gradebook"
    assert paths.gradebook_dir() == folder
    for page in (forms.dashboard_page(lang=lang), forms.grading_page(lang=lang)):
        text = _texts(page)
        assert html.escape(t("gradebook.form.demo", lang, folder=str(folder))) in text
        assert str(folder) in text and "kam grade SOURCE" in text
        assert "gradebook=" not in text and "--out gradebook/" not in text


def test_kam_grade_without_out_feeds_the_dashboard_grading_page_and_feedback(
        home: Path, elsewhere: Path, subs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kam(["grade", str(subs), "--lang", "en"]) == 0
    assert gb.gradebook_path(home / "gradebook").is_file() and not (elsewhere / "gradebook").exists()
    assert str(home / "gradebook") in capsys.readouterr().out
    text = _texts(forms.dashboard_page(lang="en"))
    assert "DEMO DATA" not in text and "Trainees in the gradebook: 3" in text
    assert f"Gradebook **{md_escape(home / 'gradebook' / 'gradebook.sqlite')}**" in text
    assert "DEMO DATA" not in _texts(forms.grading_page(lang="en"))
    assert kam(["feedback", "--lang", "en", "--no-charts"]) == 0
    assert len(list((home / "gradebook" / "feedback").glob("*.html"))) == 3


def test_on_a_hub_the_instructors_folder_is_the_one_place(home: Path, elsewhere: Path, subs: Path,
                                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAM_INSTRUCTOR_DIR", str(tmp_path / "instructor"))
    monkeypatch.setenv("KAM_KEYS", str(ROOT / "solutions" / "keys"))  # the hub's keys/ is not set up here
    folder = tmp_path / "instructor" / "gradebook"
    assert str(folder) in _texts(forms.dashboard_page(lang="en"))
    assert kam(["grade", str(subs), "--lang", "en"]) == 0
    assert gb.gradebook_path(folder).is_file() and not (home / "gradebook").exists()
    assert "Trainees in the gradebook: 3" in _texts(forms.dashboard_page(lang="en"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_what_the_open_box_accepts_is_said_for_every_refusal(home: Path, tmp_path: Path, lang: str) -> None:
    page = forms.dashboard_page(lang=lang)
    form = form_of(page, forms.OpenGradebookForm)
    assert str(home / "gradebook") in form.help.value and form.folder.placeholder == str(home / "gradebook")
    (home / "empty").mkdir()
    (home / "notes.txt").write_text("x", encoding="utf-8")
    accepted = t("gradebook.open.accepted", lang, base=str(home))
    for typed, key in (("  ", "empty"), ("no-such", "missing"), ("empty", "no_gradebook"), ("notes.txt",
                                                                                               "not_gradebook")):
        form.folder.value = typed
        form.open_button.click()
        assert form.status.kind == "error", typed
        assert accepted in form.status.text and "Traceback" not in form.status.text
        assert t(f"gradebook.open.{key}", lang, typed="no-such", path=str(home / "no-such"), folder=str(home / "empty"),
                 file=str(home / "notes.txt")) in form.status.text
    assert html.escape(t("gradebook.form.demo", lang, folder=str(home / "gradebook"))) in _texts(page)  # as it was


def test_the_open_box_redraws_the_dashboard_from_the_folder_typed(home: Path, elsewhere: Path, subs: Path,
                                                                 tmp_path: Path) -> None:
    # graded with a relative --out from another folder: not the default one, so the dashboard shows the demo
    assert kam(["grade", str(subs), "--out", "gradebook/", "--lang", "en"]) == 0
    page = forms.dashboard_page(lang="en")
    assert "DEMO DATA" in _texts(page)
    form = form_of(page, forms.OpenGradebookForm)
    form.folder.value = str(elsewhere / "gradebook")
    form.open_button.click()
    text = _texts(page)
    assert form.status.kind == "ok" and "trainees 3" in form.status.text
    assert "DEMO DATA" not in text and "Trainees in the gradebook: 3" in text
    assert f"Gradebook **{md_escape(elsewhere / 'gradebook' / 'gradebook.sqlite')}**" in text
    # a damaged file is refused and the page keeps what it shows
    bad = home / "bad.sqlite"
    bad.write_bytes(b"not a database")
    form.folder.value = "bad.sqlite"
    form.open_button.click()
    assert form.status.kind == "error" and "cannot be read" in form.status.text
    assert f"Gradebook **{md_escape(elsewhere / 'gradebook' / 'gradebook.sqlite')}**" in _texts(page)
    # a relative path is read from the workbook home; the file itself is accepted too
    _class(home / "term2", subs)
    form.folder.value = "term2/gradebook.sqlite"
    form.open_button.click()
    assert form.status.kind == "ok"
    assert f"Gradebook **{md_escape(home / 'term2' / 'gradebook.sqlite')}**" in _texts(page)
    page.set_lang("zh")
    assert "已打开" in form.status.text and form.open_button.description == "打开"


def test_a_gradebook_given_that_is_missing_is_said_and_another_can_be_opened(home: Path, subs: Path,
                                                                            tmp_path: Path) -> None:
    page = forms.dashboard_page(lang="en", gradebook=tmp_path / "nowhere")
    assert "There is no gradebook at" in _texts(page) and "Trainees in the gradebook" not in _texts(page)
    form = form_of(page, forms.OpenGradebookForm)
    form.folder.value = str(_class(tmp_path / "book", subs).parent)
    form.open_button.click()
    assert "There is no gradebook at" not in _texts(page) and "Trainees in the gradebook: 3" in _texts(page)


def test_the_live_dashboard_opens_a_gradebook_too(home: Path, subs: Path, tmp_path: Path) -> None:
    page = forms.dashboard_page(lang="en", collected=subs)
    text = _texts(page)
    assert f"No gradebook in {home / 'gradebook'} yet" in text and "open another gradebook below" in text
    form = form_of(page, forms.OpenGradebookForm)
    assert "classroom hub" not in form.help.value  # collected submissions: nothing is graded on opening
    form.folder.value = str(_class(tmp_path / "book", subs).parent)
    form.open_button.click()
    text = _texts(page)
    assert form.status.kind == "ok" and "Trainees in the gradebook: 3" in text and "No gradebook in" not in text
    form_of(page, RefreshForm).button.click()  # Refresh reads the gradebook opened
    assert "Trainees in the gradebook: 3" in _texts(page)


def test_typed_gradebook(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, subs: Path) -> None:
    path = _class(tmp_path / "book", subs)
    assert gb.typed_gradebook(f' "{path.parent}" ', home) == path  # quotes of a copied path are dropped
    assert gb.typed_gradebook(str(path), home) == path
    monkeypatch.setenv("HOME", str(tmp_path))
    if os.name == "posix":
        assert gb.typed_gradebook("~/book", home) == path
    with pytest.raises(InputError) as raised:
        gb.typed_gradebook(str(path.parent / "gradebook.csv"), home)
    assert raised.value.text.key == "gradebook.open.missing"


@pytest.mark.skipif(os.name != "posix", reason="the hub's exchange is a Linux matter")
def test_on_the_hub_the_exchange_is_graded_into_the_gradebook_opened(home: Path, subs: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass

    from kamlib.grading import load_key, model_answers
    from kamlib.model import Trainee
    from kamlib.submission import Submission, write_submission

    me = getpass.getuser()
    root = tmp_path / "exchange"
    write_submission(Submission(exercise_id="ex00", trainee=Trainee(id=me, name="Me"),
                                answers=model_answers(load_key("ex00"), "en")), root / "inbound")
    monkeypatch.setenv("KAM_EXCHANGE", str(root))
    monkeypatch.setenv("KAM_INSTRUCTOR_DIR", str(tmp_path / "instructor"))
    monkeypatch.setenv("KAM_KEYS", str(ROOT / "solutions" / "keys"))
    page = forms.dashboard_page(lang="en")
    assert "Trainees in the gradebook: 1" in _texts(page)  # the exchange, graded into the instructors' gradebook
    form = form_of(page, forms.OpenGradebookForm)
    assert "classroom hub" in form.help.value and str(tmp_path / "instructor" / "gradebook") in form.help.value
    other = _class(tmp_path / "term2", subs)
    form.folder.value = str(other.parent)
    form.open_button.click()
    assert form.status.kind == "ok" and "Trainees in the gradebook: 4" in _texts(page)  # 3 + the exchange's one
    assert me in gb.read_gradebook(other).trainees
