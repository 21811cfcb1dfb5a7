"""The ``html`` backend: a static documentation site of the journey maps.

Pure: resolved journeys (plus the diagnostics, and the paths, never the bytes, of the
diagrams and tracking plan files that the backends it links to made) go in, files come
out. Python prepares a sorted view model; the Jinja templates in ``cjdsl/templates/html``
only loop and branch (a team can override any of them with ``cjdsl build --templates
DIR``). Autoescape is on and undefined names are errors. User text reaches the page only
through the ``text`` filter, which escapes it, keeps paragraphs and line breaks, and
turns http(s) URLs into links: nothing a journey says is ever trusted as markup.

Each journey gets a page (the map: a column per touchpoint under its stage, the
practitioner's lanes as rows lined up under the touchpoints, from what the customer does
and thinks down to the service blueprint's backstage and systems), a page per persona,
and, for a future journey whose original is in the build, an as-is and to-be comparison
(:mod:`cjdsl.backends.html_compare`). Pages link the journeys a journey
names (`part_of`, `variant_of`, a touchpoint's `detail`) when the build makes their pages.
A journey whose diagrams the build drew also gets a viewer page (``ID.diagrams.html``):
each diagram as an image, zoomed and moved by ``assets/viewer.js``; the flow figure and
each stage's header link into it by anchor (``#d-journey``, ``#d-stage-ID``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..core import i18n, timing
from ..core import model as m
from ..core import vocabulary as v
from ..core.diagnostics import Diagnostic, Severity
from ..core.i18n import ENGLISH, N_, Translator
from ..core.measured import MeasuredJourney, indistinct
from ..core.resolved import ResolvedJourney, channel_is_online
from ..core.span import Span
from . import html_measured as measured
from .base import DIAGRAM, DIAGRAM_SOURCE, PLAN, Artifact, Backend, BuildContext, Product, findings_of, register
from .html_compare import compare_view
from .html_portfolio import PORTFOLIO_PAGE, persona_facts, portfolio_products, portfolio_view

_URL = re.compile(r"https?://[^\s<>\"'`]+")
_TRAILING = ".,;:!?)]}'\""

#: Emotion -2..+2: a word for each (so colour is never the only cue) and a CSS class.
#: In English: a page's words are the build's language's (:func:`cjdsl.core.i18n.emotion_words`).
EMOTION_WORDS = i18n.EMOTIONS
LEVEL_ORDER = {"high": 0, "medium": 1, "low": 2, None: 3}
EFFORT_ORDER = {"low": 0, "medium": 1, "high": 2, None: 3}
#: Persona lines on the emotion curve: a colour and a dash pattern and a marker each
#: (the marker's name is written in the legend, so no two personas share one).
PERSONA_STYLES = [
    ("#2563eb", "", "circle"),
    ("#c2410c", "6 4", "square"),
    ("#7c3aed", "2 3", "diamond"),
    ("#0f766e", "10 3 2 3", "triangle"),
    ("#be185d", "4 2", "ring"),
    ("#4d7c0f", "1 2", "cross"),
]
#: The map's grid in CSS pixels, the widths site.css gives its columns: the lane labels,
#: a touchpoint (narrower on a compact map) and a stage without touchpoints. The emotion
#: curve puts each point at the middle of its touchpoint's column by these numbers.
GRID = {"lane": 136, "column": 200, "compact": 136, "empty": 120}
#: A map with this many touchpoints or more is compact.
COMPACT_FROM = 41
#: Printed, the map keeps its grid and is zoomed out to fit the width of a landscape page
#: (A4 or Letter, about 990 CSS px), in steps of 5 % down to 20 %: a wide map prints
#: small (sharp in a PDF, or on A3), never cut.
PRINT_WIDTH = 990
#: How a map knows a fact: an icon whose fill shows the strength of the backing, a word,
#: and what the word means (for the legend). Colour only repeats it.
CONFIDENCE = {
    "observed": ("●", N_("seen in research or data")),
    "reported": ("◐", N_("customers or staff said so")),
    "assumed": ("○", N_("the team’s assumption, not yet checked")),
}


# -- text --------------------------------------------------------------------------------


def text_html(value: str | None) -> Any:
    """Plain text as HTML: escaped, paragraphs and line breaks kept, http(s) URLs linked."""
    from markupsafe import Markup, escape

    if not value:
        return Markup("")
    paragraphs = [p for p in re.split(r"\n\s*\n", value.strip()) if p.strip()]
    out = []
    for paragraph in paragraphs:
        lines = []
        for line in paragraph.split("\n"):
            pieces = []
            last = 0
            for match in _URL.finditer(line):
                url = match.group(0).rstrip(_TRAILING)
                end = match.start() + len(url)
                pieces.append(escape(line[last : match.start()]))
                pieces.append(Markup('<a href="{0}" rel="nofollow noopener">{0}</a>').format(url))
                last = end
            pieces.append(escape(line[last:]))
            lines.append(Markup("").join(pieces))
        out.append(Markup("<p>{}</p>").format(Markup("<br>").join(lines)))
    return Markup("").join(out)


def slug(text: str) -> str:
    """An anchor-safe form of free text (event names)."""
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return s or "x"


# -- view model --------------------------------------------------------------------------


@dataclass
class Link:
    anchor: str
    label: str
    page: str = ""  # another page, when the target is not on this one
    #: A flow's label (`next approve "if approved"`), shown beside the link.
    note: str | None = None
    #: What the events say of the flow (`cjdsl build --events`): its users and share.
    measured: str | None = None

    @property
    def href(self) -> str:
        return f"{self.page}#{self.anchor}"


@dataclass
class TouchpointView:
    id: str
    anchor: str
    label: str
    stage: str
    channel: str | None
    channel_id: str | None
    online: bool | None
    intents: list[str]
    personas: list[tuple[str, str]]  # (id, label)
    persona_ids: str  # space-separated, for the filter
    entry: bool
    micro: str | None
    emotion: int | None
    emotion_word: str
    feeling: str | None
    rating: int | None
    owner: str | None
    context: str | None
    need: str | None
    customer_action: str | None
    company_action: str | None
    #: What the customer sees, gets or keeps here (`evidence`).
    evidence: str | None
    description: str | None
    next: list[Link]
    events: list[dict[str, Any]]
    source: str | None
    #: Why it fires no event by design (`untracked`), or None; "" when no reason is given.
    untracked: str | None = None
    #: The journey and the touchpoint: the map renders the parts of a touchpoint that
    #: are the same on every page once per build, by this key ("" for never).
    key: str = ""
    #: Personas who feel or rate it otherwise (`emotion for`, `rating for`): label,
    #: emotion, its word, the feeling and the rating of each, in the personas' order.
    persona_values: list[dict[str, Any]] = field(default_factory=list)
    #: Research: what the customer thinks, what they said (text and source), and how
    #: the map knows all this (observed, reported, assumed).
    thinking: list[str] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    confidence: str | None = None
    #: The moment of truth's sentence ("" when it has none), or None when it is not one.
    moment: str | None = None
    #: The wait before it and its duration, as written (`3–6 d`, `18 min`).
    wait: str | None = None
    duration: str | None = None
    #: The service blueprint: the company's steps in sight of the customer and out of
    #: it, and the systems behind the touchpoint and its steps.
    frontstage: list[dict[str, Any]] = field(default_factory=list)
    backstage: list[dict[str, Any]] = field(default_factory=list)
    systems: list[dict[str, Any]] = field(default_factory=list)
    #: The sub-journey that zooms into it: its page (None when not in this build).
    detail: dict[str, Any] | None = None
    #: What the events say of it (`cjdsl build --events`): users, share, flows out.
    reach: dict[str, Any] | None = None


@dataclass
class ColumnView:
    """A touchpoint's column of the map: its card on top, and below it, in the same
    column, what the lanes have for it (the lanes read the rest from ``tp``)."""

    tp: TouchpointView
    pains: list[dict[str, Any]] = field(default_factory=list)
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class StageView:
    id: str
    anchor: str
    label: str
    phase: str | None
    description: str | None
    touchpoints: list[TouchpointView]
    #: Every pain point of the stage (at the stage or at one of its touchpoints), and the
    #: opportunities the map shows in the stage, each once.
    pains: list[dict[str, Any]]
    opportunities: list[dict[str, Any]]
    source: str | None
    #: The customer's time in the stage: the waits and durations of its touchpoints.
    time: str = ""
    #: The metrics measured at the stage or at its touchpoints.
    metrics: list[dict[str, Any]] = field(default_factory=list)
    #: One column per touchpoint shown, in order.
    columns: list[ColumnView] = field(default_factory=list)
    #: What concerns the stage as a whole: on the map it spans the stage's columns.
    stage_pains: list[dict[str, Any]] = field(default_factory=list)
    stage_opportunities: list[dict[str, Any]] = field(default_factory=list)
    stage_metrics: list[dict[str, Any]] = field(default_factory=list)
    #: The stage's own flow diagram (the SVG the build wrote), or None; and the link to it
    #: in the journey's diagram viewer (relative to the journey's page).
    diagram: str | None = None
    flow: str | None = None

    @property
    def span(self) -> int:
        """The map's columns the stage takes: one per touchpoint, one when it has none."""
        return max(1, len(self.columns))


@dataclass
class JourneyView:
    id: str
    title: str
    version: str | None
    owner: str | None
    description: str | None
    tags: list[str]
    path: str
    stages: list[StageView]
    personas: list[dict[str, Any]]
    channels: list[tuple[str, str]]
    kpis: list[dict[str, Any]]
    curve: dict[str, Any]
    findings: list[dict[str, Any]]
    warnings: int
    infos: int
    #: Findings an `allow` silenced, each with its `reason`: shown as accepted, never hidden.
    suppressed: list[dict[str, Any]]
    diagram: str | None  # relative path of the SVG, when there is one
    diagram_dot: str | None
    touchpoint_count: int
    #: The service blueprint's SVG, for journeys that have one (and the whole map only).
    blueprint: str | None
    source: str | None
    persona_pages: dict[str, str] = field(default_factory=dict)
    tracking: list[dict[str, Any]] = field(default_factory=list)
    tracking_files: list[tuple[str, str]] = field(default_factory=list)
    #: The lanes of the map some touchpoint has something for (a lane with nothing in
    #: it is left out): thinking, quotes, metrics, frontstage, backstage, support.
    lanes: dict[str, bool] = field(default_factory=dict)
    #: Whether the map marks any confidence (the legend is shown then).
    confidence: bool = False
    #: The customer's time over the whole map (touchpoints shown), "" when none is given.
    time: str = ""
    #: "as-is" or "to-be" when the journey says so or has a variant; None otherwise.
    state: str | None = None
    #: Levels and variants: links to other journeys' pages in the build (href, label).
    parent: dict[str, Any] | None = None
    children: list[dict[str, Any]] = field(default_factory=list)
    variant_of: dict[str, Any] | None = None
    variants: list[dict[str, Any]] = field(default_factory=list)
    #: The as-is/to-be comparison page of a future journey, when the build makes one.
    compare_page: str | None = None
    #: Who is involved: actors (with team or partner) and systems (with owner).
    actors: list[dict[str, Any]] = field(default_factory=list)
    systems: list[dict[str, Any]] = field(default_factory=list)
    #: Metrics that name no place on the map (or one it does not have).
    metrics: list[dict[str, Any]] = field(default_factory=list)
    #: Compact map (more than ``COMPACT_FROM - 1`` touchpoints): narrower columns, texts
    #: clamped to a few lines (whole on hover and focus, and in the card's details).
    compact: bool = False
    #: The map's grid: column widths in CSS pixels (as site.css sets them) and the number
    #: of columns (a touchpoint each, one for a stage without any).
    grid: dict[str, int] = field(default_factory=dict)
    #: The stage diagrams the build wrote (the page lists them when the whole flow
    #: diagram is too large to draw): (label, link in the viewer).
    stage_diagrams: list[tuple[str, str]] = field(default_factory=list)
    #: The journey's diagram viewer page (relative to its page), when the build drew some
    #: diagram of it, and the diagrams it shows (:func:`diagram_views`).
    viewer: str | None = None
    diagrams: list[dict[str, str]] = field(default_factory=list)
    #: What the events say of the journey (`cjdsl build --events`), or None.
    measured: dict[str, Any] | None = None


def _source(url: str | None, span: Span) -> str | None:
    if not url:
        return None
    return source_link(url, span.path, span.line)


def source_link(url: str, path: str, line: int) -> str | None:
    """``source_url`` with its placeholders ``{path}`` and ``{line}`` replaced, by plain
    text replacement (never ``str.format``: a settings file from a pull request could
    otherwise ask for padding, ``{line:>30000000}``, or attributes, ``{path.__class__}``).
    The path is percent-encoded; the result must be an http(s) URL."""
    from urllib.parse import quote

    if not url.startswith(("https://", "http://")):
        return None
    return url.replace("{path}", quote(path, safe="/")).replace("{line}", str(int(line)))


def _team(j: ResolvedJourney, ref: m.Ref | None) -> str | None:
    if ref is None:
        return None
    team = j.team_of(ref)
    return (team.label or team.id) if team else ref.id


def _tp_link(j: ResolvedJourney, tp_id: str, shown: set[str] | None) -> Link:
    """A link to a touchpoint: on this page, or on the journey's full map when this page
    (a persona's view) does not show it."""
    label = (j.touchpoint[tp_id].label or tp_id) if tp_id in j.touchpoint else tp_id
    page = "" if shown is None or tp_id in shown else f"{j.id}.html"
    return Link(f"tp-{tp_id}", label, page)


def _next_links(
    j: ResolvedJourney, tp: m.Touchpoint, shown: set[str] | None, mj: MeasuredJourney | None = None, tr: Translator = ENGLISH
) -> list[Link]:
    """A touchpoint's `next` links, each target once, in the order written, each with the
    first label written for it (and what the events say of it, when measured)."""
    out = []
    for i in j.next_of(tp):
        link = _tp_link(j, i, shown)
        link.note = j.flow_label(tp, i)
        link.measured = measured.next_note(mj, tp.id, i, tr) if mj is not None else None
        out.append(link)
    return out


@dataclass(frozen=True)
class Site:
    """The journeys of one build, for the links between their pages: levels (`part_of`,
    `detail`) and variants (`variant_of`). A journey named but not built gets no link."""

    titles: Mapping[str, str]
    #: A journey's id → the ids of the journeys that say they are `part_of` it.
    children: Mapping[str, tuple[str, ...]]
    #: A journey's id → the ids of the future journeys that are a `variant_of` it.
    variants: Mapping[str, tuple[str, ...]]
    #: A future journey's id → the id of the journey it redesigns (both in the build).
    compared: Mapping[str, str]

    @staticmethod
    def of(journeys: Sequence[ResolvedJourney]) -> Site:
        titles = {j.id: j.title for j in journeys if j.journey is not None}
        children: dict[str, list[str]] = {}
        variants: dict[str, list[str]] = {}
        compared: dict[str, str] = {}
        for j in journeys:
            if j.journey is None:
                continue
            parent = j.journey.part_of
            if parent is not None and parent.id in titles and parent.id != j.id:
                children.setdefault(parent.id, []).append(j.id)
            base = j.journey.variant_of
            if base is not None and base.id in titles and base.id != j.id and j.state == "future":
                variants.setdefault(base.id, []).append(j.id)
                compared[j.id] = base.id
        return Site(
            titles,
            {k: tuple(v) for k, v in children.items()},
            {k: tuple(v) for k, v in variants.items()},
            compared,
        )

    def link(self, journey: str) -> dict[str, Any] | None:
        """A link to a journey's page from another journey's page (None: not built)."""
        if journey not in self.titles:
            return None
        return {"id": journey, "href": f"{journey}.html", "label": self.titles[journey]}


def compare_path(journey: str) -> str:
    """Where the build writes a future journey's comparison with the one it redesigns."""
    return f"journeys/{journey}.compare.html"


def _persona_label(j: ResolvedJourney, persona: str) -> str:
    p = j.persona.get(persona)
    return (p.label or p.id) if p is not None else persona


def _persona_values(j: ResolvedJourney, tp: m.Touchpoint) -> list[dict[str, Any]]:
    """The personas a touchpoint feels or rates otherwise, each with its own values."""
    felt = {pv.persona.id for pv in tp.emotion_for}
    rated = {pv.persona.id for pv in tp.rating_for}
    order = {p.id: i for i, p in enumerate(j.personas)}
    out = []
    for pid in sorted(felt | rated, key=lambda x: (order.get(x, len(order)), x)):
        value, feeling = j.emotion_of(tp, pid) if pid in felt else (None, None)
        rating = j.rating_of(tp, pid) if pid in rated else None
        emotion = int(value) if value is not None else None
        out.append(
            {
                "id": pid,
                "label": _persona_label(j, pid),
                "emotion": emotion,
                "emotion_word": EMOTION_WORDS.get(emotion, "not rated") if emotion is not None else "not rated",
                "feeling": feeling,
                "rating": int(rating) if rating is not None else None,
            }
        )
    return out


def _system(j: ResolvedJourney, ref: m.Ref) -> dict[str, Any]:
    system = j.system.get(ref.id)
    if system is None:
        return {"id": ref.id, "label": ref.id, "owner": None}
    return {"id": system.id, "label": system.label or system.id, "owner": _team(j, system.owner)}


def _step(j: ResolvedJourney, st: m.Step) -> dict[str, Any]:
    """A frontstage or backstage step: what is done, by whom, owned by which team, how
    long it takes and with which systems."""
    actor = j.actor.get(st.actor.id) if st.actor is not None else None
    return {
        "text": st.text,
        "actor": (actor.label or actor.id) if actor is not None else (st.actor.id if st.actor is not None else None),
        "partner": bool(actor is not None and actor.partner),
        "team": _team(j, actor.team) if actor is not None else None,
        "owner": _team(j, st.owner),
        "wait": timing.written(st.wait) if st.wait is not None else None,
        "duration": timing.written(st.duration) if st.duration is not None else None,
        "systems": [_system(j, r)["label"] for r in st.support],
        "description": st.description,
    }


def _systems_of(j: ResolvedJourney, tp: m.Touchpoint) -> list[dict[str, Any]]:
    """The systems behind a touchpoint and its steps, each once, in the order written."""
    refs = {r.id: r for r in (*tp.support, *(r for st in tp.steps for r in st.support))}
    return [_system(j, r) for r in refs.values()]


def _number(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


_TARGET = re.compile(r"^\s*(>=|=>|≥|<=|=<|≤|==|=|>|<)?\s*(-?\d+(?:\.\d+)?)\s*%?\s*$")


def target_status(value: float | None, target: str | None) -> tuple[str | None, bool | None]:
    """A metric's value against its target (`>= 4.3`, `< 2`, `4.3`), in words, and
    whether it misses it: ("below target", True), ("meets target", False); a bare number
    says only where the value lies ("above target", None); (None, None) when it cannot
    be told (no value, or a target that is not a comparison with a number)."""
    match = _TARGET.match(target or "")
    if value is None or match is None:
        return None, None
    op, goal = match.group(1), float(match.group(2))
    where = N_("below target") if value < goal else (N_("above target") if value > goal else N_("on target"))
    if op is None:
        return where, None
    met = {
        ">=": value >= goal,
        "=>": value >= goal,
        "≥": value >= goal,
        ">": value > goal,
        "<=": value <= goal,
        "=<": value <= goal,
        "≤": value <= goal,
        "<": value < goal,
    }.get(op, value == goal)
    return (N_("meets target"), False) if met else (where if where != "on target" else N_("misses target"), True)


def _metric(j: ResolvedJourney, mt: m.Metric, url: str | None, tr: Translator = ENGLISH) -> dict[str, Any]:
    status, missed = target_status(mt.value, mt.target)
    at = None
    if mt.at is not None and mt.at.id in j.touchpoint:
        at = Link(f"tp-{mt.at.id}", j.touchpoint[mt.at.id].label or mt.at.id)
    return {
        "id": mt.id,
        "anchor": f"metric-{mt.id}",
        "label": mt.label or mt.id,
        "value": tr.number(mt.value) if mt.value is not None else None,
        "scale": f"{tr.number(mt.scale[0])}–{tr.number(mt.scale[1])}" if mt.scale is not None else None,
        "target": mt.target,
        "status": status,
        "missed": missed,
        "measured": mt.source,
        "owner": _team(j, mt.owner),
        "description": mt.description,
        "at": at,
        "tp": mt.at.id if at is not None and mt.at is not None else None,
        "source": _source(url, mt.span),
    }


def _touchpoint(
    j: ResolvedJourney,
    stage: m.Stage,
    tp: m.Touchpoint,
    url: str | None,
    shown: set[str] | None = None,
    site: Site | None = None,
    tr: Translator = ENGLISH,
    mj: MeasuredJourney | None = None,
    blurred: Mapping[str, tuple[str, ...]] | None = None,
) -> TouchpointView:
    links = _next_links(j, tp, shown, mj, tr)
    channel = j.channel_of(tp)
    personas = j.personas_of(tp)
    emotion = int(tp.emotion) if tp.emotion is not None else None
    events = [
        {
            "name": e.name,
            "anchor": f"event-{tp.id}-{slug(e.name)}",
            "description": e.description,
            "properties": [
                {"name": p.name, "type": str(p.type), "required": p.required, "description": p.description} for p in e.properties
            ],
        }
        for e in tp.events
    ]
    return TouchpointView(
        id=tp.id,
        anchor=f"tp-{tp.id}",
        label=tp.label or tp.id,
        stage=stage.id,
        channel=(channel.label or channel.id) if channel else (tp.channel.id if tp.channel else None),
        channel_id=tp.channel.id if tp.channel else None,
        online=channel_is_online(channel) if channel else None,
        intents=[(j.intent[r.id].label or r.id) if r.id in j.intent else r.id for r in tp.intents],
        personas=[(p.id, p.label or p.id) for p in personas],
        persona_ids=" ".join(p.id for p in personas),
        entry=tp.entry,
        micro=(tp.micro_conversion_label or tr.gettext("micro-conversion")) if tp.micro_conversion else None,
        emotion=emotion,
        emotion_word=EMOTION_WORDS.get(emotion, "not rated") if emotion is not None else "not rated",
        feeling=tp.feeling,
        rating=int(tp.rating) if tp.rating is not None else None,
        owner=_team(j, tp.owner),
        context=tp.context,
        need=tp.need,
        customer_action=tp.customer_action,
        company_action=tp.company_action,
        evidence=tp.evidence,
        description=tp.description,
        next=links,
        events=events,
        source=_source(url, tp.span),
        untracked=j.untracked(tp),
        key=f"{j.id}\x00{tp.id}",
        persona_values=_persona_values(j, tp),
        thinking=list(tp.thinking),
        quotes=[{"text": q.text, "source": q.source} for q in tp.quotes],
        confidence=tp.confidence,
        moment=(tp.moment_of_truth_label or "") if tp.moment_of_truth else None,
        wait=timing.written(tp.wait) if tp.wait is not None else None,
        duration=timing.written(tp.duration) if tp.duration is not None else None,
        frontstage=[_step(j, st) for st in tp.steps if st.lane == "frontstage"],
        backstage=[_step(j, st) for st in tp.steps if st.lane != "frontstage"],
        systems=_systems_of(j, tp),
        detail=_detail(tp.detail, site),
        reach=measured.reach(j, mj, tp.id, tr, (blurred or {}).get(tp.id, ())) if mj is not None else None,
    )


def _detail(ref: m.Ref | None, site: Site | None) -> dict[str, Any] | None:
    """Another journey a journey or touchpoint names (`detail`, `part_of`, `variant_of`):
    a link to its page when the build makes one, else its id and no link."""
    if ref is None:
        return None
    link = site.link(ref.id) if site is not None else None
    return link or {"id": ref.id, "href": None, "label": ref.id}


def _persona_touchpoint(
    j: ResolvedJourney, tp: m.Touchpoint, whole: TouchpointView, shown: set[str], persona: str
) -> TouchpointView:
    """A touchpoint on a persona's page: the whole map's view of it, with links to the
    touchpoints the page does not show sent to the whole map, and the persona's own
    emotion and rating where the touchpoint gives some personas their own."""
    changes: dict[str, Any] = {}
    links = _next_links(j, tp, shown)
    for link, made in zip(links, whole.next, strict=True):  # the same flows, in the same order
        link.measured = made.measured
    if links != whole.next:
        changes["next"] = links
    if whole.persona_values:
        value, feeling = j.emotion_of(tp, persona)
        rating = j.rating_of(tp, persona)
        emotion = int(value) if value is not None else None
        changes.update(
            emotion=emotion,
            emotion_word=EMOTION_WORDS.get(emotion, "not rated") if emotion is not None else "not rated",
            feeling=feeling,
            rating=int(rating) if rating is not None else None,
            persona_values=[],
            key=f"{whole.key}\x00{persona}" if whole.key else "",
        )
    return replace(whole, **changes) if changes else whole


def _pain_order(p: m.Pain) -> tuple[int, str]:
    """Pain points by severity, the most severe first, then by id."""
    return (-v.SEVERITIES.index(p.severity) if p.severity in v.SEVERITIES else 1, p.id)


def _pain(j: ResolvedJourney, p: m.Pain, url: str | None) -> dict[str, Any]:
    at = p.at.id if p.at is not None and p.at.id in j.touchpoint else None
    return {
        "id": p.id,
        "anchor": f"pain-{p.id}",
        "label": p.label or p.id,
        "severity": p.severity,
        "cause": p.cause,
        "description": p.description,
        "source": _source(url, p.span),
        "at": Link(f"tp-{at}", j.touchpoint[at].label or at) if at is not None else None,
        #: The touchpoint whose column it is in, None for a pain point of the whole stage.
        "tp": at,
        "confidence": p.confidence,
        "order": _pain_order(p),
    }


def _opportunity(j: ResolvedJourney, o: m.Opportunity, pains: Sequence[m.Pain], url: str | None) -> dict[str, Any]:
    """An opportunity and the pain points on the map it answers (the first one first)."""
    return {
        "id": o.id,
        "anchor": f"opp-{o.id}",
        "label": o.label or o.id,
        "impact": o.impact,
        "effort": o.effort,
        "owner": _team(j, o.owner),
        "status": (o.status or "").replace("_", " ") or None,
        "description": o.description,
        "pain": Link(f"pain-{pains[0].id}", pains[0].label or pains[0].id),
        "pains": [Link(f"pain-{p.id}", p.label or p.id) for p in pains],
        "source": _source(url, o.span),
        "order": (LEVEL_ORDER.get(o.impact, 3), EFFORT_ORDER.get(o.effort, 3), o.id),
    }


def _clip(text: str, width: float, size: float = 11) -> str:
    """Text cut to about ``width`` pixels of a ``size`` px sans-serif font, with "…"."""
    most = max(4, int(width / (size * 0.6)))
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _curve(
    j: ResolvedJourney, stages: Sequence[StageView], grid: Mapping[str, int], persona: str | None, tr: Translator = ENGLISH
) -> dict[str, Any]:
    """The emotion curve under the map's columns: one line per persona (one for all the
    touchpoints when the journey names no persona) with a point in the middle of the
    column of each touchpoint the persona has and feels something at, labelled with the
    feeling (the number when there is none), and the same as a table.

    Columns are ``grid["column"]`` px wide (``grid["empty"]`` for a stage without
    touchpoints), as the map draws them. The personas' markers sit a few pixels apart,
    and under a touchpoint the highest point's label is above it, the others' below, so
    that no label hides another persona's point."""
    column, empty = grid["column"], grid["empty"]
    xs: dict[str, float] = {}
    offset = 0
    for stage in stages:
        if not stage.touchpoints:
            offset += empty
        for view in stage.touchpoints:
            xs[view.id] = offset + column / 2
            offset += column
    personas: list[m.Persona | None] = [p for p in j.personas if persona is None or p.id == persona] or [None]
    n = len(personas)
    step = 32  # px per emotion step
    top = 30  # room for a label above the +2 line (and for the lane's name)
    bottom = 23 + 12 * (n - 2) if n > 1 else 12  # and for the labels below the -2 line
    height = top + 4 * step + bottom
    # Each persona keeps the style of its line on the whole map on its own page too.
    style = {p.id: k for k, p in enumerate(j.personas)}
    shown = [j.touchpoint[t.id] for st in stages for t in st.touchpoints]
    lines: list[dict[str, Any]] = []
    cells: dict[str, list[str]] = {}
    for k, p in enumerate(personas):
        colour, dash, marker = PERSONA_STYLES[style.get(p.id, 0) % len(PERSONA_STYLES) if p is not None else 0]
        dx = round((k - (n - 1) / 2) * 6, 1)
        points: list[dict[str, Any]] = []
        for tp in shown:
            if p is not None and not any(q.id == p.id for q in j.personas_of(tp)):
                cells.setdefault(tp.id, []).append("—")
                continue
            value, feeling = j.emotion_of(tp, p.id) if p is not None else (tp.emotion, tp.feeling)
            if value is None:
                cells.setdefault(tp.id, []).append(tr.gettext("not rated"))
                continue
            e = int(value)
            signed = f"{e:+d}" if e else "0"
            y = top + (2 - e) * step
            cells.setdefault(tp.id, []).append(f"{signed} {tr.gettext(EMOTION_WORDS[e])}" + (f" “{feeling}”" if feeling else ""))
            points.append(
                {
                    "x": round(xs[tp.id] + dx, 1),
                    "mid": xs[tp.id],
                    "y": y,
                    "tp": tp.id,
                    "label": tp.label or tp.id,
                    "emotion": signed,
                    "word": tr.gettext(EMOTION_WORDS[e]),
                    "feeling": feeling,
                    "text": _clip(feeling or signed, column - 12),
                    "ty": y - 9,
                }
            )
        lines.append(
            {
                "persona": p.id if p else "",
                "label": (p.label or p.id) if p else tr.gettext("All touchpoints"),
                "colour": colour,
                "dash": dash,
                "marker": marker,
                "points": points,
                "path": " ".join(f"{pt['x']},{pt['y']}" for pt in points),
            }
        )
    # Under a touchpoint, the highest point has its label above it, the others below it
    # (one under the other), so that no label sits on another persona's point.
    column_points: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        for pt in line["points"]:
            column_points.setdefault(pt["tp"], []).append(pt)
    for here in column_points.values():
        for i, pt in enumerate(sorted(here, key=lambda q: q["y"])):  # stable: the personas' order among equals
            pt["ty"] = pt["y"] - 9 if i == 0 else pt["y"] + 17 + 12 * (i - 1)
    grid_lines = [
        {"y": top + (2 - e) * step, "label": f"{e:+d}" if e else "0", "word": tr.gettext(EMOTION_WORDS[e])}
        for e in range(2, -3, -1)
    ]
    views = {t.id: (t, st) for st in stages for t in st.touchpoints}
    rows = [
        {
            "tp": tp.id,
            "label": views[tp.id][0].label,
            "stage": views[tp.id][1].label,
            "persona_ids": views[tp.id][0].persona_ids,
            "channel_id": views[tp.id][0].channel_id,
            "cells": cells.get(tp.id, []),
        }
        for tp in shown
    ]
    return {
        "width": max(1, offset),
        "height": height,
        "lines": lines,
        "grid": grid_lines,
        "rows": rows,
    }


def _involved(j: ResolvedJourney) -> tuple[list[m.Actor], list[m.System]]:
    """The actors and systems a journey's page lists: those its steps and touchpoints
    name, and those its own file declares (not every one of a shared file it includes)."""
    actors = {st.actor.id for tp in j.touchpoints for st in tp.steps if st.actor is not None}
    systems = {r.id for tp in j.touchpoints for r in (*tp.support, *(r for st in tp.steps for r in st.support))}
    return (
        [a for a in j.actors if a.id in actors or a.span.path == j.path],
        [sy for sy in j.systems if sy.id in systems or sy.span.path == j.path],
    )


def _element_index(j: ResolvedJourney, tr: Translator = ENGLISH) -> list[tuple[Span, str, str]]:
    """Every element with an anchor, to link findings to the element they concern."""
    out: list[tuple[Span, str, str]] = []
    for p in j.personas:
        out.append((p.span, f"persona-{p.id}", tr.gettext("persona %(id)s", id=p.id)))
    for s in j.stages:
        out.append((s.span, f"stage-{s.id}", tr.gettext("stage %(id)s", id=s.id)))
        for tp in s.touchpoints:
            out.append((tp.span, f"tp-{tp.id}", tr.gettext("touchpoint %(id)s", id=tp.id)))
            for e in tp.events:
                out.append((e.span, f"event-{tp.id}-{slug(e.name)}", tr.gettext('event "%(name)s"', name=e.name)))
    for pain in j.pains:
        out.append((pain.span, f"pain-{pain.id}", tr.gettext("pain point %(id)s", id=pain.id)))
    for o in j.opportunities:
        out.append((o.span, f"opp-{o.id}", tr.gettext("opportunity %(id)s", id=o.id)))
    for k in j.kpis:
        out.append((k.span, f"kpi-{k.id}", tr.gettext("KPI %(id)s", id=k.id)))
    for mt in j.metrics:
        out.append((mt.span, f"metric-{mt.id}", tr.gettext("metric %(id)s", id=mt.id)))
    actors, systems = _involved(j)
    for a in actors:
        out.append((a.span, f"actor-{a.id}", tr.gettext("actor %(id)s", id=a.id)))
    for sy in systems:
        out.append((sy.span, f"system-{sy.id}", tr.gettext("system %(id)s", id=sy.id)))
    if j.journey is not None:
        out.append((j.journey.span, "top", tr.gettext("journey %(id)s", id=j.id)))
    return out


def _innermost(index: list[tuple[Span, str, str]], spans: Sequence[Span]) -> list[tuple[Span, str, str] | None]:
    """For each span, the smallest element of ``index`` that holds it (the first one
    listed among equals), or None. Elements are sorted by start once; each span then
    looks back from its own start only as far as an element could still hold it and be
    small enough to win, instead of at every element."""
    by_path: dict[str, list[tuple[int, int, int]]] = {}  # path -> (start, end, position in index)
    for i, (span, _, _) in enumerate(index):
        by_path.setdefault(span.path, []).append((span.start, span.end, i))
    starts: dict[str, list[int]] = {}
    reach: dict[str, list[int]] = {}  # the furthest end among the elements up to here
    for path, entries in by_path.items():
        entries.sort()
        starts[path] = [start for start, _, _ in entries]
        furthest, ends = -1, []
        for _, end, _ in entries:
            furthest = max(furthest, end)
            ends.append(furthest)
        reach[path] = ends
    out: list[tuple[Span, str, str] | None] = []
    for sp in spans:
        entries = by_path.get(sp.path, [])
        best: tuple[int, int] | None = None  # (size, position in index)
        k = bisect_right(starts.get(sp.path, []), sp.start) - 1
        while k >= 0 and reach[sp.path][k] >= sp.end:
            start, end, i = entries[k]
            if best is not None and sp.end - start > best[0]:
                break  # everything further back is larger
            if end >= sp.end and (best is None or (end - start, i) < best):
                best = (end - start, i)
            k -= 1
        out.append(index[best[1]] if best is not None else None)
    return out


def _findings(
    j: ResolvedJourney, diagnostics: Sequence[Diagnostic], url: str | None, tr: Translator = ENGLISH
) -> list[dict[str, Any]]:
    files = set(j.files)
    shown = [d for d in diagnostics if d.span is not None and d.span.path in files]
    places = _innermost(_element_index(j, tr), [d.span for d in shown])  # type: ignore[misc]
    out = []
    for d, best in zip(shown, places, strict=True):
        assert d.span is not None
        out.append(
            {
                "severity": d.severity.value,
                "code": d.code,
                "name": d.name,
                "message": d.message,
                "help": d.help,
                "where": f"{d.span.path}:{d.span.line}",
                "anchor": best[1] if best else None,
                "element": best[2] if best else None,
                "source": _source(url, d.span),
                "reason": d.suppression.reason if d.suppression is not None else None,
                "allowed_at": f"{d.suppression.span.path}:{d.suppression.span.line}" if d.suppression is not None else None,
            }
        )
    return out


def journey_view(
    j: ResolvedJourney,
    ctx: BuildContext,
    persona: str | None = None,
    column: int | None = None,
    whole: JourneyView | None = None,
    site: Site | None = None,
) -> JourneyView:
    """The view of a journey's page, or of one persona's page. A persona's page reuses
    the touchpoint views of ``whole`` (the journey's own view) where it can. ``site``
    (the build's journeys, for links between pages) is made from ``ctx`` when not given.
    ``column`` overrides the width of a touchpoint's column the curve is drawn for (a
    template that changes the widths in CSS)."""
    url = ctx.config.source_url if ctx.config is not None else None
    tr = ctx.i18n if ctx is not None else ENGLISH
    mj = ctx.measured.get(j.id) if ctx is not None else None
    blurred = indistinct(j) if mj is not None else {}
    site = site if site is not None else Site.of(ctx.journeys or (j,))
    visible: set[str] | None = None
    if persona is not None:
        visible = {tp.id for tp in j.touchpoints if any(p.id == persona for p in j.personas_of(tp))}
    made = {t.id: t for s in whole.stages for t in s.touchpoints} if whole is not None else {}
    metrics_at: dict[str, list[m.Metric]] = {}
    loose: list[m.Metric] = []
    for mt in j.metrics:
        place = mt.at.id if mt.at is not None else None
        if place is not None and place in j.touchpoint:
            metrics_at.setdefault(j.stage_of[place].id, []).append(mt)
        elif place is not None and place in j.stage_index:
            metrics_at.setdefault(place, []).append(mt)
        else:
            loose.append(mt)
    # The diagrams the build drew, shown in the journey's viewer page (stages link theirs).
    diagrams = whole.diagrams if whole is not None else diagram_views(j, ctx, tr)
    viewer = viewer_page(j.id) if diagrams else None
    shown_diagrams = {d["anchor"] for d in diagrams}
    stages = []
    # Each opportunity is shown once, at the first of its pain points on the map (its
    # other pain points link to it): at that pain point's touchpoint, or across its stage.
    pains_on_map: list[m.Pain] = []
    placed: dict[str, tuple[str, str]] = {}  # opportunity id -> ("tp" or "stage", id)
    answers: dict[str, list[m.Pain]] = {}
    stage_of_tp: dict[str, list[TouchpointView]] = {}
    for s in j.stages:
        tps = []
        for tp in s.touchpoints:
            if visible is not None and tp.id not in visible:
                continue
            view = made.get(tp.id) or _touchpoint(j, s, tp, url, visible, site, tr, mj, blurred)
            tps.append(_persona_touchpoint(j, tp, view, visible, persona) if visible is not None and persona else view)
        stage_of_tp[s.id] = tps
        shown = {tp.id for tp in tps}
        here = sorted((pn for pn in j.pains if pn.at is not None and (pn.at.id == s.id or pn.at.id in shown)), key=_pain_order)
        for pain in here:
            pains_on_map.append(pain)
            at = pain.at.id if pain.at is not None and pain.at.id in j.touchpoint else None
            for o in j.opportunities_of(pain):
                answers.setdefault(o.id, []).append(pain)
                placed.setdefault(o.id, ("tp", at) if at is not None else ("stage", s.id))
    opportunities: dict[str, dict[str, Any]] = {}
    for pain in pains_on_map:
        for o in j.opportunities_of(pain):
            if o.id not in opportunities:
                opportunities[o.id] = _opportunity(j, o, answers[o.id], url)
    for s in j.stages:
        tps = stage_of_tp[s.id]
        shown = {tp.id for tp in tps}
        stage_anchor = f"d-stage-{s.id}"
        pain_views = [_pain(j, pn, url) for pn in pains_on_map if pn.at is not None and (pn.at.id == s.id or pn.at.id in shown)]
        places = {("stage", s.id)} | {("tp", t) for t in shown}
        opps = sorted((o for oid, o in opportunities.items() if placed[oid] in places), key=lambda o: o["order"])
        metrics = [
            _metric(j, mt, url, tr)
            for mt in metrics_at.get(s.id, [])
            if mt.at is None or mt.at.id not in j.touchpoint or mt.at.id in shown
        ]
        columns = [
            ColumnView(
                tp=t,
                pains=[p for p in pain_views if p["tp"] == t.id],
                opportunities=[o for o in opps if placed[o["id"]] == ("tp", t.id)],
                metrics=[mt for mt in metrics if mt["tp"] == t.id],
            )
            for t in tps
        ]
        stages.append(
            StageView(
                id=s.id,
                anchor=f"stage-{s.id}",
                label=s.label or s.id,
                phase=s.phase,
                description=s.description,
                touchpoints=tps,
                pains=pain_views,
                opportunities=opps,
                source=_source(url, s.span),
                time=timing.total(timing.touchpoint(j.touchpoint[t.id]) for t in tps).text(),
                metrics=metrics,
                columns=columns,
                stage_pains=[p for p in pain_views if p["tp"] is None],
                stage_opportunities=[o for o in opps if placed[o["id"]] == ("stage", s.id)],
                stage_metrics=[mt for mt in metrics if mt["tp"] is None],
                diagram=ctx.linked_path(DIAGRAM, j.id, f"stage:{s.id}"),
                flow=f"{viewer}#{stage_anchor}" if viewer and stage_anchor in shown_diagrams else None,
            )
        )
    warnings = findings_of(j, ctx.diagnostics)
    kpis = [
        {
            "id": k.id,
            "anchor": f"kpi-{k.id}",
            "label": k.label or k.id,
            "target": k.target,
            "owner": _team(j, k.owner),
            "description": k.description,
            "source": _source(url, k.span),
            "funnel": [_tp_link(j, r.id, visible) for r in k.funnel],
            "measures": [_tp_link(j, r.id, visible) for r in k.measures],
            "measured": measured.kpi(j, mj.kpis[k.id], tr) if mj is not None and k.id in mj.kpis else None,
        }
        for k in j.kpis
    ]
    personas = []
    for p in j.personas:
        if persona is not None and p.id != persona:
            continue
        personas.append(
            {
                **persona_facts(p),
                "id": p.id,
                "anchor": f"persona-{p.id}",
                "label": p.label or p.id,
                "source": _source(url, p.span),
            }
        )
    tp_views = [t for st in stages for t in st.touchpoints]
    compact = len(tp_views) >= COMPACT_FROM
    grid = {
        "lane": GRID["lane"],
        "column": column or GRID["compact" if compact else "column"],
        "empty": GRID["empty"],
        "columns": sum(st.span for st in stages),
    }
    curve = _curve(j, stages, grid, persona, tr)
    grid["print"] = max(20, min(100, int(PRINT_WIDTH / (grid["lane"] + curve["width"]) * 20) * 5))
    # A lane is shown when some column (or stage) has something for it.
    lanes = {
        "doing": any(t.customer_action for t in tp_views),
        "needs": any(t.need or t.context for t in tp_views),
        "thinking": any(t.thinking for t in tp_views),
        "quotes": any(t.quotes for t in tp_views),
        "curve": any(line["points"] for line in curve["lines"]),
        "pains": any(st.pains for st in stages),
        "stage_pains": any(st.stage_pains for st in stages),
        "opportunities": any(st.opportunities for st in stages),
        "stage_opportunities": any(st.stage_opportunities for st in stages),
        "company": any(t.company_action or t.owner for t in tp_views),
        "metrics": any(st.metrics for st in stages),
        "stage_metrics": any(st.stage_metrics for st in stages),
        "frontstage": any(t.frontstage for t in tp_views),
        "backstage": any(t.backstage for t in tp_views),
        "support": any(t.systems for t in tp_views),
        "time": any(t.wait or t.duration for t in tp_views),
        "measured": mj is not None,
    }
    lanes["said"] = lanes["thinking"] or lanes["quotes"]
    lanes["visibility"] = lanes["frontstage"] or lanes["backstage"]
    jm = j.journey
    parent = _detail(jm.part_of, site) if jm is not None else None
    variant_of = _detail(jm.variant_of, site) if jm is not None else None
    variants = [{**link, "compare": f"{v_id}.compare.html"} for v_id in site.variants.get(j.id, ()) if (link := site.link(v_id))]
    shown_state = (jm is not None and jm.state is not None) or bool(variants) or variant_of is not None
    return JourneyView(
        id=j.id,
        title=j.title,
        version=j.journey.version if j.journey else None,
        owner=_team(j, j.journey.owner) if j.journey else None,
        description=j.journey.description if j.journey else None,
        tags=list(j.journey.tags) if j.journey else [],
        path=j.path,
        stages=stages,
        personas=personas,
        channels=[
            (c.id, c.label or c.id) for c in j.channels if any(t.channel_id == c.id for s in stages for t in s.touchpoints)
        ],
        kpis=kpis,
        curve=curve,
        findings=_findings(j, ctx.diagnostics, url, tr) if persona is None else [],
        suppressed=_findings(j, ctx.suppressed, url, tr) if persona is None else [],
        warnings=sum(1 for d in warnings if d.severity is Severity.WARNING),
        infos=sum(1 for d in warnings if d.severity is Severity.INFO),
        diagram=ctx.linked_path(DIAGRAM, j.id, "journey", persona),
        diagram_dot=ctx.linked_path(DIAGRAM_SOURCE, j.id, "journey", persona),
        blueprint=ctx.linked_path(DIAGRAM, j.id, "blueprint") if persona is None else None,
        touchpoint_count=sum(len(s.touchpoints) for s in stages),
        source=_source(url, j.journey.span) if j.journey else None,
        persona_pages={p.id: f"{j.id}.persona-{p.id}.html" for p in j.personas},
        tracking=_tracking(j, tr) if persona is None else [],
        tracking_files=[(p.label, p.path) for p in ctx.linked_products(PLAN)] if persona is None else [],
        lanes=lanes,
        confidence=any(t.confidence for t in tp_views) or any(p["confidence"] for st in stages for p in st.pains),
        time=timing.total(timing.touchpoint(j.touchpoint[t.id]) for t in tp_views).text(),
        state=("to-be" if j.state == "future" else "as-is") if shown_state else None,
        parent=parent,
        children=[link for c in site.children.get(j.id, ()) if (link := site.link(c))],
        variant_of=variant_of,
        variants=variants,
        compare_page=f"{j.id}.compare.html" if j.id in site.compared else None,
        actors=[
            {
                "id": a.id,
                "anchor": f"actor-{a.id}",
                "label": a.label or a.id,
                "team": _team(j, a.team),
                "partner": a.partner,
                "description": a.description,
                "source": _source(url, a.span),
            }
            for a in _involved(j)[0]
        ]
        if persona is None
        else [],
        systems=[
            {
                "id": sy.id,
                "anchor": f"system-{sy.id}",
                "label": sy.label or sy.id,
                "owner": _team(j, sy.owner),
                "description": sy.description,
                "source": _source(url, sy.span),
            }
            for sy in _involved(j)[1]
        ]
        if persona is None
        else [],
        metrics=[_metric(j, mt, url, tr) for mt in loose] if persona is None else [],
        compact=compact,
        grid=grid,
        stage_diagrams=[(st.label, st.flow) for st in stages if st.flow],
        viewer=viewer,
        diagrams=diagrams if persona is None else [],
        measured=measured.journey(j, mj, tr, [(p.id, p.label or p.id) for p in j.personas]) if mj is not None else None,
    )


def diagram_views(j: ResolvedJourney, ctx: BuildContext, tr: Translator = ENGLISH) -> list[dict[str, str]]:
    """The journey's diagrams that the build drew, as its viewer page shows them: the
    flow diagram, the stage overview, each stage's, each persona's and the service
    blueprint, each with its anchor on the page (``d-journey``, ``d-stage-ID``, ...), a
    title, the image's alt text and its path. The page shows only these paths: a link
    names a diagram by its anchor, never by a path or URL."""
    title = j.title
    wanted: list[tuple[str, str | None, str, str, str]] = [
        (
            "journey",
            None,
            "d-journey",
            tr.gettext("Flow diagram"),
            tr.gettext("Flow diagram of %(title)s: the touchpoints of each stage and the paths between them", title=title),
        ),
        (
            "overview",
            None,
            "d-overview",
            tr.gettext("Stage overview"),
            tr.gettext("Stage overview of %(title)s: the stages in order and the number of paths between them", title=title),
        ),
    ]
    for s in j.stages:
        stage = s.label or s.id
        wanted.append(
            (
                f"stage:{s.id}",
                None,
                f"d-stage-{s.id}",
                tr.gettext("Stage: %(stage)s", stage=stage),
                tr.gettext("Flow diagram of the stage %(stage)s in %(title)s", stage=stage, title=title),
            )
        )
    for p in j.personas:
        who = p.label or p.id
        wanted.append(
            (
                "journey",
                p.id,
                f"d-persona-{p.id}",
                tr.gettext("Persona: %(persona)s", persona=who),
                tr.gettext("Flow diagram of %(persona)s's touchpoints in %(title)s", persona=who, title=title),
            )
        )
    blueprint = tr.gettext(
        "Service blueprint of %(title)s: for each touchpoint, the physical evidence, what the customer does, "
        "the company's frontstage and backstage steps and the systems that support them",
        title=title,
    )
    wanted.append(("blueprint", None, "d-blueprint", tr.gettext("Service blueprint"), blueprint))
    out = []
    for view, persona, anchor, name, alt in wanted:
        src = ctx.linked_path(DIAGRAM, j.id, view, persona)
        if src is not None:
            out.append({"anchor": anchor, "title": name, "alt": alt, "src": src})
    return out


def _tracking(j: ResolvedJourney, tr: Translator = ENGLISH) -> list[dict[str, Any]]:
    """This journey's events, as the tracking plan has them, for the page's table."""
    from ..tracking.emit import constraints
    from ..tracking.plan import build_plan

    out = []
    for e in build_plan([j]).events:
        out.append(
            {
                "name": e.name,
                "id": e.id,
                "description": e.description,
                "sources": [
                    Link(f"event-{s.touchpoint}-{slug(e.name)}", j.touchpoint[s.touchpoint].label or s.touchpoint)
                    for s in e.sources
                ],
                "stages": [j.stages[j.stage_index[s]].label or s for s in e.stages],
                "properties": [
                    {
                        "name": p.name,
                        "type": str(p.type),
                        "required": p.required,
                        "description": p.description,
                        "constraints": constraints(p, tr),
                    }
                    for p in e.properties
                ],
            }
        )
    return out


# -- rendering -----------------------------------------------------------------------------


#: Environments already made, by templates and language: a rebuild (`cjdsl serve`) reuses
#: the compiled templates instead of compiling every one again (about a second a build).
_ENVIRONMENTS: dict[tuple[Any, ...], tuple[Translator, Any]] = {}
_MAX_ENVIRONMENTS = 8


def environment(overrides: Mapping[str, str] | None = None, tr: Translator = ENGLISH) -> Any:
    """The templates' environment for one build (an empty ``fragment`` store, compiled
    templates shared with earlier builds in the same templates and language)."""
    key = (tuple(sorted((overrides or {}).items())), id(tr))
    known = _ENVIRONMENTS.get(key)
    if known is None or known[0] is not tr:
        if len(_ENVIRONMENTS) >= _MAX_ENVIRONMENTS:
            _ENVIRONMENTS.pop(next(iter(_ENVIRONMENTS)))
        known = _ENVIRONMENTS[key] = (tr, _environment(overrides, tr))
    env = known[1]
    # The same store, emptied: the macros of an imported template are made once per
    # environment and keep the globals they were made with.
    env.globals["fragment"].done.clear()
    return env


def _environment(overrides: Mapping[str, str] | None = None, tr: Translator = ENGLISH) -> Any:
    """The templates' environment, its words in the language of ``tr``: Jinja's i18n
    extension with newstyle gettext (``{{ _("%(n)s touchpoints", n=...) }}``,
    ``ngettext``, ``pgettext``), through callables that treat a translation as text
    (:meth:`cjdsl.core.i18n.Translator.html`), never as markup."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    loaders: list[jinja2.BaseLoader] = []
    if overrides:
        loaders.append(jinja2.DictLoader(dict(overrides)))
    loaders.append(jinja2.PackageLoader("cjdsl", "templates/html"))
    # Sandboxed: a team's template (or one in a pull request) can show data, never reach
    # Python internals (`cycler.__init__.__globals__.os`) or run code.
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Newstyle gettext, installed by hand: Jinja's own wrappers would trust a translation
    # as markup, and run `%` on it.
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # the i18n extension's setting
    env.globals.update(tr.html())
    env.globals["lang"] = tr.lang
    env.globals["word"] = lambda kind, value: i18n.vocabulary_word(tr, i18n.VOCABULARIES[kind], value)
    env.globals["state_word"] = lambda state: i18n.vocabulary_word(tr, i18n.STATES, state)
    env.globals["finding_word"] = lambda severity: tr.word(_FINDINGS[severity]) if severity in _FINDINGS else severity
    env.globals["search_counts"] = lambda n: [
        tr.ngettext("%(num)s match", "%(num)s matches", k) for k in range(min(int(n), MAX_COUNTS) + 1)
    ]
    env.filters["time"] = lambda text: i18n.time_text(tr, str(text))
    env.filters["text"] = text_html
    env.filters["stars"] = lambda n: "★" * int(n) + "☆" * (5 - int(n))
    env.filters["signed"] = lambda n: f"{int(n):+d}" if n else "0"
    env.globals["fragment"] = _Fragments()
    env.globals["confidence_levels"] = {c: (icon, tr.gettext(meaning)) for c, (icon, meaning) in CONFIDENCE.items()}
    return env


#: A finding's severity in words, as the findings list shows it.
_FINDINGS = {
    "error": i18n.pN_("finding", "error"),
    "warning": i18n.pN_("finding", "warning"),
    "info": i18n.pN_("finding", "info"),
    "suppressed": i18n.pN_("finding", "suppressed"),
}
#: The index page's search says how many items match, up to this many (its script
#: has the words for each count).
MAX_COUNTS = 5000


class _Fragments:
    """``{% call fragment(key, part) %}…{% endcall %}``: the block rendered the first
    time a key and part are met, the same markup after. One per environment, so per
    build: a persona's page shows most touchpoints the way the whole map does, and their
    cards are rendered once rather than once a page."""

    def __init__(self) -> None:
        self.done: dict[tuple[str, str], Any] = {}

    def __call__(self, key: str, part: str, caller: Any) -> Any:
        if not key:  # a view made without a key: nothing to share it with
            return caller()
        html = self.done.get((key, part))
        if html is None:
            html = self.done[key, part] = caller()
        return html


def _page(env: Any, name: str, root: str, **values: Any) -> str:
    return str(env.get_template(name).render(root=root, **values))


#: The site's assets, each with its media type.
ASSETS = {
    "assets/site.css": "text/css",
    "assets/site.js": "text/javascript",
    "assets/portfolio.css": "text/css",
    "assets/viewer.css": "text/css",
    "assets/viewer.js": "text/javascript",
}


def page_path(journey: str, persona: str | None = None) -> str:
    """Where the build writes a journey's page, or one persona's page of it."""
    return f"journeys/{journey}.persona-{persona}.html" if persona else f"journeys/{journey}.html"


def viewer_page(journey: str) -> str:
    """The journey's diagram viewer page, relative to its own page."""
    return f"{journey}.diagrams.html"


def build_site(ctx: BuildContext) -> list[Artifact]:
    tr = ctx.i18n
    env = environment(ctx.templates, tr)
    site = Site.of(ctx.journeys)
    views = [journey_view(j, ctx, site=site) for j in ctx.journeys]
    folio = portfolio_view(ctx.journeys, i18n.emotion_words(tr), page_path, tr)
    out = [Artifact.text("index.html", "text/html", _page(env, "index.html", "", journeys=views, portfolio=folio))]
    out += [Artifact.text(path, "text/html", _page(env, name, root, **values)) for path, name, root, values in folio.pages()]
    by_id = {j.id: j for j in ctx.journeys}
    for j, view in zip(ctx.journeys, views):
        out.append(Artifact.text(page_path(j.id), "text/html", _page(env, "journey.html", "../", j=view)))
        if view.viewer is not None:
            out.append(Artifact.text(f"journeys/{view.viewer}", "text/html", _page(env, "diagrams.html", "../", j=view)))
        if j.id in site.compared:
            current = by_id[site.compared[j.id]]
            page = _page(env, "compare.html", "../", c=compare_view(current, j, PERSONA_STYLES, i18n.emotion_words(tr), tr))
            out.append(Artifact.text(compare_path(j.id), "text/html", page))
        for p in j.personas:
            pview = journey_view(j, ctx, persona=p.id, whole=view, site=site)
            out.append(
                Artifact.text(
                    page_path(j.id, p.id),
                    "text/html",
                    _page(env, "persona.html", "../", j=pview, persona=pview.personas[0], journey=view),
                )
            )
    for asset, media in ASSETS.items():
        out.append(Artifact.text(asset, media, env.get_template(asset).render()))
    return out


def render(j: ResolvedJourney, ctx: BuildContext) -> Artifact:
    env = environment(ctx.templates, ctx.i18n)
    return Artifact.text(page_path(j.id), "text/html", _page(env, "journey.html", "../", j=journey_view(j, ctx)))


def _products(j: ResolvedJourney) -> list[Product]:
    # A future journey's comparison page is written when the journey it redesigns is
    # in the same build: declared here as a page the build may write.
    compare = j.state == "future" and j.journey is not None and j.journey.variant_of is not None
    return [
        Product(page_path(j.id), journey=j.id),
        # The diagram viewer: written when the build drew some diagram of the journey.
        Product(f"journeys/{viewer_page(j.id)}", journey=j.id, view="diagrams"),
        *([Product(compare_path(j.id), journey=j.id, view="compare")] if compare else []),
        *(Product(page_path(j.id, p.id), journey=j.id, persona=p.id) for p in j.personas),
        *portfolio_products(j),
    ]


BACKEND = register(
    Backend(
        "html",
        "a static documentation site: the journey maps, personas, diagrams and findings",
        render,
        build_site,
        # The pages show each journey's diagram (or link its DOT) and offer the tracking plan.
        links=("graphviz", "tracking"),
        products=(Product("index.html"), Product(PORTFOLIO_PAGE), *(Product(asset) for asset in ASSETS)),
        products_of=_products,
    )
)
