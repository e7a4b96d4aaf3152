"""Chapter 1's import form lists the headers it reads on the page itself (the app has no README), in both
languages, and every header it lists is one the import reads."""

from __future__ import annotations

import re

import pytest

from kamlib.accounts_io import OPTIONAL_SHOWN, REQUIRED, _match_header, header_examples, year_header_examples
from kamlib.forms.page import Page
from kamlib.forms.screening import ImportForm, import_headers_html


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_import_form_lists_the_headers_in_both_languages(lang: str, workbook_file) -> None:
    help_text = ImportForm(Page(lang=lang)).help.value
    assert "README" not in help_text and import_headers_html(lang) in help_text
    for name in (*REQUIRED, *OPTIONAL_SHOWN):
        for spellings in header_examples(name, 1).values():  # the first English and the first Chinese one
            assert f"“{spellings[0]}”" in help_text
    assert "“BP”" in help_text and "“采购能力”" in help_text


def test_every_header_the_form_lists_is_read_by_the_import() -> None:
    for lang in ("en", "zh"):
        shown = re.findall(r"“([^”]+)”", import_headers_html(lang))
        assert len(shown) == 3 * 4 + 4 + len(OPTIONAL_SHOWN) * 2  # two per language, a year's two, one per language
        for header in shown:
            assert _match_header(header) is not None, header
    for name in (*REQUIRED, *OPTIONAL_SHOWN):  # read as the column they are listed under
        for spellings in header_examples(name).values():
            assert [_match_header(h).base for h in spellings] == [name] * len(spellings)
    for bp, sow in year_header_examples(2024).values():
        assert (_match_header(bp).base, _match_header(bp).year) == ("bp_wan", 2024), bp
        assert (_match_header(sow).base, _match_header(sow).year) == ("sow_pct", 2024), sow
