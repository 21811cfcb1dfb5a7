"""The typed model of a `.journey` file.

Nodes are frozen dataclasses. Every node carries its source :class:`~cjdsl.core.span.Span`
and a map of attribute spans (``spans["channel"]``, ``spans["id"]``, ``spans["end"]``
for the closing brace) in fields that equality ignores: two models are equal when they
mean the same, wherever and however they were written.

This is the *parsed* model of one file. :mod:`cjdsl.project.resolve` merges a file with its
includes into a :class:`~cjdsl.project.resolve.ResolvedJourney` with references checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .span import NO_SPAN, Span

_EMPTY: Mapping[str, Span] = MappingProxyType({})


def _span() -> Span:
    return field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


def _spans() -> Mapping[str, Span]:
    return field(default_factory=lambda: _EMPTY, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class Ref:
    """A reference to a declared id (a persona, a touchpoint, a team, a rule ...)."""

    id: str
    #: A flow's label (`next approve "if approved"`); None on every other reference.
    label: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class Allow:
    """``allow RULE, ... [for ID, ...] ["reason"]``: silences those rules for the block
    it is written in and everything inside it."""

    rules: tuple[Ref, ...]
    #: Why the finding is accepted; asked for by CJ251 when it is missing.
    reason: str | None = None
    #: ``for ID, ...``: only the findings about these ids (a persona, for CJ212).
    only: tuple[Ref, ...] = ()
    span: Span = _span()


@dataclass(frozen=True)
class Include:
    path: str
    span: Span = _span()


@dataclass(frozen=True)
class Journey:
    id: str
    label: str | None = None
    version: str | None = None
    owner: Ref | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    #: `current` (as-is, the default) or `future` (to-be).
    state: str | None = None
    #: The journey a future journey redesigns.
    variant_of: Ref | None = None
    #: The larger journey this one is a step of (levels: lifecycle → journey → sub-journey).
    part_of: Ref | None = None
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Persona:
    id: str
    label: str | None = None
    role: str | None = None
    industry: str | None = None
    age: float | None = None
    gender: str | None = None
    location: str | None = None
    goals: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    description: str | None = None
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Intent:
    id: str
    label: str | None = None
    description: str | None = None
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Channel:
    """Where touchpoints happen. ``mode`` is online/offline, ``kind`` a word such as web."""

    id: str
    label: str | None = None
    mode: str | None = None
    kind: str | None = None
    description: str | None = None
    allow: tuple[Allow, ...] = ()
    #: `untracked "why"`: no touchpoint of the channel can be instrumented ("" without a reason).
    untracked: str | None = None
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Team:
    id: str
    label: str | None = None
    description: str | None = None
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Actor:
    """A person or role on the company's side (or, with ``partner``, outside it)."""

    id: str
    label: str | None = None
    team: Ref | None = None
    partner: bool = False
    description: str | None = None
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class System:
    """Software that supports a step (a CRM, core banking, a booking system)."""

    id: str
    label: str | None = None
    owner: Ref | None = None
    description: str | None = None
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


#: Seconds in each unit of time the language takes (a month is a twelfth of 365.25 days).
TIME_UNITS: Mapping[str, float] = MappingProxyType({"s": 1, "min": 60, "h": 3600, "d": 86400, "w": 604800, "mo": 2629800})


@dataclass(frozen=True)
class Time:
    """`18 min`, or a range `3..6 mo` (``high`` set)."""

    low: float
    unit: str
    high: float | None = None
    span: Span = _span()

    def seconds(self) -> tuple[float, float]:
        """The shortest and the longest it can take, in seconds (0, 0 for an unknown unit)."""
        factor = TIME_UNITS.get(self.unit, 0)
        return self.low * factor, (self.high if self.high is not None else self.low) * factor


@dataclass(frozen=True)
class Step:
    """A company step of a touchpoint, in a service blueprint's lane: ``frontstage`` (the
    customer sees it) or ``backstage`` (they do not)."""

    text: str
    lane: str = "backstage"
    actor: Ref | None = None
    owner: Ref | None = None
    duration: Time | None = None
    wait: Time | None = None
    support: tuple[Ref, ...] = ()
    description: str | None = None
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Quote:
    """What a customer said, in their words, and where it was heard."""

    text: str
    source: str | None = None
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class PersonaValue:
    """`emotion for ID -2 "word"` or `rating for ID 2`: one persona's own value."""

    persona: Ref
    value: float
    feeling: str | None = None
    span: Span = _span()


@dataclass(frozen=True)
class PropertyType:
    """``string``, ``integer``, ``number``, ``boolean``, ``datetime``,
    ``enum("a", "b")`` (``values``) or ``list(T)`` (``item``), as written."""

    name: str
    values: tuple[str, ...] = ()
    item: PropertyType | None = None
    args: int = 0  # how many arguments were written in parentheses
    span: Span = _span()

    def __str__(self) -> str:
        if self.name == "enum" or self.values:
            from .strings import quote

            return f"{self.name}({', '.join(quote(v) for v in self.values)})"
        if self.item is not None:
            return f"{self.name}({self.item})"
        return self.name


@dataclass(frozen=True)
class Property:
    name: str
    type: PropertyType
    required: bool = False
    description: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Event:
    name: str
    description: str | None = None
    properties: tuple[Property, ...] = ()
    #: `when PROPERTY "VALUE"`: at this touchpoint, the event has this property value
    #: (how captured events fired at several touchpoints are placed).
    when: tuple[str, str] | None = None
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Opportunity:
    id: str
    label: str | None = None
    impact: str | None = None
    effort: str | None = None
    owner: Ref | None = None
    status: str | None = None
    description: str | None = None
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Pain:
    id: str
    label: str | None = None
    at: Ref | None = None
    severity: str | None = None
    cause: str | None = None
    #: How the map knows this pain point: observed, reported or assumed.
    confidence: str | None = None
    description: str | None = None
    opportunities: tuple[Opportunity, ...] = ()
    opportunity_refs: tuple[Ref, ...] = ()
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Touchpoint:
    id: str
    label: str | None = None
    channel: Ref | None = None
    personas: tuple[Ref, ...] = ()
    intents: tuple[Ref, ...] = ()
    context: str | None = None
    need: str | None = None
    customer_action: str | None = None
    company_action: str | None = None
    emotion: float | None = None
    feeling: str | None = None
    rating: float | None = None
    owner: Ref | None = None
    entry: bool = False
    micro_conversion: bool = False
    micro_conversion_label: str | None = None
    next: tuple[Ref, ...] = ()
    events: tuple[Event, ...] = ()
    pains: tuple[Pain, ...] = ()
    description: str | None = None
    allow: tuple[Allow, ...] = ()
    #: `untracked "why"`: the touchpoint cannot be instrumented ("" without a reason).
    untracked: str | None = None
    #: What the customer sees, gets or keeps here (physical evidence, in a service blueprint).
    evidence: str | None = None
    #: Personas who feel it otherwise than ``emotion`` says, or rate it otherwise.
    emotion_for: tuple[PersonaValue, ...] = ()
    rating_for: tuple[PersonaValue, ...] = ()
    #: What the customer thinks here, one thought a line.
    thinking: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    #: How the map knows this: observed, reported or assumed.
    confidence: str | None = None
    moment_of_truth: bool = False
    moment_of_truth_label: str | None = None
    duration: Time | None = None
    wait: Time | None = None
    #: The sub-journey that zooms into this step.
    detail: Ref | None = None
    support: tuple[Ref, ...] = ()
    steps: tuple[Step, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Stage:
    id: str
    label: str | None = None
    phase: str | None = None
    description: str | None = None
    touchpoints: tuple[Touchpoint, ...] = ()
    pains: tuple[Pain, ...] = ()
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Kpi:
    id: str
    label: str | None = None
    target: str | None = None
    measures: tuple[Ref, ...] = ()
    funnel: tuple[Ref, ...] = ()
    #: How long after entering the funnel a later step still counts (30 days when unset).
    window: Time | None = None
    owner: Ref | None = None
    description: str | None = None
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


@dataclass(frozen=True)
class Metric:
    """A number measured outside event tracking (a survey, the call centre, finance)."""

    id: str
    label: str | None = None
    at: Ref | None = None
    value: float | None = None
    scale: tuple[float, float] | None = None
    target: str | None = None
    source: str | None = None
    owner: Ref | None = None
    description: str | None = None
    allow: tuple[Allow, ...] = ()
    span: Span = _span()
    spans: Mapping[str, Span] = _spans()


Declaration = Journey | Persona | Intent | Channel | Team | Actor | System | Stage | Pain | Opportunity | Kpi | Metric
Item = Include | Declaration


@dataclass(frozen=True)
class Document:
    """One parsed file: its includes and declarations in the order written."""

    path: str
    items: tuple[Item, ...] = ()
    span: Span = _span()

    @property
    def includes(self) -> tuple[Include, ...]:
        return tuple(i for i in self.items if isinstance(i, Include))

    @property
    def journeys(self) -> tuple[Journey, ...]:
        return tuple(i for i in self.items if isinstance(i, Journey))
