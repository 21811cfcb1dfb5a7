"""The one diagnostic type every stage reports problems with.

Stages return diagnostics as data; renderers (:mod:`cjdsl.cli.report`) turn them into text,
JSON and the other formats. Every code of the language core has an entry in
:data:`CODES` with a kebab-case name and a default severity; its one-line summary and
its documentation are written once, in ``cjdsl/rules/docs/CODE.md``. Codes are stable
and never reused.
"""

from __future__ import annotations

import difflib
import functools
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from . import packaged
from .span import Span


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


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
    """A diagnostic code of the language core. Its one-line summary and its documentation
    are written once, in ``cjdsl/rules/docs/CODE.md``, and read from there by every
    consumer: `cjdsl rules`, `cjdsl explain`, SARIF and the reference pages."""

    code: str
    name: str
    severity: Severity

    @property
    def summary(self) -> str:
        return documentation(self.code)[0]

    @property
    def docs(self) -> str:
        """The sections *What it checks*, *Why it matters*, *Example* and *Instead*."""
        return documentation(self.code)[1]


@functools.cache
def documentation(code: str) -> tuple[str, str]:
    """A core code's summary (the first line of its docs file) and the rest of the file.

    The files are read when first asked for, so importing cjdsl reads none of them."""
    text = packaged.text("rules", "docs", f"{code}.md")
    summary, _, body = text.partition("\n\n")
    if not summary.strip() or "\n" in summary.strip():  # pragma: no cover - caught by the meta-test
        raise RuntimeError(f"{code}.md must start with a one-line summary and a blank line")
    return summary.strip(), body.strip()


def _catalogue(*entries: tuple[str, str, Severity]) -> dict[str, Code]:
    table: dict[str, Code] = {}
    for code, name, severity in entries:
        if code in table:  # pragma: no cover - a programming error caught at import
            raise RuntimeError(f"duplicate diagnostic code {code}")
        table[code] = Code(code, name, severity)
    return table


E, W = Severity.ERROR, Severity.WARNING

#: Every diagnostic the language core can report, with its kebab-case name and default
#: severity; its summary and docs are in ``cjdsl/rules/docs/CODE.md``. CJ0xx: reading and
#: syntax; CJ1xx: structure of the model; CJ15x: includes. The validator's rules (CJ2xx:
#: completeness; CJ3xx: tracking plan) register in :mod:`cjdsl.rules`, documented in
#: their own modules.
CODES: dict[str, Code] = _catalogue(
    ("CJ001", "syntax-error", E),
    ("CJ002", "unterminated-string", E),
    ("CJ003", "invalid-character", E),
    ("CJ004", "unclosed-block", E),
    ("CJ005", "invalid-escape", E),
    ("CJ006", "unreadable-file", E),
    ("CJ007", "file-too-large", E),
    ("CJ008", "too-many-errors", E),
    ("CJ009", "control-character", E),
    ("CJ010", "duplicate-attribute", E),
    ("CJ011", "misplaced-modifier", E),
    ("CJ012", "misplaced-attribute", E),
    ("CJ013", "multiple-journeys", E),
    ("CJ101", "unknown-reference", E),
    ("CJ102", "duplicate-id", E),
    ("CJ103", "value-out-of-range", E),
    ("CJ104", "invalid-value", E),
    ("CJ105", "invalid-property-type", E),
    ("CJ106", "invalid-property-bounds", E),
    ("CJ107", "duplicate-property", E),
    ("CJ108", "event-id-collision", E),
    ("CJ151", "include-not-found", E),
    ("CJ152", "include-outside-root", E),
    ("CJ153", "include-cycle", E),
    ("CJ154", "include-declares-journey", E),
    ("CJ155", "file-outside-journeys", W),
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


#: How much work the "did you mean" hints of one run may do, in rough character
#: comparisons (about a third of a second): after that they stop suggesting. Ordinary
#: projects use a small part of it; thousands of unknown references against thousands
#: of ids would otherwise cost minutes.
SUGGESTION_BUDGET = 3_000_000
_CUTOFF = 0.6


class SuggestionBudget:
    """The work left for "did you mean" hints in one run, shared by all its pools."""

    __slots__ = ("left",)

    def __init__(self, units: int = SUGGESTION_BUDGET) -> None:
        self.left = units

    def spend(self, units: int) -> bool:
        """Takes ``units`` of work; when fewer are left, empties the budget and says no."""
        if units > self.left:
            self.left = 0
            return False
        self.left -= units
        return True


def _ratio(matches: int, length: int) -> float:
    return 2.0 * matches / length if length else 1.0  # difflib's own formula


class CloseMatches:
    """A pool of candidates indexed once by length, for many "did you mean" look-ups.

    :meth:`best` gives what ``difflib.get_close_matches(word, sorted(set(candidates)), n=1,
    cutoff=0.6)`` gives, without looking at every candidate: a length that difflib's
    ``real_quick_ratio`` rules out is never visited, nearer lengths come first, and
    ``ratio`` runs only for a candidate whose ``quick_ratio`` could still win. Every
    comparison is charged to a :class:`SuggestionBudget`; once it is spent there are no
    more suggestions, so a pool of any size costs at most the budget."""

    def __init__(self, candidates: Iterable[str], budget: SuggestionBudget | None = None) -> None:
        given = list(candidates)
        self.budget = budget if budget is not None else SuggestionBudget()
        by_length: dict[int, list[str]] = {}
        for c in sorted(set(given)):
            by_length.setdefault(len(c), []).append(c)
        self._by_length = by_length
        self._lengths = sorted(by_length)
        self._lowered = {c.lower(): c for c in given}

    def best(self, word: str) -> str | None:
        """The closest candidate (difflib's ratio at least 0.6), else one equal but for
        case, else None; None too once the budget is spent."""
        if self.budget.left <= 0:
            return None
        size = len(word)
        lo = bisect_left(self._lengths, math.floor(size * _CUTOFF / (2 - _CUTOFF)) - 1)
        hi = bisect_right(self._lengths, math.ceil(size * (2 - _CUTOFF) / _CUTOFF) + 1)
        bands = [(r, n) for n in self._lengths[lo:hi] if (r := _ratio(min(n, size), n + size)) >= _CUTOFF]
        bands.sort(key=lambda band: -band[0])
        best: tuple[float, str] | None = None
        matcher: difflib.SequenceMatcher[str] | None = None
        for upper, n in bands:
            if best is not None and upper < best[0]:
                break  # no candidate of this length (or any later one) can reach the best
            for candidate in self._by_length[n]:
                if matcher is None:
                    if not self.budget.spend(size):
                        return None
                    matcher = difflib.SequenceMatcher()
                    matcher.set_seq2(word)
                if not self.budget.spend(16 + n):
                    return None
                matcher.set_seq1(candidate)
                quick = matcher.quick_ratio()
                if quick < _CUTOFF or (best is not None and quick < best[0]):
                    continue
                if not self.budget.spend(64 + n * size):
                    return None
                score = matcher.ratio()
                if score >= _CUTOFF and (best is None or (score, candidate) > best):
                    best = (score, candidate)
        if best is not None:
            return best[1]
        return self._lowered.get(word.lower())

    def hint(self, word: str, *, quote: str = "`") -> str | None:
        """'did you mean `x`?' for the closest candidate, or None."""
        match = self.best(word)
        return f"did you mean {quote}{match}{quote}?" if match is not None else None


def did_you_mean(word: str, candidates: Iterable[str], *, quote: str = "`") -> str | None:
    """'did you mean `x`?' for the closest candidate, or None. For many words against
    one pool, build a :class:`CloseMatches` once instead."""
    return CloseMatches(candidates).hint(word, quote=quote)


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
