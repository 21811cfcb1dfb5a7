"""The data sheets: a project's files as flat tables, one row per element, and back.

Both directions live here, so a workbook's round trip holds by construction: the
`xlsx` and `csv` exports write :func:`tables` (through :mod:`cjdsl.backends.spreadsheet`)
and `cjdsl import xlsx` / `import csv` read them back with :class:`Reader`
(:mod:`cjdsl.review.spreadsheet_import`).

The columns come from the language's table (:mod:`cjdsl.language.table`): every
attribute of a block is a column of its sheet, written the way its kind is written
(a text, a number, a closed word, ids, a time such as ``3..6 d``, ...). Nested blocks
are sheets of their own whose rows name their parent (``touchpoints.stage``,
``events.touchpoint``), and every row names its ``file``, so the files of a project come
back as they were. The ``files`` sheet keeps each file's includes and the order of its
declarations.

A cell holds what a spreadsheet can hold (:data:`Value`). Lists of texts (goals,
thinking, tags) are one item a line, a line break inside an item written U+2028 (no
text of a journey holds that character). Pure: rows in, model out, and back.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..core import model as m
from ..core import vocabulary as v
from ..core.span import Span
from ..core.strings import EscapeError, decode, quote
from ..language import table as language

#: What a cell holds, as a workbook stores it.
Value = str | int | float | bool | datetime.datetime | datetime.date | datetime.time | None

YES = "yes"
#: How a line break inside one item of a list cell is written.
ITEM_BREAK = "\u2028"

#: Closed vocabularies by the keyword (or header field) that takes them.
VOCABULARIES: Mapping[str, tuple[str, ...]] = {
    "phase": v.PHASES,
    "mode": v.CHANNEL_MODES,
    "kind": v.CHANNEL_KINDS,
    "state": v.STATES,
    "severity": v.SEVERITIES,
    "cause": v.CAUSES,
    "impact": v.LEVELS,
    "effort": v.LEVELS,
    "status": v.STATUSES,
    "confidence": v.CONFIDENCES,
    "lane": ("frontstage", "backstage"),
    "type": v.PROPERTY_TYPES,
    "item_type": (*v.SCALAR_TYPES, "enum"),
}

#: How each kind of cell is written, for the workbook's "about" sheet.
KIND_NOTES: Mapping[str, str] = {
    "path": "a file of the project, relative to its root (`shared/people.journey`)",
    "id": "an id: ASCII letters, digits and _, not starting with a digit",
    "text": "text; line breaks are kept",
    "lines": "one item a line",
    "number": "a number",
    "word": "one of the listed words",
    "flag": "yes, or empty for no",
    "ref": "an id",
    "refs": "ids separated by commas",
    "chain": "ids joined by ->",
    "time": "a number and a unit (s, min, h, d, w, mo), or a range: 18 min, 3..6 d",
    "range": "two numbers: 1..5",
    "allow": 'one a line: rules [for ids] ["reason"], as in a .journey file',
    "persona": 'one a line: persona id, number [, "feeling"]: derek -1 "unsure"',
    "kind": "include, journey, persona, intent, channel, team, actor, system, stage, pain, opportunity, kpi or metric",
}


@dataclass(frozen=True)
class Column:
    """A column of a data sheet: its header, how its cells are written, and for
    attribute columns the model field it fills."""

    name: str
    kind: str
    #: The closed vocabulary a `word` column takes (a drop-down list in the workbook).
    vocabulary: tuple[str, ...] = ()
    #: Width in characters, for the workbook.
    width: float = 14
    note: str = ""
    #: The language keyword it comes from (span keys, messages); "" for structure columns.
    keyword: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    note: str
    columns: tuple[Column, ...]
    #: The block whose attributes its attribute columns are.
    block: str | None = None

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


# -- the columns, from the language's table ------------------------------------------

_WIDE = {"description": 40, "context": 36, "need": 36, "customer_action": 36, "company_action": 36, "evidence": 30}
_WIDE |= {"thinking": 36, "goals": 36, "needs": 36, "concerns": 30, "interests": 30, "label": 32, "target": 24, "source": 30}


def _attribute_columns(block: str, skip: Iterable[str] = ()) -> tuple[Column, ...]:
    """The columns of a block's attributes, in the table's order: one per attribute,
    two for an emotion (the number and its word), a marker (the flag and its label) or
    a note (the flag and its reason); none for nested blocks."""
    skipped = set(skip)
    out: list[Column] = []
    for a in language.BLOCKS[block].attributes:
        if a.kind == "block" or a.keyword in skipped:
            continue
        first = a.fields[0]
        width = _WIDE.get(first, 14)
        if a.kind == "emotion":
            out.append(Column(first, "number", width=9, note=a.doc, keyword=a.keyword))
            out.append(Column(a.fields[1], "text", width=16, note="The word for the feeling.", keyword=a.keyword))
        elif a.kind == "marker":
            out.append(Column(first, "flag", width=10, note=a.doc, keyword=a.keyword))
            out.append(Column(a.fields[1], "text", width=22, note="Its optional text.", keyword=a.keyword))
        elif a.kind == "note":
            out.append(Column(first, "flag", width=10, note=a.doc, keyword=a.keyword))
            out.append(Column(f"{first}_reason", "text", width=22, note="Why (optional).", keyword=a.keyword))
        elif a.kind == "text":
            out.append(Column(first, "lines" if a.repeats else "text", width=width, note=a.doc, keyword=a.keyword))
        elif a.kind == "texts":
            out.append(Column(first, "lines", width=width, note=a.doc, keyword=a.keyword))
        elif a.kind == "word":
            out.append(Column(first, "word", VOCABULARIES[a.keyword], width=12, note=a.doc, keyword=a.keyword))
        elif a.kind == "number":
            out.append(Column(first, "number", width=9, note=a.doc, keyword=a.keyword))
        else:  # ref, refs, chain, flag, allow, time, range, persona
            w = {"allow": 30, "persona": 24, "chain": 30, "refs": 18}.get(a.kind, 12)
            out.append(Column(first, a.kind, width=w, note=a.doc, keyword=a.keyword))
    return tuple(out)


def _c(name: str, kind: str, note: str, width: float = 14, vocabulary: tuple[str, ...] = ()) -> Column:
    return Column(name, kind, vocabulary or VOCABULARIES.get(name, ()), width, note)


#: The kinds of top-level declaration, in the order files hold them by default.
KINDS = ("journey", "persona", "intent", "channel", "team", "actor", "system", "stage", "pain", "opportunity", "kpi", "metric")

FILE = _c("file", "path", "The file it is declared in, relative to the project root.", 22)
ID = _c("id", "id", "Its id.", 18)
LABEL = _c("label", "text", "Its label.", 32)


def _declaration(block: str, note: str, *extra: Column, skip: Iterable[str] = ()) -> Sheet:
    return Sheet(
        f"{block}s" if block != "kpi" else "kpis", note, (FILE, ID, LABEL, *extra, *_attribute_columns(block, skip)), block
    )


SHEETS: tuple[Sheet, ...] = (
    _declaration("journey", "The journeys, one file each."),
    _declaration("persona", "The personas."),
    _declaration("intent", "Why customers come: the intents touchpoints serve."),
    _declaration(
        "channel",
        "Where touchpoints happen.",
        _c("mode", "word", "online or offline.", 10),
        _c("kind", "word", "web, email, phone, store, ...", 12),
    ),
    _declaration("team", "The teams that own touchpoints, opportunities and KPIs."),
    _declaration("actor", "People and roles on the company's side (partners outside it)."),
    _declaration("system", "Systems behind the company's steps."),
    _declaration("stage", "The stages of each journey, in order.", _c("phase", "word", "The lifecycle phase.", 13)),
    Sheet(
        "touchpoints",
        "The touchpoints of each stage, in order.",
        (FILE, _c("stage", "ref", "The stage it is in.", 16), ID, LABEL, *_attribute_columns("touchpoint", skip={"next"})),
        "touchpoint",
    ),
    Sheet(
        "flows",
        "Where customers go next: one row per `next`, in order.",
        (
            FILE,
            _c("from", "ref", "The touchpoint.", 20),
            _c("to", "ref", "A touchpoint that can follow it.", 20),
            _c("label", "text", "When this way is taken (optional).", 30),
        ),
    ),
    Sheet(
        "steps",
        "The company's frontstage and backstage steps behind each touchpoint (service blueprint).",
        (
            FILE,
            _c("touchpoint", "ref", "The touchpoint.", 18),
            _c("lane", "word", "frontstage (the customer sees it) or backstage.", 12),
            _c("text", "text", "The step.", 40),
            *_attribute_columns("backstage"),
        ),
        "backstage",
    ),
    Sheet(
        "quotes",
        "What customers said at each touchpoint.",
        (
            FILE,
            _c("touchpoint", "ref", "The touchpoint.", 18),
            _c("text", "text", "The words.", 50),
            *_attribute_columns("quote"),
        ),
        "quote",
    ),
    Sheet(
        "pains",
        "Pain points: where each happens, and whether it is written inside that touchpoint or stage.",
        (
            FILE,
            ID,
            LABEL,
            _c("nested", "flag", "yes: written inside the touchpoint or stage it is at.", 9),
            *_attribute_columns("pain"),
            _c("opportunities", "refs", "Opportunities declared on their own that answer it.", 18),
        ),
        "pain",
    ),
    Sheet(
        "opportunities",
        "What the company will do about pain points.",
        (
            FILE,
            ID,
            LABEL,
            _c("pain", "ref", "The pain point it is written inside (empty: declared on its own).", 16),
            *_attribute_columns("opportunity"),
        ),
        "opportunity",
    ),
    _declaration("kpi", "The KPIs and their funnels."),
    _declaration("metric", "Numbers measured outside event tracking (surveys, reports)."),
    Sheet(
        "events",
        "The analytics events each touchpoint fires.",
        (
            FILE,
            _c("touchpoint", "ref", "The touchpoint.", 18),
            _c("event", "text", "The event's name.", 26),
            _c("description", "text", "What it records.", 36),
            _c("when_property", "text", "At this touchpoint the event has this property ...", 14),
            _c("when_value", "text", "... with this value.", 14),
        ),
    ),
    Sheet(
        "event_properties",
        "The properties of each event, in order.",
        (
            FILE,
            _c("touchpoint", "ref", "The touchpoint.", 18),
            _c("event", "text", "The event's name.", 26),
            _c("property", "text", "The property's name.", 20),
            _c("type", "word", "string, integer, number, boolean, datetime, enum or list.", 11),
            _c("item_type", "word", "A list's items: a type, or enum.", 11),
            _c("values", "lines", "An enum's values (of the list's items, for a list of enums).", 18),
            _c("required", "flag", "yes: every event must have it.", 9),
            _c("minimum", "number", "The least value, length or number of items.", 9),
            _c("maximum", "number", "The greatest.", 9),
            _c("pattern", "text", "A regular expression a string must match.", 16),
            _c("description", "text", "What it holds.", 36),
        ),
    ),
    Sheet(
        "files",
        "The project's files: each file's includes and declarations, in the order written.",
        (
            FILE,
            _c("kind", "kind", "What the row is: include, or the kind of declaration.", 12, ("include", *KINDS)),
            _c("id", "text", "Its id (an include: the path).", 30),
        ),
    ),
)
BY_NAME: Mapping[str, Sheet] = {s.name: s for s in SHEETS}
_SHEET_OF_KIND = {k: ("kpis" if k == "kpi" else "opportunities" if k == "opportunity" else f"{k}s") for k in KINDS}


# -- model → cells -------------------------------------------------------------------


def number_text(value: float, *, signed: bool = False) -> str:
    """A number as the language writes it (as the formatter does)."""
    if isinstance(value, int):
        text = str(value)
    else:
        text = format(Decimal(repr(value)), "f")
        if "." not in text:
            text += ".0"
    return f"+{text}" if signed and value > 0 else text


def time_text(t: m.Time) -> str:
    low = number_text(t.low)
    return f"{low}..{number_text(t.high)} {t.unit}" if t.high is not None else f"{low} {t.unit}"


def _lines(items: Sequence[str]) -> str | None:
    return "\n".join(i.replace("\n", ITEM_BREAK) for i in items) if items else None


def _number_cell(value: float | None) -> Value:
    """A number as a cell: a float that is a whole number stays text (`3.0`), since a
    workbook would read it back as the integer 3."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return number_text(value)
    return value


def _allow_text(a: m.Allow) -> str:
    text = ", ".join(r.id for r in a.rules)
    if a.only:
        text += " for " + ", ".join(r.id for r in a.only)
    if a.reason is not None:
        text += " " + quote(a.reason)
    return text


def _persona_text(pv: m.PersonaValue, signed: bool) -> str:
    text = f"{pv.persona.id} {number_text(pv.value, signed=signed)}"
    return text + (f" {quote(pv.feeling)}" if pv.feeling is not None else "")


def attribute_cells(sheet: Sheet, node: Any) -> dict[str, Value]:
    """The cells of a node's attributes, by column name."""
    assert sheet.block is not None
    out: dict[str, Value] = {}
    for a in language.BLOCKS[sheet.block].attributes:
        if a.kind == "block" or sheet.column(a.fields[0]) is None:
            continue
        first = a.fields[0]
        value = getattr(node, first)
        if a.kind == "emotion":
            out[first], out[a.fields[1]] = _number_cell(value), getattr(node, a.fields[1])
        elif a.kind == "marker":
            out[first], out[a.fields[1]] = YES if value else None, getattr(node, a.fields[1])
        elif a.kind == "note":
            out[first], out[f"{first}_reason"] = (YES if value is not None else None), (value or None)
        elif a.kind in ("text", "word"):
            out[first] = _lines(value) if a.repeats else value
        elif a.kind == "texts":
            out[first] = _lines(value)
        elif a.kind == "number":
            out[first] = _number_cell(value)
        elif a.kind == "ref":
            out[first] = value.id if value is not None else None
        elif a.kind == "refs":
            out[first] = ", ".join(r.id for r in value) or None
        elif a.kind == "chain":
            out[first] = " -> ".join(r.id for r in value) or None
        elif a.kind == "flag":
            out[first] = YES if value else None
        elif a.kind == "allow":
            out[first] = "\n".join(_allow_text(x) for x in value) or None
        elif a.kind == "time":
            out[first] = time_text(value) if value is not None else None
        elif a.kind == "range":
            out[first] = f"{number_text(value[0])}..{number_text(value[1])}" if value is not None else None
        elif a.kind == "persona":
            out[first] = "\n".join(_persona_text(pv, first == "emotion_for") for pv in value) or None
        else:  # pragma: no cover - a kind the table gained and the sheets did not
            raise AssertionError(f"no cell for a `{a.kind}` attribute")
    return out


def _type_cells(t: m.PropertyType) -> dict[str, Value]:
    if t.name == "list" and t.item is not None:
        return {"type": "list", "item_type": t.item.name, "values": _lines(t.item.values)}
    return {"type": t.name, "values": _lines(t.values)}


@dataclass
class _Tables:
    rows: dict[str, list[dict[str, Value]]] = field(default_factory=lambda: {s.name: [] for s in SHEETS})

    def add(self, sheet: str, row: dict[str, Value]) -> None:
        self.rows[sheet].append(row)


def _header(node: Any, sheet: str, file: str, **more: Value) -> dict[str, Value]:
    return {"file": file, "id": node.id, "label": node.label, **more, **attribute_cells(BY_NAME[sheet], node)}


def _pain_rows(t: _Tables, file: str, pain: m.Pain, at: str | None) -> None:
    row = _header(pain, "pains", file, nested=YES if at is not None else None)
    if at is not None:
        row["at"] = at
    row["opportunities"] = ", ".join(r.id for r in pain.opportunity_refs) or None
    t.add("pains", row)
    for o in pain.opportunities:
        t.add("opportunities", _header(o, "opportunities", file, pain=pain.id))


def _touchpoint_rows(t: _Tables, file: str, stage: m.Stage, tp: m.Touchpoint) -> None:
    t.add("touchpoints", _header(tp, "touchpoints", file, stage=stage.id))
    for r in tp.next:
        t.add("flows", {"file": file, "from": tp.id, "to": r.id, "label": r.label})
    for step in tp.steps:
        t.add(
            "steps",
            {"file": file, "touchpoint": tp.id, "lane": step.lane, "text": step.text, **attribute_cells(BY_NAME["steps"], step)},
        )
    for q in tp.quotes:
        t.add("quotes", {"file": file, "touchpoint": tp.id, "text": q.text, **attribute_cells(BY_NAME["quotes"], q)})
    for e in tp.events:
        when = e.when or (None, None)
        t.add(
            "events",
            {
                "file": file,
                "touchpoint": tp.id,
                "event": e.name,
                "description": e.description,
                "when_property": when[0],
                "when_value": when[1],
            },
        )
        for p in e.properties:
            t.add(
                "event_properties",
                {
                    "file": file,
                    "touchpoint": tp.id,
                    "event": e.name,
                    "property": p.name,
                    **_type_cells(p.type),
                    "required": YES if p.required else None,
                    "minimum": _number_cell(p.minimum),
                    "maximum": _number_cell(p.maximum),
                    "pattern": p.pattern,
                    "description": p.description,
                },
            )
    for pain in tp.pains:
        _pain_rows(t, file, pain, tp.id)


def tables(files: Sequence[tuple[str, m.Document]]) -> list[tuple[Sheet, list[list[Value]]]]:
    """Every data sheet with its rows (cells in the sheet's column order), for the files
    of a project: (display path, document), in the order given."""
    t = _Tables()
    for file, doc in files:
        for item in doc.items:
            if isinstance(item, m.Include):
                t.add("files", {"file": file, "kind": "include", "id": item.path})
                continue
            kind = type(item).__name__.lower()
            t.add("files", {"file": file, "kind": kind, "id": item.id})
            if isinstance(item, m.Channel):
                t.add("channels", _header(item, "channels", file, mode=item.mode, kind=item.kind))
            elif isinstance(item, m.Stage):
                t.add("stages", _header(item, "stages", file, phase=item.phase))
                for tp in item.touchpoints:
                    _touchpoint_rows(t, file, item, tp)
                for pain in item.pains:
                    _pain_rows(t, file, pain, item.id)
            elif isinstance(item, m.Pain):
                _pain_rows(t, file, item, None)
            elif isinstance(item, m.Opportunity):
                t.add("opportunities", _header(item, "opportunities", file))
            else:
                t.add(_SHEET_OF_KIND[kind], _header(item, _SHEET_OF_KIND[kind], file))
    return [(s, [[row.get(c.name) for c in s.columns] for row in t.rows[s.name]]) for s in SHEETS]


# -- cells → model -------------------------------------------------------------------

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RULE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+|[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_STRING = re.compile(r'"(?:[^"\\\n\r]|\\[^\n\r])*"')
#: The language's limit on digits before and after the point.
MAX_DIGITS = 15
#: Control characters no text of a journey may hold (line breaks and tabs may).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Problem:
    """Something wrong with a cell, a row or a sheet: where (``touchpoints!F12``), what,
    and what to do. ``code`` is the language's code when one of its checks found it."""

    where: str
    message: str
    hint: str | None = None
    severity: str = "error"
    code: str | None = None


class CellError(ValueError):
    """A cell that cannot be read as its column's kind; the message says why."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def clean_text(value: Value) -> str | None:
    """A cell as text: numbers as written, line breaks normalised, blank as None."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = number_text(value) if not value.is_integer() else str(int(value))
    elif isinstance(value, datetime.datetime):
        text = value.isoformat(sep=" ") if value.time() != datetime.time() else value.date().isoformat()
    elif isinstance(value, (datetime.date, datetime.time)):
        text = value.isoformat()
    else:
        text = str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n")
    if not text.strip():
        return None
    bad = _CONTROL.search(text)
    if bad is not None:
        raise CellError(
            f"the text holds the control character U+{ord(bad.group()):04X}",
            "text may hold line breaks and tabs, but no other control character; remove it",
        )
    return text


def _text(value: Value) -> str | None:
    text = clean_text(value)
    return text.replace(ITEM_BREAK, "\n") if text is not None else None


def _items(value: Value) -> tuple[str, ...]:
    text = clean_text(value)
    if text is None:
        return ()
    return tuple(line.replace(ITEM_BREAK, "\n") for line in text.split("\n") if line.strip())


def parse_number(value: Value) -> float | None:
    """A number cell: a number, or text written as the language writes numbers (a
    sign, digits and a point; a decimal comma and the minus sign − are taken too)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"expected a number, got {'TRUE' if value else 'FALSE'}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not (value == value and abs(value) < 10**MAX_DIGITS):
            raise CellError(f"the number {value} is out of range", f"numbers take at most {MAX_DIGITS} digits before the point")
        return value
    text = clean_text(value)
    if text is None:
        return None
    return number_of(text.strip())


def number_of(text: str) -> float:
    written = text.replace("\u2212", "-").replace(",", ".") if "." not in text else text.replace("\u2212", "-")
    if not _NUMBER.fullmatch(written):
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise CellError(f"expected a number, got {shown!r}", "write digits with an optional sign and point: -1, 4, 0.5")
    whole, _, fraction = written.lstrip("+-").partition(".")
    if len(whole) > MAX_DIGITS or len(fraction) > MAX_DIGITS:
        raise CellError(
            f"a number of {len(whole) + len(fraction)} digits is out of range", f"numbers take at most {MAX_DIGITS} digits"
        )
    return float(written) if "." in written else int(written)


_TRUE = frozenset({"yes", "y", "true", "1", "x", "✓", "✔", "tak", "t"})
_FALSE = frozenset({"no", "n", "false", "0", "nie", "-", "—"})


def parse_flag(value: Value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = clean_text(value)
    if text is None:
        return False
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellError(f"expected yes or no, got {text[:40]!r}", "write yes, or leave the cell empty for no")


def parse_word(value: Value) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    return re.sub(r"[\s-]+", "_", text.strip()).lower()


def parse_id(value: Value, what: str = "an id") -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    text = text.strip()
    if not NAME.fullmatch(text):
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise CellError(
            f"{shown!r} is not {what}", "ids are ASCII letters, digits and _, not starting with a digit (`first_visit`)"
        )
    return text


def _split(text: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(separators, text) if part.strip()]


class Tokens:
    """The tokens of a cell written in the language's syntax (allow, persona values,
    property types): names, rule names, numbers, strings and punctuation."""

    _TOKEN = re.compile(
        r'\s*(?:(?P<string>"(?:[^"\\\n\r]|\\[^\n\r])*")|(?P<number>[+-]?[0-9]+(?:\.[0-9]+)?)'
        r"|(?P<name>[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+|[A-Za-z_][A-Za-z0-9_]*)|(?P<punct>[(),]))"
    )

    def __init__(self, text: str) -> None:
        self.items: list[tuple[str, str]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            match = self._TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                raise CellError(f"cannot read {text[pos : pos + 20]!r}")
            kind = match.lastgroup or ""
            self.items.append((kind, match.group(kind)))
            pos = match.end()
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self, kind: str | None = None, value: str | None = None) -> str | None:
        item = self.peek()
        if item is None or (kind is not None and item[0] != kind) or (value is not None and item[1] != value):
            return None
        self.at += 1
        return item[1]

    def string(self) -> str | None:
        raw = self.take("string")
        if raw is None:
            return None
        try:
            return decode(raw)
        except EscapeError as err:
            raise CellError(str(err)) from None


@dataclass
class Reader:
    """Reads cells into model values, keeping the problems it finds. ``where`` names a
    cell as messages show it; ``span`` is the span model nodes keep for it, so that the
    language's own checks, run on the imported model, point at the cell."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, where: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(where, message, hint))

    def warn(self, where: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(where, message, hint, "warning"))

    def cell(self, where: str, value: Value, kind: str, vocabulary: tuple[str, ...] = ()) -> Any:
        """The model value of a cell of ``kind``, or None (an error noted) when it cannot
        be read."""
        try:
            return _READERS[kind](value, Span(where))
        except CellError as err:
            self.error(where, str(err), err.hint)
            return EMPTY.get(kind)


def _ref(value: Value, span: Span) -> m.Ref | None:
    found = parse_id(value)
    return m.Ref(found, span=span) if found is not None else None


def _refs(value: Value, span: Span) -> tuple[m.Ref, ...]:
    text = clean_text(value)
    if text is None:
        return ()
    out = []
    for part in _split(text, r"[,;\n]"):
        found = parse_id(part)
        assert found is not None
        out.append(m.Ref(found, span=span))
    return tuple(out)


def _chain(value: Value, span: Span) -> tuple[m.Ref, ...]:
    text = clean_text(value)
    if text is None:
        return ()
    out = []
    for part in _split(text, r"->|→|\n"):
        found = parse_id(part)
        assert found is not None
        out.append(m.Ref(found, span=span))
    return tuple(out)


_TIME = re.compile(r"\s*([+-]?[0-9]+(?:\.[0-9]+)?)\s*(?:\.\.\s*([+-]?[0-9]+(?:\.[0-9]+)?)\s*)?([A-Za-z]+)\s*")


def _time(value: Value, span: Span) -> m.Time | None:
    text = clean_text(value)
    if text is None:
        return None
    match = _TIME.fullmatch(text)
    if match is None:
        raise CellError(
            f"expected a time, got {text[:40]!r}", "write a number and a unit (s, min, h, d, w, mo): `18 min`, `3..6 d`"
        )
    low = number_of(match.group(1))
    high = number_of(match.group(2)) if match.group(2) is not None else None
    return m.Time(low, match.group(3), high, span=span)


def _range(value: Value, span: Span) -> tuple[float, float] | None:
    text = clean_text(value)
    if text is None:
        return None
    parts = text.split("..")
    if len(parts) != 2:
        raise CellError(f"expected a range, got {text[:40]!r}", "write the lowest and the highest value: `1..5`")
    return number_of(parts[0].strip()), number_of(parts[1].strip())


def _allow(value: Value, span: Span) -> tuple[m.Allow, ...]:
    out = []
    for line in _items(value):
        tokens = Tokens(line)
        rules = []
        while True:
            name = tokens.take("name")
            if name is None or name == "for":
                if name == "for":
                    tokens.at -= 1
                break
            rules.append(m.Ref(name, span=span))
            if tokens.take("punct", ",") is None:
                break
        only = []
        if tokens.take("name", "for") is not None:
            while (name := tokens.take("name")) is not None:
                if not NAME.fullmatch(name):
                    raise CellError(f"{name!r} is not an id")
                only.append(m.Ref(name, span=span))
                if tokens.take("punct", ",") is None:
                    break
        reason = tokens.string()
        if not rules or tokens.peek() is not None:
            raise CellError(
                f"cannot read {line[:60]!r} as an allow", 'write rules, then `for` ids and a reason: dead-end for walk_in "why"'
            )
        out.append(m.Allow(tuple(rules), reason, tuple(only), span=span))
    return tuple(out)


def _personas(value: Value, span: Span) -> tuple[m.PersonaValue, ...]:
    out = []
    for line in _items(value):
        tokens = Tokens(line)
        persona = tokens.take("name")
        number = tokens.take("number")
        feeling = tokens.string()
        if persona is None or number is None or tokens.peek() is not None or not NAME.fullmatch(persona):
            raise CellError(
                f"cannot read {line[:60]!r}", 'write a persona id, a number and an optional word in quotes: derek -1 "unsure"'
            )
        out.append(m.PersonaValue(m.Ref(persona, span=span), number_of(number), feeling, span=span))
    return tuple(out)


def _flag(value: Value, span: Span) -> bool:
    return parse_flag(value)


_READERS: Mapping[str, Callable[[Value, Span], Any]] = {
    "text": lambda value, span: _text(value),
    "lines": lambda value, span: _items(value),
    "number": lambda value, span: parse_number(value),
    "word": lambda value, span: parse_word(value),
    "flag": _flag,
    "id": lambda value, span: parse_id(value),
    "ref": _ref,
    "refs": _refs,
    "chain": _chain,
    "time": _time,
    "range": _range,
    "allow": _allow,
    "persona": _personas,
    "path": lambda value, span: _text(value),
    "kind": lambda value, span: parse_word(value),
}
EMPTY: Mapping[str, Any] = {"lines": (), "refs": (), "chain": (), "allow": (), "persona": (), "flag": False}


def attributes(reader: Reader, sheet: Sheet, cells: Mapping[str, tuple[Value, str]]) -> tuple[dict[str, Any], dict[str, Span]]:
    """A node's keyword arguments from a row's cells (column name → (value, where)),
    and the spans of its attributes by span key, each the cell it was read from."""
    assert sheet.block is not None
    kwargs: dict[str, Any] = {}
    spans: dict[str, Span] = {}

    def get(name: str, kind: str) -> Any:
        value, where = cells.get(name, (None, ""))
        return reader.cell(where, value, kind) if value is not None else EMPTY.get(kind)

    for a in language.BLOCKS[sheet.block].attributes:
        first = a.fields[0]
        if a.kind == "block" or sheet.column(first) is None:
            continue
        where = cells.get(first, (None, ""))[1]
        if a.kind == "emotion":
            number = get(first, "number")
            feeling = get(a.fields[1], "text")
            if number is None and feeling is not None:
                reader.error(
                    cells[a.fields[1]][1],
                    "a feeling without an emotion number",
                    "give the emotion from -2 to +2 in the emotion column",
                )
            kwargs[first], kwargs[a.fields[1]] = number, feeling
        elif a.kind == "marker":
            label = get(a.fields[1], "text")
            kwargs[first], kwargs[a.fields[1]] = bool(get(first, "flag")) or label is not None, label
        elif a.kind == "note":
            reason = get(f"{first}_reason", "text")
            flagged = bool(get(first, "flag")) or reason is not None
            kwargs[first] = (reason or "") if flagged else None
            where = where or cells.get(f"{first}_reason", (None, ""))[1]
        elif a.kind == "text":
            kwargs[first] = get(first, "lines" if a.repeats else "text")
        elif a.kind == "texts":
            kwargs[first] = get(first, "lines")
        else:
            kwargs[first] = get(first, a.kind)
        if where:
            spans[a.keyword] = Span(where)
            if a.kind == "text" and a.repeats:
                for i in range(len(kwargs[first])):
                    spans[f"{a.keyword}.{i}"] = Span(where)
            if a.kind == "persona":
                for i in range(len(kwargs[first])):
                    spans[f"{a.keyword}.{i}"] = Span(where)
    return {k: val for k, val in kwargs.items() if val is not None and val != () and val is not False}, spans


# -- property types --------------------------------------------------------------------


def property_type(reader: Reader, cells: Mapping[str, tuple[Value, str]]) -> m.PropertyType | None:
    """A property's type from its `type`, `item_type` and `values` cells."""
    name_cell, where = cells.get("type", (None, ""))
    name = reader.cell(where, name_cell, "word") if name_cell is not None else None
    span = Span(where)
    values_cell, values_where = cells.get("values", (None, ""))
    values = reader.cell(values_where, values_cell, "lines") if values_cell is not None else ()
    item_cell, item_where = cells.get("item_type", (None, ""))
    item_name = reader.cell(item_where, item_cell, "word") if item_cell is not None else None
    if name is None:
        reader.error(where or "type", "a property needs a type", "write string, integer, number, boolean, datetime, enum or list")
        return None
    if name == "list":
        if item_name is None:
            reader.error(
                item_where or where,
                "a list needs the type of its items in item_type",
                "write string, integer, ..., or enum with its values",
            )
            return None
        item = m.PropertyType(item_name, tuple(values), None, len(values) if item_name == "enum" else 0, span=span)
        return m.PropertyType("list", (), item, 1, span=span)
    if item_name is not None:
        reader.error(item_where, f"item_type applies to a list, not to {_a(name)}", "empty the cell, or make the type list")
    if values and name != "enum":
        reader.error(values_where, f"values apply to an enum, not to {_a(name)}", "empty the cell, or make the type enum")
        return None
    return m.PropertyType(name, tuple(values), None, len(values) if name == "enum" else 0, span=span)


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeio" else f"a {word}"


def sheet_of_kind(kind: str) -> str:
    return _SHEET_OF_KIND[kind]


def rows_of(sheet: Sheet, rows: Iterable[Sequence[Value]]) -> Iterator[dict[str, Value]]:
    """Rows given in a sheet's column order, as dicts by column name."""
    for row in rows:
        yield {c.name: row[i] for i, c in enumerate(sheet.columns)}
