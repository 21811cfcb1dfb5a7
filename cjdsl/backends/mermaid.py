"""The ``mermaid`` backends: a Mermaid `journey` diagram and a `flowchart` of the flows,
and, in `build`, a Markdown page per journey that GitHub and GitLab render natively.

Labels go through :mod:`cjdsl.core.mermaid_text`, which makes them safe for each
place of Mermaid's syntax.

The Markdown page's text goes through :func:`markdown_text`, which the pull-request
comment of `cjdsl diff` uses too.
"""

from __future__ import annotations

from ..core import model as m
from ..core.markdown import markdown_text
from ..core.mermaid_text import flow_label, journey_text
from ..core.resolved import ResolvedJourney
from .base import Artifact, Backend, BuildContext, Product, register


def score(tp: m.Touchpoint, emotion: float | None = None, *, own: bool = False) -> int:
    """Mermaid's 1..5 journey score: emotion + 3 (unrated touchpoints sit at 3). With
    ``own``, ``emotion`` is one persona's value instead of the touchpoint's."""
    value = emotion if own else tp.emotion
    return int(value) + 3 if value is not None else 3


def _tasks(j: ResolvedJourney, tp: m.Touchpoint) -> list[tuple[int, list[str]]]:
    """A touchpoint's scores and who feels each: one task, or one per score when
    personas feel it differently (`emotion for`)."""
    personas = j.personas_of(tp)
    if not tp.emotion_for:
        return [(score(tp), [p.label or p.id for p in personas])]
    groups: dict[int, list[str]] = {}
    for p in personas:
        groups.setdefault(score(tp, j.emotion_of(tp, p.id)[0], own=True), []).append(p.label or p.id)
    return list(groups.items()) or [(score(tp), [])]


def journey_diagram(j: ResolvedJourney) -> str:
    lines = ["journey", f"    title {journey_text(j.title)}", f"    accTitle: {journey_text(j.title)}"]
    if j.journey is not None and j.journey.description:
        lines.append(f"    accDescr: {journey_text(j.journey.description)}")
    for stage in j.stages:
        if not stage.touchpoints:
            continue
        lines.append(f"    section {journey_text(stage.label or stage.id)}")
        for tp in stage.touchpoints:
            for value, names in _tasks(j, tp):
                actors = ", ".join(journey_text(n) for n in names)
                lines.append(f"      {journey_text(tp.label or tp.id, task=True)}: {value}" + (f": {actors}" if actors else ""))
    return "\n".join(lines) + "\n"


def flow_diagram(j: ResolvedJourney) -> str:
    lines = ["flowchart LR"]
    for stage in j.stages:
        lines.append(f'    subgraph stage_{stage.id}["{flow_label(stage.label or stage.id)}"]')
        lines.append("        direction TB")
        if not stage.touchpoints:
            lines.append(f'        empty_{stage.id}["no touchpoints"]')
        for tp in stage.touchpoints:
            shape = ('(["', '"])') if tp.entry else ('["', '"]')
            lines.append(f"        tp_{tp.id}{shape[0]}{flow_label(tp.label or tp.id)}{shape[1]}")
        lines.append("    end")
    index = j.stage_index
    for stage in j.stages:
        for tp in stage.touchpoints:
            for ref in j.next_of(tp):
                target = j.stage_of.get(ref)
                if target is None:
                    continue
                arrow = "-.->" if index[target.id] < index[stage.id] else "-->"
                label = j.flow_label(tp, ref)
                text = f'|"{flow_label(label).replace("|", "#124;")}"|' if label is not None else ""
                lines.append(f"    tp_{tp.id} {arrow}{text} tp_{ref}")
    return "\n".join(lines) + "\n"


def markdown_page(j: ResolvedJourney) -> str:
    title = markdown_text(journey_text(j.title))
    return (
        f"# {title}\n\n"
        "The journey as Mermaid diagrams (GitHub and GitLab draw them): the experience per stage "
        "(score = emotion + 3, on Mermaid's 1 to 5 scale) and the flow between touchpoints "
        "(rounded: first visit; dotted: back to an earlier stage).\n\n"
        f"```mermaid\n{journey_diagram(j)}```\n\n```mermaid\n{flow_diagram(j)}```\n"
    )


def _paths(j: ResolvedJourney) -> tuple[str, str, str]:
    """The journey diagram, the flowchart and the Markdown page of a journey."""
    return f"mermaid/{j.id}.journey.mmd", f"mermaid/{j.id}.flow.mmd", f"mermaid/{j.id}.md"


def _render_journey(j: ResolvedJourney, ctx: BuildContext) -> Artifact:
    return Artifact.text(_paths(j)[0], "text/vnd.mermaid", journey_diagram(j))


def _render_flow(j: ResolvedJourney, ctx: BuildContext) -> Artifact:
    return Artifact.text(_paths(j)[1], "text/vnd.mermaid", flow_diagram(j))


def _build(ctx: BuildContext) -> list[Artifact]:
    out = []
    for j in ctx.journeys:
        out += [
            _render_journey(j, ctx),
            _render_flow(j, ctx),
            Artifact.text(_paths(j)[2], "text/markdown", markdown_page(j)),
        ]
    return out


def _products(j: ResolvedJourney) -> list[Product]:
    return [Product(path, journey=j.id) for path in _paths(j)]


BACKEND = register(
    Backend(
        "mermaid",
        "Mermaid journey and flow diagrams, and a Markdown page per journey",
        _render_journey,
        _build,
        products_of=_products,
    )
)
FLOW = register(Backend("mermaid-flow", "the Mermaid flowchart of one journey (render only)", _render_flow, lambda ctx: []))
