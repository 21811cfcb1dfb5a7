"""cjdsl's diagnostics as LSP diagnostics: the same code, severity, message and help
(`cjdsl check`'s words), the related places, and in ``data`` what a code action needs
to fix it (the "did you mean" the help already offers, how many blocks to close).
Pure."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lsprotocol import types as lsp

from ..core.diagnostics import Diagnostic, Severity
from ..core.span import Span
from .positions import to_range

SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}
#: Findings about something that does nothing: shown faded.
UNNECESSARY = {"CJ218", "CJ250"}
#: The suggestion of a help text: did you mean `x`? (or "x" for a path).
_DID_YOU_MEAN = re.compile(r'did you mean (`|")([^`"\n]+)\1\?')
_MORE_BLOCKS = re.compile(r"and (\d+) more `}`")

#: A place in another file: the URI to show it under, or None when it cannot be shown.
UriOf = Callable[[str], str | None]


def fixes(d: Diagnostic) -> dict[str, Any]:
    """What the diagnostic's help says would fix it, as data for a code action."""
    data: dict[str, Any] = {"name": d.name}
    if d.help is None:
        return data
    found = _DID_YOU_MEAN.search(d.help)
    if found is not None:
        suggestion = found.group(2)
        data["replace"] = f'include "{suggestion}"' if d.code == "CJ151" else suggestion
        data["suggestion"] = suggestion
    if d.code == "CJ004":
        if "before this line" in d.help:
            data["close"] = {"count": 1, "at": "line"}
        else:
            more = _MORE_BLOCKS.search(d.help)
            data["close"] = {"count": 1 + (int(more.group(1)) if more else 0), "at": "end"}
    return data


def convert(d: Diagnostic, encoding: str, uri_of: UriOf, fallback: Span) -> lsp.Diagnostic:
    """One diagnostic, placed at its span (or at ``fallback``, the start of the file,
    when it has none)."""
    # A span without the file's text (a file that could not be read) shows at its start.
    span = d.span if d.span is not None and d.span.lines.text else fallback
    message = d.message + (f"\nhelp: {d.help}" if d.help else "")
    related = []
    for r in d.related:
        uri = uri_of(r.span.path)
        if uri is not None and r.span.lines.text:
            related.append(lsp.DiagnosticRelatedInformation(lsp.Location(uri, to_range(r.span, encoding)), r.message))
    return lsp.Diagnostic(
        range=to_range(span, encoding),
        message=message,
        severity=SEVERITY[d.severity],
        code=d.code,
        source="cjdsl",
        related_information=related or None,
        tags=[lsp.DiagnosticTag.Unnecessary] if d.code in UNNECESSARY else None,
        data=fixes(d),
    )
