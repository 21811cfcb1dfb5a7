"""Small helpers the rules share."""

from __future__ import annotations

from typing import Any

from ..core.resolved import ResolvedJourney
from ..core.span import Span


def at(node: Any) -> Span:
    """Where a finding about a declaration points: its id."""
    spans = getattr(node, "spans", {})
    return spans.get("id") or node.span  # type: ignore[no-any-return]


def journey_span(j: ResolvedJourney) -> Span | None:
    return at(j.journey) if j.journey is not None else None


def uses_flows(j: ResolvedJourney) -> bool:
    return any(tp.next for tp in j.touchpoints)


def listing(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
