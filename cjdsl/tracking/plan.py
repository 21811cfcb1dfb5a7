"""Resolved journeys → :class:`TrackingPlan` (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..core import model as m
from ..core.resolved import ResolvedJourney


@dataclass(frozen=True)
class Source:
    """One touchpoint that fires the event."""

    journey: str
    stage: str
    stage_label: str
    touchpoint: str
    touchpoint_label: str
    personas: tuple[str, ...]
    channel: str | None
    intents: tuple[str, ...]
    micro_conversion: bool


@dataclass(frozen=True)
class PlanProperty:
    name: str
    type: m.PropertyType
    required: bool
    description: str | None
    minimum: float | None
    maximum: float | None
    pattern: str | None


@dataclass(frozen=True)
class PlanEvent:
    name: str  # display name, as written: "Report Downloaded"
    id: str  # machine id: report_downloaded
    description: str
    properties: tuple[PlanProperty, ...]
    sources: tuple[Source, ...]

    @property
    def stages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.stage for s in self.sources))

    @property
    def personas(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for s in self.sources for p in s.personas))

    @property
    def micro_conversion(self) -> bool:
        return any(s.micro_conversion for s in self.sources)


@dataclass(frozen=True)
class PlanKpi:
    journey: str
    id: str
    label: str
    target: str | None
    events: tuple[str, ...]  # event ids fired at the touchpoints the KPI measures


@dataclass(frozen=True)
class Untracked:
    """A touchpoint that fires no event by design (`untracked`): the plan says so, so
    that its absence from the data is expected, not a gap."""

    journey: str
    stage: str
    touchpoint: str
    touchpoint_label: str
    reason: str  # "" when none is given


@dataclass(frozen=True)
class TrackingPlan:
    events: tuple[PlanEvent, ...]
    kpis: tuple[PlanKpi, ...]
    untracked: tuple[Untracked, ...] = ()

    def event(self, name: str) -> PlanEvent | None:
        return next((e for e in self.events if e.name == name), None)


def event_id(name: str) -> str:
    """The machine id of an event name: snake_case ASCII (Iglu and RudderStack ids)."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    s = re.sub(r"[^A-Za-z0-9]+", "_", s).strip("_").lower()
    return s or "event"


def _merge(name: str, declared: list[tuple[m.Event, Source]]) -> PlanEvent:
    descriptions = [e.description for e, _ in declared if e.description]
    if descriptions:
        description = descriptions[0]
    else:
        first = declared[0][1]
        description = f"Fired at “{first.touchpoint_label}” (stage {first.stage_label})."
    props: dict[str, PlanProperty] = {}
    required_everywhere: dict[str, bool] = {}
    for event, _ in declared:
        for p in event.properties:
            required_everywhere[p.name] = required_everywhere.get(p.name, True) and p.required
            if p.name not in props:
                props[p.name] = PlanProperty(p.name, p.type, p.required, p.description, p.minimum, p.maximum, p.pattern)
            elif props[p.name].description is None and p.description:
                old = props[p.name]
                props[p.name] = PlanProperty(
                    old.name, old.type, old.required, p.description, old.minimum, old.maximum, old.pattern
                )
    # A property is required only where every touchpoint that fires the event sends it.
    declared_in = {p.name: sum(1 for e, _ in declared if any(q.name == p.name for q in e.properties)) for p in props.values()}
    final = tuple(
        PlanProperty(
            p.name,
            p.type,
            required_everywhere[p.name] and declared_in[p.name] == len(declared),
            p.description,
            p.minimum,
            p.maximum,
            p.pattern,
        )
        for p in props.values()
    )
    return PlanEvent(name, event_id(name), description, final, tuple(s for _, s in declared))


def build_plan(journeys: Sequence[ResolvedJourney]) -> TrackingPlan:
    """Every event of every journey, merged by name, in the order first declared."""
    found: dict[str, list[tuple[m.Event, Source]]] = {}
    fired: dict[tuple[str, str], list[str]] = {}
    for j in journeys:
        for stage in j.stages:
            for tp in stage.touchpoints:
                source = Source(
                    j.id,
                    stage.id,
                    stage.label or stage.id,
                    tp.id,
                    tp.label or tp.id,
                    tuple(p.id for p in j.personas_of(tp)),
                    tp.channel.id if tp.channel else None,
                    tuple(r.id for r in tp.intents),
                    tp.micro_conversion,
                )
                for event in tp.events:
                    found.setdefault(event.name, []).append((event, source))
                    fired.setdefault((j.id, tp.id), []).append(event_id(event.name))
    events = tuple(_merge(name, declared) for name, declared in found.items())
    kpis = tuple(
        PlanKpi(
            j.id,
            k.id,
            k.label or k.id,
            k.target,
            tuple(dict.fromkeys(e for r in (*k.funnel, *k.measures) for e in fired.get((j.id, r.id), ()))),
        )
        for j in journeys
        for k in j.kpis
    )
    untracked = tuple(
        Untracked(j.id, stage.id, tp.id, tp.label or tp.id, reason)
        for j in journeys
        for stage in j.stages
        for tp in stage.touchpoints
        if not tp.events and (reason := j.untracked(tp)) is not None
    )
    return TrackingPlan(events, kpis, untracked)


def plan_from_json(data: dict[str, object]) -> TrackingPlan:
    """A plan read back from tracking-plan.json (enough to validate events against)."""
    from ..language.parser import parse

    if data.get("format") != "cjdsl.tracking-plan":
        raise ValueError("format is not cjdsl.tracking-plan")
    events = []
    for e in data["events"]:  # type: ignore[attr-defined]
        props = []
        for p in e["properties"]:
            # Property types are written as in the language: parse one back.
            doc = parse(f'stage s {{ touchpoint t {{ event "E" {{ x {p["type"]} }} }} }}', "<plan>").document
            if doc is None:
                raise ValueError(f"property type {p['type']!r}")
            t = doc.items[0].touchpoints[0].events[0].properties[0].type  # type: ignore[union-attr]
            schema = p.get("schema", {})
            lo = schema.get("minimum", schema.get("minLength", schema.get("minItems")))
            hi = schema.get("maximum", schema.get("maxLength", schema.get("maxItems")))
            props.append(PlanProperty(p["name"], t, p["required"], p.get("description"), lo, hi, schema.get("pattern")))
        sources = tuple(
            Source(
                s["journey"],
                s["stage"],
                s["stage"],
                s["touchpoint"],
                s["touchpoint_label"],
                tuple(s["personas"]),
                s["channel"],
                tuple(s["intents"]),
                s["micro_conversion"],
            )
            for s in e["sources"]
        )
        events.append(PlanEvent(e["name"], e["id"], e["description"], tuple(props), sources))
    return TrackingPlan(tuple(events), ())
