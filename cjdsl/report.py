"""Diagnostic renderers: full (source line and caret), concise, and JSON.

Each renderer is a pure function from diagnostics (and the source text, for the full
form) to a string. The CLI picks one with ``--format``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from . import jsontext
from .diagnostics import Diagnostic, Severity
from .span import LineIndex, Span

Lines = Callable[[str], LineIndex | None]

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


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def counted(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that count: the ones no `allow` silenced."""
    return [d for d in diagnostics if d.suppression is None]


def render_full(diagnostics: Sequence[Diagnostic], lines: Lines, *, color: bool = False) -> str:
    s = _Style(color)
    out: list[str] = []
    for d in counted(diagnostics):
        head = s(f"{d.severity.value}[{d.code}]", d.severity.value) + s(f": {d.message}", "bold")
        out.append(head)
        if d.span is None:
            if d.help:
                out.append(f"  = {s('help', 'bold')}: {d.help}")
            out.append("")
            continue
        index = lines(d.span.path)
        gutter = " " * len(str(max(d.span.end_line, d.span.line)))
        out.append(f"{gutter}{s('-->', 'blue')} {d.span}")
        if index is not None and index.line_count >= d.span.line and index.line_text(d.span.line).strip():
            text = index.line_text(d.span.line).expandtabs(1)
            out.append(f"{gutter} {s('|', 'blue')}")
            out.append(f"{s(str(d.span.line).rjust(len(gutter)), 'blue')} {s('|', 'blue')} {text}")
            start = _display_width(text[: d.span.column - 1])
            if d.span.end_line == d.span.line:
                width = max(1, _display_width(text[d.span.column - 1 : d.span.end_column - 1]))
            else:
                width = max(1, _display_width(text) - start)
            out.append(f"{gutter} {s('|', 'blue')} {' ' * start}{s('^' * width, d.severity.value)}")
        for rel in d.related:
            out.append(f"{gutter} {s('=', 'blue')} {s('note', 'bold')}: {rel.message} at {rel.span}")
        if d.help:
            out.append(f"{gutter} {s('=', 'blue')} {s('help', 'bold')}: {d.help}")
        out.append("")
    return "\n".join(out) + "\n" if out else ""


def render_concise(diagnostics: Sequence[Diagnostic], lines: Lines | None = None, *, color: bool = False) -> str:
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


def render_json(diagnostics: Sequence[Diagnostic], lines: Lines | None = None, *, color: bool = False) -> str:
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


def render_sarif(diagnostics: Sequence[Diagnostic], lines: Lines | None = None, *, color: bool = False) -> str:
    """SARIF 2.1.0, for code scanning: one run, every rule described, paths relative to
    the project root (``%SRCROOT%``), columns in Unicode code points."""
    from . import __version__
    from .rules import all_rules

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


def render_github(diagnostics: Sequence[Diagnostic], lines: Lines | None = None, *, color: bool = False) -> str:
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
