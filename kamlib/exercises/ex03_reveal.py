"""Exercise 03's reveal: the tool's integrated strategy for the trainee's own placement of the case factors.

Whether a case factor is an advantage under our control is an answer, kept with the key; so the tool's
recommendation shown after submitting is computed from the quadrants the trainee chose (items
``quadrant_<code>``), each factor weighted by the importance the case states (the strategy item's
``reveal_args``), and compared with the strategy the trainee chose (item ``strategy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kamlib.i18n import Lang, Text
from kamlib.model.workbook import Factor
from kamlib.strategy import MIN_FACTORS, PAIRS, QUADRANTS, recommend


def factor_of(code: str, quadrant: str, importance: int) -> Factor:
    """Factor ``code`` as placed in ``quadrant`` (use/leverage: an advantage; leverage/eliminate: strong control)."""
    return Factor(text=code, advantage=quadrant in ("use", "leverage"),
                  strong_control=quadrant in ("leverage", "eliminate"), importance=importance)


def placed_factors(answers: Mapping[str, Any], importance: Mapping[str, int]) -> list[Factor]:
    """The case factors the trainee placed, in case order; a factor without a quadrant is left out."""
    return [factor_of(code, answers[f"quadrant_{code}"], weight) for code, weight in importance.items()
            if answers.get(f"quadrant_{code}") in QUADRANTS]


def strategy_feedback(answers: Mapping[str, Any], importance: Mapping[str, int]) -> list[Text]:
    """What the tool makes of the trainee's placement (its two readings), and whether their chosen strategy follows."""
    factors = placed_factors(answers, importance)
    if not factors:
        return [Text("ex03.reveal.none")]
    rec = recommend(factors)
    if rec.verdict == "too_few":
        return [Text("ex03.reveal.too_few", {"count": len(factors), "needed": MIN_FACTORS})]
    lines = []
    if len(factors) < len(importance):
        lines.append(Text("ex03.reveal.partial", {"count": len(factors), "total": len(importance)}))
    if rec.verdict == "tie":
        lines.append(Text("ex03.reveal.tie", {"names": Text.join([Text(f"strategy.name.{s}") for s in rec.tied])}))
    else:
        lines.append(Text("ex03.reveal.clear", {"name": Text(f"strategy.name.{rec.ranking[0]}")}))
    lines += rec.reading()
    chosen = answers.get("strategy")
    if chosen in PAIRS and rec.verdict == "clear":
        verdict = "agrees" if chosen == rec.ranking[0] else "differs"
        lines.append(Text(f"ex03.reveal.{verdict}", {"chosen": Text(f"strategy.name.{chosen}")}))
    return lines


def strategy_reveal(args: Mapping[str, Any], answers: Mapping[str, Any], lang: Lang) -> str:
    """The reveal's result: ``strategy_feedback`` in ``lang``, a line each, as plain text (no Markdown emphasis)."""
    return "\n".join(line.render(lang).replace("**", "") for line in strategy_feedback(answers, args["importance"]))
