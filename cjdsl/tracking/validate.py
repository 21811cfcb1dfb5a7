"""`cjdsl events validate`: captured events against the tracking plan.

Streams Segment-style JSON lines (``{"type": "track", "event": ..., "properties": {...}}``)
and keeps only counters and the first few reasons per event, so memory stays constant
however large the file. Each event's JSON Schema is compiled once into a small checker
for the subset of JSON Schema the plan uses (types, required, enum, bounds, lengths,
pattern, date-time, arrays, no extra properties); the tests hold its verdicts to those
of the `jsonschema` package.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.patterns import PatternError, compile_pattern

if TYPE_CHECKING:
    from .plan import TrackingPlan

Check = Callable[[Any, str], str | None]
REASONS_KEPT = 3

#: JSON's names for the types of parsed values, for reasons ("got string"), never Python's.
_JSON_TYPES = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object"}


_END = object()


def preview(value: Any, limit: int = 40) -> str:
    """``json.dumps(value)[:limit]``, without writing out (or recursing into) more of a
    large or deeply nested value than the limit shows."""
    parts: list[str] = []
    size = 0
    frames: list[tuple[Iterator[Any], bool, list[bool]]] = []  # (items, is an object, [first item])
    pending: Any = value
    have = True
    while size < limit:
        if have:
            have = False
            if isinstance(pending, list):
                piece = "["
                frames.append((iter(pending), False, [True]))
            elif isinstance(pending, dict):
                piece = "{"
                frames.append((iter(pending.items()), True, [True]))
            elif isinstance(pending, str):
                piece = json.dumps(pending[:limit])
            else:
                piece = json.dumps(pending)
        elif not frames:
            break
        else:
            items, is_object, first = frames[-1]
            item: Any = next(items, _END)
            if item is _END:
                piece = "}" if is_object else "]"
                frames.pop()
            else:
                piece = "" if first[0] else ", "
                first[0] = False
                if is_object:
                    key, pending = item
                    piece += json.dumps(str(key)[:limit]) + ": "
                else:
                    pending = item
                have = True
        parts.append(piece)
        size += len(piece)
    return "".join(parts)[:limit]


def _type_name(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    return True


def _date_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return "T" in value or "t" in value


def compile_property(schema: Mapping[str, Any]) -> Check:
    """A checker returning the first reason ``value`` fails ``schema``, or None."""
    kind = schema.get("type", "")
    enum = schema.get("enum")
    enum_set = frozenset(enum) if enum is not None else None
    lo, hi = schema.get("minimum"), schema.get("maximum")
    min_len, max_len = schema.get("minLength"), schema.get("maxLength")
    min_items, max_items = schema.get("minItems"), schema.get("maxItems")
    pattern_text = schema.get("pattern")
    pattern: Any = None
    unusable: str | None = None
    if pattern_text is not None:
        try:
            pattern = compile_pattern(pattern_text)
        except PatternError as err:  # a plan file written by hand: say so for each value
            unusable = f"the plan's pattern {preview(pattern_text)} is not RE2 syntax ({err}), so it cannot be checked"
    date_time = schema.get("format") == "date-time"
    item = compile_property(schema["items"]) if "items" in schema else None

    def check(value: Any, where: str) -> str | None:
        if isinstance(value, float) and not math.isfinite(value) and kind in ("number", "integer"):
            return f"{where} should be a finite number, got {preview(value)}"  # NaN or Infinity: not JSON
        if not _type_ok(kind, value):
            return f"{where} should be {kind}, got {_type_name(value)} {preview(value)}"
        if enum_set is not None and value not in enum_set:
            return f"{where} should be one of {', '.join(map(str, enum or ()))}, got {preview(value)}"
        if lo is not None and value < lo:
            return f"{where} should be at least {lo}, got {value}"
        if hi is not None and value > hi:
            return f"{where} should be at most {hi}, got {value}"
        if isinstance(value, str):
            if min_len is not None and len(value) < min_len:
                return f"{where} should be at least {min_len} characters long"
            if max_len is not None and len(value) > max_len:
                return f"{where} should be at most {max_len} characters long"
            if unusable is not None:
                return f"{where}: {unusable}"
            # Unanchored, as JSON Schema's `pattern`; lone surrogates (valid in JSON text) pass as bytes.
            if pattern is not None and not pattern.search(value.encode("utf-8", "surrogatepass")):
                return f"{where} should match {pattern_text}"
            if date_time and not _date_time(value):
                return f"{where} should be an ISO 8601 date-time, got {preview(value)}"
        if isinstance(value, list):
            if min_items is not None and len(value) < min_items:
                return f"{where} should have at least {min_items} items"
            if max_items is not None and len(value) > max_items:
                return f"{where} should have at most {max_items} items"
            if item is not None:
                for i, x in enumerate(value):
                    reason = item(x, f"{where}[{i}]")
                    if reason:
                        return reason
        return None

    return check


def compile_event(schema: Mapping[str, Any]) -> Callable[[Any], str | None]:
    props = {name: compile_property(p) for name, p in schema["properties"].items()}
    required = tuple(schema.get("required", ()))

    def check(properties: Any) -> str | None:
        if not isinstance(properties, dict):
            return "properties should be an object"
        for name in required:
            if name not in properties:
                return f"missing required property `{name}`"
        for name, value in properties.items():
            checker = props.get(name)
            if checker is None:
                return f"property `{name}` is not in the plan"
            reason = checker(value, f"`{name}`")
            if reason:
                return reason
        return None

    return check


@dataclass
class EventStats:
    seen: int = 0
    valid: int = 0
    invalid: int = 0
    reasons: list[str] = field(default_factory=list)


@dataclass
class Report:
    events: dict[str, EventStats]
    unknown: dict[str, int] = field(default_factory=dict)
    #: Events with an unknown name beyond the first MAX_UNKNOWN_NAMES distinct ones.
    unknown_others: int = 0
    not_track: int = 0
    unreadable: list[str] = field(default_factory=list)  # first few unreadable lines
    unreadable_count: int = 0
    total: int = 0

    @property
    def invalid(self) -> int:
        return sum(s.invalid for s in self.events.values())


def _compile_event(schema: Mapping[str, Any]) -> Callable[[Any], str | None]:
    """:func:`compile_event`, or for a schema it cannot take (a plan file edited by
    hand) a checker that says so for every event, so the run goes on."""
    try:
        return compile_event(schema)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as err:
        reason = f"the plan's schema of this event cannot be used: {str(err)[:80]}"
        return lambda properties: reason


def validate_lines(plan: TrackingPlan, lines: Iterable[str | bytes]) -> Report:
    """Checks each line; a line that cannot be read (not JSON, nested too deeply, not an
    object) is counted as unreadable, and no line stops the run."""
    from .emit import properties_schema

    checks = {e.name: _compile_event(properties_schema(e)) for e in plan.events}
    report = Report({e.name: EventStats() for e in plan.events})
    loads = json.loads
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        report.total += 1
        try:
            message = loads(line)
            kind = message.get("type", "track")
            event = message["event"] if kind == "track" else ""
            name = event if isinstance(event, str) else preview(event, 80)
        except RecursionError:
            report.unreadable_count += 1
            if len(report.unreadable) < REASONS_KEPT:
                report.unreadable.append(f"line {number}: JSON nested too deeply to read")
            continue
        except (ValueError, AttributeError, KeyError, TypeError) as err:
            report.unreadable_count += 1
            if len(report.unreadable) < REASONS_KEPT:
                report.unreadable.append(f"line {number}: {type(err).__name__}: {str(err)[:80]}")
            continue
        if kind != "track":
            report.not_track += 1
            continue
        stats = report.events.get(name)
        if stats is None:
            if name in report.unknown or len(report.unknown) < MAX_UNKNOWN_NAMES:
                report.unknown[name] = report.unknown.get(name, 0) + 1
            else:
                report.unknown_others += 1  # memory stays bounded whatever the file holds
            continue
        stats.seen += 1
        reason = checks[name](message.get("properties", {}))
        if reason is None:
            stats.valid += 1
        else:
            stats.invalid += 1
            if len(stats.reasons) < REASONS_KEPT:
                stats.reasons.append(f"line {number}: {reason}")
    return report


#: Distinct unknown event names kept (with their counts); the rest are only counted.
MAX_UNKNOWN_NAMES = 1000


def _key(name: str) -> str:
    """A name as people mean it: the same letters, whatever their case, spacing,
    underscores, dashes or Unicode form ("page_viewed", "Page Viewed", "PageViewed")."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())


def close_names(unknown: Iterable[str], planned: Iterable[str]) -> dict[str, str]:
    """For each unknown event name that differs from a planned one only in case,
    spacing, punctuation or Unicode form: that planned name (a did-you-mean)."""
    by_key: dict[str, str] = {}
    for name in planned:
        by_key.setdefault(_key(name), name)
    return {name: by_key[_key(name)] for name in sorted(unknown) if _key(name) in by_key}


def report_json(plan: TrackingPlan, report: Report) -> dict[str, Any]:
    never = [e for e in plan.events if report.events[e.name].seen == 0]
    return {
        "total": report.total,
        "invalid": report.invalid,
        "events": [
            {"event": name, "seen": s.seen, "valid": s.valid, "invalid": s.invalid, "reasons": s.reasons}
            for name, s in report.events.items()
        ],
        "unknown_events": dict(sorted(report.unknown.items(), key=lambda kv: (-kv[1], kv[0]))),
        "unknown_events_not_listed": report.unknown_others,
        "unknown_event_hints": close_names(report.unknown, [e.name for e in plan.events]),
        "not_track": report.not_track,
        "unreadable": report.unreadable_count,
        "unreadable_examples": report.unreadable,
        "never_seen": [
            {"event": e.name, "touchpoints": [f"{s.journey}/{s.stage}/{s.touchpoint}" for s in e.sources]} for e in never
        ],
        "stages_never_seen": sorted(
            {(s.journey, s.stage) for e in never for s in e.sources}
            - {(s.journey, s.stage) for e in plan.events if report.events[e.name].seen for s in e.sources}
        ),
    }
