"""A touchpoint or opportunity without an owner.

## What it checks
Every touchpoint and every opportunity names the team that owns it (`owner TEAM`), but
a touchpoint on a `word_of_mouth` channel: a conversation between customers is run by
no team.

A touchpoint without `owner` that has frontstage or backstage steps counts as owned
when every step belongs to one and the same team: through the step's `owner`, else
through its actor's `team`. That team does all of the work, so it owns the touchpoint.
When the steps belong to several teams, or a step belongs to none (no `owner`, and an
actor without a team, such as a partner), the touchpoint is reported: a hand-over
between teams is where a customer falls through, and someone must answer for the
whole of it.

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

from ..core import model as m
from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at, listing


def step_team(j: ResolvedJourney, step: m.Step) -> str | None:
    """The team a step belongs to: its `owner`, else its actor's `team` (None when neither)."""
    if step.owner is not None:
        return step.owner.id
    actor = j.actor.get(step.actor.id) if step.actor is not None else None
    return actor.team.id if actor is not None and actor.team is not None else None


@rule("CJ219", "missing-owner", "A touchpoint or opportunity without an owner.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for tp in j.touchpoints:
        channel = j.channel_of(tp)
        if channel is not None and channel.kind == "word_of_mouth":
            continue  # a conversation between customers: nobody at the company runs it
        if tp.owner is not None:
            continue
        teams = [step_team(j, step) for step in tp.steps]
        known = list(dict.fromkeys(t for t in teams if t is not None))
        if teams and None not in teams and len(known) == 1:
            continue  # every step is done by one team: it owns the touchpoint
        hint = "add `owner TEAM`: the team responsible for it"
        if len(known) > 1:
            shown = listing([f"`{t}`" for t in known])
            hint = f"its steps belong to {shown}: add `owner TEAM` with the team that answers for the whole touchpoint"
        yield Finding(at(tp), f"touchpoint `{tp.id}` has no owner", hint)
    for opp in j.opportunities:
        if opp.owner is None:
            yield Finding(at(opp), f"opportunity `{opp.id}` has no owner", "add `owner TEAM`: the team that will do it")
