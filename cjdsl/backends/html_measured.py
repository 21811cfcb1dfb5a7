"""The measured journey on the map page (`cjdsl build --events`): what the events said
of each touchpoint, flow and KPI, worded for the page in its language. Pure functions
from a journey and its :class:`~cjdsl.core.measured.MeasuredJourney` to the values the
templates show; every name in them is escaped by the templates like any other text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.i18n import Translator
from ..core.measured import FlowCount, KpiCount, MeasuredJourney, percent
from ..core.resolved import ResolvedJourney

#: Longest bar of the reach lane, in CSS pixels (the bar is an SVG rectangle: the
#: pages' policy allows no inline style).
BAR = 120
#: Undeclared flows listed per journey (the rest are counted).
SHOWN_FLOWS = 25


def duration(tr: Translator, seconds: float | None) -> str | None:
    """Seconds as the map writes a time (``4.1 d``, ``35 min``), for the ``time`` filter."""
    if seconds is None:
        return None
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{round(seconds / size, 1):g} {unit}"
    return f"{round(seconds):g} s"


def _label(j: ResolvedJourney, tp_id: str) -> str:
    tp = j.touchpoint.get(tp_id)
    return (tp.label or tp_id) if tp is not None else tp_id


def reach(j: ResolvedJourney, mj: MeasuredJourney, tp_id: str, tr: Translator, blurred: Sequence[str] = ()) -> dict[str, Any]:
    """A touchpoint's reach: users, their share of the journey's users, the bar's width,
    and the flows that leave it (declared with their users and share of its users, then
    the undeclared ones customers took). ``blurred``: the touchpoints whose events it
    cannot be told apart from (then it cannot be reached in the data)."""
    tracked = tp_id in mj.reach
    users = mj.reach.get(tp_id, 0)
    largest = mj.largest_reach
    out_flows = [f for f in mj.flows_from(tp_id) if f.users or f.declared]
    declared = sorted((f for f in out_flows if f.declared), key=lambda f: (-f.users, f.target))
    undeclared = sorted((f for f in out_flows if not f.declared), key=lambda f: (-f.users, f.target))
    return {
        "tracked": tracked,
        "blurred": [_label(j, o) for o in blurred],
        "users": tr.number(users),
        "count": users,
        "share": percent(tr, mj.share_of(users)),
        "bar": round(BAR * users / largest) if largest else 0,
        "flows": [_flow(j, f, users, tr) for f in declared],
        "off_map": [_flow(j, f, users, tr) for f in undeclared],
    }


def _flow(j: ResolvedJourney, f: FlowCount, from_users: int, tr: Translator) -> dict[str, Any]:
    return {
        "source": f.source,
        "target": f.target,
        "source_label": _label(j, f.source),
        "target_label": _label(j, f.target),
        "users": tr.number(f.users),
        "count": f.users,
        "share": percent(tr, f.users / from_users if from_users else None),
        "through_untracked": f.through_untracked,
    }


def next_note(mj: MeasuredJourney, source: str, target: str, tr: Translator) -> str | None:
    """What the events say of the flow ``source -> target`` beside its `next` link: the
    users who went there next and their share of the users who reached ``source``."""
    f = mj.flow(source, target)
    if f is None:
        return None
    users = mj.reach.get(source, 0)
    share = percent(tr, f.users / users if users else None)
    return tr.ngettext("%(num)s user, %(share)s", "%(num)s users, %(share)s", f.users, num=tr.number(f.users), share=share)


def kpi(j: ResolvedJourney, k: KpiCount, tr: Translator) -> dict[str, Any]:
    """A KPI measured: its conversion against its target, in words and a mark (never
    colour alone), and its funnel's steps."""
    verdict = {True: "met", False: "missed", None: "unjudged"}[k.met]
    return {
        "conversion": percent(tr, k.conversion),
        "entered": tr.number(k.entered),
        "completed": tr.number(k.completed),
        "verdict": verdict,
        "target_read": k.target_read,
        "steps": [
            {
                "tp": s.touchpoint,
                "label": _label(j, s.touchpoint),
                "users": tr.number(s.users),
                "from_previous": percent(tr, s.from_previous),
                "from_first": percent(tr, s.from_first),
                "drop_off": tr.number(s.drop_off),
                "median": duration(tr, s.median_seconds),
                "p90": duration(tr, s.p90_seconds),
            }
            for s in k.steps
        ],
    }


def journey(j: ResolvedJourney, mj: MeasuredJourney, tr: Translator, personas: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The journey's measured summary: users, the events' period, conformance (and per
    persona, labelled, the journey's own personas first), the flows customers took that the map lacks, the declared flows
    nobody took, and the events the map could not place."""
    labels = dict(personas)
    undeclared = mj.undeclared
    return {
        "users": tr.number(mj.users),
        "user_count": mj.users,
        "events": tr.number(mj.events),
        "first": (mj.first or "")[:10],
        "last": (mj.last or "")[:10],
        "fitness": percent(tr, mj.fitness),
        "fitting": tr.number(mj.fitting_users),
        "by_persona": [
            {
                "id": p.persona,
                "label": labels.get(p.persona, p.persona),
                "own": p.persona in labels,
                "users": tr.number(p.users),
                "fitness": percent(tr, p.fitness),
            }
            for p in sorted(mj.by_persona, key=lambda p: (p.persona not in labels, p.persona))
        ],
        "undeclared": [_flow(j, f, mj.reach.get(f.source, 0), tr) for f in undeclared[:SHOWN_FLOWS]],
        "undeclared_more": max(0, len(undeclared) - SHOWN_FLOWS),
        "not_taken": [_flow(j, f, mj.reach.get(f.source, 0), tr) for f in mj.not_taken],
        "unplaced": tr.number(mj.unplaced_events),
        "unplaced_count": mj.unplaced_events,
        "kpis_missed": sum(1 for k in mj.kpis.values() if k.met is False),
        "kpis_met": sum(1 for k in mj.kpis.values() if k.met is True),
    }
