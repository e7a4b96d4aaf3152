"""Anonymising what a trainee shares: one replacement for the Share 1 card and the Account Plan export,
and the review the trainee reads before sharing.

In every free text that is kept, in one pass (the longest form first, case-insensitive, a name in
Latin letters only as a whole word):

* every name the plan knows becomes its code: the accounts (“Account A”, the shared account first),
  the key persons (“Person n”), the units of the customer tree (“DMU-n”, “User-n”, “Unit-n”) and our
  colleagues named in the team map or as owners (“Colleague n”); when two names are the same, an
  account's code wins over a person's, a person's over a unit's, a unit's over a colleague's;
* the ways colleagues name those people become the same code: surname + title (Zhang zong, Li jingli,
  Liu chu, Chen zhuren; the longer title wins, Zhang zongjian over Zhang zong), lao/xiao + surname
  (lao Zhang, xiao Wang) and “Mr/Ms/Director … + surname” for names in Latin letters (either end of
  the name is taken as the surname); a form two people share becomes “someone”;
* the full name and short forms of a well-known customer whose full name is in an account's or a
  unit's name (China Merchants Bank's Chengdu branch: China Merchants Bank, and its short form
  Zhaohang), the organisation a branch's name starts with, and the name without its company suffix
  (Co., Ltd.), become that account's or unit's code;
* the names and short forms on the plan's hide list (``plan.sharing.hide``) become the trainee's
  replacement, else “withheld”;
* phone numbers (mainland mobiles, landlines with their area code, 400/800 numbers, any number
  written with “+” and its country code) and e-mail addresses become a placeholder.

The titles, surnames and short forms are data (``kamlib/data/anonymise.toml``); the codes and
placeholders come from the catalogs, in the reader's language.

The ``Anonymiser`` counts what it replaced and keeps the texts as shared, so that ``Review`` can list
both: every replacement (original → replacement, how often) and what still looks like a name or a
contact detail (a common surname with a title, lao/xiao + surname, a surname and a given name after
“and / with / visit …” or before “says / is in charge …”, “Mr/Ms + a capitalised word”, an “@”,
seven digits or more).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from kamlib.customer_tree import tree_order
from kamlib.errors import InputError
from kamlib.i18n import Lang, check_lang, t
from kamlib.model.sharing import MAX_HIDDEN, HiddenName
from kamlib.model.workbook import AccountPlan, TreeUnit

DATA = Path(__file__).parent / "data" / "anonymise.toml"
Kind = Literal["account", "person", "unit", "colleague", "address", "short", "hidden", "phone", "email"]
KINDS: tuple[Kind, ...] = ("account", "person", "unit", "colleague", "address", "short", "hidden", "phone", "email")
Why = Literal["title", "familiar", "context", "honorific", "at", "digits"]
MIN_HIDDEN = 2  # a shorter entry would be replaced inside ordinary words

HAN = "\u4e00-\u9fff"
_LEADING_HAN = re.compile(f"^([{HAN}]{{2,4}})(?![{HAN}])")
_LATIN_EDGE = re.compile(r"[A-Za-z0-9]")
NOT_AFTER_WORD = r"(?<!(?a:\w))"  # a Latin name starts a word (quicker to compile than a set of letters)
NOT_BEFORE_WORD = r"(?!(?a:\w))"  # and ends one
_SHORT_LATIN = re.compile(r"[A-Za-z]{1,3}")


# ---- the word lists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """The data file's lists (see ``kamlib/data/anonymise.toml``)."""

    compound_surnames: tuple[str, ...]
    surnames: tuple[str, ...]
    function_surnames: str
    titles: tuple[str, ...]
    not_before: dict[str, str]
    familiar: tuple[str, ...]
    honorifics: tuple[str, ...]
    separators: tuple[str, ...]
    not_names: frozenset[str]
    short_forms: dict[str, tuple[str, ...]]
    org_suffixes: tuple[str, ...]
    org_types: tuple[str, ...]
    branch_suffixes: tuple[str, ...]
    before: tuple[str, ...]
    verbs: tuple[str, ...]
    particles: tuple[str, ...]
    not_alone: str


@cache
def words() -> Words:
    """The word lists, read once."""
    with DATA.open("rb") as fh:
        data: dict[str, Any] = tomllib.load(fh)
    return Words(
        compound_surnames=tuple(data["compound_surnames"]),
        surnames=tuple(c for c in data["surnames"] if not c.isspace()),
        function_surnames=data["function_surnames"],
        titles=tuple(data["titles"]),
        not_before=dict(data["not_before"]),
        familiar=tuple(data["forms"]["familiar"]),
        honorifics=tuple(data["forms"]["honorifics"]),
        separators=tuple(data["colleagues"]["separators"]),
        not_names=frozenset(n.casefold() for n in data["colleagues"]["not_names"]),
        short_forms={k: tuple(v) for k, v in data["short_forms"].items()},
        org_suffixes=tuple(sorted(data["org_suffixes"], key=len, reverse=True)),
        org_types=tuple(data["org_types"]),
        branch_suffixes=tuple(data["branch_suffixes"]),
        before=tuple(data["review"]["before"]),
        verbs=tuple(data["review"]["verbs"]),
        particles=tuple(data["review"]["particles"]),
        not_alone=data["review"]["not_alone"],
    )


def _alternation(items: Iterable[str]) -> str:
    """``items`` as a regex alternation, the longest first (so that a title of two characters wins over
    its first character alone); the single characters as one character set."""
    unique = set(items)
    longer = [re.escape(i) for i in sorted(unique, key=lambda s: (-len(s), s)) if len(i) > 1]
    single = sorted(i for i in unique if len(i) == 1)
    if single:
        longer.append("[" + "".join(re.escape(c) for c in single) + "]")
    return "|".join(longer)


_END = ""


def _trie(forms: Iterable[str]) -> str:
    """Many names as one regex built as a trie, so that a position tries one branch per character, not
    every name: the longest name wins, a run of spaces matches a space, a Latin edge only at a word's edge."""
    root: dict[str, Any] = {}
    for form in forms:
        node = root
        for ch in form.lower():
            node = node.setdefault(ch, {})
        node[_END] = {}

    def branch(node: dict[str, Any], last: str) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + branch(child, ch)
                for ch, child in sorted(node.items()) if ch != _END]
        if _END in node:  # a name ends here: after the longer ones
            alts.append(NOT_BEFORE_WORD if _LATIN_EDGE.match(last) else "")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    tops = [(NOT_AFTER_WORD if _LATIN_EDGE.match(ch) else "") + (r"\s+" if ch == " " else re.escape(ch))
            + branch(child, ch) for ch, child in sorted(root.items())]
    return "(?:" + "|".join(tops) + ")"


def _key(text: str) -> str:
    """How a name is looked up: case and runs of spaces do not matter."""
    return " ".join(text.split()).casefold()


def _words(form: str) -> str:
    """``form`` matching any run of spaces where it has one; a word of up to three Latin letters (Li, He)
    only as written, so that it is not taken for an English word (he, it)."""
    body = r"\s+".join(re.escape(part) for part in form.split())
    return f"(?-i:{body})" if _SHORT_LATIN.fullmatch(form) else body


def _literal(form: str) -> str:
    """A regex for ``form`` (see ``_words``), whole words at a Latin edge."""
    body = _words(form)
    if _LATIN_EDGE.match(form[0]):
        body = NOT_AFTER_WORD + body
    if _LATIN_EDGE.match(form[-1]):
        body += NOT_BEFORE_WORD
    return body


def _titles(w: Words) -> str:
    """The title words, each not followed by the characters that make it an ordinary word."""
    pieces = []
    for title in sorted(set(w.titles), key=lambda s: (-len(s), s)):
        after = w.not_before.get(title, "")
        pieces.append(re.escape(title) + (f"(?![{re.escape(after)}])" if after else ""))
    return "|".join(pieces)


# ---- contact details ------------------------------------------------------------------------------

EMAIL = r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+[@\uff20][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
PHONE = "|".join((
    r"(?<![\d+])(?:(?:\+|00)\s?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)",  # mainland mobile: 138 1234 5678
    # landline with its area code: 028-85551234, (028) 8555 1234, 010-1234-5678 ext 12
    r"(?<![\d+])(?:\(0\d{2,3}\)|0\d{2,3})[\s-]?\d{3,4}[\s-]?\d{4}(?:\s?(?:ext\.?|x|#)\s?\d{1,6})?(?!\d)",
    r"(?<![\d+])[48]00[\s-]?\d{3}[\s-]?\d{4}(?!\d)",  # 400 / 800 numbers
    r"(?<![\d+])\+\d{1,3}[\s-]?(?:\(\d{1,4}\)[\s-]?)?\d(?:[\s-]?\d){5,12}(?!\d)",  # +44 20 7946 0958
))


# ---- the review -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replacement:
    """A text replaced, as first written, by what the reader sees, and how often."""

    original: str
    replacement: str
    kind: Kind
    count: int


@dataclass(frozen=True)
class Suspect:
    """A text that still looks like a name or a contact detail, why, and how often it is shown."""

    text: str
    why: Why
    count: int


@dataclass(frozen=True)
class Review:
    """What an anonymised card or export replaced and what in it still looks like a name."""

    replacements: tuple[Replacement, ...] = ()
    suspects: tuple[Suspect, ...] = ()

    def lines(self, lang: Lang) -> list[str]:
        """The review as lines to print or show: the replacements, then the suspects."""
        out = [t("anonymise.review.replaced", lang) if self.replacements else t("anonymise.review.none_replaced", lang)]
        out += ["  " + t("anonymise.review.replacement", lang, original=r.original, replacement=r.replacement,
                         kind=t(f"anonymise.kind.{r.kind}", lang), count=r.count) for r in self.replacements]
        if not self.suspects:
            out.append(t("anonymise.review.no_suspects", lang))
            return out
        out.append(t("anonymise.review.suspects", lang))
        out += ["  " + t("anonymise.review.suspect", lang, text=s.text, why=t(f"anonymise.why.{s.why}", lang),
                         count=s.count) for s in self.suspects]
        return out


@cache
def _suspect_pattern() -> re.Pattern[str]:
    """What still looks like a name or a contact detail in a text already anonymised."""
    w = words()
    surname = _alternation([*w.compound_surnames, *w.surnames])
    alone = _alternation([*w.compound_surnames, *(c for c in w.surnames if c not in w.not_alone)])
    verbs, ends = _alternation(w.verbs), _alternation([*w.verbs, *w.particles])
    honorifics = _alternation(w.honorifics)
    return re.compile("|".join((
        f"(?P<title>(?:{surname})(?:{_titles(w)}))",
        f"(?P<familiar>(?:{_alternation(w.familiar)})(?:{surname}))(?={ends}|[^{HAN}]|$)",
        f"(?:{_alternation(w.before)})(?P<context>(?:{alone})[{HAN}]{{1,2}}?)(?={ends}|[^{HAN}]|$)",
        f"(?<![{HAN}])(?P<start>(?:{alone})[{HAN}]{{1,2}}?)(?={verbs})",
        f"(?P<honorific>(?<![A-Za-z])(?i:{honorifics})(?:\\.\\s*|\\s+)[A-Z][A-Za-z'-]+)",
        r"(?P<at>(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*[@\uff20]\S*)",
        r"(?P<digits>(?<!\d)\d(?:[ -]?\d){6,}(?!\d))",
    )))


@cache
def _suspect_title() -> re.Pattern[str]:
    w = words()
    return re.compile(f"(?:{_alternation([*w.compound_surnames, *w.surnames])})(?:{_titles(w)})")


_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_WHY: dict[str, Why] = {"title": "title", "familiar": "familiar", "context": "context", "start": "context",
                        "honorific": "honorific", "at": "at", "digits": "digits"}


def suspects(texts: Iterable[str]) -> tuple[Suspect, ...]:
    """What in ``texts`` (already anonymised) still looks like a name or a contact detail, most frequent first."""
    found: Counter[tuple[str, Why]] = Counter()
    pattern = _suspect_pattern()
    for text in texts:
        for m in pattern.finditer(text):
            group = next(g for g in _WHY if m.group(g) is not None)
            value = m.group(group).strip()
            if group == "digits" and _DATE.fullmatch(value):
                continue
            why = _WHY[group]
            if why == "context" and _suspect_title().fullmatch(value):
                why = "title"  # "visit Director Sun": found by its context, but a surname and a title
            found[(value, why)] += 1
    return tuple(Suspect(text, why, n) for (text, why), n in sorted(found.items(), key=lambda x: (-x[1], x[0])))


# ---- the anonymiser ---------------------------------------------------------------------------------


@dataclass
class Anonymiser:
    """The code of every name the plan knows, and the replacement of names and contact details in free text.

    Build it with ``make_codes``; ``text`` anonymises a text the trainee typed, ``label`` records a name
    shown as its code (a key person's row, a unit of the tree); ``review`` says what was done.
    """

    lang: Lang
    accounts: dict[str, str] = field(default_factory=dict)  # account id -> code
    persons: dict[str, str] = field(default_factory=dict)  # person id -> code
    units: dict[str, str] = field(default_factory=dict)  # unit id -> code
    colleagues: dict[str, str] = field(default_factory=dict)  # a colleague's name (looked up) -> code
    names: dict[str, tuple[str, Kind]] = field(default_factory=dict)  # looked-up form -> (replacement, kind)
    surnames: dict[str, str] = field(default_factory=dict)  # Chinese surname or full name -> replacement
    latin: dict[str, str] = field(default_factory=dict)  # a name in Latin letters, or one end of it -> replacement
    written: dict[str, str] = field(default_factory=dict)  # looked-up form -> as the plan writes it
    shown: list[str] = field(default_factory=list)  # every text as shared
    _found: Counter[tuple[str, str, Kind]] = field(default_factory=Counter)
    _written: dict[str, str] = field(default_factory=dict)  # looked-up original -> as first written
    _pattern: re.Pattern[str] | None = None

    # ---- building ---------------------------------------------------------------------------------
    def add(self, name: str, code: str, kind: Kind, replace: bool = False) -> str:
        """Register ``name`` (the first code given to a form wins unless ``replace``); return its code."""
        key = _key(name)
        if not key:
            return code
        if replace or key not in self.names:
            self.names[key] = (code, kind)
            self.written[key] = " ".join(name.split())
        return self.names[key][0]

    def compile(self) -> None:
        """Build the one pattern: contact details, then the names, then the derived forms of address."""
        w = words()
        parts = [f"(?P<email>{EMAIL})", f"(?P<phone>{PHONE})"]
        names = [self.written[n] for n in self.names]
        if names:  # names of up to three Latin letters (Li, He) only as written, after the longer names
            short = [n for n in names if _SHORT_LATIN.fullmatch(n)]
            pieces = [_trie(n for n in names if not _SHORT_LATIN.fullmatch(n))]
            pieces += [_literal(n) for n in sorted(short, key=lambda s: (-len(s), s))]
            parts.append("(?P<name>" + "|".join(p for p in pieces if p != "(?:)") + ")")
        if self.latin:
            honorific = NOT_AFTER_WORD + "(?:" + _alternation(w.honorifics).replace(r"\ ", r"\s+") + r")(?:\.\s*|\s+)"
            latin = "|".join(_words(self.written[n]) for n in sorted(self.latin, key=lambda s: (-len(s), s)))
            parts.append(f"(?P<honorific>{honorific}(?P<hname>{latin}){NOT_BEFORE_WORD})")
        if self.surnames:
            surnames = _alternation(self.surnames)
            parts.append(f"(?P<familiar>(?:{_alternation(w.familiar)})(?P<fname>{surnames}))")
            parts.append(f"(?P<title>(?P<tname>{surnames})(?:{_titles(w)}))")
        self._pattern = re.compile("|".join(parts), re.IGNORECASE)

    # ---- use --------------------------------------------------------------------------------------
    def _placeholder(self, key: str) -> str:
        return t(f"anonymise.label.{key}", self.lang)

    def _replace(self, m: re.Match[str]) -> str:
        found = m.group(0)
        if m.group("email") is not None:
            return self._record(found, self._placeholder("email"), "email")
        if m.group("phone") is not None:
            return self._record(found, self._placeholder("phone"), "phone")
        groups = m.groupdict()
        if groups.get("name") is not None:
            code, kind = self._name(found)
            return self._record(found, code, kind)
        if groups.get("honorific") is not None:
            return self._record(found, self.latin[_key(m.group("hname"))], "address")
        name = groups.get("fname") or groups.get("tname") or ""
        return self._record(found, self.surnames[name], "address")

    def _name(self, found: str) -> tuple[str, Kind]:
        """The entry of a name found (a case the look-up key folds differently is searched for)."""
        entry = self.names.get(_key(found))
        if entry is None:
            entry = next(v for k, v in self.names.items()
                         if re.fullmatch(_literal(self.written[k]), found, re.IGNORECASE))
        return entry

    def _record(self, original: str, replacement: str, kind: Kind) -> str:
        key = _key(original)
        self._written.setdefault(key, original)
        self._found[(key, replacement, kind)] += 1
        return replacement

    def text(self, value: str) -> str:
        """``value`` with every name, form of address and contact detail replaced."""
        if not value:
            return value
        if self._pattern is None:
            self.compile()
        assert self._pattern is not None
        out = self._pattern.sub(self._replace, value)
        self.shown.append(out)
        return out

    def label(self, original: str, code: str, kind: Kind) -> str:
        """``code``, shown instead of the name ``original`` (counted for the review)."""
        return self._record(original, code, kind)

    def review(self) -> Review:
        """What was replaced (by kind, then most frequent first) and what still looks like a name."""
        order = {k: n for n, k in enumerate(KINDS)}
        rows = sorted(self._found.items(), key=lambda x: (order[x[0][2]], -x[1], x[0][0]))
        return Review(
            replacements=tuple(Replacement(self._written[key], code, kind, n) for (key, code, kind), n in rows),
            suspects=suspects(self.shown),
        )


# ---- what the plan knows ----------------------------------------------------------------------------


def letter_code(index: int) -> str:
    """A, B, …, Z, AA, AB, … for index 0, 1, …"""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def split_names(value: str) -> list[str]:
    """The names in an owner field (“Li Qiang and Wang Wu”, or with the Chinese list comma), without the
    words that mean us."""
    w = words()
    parts = [value]
    for sep in w.separators:
        parts = [piece for part in parts for piece in part.split(sep)]
    out = []
    for part in (" ".join(p.split()) for p in parts):
        if len(part) >= MIN_HIDDEN and part.casefold() not in w.not_names:
            out.append(part)
    return out


def colleague_names(plan: AccountPlan) -> list[str]:
    """Our colleagues as the plan names them: the team map's names, then the names of people among the
    owners of actions, push tasks, activities and crisis steps (in that order, each once). An owner
    that is a team or a function (technical, sales department) is no one's name: it is not hidden in
    the texts (the owner columns themselves are left out of an anonymised export)."""
    owners = [a.owner for a in plan.actions.items] + [p.owner for p in plan.push_plan.items]
    owners += [a.owner for a in plan.retention.activities]
    owners += [s.owner for c in plan.crises.items for s in c.steps]
    names = [n for p in plan.team.items for n in split_names(p.our_name)]
    names += [n for value in owners for n in split_names(value) if looks_like_a_person(n)]
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(_key(name), name)
    return list(seen.values())


def looks_like_a_person(name: str) -> bool:
    """A Chinese name of two to four characters starting with a surname (Wang Wu), or two to four
    capitalised words in Latin letters (Hu Wenbo)."""
    chinese = chinese_name(name)
    if chinese is not None:
        w = words()
        surname = chinese[0]
        return chinese[1] == name and (surname in w.compound_surnames or surname in w.surnames
                                       or surname in w.function_surnames)
    parts = name.split()
    return 2 <= len(parts) <= 4 and all(re.fullmatch(r"[A-Z][a-z'-]+", p) for p in parts)


def chinese_name(name: str) -> tuple[str, str] | None:
    """(surname, full name) of a Chinese personal name of two to four characters (Zhang Wei; Ouyang Nana
    with a two-character surname; also at the start of “Zhang Wei (CIO)”), else None."""
    m = _LEADING_HAN.match(name.strip())
    if m is None:
        return None
    full = m.group(1)
    compound = next((c for c in words().compound_surnames if full.startswith(c) and len(full) > len(c)), None)
    return (compound or full[0]), full


def latin_ends(name: str) -> list[str]:
    """A name in Latin letters and the words at either end of it (Zhao Guoqiang: Zhao, Guoqiang)."""
    parts = name.split()
    if not parts or not all(re.fullmatch(r"[A-Za-z][A-Za-z'.-]*", p) for p in parts):
        return []
    ends = {parts[0], parts[-1]} if len(parts) > 1 else set()
    return [" ".join(parts), *sorted(e for e in ends if len(e) >= MIN_HIDDEN)]


def org_stems(name: str) -> list[str]:
    """Other names of an organisation: a well-known customer's full name and short forms found in it,
    the organisation a branch belongs to, and the name without its company suffix."""
    w = words()
    out: list[str] = []
    for full, short in w.short_forms.items():
        if full in name:
            out += [full, *short]
    name = name.rstrip()
    for head in _organisations(name, w):
        out += [head, *_without_suffix(head, w)]
    out += _without_suffix(name, w)
    return list(dict.fromkeys(out))


def _organisations(name: str, w: Words) -> list[str]:
    """The organisation a branch's name starts with: up to a comma, and up to the first type word."""
    out = []
    before, comma, _ = name.partition(",")
    if comma and len(before.split()) > 1:
        out.append(before.strip())
    for word, pattern in _type_patterns():
        m = pattern.search(name)
        if m is None or m.end() == len(name):
            continue
        head = name[: m.end()]
        latin = _LATIN_EDGE.match(word[0]) is not None
        if (latin and len(head.split()) > 1) or (not latin and len(head) >= len(word) + 2):
            out.append(head)
    return out


@cache
def _type_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The organisation type words, a Latin one only as a whole word."""
    return tuple((word, re.compile(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])" if _LATIN_EDGE.match(word[0])
                                   else re.escape(word))) for word in words().org_types)


def _without_suffix(name: str, w: Words) -> list[str]:
    """The name without its company suffix (Co., Ltd. and its Chinese forms), when enough of it is left."""
    out: list[str] = []
    if any(name.casefold().endswith(b.casefold()) for b in w.branch_suffixes):
        return out
    folded = name.casefold()
    for suffix in w.org_suffixes:  # the longest first
        if not folded.endswith(suffix.casefold()):
            continue
        head = name[: len(name) - len(suffix)]
        latin_word = _LATIN_EDGE.match(suffix[0]) and (not head or _LATIN_EDGE.match(head[-1]))
        if not latin_word:
            stem = head.rstrip(" ,.\uff0c")
            han = bool(re.match(f"[{HAN}]", stem))
            if (han and len(stem) >= 3) or (not han and (len(stem.split()) > 1 or len(stem) >= 6)):
                out.append(stem)
            break
    return out


def _derive(an: Anonymiser, people: Sequence[tuple[str, str]]) -> None:
    """The forms of address of ``people`` ((name, code) pairs): a form two people share becomes “someone”."""
    surnames: dict[str, set[str]] = {}
    latin: dict[str, set[str]] = {}
    for name, code in people:
        chinese = chinese_name(name)
        if chinese is not None:
            surname, full = chinese
            surnames.setdefault(surname, set()).add(code)
            surnames.setdefault(full, set()).add(code)
        for form in latin_ends(name):
            latin.setdefault(_key(form), set()).add(code)
            an.written.setdefault(_key(form), form)
    someone = t("anonymise.label.someone", an.lang)
    an.surnames = {k: next(iter(v)) if len(v) == 1 else someone for k, v in surnames.items()}
    an.latin = {k: next(iter(v)) if len(v) == 1 else someone for k, v in latin.items()}


def parse_hide_list(text: str) -> list[HiddenName]:
    """The hide list as typed, one entry a line: ``name`` or ``name = replacement``; blank lines and
    repeats skipped; an entry shorter than two characters, or too long, is an error naming its line."""
    out: list[HiddenName] = []
    seen: set[str] = set()
    for n, line in enumerate(text.splitlines(), start=1):
        name, _, replacement = line.replace("\uff1d", "=").partition("=")
        name, replacement = " ".join(name.split()), " ".join(replacement.split())
        if not name or _key(name) in seen:
            continue
        if len(name) < MIN_HIDDEN:
            raise InputError("anonymise.error.short", line=n, text=name, min=MIN_HIDDEN)
        if len(name) > 120 or len(replacement) > 200:
            raise InputError("anonymise.error.long", line=n, text=name[:40])
        seen.add(_key(name))
        out.append(HiddenName(text=name, replacement=replacement))
    if len(out) > MAX_HIDDEN:
        raise InputError("anonymise.error.too_many", count=len(out), max=MAX_HIDDEN)
    return out


def suspects_to_hide(review: Review, entries: Iterable[HiddenName]) -> list[str]:
    """The suspects of ``review`` not yet on the hide list ``entries``, each once, in review order
    (those too short to hide left out)."""
    known = {_key(e.text) for e in entries}
    new = [s.text for s in review.suspects if len(s.text) >= MIN_HIDDEN and _key(s.text) not in known]
    return list(dict.fromkeys(new))


def format_hide_list(entries: Iterable[HiddenName]) -> str:
    """The hide list as the trainee edits it (the inverse of ``parse_hide_list``)."""
    return "\n".join(f"{e.text} = {e.replacement}" if e.replacement else e.text for e in entries)


def make_codes(plan: AccountPlan, lang: Lang, first: list[TreeUnit] | None = None) -> Anonymiser:
    """The anonymiser of ``plan``: codes for its accounts (the shared account, ``plan.share.account_id``,
    first), key persons, tree units (those of ``first``, the tree shown, numbered first) and our
    colleagues; the forms of address and short forms derived from them; the hide list."""
    lang = check_lang(lang)
    an = Anonymiser(lang)
    accounts = sorted(plan.portfolio.items, key=lambda a: a.id != plan.share.account_id)  # stable
    for n, account in enumerate(accounts):
        an.accounts[account.id] = an.add(account.name, t("share.anon.account_code", lang, letter=letter_code(n)),
                                         "account")
    number = 0
    for person in plan.key_persons.items:
        if _key(person.name) not in an.names:
            number += 1
        an.persons[person.id] = an.add(person.name, t("share.anon.person_code", lang, number=number), "person")
    counters = {"unit": 0, "dmu": 0, "user": 0}
    everything = list(plan.customer_tree.items)
    ordered = [*tree_order(first or []), *tree_order(everything)]
    seen = {u.id for u in ordered}
    for unit in [*ordered, *(u for u in everything if u.id not in seen)]:
        if unit.id in an.units:
            continue
        if _key(unit.name) not in an.names:
            counters[unit.kind] += 1
        an.units[unit.id] = an.add(unit.name, t(f"share.anon.{unit.kind}", lang, number=counters[unit.kind]), "unit")
    number = 0
    for name in colleague_names(plan):
        if _key(name) not in an.names:
            number += 1
        an.colleagues[_key(name)] = an.add(name, t("anonymise.label.colleague", lang, number=number), "colleague")
    withheld = t("anonymise.label.hidden", lang)
    hidden = list(plan.sharing.hide)
    for entry in hidden:
        if entry.replacement and _key(entry.text) not in an.names:
            an.add(entry.text, entry.replacement, "hidden")
    for account in plan.portfolio.items:
        for stem in org_stems(account.name):
            an.add(stem, an.accounts[account.id], "short")
    for unit in everything:
        for stem in org_stems(unit.name):
            an.add(stem, an.units[unit.id], "short")
    for entry in hidden:
        an.add(entry.text, withheld, "hidden")
    people = [(p.name, an.persons[p.id]) for p in plan.key_persons.items]
    people += [(name, code) for name, code in ((n, an.colleagues.get(_key(n))) for n in colleague_names(plan))
               if code is not None]
    _derive(an, people)
    an.compile()
    return an
