"""User text made safe for a terminal or a CI log.

A journey may come from a pull request of a fork, and captured events from anywhere, so
any label, id, event name or value cjdsl prints may be hostile. Printed raw, it could

* move the cursor, recolour or retitle the terminal, or write to the clipboard (CSI and
  OSC escape sequences start with ESC or with the C1 controls CSI and OSC);
* start a line of its own (``\\n``, ``\\r``, NEL, U+2028, U+2029) that a CI runner reads
  as a workflow command: GitHub Actions runs any line that starts with ``::`` after
  leading blanks (``::error file=...::``, ``::add-mask::``, ``::stop-commands::``) and the
  older ``##[command]`` form wherever it stands in a line (so does Azure's ``##vso[``);
* reorder what a reviewer reads with a bidirectional override.

:func:`safe` writes every such character as a visible escape (``\\x1b``, ``\\n``,
``\\u2028``), so its result is one printable line that holds no command, whatever
follows or precedes it on the line.
"""

from __future__ import annotations

import re

#: C0 controls (tab and line feed included), DEL, the C1 controls (NEL included) and the
#: Unicode line and paragraph separators.
_CONTROL = "\x00-\x1f\x7f-\x9f\u2028\u2029"
#: Bidirectional embeddings, overrides and isolates (not the plain marks LRM, RLM, ALM,
#: which reorder nothing around them).
_BIDI = "\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[{_CONTROL}{_BIDI}]")
_CONTROLS_ONLY = re.compile(f"[{_CONTROL}]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_controls(text: str, *, bidi: bool = True) -> str:
    """``text`` with every control character (and, with ``bidi``, every bidirectional
    override) written as a visible escape; printable text is kept as it is."""
    pattern = _UNSAFE if bidi else _CONTROLS_ONLY
    return pattern.sub(_escape, text) if pattern.search(text) else text


def safe(value: object) -> str:
    """Any user string (or value, through ``str``) as inert text for a terminal or a CI
    log: one line, no escape sequence, no workflow command.

    Controls become visible escapes (:func:`visible_controls`); the second ``#`` of
    ``##`` becomes ``\\x23`` (no ``##[`` or ``##vso[`` command anywhere in the line);
    and a text that would start a line with ``::`` after leading blanks has that first
    colon written ``\\x3a``. Ordinary text comes back unchanged."""
    text = visible_controls(str(value))
    if "##" in text:
        text = re.sub("(?<=#)#", "\\\\x23", text)
    stripped = text.lstrip()
    if stripped.startswith("::"):
        text = text[: len(text) - len(stripped)] + "\\x3a" + stripped[1:]
    return text
