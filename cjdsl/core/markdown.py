"""User text made inert for GitHub Markdown: pull-request comments, the Markdown pages
of the Mermaid diagrams, and the tracking plan's Markdown (pure)."""

from __future__ import annotations

import re

from .terminal import visible_controls

#: Line endings for GitHub's Markdown (`\r` alone is one) and for Unicode; each becomes a
#: space, and so does a tab.
_MD_BREAK = re.compile("\r\n|[\r\n\t\x85\u2028\u2029]")
#: What a Markdown escape must touch: syntax characters, the ones that start an entity or
#: a mention or an issue reference, the `:` of `://` and the `.` of `www.` (autolinks).
_MD_SPECIAL = re.compile(r"[\\`*_~\[\]|$<>&@#]|:(?=/)|(?<=[wW][wW][wW])\.")
_MD_ENTITY = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
#: A zero-width space, written as an entity so the Markdown source shows it: after `@`,
#: `#`, `:` and before the `.` of `www.` it keeps GitHub from making a mention, an
#: issue reference or a link, and shows as nothing.
_ZWSP = "&#8203;"


def _md_escape(mt: re.Match[str]) -> str:
    ch = mt.group()
    if ch in _MD_ENTITY:
        return _MD_ENTITY[ch]
    if ch in "@#:":
        return ch + _ZWSP
    if ch == ".":
        return _ZWSP + ch
    if ch == "_":
        # Between two letters or digits `_` can neither open nor close emphasis
        # (CommonMark's flanking rules), so ids such as `blog_post` stay as written.
        text, i = mt.string, mt.start()
        if 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum():
            return ch
    return "\\" + ch


def markdown_text(value: object) -> str:
    """Any user string (or value, through ``str``) as inert inline text for GitHub
    Markdown, anywhere inside a line (a paragraph, a list item, a table cell, a heading):
    line breaks become spaces, other controls visible escapes; Markdown's syntax
    characters are backslash-escaped and `<`, `>`, `&` entity-encoded, so the text forms
    no emphasis, code span, link, image, HTML or table cell; and a zero-width space after
    `@`, `#` and the `:` of `://` and before the `.` of `www.` keeps it from mentioning
    anyone, referencing an issue or becoming an autolink."""
    text = visible_controls(_MD_BREAK.sub(" ", str(value)))
    return _MD_SPECIAL.sub(_md_escape, text)
