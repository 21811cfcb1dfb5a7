"""Hover, go to definition, find references and rename, over an
:class:`~cjdsl.lsp.symbols.Index` (pure).

Hover shows a declaration's label and what a reader of the map wants next to it (a
touchpoint's stage, channel, emotion and rating; a persona's role), and a rule's
documentation over its name in an `allow`. Every user string is made inert Markdown.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..core import model as m
from ..core.diagnostics import Diagnostic
from ..core.markdown import markdown_text
from ..core.span import Span
from ..language.fastpath import export
from ..language.parser import grammar_sha256, make_lark, shipped_tables
from ..rules import Rule, find_rule
from ..rules.reference import explain_text
from .symbols import RULE, Decl, Index, Use

#: What a valid id looks like (the grammar's NAME terminal).
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class RenameError(ValueError):
    """A rename that cannot be done, in words for the person who asked."""


def keywords() -> frozenset[str]:
    """Every keyword of the grammar (from the parser's shipped tables)."""
    global _KEYWORDS
    if _KEYWORDS is None:
        data = shipped_tables() or export(make_lark(), grammar_sha256())
        _KEYWORDS = frozenset(data["keywords"])
    return _KEYWORDS


_KEYWORDS: frozenset[str] | None = None


# -- finding what is under the cursor -----------------------------------------------------
def target(index: Index, path: str, offset: int) -> tuple[Decl | Use, list[Decl]] | None:
    """What is written at the cursor and the declarations it stands for."""
    found = index.at(path, offset)
    if found is None:
        return None
    if isinstance(found, Decl):
        return found, [found]
    return found, index.bind(found)


def definition(index: Index, path: str, offset: int) -> list[Span]:
    """Where the id under the cursor is declared; on an `include`, the file it reads."""
    found = target(index, path, offset)
    if found is not None:
        return [d.span for d in found[1]]
    included = include_at(index, path, offset)
    if included is not None:
        doc = index.files[included].document
        return [Span(included, 0, 0, doc.span.lines)]
    return []


def include_at(index: Index, path: str, offset: int) -> str | None:
    """The display path of the project file an `include` under the cursor reads."""
    f = index.files.get(path)
    for inc in f.document.includes if f is not None else ():
        if inc.span.start <= offset <= inc.span.end:
            written = posixpath.normpath(posixpath.join(posixpath.dirname(path), inc.path.replace("\\", "/")))
            return written if written in index.files else None
    return None


def references(index: Index, path: str, offset: int, *, declaration: bool = True) -> list[Span]:
    found = target(index, path, offset)
    if found is None or not found[1]:
        return []
    out: dict[tuple[str, int], Span] = {}
    for decl in found[1]:
        if declaration:
            out.setdefault(decl.key, decl.span)
        for use in index.uses_of(decl):
            out.setdefault((use.span.path, use.span.start), use.span)
    return sorted(out.values(), key=lambda s: (s.path, s.start))


# -- rename -----------------------------------------------------------------------------------
def prepare_rename(index: Index, path: str, offset: int) -> tuple[Span, str]:
    """Where the id under the cursor is written and the id itself; raises
    :class:`RenameError` when there is nothing there to rename."""
    found = target(index, path, offset)
    if found is None:
        raise RenameError("put the cursor on an id: a declaration's, or a reference to one")
    written, decls = found
    if isinstance(written, Use) and written.kinds == (RULE,):
        raise RenameError(f"`{written.id}` names a rule of the validator; rules cannot be renamed")
    if not decls:
        raise RenameError(f"`{written.id}` is not declared anywhere this file can see, so there is nothing to rename")
    return written.span, written.id


def rename(index: Index, path: str, offset: int, new_id: str) -> dict[str, list[Span]]:
    """The places to rewrite, by file: the declaration and every reference to it."""
    _, old = prepare_rename(index, path, offset)
    if not NAME.fullmatch(new_id):
        raise RenameError(f"`{new_id}` is not a valid id: ids are ASCII letters, digits and `_`, and do not start with a digit")
    if new_id in keywords():
        raise RenameError(f"`{new_id}` is a keyword of the language; choose another id")
    found = target(index, path, offset)
    assert found is not None
    decls = found[1]
    if new_id != old:
        for decl in decls:
            clash = index.clashes(decl, new_id)
            if clash is not None:
                raise RenameError(
                    f"`{new_id}` is already {_a(clash.kind)} {clash.kind} (in {clash.path}, line {clash.span.line})"
                )
    places: dict[str, dict[int, Span]] = {}
    for decl in decls:
        places.setdefault(decl.path, {})[decl.span.start] = decl.span
        for use in index.uses_of(decl):
            places.setdefault(use.span.path, {})[use.span.start] = use.span
    return {p: [spans[k] for k in sorted(spans)] for p, spans in sorted(places.items())}


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


# -- hover ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hover:
    markdown: str
    span: Span


def hover(index: Index, path: str, offset: int, suppressed: Sequence[Diagnostic] = ()) -> Hover | None:
    found = index.at(path, offset)
    if found is None:
        return None
    if isinstance(found, Use) and found.kinds == (RULE,):
        r = find_rule(found.id)
        if r is None:
            return Hover(f"no rule `{markdown_text(found.id)}` (`cjdsl rules` lists them)", found.span)
        silenced = [
            d
            for d in suppressed
            if d.code == r.code
            and d.suppression is not None
            and d.suppression.span.start <= found.span.start < d.suppression.span.end
        ]
        return Hover(explain(r, silenced), found.span)
    decls = [found] if isinstance(found, Decl) else index.bind(found)
    if not decls:
        kinds = " or ".join(found.kinds) if isinstance(found, Use) else found.kind
        return Hover(f"unknown {kinds} `{found.id}`", found.span)
    return Hover("\n\n---\n\n".join(describe(index, d) for d in decls[:3]), found.span)


def explain(r: Rule, silenced: Sequence[Diagnostic] = ()) -> str:
    """A rule's documentation, as `cjdsl explain` prints it (its own text is Markdown)."""
    lines = explain_text(r, markdown=True)
    if silenced:
        lines += ["", f"This line silences {len(silenced)} finding{'s' if len(silenced) != 1 else ''} in this file."]
    return "\n".join([*lines, "", r.docs])


def describe(index: Index, decl: Decl) -> str:
    """A declaration's label and summary, in inert Markdown."""
    node = decl.node
    head = f"**{decl.kind}** `{decl.id}`"
    if decl.label:
        head += " — " + markdown_text(decl.label)
    facts: list[str] = []
    path = decl.path

    def named(kind: str, ref: m.Ref | None) -> str | None:
        if ref is None:
            return None
        found = index.lookup(path, kind, ref.id)
        return f"{markdown_text(found.label)} (`{ref.id}`)" if found is not None and found.label else f"`{ref.id}`"

    def add(name: str, value: object) -> None:
        if value not in (None, "", ()):
            facts.append(f"{name}: {value}")

    if isinstance(node, m.Touchpoint):
        stage = decl.parent
        if stage is not None:
            add("stage", f"{markdown_text(stage.label)} (`{stage.id}`)" if stage.label else f"`{stage.id}`")
        channel = index.lookup(path, "channel", node.channel.id) if node.channel is not None else None
        if node.channel is not None:
            how = (
                " ".join(w for w in (getattr(channel.node, "mode", None), getattr(channel.node, "kind", None)) if w)
                if channel
                else ""
            )
            add("channel", (named("channel", node.channel) or "") + (f", {how}" if how else ""))
        if node.emotion is not None:
            add("emotion", _signed(node.emotion) + (f" {markdown_text(node.feeling)}" if node.feeling else ""))
        add("rating", _number(node.rating) if node.rating is not None else None)
        for pv in node.emotion_for:
            add(f"emotion for `{pv.persona.id}`", _signed(pv.value) + (f" {markdown_text(pv.feeling)}" if pv.feeling else ""))
        for pv in node.rating_for:
            add(f"rating for `{pv.persona.id}`", _number(pv.value))
        add("personas", ", ".join(filter(None, (named("persona", r) for r in node.personas))))
        add("owner", named("team", node.owner))
        marks = [w for w, on in (("entry", node.entry), ("micro-conversion", node.micro_conversion)) if on]
        if node.moment_of_truth:
            marks.append("moment of truth")
        add("marked", ", ".join(marks))
        add("next", ", ".join(f"`{r.id}`" for r in node.next))
    elif isinstance(node, m.Persona):
        add("role", _text(node.role))
        add("industry", _text(node.industry))
        add("location", _text(node.location))
        add("goals", "; ".join(markdown_text(g) for g in node.goals))
    elif isinstance(node, m.Stage):
        add("phase", node.phase)
        add("touchpoints", len(node.touchpoints) or None)
    elif isinstance(node, m.Channel):
        add("mode", node.mode)
        add("kind", node.kind)
        if node.untracked is not None:
            add("untracked", _text(node.untracked) or "yes")
    elif isinstance(node, m.Journey):
        add("version", _text(node.version))
        add("owner", named("team", node.owner))
        add("state", node.state)
    elif isinstance(node, m.Pain):
        add("severity", node.severity)
        add("cause", node.cause)
        add("at", f"`{node.at.id}`" if node.at is not None else None)
    elif isinstance(node, m.Opportunity):
        add("impact", node.impact)
        add("effort", node.effort)
        add("status", node.status)
        add("owner", named("team", node.owner))
    elif isinstance(node, m.Kpi):
        add("target", _text(node.target))
        add("funnel", " → ".join(f"`{r.id}`" for r in node.funnel))
        add("measures", ", ".join(f"`{r.id}`" for r in node.measures))
        add("owner", named("team", node.owner))
    elif isinstance(node, m.Metric):
        add("value", _number(node.value) if node.value is not None else None)
        add("target", _text(node.target))
        add("at", f"`{node.at.id}`" if node.at is not None else None)
    elif isinstance(node, m.Actor):
        add("team", named("team", node.team))
        add("partner", "outside the company" if node.partner else None)
    elif isinstance(node, m.System):
        add("owner", named("team", node.owner))
    description = getattr(node, "description", None)
    parts = [head]
    if facts:
        parts.append("  \n".join(facts))
    if description:
        parts.append(markdown_text(_first_paragraph(description)))
    parts.append(f"*{markdown_text(path)}*, line {decl.span.line}")
    return "\n\n".join(parts)


def _text(value: str | None) -> str | None:
    return markdown_text(value) if value else None


def _signed(value: float) -> str:
    return f"{value:+g}" if value else "0"


def _number(value: float) -> str:
    return f"{value:g}"


def _first_paragraph(text: str, limit: int = 300) -> str:
    first = text.strip().split("\n\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"
