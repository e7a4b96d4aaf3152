"""Chapter 1.2, the customer tree: units, DMUs (decision units) and Users (using units) by level.

A unit's level is its depth: the root is Lv1, its children Lv2, and so on. The rules checked by
``tree_problems`` (the course's words in quotes, our reading where the deck is silent):

* The tree is a tree: every parent id is a unit of the list, no unit is its own parent, no
  cycle, no id used twice. These *structural* problems make levels undefined, so ``build_tree``
  and ``layout`` refuse such a list; ``levels`` and ``dmu_bp`` leave the units concerned out.
* "A User is a using unit at or below a DMU": every User has a DMU among its ancestors.
* A DMU may sit below another DMU: in the deck's example the Anhui branch (Lv2) and the city
  branches (Lv3) can each hold purchasing authority. A DMU may not sit below a User: a using
  unit has no purchasing authority over a decision unit.
* "An account on the list must hold purchasing decision authority": every tree (every Lv1 root)
  holds at least one DMU.
* Units and DMUs go down to Lv3 (the deck's example: head office, province branch, city
  branch); only Users may sit deeper (e.g. the credit department of a city branch at Lv4).

Each unit's ``bp_wan`` is what that unit buys itself, not a total of the units below it;
``dmu_bp`` adds them up per DMU.

networkx is imported inside ``build_tree`` only, so importing this module stays light.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kamlib.errors import InputError
from kamlib.i18n import Text
from kamlib.model.workbook import TreeUnit

if TYPE_CHECKING:
    import networkx as nx

MAX_UNIT_LEVEL = 3  # deepest level of a unit or a DMU; Users may sit deeper
ROOT_GAP = 0.6  # extra horizontal space between two trees in ``layout``, in leaf slots


# ---- structure --------------------------------------------------------------------------------


@dataclass
class _Structure:
    """The list read as a forest: who is where, and what is broken."""

    by_id: dict[str, TreeUnit] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)  # units whose chain reaches a root; root = 0
    children: dict[str, list[str]] = field(default_factory=dict)  # list order, reachable units only
    roots: list[str] = field(default_factory=list)
    duplicates: dict[str, list[TreeUnit]] = field(default_factory=dict)
    own_parent: list[str] = field(default_factory=list)
    unknown_parent: list[str] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)

    def reachable(self) -> list[str]:
        """The ids whose chain reaches a root, in list order."""
        return [unit_id for unit_id in self.by_id if unit_id in self.depth]


def _structure(units: list[TreeUnit]) -> _Structure:
    """Index the units and walk every parent chain once (no recursion, any depth)."""
    s = _Structure()
    for unit in units:
        if unit.id in s.by_id:
            s.duplicates.setdefault(unit.id, [s.by_id[unit.id]]).append(unit)
        else:
            s.by_id[unit.id] = unit
    dead: set[str] = set()  # units whose chain ends at a missing parent or in a cycle
    for start in s.by_id:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        base: int | None = None  # depth of the node the walk stopped at, when known
        while node is not None:
            if node in s.depth:
                base = s.depth[node]
                break
            if node in dead:
                break
            if node in on_path:  # back on the path: a cycle
                cycle = path[on_path[node]:]
                if len(cycle) == 1:
                    s.own_parent.append(node)
                else:
                    s.cycles.append(cycle)
                break
            unit = s.by_id[node]
            on_path[node] = len(path)
            path.append(node)
            parent = unit.parent_id
            if parent is None:
                base = -1
                break
            if parent not in s.by_id:
                s.unknown_parent.append(node)
                break
            node = parent
        if base is None:
            dead.update(path)
            continue
        # the walk reached a root or a unit of known depth: the path gets depths top-down
        for offset, unit_id in enumerate(reversed(path), start=1):
            s.depth[unit_id] = base + offset
    for unit_id, unit in s.by_id.items():
        if unit_id not in s.depth:
            continue
        if unit.parent_id is None:
            s.roots.append(unit_id)
        else:
            s.children.setdefault(unit.parent_id, []).append(unit_id)
    return s


def _descendants(s: _Structure, unit_id: str) -> Iterator[str]:
    """Every unit below ``unit_id``, depth first, in list order."""
    stack = list(reversed(s.children.get(unit_id, [])))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(s.children.get(node, [])))


def _ancestors(s: _Structure, unit_id: str) -> Iterator[TreeUnit]:
    """The units above ``unit_id``, nearest first (reachable units only)."""
    parent = s.by_id[unit_id].parent_id
    while parent is not None:
        unit = s.by_id[parent]
        yield unit
        parent = unit.parent_id


def tree_order(units: list[TreeUnit], root_ids: list[str] | None = None) -> list[TreeUnit]:
    """The reachable units top-down as the chart reads them: each root, then its subtree (depth first).

    With ``root_ids``, only the subtrees of those units (in the order given).
    """
    s = _structure(units)
    out: list[TreeUnit] = []
    for root in s.roots if root_ids is None else [r for r in root_ids if r in s.depth]:
        out.append(s.by_id[root])
        out += [s.by_id[u] for u in _descendants(s, root)]
    return out


def roots(units: list[TreeUnit]) -> list[TreeUnit]:
    """The Lv1 units (no parent), in list order."""
    s = _structure(units)
    return [s.by_id[r] for r in s.roots]


# ---- problems ---------------------------------------------------------------------------------


def _names(s: _Structure, ids: list[str]) -> str:
    return " → ".join(f"“{s.by_id[i].name}”" for i in ids)


def _structure_problems(s: _Structure) -> list[Text]:
    problems: list[Text] = []
    for unit_id, same in s.duplicates.items():
        names = ", ".join(f"“{u.name}”" for u in same)
        problems.append(Text("tree.problem.duplicate_id", {"id": unit_id, "names": names}))
    for unit_id in s.own_parent:
        problems.append(Text("tree.problem.own_parent", {"name": s.by_id[unit_id].name}))
    for unit_id in s.unknown_parent:
        unit = s.by_id[unit_id]
        problems.append(Text("tree.problem.unknown_parent", {"name": unit.name, "parent": unit.parent_id}))
    for cycle in s.cycles:
        problems.append(Text("tree.problem.cycle", {"names": _names(s, [*cycle, cycle[0]])}))
    return problems


def _rule_problems(s: _Structure) -> list[Text]:
    problems: list[Text] = []
    for unit_id in s.reachable():
        unit, depth = s.by_id[unit_id], s.depth[unit_id]
        above = list(_ancestors(s, unit_id))
        if unit.kind == "user" and not any(a.kind == "dmu" for a in above):
            problems.append(Text("tree.problem.user_without_dmu", {"name": unit.name}))
        if unit.kind == "dmu":
            user = next((a for a in above if a.kind == "user"), None)
            if user is not None:
                problems.append(Text("tree.problem.dmu_under_user", {"name": unit.name, "user": user.name}))
        if unit.kind != "user" and depth + 1 > MAX_UNIT_LEVEL:
            kind = Text(f"tree.kind.{unit.kind}")
            problems.append(Text("tree.problem.too_deep", {"name": unit.name, "level": depth + 1, "kind": kind}))
    for root in s.roots:
        if s.by_id[root].kind != "dmu" and not any(s.by_id[u].kind == "dmu" for u in _descendants(s, root)):
            problems.append(Text("tree.problem.no_dmu", {"name": s.by_id[root].name}))
    return problems


def tree_problems(units: list[TreeUnit]) -> list[Text]:
    """Every problem of the tree, each naming the units concerned; structural problems first.

    Rules are checked only for units whose parent chain reaches a root: below a missing parent or
    a cycle, levels and ancestors are unknown (the structural problem explains those units).
    """
    s = _structure(units)
    return _structure_problems(s) + _rule_problems(s)


def structure_problems(units: list[TreeUnit]) -> list[Text]:
    """Only the problems that keep the list from being a tree (missing parent, cycle, own parent, id twice)."""
    return _structure_problems(_structure(units))


def check_tree(units: list[TreeUnit]) -> None:
    """Raise ``InputError("tree.invalid")`` with one detail per problem, if there is any."""
    problems = tree_problems(units)
    if problems:
        raise InputError("tree.invalid", details=problems)


def _check_structure(s: _Structure) -> None:
    problems = _structure_problems(s)
    if problems:
        raise InputError("tree.invalid", details=problems)


# ---- levels, graph, layout --------------------------------------------------------------------


def levels(units: list[TreeUnit]) -> dict[str, int]:
    """Level of every unit by id (root = 1); units below a missing parent or in a cycle are left out."""
    s = _structure(units)
    return {unit_id: s.depth[unit_id] + 1 for unit_id in s.reachable()}


def build_tree(units: list[TreeUnit]) -> nx.DiGraph:
    """The tree as a directed graph, edges parent → child.

    Nodes are unit ids with the attributes ``name``, ``kind``, ``bp_wan``, ``parent_id`` and
    ``level`` (depth + 1). Course-rule problems (a User without a DMU, …) are drawn as they are;
    structural problems (missing parent, cycle, duplicate id) raise ``InputError("tree.invalid")``.
    """
    import networkx as nx

    s = _structure(units)
    _check_structure(s)
    graph: nx.DiGraph[str] = nx.DiGraph()
    for unit_id, unit in s.by_id.items():
        graph.add_node(
            unit_id,
            name=unit.name,
            kind=unit.kind,
            bp_wan=unit.bp_wan,
            parent_id=unit.parent_id,
            level=s.depth[unit_id] + 1,
        )
    for unit_id, unit in s.by_id.items():
        if unit.parent_id is not None:
            graph.add_edge(unit.parent_id, unit_id)
    return graph


def layout(units: list[TreeUnit]) -> dict[str, tuple[float, int]]:
    """Top-down positions ``(x, level)`` of every unit, for drawing.

    Leaves get evenly spaced slots (x = 0, 1, 2, … in tree order), a parent sits centred over its
    first and last child, and several roots stand side by side with a gap of ``ROOT_GAP`` slots.
    Structural problems raise ``InputError("tree.invalid")``.
    """
    s = _structure(units)
    _check_structure(s)
    pos: dict[str, tuple[float, int]] = {}
    next_x = 0.0
    for n, root in enumerate(s.roots):
        if n:
            next_x += ROOT_GAP
        # post-order without recursion: children are placed before their parent
        stack: list[tuple[str, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            kids = s.children.get(node, [])
            level = s.depth[node] + 1
            if not kids:
                pos[node] = (next_x, level)
                next_x += 1.0
            elif done:
                pos[node] = ((pos[kids[0]][0] + pos[kids[-1]][0]) / 2, level)
            else:
                stack.append((node, True))
                stack.extend((kid, False) for kid in reversed(kids))
    return pos


# ---- buying power ---------------------------------------------------------------------------


def dmu_members(units: list[TreeUnit]) -> dict[str, list[str]]:
    """For every DMU (by id): the ids its BP is rolled up from — itself and every unit or User below
    it, except a DMU further down and everything below that one (that DMU counts its own)."""
    s = _structure(units)
    out: dict[str, list[str]] = {}
    for unit_id in s.reachable():
        if s.by_id[unit_id].kind != "dmu":
            continue
        members = [unit_id]
        stack = list(reversed(s.children.get(unit_id, [])))
        while stack:
            node = stack.pop()
            if s.by_id[node].kind == "dmu":
                continue
            members.append(node)
            stack.extend(reversed(s.children.get(node, [])))
        out[unit_id] = members
    return out


def dmu_bp(units: list[TreeUnit]) -> dict[str, float]:
    """BP (wan yuan, 10,000 RMB) rolled up per DMU, by id, without double counting.

    A DMU's BP is its own ``bp_wan`` when given plus the ``bp_wan`` of every unit and User below it
    that is not inside another DMU further down (``dmu_members``): a nested DMU's purchases count
    for the nested DMU only. Each unit's ``bp_wan`` is what that unit buys itself. A DMU with no BP
    given anywhere in its roll-up is left out (unknown, not 0); BP of units outside every DMU is
    not counted for any DMU.
    """
    by_id: dict[str, TreeUnit] = {}
    for unit in units:
        by_id.setdefault(unit.id, unit)
    out: dict[str, float] = {}
    for dmu_id, members in dmu_members(units).items():
        given = [bp for bp in (by_id[m].bp_wan for m in members) if bp is not None]
        if given:
            out[dmu_id] = math.fsum(given)
    return out


def format_wan(value: float) -> str:
    """A BP figure in wan yuan as the workbook writes it: ``1,200`` or ``1,200.5``."""
    rounded = round(value, 1)
    return f"{rounded:,.0f}" if rounded == int(rounded) else f"{rounded:,.1f}"
