"""When two account names are the same account: one comparison for the account editor and the import.

Names are compared after Unicode compatibility folding (NFKC: full-width letters, digits and brackets read
as their half-width forms), case folding (``icbc`` = ``ICBC``), and with spaces trimmed at both ends and runs of spaces
inside taken as one. Anything else (a missing space between two words, a different character) makes a
different name: better two accounts the trainee can merge than one the tool merged wrongly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kamlib.i18n import Text
from kamlib.model.workbook import Account

_SPACES = re.compile(r"\s+")


class Named(Protocol):
    id: str
    name: str


def name_key(name: str) -> str:
    """The form two names are compared in (see the module's docstring)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()


def same_name(accounts: Sequence[Named], name: str, except_id: str | None = None) -> tuple[int, Named] | None:
    """The first account (its position on the list from 1, and the account) whose name is ``name``,
    leaving out the account ``except_id`` (the one being edited); None when there is none."""
    key = name_key(name)
    if not key:
        return None
    return next(((i, a) for i, a in enumerate(accounts, start=1) if a.id != except_id and name_key(a.name) == key),
                None)


def repeated_names(accounts: Iterable[Named]) -> list[list[Named]]:
    """The groups of accounts that share one name (a list from before names were checked, or an edited file),
    in list order; empty when every name is used once."""
    groups: dict[str, list[Named]] = {}
    for account in accounts:
        key = name_key(account.name)
        if key:
            groups.setdefault(key, []).append(account)
    return [group for group in groups.values() if len(group) > 1]


@dataclass
class Merge:
    """What an import did to the list: how many accounts it added and updated, and the rows it left out."""

    added: int = 0
    updated: int = 0
    left_out: list[tuple[int, Text]] = field(default_factory=list)  # (the file's row, why)


def merge_accounts(accounts: list[Account], incoming: Iterable[tuple[int, Account]]) -> Merge:
    """Merge imported accounts (each with its row in the file) into ``accounts``, in place.

    A name not on the list is added; a name on it once gets the file's figures (its id, its name as spelt
    on the list, its history and what the file leaves blank are kept). A name on the list several times
    (a list from before names were checked) updates none of them, and a name the file repeats is taken
    from its first row only: the rows left out say why."""
    result = Merge()
    on_list: dict[str, list[int]] = {}
    for i, account in enumerate(accounts):
        on_list.setdefault(name_key(account.name), []).append(i)
    first_row: dict[str, int] = {}
    for row, account in incoming:
        key = name_key(account.name)
        if key in first_row:
            result.left_out.append((row, Text("account_names.repeated_in_file",
                                              {"name": account.name, "first": first_row[key]})))
            continue
        first_row[key] = row
        found = on_list.get(key, [])
        if len(found) > 1:
            listed = [Text("account_names.listed", {"name": accounts[i].name, "number": i + 1}) for i in found]
            result.left_out.append((row, Text("account_names.several_on_list", {
                "name": account.name, "count": len(found), "accounts": Text.join(listed)})))
        elif found:
            figures = account.model_dump(exclude={"id", "name"}, exclude_defaults=True)  # the list's spelling stays
            accounts[found[0]] = accounts[found[0]].model_copy(update=figures)
            result.updated += 1
        else:
            accounts.append(account)
            on_list[key] = [len(accounts) - 1]
            result.added += 1
    return result

