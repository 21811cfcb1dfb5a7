"""Text made inert for Mermaid. Labels are made safe for each place of Mermaid's syntax, so that no label can change the
diagram:

* journey diagrams: a task name ends at `:`, `#` starts a comment and `;` a statement, so
  those characters (and `,`, which separates actors) are replaced by look-alikes (`∶`,
  `＃`, `；`, `‚`); a task name that starts with a word Mermaid reads at the start of a
  line (`journey`, `title`, `section`, `accTitle`, `accDescr`) or with `%` (a comment)
  gets an invisible zero-width space in front;
* flowcharts (and the diff's chart): quotes, `#`, angle brackets and backticks become
  Mermaid entity codes inside the quoted label;
* everywhere: `%%` never survives (Mermaid applies a `%%{init: ...}%%` directive wherever
  it stands, and `%%` starts a comment), line breaks become spaces, and other control
  characters visible escapes.
"""

from __future__ import annotations

import re

from .terminal import visible_controls

#: Look-alikes for the characters that end a journey task name or a statement.
_JOURNEY_SAFE = str.maketrans({":": "∶", "#": "＃", ";": "；", "\n": " ", "\r": " ", "\t": " ", ",": "‚"})
#: What Mermaid's journey lexer reads as a statement or a comment at the start of a line,
#: matched more widely than Mermaid does (any case, a word boundary not needed after the
#: `acc` keywords; U+FEFF is a blank to JavaScript's `\s` but not to Python's).
_JOURNEY_KEYWORD = re.compile(r"(?:journey(?![A-Za-z0-9_])|title[\s\ufeff]|section[\s\ufeff]|acc(?:title|descr)|%)", re.I)
#: Put in front of such a label: JavaScript's `\s` does not skip it, so the label stays a
#: task name, and it shows as nothing.
KEYWORD_GUARD = "\u200b"


#: Mermaid writes an entity code as `ﬂ°°`/`ﬂ°` NAME `¶ß` while it parses, and turns every
#: such mark in the finished SVG into `&#`, `&` and `;`: a label's own marks are split by
#: a zero-width space, so they show as written.
_PLACEHOLDERS = re.compile("(?<=ﬂ)(?=°)|(?<=¶)(?=ß)")


def _no_placeholders(text: str) -> str:
    return _PLACEHOLDERS.sub("\u200b", text) if "ﬂ°" in text or "¶ß" in text else text


def journey_text(text: str, *, task: bool = False) -> str:
    """Text for a journey diagram's title, section, task or actor. A task name starts its
    line, so with ``task`` one that starts like a statement or a comment gets
    :data:`KEYWORD_GUARD` in front (a title or a section follows its own keyword, which
    takes the rest of the line, and actors follow the score)."""
    out = _no_placeholders(visible_controls(" ".join(text.translate(_JOURNEY_SAFE).split()), bidi=False))
    out = out.replace("%%", "%％")
    if task and _JOURNEY_KEYWORD.match(out):
        out = KEYWORD_GUARD + out
    return out or "-"


#: Entity codes for what would end a quoted label or form markup.
_FLOW_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "`": "#96;"}


def flow_label(text: str) -> str:
    """Text inside a quoted Mermaid label (a flowchart node's `["..."]`, the diff chart's
    x-axis): entity codes for what would end it or form markup, and the second `%` of
    `%%` as `#37;`."""
    out = []
    previous = ""
    for ch in _no_placeholders(visible_controls(" ".join(text.split()), bidi=False)):
        if ch in _FLOW_ENTITIES:
            out.append(_FLOW_ENTITIES[ch])
        elif ch == "%" and previous == "%":
            out.append("#37;")
        else:
            out.append(ch)
        previous = ch
    return "".join(out) or " "
