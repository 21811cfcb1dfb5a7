"""A future journey that changes nothing of the journey it redesigns.

## What it checks
A journey with `state future` and `variant_of J` differs from `J` in something the
customer lives: its stages, touchpoints, personas, pain points or opportunities. How
the files are laid out and commented does not count, nor do the journey's own title,
version, owner and description, its KPIs and metrics, or its teams, channels, intents,
actors and systems as declared (a touchpoint that moves to another channel does count).

## Why it matters
A to-be map is a proposal: it shows what the customer's journey will be once the team
has done the work. A copy of the as-is map marked `state future` promises a redesign
that is not there, and the comparison of the two maps shows no change at all. It is
usually a copy that was started and never filled in, or edits made to the wrong file.

## Example
```
journey mortgage_2026 "Mortgage, redesigned" {
  state future
  variant_of mortgage
}
# then the stages of `mortgage`, copied unchanged
```

## Instead
```
journey mortgage_2026 "Mortgage, redesigned" {
  state future
  variant_of mortgage
}

stage valuation "Valuation" phase purchase {
  touchpoint book_valuation "Books the valuation online" {
    wait 2 d    # was 14 d: the surveyor's calendar is open to customers
  }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..core.diagnostics import Related
from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import journey_span


def _content(j: ResolvedJourney) -> tuple[object, ...]:
    """What the customer lives in a journey (model equality ignores where it is written)."""
    return (j.stages, j.touchpoints, j.personas, j.pains, j.opportunities)


@rule("CJ232", "future-unchanged", "A future journey that changes nothing of the journey it redesigns.", project=True)
def check(journeys: Sequence[ResolvedJourney], ctx: Context) -> Iterator[Finding]:
    by_id: dict[str, ResolvedJourney] = {}
    for j in journeys:
        if j.journey is not None:
            by_id.setdefault(j.id, j)
    for j in by_id.values():
        journey = j.journey
        if journey is None or j.state != "future" or journey.variant_of is None:
            continue
        current = by_id.get(journey.variant_of.id)
        if current is None or current is j or _content(current) != _content(j):
            continue
        span = journey_span(current)
        related = (Related(span, f"`{current.id}` is declared here"),) if span is not None else ()
        yield Finding(
            journey.variant_of.span,
            f"future journey `{j.id}` changes nothing of `{current.id}`, the journey it redesigns: "
            "its stages, touchpoints, personas, pain points and opportunities are the same",
            "draw the journey as it will be (the touchpoints, times and pain points the redesign changes), "
            "or leave the future map out until there is a redesign to show",
            related,
        )
