"""`cjdsl import mermaid`: a Mermaid `journey` diagram → a `.journey` model.

Sections become stages, tasks touchpoints, the 1..5 score an emotion (score - 3), and
actors personas. The look-alike characters the exporter uses for `:`, `#`, `;` and `,`
map back, so export → import → export gives the same diagram. Pure: text in, model out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from . import model as m

_BACK = str.maketrans({"∶": ":", "＃": "#", "；": ";", "‚": ","})
_FENCE = re.compile(r"^```+\s*mermaid\s*\n(.*?)^```+\s*$", re.S | re.M)


class ImportError_(ValueError):
    """The input holds no journey diagram, or a line that is not one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class _Ids:
    used: set[str]

    def make(self, text: str, prefix: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
        base = re.sub(r"[^a-z0-9]+", "_", ascii_text.encode("ascii", "ignore").decode().lower()).strip("_")[:40].strip("_")
        if not base or base[0].isdigit():
            base = f"{prefix}_{base}".strip("_")
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}_{n}", n + 1
        self.used.add(candidate)
        return candidate


def journey_block(text: str) -> tuple[str, int]:
    """The first `journey` diagram in a .mmd file or in Markdown's ```mermaid fences,
    and the line it starts on."""
    blocks = [(mt.group(1), text[: mt.start(1)].count("\n") + 1) for mt in _FENCE.finditer(text)] or [(text, 1)]
    for block, first in blocks:
        lines = block.split("\n")
        for i, line in enumerate(lines):
            stripped = line.strip()
            if not stripped or stripped.startswith("%%") or stripped.startswith("---"):
                continue
            if stripped == "journey":
                return "\n".join(lines[i + 1 :]), first + i + 1
            break
    raise ImportError_("no Mermaid `journey` diagram found (a .mmd file, or a ```mermaid block in Markdown)")


def parse_journey(text: str) -> m.Document:
    body, first_line = journey_block(text)
    ids = _Ids(set())
    title = "Imported journey"
    stages: list[tuple[str, str, list[m.Touchpoint]]] = []
    personas: dict[str, str] = {}  # actor name -> id
    tp_ids = ids  # one pool: stages and touchpoints share ids in the language
    for offset, raw in enumerate(body.split("\n")):
        line = raw.strip()
        number = first_line + offset
        if not line or line.startswith("%%") or line.startswith(("accTitle", "accDescr")):
            continue
        if line.startswith("title"):
            title = line[5:].strip().translate(_BACK) or title
        elif line.startswith("section"):
            label = line[7:].strip().translate(_BACK)
            stages.append((ids.make(label or "stage", "stage"), label, []))
        else:
            parts = [p.strip() for p in line.split(":")]
            if len(parts) < 2 or not parts[1].isdigit():
                raise ImportError_(f"line {number}: expected `Task name: score: actors`, got {line!r}", number)
            name, score = parts[0].translate(_BACK), int(parts[1])
            if not 1 <= score <= 5:
                raise ImportError_(f"line {number}: a journey score is 1 to 5, got {score}", number)
            actors = [a.strip().translate(_BACK) for a in (parts[2].split(",") if len(parts) > 2 else []) if a.strip()]
            refs = []
            for actor in actors:
                if actor not in personas:
                    personas[actor] = ids.make(actor, "persona")
                refs.append(m.Ref(personas[actor]))
            if not stages:
                stages.append((ids.make("journey", "stage"), "Journey", []))
            tp = m.Touchpoint(
                tp_ids.make(name, "tp") if name else tp_ids.make("task", "tp"),
                name or None,
                personas=tuple(refs),
                emotion=score - 3,
            )
            stages[-1][2].append(tp)
    journey = m.Journey(ids.make(title, "journey"), title)
    items: list[m.Item] = [journey]
    items += [m.Persona(pid, actor) for actor, pid in personas.items()]
    items += [m.Stage(sid, label or None, touchpoints=tuple(tps)) for sid, label, tps in stages]
    return m.Document("<import>", tuple(items))
