"""Customers often take a path the map does not have.

## What it checks
Run with events, no transition between two touchpoints that customers take is missing
from the map: when at least `min_users` users (10 by default) and at least `min_share`
(5% by default) of the users who reached a touchpoint went from it straight to another
touchpoint that it has no `next` for, the rule reports the path. Without events the
rule does not run.

## Why it matters
The map is the team's picture of how customers move; the events are how they really do.
A path many customers take that the map does not show is a part of the journey no one
designed: a detour, a workaround, a loop back to support. Either the map is missing a
flow worth designing for, or something sends customers the wrong way.

## Example
```
touchpoint pricing "Pricing page" {
  channel web
  next demo_form
}
```
with events in which 14% of the users on `pricing` go next to `support_chat`.

## Instead
```
touchpoint pricing "Pricing page" {
  channel web
  next demo_form
  next support_chat "questions about the price"
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._measured import count, entries, percent, users_at
from ._util import at


@rule(
    "CJ402",
    "frequent-undeclared-flow",
    "Customers often take a path the map does not have.",
    options={"min_users": 10, "min_share": 0.05},
    measured=True,
)
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    min_users = int(ctx.options.get("min_users", 10))
    min_share = float(ctx.options.get("min_share", 0.05))
    reached = users_at(ctx.measured, j.id)
    for flow in entries(ctx.measured, "flows", j.id):
        if flow.get("declared"):
            continue
        a, b, users = str(flow.get("from")), str(flow.get("to")), int(flow.get("users") or 0)
        tp = j.touchpoint.get(a)
        at_a = reached.get(a, 0)
        if tp is None or b not in j.touchpoint or users < min_users or not at_a or users / at_a < min_share:
            continue
        yield Finding(
            at(tp),
            f"{count(users, 'user')} ({percent(users / at_a)} of those at `{a}`) went from `{a}` straight to `{b}`,"
            f" a path the map has no `next` for",
            f"if customers do take it, add `next {b}` to `{a}`; if they should not, find what sends them there"
            " (and check that the events are placed right: an event fired at several touchpoints needs `when`)",
        )
