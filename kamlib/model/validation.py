"""Turn pydantic's validation errors into catalog messages that name the field and what is accepted."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from kamlib.i18n import Text, catalog

_BY_TYPE = {
    "missing": "errors.field.missing",
    "string_too_short": "errors.field.empty",
    "string_too_long": "errors.field.too_long",
    "string_pattern_mismatch": "errors.field.pattern",
    "greater_than_equal": "errors.field.min",
    "greater_than": "errors.field.gt",
    "less_than_equal": "errors.field.max",
    "less_than": "errors.field.lt",
    "float_parsing": "errors.field.number",
    "float_type": "errors.field.number",
    "int_parsing": "errors.field.integer",
    "int_type": "errors.field.integer",
    "int_from_float": "errors.field.integer",
    "finite_number": "errors.field.number",
    "literal_error": "errors.field.choice",
    "enum": "errors.field.choice",
    "bool_parsing": "errors.field.boolean",
    "bool_type": "errors.field.boolean",
    "date_parsing": "errors.field.date",
    "date_from_datetime_parsing": "errors.field.date",
    "date_type": "errors.field.date",
    "datetime_parsing": "errors.field.datetime",
    "datetime_from_date_parsing": "errors.field.datetime",
    "datetime_type": "errors.field.datetime",
    "timezone_aware": "errors.field.timezone",
    "extra_forbidden": "errors.field.unknown",
    "string_type": "errors.field.text",
    "list_type": "errors.field.list",
    "dict_type": "errors.field.table",
    "model_type": "errors.field.table",
    "model_attributes_type": "errors.field.table",
}


def field_label(name: str) -> Text:
    """The field's name as a trainee knows it (catalog ``fields.<name>``), else the raw name."""
    key = f"fields.{name}"
    return Text(key) if key in catalog("en") else Text("fields.raw", {"name": name})


def where(loc: tuple[Any, ...]) -> str:
    """A readable location: ``plan → portfolio → row 3 → sow_pct``."""
    parts = []
    for part in loc:
        parts.append(f"#{part + 1}" if isinstance(part, int) else str(part))
    return " → ".join(parts) or "—"


def describe(exc: ValidationError, labels: dict[str, Text] | None = None) -> list[Text]:
    """One message per problem, naming the field, its place and what is accepted.

    ``labels`` names fields as a form shows them (e.g. the form's own "Trainee ID"): a form's own field is named
    by its label alone, without the field's code. An empty value is "must not be empty", whatever else its field
    requires.
    """
    labels = labels or {}
    out: list[Text] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if p not in ("items",))
        names = [p for p in loc if isinstance(p, str)]
        last = names[-1] if names else "—"
        label = labels.get(last) or field_label(last)
        ctx = {k: _plain(v) for k, v in (err.get("ctx") or {}).items()}
        if err["type"] == "kam":
            problem = Text(ctx.pop("key"), ctx)
        else:
            empty = err["type"] == "string_pattern_mismatch" and str(err.get("input")).strip() == ""
            key = "errors.field.empty" if empty else _BY_TYPE.get(err["type"], "errors.field.invalid")
            problem = Text(key, {"detail": err["msg"], **ctx})
        if last in labels and loc == (last,):  # the form's own box: its label says which
            out.append(Text("errors.field.form_line", {"field": label, "problem": problem}))
        else:
            out.append(Text("errors.field.line", {"field": label, "where": where(loc), "problem": problem}))
    return out


def _plain(value: Any) -> Any:
    """pydantic ctx values to what the catalogs print (numbers without a trailing .0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int | float) else str(value)
