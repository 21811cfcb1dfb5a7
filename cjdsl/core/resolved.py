"""The resolved model: one journey with its includes merged and references checked.

This is what backends receive. Declarations keep their parsed form (:mod:`cjdsl.core.model`);
this class adds the views backends need: stages in order, every touchpoint with its
stage, every pain point with its anchor, look-ups by id, and references bound to what
they name (``channel_of``, ``team_of``, ``next_of``, ``personas_of``, ``opportunities_of``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from . import model as m
from . import vocabulary as v


@dataclass(frozen=True)
class ResolvedJourney:
    """A journey (or, with ``journey`` None, a shared library file) after resolution."""

    path: str  # the root file, relative to the project root
    journey: m.Journey | None
    files: tuple[str, ...] = ()  # the root file and every file it includes, in load order
    personas: tuple[m.Persona, ...] = ()
    intents: tuple[m.Intent, ...] = ()
    channels: tuple[m.Channel, ...] = ()
    teams: tuple[m.Team, ...] = ()
    stages: tuple[m.Stage, ...] = ()
    #: Every pain point, top-level and nested, each with ``at`` set to where it happens.
    pains: tuple[m.Pain, ...] = ()
    #: Every opportunity, top-level and nested in pain points.
    opportunities: tuple[m.Opportunity, ...] = ()
    kpis: tuple[m.Kpi, ...] = ()
    #: The company's side, for service blueprints: people and roles, and systems.
    actors: tuple[m.Actor, ...] = ()
    systems: tuple[m.System, ...] = ()
    #: Numbers measured outside event tracking.
    metrics: tuple[m.Metric, ...] = ()

    @property
    def id(self) -> str:
        return self.journey.id if self.journey else self.path

    @property
    def title(self) -> str:
        if self.journey is None:
            return self.path
        return self.journey.label or self.journey.id

    @cached_property
    def touchpoints(self) -> tuple[m.Touchpoint, ...]:
        """All touchpoints in stage order."""
        return tuple(tp for stage in self.stages for tp in stage.touchpoints)

    @cached_property
    def stage_of(self) -> dict[str, m.Stage]:
        """Touchpoint id → its stage."""
        return {tp.id: stage for stage in self.stages for tp in stage.touchpoints}

    @cached_property
    def stage_index(self) -> dict[str, int]:
        return {stage.id: i for i, stage in enumerate(self.stages)}

    @cached_property
    def touchpoint(self) -> dict[str, m.Touchpoint]:
        return {tp.id: tp for tp in self.touchpoints}

    @cached_property
    def persona(self) -> dict[str, m.Persona]:
        return {p.id: p for p in self.personas}

    @cached_property
    def channel(self) -> dict[str, m.Channel]:
        return {c.id: c for c in self.channels}

    @cached_property
    def intent(self) -> dict[str, m.Intent]:
        return {i.id: i for i in self.intents}

    @cached_property
    def team(self) -> dict[str, m.Team]:
        return {t.id: t for t in self.teams}

    @cached_property
    def opportunity(self) -> dict[str, m.Opportunity]:
        return {o.id: o for o in self.opportunities}

    @cached_property
    def actor(self) -> dict[str, m.Actor]:
        return {a.id: a for a in self.actors}

    @cached_property
    def system(self) -> dict[str, m.System]:
        return {s.id: s for s in self.systems}

    @property
    def state(self) -> str:
        """`current` (as-is) or `future` (to-be)."""
        return (self.journey.state if self.journey is not None else None) or "current"

    def emotion_of(self, tp: m.Touchpoint, persona: str) -> tuple[float | None, str | None]:
        """How the touchpoint feels to one persona: its `emotion for` that persona, else
        the touchpoint's own emotion (value and word)."""
        for pv in tp.emotion_for:
            if pv.persona.id == persona:
                return pv.value, pv.feeling
        return tp.emotion, tp.feeling

    def rating_of(self, tp: m.Touchpoint, persona: str) -> float | None:
        """The touchpoint's rating for one persona (`rating for`, else its own)."""
        for pv in tp.rating_for:
            if pv.persona.id == persona:
                return pv.value
        return tp.rating

    @cached_property
    def _pains_by_place(self) -> dict[str, tuple[m.Pain, ...]]:
        index: dict[str, list[m.Pain]] = {}
        for p in self.pains:
            if p.at is not None:
                index.setdefault(p.at.id, []).append(p)
        return {k: tuple(v) for k, v in index.items()}

    def pains_at(self, place_id: str) -> tuple[m.Pain, ...]:
        """The pain points anchored at a touchpoint or stage (an index, not a scan)."""
        return self._pains_by_place.get(place_id, ())

    def opportunities_of(self, pain: m.Pain) -> tuple[m.Opportunity, ...]:
        """Nested opportunities, then referenced ones, in the order written."""
        refs = tuple(self.opportunity[r.id] for r in pain.opportunity_refs if r.id in self.opportunity)
        return pain.opportunities + refs

    def personas_of(self, tp: m.Touchpoint) -> tuple[m.Persona, ...]:
        """The touchpoint's personas; a touchpoint that names none applies to all."""
        if not tp.personas:
            return self.personas
        return tuple(self.persona[r.id] for r in tp.personas if r.id in self.persona)

    def channel_of(self, tp: m.Touchpoint) -> m.Channel | None:
        """The touchpoint's channel (None when it names none)."""
        return self.channel.get(tp.channel.id) if tp.channel is not None else None

    def team_of(self, ref: m.Ref | None) -> m.Team | None:
        """The team an ``owner`` names (None when there is no owner)."""
        return self.team.get(ref.id) if ref is not None else None

    def next_of(self, tp: m.Touchpoint) -> tuple[str, ...]:
        """The ids of the touchpoints ``next`` leads to, each once, in the order written."""
        return tuple(dict.fromkeys(r.id for r in tp.next))

    def flow_label(self, tp: m.Touchpoint, target: str) -> str | None:
        """The label of the flow from ``tp`` to ``target`` (`next b "if approved"`): the
        first written, when the flow is written more than once; None when it has none."""
        return next((r.label for r in tp.next if r.id == target and r.label is not None), None)

    def untracked(self, tp: m.Touchpoint) -> str | None:
        """Why the touchpoint fires no event by design (its own `untracked`, else its
        channel's; "" when no reason is given), or None when it can be tracked."""
        if tp.untracked is not None:
            return tp.untracked
        channel = self.channel_of(tp)
        return channel.untracked if channel is not None else None

    def is_online(self, tp: m.Touchpoint) -> bool | None:
        """Whether the touchpoint's channel is online (None when unknown)."""
        channel = self.channel_of(tp)
        return channel_is_online(channel) if channel is not None else None


def channel_is_online(channel: m.Channel) -> bool | None:
    if channel.mode is not None:
        return channel.mode == "online"
    if channel.kind is not None:
        return channel.kind not in v.OFFLINE_KINDS
    return None


def anchored(pain: m.Pain, place_id: str) -> m.Pain:
    """A nested pain point with ``at`` pointing at its container."""
    return replace(pain, at=m.Ref(place_id, span=pain.span))
