"""Builds the model straight from the parser's reductions (Lark inline transformer).

Each method is named after a rule of ``grammar/journey.lark`` and receives that rule's
children: tokens (from either parser loop, see :func:`_is_token`), and what the methods
of its sub-rules returned. The builder checks
only what the grammar cannot say (an attribute given twice, a property modifier with no
property, string escapes); value ranges and vocabularies are checked later, by
:mod:`cjdsl.language.values`, where they can be reported with suggestions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple, TypeGuard

from ..core import model as m
from ..core.diagnostics import Diagnostic, Related, make
from ..core.span import LineIndex, Span
from ..core.strings import EscapeError, decode
from . import table as language
from .fastpath import Tok as Token


def _is_token(item: object) -> TypeGuard[Token]:
    """A token from either parser loop: fastpath's or Lark's, both strings with a
    ``type`` and a position. Nothing else the builder handles is a string."""
    return isinstance(item, str)


#: Makes a named tuple without the Python-level ``__new__`` of its class, which checks
#: and fills defaults the builder never needs (it makes a span for nearly every token).
_new = tuple.__new__


class Attr(NamedTuple):
    """One attribute line: its key, value and span."""

    key: str
    value: Any
    span: Span


@dataclass(slots=True)
class _PropHead:
    name: str
    type: m.PropertyType
    span: Span
    name_span: Span


#: Each block's attributes by keyword (the language table), by the noun messages use.
_ATTRIBUTES: dict[str, dict[str, language.Attribute]] = {
    b.noun: {a.keyword: a for a in b.attributes} for b in language.BLOCKS.values()
}


#: Digits a number may have before and after its point.
MAX_DIGITS = 15
#: How deep property types are kept: list(list(T)) is as deep as an error needs.
MAX_TYPE_DEPTH = 3


def _depth(t: m.PropertyType) -> int:
    depth = 1
    while t.item is not None:
        depth += 1
        t = t.item
    return depth


#: What a string may not hold: control characters other than tab and line feed (C0,
#: DEL, C1 with NEL), carriage returns, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


class Builder:
    """One builder per parser; :meth:`begin` resets it for each file."""

    def __init__(self) -> None:
        self.path = "<string>"
        self.lines = LineIndex("")
        self.diagnostics: list[Diagnostic] = []
        self.comments: list[Token] = []

    def begin(self, path: str, lines: LineIndex) -> None:
        self.path = path
        self.lines = lines
        self.diagnostics = []
        self.comments = []

    # -- helpers -------------------------------------------------------------------
    def span(self, tok: Token) -> Span:
        start = tok.start_pos or 0
        return _new(Span, (self.path, start, start + len(tok), self.lines))  # a token is the text it matched

    def text(self, tok: Token) -> str:
        try:
            value = decode(tok)
        except EscapeError as err:
            start = (tok.start_pos or 0) + err.offset
            self.diagnostics.append(
                make(
                    "CJ005",
                    str(err),
                    Span(self.path, start, start + 2, self.lines),
                    help='known escapes are \\" \\\\ \\n \\t \\r and \\u{XXXX}; write \\\\ for a backslash',
                )
            )
            return _CONTROL.sub("\ufffd", str(tok)[1:-1])
        if _CONTROL.search(value) is None:
            return value
        return self._control(tok, value)

    def _control(self, tok: Token, value: str) -> str:
        """Reports the first control character of a string (CJ009) and returns the value
        with each one replaced by U+FFFD, so no later stage and no output ever holds one."""
        raw = _CONTROL.search(str(tok))
        start = (tok.start_pos or 0) + (raw.start() if raw is not None else 0)
        bad = _CONTROL.search(value)
        assert bad is not None
        self.diagnostics.append(
            make(
                "CJ009",
                f"a string holds the control character U+{ord(bad.group()):04X}",
                Span(self.path, start, start + 1 if raw is not None else start + len(tok), self.lines),
                help="text may hold line breaks and tabs, but no other control character (they would act on the terminals, "
                "logs, Markdown, diagrams and YAML that cjdsl writes); remove it",
            )
        )
        return _CONTROL.sub("\ufffd", value)

    def number(self, tok: Token) -> float:
        text = str(tok)
        whole, _, fraction = text.lstrip("+-").partition(".")
        if len(whole) > MAX_DIGITS or len(fraction) > MAX_DIGITS:
            self.diagnostics.append(
                make(
                    "CJ103",
                    f"a number of {len(whole) + len(fraction)} digits is out of range",
                    self.span(tok),
                    help=f"numbers take at most {MAX_DIGITS} digits before and after the point",
                )
            )
            return 0
        return float(text) if "." in text else int(text)

    def ref(self, tok: Token) -> m.Ref:
        return m.Ref(str(tok), span=self.span(tok))

    def refs(self, toks: list[Any]) -> tuple[m.Ref, ...]:
        return tuple(self.ref(t) for t in toks if _is_token(t) and t.type in ("NAME", "RULE_REF"))

    def _attr(self, children: list[Any], key: str, value: Any) -> Attr:
        first, last = children[0], children[-1]
        if _is_token(last):  # the common case, in one step
            end = (last.start_pos or 0) + len(last)
            return _new(Attr, (key, value, _new(Span, (self.path, first.start_pos or 0, end, self.lines))))
        return Attr(key, value, self.span(first).to(self._last_span(last)))

    def _last_span(self, item: Any) -> Span:
        if _is_token(item):
            return self.span(item)
        if isinstance(item, Attr):
            return item.span
        return item.span  # type: ignore[no-any-return]

    def _block(self, children: list[Any], kind: str) -> tuple[str, dict[str, Any], dict[str, Span], Span]:
        """Collects a declaration's id, label and attributes.

        Returns (id, values, spans, span). ``values`` maps attribute keys to values;
        repeated keys hold lists. ``spans`` has "id", "header", "end" and one entry per
        attribute (``key.N`` for the Nth value of a repeated one)."""
        kw, name = children[0], children[1]
        values: dict[str, Any] = {}
        header_end = self.span(name)
        spans: dict[str, Span] = {"id": header_end}
        end: Span | None = None
        for item in children[2:]:
            if _is_token(item):
                if item.type == "LBRACE":
                    header_end = self.span(item)
                elif item.type == "RBRACE":
                    end = self.span(item)
                continue
            if isinstance(item, Attr):
                self._add(values, spans, item, kind)
                if item.key in ("label", "phase", "channel_word"):  # header parts, before any `{`
                    header_end = item.span
            else:  # nested declarations: touchpoint, pain, opportunity, event, property
                self._add(values, spans, Attr(_kind_of(item), item, item.span), kind)
        start = self.span(kw)
        spans["header"] = start.to(header_end)
        if end is not None:
            spans["end"] = end
        return str(name), values, spans, start.to(end or header_end)

    def _add(self, values: dict[str, Any], spans: dict[str, Span], attr: Attr, kind: str) -> None:
        key = attr.key
        spec = _ATTRIBUTES[kind].get(key)
        if spec is not None and spec.collects:
            bucket = values.setdefault(key, [])
            spans[f"{key}.{len(bucket)}"] = attr.span
            spans.setdefault(key, attr.span)
            bucket.append(attr.value)
        elif spec is not None and spec.merges:
            values[key] = values.get(key, ()) + attr.value
            spans.setdefault(key, attr.span)
            spans[f"{key}.{len(values[key]) - len(attr.value)}"] = attr.span
        elif key in values:
            self.diagnostics.append(
                make(
                    "CJ010",
                    f"`{key}` is given twice in this {kind}",
                    attr.span,
                    help=f"a {kind} has one `{key}`; keep one of the two lines",
                    related=[Related(spans[key], "first given here")],
                )
            )
        else:
            values[key] = attr.value
            spans[key] = attr.span

    # -- file ----------------------------------------------------------------------
    def start(self, children: list[Any]) -> list[m.Item]:
        # `opportunity ID` alone is a reference inside a pain point, but at the top level
        # it can only declare the opportunity.
        return [
            m.Opportunity(c.id, span=c.span, spans=MappingProxyType({"id": c.span, "header": c.span}))
            if isinstance(c, m.Ref)
            else c
            for c in children
        ]

    def include(self, c: list[Any]) -> m.Include:
        return m.Include(self.text(c[1]), span=self.span(c[0]).to(self.span(c[1])))

    def label(self, c: list[Any]) -> Attr:
        return Attr("label", self.text(c[0]), self.span(c[0]))

    # -- declarations ----------------------------------------------------------------
    def _node(self, keyword: str, c: list[Any], **header: Any) -> Any:
        """A declaration built by keyword from the language table (never by position)."""
        block = language.BLOCKS[keyword]
        id_, v, s, span = self._block(c, block.noun)
        return block.model(id_, v.get("label"), **header, **language.fields(block, v), span=span, spans=MappingProxyType(s))

    def journey(self, c: list[Any]) -> m.Journey:
        return self._node("journey", c)  # type: ignore[no-any-return]

    def persona(self, c: list[Any]) -> m.Persona:
        return self._node("persona", c)  # type: ignore[no-any-return]

    def intent(self, c: list[Any]) -> m.Intent:
        return self._node("intent", c)  # type: ignore[no-any-return]

    def team(self, c: list[Any]) -> m.Team:
        return self._node("team", c)  # type: ignore[no-any-return]

    def channel_label(self, c: list[Any]) -> Attr:
        return self.label(c)

    def event_description(self, c: list[Any]) -> Attr:
        return self._attr(c, "description", self.text(c[1]))

    def channel_word(self, c: list[Any]) -> Attr:
        return Attr("channel_word", (str(c[0]),), self.span(c[0]))

    def channel(self, c: list[Any]) -> m.Channel:
        words = [a for a in c if isinstance(a, Attr) and a.key == "channel_word"]
        rest = [a for a in c if not (isinstance(a, Attr) and a.key == "channel_word")]
        id_, v, s, span = self._block(rest, "channel")
        mode = kind = None
        for w in words:
            word = w.value[0]
            if word in ("online", "offline") and mode is None and kind is None:
                mode = word
                s["mode"] = w.span
            elif kind is None:
                kind = word
                s["kind"] = w.span
            elif word in ("online", "offline") and mode is not None:
                self.diagnostics.append(
                    make(
                        "CJ012",
                        f"channel `{id_}` is already `{mode}`",
                        w.span,
                        help="a channel is either online or offline: keep one of the two words",
                    )
                )
            elif word in ("online", "offline") and mode is None:
                self.diagnostics.append(
                    make(
                        "CJ012",
                        f"`{word}` comes after the channel's kind `{kind}`",
                        w.span,
                        help=f'write the mode first: `channel {id_} "..." {word} {kind}`',
                    )
                )
                mode = word
            else:
                self.diagnostics.append(
                    make(
                        "CJ012",
                        f"unexpected word `{word}` after the channel's kind `{kind}`",
                        w.span,
                        help='a channel is `channel ID "Label" online|offline KIND`, e.g. `channel blog "Blog" online web`',
                    )
                )
        if words:
            s["header"] = s["header"].to(words[-1].span) if "end" not in s else s["header"]
            if "end" not in s:
                span = span.to(words[-1].span)
        block = language.BLOCKS["channel"]
        return m.Channel(
            id_, v.get("label"), mode=mode, kind=kind, **language.fields(block, v), span=span, spans=MappingProxyType(s)
        )

    def stage_phase(self, c: list[Any]) -> Attr:
        return self._attr(c, "phase", str(c[1]))

    def stage(self, c: list[Any]) -> m.Stage:
        id_, v, s, span = self._block(c, "stage")
        block = language.BLOCKS["stage"]
        return m.Stage(
            id_, v.get("label"), phase=v.get("phase"), **language.fields(block, v), span=span, spans=MappingProxyType(s)
        )

    def touchpoint(self, c: list[Any]) -> m.Touchpoint:
        return self._node("touchpoint", c)  # type: ignore[no-any-return]

    def pain(self, c: list[Any]) -> m.Pain:
        return self._node("pain", c)  # type: ignore[no-any-return]

    def opportunity(self, c: list[Any]) -> m.Opportunity | m.Ref:
        if len(c) == 2:  # `opportunity ID` alone: a reference
            return self.ref(c[1])
        return self._node("opportunity", c)  # type: ignore[no-any-return]

    def kpi(self, c: list[Any]) -> m.Kpi:
        return self._node("kpi", c)  # type: ignore[no-any-return]

    def actor(self, c: list[Any]) -> m.Actor:
        return self._node("actor", c)  # type: ignore[no-any-return]

    def system(self, c: list[Any]) -> m.System:
        return self._node("system", c)  # type: ignore[no-any-return]

    def metric(self, c: list[Any]) -> m.Metric:
        return self._node("metric", c)  # type: ignore[no-any-return]

    def _texted(self, keyword: str, c: list[Any], **header: Any) -> Any:
        """A nested block whose header is a string, not an id (a step, a quote)."""
        block = language.BLOCKS[keyword]
        _, v, s, span = self._block(c, block.noun)
        return block.model(self.text(c[1]), **header, **language.fields(block, v), span=span, spans=MappingProxyType(s))

    def frontstage(self, c: list[Any]) -> m.Step:
        return self._texted("frontstage", c, lane="frontstage")  # type: ignore[no-any-return]

    def backstage(self, c: list[Any]) -> m.Step:
        return self._texted("backstage", c, lane="backstage")  # type: ignore[no-any-return]

    def quote(self, c: list[Any]) -> m.Quote:
        return self._texted("quote", c)  # type: ignore[no-any-return]

    # -- attributes ------------------------------------------------------------------
    def _text_attr(key: str) -> Callable[[Builder, list[Any]], Attr]:  # type: ignore[misc]
        def build(self: Builder, c: list[Any]) -> Attr:
            return self._attr(c, key, self.text(c[1]))

        build.__name__ = key
        return build

    def _word_attr(key: str) -> Callable[[Builder, list[Any]], Attr]:  # type: ignore[misc]
        def build(self: Builder, c: list[Any]) -> Attr:
            return self._attr(c, key, str(c[1]))

        build.__name__ = key
        return build

    def _ref_attr(key: str) -> Callable[[Builder, list[Any]], Attr]:  # type: ignore[misc]
        def build(self: Builder, c: list[Any]) -> Attr:
            return self._attr(c, key, self.ref(c[1]))

        build.__name__ = key
        return build

    def _refs_attr(key: str) -> Callable[[Builder, list[Any]], Attr]:  # type: ignore[misc]
        def build(self: Builder, c: list[Any]) -> Attr:
            return self._attr(c, key, self.refs(c[1:]))

        build.__name__ = key
        return build

    version = _text_attr("version")
    description = _text_attr("description")
    role = _text_attr("role")
    industry = _text_attr("industry")
    gender = _text_attr("gender")
    location = _text_attr("location")
    goal = _text_attr("goal")
    persona_need = _text_attr("need")
    concern = _text_attr("concern")
    interest = _text_attr("interest")
    context = _text_attr("context")
    tp_need = _text_attr("need")
    customer_action = _text_attr("customer_action")
    company_action = _text_attr("company_action")
    evidence = _text_attr("evidence")
    target = _text_attr("target")
    thinking = _text_attr("thinking")
    source = _text_attr("source")
    state = _word_attr("state")
    confidence = _word_attr("confidence")
    variant_of = _ref_attr("variant_of")
    part_of = _ref_attr("part_of")
    detail = _ref_attr("detail")
    actor_team = _ref_attr("team")
    step_actor = _ref_attr("actor")
    support = _refs_attr("support")
    severity = _word_attr("severity")
    cause = _word_attr("cause")
    impact = _word_attr("impact")
    effort = _word_attr("effort")
    status = _word_attr("status")
    owner = _ref_attr("owner")
    tp_channel = _ref_attr("channel")
    at = _ref_attr("at")
    tp_persona = _refs_attr("persona")
    tp_intent = _refs_attr("intent")
    measures = _refs_attr("measures")
    funnel = _refs_attr("funnel")

    def allow(self, c: list[Any]) -> Attr:
        rules = self.refs([t for t in c[1:] if _is_token(t)])
        only: tuple[m.Ref, ...] = ()
        reason: str | None = None
        for part in c[1:]:
            if isinstance(part, Attr) and part.key == "allow_for":
                only = part.value
            elif isinstance(part, Attr) and part.key == "allow_reason":
                reason = part.value
        attr = self._attr(c, "allow", ())
        return Attr("allow", (m.Allow(rules, reason, only, span=attr.span),), attr.span)

    def untracked(self, c: list[Any]) -> Attr:
        return self._attr(c, "untracked", self.text(c[1]) if len(c) > 1 else "")

    def allow_for(self, c: list[Any]) -> Attr:
        return self._attr(c, "allow_for", self.refs(c[1:]))

    def allow_reason(self, c: list[Any]) -> Attr:
        return self._attr(c, "allow_reason", self.text(c[0]))

    def rule_ref(self, c: list[Any]) -> Token:
        return c[0]  # type: ignore[no-any-return]

    def tags(self, c: list[Any]) -> Attr:
        return self._attr(c, "tags", tuple(self.text(t) for t in c[1:] if t.type == "STRING"))

    def age(self, c: list[Any]) -> Attr:
        return self._attr(c, "age", self.number(c[1]))

    def persona_for(self, c: list[Any]) -> m.Ref:
        return self.ref(c[1])

    def rating(self, c: list[Any]) -> Attr:
        if isinstance(c[1], m.Ref):  # `rating for ID N`: one persona's
            value = m.PersonaValue(c[1], self.number(c[2]), span=self.span(c[0]).to(self.span(c[2])))
            return self._attr(c, "rating for", value)
        return self._attr(c, "rating", self.number(c[1]))

    def emotion(self, c: list[Any]) -> Attr:
        if isinstance(c[1], m.Ref):  # `emotion for ID N "word"`: one persona's
            feeling = self.text(c[3]) if len(c) > 3 else None
            value = m.PersonaValue(c[1], self.number(c[2]), feeling, span=self.span(c[0]).to(self.span(c[-1])))
            return self._attr(c, "emotion for", value)
        feeling = self.text(c[2]) if len(c) > 2 else None
        return self._attr(c, "emotion", (self.number(c[1]), feeling))

    def next_ref(self, c: list[Any]) -> m.Ref:
        label = self.text(c[1]) if len(c) > 1 else None
        return m.Ref(str(c[0]), label, span=self.span(c[0]))

    def next(self, c: list[Any]) -> Attr:
        return self._attr(c, "next", tuple(r for r in c[1:] if isinstance(r, m.Ref)))

    def time(self, c: list[Any]) -> m.Time:
        high = self.number(c[2]) if len(c) == 4 else None
        return m.Time(self.number(c[0]), str(c[-1]), high, span=self.span(c[0]).to(self.span(c[-1])))

    def window(self, c: list[Any]) -> Attr:
        return self._attr(c, "window", c[1])

    def event_when(self, c: list[Any]) -> Attr:
        return self._attr(c, "when", (str(c[1]), self.text(c[2])))

    def duration(self, c: list[Any]) -> Attr:
        return self._attr(c, "duration", c[1])

    def wait(self, c: list[Any]) -> Attr:
        return self._attr(c, "wait", c[1])

    def value(self, c: list[Any]) -> Attr:
        return self._attr(c, "value", self.number(c[1]))

    def scale(self, c: list[Any]) -> Attr:
        return self._attr(c, "scale", (self.number(c[1]), self.number(c[3])))

    def partner(self, c: list[Any]) -> Attr:
        return self._attr(c, "partner", True)

    def moment_of_truth(self, c: list[Any]) -> Attr:
        return self._attr(c, "moment_of_truth", (self.text(c[1]) if len(c) > 1 else None,))

    def entry(self, c: list[Any]) -> Attr:
        return self._attr(c, "entry", True)

    def micro_conversion(self, c: list[Any]) -> Attr:
        return self._attr(c, "micro_conversion", (self.text(c[1]) if len(c) > 1 else None,))

    # -- events ----------------------------------------------------------------------
    def prop_name(self, c: list[Any]) -> Token:
        return c[0]  # type: ignore[no-any-return]

    def type_expr(self, c: list[Any]) -> m.PropertyType:
        name = str(c[0])
        args = [a for a in c[1:] if not (_is_token(a) and a.type in ("LPAR", "RPAR", "COMMA"))]
        values = tuple(self.text(a) for a in args if _is_token(a))
        items = [a for a in args if isinstance(a, m.PropertyType)]
        if items and _depth(items[0]) >= MAX_TYPE_DEPTH:
            # The language has no lists of lists (CJ105 reports the first one); deeper
            # nesting is dropped here, so no later stage recurses deeply on a hostile file.
            return items[0]
        end = self._last_span(c[-1])
        return m.PropertyType(name, values, items[0] if items else None, len(args), span=self.span(c[0]).to(end))

    def property(self, c: list[Any]) -> _PropHead:
        name = self.span(c[0])
        return _PropHead(str(c[0]), c[1], name.to(c[1].span), name)

    def prop_required(self, c: list[Any]) -> Attr:
        return self._attr(c, "required", True)

    def prop_min(self, c: list[Any]) -> Attr:
        return self._attr(c, "minimum", self.number(c[1]))

    def prop_max(self, c: list[Any]) -> Attr:
        return self._attr(c, "maximum", self.number(c[1]))

    def prop_pattern(self, c: list[Any]) -> Attr:
        return self._attr(c, "pattern", self.text(c[1]))

    def prop_doc(self, c: list[Any]) -> Attr:
        return Attr("doc", self.text(c[0]), self.span(c[0]))

    def event(self, c: list[Any]) -> m.Event:
        kw, name = c[0], c[1]
        header_end = self.span(name)
        spans: dict[str, Span] = {"id": header_end}
        description: str | None = None
        when: tuple[str, str] | None = None
        props: list[m.Property] = []
        current: dict[str, Any] | None = None
        end: Span | None = None

        def close() -> None:
            if current is not None:
                head: _PropHead = current.pop("_head")
                pspans = current.pop("_spans")
                span = head.span
                for s in pspans.values():
                    if s.end > span.end:
                        span = span.to(s)
                props.append(
                    m.Property(
                        head.name,
                        head.type,
                        current.get("required", False),
                        current.get("doc"),
                        current.get("minimum"),
                        current.get("maximum"),
                        current.get("pattern"),
                        span=span,
                        spans=MappingProxyType(pspans),
                    )
                )

        for item in c[2:]:
            if _is_token(item):
                if item.type == "LBRACE":
                    header_end = self.span(item)
                elif item.type == "RBRACE":
                    end = self.span(item)
            elif isinstance(item, _PropHead):
                close()
                current = {"_head": item, "_spans": {"name": item.name_span}}
            elif item.key == "when":
                close()
                current = None
                if when is not None:
                    self.diagnostics.append(
                        make(
                            "CJ010",
                            "`when` is given twice in this event",
                            item.span,
                            help="an event is placed at its touchpoint by one property value; keep one of the two lines",
                            related=[Related(spans["when"], "first given here")],
                        )
                    )
                else:
                    when = item.value
                    spans["when"] = item.span
            elif item.key == "description":
                close()
                current = None
                if description is not None:
                    self.diagnostics.append(
                        make(
                            "CJ010",
                            "`description` is given twice in this event",
                            item.span,
                            help="an event has one `description`; keep one of the two lines",
                            related=[Related(spans["description"], "first given here")],
                        )
                    )
                else:
                    description = item.value
                    spans["description"] = item.span
            elif current is None:
                word = {"minimum": "min", "maximum": "max", "doc": "a description string"}.get(item.key, item.key)
                self.diagnostics.append(
                    make(
                        "CJ011",
                        f"{'`' + word + '`' if item.key != 'doc' else word} does not follow a property",
                        item.span,
                        help='write modifiers after a property\'s type: `plan_id string required "Id of the plan"`'
                        + ('; an event\'s own text is `description "..."`' if item.key == "doc" else ""),
                    )
                )
            elif item.key in current:
                word = {"minimum": "min", "maximum": "max", "doc": "description"}.get(item.key, item.key)
                self.diagnostics.append(
                    make(
                        "CJ010",
                        f"`{word}` is given twice for property `{current['_head'].name}`",
                        item.span,
                        help="a property has each modifier at most once",
                        related=[Related(current["_spans"][item.key], "first given here")],
                    )
                )
            else:
                current[item.key] = item.value
                current["_spans"][item.key] = item.span
        close()
        start = self.span(kw)
        spans["header"] = start.to(header_end)
        for i, p in enumerate(props):
            spans[f"property.{i}"] = p.span
        if end is not None:
            spans["end"] = end
        # Names are compared (one event fired at several touchpoints), so they are kept in
        # Unicode's composed form: "Café" typed as e + combining accent is the same event.
        return m.Event(
            unicodedata.normalize("NFC", self.text(name)),
            description,
            tuple(props),
            when,
            span=start.to(end or header_end),
            spans=MappingProxyType(spans),
        )


def _kind_of(node: Any) -> str:
    if isinstance(node, m.Ref):
        return "opportunity"
    if isinstance(node, m.Step):
        return node.lane
    return type(node).__name__.lower()
