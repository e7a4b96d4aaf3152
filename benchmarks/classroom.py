"""The live classroom at class size: 50 trainees, each with two submissions of every exercise and a Share 1
card, in an exchange-like folder. Measured: reading who handed in what, reading the cards, the gallery's HTML,
grading the exchange into the gradebook (first and again, as the dashboard does at every Refresh), and the
whole live dashboard page (built, then refreshed).

Run alone with `python benchmarks/classroom.py`; `measure()` returns the rows like the other scripts.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from pathlib import Path

from measure import Row, report

from kamlib.class_gallery import gallery_html
from kamlib.class_share import SharedCard, SharedUnit, read_class_cards, write_shared_card
from kamlib.exercises import exercise_ids
from kamlib.gradebook import grade_class
from kamlib.grading import load_key, model_answers
from kamlib.live_class import read_live
from kamlib.model.workbook import Trainee
from kamlib.submission import Submission, write_submission

TRAINEES = 50


def build_class(root: Path, trainees: int = TRAINEES) -> Path:
    """``root/inbound/<trainee>/``: two submissions of every exercise and one card each."""
    inbound = root / "inbound"
    answers = {ex: model_answers(load_key(ex), "zh") for ex in exercise_ids()}
    for n in range(1, trainees + 1):
        trainee = Trainee(id=f"t{n:02d}", name=f"Trainee {n}")
        for ex, given in answers.items():
            for _ in range(2):
                write_submission(Submission(exercise_id=ex, trainee=trainee, answers=given), inbound)
        units = [SharedUnit(name=f"DMU-{k}", kind="dmu", level=1 + k % 3) for k in range(12)]
        write_shared_card(SharedCard(trainee_id=trainee.id, account=f"Industry · Account {n}", account_chosen=True,
                                     goal="Raise SoW " * 30, problem="A rival " * 30, organisation="IT " * 50,
                                     people=[f"Title · Person {k}" for k in range(8)], units=units,
                                     radp_box="R3", radp_level=3, key_account="top"), inbound)
    return root


def _seconds(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def measure() -> list[Row]:
    from kamlib.forms.classroom import RefreshForm
    from kamlib.forms.gradebook import dashboard_page

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KAM_HOME"] = str(Path(tmp) / "home")
        root = build_class(Path(tmp) / "exchange")
        inbound = root / "inbound"
        rows.append(("classroom: who handed in what, 50 × 7 × 2 files (s)", _seconds(lambda: read_live(inbound)), 1.0))
        rows.append(("classroom: 50 shared cards read (s)", _seconds(lambda: read_class_cards(inbound)), 0.5))
        cards = read_class_cards(inbound).cards
        rows.append(("classroom: gallery HTML of 50 cards (s)", _seconds(lambda: gallery_html(cards, [], "zh")), 0.2))
        rows.append(("classroom: gallery HTML of 50 cards (kB)", len(gallery_html(cards, [], "zh")) / 1000, None))
        book = Path(tmp) / "book"
        rows.append(("classroom: exchange graded, first time (s)",
                     _seconds(lambda: grade_class([], book, exchange=root, check_owner=False)), 10.0))
        rows.append(("classroom: exchange graded again, nothing new (s)",
                     _seconds(lambda: grade_class([], book, exchange=root, check_owner=False)), 5.0))
        with contextlib.redirect_stdout(io.StringIO()):
            start = time.perf_counter()
            page = dashboard_page(lang="zh", gradebook=book, collected=inbound)
            rows.append(("classroom: live dashboard built (s)", time.perf_counter() - start, 10.0))
            refresh = next(f for f in page._forms if isinstance(f, RefreshForm))
            rows.append(("classroom: live dashboard refreshed (s)", _seconds(refresh.refresh), 10.0))
    return rows


if __name__ == "__main__":
    print(report(measure()))
