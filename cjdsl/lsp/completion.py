"""Completion: the keywords a block takes where a statement starts (from the language
table, in its order, with each attribute's doc line), the ids of the right kind after
a reference (with their labels), rule names after `allow`, and the words of the
closed vocabularies (phases, severities, property types, units of time ...).
Pure: reads the text before the cursor and an :class:`~cjdsl.lsp.symbols.Index`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core import vocabulary as v
from ..language import table as language
from ..rules import all_rules
from .context import EVENT_WORDS, NESTED, TOP_LEVEL, Context
from .symbols import ANY, RULE, Decl, Index

#: The closed vocabulary of each `word` attribute of the language table (a test holds
#: this to the table), and of the words in declarations' headers.
WORDS: dict[str, tuple[str, ...]] = {
    "state": v.STATES,
    "confidence": v.CONFIDENCES,
    "severity": v.SEVERITIES,
    "cause": v.CAUSES,
    "impact": v.LEVELS,
    "effort": v.LEVELS,
    "status": v.STATUSES,
    "phase": v.PHASES,
}
#: What may follow a property's type in an event.
PROPERTY_MODIFIERS = ("required", "min", "max", "pattern")


@dataclass(frozen=True)
class Item:
    """One completion: the text, what it is (``keyword``, ``value``, a declaration's kind
    or ``rule``), a short detail (a label, a doc line) and a snippet when it has one."""

    label: str
    kind: str
    detail: str | None = None
    snippet: str | None = None
    decl: Decl | None = None


def complete(ctx: Context, index: Index | None, path: str) -> list[Item]:
    if ctx.inert:
        return []
    keyword = ctx.frame.keyword
    words = ctx.words
    if not words:
        return _statement_starts(ctx)
    first = words[0]
    last = words[-1]
    if keyword == "event":
        if first in EVENT_WORDS:
            return []
        if len(words) == 1 and ctx.statement[0].kind == "name":
            return [Item(t, "value", "property type") for t in v.PROPERTY_TYPES]
        if ctx.statement[-1].kind in ("name", "punct") and last not in PROPERTY_MODIFIERS and last != "(":
            return [Item(mod, "keyword", "property modifier") for mod in PROPERTY_MODIFIERS]
        return []
    if keyword == "" or first in NESTED.get(keyword, ()):
        return _header(first, words)
    block = language.BLOCKS.get(keyword)
    if block is None:
        return []
    attribute = block.attribute(first)
    if attribute is None and first in ("emotion", "rating"):
        attribute = block.attribute(f"{first} for")
        if attribute is not None and words == (first,):
            return [Item("for", "keyword", attribute.doc)]
        if attribute is not None and words == (first, "for"):
            return _ids(index, path, ("persona",))
        return []
    if attribute is None:
        return []
    if attribute.kind == "allow":
        if "for" in words:
            return _ids(index, path, ("persona",)) if last in ("for", ",") else []
        if last in ("allow", ","):
            return _rules()
        return [Item("for", "keyword", "narrow it to findings about some ids")] if ctx.statement[-1].kind != "string" else []
    if attribute.kind == "word":
        return [Item(w, "value", attribute.doc) for w in WORDS.get(first, ())] if len(words) == 1 else []
    if attribute.kind == "time":
        if ctx.statement[-1].kind == "number":
            return [Item(u, "value", "unit of time") for u in v.TIME_UNITS]
        return []
    kinds = tuple(attribute.target.split(" or ")) if attribute.target else ()
    if attribute.kind == "block" and len(attribute.fields) == 2 and len(words) == 1:
        kinds = (attribute.keyword,)  # `opportunity ID`: one declared at top level
    if not kinds:
        return []
    if (attribute.kind == "ref" and len(words) == 1) or (attribute.kind in ("refs", "block") and last in (first, ",")):
        return _ids(index, path, kinds)
    if attribute.kind == "chain" and last in (first, "->"):
        return _ids(index, path, kinds)
    return []


def _statement_starts(ctx: Context) -> list[Item]:
    """The keywords that may begin a statement in the innermost block."""
    keyword = ctx.frame.keyword
    if keyword == "":
        return [_block_item(k) for k in TOP_LEVEL]
    if keyword == "event":
        return [Item(w, "keyword", "of the event") for w in EVENT_WORDS]
    block = language.BLOCKS.get(keyword)
    if block is None:
        return []
    seen = set(ctx.frame.seen)
    out: list[Item] = []
    for a in block.attributes:
        if a.kind == "block":
            out.append(_block_item(a.keyword, a.doc))
        elif a.repeats or a.merges or a.keyword.split()[0] not in seen:
            out.append(Item(a.keyword, "keyword", a.doc))
    return out


def _block_item(keyword: str, doc: str | None = None) -> Item:
    if keyword == "include":
        return Item("include", "keyword", "Reads another file's declarations.", 'include "${1:shared.journey}"')
    block = language.BLOCKS.get(keyword)
    noun = block.noun if block is not None else keyword
    detail = doc or f"Declares {'an' if noun[0] in 'aeiou' else 'a'} {noun}."
    if keyword in ("frontstage", "backstage", "quote"):
        return Item(keyword, "block", detail, f'{keyword} "${{1:text}}" {{\n\t$0\n}}')
    if keyword == "event":
        return Item(keyword, "block", detail, 'event "${1:Object Action}" {\n\t$0\n}')
    return Item(keyword, "block", detail, f'{keyword} ${{1:id}} "${{2:Label}}" {{\n\t$0\n}}')


def _header(first: str, words: Sequence[str]) -> list[Item]:
    """Inside a declaration's header: a stage's `phase`, a channel's mode and kind."""
    last = words[-1]
    if first == "stage":
        if last == "phase":
            return [Item(p, "value", "lifecycle phase") for p in v.PHASES]
        return [Item("phase", "keyword", "The lifecycle phase of the stage.")] if len(words) >= 2 else []
    if first == "channel" and len(words) >= 2:
        if last in v.CHANNEL_KINDS:
            return []
        modes = [] if last in v.CHANNEL_MODES else [Item(mode, "value", "channel mode") for mode in v.CHANNEL_MODES]
        return modes + [Item(k, "value", "channel kind") for k in v.CHANNEL_KINDS]
    return []


def _ids(index: Index | None, path: str, kinds: Sequence[str]) -> list[Item]:
    if index is None:
        return []
    wanted = ("persona",) if tuple(kinds) == (ANY,) else kinds
    return [Item(d.id, d.kind, d.label, decl=d) for d in index.visible(path, wanted)]


def _rules() -> list[Item]:
    return [Item(r.name, RULE, f"{r.code}: {r.summary}") for r in all_rules().values() if not r.core]
