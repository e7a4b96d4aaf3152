"""The customer-profile questionnaire, one of chapter 2's recommended tools.

The deck recommends Harvey Mackay's 66 questions for a customer profile. The workbook does not
reproduce them: the trainee writes their own questions about each key person, grouped as Mackay
groups his (the customer, education, family, business background, special interests, lifestyle,
the customer and you), and may take or leave a few short starter prompts per group, which are the
workbook's own wording (catalog ``questionnaire.prompt.<group>.<n>``). The answers fill the
person's profile (``PersonProfile.answers``).

A group counts as answered when at least one of its questions has an answer; a profile's
completeness is the groups answered out of the seven. Pure logic: no widgets, no charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import get_args

from kamlib.i18n import Lang, t
from kamlib.model.workbook import KeyPerson, PersonProfile, ProfileAnswer, ProfileGroup

GROUPS: tuple[ProfileGroup, ...] = get_args(ProfileGroup)
PROMPTS_PER_GROUP = 3


def starter_prompts(group: ProfileGroup, lang: Lang) -> list[str]:
    """The workbook's own starter prompts for ``group``, in ``lang`` (suggestions, never required)."""
    return [t(f"questionnaire.prompt.{group}.{n}", lang) for n in range(1, PROMPTS_PER_GROUP + 1)]


def is_answered(entry: ProfileAnswer) -> bool:
    """Whether the question has an answer (blank text is no answer)."""
    return bool(entry.answer.strip())


def by_group(answers: Iterable[ProfileAnswer]) -> dict[ProfileGroup, list[ProfileAnswer]]:
    """The questions of a profile per group, every group present, in group order."""
    out: dict[ProfileGroup, list[ProfileAnswer]] = {g: [] for g in GROUPS}
    for entry in answers:
        out[entry.group].append(entry)
    return out


@dataclass(frozen=True)
class ProfileCompleteness:
    """How complete one person's profile is: which groups hold an answer, and how many questions are open."""

    answered: tuple[ProfileGroup, ...]  # in group order
    questions: int
    open_questions: int
    total: int = len(GROUPS)

    @property
    def share(self) -> float:
        """Groups answered over all groups, 0.0–1.0."""
        return len(self.answered) / self.total

    def covers(self, group: ProfileGroup) -> bool:
        return group in self.answered

    @property
    def missing(self) -> tuple[ProfileGroup, ...]:
        """The groups without an answer yet, in group order."""
        return tuple(g for g in GROUPS if g not in self.answered)


def profile_completeness(profile: PersonProfile) -> ProfileCompleteness:
    """The groups of ``profile``'s questionnaire that hold at least one answer, out of the seven."""
    groups = by_group(profile.answers)
    answered = tuple(g for g, entries in groups.items() if any(is_answered(e) for e in entries))
    open_questions = sum(not is_answered(e) for e in profile.answers)
    return ProfileCompleteness(answered, len(profile.answers), open_questions)


def completeness_by_person(people: Sequence[KeyPerson]) -> dict[str, ProfileCompleteness]:
    """Each key person's profile completeness, by id, in the order of ``people``."""
    return {p.id: profile_completeness(p.profile) for p in people}
