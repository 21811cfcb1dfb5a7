"""The ``tracking`` backend: the tracking plan in every format, under ``tracking/``.

| file | for |
| --- | --- |
| tracking-plan.json (+ tracking-plan.schema.json) | tools and scripts: the plan itself |
| jsonschema/EVENT.json | draft-07 schema of each event's properties |
| segment/plan.json, segment/typewriter.yml | Segment Protocols; `typewriter build` |
| snowplow/schemas/VENDOR/EVENT/jsonschema/M-R-A | Snowplow Iglu self-describing schemas |
| rudderstack/*.yaml | RudderStack `rudder/v1` tracking plans as code |
| tracking-plan.csv, tracking-plan.md | analysts |
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..core import packaged
from ..core.resolved import ResolvedJourney
from ..tracking import emit
from ..tracking.emit import EventVersion, dumps
from ..tracking.plan import TrackingPlan, build_plan
from .base import PLAN, Artifact, Backend, BuildContext, Product, register

DEFAULT_VENDOR = "com.example.journeys"
DEFAULT_NAME = "Customer journeys"


def settings(ctx: BuildContext) -> tuple[str, str]:
    table: Mapping[str, Any] = ctx.config.raw.get("tracking", {}) if ctx.config is not None else {}
    return str(table.get("vendor", DEFAULT_VENDOR)), str(table.get("name", DEFAULT_NAME))


def schema() -> dict[str, Any]:
    text = packaged.text("schemas", "tracking-plan.schema.json")
    return json.loads(text)  # type: ignore[no-any-return]


def artifacts(
    plan: TrackingPlan,
    journeys: Sequence[ResolvedJourney],
    vendor: str,
    name: str,
    versions: Mapping[str, EventVersion] | None = None,
) -> list[Artifact]:
    versions = versions or {}
    out = [
        Artifact.text("tracking/tracking-plan.json", "application/json", dumps(emit.plan_json(plan, versions))),
        Artifact.text("tracking/tracking-plan.schema.json", "application/schema+json", dumps(schema())),
        Artifact.text("tracking/tracking-plan.csv", "text/csv", emit.csv_text(plan)),
        Artifact.text("tracking/tracking-plan.md", "text/markdown", emit.markdown_text(plan, name)),
    ]
    for e in plan.events:
        out.append(Artifact.text(f"tracking/jsonschema/{e.id}.json", "application/schema+json", dumps(emit.event_schema(e))))
        known = versions.get(e.id, EventVersion())
        folder = f"tracking/snowplow/schemas/{vendor}/{e.id}/jsonschema"
        for earlier, normalized in known.iglu.items():
            body = emit.earlier_iglu_schema(e, vendor, earlier, normalized)
            out.append(Artifact.text(f"{folder}/{earlier}", "application/json", dumps(body)))
        out.append(
            Artifact.text(f"{folder}/{known.schemaver}", "application/json", dumps(emit.iglu_schema(e, vendor, known.schemaver)))
        )
    segment = emit.segment_plan(plan, versions, name)
    out.append(Artifact.text("tracking/segment/plan.json", "application/json", dumps(segment)))
    out.append(Artifact.text("tracking/segment/typewriter.yml", "application/yaml", emit.typewriter_yml(segment["id"])))
    labels = {s.id: s.label or s.id for j in journeys for s in j.stages}
    for filename, text in emit.rudderstack_files(plan, labels, name).items():
        out.append(Artifact.text(f"tracking/rudderstack/{filename}", "application/yaml", text))
    return out


def _build(ctx: BuildContext) -> list[Artifact]:
    vendor, name = settings(ctx)
    return artifacts(build_plan(ctx.journeys), ctx.journeys, vendor, name, ctx.versions)


def render(j: ResolvedJourney, ctx: BuildContext) -> Artifact:
    return Artifact.text("tracking/tracking-plan.json", "application/json", dumps(emit.plan_json(build_plan([j]), ctx.versions)))


#: The files every build writes (the per-event schemas, under `jsonschema/` and
#: `snowplow/`, are named after the events). The tracking plan in the formats a page
#: offers comes first, in the order it offers them.
PRODUCTS = (
    Product("tracking/tracking-plan.csv", PLAN, "CSV"),
    Product("tracking/tracking-plan.md", PLAN, "Markdown"),
    Product("tracking/tracking-plan.json", PLAN, "JSON"),
    Product("tracking/segment/plan.json", PLAN, "Segment plan.json"),
    Product("tracking/rudderstack/tracking-plan.yaml", PLAN, "RudderStack YAML"),
    Product("tracking/tracking-plan.schema.json"),
    Product("tracking/segment/typewriter.yml"),
    Product("tracking/rudderstack/properties.yaml"),
    Product("tracking/rudderstack/events.yaml"),
    Product("tracking/rudderstack/categories.yaml"),
)


BACKEND = register(
    Backend(
        "tracking",
        "the tracking plan: JSON, JSON Schema, Segment, Snowplow Iglu, RudderStack, CSV, Markdown",
        render,
        _build,
        products=PRODUCTS,
    )
)
