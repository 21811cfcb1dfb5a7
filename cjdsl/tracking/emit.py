"""The tracking plan in the formats analytics tools load. Pure functions: a plan (and
the versions from the lock file) in, text out."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core import jsontext
from ..core import model as m
from ..core.i18n import ENGLISH, Translator
from .plan import PlanEvent, PlanProperty, TrackingPlan

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
IGLU_SELF_DESC = "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"
#: igluctl lint wants bounds everywhere; these are used where a journey sets none.
DEFAULT_MAX_LENGTH = 4096
INT_BOUNDS = (-2147483648, 2147483647)
NUMBER_BOUNDS = (-1e15, 1e15)
#: Segment plans carry timestamps; a fixed one keeps builds byte-identical.
EPOCH = "1970-01-01T00:00:00.000Z"


@dataclass(frozen=True)
class EventVersion:
    """An event's versions, from the lock file."""

    segment: int = 1
    schemaver: str = "1-0-0"
    #: Earlier Segment versions still in use after breaking changes: version → schema.
    previous: Mapping[int, Any] = field(default_factory=dict)
    #: Earlier Iglu versions (SchemaVer → the lock's normalized schema): a registry
    #: serves every version ever published.
    iglu: Mapping[str, Any] = field(default_factory=dict)


dumps = jsontext.dumps


# -- JSON Schema --------------------------------------------------------------------------


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def property_schema(p: PlanProperty | None, t: m.PropertyType, *, iglu: bool = False) -> dict[str, Any]:
    """The JSON Schema of one property type; bounds and pattern come from ``p``."""
    out: dict[str, Any] = {}
    if p is not None and p.description:  # no filler that restates the name: an empty description is honest
        out["description"] = p.description
    lo = p.minimum if p is not None else None
    hi = p.maximum if p is not None else None
    if t.name in ("string", "datetime", "enum"):
        out["type"] = "string"
        if t.name == "datetime":
            out["format"] = "date-time"
        elif t.name == "enum":
            out["enum"] = list(t.values)
        else:
            if lo is not None:
                out["minLength"] = int(lo)
            if hi is not None or iglu:
                out["maxLength"] = int(hi) if hi is not None else DEFAULT_MAX_LENGTH
            if p is not None and p.pattern is not None:
                out["pattern"] = p.pattern
    elif t.name in ("integer", "number"):
        out["type"] = t.name
        bounds = INT_BOUNDS if t.name == "integer" else NUMBER_BOUNDS
        if lo is not None or iglu:
            out["minimum"] = _number(lo) if lo is not None else bounds[0]
        if hi is not None or iglu:
            out["maximum"] = _number(hi) if hi is not None else bounds[1]
    elif t.name == "boolean":
        out["type"] = "boolean"
    elif t.name == "list" and t.item is not None:
        out["type"] = "array"
        out["items"] = property_schema(None, t.item, iglu=iglu)
        if lo is not None:
            out["minItems"] = int(lo)
        if hi is not None:
            out["maxItems"] = int(hi)
    return out


def properties_schema(e: PlanEvent, *, iglu: bool = False) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {p.name: property_schema(p, p.type, iglu=iglu) for p in e.properties},
        "required": [p.name for p in e.properties if p.required],
        "additionalProperties": False,
    }


def event_schema(e: PlanEvent) -> dict[str, Any]:
    """A draft-07 schema for the event's properties."""
    return {
        "$schema": DRAFT_07,
        "$id": f"cjdsl:event/{e.id}",
        "title": e.name,
        "description": e.description,
        **properties_schema(e),
    }


def plan_json(plan: TrackingPlan, versions: Mapping[str, EventVersion]) -> dict[str, Any]:
    """The tool-neutral plan (described by cjdsl/schemas/tracking-plan.schema.json)."""
    return {
        "format": "cjdsl.tracking-plan",
        "format_version": 1,
        "events": [
            {
                "name": e.name,
                "id": e.id,
                "description": e.description,
                "version": versions.get(e.id, EventVersion()).segment,
                "schemaver": versions.get(e.id, EventVersion()).schemaver,
                "micro_conversion": e.micro_conversion,
                "stages": list(e.stages),
                "personas": list(e.personas),
                "sources": [
                    {
                        "journey": s.journey,
                        "stage": s.stage,
                        "touchpoint": s.touchpoint,
                        "touchpoint_label": s.touchpoint_label,
                        "personas": list(s.personas),
                        "channel": s.channel,
                        "intents": list(s.intents),
                        "micro_conversion": s.micro_conversion,
                    }
                    for s in e.sources
                ],
                "properties": [
                    {
                        "name": p.name,
                        "type": str(p.type),
                        "required": p.required,
                        "description": p.description,
                        "schema": property_schema(p, p.type),
                    }
                    for p in e.properties
                ],
            }
            for e in plan.events
        ],
        "kpis": [
            {"journey": k.journey, "id": k.id, "label": k.label, "target": k.target, "events": list(k.events)} for k in plan.kpis
        ],
        "untracked": [
            {
                "journey": u.journey,
                "stage": u.stage,
                "touchpoint": u.touchpoint,
                "touchpoint_label": u.touchpoint_label,
                "reason": u.reason or None,
            }
            for u in plan.untracked
        ],
    }


# -- Segment --------------------------------------------------------------------------------


def segment_rule_schema(e: PlanEvent) -> dict[str, Any]:
    return {
        "$schema": DRAFT_07,
        "type": "object",
        "description": e.description,
        "labels": {"journey_stage": ",".join(e.stages), "persona": ",".join(e.personas)},
        "properties": {"context": {}, "traits": {}, "properties": properties_schema(e)},
        "required": ["properties"],
    }


def segment_plan(plan: TrackingPlan, versions: Mapping[str, EventVersion], name: str) -> dict[str, Any]:
    """Segment Protocols' Public-API plan shape, as typewriter reads it from plan.json:
    one TRACK rule per event at its current version, plus the previous versions that a
    breaking change left in use."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "tracking-plan"
    rules = []
    for e in plan.events:
        v = versions.get(e.id, EventVersion())
        for old, schema in sorted(v.previous.items()):
            rules.append({"key": e.name, "type": "TRACK", "version": old, "jsonSchema": schema})
        rules.append({"key": e.name, "type": "TRACK", "version": v.segment, "jsonSchema": segment_rule_schema(e)})
    return {
        "id": f"tp_{slug.replace('-', '_')}",
        "name": name,
        "slug": slug,
        "description": "Generated by cjdsl from the customer journeys",
        "createdAt": EPOCH,
        "updatedAt": EPOCH,
        "rules": rules,
    }


def typewriter_yml(plan_id: str) -> str:
    return (
        "# typewriter configuration: `npx typewriter build` generates typed analytics calls from the\n"
        '# plan.json beside this file (path: "."), without a Segment token.\n'
        "client:\n"
        "  sdk: analytics.js\n"
        "  language: typescript\n"
        "trackingPlans:\n"
        f"  - id: {json.dumps(plan_id)}\n"
        '    workspaceSlug: "cjdsl"\n'
        '    path: "."\n'
    )


# -- Snowplow Iglu ---------------------------------------------------------------------------


def iglu_schema(e: PlanEvent, vendor: str, version: str) -> dict[str, Any]:
    """A self-describing schema (draft-04 + `self`) with what igluctl lint expects:
    descriptions everywhere, string lengths, number bounds."""
    body = properties_schema(e, iglu=True)
    if not body["required"]:
        del body["required"]  # draft-04 wants `required` non-empty, or absent
    return {
        "$schema": IGLU_SELF_DESC,
        "description": e.description,
        "self": {"vendor": vendor, "name": e.id, "format": "jsonschema", "version": version},
        **body,
    }


def earlier_iglu_schema(e: PlanEvent, vendor: str, version: str, normalized: Mapping[str, Any]) -> dict[str, Any]:
    """An earlier version's self-describing schema, from what the lock kept of it (the
    properties as they validated then; descriptions are not versioned)."""
    out: dict[str, Any] = {
        "$schema": IGLU_SELF_DESC,
        "description": e.description,
        "self": {"vendor": vendor, "name": e.id, "format": "jsonschema", "version": version},
        "type": "object",
        "properties": dict(normalized["properties"]),
        "additionalProperties": False,
    }
    if normalized["required"]:
        out["required"] = list(normalized["required"])
    return out


# -- RudderStack rudder/v1 ------------------------------------------------------------------


def _y(value: Any) -> str:
    """A YAML scalar: strings as JSON strings (valid YAML 1.2, no YAML special survives)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(_number(value))
    return json.dumps(str(value), ensure_ascii=False)


_RUDDER_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "datetime": "string",
    "enum": "string",
    "list": "array",
}


def _rudder_property_ids(plan: TrackingPlan) -> dict[tuple[str, str], str]:
    """RudderStack properties are shared across events: one id per name and shape."""
    shapes: dict[str, set[str]] = {}
    for e in plan.events:
        for p in e.properties:
            shapes.setdefault(p.name, set()).add(json.dumps(property_schema(p, p.type), sort_keys=True))
    ids = {}
    for e in plan.events:
        for p in e.properties:
            ids[(e.id, p.name)] = p.name if len(shapes[p.name]) == 1 else f"{e.id}__{p.name}"
    return ids


def rudderstack_files(plan: TrackingPlan, stage_labels: Mapping[str, str], name: str) -> dict[str, str]:
    ids = _rudder_property_ids(plan)
    head = "# Generated by cjdsl from the customer journeys.\n"
    props, seen = [], set()
    for e in plan.events:
        for p in e.properties:
            pid = ids[(e.id, p.name)]
            if pid in seen:
                continue
            seen.add(pid)
            lines = [
                f"    - id: {_y(pid)}",
                f"      name: {_y(p.name)}",
                f"      description: {_y(p.description or '')}",
                f"      type: {_y(_RUDDER_TYPES[p.type.name])}",
            ]
            if p.type.name == "list" and p.type.item is not None:
                lines.append(f"      item_type: {_y(_RUDDER_TYPES[p.type.item.name])}")
            config = {k: v for k, v in property_schema(p, p.type).items() if k not in ("type", "description", "items")}
            keys = {"minLength": "min_length", "maxLength": "max_length", "minItems": "min_items", "maxItems": "max_items"}
            if config:
                lines.append("      config:")
                for k, val in config.items():
                    if isinstance(val, list):
                        lines.append(f"        {keys.get(k, k)}:")
                        lines.extend(f"          - {_y(x)}" for x in val)
                    else:
                        lines.append(f"        {keys.get(k, k)}: {_y(val)}")
            props.append("\n".join(lines))
    properties = head + "version: rudder/v1\nkind: properties\nmetadata:\n  name: journey_properties\nspec:\n  properties:\n"
    properties += "\n".join(props) + "\n"
    events = (
        head
        + "version: rudder/v1\nkind: events\nmetadata:\n  name: journey_events\nspec:\n  events:\n"
        + "\n".join(
            f"    - id: {_y(e.id)}\n      name: {_y(e.name[:64])}\n      event_type: track\n"
            f"      description: {_y(e.description)}\n      category: {_y('#category:' + e.stages[0])}"
            for e in plan.events
        )
        + "\n"
    )
    stages = dict.fromkeys(s for e in plan.events for s in e.stages)
    categories = head + "version: rudder/v1\nkind: categories\nmetadata:\n  name: journey_stages\nspec:\n  categories:\n"
    categories += "\n".join(f"    - id: {_y(s)}\n      name: {_y(stage_labels.get(s, s))}" for s in stages) + "\n"
    rules = []
    for e in plan.events:
        rule = [
            "    - type: event_rule",
            f"      id: {_y(e.id + '_rule')}",
            f"      event: {_y('#event:' + e.id)}",
            "      additional_properties: false",
        ]
        if e.properties:
            rule.append("      properties:")
            for p in e.properties:
                rule.append(f"        - property: {_y('#property:' + ids[(e.id, p.name)])}")
                rule.append(f"          required: {_y(p.required)}")
        rules.append("\n".join(rule))
    plan_id = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "journeys"
    tracking = head + "version: rudder/v1\nkind: tracking-plan\nmetadata:\n  name: journeys_tracking_plan\nspec:\n"
    tracking += f"  id: {_y(plan_id)}\n  display_name: {_y(name)}\n"
    tracking += f"  description: {_y('Tracking plan compiled from the customer journeys')}\n"
    tracking += "  rules:\n" + "\n".join(rules) + "\n"
    return {"properties.yaml": properties, "events.yaml": events, "categories.yaml": categories, "tracking-plan.yaml": tracking}


# -- analyst docs ---------------------------------------------------------------------------

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell that spreadsheets will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def allowed_values(p: PlanProperty) -> str:
    """The values an enum property (or a list of them) allows: "card | cash"."""
    t = p.type.item if p.type.name == "list" and p.type.item is not None else p.type
    return " | ".join(t.values)


def _bound(value: float, tr: Translator) -> str:
    """A bound as the plan's JSON writes it (``3``, ``2.5``), in the language's way."""
    as_number = int(value) if float(value).is_integer() else value
    return str(as_number) if tr.numbers is None else tr.number(as_number)


def constraints(p: PlanProperty, tr: Translator = ENGLISH) -> str:
    """What a value must satisfy besides its type, in words an analyst reads, in the
    language of ``tr``: "3 to 48", "at most 64 characters", "matches ^[A-Z]{3}$", "ISO
    8601 date-time"."""
    t = p.type
    lo, hi = p.minimum, p.maximum
    parts: list[str] = []
    if t.name in ("integer", "number", "string", "list"):
        low = _bound(lo, tr) if lo is not None else ""
        high = _bound(hi, tr) if hi is not None else ""
        count = int(hi if hi is not None else (lo or 0))
        if t.name == "string":
            if lo is not None and hi is not None:
                parts.append(
                    tr.ngettext("%(low)s to %(high)s characters", "%(low)s to %(high)s characters", count, low=low, high=high)
                )
            elif lo is not None:
                parts.append(tr.ngettext("at least %(low)s characters", "at least %(low)s characters", count, low=low))
            elif hi is not None:
                parts.append(tr.ngettext("at most %(high)s characters", "at most %(high)s characters", count, high=high))
        elif t.name == "list":
            if lo is not None and hi is not None:
                parts.append(tr.ngettext("%(low)s to %(high)s items", "%(low)s to %(high)s items", count, low=low, high=high))
            elif lo is not None:
                parts.append(tr.ngettext("at least %(low)s items", "at least %(low)s items", count, low=low))
            elif hi is not None:
                parts.append(tr.ngettext("at most %(high)s items", "at most %(high)s items", count, high=high))
        elif lo is not None and hi is not None:
            parts.append(tr.gettext("%(low)s to %(high)s", low=low, high=high))
        elif lo is not None:
            parts.append(tr.gettext("at least %(low)s", low=low))
        elif hi is not None:
            parts.append(tr.gettext("at most %(high)s", high=high))
    if t.name == "datetime" or (t.item is not None and t.item.name == "datetime"):
        parts.append(tr.gettext("ISO 8601 date-time"))
    if p.pattern is not None:
        parts.append(tr.gettext("matches %(pattern)s", pattern=p.pattern))
    return "; ".join(parts)


def analyst_rows(plan: TrackingPlan) -> list[list[str]]:
    rows = [
        [
            "event",
            "description",
            "stage",
            "touchpoint",
            "property",
            "type",
            "required",
            "allowed values",
            "constraints",
            "property description",
        ]
    ]
    for e in plan.events:
        stages = ", ".join(e.stages)
        touchpoints = ", ".join(dict.fromkeys(s.touchpoint for s in e.sources))
        for p in e.properties or (None,):
            rows.append(
                [
                    e.name,
                    e.description,
                    stages,
                    touchpoints,
                    p.name if p else "",
                    str(p.type) if p else "",
                    ("yes" if p.required else "no") if p else "",
                    allowed_values(p) if p else "",
                    constraints(p) if p else "",
                    (p.description or "") if p else "",
                ]
            )
    return rows


def csv_text(plan: TrackingPlan) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in analyst_rows(plan):
        writer.writerow([_cell(c) for c in row])
    return out.getvalue()


__all__ = [
    "EventVersion",
    "Sequence",
    "allowed_values",
    "constraints",
    "csv_text",
    "event_schema",
    "iglu_schema",
    "plan_json",
    "rudderstack_files",
    "segment_plan",
    "typewriter_yml",
]
