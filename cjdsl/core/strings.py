"""String literals: decoding what the lexer matched, and quoting for the formatter.

Two forms:
* ``"one line"`` with escapes ``\\"`` ``\\\\`` ``\\n`` ``\\t`` ``\\r`` ``\\u{1F600}``;
* ``\"\"\"several lines\"\"\"``: a line break right after the opening quotes is dropped,
  the indentation common to all non-blank lines is removed, and the line holding the
  closing quotes is dropped when it is blank. Escapes work as in the one-line form.
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]{1,6}\}|.)", re.S)
_SIMPLE = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


class EscapeError(ValueError):
    """An unknown escape; ``offset`` is where it starts inside the literal."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def _check_escapes(body: str, base: int) -> None:
    """Raises for the first escape the language does not define, with its offset in
    the literal as written (before a multi-line string's indentation is removed)."""
    for m in _ANY_ESCAPE.finditer(body):
        esc = m.group(1)
        if esc in _SIMPLE or (_ESCAPE.fullmatch(m.group(0)) and esc.startswith("u{")):
            continue
        if esc.startswith("u"):
            raise EscapeError("`\\u` takes 1 to 6 hex digits in braces, such as `\\u{00E9}`", base + m.start())
        shown = esc if esc.isprintable() else repr(esc)[1:-1]
        raise EscapeError(f"unknown escape `\\{shown}`", base + m.start())


_ANY_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]{1,6}\}|u|.)", re.S)


def _unescape(body: str, base: int) -> str:
    if "\\" not in body:
        return body

    def replace(m: re.Match[str]) -> str:
        # _check_escapes has already refused every escape that is neither simple nor \u{...}.
        esc = m.group(1)
        if esc in _SIMPLE:
            return _SIMPLE[esc]
        value = int(esc[2:-1], 16)
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise EscapeError(f"`\\{esc}` is not a Unicode scalar value", base + m.start())
        return chr(value)

    return _ESCAPE.sub(replace, body)


def decode(literal: str) -> str:
    """The value of a STRING token (either form). Raises :class:`EscapeError`."""
    if literal.startswith('"""') and len(literal) >= 6:
        _check_escapes(literal[3:-3], 3)
        return _unescape(_dedent(literal[3:-3]), 3)
    body = literal[1:-1]
    if "\\" not in body:  # most strings: nothing to check or replace
        return body
    _check_escapes(body, 1)
    return _unescape(body, 1)


def _dedent(body: str) -> str:
    lines = body.split("\n")
    if lines and lines[0].strip() == "":
        lines = lines[1:]
    if lines and lines[-1].strip() == "":
        lines = lines[:-1]
    lines = [line.rstrip("\r") for line in lines]
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] if line.strip() else "" for line in lines)


def _escape(value: str, *, multiline: bool) -> str:
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n" and not multiline:
            out.append("\\n")
        elif ch == "\n":
            out.append("\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif not ch.isprintable() and ch not in " ":
            out.append(f"\\u{{{ord(ch):X}}}")
        else:
            out.append(ch)
    return "".join(out)


def quote(value: str) -> str:
    """A one-line literal for any value."""
    return f'"{_escape(value, multiline=False)}"'


def quote_block(value: str, indent: str) -> str | None:
    """A triple-quoted literal laid out at ``indent`` (the closing quotes on their own
    line), or None when the value does not survive the round trip that way."""
    body = _escape(value, multiline=True)
    lines = body.split("\n")
    if any(line != line.rstrip(" ") for line in lines):
        return None  # trailing spaces would be invisible (and editors strip them)
    inner = indent + "  "
    text = '"""\n' + "\n".join(inner + line if line else "" for line in lines) + "\n" + indent + '"""'
    try:
        if decode(text) != value:
            return None
    except EscapeError:  # pragma: no cover - _escape only writes known escapes
        return None
    return text
