"""What must never reach a trainee, and the scan that finds it in a bundle.

Instructor material: a path under ``solutions/`` or ``instructor/``, a copy of a key file, a key's explanation
or model answer, a list answer of three or more codes (as JSON), an answer figure of a key, an item's keyed
answer written as that item's value, and the self-check data of a graded exercise. Trainee data: workbooks,
submissions, exports, gradebooks and the store's side files, and notebooks saved with outputs.

Answer figures: a key's number answer with three or more significant digits (``1234``, ``12.34``, ``45600``) is
found as a whole token in any usual written form (``1234.0``, ``1,234``, ``1_234``, full-width digits, next to
Chinese text). Numbers with fewer significant digits (``80``, ``25``, ``45000``) and percentages or ratios of
simple fractions (``16.7`` = 1/6, ``12.5``, ``0.333``) are too common in the course to be a signal; any answer,
those included, is found where it is written as the value of its item under a quoted name: ``"<item>": <answer>``
or ``answers["<item>"] = <answer>`` in code, JSON or TOML, a list answer in any order.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import math
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pydantic import ValidationError

from kamlib.errors import GradingError
from kamlib.i18n import Text
from kamlib.model.validation import describe

if TYPE_CHECKING:
    from kamlib.release import Bundle

LEFT_OUT = ("solutions", "instructor")  # instructor material: never in the bundle
TRAINEE_DATA_DIRS = frozenset({"workbook", "submissions", "exports", "gradebook", "test-artifacts", "dist", "build",
                               ".ipynb_checkpoints"})  # made by trainees or by tools, at any depth
TRAINEE_DATA_FILES = (".last-trainee", "*.bak.json", "*.lock", ".*.tmp",
                      "*.sqlite*", "*.db", "*.db-*")  # a gradebook (and its journal) wherever it was written
SOURCE_DIRS = frozenset({"kamlib/gradebook"})  # package folders named like a data folder: their code ships
SOURCE_FILES = "*.py"  # the code of a SOURCE_DIRS folder; anything else in it is a gradebook's files, never shipped
MIN_SECRET = 12  # shorter key texts (e.g. an answer "D") would match anywhere; they are not scanned for
MIN_LIST = 3  # likewise list answers of one or two codes (two person codes are also a plain fact of a case)
MIN_DIGITS = 3  # answer figures with fewer significant digits are too common to be a signal on their own


@dataclass(frozen=True)
class Leak:
    """Something found in a bundle file that must not ship: where, and what (a catalog message)."""

    file: str
    what: Text


@dataclass(frozen=True)
class Figure:
    """An answer figure of a key: its value and the item it answers."""

    value: float
    item: str  # "<exercise> <item>"


@dataclass
class KeySecrets:
    """Everything of the keys that a bundle file must not hold."""

    texts: set[str] = field(default_factory=set)  # explanations, model answers, list answers as JSON
    key_files: set[str] = field(default_factory=set)  # SHA-256 of every key file
    figures: list[Figure] = field(default_factory=list)  # number answers of MIN_DIGITS or more
    answers: dict[str, list[tuple[object, str]]] = field(default_factory=dict)  # item id -> (answer, "<ex> <item>")
    check_digests: dict[str, dict[str, str]] = field(default_factory=dict)  # exercise -> self-check digest -> item


def significant_digits(value: float) -> int:
    """Significant digits of a number as it is usually written: 1234 → 4, 12.5 → 3, 45000 → 2, 0.05 → 1."""
    return len(Decimal(repr(float(value))).normalize().as_tuple().digits)


def _simple_fractions() -> frozenset[float]:
    """k/q for q up to 12, as a ratio (0.167) or a percentage (16.7, 16.67), rounded as usually written."""
    out = set()
    for q in range(3, 13):
        for k in range(1, q):
            for scale, places in ((1, (2, 3)), (100, (1, 2))):
                out |= {round(k / q * scale, p) for p in places}
    return frozenset(out)


COMMON = _simple_fractions()


def is_figure(value: float) -> bool:
    """Whether a number answer is distinctive enough to look for anywhere (see the module's docstring)."""
    return significant_digits(value) >= MIN_DIGITS and not any(_same(value, c) for c in COMMON)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def key_secrets(keys: Path | None = None) -> KeySecrets:
    """The secrets of every ``*.toml`` key in the keys folder (other files there, e.g. a case's truth, count
    as key files: a copy of one is found; their texts are not scanned for)."""
    from kamlib.grading import AnswerKey, build_check_data, keys_dir

    folder = keys or keys_dir()
    out = KeySecrets()
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        raw = path.read_bytes()
        out.key_files.add(hashlib.sha256(raw).hexdigest())
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise GradingError("grading.bad_key", file=str(path), detail=str(exc)) from exc
        exercise = str(data.get("exercise", path.stem))
        for item in data.get("items", []):
            for lang_text in [*(item.get("explanation") or {}).values(), *(item.get("example") or {}).values()]:
                out.texts.add(lang_text)
            answer, label = item.get("answer"), f"{exercise} {item.get('id')}"
            if answer is None:
                continue
            out.answers.setdefault(str(item.get("id")), []).append((answer, label))
            if isinstance(answer, list) and len(answer) >= MIN_LIST:
                out.texts |= {json.dumps(answer), json.dumps(answer, ensure_ascii=False)}
            if _is_number(answer) and is_figure(float(answer)):
                out.figures.append(Figure(float(answer), label))
        if "exercise" in data and data.get("items"):
            try:
                check = build_check_data(AnswerKey.model_validate(data))
            except ValidationError as exc:
                raise GradingError("grading.invalid_key", details=describe(exc), file=str(path)) from exc
            items: dict[str, dict[str, object]] = check["items"]  # type: ignore[assignment]
            out.check_digests[exercise] = {str(rule["digest"]): item_id for item_id, rule in items.items()
                                           if rule.get("check") == "digest"}
    out.texts = {s for s in out.texts if len(s) >= MIN_SECRET}
    return out


# ---- trainee data and notebooks ----------------------------------------------------------------------


def folders(rel: PurePosixPath) -> list[str]:
    """The folders a bundle path lies in, less the package folders of ``SOURCE_DIRS`` (``kamlib/gradebook`` is
    the gradebook's code, not a gradebook)."""
    parts = rel.parts[:-1]
    return [part for n, part in enumerate(parts) if "/".join(parts[:n + 1]) not in SOURCE_DIRS]


def in_source_dir(rel: PurePosixPath) -> bool:
    """Whether a bundle path lies in a package folder of ``SOURCE_DIRS`` (at any depth)."""
    return any("/".join(rel.parts[:n]) in SOURCE_DIRS for n in range(1, len(rel.parts)))


def is_trainee_data(rel: PurePosixPath) -> bool:
    """Whether a bundle path is (inside) a trainee's or a tool's data: a folder such as ``workbook/`` or
    ``submissions/`` at any depth, ``.last-trainee``, a backup ``*.bak.json``, a lock, a store's temp file, a
    gradebook file (``*.sqlite``), or anything but code in a ``SOURCE_DIRS`` folder (``kam grade --out`` pointed
    there writes the gradebook, its exports and feedback pages beside the package's code)."""
    if any(part in TRAINEE_DATA_DIRS for part in folders(rel)):
        return True
    if in_source_dir(rel) and not fnmatch.fnmatchcase(rel.name, SOURCE_FILES):
        return True
    return any(fnmatch.fnmatchcase(rel.name, pattern) for pattern in TRAINEE_DATA_FILES)


def notebook_run_state(data: bytes) -> bool:
    """Whether a notebook file holds what a run leaves: outputs, execution counts, widget state or run metadata.
    A file that is not a notebook holds none."""
    try:
        nb = json.loads(data)
    except ValueError:
        return False
    if not isinstance(nb, dict):
        return False
    meta = nb.get("metadata") or {}
    if "widgets" in meta or "papermill" in meta:
        return True
    for cell in nb.get("cells") or []:
        if not isinstance(cell, dict):
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            return True
        if set(cell.get("metadata") or {}) & {"execution", "papermill"}:
            return True
    return False


# ---- finding answers in text -----------------------------------------------------------------------------

# ASCII word characters only: a figure followed by a Chinese unit (wan yuan) still counts; "ex04" and "b1" hold none.
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])(?:\d{1,3}(?:[,_]\d{3})+|\d+)(?:\.\d+)?(?![A-Za-z0-9_]|\.\d)")
_VALUE = r"""(?P<value>"[^"\n]*"|'[^'\n]*'|\[[^\]\n]*\]|-?[\d.,_]*\d)"""


def _numbers(text: str) -> Iterator[tuple[str, float]]:
    """Every number token with its value; ``1234,567`` is read both as one grouped number and as a list."""
    for match in _NUMBER.finditer(text):
        token = match.group()
        yield token, float(token.replace(",", "").replace("_", ""))
        parts = re.split(r"[,_]", token)
        if len(parts) > 1:
            yield from ((part, float(part)) for part in parts)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def _literal(text: str) -> object:
    """A value as written in code, JSON or TOML: a quoted string, a list of them, or a number; else None."""
    text = text.strip()
    if text[:1] in "\"'":
        return text[1:-1]
    if text.startswith("["):
        return [_literal(part) for part in text[1:-1].split(",") if part.strip()]
    try:
        return float(text.replace(",", "").replace("_", ""))
    except ValueError:
        return None


def _matches(written: object, answer: object) -> bool:
    if _is_number(answer):
        return _is_number(written) and _same(float(written), float(answer))  # type: ignore[arg-type]
    if isinstance(answer, list):
        return isinstance(written, list) and sorted(map(str, written)) == sorted(map(str, answer))
    return written == answer


def _assignments(text: str, answers: dict[str, list[tuple[object, str]]]) -> Iterator[tuple[str, str]]:
    """Every place an item's keyed answer is written as the value of its quoted name (``"<item>": <answer>``);
    a bare name (a keyword argument such as ``score=<n>``) is too common to tell."""
    if not answers:
        return
    ids = "|".join(re.escape(i) for i in sorted(answers, key=len, reverse=True))
    pattern = re.compile(rf"""(["'])(?P<id>{ids})\1\]?\s*[:=]\s*{_VALUE}""")
    for match in pattern.finditer(text):
        written = _literal(match.group("value"))
        for answer, label in answers[match.group("id")]:
            if _matches(written, answer):
                yield match.group()[:40], label


def find_in_text(text: str, secrets: KeySecrets, graded: frozenset[str] = frozenset()) -> list[Text]:
    """What of the keys a text holds (each once): key texts, answer figures, keyed answers written as an item's
    value, and self-check digests of the ``graded`` exercises."""
    found: dict[str, Text] = {}
    for secret in sorted(secrets.texts):
        if secret in text:
            found[f"text:{secret}"] = Text("release.found.key_text", {"text": secret[:40]})
    normal = unicodedata.normalize("NFKC", text) if not text.isascii() else text
    for token, value in _numbers(normal):
        for figure in secrets.figures:
            if _same(value, figure.value):
                found[f"figure:{figure.item}:{token}"] = Text("release.found.figure",
                                                              {"value": token, "item": figure.item})
    for written, label in _assignments(normal, secrets.answers):
        found[f"answer:{label}"] = Text("release.found.answer", {"text": written, "item": label})
    for exercise in sorted(graded):
        for digest in secrets.check_digests.get(exercise, {}):
            if digest in text:
                found[f"digest:{exercise}"] = Text("release.found.check_digest", {"exercise": exercise})
    return list(found.values())


def check_data_file(exercise_id: str) -> str:
    """Where an exercise's self-check data lies in the bundle."""
    return f"kamlib/exercises/{exercise_id}.check.json"


def scan(bundle: Bundle, keys: Path | None = None, graded: frozenset[str] = frozenset()) -> list[Leak]:
    """Every place the bundle holds instructor material or trainee data (see the module's docstring);
    ``graded``: the exercises whose self-check data must not ship."""
    secrets = key_secrets(keys)
    graded_files = {check_data_file(e): e for e in graded}
    leaks = []
    for rel, data in sorted(bundle.files.items()):
        path = PurePosixPath(rel)
        if path.parts[0] in LEFT_OUT:
            leaks.append(Leak(rel, Text("release.found.left_out")))
            continue
        if is_trainee_data(path):
            leaks.append(Leak(rel, Text("release.found.trainee_data")))
            continue
        if rel in graded_files:
            leaks.append(Leak(rel, Text("release.found.check_data", {"exercise": graded_files[rel]})))
            continue
        if hashlib.sha256(data).hexdigest() in secrets.key_files:
            leaks.append(Leak(rel, Text("release.found.key_file")))
            continue
        if rel.endswith(".ipynb") and notebook_run_state(data):
            leaks.append(Leak(rel, Text("release.found.outputs")))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # not text: only whole key texts could hide in it
            raw = data.decode("utf-8", errors="ignore")
            leaks += [Leak(rel, Text("release.found.key_text", {"text": s[:40]}))
                      for s in sorted(secrets.texts) if s in raw]
            continue
        leaks += [Leak(rel, what) for what in find_in_text(text, secrets, graded)]
    return leaks
