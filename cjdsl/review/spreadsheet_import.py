"""`cjdsl import xlsx` and `cjdsl import csv`: the data sheets → formatted .journey files.

Reads the sheets :mod:`cjdsl.review.sheets` describes (from a workbook, or a folder of
CSV files named after them), builds one model per file the rows name, and checks it
with the language's own checks (values, ids, references, includes), each of which
points at the cell it read, such as ``touchpoints!F12``. Text comes out through the
formatter, and is parsed again to make sure it says what the sheets say. Pure: grids in,
texts and problems out; the command writes nothing when there is an error.

Rows that name no ``file`` are placed as a team new to cjdsl would lay a project out:
a journey in ``ID.journey``, the personas, intents, channels, teams, actors and systems
in ``shared.journey`` (which each journey file then includes), and stages, KPIs, metrics
and pain points in the journey's file when the workbook has one journey.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import model as m
from ..core.diagnostics import Diagnostic
from ..core.span import LineIndex, Span
from ..language.formatter import format_document
from ..language.parser import ParseResult, parse
from ..language.values import check_document
from ..project.resolve import SourceFile, resolve
from . import sheets as s
from .sheets import Problem, Reader, Value
from .workbook import Grid, address

#: The file catalogues go to when their rows name none.
SHARED = "shared.journey"
_SEGMENT = re.compile(r"\w(?:[\w.\- ]*\w)?")
_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?")
MAX_PATH = 200
_MODEL = {
    "journey": m.Journey,
    "persona": m.Persona,
    "intent": m.Intent,
    "channel": m.Channel,
    "team": m.Team,
    "actor": m.Actor,
    "system": m.System,
    "kpi": m.Kpi,
    "metric": m.Metric,
}


def normal_name(text: str) -> str:
    """A sheet or column name as matched: lower case, spaces and dashes as `_`."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def check_path(path: str) -> str | None:
    """Why a file named in a sheet cannot be written, or None: a relative path below the
    output folder, of plain names, ending in `.journey`."""
    if len(path) > MAX_PATH:
        return f"a path of at most {MAX_PATH} characters"
    parts = path.split("/")
    if not path.endswith(".journey") or len(parts) > 8:
        return "a relative path ending in .journey, at most 8 folders deep"
    for part in parts:
        if part in ("", ".", "..") or not _SEGMENT.fullmatch(part) or _RESERVED.fullmatch(part):
            return "a relative path of plain names (letters, digits, `_`, `-`, `.`, spaces), with `/` between folders"
    return None


# -- tables ----------------------------------------------------------------------------


@dataclass
class _Row:
    sheet: str
    number: int
    cells: dict[str, tuple[Value, str]]
    columns: Mapping[str, int]
    read: dict[tuple[str, str], Any] = field(default_factory=dict)

    def at(self, name: str) -> str:
        col = self.columns.get(name)
        return address(self.sheet, self.number, col) if col is not None else address(self.sheet, self.number)

    def value(self, name: str) -> Value:
        return self.cells.get(name, (None, ""))[0]

    def get(self, reader: Reader, name: str, kind: str) -> Any:
        """A cell read as ``kind`` (once: a cell read twice is reported once)."""
        value = self.value(name)
        if value is None:
            return s.EMPTY.get(kind)
        key = (name, kind)
        if key not in self.read:
            self.read[key] = reader.cell(self.at(name), value, kind)
        return self.read[key]


def _table(grid: Grid, sheet: s.Sheet, reader: Reader) -> list[_Row]:
    rows = list(grid.rows())
    if not rows:
        return []
    header_number, header = rows[0]
    columns: dict[str, int] = {}
    for col, value in header.items():
        name = normal_name(value) if isinstance(value, str) else ""
        if sheet.column(name) is None:
            reader.warn(
                grid.where(header_number, col),
                f"column {str(value)[:40]!r} is not one the {sheet.name} sheet has; its cells were not read",
                "the columns are: " + ", ".join(c.name for c in sheet.columns),
            )
            continue
        if name in columns:
            reader.error(grid.where(header_number, col), f"a second {name} column", "keep one of the two")
            continue
        columns[name] = col
    out: list[_Row] = []
    headless: dict[int, str] = {}
    for number, values in rows[1:]:
        cells: dict[str, tuple[Value, str]] = {}
        for name, col in columns.items():
            where = grid.where(number, col)
            if (number, col) in grid.errors:
                reader.error(where, f"the cell holds the spreadsheet error {grid.errors[(number, col)]}", "type the value")
                continue
            formula = grid.formulas.get((number, col))
            value = values.get(col)
            if formula is not None:
                if value is None:
                    reader.error(
                        where,
                        f"a formula ({formula[:40]}) with no saved value",
                        "cjdsl never computes formulas: type the value, or open and save the workbook in a spreadsheet "
                        "application so that it saves the formula's value",
                    )
                    continue
                reader.warn(where, f"a formula ({formula[:40]}); the value saved with it was read")
            if value is not None:
                cells[name] = (value, where)
        for col in values:
            if col not in header and col not in headless:
                headless[col] = grid.where(number, col)
        if cells:
            out.append(_Row(grid.name, number, cells, columns))
    for _, where in sorted(headless.items()):
        reader.warn(where, "cells in a column without a header were not read", "give the column a header")
    return out


# -- building --------------------------------------------------------------------------


@dataclass
class _Touchpoint:
    row: _Row
    kwargs: dict[str, Any]
    spans: dict[str, Span]
    next: list[m.Ref] = field(default_factory=list)
    front: list[m.Step] = field(default_factory=list)
    back: list[m.Step] = field(default_factory=list)
    quotes: list[m.Quote] = field(default_factory=list)
    events: list[_Event] = field(default_factory=list)
    pains: list[_Pain] = field(default_factory=list)


@dataclass
class _Event:
    name: str
    span: Span
    description: str | None = None
    when: tuple[str, str] | None = None
    when_span: Span | None = None
    properties: list[m.Property] = field(default_factory=list)


@dataclass
class _Pain:
    row: _Row
    kwargs: dict[str, Any]
    spans: dict[str, Span]
    opportunities: list[m.Opportunity] = field(default_factory=list)


@dataclass
class _Stage:
    kwargs: dict[str, Any]
    spans: dict[str, Span]
    touchpoints: list[_Touchpoint] = field(default_factory=list)
    pains: list[_Pain] = field(default_factory=list)


@dataclass
class Result:
    """The files an import writes (path → text, in order) and what it found."""

    files: dict[str, str]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def _event_spans(e: _Event) -> dict[str, Span]:
    return {"id": e.span, "header": e.span} | ({"when": e.when_span} if e.when_span is not None else {})


class _Index(dict[tuple[str, str], Any]):
    """Rows by (file, id), and the files that have each id (a row nested in another names
    only its parent's id)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, list[str]] = {}

    def add(self, file: str, ident: str, node: Any) -> None:
        if (file, ident) not in self:
            self[(file, ident)] = node
            self.by_id.setdefault(ident, []).append(file)


class _Build:
    def __init__(self, tables: Mapping[str, list[_Row]], reader: Reader) -> None:
        self.tables = tables
        self.reader = reader
        #: file → its top-level items as (kind, id, node or builder), in the order read.
        self.items: dict[str, list[tuple[str, str, Any]]] = {}
        self.stages = _Index()
        self.touchpoints = _Index()
        self.pains = _Index()
        self.journey_files: list[str] = []
        self.defaulted_shared = False

    # -- files ---------------------------------------------------------------------
    def file_of(self, row: _Row, kind: str) -> str | None:
        written = row.get(self.reader, "file", "path")
        if written is not None:
            written = written.strip()
            why = check_path(written)
            if why is not None:
                self.reader.error(row.at("file"), f"{written[:80]!r} cannot be written here", f"a file is {why}")
                return None
            return str(written)
        if kind == "journey":
            return None  # from its id
        if kind in ("persona", "intent", "channel", "team", "actor", "system"):
            self.defaulted_shared = True
            return SHARED
        if len(self.journey_files) == 1:
            return self.journey_files[0]
        self.reader.error(
            row.at("file"),
            "no file is given, and the workbook has " + ("no journey" if not self.journey_files else "several journeys"),
            "say in the file column which file it belongs to, such as `hr.journey`",
        )
        return None

    def parent_file(self, row: _Row, kind: str, indexes: Sequence[_Index], parent: str, what: str) -> str | None:
        """The file of a row nested in another (a touchpoint in its stage): its own
        `file` cell, else that of the one row with the parent's id."""
        written = row.get(self.reader, "file", "path")
        if written is not None:
            return self.file_of(row, kind)
        matches = sorted({f for index in indexes for f in index.by_id.get(parent, ())})
        if len(matches) == 1:
            return matches[0]
        if not matches:
            return None  # reported by the caller, which knows what is missing
        self.reader.error(
            row.at("file"), f"several files have a {what} `{parent}` ({', '.join(matches)})", "say in the file column which one"
        )
        return None

    def add(self, file: str, kind: str, ident: str, node: Any) -> None:
        self.items.setdefault(file, []).append((kind, ident, node))

    # -- rows ------------------------------------------------------------------------
    def header(self, row: _Row, sheet: s.Sheet) -> tuple[str | None, dict[str, Any], dict[str, Span]] | None:
        ident = row.get(self.reader, "id", "id")
        if ident is None:
            self.reader.error(row.at("id"), f"a row of {sheet.name} without an id", "give it an id: ASCII letters, digits and _")
            return None
        kwargs, spans = s.attributes(self.reader, sheet, row.cells)
        label = row.get(self.reader, "label", "text")
        if label is not None:
            kwargs["label"] = label
        where = Span(row.at("id"))
        spans = {"id": where, "header": where, **spans}
        return ident, {"id": ident, **kwargs}, spans

    def declarations(self, kind: str) -> None:
        sheet = s.BY_NAME[s.sheet_of_kind(kind)]
        for row in self.tables.get(sheet.name, []):
            head = self.header(row, sheet)
            if head is None:
                continue
            ident, kwargs, spans = head
            if kind == "channel":
                for word in ("mode", "kind"):
                    value = row.get(self.reader, word, "word")
                    if value is not None:
                        kwargs[word] = value
                        spans[word] = Span(row.at(word))
            file = self.file_of(row, kind) if kind != "journey" else (self.file_of(row, kind) or f"{ident}.journey")
            if file is None:
                continue
            if kind == "journey":
                self.journey_files.append(file)
            self.add(file, kind, str(ident), _MODEL[kind](**kwargs, span=spans["id"], spans=spans))

    def stage_rows(self) -> None:
        sheet = s.BY_NAME["stages"]
        for row in self.tables.get("stages", []):
            head = self.header(row, sheet)
            if head is None:
                continue
            ident, kwargs, spans = head
            phase = row.get(self.reader, "phase", "word")
            if phase is not None:
                kwargs["phase"], spans["phase"] = phase, Span(row.at("phase"))
            file = self.file_of(row, "stage")
            if file is None:
                continue
            stage = _Stage(kwargs, spans)
            self.stages.add(file, str(ident), stage)
            self.add(file, "stage", str(ident), stage)

    def touchpoint_rows(self) -> None:
        sheet = s.BY_NAME["touchpoints"]
        for row in self.tables.get("touchpoints", []):
            stage_id = row.get(self.reader, "stage", "id")
            head = self.header(row, sheet)
            if head is None:
                continue
            if stage_id is None:
                self.reader.error(row.at("stage"), "a touchpoint without its stage", "name the stage it is in (its id)")
                continue
            file = self.parent_file(row, "stage", [self.stages], stage_id, "stage")
            stage = self.stages.get((file, stage_id)) if file is not None else None
            if stage is None:
                if file is not None or stage_id not in self.stages.by_id:
                    self.reader.error(
                        row.at("stage"), f"no row of the stages sheet has the id `{stage_id}`" + (f" in {file}" if file else "")
                    )
                continue
            ident, kwargs, spans = head
            tp = _Touchpoint(row, kwargs, spans)
            stage.touchpoints.append(tp)
            assert file is not None
            self.touchpoints.add(file, str(ident), tp)

    def touchpoint_of(self, row: _Row) -> _Touchpoint | None:
        tp_id = row.get(self.reader, "touchpoint" if "touchpoint" in row.columns else "from", "id")
        column = "touchpoint" if "touchpoint" in row.columns else "from"
        if tp_id is None:
            self.reader.error(row.at(column), "no touchpoint is named", "name the touchpoint (its id)")
            return None
        file = self.parent_file(row, "touchpoint", [self.touchpoints], tp_id, "touchpoint")
        found = self.touchpoints.get((file, tp_id)) if file is not None else None
        if found is None and (file is not None or tp_id not in self.touchpoints.by_id):
            self.reader.error(
                row.at(column), f"no row of the touchpoints sheet has the id `{tp_id}`" + (f" in {file}" if file else "")
            )
        return found

    def child_rows(self) -> None:
        for row in self.tables.get("flows", []):
            tp = self.touchpoint_of(row)
            target = row.get(self.reader, "to", "id")
            if tp is None:
                continue
            if target is None:
                self.reader.error(row.at("to"), "a flow without the touchpoint it leads to", "name it (its id)")
                continue
            tp.next.append(m.Ref(target, row.get(self.reader, "label", "text"), span=Span(row.at("to"))))
        steps = s.BY_NAME["steps"]
        for row in self.tables.get("steps", []):
            tp = self.touchpoint_of(row)
            lane = row.get(self.reader, "lane", "word") or "backstage"
            text = row.get(self.reader, "text", "text")
            kwargs, spans = s.attributes(self.reader, steps, row.cells)
            if tp is None:
                continue
            if lane not in ("frontstage", "backstage"):
                self.reader.error(
                    row.at("lane"), f"unknown lane `{lane}`", "a step is frontstage (the customer sees it) or backstage"
                )
                continue
            if text is None:
                self.reader.error(row.at("text"), "a step without its text", "say what the company does")
                continue
            where = Span(row.at("text"))
            step = m.Step(text, lane, **kwargs, span=where, spans={"header": where, **spans})
            (tp.front if lane == "frontstage" else tp.back).append(step)
        quotes = s.BY_NAME["quotes"]
        for row in self.tables.get("quotes", []):
            tp = self.touchpoint_of(row)
            text = row.get(self.reader, "text", "text")
            kwargs, spans = s.attributes(self.reader, quotes, row.cells)
            if tp is None:
                continue
            if text is None:
                self.reader.error(row.at("text"), "a quote without its words", "write what the customer said")
                continue
            where = Span(row.at("text"))
            tp.quotes.append(m.Quote(text, **kwargs, span=where, spans={"header": where, **spans}))
        self.event_rows()

    def _event(self, tp: _Touchpoint, name: str, row: _Row) -> _Event:
        for e in tp.events:
            if e.name == name:
                return e
        event = _Event(name, Span(row.at("event")))
        tp.events.append(event)
        return event

    def event_rows(self) -> None:
        for row in self.tables.get("events", []):
            tp = self.touchpoint_of(row)
            name = row.get(self.reader, "event", "text")
            description = row.get(self.reader, "description", "text")
            prop = row.get(self.reader, "when_property", "text")
            value = row.get(self.reader, "when_value", "text")
            if tp is None:
                continue
            if name is None:
                self.reader.error(row.at("event"), "an event without its name", 'name it, such as "Signup Completed"')
                continue
            event = _Event(name, Span(row.at("event")), description)
            if (prop is None) != (value is None):
                self.reader.error(
                    row.at("when_property" if prop is None else "when_value"), "`when` needs both a property and a value"
                )
            elif prop is not None and value is not None:
                if not s.NAME.fullmatch(prop.strip()):
                    self.reader.error(row.at("when_property"), f"{prop[:40]!r} is not a property name", "property names are ids")
                else:
                    event.when, event.when_span = (prop.strip(), value), Span(row.at("when_property"))
            tp.events.append(event)
        for row in self.tables.get("event_properties", []):
            tp = self.touchpoint_of(row)
            name = row.get(self.reader, "event", "text")
            prop_name = row.get(self.reader, "property", "text")
            prop_type = s.property_type(self.reader, dict(row.cells) | self._blank(row, ("type",)))
            required = row.get(self.reader, "required", "flag")
            minimum = row.get(self.reader, "minimum", "number")
            maximum = row.get(self.reader, "maximum", "number")
            pattern = row.get(self.reader, "pattern", "text")
            description = row.get(self.reader, "description", "text")
            if tp is None or prop_type is None:
                continue
            if name is None or prop_name is None:
                missing = "event" if name is None else "property"
                self.reader.error(row.at(missing), f"a property row without its {missing}'s name")
                continue
            if not s.NAME.fullmatch(prop_name.strip()):
                self.reader.error(
                    row.at("property"), f"{prop_name[:40]!r} is not a property name", "property names are ids: snake_case"
                )
                continue
            spans = {k: Span(row.at(k)) for k in ("minimum", "maximum", "pattern") if row.value(k) is not None}
            where = Span(row.at("property"))
            self._event(tp, name, row).properties.append(
                m.Property(
                    prop_name.strip(), prop_type, bool(required), description, minimum, maximum, pattern, span=where, spans=spans
                )
            )

    @staticmethod
    def _blank(row: _Row, names: Iterable[str]) -> dict[str, tuple[Value, str]]:
        """Cells that are empty, with their places (so a missing type points at its cell)."""
        return {n: (None, row.at(n)) for n in names if n not in row.cells}

    def pain_rows(self) -> None:
        sheet = s.BY_NAME["pains"]
        for row in self.tables.get("pains", []):
            head = self.header(row, sheet)
            nested = row.get(self.reader, "nested", "flag")
            refs = row.get(self.reader, "opportunities", "refs")
            if head is None:
                continue
            ident, kwargs, spans = head
            if refs:
                kwargs["opportunity_refs"] = refs
            pain = _Pain(row, kwargs, spans)
            if not nested:
                file = self.file_of(row, "pain")
                if file is not None:
                    self.add(file, "pain", str(ident), pain)
                    self.pains.add(file, str(ident), pain)
                continue
            at = kwargs.pop("at", None)
            spans.pop("at", None)
            if at is None:
                self.reader.error(
                    row.at("at"), "a nested pain point without the touchpoint or stage it is in", "name it in the at column"
                )
                continue
            file = self.parent_file(row, "pain", [self.stages, self.touchpoints], at.id, "touchpoint or stage")
            container = self.touchpoints.get((file, at.id)) or self.stages.get((file, at.id)) if file is not None else None
            if container is None:
                if file is not None or (at.id not in self.stages.by_id and at.id not in self.touchpoints.by_id):
                    self.reader.error(
                        row.at("at"), f"no touchpoint or stage has the id `{at.id}`" + (f" in {file}" if file else "")
                    )
                continue
            container.pains.append(pain)
            assert file is not None
            self.pains.add(file, str(ident), pain)

    def opportunity_rows(self) -> None:
        sheet = s.BY_NAME["opportunities"]
        for row in self.tables.get("opportunities", []):
            head = self.header(row, sheet)
            pain_id = row.get(self.reader, "pain", "id")
            if head is None:
                continue
            ident, kwargs, spans = head
            node = m.Opportunity(**kwargs, span=spans["id"], spans=spans)
            if pain_id is None:
                file = self.file_of(row, "opportunity")
                if file is not None:
                    self.add(file, "opportunity", str(ident), node)
                continue
            file = self.parent_file(row, "opportunity", [self.pains], pain_id, "pain point")
            pain = self.pains.get((file, pain_id)) if file is not None else None
            if pain is None:
                if file is not None or pain_id not in self.pains.by_id:
                    self.reader.error(
                        row.at("pain"), f"no row of the pains sheet has the id `{pain_id}`" + (f" in {file}" if file else "")
                    )
                continue
            pain.opportunities.append(node)

    # -- nodes -------------------------------------------------------------------------
    @staticmethod
    def pain_node(p: _Pain) -> m.Pain:
        return m.Pain(**p.kwargs, opportunities=tuple(p.opportunities), span=p.spans["id"], spans=p.spans)

    def touchpoint_node(self, tp: _Touchpoint) -> m.Touchpoint:
        events = tuple(
            m.Event(e.name, e.description, tuple(e.properties), e.when, span=e.span, spans=_event_spans(e)) for e in tp.events
        )
        return m.Touchpoint(
            **tp.kwargs,
            next=tuple(tp.next),
            steps=tuple(tp.front + tp.back),
            quotes=tuple(tp.quotes),
            events=events,
            pains=tuple(self.pain_node(p) for p in tp.pains),
            span=tp.spans["id"],
            spans=tp.spans,
        )

    def node(self, kind: str, item: Any) -> m.Item:
        if kind == "stage":
            return m.Stage(
                **item.kwargs,
                touchpoints=tuple(self.touchpoint_node(t) for t in item.touchpoints),
                pains=tuple(self.pain_node(p) for p in item.pains),
                span=item.spans["id"],
                spans=item.spans,
            )
        if kind == "pain":
            return self.pain_node(item)
        return item  # type: ignore[no-any-return]

    def documents(self) -> dict[str, m.Document]:
        layout = self.tables.get("files", [])
        order: list[str] = []
        listed: dict[str, list[tuple[str, str, str]]] = {}
        for row in layout:
            file = row.get(self.reader, "file", "path")
            kind = row.get(self.reader, "kind", "kind")
            ident = row.get(self.reader, "id", "text")
            if file is None or kind is None or ident is None:
                self.reader.error(
                    row.at("file" if file is None else "kind" if kind is None else "id"),
                    "a row of the files sheet needs its file, kind and id",
                )
                continue
            if check_path(file.strip()) is not None:
                self.reader.error(
                    row.at("file"), f"{file[:80]!r} cannot be written here", f"a file is {check_path(file.strip())}"
                )
                continue
            if kind != "include" and kind not in s.KINDS:
                self.reader.error(row.at("kind"), f"unknown kind `{kind}`", "the kinds are: include, " + ", ".join(s.KINDS))
                continue
            file = file.strip()
            if file not in listed:
                order.append(file)
            listed.setdefault(file, []).append((kind, ident.strip() if kind != "include" else ident, row.at("id")))
        order += [f for f in self.items if f not in listed]
        docs: dict[str, m.Document] = {}
        for file in order:
            pending = list(self.items.get(file, []))
            items: list[m.Item] = []
            for kind, ident, where in listed.get(file, []):
                if kind == "include":
                    items.append(m.Include(ident, span=Span(where)))
                    continue
                found = next((k for k, (kk, ii, _) in enumerate(pending) if kk == kind and ii == ident), None)
                if found is None:
                    continue  # a row deleted from its sheet: the declaration is gone
                items.append(self.node(kind, pending.pop(found)[2]))
            rank = {k: n for n, k in enumerate(s.KINDS)}
            for kind, _, item in sorted(pending, key=lambda x: rank[x[0]]):
                items.append(self.node(kind, item))
            if (
                self.defaulted_shared
                and file != SHARED
                and file in self.journey_files
                and file not in listed
                and SHARED in self.items
            ):
                items.insert(0, m.Include("../" * file.count("/") + SHARED))
            docs[file] = m.Document(file, tuple(items))
        return docs


# -- checks ----------------------------------------------------------------------------


def problems_of(diagnostics: Iterable[Diagnostic]) -> list[Problem]:
    """The language's diagnostics, about an imported model, as problems at the cells
    they point to (a node's spans name the cells it was read from)."""
    out = []
    for d in diagnostics:
        where = d.span.path if d.span is not None else ""
        message = d.message
        for related in d.related:
            if related.span is not None and related.span.path and related.span.path != where:
                message += f" ({related.message}: {related.span.path})"
        out.append(Problem(where, message, d.help, d.severity.value, d.code))
    return out


def check(docs: Mapping[str, m.Document]) -> list[Problem]:
    """The language's checks of single values, then of ids, references and includes,
    for every journey of the imported files."""
    diagnostics: list[Diagnostic] = []
    for doc in docs.values():
        diagnostics.extend(check_document(doc))
    root = Path("/imported")  # a name for the model's files, never looked up on the disk
    sources = {root / path: SourceFile(root / path, path, ParseResult(doc, (), (), LineIndex(""))) for path, doc in docs.items()}

    def load(location: Path) -> SourceFile:
        return sources.get(location) or SourceFile(location, location.relative_to(root).as_posix(), None)

    seen: set[tuple[str, str, str]] = set()
    for sf in sources.values():
        doc = docs[sf.path]
        if not doc.journeys:
            continue
        _, found = resolve(sf, root, load)
        for d in found:
            key = (d.code, d.message, d.span.path if d.span is not None else "")
            if key not in seen:
                seen.add(key)
                diagnostics.append(d)
    return problems_of(diagnostics)


def import_grids(grids: Sequence[Grid]) -> Result:
    """The data sheets among ``grids`` (matched by name, a CSV file's without `.csv`)
    as formatted .journey files."""
    reader = Reader()
    tables: dict[str, list[_Row]] = {}
    for grid in grids:
        name = normal_name(grid.name.removesuffix(".csv").removesuffix(".CSV"))
        sheet = s.BY_NAME.get(name)
        if sheet is None:
            continue
        if sheet.name in tables:
            reader.error(address(grid.name, 0), f"a second {sheet.name} sheet", "keep one")
            continue
        tables[sheet.name] = _table(grid, sheet, reader)
    if not tables:
        names = ", ".join(s.name for s in s.SHEETS)
        reader.error("", "none of the data sheets is here", f"cjdsl reads the sheets {names} (a map drawn as a grid: --grid)")
        return Result({}, reader.problems)
    build = _Build(tables, reader)
    build.declarations("journey")
    for kind in ("persona", "intent", "channel", "team", "actor", "system"):
        build.declarations(kind)
    build.stage_rows()
    build.touchpoint_rows()
    build.child_rows()
    build.pain_rows()
    build.opportunity_rows()
    for kind in ("kpi", "metric"):
        build.declarations(kind)
    docs = build.documents()
    problems = list(reader.problems)
    if any(p.severity == "error" for p in problems):
        return Result({}, problems)
    problems += check(docs)
    if any(p.severity == "error" for p in problems):
        return Result({}, problems)
    return Result(texts(docs, problems), problems)


def texts(docs: Mapping[str, m.Document], problems: list[Problem]) -> dict[str, str]:
    """Each file's formatted text, parsed again to make sure it reads back as the model
    it was printed from (an id that is a keyword would not, for one)."""
    out: dict[str, str] = {}
    for path, doc in docs.items():
        text = format_document(doc)
        again = parse(text, path)
        if again.document is None or again.document.items != doc.items:
            first = next((d for d in again.diagnostics), None)
            detail = f": line {first.span.line}: {first.message}" if first is not None and first.span is not None else ""
            problems.append(
                Problem(
                    path,
                    f"the text written for this file does not read back the same{detail}",
                    "check the ids and words in its rows",
                )
            )
            continue
        out[path] = text
    return out
