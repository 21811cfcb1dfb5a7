"""A touchpoint or opportunity without an owner.

## What it checks
Every touchpoint and every opportunity names the team that owns it (`owner TEAM`), but
a touchpoint on a `word_of_mouth` channel: a conversation between customers is run by
no team.

## Why it matters
What the company does at each touchpoint belongs to a team (marketing, sales, customer
service, technical support), so each team knows what to do and when; improvements become
an action plan whose progress is tracked. Without an owner nobody acts.

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

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


@rule("CJ219", "missing-owner", "A touchpoint or opportunity without an owner.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for tp in j.touchpoints:
        channel = j.channel_of(tp)
        if channel is not None and channel.kind == "word_of_mouth":
            continue  # a conversation between customers: nobody at the company runs it
        if tp.owner is None:
            yield Finding(at(tp), f"touchpoint `{tp.id}` has no owner", "add `owner TEAM`: the team responsible for it")
    for opp in j.opportunities:
        if opp.owner is None:
            yield Finding(at(opp), f"opportunity `{opp.id}` has no owner", "add `owner TEAM`: the team that will do it")
