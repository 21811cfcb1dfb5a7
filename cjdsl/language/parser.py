"""Source text → :class:`~cjdsl.core.model.Document`, with coded syntax diagnostics.

Lark's LALR(1) parser with the contextual lexer calls :class:`~cjdsl.language.builder.Builder`
on every reduction, so no parse tree is built. A file is first parsed by
:mod:`cjdsl.language.fastpath`, which drives Lark's own tables with a tighter loop; a file it
rejects has a syntax error and goes through Lark's loop, whose errors are turned into
worded diagnostics by :mod:`cjdsl.language.syntax_errors`. That loop recovers by dropping tokens
and reports further errors once it has made progress again.
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..core import model as m
from ..core import packaged
from ..core.diagnostics import Diagnostic, make
from ..core.span import LineIndex
from . import fastpath
from .builder import Builder

if TYPE_CHECKING:
    from lark import Lark, Token
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput

#: Parsing stops after this many syntax errors in one file.
MAX_SYNTAX_ERRORS = 20
#: Parsing also stops after this many recoveries in one file, reported or not. Only an
#: error after the parser took a token again, on a new line, is reported; the others
#: (each further character of junk, each token dropped on the way back into step) cost
#: Lark two exceptions and a resumed parse each, some 20 µs: without this bound a file
#: of junk cost 10-20 s per MB however few errors it showed.
MAX_RECOVERIES = 1000


class _NameEverywhere:
    """Lark post-lexer whose only job is ``always_accept``: the lexer tries ``NAME`` in
    every parser state, so a keyword needs a word boundary (``journeyfoo`` is one
    name) and an unknown word is reported as such."""

    always_accept = ("NAME",)

    def process(self, stream: Any) -> Any:
        return stream


def grammar_text() -> str:
    """The grammar: shipped inside the package, or beside it in a source checkout."""
    return packaged.grammar()


def make_lark(*, strict: bool = False, transformer: Any = None, **options: Any) -> Lark:
    from lark import Lark

    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        postlex=_NameEverywhere(),
        transformer=transformer,
        strict=strict,
        maybe_placeholders=False,
        **options,
    )


@dataclass(frozen=True, slots=True)
class Comment:
    """A ``# comment`` with its position, kept for the formatter."""

    text: str
    line: int
    column: int
    offset: int


@dataclass(frozen=True, slots=True)
class ParseResult:
    document: m.Document | None  # None when the file has syntax errors
    diagnostics: tuple[Diagnostic, ...]
    comments: tuple[Comment, ...]
    lines: LineIndex


def cache_path() -> str | None:
    """Where Lark may keep the parser tables between runs (0.3 s saved at start-up), or
    None. Lark's cache is a pickle, so :func:`cjdsl.fs.user_cache_file` gives a file
    only in a folder of the user's own that no one else can write, never the shared
    temporary folder; ``CJDSL_NO_CACHE=1`` turns it off. The one file system access of
    the parse stage: Lark itself reads and writes the file when it is given one."""
    import lark

    from .. import fs

    key = hashlib.sha256(f"{grammar_text()}|{lark.__version__}|{sys.version_info[:2]}".encode()).hexdigest()[:20]
    return fs.user_cache_file(f"parser-{key}.lark")


def grammar_sha256() -> str:
    return hashlib.sha256(grammar_text().encode("utf-8")).hexdigest()


def shipped_tables() -> dict[str, Any] | None:
    """The parse tables shipped in the package (``cjdsl/language/parse_tables.json``), or None
    when they are missing, of another format, or made from another grammar (someone
    edited the grammar and has not run ``CJDSL_UPDATE_GOLDEN=1 pytest tests/test_fastpath.py``)."""
    try:
        data: dict[str, Any] = json.loads(packaged.text("language", "parse_tables.json"))
    except (OSError, ValueError):
        return None
    if data.get("format") != fastpath.FORMAT or data.get("grammar_sha256") != grammar_sha256():
        return None
    return data


class _Parser:
    """The fast path with the shipped tables; Lark itself is loaded only when a file
    has a syntax error (or the tables are stale)."""

    def __init__(self) -> None:
        self.builder = Builder()
        self._lark: Lark | None = None
        data = shipped_tables()
        if data is None:
            data = fastpath.export(self.lark, grammar_sha256())
        self.tables = fastpath.load(data, self.builder)
        self.lock = threading.Lock()

    @property
    def lark(self) -> Lark:
        if self._lark is None:
            options: dict[str, Any] = {"transformer": self.builder, "lexer_callbacks": {"COMMENT": self._comment}}
            cache = cache_path()
            try:
                self._lark = make_lark(cache=cache or False, **options)
            except Exception:  # a damaged cache: build the tables afresh
                self._lark = make_lark(**options)
        return self._lark

    def _comment(self, tok: Token) -> Token:
        self.builder.comments.append(tok)  # type: ignore[arg-type]  # the same attributes
        return tok

    def parse(self, text: str, path: str, fast: bool = True) -> ParseResult:
        # The parse allocates many small objects and no cycles worth collecting: pausing
        # the cyclic garbage collector saves about a quarter of the time on big files.
        paused = gc.isenabled()
        with self.lock:
            gc.disable()
            try:
                if fast:
                    return self._parse(text, path)
                lines = LineIndex(text)
                self.builder.begin(path, lines)
                return self._parse_with_lark(text, path, lines)
            finally:
                if paused:
                    gc.enable()

    def _parse(self, text: str, path: str) -> ParseResult:
        builder = self.builder
        lines = LineIndex(text)
        builder.begin(path, lines)
        try:
            items = fastpath.parse(text, self.tables, builder.comments)
        except fastpath.Rejected:  # a syntax error: Lark's loop recovers and words it
            builder.begin(path, lines)
            return self._parse_with_lark(text, path, lines)
        document = m.Document(path, tuple(items), span=lines.span(path, 0, len(text)))
        return ParseResult(document, tuple(builder.diagnostics), _comments(builder.comments, lines), lines)

    def _parse_with_lark(self, text: str, path: str, lines: LineIndex) -> ParseResult:
        from lark.exceptions import UnexpectedCharacters, UnexpectedToken

        from .syntax_errors import describe

        builder = self.builder
        parser = self.lark
        errors: list[Diagnostic] = []
        last = [-1, 0]  # where the last error ended; the line of the last reported one
        recoveries = [0]

        def on_error(e: UnexpectedInput) -> bool:
            start, end = _extent(e, len(text))
            line = getattr(e, "line", 0)
            recoveries[0] += 1
            if recoveries[0] > MAX_RECOVERIES:
                errors.append(
                    make(
                        "CJ008",
                        f"stopped after {MAX_RECOVERIES:,} places in this file that do not parse; "
                        "there may be more errors from here on",
                        lines.span(path, start, min(end, len(text))),
                        help="is this a .journey file? fix the first errors and run again",
                    )
                )
                return False
            # Report an error only when the parser took some token since the last one
            # (else it is still the same problem), and at most one per line: later errors
            # on the same line are usually echoes of the first.
            moved = last[0] < 0 or not _LAYOUT.fullmatch(text, last[0], start)
            last[0] = end
            if moved and (line != last[1] or not errors):
                last[1] = line
                if len(errors) >= MAX_SYNTAX_ERRORS:  # one more than the limit: stop here
                    errors.append(
                        make(
                            "CJ008",
                            f"stopped after {MAX_SYNTAX_ERRORS} syntax errors in this file; there are more from here on",
                            lines.span(path, start, min(end, len(text))),
                            help="fix the first errors and run again",
                        )
                    )
                    return False
                errors.append(describe(e, text, path, lines))
            if isinstance(e, UnexpectedCharacters):
                _skip_word(e, text)
            is_end = isinstance(e, UnexpectedToken) and e.token.type == "$END"
            return not is_end

        items: list[m.Item] | None = None
        try:
            items = parser.parse(text, on_error=on_error)  # type: ignore[assignment]
        except (UnexpectedCharacters, UnexpectedToken) as e:
            if not errors:
                errors.append(describe(e, text, path, lines))
        comments = _comments(builder.comments, lines)
        # Checks the builder made on text rebuilt after a syntax error would only echo it.
        diagnostics = tuple(errors) if errors else tuple(builder.diagnostics)
        if errors or items is None:
            return ParseResult(None, diagnostics, comments, lines)
        document = m.Document(path, tuple(items), span=lines.span(path, 0, len(text)))
        return ParseResult(document, diagnostics, comments, lines)


def _comments(tokens: list[Any], lines: LineIndex) -> tuple[Comment, ...]:
    return tuple(Comment(str(t), *lines.position(t.start_pos or 0), t.start_pos or 0) for t in tokens)


_LAYOUT = re.compile(r"(?:\s|#[^\n]*)*")


def _extent(e: UnexpectedInput, size: int) -> tuple[int, int]:
    """The offsets of the token or character an error is about."""
    from lark.exceptions import UnexpectedToken

    if isinstance(e, UnexpectedToken):
        tok = e.token
        if tok.type == "$END":
            return size, size
        start = tok.start_pos if tok.start_pos is not None else 0
        return start, tok.end_pos if tok.end_pos is not None else start
    start = e.pos_in_stream or 0
    return start, start + 1


def _skip_word(e: UnexpectedCharacters, text: str) -> None:
    """Resumes after the whole of what a bad character starts: the rest of a word (a
    non-ASCII id), the rest of the line (an unclosed string) or of the file (an
    unclosed multi-line string)."""
    pos = e.pos_in_stream or 0
    if pos >= len(text):
        return
    if text[pos] == '"':
        triple = text.startswith('"""', pos) or text[max(0, pos - 2) : pos + 1] == '"""'
        newline = text.find("\n", pos)
        stop = len(text) if triple or newline == -1 else newline
    elif text[pos].isalnum():
        stop = pos
        while stop < len(text) and (text[stop].isalnum() or text[stop] == "_"):
            stop += 1
    else:
        return
    try:
        e.interactive_parser.lexer_thread.state.line_ctr.feed(text[pos:stop])  # type: ignore[union-attr]
    except AttributeError:  # pragma: no cover - Lark internals moved; fall back to one char
        pass


@lru_cache(maxsize=1)
def _parser() -> _Parser:
    return _Parser()


def parse(text: str, path: str = "<string>", *, fast: bool = True) -> ParseResult:
    """Parses one file's text. Never raises for bad input: problems are diagnostics.
    ``fast=False`` skips the fast path (the tests compare the two)."""
    return _parser().parse(text, path, fast)
