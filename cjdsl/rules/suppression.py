"""`allow` lines: which findings they silence, and which of them were used.

An `allow RULE` covers the block it is written in and everything inside it; in the
`journey` block, every file of that journey. `allow RULE for ID, ...` covers only the
findings about those ids. A silenced finding keeps the innermost `allow` that matched,
with its reason, so reports can show what was accepted and why. Every `allow` that
matched a finding is recorded as used; CJ250 (:mod:`.cj250_unused_suppression`) reports
the others once every other rule has run.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core import model as m
from ..core.diagnostics import Suppression
from ..core.resolved import ResolvedJourney
from ..core.span import Span

if TYPE_CHECKING:
    from .registry import Finding, Rule


@dataclass(frozen=True)
class _Scope:
    files: frozenset[str]  # the files the scope lies in (one, or a whole journey's)
    start: int
    end: int
    whole: bool  # the journey block: every file of the journey, from start to end
    allows: tuple[m.Allow, ...]

    def covers(self, span: Span | None) -> bool:
        if span is None:
            return self.whole
        if span.path not in self.files:
            return False
        return self.whole or (self.start <= span.start and span.end <= self.end)

    @property
    def size(self) -> int:
        return 1 << 60 if self.whole else self.end - self.start


def refers_to(ref: m.Ref, r: Rule) -> bool:
    """Whether a rule named in an `allow` line (by name or code) is ``r``."""
    return ref.id.upper() == r.code or ref.id == r.name


class _FileScopes:
    """The scopes of one file other than journey blocks. Blocks nest, so the scopes that
    cover a place are one chain of parents: found by bisection and a walk up that chain
    (a few steps) rather than a scan of every scope, which would make findings ×
    `allow` blocks quadratic."""

    def __init__(self, scopes: list[_Scope]) -> None:
        self.scopes = sorted(scopes, key=lambda s: (s.start, -s.end))
        self.starts = [s.start for s in self.scopes]
        self.parent: list[int] = []
        self.nested = True
        stack: list[int] = []
        for i, scope in enumerate(self.scopes):
            while stack and self.scopes[stack[-1]].end <= scope.start:
                stack.pop()
            if stack and self.scopes[stack[-1]].end < scope.end:
                self.nested = False  # overlapping, not nested: never made by the parser
            self.parent.append(stack[-1] if stack else -1)
            stack.append(i)

    def covering(self, span: Span) -> list[_Scope]:
        """The scopes that cover ``span``, innermost first."""
        if not self.nested or span.start >= span.end:
            # An empty span may sit on the boundary of two blocks side by side.
            return sorted((s for s in self.scopes if s.covers(span)), key=lambda s: (s.size, s.start))
        i = bisect_right(self.starts, span.start) - 1
        while i >= 0 and not self.scopes[i].covers(span):
            i = self.parent[i]
        out: list[_Scope] = []
        while i >= 0:
            out.append(self.scopes[i])
            i = self.parent[i]
        return out


class Suppressions:
    """Every `allow` of some journeys, and which of them have been used."""

    def __init__(self, journeys: Sequence[ResolvedJourney]) -> None:
        scopes: dict[tuple[frozenset[str], int, int, bool], _Scope] = {}
        for j in journeys:
            for scope in _scopes(j):
                scopes.setdefault((scope.files, scope.start, scope.end, scope.whole), scope)
        # Innermost first, so a finding keeps the reason written nearest to it.
        self.scopes = sorted(scopes.values(), key=lambda s: (s.size, sorted(s.files), s.start))
        self._whole = [s for s in self.scopes if s.whole]
        self._whole_by_path: dict[str, list[_Scope]] = {}
        for scope in self._whole:
            for path in scope.files:
                self._whole_by_path.setdefault(path, []).append(scope)
        by_path: dict[str, list[_Scope]] = {}
        for scope in self.scopes:
            if not scope.whole:
                (path,) = scope.files
                by_path.setdefault(path, []).append(scope)
        self._by_path = {path: _FileScopes(group) for path, group in by_path.items()}
        #: (rule ref's place) and (rule ref's place, `for` id's place) that silenced something.
        self.used: set[tuple[Any, ...]] = set()

    def covering(self, span: Span | None) -> list[_Scope]:
        """The scopes that cover ``span``, in the order of :attr:`scopes` (innermost first)."""
        if span is None:
            return self._whole
        inner = self._by_path.get(span.path)
        return (inner.covering(span) if inner is not None else []) + self._whole_by_path.get(span.path, [])

    def match(self, r: Rule, f: Finding) -> Suppression | None:
        """The suppression that silences this finding of rule ``r``, if any: the
        innermost one, though every `allow` that matches counts as used."""
        found: Suppression | None = None
        for scope in self.covering(f.span):
            for allow in scope.allows:
                for ref in allow.rules:
                    if not refers_to(ref, r):
                        continue
                    if allow.only:
                        hits = [o for o in allow.only if o.id in f.about]
                        if not hits:
                            continue
                        self.used.update((place(ref.span), place(o.span)) for o in hits)
                    self.used.add(place(ref.span))
                    if found is None:
                        found = Suppression(allow.span, allow.reason)
        return found


def place(span: Span) -> tuple[str, int]:
    """Where a rule name or an id of an `allow` line is written: a key of :attr:`Suppressions.used`."""
    return (span.path, span.start)


def _scopes(j: ResolvedJourney) -> list[_Scope]:
    out: list[_Scope] = []
    files = frozenset(j.files)

    def add(node: Any, whole: bool = False) -> None:
        if node.allow:
            span = node.span
            out.append(_Scope(files if whole else frozenset({span.path}), span.start, span.end, whole, node.allow))

    if j.journey is not None:
        add(j.journey, whole=True)
    groups = (j.personas, j.intents, j.channels, j.teams, j.actors, j.systems, j.kpis, j.metrics, j.pains, j.opportunities)
    for group in groups:
        for node in group:
            add(node)
    for stage in j.stages:
        add(stage)
        for tp in stage.touchpoints:
            add(tp)
            for step in tp.steps:
                add(step)
    return out


def allows(j: ResolvedJourney) -> Iterator[m.Allow]:
    """Every `allow` line of a journey, in the order of its blocks."""
    for scope in _scopes(j):
        yield from scope.allows
