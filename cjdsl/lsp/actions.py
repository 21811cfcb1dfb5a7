"""Code actions: the fixes the diagnostics already know, as edits of the current text
(pure).

* a "did you mean" in the help: write the suggestion instead;
* a block that is never closed (CJ004): add the `}`s, indented;
* a touchpoint or opportunity without an owner (CJ219), a touchpoint without a channel
  (CJ202): add `owner TEAM` / `channel ID` with each team or channel the journey has;
* any finding of a validator rule: add `allow RULE "..."` to the block it is about, with
  a reason to write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core import model as m
from ..core.strings import quote
from ..rules import find_rule
from . import context
from .symbols import Decl, Index

INDENT = "  "
#: The reason an added `allow` starts with: plainly a placeholder, so a reviewer sees it.
REASON = "TODO: say why the team accepts this"
#: At most this many stubs for one missing attribute (one per team or channel).
MAX_STUBS = 8


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Action:
    title: str
    edits: tuple[Edit, ...]
    preferred: bool = False


def actions(
    text: str, code: str, start: int, end: int, data: Mapping[str, Any] | None, index: Index | None, path: str
) -> list[Action]:
    """The fixes for one diagnostic of ``code`` at offsets ``start``..``end`` of the text."""
    data = data or {}
    out: list[Action] = []
    replacement = data.get("replace")
    if isinstance(replacement, str) and end <= len(text):
        out.append(Action(f"Change to `{data.get('suggestion', replacement)}`", (Edit(start, end, replacement),), True))
    close = data.get("close")
    if isinstance(close, dict):
        out.extend(_close(text, start, close))
    decl = _decl(index, path, text, start) if index is not None else None
    if decl is not None and index is not None:
        if code == "CJ219" and getattr(decl.node, "owner", False) is None:
            out.extend(_stubs(text, decl, "owner", index.visible(path, ("team",)), _journey_owner(index, path)))
        if code == "CJ202" and isinstance(decl.node, m.Touchpoint) and decl.node.channel is None:
            out.extend(_stubs(text, decl, "channel", index.visible(path, ("channel",)), None))
    r = find_rule(code)
    if r is not None and not r.core and code != "CJ250":
        target = decl if decl is not None else None
        if target is not None:
            line = f"allow {r.name} {quote(REASON)}"
            out.append(Action(f"Allow `{r.name}` here, saying why", _add_line(text, target, line)))
    return out


def _decl(index: Index, path: str, text: str, offset: int) -> Decl | None:
    """The innermost declaration at ``offset``, when the index has the current text of it."""
    decl = index.decl_at(path, offset)
    if decl is None or text[decl.span.start : decl.span.end] != decl.id:
        return None
    end = decl.node.spans.get("end")
    if end is not None and text[end.start : end.end] != "}":
        return None
    return decl


def _journey_owner(index: Index, path: str) -> str | None:
    for scope in index.scopes_of.get(path, ()):
        journey = scope.decls.get(("journey", scope.journey))
        owner = getattr(journey.node, "owner", None) if journey is not None else None
        if owner is not None:
            return str(owner.id)
    return None


def _stubs(text: str, decl: Decl, keyword: str, candidates: Sequence[Decl], first: str | None) -> list[Action]:
    ordered = sorted(candidates, key=lambda d: d.id != first)[:MAX_STUBS]
    return [
        Action(
            f"Add `{keyword} {d.id}`" + (f" ({d.label})" if d.label else ""),
            _add_line(text, decl, f"{keyword} {d.id}"),
            preferred=i == 0 and d.id == first,
        )
        for i, d in enumerate(ordered)
    ]


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _indent_of(text: str, offset: int) -> str:
    start = _line_start(text, offset)
    line = text[start:offset]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _add_line(text: str, decl: Decl, line: str) -> tuple[Edit, ...]:
    """``line`` as the last line of the declaration's block (a block is opened when the
    declaration has none)."""
    node = decl.node
    header = node.spans.get("header", node.span)
    indent = _indent_of(text, header.start)
    end = node.spans.get("end")
    if end is None:
        return (Edit(header.end, header.end, f" {{\n{indent}{INDENT}{line}\n{indent}}}"),)
    start = _line_start(text, end.start)
    if text[start : end.start].strip():
        # `}` shares its line with something: put the new line before it.
        return (Edit(end.start, end.start, f"\n{indent}{INDENT}{line}\n{indent}"),)
    return (Edit(start, start, f"{indent}{INDENT}{line}\n"),)


def _close(text: str, start: int, close: Mapping[str, Any]) -> list[Action]:
    if close.get("at") == "line":
        here = _line_start(text, start)
        depth = len(context.at(text, here).frames) - 1
        if depth < 1:
            return []
        indent = INDENT * (depth - 1)
        # After the block's last line, before any blank lines that lead to this one.
        after = len(text[:here].rstrip())
        return [Action("Add `}` before this line", (Edit(after, after, f"\n{indent}}}"),), True)]
    depth = len(context.at(text, len(text)).frames) - 1
    if depth < 1:
        return []
    lines = "".join(f"{INDENT * (d - 1)}}}\n" for d in range(depth, 0, -1))
    lead = "" if not text or text.endswith("\n") else "\n"
    title = "Add `}` at the end of the file" if depth == 1 else f"Add {depth} `}}`s at the end of the file"
    return [Action(title, (Edit(len(text), len(text), lead + lines),), True)]
