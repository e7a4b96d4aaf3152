"""Two complete catalogs, and no user-facing text outside them."""

from __future__ import annotations

import ast
import json
import re
import string
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from kamlib.i18n import LANG_PLURALS, LANGS, Plural, _flatten, catalog, normalize_lang, resolve_lang, t

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _forms(message: str) -> list[str]:
    """The texts of a message: each plural form, or the one text."""
    return list(message.forms.values()) if isinstance(message, Plural) else [message]


def _texts(lang: str) -> list[tuple[str, str]]:
    """Every text of a catalog with its key: a plural message once per form."""
    return [(key, text) for key, message in catalog(lang).items() for text in _forms(message)]


def test_catalogs_have_the_same_keys() -> None:
    zh, en = catalog("zh"), catalog("en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_catalog_value_is_empty(lang: str) -> None:
    assert [k for k, v in _texts(lang) if not isinstance(v, str) or not v.strip()] == []


def test_placeholders_agree_between_languages() -> None:
    """Every form of a message takes the same placeholders in both languages."""
    zh, en = catalog("zh"), catalog("en")
    assert [k for k in zh if len({frozenset(_fields(f)) for f in _forms(zh[k]) + _forms(en[k])}) != 1] == []


@pytest.mark.parametrize("lang", LANGS)
def test_plural_messages_have_the_language_s_forms(lang: str) -> None:
    """English plurals have the forms one and other; Chinese has only other (its entry may stay a plain string)."""
    forms = {k: sorted(v.forms) for k, v in catalog(lang).items() if isinstance(v, Plural)}
    assert {k: f for k, f in forms.items() if f != sorted(LANG_PLURALS[lang])} == {}


def test_plural_messages_take_count() -> None:
    zh, en = catalog("zh"), catalog("en")
    plural = [k for k in en if isinstance(en[k], Plural) or isinstance(zh[k], Plural)]
    assert plural
    assert [k for k in plural if "count" not in _fields(en[k])] == []


def test_english_writes_plurals_out() -> None:
    """ "1 account", "2 accounts": not "account(s)"."""
    assert [k for k, v in _texts("en") if re.search(r"\w\((s|es|ies)\)", v)] == []


def test_plural_form_is_chosen_by_count() -> None:
    assert [t("charts.screening.grid.count", "en", count=n) for n in (0, 1, 2)] == ["0 accounts", "1 account",
                                                                                    "2 accounts"]
    assert [t("charts.screening.grid.count", "zh", count=n) for n in (1, 2)] == ["1 个客户", "2 个客户"]
    assert t("exercise.checked.written", "en", count=1).startswith("1 written answer (")
    with pytest.raises(TypeError, match="count"):
        t("charts.screening.grid.count", "en")
    assert t("workbook.exists", "en", file="x", count=1) == t("workbook.exists", "en", file="x")  # not plural


def test_a_table_is_plural_only_with_plural_categories() -> None:
    out: dict[str, str] = {}
    _flatten({"n": {"one": "{count} day", "other": "{count} days"}, "side": {"one": "A", "label": "B"}}, "x", out)
    assert isinstance(out["x.n"], Plural) and out["x.n"] == "{count} days" and out["x.n"].forms["one"] == "{count} day"
    assert out["x.side.one"] == "A" and out["x.side.label"] == "B"


def test_english_catalog_has_chinese_only_in_course_terms() -> None:
    # English messages may quote the course's units (万元) and the bilingual language label.
    allowed = {"万", "元", "语", "言", "中", "文"}
    bad = {k: v for k, v in _texts("en") if set(CJK.findall(v)) - allowed}
    assert bad == {}


# Chart labels that show 万 where the chart itself explains it (its axis label or note says 10,000 yuan),
# or, for the pyramid, the Step 2 text right above it does; and the import's list of unit spellings.
WAN_EXPLAINED_NEARBY = {
    "charts.screening.level.level0", "charts.screening.level.level1", "charts.screening.level.level2",
    "charts.screening.level.level3", "charts.screening.grid.bp", "charts.screening.scatter.level_line",
    "charts.screening.pyramid.my_level3", "tree.bp", "accounts_io.units.wan",
}


def test_english_explains_wan_wherever_it_shows_it() -> None:
    """万元 is the course's unit: 1 万元 = 10,000 yuan, said wherever an English text shows it."""
    en = catalog("en")
    unexplained = [k for k, v in _texts("en")
                   if "万" in v and k not in WAN_EXPLAINED_NEARBY and not re.search(r"10,000 yuan|million yuan", v)]
    assert unexplained == []
    nearby = {"charts.screening.grid.xlabel", "charts.screening.scatter.xlabel", "tree.chart.bp_note",
              "ch1.pick.level3_note", "ch1.heading.accounts", "ch1.import.help"}
    assert [k for k in nearby if "10,000 yuan" not in en[k]] == []


def _zh_key_texts() -> Iterator[tuple[str, str]]:
    """The Chinese texts of the answer keys (explanations and model answers trainees are shown)."""

    def walk(node: object, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for name, value in node.items():
                if name == "zh" and isinstance(value, str):
                    yield where, value
                else:
                    yield from walk(value, f"{where}.{name}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{where}[{i}]")

    for path in sorted((ROOT / "solutions" / "keys").glob("*.toml")):
        yield from walk(tomllib.loads(path.read_text(encoding="utf-8")), path.stem)


def _zh_texts() -> list[tuple[str, str]]:
    return [*_texts("zh"), *_zh_key_texts()]


# Not prose: placeholders (with format specs), code spans, Markdown link targets, HTML tags, URLs.
NOT_PROSE = re.compile(r"\{[^{}]*\}|`[^`\n]*`|\]\([^)\s]*\)|</?[A-Za-z][^<>\n]*>|https?://\S+")
HAN = "[\u3400-\u9fff]"
# An ASCII mark beside a Han character (looking through spaces and Markdown emphasis).
ASCII_MARK_BY_HAN = re.compile(rf"{HAN}[ *]*[,:;()?!]|[,:;()?!][ *]*{HAN}")


def test_ascii_mark_check_catches_and_spares() -> None:
    def flagged(text: str) -> bool:
        return bool(ASCII_MARK_BY_HAN.search(NOT_PROSE.sub("_", text)))

    assert flagged("名单的来源:企业") and flagged("采购能力 BP(万元)") and flagged("**重点客户**, 然后")
    assert flagged("是什么?") and flagged("第一步;第二步")
    spared = ["名单超过 50,000 家", "压缩比 {ratio}:1", "当天上午 10:30，王敏", "“{name}”：{detail:,.1f}",
              "见 `a,b`：代码", "采购能力（万元）", "[客户计划](a,b.html)：打开", "Margin, Revenue 或毛利"]
    assert [text for text in spared if flagged(text)] == []


def test_chinese_prose_uses_full_width_punctuation() -> None:
    """Chinese prose takes ，：；（）？！; ASCII marks stay in numbers, codes and English fragments."""
    bad = {}
    for key, value in _zh_texts():
        prose = NOT_PROSE.sub("_", value)  # a neutral token, not a space
        if found := [m.group() for m in ASCII_MARK_BY_HAN.finditer(prose)]:
            bad[key] = found
    assert bad == {}


# An ASCII mark between two placeholders ("{label}:{text}", "{name}({id})"): the prose check cannot see it.
ASCII_MARK_BETWEEN_PLACEHOLDERS = re.compile(r"\}[:;(]\s*\{")


def test_chinese_joins_placeholders_with_full_width_marks() -> None:
    joined = ASCII_MARK_BETWEEN_PLACEHOLDERS
    assert joined.search("{label}:{text}") and joined.search("{a}({b})")
    assert not joined.search("压缩比 {ratio}:1") and not joined.search("{a}：{b}")
    bad = {key: value for key, value in _zh_texts() if ASCII_MARK_BETWEEN_PLACEHOLDERS.search(value)}
    assert bad == {}


# One name per thing in Chinese: each pattern is a variant of the name on its right.
FORBIDDEN_ZH_VARIANTS = {
    r"第\s*[0-9０-９]+\s*章": "第一章 … 第四章 (the deck's own form)",
    r"(?<!Excel )工作簿": "练习手册 (the workbook; 工作簿 only as Excel's 'Excel 工作簿')",
    rf"{HAN}Top|Top{HAN}": "Top 客户 (a space between Top and Chinese)",
    r"Strategic": "战略客户 (the course's Chinese term)",
}


@pytest.mark.parametrize("pattern", FORBIDDEN_ZH_VARIANTS)
def test_chinese_texts_use_one_name_per_thing(pattern: str) -> None:
    found = {key: m.group() for key, value in _zh_texts() if (m := re.search(pattern, value))}
    assert found == {}, f"use {FORBIDDEN_ZH_VARIANTS[pattern]}"


def test_forbidden_variants_are_found() -> None:
    samples = ["请先在第2章选择", "保存在工作簿里", "选出Top客户", "Top 和 Strategic 客户"]
    assert [any(re.search(p, s) for p in FORBIDDEN_ZH_VARIANTS) for s in samples] == [True] * 4
    assert not any(re.search(p, "另存为 Excel 工作簿，第二章的 Top 客户和战略客户") for p in FORBIDDEN_ZH_VARIANTS)


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
