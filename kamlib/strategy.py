"""Chapter 3.1–3.2: factors in four quadrants and the integrated-strategy recommender.

The six integrated strategies are the six pairs of the four responses (COURSE.md 3.2): each
slide's subtitle names its pair, and each template's two largest counts are that pair. So the
recommender scores every strategy by the factors its two quadrants hold, each factor weighted by
its importance (1–5; all 1 when the trainee has not rated them, i.e. a plain count), and
recommends the highest. It says so plainly when two strategies share the top score (a tie) or
when there are fewer than ``MIN_FACTORS`` factors (too few to judge); the ranking is shown then
too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from kamlib.analysis import Quadrant, factor_quadrant
from kamlib.i18n import Text
from kamlib.model.workbook import Factor, Strategy

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

MIN_FACTORS = 4  # fewer factors than this: too few to judge (the deck's templates hold ten)

Verdict = Literal["clear", "tie", "too_few", "none"]


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


def strategy_scores(weights: dict[Quadrant, float]) -> dict[Strategy, float]:
    """Each strategy's score: the weight of its pair of quadrants."""
    return {s: weights[a] + weights[b] for s, (a, b) in PAIRS.items()}


@dataclass(frozen=True)
class Recommendation:
    """The recommender's answer: every strategy's score, the best, the runner-up and the margin."""

    weights: dict[Quadrant, float]
    counts: dict[Quadrant, int]
    scores: dict[Strategy, float]
    ranking: tuple[Strategy, ...]  # highest score first; equal scores in course order
    verdict: Verdict
    weighted: bool  # the trainee rated importance (some factor is not 1)

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    @property
    def best(self) -> Strategy | None:
        return self.ranking[0] if self.verdict != "none" else None

    @property
    def runner_up(self) -> Strategy | None:
        return self.ranking[1] if self.verdict != "none" else None

    @property
    def margin(self) -> float:
        return self.scores[self.ranking[0]] - self.scores[self.ranking[1]]

    @property
    def tied(self) -> tuple[Strategy, ...]:
        """The strategies that share the top score (one when the verdict is clear)."""
        top = self.scores[self.ranking[0]]
        return tuple(s for s in self.ranking if self.scores[s] == top)

    def explanation(self) -> list[Text]:
        """Why, in the course's words: the verdict, the pair and its weight, the deck's 'when'."""
        if self.verdict == "none":
            return [Text("strategy.why.none")]
        best = self.ranking[0]
        a, b = PAIRS[best]
        basis = "strategy.why.weighted" if self.weighted else "strategy.why.counted"
        lines = [Text(basis, {
            "first": Text(f"analysis.quadrant.{a}"), "second": Text(f"analysis.quadrant.{b}"),
            "score": _num(self.scores[best]), "total": _num(self.total),
        })]
        if self.verdict == "tie":
            names = [Text(f"strategy.name.{s}") for s in self.tied]
            lines.insert(0, Text("strategy.why.tie", {"count": len(names), "names": Text.join(names)}))
        elif self.verdict == "too_few":
            lines.insert(0, Text("strategy.why.too_few", {"count": sum(self.counts.values()),
                                                           "needed": MIN_FACTORS}))
        else:
            lines.insert(0, Text("strategy.why.clear", {
                "name": Text(f"strategy.name.{best}"), "runner_up": Text(f"strategy.name.{self.ranking[1]}"),
                "margin": _num(self.margin),
            }))
        lines.append(Text(f"strategy.when.{best}"))
        return lines


def _num(value: float) -> str:
    return f"{value:g}"


def recommend(factors: Sequence[Factor]) -> Recommendation:
    """Recommend the integrated strategy whose pair of quadrants holds the most (weighted) factors."""
    weights = quadrant_weights(factors)
    scores = strategy_scores(weights)
    ranking = tuple(sorted(STRATEGIES, key=lambda s: (-scores[s], STRATEGIES.index(s))))
    if not factors:
        verdict: Verdict = "none"
    elif len(factors) < MIN_FACTORS:
        verdict = "too_few"
    elif scores[ranking[0]] == scores[ranking[1]]:
        verdict = "tie"
    else:
        verdict = "clear"
    return Recommendation(weights=weights, counts=quadrant_counts(factors), scores=scores, ranking=ranking,
                          verdict=verdict, weighted=any(f.importance != 1 for f in factors))


def template_factors(strategy: Strategy) -> list[Factor]:
    """Factors laid out as the deck's template of ``strategy`` (for tests and the demo)."""
    out = []
    for quadrant, count in zip(QUADRANTS, TEMPLATES[strategy], strict=True):
        advantage = quadrant in ("use", "leverage")
        strong = quadrant in ("leverage", "eliminate")
        out += [Factor(text=f"{quadrant} {i + 1}", advantage=advantage, strong_control=strong) for i in range(count)]
    return out


def quadrant_of(advantage: bool, strong_control: bool) -> Quadrant:
    """The quadrant of an advantage/disadvantage × strong/weak control pair."""
    return factor_quadrant(Factor(text="-", advantage=advantage, strong_control=strong_control))
