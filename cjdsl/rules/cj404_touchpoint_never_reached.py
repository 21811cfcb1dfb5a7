"""A tracked touchpoint that no customer reaches.

## What it checks
Run with events, every touchpoint that fires an event is reached by someone when the
events place users in its journey. A touchpoint without events cannot be seen and is
never a finding. Without events the rule does not run.

## Why it matters
A tracked touchpoint with no users in the data is either not built yet, not tracked the
way the map says (a renamed event, a property value the `when` does not match), or no
longer part of the service. The map then shows a step customers never meet, and every
KPI through it reads zero.

## Example
```
touchpoint webinar "Product webinar" {
  channel web
  event "Webinar Registered" { webinar_id string required }
}
```
with events from 2,000 users of the journey and no `Webinar Registered` among them.

A touchpoint whose events are all fired without `when` at other touchpoints too is
named with them: the events cannot tell those touchpoints apart, so none is reached.

## Instead
Fire the event where the map says it is fired (check its name and its `when`), or take
the touchpoint off the map if customers no longer meet it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.measured import indistinct
from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._measured import count, entries, journey_users
from ._util import at


@rule("CJ404", "touchpoint-never-reached", "A tracked touchpoint that no customer reaches.", measured=True)
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    users = journey_users(ctx.measured, j.id)
    if not users:
        return
    blurred = indistinct(j)
    for entry in entries(ctx.measured, "touchpoints", j.id):
        tp = j.touchpoint.get(str(entry.get("id")))
        if tp is None or not entry.get("tracked", True) or int(entry.get("users") or 0):
            continue
        names = sorted({e.name for e in tp.events})
        shown = ", ".join(f'"{n}"' for n in names[:3]) + (" …" if len(names) > 3 else "")
        if tp.id in blurred:
            others = ", ".join(f"`{o}`" for o in blurred[tp.id][:3]) + (" …" if len(blurred[tp.id]) > 3 else "")
            yield Finding(
                at(tp),
                f"no event can be placed on `{tp.id}`: {shown} {'is' if len(names) == 1 else 'are'} fired without `when` "
                f"at {others} too, so the events cannot tell which touchpoint a customer was at",
                'give each of these declarations a `when PROPERTY "VALUE"` (the page, the campaign, the template) that '
                "tells them apart; see docs/measure.md",
            )
            continue
        fires = f", which fires {shown}" if names else ""
        yield Finding(
            at(tp),
            f"none of the {count(users, 'user')} in the events reached `{tp.id}`{fires}",
            "check that the event is fired under the name the map gives it (and matches its `when`), or take the"
            " touchpoint off the map if customers no longer meet it",
        )
