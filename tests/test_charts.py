"""kamlib.charts: Chinese without missing glyphs, labels from the catalogs, cheap imports."""

from __future__ import annotations

import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import kamlib
from kamlib.charts import apply_style, cjk_font, new_figure, progress_chart
from kamlib.charts import fonts as chart_fonts
from kamlib.charts.fonts import FontUnavailableError, find_cjk_font
from kamlib.charts.style import HATCHES, MARKERS, PALETTE
from kamlib.i18n import LANGS, catalog, t
from kamlib.model.workbook import Account, Bid, Factor, KeyAccountPick, Measure, Trainee, Workbook
from kamlib.progress import plan_progress
from tests.chart_checks import glyph_warnings, render_png

CHARTS_DIR = Path(kamlib.__file__).parent / "charts"
CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
GLYPH_WARNING = re.compile(r"Glyph|missing from font", re.IGNORECASE)


def workbook() -> Workbook:
    """Chapter 1: 2 of 4 sections; chapter 3: 2 of 4; bidding: 1 of 1; the rest empty."""
    wb = Workbook(trainee=Trainee(id="t1", name="Test"))
    account = Account(name="ACME")
    wb.plan.portfolio.items.append(account)
    wb.plan.key_accounts.append(KeyAccountPick(account_id=account.id, kind="top"))
    wb.plan.factors.items.append(Factor(text="price", advantage=True, strong_control=False))
    wb.plan.measures.items.append(Measure(key_factor="price"))
    wb.plan.bids.items.append(Bid(name="tender"))
    return wb





def texts(fig: Figure) -> list[str]:
    return [artist.get_text() for artist in fig.findobj(Text)]


@pytest.mark.parametrize("lang", LANGS)
def test_progress_chart_renders_chinese_without_missing_glyphs(lang):
    fig = progress_chart(plan_progress(workbook().plan), lang)
    # Chinese in every chart, whatever the language: a trainee's own entries are often Chinese.
    fig.axes[0].text(50, 0, t("course.title", "zh"))
    assert any(CJK.search(s) for s in texts(fig))
    png, messages = render_png(fig)
    assert png.startswith(b"\x89PNG")
    assert glyph_warnings(messages) == [], messages
    assert [m for m in messages if "layout" in m.lower()] == [], messages


def test_bundled_font_fallback_renders_chinese():
    choice = find_cjk_font(prefer_bundled=True)
    assert choice.family == "Noto Sans CJK SC"
    assert choice.source == "bundled"
    package = Path(chart_fonts.bundled_font_path()).resolve().parent
    assert package.name == "noto_cjk_sans_otc"
    assert Path(choice.path).resolve().parent == package
    assert Path(choice.path).name == "NotoSansCJK-Regular.ttc"

    fig = Figure(figsize=(4, 1))
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0, 0.5, t("course.title", "zh") + t("charts.progress.title", "zh"), family=choice.family)
    ax.set_title(t("charts.progress.not_started", "zh"), family=[choice.family])
    _, messages = render_png(fig)
    assert glyph_warnings(messages) == [], messages


def test_cjk_font_is_cached_and_used_by_the_style():
    assert cjk_font() is cjk_font()
    apply_style()
    import matplotlib as mpl

    assert mpl.rcParams["font.sans-serif"][:2] == [cjk_font().family, "DejaVu Sans"]
    assert mpl.rcParams["axes.unicode_minus"] is False


def test_no_font_at_all_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(chart_fonts, "bundled_font_path", lambda: None)
    monkeypatch.setattr(chart_fonts, "_system_font", lambda bundled: None)
    with pytest.raises(FontUnavailableError) as info:
        find_cjk_font()
    for lang in LANGS:
        assert "noto_cjk_sans_otc" in info.value.message(lang)


@pytest.mark.parametrize("lang", LANGS)
def test_progress_chart_labels_and_percentages(lang):
    progress = plan_progress(workbook().plan)
    fig = progress_chart(progress, lang)
    assert isinstance(fig, Figure)
    shown = texts(fig)
    other = "en" if lang == "zh" else "zh"

    ax = fig.axes[0]
    ticks = [label.get_text() for label in ax.get_yticklabels()]
    assert ticks == [t(f"course.chapter.{p.chapter}.short", lang) for p in progress]
    assert not {t(f"course.chapter.{p.chapter}.short", other) for p in progress} & set(shown)
    # course order top to bottom: the first chapter sits at the top of an inverted y axis
    bottom, top = ax.get_ylim()
    assert bottom > top

    expected = {"ch1": (2, 4, 50), "ch2": (1, 7, 14), "ch3": (2, 6, 33), "bidding": (1, 1, 100), "ch4": (0, 2, 0)}
    for p in progress:
        filled, total, percent = expected.get(p.chapter, (0, 1, 0))
        assert (len(p.sections_filled), len(p.sections_total), round(p.share * 100)) == (
            filled,
            total,
            percent,
        )
        label = t("charts.progress.bar_label", lang, filled=filled, total=total, percent=percent)
        assert label in shown

    for key in ("title", "xlabel", "filled", "to_fill", "not_started"):
        assert t(f"charts.progress.{key}", lang) in shown


def test_progress_bars_have_the_shares_and_hatches():
    progress = plan_progress(workbook().plan)
    ax = progress_chart(progress, "en").axes[0]
    filled = ax.containers[-1]
    assert [round(bar.get_width()) for bar in filled] == [round(p.share * 100) for p in progress]
    tracks = [c[0] for c in ax.containers[:-1]]
    assert [bool(bar.get_hatch()) for bar in tracks] == [not p.started for p in progress]


def test_new_figure_is_a_styled_figure_without_pyplot():
    fig = new_figure(6, 3)
    assert isinstance(fig, Figure)
    assert tuple(fig.get_size_inches()) == (6, 3)
    assert type(fig.canvas).__name__ == "FigureCanvasAgg"
    png, meta = fig._repr_png_()  # how Jupyter shows it when pyplot is not loaded
    assert png.startswith(b"\x89PNG")
    assert meta == {"width": 600, "height": 300}
    apply_style()
    apply_style()  # idempotent
    assert len(PALETTE) == len(HATCHES) == len(MARKERS) == 8


def test_chart_catalogs_match():
    def placeholders(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    zh = {k: v for k, v in catalog("zh").items() if k.startswith("charts.")}
    en = {k: v for k, v in catalog("en").items() if k.startswith("charts.")}
    assert zh.keys() == en.keys()
    assert zh
    for key in zh:
        assert zh[key].strip() and en[key].strip(), key
        assert placeholders(zh[key]) == placeholders(en[key]), key


def test_chart_sources_have_no_cjk_text():
    for path in [*CHARTS_DIR.glob("*.py"), Path(__file__)]:
        assert not CJK.search(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize("module", ["kamlib", "kamlib.model", "kamlib.progress", "kamlib.i18n"])
def test_matplotlib_is_not_imported_by(module):
    code = f"import sys, {module}; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_charts_do_not_use_pyplot():
    code = (
        "import sys; from kamlib.charts import progress_chart; from kamlib.progress import plan_progress;"
        "from kamlib.model.workbook import AccountPlan;"
        "progress_chart(plan_progress(AccountPlan()), 'zh').savefig(__import__('io').BytesIO());"
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_only_the_charts_package_imports_matplotlib():
    pattern = re.compile(r"^\s*(import|from)\s+matplotlib", re.MULTILINE)
    root = CHARTS_DIR.parent
    offenders = [
        path.relative_to(root)
        for path in root.rglob("*.py")
        if CHARTS_DIR not in path.parents and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_shorten_cuts_with_an_ellipsis_at_the_limit():
    from kamlib.charts.style import shorten

    assert shorten("abcdef", 6) == "abcdef"
    assert shorten("abcdefg", 6) == "abcde\u2026"
    assert shorten("a  b\nc", 6) == "a  b\nc"
    assert shorten("a  b\nc", 5, one_line=True) == "a b c"
    assert shorten("a  b\ncdef", 6, one_line=True) == "a b c\u2026"


@pytest.mark.parametrize("lang", LANGS)
def test_an_empty_chart_says_so_under_its_title_at_the_left(lang):
    from kamlib.charts.style import empty_figure

    fig = empty_figure(t("people.chart.empty", lang), t("people.chart.matrix_title", lang), width=7)
    assert tuple(fig.get_size_inches()) == (7.0, 2.2)
    title, message = t("people.chart.matrix_title", lang), t("people.chart.empty", lang)
    assert sorted(filter(None, texts(fig))) == sorted([title, message])
    assert (fig._suptitle.get_position()[0], fig._suptitle.get_horizontalalignment()) == (0.01, "left")
    assert not fig.axes[0].axison
    assert list(filter(None, texts(empty_figure("nothing")))) == ["nothing"]  # no title asked for: none drawn
    _, warnings = render_png(fig)
    assert glyph_warnings(warnings) == []


def test_the_charts_share_one_title_call_one_shortener_and_one_empty_figure():
    """Each shape is written once, in ``kamlib.charts.style``; a chart module that writes its own copy fails."""
    own_copy = re.compile(r"\.suptitle\(|^def _(short|shorten|empty)\(|\.text\(0\.5, 0\.5,", re.MULTILINE)
    offenders = [path.name for path in CHARTS_DIR.glob("*.py")
                 if path.name != "style.py" and own_copy.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
