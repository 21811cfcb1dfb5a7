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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import jsontext
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


def read(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise LockError(f"{LOCK_NAME} is not valid JSON: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("events"), dict):
        raise LockError(f"{LOCK_NAME} is not a cjdsl tracking lock (format {FORMAT!r})")
    return data


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
            if lock is not None:
                changes.append(Change(e.name, "new", segment, schemaver))
        else:
            segment, schemaver = int(entry["segment_version"]), str(entry["schemaver"])
            previous = {int(k): v for k, v in entry.get("previous_segment", {}).items()}
            kind = classify(entry["schema"], new_schema)
            if kind is not None:
                schemaver = _bump(schemaver, kind)
                if kind == "model":
                    previous = {segment: entry["schema"]}
                    segment += 1
                changes.append(Change(e.name, kind, segment, schemaver))
        events[e.id] = {
            "name": e.name,
            "segment_version": segment,
            "schemaver": schemaver,
            "schema": new_schema,
            "previous_segment": {str(k): v for k, v in sorted(previous.items())},
        }
        versions[e.id] = EventVersion(segment, schemaver, {k: previous_rule_schema(v) for k, v in previous.items()})
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
