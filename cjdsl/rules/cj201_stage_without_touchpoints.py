"""A stage with no touchpoints.

## What it checks
Every stage holds at least one touchpoint.

## Why it matters
A complete map covers every stage of the journey, from awareness to loyalty, and names
the main touchpoints in each. An empty stage is a gap in the customer's path that nobody
has mapped yet.

## Example
```
stage loyalty "Loyalty" phase loyalty
```

## Instead
```
stage loyalty "Loyalty" phase loyalty {
  touchpoint referral "Invited to the referral programme" {
    channel email
  }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


@rule("CJ201", "stage-without-touchpoints", "A stage with no touchpoints.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for stage in j.stages:
        if not stage.touchpoints:
            yield Finding(
                at(stage),
                f"stage `{stage.id}` has no touchpoints",
                "add the touchpoints where customers meet you in this stage, or remove the stage",
            )
