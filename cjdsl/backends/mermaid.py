"""The ``mermaid`` backends: a Mermaid `journey` diagram and a `flowchart` of the flows,
and, in `build`, a Markdown page per journey that GitHub and GitLab render natively.

Labels are made safe for each place of Mermaid's syntax: a task name ends at `:`, a
comment starts at `%%` and `#` opens an entity code, `;` ends a statement; so those
characters are replaced by look-alikes (`∶`, `＃`, `；`) in journey diagrams, and quotes
and angle brackets become entity codes inside flowchart labels. No label can change the
diagram.
"""

from __future__ import annotations

from .. import model as m
from ..resolved import ResolvedJourney
from . import Artifact, Backend, BuildContext, register

#: Look-alikes for the characters that end a journey task name or a statement.
_JOURNEY_SAFE = str.maketrans({":": "∶", "#": "＃", ";": "；", "\n": " ", "\r": " ", "\t": " ", ",": "‚"})


def journey_text(text: str) -> str:
    """Text for a journey diagram's title, section, task or actor."""
    out = " ".join(text.translate(_JOURNEY_SAFE).split())
    return out.replace("%%", "%％") or "-"


def flow_label(text: str) -> str:
    """Text inside a flowchart node's `["..."]`: entity codes for what would end it."""
    out = []
    for ch in " ".join(text.split()):
        if ch == '"':
            out.append("#quot;")
        elif ch == "#":
            out.append("#35;")
        elif ch == "<":
            out.append("#lt;")
        elif ch == ">":
            out.append("#gt;")
        elif ch == "`":
            out.append("#96;")
        else:
            out.append(ch)
    return "".join(out) or " "


def score(tp: m.Touchpoint) -> int:
    """Mermaid's 1..5 journey score: emotion + 3 (unrated touchpoints sit at 3)."""
    return int(tp.emotion) + 3 if tp.emotion is not None else 3


def journey_diagram(j: ResolvedJourney) -> str:
    lines = ["journey", f"    title {journey_text(j.title)}"]
    for stage in j.stages:
        if not stage.touchpoints:
            continue
        lines.append(f"    section {journey_text(stage.label or stage.id)}")
        for tp in stage.touchpoints:
            actors = ", ".join(journey_text(p.label or p.id) for p in j.personas_of(tp))
            lines.append(f"      {journey_text(tp.label or tp.id)}: {score(tp)}" + (f": {actors}" if actors else ""))
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
            for ref in dict.fromkeys(r.id for r in tp.next):
                target = j.stage_of.get(ref)
                if target is None:
                    continue
                arrow = "-.->" if index[target.id] < index[stage.id] else "-->"
                lines.append(f"    tp_{tp.id} {arrow} tp_{ref}")
    return "\n".join(lines) + "\n"


def markdown_page(j: ResolvedJourney) -> str:
    title = journey_text(j.title).replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")
    return (
        f"# {title}\n\n"
        "The journey as Mermaid diagrams (GitHub and GitLab draw them): the experience per stage "
        "(score = emotion + 3, on Mermaid's 1 to 5 scale) and the flow between touchpoints "
        "(rounded: first visit; dotted: back to an earlier stage).\n\n"
        f"```mermaid\n{journey_diagram(j)}```\n\n```mermaid\n{flow_diagram(j)}```\n"
    )


def _render_journey(j: ResolvedJourney, ctx: BuildContext) -> Artifact:
    return Artifact.text(f"mermaid/{j.id}.journey.mmd", "text/vnd.mermaid", journey_diagram(j))


def _render_flow(j: ResolvedJourney, ctx: BuildContext) -> Artifact:
    return Artifact.text(f"mermaid/{j.id}.flow.mmd", "text/vnd.mermaid", flow_diagram(j))


def _build(ctx: BuildContext) -> list[Artifact]:
    out = []
    for j in ctx.journeys:
        out += [
            _render_journey(j, ctx),
            _render_flow(j, ctx),
            Artifact.text(f"mermaid/{j.id}.md", "text/markdown", markdown_page(j)),
        ]
    return out


BACKEND = register(
    Backend("mermaid", "Mermaid journey and flow diagrams, and a Markdown page per journey", _render_journey, _build)
)
FLOW = register(Backend("mermaid-flow", "the Mermaid flowchart of one journey (render only)", _render_flow, lambda ctx: []))
