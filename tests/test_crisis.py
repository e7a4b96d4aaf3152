"""kamlib.crisis: the playbook's phases, the plan's problems, attitude moves, the assessment around a crisis."""

from __future__ import annotations

import datetime as dt

import pytest

from kamlib.crisis import (
    PHASES,
    PLAYBOOK_DAYS,
    apply_after,
    assessments_around,
    attitude_moves,
    before_attitude,
    by_recency,
    crisis_status,
    decision_makers_lost,
    move_summary,
    open_steps,
    phase_states,
    plan_problems,
    repair_priority,
    template_steps,
    timeline,
)
from kamlib.i18n import t
from kamlib.model.retention import AffectedPerson, Assessment, Crisis, ResponseStep
from kamlib.model.workbook import KeyPerson

TODAY = dt.date(2026, 3, 20)
D = dt.date


@pytest.fixture
def people() -> list[KeyPerson]:
    return [
        KeyPerson(id="vp", name="Zhou", role="A", attitude="="),
        KeyPerson(id="it", name="Liu", role="D", attitude="+"),
        KeyPerson(id="ops", name="Zheng", role="E", attitude="+"),
        KeyPerson(id="tel", name="Wu", role="U", attitude="+"),
        KeyPerson(id="eng", name="Ma", role="U", attitude="-"),
    ]


def _crisis(**kw) -> Crisis:
    return Crisis(title="Terminals froze", happened_on=D(2026, 3, 2), detected_on=D(2026, 3, 2), severity=3, **kw)


def _step(phase: str, due: dt.date | None = None, done: dt.date | None = None, owner: str = "Wang") -> ResponseStep:
    return ResponseStep(phase=phase, action=f"{phase} step", owner=owner, due_on=due, done_on=done)


# ---- the plan ------------------------------------------------------------------------------------------


def test_status_is_the_first_phase_not_complete() -> None:
    assert crisis_status(_crisis(), TODAY) == "no_plan"
    c = _crisis(steps=[_step("acknowledge", D(2026, 3, 2), D(2026, 3, 2)), _step("contain", D(2026, 3, 4)),
                       _step("fix", D(2026, 3, 10), D(2026, 3, 9))])
    assert crisis_status(c, TODAY) == "contain"
    states = {s.phase: s for s in phase_states(c, TODAY)}
    assert states["contain"].overdue == 1 and states["fix"].complete and not states["repair"].steps
    done = [_step(p, D(2026, 3, 3), D(2026, 3, 3)) for p in PHASES]
    assert crisis_status(_crisis(steps=done), TODAY) == "closed"
    assert [s.phase for s in open_steps(c)] == ["contain"]


def test_template_steps_fill_only_missing_phases_with_guideline_dates() -> None:
    c = _crisis(steps=[_step("acknowledge", D(2026, 3, 2))])
    steps = template_steps(c, "en")
    assert [s.phase for s in steps] == ["contain", "fix", "repair", "prevent"]
    assert [s.due_on for s in steps] == [D(2026, 3, 2) + dt.timedelta(days=PLAYBOOK_DAYS[p][3]) for p in PHASES[1:]]
    assert steps[0].action == t("crisis.template.contain", "en") and steps[0].owner == ""
    low = Crisis(title="Invoice error", happened_on=D(2026, 3, 1), severity=1)
    assert template_steps(low, "zh")[0].due_on == D(2026, 3, 3)  # from the day it happened, low severity
    assert all(s.due_on is None for s in template_steps(Crisis(title="Undated"), "en"))


def test_plan_problems_name_the_step(people: list[KeyPerson]) -> None:
    c = _crisis(steps=[_step("acknowledge", D(2026, 3, 5)), _step("contain", owner=""),
                       _step("fix", D(2026, 3, 1))],
                affected=[AffectedPerson(person_id="gone")])
    keys = [p.key.rsplit(".", 1)[-1] for p in plan_problems(c, people, TODAY)]
    assert keys.count("phase_missing") == 2  # repair, prevent
    assert {"no_owner", "no_due", "overdue", "before_incident", "acknowledge_late", "unknown_person"} <= set(keys)
    texts = [p.render("en") for p in plan_problems(c, people, TODAY)]
    assert any("“contain step”" in x and "no owner" in x for x in texts)
    assert any("3 days after detection" in x and "within 0 days" in x for x in texts)
    clean = _crisis(steps=[_step(p, D(2026, 3, 2) + dt.timedelta(days=PLAYBOOK_DAYS[p][3])) for p in PHASES])
    assert plan_problems(clean, people, D(2026, 3, 2)) == []
    swapped = Crisis(title="x", happened_on=D(2026, 3, 5), detected_on=D(2026, 3, 1))
    assert "detected_before" in [p.key.rsplit(".", 1)[-1] for p in plan_problems(swapped, people, TODAY)]


# ---- the people -----------------------------------------------------------------------------------------


def _affected() -> list[AffectedPerson]:
    moves = [("vp", "=", "-"), ("it", "+", "+"), ("ops", "+", "="), ("tel", "+", "-"), ("eng", "-", "/")]
    return [*(AffectedPerson(person_id=p, before=b, after=a) for p, b, a in moves),
            AffectedPerson(person_id="gone", before="+")]


def test_moves_and_whom_to_win_back_first(people: list[KeyPerson]) -> None:
    c = _crisis(affected=_affected())
    moves = attitude_moves(c, people)
    assert [m.person_id for m in moves] == ["vp", "it", "ops", "tel", "eng"]  # "gone" is no longer on the map
    assert [m.delta for m in moves] == [-1, 0, -1, -2, -1]
    assert move_summary(moves) == {"fell": 4, "rose": 0, "same": 1, "unknown": 0, "decision_makers_fell": 1}
    assert [m.person_id for m in repair_priority(moves)] == ["vp", "tel", "eng", "ops"]
    assert decision_makers_lost(c, people) == ["Zhou"]


def test_a_supporter_who_stays_is_not_a_priority_but_a_neutral_is(people: list[KeyPerson]) -> None:
    c = _crisis(affected=[AffectedPerson(person_id="it", before="+", after="+"),
                          AffectedPerson(person_id="vp", before="=", after="=")])
    assert [m.person_id for m in repair_priority(attitude_moves(c, people))] == ["vp"]
    unknown = attitude_moves(_crisis(affected=[AffectedPerson(person_id="tel", after="-")]), people)
    assert unknown[0].delta is None and move_summary(unknown)["unknown"] == 1


def test_attitudes_after_go_into_the_map(people: list[KeyPerson]) -> None:
    updated, changed = apply_after(people, _crisis(affected=_affected()))
    assert changed == 4  # Liu stays "+", the person no longer on the map is skipped
    assert [p.attitude for p in updated] == ["-", "+", "=", "-", "/"]
    assert [p.attitude for p in people] == ["=", "+", "+", "+", "-"]  # the input is not changed
    assert before_attitude("ops", people) == "+" and before_attitude("nobody", people) is None


def test_a_person_is_listed_once_per_crisis() -> None:
    with pytest.raises(ValueError, match="person_twice"):
        _crisis(affected=[AffectedPerson(person_id="vp"), AffectedPerson(person_id="vp")])


# ---- assessments, timeline, log ------------------------------------------------------------------------------


def test_the_assessment_before_and_the_re_run() -> None:
    c = _crisis()
    old = Assessment(taken_on=D(2026, 1, 5), answers=[True] * 4 + [False] * 4)
    last_before = Assessment(taken_on=D(2026, 3, 2), answers=[True] * 5 + [False] * 3)
    rerun = Assessment(taken_on=D(2026, 5, 1), answers=[True] * 6 + [False] * 2, crisis_id=c.id)
    unrelated = Assessment(taken_on=D(2026, 6, 1), answers=[True] * 8)
    assert assessments_around(c, [rerun, unrelated, old, last_before]) == (last_before, rerun)
    assert assessments_around(c, [old]) == (old, None)
    assert assessments_around(Crisis(title="undated"), [old]) == (None, None)


def test_timeline_in_date_order() -> None:
    c = _crisis(steps=[_step("fix", D(2026, 3, 16), D(2026, 3, 20)), _step("acknowledge", D(2026, 3, 2),
                                                                            D(2026, 3, 2))])
    rerun = Assessment(taken_on=D(2026, 5, 1), answers=[True] * 6 + [False] * 2, crisis_id=c.id)
    events = timeline(c, [rerun, Assessment(taken_on=D(2026, 4, 1), answers=[True] * 8)])
    assert [(e.on.day, e.kind) for e in events] == [(2, "happened"), (2, "detected"), (2, "step_due"),
                                                     (2, "step_done"), (16, "step_due"), (20, "step_done"),
                                                     (1, "assessment")]
    assert events[-1].text == "6/8" and events[2].phase == "acknowledge"


def test_log_most_recent_first() -> None:
    a, b, c = Crisis(title="a", happened_on=D(2025, 1, 1)), Crisis(title="b"), Crisis(title="c",
                                                                                     happened_on=D(2026, 1, 1))
    assert [x.title for x in by_recency([a, b, c])] == ["c", "a", "b"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_five_phase_names_are_distinct(lang: str) -> None:
    """No phase's name repeats another's words ("3 修复" beside "4 修复关系" read as one phase twice); the ids stay
    as saved workbooks have them."""
    assert PHASES == ("acknowledge", "contain", "fix", "repair", "prevent")
    names = [t(f"crisis.phase.{p}", lang) for p in PHASES]
    assert [n.split(" ", 1)[0] for n in names] == ["1", "2", "3", "4", "5"]
    words = [n.split(" ", 1)[1].lower() for n in names]
    if lang == "zh":
        parts = [{w[i:i + 2] for i in range(len(w) - 1)} for w in words]  # two-character words
    else:
        parts = [set(w.split()) - {"the", "a"} for w in words]
    for i, a in enumerate(parts):
        for b in parts[i + 1:]:
            assert not a & b, (words, a & b)
    for p, name in zip(PHASES, words, strict=True):
        assert name in t(f"crisis.status.{p}", lang).lower()  # "at phase 3: …" names it the same way
