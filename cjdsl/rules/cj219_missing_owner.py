"""A touchpoint or opportunity without an owner.

## What it checks
Every touchpoint and every opportunity names the team that owns it (`owner TEAM`).

## Why it matters
Company actions at each touchpoint belong to a team: marketing, sales, customer service,
technical support (DOMAIN.md, "Company actions", seeds 000 and 003); improvements become
an action plan whose progress is tracked (rule 4, seed 004). Without an owner nobody acts.

## Example
```
touchpoint demo "Books a demo" {
  channel web
}
```

## Instead
```
touchpoint demo "Books a demo" {
  channel web
  owner sales
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


@rule("CJ219", "missing-owner", "A touchpoint or opportunity without an owner.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for tp in j.touchpoints:
        if tp.owner is None:
            yield Finding(at(tp), f"touchpoint `{tp.id}` has no owner", "add `owner TEAM`: the team responsible for it")
    for opp in j.opportunities:
        if opp.owner is None:
            yield Finding(at(opp), f"opportunity `{opp.id}` has no owner", "add `owner TEAM`: the team that will do it")
