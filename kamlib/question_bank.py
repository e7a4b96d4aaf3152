"""The company question bank, one of chapter 2's recommended tools: questions to ask at each step of
the five-step method (organisation, key links, customer needs, decision process, push plan).

The workbook brings a few starter questions per step in its own wording (catalog
``question_bank.starter.<step>.<n>``); the trainee adds, edits and deletes their own, and writes down
what the customer answered. The bank is saved with the account plan (``plan.question_bank``).
Pure logic: no widgets, no charts.
"""

from __future__ import annotations

from collections.abc import Iterable

from kamlib.i18n import LANGS, Lang, t
from kamlib.model.workbook import BankQuestion

STEPS: tuple[int, ...] = (1, 2, 3, 4, 5)
# How many starter questions each step has in the catalogs.
STARTERS: dict[int, int] = {1: 3, 2: 3, 3: 4, 4: 4, 5: 3}


def starter_keys() -> list[str]:
    """Every starter question's key (``"<step>.<n>"``), step by step."""
    return [f"{step}.{n}" for step in STEPS for n in range(1, STARTERS[step] + 1)]


def starter_questions(lang: Lang) -> list[BankQuestion]:
    """The workbook's starter questions for every step, in ``lang``, not yet answered."""
    return [BankQuestion(step=int(key.split(".")[0]), question=t(f"question_bank.starter.{key}", lang), starter=key)
            for key in starter_keys()]


def missing_starters(items: Iterable[BankQuestion], lang: Lang) -> list[BankQuestion]:
    """The starter questions not yet in the bank: neither added before (even if edited or answered since)
    nor typed by the trainee in the same words (in either language; spaces and case ignored)."""
    items = list(items)
    added = {q.starter for q in items if q.starter}
    typed = {_norm(q.question) for q in items}

    def present(q: BankQuestion) -> bool:
        assert q.starter is not None
        same_words = any(_norm(t(f"question_bank.starter.{q.starter}", other)) in typed for other in LANGS)
        return q.starter in added or same_words

    return [q for q in starter_questions(lang) if not present(q)]


def by_step(items: Iterable[BankQuestion]) -> dict[int, list[BankQuestion]]:
    """The bank's questions per step, every step present, in step order (entry order within a step)."""
    out: dict[int, list[BankQuestion]] = {step: [] for step in STEPS}
    for q in items:
        out[q.step].append(q)
    return out


def answered_count(items: Iterable[BankQuestion]) -> tuple[int, int]:
    """(questions with an answer, all questions)."""
    items = list(items)
    return sum(bool(q.answer.strip()) for q in items), len(items)


def _norm(text: str) -> str:
    return "".join(text.split()).casefold()
