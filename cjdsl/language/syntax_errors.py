"""Worded syntax errors.

Turns Lark's ``UnexpectedToken`` / ``UnexpectedCharacters`` into a diagnostic that says,
in words, what was found, what was expected, and which block is still open. No raw Lark
terminal name ever reaches the user: every terminal has a phrase in :data:`PHRASES`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..core.diagnostics import Diagnostic, Related, did_you_mean, make
from ..core.span import LineIndex, Span
from . import table as language

#: Declaration keywords and what their blocks are called in messages (the language table's).
BLOCKS = {**{b.keyword.upper(): b.noun for b in language.BLOCKS.values()}, "EVENT": "event"}
TOP_LEVEL = ["INCLUDE", *(b.keyword.upper() for b in language.BLOCKS.values() if b.top_level)]

#: Phrases for the non-keyword terminals.
PHRASES = {
    "NAME": "a name",
    "RULE_REF": "a rule name",
    "NUMBER": "a number",
    "STRING": "a string",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "COMMA": "`,`",
    "ARROW": "`->`",
    "DOTDOT": "`..`",
    "$END": "the end of the file",
}
#: The order in which expected words are listed (the grammar's own order for keywords).
_ORDER = [
    "INCLUDE",
    "JOURNEY",
    "PERSONA",
    "INTENT",
    "CHANNEL",
    "TEAM",
    "STAGE",
    "TOUCHPOINT",
    "PAIN",
    "OPPORTUNITY",
    "KPI",
    "EVENT",
    "ACTOR",
    "SYSTEM",
    "METRIC",
    "FRONTSTAGE",
    "BACKSTAGE",
    "QUOTE",
    "VERSION",
    "OWNER",
    "TAGS",
    "ROLE",
    "INDUSTRY",
    "AGE",
    "GENDER",
    "LOCATION",
    "GOAL",
    "NEED",
    "CONCERN",
    "INTEREST",
    "PHASE",
    "CONTEXT",
    "CUSTOMER_ACTION",
    "COMPANY_ACTION",
    "EMOTION",
    "RATING",
    "ENTRY",
    "MICRO_CONVERSION",
    "NEXT",
    "UNTRACKED",
    "AT",
    "SEVERITY",
    "CAUSE",
    "IMPACT",
    "EFFORT",
    "STATUS",
    "TARGET",
    "MEASURES",
    "FUNNEL",
    "REQUIRED",
    "MIN",
    "MAX",
    "PATTERN",
    "DESCRIPTION",
    "ALLOW",
    "FOR",
    "NAME",
    "RULE_REF",
    "STRING",
    "NUMBER",
    "LPAR",
    "RPAR",
    "COMMA",
    "ARROW",
    "DOTDOT",
    "LBRACE",
    "RBRACE",
    "$END",
]
# Attribute keywords the language table has and the list above does not name yet (a new
# attribute needs no edit here): before the value terminals, in the table's order.
_ORDER[_ORDER.index("NAME") : _ORDER.index("NAME")] = list(
    dict.fromkeys(
        k
        for k in (a.keyword.upper() for b in language.BLOCKS.values() for a in b.attributes if a.kind != "block")
        if k not in _ORDER and " " not in k
    )
)
_RANK = {name: i for i, name in enumerate(_ORDER)}

#: What each block takes, in the order the formatter prints it: from the language
#: table (a test checks these lists against the parser's tables).
BLOCK_ATTRS = {
    **{b.noun: [a.keyword for a in b.attributes] for b in language.BLOCKS.values()},
    "event": ["description", "when", "a property such as `plan_id string required`"],
}
#: What a name means after each keyword.
NAME_AFTER = {
    "JOURNEY": "the journey's id",
    "PERSONA": "a persona id",
    "INTENT": "an intent id",
    "CHANNEL": "a channel id",
    "TEAM": "a team id",
    "STAGE": "a stage id",
    "TOUCHPOINT": "a touchpoint id",
    "PAIN": "a pain point id",
    "OPPORTUNITY": "an opportunity id",
    "KPI": "a KPI id",
    "OWNER": "a team id",
    "NEXT": "a touchpoint id",
    "AT": "a touchpoint or stage id",
    "MEASURES": "a touchpoint id",
    "FUNNEL": "a touchpoint id",
    "ARROW": "a touchpoint id",
    "PHASE": "a lifecycle phase such as `awareness`",
    "SEVERITY": "a severity: low, medium, high or critical",
    "IMPACT": "an impact: low, medium or high",
    "EFFORT": "an effort: low, medium or high",
    "STATUS": "a status such as `planned`",
    "CAUSE": "a cause such as `product`",
    "ALLOW": "a rule name or code",
    "ACTOR": "an actor id",
    "SYSTEM": "a system id",
    "METRIC": "a metric id",
    "SUPPORT": "a system id",
    "DETAIL": "a journey id",
    "VARIANT_OF": "a journey id",
    "PART_OF": "a journey id",
    "STATE": "a state: current or future",
    "CONFIDENCE": "a confidence: observed, reported or assumed",
    "WHEN": "the name of a property of the event",
}
_KEYWORDS = {k.lower() for k in _ORDER if k.isupper() and k not in PHRASES and k != "RULE_REF"}


def _belongs(word: str) -> str | None:
    if word.upper() in TOP_LEVEL:
        return "at the top level of a file"
    homes = [kind for kind, attrs in BLOCK_ATTRS.items() if word in attrs]
    if not homes:
        return None
    return "inside " + " or ".join(_an(h) for h in homes)


def _an(noun: str) -> str:
    """The noun with its article: "a stage", "an actor", "an opportunity"."""
    return ("an " if noun[0] in "aeiou" else "a ") + noun


_CHAR_HINTS = {
    ":": "attributes are written `name value`, without `:`; for example `emotion +1`",
    "=": "attributes are written `name value`, without `=`; for example `rating 4`",
    ";": "no `;` is needed: put each attribute on its own line",
    "'": 'strings use double quotes: "like this"',
    "[": "lists are written without brackets, separated by commas: `next a, b`",
    "]": "lists are written without brackets, separated by commas: `next a, b`",
    "-": "ids use `_` rather than `-`, for example `blog_post`; a negative number is written `-1`",
    "/": "comments start with `#`",
}


def is_keyword(terminal: str) -> bool:
    return terminal.isupper() and terminal not in PHRASES and terminal != "RULE_REF"


def keyword(terminal: str) -> str:
    return terminal.lower()


def phrase(terminal: str) -> str:
    return PHRASES.get(terminal) or f"`{keyword(terminal)}`"


#: Control characters (but tab and line feed), as the builder refuses them in strings.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def clip(text: str, limit: int = 60) -> str:
    """A token or word as a message quotes it: cut with `…` when it is long, so a
    100 kB name is not repeated in full in each message about it, and with no control
    character to act on a terminal."""
    return _CONTROL.sub("\ufffd", text if len(text) <= limit else text[: limit - 1] + "…")


def found(tok: Token) -> str:
    kind = tok.type
    if kind == "$END":
        return "the end of the file"
    if kind == "NAME":
        return f"name `{clip(str(tok))}`"
    if kind == "NUMBER":
        return f"number `{clip(str(tok))}`"
    if kind == "STRING":
        text = str(tok).replace("\n", " ")
        return f"string {clip(text[:30], 30)}{'...' if len(text) > 30 else ''}"
    if kind == "RULE_REF":
        return f"`{clip(str(tok))}`"
    return f"`{clip(str(tok))}`"


def words(expected: set[str], limit: int = 8, kind: str | None = None) -> str:
    first = {a.upper(): i for i, a in enumerate(BLOCK_ATTRS.get(kind or "", []))}
    declarations = set(TOP_LEVEL) <= expected
    if declarations:
        expected = expected - set(TOP_LEVEL)
    names = sorted((e for e in expected if e in _RANK or is_keyword(e)), key=lambda e: (first.get(e, 99), _RANK.get(e, 999)))
    shown = [phrase(n) for n in names]
    if declarations:
        shown.append("a new declaration (`stage`, `persona`, ...)")
    if len(shown) > limit:
        shown = [*shown[:limit], "..."]
    if len(shown) <= 1:
        return "".join(shown) or "something else"
    if shown[-1] == "...":
        return ", ".join(shown)
    return ", ".join(shown[:-1]) + " or " + shown[-1]


@dataclass(frozen=True, slots=True)
class OpenBlock:
    kind: str
    id: str | None
    keyword: Token
    brace: Token


def open_blocks(e: UnexpectedInput) -> list[OpenBlock]:
    """The blocks whose `{` the parser has shifted but not yet closed, outermost first."""
    stack = getattr(getattr(e, "interactive_parser", None), "parser_state", None)
    values: list[Any] = list(getattr(stack, "value_stack", []) or [])
    blocks: list[OpenBlock] = []
    last_kw: Token | None = None
    last_id: str | None = None
    for v in values:
        if not isinstance(v, Token):
            continue
        if v.type == "RBRACE" and blocks:
            blocks.pop()
        elif v.type in BLOCKS:
            last_kw, last_id = v, None
        elif v.type in ("NAME", "STRING") and last_kw is not None and last_id is None:
            last_id = str(v) if v.type == "NAME" else str(v).strip('"')
        elif v.type == "LBRACE" and last_kw is not None:
            blocks.append(OpenBlock(BLOCKS[last_kw.type], last_id, last_kw, v))
            last_kw, last_id = None, None
    return blocks


def previous_token(e: UnexpectedInput) -> Token | None:
    stack = getattr(getattr(e, "interactive_parser", None), "parser_state", None)
    values = list(getattr(stack, "value_stack", []) or [])
    if values and isinstance(values[-1], Token):
        return values[-1]
    return None


def _pos(value: int | None, default: int) -> int:
    return value if value is not None else default


def _span(path: str, lines: LineIndex, start: int, end: int) -> Span:
    return lines.span(path, start, max(end, start))


def _where(block: OpenBlock) -> str:
    name = f" `{clip(block.id)}`" if block.id else ""
    return f"{block.kind}{name}"


def describe(e: UnexpectedInput, text: str, path: str, lines: LineIndex) -> Diagnostic:
    if isinstance(e, UnexpectedCharacters):
        return _characters(e, text, path, lines)
    assert isinstance(e, UnexpectedToken)
    return _token(e, text, path, lines)


def _characters(e: UnexpectedCharacters, text: str, path: str, lines: LineIndex) -> Diagnostic:
    pos = e.pos_in_stream or 0
    ch = text[pos] if pos < len(text) else ""
    span = _span(path, lines, pos, pos + 1)
    blocks = open_blocks(e)
    inside = f" in {_where(blocks[-1])}" if blocks else ""
    if ch == '"':
        triple = text.startswith('"""', pos) or text[max(0, pos - 2) : pos + 1] == '"""'
        pos = pos - 2 if triple and not text.startswith('"""', pos) else pos
        newline = text.find("\n", pos)  # never a copy of the rest of the text
        end = len(text) if triple or newline == -1 else newline
        return make(
            "CJ002",
            "this multi-line string is never closed" if triple else "this string is not closed on its line",
            _span(path, lines, pos, min(end, pos + 80)),
            help='close it with `"""`'
            if triple
            else 'close it with `"` on the same line, or use `"""` for text over several lines',
        )
    expected = parser_expects(e) or set(e.allowed or ())
    if ch.isalpha() and not ch.isascii():
        start = pos
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        stop = pos
        while stop < len(text) and (text[stop].isalnum() or text[stop] == "_"):
            stop += 1
        word = clip(text[start:stop])
        before = previous_token(e)
        if before is not None and before.type in BLOCKS:
            example = f'for example `{before} {_ascii(word)} "{word[:1].upper() + word[1:]}"`'
        else:
            example = f"for example `{_ascii(word)}`"
        return make(
            "CJ003",
            f"`{word}` is not a valid id{inside}: ids use ASCII letters, digits and `_`",
            _span(path, lines, start, stop),
            help=f"keep the id ASCII and put the text in the label, {example}",
        )
    shown = (
        f"`{ch}`"
        if ch.isprintable() and not ch.isspace()
        else f"U+{ord(ch):04X} ({unicodedata.name(ch, 'control character').lower()})"
    )
    hint = _CHAR_HINTS.get(ch)
    prev = previous_token(e)
    if ch in ":=" and prev is not None and is_keyword(prev.type):
        hint = f"attributes are written `name value`, without `{ch}`: `{prev} ...`"
    message = f"unexpected character {shown}{inside}"
    if expected:
        message += f"; expected {words(expected, kind=blocks[-1].kind if blocks else None)}"
    return make("CJ003", message, span, help=hint or "remove it, or put it inside a quoted string")


def _ascii(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.replace("ł", "l").replace("Ł", "L"))
    out = "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c == "_")).lower()
    return out or "my_id"


def parser_expects(e: UnexpectedInput) -> set[str] | None:
    """The terminals the parser can really take next. (Lark's own ``expected`` holds
    what the lexer always tries, and an LALR state's look-aheads merge contexts; trying
    each terminal on a copy of the parser is exact.)"""
    ip = getattr(e, "interactive_parser", None)
    if ip is None:
        return None
    try:
        return {t for t in ip.accepts() if t.isupper() or t == "$END"}
    except Exception:  # fall back to Lark's own set
        return None


def _token(e: UnexpectedToken, text: str, path: str, lines: LineIndex) -> Diagnostic:
    tok = e.token
    expected_all = parser_expects(e) or set(e.expected or ())
    expected = expected_all - {"$END"} if tok.type != "$END" else expected_all
    blocks = open_blocks(e)
    inner = blocks[-1] if blocks else None
    prev = previous_token(e)

    # The file ends inside a block.
    if tok.type == "$END" and blocks:
        end = _span(path, lines, len(text), len(text))
        b = blocks[-1]
        return make(
            "CJ004",
            f"{_where(b)} is never closed",
            _span(path, lines, b.keyword.start_pos or 0, b.brace.end_pos or 0),
            help=f"add `}}` to close the {b.kind}"
            + (f" (and {len(blocks) - 1} more `}}` for the blocks around it)" if len(blocks) > 1 else ""),
            related=[Related(end, "the file ends here")],
        )

    tok_span = (
        _span(path, lines, _pos(tok.start_pos, len(text)), _pos(tok.end_pos, len(text)))
        if tok.type != "$END"
        else _span(path, lines, len(text), len(text))
    )

    as_keyword = str(tok).upper() if tok.type == "NAME" and str(tok) in _KEYWORDS else tok.type
    # A declaration keyword where the open block cannot take it: a missing `}`.
    if inner is not None and as_keyword in TOP_LEVEL and as_keyword not in expected_all:
        return make(
            "CJ004",
            f"`{clip(str(tok))}` cannot appear inside {_where(inner)}",
            tok_span,
            help=f"{_where(inner)} (opened on line {inner.keyword.line}) is not closed: add `}}` before this line",
            related=[
                Related(_span(path, lines, inner.keyword.start_pos or 0, inner.brace.end_pos or 0), f"{inner.kind} opened here")
            ],
        )

    # `next a b`, `persona anna piotr`: a list whose comma is missing.
    if (
        tok.type == "NAME"
        and "COMMA" in expected
        and prev is not None
        and prev.type == "NAME"
        and prev.line == tok.line
        and str(tok).lower() not in _KEYWORDS
    ):
        return make(
            "CJ001",
            f"`{clip(str(tok))}` follows `{clip(str(prev))}` without a comma",
            tok_span,
            help=f"lists take commas: `{clip(str(prev))}, {clip(str(tok))}`",
        )

    keywords = {x for x in expected if is_keyword(x)}
    at_attribute = "RBRACE" in expected and len(keywords) >= 2
    # An unknown word where an attribute (or a declaration) was expected.
    if tok.type in ("NAME", "RULE_REF") or (is_keyword(tok.type) and tok.type not in expected):
        word = clip(str(tok))
        home = _belongs(word) if word in _KEYWORDS else None
        if inner is not None and at_attribute and "NAME" not in expected:
            kind = inner.kind
            takes = [a for a in BLOCK_ATTRS.get(kind, []) if a.upper() in keywords or " " in a]
            if home:
                return make(
                    "CJ001",
                    f"`{word}` is not an attribute of {_an(kind)}",
                    tok_span,
                    help=f"`{word}` belongs {home}; {_an(kind)} takes " + _list(takes),
                )
            suggestion = did_you_mean(word, [keyword(k) for k in keywords])
            return make(
                "CJ001",
                f"unknown {kind} attribute `{word}`",
                tok_span,
                help=(suggestion + " " if suggestion else "") + f"{_an(kind)} takes " + _list(takes),
            )
        if inner is None and not expected - set(TOP_LEVEL):
            if home:
                return make(
                    "CJ001", f"`{word}` cannot appear at the top level of a file", tok_span, help=f"`{word}` belongs {home}"
                )
            suggestion = did_you_mean(word, [keyword(k) for k in TOP_LEVEL])
            return make(
                "CJ001",
                f"expected a declaration such as `journey`, `persona` or `stage`, found {found(tok)}",
                tok_span,
                help=suggestion or "a file holds declarations: " + _list([keyword(k) for k in TOP_LEVEL]),
            )

    # Everything else: "expected X after `y`, found z (in touchpoint `t`)".
    after = f" after `{prev}`" if prev is not None and prev.type not in ("NAME", "STRING", "NUMBER") else ""
    if prev is not None and prev.type == "NAME" and prev.type not in BLOCKS:
        after = f" after `{clip(str(prev))}`"
    inside = f" in {_where(inner)}" if inner is not None else ""
    wanted = words(expected, kind=inner.kind if inner else None)
    if expected == {"NAME"} and prev is not None and prev.type in NAME_AFTER:
        wanted = NAME_AFTER[prev.type]
    elif expected == {"NUMBER", "FOR"}:  # `emotion` or `rating`, with or without `for PERSONA`
        wanted = "a number"
    elif expected == {"NAME", "DOTDOT"}:  # after the number of a time
        wanted = "a unit of time (s, min, h, d, w or mo) or `..`"
    elif expected == {"NAME"} and prev is not None and prev.type == "NAME" and inner is not None and inner.kind == "event":
        wanted, after = f"the type of property `{clip(str(prev))}`", ""
    message = f"expected {wanted}{after}, found {found(tok)}{inside}"
    help_text = _token_hint(tok, expected, prev)
    if expected == {"NAME"} and prev is not None and prev.type in BLOCKS and tok.type in ("LBRACE", "STRING"):
        help_text = f'write the id first: `{prev} my_id "Label" {{`' if tok.type == "LBRACE" else help_text
    return make("CJ001", message, tok_span, help=help_text)


def _list(items: list[str]) -> str:
    shown = [i if i.startswith("a ") else f"`{i}`" for i in items]
    return ", ".join(shown[:-1]) + " or " + shown[-1] if len(shown) > 1 else "".join(shown)


def _token_hint(tok: Token, expected: set[str], prev: Token | None) -> str | None:
    if expected == {"NAME", "DOTDOT"}:
        return "a time is a number and a unit: `duration 18 min`, `wait 3 d`, a range `3..6 mo`"
    if expected == {"DOTDOT"}:
        return "a scale is two numbers with `..` between them: `scale 1..5`"
    if expected == {"NAME"} and prev is not None and prev.type == "NAME":
        return 'a property is `name type`; types: string, integer, number, boolean, datetime, enum("a", "b"), list(string)'
    if expected in ({"NUMBER"}, {"NUMBER", "FOR"}) and prev is not None:
        examples = {
            "EMOTION": "`emotion +1` (from -2 to +2)",
            "RATING": "`rating 4` (from 1 to 5)",
            "AGE": "`age 38`",
            "MIN": "`min 0`",
            "MAX": "`max 100`",
        }
        return f"write {examples.get(prev.type, 'a number')}"
    if expected == {"STRING"} or ("STRING" in expected and tok.type == "NAME" and len(expected) <= 3):
        return f'text goes in double quotes: "{clip(str(tok))}"' if tok.type == "NAME" else 'text goes in double quotes: "..."'
    if "NAME" in expected and tok.type == "STRING":
        return "ids are written without quotes; quotes are for labels and text"
    if "NAME" in expected and is_keyword(tok.type):
        return f"`{clip(str(tok))}` is a keyword here; choose another id"
    if tok.type == "LBRACE" and "LBRACE" not in expected:
        return 'a block opens right after the declaration\'s header, for example `touchpoint demo "Books a demo" {`'
    return None
