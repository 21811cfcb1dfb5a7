"""A pain point with no opportunity.

## What it checks
Every pain point has at least one `opportunity`, nested or referenced: how the company
will help.

## Why it matters
Building a map starts from the customer's pain points, and the map must answer "how do
we help the customer solve each one?". A pain point without an answer is a complaint,
not a plan.

## Example
```
pain long_form "The report form asks for 11 fields" {
  at report_download
  severity high
}
```

## Instead
```
pain long_form "The report form asks for 11 fields" {
  at report_download
  severity high
  opportunity short_form "Ask for the e-mail only" {
    impact high
    owner marketing
  }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


@rule("CJ203", "pain-without-opportunity", "A pain point with no opportunity.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for pain in j.pains:
        if not pain.opportunities and not pain.opportunity_refs:
            yield Finding(
                at(pain),
                f"pain point `{pain.id}` has no opportunity",
                'add `opportunity ID "how we help" { impact ... owner ... }` inside it',
            )
