"""Source positions.

A :class:`Span` says where a piece of a model came from: a path and two character
offsets, plus the :class:`LineIndex` of the file's text, shared by all of the file's spans,
which turns the offsets into lines and columns when somebody asks (a diagnostic, a link
in the site). The parser makes a span for nearly every token and most are never shown,
so positions are computed on demand rather than kept: this saves the parser a third of
its work on lines and columns, and the model a third of its memory on spans (the same
design as ruff's ``TextRange`` and ``LineIndex``).

Model nodes keep their spans in fields that equality ignores, so two models that mean
the same are equal wherever they were written (the formatter's and the semantic diff's
checks rely on this).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import NamedTuple


class LineIndex:
    """Maps character offsets of one text to line and column numbers.

    Two indexes are equal when their texts are, so spans from two parses of the same
    text compare equal."""

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

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, LineIndex) and self.text == other.text)

    def __lt__(self, other: LineIndex) -> bool:
        return self.text < other.text

    def __hash__(self) -> int:
        return hash(self.text)  # a string keeps its hash: computed once per text

    def __repr__(self) -> str:
        return f"LineIndex(<{len(self.text)} characters, {len(self._starts)} lines>)"

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def span(self, path: str, start: int, end: int) -> Span:
        return Span(path, start, end, self)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break."""
        if not 1 <= line <= len(self._starts):
            return ""
        start = self._starts[line - 1]
        stop = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        return self.text[start:stop].rstrip("\r")


_EMPTY = LineIndex("")


class Span(NamedTuple):
    """A region of one source file: character offsets ``start`` (inclusive) and ``end``
    (exclusive), and the :class:`LineIndex` of the file's text. ``line``, ``column``, ``end_line``
    and ``end_column`` count from 1; columns count characters (code points), and
    ``end_column`` is exclusive.

    A named tuple rather than a frozen dataclass: the parser makes one for nearly every
    token, and a tuple is made four times faster. It is immutable, hashable and ordered
    by path, then offsets."""

    path: str
    start: int = 0
    end: int = 0
    lines: LineIndex = _EMPTY

    @staticmethod
    def at(path: str, line: int, column: int, end_line: int | None = None, end_column: int | None = None) -> Span:
        """A span given by line and column, for a place in a text that is not at hand (a
        file too big to read, bytes that are not UTF-8). Its offsets index a stand-in
        text of blanks with the same lines and columns."""
        end_line = line if end_line is None else end_line
        end_column = column + 1 if end_column is None else end_column
        head = "\n" * (line - 1) + " " * (column - 1)
        if end_line == line:
            tail = " " * max(0, end_column - column)
        else:
            tail = "\n" * (end_line - line) + " " * (end_column - 1)
        return Span(path, len(head), len(head) + len(tail), LineIndex(head + tail))

    @property
    def line(self) -> int:
        return self.lines.position(self.start)[0]

    @property
    def column(self) -> int:
        return self.lines.position(self.start)[1]

    @property
    def end_line(self) -> int:
        return self.lines.position(self.end)[0]

    @property
    def end_column(self) -> int:
        return self.lines.position(self.end)[1]

    def __str__(self) -> str:
        line, column = self.lines.position(self.start)
        return f"{self.path}:{line}:{column}"

    def __repr__(self) -> str:
        line, column = self.lines.position(self.start)
        end_line, end_column = self.lines.position(self.end)
        return f"Span({self.path!r}, {line}:{column}-{end_line}:{end_column}, offsets {self.start}-{self.end})"

    def to(self, other: Span) -> Span:
        """The span from the start of ``self`` to the end of ``other``."""
        return Span(self.path, self.start, other.end, self.lines)


NO_SPAN = Span("<generated>")
