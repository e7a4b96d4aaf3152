"""Texts shortened for room never hide what tells two items apart: the class dashboard's most-missed chart, the
feedback page's parts, and the forms' label columns, drop-downs and hints (the browser test
``tests/browser/test_clipped_text.py`` checks the pages as drawn)."""

from __future__ import annotations

import ipywidgets as w
import pytest

from kamlib.charts import dashboard as charts
from kamlib.exercises import exercise_ids, load_exercise
from kamlib.feedback import part_labels, shorten_apart
from kamlib.forms.common import fit_choices, fit_labels, text_em
from kamlib.forms.gradebook import chart_item_label
from kamlib.gradebook import ItemStats, part_of
from kamlib.i18n import LANGS, Lang

# items whose questions begin alike for longer than a line: the four rule items differ in the part they name
ALIKE = [("ex04", "rule_j1_price"), ("ex04", "rule_j2_technical"), ("ex04", "rule_j3_service"),
         ("ex04", "rule_j4_commercial"), ("ex06", "after_p2"), ("ex06", "after_p8"), ("ex06", "moved"),
         ("ex06", "phase_b")]


def _question(label: str) -> str:
    """A tick label without its first line (the item id): the question as a reader sees it."""
    return label.partition("\n")[2]


@pytest.mark.parametrize("lang", LANGS)
def test_most_missed_items_read_apart_and_the_x_axis_is_labelled(lang: Lang) -> None:
    items = [ItemStats(ex, item, graded=16, missed=12 - n, mean_points=0.2, max_points=1.0)
             for n, (ex, item) in enumerate(ALIKE)]
    fig = charts.most_missed_chart(items, [chart_item_label(ex, item, lang) for ex, item in ALIKE], lang)
    fig.canvas.draw()
    ax = fig.axes[0]
    shown = [tick.get_text() for tick in ax.get_yticklabels()]
    questions = [_question(label) for label in shown]
    assert len(set(questions)) == len(questions), questions  # no two questions read the same
    for question in questions:
        assert not question.endswith("…"), question  # these are wrapped whole
        assert all(line and line[0] not in charts.CLOSING for line in question.splitlines()[1:]), question
    assert ax.get_xlabel()
    ticks = [tick.get_text() for tick in ax.get_xticklabels() if tick.get_visible()]
    assert "0%" in ticks and "100%" in ticks, ticks


def test_questions_too_long_for_their_lines_keep_the_end_where_they_differ() -> None:
    stem = "A question that says one thing at length, over and over again, " * 4
    labels = [f"ex99 q{n}\n{stem}and only at its very end names part {part}" for n, part in enumerate("XY")]
    shown = charts.missed_labels([*labels, "ex99 q3\nShort"])
    first, second = (_question(label) for label in shown[:2])
    assert first != second and "…" in first and first.endswith("part X") and second.endswith("part Y")
    assert len(first.splitlines()) <= charts.MISSED_LINES
    assert shown[2] == "ex99 q3\nShort"


@pytest.mark.parametrize("lang", LANGS)
def test_every_exercises_parts_read_apart_on_the_feedback_page(lang: Lang) -> None:
    for exercise in exercise_ids():
        parts = list(dict.fromkeys(part_of(item.id) for item in load_exercise(exercise).items))
        labels = part_labels(exercise, parts, lang)
        assert len(set(labels)) == len(labels), (exercise, labels)


def test_shortened_texts_keep_their_ends_where_their_beginnings_are_alike() -> None:
    texts = ["Step 3 · Work order, by the same tip: which account comes 2nd?",
             "Step 3 · Work order, by the same tip: which account comes 3rd?", "Short"]
    shown = shorten_apart(texts, 30)
    assert len(set(shown)) == 3 and shown[0].endswith("2nd?") and shown[1].endswith("3rd?") and "…" in shown[0]
    assert shown[2] == "Short"
    same = shorten_apart(["same long text here", "same long text here"], 8)
    assert same[0] == same[1] and same[0].endswith("…")  # the same text twice may read the same


def test_a_form_gets_one_label_column_wide_enough_and_keeps_each_inputs_room() -> None:
    long_label = "Customer commitment / milestone sought"
    text = w.Text(description=long_label, layout=w.Layout(width="36em"), style={"description_width": "12em"})
    number = w.Text(description="Year", placeholder="blank: not estimated yet (counts as 0)",
                    layout=w.Layout(width="22em"), style={"description_width": "12em"})
    tick = w.Checkbox(description="Advantage (unticked: disadvantage)", indent=True,
                      style={"description_width": "12em"})
    fit_labels([text, number, tick])
    column = float(text.style.description_width.removesuffix("em"))
    assert column >= text_em(long_label) and number.style.description_width == text.style.description_width
    assert float(text.layout.width.removesuffix("em")) - column >= 24  # the input's room as before
    assert float(number.layout.width.removesuffix("em")) - column >= text_em(number.placeholder)  # the hint whole
    assert tick.layout.width == "auto"  # its text runs beside the box, as wide as the form
    before = (text.layout.width, text.style.description_width)
    fit_labels([text, number, tick])
    assert (text.layout.width, text.style.description_width) == before  # relabelling again changes nothing


def test_a_drop_down_is_as_wide_as_its_longest_option() -> None:
    names = ["First Affiliated Hospital of Ronghe Medical University", "Beicen Normal College"]
    box = w.Dropdown(options=names, layout=w.Layout(width="20em"))
    fit_choices(box)
    assert float(box.layout.width.removesuffix("em")) >= text_em(names[0])
    labelled = w.Dropdown(description="My integrated strategy", options=["—", "Bide your time"],
                          layout=w.Layout(width="36em"), style={"description_width": "initial"})
    fit_choices(labelled)
    assert labelled.layout.width == "36em"  # room enough already
