"""The start page before registering says things in plain words and names each box as the form labels it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamlib.forms.export import ExportForm
from kamlib.forms.start import LanguagePicker, Registration, open_page
from kamlib.i18n import t


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_exporting_before_registering_says_where_to_register_in_plain_words(lang: str, home: Path) -> None:
    page = open_page(lang=lang)
    form = ExportForm(page)
    form.button.click()
    assert form.status.kind == "error" and form.status.text == t("export.form.not_registered", lang)
    assert "](" not in form.status.text and ".ipynb" not in form.status.text  # no raw Markdown link
    assert not list(home.rglob("*.html"))


def test_registering_with_empty_boxes_says_they_must_not_be_empty(home: Path) -> None:
    page = open_page(lang="en")
    form = Registration(page)
    form.name.value, form.trainee_id.value = "", ""
    form.save.click()
    text = form.status.text
    assert "“Trainee ID”: must not be empty." in text and "“Name”: must not be empty." in text
    assert "wrong form" not in text and "(id)" not in text and "(name)" not in text
    form.trainee_id.value, form.name.value = "-li", "Li Wei"
    form.save.click()
    assert "“Trainee ID”: has the wrong form" in form.status.text and "(id)" not in form.status.text
    assert not page.registered


def test_registering_with_empty_boxes_in_chinese(home: Path) -> None:
    form = Registration(open_page(lang="zh"))
    form.name.value, form.trainee_id.value = "", "  "
    form.save.click()
    assert "“学员编号”：不能为空。" in form.status.text and "“姓名”：不能为空。" in form.status.text
    assert "（id）" not in form.status.text and "格式不对" not in form.status.text


def test_switching_language_before_registering_says_it_is_saved_when_registering(home: Path) -> None:
    page = open_page(lang="zh")
    picker = LanguagePicker(page)
    picker.choice.value = "en"
    assert picker.status.text == t("start.language.not_saved_yet", "en")
    assert "when you register" in picker.status.text
    form = Registration(page)
    form.name.value, form.trainee_id.value = "Li Wei", "li.wei"
    form.save.click()
    assert page.workbook().trainee.language == "en"  # as the message said
    picker.choice.value = "zh"
    assert picker.status.text == t("start.language.saved", "zh")
    assert page.workbook().trainee.language == "zh"
