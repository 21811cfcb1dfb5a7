"""The ``[events]`` settings: where an export keeps the user, the time, the event name,
the properties and the persona, as small SQL expressions checked before use.

Settings and journeys may come from a hostile pull request, so an expression is read by
a tokenizer that accepts column names (``userId``, ``context.traits.persona``,
``"quoted name"``), string and number literals, commas and parentheses, and calls of a
fixed set of functions (:data:`FUNCTIONS`); anything else (``;``, operators, keywords,
other functions such as ``read_text``) is refused with the setting's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class EventSettingsError(ValueError):
    """An ``[events]`` setting that cannot be used (exit code 2)."""


#: Functions an expression may call: they only compute on the row's values.
FUNCTIONS = frozenset(
    {
        "coalesce",
        "nullif",
        "lower",
        "upper",
        "trim",
        "concat",
        "json_extract_string",
        "struct_extract",
        "to_timestamp",
        "epoch_ms",
        "make_timestamp",
    }
)

#: How a timestamp column is read: a date-time (text or typed), or a number of seconds,
#: milliseconds or microseconds since 1970 (GA4's `event_timestamp`).
TIMESTAMP_UNITS = ("datetime", "s", "ms", "us")
#: Where the properties are: one object column (Segment's `properties`, a JSON text in
#: CSV), columns sharing a prefix (`properties_` / RudderStack, Snowplow flattened), or
#: a list of key/value records (GA4's `event_params`).
PROPERTY_STYLES = ("object", "prefix", "key_value")

DEFAULTS: Mapping[str, str] = {
    "user": "coalesce(userId, anonymousId)",
    "timestamp": "timestamp",
    "timestamp_unit": "datetime",
    "event": "event",
    "properties": "properties",
    "properties_style": "object",
    "persona": "context.traits.persona",
    "table": "events",
}

MAX_EXPRESSION = 300

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
      | (?P<quoted>"[^"\x00-\x1f]{1,100}")
      | (?P<string>'[^'\\\x00-\x1f]{0,100}')
      | (?P<number>[0-9]+(?:\.[0-9]+)?)
      | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class EventSettings:
    user: str
    timestamp: str
    timestamp_unit: str
    event: str
    properties: str
    properties_style: str
    persona: str | None
    #: The warehouse table `measure --emit-sql` reads: names, dotted (``project.dataset.events``).
    table: str = "events"
    #: Settings written in the file (the rest are defaults, used only when the columns exist).
    given: frozenset[str] = frozenset()


def columns_of(expression: str) -> list[str]:
    """The column names an (already checked) expression reads, first part of a dotted name."""
    names = []
    tokens = list(_tokens(expression, "expression"))
    for i, (kind, text) in enumerate(tokens):
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind == "name" and following != "(":
            names.append(text.split(".")[0])
        elif kind == "quoted":
            names.append(text[1:-1])
    return names


def _tokens(text: str, setting: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            shown = text[pos : pos + 20]
            raise EventSettingsError(
                f"[events] {setting}: cannot use {shown!r} in an expression "
                f"(only column names, literals and {', '.join(sorted(FUNCTIONS))})"
            )
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def check_expression(text: str, setting: str) -> str:
    """``text`` when it is a safe expression; else :class:`EventSettingsError` naming
    the setting."""
    if not text.strip():
        raise EventSettingsError(f"[events] {setting}: empty expression")
    if len(text) > MAX_EXPRESSION:
        raise EventSettingsError(f"[events] {setting}: longer than {MAX_EXPRESSION} characters")
    if ";" in text:
        raise EventSettingsError(f"[events] {setting}: `;` is not allowed (an expression, not statements)")
    tokens = _tokens(text, setting)
    depth = 0
    previous = ""  # the kind of the previous token: "value", "(", ",", "call"
    for i, (kind, token) in enumerate(tokens):
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind == "name" and following == "(":
            if token.lower() not in FUNCTIONS:
                allowed = ", ".join(sorted(FUNCTIONS))
                raise EventSettingsError(f"[events] {setting}: function `{token}` is not allowed (allowed: {allowed})")
            if previous == "value":
                raise EventSettingsError(f"[events] {setting}: a `,` or `)` is missing before `{token}`")
            previous = "call"
        elif kind in ("name", "quoted", "string", "number"):
            if previous == "value":
                raise EventSettingsError(f"[events] {setting}: two values without a `,` between them (near {token!r})")
            previous = "value"
        elif token == "(":
            if previous != "call":
                raise EventSettingsError(f"[events] {setting}: parentheses only follow a function name")
            depth += 1
            previous = "("
        elif token == ")":
            depth -= 1
            if depth < 0 or previous == ",":
                raise EventSettingsError(f"[events] {setting}: unbalanced parentheses")
            previous = "value"
        else:  # ","
            if depth == 0 or previous not in ("value",):
                raise EventSettingsError(f"[events] {setting}: misplaced `,`")
            previous = ","
    if depth != 0 or previous != "value":
        raise EventSettingsError(f"[events] {setting}: incomplete expression")
    return text.strip()


#: A part of a table name: letters, digits, `_`, `$` and `-` (BigQuery project ids).
_TABLE_PART = re.compile(r"[A-Za-z0-9_$-]{1,128}")


def check_table(text: str) -> tuple[str, ...]:
    """The parts of a table name (``db.schema.table``), each checked."""
    parts = tuple(text.split("."))
    if not 1 <= len(parts) <= 3 or not all(_TABLE_PART.fullmatch(p) for p in parts):
        raise EventSettingsError(
            f"[events] table: {text[:80]!r} is not a table name (up to three dotted parts of letters, digits, _, $ and -)"
        )
    if len(parts) == 1 and parts[0].lower().startswith("cj_"):
        raise EventSettingsError(f"[events] table: {text!r}: names starting with cj_ are the measurement's own; qualify it")
    return parts


def event_settings(table: Mapping[str, Any] | None) -> EventSettings:
    """The ``[events]`` table of the settings file, checked."""
    table = dict(table or {})
    unknown = sorted(set(table) - set(DEFAULTS))
    if unknown:
        raise EventSettingsError(f"[events]: unknown setting `{unknown[0]}` (known: {', '.join(DEFAULTS)})")
    values: dict[str, str] = {}
    for key, default in DEFAULTS.items():
        value = table.get(key, default)
        if not isinstance(value, str):
            raise EventSettingsError(f"[events] {key}: must be a string")
        values[key] = value
    if values["timestamp_unit"] not in TIMESTAMP_UNITS:
        raise EventSettingsError(
            f"[events] timestamp_unit: one of {', '.join(TIMESTAMP_UNITS)}, not {values['timestamp_unit']!r}"
        )
    if values["properties_style"] not in PROPERTY_STYLES:
        raise EventSettingsError(
            f"[events] properties_style: one of {', '.join(PROPERTY_STYLES)}, not {values['properties_style']!r}"
        )
    for key in ("user", "timestamp", "event", "persona"):
        if key == "persona" and values[key] == "":
            continue
        check_expression(values[key], key)
    if values["properties_style"] == "prefix":
        if not re.fullmatch(r"[A-Za-z0-9_]{0,64}", values["properties"]):
            raise EventSettingsError(
                '[events] properties: with properties_style = "prefix", a column-name prefix (letters, digits, _)'
            )
    else:
        check_expression(values["properties"], "properties")
    check_table(values["table"])
    return EventSettings(
        user=values["user"],
        timestamp=values["timestamp"],
        timestamp_unit=values["timestamp_unit"],
        event=values["event"],
        properties=values["properties"],
        properties_style=values["properties_style"],
        persona=values["persona"] or None,
        table=values["table"],
        given=frozenset(table),
    )
