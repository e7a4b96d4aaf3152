"""The self-check service's log (``checks.jsonl`` in the instructors' folder), read for the class dashboard:
per trainee and exercise how often Check was pressed and how many different answers were tried. Written by
``kamlib.check_service``; one JSON line per item checked, never the answer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

CHECK_LOG = "checks.jsonl"


def read_records(path: Path) -> list[dict[str, Any]]:
    """The well-formed lines of a check log (a damaged line is skipped)."""
    out = []
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                    at = dt.datetime.fromisoformat(record["time"])
                except (ValueError, KeyError, TypeError):
                    continue
                if (isinstance(record, dict) and at.tzinfo is not None
                        and all(isinstance(record.get(k), str) for k in ("user", "exercise", "item", "status"))):
                    out.append({**record, "time": at})
    except FileNotFoundError:
        return []
    return out


@dataclasses.dataclass
class CheckAttempts:
    """One trainee's self-checks of one exercise, as the log has them."""

    user: str
    exercise: str
    checks: int = 0  # times Check was pressed (with at least one answer)
    tries: dict[str, int] = dataclasses.field(default_factory=dict)  # item → different answers checked
    limited: int = 0  # items the rate limit left unchecked
    last_status: dict[str, str] = dataclasses.field(default_factory=dict)  # item → its latest status
    first: dt.datetime | None = None
    last: dt.datetime | None = None

    @property
    def attempts(self) -> int:
        """Different answers checked, all items together."""
        return sum(self.tries.values())

    @property
    def right(self) -> int:
        """Items right at their latest check."""
        return sum(s == "correct" for s in self.last_status.values())


def read_check_log(path: str | os.PathLike[str]) -> dict[tuple[str, str], CheckAttempts]:
    """Per (user, exercise): how often the trainee checked and how many different answers per item, from the
    service's log (a missing log: no checks yet)."""
    out: dict[tuple[str, str], CheckAttempts] = {}
    checks: dict[tuple[str, str], set[str]] = {}
    for r in read_records(Path(path)):
        key = (r["user"], r["exercise"])
        entry = out.setdefault(key, CheckAttempts(*key))
        checks.setdefault(key, set()).add(str(r.get("check", r["time"])))
        if r.get("counted") is True:
            entry.tries[r["item"]] = entry.tries.get(r["item"], 0) + 1
        if r["status"] == "limited":
            entry.limited += 1
        else:
            entry.last_status[r["item"]] = r["status"]
        entry.first = min(entry.first or r["time"], r["time"])
        entry.last = max(entry.last or r["time"], r["time"])
    for key, entry in out.items():
        entry.checks = len(checks[key])
    return out
