"""Source positions.

A :class:`Span` says where a piece of a model came from. Model nodes keep their spans in
fields that equality ignores, so two models that mean the same are equal wherever they
were written (the formatter's and the semantic diff's checks rely on this).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import NamedTuple


class Span(NamedTuple):
    """A region of one source file. Lines and columns count from 1; columns count
    characters (code points), and ``end_column`` is exclusive.

    A named tuple rather than a frozen dataclass: the parser makes one for nearly every
    token, and a tuple is made four times faster. It is immutable, hashable and ordered
    the same way."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int = 0
    end: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def to(self, other: Span) -> Span:
        """The span from the start of ``self`` to the end of ``other``."""
        return Span(self.path, self.line, self.column, other.end_line, other.end_column, self.start, other.end)


NO_SPAN = Span("<generated>", 1, 1, 1, 1, 0, 0)


class LineIndex:
    """Maps character offsets of one text to line and column numbers."""

    __slots__ = ("_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def span(self, path: str, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(path, line, column, end_line, end_column, start, end)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        if not 1 <= line <= len(self._starts):
            return ""
        start = self._starts[line - 1]
        stop = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        return self.text[start:stop].rstrip("\r")
