"""A `variant_of`, `part_of` or `detail` that names an unknown journey, or names one wrongly.

## What it checks
The journeys a journey names are journeys of the project, and the names make sense:

- `variant_of`, `part_of` and a touchpoint's `detail` name a journey declared in some
  file of the project (when one file is checked alone, the journeys it names are read
  from the project too);
- `part_of` does not lead back to the journey itself, directly or through other
  journeys (`a` part of `b`, `b` part of `a`);
- a touchpoint's `detail` does not name the journey the touchpoint is in;
- `variant_of` is written in a journey with `state future`: a redesign of another
  journey is the to-be map of it, and the one it redesigns is the as-is map.

## Why it matters
These lines tie maps together: the to-be map to the as-is map it improves on, a journey
to the lifecycle it is a step of, a touchpoint to the sub-journey that zooms into it.
A misspelt or stale name breaks the link silently: the comparison of as-is and to-be is
never drawn, the levels do not nest, and a reader following the map lands nowhere. A
cycle of `part_of` has no top level at all.

## Example
```
journey mortgage_2026 "Mortgage, redesigned" {
  variant_of mortage
}
```

## Instead
```
journey mortgage_2026 "Mortgage, redesigned" {
  state future
  variant_of mortgage
}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..core import model as m
from ..core.diagnostics import CloseMatches, Related, Severity
from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule


def _unknown(ref: m.Ref, what: str, known: CloseMatches, own: str) -> Finding:
    """An unknown journey name; a near name is suggested unless it is the naming
    journey's own (a journey is never its own variant, parent or detail)."""
    hint = known.hint(ref.id)
    if hint is not None and f"`{own}`" in hint:
        hint = None
    hint = hint or (
        f'no journey of the project has this id: declare it (`journey {ref.id} "..."` in a file of its own), '
        "or name a journey that exists"
    )
    return Finding(ref.span, f"{what} names unknown journey `{ref.id}`", hint)


def _cycles(by_id: dict[str, m.Journey]) -> dict[str, list[str]]:
    """Each journey on a cycle of `part_of`, with the cycle from it back to itself. Each
    journey has at most one `part_of`, so one walk from each journey finds every cycle."""
    done: set[str] = set()
    out: dict[str, list[str]] = {}
    for start in by_id:
        path: list[str] = []
        on_path: dict[str, int] = {}
        here: str | None = start
        while here is not None and here in by_id and here not in done and here not in on_path:
            on_path[here] = len(path)
            path.append(here)
            parent = by_id[here].part_of
            here = parent.id if parent is not None else None
        if here is not None and here in on_path:
            cycle = path[on_path[here] :]
            for i, member in enumerate(cycle):
                out[member] = [*cycle[i:], *cycle[:i], member]
        done.update(path)
    return out


@rule(
    "CJ231",
    "unknown-journey",
    "A `variant_of`, `part_of` or `detail` that names an unknown journey, or names one wrongly.",
    severity=Severity.ERROR,
    project=True,
)
def check(journeys: Sequence[ResolvedJourney], ctx: Context) -> Iterator[Finding]:
    by_id: dict[str, m.Journey] = {}
    for j in journeys:
        if j.journey is not None:
            by_id.setdefault(j.journey.id, j.journey)
    known = CloseMatches(by_id)
    cycles = _cycles(by_id)
    seen: set[str] = set()
    for j in journeys:
        journey = j.journey
        if journey is None or journey.id in seen:
            continue
        seen.add(journey.id)
        variant = journey.variant_of
        if variant is not None:
            if variant.id == journey.id:
                yield Finding(
                    variant.span,
                    f"journey `{journey.id}` is a variant of itself",
                    "`variant_of` names the current journey that this one redesigns",
                )
            elif variant.id not in by_id:
                yield _unknown(variant, f"`variant_of` of journey `{journey.id}`", known, journey.id)
            if j.state != "future":
                yield Finding(
                    journey.spans.get("state") or journey.spans.get("variant_of") or variant.span,
                    f"journey `{journey.id}` is a variant of `{variant.id}` but is not `state future`",
                    f"add `state future`: a journey that redesigns `{variant.id}` is its to-be map",
                )
        parent = journey.part_of
        if parent is not None:
            if journey.id in cycles:
                cycle = cycles[journey.id]
                related = tuple(
                    Related(p.span, f"`{member}` is part of `{p.id}` here")
                    for member in dict.fromkeys(cycle[1:-1])
                    if (p := by_id[member].part_of) is not None
                )
                yield Finding(
                    parent.span,
                    f"journey `{journey.id}` is part of itself: {' → '.join(cycle)}",
                    "`part_of` names the larger journey this one is a step of; "
                    "the largest journey (the lifecycle) is part of none",
                    related,
                )
            elif parent.id not in by_id:
                yield _unknown(parent, f"`part_of` of journey `{journey.id}`", known, journey.id)
        for tp in j.touchpoints:
            if tp.detail is None:
                continue
            if tp.detail.id == journey.id:
                yield Finding(
                    tp.detail.span,
                    f"`detail` of touchpoint `{tp.id}` names its own journey `{journey.id}`",
                    "`detail` names the sub-journey that zooms into this touchpoint: another journey "
                    f"(usually one with `part_of {journey.id}`)",
                )
            elif tp.detail.id not in by_id:
                yield _unknown(tp.detail, f"`detail` of touchpoint `{tp.id}`", known, journey.id)
