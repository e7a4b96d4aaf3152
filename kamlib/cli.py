"""``kam``: the workbook's command line, thin over the logic."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kamlib.errors import InputError, KamError
from kamlib.export_cli import add_export_parser, export_command
from kamlib.i18n import LANGS, Lang, resolve_lang, t

MAX_PROBLEM_LINES = 20  # ``kam screen`` lists this many problems, then counts the rest


def _printable_lines(text: str) -> str:
    """A message that may quote a trainee's file, each of its lines in printable form."""
    from kamlib.safe_text import printable

    return "\n".join(printable(line) for line in text.split("\n"))


def _score(args: argparse.Namespace, lang: Lang) -> int:
    """Score each file given; one that cannot be scored gets a line naming it and the others are still
    scored. Exit status 2 (as for any error) when some file was not scored."""
    from kamlib.exercises import answer_text
    from kamlib.grading import grade, load_key
    from kamlib.safe_text import printable
    from kamlib.submission import load_submission

    failed = 0
    for path in args.files:
        try:
            submission = load_submission(path)
            result = grade(submission, load_key(submission.exercise_id, args.keys))
        except KamError as exc:
            problem = exc.message(lang)
        except Exception as exc:  # e.g. a checking function that chokes on an odd answer: still one line
            problem = f"{type(exc).__name__}: {exc}"[:200]
        else:
            print(t("cli.score_head", lang, file=printable(path), trainee=printable(submission.trainee.name),
                    total=f"{result.total:g}", max=f"{result.max_total:g}"))
            for r in result.items:
                given = answer_text(result.exercise_id, r.item_id, submission.answers.get(r.item_id), lang)
                print(f"  {r.item_id}  {r.points:g}/{r.max_points:g}  "
                      f"{t(f'grading.status.{r.status}', lang)}  [{printable(given)}]")
            continue
        failed += 1
        print(_printable_lines(t("cli.score_failed", lang, file=printable(path), problem=problem)), file=sys.stderr)
    if failed:
        print(t("cli.score_failed_count", lang, count=failed, total=len(args.files)), file=sys.stderr)
        return 2
    return 0


def _keys(args: argparse.Namespace, lang: Lang) -> int:
    from kamlib.exercises import exercise_ids
    from kamlib.grading import load_key, write_check_data

    for exercise_id in exercise_ids():
        path = write_check_data(load_key(exercise_id, args.keys))
        print(t("cli.keys_written", lang, file=str(path)))
    return 0


def _screen(args: argparse.Namespace, lang: Lang) -> int:
    """Classify an account list into the RADP boxes: a summary, and the rows with their boxes if --out."""
    from kamlib.accounts_io import read_account_table, write_table
    from kamlib.screening import box_summary, classify
    from kamlib.settings import load_settings

    out_path = Path(args.out) if args.out else None
    if out_path is not None:
        if out_path.suffix.lower() not in (".csv", ".xlsx"):
            raise InputError("accounts_io.error.write_suffix", file=str(out_path), suffix=out_path.suffix or "-")
        if out_path.exists() and out_path.resolve() == Path(args.file).resolve():
            raise InputError("cli.screen.same_file", file=str(out_path))
    table = read_account_table(args.file)
    frame = table.frame
    result = classify(frame["sow_pct"], frame["bp_wan"], load_settings().radp)
    print(t("cli.screen.read", lang, file=args.file, count=table.rows_read, good=len(frame),
            skipped=table.skipped_rows))
    for notice in table.notices:
        print(notice.render(lang))
    print()
    print("\n".join(box_summary(frame["bp_wan"], result["box"]).lines(lang)))
    if table.problems:
        columns = ", ".join(f"“{c}” {n:,}" for c, n in table.problems_by_column())
        print()
        print(t("cli.screen.skipped", lang, count=table.skipped_rows, columns=columns))
        for problem in table.problems[:MAX_PROBLEM_LINES]:
            print(f"  {problem.message(lang)}")
        more = len(table.problems) - MAX_PROBLEM_LINES
        if more > 0:
            print("  " + t("cli.screen.more", lang, count=more))
    if out_path is not None:
        rows = table.with_boxes(result)
        write_table(rows, out_path)
        print()
        print(t("cli.screen.written", lang, file=str(out_path), rows=len(rows)))
    return 0


def _app(args: argparse.Namespace, lang: Lang) -> int:
    from kamlib import paths
    from kamlib.app import run_app

    print(t("cli.app_open", lang), end="")
    return run_app(paths.course_root(), args.port)


def _lab(args: argparse.Namespace, lang: Lang) -> int:
    from kamlib import paths
    from kamlib.app import run_lab

    print(t("cli.lab_open", lang), end="")
    return run_lab(paths.course_root(), args.port)


class ProgressBar:
    """A ``(done, total)`` progress callback drawn by tqdm on stderr, as papermill draws its cells:
    ``label [#####.....] 12/50`` on one line, left in place when closed."""

    WIDTH = 30

    def __init__(self, label: str) -> None:
        self.label = label
        self._bar: Any = None  # the tqdm bar, made at the first call (it needs the total)

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=self.label, file=sys.stderr, ascii=".#", leave=True,
                             bar_format=f"{{desc}} [{{bar:{self.WIDTH}}}] {{n_fmt}}/{{total_fmt}}")
        if self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """Draw the last state and end the line (nothing when the bar was never drawn)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _write_file(path: Path, data: bytes) -> None:
    """Replace ``path`` in one step (``kamlib.atomic``), a new file as readable as ``open()`` makes it; a file that
    cannot be written is an error naming it."""
    from kamlib.atomic import OPEN_MODE, write_atomic
    from kamlib.tables.replace_file import write_failed

    try:
        write_atomic(path, data, new_mode=OPEN_MODE)
    except OSError as exc:
        raise write_failed(path, exc) from exc


def _gradebook_folder(args: argparse.Namespace) -> str:
    from kamlib import paths

    return args.out if args.out else str(paths.gradebook_dir())


def _exchange(given: str | None) -> str | None:
    """The class exchange an option names: ``None`` when not asked for; the option alone means ``KAM_EXCHANGE``."""
    from kamlib import paths
    from kamlib.exchange import ExchangeError

    if given is None:
        return None
    root = given or paths.exchange_root()
    if not root:
        raise ExchangeError("exchange.not_set")
    return str(root)


def _grade(args: argparse.Namespace, lang: Lang) -> int:
    """Grade a class: read the sources, update the gradebook, write the exports, print the report."""
    from kamlib.gradebook import grade_class, read_groups, read_roster, write_exports
    from kamlib.settings import load_settings

    settings = load_settings(args.settings) if args.settings else load_settings()
    roster = read_roster(args.roster) if args.roster else None
    groups = read_groups(args.groups) if args.groups else None
    exercises = [e.strip() for e in (args.exercises or "").split(",") if e.strip()]
    exchange = _exchange(args.exchange)
    bar = ProgressBar(t("cli.grade.progress", lang))
    try:
        report = grade_class(args.sources, _gradebook_folder(args), keys=args.keys, settings=settings,
                             roster=roster, exercises=exercises, progress=bar, groups=groups, exchange=exchange,
                             check_owner=not args.any_owner)
    finally:
        bar.close()
    lines = report.lines(lang)
    print("\n".join(lines))
    files = write_exports(report.gradebook, lang)
    for path in files:
        print(t("cli.grade.written", lang, file=str(path)))
    log = Path(report.gradebook).parent / f"report-{lang}.txt"
    _write_file(log, ("\n".join(lines) + "\n").encode("utf-8"))
    print(t("cli.grade.next", lang, folder=str(Path(report.gradebook).parent)))
    return 0


def _marks(args: argparse.Namespace, lang: Lang) -> int:
    """Import manual scores from a CSV, or write the CSV template to fill in."""
    from kamlib.gradebook import import_manual_csv, manual_template, read_gradebook, write_exports

    folder = _gradebook_folder(args)
    if args.template:
        text = manual_template(read_gradebook(folder), lang, exercise=args.exercise, every_item=args.all_items)
        _write_file(Path(args.template), text.encode("utf-8-sig"))
        print(t("cli.marks.template", lang, file=args.template))
        return 0
    if not args.file:
        print(t("cli.marks.what", lang), file=sys.stderr)
        return 2
    count = import_manual_csv(folder, args.file)
    print(t("cli.marks.imported", lang, count=count, file=args.file))
    for path in write_exports(folder, lang):
        print(t("cli.grade.written", lang, file=str(path)))
    return 0


def _feedback(args: argparse.Namespace, lang: Lang) -> int:
    """One HTML page per trainee, in the trainee's language unless --feedback-lang says otherwise."""
    from kamlib.feedback import Figures, write_feedback

    figures: Figures | None = None
    if not args.no_charts:
        from kamlib.charts.feedback import submission_pngs  # matplotlib: only for pages with charts

        figures = submission_pngs
    bar = ProgressBar(t("cli.feedback.progress", lang))
    try:
        pages = write_feedback(_gradebook_folder(args), args.to, lang=args.feedback_lang, trainees=args.trainee,
                               keys=args.keys, figures=figures, progress=bar)
    finally:
        bar.close()
    folder = pages[0].parent if pages else args.to or ""
    print(t("cli.feedback.written", lang, count=len(pages), folder=str(folder)))
    exchange = _exchange(args.release)
    if exchange is not None:
        from kamlib.feedback import release_pages

        released, problems = release_pages(pages, exchange)
        for problem in problems:
            print(_printable_lines(problem.render(lang)), file=sys.stderr)
        print(t("exchange.released", lang, count=len(released), exchange=exchange))
        return 2 if problems else 0
    return 0


def _release(args: argparse.Namespace, lang: Lang) -> int:
    from kamlib.release import build_release

    hub = args.hub is not None
    report = build_release(args.hub or args.out, settings=args.settings, hub=hub)
    print("\n".join(report.lines(lang)))
    return 0


def _check_service(args: argparse.Namespace, lang: Lang) -> int:
    """The classroom's self-check service (started by JupyterHub as its managed service ``kam-check``)."""
    from kamlib.check_service import DEFAULT_PER_ITEM, DEFAULT_WINDOW_S, Limits, run_service

    per_item = DEFAULT_PER_ITEM if args.limit is None else args.limit
    minutes = DEFAULT_WINDOW_S // 60 if args.window is None else args.window
    if per_item < 1 or minutes < 1:
        raise InputError("check.service.bad_limit", limit=per_item, minutes=minutes)
    return run_service(args.keys, args.log, Limits(per_item, minutes * 60), args.settings, args.port, lang)


def _hub(args: argparse.Namespace, lang: Lang) -> int:
    """``kam hub --trial N``: a throw-away class on this machine's loopback (kamlib.hub)."""
    from kamlib.hub import run_build, run_trial

    if args.build_env:
        return run_build(args.venv, args.python, lang)
    return run_trial(args.trial, args.venv, args.python, args.port, lang)


def _help_lang(argv: Sequence[str]) -> Lang:
    """The language of the help and usage texts: ``--lang xx`` or ``--lang=xx`` where given (the last one
    wins, as when parsing), else ``KAM_LANG``, else zh. The parser is built from the catalogs before it
    reads ``--lang``, so the arguments are read ahead for it (up to a ``--``)."""
    given: str | None = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            given = argv[i + 1]
        elif arg.startswith("--lang="):
            given = arg.partition("=")[2]
    return resolve_lang(given)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    help_lang = _help_lang(argv)

    def h(key: str) -> str:
        return t(f"cli.help.{key}", help_lang)

    parser = argparse.ArgumentParser(prog="kam", description=h("description"))
    parser.add_argument("--lang", help=h("lang"))
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help=h("score"), description=h("score_long"),
                           formatter_class=argparse.RawDescriptionHelpFormatter)  # the description is laid out
    score.add_argument("files", nargs="+", metavar="FILE", help=h("score_files"))
    score.add_argument("--keys", help=h("keys_dir"))
    keys = sub.add_parser("keys", help=h("keys"))
    keys.add_argument("--keys", help=h("keys_dir"))
    screen = sub.add_parser("screen", help=h("screen"))
    screen.add_argument("file", help=h("file"))
    screen.add_argument("--out", help=h("out"))
    screen.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=h("lang"))
    app = sub.add_parser("app", help=h("app"))
    app.add_argument("--port", type=int, default=8866)
    lab = sub.add_parser("lab", help=h("lab"))
    lab.add_argument("--port", type=int, default=None)
    add_export_parser(sub, help_lang)
    grade = sub.add_parser("grade", help=h("grade"), description=h("grade_long"))
    grade.add_argument("sources", nargs="*", metavar="SOURCE", help=h("sources"))
    grade.add_argument("--keys", help=h("keys_dir"))
    grade.add_argument("--out", help=h("gradebook_out"))
    grade.add_argument("--settings", help=h("settings"))
    grade.add_argument("--roster", help=h("roster"))
    grade.add_argument("--groups", help=h("groups"))
    grade.add_argument("--exercises", help=h("exercises"))
    grade.add_argument("--exchange", nargs="?", const="", metavar="DIR", help=t("exchange.help.grade", help_lang))
    grade.add_argument("--any-owner", action="store_true", help=t("exchange.help.any_owner", help_lang))
    grade.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=h("lang"))
    marks = sub.add_parser("marks", help=h("marks"))
    marks.add_argument("file", nargs="?", help=h("marks_file"))
    marks.add_argument("--out", help=h("gradebook_out"))
    marks.add_argument("--template", help=h("marks_template"))
    marks.add_argument("--exercise", help=h("marks_exercise"))
    marks.add_argument("--all-items", action="store_true", help=h("marks_all"))
    marks.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=h("lang"))
    feedback = sub.add_parser("feedback", help=h("feedback"))
    feedback.add_argument("--out", help=h("gradebook_out"))
    feedback.add_argument("--to", help=h("feedback_to"))
    feedback.add_argument("--trainee", action="append", help=h("feedback_trainee"))
    feedback.add_argument("--feedback-lang", choices=LANGS, help=h("feedback_lang"))
    feedback.add_argument("--keys", help=h("keys_dir"))
    feedback.add_argument("--no-charts", action="store_true", help=h("no_charts"))
    feedback.add_argument("--release", nargs="?", const="", metavar="EXCHANGE",
                          help=t("exchange.help.release", help_lang))
    feedback.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=h("lang"))
    release = sub.add_parser("release", help=h("release"))
    release.add_argument("--out", help=h("release_out"))
    release.add_argument("--settings", help=h("release_settings"))
    release.add_argument("--hub", nargs="?", const="", metavar="OUT", help=t("exchange.help.hub_bundle", help_lang))
    release.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=h("lang"))
    check = sub.add_parser("check-service", help=t("check.help.command", help_lang),
                           description=t("check.help.description", help_lang))
    check.add_argument("--keys", help=t("check.help.keys", help_lang))
    check.add_argument("--log", help=t("check.help.log", help_lang))
    check.add_argument("--limit", type=int, help=t("check.help.limit", help_lang))
    check.add_argument("--window", type=int, metavar="MINUTES", help=t("check.help.window", help_lang))
    check.add_argument("--settings", help=t("check.help.settings", help_lang))
    check.add_argument("--port", type=int, help=t("check.help.port", help_lang))
    check.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=h("lang"))
    hub = sub.add_parser("hub", help=t("hub.help.command", help_lang))
    what = hub.add_mutually_exclusive_group(required=True)
    what.add_argument("--trial", type=int, metavar="N", help=t("hub.help.trial", help_lang))
    what.add_argument("--build-env", action="store_true", help=t("hub.help.build_env", help_lang))
    hub.add_argument("--venv", metavar="DIR", help=t("hub.help.venv", help_lang))
    hub.add_argument("--python", default="/usr/bin/python3", help=t("hub.help.python", help_lang))
    hub.add_argument("--port", type=int, help=t("hub.help.port", help_lang))
    hub.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=h("lang"))
    args = parser.parse_args(argv)
    lang = resolve_lang(args.lang)
    commands = {"score": _score, "keys": _keys, "screen": _screen, "app": _app, "lab": _lab, "grade": _grade,
                "marks": _marks, "feedback": _feedback, "release": _release, "check-service": _check_service,
                "hub": _hub, "export": lambda a, _lang: export_command(a)}
    try:
        return commands[args.command](args, lang)
    except KamError as exc:
        print(_printable_lines(exc.message(lang)), file=sys.stderr)  # it may quote a trainee's file or CSV
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
