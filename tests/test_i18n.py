"""Two complete catalogs, and no user-facing text outside them."""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

from kamlib.i18n import LANGS, catalog, normalize_lang, resolve_lang, t

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogs_have_the_same_keys() -> None:
    zh, en = catalog("zh"), catalog("en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_catalog_value_is_empty(lang: str) -> None:
    assert [k for k, v in catalog(lang).items() if not isinstance(v, str) or not v.strip()] == []


def test_placeholders_agree_between_languages() -> None:
    zh, en = catalog("zh"), catalog("en")
    assert [k for k in zh if _fields(zh[k]) != _fields(en[k])] == []


def test_english_catalog_has_chinese_only_in_course_terms() -> None:
    # English messages may quote the course's units (万元) and the bilingual language label.
    allowed = {"万", "元", "语", "言", "中", "文"}
    bad = {k: v for k, v in catalog("en").items() if set(CJK.findall(v)) - allowed}
    assert bad == {}


def test_no_chinese_text_in_package_code() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "kamlib").rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CJK.search(line)
    ]
    assert offenders == []


def test_no_chinese_text_in_notebook_code() -> None:
    offenders = []
    for folder in ("notebooks", "exercises", "solutions", "instructor"):
        for path in (ROOT / folder).rglob("*.ipynb"):
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                if cell["cell_type"] == "code" and CJK.search("".join(cell["source"])):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


LABEL_KWARGS = {"description", "placeholder", "tooltip", "title", "label", "xlabel", "ylabel"}
LABEL_CALLS = {"set_title", "set_xlabel", "set_ylabel", "suptitle", "set_text"}


def test_widget_and_chart_labels_come_from_the_catalogs() -> None:
    """A literal with letters as a widget label or chart title is text outside the catalogs."""
    offenders = []
    for folder in ("forms", "charts"):
        for path in (ROOT / "kamlib" / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                literals = [k.value for k in node.keywords if k.arg in LABEL_KWARGS]
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                if name in LABEL_CALLS:
                    literals += node.args[:1]
                for lit in literals:
                    is_text = isinstance(lit, ast.Constant) and isinstance(lit.value, str)
                    if is_text and re.search(r"[A-Za-z]{2}", lit.value):
                        offenders.append(f"{path.name}:{node.lineno} {lit.value!r}")
    assert offenders == []


def test_lookup_fills_placeholders() -> None:
    assert "ACME" in t("workbook.exists", "en", file="ACME")
    with pytest.raises(KeyError):
        t("no.such.key", "en")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("zh", "zh"), ("zh-CN", "zh"), ("zh_Hans", "zh"), ("en-US", "en"), ("EN", "en"), ("fr", None),
     ("", None), (None, None)],
)
def test_normalize_lang(value, expected) -> None:
    assert normalize_lang(value) == expected


def test_language_resolution_order(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_lang() == "zh"
    assert resolve_lang(saved="en") == "en"
    monkeypatch.setenv("KAM_LANG", "zh")
    assert resolve_lang(saved="en") == "zh"
    assert resolve_lang("en", saved="zh") == "en"
    monkeypatch.setenv("KAM_LANG", "klingon")
    assert resolve_lang(saved="en") == "en"
