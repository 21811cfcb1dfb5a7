"""Where the cursor is, read off the text before it: the blocks open around it and the
words of the attribute being written. The file is usually broken while someone
types, so this does not parse it: it cuts the text into the grammar's tokens and
follows the braces (pure, linear in the text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..language import table as language

#: The grammar's terminals (grammar/journey.lark; a test holds these to the shipped
#: parse tables), and two more: a string that is not closed yet, which the cursor may
#: be in, and any other character.
STRING = r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""|"(?:[^"\\\n\r]|\\[^\n\r])*"'
RULE_REF = r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+"
NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"
NAME = r"[A-Za-z_][A-Za-z0-9_]*"
COMMENT = r"#[^\n]*"
_TOKEN = re.compile(
    rf"(?P<rule>{RULE_REF})|(?P<string>{STRING})|(?P<open>\"\"\"[\s\S]*|\"[^\n\r]*)|(?P<number>{NUMBER})"
    rf"|(?P<name>{NAME})|(?P<comment>{COMMENT})|(?P<punct>->|\.\.|[{{}}(),])|(?P<space>\s+)|(?P<other>.)",
    re.S,
)

#: Blocks that may be written inside each block (`touchpoint` in a stage), by keyword.
NESTED: dict[str, tuple[str, ...]] = {
    b.keyword: tuple(a.keyword for a in b.attributes if a.kind == "block") for b in language.BLOCKS.values()
}
#: Declarations written at the top level of a file.
TOP_LEVEL = ("include", *(b.keyword for b in language.BLOCKS.values() if b.top_level))
NESTED[""] = TOP_LEVEL
#: The event block is the one block the language table does not list (its body is
#: properties): what may open a statement in it besides a property's name.
EVENT_WORDS = ("description", "when")
NESTED["event"] = ()


@dataclass(frozen=True)
class Token:
    kind: str  # name, rule, string, number, punct, comment, other
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class Frame:
    """An open block: its keyword ("" for the file itself, "?" when unknown) and id, and
    the keywords that begin its statements so far."""

    keyword: str
    id: str | None = None
    start: int = 0
    seen: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What completion needs: the innermost block, the words of the statement before the
    cursor, and the word being typed (``prefix``, from ``prefix_start``)."""

    frames: tuple[Frame, ...]
    statement: tuple[Token, ...]
    prefix: str
    prefix_start: int
    #: The cursor is inside a string or a comment: nothing to complete.
    inert: bool = False

    @property
    def frame(self) -> Frame:
        return self.frames[-1]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(t.text for t in self.statement)


def tokens(text: str) -> list[Token]:
    """The text cut into tokens, blanks left out."""
    out = []
    for mt in _TOKEN.finditer(text):
        kind = mt.lastgroup or "other"
        if kind != "space":
            out.append(Token(kind, mt.group(), mt.start()))
    return out


#: A line that opens a declaration at the top level, or a stage's touchpoint or pain
#: point, as the formatter writes them: where reading may start in a large file.
_RESTART = re.compile(rf"^(?:({'|'.join(TOP_LEVEL)})|  (touchpoint|pain))\b", re.M)
#: Files up to this many characters are read from the top; in larger ones, reading
#: starts at most this far before the cursor when such a line is there.
WHOLE = 64 * 1024


def at(text: str, offset: int) -> Context:
    """The context of the cursor at character ``offset`` of ``text``. In a large file,
    reading starts at the last line before the cursor that opens a declaration of the
    top level or of a stage (so completion costs the same wherever the cursor is)."""
    offset = max(0, min(offset, len(text)))
    start = 0
    frames = [Frame("")]
    if offset > WHOLE:
        for mt in _RESTART.finditer(text, offset - WHOLE, offset):
            start = mt.start()
            frames = [Frame("")] if mt.group(1) else [Frame(""), Frame("stage")]
    toks = tokens(text[start:offset])
    if start:
        toks = [Token(t.kind, t.text, t.start + start) for t in toks]
    prefix, prefix_start = "", offset
    if toks and toks[-1].end == offset:
        last = toks[-1]
        if last.kind in ("comment", "open"):
            return Context((Frame(""),), (), "", offset, inert=True)
        if last.kind in ("name", "rule"):
            prefix, prefix_start = last.text, last.start
            toks.pop()
        elif last.kind == "number" and last.text[:1] in "+-" and len(last.text) == 1:  # pragma: no cover
            pass
    statement: list[Token] = []
    previous: Token | None = None
    for tok in toks:
        if tok.kind == "comment":
            continue
        if tok.text == "{" and tok.kind == "punct":
            frames.append(Frame(_opened(frames[-1].keyword, statement), _id_of(statement), tok.start))
            statement = []
        elif tok.text == "}" and tok.kind == "punct":
            if len(frames) > 1:
                frames.pop()
            statement = []
        else:
            continued = previous is not None and previous.text in (",", "->") and previous.kind == "punct"
            if statement and not continued and "\n" in text[statement[-1].end : tok.start]:
                statement = []
            if not statement and tok.kind == "name":
                frames[-1].seen.append(tok.text)
            statement.append(tok)
        previous = tok
    # The word being typed on a new line starts a statement of its own.
    if statement and prefix_start > statement[-1].end:
        between = text[statement[-1].end : prefix_start]
        joined = statement[-1].kind == "punct" and statement[-1].text in (",", "->")
        if "\n" in between and not joined:
            statement = []
    return Context(tuple(frames), tuple(statement), prefix, prefix_start)


def _opened(outer: str, statement: list[Token]) -> str:
    """The keyword of the block a `{` opens: the nearest word before it that the outer
    block may hold as a block."""
    allowed = NESTED.get(outer, ())
    for tok in reversed(statement):
        if tok.kind == "name" and tok.text in allowed:
            return tok.text
    return "?"


def _id_of(statement: list[Token]) -> str | None:
    for i, tok in enumerate(statement[:-1]):
        if tok.kind == "name" and statement[i + 1].kind == "name":
            return statement[i + 1].text
    return None


@dataclass(frozen=True)
class Fold:
    start: int
    end: int
    kind: str  # "region" or "comment"


def folds(text: str) -> list[Fold]:
    """The blocks, multi-line strings and runs of comment lines that span lines, as
    offsets (the blocks matched by their braces, so a broken file folds too)."""
    out: list[Fold] = []
    stack: list[int] = []
    run: list[Token] = []

    def flush() -> None:
        if len(run) > 1:
            out.append(Fold(run[0].start, run[-1].start, "comment"))
        run.clear()

    for tok in tokens(text):
        if tok.kind == "comment":
            if run and text.count("\n", run[-1].end, tok.start) != 1:
                flush()
            run.append(tok)
            continue
        flush()
        if tok.kind == "punct" and tok.text == "{":
            stack.append(tok.start)
        elif tok.kind == "punct" and tok.text == "}" and stack:
            start = stack.pop()
            if "\n" in text[start : tok.start]:
                out.append(Fold(start, tok.start, "region"))
        elif tok.kind == "string" and "\n" in tok.text:
            out.append(Fold(tok.start, tok.end, "region"))
    flush()
    return sorted(out, key=lambda f: (f.start, f.end))
