"""The tracking lock file (``tracking.lock.json``, committed by teams): each event's
normalized schema and versions, so that a change to an event is versioned the way
Snowplow's SchemaVer and Segment's integer versions expect.

* ADDITION (compatible with all data already collected): a new optional property, new
  enum values. Iglu `M-R-A` → `M-R-(A+1)`; the Segment version stays.
* MODEL (breaking): a property removed, retyped or made required, a new required
  property, narrower values or bounds. Iglu → `(M+1)-0-0`; Segment version + 1, and the
  previous Segment version is kept in the plan so old clients still validate.

Pure: the CLI reads and writes the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core import jsontext
from . import LOCK_NAME, LockError
from .emit import EventVersion, properties_schema
from .plan import PlanEvent, TrackingPlan

FORMAT = "cjdsl.tracking-lock"


@dataclass(frozen=True)
class Change:
    event: str  # display name
    kind: str  # "new", "addition", "model"
    segment: int
    schemaver: str


def normalized(e: PlanEvent) -> dict[str, Any]:
    """What versioning compares: the properties' schema without descriptions."""
    body = properties_schema(e)
    props = {name: {k: v for k, v in p.items() if k != "description"} for name, p in body["properties"].items()}
    return {"properties": props, "required": sorted(body["required"])}


def classify(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """None when nothing that validation sees changed, else "addition" or "model"."""
    if old == new:
        return None
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    if new_required - old_required:
        return "model"  # a property became required, or a new one is
    kind = "addition"
    for name, schema in old_props.items():
        if name not in new_props:
            return "model"
        if schema == new_props[name]:
            continue
        widened = {**schema, "enum": new_props[name].get("enum")} == new_props[name] and set(schema.get("enum", [])) <= set(
            new_props[name].get("enum", [])
        )
        if not widened:
            return "model"
    return kind


def previous_rule_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The Segment rule of an earlier version, from the normalized schema the lock kept
    (what validates, without descriptions or labels: those depend on which files a
    build sees, the lock must not)."""
    props = {
        "type": "object",
        "properties": dict(schema["properties"]),
        "required": list(schema["required"]),
        "additionalProperties": False,
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"context": {}, "traits": {}, "properties": props},
        "required": ["properties"],
    }


#: How many Iglu versions of one event a lock may list.
MAX_VERSIONS = 1000
#: How deep a lock's JSON may nest: a normalized schema needs about six levels.
MAX_DEPTH = 32
_SCHEMAVER = re.compile(r"(0|[1-9][0-9]{0,8})-(0|[1-9][0-9]{0,8})-(0|[1-9][0-9]{0,8})")


def _depth_ok(data: Any) -> bool:
    """Whether the parsed JSON nests at most MAX_DEPTH deep (walked without recursion,
    so deep nesting is a clear error, never a RecursionError later)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return True


def read(text: str) -> dict[str, Any]:
    """The lock's content, checked entry by entry: a lock is committed, so a hostile pull
    request can change it, and every value the build later reads must have its type."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
        deep = not _depth_ok(data)
    except RecursionError:
        deep = True
    except (json.JSONDecodeError, ValueError) as err:
        raise LockError(f"{LOCK_NAME} is not valid JSON: {err}") from None
    if deep:
        raise LockError(f"{LOCK_NAME} nests deeper than {MAX_DEPTH} levels; it is not a cjdsl tracking lock")
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("events"), dict):
        raise LockError(f"{LOCK_NAME} is not a cjdsl tracking lock (format {FORMAT!r})")
    if data.get("format_version", 1) != 1 or isinstance(data.get("format_version"), bool):
        raise LockError(f"{LOCK_NAME}: format_version {str(data.get('format_version'))[:20]} is not one this cjdsl reads (1)")
    for event_id, entry in data["events"].items():
        problem = _entry_problem(entry)
        if problem is not None:
            shown = json.dumps(event_id)[:60]
            raise LockError(f"{LOCK_NAME}: event {shown}: {problem}; rebuild the lock (delete it and run `cjdsl build`)")
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _schema_problem(schema: Any) -> str | None:
    if not isinstance(schema, dict):
        return "`schema` is not an object"
    props, required = schema.get("properties"), schema.get("required")
    if not isinstance(props, dict) or not all(isinstance(p, dict) for p in props.values()):
        return "`schema.properties` is not an object of objects"
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        return "`schema.required` is not a list of names"
    for p in props.values():
        if "enum" in p and not isinstance(p["enum"], list):
            return "an `enum` is not a list"
    return None


def _entry_problem(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return "the entry is not an object"
    if not isinstance(entry.get("name"), str):
        return "`name` is not a string"
    if not _is_int(entry.get("segment_version")) or not 1 <= entry["segment_version"] < 10**9:
        return "`segment_version` is not a whole number from 1"
    if not isinstance(entry.get("schemaver"), str) or not _SCHEMAVER.fullmatch(entry["schemaver"]):
        return "`schemaver` is not MODEL-REVISION-ADDITION, like 1-0-0"
    problem = _schema_problem(entry.get("schema"))
    if problem is not None:
        return problem
    iglu = entry.get("iglu", {})
    if not isinstance(iglu, dict) or len(iglu) > MAX_VERSIONS:
        return f"`iglu` is not an object of at most {MAX_VERSIONS} versions"
    for key, schema in iglu.items():
        if not _SCHEMAVER.fullmatch(key) or _schema_problem(schema) is not None:
            return f"`iglu` holds a version that is not MODEL-REVISION-ADDITION with a schema: {json.dumps(key)[:30]}"
    previous = entry.get("previous_segment", {})
    if not isinstance(previous, dict):
        return "`previous_segment` is not an object"
    for key, schema in previous.items():
        if not key.isdigit() or len(key) > 9 or not key.isascii():
            return "a `previous_segment` key is not a version number"
        if _schema_problem(schema) is not None:
            return f"`previous_segment.{key}`: {_schema_problem(schema)}"
    return None


def _schemaver_key(schemaver: str) -> tuple[int, ...]:
    return tuple(int(x) for x in schemaver.split("-"))


def _bump(schemaver: str, kind: str) -> str:
    model, revision, addition = (int(x) for x in schemaver.split("-"))
    if kind == "model":
        return f"{model + 1}-0-0"
    return f"{model}-{revision}-{addition + 1}"


def update(lock: Mapping[str, Any] | None, plan: TrackingPlan) -> tuple[dict[str, Any], dict[str, EventVersion], list[Change]]:
    """The new lock, each event's versions, and what changed since the old lock."""
    old_events: Mapping[str, Any] = (lock or {}).get("events", {})
    events: dict[str, Any] = {}
    versions: dict[str, EventVersion] = {}
    changes: list[Change] = []
    for e in plan.events:
        new_schema = normalized(e)
        entry = old_events.get(e.id)
        if entry is None:
            segment, schemaver, previous = 1, "1-0-0", {}
            history: dict[str, Any] = {}
            if lock is not None:
                changes.append(Change(e.name, "new", segment, schemaver))
        else:
            segment, schemaver = int(entry["segment_version"]), str(entry["schemaver"])
            previous = {int(k): v for k, v in entry.get("previous_segment", {}).items()}
            # The Iglu versions published before the current one: a registry serves
            # every version, so each keeps its schema here once it is superseded.
            history = dict(entry.get("iglu", {}))
            kind = classify(entry["schema"], new_schema)
            if kind is not None:
                history[schemaver] = entry["schema"]
                schemaver = _bump(schemaver, kind)
                if kind == "model":
                    previous = {segment: entry["schema"]}
                    segment += 1
                changes.append(Change(e.name, kind, segment, schemaver))
        history.pop(schemaver, None)
        events[e.id] = {
            "name": e.name,
            "segment_version": segment,
            "schemaver": schemaver,
            "schema": new_schema,
            "previous_segment": {str(k): v for k, v in sorted(previous.items())},
        }
        if history:
            events[e.id]["iglu"] = dict(sorted(history.items(), key=lambda kv: _schemaver_key(kv[0])))
        versions[e.id] = EventVersion(segment, schemaver, {k: previous_rule_schema(v) for k, v in previous.items()}, history)
    # Events this build does not see stay locked: a build of some files is not a deletion,
    # and an event that comes back must continue its versions, never restart them.
    for event_id, entry in old_events.items():
        events.setdefault(event_id, entry)
    new_lock = {"format": FORMAT, "format_version": 1, "events": dict(sorted(events.items()))}
    return new_lock, versions, changes


def stale(lock: Mapping[str, Any], plan: TrackingPlan) -> list[tuple[PlanEvent, str]]:
    """Events of the plan whose schema the lock does not record (new or changed)."""
    old_events: Mapping[str, Any] = lock.get("events", {})
    out = []
    for e in plan.events:
        entry = old_events.get(e.id)
        if entry is None:
            out.append((e, "is not in the lock"))
        elif classify(entry["schema"], normalized(e)) is not None:
            out.append((e, f"changed since the lock ({classify(entry['schema'], normalized(e))} change)"))
    return out


def dumps(lock: Mapping[str, Any]) -> str:
    return jsontext.dumps(lock)
