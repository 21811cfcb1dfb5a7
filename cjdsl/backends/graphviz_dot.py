"""The ``graphviz`` backend: journey flow diagrams as DOT.

Pure functions from a resolved journey to DOT text (built with the `graphviz` package);
laying DOT out as SVG is the job of :mod:`cjdsl.backends.layout`, the one place that runs the
Graphviz binary: the backend's registration declares that layout step (which diagrams,
what replaces them when a journey is too large, where the images go), and `cjdsl build`
runs it. Views (also offered to `cjdsl render --view/--persona` through the registry):

* the whole journey: stages as clusters left to right, touchpoints as nodes coloured by
  emotion, `next` flows as edges, pain points beside their touchpoints, a legend;
* one persona's journey (only the touchpoints that serve the persona);
* the stage overview: stages as nodes, edges weighted by the number of flows;
* one stage, for every stage (the site links each from its stage's header; they stand in
  for a journey too large to draw whole);
* the service blueprint (``blueprint``): touchpoints as columns under their stages, and
  the lanes of a blueprint as rows (physical evidence, customer actions, the line of
  interaction, frontstage, the line of visibility, backstage, the line of internal
  interaction, support systems), one HTML-like table so the grid holds whatever dot
  does. Built for journeys that have steps, support systems or evidence.

Every piece of user text goes into an HTML-like label through :func:`html` (or into a
quoted attribute through :func:`graphviz.escape`), so no label can change the graph; so
does every word of the legend and the labels, which come in the build's language (a
:class:`~cjdsl.core.i18n.Translator`; a catalogue is text like any other).
Node ids derive from declared ids, and the output is the same for the same input.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise

import graphviz

from ..core import i18n, timing
from ..core import model as m
from ..core.diagnostics import did_you_mean
from ..core.i18n import ENGLISH, Translator
from ..core.measured import FlowCount, MeasuredJourney, percent
from ..core.resolved import ResolvedJourney, channel_is_online
from .base import DIAGRAM, DIAGRAM_SOURCE, Artifact, Backend, BuildContext, LayoutStep, Product, UnknownView, Views, register

FONT = "Helvetica,Arial,sans-serif"
MEDIA_TYPE = "text/vnd.graphviz"

#: Emotion -2..+2 on a red-to-green scale (ColorBrewer RdYlGn), and the text colour that
#: keeps WCAG AA contrast on each fill. The number is always printed too: colour is
#: never the only cue.
EMOTION_FILL = {-2: "#d73027", -1: "#fc8d59", 0: "#fee08b", 1: "#91cf60", 2: "#1a9850"}
EMOTION_TEXT = {-2: "#ffffff", -1: "#1a1a1a", 0: "#1a1a1a", 1: "#1a1a1a", 2: "#ffffff"}
NEUTRAL_FILL = "#eceff3"
SEVERITY_FILL = {"low": "#fff4cc", "medium": "#ffd98a", "high": "#f4a261", "critical": "#b3202a"}
SEVERITY_TEXT = {"low": "#1a1a1a", "medium": "#1a1a1a", "high": "#1a1a1a", "critical": "#ffffff"}
FLOW = "#4a5568"
BACK_FLOW = "#8a94a6"
#: Measured flows: taken but not on the map, and declared but taken by nobody.
OFF_MAP = "#b42318"
NOBODY = "#c3cad3"

#: Above this many touchpoints, the layout trades quality for speed.
LARGE = 400


# -- escaping ---------------------------------------------------------------------------


def html(text: str) -> str:
    """Text for an HTML-like label: markup characters become entities, line breaks
    become <BR/>, control characters are dropped, and a backslash is doubled: dot expands
    `\\N`, `\\G`, `\\E`, `\\T`, `\\H` even inside HTML labels (after decoding entities, so
    `&#92;` would not do), and `\\\\` is its one way to write a literal backslash there."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"':
            out.append("&quot;")
        elif ch == "\n":
            out.append('<BR ALIGN="LEFT"/>')
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0:
            continue
        else:
            out.append(ch)
    return "".join(out)


def wrapped(text: str, width: int = 26, max_lines: int = 4) -> str:
    """A label wrapped to ``width`` characters, at most ``max_lines`` lines, as HTML."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, width, break_long_words=True, break_on_hyphens=True) or [""])
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1] + "…"
    return "<BR/>".join(html(line) for line in lines)


def quoted(text: str) -> str:
    """Text for a quoted attribute (tooltips): backslash escapes disabled."""
    return str(graphviz.escape(" ".join(text.split())))


def node_id(kind: str, id_: str) -> str:
    """Stable DOT ids from declared ids (ASCII by the grammar); the prefix keeps them
    clear of DOT keywords such as `node` or `graph`."""
    return f"{kind}__{id_}"


# -- pieces -------------------------------------------------------------------------------


def _fmt_emotion(value: float | None, tr: Translator = ENGLISH) -> str:
    if value is None:
        return tr.gettext("not rated")
    return f"{int(value):+d}" if value else "0"


def _time(t: m.Time, tr: Translator) -> str:
    return i18n.time_text(tr, timing.written(t))


def _touchpoint(
    g: graphviz.Digraph, j: ResolvedJourney, tp: m.Touchpoint, persona: str | None = None, tr: Translator = ENGLISH
) -> None:
    """A touchpoint's card; with ``persona``, that persona's emotion and rating."""
    feeling, rating = (j.emotion_of(tp, persona)[0], j.rating_of(tp, persona)) if persona else (tp.emotion, tp.rating)
    emotion = int(feeling) if feeling is not None else None
    fill = EMOTION_FILL.get(emotion, NEUTRAL_FILL) if emotion is not None else NEUTRAL_FILL
    ink = EMOTION_TEXT.get(emotion, "#1a1a1a") if emotion is not None else "#1a1a1a"
    channel = j.channel_of(tp)
    online = channel_is_online(channel) if channel else None
    marks = []
    if tp.entry:
        marks.append("▶ " + tr.gettext("entry"))
    if tp.micro_conversion:
        marks.append("★ " + (tp.micro_conversion_label or tr.gettext("micro-conversion")))
    if tp.moment_of_truth:
        marks.append("◆ " + tr.gettext("moment of truth"))
    facts = []
    if channel is not None:
        facts.append(channel.label or channel.id)
    elif tp.channel is not None:
        facts.append(tp.channel.id)
    facts.append(tr.gettext("emotion %(value)s", value=_fmt_emotion(feeling, tr)))
    if rating is not None:
        facts.append(tr.gettext("rating %(rating)s/5", rating=int(rating)))
    if tp.wait is not None:
        facts.append(tr.gettext("wait %(time)s", time=_time(tp.wait, tr)))
    if tp.duration is not None:
        facts.append(tr.gettext("takes %(time)s", time=_time(tp.duration, tr)))
    rows = []
    if marks:
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9"><B>{wrapped(" · ".join(marks), 34, 2)}</B></FONT></TD></TR>')
    rows.append(f'<TR><TD ALIGN="LEFT"><B>{wrapped(tp.label or tp.id)}</B></TD></TR>')
    if facts:  # an empty <FONT> is a syntax error for some Graphviz versions (2.43)
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{wrapped(" · ".join(facts), 34, 2)}</FONT></TD></TR>')
    label = '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"
    g.node(
        node_id("tp", tp.id),
        label=label,
        shape="box",
        style="rounded,filled" if online is not False else "filled",
        peripheries="2" if online is False else "1",
        penwidth="2.5" if tp.entry else "1",
        fillcolor=fill,
        fontcolor=ink,
        color="#1f2933" if tp.entry else "#52606d",
        tooltip=quoted(f"{tp.id}: {tp.label or ''}"),
    )


def _pain(g: graphviz.Digraph, pain: m.Pain, tr: Translator = ENGLISH) -> None:
    severity = pain.severity or ""
    if severity:
        head = "⚠ " + tr.gettext("%(severity)s pain", severity=i18n.vocabulary_word(tr, i18n.SEVERITIES, severity))
    else:
        head = "⚠ " + tr.gettext("pain")
    label = (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9"><B>{html(head)}</B></FONT></TD></TR>'
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10">{wrapped(pain.label or pain.id, 24, 3)}</FONT></TD></TR>'
        "</TABLE>>"
    )
    g.node(
        node_id("pain", pain.id),
        label=label,
        shape="note",
        style="filled",
        fillcolor=SEVERITY_FILL.get(severity, "#fff4cc"),
        fontcolor=SEVERITY_TEXT.get(severity, "#1a1a1a"),
        color="#8c6d1f",
        tooltip=quoted(f"{pain.id}: {pain.label or ''}"),
    )


def _legend(
    g: graphviz.Digraph, with_pains: bool, with_moments: bool = False, tr: Translator = ENGLISH, measured: bool = False
) -> str:
    cells = "".join(
        f'<TD BGCOLOR="{EMOTION_FILL[e]}"><FONT COLOR="{EMOTION_TEXT[e]}">{_fmt_emotion(e)}</FONT></TD>' for e in range(-2, 3)
    )

    def row(text: str) -> str:
        # Generous right padding: browsers' fonts run a little wider than dot's metrics.
        return f'<TR><TD ALIGN="LEFT" COLSPAN="6" CELLPADDING="5">{text}&#160;&#160;&#160;</TD></TR>'

    # Every word through html(): a catalogue's translation is text, never markup.
    emotion, note = html(tr.gettext("Emotion")), html(tr.gettext("(card colour; each card also shows the number)"))
    rows = [
        row(f"<B>{emotion}</B>&#160;{note}"),
        f'<TR>{cells}<TD BGCOLOR="{NEUTRAL_FILL}">{html(_fmt_emotion(None, tr))}</TD></TR>',
        row(html(tr.gettext("rounded card: online channel"))),
        row(html(tr.gettext("square card, double border: offline channel"))),
        row(html(tr.gettext("thick border, ▶: entry (first visit)"))),
        row(html(tr.gettext("★: micro-conversion"))),
        *([row(html(tr.gettext("◆: moment of truth")))] if with_moments else []),
        row(html(tr.gettext("solid arrow: next step"))),
        row(html(tr.gettext("dashed arrow: back to an earlier stage"))),
        *(
            [
                row(html(tr.gettext("line width: users who went that way"))),
                row(html(tr.gettext("red dashed: taken, not on the map"))),
            ]
            if measured
            else []
        ),
    ]
    if with_pains:
        named = {s: html(i18n.vocabulary_word(tr, i18n.SEVERITIES, s)) for s in SEVERITY_FILL}
        sev = "".join(
            f'<TD BGCOLOR="{fill}"><FONT COLOR="{SEVERITY_TEXT[s]}">{named[s]}</FONT></TD>' for s, fill in SEVERITY_FILL.items()
        )
        severity = html(tr.gettext("pain point severity"))
        rows.append(f'<TR><TD ALIGN="LEFT" COLSPAN="2">⚠ {severity}</TD>{sev}</TR>')
    label = '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">' + "".join(rows) + "</TABLE>>"
    g.node("legend", label=label, shape="plain", fontsize="10")
    return "legend"


def _graph(name: str, title: str, subtitle: str, large: bool = False) -> graphviz.Digraph:
    g = graphviz.Digraph(name=name)
    g.attr(
        "graph",
        rankdir="LR",
        compound="true",
        nodesep="0.3",
        ranksep="0.55",
        fontname=FONT,
        fontsize="18",
        labelloc="t",
        labeljust="l",
        label=f'<<B>{html(title)}</B><BR ALIGN="LEFT"/>'
        + (f'<FONT POINT-SIZE="11">{html(subtitle)}</FONT><BR ALIGN="LEFT"/>' if subtitle else "")
        + ">",
        bgcolor="white",
        pad="0.3",
    )
    if large:
        g.attr("graph", nslimit="2", nslimit1="2", mclimit="0.5", searchsize="10", splines="line")
    g.attr("node", fontname=FONT, fontsize="11", margin="0.12,0.06")
    g.attr("edge", fontname=FONT, fontsize="9", color=FLOW, arrowsize="0.7")
    return g


def _subtitle(j: ResolvedJourney, extra: Iterable[str] = (), tr: Translator = ENGLISH) -> str:
    parts = [tr.gettext("journey %(id)s", id=j.id)]
    if j.journey is not None and j.journey.version:
        parts.append(tr.gettext("version %(version)s", version=j.journey.version))
    parts.extend(extra)
    return " · ".join(parts)


# -- views --------------------------------------------------------------------------------


def _width(users: int, largest: int) -> str:
    """A measured flow's line width: 1 for none, up to 6 for the most taken flow."""
    return f"{1 + 5 * users / largest:.1f}" if largest else "1.0"


def _measured_edge(mj: MeasuredJourney, source: str, target: str, label: str | None, tr: Translator) -> dict[str, str]:
    """A declared flow's label and width from what the events said: the users who went
    that way next and their share of those at ``source`` (a flow through touchpoints
    that fire no event is counted the same way)."""
    f = mj.flow(source, target)
    users = f.users if f is not None else 0
    at = mj.reach.get(source, 0)
    share = percent(tr, users / at) if at else ""
    count = tr.ngettext("%(num)s user", "%(num)s users", users, num=tr.number(users))
    words = html(count + (f" ({share})" if share else "") if users else tr.gettext("nobody"))
    # The count is an external label: placed once the layout is done, it does not move
    # the touchpoints from where the designed diagram has them.
    out = {"xlabel": f'<<FONT POINT-SIZE="9">{words}</FONT>>', "fontcolor": "#3e4c59", "penwidth": _width(users, mj.largest_flow)}
    if label is not None:
        out["label"] = f"<{wrapped(label, 20, 2)}>"
    if f is None or not users:
        out["color"] = NOBODY
    return out


#: The undeclared flows a diagram draws: at most this many, each taken by at least
#: ``OFF_MAP_SHARE`` of the users at its source and by two users (the site lists all).
OFF_MAP_SHOWN = 10
OFF_MAP_SHARE = 0.05


def _off_map(mj: MeasuredJourney, keep: set[str]) -> list[FlowCount]:
    frequent = [
        f
        for f in mj.undeclared
        if f.source in keep and f.target in keep and f.users >= 2 and f.users >= OFF_MAP_SHARE * mj.reach.get(f.source, 0)
    ]
    return frequent[:OFF_MAP_SHOWN]


def journey_dot(
    j: ResolvedJourney,
    persona: str | None = None,
    stages: Sequence[m.Stage] | None = None,
    nodes: dict[str, str] | None = None,
    tr: Translator = ENGLISH,
    measured: MeasuredJourney | None = None,
) -> str:
    """The journey's flow diagram: all of it, one persona's part, or some stages only,
    its words in the language of ``tr``. With ``measured`` (what captured events said),
    each flow says how many users took it and is as wide as their number, and the flows
    customers took that the map lacks are drawn too, red and dashed.

    A touchpoint's node statement is the same in every view of the journey; ``nodes``
    (touchpoint id -> statement) lets the views of one journey make each once."""
    shown_stages = list(stages if stages is not None else j.stages)
    keep = {
        tp.id
        for stage in shown_stages
        for tp in stage.touchpoints
        if persona is None or any(p.id == persona for p in j.personas_of(tp))
    }
    large = len(keep) > LARGE
    extra = []
    if persona is not None:
        p = j.persona.get(persona)
        extra.append(
            tr.gettext("persona: %(persona)s", persona=p.label or p.id) if p else tr.gettext("persona %(id)s", id=persona)
        )
    if stages is not None and len(shown_stages) == 1:
        extra.append(tr.gettext("stage %(stage)s", stage=shown_stages[0].label or shown_stages[0].id))
    if measured is not None:
        extra.append(tr.gettext("measured on %(users)s users", users=tr.number(measured.users)))
    name = j.id + (f"__persona__{persona}" if persona else "")
    if stages is not None and len(shown_stages) == 1:
        name = f"{j.id}__stage__{shown_stages[0].id}"
    g = _graph(name, j.title, _subtitle(j, extra, tr), large)
    index = j.stage_index
    first_of: list[str] = []
    with_pains = False
    for stage in shown_stages:
        tps = [tp for tp in stage.touchpoints if tp.id in keep]
        with g.subgraph(name=f"cluster_{stage.id}") as c:
            phase = (
                tr.gettext("phase: %(phase)s", phase=i18n.vocabulary_word(tr, i18n.PHASES, stage.phase)) + " · "
                if stage.phase
                else ""
            )
            count = tr.ngettext("%(num)s touchpoint", "%(num)s touchpoints", len(tps))
            c.attr(
                label=f'<<B>{wrapped(stage.label or stage.id, 30, 2)}</B><BR/><FONT POINT-SIZE="9">{html(phase + count)}</FONT>>',
                style="rounded,filled",
                fillcolor="#f6f8fa",
                color="#c3cad3",
                fontsize="13",
                labeljust="c",
                margin="12",
            )
            if not tps:
                c.node(
                    node_id("empty", stage.id),
                    label=quoted(tr.gettext("no touchpoints")),
                    shape="box",
                    style="dashed",
                    color="#9aa5b1",
                    fontcolor="#52606d",
                )
                first_of.append(node_id("empty", stage.id))
            else:
                first_of.append(node_id("tp", tps[0].id))
            for tp in tps:
                # One statement per touchpoint for every view, but a persona's own values.
                own = persona if any(pv.persona.id == persona for pv in (*tp.emotion_for, *tp.rating_for)) else None
                key = tp.id if own is None else f"{tp.id} {own}"
                made = nodes.get(key) if nodes is not None else None
                if made is not None:
                    c.body.append(made)
                else:
                    _touchpoint(c, j, tp, own, tr)
                    if nodes is not None:
                        nodes[key] = c.body[-1]
                for pain in j.pains_at(tp.id) if persona is None else ():
                    with_pains = True
                    _pain(c, pain, tr)
            if persona is None:
                for pain in j.pains_at(stage.id):
                    with_pains = True
                    _pain(c, pain, tr)
    # Flows: forward ones shape the ranks; flows back are drawn but do not pull stages.
    for stage in shown_stages:
        for tp in stage.touchpoints:
            if tp.id not in keep:
                continue
            for ref in j.next_of(tp):
                if ref not in keep:
                    continue
                target_stage = j.stage_of[ref]
                backward = index[target_stage.id] < index[stage.id]
                label = j.flow_label(tp, ref)
                more = {"label": f"<{wrapped(label, 20, 2)}>", "fontcolor": "#3e4c59"} if label is not None else {}
                if measured is not None:
                    more = _measured_edge(measured, tp.id, ref, label, tr)
                if backward:
                    back = {"style": "dashed", "color": BACK_FLOW, "constraint": "false", **more}
                    g.edge(node_id("tp", tp.id), node_id("tp", ref), **back)
                else:
                    g.edge(node_id("tp", tp.id), node_id("tp", ref), **more)
            # A pain point sits beside its touchpoint: a zero-length edge puts it in the same
            # column. (`rank=same` inside clusters makes dot lose edges and fail.)
            for pain in j.pains_at(tp.id) if persona is None else ():
                g.edge(
                    node_id("tp", tp.id),
                    node_id("pain", pain.id),
                    style="dashed",
                    arrowhead="none",
                    color="#b08900",
                    minlen="0",
                    weight="3",
                )
    if measured is not None:  # the flows customers took most that the map has no `next` for

        def off_map(users: int) -> str:
            return tr.gettext("off the map: %(users)s", users=tr.number(users))

        for f in _off_map(measured, keep):
            g.edge(
                node_id("tp", f.source),
                node_id("tp", f.target),
                style="dashed",
                color=OFF_MAP,
                fontcolor=OFF_MAP,
                constraint="false",
                penwidth=_width(f.users, measured.largest_flow),
                xlabel=f'<<FONT POINT-SIZE="9">{html(off_map(f.users))}</FONT>>',
            )
    # Keep each stage in its own columns, in order, whatever the flows do: an invisible
    # anchor between consecutive stages sits after every node of the one and before
    # every node of the next (weight 0: it orders without pulling). That costs dot two
    # edges a touchpoint, which large journeys cannot afford (2,000 touchpoints: 67 s
    # against 3 s); there one invisible edge between stages keeps their order.
    members = [
        [node_id("tp", tp.id) for tp in stage.touchpoints if tp.id in keep] or [first_of[i]]
        for i, stage in enumerate(shown_stages)
    ]
    if large:
        for a, b in pairwise(first_of):
            g.edge(a, b, style="invis", weight="4")
    for i in range(0 if large else len(members) - 1):
        anchor = node_id("between", shown_stages[i].id)
        g.node(anchor, label="", shape="point", style="invis", width="0", height="0")
        for n in members[i]:
            g.edge(n, anchor, style="invis", weight="0")
        for n in members[i + 1]:
            g.edge(anchor, n, style="invis", weight="0")
    if first_of:
        moments = any(tp.moment_of_truth for stage in shown_stages for tp in stage.touchpoints if tp.id in keep)
        g.edge(members[-1][0], _legend(g, with_pains, moments, tr, measured is not None), style="invis")
    return str(g.source)


def overview_dot(j: ResolvedJourney, tr: Translator = ENGLISH) -> str:
    """Stages as nodes, in order; an edge per pair of stages that flows connect, as
    thick as the number of flows."""
    g = _graph(f"{j.id}__overview", j.title, _subtitle(j, [tr.gettext("stage overview")], tr))
    flows: Counter[tuple[str, str]] = Counter()
    for stage in j.stages:
        for tp in stage.touchpoints:
            for ref in tp.next:
                target = j.stage_of.get(ref.id)
                if target is not None and target.id != stage.id:
                    flows[(stage.id, target.id)] += 1
    for stage in j.stages:
        emotions = [tp.emotion for tp in stage.touchpoints if tp.emotion is not None]
        mean = sum(emotions) / len(emotions) if emotions else None
        key = max(-2, min(2, round(mean))) if mean is not None else None
        fill = EMOTION_FILL[key] if key is not None else NEUTRAL_FILL
        ink = EMOTION_TEXT[key] if key is not None else "#1a1a1a"
        touchpoints = tr.ngettext("%(num)s touchpoint", "%(num)s touchpoints", len(stage.touchpoints))
        facts = (
            touchpoints
            + " · "
            + tr.gettext("mean emotion %(value)s", value=f"{mean:+.1f}" if tr.numbers is None else tr.signed(mean, 1))
            if mean is not None
            else touchpoints + " · " + tr.gettext("not rated")
        )
        phase = tr.gettext("phase: %(phase)s", phase=i18n.vocabulary_word(tr, i18n.PHASES, stage.phase)) if stage.phase else ""
        # No empty <FONT> for a stage without a phase: Graphviz 2.43 rejects the label.
        label = (
            f"<<B>{wrapped(stage.label or stage.id, 24, 2)}</B>"
            + (f'<BR/><FONT POINT-SIZE="9">{html(phase)}</FONT>' if phase else "")
            + f'<BR/><FONT POINT-SIZE="9">{html(facts)}</FONT>>'
        )
        g.node(
            node_id("stage", stage.id),
            label=label,
            shape="box",
            style="rounded,filled",
            fillcolor=fill,
            fontcolor=ink,
            color="#52606d",
        )
    index = j.stage_index
    for (a, b), count in sorted(flows.items(), key=lambda kv: (index[kv[0][0]], index[kv[0][1]])):
        backward = index[b] < index[a]
        g.edge(
            node_id("stage", a),
            node_id("stage", b),
            label=str(count),
            penwidth=f"{min(1 + count / 2, 8):.1f}",
            weight=str(count),
            style="dashed" if backward else "solid",
            color=BACK_FLOW if backward else FLOW,
            constraint="false" if backward else "true",
        )
    for left, right in pairwise(j.stages):
        g.edge(node_id("stage", left.id), node_id("stage", right.id), style="invis", weight="10")
    return str(g.source)


def stage_dot(j: ResolvedJourney, stage: m.Stage, tr: Translator = ENGLISH) -> str:
    return journey_dot(j, stages=[stage], tr=tr)


# -- the backend ----------------------------------------------------------------------------


#: The lanes of a service blueprint, top to bottom, and the lines between them.
LINES = {
    "interaction": i18n.N_("line of interaction"),
    "visibility": i18n.N_("line of visibility"),
    "internal": i18n.N_("line of internal interaction"),
}
LANE_FILL = {"evidence": "#fdf6e3", "customer": "#e8f1fb", "frontstage": "#eef7ee", "backstage": "#f4f0fa", "support": "#f3f4f6"}


def has_blueprint(j: ResolvedJourney) -> bool:
    """Whether some touchpoint has what a blueprint shows beyond the touchpoints: steps,
    systems or evidence (actors and systems declared in a shared file do not count)."""
    return any(tp.steps or tp.support or tp.evidence for tp in j.touchpoints)


def _who(j: ResolvedJourney, step: m.Step, tr: Translator = ENGLISH) -> str:
    parts = []
    if step.actor is not None:
        actor = j.actor.get(step.actor.id)
        if actor is None:
            parts.append(step.actor.id)
        else:
            parts.append(
                tr.gettext("%(actor)s (partner)", actor=actor.label or actor.id) if actor.partner else actor.label or actor.id
            )
    owner = j.team_of(step.owner)
    if owner is not None:
        parts.append(tr.gettext("owner %(owner)s", owner=owner.label or owner.id))
    if step.wait is not None:
        parts.append(tr.gettext("wait %(time)s", time=_time(step.wait, tr)))
    if step.duration is not None:
        parts.append(tr.gettext("takes %(time)s", time=_time(step.duration, tr)))
    return " · ".join(parts)


_LEFT = '<BR ALIGN="LEFT"/>'


def _items(lines: Sequence[tuple[str, str]], *, bold: bool = False) -> str:
    """A cell's items, left-aligned: each a line (bold with ``bold``) and an optional
    small second line."""
    out = []
    for main, small in lines:
        item = wrapped(main, 24, 4).replace("<BR/>", _LEFT) + _LEFT
        if bold:
            item = f"<B>{item}</B>"
        if small:
            item += f'<FONT POINT-SIZE="8" COLOR="#3e4c59">{wrapped(small, 30, 3).replace("<BR/>", _LEFT)}</FONT>{_LEFT}'
        out.append(item)
    return _LEFT.join(out)


def blueprint_dot(j: ResolvedJourney, tr: Translator = ENGLISH) -> str:
    """The journey as a service blueprint: one column per touchpoint, one row per lane."""
    g = _graph(f"{j.id}__blueprint", j.title, _subtitle(j, [tr.gettext("service blueprint")], tr))
    columns = [(stage, tp) for stage in j.stages for tp in stage.touchpoints] or []
    width = max(len(columns), 1)
    system_name = {s.id: s.label or s.id for s in j.systems}

    def cell(content: str, fill: str, *, align: str = "LEFT") -> str:
        return f'<TD ALIGN="{align}" VALIGN="TOP" BGCOLOR="{fill}" CELLPADDING="6">{content or " "}</TD>'

    def lane(name: str, fill: str, per_tp: list[str]) -> str:
        head = f'<TD ALIGN="LEFT" VALIGN="TOP" BGCOLOR="#ffffff" CELLPADDING="6"><B>{html(name)}</B></TD>'
        return "<TR>" + head + "".join(cell(c, fill) for c in per_tp) + "</TR>"

    def line(key: str) -> str:
        text = f'<FONT POINT-SIZE="9" COLOR="#3e4c59"><I>{html(tr.gettext(LINES[key]))}</I></FONT>'
        return f'<TR><TD COLSPAN="{width + 1}" ALIGN="LEFT" BGCOLOR="#d9dee5" CELLPADDING="2">{text}</TD></TR>'

    header = ['<TD BGCOLOR="#ffffff"> </TD>']
    for stage in j.stages:
        if stage.touchpoints:
            header.append(
                f'<TD COLSPAN="{len(stage.touchpoints)}" BGCOLOR="#f6f8fa" CELLPADDING="6">'
                f"<B>{wrapped(stage.label or stage.id, 30, 2)}</B></TD>"
            )
    evidence = [_items([(tp.evidence, "")]) if tp.evidence else "" for _, tp in columns]
    customer = [_items([(tp.label or tp.id, tp.customer_action or "")], bold=True) for _, tp in columns]
    front = []
    back = []
    support = []
    for _, tp in columns:
        steps = [s for s in tp.steps if s.lane == "frontstage"]
        front.append(
            _items([*([(tp.company_action, "")] if tp.company_action else []), *((s.text, _who(j, s, tr)) for s in steps)])
        )
        back.append(_items([(s.text, _who(j, s, tr)) for s in tp.steps if s.lane == "backstage"]))
        systems = dict.fromkeys([*(r.id for r in tp.support), *(r.id for s in tp.steps for r in s.support)])
        support.append(_items([(system_name.get(sid, sid), "") for sid in systems]))
    if not columns:
        evidence = customer = front = back = support = [html(tr.gettext("no touchpoints"))]
        header.append('<TD BGCOLOR="#f6f8fa"> </TD>')
    rows = [
        "<TR>" + "".join(header) + "</TR>",
        lane(tr.gettext("Physical evidence"), LANE_FILL["evidence"], evidence),
        lane(tr.gettext("Customer actions"), LANE_FILL["customer"], customer),
        line("interaction"),
        lane(tr.gettext("Frontstage"), LANE_FILL["frontstage"], front),
        line("visibility"),
        lane(tr.gettext("Backstage"), LANE_FILL["backstage"], back),
        line("internal"),
        lane(tr.gettext("Support systems"), LANE_FILL["support"], support),
    ]
    label = '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" COLOR="#c3cad3">' + "".join(rows) + "</TABLE>>"
    g.node("blueprint", label=label, shape="plain", fontsize="10")
    return str(g.source)


def source_path(journey: str, view: str = "journey", persona: str | None = None) -> str:
    """Where the build writes a view's DOT: ``journey``, ``overview`` or ``stage:ID``,
    the first for one persona when ``persona`` is given."""
    if persona is not None:
        return f"graphviz/{journey}.persona-{persona}.dot"
    if view == "journey":
        return f"graphviz/{journey}.dot"
    if view == "overview":
        return f"graphviz/{journey}.overview.dot"
    if view == "blueprint":
        return f"graphviz/{journey}.blueprint.dot"
    if view.startswith("stage:"):
        return f"graphviz/{journey}.stage-{view[6:]}.dot"
    raise ValueError(f"unknown view {view!r}")


def image_path(source: str) -> str:
    """Where the build writes the SVG of a DOT file."""
    return source[: -len(".dot")] + ".svg"


def render(j: ResolvedJourney, ctx: BuildContext) -> Artifact:
    return Artifact.text(source_path(j.id), MEDIA_TYPE, journey_dot(j, tr=ctx.i18n if ctx is not None else ENGLISH))


def views(j: ResolvedJourney, tr: Translator = ENGLISH, *, measured: MeasuredJourney | None = None) -> list[Artifact]:
    """Every diagram of one journey: whole, stage overview, one per persona, the
    blueprint (when the journey has one) and one per stage, in the order the build lays
    them out (the stage diagrams last: the pages link them from the stages' headers).
    ``measured``: what captured events said, shown on the flows of the whole journey's
    diagram and the stages' (a persona's diagram keeps the design: the numbers are all
    users')."""
    nodes: dict[str, str] = {}
    out = [
        Artifact.text(source_path(j.id), MEDIA_TYPE, journey_dot(j, nodes=nodes, tr=tr, measured=measured)),
        Artifact.text(source_path(j.id, "overview"), MEDIA_TYPE, overview_dot(j, tr)),
    ]
    for p in j.personas:
        out.append(Artifact.text(source_path(j.id, persona=p.id), MEDIA_TYPE, journey_dot(j, persona=p.id, nodes=nodes, tr=tr)))
    if has_blueprint(j):
        out.append(Artifact.text(source_path(j.id, "blueprint"), MEDIA_TYPE, blueprint_dot(j, tr)))
    return out + stage_views(j, tr, nodes=nodes, measured=measured)


def stage_views(
    j: ResolvedJourney, tr: Translator = ENGLISH, *, nodes: dict[str, str] | None = None, measured: MeasuredJourney | None = None
) -> list[Artifact]:
    """One diagram per stage: part of every build (:func:`views`), and what is laid out
    instead of the rest when the whole journey is too large to draw. ``nodes`` shares
    the touchpoints' node statements with the journey's other views."""
    nodes = {} if nodes is None else nodes
    return [
        Artifact.text(
            source_path(j.id, f"stage:{s.id}"), MEDIA_TYPE, journey_dot(j, stages=[s], nodes=nodes, tr=tr, measured=measured)
        )
        for s in j.stages
    ]


def view_source(j: ResolvedJourney, view: str, persona: str | None, tr: Translator = ENGLISH) -> str:
    """The DOT of one view for `cjdsl render`: ``journey`` (for one persona, when given),
    ``overview`` or ``stage:ID``, its words in the language of ``tr``."""
    if persona is not None and persona not in j.persona:
        hint = did_you_mean(persona, j.persona)
        raise UnknownView(f"journey `{j.id}` has no persona `{persona}`" + (f"; {hint}" if hint else ""))
    if view == "journey":
        return journey_dot(j, persona=persona, tr=tr)
    if view == "overview":
        return overview_dot(j, tr)
    if view == "blueprint":
        return blueprint_dot(j, tr)
    if view.startswith("stage:") and view[6:] in j.stage_index:
        return stage_dot(j, j.stages[j.stage_index[view[6:]]], tr)
    stages = ", ".join(f"stage:{s.id}" for s in j.stages)
    raise UnknownView(f"unknown view `{view}` (views: journey, overview, blueprint, {stages})")


def products(j: ResolvedJourney) -> list[Product]:
    """The files the build writes for a journey, in the order of :func:`views`: each
    view's DOT, always, and its SVG when `dot` lays it out (with `dot` at hand, every
    one, but for a journey too large to draw whole only the overview's and the stages')."""
    shown: list[tuple[str, str | None]] = [("journey", None), ("overview", None)]
    shown += [("journey", p.id) for p in j.personas]
    if has_blueprint(j):
        shown.append(("blueprint", None))
    shown += [(f"stage:{s.id}", None) for s in j.stages]
    out = []
    for view, persona in shown:
        source = source_path(j.id, view, persona)
        out.append(Product(source, DIAGRAM_SOURCE, "DOT", j.id, view, persona))
        out.append(Product(image_path(source), DIAGRAM, "SVG", j.id, view, persona))
    return out


def _build(ctx: BuildContext) -> list[Artifact]:
    return [a for j in ctx.journeys for a in views(j, ctx.i18n, measured=ctx.measured.get(j.id))]


BACKEND = register(
    Backend(
        "graphviz",
        "journey flow diagrams as DOT (laid out as SVG when Graphviz is installed)",
        render,
        _build,
        products_of=products,
        aliases=("dot",),
        views=Views(view_source),
        layout=LayoutStep(
            diagrams=views,
            fallback=stage_views,
            image_path=image_path,
            fallback_note="laid out only the stage overview and one diagram per stage (no persona diagrams, no blueprint)",
            first=2,  # the whole journey and the stage overview
            measured=True,
        ),
    )
)
