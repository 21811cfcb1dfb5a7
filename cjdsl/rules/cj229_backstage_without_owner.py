"""A backstage step that no team owns.

## What it checks
Every `backstage` step belongs to a team: it names an `owner`, or its `actor` belongs to
a `team`. The touchpoint's own `owner` does not count: backstage work is often done by
another team than the one that faces the customer, and the blueprint is there to show
which. A step done by a `partner` (a notary, a courier, a lab) needs an owner too,
unless the partner's actor names the `team` that manages it: someone inside the
company must answer for what the partner does.

## Why it matters
Backstage steps are the work the customer never sees and waits for: the underwriting,
the stock check, the hand-over to the courier. When a step belongs to no team, nobody
watches how long it takes or fixes it when it breaks, and the customer's wait grows
where no one on the front line can see why.

## Example
```
touchpoint apply "Applies for the mortgage" {
  owner sales
  backstage "Underwriting scores the application" {
    duration 3 d
  }
}
```

## Instead
```
touchpoint apply "Applies for the mortgage" {
  owner sales
  backstage "Underwriting scores the application" {
    actor underwriter
    owner risk
    duration 3 d
  }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@rule("CJ229", "backstage-without-owner", "A backstage step that no team owns.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for tp in j.touchpoints:
        for step in tp.steps:
            if step.lane != "backstage" or step.owner is not None:
                continue
            actor = j.actor.get(step.actor.id) if step.actor is not None else None
            if actor is not None and actor.team is not None:
                continue
            where = at(step)
            what = f'backstage step "{_short(step.text)}" of `{tp.id}`'
            if actor is None:
                yield Finding(
                    where,
                    f"{what} has no owner and no actor",
                    "add `owner TEAM` (the team that answers for it), or `actor ID` with an actor whose `team` is set",
                )
            elif actor.partner:
                yield Finding(
                    where,
                    f"{what} is done by partner `{actor.id}` and has no owner",
                    "a partner's work still needs a team inside the company that answers for it: add `owner TEAM`",
                )
            else:
                yield Finding(
                    where,
                    f"{what} has no owner, and its actor `{actor.id}` has no team",
                    f"add `owner TEAM` to the step, or `team TEAM` to actor `{actor.id}`",
                )
