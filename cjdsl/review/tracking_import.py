"""`cjdsl import tracking-csv`: a tracking plan kept in a spreadsheet → `event` blocks.

Reads the CSV shapes tracking plans are kept in: one row per event or per property,
the event's name repeated or left blank under it (filled down), with columns found by
their header, whatever its case or spacing:

* Segment and RudderStack (Event Name, Event Description, Property Name, Property
  Description, Data Type, Required, Permitted Values);
* Amplitude Data (Object Name, Object Description, Event Property Name, Property
  Description, Property Value Type, Property Required, Property Is Array, Enum Values,
  Event Property Regex);
* cjdsl's own `tracking-plan.csv` (event, description, touchpoint, property, type,
  required, allowed values, constraints, property description).

A column of touchpoints (ids or labels, several separated by commas) says where each
event is fired; the event is added to each of those touchpoints, unless it is already
there as it is. What cannot be attached (no touchpoint named, one no journey has, a
type the language lacks) is reported. Pure: rows and documents in, documents out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..core import model as m
from ..language.formatter import print_document, render
from ..language.parser import ParseResult
from .grid_import import normal
from .sheets import CellError, Problem, Tokens, Value, clean_text, number_of, parse_flag
from .workbook import Grid

#: Column names by what they hold, the first that is present wins (normalised).
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "event": ("event", "event name", "object name", "name of event", "event type"),
    "description": ("event description", "object description", "description"),
    "property": ("property", "property name", "event property name", "event property", "prop", "prop name", "field"),
    "type": ("type", "data type", "property value type", "value type", "property data type", "property type"),
    "required": ("required", "property required", "is required", "presence", "status", "mandatory"),
    "array": ("property is array", "is array", "array"),
    "values": (
        "allowed values",
        "enum values",
        "permitted values",
        "allowed property values",
        "permitted property values",
        "values",
        "enum",
    ),
    "constraints": ("constraints",),
    "pattern": ("pattern", "regex", "event property regex", "property regex"),
    "minimum": ("minimum", "min", "min value"),
    "maximum": ("maximum", "max", "max value"),
    "property description": ("property description", "event property description", "prop description"),
    "touchpoint": ("touchpoint", "touchpoints", "touch point", "touch points", "journey step", "journey touchpoint"),
    "journey": ("journey",),
    "kind": ("object type", "event type", "type of call", "call type"),
}
_CALLS = {"track", "identify", "page", "group", "screen", "alias"}
_TYPES = {
    "string": "string", "text": "string", "str": "string", "varchar": "string",
    "integer": "integer", "int": "integer", "long": "integer", "whole number": "integer",
    "number": "number", "float": "number", "double": "number", "decimal": "number", "numeric": "number", "num": "number",
    "boolean": "boolean", "bool": "boolean",
    "datetime": "datetime", "date time": "datetime", "date": "datetime", "timestamp": "datetime", "time": "datetime",
    "enum": "enum",
}  # fmt: skip
_LISTS = {"array", "list"}


@dataclass
class PlannedEvent:
    """An event as the plan gives it: its properties and where it is fired."""

    name: str
    where: str
    description: str | None = None
    properties: dict[str, m.Property] = field(default_factory=dict)
    touchpoints: list[tuple[str, str]] = field(default_factory=list)  # (as written, where)
    journey: str | None = None


def _find(header: Mapping[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for what, names in COLUMNS.items():
        for name in names:
            if name in header and header[name] not in out.values():
                out[what] = header[name]
                break
    return out


def _type(text: str, values: list[str], is_array: bool) -> tuple[m.PropertyType | None, str | None]:
    """A property type from a plan's type cell: the language's own (`enum("a")`,
    `list(string)`), or a plan's word (`Int`, `Date time`, `array`); (None, why) when the
    language has none like it."""
    written = text.strip()
    if "(" in written:
        try:
            return _language_type(Tokens(written)), None
        except CellError as err:
            return None, str(err)
    word = normal(written)
    item: m.PropertyType | None
    if word in _LISTS or is_array:
        inner = _TYPES.get(word) if word not in _LISTS else None
        if values and inner in (None, "string"):
            inner = "enum"  # permitted values of a string: an enum
        item = m.PropertyType(
            inner or "string", tuple(values) if inner == "enum" else (), None, len(values) if inner == "enum" else 0
        )
        return m.PropertyType(
            "list", (), item, 1
        ), None if inner is not None or word not in _LISTS else "an array of what is not said: list(string) was assumed"
    name = _TYPES.get(word)
    if name is None:
        if not word:
            name = "enum" if values else "string"
            return m.PropertyType(name, tuple(values), None, len(values)), None if values else "no type: string was assumed"
        return (
            None,
            f"type {written[:30]!r} has no equivalent in the language (string, integer, number, boolean, datetime, enum, list)",
        )
    if values and name == "string":
        name = "enum"
    if name == "enum":
        return m.PropertyType("enum", tuple(values), None, len(values)), None
    return m.PropertyType(name), None


def _language_type(tokens: Tokens) -> m.PropertyType:
    name = tokens.take("name")
    if name is None:
        raise CellError("expected a type")
    values: list[str] = []
    item: m.PropertyType | None = None
    args = 0
    if tokens.take("punct", "(") is not None:
        while tokens.take("punct", ")") is None:
            text = tokens.string()
            if text is not None:
                values.append(text)
            elif tokens.peek() is not None and tokens.peek()[0] == "name":  # type: ignore[index]
                item = _language_type(tokens)
            else:
                raise CellError("cannot read the type's arguments")
            args += 1
            tokens.take("punct", ",")
    return m.PropertyType(name, tuple(values), item, args)


_RANGE = re.compile(r"([+-]?[0-9]+(?:\.[0-9]+)?) to ([+-]?[0-9]+(?:\.[0-9]+)?)")


def _constraints(text: str) -> tuple[float | None, float | None, str | None]:
    """Bounds and pattern from cjdsl's own `constraints` column ("3 to 48 characters",
    "at least 0", "matches ^[A-Z]{2}$")."""
    low = high = None
    pattern = None
    for part in text.split("; "):
        part = part.strip()
        if part.startswith("matches "):
            pattern = part[len("matches ") :]
            continue
        bare = re.sub(r" (characters|items)$", "", part)
        if match := _RANGE.fullmatch(bare):
            low, high = number_of(match.group(1)), number_of(match.group(2))
        elif bare.startswith("at least "):
            low = number_of(bare[len("at least ") :])
        elif bare.startswith("at most "):
            high = number_of(bare[len("at most ") :])
    return low, high, pattern


def _values(text: str | None) -> list[str]:
    if not text:
        return []
    text = text.strip()
    simple = re.fullmatch(r"\^?\(?([^()^$]*)\)?\$?", text)
    if "|" in text and simple:
        parts = simple.group(1).split("|")
    elif "\n" in text:
        parts = text.split("\n")
    else:
        parts = text.split(",")
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


@dataclass
class _Row:
    """One row's cells by what they hold, each read once (a bad cell reported once)."""

    grid: Grid
    cols: Mapping[str, int]
    number: int
    cells: Mapping[int, Value]
    problems: list[Problem]
    seen: dict[str, str | None] = field(default_factory=dict)

    def text(self, what: str) -> str | None:
        if what not in self.seen:
            self.seen[what] = self._read(what)
        return self.seen[what]

    def _read(self, what: str) -> str | None:
        col = self.cols.get(what)
        if col is None or col not in self.cells:
            return None
        try:
            value = clean_text(self.cells[col])
        except CellError as err:
            self.problems.append(Problem(self.grid.where(self.number, col), str(err), err.hint))
            return None
        return value.strip() if value is not None else None


def read_plan(grid: Grid) -> tuple[list[PlannedEvent], list[Problem]]:
    """The events of a tracking-plan CSV, with the problems of its cells."""
    problems: list[Problem] = []
    rows = list(grid.rows())
    if not rows:
        return [], [Problem(grid.name, "the file is empty")]
    header_row, header_cells = rows[0]
    header = {normal(str(v)): c for c, v in header_cells.items() if isinstance(v, str)}
    cols = _find(header)
    if "event" in cols and "kind" in cols and cols["event"] == cols["kind"]:
        del cols["kind"]
    if "event" not in cols:
        return [], [Problem(grid.where(header_row), "no column of event names", "name one `event` (or Event Name, Object Name)")]
    # Amplitude's and Segment's "Event Type" may be the kind of call (Track, Identify).
    names = [str(cells.get(cols["event"], "")).strip().lower() for _, cells in rows[1:]]
    if names and sum(n in _CALLS for n in names if n) > len([n for n in names if n]) / 2:
        return [], [
            Problem(
                grid.where(header_row, cols["event"]),
                "the event column holds kinds of calls (Track, Identify), not event names",
                "name the column of event names `event`",
            )
        ]
    events: dict[str, PlannedEvent] = {}
    current: PlannedEvent | None = None
    for number, cells in rows[1:]:
        text = _Row(grid, cols, number, cells, problems).text
        kind = (text("kind") or "").lower()
        if kind and kind not in ("track", "event", "") and normal(kind) not in ("event", "track event"):
            continue  # Identify, Page, Group calls, user properties: not journey events
        name = text("event")
        if name is not None:
            current = events.get(name)
            if current is None:
                current = events[name] = PlannedEvent(name, grid.where(number, cols["event"]))
        elif current is None:
            if any(text(w) for w in ("property", "description")):
                problems.append(Problem(grid.where(number, cols["event"]), "a row without an event, and no event above it"))
            continue
        description = text("description") if "property description" in cols or text("property") is None else None
        if description is not None and current.description is None:
            current.description = description
        journey = text("journey")
        if journey:
            current.journey = journey
        touchpoints = text("touchpoint")
        if touchpoints:
            for part in re.split(r"[,;\n]", touchpoints):
                if part.strip() and part.strip() not in (t for t, _ in current.touchpoints):
                    current.touchpoints.append((part.strip(), grid.where(number, cols["touchpoint"])))
        prop_name = text("property")
        if prop_name is None:
            continue
        where = grid.where(number, cols["property"])
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", prop_name):
            problems.append(
                Problem(
                    where,
                    f"{prop_name[:40]!r} is not a property name the language takes",
                    "property names are ASCII letters, digits and _ (snake_case)",
                    "warning",
                )
            )
            continue
        try:
            required = (
                parse_flag(text("required"))
                if normal(text("required") or "") not in ("required", "optional")
                else normal(text("required") or "") == "required"
            )
            is_array = parse_flag(text("array"))
            low = number_of(text("minimum") or "") if text("minimum") else None
            high = number_of(text("maximum") or "") if text("maximum") else None
        except CellError as err:
            problems.append(Problem(where, str(err), err.hint))
            continue
        pattern = text("pattern")
        if text("constraints"):
            c_low, c_high, c_pattern = _constraints(text("constraints") or "")
            low, high, pattern = low if low is not None else c_low, high if high is not None else c_high, pattern or c_pattern
        prop_type, why = _type(text("type") or "", _values(text("values")), is_array)
        if prop_type is None:
            problems.append(Problem(where, f"property {prop_name} of {current.name!r}: {why}; not added", severity="warning"))
            continue
        if why:
            problems.append(Problem(where, f"property {prop_name} of {current.name!r}: {why}", severity="warning"))
        prop = m.Property(prop_name, prop_type, required, text("property description"), low, high, pattern)
        known = current.properties.get(prop_name)
        if known is not None and known != prop:
            problems.append(
                Problem(where, f"property {prop_name} of {current.name!r} is given twice, differently", "keep one row for it")
            )
            continue
        current.properties[prop_name] = prop
    return list(events.values()), problems


@dataclass
class Attached:
    """Files with events added (path → document), and what was done."""

    documents: dict[str, m.Document]
    added: list[tuple[str, str, str]]  # (event, touchpoint, file)
    problems: list[Problem]


def attach(
    events: Sequence[PlannedEvent], documents: Mapping[str, m.Document], journeys: Mapping[str, Sequence[str]]
) -> Attached:
    """Adds each planned event to the touchpoints it names, found by id, else by label.
    ``journeys``: each journey's id → the files it is made of (to honour a journey column)."""
    by_id: dict[str, list[tuple[str, m.Touchpoint]]] = {}
    by_label: dict[str, list[tuple[str, m.Touchpoint]]] = {}
    for path, doc in documents.items():
        for item in doc.items:
            if isinstance(item, m.Stage):
                for tp in item.touchpoints:
                    by_id.setdefault(tp.id, []).append((path, tp))
                    by_label.setdefault(normal(tp.label or ""), []).append((path, tp))
    additions: dict[tuple[str, str], list[m.Event]] = {}
    added: list[tuple[str, str, str]] = []
    problems: list[Problem] = []
    for e in events:
        if not e.touchpoints:
            problems.append(
                Problem(
                    e.where,
                    f"event {e.name!r} names no touchpoint; not attached",
                    "name the touchpoints that fire it in a touchpoint column",
                    "warning",
                )
            )
            continue
        event = m.Event(e.name, e.description, tuple(e.properties.values()))
        for written, where in e.touchpoints:
            found = by_id.get(written) or by_label.get(normal(written)) or []
            if e.journey is not None:
                files = set(journeys.get(e.journey, ()))
                found = [(p, t) for p, t in found if p in files]
            if len({p for p, _ in found}) > 1:
                places = ", ".join(sorted({p for p, _ in found}))
                problems.append(
                    Problem(
                        where,
                        f"event {e.name!r}: touchpoint {written!r} is in several files ({places}); not attached",
                        "add a journey column",
                        "warning",
                    )
                )
                continue
            if len(found) > 1:
                ids = ", ".join(t.id for _, t in found)
                problems.append(
                    Problem(
                        where,
                        f"event {e.name!r}: several touchpoints are called {written!r} ({ids}); not attached",
                        "name it by its id",
                        "warning",
                    )
                )
                continue
            if not found:
                problems.append(
                    Problem(
                        where,
                        f"event {e.name!r}: no journey has a touchpoint {written!r}; not attached",
                        "name a touchpoint by its id or its label",
                        "warning",
                    )
                )
                continue
            path, tp = found[0]
            existing = [x for x in (*tp.events, *additions.get((path, tp.id), [])) if x.name == e.name]
            if any(_same(x, event) for x in existing):
                continue
            if existing:
                problems.append(
                    Problem(
                        where,
                        f"touchpoint {tp.id} already fires {e.name!r} with other properties; not changed",
                        "edit the event in the .journey file",
                        "warning",
                    )
                )
                continue
            additions.setdefault((path, tp.id), []).append(event)
            added.append((e.name, tp.id, path))
    changed: dict[str, m.Document] = {}
    for path, doc in documents.items():
        if not any(p == path for p, _ in additions):
            continue
        items: list[m.Item] = []
        for item in doc.items:
            if isinstance(item, m.Stage):
                tps = tuple(replace(tp, events=tp.events + tuple(additions.get((path, tp.id), ()))) for tp in item.touchpoints)
                item = replace(item, touchpoints=tps)
            items.append(item)
        changed[path] = replace(doc, items=tuple(items))
    return Attached(changed, added, problems)


def _same(a: m.Event, b: m.Event) -> bool:
    return a.name == b.name and a.properties == b.properties and (b.description is None or a.description == b.description)


def rewrite(result: ParseResult, document: m.Document) -> str:
    """A file's text with its model replaced, in the canonical layout, keeping its comments."""
    return render(print_document(document), result.comments, result.lines)
