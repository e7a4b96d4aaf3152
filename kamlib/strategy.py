"""Chapter 3.1–3.2: factors in four quadrants and the integrated-strategy recommender.

The six integrated strategies are the six pairs of the four responses (COURSE.md 3.2, ``PAIRS``).
The recommender reads the factors the way the deck's "when" sentences do, in two readings, each
factor weighted by its importance (1–5; all 1 when the trainee has not rated them, a plain count):

* **Advantages or disadvantages.** Are most factors advantages (quick win: "most
  factors are advantages and under your control") or disadvantages (delay and surprise:
  "most factors are disadvantages, whether or not under your control")?
* **Control.** Do you control most of your advantages? Most of your disadvantages? The other four
  sentences are the four answers: both (persevere: "you control most factors, advantages
  or disadvantages"), neither (venture forward: "you lack control over most factors, advantages or
  disadvantages"), the advantages only (play to strengths: "control over advantages, none
  over disadvantages"), the disadvantages only (bide your time: the reverse). With no
  disadvantages (or no advantages) only the one group is read, and only persevere or venture.

A reading's **strength** is how far the share its answer rests on is from half, in percentage
points: 7 advantages of 10 is 20 points; the control reading needs both of its answers, so it takes
the nearer of the two (control over 3 of 7 advantages and 1 of 3 disadvantages: "neither", by 7
points). The clearer reading decides. When both are exactly as clear, the deck's wording settles
it: delay and surprise holds "whether or not under your control", so it wins; quick win also asks
"and under your control", so it wins only when you control most of your advantages, else the
control reading does. When neither reading gives an answer (advantages exactly half, and a control
share exactly half) the profile is balanced: the strategies read equally well, a tie said plainly.
Fewer than ``MIN_FACTORS`` factors are too few to judge (the reading is still shown).

Quick win's "under your control" settles equal readings but is no requirement, because the deck's
own quick-win template controls only 3 of its 7 advantages. The pair sums used before (a strategy
scored the factors of its two quadrants) keep the six templates right but not the sentences: eight
advantages under control (0/8/1/1) tied persevere and play to strengths, and any set in one
quadrant tied three strategies.

The cases (counts use/leverage/reduce/eliminate; strengths in points; ``tests/test_strategy.py``
checks every row against its own copy of the expected column):

=========  =====================================================================  ================
U/L/R/E    reading                                                                recommended
=========  =====================================================================  ================
4/3/2/1    template: advantages 7/10 (20) > control 3/7, 1/3: neither (7)         quick_win
1/2/4/3    template: disadvantages 7/10 (20) > control 2/3, 3/7: advantages (7)   delay_surprise
4/1/4/1    template: advantages half (0) < control 1/5, 1/5: neither (30)         venture
1/4/1/4    template: advantages half (0) < control 4/5, 4/5: both (30)            persevere
4/2/1/4    template: advantages 6/11 (4.5) < control 2/6, 4/5: disadvantages (17) bide
1/4/4/1    template: advantages half (0) < control 4/5, 1/5: advantages (30)      strengths
0/8/1/1    advantages 8/10 (30) > control 8/8, 1/2: no answer                     quick_win
1/7/1/1    advantages 8/10 (30) > control 7/8, 1/2: no answer                     quick_win
1/6/1/2    advantages 7/10 (20) > control 6/7, 2/3: both (17)                     quick_win
1/6/0/3    advantages 7/10 (20) < control 6/7, 3/3: both (36)                     persevere
2/4/1/4    advantages 6/11 (4.5) < control 4/6, 4/5: both (17)                    persevere
5/0/0/0    advantages (50) = control 0/5: neither (50); advantages not controlled venture
0/5/0/0    advantages (50) = control 5/5: both (50); advantages controlled        quick_win
0/0/5/0    disadvantages (50) = control 0/5 (50); "whether or not"                delay_surprise
0/0/0/5    disadvantages (50) = control 5/5 (50); "whether or not"                delay_surprise
2/2/2/2    advantages half; control 2/4, 2/4: no answer                           tie: all six
1/1/2/0    advantages half; control 1/2, 0/2: no answer (venture, strengths 0)    tie: four
1/1/0/0    two factors: too few to judge (advantages 2/2 read, 50)                too_few
=========  =====================================================================  ================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, get_args

from kamlib.analysis import Quadrant, factor_quadrant
from kamlib.i18n import Text
from kamlib.model.workbook import Factor, Strategy
from kamlib.numbers import share_pct

QUADRANTS: tuple[Quadrant, ...] = ("use", "leverage", "reduce", "eliminate")
STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)

# The pair of responses each strategy pushes (the slide subtitles of COURSE.md 3.2, catalog strategy.pair).
PAIRS: dict[Strategy, tuple[Quadrant, Quadrant]] = {
    "quick_win": ("use", "leverage"),
    "delay_surprise": ("reduce", "eliminate"),
    "venture": ("use", "reduce"),
    "persevere": ("leverage", "eliminate"),
    "bide": ("use", "eliminate"),
    "strengths": ("leverage", "reduce"),
}

# The deck's template counts per strategy, in the order use / leverage / reduce / eliminate.
TEMPLATES: dict[Strategy, tuple[int, int, int, int]] = {
    "quick_win": (4, 3, 2, 1),
    "delay_surprise": (1, 2, 4, 3),
    "venture": (4, 1, 4, 1),
    "persevere": (1, 4, 1, 4),
    "bide": (4, 2, 1, 4),
    "strengths": (1, 4, 4, 1),
}

GOOD_READING: tuple[Strategy, ...] = ("quick_win", "delay_surprise")
CONTROL_READING: tuple[Strategy, ...] = ("persevere", "venture", "strengths", "bide")
MIN_FACTORS = 4  # fewer factors than this: too few to judge (the deck's templates hold ten)
HALF = Fraction(1, 2)

Verdict = Literal["clear", "tie", "too_few", "none"]
Settled = Literal["delay", "quick_win", "control_settled"]


def quadrant_weights(factors: Sequence[Factor]) -> dict[Quadrant, float]:
    """The weight (sum of importance) of the factors in each quadrant, in quadrant order."""
    out: dict[Quadrant, float] = dict.fromkeys(QUADRANTS, 0.0)
    for f in factors:
        out[factor_quadrant(f)] += f.importance
    return out


def quadrant_counts(factors: Sequence[Factor]) -> dict[Quadrant, int]:
    """How many factors sit in each quadrant."""
    out: dict[Quadrant, int] = dict.fromkeys(QUADRANTS, 0)
    for f in factors:
        out[factor_quadrant(f)] += 1
    return out


@dataclass(frozen=True)
class Profile:
    """The numbers both readings use: weights of the advantages and disadvantages, and how much of each we control."""

    advantages: Fraction
    controlled_advantages: Fraction
    disadvantages: Fraction
    controlled_disadvantages: Fraction

    @classmethod
    def of(cls, weights: dict[Quadrant, float]) -> Profile:
        w = {q: Fraction(weights[q]) for q in QUADRANTS}
        return cls(w["use"] + w["leverage"], w["leverage"], w["reduce"] + w["eliminate"], w["eliminate"])

    @property
    def total(self) -> Fraction:
        return self.advantages + self.disadvantages

    @property
    def advantage_share(self) -> Fraction | None:
        return self.advantages / self.total if self.total else None

    @property
    def control_of_advantages(self) -> Fraction | None:
        return self.controlled_advantages / self.advantages if self.advantages else None

    @property
    def control_of_disadvantages(self) -> Fraction | None:
        return self.controlled_disadvantages / self.disadvantages if self.disadvantages else None


def strengths(profile: Profile) -> dict[Strategy, Fraction | None]:
    """How far each strategy's sentence holds past half (a share, −½…½); None where it cannot be read.

    Quick win and delay: the advantages' share against half. The control strategies: the nearer to
    half of their two answers (control of the advantages, of the disadvantages); a group with no
    factors is not read, and play to strengths and bide need both groups.
    """
    out: dict[Strategy, Fraction | None] = dict.fromkeys(STRATEGIES)
    share = profile.advantage_share
    if share is None:
        return out
    out["quick_win"], out["delay_surprise"] = share - HALF, HALF - share
    ca, cd = profile.control_of_advantages, profile.control_of_disadvantages
    over_a = [] if ca is None else [ca - HALF]
    over_d = [] if cd is None else [cd - HALF]
    out["persevere"] = min(over_a + over_d)
    out["venture"] = min(-x for x in over_a + over_d)
    if ca is not None and cd is not None:
        out["strengths"] = min(ca - HALF, HALF - cd)
        out["bide"] = min(HALF - ca, cd - HALF)
    return out


def strategy_scores(weights: dict[Quadrant, float]) -> dict[Strategy, float | None]:
    """Each strategy's strength in percentage points past half (negative: its sentence does not hold)."""
    return {s: None if v is None else float(v * 100) for s, v in strengths(Profile.of(weights)).items()}


def _decide(strength: dict[Strategy, Fraction | None], profile: Profile) -> tuple[tuple[Strategy, ...], Settled | None]:
    """The strategies at the top after the deck's wording settles equal readings, and how it settled."""
    top = max(v for v in strength.values() if v is not None)
    best = tuple(s for s in STRATEGIES if strength[s] == top)
    if top <= 0 or len(best) == 1:
        return best, None
    (good,) = (s for s in best if s in GOOD_READING)  # two at the top, > 0: one of each reading
    (control,) = (s for s in best if s in CONTROL_READING)
    if good == "delay_surprise":
        return (good,), "delay"
    ca = profile.control_of_advantages
    if ca is not None and ca > HALF:
        return (good,), "quick_win"
    return (control,), "control_settled"


@dataclass(frozen=True)
class Recommendation:
    """The recommender's answer: the two readings, every strategy's strength, the best and how it was found."""

    weights: dict[Quadrant, float]
    counts: dict[Quadrant, int]
    profile: Profile
    strengths: dict[Strategy, Fraction | None]
    ranking: tuple[Strategy, ...]  # the recommendation (or the tied) first, then by strength; course order on ties
    verdict: Verdict
    weighted: bool  # the trainee rated importance (some factor is not 1)
    tied: tuple[Strategy, ...] = ()  # the strategies that read equally well (the best alone when there is one)
    settled: Settled | None = None  # equal readings settled by the deck's wording

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    @property
    def scores(self) -> dict[Strategy, float | None]:
        """Each strategy's strength in percentage points past half (None: cannot be read)."""
        return {s: None if v is None else float(v * 100) for s, v in self.strengths.items()}

    @property
    def best(self) -> Strategy | None:
        return self.ranking[0] if self.verdict != "none" else None

    @property
    def runner_up(self) -> Strategy | None:
        return self.ranking[1] if self.verdict != "none" else None

    @property
    def margin(self) -> float:
        """Points between the best and the runner-up (0 on a tie or when equal readings were settled)."""
        if self.verdict == "none":
            return 0.0
        first, second = (self.strengths[s] for s in self.ranking[:2])
        return float(((first or 0) - (second or 0)) * 100)

    @property
    def good_reading(self) -> Strategy | None:
        """What the advantages/disadvantages reading says: quick win, delay, or None (exactly half)."""
        s = self.strengths["quick_win"]
        return None if s is None or s == 0 else ("quick_win" if s > 0 else "delay_surprise")

    @property
    def control_reading(self) -> Strategy | None:
        """What the control reading says (persevere, venture, play to strengths, bide), or None (no answer)."""
        return next((s for s in CONTROL_READING if (self.strengths[s] or 0) > 0), None)

    def reading(self) -> list[Text]:
        """The two readings in the course's words, then what decided between them."""
        if self.verdict == "none":
            return []
        p = self.profile
        lines = [Text("strategy.why.weighted" if self.weighted else "strategy.why.counted", {"total": _num(p.total)})]
        good = self.good_reading
        lines.append(Text("strategy.read.good", {
            "part": _num(p.advantages), "whole": _num(p.total), "share": share_pct(p.advantage_share),
            "answer": self._answer(good, "strategy.read.answer", "strategy.read.no_answer")}))
        ca, cd = p.control_of_advantages, p.control_of_disadvantages
        facts = "both" if ca is not None and cd is not None else "advantages" if ca is not None else "disadvantages"
        lines.append(Text("strategy.read.control", {
            "facts": Text(f"strategy.read.facts.{facts}", {
                "ca": _num(p.controlled_advantages), "adv": _num(p.advantages), "ca_share": share_pct(ca),
                "cd": _num(p.controlled_disadvantages), "dis": _num(p.disadvantages), "cd_share": share_pct(cd)}),
            "answer": self._answer(self.control_reading, "strategy.read.answer_nearer" if facts == "both"
                                   else "strategy.read.answer", "strategy.read.no_answer_control")}))
        if len(self.tied) == 1:
            best = self.ranking[0]
            if self.settled is not None:
                lines.append(Text(f"strategy.decide.{self.settled}", {"name": Text(f"strategy.name.{best}")}))
            else:
                which = "good" if best in GOOD_READING else "control"
                lines.append(Text(f"strategy.decide.{which}", {"name": Text(f"strategy.name.{best}")}))
        return lines

    def _answer(self, strategy: Strategy | None, answer: str, no_answer: str) -> Text:
        if strategy is None:
            return Text(no_answer)
        return Text(answer, {"name": Text(f"strategy.name.{strategy}"), "points": _points(self.strengths[strategy])})

    def explanation(self) -> list[Text]:
        """Why, in the course's words: the verdict, the two readings and what decided, the deck's 'when'."""
        if self.verdict == "none":
            return [Text("strategy.why.none")]
        lines = []
        if self.verdict == "too_few":
            lines.append(Text("strategy.why.too_few", {"count": sum(self.counts.values()), "needed": MIN_FACTORS}))
        if len(self.tied) > 1:
            names = [Text(f"strategy.name.{s}") for s in self.tied]
            return [*lines, Text("strategy.why.tie", {"count": len(names), "names": Text.join(names)}), *self.reading()]
        best = self.ranking[0]
        return [*lines, Text("strategy.why.clear", {"name": Text(f"strategy.name.{best}")}), *self.reading(),
                Text(f"strategy.when.{best}")]


def _num(value: Fraction | float) -> str:
    return f"{float(value):g}"


def _points(strength: Fraction | None) -> str:
    return f"{round(float(strength or 0) * 100, 1):g}"


def recommend(factors: Sequence[Factor]) -> Recommendation:
    """Recommend the integrated strategy the deck's "when" sentences read in the factors (module docstring)."""
    weights = quadrant_weights(factors)
    profile = Profile.of(weights)
    strength = strengths(profile)
    weighted = any(f.importance != 1 for f in factors)
    order = {s: i for i, s in enumerate(STRATEGIES)}

    def rank(first: tuple[Strategy, ...]) -> tuple[Strategy, ...]:
        rest = sorted((s for s in STRATEGIES if s not in first),
                      key=lambda s: (strength[s] is None, -(strength[s] or 0), order[s]))
        return (*first, *rest)

    if not factors:
        return Recommendation(weights, quadrant_counts(factors), profile, strength, STRATEGIES, "none", weighted)
    best, settled = _decide(strength, profile)
    if len(factors) < MIN_FACTORS:
        verdict: Verdict = "too_few"
    else:
        verdict = "tie" if len(best) > 1 else "clear"
    return Recommendation(weights, quadrant_counts(factors), profile, strength, rank(best), verdict, weighted,
                          tied=best, settled=settled)


def template_factors(strategy: Strategy) -> list[Factor]:
    """Factors laid out as the deck's template of ``strategy`` (for tests and the demo)."""
    return profile_factors(TEMPLATES[strategy])


def profile_factors(counts: Sequence[int]) -> list[Factor]:
    """Factors with the given counts per quadrant, in the order use / leverage / reduce / eliminate."""
    out = []
    for quadrant, count in zip(QUADRANTS, counts, strict=True):
        advantage = quadrant in ("use", "leverage")
        strong = quadrant in ("leverage", "eliminate")
        out += [Factor(text=f"{quadrant} {i + 1}", advantage=advantage, strong_control=strong) for i in range(count)]
    return out


def quadrant_of(advantage: bool, strong_control: bool) -> Quadrant:
    """The quadrant of an advantage/disadvantage × strong/weak control pair."""
    return factor_quadrant(Factor(text="-", advantage=advantage, strong_control=strong_control))
