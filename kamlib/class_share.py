"""Share 1 in class: a trainee's card shared with the class, and the class's cards read back.

A trainee shares the chapter 1 card (``kamlib.share_card``), anonymised unless they untick it. What goes is a
``SharedCard``: the card's texts as ``card_content`` renders them (never its review of what was replaced,
which lists the original names) and the facts the dashboard pools: the account's RADP box and level, and
whether it is one of the trainee's Top or Strategic accounts. It is written as ``share1-<UTC>.json`` (0640,
whatever the umask) into the trainee's submissions folder ``<submissions>/<trainee-id>/``: on the hub the
exchange's ``inbound/<user>/``, which instructors read and other trainees cannot; without a hub the local
submissions folder, which the instructor collects like the submissions. Sharing again replaces the card
(the trainee's older share files are removed; when reading, the newest wins).

``read_class_cards`` reads the newest share file of each trainee folder. The trainee is the folder (on the
hub also the file's owner), never what the file claims. A file that is a link, not a regular file, too
large, not JSON or not a card becomes one ``NotShown`` line and the rest is read; the file itself is never
trusted further than the model's limits (texts are escaped where they are shown).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import AwareDatetime, Field, StringConstraints, ValidationError, field_validator

from kamlib import paths
from kamlib.atomic import write_atomic
from kamlib.customer_tree import levels, tree_order
from kamlib.errors import InputError
from kamlib.exchange import FILE_MODE, owner_name, owners_checked, received_time
from kamlib.i18n import Lang, Text, t
from kamlib.intake import is_safe_name
from kamlib.model.base import Model, now
from kamlib.model.validation import describe
from kamlib.model.workbook import AccountPlan, PickKind
from kamlib.regular_file import FileTooLarge, NotRegularFile, read_regular
from kamlib.safe_text import printable
from kamlib.screening import BOXES, account_mode, radp_box, radp_level
from kamlib.settings import CourseSettings, load_settings
from kamlib.share_card import card_account, card_content

SHARE_PREFIX = "share1-"
SHARE_SCHEMA: Final = 1
SHARE_MODE = FILE_MODE  # 0640: the trainee and the instructors' group (the folder's group on the hub) read it
MAX_SHARE_BYTES = 200_000  # a card is a few kB; anything larger is not one
MAX_UNITS = 40  # tree units carried on the shared card (the rest counted)
MAX_LEVEL = 30

CardText = Annotated[str, StringConstraints(max_length=1000)]
LineText = Annotated[str, StringConstraints(max_length=300)]


class SharedUnit(Model):
    """A unit of the card's customer tree, as an indented line: its name (a code when anonymised), kind, level."""

    name: LineText
    kind: Literal["unit", "dmu", "user"] = "unit"
    level: int = Field(default=1, ge=1, le=MAX_LEVEL)


class SharedCard(Model):
    """What a trainee shares with the class: the card's texts in the trainee's language and the pooled facts."""

    schema_version: Literal[1] = SHARE_SCHEMA
    trainee_id: LineText = ""  # the sender's claim: kept for the record, never shown (the folder is)
    shared_at: AwareDatetime = Field(default_factory=now)
    lang: Lang = "zh"
    anonymised: bool = True
    account: CardText = ""
    account_chosen: bool = False
    industry: CardText = ""
    goal: CardText = ""
    problem: CardText = ""
    organisation: CardText = ""
    people: list[LineText] = Field(default_factory=list, max_length=20)
    people_hidden: int = Field(default=0, ge=0, le=100_000)
    units: list[SharedUnit] = Field(default_factory=list, max_length=MAX_UNITS)
    units_hidden: int = Field(default=0, ge=0, le=100_000)
    tree_problems: list[LineText] = Field(default_factory=list, max_length=20)
    radp_box: str | None = None
    radp_level: int | None = Field(default=None, ge=0, le=3)
    key_account: PickKind | None = None
    mode: Literal["R", "T"] | None = None

    @field_validator("radp_box")
    @classmethod
    def _known_box(cls, value: str | None) -> str | None:
        if value is not None and value not in BOXES:
            raise ValueError(f"not a RADP box: {value[:10]}")
        return value


# ---- sharing ------------------------------------------------------------------------------------


def shared_card(plan: AccountPlan, lang: Lang, trainee_id: str, anonymise: bool = True,
                settings: CourseSettings | None = None) -> SharedCard:
    """The card a trainee would share now: ``card_content`` (anonymised unless ``anonymise`` is False) and the
    account's RADP box and level with the settings in force, and its Top or Strategic pick."""
    card = card_content(plan, lang, anonymise=anonymise)
    account = card_account(plan)
    box = level = mode = pick = None
    if account is not None:
        radp = (settings or load_settings()).radp
        if account.bp_wan is not None:
            level = radp_level(account.bp_wan, radp)
            if account.sow_pct is not None:
                box = radp_box(account.sow_pct, account.bp_wan, radp)
        mode = account_mode(account.segment)
        pick = next((p.kind for p in plan.key_accounts if p.account_id == account.id), None)
    depth = levels(list(card.units))
    ordered = [u for u in tree_order(list(card.units)) if u.id in depth]
    units = [SharedUnit(name=u.name[:300], kind=u.kind, level=min(depth[u.id], MAX_LEVEL))
             for u in ordered[:MAX_UNITS]]
    return SharedCard(
        trainee_id=trainee_id, lang=card.lang, anonymised=card.anonymised, account=card.account,
        account_chosen=card.account_chosen, industry=card.industry.text, goal=card.goal.text,
        problem=card.problem.text, organisation=card.organisation.text, people=[p[:300] for p in card.people],
        people_hidden=card.people_hidden, units=units, units_hidden=max(len(ordered) - MAX_UNITS, 0),
        tree_problems=[p[:300] for p in card.tree_problems[:20]], radp_box=box, radp_level=level,
        key_account=pick, mode=mode)


def share_name(at: dt.datetime) -> str:
    """File name of a shared card: ``share1-`` and the UTC time to the microsecond, no colons."""
    return f"{SHARE_PREFIX}{at.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}.json"


def is_share_file(name: str) -> bool:
    """Whether a file name is a shared card's (``share1-….json``; not a submission)."""
    return name.startswith(SHARE_PREFIX) and name.endswith(".json")


def share_folder(trainee_id: str, folder: str | os.PathLike[str] | None = None) -> Path:
    """The trainee's folder under the submissions folder (``folder`` or ``paths.submissions_dir()``)."""
    if not is_safe_name(trainee_id):
        raise InputError("class_share.bad_id", id=printable(trainee_id)[:80])
    base = Path(folder) if folder is not None else paths.submissions_dir()
    return base / trainee_id


def _own_files(target: Path) -> list[Path]:
    try:
        return sorted(p for p in target.iterdir() if is_share_file(p.name))
    except OSError:
        return []


def write_shared_card(card: SharedCard, folder: str | os.PathLike[str] | None = None) -> Path:
    """Write the card as a new ``share1-<UTC>.json`` (mode 0640) in the trainee's folder, then remove the
    trainee's older share files (sharing again replaces). Returns the new file."""
    target = share_folder(card.trainee_id, folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
        at = dt.datetime.now(dt.UTC)
        while (target / share_name(at)).exists():
            at += dt.timedelta(microseconds=1)
        path = target / share_name(at)
        data = card.model_copy(update={"shared_at": at}).model_dump_json(indent=2) + "\n"
        write_atomic(path, data.encode("utf-8"), mode=SHARE_MODE)
    except OSError as exc:
        raise InputError("class_share.cannot_write", folder=str(target),
                         detail=exc.strerror or type(exc).__name__) from exc
    for old in _own_files(target):
        if old != path:
            with contextlib.suppress(OSError):  # an older card left behind is harmless: the newest wins
                old.unlink()
    return path


def withdraw_shared(trainee_id: str, folder: str | os.PathLike[str] | None = None) -> int:
    """Remove the trainee's shared cards; returns how many files were removed."""
    removed = 0
    for path in _own_files(share_folder(trainee_id, folder)):
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise InputError("class_share.cannot_remove", file=str(path),
                             detail=exc.strerror or type(exc).__name__) from exc
    return removed


def own_shared(trainee_id: str, folder: str | os.PathLike[str] | None = None) -> Path | None:
    """The trainee's card as shared now (their newest share file), or None."""
    files = _own_files(share_folder(trainee_id, folder))
    return max(files, key=_newest_key, default=None)


# ---- reading the class's cards ---------------------------------------------------------------------


def _newest_key(path: Path) -> tuple[dt.datetime, str]:
    """Sort key of "newest": when the file was received (``kamlib.exchange.received_time``), then its name."""
    try:
        return received_time(path), path.name
    except OSError:
        return dt.datetime.min.replace(tzinfo=dt.UTC), path.name


def owner_mismatch(info: os.stat_result, trainee_id: str) -> str | None:
    """The owner's user name (or uid) when the file does not belong to the user its folder is named for."""
    if not owners_checked():  # one uid for every server (Kubernetes): the folders mounted keep trainees apart
        return None
    owner = owner_name(info)
    return None if owner == trainee_id else (owner or str(info.st_uid))


@dataclass(frozen=True)
class ClassCard:
    """A card read from the class: the trainee (the folder's name), the file, when it arrived, the card."""

    trainee_id: str
    file: str
    received_at: dt.datetime
    card: SharedCard


@dataclass(frozen=True)
class NotShown:
    """A file (or folder) not shown, and why (a catalog key ``class_share.why.<reason>``)."""

    file: str
    reason: str
    params: dict[str, Any] = field(default_factory=dict)
    line: str = "class_share.not_shown"  # the line's wording (a live submission: ``class_share.not_counted``)

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", printable(self.file))
        object.__setattr__(self, "params", {k: printable(v) if isinstance(v, str) else v
                                            for k, v in self.params.items()})

    def message(self, lang: Lang) -> str:
        """One line: ``not shown: <file>, why``."""
        why = t(f"class_share.why.{self.reason}", lang, **self.params)
        return printable(t(self.line, lang, file=self.file, why=why))


@dataclass
class ClassCards:
    """The class's cards (one per trainee, the order they arrived in) and the lines of what was not shown."""

    cards: list[ClassCard] = field(default_factory=list)
    not_shown: list[NotShown] = field(default_factory=list)


def read_card_file(path: Path, shown: str, trainee_id: str, check_owner: bool = False) -> ClassCard | NotShown:
    """One share file as a card of ``trainee_id`` (the folder), or why it is not shown. With ``check_owner``
    (the hub) the file must belong to the user the folder is named for. Never raises for what the file holds."""
    try:
        return _read_card(path, shown, trainee_id, check_owner)
    except Exception as exc:  # one hostile file must not hide the class's cards
        return NotShown(shown, "unreadable", {"detail": f"{type(exc).__name__}: {exc}"[:200]})


def _read_card(path: Path, shown: str, trainee_id: str, check_owner: bool) -> ClassCard | NotShown:
    try:
        info = os.lstat(path)
        if check_owner and (owner := owner_mismatch(info, trainee_id)) is not None:
            return NotShown(shown, "owner", {"owner": owner, "folder": trainee_id})
        data = read_regular(path, MAX_SHARE_BYTES)
    except NotRegularFile as exc:
        return NotShown(shown, "link" if exc.link else "not_regular")
    except FileTooLarge as exc:
        return NotShown(shown, "too_large", {"size": exc.size, "limit": MAX_SHARE_BYTES})
    except OSError as exc:
        return NotShown(shown, "unreadable", {"detail": exc.strerror or type(exc).__name__})
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:
        return NotShown(shown, "bad_json", {"detail": str(exc)[:200] or type(exc).__name__})
    if not isinstance(raw, dict):
        return NotShown(shown, "bad_json", {"detail": type(raw).__name__})
    try:
        card = SharedCard.model_validate(raw)
    except ValidationError as exc:
        first = describe(exc)[:1]
        return NotShown(shown, "invalid", {"detail": first[0] if first else Text("class_share.why.unknown"),
                                           "count": exc.error_count()})
    return ClassCard(trainee_id, shown, received_time(info), card)


def read_class_cards(folder: str | os.PathLike[str], check_owner: bool = False) -> ClassCards:
    """The newest share file of every trainee folder under ``folder`` (the exchange's ``inbound/`` or a
    folder of collected submissions), in the order they arrived. Folders that are links, hidden or not a
    possible trainee id are not read (a line each, hidden ones silently)."""
    root = Path(folder)
    out = ClassCards()
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except FileNotFoundError:
        return out
    except OSError as exc:
        out.not_shown.append(NotShown(str(root), "unreadable", {"detail": exc.strerror or type(exc).__name__}))
        return out
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            out.not_shown.append(NotShown(entry.name, "link"))
            continue
        if not entry.is_dir(follow_symlinks=False):
            continue
        if not is_safe_name(entry.name):
            out.not_shown.append(NotShown(entry.name, "unsafe_folder"))
            continue
        try:
            files = [Path(f.path) for f in os.scandir(entry.path) if is_share_file(f.name)]
        except OSError as exc:
            out.not_shown.append(NotShown(entry.name, "unreadable", {"detail": exc.strerror or type(exc).__name__}))
            continue
        if not files:
            continue
        newest = max(files, key=_newest_key)  # no fall-back to an older card: the trainee replaced it
        result = read_card_file(newest, f"{entry.name}/{newest.name}", entry.name, check_owner)
        (out.cards if isinstance(result, ClassCard) else out.not_shown).append(result)  # type: ignore[arg-type]
    out.cards.sort(key=lambda c: (c.received_at, c.trainee_id))
    return out


def list_shared(root: str | os.PathLike[str]) -> ClassCards:
    """The latest card per user in a class exchange (``<root>/inbound``), each file owned by its folder's user."""
    return read_class_cards(Path(root) / "inbound", check_owner=True)


# ---- pooled ---------------------------------------------------------------------------------------

PoolKind = Literal["top", "strategic", "other"]


@dataclass(frozen=True)
class PooledCards:
    """The class's shared accounts counted: by RADP box per kind (Top, Strategic, other), by level, by kind."""

    boxes: dict[str, Counter[str]]
    levels: Counter[int]
    kinds: Counter[str]  # "top", "strategic", "other", "no_account", "no_figures"
    cards: int


def pool_cards(cards: Sequence[ClassCard]) -> PooledCards:
    """Count the class's shared accounts (one card per trainee)."""
    boxes: dict[str, Counter[str]] = {kind: Counter() for kind in ("top", "strategic", "other")}
    level_counts: Counter[int] = Counter()
    kinds: Counter[str] = Counter()
    for item in cards:
        card = item.card
        if not card.account_chosen:
            kinds["no_account"] += 1
            continue
        kind = card.key_account or "other"
        kinds[kind] += 1
        if card.radp_level is not None:
            level_counts[card.radp_level] += 1
        if card.radp_box is not None:
            boxes[kind][card.radp_box] += 1
        else:
            kinds["no_figures"] += 1
    return PooledCards({k: c for k, c in boxes.items() if c}, level_counts, kinds, len(cards))
