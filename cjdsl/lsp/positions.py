"""Source spans ⇄ LSP ranges.

A :class:`~cjdsl.core.span.Span` counts characters (code points) from the start of its
file; LSP counts lines from 0 and, within a line, code units of the encoding the client
and server agreed on (UTF-16 unless the client offers UTF-8 or UTF-32). Pure functions.
"""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types as lsp

from ..core.span import LineIndex, Span


def units(text: str, encoding: str) -> int:
    """How many code units of ``encoding`` the text takes."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def position(lines: LineIndex, offset: int, encoding: str) -> lsp.Position:
    """The LSP position of a character offset of the text ``lines`` indexes."""
    line, column = lines.position(offset)
    return lsp.Position(line - 1, units(lines.line_text(line)[: column - 1], encoding))


def to_range(span: Span, encoding: str) -> lsp.Range:
    return lsp.Range(position(span.lines, span.start, encoding), position(span.lines, span.end, encoding))


def offset(lines: LineIndex, pos: lsp.Position, encoding: str) -> int:
    """The character offset of an LSP position (clamped to the text)."""
    if pos.line >= lines.line_count:
        return len(lines.text)
    start = _line_start(lines, pos.line + 1)
    text = lines.line_text(pos.line + 1)
    if encoding == "utf-32" or text.isascii():
        return start + min(pos.character, len(text))
    seen = 0
    for i, ch in enumerate(text):
        if seen >= pos.character:
            return start + i
        seen += units(ch, encoding)
    return start + len(text)


def _line_start(lines: LineIndex, line: int) -> int:
    """The offset where a 1-based line starts: the first offset the index puts on it."""
    lo, hi = 0, len(lines.text)
    while lo < hi:
        mid = (lo + hi) // 2
        if lines.position(mid)[0] < line:
            lo = mid + 1
        else:
            hi = mid
    return lo


class Shift:
    """Offsets of an older version of a text in the current one, when they differ in one
    region (an edit being typed): before it they are the same, after it they move by the
    difference in length, inside it there is no answer. What the server uses while a file
    does not parse and its last version that did stands in for it."""

    def __init__(self, old: str, new: str) -> None:
        self.same = old == new
        self.delta = len(new) - len(old)
        self.prefix = self.suffix = 0
        if not self.same:
            self.prefix = _common(old, new, lambda n: old[:n] == new[:n])
            limit = min(len(old), len(new)) - self.prefix
            self.suffix = _common(old, new, lambda n: old[len(old) - n :] == new[len(new) - n :], limit)
        self.old_end = len(old) - self.suffix  # where the unchanged tail starts in the old text

    def forward(self, offset: int) -> int | None:
        """An offset of the old text in the new one."""
        if self.same or offset <= self.prefix:
            return offset
        if offset >= self.old_end:
            return offset + self.delta
        return None

    def backward(self, offset: int) -> int | None:
        """An offset of the new text in the old one."""
        if self.same or offset <= self.prefix:
            return offset
        if offset >= self.old_end + self.delta:
            return offset - self.delta
        return None


def _common(old: str, new: str, equal: Callable[[int], bool], limit: int | None = None) -> int:
    """The largest n (up to ``limit``) for which ``equal(n)`` holds, by bisection (each
    test one comparison of slices, done in C)."""
    lo, hi = 0, min(len(old), len(new)) if limit is None else limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if equal(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def end_position(lines: LineIndex, encoding: str) -> lsp.Position:
    """The position just past the last character of the text."""
    return position(lines, len(lines.text), encoding)
