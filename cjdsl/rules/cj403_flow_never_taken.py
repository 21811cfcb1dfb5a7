"""A flow of the map that no customer takes.

## What it checks
Run with events, every `next` between two tracked touchpoints is taken by someone: when
at least `min_users` users (10 by default) reached a touchpoint and none of them went
from it straight to a touchpoint it names in `next`, the rule reports that flow. A flow
into an untracked touchpoint cannot be seen in events and is never a finding. Without
events the rule does not run.

## Why it matters
A designed path no one follows is either a broken step (a button that is not there, a
link that goes elsewhere, an e-mail that is never sent) or a part of the map that no
longer describes the service. Both are worth knowing before the map is presented as the
way customers move.

## Example
```
touchpoint trial_signup "Trial sign-up" {
  channel web
  next onboarding_call
}
```
with events in which 800 users sign up for a trial and none of them books the
onboarding call next.

## Instead
Find why the call is never booked and fix the step, or, if customers really go
elsewhere, draw the flow they take:
```
touchpoint trial_signup "Trial sign-up" {
  channel web
  next in_app_tour
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._measured import count, entries, users_at
from ._util import at


@rule(
    "CJ403",
    "flow-never-taken",
    "A flow of the map that no customer takes.",
    options={"min_users": 10},
    measured=True,
)
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    min_users = int(ctx.options.get("min_users", 10))
    reached = users_at(ctx.measured, j.id)
    taken = {(str(f.get("from")), str(f.get("to"))) for f in entries(ctx.measured, "flows", j.id) if f.get("users")}
    tracked = {str(t["id"]) for t in entries(ctx.measured, "touchpoints", j.id) if t.get("tracked", True)}
    for tp in j.touchpoints:
        at_tp = reached.get(tp.id, 0)
        if at_tp < min_users or tp.id not in tracked:
            continue
        for ref in tp.next:
            if ref.id not in tracked or ref.id not in j.touchpoint or (tp.id, ref.id) in taken:
                continue
            yield Finding(
                ref.span if ref.span.path else at(tp),
                f"no user went from `{tp.id}` straight to `{ref.id}`, though {count(at_tp, 'user')} reached `{tp.id}`",
                f"find what stops customers (a missing link or button, a message never sent) or draw the path they take"
                f" instead of `next {ref.id}`",
            )
