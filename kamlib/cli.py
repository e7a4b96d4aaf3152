"""``kam``: the workbook's command line, thin over the logic."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kamlib.errors import KamError
from kamlib.i18n import Lang, resolve_lang, t


def _score(args: argparse.Namespace, lang: Lang) -> int:
    from kamlib.exercises import load_exercise
    from kamlib.forms.instructor import answer_label
    from kamlib.grading import grade, load_key
    from kamlib.submission import load_submission

    for path in args.files:
        submission = load_submission(path)
        result = grade(submission, load_key(submission.exercise_id, args.keys))
        exercise = load_exercise(result.exercise_id)
        print(t("cli.score_head", lang, file=path, trainee=submission.trainee.name,
                total=f"{result.total:g}", max=f"{result.max_total:g}"))
        for r in result.items:
            given = answer_label(exercise, r.item_id, submission.answers.get(r.item_id), lang)
            print(f"  {r.item_id}  {r.points:g}/{r.max_points:g}  "
                  f"{t(f'grading.status.{r.status}', lang)}  [{given}]")
    return 0


def _keys(args: argparse.Namespace, lang: Lang) -> int:
    from kamlib.exercises import exercise_ids
    from kamlib.grading import load_key, write_check_data

    for exercise_id in exercise_ids():
        path = write_check_data(load_key(exercise_id, args.keys))
        print(t("cli.keys_written", lang, file=str(path)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kam", description="Key account workbook tools")
    parser.add_argument("--lang", help="zh or en (default: KAM_LANG, else zh)")
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help="score submission files against the answer keys")
    score.add_argument("files", nargs="+")
    score.add_argument("--keys", help="folder of answer keys (default: solutions/keys)")
    keys = sub.add_parser("keys", help="regenerate the self-check digests from the answer keys")
    keys.add_argument("--keys", help="folder of answer keys (default: solutions/keys)")
    args = parser.parse_args(argv)
    lang = resolve_lang(args.lang)
    try:
        return {"score": _score, "keys": _keys}[args.command](args, lang)
    except KamError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
