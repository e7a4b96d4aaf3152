"""Chapter 2.4, the key-person analysis: codes, red flags, routes, the two figures and the charts."""

from __future__ import annotations

import io
import random
import re
import string
import warnings

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text as MplText

from kamlib.charts.people import attitude_power_chart, panorama_chart
from kamlib.i18n import LANGS, catalog, t
from kamlib.model.workbook import KeyPerson
from kamlib.people import (
    STYLE_AXES,
    STYLES,
    attitude_power_matrix,
    deck_example,
    in_decision_layer,
    is_decision_maker,
    leverage_routes,
    map_completeness,
    panorama_layout,
    person_code,
    position_strength,
    red_flags,
    reporting_problems,
    unplaced,
)

GLYPH_WARNING = re.compile(r"Glyph|missing from font", re.IGNORECASE)
MKT_DIR_ZH = "\u8425\u9500\u603b\u76d1"  # marketing director


def kp(pid: str, **kw) -> KeyPerson:
    return KeyPerson(id=pid, name=kw.pop("name", pid.upper()), **kw)


def org(n: int = 60, seed: int = 7) -> list[KeyPerson]:
    """A random organisation of ``n`` people with codes, groups and influence lines."""
    rnd = random.Random(seed)
    people: list[KeyPerson] = []
    for i in range(n):
        boss = None if i == 0 else people[rnd.randrange(0, min(i, 1 + i // 3))].id
        people.append(KeyPerson(
            id=f"p{i}", name=f"Person {i}" if i % 2 else f"\u5f20\u4e09{i}",
            title=rnd.choice(["Manager", "\u7ecf\u7406", ""]),
            reports_to=boss, role=rnd.choice(["A", "D", "E", "U", None]), style=rnd.choice(["D", "K", "A", "E", None]),
            attitude=rnd.choice(["*", "+", "=", "-", "/", None]), contact=rnd.choice(["0", "1", "N", "F", None]),
            key_department=rnd.random() < 0.3, inner_circle=rnd.random() < 0.1, decision_layer=rnd.random() < 0.1,
        ))
    for p in people:
        p.influences = [f"p{rnd.randrange(n)}" for _ in range(rnd.choice([0, 0, 1]))]
        p.influences = [ref for ref in p.influences if ref != p.id]
    return people


# ---- codes and layers -------------------------------------------------------------------------------


def test_deck_codes_as_the_course_writes_them():
    codes = [person_code(p) for p in deck_example("zh")]
    assert codes[1] == f"{MKT_DIR_ZH} E K - 1"
    assert codes[0].endswith(" A D = 0")
    assert codes[2].endswith(" ? ? ? ?")  # production director: no codes
    assert person_code(deck_example("en")[8]) == "System manager U E * N"
    assert person_code(kp("x", name="Wang")) == "Wang ? ? ? ?"  # no title: the name


def test_deck_example_structure():
    for lang in LANGS:
        people = deck_example(lang)
        assert len(people) == 10
        by = {p.id: p for p in people}
        assert by["svp"].reports_to is None
        assert [p.id for p in people if p.reports_to == "is_dir"] == ["sys_mgr", "ops_mgr"]
        assert {p.id for p in people if p.key_department} == {"mkt_dir", "is_dir", "sales_mgr", "mkt_mgr",
                                                              "sys_mgr", "ops_mgr"}
        assert all(not p.influences for p in people)
        assert reporting_problems(people) == []
        assert reporting_problems(deck_example(lang, illustrate=True)) == []
    assert deck_example("en")[1].title == "Marketing director"


def test_decision_maker_and_layer():
    assert is_decision_maker(kp("a", role="A")) and is_decision_maker(kp("d", role="D"))
    assert not is_decision_maker(kp("e", role="E")) and not is_decision_maker(kp("n"))
    assert in_decision_layer(kp("d", role="D"))
    assert in_decision_layer(kp("e", role="E", decision_layer=True))
    assert not in_decision_layer(kp("u", role="U"))


def test_style_axes_and_guidance():
    assert STYLE_AXES["D"] == ("high", "low")
    assert STYLE_AXES["E"] == ("high", "high")
    assert STYLE_AXES["K"] == ("low", "high")
    assert STYLE_AXES["A"] == ("low", "low")
    for lang in LANGS:
        for style in STYLES:
            assert t(f"people.style.{style}.how", lang).strip()
            assert t(f"people.style.{style}.name", lang).strip()
    assert t("people.style.K.name", "zh") == "\u4eb2\u5207\u578b"


# ---- problems --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_reporting_problems_name_the_people(lang):
    people = [
        kp("a", name="Ann"), kp("b", name="Bob", reports_to="zz"),
        kp("c", name="Cai", reports_to="d"), kp("d", name="Dai", reports_to="c"),
        kp("e", name="Eve", reports_to="e", influences=["e", "qq"]),
    ]
    texts = [p.render(lang) for p in reporting_problems(people)]
    assert len(texts) == 5, texts
    assert any("Bob" in s and "zz" in s for s in texts)
    assert any("Cai" in s and "Dai" in s for s in texts)  # the loop
    assert sum("Eve" in s for s in texts) == 3  # own boss, influence to self, influence to unknown
    assert any("qq" in s for s in texts)
    layout = panorama_layout(people)  # the chart still lays them out
    assert set(layout) == {"a", "b", "c", "d", "e"}


def test_duplicate_ids_are_a_problem():
    texts = [p.render("en") for p in reporting_problems([kp("a", name="Ann"), kp("a", name="Al")])]
    assert len(texts) == 1 and "Ann" in texts[0] and "Al" in texts[0]


# ---- red flags -----------------------------------------------------------------------------------


def test_red_flags_on_the_deck_example():
    flags = red_flags(deck_example("en"))
    on = {}
    for f in flags:
        for pid in f.person_ids:
            on.setdefault(pid, []).append(f.kind)
    assert sorted(on["svp"]) == ["dm_no_contact", "dm_unfavourable"]  # A, neutral, contact 0
    assert on["is_dir"] == ["dm_no_contact"]  # D, supporter, never met
    assert "mkt_dir" not in on  # an E non-supporter is no decision-maker
    kinds = [f.kind for f in flags]
    # the deck's text names influence lines but not who influences whom: the flag says the lines are missing,
    # not that no supporter reaches the decision layer
    assert "no_influence_lines" in kinds and "no_supporter_influence" not in kinds
    missing = next(f for f in flags if f.kind == "no_influence_lines")
    assert "No influence lines entered yet" in missing.text.render("en") and missing.person_ids == ()
    assert "single_contact" not in kinds and "no_deep_contact" not in kinds  # N and F: two people
    for lang in LANGS:
        assert all(f.text.render(lang).strip() for f in flags)
    # with the workbook's illustration, a supporter influences the IS director
    assert "no_supporter_influence" not in [f.kind for f in red_flags(deck_example("en", illustrate=True))]


def test_red_flags_on_small_maps():
    assert red_flags([]) == []
    kinds = [f.kind for f in red_flags([kp("u", role="U", attitude="+", contact="1")])]
    assert "no_decision_maker" in kinds and "no_deep_contact" in kinds
    people = [
        kp("boss", role="D", contact="N", attitude=None),
        kp("fan", role="U", attitude="*", contact="1", influences=["boss"]),
    ]
    flags = red_flags(people)
    assert [(f.kind, f.person_ids) for f in flags] == [
        ("dm_attitude_unknown", ("boss",)), ("single_contact", ("boss",)),
    ]
    opp = red_flags([kp("o", role="A", attitude="/", contact="F"), kp("f", attitude="+", contact="N")])
    assert [f.kind for f in opp] == ["dm_unfavourable", "no_influence_lines"]  # no lines drawn at all
    assert "opponent" in opp[0].text.render("en")
    drawn = red_flags([kp("o", role="A", attitude="/", contact="F"), kp("f", attitude="+", contact="N"),
                       kp("n", attitude="=", contact="N", influences=["o"])])  # a line, but not a supporter's
    assert [f.kind for f in drawn] == ["dm_unfavourable", "no_supporter_influence"]
    assert drawn[1].person_ids == ("f",)


# ---- routes ---------------------------------------------------------------------------------------


def test_leverage_routes_shortest_first():
    people = [
        kp("boss", role="A", attitude="-"),
        kp("near", attitude="+", influences=["boss"]),
        kp("far", attitude="*", influences=["mid"]),
        kp("mid", attitude="=", influences=["boss"]),
        kp("tie", attitude="*", influences=["boss"]),
        kp("fan", role="D", attitude="*"),
        kp("lone", attitude="+"),
    ]
    routes = leverage_routes(people)
    assert list(routes) == ["boss"]  # the D is a strong supporter: not a target
    assert routes["boss"] == [["tie", "boss"], ["near", "boss"], ["far", "mid", "boss"]]
    assert leverage_routes(people, max_routes=1)["boss"] == [["tie", "boss"]]


def test_leverage_routes_upward_option():
    people = [kp("boss", role="D", attitude="="), kp("rep", attitude="+", reports_to="boss")]
    assert leverage_routes(people) == {"boss": []}
    assert leverage_routes(people, upward=True) == {"boss": [["rep", "boss"]]}


# ---- the two figures -----------------------------------------------------------------------------


def test_completeness_and_strength_move_independently():
    hostile = [
        kp("a", role="A", style="D", attitude="/", contact="0", decision_layer=True),
        kp("d", role="D", style="A", attitude="-", contact="1", reports_to="a", inner_circle=True),
        kp("e", role="E", style="K", attitude="=", contact="1", reports_to="d", influences=["u"]),
        kp("u", role="U", style="E", attitude="-", contact="0", reports_to="d"),
    ]
    assert map_completeness(hostile) == pytest.approx(1.0)
    assert position_strength(hostile) < 0.15
    friendly = [kp("d", role="D", attitude="*", contact="F"), kp("u", attitude="+", influences=["d"])]
    friendly += [kp(f"x{i}") for i in range(8)]
    assert map_completeness(friendly) < 0.3
    assert position_strength(friendly) == pytest.approx(1.0)
    assert map_completeness([]) == position_strength([]) == 0.0
    deck = deck_example("en")
    assert 0 < map_completeness(deck) < 1 and 0 < position_strength(deck) < 0.5


def test_attitude_power_matrix():
    people = deck_example("en")
    cells = attitude_power_matrix(people)
    assert len(cells) == 20
    assert cells[("A", "=")] == ["svp"] and cells[("U", "*")] == ["sys_mgr"]
    assert sum(len(v) for v in cells.values()) == 7
    assert unplaced(people) == ["prod_dir", "prod_mgr", "rnd_mgr"]


# ---- catalogs and charts ------------------------------------------------------------------------------


def test_people_catalogs_match():
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    zh = {k: v for k, v in catalog("zh").items() if k.startswith("people.")}
    en = {k: v for k, v in catalog("en").items() if k.startswith("people.")}
    assert zh.keys() == en.keys() and zh
    for key in zh:
        assert zh[key].strip() and en[key].strip(), key
        assert fields(zh[key]) == fields(en[key]), key


def render(fig: Figure) -> list[str]:
    buf = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buf, format="png")
    assert buf.getvalue().startswith(b"\x89PNG")
    return [str(w.message) for w in caught]


def texts(fig: Figure) -> set[str]:
    return {a.get_text() for a in fig.findobj(MplText)}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("which", ["deck", "org"])
def test_charts_render_without_missing_glyphs(lang, which):
    people = deck_example(lang, illustrate=True) if which == "deck" else org()
    for chart in (panorama_chart, attitude_power_chart):
        messages = render(chart(people, lang))
        assert [m for m in messages if GLYPH_WARNING.search(m)] == [], messages


@pytest.mark.parametrize("lang", LANGS)
def test_legend_texts_per_language(lang):
    other = "en" if lang == "zh" else "zh"
    shown = texts(panorama_chart(deck_example(lang, illustrate=True), lang))
    for key in ("panorama_title", "legend_attitude", "legend_role", "reporting", "influence", "decision_layer",
                "inner_circle"):
        assert t(f"people.chart.{key}", lang) in shown
        assert t(f"people.chart.{key}", other) not in shown
    assert t("people.chart.item", lang, code="*", name=t("people.attitude.*", lang)) in shown
    assert t("people.chart.item", lang, code="A", name=t("people.role.A", lang)) in shown
    matrix = texts(attitude_power_chart(deck_example(lang), lang))
    assert t("people.chart.contact_title", lang) in matrix
    assert t("people.chart.item", lang, code="F", name=t("people.contact.F", lang)) in matrix
    assert t("people.chart.matrix_title", lang) in matrix


def test_empty_maps_render():
    for lang in LANGS:
        for chart in (panorama_chart, attitude_power_chart):
            assert t("people.chart.empty", lang) in texts(chart([], lang))


def test_panorama_of_60_people_renders_without_missing_glyphs():
    """The speed of this chart is measured in benchmarks/people.py, never asserted in a test."""
    messages = render(panorama_chart(org(), "zh"))
    assert [m for m in messages if "Glyph" in m or "missing from font" in m] == []


def _hospital() -> list[KeyPerson]:
    """A provincial hospital's people with long titles, two in the decision layer, one also in the inner circle."""
    return [
        kp("dean", name="\u5218\u5efa\u56fd", title="\u9662\u957f", role="A", attitude="=", decision_layer=True),
        kp("vp", name="\u9648\u536b\u4e1c", title="\u5206\u7ba1\u4fe1\u606f\u5316\u526f\u9662\u957f",  # VP for IT
           reports_to="dean", role="A", attitude="+", key_department=True),
        kp("vp2", name="\u5b59\u5efa\u534e", reports_to="dean", role="D", attitude="-", inner_circle=True,
           title="\u5206\u7ba1\u540e\u52e4\u4e0e\u8bbe\u5907\u91c7\u8d2d\u526f\u9662\u957f"),  # VP for purchasing
        kp("buy", name="Li Ming", title="Head of Radiology and Imaging Services", reports_to="vp2", role="E"),
        kp("it", name="\u738b\u82b3", title="\u4fe1\u606f\u4e2d\u5fc3\u4e3b\u4efb", reports_to="vp", role="D",
           attitude="*", inner_circle=True, decision_layer=True),
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_panorama_writes_titles_whole(lang):
    people = _hospital()
    fig = panorama_chart(people, lang)
    nodes = {a.get_gid(): a.get_text() for a in fig.findobj(MplText) if str(a.get_gid()).startswith("node-")}
    assert len(nodes) == len(people)
    for p in people:
        label = nodes[f"node-{p.id}"]
        assert "\u2026" not in label
        assert p.title.replace(" ", "") in label.replace("\n", "").replace(" ", "")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("which", ["hospital", "deck"])
def test_panorama_group_tags_clear_of_boxes_and_edges(lang, which):
    people = _hospital() if which == "hospital" else deck_example(lang, illustrate=True)
    fig = panorama_chart(people, lang)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    nodes = [a.get_bbox_patch().get_window_extent(renderer) for a in fig.findobj(MplText)
             if str(a.get_gid()).startswith("node-")]
    hulls = {flag: [p.get_window_extent(renderer) for p in fig.axes[0].patches if p.get_gid() == f"hull-{flag}"]
             for flag in ("decision_layer", "inner_circle")}
    tags = {flag: [a.get_window_extent(renderer) for a in fig.findobj(MplText) if a.get_gid() == f"tag-{flag}"]
            for flag in ("decision_layer", "inner_circle")}
    assert tags["decision_layer"] and tags["inner_circle"]
    assert len(tags["decision_layer"]) == len(hulls["decision_layer"])
    margin = 2.0  # pixels
    for tag in tags["decision_layer"] + tags["inner_circle"]:
        assert not any(tag.overlaps(node) for node in nodes)  # no tag on a person's box
    for tag in tags["decision_layer"]:  # inside its hull, off its edges
        assert any(h.x0 + margin <= tag.x0 and tag.x1 <= h.x1 - margin and h.y0 + margin <= tag.y0
                   and tag.y1 <= h.y1 - margin for h in hulls["decision_layer"]), tag
    for tag in tags["inner_circle"]:  # under its outline, not on it
        assert not any(tag.overlaps(h) for h in hulls["inner_circle"])
        assert any(h.x0 <= tag.x0 and tag.y1 <= h.y0 - margin for h in hulls["inner_circle"]), tag


def test_no_english_article_before_a_filled_in_word():
    """'a {attitude}' reads "is a opponent": an article cannot agree with a word it does not know."""
    article = re.compile(r"\b(a|an)\s+[“\"'(]?\{", re.IGNORECASE)
    assert [k for k, v in catalog("en").items() if article.search(v)] == []


@pytest.mark.parametrize("attitude", ["*", "+", "=", "-", "/", None])
def test_red_flags_read_as_english(attitude):
    people = [kp("a", role="A", attitude=attitude, contact="0"), kp("d", role="D", attitude=attitude, contact="N")]
    for flag in red_flags(people):
        text = flag.text.render("en")
        assert not re.search(r"\ba\s+[“\"'(]?[aeiou]", text, re.IGNORECASE), text
