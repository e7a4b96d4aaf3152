"""Schema migrations: each step takes the raw data of version N to N+1."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Data = dict[str, Any]


def _v1_to_v2(data: Data) -> Data:
    """v1 had one ``plan.key_account``; v2 keeps the picks (``key_accounts``) and the focus."""
    plan = dict(data.get("plan") or {})
    picked = plan.pop("key_account", None)
    plan.setdefault("key_accounts", [picked] if picked else [])
    plan.setdefault("focus_account", picked)
    return {**data, "plan": plan, "schema_version": 2}


def _v2_to_v3(data: Data) -> Data:
    """v3 records whether a pick is Top or Strategic (unknown for v2 picks: the trainee says),
    derives tree levels from the tree instead of storing them, and adds the Share 1 card."""
    plan = dict(data.get("plan") or {})
    plan["key_accounts"] = [{"account_id": a, "kind": None} for a in plan.get("key_accounts") or []]
    tree = dict(plan.get("customer_tree") or {})
    tree["items"] = [{k: v for k, v in u.items() if k != "level"} for u in tree.get("items") or []]
    plan["customer_tree"] = tree
    return {**data, "plan": plan, "schema_version": 3}


def _v3_to_v4(data: Data) -> Data:
    """v4 adds chapter 2's sections and fields; every one has a default, so only the version moves."""
    return {**data, "schema_version": 4}


def _v4_to_v5(data: Data) -> Data:
    """v5 adds chapter 3, bidding, chapter 4 and crisis fields; all have defaults."""
    return {**data, "schema_version": 5}


def _v5_to_v6(data: Data) -> Data:
    """v6 adds the screening guidelines per account, the sharing hide list, the key persons' profile
    questionnaire and the question bank; all have defaults. The version moves so that an older kamlib
    reading a v6 file says "newer version" instead of refusing the new fields one by one."""
    return {**data, "schema_version": 6}


MIGRATIONS: dict[int, Callable[[Data], Data]] = {
    1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4, 4: _v4_to_v5, 5: _v5_to_v6,
}


def migrate(data: Data) -> Data:
    """Bring raw workbook data up to the current schema, one step at a time."""
    from kamlib.model.workbook import SCHEMA_VERSION

    while data["schema_version"] < SCHEMA_VERSION:
        data = MIGRATIONS[data["schema_version"]](data)
    return data
