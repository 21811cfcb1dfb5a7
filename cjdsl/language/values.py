"""Checks of single values against the language's scales and vocabularies.

Pure: reads one parsed :class:`~cjdsl.core.model.Document` and yields diagnostics. Runs on
every file whether or not it is part of a journey, so a shared file is checked once.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence

from ..core import model as m
from ..core import vocabulary as v
from ..core.diagnostics import Diagnostic, Related, did_you_mean, make
from ..core.patterns import PatternError, compile_pattern
from ..core.span import Span


def check_document(doc: m.Document) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    journeys = doc.journeys
    for extra in journeys[1:]:
        out.append(
            make(
                "CJ013",
                f"a second `journey` block (`{extra.id}`) in this file",
                extra.spans.get("header", extra.span),
                help="a file describes one journey; move this one into a file of its own",
                related=[Related(journeys[0].spans.get("header", journeys[0].span), "the file's journey")],
            )
        )
    for item in doc.items:
        out.extend(_check(item))
    return out


def _check(node: object) -> Iterator[Diagnostic]:
    if isinstance(node, m.Persona):
        yield from _range(node.age, v.AGE_RANGE, "age", node.spans.get("age"), "an age in years, such as `age 38`")
    elif isinstance(node, m.Channel):
        if node.mode is not None and node.mode not in v.CHANNEL_MODES:  # pragma: no cover - builder sorts words
            yield from _word(node.mode, v.CHANNEL_MODES, "channel mode", node.spans.get("mode"))
        if node.kind is not None:
            yield from _word(
                node.kind, v.CHANNEL_KINDS + v.CHANNEL_MODES, "channel kind", node.spans.get("kind"), allowed=v.CHANNEL_KINDS
            )
    elif isinstance(node, m.Stage):
        if node.phase is not None:
            yield from _word(node.phase, v.PHASES, "phase", node.spans.get("phase"))
        for tp in node.touchpoints:
            yield from _check(tp)
        for pain in node.pains:
            yield from _nested_pain(pain, "stage")
    elif isinstance(node, m.Journey):
        if node.state is not None:
            yield from _word(node.state, v.STATES, "state", node.spans.get("state"))
    elif isinstance(node, m.Metric):
        yield from _metric(node)
    elif isinstance(node, m.Kpi):
        yield from _time(node.window, "window")
    elif isinstance(node, m.Touchpoint):
        yield from _touchpoint_extras(node)
        yield from _range(
            node.emotion,
            v.EMOTION_RANGE,
            "emotion",
            node.spans.get("emotion"),
            "from -2 (very negative) through 0 (neutral) to +2 (very positive)",
        )
        yield from _range(
            node.rating, v.RATING_RANGE, "rating", node.spans.get("rating"), "from 1 (fails expectations) to 5 (exceeds them)"
        )
        for event in node.events:
            yield from _event(event)
        for pain in node.pains:
            yield from _nested_pain(pain, "touchpoint")
    elif isinstance(node, m.Pain):
        yield from _pain(node)
    elif isinstance(node, m.Opportunity):
        yield from _opportunity(node)


def _nested_pain(pain: m.Pain, container: str) -> Iterator[Diagnostic]:
    if pain.at is not None:
        yield make(
            "CJ012",
            f"pain point `{pain.id}` is inside a {container}, so it needs no `at`",
            pain.spans.get("at", pain.span),
            help=f"remove the `at` line; a pain point written inside a {container} happens there",
        )
    yield from _pain(pain)


def _touchpoint_extras(tp: m.Touchpoint) -> Iterator[Diagnostic]:
    """Per-persona values, confidence and times of a touchpoint and of its steps."""
    if tp.confidence is not None:
        yield from _word(tp.confidence, v.CONFIDENCES, "confidence", tp.spans.get("confidence"))
    for keyword, values, bounds, scale in (
        ("emotion for", tp.emotion_for, v.EMOTION_RANGE, "from -2 (very negative) through 0 (neutral) to +2 (very positive)"),
        ("rating for", tp.rating_for, v.RATING_RANGE, "from 1 (fails expectations) to 5 (exceeds them)"),
    ):
        seen: dict[str, m.PersonaValue] = {}
        listed = {r.id for r in tp.personas}
        for pv in values:
            yield from _range(pv.value, bounds, keyword.split()[0], pv.span, scale)
            if pv.persona.id in seen:
                yield make(
                    "CJ010",
                    f"`{keyword} {pv.persona.id}` is given twice in this touchpoint",
                    pv.span,
                    help="a persona has one value here; keep one of the two lines",
                    related=[Related(seen[pv.persona.id].span, "first given here")],
                )
            seen.setdefault(pv.persona.id, pv)
            if listed and pv.persona.id not in listed:
                yield make(
                    "CJ012",
                    f"persona `{pv.persona.id}` is not one of this touchpoint's personas",
                    pv.persona.span,
                    help=f"add it to `persona {', '.join([*sorted(listed), pv.persona.id])}`, or remove this line",
                )
    for what, t in (("duration", tp.duration), ("wait", tp.wait)):
        yield from _time(t, what)
    for step in tp.steps:
        yield from _time(step.duration, "duration")
        yield from _time(step.wait, "wait")


def _time(t: m.Time | None, what: str) -> Iterator[Diagnostic]:
    if t is None:
        return
    if t.unit not in v.TIME_UNITS:
        word = _UNIT_WORDS.get(t.unit.lower().rstrip("s") or "s")
        suggestion = f"write `{word}`;" if word else did_you_mean(t.unit, v.TIME_UNITS)
        yield make(
            "CJ104",
            f"unknown unit of time `{t.unit}`",
            t.span,
            help=(suggestion + " " if suggestion else "") + "a time is a number and one of: s, min, h, d, w, mo (`3..6 mo`)",
        )
    if t.low < 0 or (t.high is not None and t.high < 0):
        yield make("CJ103", f"a {what} cannot be negative", t.span, help=f"write how long it takes, such as `{what} 3 d`")
    elif t.high is not None and t.high < t.low:
        yield make(
            "CJ103",
            f"the {what} range {_plain(t.low)}..{_plain(t.high)} runs backwards",
            t.span,
            help=f"write the shorter time first: `{_plain(t.high)}..{_plain(t.low)} {t.unit}`",
        )


#: Words for units of time, singular, and the unit the language writes for each.
_UNIT_WORDS = {
    "sec": "s",
    "second": "s",
    "minute": "min",
    "mn": "min",
    "m": "min",
    "hr": "h",
    "hour": "h",
    "day": "d",
    "week": "w",
    "wk": "w",
    "month": "mo",
    "mon": "mo",
}


def _plain(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else str(n)


def _metric(metric: m.Metric) -> Iterator[Diagnostic]:
    if metric.scale is not None and metric.scale[1] <= metric.scale[0]:
        low, high = metric.scale
        yield make(
            "CJ103",
            f"the scale {_plain(low)}..{_plain(high)} of metric `{metric.id}` runs backwards",
            metric.spans.get("scale"),
            help="write the lowest value first, such as `scale 1..5`",
        )
    elif metric.scale is not None and metric.value is not None and not metric.scale[0] <= metric.value <= metric.scale[1]:
        low, high = metric.scale
        yield make(
            "CJ103",
            f"metric `{metric.id}` has value {_plain(metric.value)}, outside its scale {_plain(low)}..{_plain(high)}",
            metric.spans.get("value"),
            help="check the value, or widen the scale",
        )


def _pain(pain: m.Pain) -> Iterator[Diagnostic]:
    if pain.confidence is not None:
        yield from _word(pain.confidence, v.CONFIDENCES, "confidence", pain.spans.get("confidence"))
    if pain.severity is not None:
        yield from _word(pain.severity, v.SEVERITIES, "severity", pain.spans.get("severity"))
    if pain.cause is not None:
        yield from _word(pain.cause, v.CAUSES, "cause", pain.spans.get("cause"))
    for opp in pain.opportunities:
        yield from _opportunity(opp)


def _opportunity(opp: m.Opportunity) -> Iterator[Diagnostic]:
    if opp.impact is not None:
        yield from _word(opp.impact, v.LEVELS, "impact", opp.spans.get("impact"))
    if opp.effort is not None:
        yield from _word(opp.effort, v.LEVELS, "effort", opp.spans.get("effort"))
    if opp.status is not None:
        yield from _word(opp.status, v.STATUSES, "status", opp.spans.get("status"))


def _range(value: float | None, bounds: tuple[int, int], what: str, span: Span | None, scale: str) -> Iterator[Diagnostic]:
    if value is None:
        return
    low, high = bounds
    if not isinstance(value, int):
        yield make("CJ103", f"{what} {value} must be a whole number", span, help=f"{what} is {scale}")
    elif not low <= value <= high:
        signed = what == "emotion"
        shown = f"{value:+}" if signed else str(value)
        limits = f"{low:+} and {high:+}" if signed else f"{low} and {high}"
        yield make("CJ103", f"{what} {shown} is out of range: it must be between {limits}", span, help=f"{what} is {scale}")


def _word(
    value: str, choices: Sequence[str], what: str, span: Span | None, *, allowed: Sequence[str] | None = None
) -> Iterator[Diagnostic]:
    valid = allowed if allowed is not None else choices
    if value in valid:
        return
    if what == "channel kind" and value in v.CHANNEL_MODES:
        yield make(
            "CJ104",
            f"`{value}` is given after the channel's kind",
            span,
            help='write the mode before the kind: `channel blog "Blog" online web`',
        )
        return
    suggestion = did_you_mean(value, valid)
    yield make(
        "CJ104",
        f"unknown {what} `{value}`",
        span,
        help=(suggestion + " " if suggestion else "") + f"{what} is one of: {', '.join(valid)}",
    )


def _event(event: m.Event) -> Iterator[Diagnostic]:
    seen: dict[str, m.Property] = {}
    for prop in event.properties:
        first = seen.get(prop.name)
        if first is not None:
            yield make(
                "CJ107",
                f'property `{prop.name}` is declared twice in event "{event.name}"',
                prop.span,
                help="keep one declaration of the property",
                related=[Related(first.span, "first declared here")],
            )
        else:
            seen[prop.name] = prop
        yield from _type(prop.type)
        yield from _bounds(prop)
    if event.when is not None and event.when[0] not in seen:
        name = event.when[0]
        yield make(
            "CJ012",
            f'`when` names property `{name}`, which event "{event.name}" does not declare',
            event.spans.get("when"),
            help=f"declare it in the event (`{name} string required`): the tracking plan accepts only declared properties",
        )


def _type(t: m.PropertyType) -> Iterator[Diagnostic]:
    if t.name not in v.PROPERTY_TYPES:
        suggestion = did_you_mean(t.name, v.PROPERTY_TYPES)
        yield make(
            "CJ105",
            f"unknown property type `{t.name}`",
            t.span,
            help=(suggestion + " " if suggestion else "")
            + 'types are string, integer, number, boolean, datetime, enum("a", "b") and list(TYPE)',
        )
        return
    if t.name in v.SCALAR_TYPES and t.args:
        yield make("CJ105", f"`{t.name}` takes no arguments", t.span, help=f"write `{t.name}` alone")
    elif t.name == "enum":
        if t.item is not None or len(t.values) != t.args:
            yield make("CJ105", "enum values must be strings", t.span, help='write `enum("basic", "pro")`')
        elif not t.values:
            yield make("CJ105", "an enum needs at least one value", t.span, help='write `enum("basic", "pro")`')
        else:
            counts = Counter(t.values)
            dupes = sorted(x for x, n in counts.items() if n > 1)
            if dupes:
                yield make("CJ105", f'enum value "{dupes[0]}" is listed twice', t.span, help="list each value once")
    elif t.name == "list":
        if t.item is None or t.args != 1:
            yield make(
                "CJ105", "a list takes exactly one item type", t.span, help='write `list(string)` or `list(enum("a", "b"))`'
            )
        else:
            if t.item.name == "list":
                yield make(
                    "CJ105", "lists of lists are not supported", t.span, help="use `list(string)` and encode the inner list"
                )
            yield from _type(t.item)


def _bounds(prop: m.Property) -> Iterator[Diagnostic]:
    kind = prop.type.name
    span = prop.spans.get("minimum") or prop.spans.get("maximum")
    if (prop.minimum is not None or prop.maximum is not None) and kind in ("boolean", "datetime", "enum"):
        yield make(
            "CJ106",
            f"`min`/`max` do not apply to a {kind} property",
            span,
            help="min and max bound numbers, string lengths and list lengths",
        )
    if prop.minimum is not None and prop.maximum is not None and prop.minimum > prop.maximum:
        yield make(
            "CJ106",
            f"`min {prop.minimum}` is greater than `max {prop.maximum}` for property `{prop.name}`",
            span,
            help="swap the two values",
        )
    if kind in ("string", "list") or (kind == "integer"):
        for key, val in (("minimum", prop.minimum), ("maximum", prop.maximum)):
            if val is not None and not isinstance(val, int):
                yield make(
                    "CJ106",
                    f"`{'min' if key == 'minimum' else 'max'} {val}` must be a whole number for a {kind} property",
                    prop.spans.get(key),
                    help="lengths and integer bounds are whole numbers",
                )
            elif val is not None and val < 0 and kind != "integer":
                yield make("CJ106", f"a {kind} length cannot be negative", prop.spans.get(key), help="use 0 or more")
    if prop.pattern is not None:
        if kind != "string":
            yield make(
                "CJ106",
                f"`pattern` applies to string properties, not {kind}",
                prop.spans.get("pattern"),
                help="remove the pattern, or make the property a string",
            )
        elif "(?P" in prop.pattern:
            yield make(
                "CJ106",
                f"the pattern of property `{prop.name}` uses Python's `(?P...)` syntax",
                prop.spans.get("pattern"),
                help="JSON Schema patterns are ECMA 262 regular expressions: write a plain group `(...)`",
            )
        else:
            yield from _pattern(prop)


#: The longest `pattern` a property may have (checking one costs time linear in it).
MAX_PATTERN = 1000


def _pattern(prop: m.Property) -> Iterator[Diagnostic]:
    """A string property's pattern: valid ECMA 262, as JSON Schema says, and within what
    RE2 takes, since captured events are matched with RE2 (linear in the text; no
    backtracking, so no `^(a+)+$` that runs for minutes)."""
    assert prop.pattern is not None
    if len(prop.pattern) > MAX_PATTERN:
        yield make(
            "CJ106",
            f"the pattern of property `{prop.name}` has {len(prop.pattern):,} characters; at most {MAX_PATTERN:,} are taken",
            prop.spans.get("pattern"),
            help="a property's pattern describes a value's shape: keep it short, or use an enum for a list of values",
        )
        return
    try:
        # Python's `re` stands in for ECMA 262 here; it lacks only Unicode property classes.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "possible nested set" and the like
            re.compile(re.sub(r"\\[pP]\{[A-Za-z_=]+\}", "x", prop.pattern))
    except re.error as err:
        yield make(
            "CJ106",
            f"the pattern of property `{prop.name}` is not a valid regular expression: {err}",
            prop.spans.get("pattern"),
            help="patterns use the regular expression syntax of JSON Schema (ECMA 262)",
        )
        return
    except (RecursionError, OverflowError):
        pass  # groups nested too deep or a count too large for `re`: RE2 says which below
    try:
        compile_pattern(prop.pattern)
    except PatternError as err:
        yield make(
            "CJ106",
            f"the pattern of property `{prop.name}` is not supported: {err}",
            prop.spans.get("pattern"),
            help="patterns are matched with RE2, in time linear in the text: RE2 syntax has no backreferences "
            "(`\\1`) and no lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`), and counts such as `{2,5}` go up to 1000",
        )
