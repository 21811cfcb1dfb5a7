"""An opportunity without an impact.

## What it checks
Every opportunity states its `impact` (low, medium or high). Its owner is checked by
`missing-owner`.

## Why it matters
Improvements are prioritised by their impact on business results and on customer
experience, then turned into an action plan whose progress is tracked. Without an
impact the backlog cannot be ordered.

## Example
```
opportunity short_form "Ask for the e-mail only" {
  owner marketing
}
```

## Instead
```
opportunity short_form "Ask for the e-mail only" {
  impact high
  effort low
  owner marketing
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


@rule("CJ205", "unprioritised-opportunity", "An opportunity without an impact.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for opp in j.opportunities:
        if opp.impact is None:
            yield Finding(
                at(opp),
                f"opportunity `{opp.id}` has no impact",
                "add `impact low|medium|high` (and `effort`) so it can be prioritised",
            )
