"""`cjdsl import mermaid`: a Mermaid `journey` diagram → a `.journey` model.

Sections become stages, tasks touchpoints, the 1..5 score an emotion (score - 3), and
actors personas. The look-alike characters the exporter uses for `:`, `#`, `;` and `,`
map back, and so does the zero-width space it puts in front of a label that starts like a
statement, so export → import → export gives the same diagram. Pure: text in, model out.

The input may be hostile (a file from a pull request): the fences are found by one pass
over the lines and each new id in amortised constant time, so the time grows linearly
with the input, and a score is read only from ASCII digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from ..core import model as m
from ..core.mermaid_text import KEYWORD_GUARD, journey_text

_BACK = str.maketrans({"∶": ":", "＃": "#", "；": ";", "‚": ","})
#: A Markdown fence line that opens a Mermaid block, and one that closes any block.
_OPEN = re.compile(r"```+\s*mermaid\s*")
_CLOSE = re.compile(r"```+\s*")
_SCORES = {"1", "2", "3", "4", "5"}
#: The longest id made from a label, in characters.
MAX_ID = 40
#: Words that name the company's side rather than a customer: an actor called "Support
#: agent", "Sales team", "CRM" or "Booking system" is staff or a system, and becomes no
#: persona unless asked (`cjdsl import mermaid --all-actors`).
STAFF_WORDS = frozenset(
    {
        "admin", "advisor", "adviser", "agent", "api", "app", "assistant", "backend", "backoffice", "bot", "cashier",
        "clerk", "consultant", "courier", "crm", "dispatcher", "employee", "engineer", "erp", "manager", "operator",
        "platform", "receptionist", "rep", "representative", "sales", "server", "service", "staff", "support",
        "system", "team", "technician", "underwriter", "underwriting", "website",
    }
)  # fmt: skip


class ImportError_(ValueError):
    """The input holds no journey diagram, or a line that is not one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class _Ids:
    used: set[str]
    #: The next suffix to try for each base, so that many names with the same base cost
    #: one look-up each (together with the ids they skip, each taken at most once).
    suffix: dict[str, int] = field(default_factory=dict)

    def make(self, text: str, prefix: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
        base = re.sub(r"[^a-z0-9]+", "_", ascii_text.encode("ascii", "ignore").decode().lower()).strip("_")
        if len(base) > MAX_ID:
            cut = base.rfind("_", 0, MAX_ID + 1)
            base = base[: cut if cut >= MAX_ID // 2 else MAX_ID].strip("_")  # at a word's end where one is near
        if not base or base[0].isdigit():
            base = f"{prefix}_{base}".strip("_")
        candidate = base
        if candidate in self.used:
            n = self.suffix.get(base, 2)
            while f"{base}_{n}" in self.used:
                n += 1
            candidate = f"{base}_{n}"
            self.suffix[base] = n + 1
        self.used.add(candidate)
        return candidate


def _fenced_blocks(text: str) -> Iterator[tuple[str, int]]:
    """Each ```mermaid fenced block of Markdown (up to the next fence line), with the
    line its first line is on; one pass over the lines."""
    lines = text.split("\n")
    start: int | None = None
    for i, line in enumerate(lines):
        if start is None:
            if _OPEN.fullmatch(line):
                start = i + 1
        elif _CLOSE.fullmatch(line):
            yield "\n".join(lines[start:i]) + "\n", start + 1
            start = None


@dataclass
class Diagram:
    """What a journey diagram says besides its sections and tasks."""

    body: str
    first_line: int
    #: `title` of the YAML front matter (`---` ... `---`), when there is one.
    front_title: str | None = None
    #: `%%` comments, in order, without the `%%`.
    comments: list[str] = field(default_factory=list)


_FRONT_TITLE = re.compile(r"title\s*:\s*(.*)")


def _yaml_scalar(value: str) -> str:
    """A one-line YAML scalar as text: quotes taken off, a trailing comment dropped."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return inner.replace("''", "'") if value[0] == "'" else inner.replace('\\"', '"')
    return value.split(" #", 1)[0].strip()


def diagram(text: str) -> Diagram:
    """The first `journey` diagram in a .mmd file or in Markdown's ```mermaid fences: its
    body, the line it starts on, the title of its YAML front matter (Mermaid's documented
    `---\\ntitle: ...\\n---` before the diagram) and its `%%` comments."""
    blocks = list(_fenced_blocks(text)) or [(text, 1)]
    for block, first in blocks:
        lines = block.split("\n")
        front_title: str | None = None
        comments: list[str] = []
        i = 0
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i < len(lines) and lines[i].strip() == "---":
            end = next((k for k in range(i + 1, len(lines)) if lines[k].strip() == "---"), None)
            if end is None:
                raise ImportError_(f"line {first + i}: the front matter opened with `---` is never closed", first + i)
            for k in range(i + 1, end):
                if match := _FRONT_TITLE.fullmatch(lines[k].strip()):
                    front_title = _yaml_scalar(match.group(1)) or None
            i = end + 1
        for k in range(i, len(lines)):
            stripped = lines[k].strip()
            if not stripped:
                continue
            if stripped.startswith("%%"):
                comments.append(stripped[2:].strip())
                continue
            if stripped == "journey":
                body = "\n".join(lines[k + 1 :])
                comments += [ln.strip()[2:].strip() for ln in lines[k + 1 :] if ln.strip().startswith("%%")]
                return Diagram(body, first + k + 1, front_title, comments)
            break
    raise ImportError_("no Mermaid `journey` diagram found (a .mmd file, or a ```mermaid block in Markdown)")


def _label(text: str, *, task: bool = False) -> str:
    """A label as the exporter wrote it, back as it was: look-alikes mapped back and, for
    a task, the zero-width space the exporter puts in front of a name that starts like a
    statement taken off again."""
    text = text.strip().translate(_BACK)
    if task and text.startswith(KEYWORD_GUARD) and journey_text(text[1:], task=True).startswith(KEYWORD_GUARD):
        return text[1:]
    return text


def _score(text: str, line: str, number: int) -> int:
    """A task's 1..5 score, from ASCII digits only (``int`` would take `٣` and fail on `²`)."""
    if text.isascii() and text.isdigit():
        if text.lstrip("0") in _SCORES:
            return int(text)
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise ImportError_(f"line {number}: a journey score is 1 to 5, got {shown}", number)
    if any(ch.isnumeric() for ch in text):
        raise ImportError_(f"line {number}: a journey score is one of the ASCII digits 1 to 5, got {text[:20]!r}", number)
    raise ImportError_(f"line {number}: expected `Task name: score: actors`, got {line!r}", number)


#: Statements of a journey diagram other than tasks, as Mermaid's lexer reads them at the
#: start of a line (in any case; JavaScript's `\s` also takes U+FEFF).
_TITLE = re.compile(r"title[\s\ufeff](.*)", re.I | re.S)
_SECTION = re.compile(r"section[\s\ufeff](.*)", re.I | re.S)
_ACC_TITLE = re.compile(r"acctitle\s*:(.*)", re.I | re.S)
_ACC_DESCR = re.compile(r"accdescr\s*:(.*)", re.I | re.S)
_ACC_BLOCK = re.compile(r"accdescr\s*\{(.*)", re.I | re.S)


def is_staff(actor: str) -> bool:
    """Whether an actor's name says it is the company's side (staff or a system)."""
    words = re.findall(r"[a-z]+", actor.lower())
    return any(w in STAFF_WORDS for w in words)


@dataclass
class Imported:
    document: m.Document
    #: `%%` comments of the diagram, to keep as comments of the .journey file.
    comments: list[str]
    #: Actors left out as personas because they look like staff or systems.
    staff: list[str]


def parse_journey(text: str) -> m.Document:
    return import_journey(text, all_actors=True).document


def import_journey(text: str, *, all_actors: bool = False) -> Imported:
    """The diagram as a model, with its comments and the actors that were not made
    personas (``all_actors`` makes every actor a persona)."""
    found = diagram(text)
    body, first_line = found.body, found.first_line
    ids = _Ids(set())
    title = found.front_title or "Imported journey"
    acc_title: str | None = None
    description: list[str] = []
    stages: list[tuple[str, str, list[m.Touchpoint]]] = []
    personas: dict[str, str] = {}  # actor name -> id
    staff: dict[str, None] = {}
    tp_ids = ids  # one pool: stages and touchpoints share ids in the language
    in_description = False  # inside `accDescr { ... }`
    for offset, raw in enumerate(body.split("\n")):
        line = raw.strip()
        number = first_line + offset
        if in_description:
            head, closed, _ = line.partition("}")
            if head.strip():
                description.append(head.strip())
            in_description = not closed
            continue
        # Mermaid reads `%` and `#` at the start of a line as a comment.
        if not line or line.startswith(("%", "#")):
            continue
        if acc := _ACC_TITLE.match(line):
            acc_title = _label(acc.group(1)) or acc_title
            continue
        if acc := _ACC_DESCR.match(line):
            description.append(_label(acc.group(1)))
            continue
        if acc := _ACC_BLOCK.match(line):
            head, closed, _ = acc.group(1).partition("}")
            if head.strip():
                description.append(head.strip())
            in_description = not closed
            continue
        if statement := _TITLE.match(line):
            title = _label(statement.group(1)) or title
        elif statement := _SECTION.match(line):
            label = _label(statement.group(1))
            stages.append((ids.make(label or "stage", "stage"), label, []))
        else:
            parts = line.split(":")
            if len(parts) < 2:
                raise ImportError_(f"line {number}: expected `Task name: score: actors`, got {line!r}", number)
            name, score = _label(parts[0], task=True), _score(parts[1].strip(), line, number)
            actors = [_label(a) for a in (parts[2].split(",") if len(parts) > 2 else []) if a.strip()]
            refs = []
            for actor in actors:
                if not all_actors and is_staff(actor):
                    staff.setdefault(actor)
                    continue
                if actor not in personas:
                    personas[actor] = ids.make(actor, "persona")
                refs.append(m.Ref(personas[actor]))
            if not stages:
                stages.append((ids.make("journey", "stage"), "Journey", []))
            previous = stages[-1][2][-1] if stages[-1][2] else None
            same_task = previous is not None and previous.label == (name or None) and bool(refs and previous.personas)
            if previous is not None and same_task and not {r.id for r in refs} & {r.id for r in previous.personas}:
                # The same task again for other actors, who feel it otherwise: one
                # touchpoint with a per-persona emotion (as `cjdsl` exports it).
                own = tuple(m.PersonaValue(r, score - 3) for r in refs if score - 3 != previous.emotion)
                stages[-1][2][-1] = replace(
                    previous, personas=previous.personas + tuple(refs), emotion_for=previous.emotion_for + own
                )
                continue
            tp = m.Touchpoint(
                tp_ids.make(name, "tp") if name else tp_ids.make("task", "tp"),
                name or None,
                personas=tuple(refs),
                emotion=score - 3,
            )
            stages[-1][2].append(tp)
    if title == "Imported journey" and acc_title:
        title = acc_title
    text_description = "\n".join(d for d in description if d) or None
    if acc_title and acc_title != title:
        text_description = "\n".join(x for x in (acc_title, text_description) if x)
    journey = m.Journey(ids.make(title, "journey"), title, description=text_description)
    items: list[m.Item] = [journey]
    items += [m.Persona(pid, actor) for actor, pid in personas.items()]
    items += [m.Stage(sid, label or None, touchpoints=tuple(tps)) for sid, label, tps in stages]
    return Imported(m.Document("<import>", tuple(items)), found.comments, list(staff))
