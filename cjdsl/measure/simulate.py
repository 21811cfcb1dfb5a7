"""Synthetic Segment-shaped track events made by walking the journeys (pure).

Each user gets one journey (chosen at random), starts at one of its entry touchpoints
and follows ``next`` flows; at each touchpoint they send its events (the ``when``
property set to its value), then wait (the next touchpoint's ``wait``, else a few
minutes to two days) and spend its ``duration``. They drop off at each step with
probability :data:`DROP_OFF`, and stray onto a touchpoint no flow leads to with
probability :data:`STRAY`. Everything comes from one ``random.Random(seed)`` over
lists in the order the journeys declare them: the same seed gives the same bytes.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from ..core import model as m
from ..core.resolved import ResolvedJourney
from ..tracking.plan import PlanProperty, TrackingPlan

DROP_OFF = 0.25
STRAY = 0.03
MAX_STEPS = 25
ANONYMOUS = 0.2
#: 2025-01-01T00:00:00Z; users start within the 90 days after it.
START = 1735689600
SPREAD = 90 * 86400


def _gap(rng: random.Random, time: m.Time | None, default_low: float, default_high: float) -> float:
    if time is not None:
        low, high = time.seconds()
        if high > 0:
            return rng.uniform(low, high)
    return math.exp(rng.uniform(math.log(default_low), math.log(default_high)))


def _iso_ms(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _scalar(rng: random.Random, kind: m.PropertyType, prop: PlanProperty, ms: int) -> object:
    lo, hi = prop.minimum, prop.maximum
    if kind.name == "enum" or kind.values:
        return rng.choice(kind.values)
    if kind.name == "integer":
        a = math.ceil(lo) if lo is not None else 0
        b = math.floor(hi) if hi is not None else max(a, 0) + 500
        return rng.randint(a, max(a, b))
    if kind.name == "number":
        low = float(lo) if lo is not None else 0.0
        high = float(hi) if hi is not None else low + 1000.0
        return min(max(round(rng.uniform(low, high), 2), low), high)
    if kind.name == "boolean":
        return rng.random() < 0.5
    if kind.name == "datetime":
        return _iso_ms(ms)
    a = int(lo) if lo is not None else 4
    b = int(hi) if hi is not None else max(a, 12)
    length = rng.randint(a, max(a, min(b, 16)))  # short strings: ids, slugs, codes
    return f"{rng.getrandbits(4 * length):0{length}x}" if length else ""


def _value(rng: random.Random, prop: PlanProperty, ms: int) -> object:
    kind = prop.type
    if kind.item is not None:
        lo = int(prop.minimum) if prop.minimum is not None else 1
        hi = int(prop.maximum) if prop.maximum is not None else max(lo, 3)
        plain = PlanProperty(prop.name, kind.item, True, None, None, None, None)
        return [_scalar(rng, kind.item, plain, ms) for _ in range(rng.randint(lo, max(lo, hi)))]
    return _scalar(rng, kind, prop, ms)


def _when_value(prop: PlanProperty | None, value: str) -> object:
    if prop is None:
        return value
    if prop.type.name == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    if prop.type.name == "number":
        try:
            return float(value)
        except ValueError:
            return value
    if prop.type.name == "boolean":
        return value == "true"
    return value


def simulate(journeys: Sequence[ResolvedJourney], plan: TrackingPlan, users: int, seed: int) -> Iterator[dict[str, object]]:
    """The events of ``users`` simulated users, user after user, each in time order."""
    rng = random.Random(seed)
    walkable = [j for j in journeys if j.journey is not None and j.touchpoints]
    if not walkable:
        return
    planned = {e.name: e for e in plan.events}
    for u in range(users):
        j = walkable[rng.randrange(len(walkable))]
        entries = [tp for tp in j.touchpoints if tp.entry] or [j.touchpoints[0]]
        tp = entries[rng.randrange(len(entries))]
        personas = [p.id for p in j.personas_of(tp)]
        persona = personas[rng.randrange(len(personas))] if personas else None
        anonymous = rng.random() < ANONYMOUS
        who = {"anonymousId": f"anon-{seed}-{u:07d}"} if anonymous else {"userId": f"user-{u:07d}"}
        ms = (START + rng.randrange(SPREAD)) * 1000
        others = [t.id for t in j.touchpoints]
        for _ in range(MAX_STEPS):
            for event in tp.events:
                ms += 1000 + rng.randrange(30_000)
                plan_event = planned.get(event.name)
                own = {p.name for p in event.properties}
                props: dict[str, object] = {}
                for prop in plan_event.properties if plan_event else ():
                    if prop.required or (prop.name in own and rng.random() < 0.7):
                        props[prop.name] = _value(rng, prop, ms)
                if event.when is not None:
                    name, value = event.when
                    by_name = {p.name: p for p in plan_event.properties} if plan_event else {}
                    props[name] = _when_value(by_name.get(name), value)
                message: dict[str, object] = {
                    "type": "track",
                    "event": event.name,
                    **who,
                    "timestamp": _iso_ms(ms),
                    "properties": props,
                }
                if persona is not None:
                    message["context"] = {"traits": {"persona": persona}}
                yield message
            ms += int(_gap(rng, tp.duration, 30, 1800) * 1000)
            following = list(j.next_of(tp))
            if not following or rng.random() < DROP_OFF:
                break
            if rng.random() < STRAY:
                strays = [t for t in others if t not in following and t != tp.id]
                choice = strays[rng.randrange(len(strays))] if strays else following[rng.randrange(len(following))]
            else:
                choice = following[rng.randrange(len(following))]
            tp = j.touchpoint[choice]
            ms += int(_gap(rng, tp.wait, 60, 2 * 86400) * 1000)


def simulate_chunks(
    journeys: Sequence[ResolvedJourney], plan: TrackingPlan, users: int, seed: int, lines: int = 10_000
) -> Iterator[bytes]:
    """The events as JSON Lines, ``lines`` events a piece (10 million events do not
    have to fit in memory)."""
    batch: list[bytes] = []
    for e in simulate(journeys, plan, users, seed):
        batch.append(json.dumps(e, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
        if len(batch) >= lines:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)


def simulate_jsonl(journeys: Sequence[ResolvedJourney], plan: TrackingPlan, users: int, seed: int) -> bytes:
    return b"".join(simulate_chunks(journeys, plan, users, seed))
