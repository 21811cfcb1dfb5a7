"""The one diagnostic type every stage reports problems with.

Stages return diagnostics as data; renderers (:mod:`cjdsl.report`) turn them into text,
JSON and the other formats. Every code has an entry in :data:`CODES` with a kebab-case
name and a default severity; codes are stable and never reused.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .span import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Related:
    """A secondary location: "first declared here"."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding is not counted: the `allow` line that silenced it, and its reason."""

    span: Span  # the `allow` line
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span | None
    help: str | None = None
    related: tuple[Related, ...] = field(default=())
    #: Set on a finding an `allow` silenced: it is reported as suppressed, never counted.
    suppression: Suppression | None = None

    @property
    def name(self) -> str:
        return NAMES.get(self.code, self.code)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        if self.span is None:
            return ("", 0, 0, self.code, self.message)
        return (self.span.path, self.span.line, self.span.column, self.code, self.message)


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    name: str
    severity: Severity
    summary: str


def _catalogue(*entries: tuple[str, str, Severity, str]) -> dict[str, Code]:
    table: dict[str, Code] = {}
    for code, name, severity, summary in entries:
        if code in table:  # pragma: no cover - a programming error caught at import
            raise RuntimeError(f"duplicate diagnostic code {code}")
        table[code] = Code(code, name, severity, summary)
    return table


E, W = Severity.ERROR, Severity.WARNING

#: Every diagnostic the language core can report. CJ0xx: reading and syntax;
#: CJ1xx: structure of the model; CJ15x: includes; CJ2xx: completeness rules; CJ3xx: tracking plan.
CODES: dict[str, Code] = _catalogue(
    ("CJ001", "syntax-error", E, "The text does not follow the grammar of a .journey file."),
    ("CJ002", "unterminated-string", E, "A string is not closed before the end of its line or file."),
    ("CJ003", "invalid-character", E, "A character that no token of the language can start with."),
    ("CJ004", "unclosed-block", E, "A block opened with `{` is never closed with `}`."),
    ("CJ005", "invalid-escape", E, "A backslash escape in a string that the language does not define."),
    ("CJ006", "unreadable-file", E, "The file cannot be read as UTF-8 text (binary, NUL bytes, bad encoding)."),
    ("CJ007", "file-too-large", E, "The file is larger than the configured size limit."),
    ("CJ008", "too-many-errors", E, "Parsing stopped after too many syntax errors in one file."),
    ("CJ010", "duplicate-attribute", E, "A single-valued attribute is given twice in one block."),
    ("CJ011", "misplaced-modifier", E, "A property modifier (`required`, `min`, ...) with no property before it."),
    ("CJ012", "misplaced-attribute", E, "An attribute that does not belong where it is written."),
    ("CJ013", "multiple-journeys", E, "More than one `journey` block in one file."),
    ("CJ101", "unknown-reference", E, "A reference to an id that no declaration of the right kind has."),
    ("CJ102", "duplicate-id", E, "Two declarations of the same kind share an id."),
    ("CJ103", "value-out-of-range", E, "A number outside its scale: emotion -2..+2, rating 1..5, age 0..130."),
    ("CJ104", "invalid-value", E, "A word that is not one of the allowed values (phase, severity, ...)."),
    ("CJ105", "invalid-property-type", E, "An event property type that is not valid (unknown type, empty enum, bad list)."),
    ("CJ106", "invalid-property-bounds", E, "Property bounds or pattern that cannot be right (min > max, bad regex)."),
    ("CJ107", "duplicate-property", E, "An event declares the same property twice."),
    ("CJ151", "include-not-found", E, "An included file does not exist."),
    ("CJ152", "include-outside-root", E, "An include path leaves the project root."),
    ("CJ153", "include-cycle", E, "Files include each other in a cycle."),
    ("CJ154", "include-declares-journey", E, "An included file declares a `journey`; only the including file may."),
    ("CJ155", "file-outside-journeys", W, "A file that declares no journey and that no journey includes."),
)


#: Every code's kebab-case name: the core's, and the validator rules' as they register.
NAMES: dict[str, str] = {c.code: c.name for c in CODES.values()}


def make(
    code: str,
    message: str,
    span: Span | None,
    help: str | None = None,
    related: Iterable[Related] = (),
    severity: Severity | None = None,
) -> Diagnostic:
    """A diagnostic with the code's default severity."""
    return Diagnostic(code, severity or CODES[code].severity, message, span, help, tuple(related))


def did_you_mean(word: str, candidates: Iterable[str], *, quote: str = "`") -> str | None:
    """'did you mean `x`?' for the closest candidate, or None."""
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f"did you mean {quote}{matches[0]}{quote}?" if matches else None


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file, position and code, with exact repeats removed."""
    seen: set[Diagnostic] = set()
    unique = []
    for d in diagnostics:
        if d not in seen:
            seen.add(d)
            unique.append(d)
    return sorted(unique, key=Diagnostic.sort_key)


def has_errors(diagnostics: Sequence[Diagnostic]) -> bool:
    """Whether any diagnostic that counts (not suppressed) is an error."""
    return any(d.severity is Severity.ERROR and d.suppression is None for d in diagnostics)
