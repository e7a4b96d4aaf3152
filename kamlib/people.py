"""Chapter 2.4, the six-step key-person analysis: codes, red flags, leverage routes and two figures.

Pure logic on ``KeyPerson`` rows (no matplotlib; networkx is imported inside ``leverage_routes``).
Our readings where the course is silent:

* **Decision layer** (``in_decision_layer``): a person is in it when the trainee set the flag, or
  when their role is A or D. Approvers and decision-makers decide by definition; the flag adds
  others (e.g. an evaluator the boss always listens to). The flag never removes an A or a D.
* **Red flags** (``red_flags``), each with the people concerned:
  ``dm_unfavourable`` an A/D who is neutral ``=``, non-supporter ``-`` or opponent ``/``;
  ``dm_attitude_unknown`` an A/D whose attitude is not set yet;
  ``dm_no_contact`` an A/D we have never met (contact ``0`` or not set);
  ``no_decision_maker`` people are mapped but nobody has role A or D;
  ``no_influence_lines`` there is a decision layer but no influence line at all yet: the map
  cannot tell whether a supporter reaches it (the deck's worked example is such a map: its text
  names influence lines but not who influences whom), so this says the lines are missing;
  ``no_supporter_influence`` influence lines are drawn, but no supporter (``*``/``+``) has one to
  someone else in the decision layer (a supporter inside the decision layer is a vote, not a route);
  ``single_contact`` exactly one person has a real relationship with us (contact N or F): when
  they leave, the account goes dark. A brief contact (1) is not counted: one meeting is no channel;
  ``no_deep_contact`` nobody has contact N or F.
* **Leverage routes** (``leverage_routes``): along influence lines only by default, because they
  are what the trainee has asserted; ``upward=True`` also lets a person reach their boss along the
  reporting line (a subordinate can brief the boss).
* **Two figures**, kept apart on purpose: ``map_completeness`` (how much of the six steps is filled
  in) and ``position_strength`` (what the filled-in data say about our position). Formulas in
  their docstrings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, get_args

from kamlib.i18n import Lang, Text, t
from kamlib.model.workbook import Attitude, Contact, KeyPerson, Role, Style

ROLES: tuple[Role, ...] = get_args(Role)  # A D E U
STYLES: tuple[Style, ...] = get_args(Style)  # D K A E
ATTITUDES: tuple[Attitude, ...] = get_args(Attitude)  # * + = - /
CONTACTS: tuple[Contact, ...] = get_args(Contact)  # 0 1 N F

DECISION_ROLES: frozenset[str] = frozenset({"A", "D"})
SUPPORT: frozenset[str] = frozenset({"*", "+"})
UNFAVOURABLE: frozenset[str] = frozenset({"=", "-", "/"})
DEEP_CONTACT: frozenset[str] = frozenset({"N", "F"})
MISSING = "?"

Level = Literal["high", "low"]


class StyleAxes(NamedTuple):
    """Where a social style sits on the two axes of the social-style model."""

    assertiveness: Level
    responsiveness: Level


STYLE_AXES: dict[Style, StyleAxes] = {
    "D": StyleAxes("high", "low"),  # Driver
    "E": StyleAxes("high", "high"),  # Expressive
    "K": StyleAxes("low", "high"),  # Amiable
    "A": StyleAxes("low", "low"),  # Analytical
}

# Weights of ``map_completeness``: five per-person steps, then the panorama (step 6).
COMPLETENESS_WEIGHTS: dict[str, float] = {
    "reporting": 0.16, "role": 0.16, "style": 0.16, "attitude": 0.16, "contact": 0.16,
    "influence": 0.10, "groups": 0.10,
}
# Scores of ``position_strength``.
ATTITUDE_SCORE: dict[str, float] = {"*": 1.0, "+": 0.75, "=": 0.25, "-": 0.0, "/": 0.0}
CONTACT_SCORE: dict[str, float] = {"F": 1.0, "N": 2 / 3, "1": 1 / 3, "0": 0.0}
STRENGTH_WEIGHTS: dict[str, float] = {"support": 0.5, "contact": 0.3, "influence": 0.2}


# ---- codes ------------------------------------------------------------------------------------


def person_code(p: KeyPerson) -> str:
    """The course's notation "title role style attitude contact", e.g. "Marketing director E K - 1" ("?" if missing)."""
    codes = (p.role, p.style, p.attitude, p.contact)
    return " ".join([p.title or p.name, *(c or MISSING for c in codes)])


def short_code(p: KeyPerson) -> str:
    """The four codes alone, e.g. "E K - 1"."""
    return " ".join(c or MISSING for c in (p.role, p.style, p.attitude, p.contact))


def is_decision_maker(p: KeyPerson) -> bool:
    """A decision-maker in the course's sense: role A (approver) or D (decision-maker)."""
    return p.role in DECISION_ROLES


def is_supporter(p: KeyPerson) -> bool:
    """Attitude ``*`` (strong supporter) or ``+`` (supporter)."""
    return p.attitude in SUPPORT


def in_decision_layer(p: KeyPerson) -> bool:
    """In the decision layer: the flag is set, or the role is A or D (the flag adds, never removes)."""
    return p.decision_layer or is_decision_maker(p)


def label(p: KeyPerson) -> str:
    """"name / title" (just the name when the title is empty or the same)."""
    return p.name if not p.title or p.title == p.name else f"{p.name} / {p.title}"


# ---- structure ----------------------------------------------------------------------------------


def _names(by_id: dict[str, KeyPerson], ids: Iterable[str]) -> str:
    return " → ".join(f"“{by_id[i].name}”" for i in ids)


def people_by_id(people: Sequence[KeyPerson]) -> dict[str, KeyPerson]:
    """The people by id, in list order; the first one wins when an id is used twice."""
    by_id: dict[str, KeyPerson] = {}
    for p in people:
        by_id.setdefault(p.id, p)
    return by_id


def _reporting_cycles(by_id: dict[str, KeyPerson]) -> list[list[str]]:
    """Every loop of reporting lines once (a person reporting to themselves is a loop of one)."""
    state: dict[str, int] = {}  # 1 on the current walk, 2 done
    cycles: list[list[str]] = []
    for start in by_id:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in by_id and node not in state:
            state[node] = 1
            path.append(node)
            node = by_id[node].reports_to
        if node is not None and state.get(node) == 1:
            cycles.append(path[path.index(node):])
        for n in path:
            state[n] = 2
    return cycles


def reporting_problems(people: Sequence[KeyPerson]) -> list[Text]:
    """What keeps the map from being read: ids used twice, unknown bosses, reporting loops, bad influence lines."""
    by_id = people_by_id(people)
    problems: list[Text] = []
    seen: dict[str, list[KeyPerson]] = {}
    for p in people:
        seen.setdefault(p.id, []).append(p)
    for pid, same in seen.items():
        if len(same) > 1:
            names = ", ".join(f"“{p.name}”" for p in same)
            problems.append(Text("people.problem.duplicate_id", {"id": pid, "names": names}))
    for p in by_id.values():
        if p.reports_to is not None and p.reports_to not in by_id:
            problems.append(Text("people.problem.unknown_boss", {"name": p.name, "ref": p.reports_to}))
    for cycle in _reporting_cycles(by_id):
        if len(cycle) == 1:
            problems.append(Text("people.problem.own_boss", {"name": by_id[cycle[0]].name}))
        else:
            problems.append(Text("people.problem.cycle", {"names": _names(by_id, [*cycle, cycle[0]])}))
    for p in by_id.values():
        for ref in p.influences:
            if ref == p.id:
                problems.append(Text("people.problem.influence_self", {"name": p.name}))
            elif ref not in by_id:
                problems.append(Text("people.problem.influence_unknown", {"name": p.name, "ref": ref}))
    return problems


def influence_edges(people: Sequence[KeyPerson]) -> list[tuple[str, str]]:
    """The usable influence lines (from, to): both people known, not to oneself, each once."""
    by_id = people_by_id(people)
    out: dict[tuple[str, str], None] = {}
    for p in by_id.values():
        for ref in p.influences:
            if ref != p.id and ref in by_id:
                out[(p.id, ref)] = None
    return list(out)


def panorama_layout(people: Sequence[KeyPerson]) -> dict[str, tuple[float, int]]:
    """Top-down positions ``(x, level)`` for the panorama, level 1 on top; tolerant of bad data.

    Leaves get slots 0, 1, 2, … in list order, a boss sits centred over their first and last
    report. People whose boss is unknown start a tree of their own; a reporting loop is cut
    before its first member in list order, which then starts a tree.
    """
    by_id = people_by_id(people)
    children: dict[str, list[str]] = {}
    roots: list[str] = []
    for p in by_id.values():
        if p.reports_to is None or p.reports_to not in by_id or p.reports_to == p.id:
            roots.append(p.id)
        else:
            children.setdefault(p.reports_to, []).append(p.id)
    pos: dict[str, tuple[float, int]] = {}
    next_x = 0.0

    def place(root: str) -> None:
        nonlocal next_x
        stack: list[tuple[str, int, bool]] = [(root, 1, False)]
        while stack:
            node, level, done = stack.pop()
            kids = [k for k in children.get(node, []) if k not in pos and k != root]
            if done:
                placed = [k for k in children.get(node, []) if k in pos and pos[k][1] == level + 1]
                xs = [pos[k][0] for k in placed]
                pos[node] = ((xs[0] + xs[-1]) / 2, level) if xs else (next_x, level)
                if not xs:
                    next_x += 1.0
            elif not kids:
                pos[node] = (next_x, level)
                next_x += 1.0
            else:
                pos.setdefault(node, (0.0, level))  # reserved: a loop back to it stops here
                stack.append((node, level, True))
                stack.extend((kid, level + 1, False) for kid in reversed(kids))

    for root in roots:
        place(root)
    for pid in by_id:  # members of reporting loops not reached from any root
        if pid not in pos:
            place(pid)
    return pos


def reporting_edges(people: Sequence[KeyPerson], pos: dict[str, tuple[float, int]]) -> list[tuple[str, str]]:
    """The reporting lines (boss, report) drawn in ``pos``: both placed, the report one level lower."""
    by_id = people_by_id(people)
    return [
        (p.reports_to, p.id) for p in by_id.values()
        if p.reports_to in pos and p.id in pos and pos[p.id][1] == pos[p.reports_to][1] + 1
    ]


# ---- red flags ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedFlag:
    """A warning on the map: what kind, whom it concerns, and the explanation."""

    kind: str
    person_ids: tuple[str, ...]
    text: Text


def _supporter_links(people: Sequence[KeyPerson]) -> list[tuple[str, str]]:
    """Influence lines from a supporter to someone else in the decision layer."""
    by_id = people_by_id(people)
    return [(a, b) for a, b in influence_edges(people) if is_supporter(by_id[a]) and in_decision_layer(by_id[b])]


def red_flags(people: Sequence[KeyPerson]) -> list[RedFlag]:
    """The warnings of the map (kinds and rules in the module docstring), per person first, then overall."""
    by_id = people_by_id(people)
    flags: list[RedFlag] = []
    for p in by_id.values():
        if not is_decision_maker(p):
            continue
        params = {"name": p.name, "code": short_code(p)}
        if p.attitude in UNFAVOURABLE:
            kind = "dm_unfavourable"
            flags.append(RedFlag(kind, (p.id,), Text(f"people.flag.{kind}", {
                **params, "attitude": Text(f"people.attitude.{p.attitude}")})))
        elif p.attitude is None:
            flags.append(RedFlag("dm_attitude_unknown", (p.id,), Text("people.flag.dm_attitude_unknown", params)))
        if p.contact in (None, "0"):
            flags.append(RedFlag("dm_no_contact", (p.id,), Text("people.flag.dm_no_contact", params)))
    if not by_id:
        return flags
    if not any(is_decision_maker(p) for p in by_id.values()):
        flags.append(RedFlag("no_decision_maker", (), Text("people.flag.no_decision_maker")))
    if any(in_decision_layer(p) for p in by_id.values()):
        if not influence_edges(people):
            flags.append(RedFlag("no_influence_lines", (), Text("people.flag.no_influence_lines")))
        elif not _supporter_links(people):
            supporters = tuple(p.id for p in by_id.values() if is_supporter(p))
            flags.append(RedFlag("no_supporter_influence", supporters, Text("people.flag.no_supporter_influence")))
    deep = [p for p in by_id.values() if p.contact in DEEP_CONTACT]
    if len(deep) == 1:
        flags.append(RedFlag("single_contact", (deep[0].id,), Text("people.flag.single_contact", {
            "name": deep[0].name})))
    elif not deep:
        flags.append(RedFlag("no_deep_contact", (), Text("people.flag.no_deep_contact")))
    return flags


# ---- routes -------------------------------------------------------------------------------------


def unfavourable_decision_makers(people: Sequence[KeyPerson]) -> list[KeyPerson]:
    """The A/D people who are neutral, against us, or whose attitude is not set yet."""
    return [p for p in people_by_id(people).values() if is_decision_maker(p) and p.attitude not in SUPPORT]


def leverage_routes(
    people: Sequence[KeyPerson], max_routes: int = 3, *, upward: bool = False,
    targets: Sequence[str] | None = None,
) -> dict[str, list[list[str]]]:
    """For each unfavourable decision-maker (by id): up to ``max_routes`` paths of ids from a supporter to them.

    One shortest path per supporter (``*``/``+``, not the target), along influence lines; with
    ``upward`` also from a person to their boss. Shortest first, then ``*`` before ``+``, then list
    order. A decision-maker no supporter can reach gets an empty list. ``targets`` (ids) replaces
    the unfavourable decision-makers, e.g. everyone of a campaign plan.
    """
    import networkx as nx

    by_id = people_by_id(people)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(by_id)
    graph.add_edges_from(influence_edges(people))
    if upward:
        graph.add_edges_from((p.id, p.reports_to) for p in by_id.values()
                             if p.reports_to in by_id and p.reports_to != p.id)
    if targets is None:
        targets = [p.id for p in unfavourable_decision_makers(people)]
    targets = [t_ for t_ in targets if t_ in by_id]
    supporters = [p for p in by_id.values() if is_supporter(p)]
    found: dict[str, list[tuple[int, int, int, list[str]]]] = {t_: [] for t_ in targets}
    for order, s in enumerate(supporters):
        paths = nx.single_source_shortest_path(graph, s.id)
        for target in targets:
            if target != s.id and target in paths:
                found[target].append((len(paths[target]), 0 if s.attitude == "*" else 1, order, paths[target]))
    return {target: [path for *_, path in sorted(routes, key=lambda r: r[:3])[:max_routes]]
            for target, routes in found.items()}


# ---- the two figures ------------------------------------------------------------------------------


def completeness_parts(people: Sequence[KeyPerson]) -> dict[str, float]:
    """Each part of ``map_completeness``, 0–1, keyed as ``COMPLETENESS_WEIGHTS``."""
    by_id = people_by_id(people)
    ps = list(by_id.values())
    n = len(ps)
    if not n:
        return dict.fromkeys(COMPLETENESS_WEIGHTS, 0.0)
    linked = sum(1 for p in ps if p.reports_to in by_id and p.reports_to != p.id)
    return {
        "reporting": 1.0 if n == 1 else min(1.0, linked / (n - 1)),
        "role": sum(p.role is not None for p in ps) / n,
        "style": sum(p.style is not None for p in ps) / n,
        "attitude": sum(p.attitude is not None for p in ps) / n,
        "contact": sum(p.contact is not None for p in ps) / n,
        "influence": 1.0 if influence_edges(ps) else 0.0,
        "groups": 1.0 if any(p.inner_circle or p.decision_layer for p in ps) else 0.0,
    }


def map_completeness(people: Sequence[KeyPerson]) -> float:
    """How much of the six steps is filled in, 0–1 (says nothing about how well we stand).

    Weighted sum (``COMPLETENESS_WEIGHTS``): 0.16 each for reporting lines (people with a known
    boss out of n − 1, a map has one top), role, style, attitude and contact (share of people
    coded); 0.10 for at least one influence line; 0.10 for an inner circle or decision layer
    marked by flag. An empty map is 0.
    """
    parts = completeness_parts(people)
    return round(sum(COMPLETENESS_WEIGHTS[k] * v for k, v in parts.items()), 6)


def strength_parts(people: Sequence[KeyPerson]) -> dict[str, float]:
    """Each part of ``position_strength``, 0–1, keyed as ``STRENGTH_WEIGHTS``."""
    layer = [p for p in people_by_id(people).values() if in_decision_layer(p)]
    if not layer:
        return dict.fromkeys(STRENGTH_WEIGHTS, 0.0)
    reached = {b for _, b in _supporter_links(people)}
    n = len(layer)
    return {
        "support": sum(ATTITUDE_SCORE.get(p.attitude or "", 0.0) for p in layer) / n,
        "contact": sum(CONTACT_SCORE.get(p.contact or "", 0.0) for p in layer) / n,
        "influence": sum(p.id in reached for p in layer) / n,
    }


def position_strength(people: Sequence[KeyPerson]) -> float:
    """How well we stand according to the data, 0–1 (unknown counts as nothing, not as neutral).

    Over the decision layer (``in_decision_layer``): 0.5 × mean attitude score (``*`` 1, ``+``
    0.75, ``=`` 0.25, ``-``/``/``/unset 0) + 0.3 × mean contact depth (F 1, N ⅔, 1 ⅓, 0/unset 0)
    + 0.2 × share of decision-layer people a supporter has an influence line to. No decision
    layer: 0.
    """
    parts = strength_parts(people)
    return round(sum(STRENGTH_WEIGHTS[k] * v for k, v in parts.items()), 6)


def attitude_power_matrix(people: Sequence[KeyPerson]) -> dict[tuple[Role, Attitude], list[str]]:
    """Ids per (role, attitude) cell, every cell present, list order; people missing either code are left out."""
    out: dict[tuple[Role, Attitude], list[str]] = {(r, a): [] for r in ROLES for a in ATTITUDES}
    for p in people_by_id(people).values():
        if p.role is not None and p.attitude is not None:
            out[(p.role, p.attitude)].append(p.id)
    return out


def unplaced(people: Sequence[KeyPerson]) -> list[str]:
    """Ids of the people the matrix cannot place (role or attitude not set)."""
    return [p.id for p in people_by_id(people).values() if p.role is None or p.attitude is None]


# ---- the deck's worked example ----------------------------------------------------------------------

# id, boss, department, role, style, attitude, contact (COURSE.md 2.4)
_DECK: tuple[tuple[str, str | None, str | None, Role | None, Style | None, Attitude | None, Contact | None], ...] = (
    ("svp", None, None, "A", "D", "=", "0"),
    ("mkt_dir", "svp", "marketing", "E", "K", "-", "1"),
    ("prod_dir", "svp", "production", None, None, None, None),
    ("is_dir", "svp", "is", "D", "A", "+", "0"),
    ("sales_mgr", "mkt_dir", "marketing", "U", "K", "=", "1"),
    ("mkt_mgr", "mkt_dir", "marketing", "U", "A", "-", "0"),
    ("prod_mgr", "prod_dir", "production", None, None, None, None),
    ("rnd_mgr", "prod_dir", "production", None, None, None, None),
    ("sys_mgr", "is_dir", "is", "U", "E", "*", "N"),
    ("ops_mgr", "is_dir", "is", "E", "A", "+", "F"),
)
KEY_DEPARTMENTS = frozenset({"marketing", "is"})
# The workbook's own illustration, not the deck's: the deck's panorama names an inner circle, a decision layer
# and influence lines, but its text does not say who is in them or who influences whom.
_ILLUSTRATION_INFLUENCE: dict[str, list[str]] = {"ops_mgr": ["is_dir"], "sys_mgr": ["ops_mgr"], "is_dir": ["svp"]}
_ILLUSTRATION_INNER = frozenset({"svp", "is_dir"})


def deck_example(lang: Lang, *, illustrate: bool = False) -> list[KeyPerson]:
    """The deck's worked example (COURSE.md 2.4): 10 people, titles in ``lang``, codes as in the table.

    Marketing and IS are key departments, production is not; the three production people have
    no codes. ``illustrate=True`` adds the *workbook's illustration* (not the deck's): influence
    lines operations manager → IS director → senior VP and system manager → operations manager,
    and an inner circle of the senior VP and the IS director.
    """
    out: list[KeyPerson] = []
    for pid, boss, dept, role, style, attitude, contact in _DECK:
        title = t(f"people.deck.{pid}", lang)
        out.append(KeyPerson(
            id=pid, name=title, title=title, department=t(f"people.dept.{dept}", lang) if dept else "",
            reports_to=boss, role=role, style=style, attitude=attitude, contact=contact,
            key_department=dept in KEY_DEPARTMENTS,
            inner_circle=illustrate and pid in _ILLUSTRATION_INNER,
            influences=list(_ILLUSTRATION_INFLUENCE.get(pid, [])) if illustrate else [],
        ))
    return out
