"""The formatter: prints a parsed file in the one canonical layout, keeping comments.

Layout: two-space indentation, one attribute per line in a fixed order per block, one
blank line between blocks (one-line declarations of the same kind stay together),
strings re-quoted canonically. Comments travel with the item they precede, or the line
they end; a blank line after a comment is kept.

``parse(format(x)) == parse(x)`` for every file (the model's equality ignores layout),
and ``format(format(x)) == format(x)``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from ..core import model as m
from ..core.diagnostics import Diagnostic
from ..core.span import LineIndex, Span
from ..core.strings import quote, quote_block
from . import table as language
from .parser import Comment, ParseResult, parse

INDENT = "  "


@dataclass
class _Group:
    """Lines printed for one source item, with the span they came from."""

    indent: int
    lines: list[str]
    span: Span | None
    blank_before: bool = False
    leading: list[Comment] = field(default_factory=list)
    trailing: list[Comment] = field(default_factory=list)


class _Printer:
    def __init__(self) -> None:
        self.groups: list[_Group] = []
        self.depth = 0

    def line(self, text: str, span: Span | None = None, *, blank: bool = False) -> None:
        self.groups.append(_Group(self.depth, text.split("\n"), span, blank))

    # -- values ---------------------------------------------------------------------
    def text(self, value: str) -> str:
        if "\n" in value:
            block = quote_block(value, INDENT * self.depth)
            if block is not None:
                return block
        return quote(value)

    def attr(self, node: object, key: str, keyword: str, value: str | None, *, span_key: str | None = None) -> None:
        if value is None:
            return
        spans = getattr(node, "spans", {})
        self.line(f"{keyword} {value}", spans.get(span_key or key))

    def text_attr(self, node: object, key: str, keyword: str | None = None) -> None:
        value = getattr(node, key)
        if value is not None:
            self.attr(node, key, keyword or key, self.text(value))

    def texts(self, node: object, key: str, keyword: str) -> None:
        spans = getattr(node, "spans", {})
        for i, value in enumerate(getattr(node, key)):
            self.line(f"{keyword} {self.text(value)}", spans.get(f"{keyword}.{i}"))

    def refs(self, node: object, key: str, keyword: str, sep: str = ", ") -> None:
        refs: Sequence[m.Ref] = getattr(node, key)
        if refs:
            self.attr(
                node, key, keyword, sep.join(r.id + (f" {self.text(r.label)}" if r.label is not None else "") for r in refs)
            )

    def allow(self, node: object) -> None:
        allows: Sequence[m.Allow] = getattr(node, "allow", ())
        for a in allows:
            text = "allow " + ", ".join(r.id for r in a.rules)
            if a.only:
                text += " for " + ", ".join(r.id for r in a.only)
            if a.reason is not None:
                text += " " + self.text(a.reason)
            self.line(text, a.span)

    # -- blocks ---------------------------------------------------------------------
    def open(self, header: str, node: object, has_body: bool, *, blank: bool = False) -> bool:
        spans = getattr(node, "spans", {})
        self.line(header + (" {" if has_body else ""), spans.get("header", getattr(node, "span", None)), blank=blank)
        if has_body:
            self.depth += 1
        return has_body

    def close(self, node: object) -> None:
        self.depth -= 1
        self.line("}", getattr(node, "spans", {}).get("end"))


def _label(node: object) -> str:
    label = getattr(node, "label", None)
    return f" {quote(label)}" if label is not None else ""


def _number(value: float, *, signed: bool = False) -> str:
    if isinstance(value, int):
        text = str(value)
    else:
        text = format(Decimal(repr(value)), "f")
        if "." not in text:
            text += ".0"
    return f"+{text}" if signed and value > 0 else text


#: Fields printed in a declaration's header line rather than in its block.
_HEADER = frozenset({"id", "name", "label", "phase", "mode", "kind", "text", "lane"})


def _time(t: m.Time) -> str:
    low = _number(t.low)
    return f"{low}..{_number(t.high)} {t.unit}" if t.high is not None else f"{low} {t.unit}"


def _has_body(node: object) -> bool:
    """Whether the declaration has anything to print inside braces."""
    for f in fields(node):  # type: ignore[arg-type]
        value = getattr(node, f.name)
        if f.compare and f.name not in _HEADER and not (value is None or value is False or value == ()):
            return True  # (0 is a value, not an absence)
    return False


def _attributes(p: _Printer, node: Any, keyword: str, nested: Callable[[language.Attribute], None] | None = None) -> None:
    """A block's attributes in the language table's order, each as its kind is written;
    nested blocks through ``nested``."""
    spans = getattr(node, "spans", {})
    for a in language.BLOCKS[keyword].attributes:
        field = a.fields[0]
        value = getattr(node, field)
        if a.kind == "block":
            if nested is not None:
                nested(a)
        elif a.kind == "text" and a.repeats:
            p.texts(node, field, a.keyword)
        elif a.kind == "text":
            if value is not None:
                p.attr(node, field, a.keyword, p.text(value))
        elif a.kind == "word":
            p.attr(node, field, a.keyword, value)
        elif a.kind == "number":
            p.attr(node, field, a.keyword, _number(value) if value is not None else None)
        elif a.kind == "ref":
            p.attr(node, field, a.keyword, value.id if value is not None else None)
        elif a.kind in ("refs", "chain"):
            p.refs(node, field, a.keyword, " -> " if a.kind == "chain" else ", ")
        elif a.kind == "texts":
            if value:
                p.attr(node, field, a.keyword, ", ".join(quote(t) for t in value))
        elif a.kind == "flag":
            if value:
                p.line(a.keyword, spans.get(a.keyword))
        elif a.kind == "marker":
            if value:
                label = getattr(node, a.fields[1])
                p.line(a.keyword + (f" {p.text(label)}" if label is not None else ""), spans.get(a.keyword))
        elif a.kind == "emotion":
            if value is not None:
                feeling = getattr(node, a.fields[1])
                text = f"{a.keyword} {_number(value, signed=True)}" + (f" {p.text(feeling)}" if feeling is not None else "")
                p.line(text, spans.get(a.keyword))
        elif a.kind == "note":
            if value is not None:
                p.line(a.keyword + (f" {p.text(value)}" if value else ""), spans.get(a.keyword))
        elif a.kind == "allow":
            p.allow(node)
        elif a.kind == "time":
            p.attr(node, field, a.keyword, _time(value) if value is not None else None)
        elif a.kind == "range":
            p.attr(node, field, a.keyword, f"{_number(value[0])}..{_number(value[1])}" if value is not None else None)
        elif a.kind == "persona":
            signed = a.fields[0] == "emotion_for"
            for i, pv in enumerate(value):
                text = f"{a.keyword} {pv.persona.id} {_number(pv.value, signed=signed)}"
                p.line(text + (f" {p.text(pv.feeling)}" if pv.feeling is not None else ""), spans.get(f"{a.keyword}.{i}"))
        else:  # pragma: no cover - a kind the table gained and the formatter did not
            raise AssertionError(f"no way to print a `{a.kind}` attribute")


def _journey(p: _Printer, j: m.Journey, blank: bool) -> None:
    if p.open(f"journey {j.id}{_label(j)}", j, _has_body(j), blank=blank):
        _attributes(p, j, "journey")
        p.close(j)


def _persona(p: _Printer, x: m.Persona, blank: bool) -> None:
    if p.open(f"persona {x.id}{_label(x)}", x, _has_body(x), blank=blank):
        _attributes(p, x, "persona")
        p.close(x)


def _simple(
    p: _Printer, keyword: str, x: m.Intent | m.Team | m.Channel | m.Actor | m.System | m.Metric, blank: bool, extra: str = ""
) -> None:
    if p.open(f"{keyword} {x.id}{_label(x)}{extra}", x, _has_body(x), blank=blank):
        _attributes(p, x, keyword)
        p.close(x)


def _stage(p: _Printer, s: m.Stage, blank: bool) -> None:
    phase = f" phase {s.phase}" if s.phase else ""
    if p.open(f"stage {s.id}{_label(s)}{phase}", s, _has_body(s), blank=blank):
        first = [s.description is None and not s.allow]

        def nested(a: language.Attribute) -> None:
            for child in getattr(s, a.fields[0]):
                if a.keyword == "touchpoint":
                    _touchpoint(p, child, blank=not first[0])
                else:
                    _pain(p, child, blank=not first[0])
                first[0] = False

        _attributes(p, s, "stage", nested)
        p.close(s)


def _touchpoint(p: _Printer, t: m.Touchpoint, blank: bool) -> None:
    if not p.open(f"touchpoint {t.id}{_label(t)}", t, _has_body(t), blank=blank):
        return

    def nested(a: language.Attribute) -> None:
        for child in getattr(t, a.fields[0]):
            if a.keyword == "event":
                _event(p, child)
            elif a.keyword == "pain":
                _pain(p, child, blank=True)
            elif a.keyword == "quote" or child.lane == a.keyword:  # a quote, or a step of this lane
                _texted(p, a.keyword, child)

    _attributes(p, t, "touchpoint", nested)
    p.close(t)


def _texted(p: _Printer, keyword: str, x: m.Step | m.Quote) -> None:
    """A nested block whose header is a string: a step of a blueprint lane, a quote."""
    if p.open(f"{keyword} {p.text(x.text)}", x, _has_body(x)):
        _attributes(p, x, keyword)
        p.close(x)


def _event(p: _Printer, e: m.Event) -> None:
    if not p.open(f"event {quote(e.name)}", e, _has_body(e)):
        return
    p.text_attr(e, "description")
    if e.when is not None:
        p.line(f"when {e.when[0]} {quote(e.when[1])}", e.spans.get("when"))
    for prop in e.properties:
        parts = [prop.name if prop.name != "required" else quote(prop.name), str(prop.type)]
        if prop.required:
            parts.append("required")
        if prop.minimum is not None:
            parts.append(f"min {_number(prop.minimum)}")
        if prop.maximum is not None:
            parts.append(f"max {_number(prop.maximum)}")
        if prop.pattern is not None:
            parts.append(f"pattern {quote(prop.pattern)}")
        if prop.description is not None:
            parts.append(quote(prop.description))
        p.line(" ".join(parts), prop.span if prop.span.end else None)
    p.close(e)


def _pain(p: _Printer, x: m.Pain, blank: bool) -> None:
    if not p.open(f"pain {x.id}{_label(x)}", x, _has_body(x), blank=blank):
        return

    def nested(a: language.Attribute) -> None:
        for ref in x.opportunity_refs:
            p.line(f"opportunity {ref.id}", ref.span if ref.span.end else None)
        for opp in x.opportunities:
            _opportunity(p, opp, blank=False)

    _attributes(p, x, "pain", nested)
    p.close(x)


def _opportunity(p: _Printer, x: m.Opportunity, blank: bool) -> None:
    if not _has_body(x) and x.label is None:
        # `opportunity ID` alone would read as a reference: give it an empty block.
        p.line(f"opportunity {x.id} {{", x.spans.get("header"), blank=blank)
        p.line("}", x.spans.get("end"))
        return
    if p.open(f"opportunity {x.id}{_label(x)}", x, _has_body(x), blank=blank):
        _attributes(p, x, "opportunity")
        p.close(x)


def _kpi(p: _Printer, k: m.Kpi, blank: bool) -> None:
    if p.open(f"kpi {k.id}{_label(k)}", k, _has_body(k), blank=blank):
        _attributes(p, k, "kpi")
        p.close(k)


def _one_line_kind(item: m.Item, printed_lines: int) -> str | None:
    """Items that print on one line group with neighbours of the same kind."""
    return (
        type(item).__name__
        if printed_lines == 1 and isinstance(item, (m.Include, m.Intent, m.Channel, m.Team, m.Actor, m.System))
        else None
    )


def print_document(doc: m.Document) -> _Printer:
    p = _Printer()
    previous: str | None = None
    for n, item in enumerate(doc.items):
        start = len(p.groups)
        blank = n > 0
        if isinstance(item, m.Include):
            p.line(f"include {quote(item.path)}", item.span if item.span.end else None, blank=blank)
        elif isinstance(item, m.Journey):
            _journey(p, item, blank)
        elif isinstance(item, m.Persona):
            _persona(p, item, blank)
        elif isinstance(item, m.Intent):
            _simple(p, "intent", item, blank)
        elif isinstance(item, m.Channel):
            words = "".join(f" {w}" for w in (item.mode, item.kind) if w)
            _simple(p, "channel", item, blank, words)
        elif isinstance(item, (m.Team, m.Actor, m.System, m.Metric)):
            _simple(p, type(item).__name__.lower(), item, blank)
        elif isinstance(item, m.Stage):
            _stage(p, item, blank)
        elif isinstance(item, m.Pain):
            _pain(p, item, blank)
        elif isinstance(item, m.Opportunity):
            _opportunity(p, item, blank)
        elif isinstance(item, m.Kpi):
            _kpi(p, item, blank)
        kind = _one_line_kind(item, sum(len(g.lines) for g in p.groups[start:]))
        if kind is not None and kind == previous:
            p.groups[start].blank_before = False
        previous = kind
    return p


def _place_comments(groups: list[_Group], comments: Sequence[Comment], lines: LineIndex) -> tuple[list[Comment], dict[int, bool]]:
    """Attaches each comment to a group; returns the comments left for the end of the
    file and, per comment offset, whether a blank line followed it in the source."""
    anchored = sorted((g.span.start, i) for i, g in enumerate(groups) if g.span is not None)
    starts = [s for s, _ in anchored]
    by_end_line: dict[int, list[tuple[int, int]]] = {}
    for i, g in enumerate(groups):
        if g.span is not None:
            by_end_line.setdefault(g.span.end_line, []).append((g.span.start, i))
    tail: list[Comment] = []
    blank_after: dict[int, bool] = {}
    for c in comments:
        before = lines.line_text(c.line)[: c.column - 1]
        blank_after[c.offset] = lines.line_text(c.line + 1).strip() == "" and c.line < lines.line_count
        if before.strip():
            candidates = [(s, i) for s, i in by_end_line.get(c.line, []) if s < c.offset]
            if candidates:
                groups[max(candidates)[1]].trailing.append(c)
                continue
        k = bisect_right(starts, c.offset)
        if k < len(anchored):
            groups[anchored[k][1]].leading.append(c)
        else:
            tail.append(c)
    return tail, blank_after


def render(p: _Printer, comments: Sequence[Comment] = (), lines: LineIndex | None = None) -> str:
    groups = p.groups
    tail: list[Comment] = []
    blank_after: dict[int, bool] = {}
    if comments and lines is not None:
        tail, blank_after = _place_comments(groups, comments, lines)
    out: list[str] = []

    def comment_lines(cs: list[Comment], indent: str, *, before_item: bool) -> None:
        for j, c in enumerate(cs):
            out.append(indent + c.text.rstrip())
            last = j == len(cs) - 1
            if blank_after.get(c.offset) and (not last or before_item):
                out.append("")

    for g in groups:
        indent = INDENT * g.indent
        if g.blank_before and out and out[-1] != "":
            out.append("")
        # Comments just before a closing brace belong to the block's body.
        comment_indent = INDENT * (g.indent + 1) if g.lines == ["}"] else indent
        comment_lines(g.leading, comment_indent, before_item=True)
        body = [indent + line if line and k == 0 else line for k, line in enumerate(g.lines)]
        if g.trailing:
            body[-1] += "  " + "  ".join(c.text.rstrip() for c in g.trailing)
        out.extend(body)
    if tail:
        if out and out[-1] != "":
            out.append("")
        comment_lines(tail, "", before_item=False)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def format_result(result: ParseResult) -> str | None:
    """The canonical text of a parsed file, or None when it did not parse."""
    if result.document is None:
        return None
    return render(print_document(result.document), result.comments, result.lines)


def format_text(text: str, path: str = "<string>") -> tuple[str | None, tuple[Diagnostic, ...]]:
    result = parse(text, path)
    return format_result(result), result.diagnostics


def format_document(doc: m.Document) -> str:
    """Prints a model (one built in code, say) without comments."""
    return render(print_document(doc))
