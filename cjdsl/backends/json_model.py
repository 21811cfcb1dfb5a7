"""The ``json`` backend: the resolved journey as JSON, for tools and scripts.

The shape is described by ``cjdsl/schemas/journey.schema.json`` (shipped in the
package; :func:`schema` loads it). Every key is always present (``null`` when a value
is not given), lists keep the source order, and output is byte-identical for the same
input.

Keys are only ever added within a format version, never renamed or reshaped. So a
touchpoint's ``next`` stays a list of ids, and the labels of its flows are in ``flows``,
one ``{"to", "label"}`` per entry of ``next``, in the same order. A time (``duration``,
``wait``) is ``{"low", "high", "unit", "seconds"}``: as written (``high`` null unless it is
a range) and as ``[shortest, longest]`` in seconds. Metrics and quotes have a ``source``
of their own (where the number or the words come from), so where they are declared is
``declared_at``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..core import jsontext, packaged
from ..core import model as m
from ..core.diagnostics import Diagnostic, sort_diagnostics
from ..core.resolved import ResolvedJourney, channel_is_online
from ..core.span import Span
from .base import Artifact, Backend, BuildContext, Product, findings_of, register

FORMAT = "cjdsl.journey"
FORMAT_VERSION = 1


def _source(span: Span) -> dict[str, Any]:
    return {"path": span.path, "line": span.line, "column": span.column}


def _ref(ref: m.Ref | None) -> str | None:
    return ref.id if ref is not None else None


def _refs(refs: tuple[m.Ref, ...]) -> list[str]:
    return [r.id for r in refs]


def _time(t: m.Time | None) -> dict[str, Any] | None:
    if t is None:
        return None
    low, high = t.seconds()
    return {"low": t.low, "high": t.high, "unit": t.unit, "seconds": [low, high]}


def _step(s: m.Step) -> dict[str, Any]:
    return {
        "text": s.text,
        "lane": s.lane,
        "actor": _ref(s.actor),
        "owner": _ref(s.owner),
        "duration": _time(s.duration),
        "wait": _time(s.wait),
        "support": _refs(s.support),
        "description": s.description,
        "source": _source(s.span),
    }


def _type(t: m.PropertyType) -> dict[str, Any]:
    out: dict[str, Any] = {"name": t.name}
    if t.name == "enum":
        out["values"] = list(t.values)
    if t.name == "list" and t.item is not None:
        out["item"] = _type(t.item)
    return out


def _event(e: m.Event) -> dict[str, Any]:
    return {
        "name": e.name,
        "description": e.description,
        "when": {"property": e.when[0], "value": e.when[1]} if e.when is not None else None,
        "properties": [
            {
                "name": p.name,
                "type": _type(p.type),
                "required": p.required,
                "description": p.description,
                "minimum": p.minimum,
                "maximum": p.maximum,
                "pattern": p.pattern,
                "source": _source(p.span),
            }
            for p in e.properties
        ],
        "source": _source(e.span),
    }


def _finding(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "source": _source(d.span) if d.span is not None else None,
        "suppressed": None if d.suppression is None else {"reason": d.suppression.reason, "source": _source(d.suppression.span)},
    }


def journey_to_dict(j: ResolvedJourney, findings: Sequence[Diagnostic] = ()) -> dict[str, Any]:
    """The JSON-ready dict for one resolved journey, with the findings of ``cjdsl check``
    in its files (the ones an `allow` silenced included, marked with the reason)."""
    jj = j.journey
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "journey": {
            "id": j.id,
            "label": jj.label if jj else None,
            "version": jj.version if jj else None,
            "owner": _ref(jj.owner) if jj else None,
            "description": jj.description if jj else None,
            "tags": list(jj.tags) if jj else [],
            "state": j.state,
            "variant_of": _ref(jj.variant_of) if jj else None,
            "part_of": _ref(jj.part_of) if jj else None,
            "source": _source(jj.span) if jj else None,
        },
        "files": list(j.files),
        "personas": [
            {
                "id": p.id,
                "label": p.label,
                "role": p.role,
                "industry": p.industry,
                "age": p.age,
                "gender": p.gender,
                "location": p.location,
                "goals": list(p.goals),
                "needs": list(p.needs),
                "concerns": list(p.concerns),
                "interests": list(p.interests),
                "description": p.description,
                "source": _source(p.span),
            }
            for p in j.personas
        ],
        "intents": [{"id": i.id, "label": i.label, "description": i.description, "source": _source(i.span)} for i in j.intents],
        "channels": [
            {
                "id": c.id,
                "label": c.label,
                "mode": c.mode,
                "kind": c.kind,
                "online": channel_is_online(c),
                "description": c.description,
                "untracked": c.untracked,
                "source": _source(c.span),
            }
            for c in j.channels
        ],
        "teams": [{"id": t.id, "label": t.label, "description": t.description, "source": _source(t.span)} for t in j.teams],
        "actors": [
            {
                "id": a.id,
                "label": a.label,
                "team": _ref(a.team),
                "partner": a.partner,
                "description": a.description,
                "source": _source(a.span),
            }
            for a in j.actors
        ],
        "systems": [
            {"id": y.id, "label": y.label, "owner": _ref(y.owner), "description": y.description, "source": _source(y.span)}
            for y in j.systems
        ],
        "stages": [
            {
                "id": s.id,
                "label": s.label,
                "phase": s.phase,
                "description": s.description,
                "touchpoints": [
                    {
                        "id": t.id,
                        "label": t.label,
                        "stage": s.id,
                        "description": t.description,
                        "channel": _ref(t.channel),
                        "personas": _refs(t.personas),
                        "intents": _refs(t.intents),
                        "entry": t.entry,
                        "micro_conversion": t.micro_conversion,
                        "micro_conversion_label": t.micro_conversion_label,
                        "moment_of_truth": t.moment_of_truth,
                        "moment_of_truth_label": t.moment_of_truth_label,
                        "untracked": j.untracked(t),
                        "context": t.context,
                        "need": t.need,
                        "thinking": list(t.thinking),
                        "quotes": [{"text": q.text, "source": q.source, "declared_at": _source(q.span)} for q in t.quotes],
                        "customer_action": t.customer_action,
                        "company_action": t.company_action,
                        "steps": [_step(step) for step in t.steps],
                        "support": _refs(t.support),
                        "evidence": t.evidence,
                        "emotion": t.emotion,
                        "feeling": t.feeling,
                        "emotion_for": [
                            {"persona": pv.persona.id, "value": pv.value, "feeling": pv.feeling} for pv in t.emotion_for
                        ],
                        "rating": t.rating,
                        "rating_for": [{"persona": pv.persona.id, "value": pv.value} for pv in t.rating_for],
                        "confidence": t.confidence,
                        "duration": _time(t.duration),
                        "wait": _time(t.wait),
                        "owner": _ref(t.owner),
                        "next": _refs(t.next),
                        "flows": [{"to": r.id, "label": r.label} for r in t.next],
                        "detail": _ref(t.detail),
                        "events": [_event(e) for e in t.events],
                        "pains": [p.id for p in j.pains_at(t.id)],
                        "source": _source(t.span),
                    }
                    for t in s.touchpoints
                ],
                "pains": [p.id for p in j.pains_at(s.id)],
                "source": _source(s.span),
            }
            for s in j.stages
        ],
        "pains": [
            {
                "id": p.id,
                "label": p.label,
                "at": _ref(p.at),
                "severity": p.severity,
                "cause": p.cause,
                "confidence": p.confidence,
                "description": p.description,
                "opportunities": [o.id for o in j.opportunities_of(p)],
                "source": _source(p.span),
            }
            for p in j.pains
        ],
        "opportunities": [
            {
                "id": o.id,
                "label": o.label,
                "impact": o.impact,
                "effort": o.effort,
                "owner": _ref(o.owner),
                "status": o.status,
                "description": o.description,
                "source": _source(o.span),
            }
            for o in j.opportunities
        ],
        "kpis": [
            {
                "id": k.id,
                "label": k.label,
                "target": k.target,
                "measures": _refs(k.measures),
                "funnel": _refs(k.funnel),
                "window": _time(k.window),
                "owner": _ref(k.owner),
                "description": k.description,
                "source": _source(k.span),
            }
            for k in j.kpis
        ],
        "metrics": [
            {
                "id": x.id,
                "label": x.label,
                "at": _ref(x.at),
                "value": x.value,
                "scale": list(x.scale) if x.scale is not None else None,
                "target": x.target,
                "source": x.source,
                "owner": _ref(x.owner),
                "description": x.description,
                "declared_at": _source(x.span),
            }
            for x in j.metrics
        ],
        "findings": [_finding(d) for d in findings],
    }


dumps = jsontext.dumps


def path_of(j: ResolvedJourney) -> str:
    return f"json/{j.id}.json"


def render(j: ResolvedJourney, ctx: BuildContext) -> Artifact:
    findings = sort_diagnostics([*findings_of(j, ctx.diagnostics), *findings_of(j, ctx.suppressed)])
    return Artifact.text(path_of(j), "application/json", dumps(journey_to_dict(j, findings)))


def schema() -> dict[str, Any]:
    """The JSON Schema of this backend's output."""
    text = packaged.text("schemas", "journey.schema.json")
    return json.loads(text)  # type: ignore[no-any-return]


def _build(ctx: BuildContext) -> list[Artifact]:
    artifacts = [render(j, ctx) for j in ctx.journeys]
    artifacts.append(Artifact.text(SCHEMA_PATH, "application/schema+json", dumps(schema())))
    return artifacts


SCHEMA_PATH = "json/journey.schema.json"

BACKEND = register(
    Backend(
        "json",
        f"the resolved journey as JSON (schema: {SCHEMA_PATH})",
        render,
        _build,
        products=(Product(SCHEMA_PATH),),
        products_of=lambda j: [Product(path_of(j), journey=j.id)],
    )
)
