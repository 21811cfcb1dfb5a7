"""The journey ends at purchase.

## What it checks
When a stage has the `purchase` phase, a later stage with touchpoints follows it (use,
advocacy, loyalty).

## Why it matters
The customer journey runs from first contact through purchase to use, loyalty and
advocacy; the purchase path is only the part where the customer decides. A map that
stops at the sale misses retention, where most of the value is.

## Example
```
stage buy "Purchase" phase purchase {
  touchpoint contract "Signs the contract"
}
```

## Instead
```
stage buy "Purchase" phase purchase {
  touchpoint contract "Signs the contract"
}
stage onboard "Onboarding" phase adoption {
  touchpoint kickoff "Onboarding kick-off call"
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


@rule("CJ207", "journey-ends-at-purchase", "The journey ends at purchase.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    purchases = [i for i, s in enumerate(j.stages) if s.phase == "purchase"]
    if not purchases:
        return
    last = purchases[-1]
    if not any(s.touchpoints for s in j.stages[last + 1 :]):
        stage = j.stages[last]
        yield Finding(
            at(stage),
            f"the journey ends at purchase: no stage with touchpoints follows `{stage.id}`",
            "map what happens after the sale: adoption, advocacy and loyalty stages",
        )
