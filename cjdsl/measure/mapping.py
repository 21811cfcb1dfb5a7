"""Journeys → the tables a measurement joins events with (pure).

* where an event is placed: (journey, touchpoint, event name, ``when`` property, value);
* which observed transitions are allowed: a ``next`` flow, or a path of flows through
  touchpoints that fire no event (they cannot appear in the data);
* the KPI funnels with their windows, and their targets read as numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.model import TIME_UNITS
from ..core.resolved import ResolvedJourney

#: A funnel's window when its KPI sets none.
DEFAULT_WINDOW_SECONDS = 30 * 86400


@dataclass(frozen=True)
class Placement:
    journey: str
    touchpoint: str
    event: str
    when_property: str | None
    when_value: str | None


@dataclass(frozen=True)
class Allowed:
    journey: str
    source: str
    target: str
    direct: bool  # a `next` flow itself (else through touchpoints that fire no event)


@dataclass(frozen=True)
class Target:
    """A KPI target read as a number: ``comparison`` on a ``fraction`` of the funnel's
    entrants, or on a ``count`` per ``period`` (seconds) of funnel completions."""

    text: str
    comparison: str  # ">=", "<=", ">", "<", "="
    fraction: float | None = None
    count: float | None = None
    period: float | None = None

    def met(self, conversion: float | None, per_period: float | None) -> bool | None:
        value = conversion if self.fraction is not None else per_period
        wanted = self.fraction if self.fraction is not None else self.count
        if value is None or wanted is None:
            return None
        return {
            ">=": value >= wanted,
            "<=": value <= wanted,
            ">": value > wanted,
            "<": value < wanted,
            "=": abs(value - wanted) < 1e-12,
        }[self.comparison]


@dataclass(frozen=True)
class Funnel:
    journey: str
    kpi: str
    label: str
    steps: tuple[str, ...]
    window_seconds: float
    target: str | None
    parsed: Target | None


@dataclass(frozen=True)
class Mapping:
    placements: tuple[Placement, ...]
    allowed: tuple[Allowed, ...]
    funnels: tuple[Funnel, ...]
    #: journey → its touchpoints in stage order, and those that fire an event.
    touchpoints: dict[str, tuple[str, ...]]
    tracked: dict[str, frozenset[str]]
    #: KPIs with a target that is not read as a number: (journey, kpi, target).
    unread_targets: tuple[tuple[str, str, str], ...]


_PERIODS = {"day": 86400.0, "week": 604800.0, "month": TIME_UNITS["mo"], "year": TIME_UNITS["mo"] * 12}
_TARGET = re.compile(
    r"^\s*(?P<op>>=|<=|≥|≤|>|<|=)?\s*(?P<num>[0-9]+(?:[.,][0-9]+)?)\s*"
    r"(?:(?P<pct>%)|(?:[A-Za-z ]*?\s*)?per\s+(?P<per>day|week|month|year)\b)"
)


def parse_target(text: str) -> Target | None:
    """``">= 3%"``, ``"2% of ..."`` (at least), ``">= 180 MQLs per month"``; None for
    what is not a number of that kind (``"median <= 18 days"``, ``"25-35%"``)."""
    match = _TARGET.match(text)
    if match is None or re.match(r"^\s*[0-9.,]+\s*-", text):
        return None
    op = {"≥": ">=", "≤": "<="}.get(match["op"] or ">=", match["op"] or ">=")
    number = float(match["num"].replace(",", "."))
    if match["pct"]:
        return Target(text, op, fraction=number / 100)
    return Target(text, op, count=number, period=_PERIODS[match["per"]])


def _allowed(journey: ResolvedJourney, tracked: frozenset[str]) -> list[Allowed]:
    out: list[Allowed] = []
    for tp in journey.touchpoints:
        if tp.id not in tracked:
            continue
        direct = [n for n in journey.next_of(tp) if n in journey.touchpoint]
        found: dict[str, bool] = {}
        # Through touchpoints that fire no event, breadth first, in the order written.
        queue = list(direct)
        seen: set[str] = set()
        while queue:
            nxt = queue.pop(0)
            if nxt in seen:
                continue
            seen.add(nxt)
            if nxt in tracked:
                found.setdefault(nxt, False)
            else:
                queue.extend(n for n in journey.next_of(journey.touchpoint[nxt]) if n in journey.touchpoint)
        for n in direct:
            if n in tracked:
                found[n] = True
        out.extend(Allowed(journey.id, tp.id, target, is_direct) for target, is_direct in found.items())
    return out


def build_mapping(journeys: Sequence[ResolvedJourney]) -> Mapping:
    placements: list[Placement] = []
    allowed: list[Allowed] = []
    funnels: list[Funnel] = []
    touchpoints: dict[str, tuple[str, ...]] = {}
    tracked_of: dict[str, frozenset[str]] = {}
    unread: list[tuple[str, str, str]] = []
    for j in journeys:
        if j.journey is None:
            continue
        touchpoints[j.id] = tuple(tp.id for tp in j.touchpoints)
        tracked = frozenset(tp.id for tp in j.touchpoints if tp.events)
        tracked_of[j.id] = tracked
        for tp in j.touchpoints:
            for event in tp.events:
                prop, value = event.when if event.when is not None else (None, None)
                placements.append(Placement(j.id, tp.id, event.name, prop, value))
        allowed.extend(_allowed(j, tracked))
        for k in j.kpis:
            parsed = parse_target(k.target) if k.target else None
            if k.target and parsed is None:
                unread.append((j.id, k.id, k.target))
            if not k.funnel:
                continue
            window = k.window.seconds()[1] if k.window is not None else DEFAULT_WINDOW_SECONDS
            funnels.append(
                Funnel(
                    j.id, k.id, k.label or k.id, tuple(r.id for r in k.funnel), window or DEFAULT_WINDOW_SECONDS, k.target, parsed
                )
            )
    return Mapping(tuple(dict.fromkeys(placements)), tuple(allowed), tuple(funnels), touchpoints, tracked_of, tuple(unread))
