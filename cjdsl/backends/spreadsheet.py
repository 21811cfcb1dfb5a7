"""The spreadsheet backend: journeys as one .xlsx workbook, or as CSV files.

The workbook holds, for each journey, a *map sheet* laid out the way journey maps are
drawn (stages as groups of columns, a column per touchpoint, the lanes as rows: what
the customer does, needs and thinks, the emotion as a number coloured from red to
green, the rating, pain points and opportunities, the company's frontstage and
backstage, time and events), ready to print on landscape A3; then the *data sheets*
of :mod:`cjdsl.review.sheets`, one row per element with its id and every attribute
(what `cjdsl import xlsx` reads back), each closed vocabulary a drop-down list; and an
*about* sheet that says how the workbook is made.

Every text is written as text: a cell that starts like a formula (``=``, ``+``, ``-``,
``@``, a tab) is a string cell marked as text (Excel's quote prefix), never a formula,
so no text of a journey runs in a spreadsheet. The same journeys give the same bytes:
the document's dates are fixed and the zip's entries have fixed times, in a fixed order.
Pure: files and journeys in, bytes out (openpyxl builds the workbook in memory).
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from typing import Any

from ..core import model as m
from ..core import vocabulary as v
from ..core.resolved import ResolvedJourney, channel_is_online
from ..review import sheets
from ..review.sheets import Value
from ..review.workbook import FORMULA_START, MissingOpenpyxl, column_letter, csv_cell, escape

#: A spreadsheet cell holds at most this many characters.
MAX_CELL = 32_767
#: The date a workbook says it was created and modified (the same bytes for the same
#: journeys): the earliest time a zip file can record.
FIXED_DATE = "1980-01-01T00:00:00Z"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ExportError(ValueError):
    """Journeys that cannot be written as a workbook (a text longer than a cell holds)."""


# -- the map sheet, as data --------------------------------------------------------------

#: Emotion and rating colours (the colour scale's ends and middle); the number is
#: always written too, so colour is never the only cue.
RED, AMBER, GREEN = "F8696B", "FFEB84", "63BE7B"
_STAGE_FILLS = ("DCE6F1", "E4DFEC")
_HEADER_FILL = "F2F2F2"
_LANE_FILL = "F7F7F7"
_SEVERITY_MARK = {"critical": "●●●", "high": "●●", "medium": "●", "low": "○"}
MAP_TITLE_ROWS = 2
#: The font of every cell (Excel's own; LibreOffice shows Carlito, which has its metrics).
FONT = "Calibri"


@dataclass(frozen=True)
class Lane:
    """A row of the map: its label and a cell per column (None: empty)."""

    label: str
    cells: tuple[Value, ...]
    kind: str = "text"  # text | emotion | rating
    #: Lanes drawn after a line: "interaction" (customer | company), "visibility".
    line: str | None = None
    #: Cells that span a stage's columns: column index → stage span (first, last).
    spans: Mapping[int, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class StageHead:
    label: str
    first: int  # column index (0-based, among touchpoint columns)
    last: int
    note: str


@dataclass(frozen=True)
class MapLayout:
    """A journey's map sheet: title, stage groups, touchpoint headers, lanes."""

    title: str
    subtitle: str
    stages: tuple[StageHead, ...]
    touchpoints: tuple[str, ...]
    lanes: tuple[Lane, ...]

    @property
    def width(self) -> int:
        return len(self.touchpoints)


def _join(lines: Iterable[str | None]) -> str | None:
    text = "\n".join(x for x in lines if x)
    return text or None


def _time(t: m.Time | None) -> str | None:
    return sheets.time_text(t) if t is not None else None


def short_name(p: m.Persona) -> str:
    """A persona as a lane label names it: its label up to the first comma ("Priya Shah"
    of "Priya Shah, first-time buyer"), else its id."""
    return (p.label or "").split(",")[0].strip() or p.id


def _marks(tp: m.Touchpoint) -> str:
    marks = ("▶ " if tp.entry else "") + ("★ " if tp.micro_conversion else "") + ("◆ " if tp.moment_of_truth else "")
    return marks


def map_layout(j: ResolvedJourney) -> MapLayout:
    """What a journey's map sheet shows (lanes with nothing in them are left out)."""
    columns: list[tuple[m.Stage, m.Touchpoint | None]] = []
    heads: list[StageHead] = []
    for stage in j.stages:
        first = len(columns)
        columns += [(stage, tp) for tp in stage.touchpoints] or [(stage, None)]
        count = len(stage.touchpoints)
        note = " · ".join(x for x in (stage.phase, f"{count} touchpoint{'s' if count != 1 else ''}") if x)
        heads.append(StageHead(stage.label or stage.id, first, len(columns) - 1, note))
    tps = [tp for _, tp in columns]
    personas = {p.id: short_name(p) for p in j.personas}

    def lane(label: str, get: Any, kind: str = "text", line: str | None = None) -> Lane | None:
        cells = tuple(get(tp) if tp is not None else None for tp in tps)
        return Lane(label, cells, kind, line) if any(c is not None for c in cells) else None

    def names(refs: Iterable[m.Ref], table: Mapping[str, Any]) -> str | None:
        return _join((table[r.id].label or r.id) if r.id in table else r.id for r in refs)

    def channel(tp: m.Touchpoint) -> str | None:
        ch = j.channel_of(tp)
        if ch is None:
            return None
        online = channel_is_online(ch)
        return (ch.label or ch.id) + ({True: " (online)", False: " (offline)"}.get(online, "") if online is not None else "")

    def pains(tp: m.Touchpoint) -> str | None:
        return _join(
            f"{_SEVERITY_MARK.get(p.severity or '', '·')} {p.severity or 'pain'}: {p.label or p.id}" for p in j.pains_at(tp.id)
        )

    def opportunities(tp: m.Touchpoint) -> str | None:
        out = []
        for p in j.pains_at(tp.id):
            for o in j.opportunities_of(p):
                levels = ", ".join(f"{k} {val}" for k, val in (("impact", o.impact), ("effort", o.effort)) if val)
                out.append(f"{o.label or o.id}" + (f" ({levels})" if levels else ""))
        return _join(out)

    def steps(lane_name: str) -> Any:
        def get(tp: m.Touchpoint) -> str | None:
            out = []
            for s in tp.steps:
                if s.lane != lane_name:
                    continue
                who = j.actor.get(s.actor.id) if s.actor is not None else None
                owner = j.team_of(s.owner)
                extra = ", ".join(
                    x
                    for x in (
                        (who.label or who.id) if who is not None else None,
                        (owner.label or owner.id) if owner is not None and who is None else None,
                        _time(s.duration),
                    )
                    if x
                )
                out.append(s.text + (f" ({extra})" if extra else ""))
            return _join(out)

        return get

    def support(tp: m.Touchpoint) -> str | None:
        refs = list(tp.support) + [r for s in tp.steps for r in s.support]
        unique = list(dict.fromkeys(r.id for r in refs))
        return _join((j.system[i].label or i) if i in j.system else i for i in unique)

    def time(tp: m.Touchpoint) -> str | None:
        parts = [f"takes {_time(tp.duration)}" if tp.duration else None, f"waits {_time(tp.wait)}" if tp.wait else None]
        return _join(parts)

    def next_(tp: m.Touchpoint) -> str | None:
        target = j.touchpoint
        return _join(
            "→ " + ((target[r.id].label or r.id) if r.id in target else r.id) + (f" ({r.label})" if r.label else "")
            for r in tp.next
        )

    def metrics(tp: m.Touchpoint) -> str | None:
        out = []
        for x in j.metrics:
            if x.at is not None and x.at.id == tp.id:
                value = sheets.number_text(x.value) if x.value is not None else "?"
                out.append(f"{x.label or x.id}: {value}" + (f" (target {x.target})" if x.target else ""))
        return _join(out)

    def quotes(tp: m.Touchpoint) -> str | None:
        return _join(f"“{q.text}”" + (f" ({q.source})" if q.source else "") for q in tp.quotes)

    # Whose touchpoint each is, when that differs from one to the next.
    everyone = {p.id for p in j.personas}
    varied = any({r.id for r in tp.personas} not in (set(), everyone) for tp in j.touchpoints)
    found: list[Lane | None] = [
        lane("Channel", channel),
        lane("Personas", lambda tp: names(tp.personas, j.persona) if tp.personas else None) if varied else None,
        lane("Intent", lambda tp: names(tp.intents, j.intent)),
        lane("Doing", lambda tp: tp.customer_action),
        lane("Need", lambda tp: tp.need),
        lane("Context", lambda tp: tp.context),
        lane("Thinking", lambda tp: _join(tp.thinking)),
        lane("Quotes", quotes),
    ]
    per_persona = any(tp.emotion_for for tp in j.touchpoints)
    if per_persona:
        for pid, plabel in personas.items():
            found.append(
                lane(
                    f"Emotion: {plabel}",
                    lambda tp, pid=pid: j.emotion_of(tp, pid)[0] if any(p.id == pid for p in j.personas_of(tp)) else None,
                    "emotion",
                )
            )
    else:
        found.append(lane("Emotion", lambda tp: tp.emotion, "emotion"))
    found.append(
        lane(
            "Feeling",
            lambda tp: _join(
                [
                    tp.feeling,
                    *(f"{personas.get(pv.persona.id, pv.persona.id)}: {pv.feeling}" for pv in tp.emotion_for if pv.feeling),
                ]
            ),
        )
    )
    if any(tp.rating_for for tp in j.touchpoints):
        for pid, plabel in personas.items():
            found.append(
                lane(
                    f"Rating: {plabel}",
                    lambda tp, pid=pid: j.rating_of(tp, pid) if any(p.id == pid for p in j.personas_of(tp)) else None,
                    "rating",
                )
            )
    else:
        found.append(lane("Rating", lambda tp: tp.rating, "rating"))
    found += [
        lane("Pain points", pains),
        lane("Opportunities", opportunities),
        lane("Evidence", lambda tp: tp.evidence),
        lane("Company action", lambda tp: tp.company_action),
        lane("Frontstage", steps("frontstage")),
        lane("Backstage", steps("backstage")),
        lane("Support systems", support),
        lane("Owner", lambda tp: names([tp.owner], j.team) if tp.owner is not None else None),
        lane("Time", time),
        lane("Events", lambda tp: _join(e.name for e in tp.events)),
        lane("Metrics", metrics),
        lane("Next", next_),
    ]
    lanes = [x for x in found if x is not None]
    # The lines of a service blueprint: interaction above the company's first lane,
    # visibility above the backstage, each a thin row of its own that names it.
    blank: tuple[Value, ...] = (None,) * len(tps)
    company = next((i for i, x in enumerate(lanes) if x.label in ("Company action", "Frontstage", "Backstage")), None)
    if company is not None:
        lanes.insert(company, Lane("line of interaction", blank, "line", "interaction"))
        backstage = next((i for i, x in enumerate(lanes) if x.label == "Backstage"), None)
        if backstage is not None and lanes[backstage - 1].kind != "line":
            lanes.insert(backstage, Lane("line of visibility", blank, "line", "visibility"))
    stage_pains = [
        _join(f"{_SEVERITY_MARK.get(p.severity or '', '·')} {p.severity or 'pain'}: {p.label or p.id}" for p in j.pains_at(s.id))
        for s in j.stages
    ]
    if any(stage_pains):
        cells: list[Value] = [None] * len(tps)
        spans = {}
        for head, text in zip(heads, stage_pains):
            cells[head.first] = text
            spans[head.first] = (head.first, head.last)
        index = next((i + 1 for i, x in enumerate(lanes) if x.label == "Pain points"), len(lanes))
        lanes.insert(index, Lane("Pain points (whole stage)", tuple(cells), "text", None, spans))
    jj = j.journey
    who = ", ".join(p.label or p.id for p in j.personas)
    owner = j.team_of(jj.owner) if jj is not None else None
    facts = [
        f"version {jj.version}" if jj is not None and jj.version else None,
        f"owner {owner.label or owner.id}" if owner is not None else None,
        f"personas: {who}" if who else None,
        "to-be (future)" if j.state == "future" else None,
        "▶ first visit  ★ micro-conversion  ◆ moment of truth",
        "drawn from the data sheets: make changes there",
    ]
    return MapLayout(
        j.title,
        "  ·  ".join(x for x in facts if x),
        tuple(heads),
        tuple((_marks(tp) + (tp.label or tp.id)) if tp is not None else "(no touchpoints)" for tp in tps),
        tuple(lanes),
    )


# -- writing ---------------------------------------------------------------------------


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - the test extra installs it
        raise MissingOpenpyxl("writing workbooks needs openpyxl: pip install 'cjdsl[xlsx]'") from None
    return openpyxl


def _text_cell(cell: Any, text: str, where: str, *, clip: bool = False) -> bool:
    """Writes text as a string cell that no spreadsheet runs: never a formula. Returns
    whether the text looks like one, to be marked with the quote prefix (Excel's "this
    is text", which an edit in the cell keeps)."""
    if len(text) > MAX_CELL:
        if not clip:
            raise ExportError(f"{where} has {len(text):,} characters; a spreadsheet cell holds at most {MAX_CELL:,}")
        text = text[: MAX_CELL - 1] + "…"
    cell.value = escape(text)
    cell.data_type = "s"
    return text.startswith((*FORMULA_START, "'"))


def _put(cell: Any, value: Value, where: str, *, clip: bool = False) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return _text_cell(cell, value, where, clip=clip)
    if isinstance(value, bool):
        return _text_cell(cell, sheets.YES if value else "", where)
    cell.value = value
    return False


class _Styles:
    """The workbook's few styles, made once. Setting a cell's font, fill, border and
    alignment one by one makes openpyxl look each up again (most of the time a large map
    took); each combination is looked up once here and its style copied to the cells."""

    def __init__(self, op: Any) -> None:
        st = op.styles
        self.op = op
        self.bold = st.Font(name=FONT, bold=True)
        self.title = st.Font(name=FONT, bold=True, size=16)
        self.muted = st.Font(name=FONT, italic=True, color="595959")
        self.line = st.Font(name=FONT, italic=True, size=8, color="595959")
        self.wrap = st.Alignment(wrap_text=True, vertical="top")
        self.center = st.Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.header_fill = st.PatternFill("solid", fgColor=_HEADER_FILL)
        self.lane_fill = st.PatternFill("solid", fgColor=_LANE_FILL)
        self.stage_fills = tuple(st.PatternFill("solid", fgColor=c) for c in _STAGE_FILLS)
        self.thin = st.Side(style="thin", color="BFBFBF")
        self._sides = {
            "thin": self.thin,
            "medium": st.Side(style="medium", color="595959"),
            "dashed": st.Side(style="mediumDashed", color="595959"),
        }
        self._borders: dict[tuple[str | None, str | None], Any] = {}
        self._made: dict[tuple[Any, ...], Any] = {}

    def border(self, *, left: str | None = None, bottom: str | None = None) -> Any:
        key = (left, bottom)
        if key not in self._borders:
            s = self._sides
            self._borders[key] = self.op.styles.Border(
                left=s[left] if left else self.thin, right=self.thin, top=self.thin, bottom=s[bottom] if bottom else self.thin
            )
        return self._borders[key]

    def apply(
        self,
        cell: Any,
        *,
        quoted: bool = False,
        font: Any = None,
        fill: Any = None,
        alignment: Any = None,
        border: Any = None,
        number_format: str | None = None,
    ) -> None:
        key = (quoted, id(font), id(fill), id(alignment), id(border), number_format)
        made = self._made.get(key)
        if made is not None:
            cell._style = copy(made)  # the style openpyxl made for this combination
            return
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if alignment is not None:
            cell.alignment = alignment
        if border is not None:
            cell.border = border
        if number_format is not None:
            cell.number_format = number_format
        if quoted:
            cell.quotePrefix = True
        self._made[key] = copy(cell._style)


def _height(texts: Iterable[tuple[str, float]], minimum: int = 1, *, bold: bool = False) -> float:
    """A row's height in points for wrapped texts in columns of the given widths (a
    spreadsheet does not grow rows to fit on opening a file)."""
    lines = minimum
    for text, width in texts:
        per_line = max(4, int(width * (1.0 if bold else 1.15)))
        # Wrapped at word ends, as the spreadsheet wraps them (the first lines and
        # characters of a cell are counted: the row's height is capped anyway).
        count = sum(len(textwrap.wrap(line[:8000], per_line, break_long_words=True)) or 1 for line in text.split("\n")[:200])
        lines = max(lines, count)
    return min(409.0, 15.0 * lines + 3)


def _map_sheet(op: Any, st: _Styles, ws: Any, layout: MapLayout) -> None:
    from openpyxl.formatting.rule import ColorScaleRule

    n = layout.width
    tp_width = 20.0 if n > 30 else 26.0
    ws.column_dimensions["A"].width = 20
    last = column_letter(n + 1)
    stage_start = {h.first for h in layout.stages}
    widths = [12.0 if label == "(no touchpoints)" else tp_width for label in layout.touchpoints]
    for i, width in enumerate(widths):
        ws.column_dimensions[column_letter(i + 2)].width = width
    where = f"the map of {layout.title[:60]}"
    st.apply(ws.cell(1, 1), quoted=_text_cell(ws.cell(1, 1), layout.title, where, clip=True), font=st.title)
    st.apply(ws.cell(2, 1), quoted=_text_cell(ws.cell(2, 1), layout.subtitle, where, clip=True), font=st.muted)
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[1].height = 24
    # Stage groups and touchpoint headers.
    top = MAP_TITLE_ROWS + 1
    for label, row in (("Stage", top), ("Touchpoint", top + 1)):
        c = ws.cell(row, 1)
        st.apply(c, quoted=_text_cell(c, label, where), font=st.bold, fill=st.header_fill, alignment=st.wrap, border=st.border())
    heights = []
    for k, head in enumerate(layout.stages):
        c = ws.cell(top, head.first + 2)
        quoted = _text_cell(c, head.label + ("\n" + head.note if head.note else ""), where, clip=True)
        for i in range(head.first, head.last + 1):
            st.apply(
                ws.cell(top, i + 2),
                quoted=quoted and i == head.first,
                font=st.bold,
                fill=st.stage_fills[k % 2],
                alignment=st.center,
                border=st.border(left="medium" if i == head.first else None),
            )
        if head.last > head.first:
            ws.merge_cells(start_row=top, start_column=head.first + 2, end_row=top, end_column=head.last + 2)
        heights.append((head.label + "\n" + head.note, sum(widths[head.first : head.last + 1])))
    ws.row_dimensions[top].height = _height(heights, 2)
    heights = []
    for i, label in enumerate(layout.touchpoints):
        c = ws.cell(top + 1, i + 2)
        quoted = _text_cell(c, label, where, clip=True)
        border = st.border(left="medium" if i in stage_start else None)
        st.apply(c, quoted=quoted, font=st.bold, fill=st.header_fill, alignment=st.wrap, border=border)
        heights.append((label, widths[i]))
    ws.row_dimensions[top + 1].height = _height(heights, bold=True)
    # Lanes.
    row = top + 2
    for lane in layout.lanes:
        label = ws.cell(row, 1)
        quoted = _text_cell(label, lane.label, where, clip=True)
        if lane.kind == "line":
            # A thin row that names the line drawn under it.
            line = {"interaction": "medium", "visibility": "dashed"}[lane.line or "interaction"]
            st.apply(label, quoted=quoted, font=st.line, border=st.border(bottom=line))
            for col in range(2, n + 2):
                st.apply(ws.cell(row, col), border=st.border(left="medium" if col - 2 in stage_start else None, bottom=line))
            ws.row_dimensions[row].height = 12
            row += 1
            continue
        st.apply(label, quoted=quoted, font=st.bold, fill=st.lane_fill, alignment=st.wrap, border=st.border())
        heights = [(lane.label, 20.0)]
        for i, value in enumerate(lane.cells):
            cell = ws.cell(row, i + 2)
            border = st.border(left="medium" if i in stage_start else None)
            if value is None:
                st.apply(cell, border=border)
                continue
            quoted = _put(cell, value, where, clip=True)
            if lane.kind == "emotion":
                st.apply(cell, quoted=quoted, font=st.bold, alignment=st.center, border=border, number_format="+0;-0;0")
            elif lane.kind == "rating":
                st.apply(cell, quoted=quoted, alignment=st.center, border=border, number_format='0" / 5"')
            else:
                st.apply(cell, quoted=quoted, alignment=st.wrap, border=border)
                span = lane.spans.get(i)
                width = sum(widths[span[0] : span[1] + 1]) if span else widths[i]
                heights.append((str(value), width))
        for first, end in lane.spans.values():
            if end > first:
                ws.merge_cells(start_row=row, start_column=first + 2, end_row=row, end_column=end + 2)
        if lane.kind in ("emotion", "rating") and n:
            low, high = (-2, 2) if lane.kind == "emotion" else (1, 5)
            ws.conditional_formatting.add(
                f"B{row}:{last}{row}",
                ColorScaleRule(
                    start_type="num", start_value=low, start_color=RED,
                    mid_type="num", mid_value=(low + high) / 2, mid_color=AMBER,
                    end_type="num", end_value=high, end_color=GREEN,
                ),
            )  # fmt: skip
            ws.row_dimensions[row].height = max(22.0, _height([(lane.label, 20.0)], bold=True))
        else:
            ws.row_dimensions[row].height = _height(heights)
        row += 1
    ws.freeze_panes = ws.cell(top + 2, 2)
    ws.sheet_view.zoomScale = 90
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{top}:{top + 1}"
    ws.print_title_cols = "A:A"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "&P / &N"
    # The map is drawn from the data sheets: protect it (no password) so an edit made
    # here, which `import xlsx` would not read, is not made by mistake.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _data_sheet(op: Any, st: _Styles, ws: Any, sheet: sheets.Sheet, rows: Sequence[Sequence[Value]]) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    for col, column in enumerate(sheet.columns, start=1):
        c = ws.cell(1, col)
        st.apply(c, quoted=_text_cell(c, column.name, sheet.name), font=st.bold, fill=st.header_fill, border=st.border())
        ws.column_dimensions[column_letter(col)].width = column.width
    wrapped = {i for i, c in enumerate(sheet.columns) if c.kind in ("text", "lines", "allow", "persona", "refs", "chain")}
    letters = [column_letter(i + 1) for i in range(len(sheet.columns))]
    for r, values in enumerate(rows, start=2):
        for i, value in enumerate(values):
            if value is None:
                continue
            cell = ws.cell(r, i + 1)
            quoted = _put(cell, value, f"{sheet.name}!{letters[i]}{r} ({sheet.columns[i].name})")
            if quoted or i in wrapped:
                st.apply(cell, quoted=quoted, alignment=st.wrap if i in wrapped else None)
    ws.page_setup.orientation = "landscape"
    keys = [i for i, c in enumerate(sheet.columns) if c.name in ("id", "event", "property", "from")]
    ws.freeze_panes = ws.cell(2, (max(keys) + 2) if keys and max(keys) < 4 else 1)
    if sheet.columns:
        ws.auto_filter.ref = f"A1:{column_letter(len(sheet.columns))}{max(1, len(rows) + 1)}"
    for col, column in enumerate(sheet.columns, start=1):
        letter = column_letter(col)
        where = f"{letter}2:{letter}1048576"
        if column.vocabulary:
            dv = DataValidation(type="list", formula1='"' + ",".join(column.vocabulary) + '"', allow_blank=True)
            dv.error = "Choose one of: " + ", ".join(column.vocabulary)
            dv.errorTitle = column.name
        elif column.kind == "flag":
            dv = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
            dv.error, dv.errorTitle = "yes, or empty for no", column.name
        elif column.name in _RANGES:
            low, high = _RANGES[column.name]
            dv = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high), allow_blank=True)
            dv.error, dv.errorTitle = f"A whole number from {low} to {high}", column.name
        else:
            continue
        dv.showErrorMessage = True
        dv.add(where)
        ws.add_data_validation(dv)


#: Number columns with a fixed scale (a whole number between the two).
_RANGES = {"emotion": v.EMOTION_RANGE, "rating": v.RATING_RANGE, "age": v.AGE_RANGE}


def _about(st: _Styles, ws: Any, map_names: Sequence[str]) -> None:
    lines: list[tuple[str, str, str]] = [
        ("Customer journeys, written by cjdsl", "", ""),
        ("", "", ""),
        (
            "Map sheets",
            ", ".join(map_names) or "(none)",
            "Each journey drawn as a map: stages, touchpoints and lanes. Drawn from the data sheets; "
            "edits here are not read back.",
        ),
        ("Data sheets", "", "One row per element, with its id. Edit these, then run: cjdsl import xlsx THIS.xlsx -o FOLDER"),
        ("", "", ""),
        ("sheet", "column", "what it holds"),
    ]
    for sheet in sheets.SHEETS:
        lines.append((sheet.name, "", sheet.note))
        for column in sheet.columns:
            how = sheets.KIND_NOTES.get(column.kind, "")
            vocab = ("one of: " + ", ".join(column.vocabulary)) if column.vocabulary else ""
            note = " ".join(x for x in (column.note, f"({vocab or how})" if (vocab or how) else "") if x)
            lines.append(("", column.name, note))
    for r, (a, b, c) in enumerate(lines, start=1):
        for col, text in enumerate((a, b, c), start=1):
            if text:
                cell = ws.cell(r, col)
                font = st.title if r == 1 and col == 1 else st.bold if col == 1 and not b else None
                st.apply(cell, quoted=_text_cell(cell, text, "about"), alignment=st.wrap, font=font)
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 100


def _sheet_name(base: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\']", "_", base)[:31]
    k = 2
    while name.lower() in used:
        suffix = f" {k}"
        name = name[: 31 - len(suffix)] + suffix
        k += 1
    used.add(name.lower())
    return name


def workbook(files: Sequence[tuple[str, m.Document]], journeys: Sequence[ResolvedJourney]) -> bytes:
    """The workbook of a project: a map sheet per journey, the data sheets of every file
    (display path, document), and the about sheet. Raises :class:`ExportError` and
    :class:`~cjdsl.review.workbook.MissingOpenpyxl`."""
    op = _openpyxl()
    wb = op.Workbook()
    wb.remove(wb.active)
    st = _Styles(op)
    used = {s.name for s in sheets.SHEETS} | {"about"}
    map_names = []
    for j in journeys:
        name = _sheet_name(f"map {j.id}", used)
        map_names.append(name)
        _map_sheet(op, st, wb.create_sheet(name), map_layout(j))
    for sheet, rows in sheets.tables(files):
        _data_sheet(op, st, wb.create_sheet(sheet.name), sheet, rows)
    _about(st, wb.create_sheet("about"), map_names)
    wb.active = 0
    props = wb.properties
    props.creator = "cjdsl"
    props.title = ", ".join(j.title for j in journeys)[:250] or None
    raw = io.BytesIO()
    wb.save(raw)
    return _normalised(raw.getvalue())


_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _normalised(data: bytes) -> bytes:
    """The zip openpyxl wrote, made the same for the same content: fixed document dates,
    fixed entry times, [Content_Types].xml first and the other parts in name order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            body = source.read(name)
            if name == "docProps/core.xml":
                body = _CORE_DATES.sub(lambda mm: mm.group(1) + FIXED_DATE.encode() + mm.group(3), body)
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, body, compresslevel=6)
    return out.getvalue()


def csv_files(files: Sequence[tuple[str, m.Document]]) -> dict[str, bytes]:
    """The data sheets as CSV files (`touchpoints.csv`, ...), UTF-8 with a byte order
    mark so that spreadsheets read the accents right; a text that starts like a formula
    gets a leading `'`."""
    out: dict[str, bytes] = {}
    for sheet, rows in sheets.tables(files):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([c.name for c in sheet.columns])
        for row in rows:
            writer.writerow([csv_cell(value) for value in row])
        out[f"{sheet.name}.csv"] = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return out
