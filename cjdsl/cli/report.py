"""Diagnostic renderers: full (source line and caret), concise, and JSON.

Each renderer is a pure function from diagnostics (and the source text, for the full
form) to a string. The CLI picks one with ``--format``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import accumulate

from ..core import jsontext
from ..core.diagnostics import Diagnostic, Severity
from ..core.span import Span

_COLORS = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "info": "\x1b[1;36m",
    "bold": "\x1b[1m",
    "blue": "\x1b[1;34m",
    "reset": "\x1b[0m",
    "green": "\x1b[1;32m",
}


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        return f"{_COLORS[style]}{text}{_COLORS['reset']}" if self.color else text


def _char_width(c: str) -> int:
    import unicodedata

    return 2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1


def _display_width(text: str) -> int:
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


#: Characters a source line may hold that must not reach a terminal (C0 but for tab and
#: line feed, DEL, C1, the line and paragraph separators): shown as U+FFFD, one column
#: like them, so the caret stays in place.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")

#: The widest source excerpt the full report prints, in display columns. A longer line
#: shows a window around the place, cut with `…`: a one-line file of 67 kB with a
#: diagnostic per token printed the whole line for each of them (1.2 GB).
EXCERPT_WIDTH = 120
#: In a cut line, how many columns before the place are shown.
_LEAD = 40


def _excerpt(text: str, first: int, last: int) -> tuple[str, int, int]:
    """What to print of a line for a diagnostic on its characters ``first`` to ``last``,
    with the caret's start column and width; the work is bounded by the window, not the
    line, and the caret stays under the characters it marks."""
    if len(text) <= EXCERPT_WIDTH // 2 or (len(text) <= 4 * EXCERPT_WIDTH and _display_width(text) <= EXCERPT_WIDTH):
        start = _display_width(text[:first])
        return text, start, max(1, _display_width(text[first:last]))
    first = min(first, len(text))
    last = max(first, min(last, len(text)))
    # Only a window's worth of the line is looked at: `lo` is where it starts in the line,
    # and `cols[i]` the columns of its first i characters. A window holds at most
    # EXCERPT_WIDTH columns, and at most 4 × that many characters (some are zero-width).
    lo = max(0, first - 4 * EXCERPT_WIDTH)
    near = text[lo : first + 4 * EXCERPT_WIDTH]
    widths = [1] * len(near) if near.isascii() else [_char_width(c) for c in near]
    cols = [0, *accumulate(widths)]
    f = first - lo
    # Up to _LEAD columns before the place, then as much after as fits.
    a = max(bisect_left(cols, cols[f] - _LEAD, 0, f + 1), f - 4 * _LEAD)
    room = EXCERPT_WIDTH - (lo + a > 0) - 1  # a column for each `…`
    b = min(bisect_right(cols, cols[a] + room, a) - 1, a + 4 * EXCERPT_WIDTH)
    if lo + b >= len(text):  # the end of the line is in: show more before the place
        while lo + a > 0 and b - a < 4 * EXCERPT_WIDTH:
            if cols[b] - cols[a - 1] + (lo + a > 1) > EXCERPT_WIDTH:
                break
            a -= 1
    cut_left, cut_right = lo + a > 0, lo + b < len(text)
    shown = ("…" if cut_left else "") + near[a:b] + ("…" if cut_right else "")
    caret = cols[min(last - lo, b)] - cols[f] + (1 if last - lo > b else 0)
    return shown, cut_left + cols[f] - cols[a], max(1, caret)


def counted(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that count: the ones no `allow` silenced."""
    return [d for d in diagnostics if d.suppression is None]


def render_full(diagnostics: Sequence[Diagnostic], *, color: bool = False) -> str:
    s = _Style(color)
    out: list[str] = []
    # Each line's text once, however many diagnostics it has: (text, whether it is blank).
    texts: dict[tuple[str, int], tuple[str, bool]] = {}
    for d in counted(diagnostics):
        head = s(f"{d.severity.value}[{d.code}]", d.severity.value) + s(f": {d.message}", "bold")
        out.append(head)
        if d.span is None:
            if d.help:
                out.append(f"  = {s('help', 'bold')}: {d.help}")
            out.append("")
            continue
        index = d.span.lines  # the file's own line index, carried by the span
        line, column = d.span.line, d.span.column
        end_line, end_column = d.span.end_line, d.span.end_column
        gutter = " " * len(str(max(end_line, line)))
        out.append(f"{gutter}{s('-->', 'blue')} {d.span}")
        if index is not None and index.line_count >= line:
            key = (d.span.path, line)
            if key not in texts:
                raw = index.line_text(line)
                texts[key] = (_CONTROL.sub("\ufffd", raw.expandtabs(1)), not raw.strip())
            text, blank = texts[key]
            if not blank:
                last = end_column - 1 if end_line == line else len(text)
                shown, start, width = _excerpt(text, column - 1, last)
                out.append(f"{gutter} {s('|', 'blue')}")
                out.append(f"{s(str(line).rjust(len(gutter)), 'blue')} {s('|', 'blue')} {shown}")
                out.append(f"{gutter} {s('|', 'blue')} {' ' * start}{s('^' * width, d.severity.value)}")
        for rel in d.related:
            out.append(f"{gutter} {s('=', 'blue')} {s('note', 'bold')}: {rel.message} at {rel.span}")
        if d.help:
            out.append(f"{gutter} {s('=', 'blue')} {s('help', 'bold')}: {d.help}")
        out.append("")
    return "\n".join(out) + "\n" if out else ""


def render_concise(diagnostics: Sequence[Diagnostic], *, color: bool = False) -> str:
    s = _Style(color)
    out = []
    for d in counted(diagnostics):
        where = f"{d.span}: " if d.span is not None else ""
        out.append(f"{s(where, 'bold')}{s(d.severity.value, d.severity.value)}[{d.code}] {d.message}")
    return "\n".join(out) + ("\n" if out else "")


def to_json(d: Diagnostic) -> dict[str, object]:
    def span(sp: Span | None) -> dict[str, object] | None:
        if sp is None:
            return None
        return {
            "path": sp.path,
            "line": sp.line,
            "column": sp.column,
            "end_line": sp.end_line,
            "end_column": sp.end_column,
        }

    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "location": span(d.span),
        "help": d.help,
        "related": [{"message": r.message, "location": span(r.span)} for r in d.related],
        "suppressed": None if d.suppression is None else {"reason": d.suppression.reason, "location": span(d.suppression.span)},
    }


def render_json(diagnostics: Sequence[Diagnostic], *, color: bool = False) -> str:
    return jsontext.dumps([to_json(d) for d in diagnostics])


RENDERERS: dict[str, Callable[..., str]] = {"full": render_full, "concise": render_concise, "json": render_json}


def summary(diagnostics: Sequence[Diagnostic], files_checked: int, *, color: bool = False) -> str:
    """Per-file counts, then one total line ("Found 3 warnings, 2 suppressed")."""
    s = _Style(color)
    silenced = len(diagnostics) - len(diagnostics := counted(diagnostics))
    suppressed = f", {silenced} suppressed" if silenced else ""
    per_file: dict[str, Counter[Severity]] = {}
    for d in diagnostics:
        per_file.setdefault(d.span.path if d.span else "(run)", Counter())[d.severity] += 1
    out = []
    if len(per_file) > 1:
        for path, counts in sorted(per_file.items()):
            out.append(f"  {path}: {_counts(counts)}")
    total: Counter[Severity] = Counter(d.severity for d in diagnostics)
    files = f"{files_checked} file{'s' if files_checked != 1 else ''} checked"
    if not diagnostics:
        quiet = f" ({silenced} finding{'s' if silenced != 1 else ''} suppressed by `allow`)" if silenced else ""
        out.append(s(f"All good: {files}, no problems found{quiet}.", "green"))
    else:
        style = "error" if total[Severity.ERROR] else "warning" if total[Severity.WARNING] else "info"
        out.append(s(f"Found {_counts(total)}{suppressed} ({files}).", style))
    return "\n".join(out)


def _counts(counts: Counter[Severity]) -> str:
    parts = []
    for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        n = counts[sev]
        if n:
            parts.append(f"{n} {sev.value}{'s' if n != 1 else ''}")
    return ", ".join(parts)


# -- formats for CI ------------------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(diagnostics: Sequence[Diagnostic], *, color: bool = False) -> str:
    """SARIF 2.1.0, for code scanning: one run, every rule described, paths relative to
    the project root (``%SRCROOT%``), columns in Unicode code points."""
    from .. import __version__
    from ..rules import all_rules

    rules = list(all_rules().values())
    index = {r.code: i for i, r in enumerate(rules)}

    def region(sp: Span) -> dict[str, int]:
        return {"startLine": sp.line, "startColumn": sp.column, "endLine": sp.end_line, "endColumn": max(sp.end_column, 1)}

    def location(sp: Span, message: str | None = None) -> dict[str, object]:
        loc: dict[str, object] = {
            "physicalLocation": {"artifactLocation": {"uri": sp.path, "uriBaseId": "%SRCROOT%"}, "region": region(sp)}
        }
        if message is not None:
            loc["message"] = {"text": message}
        return loc

    results = []
    for d in diagnostics:
        result: dict[str, object] = {
            "ruleId": d.code,
            "level": _SARIF_LEVELS[d.severity.value],
            "message": {"text": d.message + (f"\n\nhelp: {d.help}" if d.help else "")},
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.span is not None:
            result["locations"] = [location(d.span)]
            result["partialFingerprints"] = {"cjdsl/v1": f"{d.code}:{d.span.path}:{d.message}"}
        if d.related:
            result["relatedLocations"] = [dict(location(r.span, r.message), id=i) for i, r in enumerate(d.related)]
        if d.suppression is not None:
            suppression: dict[str, object] = {"kind": "inSource", "location": location(d.suppression.span)}
            if d.suppression.reason is not None:
                suppression["justification"] = d.suppression.reason
            result["suppressions"] = [suppression]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cjdsl",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [
                            {
                                "id": r.code,
                                "name": r.name,
                                "shortDescription": {"text": r.summary},
                                "fullDescription": {
                                    "text": r.docs.split("## Why it matters")[0].replace("## What it checks", "").strip()
                                },
                                "help": {"text": r.docs, "markdown": r.docs},
                                "defaultConfiguration": {"level": _SARIF_LEVELS[r.severity.value]},
                                "properties": {"tags": ["structure" if r.core else "completeness"]},
                            }
                            for r in rules
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The project root (the folder of cjdsl.toml)."}}},
                "results": results,
            }
        ],
    }
    return jsontext.dumps(log)


def _gh_escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diagnostics: Sequence[Diagnostic], *, color: bool = False) -> str:
    """GitHub Actions workflow commands: each diagnostic becomes an annotation on its line."""
    out = []
    for d in counted(diagnostics):
        kind = {"error": "error", "warning": "warning", "info": "notice"}[d.severity.value]
        props = [f"title={_gh_escape(f'{d.code} {d.name}', property_value=True)}"]
        if d.span is not None:
            props = [
                f"file={_gh_escape(d.span.path, property_value=True)}",
                f"line={d.span.line}",
                f"col={d.span.column}",
                f"endLine={d.span.end_line}",
                f"endColumn={d.span.end_column}",
                *props,
            ]
        message = d.message + (f"\nhelp: {d.help}" if d.help else "")
        out.append(f"::{kind} {','.join(props)}::{_gh_escape(message)}")
    return "\n".join(out) + ("\n" if out else "")


RENDERERS.update({"sarif": render_sarif, "github": render_github})
