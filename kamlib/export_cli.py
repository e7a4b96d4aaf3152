"""``kam export WORKBOOK.json [--format html|xlsx] [--out FILE] [--lang zh|en] [--anonymise]``.

Registered in ``kamlib.cli`` by ``add_export_parser(sub)``; ``export_command(args)`` runs it. The
format follows ``--format``, else the suffix of ``--out``, else HTML; the language follows ``--lang``,
else ``KAM_LANG``, else the trainee's saved choice. The file goes to ``exports/`` in the workbook
home unless ``--out`` names another; the workbook itself is never overwritten.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kamlib.errors import InputError, KamError
from kamlib.i18n import LANGS, Lang, resolve_lang, t


def add_export_parser(subparsers: Any, lang: Lang | None = None) -> argparse.ArgumentParser:
    """Add ``export`` to ``kam``'s subcommands, its help in ``lang`` (by default ``KAM_LANG``, else Chinese)."""
    lang = lang or resolve_lang(None)

    def h(key: str) -> str:
        return t(f"export.cli.{key}", lang)

    parser = subparsers.add_parser("export", help=h("help"), description=h("description"))
    parser.add_argument("workbook", help=h("workbook"))
    parser.add_argument("--format", dest="export_format", metavar="{html,xlsx}", help=h("format"))
    parser.add_argument("--out", help=h("out"))
    parser.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=h("lang"))
    parser.add_argument("--anonymise", "--anonymize", action="store_true", help=h("anonymise"))
    return parser


def _format(args: argparse.Namespace) -> str:
    from kamlib.export import check_format

    if args.export_format:
        return check_format(args.export_format)
    suffix = Path(args.out).suffix.lower().lstrip(".") if args.out else ""
    return suffix if suffix in ("html", "xlsx") else "html"


def _run(args: argparse.Namespace, lang: Lang) -> tuple[int, Lang]:
    from kamlib.export import write_export
    from kamlib.health import plan_health
    from kamlib.model import load_workbook
    from kamlib.settings import load_settings

    fmt = _format(args)
    workbook = load_workbook(args.workbook)
    lang = resolve_lang(getattr(args, "lang", None), workbook.trainee.language)
    if args.out and Path(args.out).resolve() == Path(args.workbook).resolve():
        raise InputError("export.cli.same_file", file=args.out)
    settings = load_settings()
    path = write_export(workbook, fmt, lang, args.out, args.anonymise, settings)  # type: ignore[arg-type]
    health = plan_health(workbook.plan, settings=settings)
    strength = t("health.figure.percent", lang, value=round(100 * health.strength)) \
        if health.strength is not None else t("health.figure.no_data", lang)
    print(t("export.cli.written", lang, file=str(path)))
    print(t("export.cli.health", lang, completeness=round(100 * health.completeness), strength=strength,
            count=len(health.due_soon), overdue=len(health.overdue)))
    if args.anonymise:
        from kamlib.export import export_review

        print(t("export.cli.anonymised", lang))
        print("\n".join(export_review(workbook, lang, settings=settings).lines(lang)))
    return 0, lang


def export_command(args: argparse.Namespace) -> int:
    """Write the Account Plan; a problem is explained in the trainee's language (exit code 2)."""
    lang = resolve_lang(getattr(args, "lang", None))
    try:
        code, lang = _run(args, lang)
        return code
    except KamError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    """``python -m kamlib.export_cli`` (the same command outside ``kam``)."""
    parser = argparse.ArgumentParser(prog="kam")
    parser.add_argument("--lang", default=None)
    add_export_parser(parser.add_subparsers(dest="command", required=True))
    return export_command(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
