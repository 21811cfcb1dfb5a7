"""The ``html`` backend: a static documentation site of the journey maps.

Pure: resolved journeys (plus the diagnostics, and the paths, never the bytes, of the
diagrams and tracking plan files that the backends it links to made) go in, files come
out. Python prepares a sorted view model; the Jinja templates in ``cjdsl/templates/html``
only loop and branch (a team can override any of them with ``cjdsl build --templates
DIR``). Autoescape is on and undefined names are errors. User text reaches the page only
through the ``text`` filter, which escapes it, keeps paragraphs and line breaks, and
turns http(s) URLs into links: nothing a journey says is ever trusted as markup.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..core import model as m
from ..core import vocabulary as v
from ..core.diagnostics import Diagnostic, Severity
from ..core.resolved import ResolvedJourney, channel_is_online
from ..core.span import Span
from .base import DIAGRAM, DIAGRAM_SOURCE, PLAN, Artifact, Backend, BuildContext, Product, findings_of, register

_URL = re.compile(r"https?://[^\s<>\"'`]+")
_TRAILING = ".,;:!?)]}'\""

#: Emotion -2..+2: a word for each (so colour is never the only cue) and a CSS class.
EMOTION_WORDS = {-2: "very negative", -1: "negative", 0: "neutral", 1: "positive", 2: "very positive"}
LEVEL_ORDER = {"high": 0, "medium": 1, "low": 2, None: 3}
EFFORT_ORDER = {"low": 0, "medium": 1, "high": 2, None: 3}
#: Persona lines on the emotion curve: a colour and a dash pattern and a marker each.
PERSONA_STYLES = [
    ("#2563eb", "", "circle"),
    ("#c2410c", "6 4", "square"),
    ("#7c3aed", "2 3", "diamond"),
    ("#0f766e", "10 3 2 3", "triangle"),
    ("#be185d", "4 2", "circle"),
    ("#4d7c0f", "1 2", "square"),
]


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


@dataclass
class StageView:
    id: str
    anchor: str
    label: str
    phase: str | None
    description: str | None
    touchpoints: list[TouchpointView]
    pains: list[dict[str, Any]]
    opportunities: list[dict[str, Any]]
    source: str | None


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
    source: str | None
    persona_pages: dict[str, str] = field(default_factory=dict)
    tracking: list[dict[str, Any]] = field(default_factory=list)
    tracking_files: list[tuple[str, str]] = field(default_factory=list)


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


def _next_links(j: ResolvedJourney, tp: m.Touchpoint, shown: set[str] | None) -> list[Link]:
    """A touchpoint's `next` links, each target once, in the order written."""
    return [_tp_link(j, i, shown) for i in j.next_of(tp)]


def _touchpoint(
    j: ResolvedJourney, stage: m.Stage, tp: m.Touchpoint, url: str | None, shown: set[str] | None = None
) -> TouchpointView:
    links = _next_links(j, tp, shown)
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
        micro=(tp.micro_conversion_label or "micro-conversion") if tp.micro_conversion else None,
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
    )


def _persona_touchpoint(j: ResolvedJourney, tp: m.Touchpoint, whole: TouchpointView, shown: set[str]) -> TouchpointView:
    """A touchpoint on a persona's page: the whole map's view of it, with links to the
    touchpoints the page does not show sent to the whole map."""
    links = _next_links(j, tp, shown)
    if links == whole.next:
        return whole
    return replace(whole, next=links)


def _opportunity(j: ResolvedJourney, o: m.Opportunity, pain: m.Pain, url: str | None) -> dict[str, Any]:
    return {
        "id": o.id,
        "anchor": f"opp-{o.id}",
        "label": o.label or o.id,
        "impact": o.impact,
        "effort": o.effort,
        "owner": _team(j, o.owner),
        "status": (o.status or "").replace("_", " ") or None,
        "description": o.description,
        "pain": Link(f"pain-{pain.id}", pain.label or pain.id),
        "source": _source(url, o.span),
        "order": (LEVEL_ORDER.get(o.impact, 3), EFFORT_ORDER.get(o.effort, 3), o.id),
    }


def _curve(j: ResolvedJourney, stages: Sequence[StageView], column: int, persona: str | None) -> dict[str, Any]:
    """The emotion curve: one polyline per persona through the x position of each of its
    rated touchpoints (centred in its slot within its stage column)."""
    height, top, step = 150, 15, 30  # y of +2 is `top`, each emotion step `step` px
    xs: dict[str, float] = {}
    for i, stage in enumerate(stages):
        n = len(stage.touchpoints)
        for k, view in enumerate(stage.touchpoints):
            xs[view.id] = round(i * column + (k + 0.5) * column / n, 1)
    lines = []
    personas: list[m.Persona | None] = [p for p in j.personas if persona is None or p.id == persona] or [None]
    for n, p in enumerate(personas):
        colour, dash, marker = PERSONA_STYLES[n % len(PERSONA_STYLES)]
        points = []
        for tp in j.touchpoints:
            if tp.emotion is None or tp.id not in xs:
                continue
            if p is not None and not any(q.id == p.id for q in j.personas_of(tp)):
                continue
            y = top + (2 - int(tp.emotion)) * step
            points.append(
                {
                    "x": xs[tp.id],
                    "y": y,
                    "tp": tp.id,
                    "label": tp.label or tp.id,
                    "emotion": f"{int(tp.emotion):+d}" if tp.emotion else "0",
                }
            )
        lines.append(
            {
                "persona": p.id if p else "",
                "label": (p.label or p.id) if p else "All touchpoints",
                "colour": colour,
                "dash": dash,
                "marker": marker,
                "points": points,
                "path": " ".join(f"{pt['x']},{pt['y']}" for pt in points),
            }
        )
    grid = [{"y": top + (2 - e) * step, "label": f"{e:+d}" if e else "0", "word": EMOTION_WORDS[e]} for e in range(2, -3, -1)]
    return {"width": max(1, len(stages)) * column, "height": height, "lines": lines, "grid": grid}


def _element_index(j: ResolvedJourney) -> list[tuple[Span, str, str]]:
    """Every element with an anchor, to link findings to the element they concern."""
    out: list[tuple[Span, str, str]] = []
    for p in j.personas:
        out.append((p.span, f"persona-{p.id}", f"persona {p.id}"))
    for s in j.stages:
        out.append((s.span, f"stage-{s.id}", f"stage {s.id}"))
        for tp in s.touchpoints:
            out.append((tp.span, f"tp-{tp.id}", f"touchpoint {tp.id}"))
            for e in tp.events:
                out.append((e.span, f"event-{tp.id}-{slug(e.name)}", f'event "{e.name}"'))
    for pain in j.pains:
        out.append((pain.span, f"pain-{pain.id}", f"pain point {pain.id}"))
    for o in j.opportunities:
        out.append((o.span, f"opp-{o.id}", f"opportunity {o.id}"))
    for k in j.kpis:
        out.append((k.span, f"kpi-{k.id}", f"KPI {k.id}"))
    if j.journey is not None:
        out.append((j.journey.span, "top", f"journey {j.id}"))
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


def _findings(j: ResolvedJourney, diagnostics: Sequence[Diagnostic], url: str | None) -> list[dict[str, Any]]:
    files = set(j.files)
    shown = [d for d in diagnostics if d.span is not None and d.span.path in files]
    places = _innermost(_element_index(j), [d.span for d in shown])  # type: ignore[misc]
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
    j: ResolvedJourney, ctx: BuildContext, persona: str | None = None, column: int = 260, whole: JourneyView | None = None
) -> JourneyView:
    """The view of a journey's page, or of one persona's page. A persona's page reuses
    the touchpoint views of ``whole`` (the journey's own view) where it can."""
    url = ctx.config.source_url if ctx.config is not None else None
    visible: set[str] | None = None
    if persona is not None:
        visible = {tp.id for tp in j.touchpoints if any(p.id == persona for p in j.personas_of(tp))}
    made = {t.id: t for s in whole.stages for t in s.touchpoints} if whole is not None else {}
    stages = []
    for s in j.stages:
        tps = [
            _persona_touchpoint(j, tp, made[tp.id], visible)
            if visible is not None and tp.id in made
            else _touchpoint(j, s, tp, url, visible)
            for tp in s.touchpoints
            if visible is None or tp.id in visible
        ]
        shown = {tp.id for tp in tps}
        pains = [p for p in j.pains if p.at is not None and (p.at.id == s.id or p.at.id in shown)]
        pain_views: list[dict[str, Any]] = [
            {
                "id": p.id,
                "anchor": f"pain-{p.id}",
                "label": p.label or p.id,
                "severity": p.severity,
                "cause": p.cause,
                "description": p.description,
                "source": _source(url, p.span),
                "at": Link(f"tp-{p.at.id}", j.touchpoint[p.at.id].label or p.at.id) if p.at and p.at.id in j.touchpoint else None,
                "order": (-v.SEVERITIES.index(p.severity) if p.severity in v.SEVERITIES else 1, p.id),
            }
            for p in pains
        ]
        pain_views.sort(key=lambda x: x["order"])
        opps = {o["id"]: o for p in pains for o in (_opportunity(j, o, p, url) for o in j.opportunities_of(p))}
        stages.append(
            StageView(
                id=s.id,
                anchor=f"stage-{s.id}",
                label=s.label or s.id,
                phase=s.phase,
                description=s.description,
                touchpoints=tps,
                pains=pain_views,
                opportunities=sorted(opps.values(), key=lambda o: o["order"]),
                source=_source(url, s.span),
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
        }
        for k in j.kpis
    ]
    personas = []
    for p in j.personas:
        if persona is not None and p.id != persona:
            continue
        personas.append(
            {
                "id": p.id,
                "anchor": f"persona-{p.id}",
                "label": p.label or p.id,
                "role": p.role,
                "industry": p.industry,
                "age": int(p.age) if p.age is not None else None,
                "gender": p.gender,
                "location": p.location,
                "goals": list(p.goals),
                "needs": list(p.needs),
                "concerns": list(p.concerns),
                "interests": list(p.interests),
                "description": p.description,
                "source": _source(url, p.span),
            }
        )
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
        curve=_curve(j, stages, column, persona),
        findings=_findings(j, ctx.diagnostics, url) if persona is None else [],
        suppressed=_findings(j, ctx.suppressed, url) if persona is None else [],
        warnings=sum(1 for d in warnings if d.severity is Severity.WARNING),
        infos=sum(1 for d in warnings if d.severity is Severity.INFO),
        diagram=ctx.linked_path(DIAGRAM, j.id, "journey", persona),
        diagram_dot=ctx.linked_path(DIAGRAM_SOURCE, j.id, "journey", persona),
        touchpoint_count=sum(len(s.touchpoints) for s in stages),
        source=_source(url, j.journey.span) if j.journey else None,
        persona_pages={p.id: f"{j.id}.persona-{p.id}.html" for p in j.personas},
        tracking=_tracking(j) if persona is None else [],
        tracking_files=[(p.label, p.path) for p in ctx.linked_products(PLAN)] if persona is None else [],
    )


def _tracking(j: ResolvedJourney) -> list[dict[str, Any]]:
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
                        "constraints": constraints(p),
                    }
                    for p in e.properties
                ],
            }
        )
    return out


# -- rendering -----------------------------------------------------------------------------


def environment(overrides: Mapping[str, str] | None = None) -> Any:
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
    )
    env.filters["text"] = text_html
    env.filters["stars"] = lambda n: "★" * int(n) + "☆" * (5 - int(n))
    env.filters["signed"] = lambda n: f"{int(n):+d}" if n else "0"
    env.globals["fragment"] = _Fragments()
    return env


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
ASSETS = {"assets/site.css": "text/css", "assets/site.js": "text/javascript"}


def page_path(journey: str, persona: str | None = None) -> str:
    """Where the build writes a journey's page, or one persona's page of it."""
    return f"journeys/{journey}.persona-{persona}.html" if persona else f"journeys/{journey}.html"


def build_site(ctx: BuildContext) -> list[Artifact]:
    env = environment(ctx.templates)
    views = [journey_view(j, ctx) for j in ctx.journeys]
    out = [Artifact.text("index.html", "text/html", _page(env, "index.html", "", journeys=views))]
    for j, view in zip(ctx.journeys, views):
        out.append(Artifact.text(page_path(j.id), "text/html", _page(env, "journey.html", "../", j=view)))
        for p in j.personas:
            pview = journey_view(j, ctx, persona=p.id, whole=view)
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
    env = environment(ctx.templates)
    return Artifact.text(page_path(j.id), "text/html", _page(env, "journey.html", "../", j=journey_view(j, ctx)))


def _products(j: ResolvedJourney) -> list[Product]:
    return [
        Product(page_path(j.id), journey=j.id),
        *(Product(page_path(j.id, p.id), journey=j.id, persona=p.id) for p in j.personas),
    ]


BACKEND = register(
    Backend(
        "html",
        "a static documentation site: the journey maps, personas, diagrams and findings",
        render,
        build_site,
        # The pages show each journey's diagram (or link its DOT) and offer the tracking plan.
        links=("graphviz", "tracking"),
        products=(Product("index.html"), *(Product(asset) for asset in ASSETS)),
        products_of=_products,
    )
)
