"""No catalog key that no code uses.

A key counts as used when the code names it, or could build it: the string constants and f-strings of the
package, the notebooks (trainee, solution and instructor copies) and the data files are read, not run.

- a string constant that is a key uses it; one that is a table of keys (``"ch1.heading"``, ``"ex02.who."``) uses
  every key under it (the code adds the rest, as ``t(prefix + name)``);
- an f-string is read as a pattern, each ``{...}`` standing for any text (or for its constants, in
  ``{'yes' if x else 'no'}``): ``f"ex02.who.{code}"`` uses every ``ex02.who.*`` key. What it builds may itself be a
  table, as ``f"{prefix}.{value}"`` adds to it. An f-string that starts with ``{...}`` (``f"{exercise_id}.title"``)
  stands for a catalog named anywhere as a constant, such as ``"ex01"``;
- a ``str.format`` template that starts with a catalog's name is read like an f-string;
- in data files (exercise definitions, cases, answer keys) every string value and table name counts as a constant;
  a quoted key in a template file too.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from kamlib.i18n import LANGS, catalog

ROOT = Path(__file__).resolve().parents[1]
CODE_FOLDERS = ("kamlib", "notebooks", "exercises", "solutions", "instructor")
CATALOGS = ROOT / "kamlib" / "i18n"
TEMPLATE_SUFFIXES = {".html", ".j2", ".jinja", ".jinja2", ".md", ".txt"}

# Course content the tests hold to the course's terms (tests/test_analysis.py) but no page shows yet: kept.
KEPT_UNUSED = ("analysis.technique.", "analysis.caution.")

ANY = ".+"


def _slot(node: ast.expr) -> str:
    """The pattern of one ``{...}`` of an f-string: its constants when it is made of them, else any text."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if isinstance(node, ast.IfExp):
        body, orelse = _slot(node.body), _slot(node.orelse)
        return ANY if ANY in (body, orelse) else f"(?:{body}|{orelse})"
    return ANY


class Uses:
    """What the code and data name: string constants and patterns (from f-strings and format templates)."""

    def __init__(self) -> None:
        self.constants: set[str] = set()
        self.patterns: set[str] = set()

    def add_python(self, source: str) -> None:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                self.constants.add(node.value)
            elif isinstance(node, ast.JoinedStr):
                self.patterns.add("".join(re.escape(v.value) if isinstance(v, ast.Constant) else _slot(v.value)
                                          for v in node.values if isinstance(v, ast.Constant | ast.FormattedValue)))

    def add_notebook(self, text: str) -> None:
        for cell in json.loads(text)["cells"]:
            if cell["cell_type"] == "code":
                lines = "".join(cell["source"]).splitlines()
                self.add_python("\n".join(x for x in lines if not x.lstrip().startswith(("%", "!"))))

    def add_data(self, value: object) -> None:
        if isinstance(value, dict):
            self.constants.update(str(k) for k in value)
            for v in value.values():
                self.add_data(v)
        elif isinstance(value, list):
            for v in value:
                self.add_data(v)
        elif isinstance(value, str):
            self.constants.add(value)

    def add_template(self, text: str) -> None:
        self.constants.update(re.findall(r"""["']([A-Za-z0-9_.]+)["']""", text))

    def used(self, keys: Iterable[str]) -> set[str]:
        """The keys of ``keys`` these constants and patterns use."""
        keys = set(keys)
        names = {k.split(".", 1)[0] for k in keys}
        regexes = []
        for s in self.constants:
            if "{" in s and s.split(".", 1)[0] in names:  # a str.format template
                regexes.append(re.sub(r"\\\{[^{}]*\\\}", ANY, re.escape(s)))
            elif "." in s.rstrip(".") or (s.endswith(".") and s[:-1] in names):
                regexes.append(re.escape(s.rstrip(".")))
        named = sorted(names & self.constants)
        for p in self.patterns:
            if re.match(r"[A-Za-z0-9_]+\\\.", p) and p.split("\\", 1)[0] in names:
                regexes.append(p)
            elif p.startswith(ANY + r"\.") and re.search("[A-Za-z]", p.replace(ANY, "")) and named:
                regexes.append(f"(?:{'|'.join(map(re.escape, named))})(?:\\..+)?" + p[len(ANY):])
        # a key, or a table the code adds to
        built = re.compile(f"(?:{'|'.join(regexes)})(?:\\..+)?") if regexes else None
        return {k for k in keys if k in self.constants or (built is not None and built.fullmatch(k))}


def project_uses() -> Uses:
    uses = Uses()
    for folder in CODE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or path.parent.parent == CATALOGS or ".ipynb_checkpoints" in path.parts:
                continue
            text = path.read_text(encoding="utf-8") if path.suffix in {".py", ".ipynb", ".toml", ".json",
                                                                        *TEMPLATE_SUFFIXES} else ""
            if path.suffix == ".py":
                uses.add_python(text)
            elif path.suffix == ".ipynb":
                uses.add_notebook(text)
            elif path.suffix == ".toml":
                uses.add_data(tomllib.loads(text))
            elif path.suffix == ".json":
                uses.add_data(json.loads(text))
            elif path.suffix in TEMPLATE_SUFFIXES:
                uses.add_template(text)
    return uses


def unused_keys() -> list[str]:
    keys = set().union(*(catalog(lang) for lang in LANGS))
    used = project_uses().used(keys)
    return sorted(k for k in keys - used if not k.startswith(KEPT_UNUSED))


def test_every_catalog_key_is_used() -> None:
    """A key no code names is text nobody sees: delete it from both catalogs (or show it)."""
    assert unused_keys() == []


def test_kept_keys_are_still_there() -> None:
    assert all(any(k.startswith(prefix) for k in catalog("en")) for prefix in KEPT_UNUSED)


def test_the_finder_sees_literal_prefix_and_computed_keys() -> None:
    uses = Uses()
    uses.add_python('''
t("a.plain", lang)
t(f"b.who.{code}", lang)
t(f"{exercise_id}.title", lang) + t(f"{key}.{'yes' if x else 'no'}", lang)
prefix = f"{exercise_id}.{item}.choice"
label = t(prefix + "x", lang) + t("c.level." + level, lang) + "d.{n}.name".format(n=1)
''')
    uses.add_data({"id": "ex01", "choice_labels": "e.side"})
    keys = {"a.plain", "a.unused", "b.who.p1", "b.whom", "ex01.title", "ex01.case.yes", "ex01.case.maybe",
            "ex01.q1.choice.a", "c.level.l0", "d.3.name", "e.side.us", "zz.title"}
    assert sorted(keys - uses.used(keys)) == ["a.unused", "b.whom", "ex01.case.maybe", "zz.title"]
