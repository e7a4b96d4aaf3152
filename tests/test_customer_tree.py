"""kamlib.customer_tree and its chart: problems explained by name, BP rolled up per DMU, a readable tree."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import BoxStyle
from matplotlib.text import Text as TextArtist

from kamlib.charts.tree import customer_tree_chart, wrap_text
from kamlib.customer_tree import (
    build_tree,
    check_tree,
    dmu_bp,
    dmu_members,
    format_wan,
    layout,
    levels,
    roots,
    structure_problems,
    tree_order,
    tree_problems,
)
from kamlib.errors import InputError
from kamlib.i18n import LANGS, t
from kamlib.model.workbook import TreeUnit
from tests.chart_checks import render_png

CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
GLYPH_WARNING = re.compile(r"Glyph|missing from font", re.IGNORECASE)

# Names of the deck's example, written with escapes (no Chinese in .py files).
ICBC = "\u4e2d\u56fd\u5de5\u5546\u94f6\u884c"  # ICBC
ANHUI = ICBC + "\u5b89\u5fbd\u7701\u5206\u884c"  # ICBC Anhui branch
WUHU = "\u829c\u6e56\u5e02\u5206\u884c"  # Wuhu city branch
CHUZHOU = "\u6ec1\u5dde\u5e02\u5206\u884c"  # Chuzhou city branch
FUYANG = "\u961c\u9633\u5e02\u5206\u884c"  # Fuyang city branch
CREDIT = "\u4fe1\u8d37\u5904"  # credit department
SAVINGS = "\u50a8\u84c4\u5904"  # savings department
EQUIPMENT = "\u8bbe\u5907\u5904"  # equipment department


def unit(uid: str, name: str, parent: str | None = None, kind: str = "unit", bp: float | None = None) -> TreeUnit:
    return TreeUnit(id=uid, name=name, parent_id=parent, kind=kind, bp_wan=bp)


def icbc() -> list[TreeUnit]:
    """Head office (a plain unit) → Anhui branch DMU → city branch DMUs with Users; BP in 万元."""
    return [
        unit("hq", ICBC, bp=50),
        unit("ah", ANHUI, "hq", "dmu", 300),
        unit("ah_eq", EQUIPMENT, "ah", "user", 150),
        unit("ah_ops", "Operations centre", "ah", "unit", 20),
        unit("ah_ops_it", "IT desk", "ah_ops", "user", 10),
        unit("wh", WUHU, "ah", "dmu", 120),
        unit("wh_cr", CREDIT, "wh", "user", 30),
        unit("wh_sv", SAVINGS, "wh", "user"),
        unit("wh_eq", EQUIPMENT, "wh", "user", 80),
        unit("cz", CHUZHOU, "ah", "dmu"),
        unit("cz_cr", CREDIT, "cz", "user", 25),
        unit("fy", FUYANG, "ah", "dmu"),
        unit("fy_cr", CREDIT, "fy", "user"),
    ]


def rendered(problems: list, lang: str) -> list[str]:
    return [p.render(lang) for p in problems]


# ---- structure, levels, graph ------------------------------------------------------------------


def test_the_example_has_no_problems_and_its_levels():
    units = icbc()
    assert tree_problems(units) == []
    check_tree(units)
    lv = levels(units)
    assert lv["hq"] == 1
    assert lv["ah"] == 2
    assert lv["wh"] == lv["cz"] == lv["fy"] == lv["ah_ops"] == 3
    assert lv["wh_cr"] == lv["ah_ops_it"] == 4  # Users may sit at Lv4
    assert [u.id for u in roots(units)] == ["hq"]


def test_build_tree_edges_and_attributes():
    graph = build_tree(icbc())
    assert graph.number_of_nodes() == 13
    assert ("hq", "ah") in graph.edges and ("wh", "wh_cr") in graph.edges
    assert ("ah", "hq") not in graph.edges
    node = graph.nodes["wh"]
    assert node == {"name": WUHU, "kind": "dmu", "bp_wan": 120, "parent_id": "ah", "level": 3}
    assert graph.nodes["hq"]["level"] == 1
    assert all(graph.in_degree(n) <= 1 for n in graph.nodes)


def test_build_tree_refuses_a_list_that_is_not_a_tree():
    units = [unit("a", "Alpha", "b"), unit("b", "Beta", "a")]
    with pytest.raises(InputError) as info:
        build_tree(units)
    assert info.value.text.key == "tree.invalid"
    for lang in LANGS:
        message = info.value.message(lang)
        assert "Alpha" in message and "Beta" in message


def test_importing_the_logic_is_light():
    code = "import sys, kamlib.customer_tree; print('networkx' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False", out.stderr


# ---- problems, explained by name -----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("units", "key", "names"),
    [
        ([unit("a", "Head office", "nowhere", "dmu")], "tree.problem.unknown_parent", ["Head office", "nowhere"]),
        ([unit("a", "Head office", "a", "dmu")], "tree.problem.own_parent", ["Head office"]),
        (
            [unit("r", "Root", None, "dmu"), unit("a", "Alpha", "b"), unit("b", "Beta", "a")],
            "tree.problem.cycle",
            ["Alpha", "Beta"],
        ),
        ([unit("a", "Head office", None, "dmu"), unit("a", "Copy & paste", None, "dmu")],
         "tree.problem.duplicate_id", ["Head office", "Copy & paste"]),
        ([unit("hq", "Head office"), unit("d", "Branch", "hq", "dmu"), unit("u", "Credit <dept>", "hq", "user")],
         "tree.problem.user_without_dmu", ["Credit <dept>"]),
        ([unit("hq", "Head office", None, "dmu"), unit("u", "Savings", "hq", "user"),
          unit("d", "Rogue DMU", "u", "dmu")],
         "tree.problem.dmu_under_user", ["Rogue DMU", "Savings"]),
        ([unit("a", "L1", None, "dmu"), unit("b", "L2", "a"), unit("c", "L3", "b"), unit("d", "Deep unit", "c")],
         "tree.problem.too_deep", ["Deep unit", "4"]),
        ([unit("a", "Lonely head office"), unit("b", "Branch", "a")], "tree.problem.no_dmu", ["Lonely head office"]),
    ],
)
def test_each_problem_is_explained_by_name(units, key, names, lang):
    problems = tree_problems(units)
    assert key in [p.key for p in problems]
    text = next(p for p in problems if p.key == key).render(lang)
    for name in names:
        assert name in text, text
    with pytest.raises(InputError) as info:
        check_tree(units)
    assert info.value.text.key == "tree.invalid"
    assert key in [d.key for d in info.value.details]
    assert t("tree.invalid", lang) in info.value.message(lang)


def test_problems_in_chinese_name_the_units():
    units = [unit("hq", ICBC), unit("u", CREDIT, "hq", "user")]
    texts = rendered(tree_problems(units), "zh")
    assert any(CREDIT in s and "DMU" in s for s in texts)
    assert any(ICBC in s for s in texts)  # the tree of the head office has no DMU


def test_nested_dmus_are_allowed_and_users_may_sit_deeper_than_lv3():
    units = [
        unit("hq", "Head office", None, "dmu"),
        unit("p", "Province branch", "hq", "dmu"),
        unit("c", "City branch", "p", "dmu"),
        unit("u", "Credit", "c", "user"),
        unit("u2", "Credit desk", "u", "user"),  # Lv5, a User below a User
    ]
    assert tree_problems(units) == []


def test_a_cycle_is_reported_once_and_units_below_it_are_left_out():
    units = [
        unit("r", "Root", None, "dmu"),
        unit("a", "Alpha", "c"),
        unit("b", "Beta", "a"),
        unit("c", "Gamma", "b"),
        unit("x", "Below the loop", "a", "user"),
    ]
    problems = tree_problems(units)
    assert [p.key for p in problems] == ["tree.problem.cycle"]
    text = problems[0].render("en")
    assert all(name in text for name in ("Alpha", "Beta", "Gamma"))
    assert "Below the loop" not in text
    assert levels(units) == {"r": 1}
    assert structure_problems(units) == problems


def test_structure_problems_come_first():
    units = [unit("hq", "Head office"), unit("u", "User without DMU", "hq", "user"), unit("z", "Orphan", "gone")]
    keys = [p.key for p in tree_problems(units)]
    assert keys[0] == "tree.problem.unknown_parent"
    assert "tree.problem.user_without_dmu" in keys


# ---- BP roll-up -----------------------------------------------------------------------------------


def test_bp_is_rolled_up_per_dmu_without_double_counting():
    bp = dmu_bp(icbc())
    # Anhui: its own 300 + equipment 150 + operations centre 20 + its IT desk 10; the city DMUs count their own
    assert bp["ah"] == 480
    assert bp["wh"] == 120 + 30 + 80  # savings has no BP given
    assert bp["cz"] == 25  # no own BP: its User's
    assert "fy" not in bp  # nothing given: unknown, not 0
    assert "hq" not in bp  # a plain unit above every DMU is no DMU
    assert sum(bp.values()) == 480 + 230 + 25


def test_dmu_members_stop_at_nested_dmus():
    members = dmu_members(icbc())
    assert members["ah"] == ["ah", "ah_eq", "ah_ops", "ah_ops_it"]
    assert members["wh"] == ["wh", "wh_cr", "wh_sv", "wh_eq"]
    assert set(members) == {"ah", "wh", "cz", "fy"}


def test_a_dmu_with_bp_zero_given_is_zero():
    assert dmu_bp([unit("d", "DMU", None, "dmu", 0)]) == {"d": 0.0}


def test_format_wan():
    assert format_wan(1200) == "1,200"
    assert format_wan(1200.54) == "1,200.5"
    assert format_wan(0) == "0"


# ---- layout ------------------------------------------------------------------------------------


def test_layout_spreads_leaves_and_centres_parents():
    pos = layout(icbc())
    leaves = ["ah_eq", "ah_ops_it", "wh_cr", "wh_sv", "wh_eq", "cz_cr", "fy_cr"]
    assert [pos[leaf][0] for leaf in leaves] == [0, 1, 2, 3, 4, 5, 6]
    assert pos["wh"] == (3.0, 3)  # centred over its three Users
    assert pos["ah_ops"][0] == pos["ah_ops_it"][0]
    assert pos["ah"][0] == (pos["ah_eq"][0] + pos["fy"][0]) / 2
    assert pos["hq"] == (pos["ah"][0], 1)
    assert [u.id for u in tree_order(icbc())][:3] == ["hq", "ah", "ah_eq"]


def test_several_roots_stand_side_by_side():
    units = [*icbc(), unit("b", "Other bank", None, "dmu"), unit("b1", "Branch", "b", "user")]
    pos = layout(units)
    assert pos["b"][1] == 1
    assert pos["b1"][0] > max(x for k, (x, _) in pos.items() if k not in ("b", "b1")) + 1


# ---- chart ------------------------------------------------------------------------------------------



def boxes(fig: Figure) -> list[TextArtist]:
    """The node texts: those drawn with a box."""
    return [a for a in fig.findobj(TextArtist) if a.get_bbox_patch() is not None]


def big_tree() -> list[TreeUnit]:
    """The example plus a second account: 25 units."""
    extra = [
        unit("js", "Jiangsu branch", "hq"),
        unit("nj", "Nanjing branch", "js", "dmu", 500),
        unit("nj_cr", CREDIT, "nj", "user"),
        unit("nj_it", "Equipment & IT procurement department", "nj", "user", 200),
        unit("sz", "Suzhou branch", "js", "dmu"),
        unit("sz_eq", EQUIPMENT, "sz", "user", 60),
        unit("ccb", "Construction Bank", None),
        unit("ccb_ah", "Anhui branch", "ccb", "dmu", 800),
        unit("ccb_hf", "Hefei branch", "ccb_ah"),
        unit("ccb_it", "IT department", "ccb_hf", "user", 100),
        unit("ccb_ops", "Operations", "ccb_hf", "user"),
        unit("ccb_x", "A very long English unit name that needs wrapping", "ccb_ah", "user"),
    ]
    return icbc() + extra


@pytest.mark.parametrize("lang", LANGS)
def test_chart_renders_chinese_without_missing_glyphs(lang):
    fig = customer_tree_chart(icbc(), lang)
    assert isinstance(fig, Figure)
    shown = [a.get_text() for a in fig.findobj(TextArtist)]
    assert any(ICBC in s for s in shown)
    png, messages = render_png(fig)
    assert png.startswith(b"\x89PNG")
    assert [m for m in messages if GLYPH_WARNING.search(m)] == [], messages


@pytest.mark.parametrize("lang", LANGS)
def test_chart_marks_dmus_and_users_by_shape_border_and_tag(lang):
    fig = customer_tree_chart(icbc(), lang)
    nodes = boxes(fig)
    dmu_tag, user_tag = t("tree.tag.dmu", lang), t("tree.tag.user", lang)
    dmus = [a for a in nodes if a.get_text().split("\n")[0] == dmu_tag]
    users = [a for a in nodes if a.get_text().split("\n")[0] == user_tag]
    plain = [a for a in nodes if a.get_text().split("\n")[0] not in (dmu_tag, user_tag)]
    assert len(dmus) == 4
    assert len(users) == 7
    assert len(plain) == 2  # head office and operations centre: no tag
    for artist in dmus:
        patch = artist.get_bbox_patch()
        assert isinstance(patch.get_boxstyle(), BoxStyle.Square)
        assert patch.get_linewidth() > 2
        assert patch.get_linestyle() == "-"
    for artist in users:
        patch = artist.get_bbox_patch()
        assert isinstance(patch.get_boxstyle(), BoxStyle.Round)
        assert patch.get_linestyle() != "-"  # dashed
    for artist in plain:
        assert artist.get_bbox_patch().get_linewidth() < 2

    shown = [a.get_text() for a in fig.findobj(TextArtist)]
    assert t("tree.bp", lang, bp="480") in "\n".join(shown)  # the Anhui DMU's rolled-up BP
    assert t("tree.bp", lang, bp="230") in "\n".join(shown)
    assert t("tree.bp_unknown", lang) in "\n".join(shown)  # Fuyang: no BP given
    ticks = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert ticks == [t("tree.level", lang, level=n) for n in (1, 2, 3, 4)]
    for key in ("title", "bp_note", "legend_unit", "legend_dmu", "legend_user"):
        assert t(f"tree.chart.{key}", lang) in shown


@pytest.mark.parametrize("lang", LANGS)
def test_25_units_and_several_roots_do_not_overlap(lang):
    units = big_tree()
    assert len(units) == 25
    fig = customer_tree_chart(units, lang)
    _, messages = render_png(fig)
    assert [m for m in messages if GLYPH_WARNING.search(m)] == [], messages
    fig.canvas.draw()  # at the figure's own dpi, as measured below
    renderer = fig.canvas.get_renderer()
    nodes = boxes(fig)
    assert len(nodes) == 25
    extents = [a.get_bbox_patch().get_window_extent(renderer) for a in nodes]
    for one, other in itertools.combinations(extents, 2):
        assert not one.overlaps(other)
    page = fig.bbox
    for box in extents:
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1
    assert min(a.get_fontsize() for a in nodes) >= 9  # the figure grows instead


def test_chart_of_an_empty_tree_says_so():
    fig = customer_tree_chart([], "en")
    assert t("tree.chart.empty", "en") in [a.get_text() for a in fig.findobj(TextArtist)]


def test_chart_of_a_broken_list_is_an_input_error():
    with pytest.raises(InputError):
        customer_tree_chart([unit("a", "Alpha", "a")], "zh")


def test_chart_uses_given_bp():
    fig = customer_tree_chart([unit("d", "Branch", None, "dmu", 10)], "en", bp={"d": 1234.5})
    assert any(t("tree.bp", "en", bp="1,234.5") in a.get_text() for a in fig.findobj(TextArtist))


def test_wrap_text_keeps_words_and_cuts_with_an_ellipsis():
    assert wrap_text(ANHUI, 6.6) == [ANHUI[:6], ANHUI[6:]]
    lines = wrap_text("Equipment and IT procurement department of the branch", 6.6, 3)
    assert len(lines) == 3 and lines[-1].endswith("\u2026")
    assert lines[0] == "Equipment"


def test_tree_chart_does_not_use_pyplot():
    code = (
        "import sys, io; from kamlib.charts.tree import customer_tree_chart;"
        "from kamlib.model.workbook import TreeUnit;"
        "customer_tree_chart([TreeUnit(name='a', kind='dmu')], 'zh').savefig(io.BytesIO());"
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
