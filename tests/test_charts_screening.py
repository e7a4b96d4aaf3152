"""kamlib.charts.screening: the RADP grid, BP x SoW and the screening pyramid, in both languages."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter

import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from kamlib.charts import bp_sow_scatter, radp_grid, screening_pyramid
from kamlib.charts.screening import (
    DECK_LEVEL3,
    DECK_LISTED,
    DECK_PICKS,
    MAX_NAME_LABELS,
    PICK_STYLES,
    fmt_number,
    grid_cells,
    my_pyramid,
    text_color_on,
)
from kamlib.i18n import LANGS, t
from kamlib.model.workbook import Account, KeyAccountPick
from kamlib.screening import BOXES, classify_rows
from kamlib.settings import RadpSettings
from tests.chart_checks import render_png as render

CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
GLYPH_WARNING = re.compile(r"Glyph|missing from font", re.IGNORECASE)
ALLOWED_LATIN = {"RADP", "BP", "SoW", "LEVEL", "Top"}  # course codes the Chinese charts keep
ALLOWED_HAN = set("\u4e07\u5143")  # wan yuan, the course's unit, in the English charts

# Chinese account names, written as escapes (no Chinese in .py files).
ICBC = "\u4e2d\u56fd\u5de5\u5546\u94f6\u884c\u56db\u5ddd\u7701\u5206\u884c\u6210\u90fd\u5206\u7406\u5904"
GRID = "\u56fd\u7f51\u56db\u5ddd\u7535\u529b"
CD_BANK = "\u6210\u90fd\u94f6\u884c"
WEST_CHINA = "\u534e\u897f\u533b\u9662"
MIANYANG = "\u7ef5\u9633\u4e2d\u5fc3\u533b\u9662"
SC_AIR = "\u56db\u5ddd\u822a\u7a7a"
METRO = "\u6210\u90fd\u5730\u94c1"
WULIANGYE = "\u4e94\u7cae\u6db2\u96c6\u56e2"
DONGFANG = "\u4e1c\u65b9\u7535\u6c14"
AIRPORT = "\u5929\u5e9c\u673a\u573a"
NEW_HOPE = "\u65b0\u5e0c\u671b\u96c6\u56e2"
TAX = "\u5fb7\u9633\u7a0e\u52a1\u5c40"
YAAN = "\u96c5\u5b89\u5e02\u653f\u5e9c"

# name, BP (wan yuan), SoW (%): the box under the deck's defaults in the comment.
ROWS: list[tuple[str, float | None, float | None]] = [
    (ICBC, 3200, 62),  # R3, Top pick
    (GRID, 5200, 55),  # R3, Top pick
    (CD_BANK, 300, 20),  # D2
    (WEST_CHINA, 350, 30),  # D2
    (MIANYANG, 450, 45),  # D2: three accounts, 1,100 together; D3 when LEVEL3 starts at 400
    (SC_AIR, 2400, 8),  # A3, Strategic pick
    (METRO, 1800, 0),  # P3, Strategic pick
    (WULIANGYE, 0, 0),  # P0, BP 0 on a log axis
    (DONGFANG, 90, 70),  # R0
    (AIRPORT, 980, 5),  # A3
    (NEW_HOPE, 120, 12),  # D1
    (TAX, None, None),  # left out
    (YAAN, 150, None),  # left out (no SoW)
]
NAMES = [name for name, _, _ in ROWS]


@pytest.fixture
def accounts() -> list[Account]:
    return [Account(name=n, bp_wan=bp, sow_pct=sow) for n, bp, sow in ROWS]


@pytest.fixture
def picks(accounts: list[Account]) -> list[KeyAccountPick]:
    by_name = {a.name: a.id for a in accounts}
    return [
        KeyAccountPick(account_id=by_name[ICBC], kind="top"),
        KeyAccountPick(account_id=by_name[GRID], kind="top"),
        KeyAccountPick(account_id=by_name[SC_AIR], kind="strategic"),
        KeyAccountPick(account_id=by_name[METRO], kind="strategic"),
        KeyAccountPick(account_id="not-on-the-list", kind="top"),
    ]


CHARTS = {"grid": radp_grid, "scatter": bp_sow_scatter, "pyramid": screening_pyramid}



def texts(fig: Figure) -> list[str]:
    return [a.get_text() for a in fig.findobj(Text) if a.get_visible() and a.get_text()]


def by_gid(fig: Figure, gid: str) -> list:
    return [a for a in fig.findobj() if a.get_gid() == gid]


def text_of(fig: Figure, gid: str) -> str:
    (artist,) = [a for a in by_gid(fig, gid) if isinstance(a, Text)]
    return artist.get_text()


def footnote(fig: Figure) -> str:
    return fig.get_supxlabel()


def without_names(text: str) -> str:
    """The text with the trainee's own data (account names, whole or shortened) taken out."""
    for name in sorted(NAMES, key=len, reverse=True):
        text = text.replace(name, "").replace(name[:11] + "\u2026", "")
    return text


# ---- every chart, both languages ---------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("chart", CHARTS)
def test_renders_chinese_without_missing_glyphs(chart, lang, accounts, picks):
    fig = CHARTS[chart](accounts, picks, lang)
    assert isinstance(fig, Figure)
    if chart != "scatter":  # the scatter writes the names itself; the others get one, as a notebook might
        fig.axes[0].text(0.5, 0.5, ICBC, transform=fig.axes[0].transAxes)
    png, messages = render(fig)
    assert png.startswith(b"\x89PNG")
    assert any(CJK.search(s) for s in texts(fig))
    assert [m for m in messages if GLYPH_WARNING.search(m)] == [], messages
    assert [m for m in messages if "layout" in m.lower()] == [], messages


@pytest.mark.parametrize("chart", CHARTS)
def test_chinese_chart_has_no_english_but_course_codes(chart, accounts, picks):
    fig = CHARTS[chart](accounts, picks, "zh")
    render(fig)
    words = {w for s in texts(fig) for w in re.findall(r"[A-Za-z]{2,}", without_names(s))}
    assert words <= ALLOWED_LATIN, words - ALLOWED_LATIN


@pytest.mark.parametrize("chart", CHARTS)
def test_english_chart_has_no_chinese_but_wan_yuan_and_own_data(chart, accounts, picks):
    fig = CHARTS[chart](accounts, picks, "en")
    render(fig)
    han = {c for s in texts(fig) for c in CJK.findall(without_names(s))}
    assert han <= ALLOWED_HAN, han - ALLOWED_HAN


@pytest.mark.parametrize("chart", CHARTS)
def test_empty_list_draws(chart):
    fig = CHARTS[chart]([], [], "zh")
    png, messages = render(fig)
    assert png.startswith(b"\x89PNG")
    assert [m for m in messages if GLYPH_WARNING.search(m) or "layout" in m.lower()] == []


def test_charts_do_not_use_pyplot():
    code = (
        "import io, sys; from kamlib.charts import radp_grid, bp_sow_scatter, screening_pyramid;"
        "from kamlib.model.workbook import Account;"
        "a = [Account(name='x', bp_wan=600, sow_pct=20)];"
        "[f(a, [], 'en').savefig(io.BytesIO()) for f in (radp_grid, bp_sow_scatter, screening_pyramid)];"
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


# ---- the RADP grid -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_grid_cells_show_counts_and_bp(lang, accounts, picks):
    fig = radp_grid(accounts, picks, lang)
    assert text_of(fig, "count-D2") == t("charts.screening.grid.count", lang, count=3)
    assert text_of(fig, "bp-D2") == t("charts.screening.grid.bp", lang, bp="1,100")
    assert "1,100" in text_of(fig, "bp-D2")
    assert text_of(fig, "count-R3") == t("charts.screening.grid.count", lang, count=2)
    assert text_of(fig, "bp-R3") == t("charts.screening.grid.bp", lang, bp="8,400")
    assert text_of(fig, "count-D1") == t("charts.screening.grid.count", lang, count=1)
    assert text_of(fig, "count-P0") == t("charts.screening.grid.count", lang, count=1)
    assert text_of(fig, "bp-P0") == t("charts.screening.grid.bp", lang, bp="0")
    assert text_of(fig, "count-A0") == "0"
    assert by_gid(fig, "bp-A0") == []
    assert t("charts.screening.grid.title", lang, count=11) in texts(fig)


def test_grid_cells_agree_with_the_screening_logic(accounts, picks):
    cells = grid_cells(accounts, picks)
    assert list(cells) == list(BOXES)
    kept = [a for a in accounts if a.bp_wan is not None and a.sow_pct is not None]
    expected = Counter(classify_rows([a.sow_pct for a in kept], [a.bp_wan for a in kept]))
    assert {box: cell.count for box, cell in cells.items()} == {box: expected.get(box, 0) for box in BOXES}
    assert cells["D2"].bp_wan == 1100
    assert cells["R3"].picks == {"top": 2}
    assert cells["A3"].picks == {"strategic": 1}
    assert cells["P3"].picks == {"strategic": 1}
    assert sum(c.count for c in cells.values()) == 11


@pytest.mark.parametrize("lang", LANGS)
def test_grid_labels_follow_the_settings_in_force(lang, accounts, picks):
    fig = radp_grid(accounts, picks, lang)
    render(fig)
    columns = [label.get_text() for label in fig.axes[0].get_xticklabels()]
    assert columns == [t(f"charts.screening.level.level{n}", lang, bp1="100", bp2="300", bp3="500") for n in range(4)]
    assert "500" in columns[3] and "LEVEL3" in columns[3]
    rows = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert [r.splitlines()[0] for r in rows] == [t(f"screening.status.{s}", lang) for s in "RDAP"]
    assert "50" in rows[0] and "10" in rows[1]

    moved = radp_grid(accounts, picks, lang, RadpSettings(bp_level3_wan=400, sow_retainable_pct=60))
    columns = [label.get_text() for label in moved.axes[0].get_xticklabels()]
    assert "400" in columns[3] and "500" not in columns[3]
    assert "400" in columns[2]
    assert "60" in moved.axes[0].get_yticklabels()[0].get_text()
    # Mianyang (450) moves from D2 to D3; the ICBC branch (SoW 62) stays R, the grid (55) becomes D.
    assert text_of(moved, "count-D2") == t("charts.screening.grid.count", lang, count=2)
    assert text_of(moved, "bp-D2") == t("charts.screening.grid.bp", lang, bp="650")
    assert text_of(moved, "count-D3") == t("charts.screening.grid.count", lang, count=2)
    assert text_of(moved, "pick-top-R3") == t("charts.screening.grid.pick_count", lang, count=1)
    assert text_of(moved, "pick-top-D3") == t("charts.screening.grid.pick_count", lang, count=1)


@pytest.mark.parametrize("lang", LANGS)
def test_grid_marks_picks_by_border_marker_and_legend(lang, accounts, picks):
    fig = radp_grid(accounts, picks, lang)
    assert text_of(fig, "pick-top-R3") == t("charts.screening.grid.pick_count", lang, count=2)
    assert text_of(fig, "pick-strategic-A3") == t("charts.screening.grid.pick_count", lang, count=1)
    assert text_of(fig, "pick-strategic-P3") == t("charts.screening.grid.pick_count", lang, count=1)
    assert by_gid(fig, "pick-top-D2") == [] and by_gid(fig, "border-top-D2") == []

    (top_border,) = [a for a in by_gid(fig, "border-top-R3") if isinstance(a, Rectangle)]
    (strategic_border,) = [a for a in by_gid(fig, "border-strategic-A3") if isinstance(a, Rectangle)]
    (top_marker,) = [a for a in by_gid(fig, "marker-top-R3") if isinstance(a, Line2D)]
    (strategic_marker,) = [a for a in by_gid(fig, "marker-strategic-A3") if isinstance(a, Line2D)]
    # Not colour alone: the line style of the border and the marker shape differ too.
    assert top_border.get_linestyle() != strategic_border.get_linestyle()
    assert top_marker.get_marker() != strategic_marker.get_marker()
    assert top_marker.get_marker() == PICK_STYLES["top"].marker

    legend = [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    assert legend == [t("charts.screening.top", lang), t("charts.screening.strategic", lang)]


def test_grid_shows_unclassified_picks_only_when_there_are_some(accounts, picks):
    by_name = {a.name: a.id for a in accounts}
    fig = radp_grid(accounts, [*picks, KeyAccountPick(account_id=by_name[CD_BANK])], "en")
    assert text_of(fig, "pick-None-D2") == t("charts.screening.grid.pick_count", "en", count=1)
    legend = [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    assert t("charts.screening.unclassified", "en") in legend
    assert radp_grid(accounts, [], "en").axes[0].get_legend() is None


@pytest.mark.parametrize("lang", LANGS)
def test_grid_footnote_counts_accounts_without_figures(lang, accounts, picks):
    fig = radp_grid(accounts, picks, lang)
    assert t("charts.screening.left_out", lang, count=2) in footnote(fig)
    complete = [a for a in accounts if a.bp_wan is not None and a.sow_pct is not None]
    assert t("charts.screening.left_out", lang, count=0) not in footnote(radp_grid(complete, picks, lang))
    assert "left out" not in footnote(radp_grid(complete, picks, "en"))


def test_cell_text_contrasts_with_its_shade():
    assert text_color_on("white") != "white"
    assert text_color_on("#08306B") == "white"  # the darkest blue of the map
    assert text_color_on("#DEEBF7") != "white"


def test_fmt_number():
    assert fmt_number(1100) == "1,100"
    assert fmt_number(1100.0) == "1,100"
    assert fmt_number(12.5) == "12.5"
    assert fmt_number(0) == "0"


# ---- BP x SoW ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_scatter_names_the_picks_with_their_own_markers(lang, accounts, picks):
    fig = bp_sow_scatter(accounts, picks, lang)
    by_name = {a.name: a for a in accounts}
    for name in (GRID, SC_AIR, METRO):
        assert text_of(fig, f"name-{by_name[name].id}") == name
    assert text_of(fig, f"name-{by_name[ICBC].id}") == ICBC[:11] + "\u2026"  # a long name, shortened
    markers = {}
    for kind in ("top", "strategic"):
        (points,) = [a for a in by_gid(fig, f"points-{kind}") if isinstance(a, PathCollection)]
        assert len(points.get_offsets()) == 2
        markers[kind] = points
    assert markers["top"].get_paths()[0] != markers["strategic"].get_paths()[0]
    legend = [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    assert legend == [
        t("charts.screening.scatter.accounts", lang), t("charts.screening.top", lang),
        t("charts.screening.strategic", lang),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_scatter_threshold_lines_follow_the_settings(lang, accounts, picks):
    def lines(fig: Figure) -> dict[str, float]:
        out = {}
        for gid, axis in (("level-line-1", 0), ("level-line-2", 0), ("level-line-3", 0), ("sow-line-R", 1),
                          ("sow-line-D", 1)):
            (line,) = by_gid(fig, gid)
            assert line.get_linestyle() == "--"
            out[gid] = (line.get_xdata() if axis == 0 else line.get_ydata())[0]
        return out

    fig = bp_sow_scatter(accounts, picks, lang)
    assert lines(fig) == {"level-line-1": 100, "level-line-2": 300, "level-line-3": 500, "sow-line-R": 50,
                          "sow-line-D": 10}
    assert t("charts.screening.scatter.level_line", lang, level=3, bp="500") in texts(fig)
    assert t("charts.screening.scatter.sow_line", lang, status="D", pct="10") in texts(fig)

    moved = bp_sow_scatter(accounts, picks, lang, RadpSettings(bp_level3_wan=400, sow_developable_pct=15))
    assert lines(moved)["level-line-3"] == 400
    assert lines(moved)["sow-line-D"] == 15
    assert t("charts.screening.scatter.level_line", lang, level=3, bp="400") in texts(moved)
    assert t("charts.screening.scatter.sow_line", lang, status="D", pct="15") in texts(moved)


@pytest.mark.parametrize("lang", LANGS)
def test_scatter_draws_bp_zero_at_a_floor_and_says_so(lang, accounts, picks):
    fig = bp_sow_scatter(accounts, picks, lang)
    _, messages = render(fig)
    assert [m for m in messages if "log" in m.lower() or "nonpositive" in m.lower()] == []
    ax = fig.axes[0]
    (plain,) = by_gid(fig, "points-plain")
    xs = plain.get_offsets()[:, 0]
    assert len(xs) == 11 - 4 and (xs > 0).all()
    floor = xs.min()
    assert ax.get_xlim()[0] < floor < 90  # left of the smallest BP (90)
    ticks = {label.get_text() for label in ax.get_xticklabels()}
    assert t("charts.screening.scatter.zero_tick", lang) in ticks
    assert t("charts.screening.scatter.zero_note", lang, count=1) in footnote(fig)
    assert t("charts.screening.left_out", lang, count=2) in footnote(fig)
    no_zero = [a for a in accounts if a.bp_wan != 0]
    assert t("charts.screening.scatter.zero_note", lang, count=1) not in footnote(bp_sow_scatter(no_zero, picks, lang))


def test_scatter_writes_at_most_fifteen_names_picks_first(picks, accounts):
    many = accounts + [
        Account(name=f"{NEW_HOPE}{i}", bp_wan=50 + 97 * i, sow_pct=(i * 37) % 100) for i in range(40)
    ]
    fig = bp_sow_scatter(many, picks, "en")
    names = [a for a in fig.findobj(Text) if str(a.get_gid()).startswith("name-")]
    assert 4 <= len(names) <= MAX_NAME_LABELS
    by_name = {a.name: a for a in accounts}
    for name in (ICBC, GRID, SC_AIR, METRO):
        assert by_gid(fig, f"name-{by_name[name].id}")
    note = t("charts.screening.scatter.labels_note", "en", shown=len(names), count=len(many) - 2)
    assert note in footnote(fig)


def test_scatter_names_do_not_overlap(accounts, picks):
    fig = bp_sow_scatter(accounts, picks, "zh")
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    boxes = [a.get_window_extent(renderer) for a in fig.findobj(Text) if str(a.get_gid()).startswith("name-")]
    assert len(boxes) >= 4
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)


# ---- the pyramid -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_pyramid_shows_the_deck_and_the_trainee_numbers(lang, accounts, picks):
    fig = screening_pyramid(accounts, picks, lang)
    shown = texts(fig)
    for number in (DECK_LISTED, DECK_LEVEL3, DECK_PICKS):
        assert fmt_number(number) in shown
    assert {"50,000", "5,000", "1,500"} <= set(shown)
    for key in ("listed", "level3", "picks", "deck_caption", "mine_caption", "my_listed", "my_picks", "title"):
        assert t(f"charts.screening.pyramid.{key}", lang) in shown
    assert t("charts.screening.pyramid.my_level3", lang, bp3="500") in shown
    # 13 on the list; LEVEL3 this year: 3200, 5200, 2400, 1800, 980; picks: 2 Top + 2 Strategic.
    assert {"13", "5", "4"} <= set(shown)
    assert t("charts.screening.pyramid.my_picks_split", lang, top=2, strategic=2) in shown
    assert t("charts.screening.pyramid.no_bp", lang, count=1) in footnote(fig)


def test_pyramid_level3_follows_the_settings(accounts, picks):
    assert my_pyramid(accounts, picks).level3 == 5
    mine = my_pyramid(accounts, picks, RadpSettings(bp_level3_wan=400))
    assert (mine.listed, mine.level3, mine.without_bp, mine.top, mine.strategic) == (13, 6, 1, 2, 2)
    fig = screening_pyramid(accounts, picks, "en", RadpSettings(bp_level3_wan=400))
    assert "6" in texts(fig)
    assert t("charts.screening.pyramid.my_level3", "en", bp3="400") in texts(fig)


def test_pyramid_counts_unclassified_picks_apart(accounts, picks):
    by_name = {a.name: a.id for a in accounts}
    more = [*picks, KeyAccountPick(account_id=by_name[CD_BANK]), KeyAccountPick(account_id=by_name[ICBC])]
    mine = my_pyramid(accounts, more)
    assert (mine.picks, mine.unclassified) == (4, 1)  # a second pick of the same account is ignored
    fig = screening_pyramid(accounts, more, "zh")
    assert t("charts.screening.pyramid.unclassified", "zh", count=1) in footnote(fig)
