"""A pain point not tied to a touchpoint or stage.

## What it checks
Every top-level pain point says where it happens with `at TOUCHPOINT_OR_STAGE` (pain
points written inside a touchpoint or stage are anchored there already).

## Why it matters
Customers meet obstacles at concrete places in the journey: a form that is too long, a
missing follow-up, a late delivery. A pain point that happens nowhere cannot be shown on
the map or fixed by the team that owns the place.

## Example
```
pain long_form "The report form asks for 11 fields" {
  severity high
}
```

## Instead
```
pain long_form "The report form asks for 11 fields" {
  at report_download
  severity high
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


@rule("CJ204", "unanchored-pain", "A pain point not tied to a touchpoint or stage.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for pain in j.pains:
        if pain.at is None:
            yield Finding(
                at(pain),
                f"pain point `{pain.id}` does not say where it happens",
                "add `at TOUCHPOINT_OR_STAGE`, or move the pain point into that touchpoint or stage",
            )
