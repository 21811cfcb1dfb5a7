"""What the events said of one journey, for the outputs that show it (the site, the
diagrams): the report of `cjdsl measure` (its JSON, see docs/measure.md) read once into
typed numbers per journey. Pure: a mapping in, values out; a report that lacks a part
gives empty parts, never an error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .i18n import Translator
from .resolved import ResolvedJourney


@dataclass(frozen=True)
class FlowCount:
    source: str
    target: str
    users: int
    declared: bool
    #: Declared through touchpoints that fire no event (they cannot appear in data).
    through_untracked: bool = False


@dataclass(frozen=True)
class StepCount:
    touchpoint: str
    users: int
    from_previous: float | None
    from_first: float | None
    drop_off: int
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class KpiCount:
    id: str
    target: str | None
    #: Whether the target could be read as a number (then ``met`` says True or False).
    target_read: bool
    entered: int
    completed: int
    conversion: float | None
    met: bool | None
    steps: tuple[StepCount, ...] = ()


@dataclass(frozen=True)
class PersonaFit:
    persona: str
    users: int
    fitness: float | None


@dataclass(frozen=True)
class MeasuredJourney:
    """The numbers of one journey."""

    id: str
    #: Users with at least one event placed in the journey.
    users: int
    #: Users who reached each touchpoint (tracked touchpoints only).
    reach: Mapping[str, int]
    #: Every flow measured: taken (declared or not), and declared flows nobody took.
    flows: tuple[FlowCount, ...]
    kpis: Mapping[str, KpiCount]
    fitness: float | None
    fitting_users: int
    by_persona: tuple[PersonaFit, ...]
    unplaced_events: int
    #: The whole measurement: its events, users and period (ISO 8601, UTC).
    events: int = 0
    first: str | None = None
    last: str | None = None

    @cached_property
    def _flow_index(self) -> dict[tuple[str, str], FlowCount]:
        return {(f.source, f.target): f for f in self.flows}

    def flow(self, source: str, target: str) -> FlowCount | None:
        """The flow from ``source`` to ``target``, when it was measured."""
        return self._flow_index.get((source, target))

    @cached_property
    def _flows_from(self) -> dict[str, list[FlowCount]]:
        out: dict[str, list[FlowCount]] = {}
        for f in self.flows:
            out.setdefault(f.source, []).append(f)
        return out

    def flows_from(self, source: str) -> list[FlowCount]:
        """The measured flows that leave ``source``, in the report's order."""
        return self._flows_from.get(source, [])

    @cached_property
    def largest_reach(self) -> int:
        """The users of the most reached touchpoint."""
        return max(self.reach.values(), default=0)

    def share_of(self, n: int) -> float | None:
        """``n`` as a share of the journey's users."""
        return n / self.users if self.users else None

    @property
    def undeclared(self) -> list[FlowCount]:
        """Flows customers took that the map has no `next` for, the most taken first."""
        return sorted((f for f in self.flows if not f.declared), key=lambda f: (-f.users, f.source, f.target))

    @property
    def not_taken(self) -> list[FlowCount]:
        """Declared flows nobody took, in the map's order of their ends."""
        return [f for f in self.flows if f.declared and f.users == 0]

    @cached_property
    def largest_flow(self) -> int:
        return max((f.users for f in self.flows), default=0)


def _int(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _entries(report: Mapping[str, Any], section: str) -> Iterable[Mapping[str, Any]]:
    return [e for e in report.get(section) or () if isinstance(e, Mapping)]


def measured_journeys(report: Mapping[str, Any] | None) -> dict[str, MeasuredJourney]:
    """The report's numbers by journey id (empty when there is no report)."""
    if not report:
        return {}
    reach: dict[str, dict[str, int]] = {}
    for t in _entries(report, "touchpoints"):
        if t.get("tracked", True):
            reach.setdefault(str(t.get("journey")), {})[str(t.get("id"))] = _int(t.get("users"))
    flows: dict[str, list[FlowCount]] = {}
    for f in _entries(report, "flows"):
        flow = FlowCount(
            str(f.get("from")), str(f.get("to")), _int(f.get("users")), bool(f.get("declared")), bool(f.get("through_untracked"))
        )
        flows.setdefault(str(f.get("journey")), []).append(flow)
    kpis: dict[str, dict[str, KpiCount]] = {}
    for k in _entries(report, "kpis"):
        steps = tuple(
            StepCount(
                str(s.get("touchpoint")),
                _int(s.get("users")),
                _float(s.get("conversion_from_previous")),
                _float(s.get("conversion_from_first")),
                _int(s.get("drop_off")),
                _float(s.get("median_seconds")),
                _float(s.get("p90_seconds")),
            )
            for s in k.get("steps") or ()
            if isinstance(s, Mapping)
        )
        met = k.get("met")
        kpis.setdefault(str(k.get("journey")), {})[str(k.get("id"))] = KpiCount(
            str(k.get("id")),
            _str(k.get("target")),
            k.get("target_read") is not None,
            _int(k.get("entered")),
            _int(k.get("completed")),
            _float(k.get("conversion")),
            met if isinstance(met, bool) else None,
            steps,
        )
    out: dict[str, MeasuredJourney] = {}
    for j in _entries(report, "journeys"):
        jid = str(j.get("id"))
        given = j.get("conformance")
        conformance: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        out[jid] = MeasuredJourney(
            id=jid,
            users=_int(j.get("users")),
            reach=reach.get(jid, {}),
            flows=tuple(flows.get(jid, ())),
            kpis=kpis.get(jid, {}),
            fitness=_float(conformance.get("fitness")),
            fitting_users=_int(conformance.get("fitting_users")),
            by_persona=tuple(
                PersonaFit(str(p.get("persona")), _int(p.get("users")), _float(p.get("fitness")))
                for p in j.get("conformance_by_persona") or ()
                if isinstance(p, Mapping)
            ),
            unplaced_events=_int(j.get("unplaced_events")),
            events=_int(report.get("events")),
            first=_str(report.get("first")),
            last=_str(report.get("last")),
        )
    return out


def indistinct(j: ResolvedJourney) -> dict[str, tuple[str, ...]]:
    """The touchpoints no event can be placed on, each with the other touchpoints that
    make it so: every event it fires has no `when`, and each of their names is fired
    without `when` at another touchpoint of the journey too (measure places such an
    event nowhere: it cannot tell which touchpoint it came from)."""
    plain: dict[str, list[str]] = {}
    for tp in j.touchpoints:
        for e in tp.events:
            if e.when is None and tp.id not in plain.setdefault(e.name, []):
                plain[e.name].append(tp.id)
    out: dict[str, tuple[str, ...]] = {}
    for tp in j.touchpoints:
        if tp.events and all(e.when is None and len(plain[e.name]) > 1 for e in tp.events):
            others = {o for e in tp.events for o in plain[e.name] if o != tp.id}
            out[tp.id] = tuple(o.id for o in j.touchpoints if o.id in others)
    return out


def percent(tr: Translator, share: float | None) -> str:
    """0.352 → "35.2%" in the language's way; "—" when there is no share."""
    if share is None:
        return "—"
    return tr.gettext("%(value)s%%", value=tr.number(share * 100, 1))
