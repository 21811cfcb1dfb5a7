"""The tracking lock file does not match the journeys' events.

## What it checks
When the project has a `tracking.lock.json`, every event the journeys declare is in it
with the schema it has now. `cjdsl build` updates the lock (and the events' versions);
commit it with the journeys.

## Why it matters
The tracking plan is the contract analytics engineers implement, and the map is a living
document, measured and updated against data. An event whose schema changed without
a new version breaks the data pipelines that validate against the old one; the lock is
how each change gets its Segment version and Iglu SchemaVer.

## Example
```
event "Report Downloaded" {
  report_id string required
  format enum("pdf", "xlsx")
}
```
(while the lock records `Report Downloaded` without `format`)

## Instead
```
cjdsl build . -o site        # updates tracking.lock.json
git add tracking.lock.json
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..core.resolved import ResolvedJourney
from ..core.span import Span
from ..tracking import LOCK_NAME
from . import Context, Finding, rule


@rule("CJ301", "tracking-lock-stale", "The tracking lock file does not match the journeys' events.", project=True)
def check(journeys: Sequence[ResolvedJourney], ctx: Context) -> Iterator[Finding]:
    if ctx.lock is None:
        return
    from ..tracking.lock import stale  # the plan and its formats, only when there is a lock
    from ..tracking.plan import build_plan

    declared: dict[str, Span] = {}
    for j in journeys:
        for tp in j.touchpoints:
            for e in tp.events:
                declared.setdefault(e.name, e.spans.get("id", e.span))
    for event, why in stale(ctx.lock, build_plan(journeys)):
        yield Finding(
            declared.get(event.name),
            f'event "{event.name}" {why}',
            f"run `cjdsl build` to version the change in {LOCK_NAME}, and commit the lock",
        )
