"""kamlib.charts.analysis: the readiness pyramid renders in both languages, without missing glyphs."""

from __future__ import annotations

import re

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from kamlib.analysis import starter_items
from kamlib.charts.analysis import FILL_HATCH, readiness_chart
from kamlib.i18n import LANGS, t
from kamlib.model.workbook import InformationItem
from tests.chart_checks import render_png

CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
GLYPH_WARNING = re.compile(r"Glyph|missing from font", re.IGNORECASE)
OWN_TOPIC_ZH = "\u8d22\u52a1\u62a5\u8868"  # a trainee's own topic, in Chinese



def texts(fig: Figure) -> list[str]:
    return [a.get_text() for a in fig.findobj(Text)]


def mixed_items(lang: str) -> list[InformationItem]:
    items = starter_items(lang)
    for i, item in enumerate(items):
        item.status = ("known", "partly", "unknown")[i % 3]
    items.append(InformationItem(level="public", topic=OWN_TOPIC_ZH, status="partly"))
    return items


@pytest.mark.parametrize("lang", LANGS)
def test_readiness_chart_renders_without_missing_glyphs(lang):
    fig = readiness_chart(mixed_items(lang), lang)
    assert isinstance(fig, Figure)
    fig.axes[0].text(0, 0, t("course.title", "zh"))  # Chinese in every chart, whatever the language
    assert any(CJK.search(s) for s in texts(fig))
    png, messages = render_png(fig)
    assert png.startswith(b"\x89PNG")
    assert [m for m in messages if GLYPH_WARNING.search(m)] == [], messages
    assert [m for m in messages if "layout" in m.lower()] == [], messages


@pytest.mark.parametrize("lang", LANGS)
def test_readiness_chart_labels_percentages_and_marker(lang):
    items = mixed_items(lang)
    shown = texts(readiness_chart(items, lang))
    for level in ("public", "limited", "important", "exclusive"):
        assert t(f"analysis.level.{level}", lang) in shown
    # public: 7 standard items cycling known/partly/unknown, plus the own item, partly known
    statuses = [i.status for i in items if i.level == "public"]
    weight = {"known": 1.0, "partly": 0.5, "unknown": 0.0}
    public = round(sum(weight[s] for s in statuses) / len(statuses) * 100)
    assert f"{public}%" in shown
    missing = sum(s != "known" for s in statuses)
    assert t("analysis.readiness.not_ready", lang, count=missing) in shown
    assert t("analysis.chart.title", lang) in shown

    done = starter_items(lang)
    for item in done:
        item.status = "known"
    fig = readiness_chart(done, lang)
    shown = texts(fig)
    assert t("analysis.readiness.ready", lang) in shown
    assert shown.count("100%") == 4
    fills = [p for p in fig.axes[0].patches if isinstance(p, Rectangle) and p.get_hatch() == FILL_HATCH]
    assert len(fills) == 4


def test_readiness_chart_on_an_empty_inventory():
    shown = texts(readiness_chart([], "en"))
    assert shown.count("0%") == 4
    assert t("analysis.readiness.not_ready", "en", count=7) in shown
