"""A micro-conversion that fires no event.

## What it checks
Every touchpoint marked `micro_conversion` fires at least one analytics event.

## Why it matters
A micro-conversion is a step the team has decided to count: a download, a sign-up, a
booked demo. It is counted only if analytics hears about it; unmarked in the data, the
step the map calls a conversion cannot be told apart from a visit that went nowhere.

## Example
```
touchpoint report_download "Downloads the report" {
  micro_conversion "lead"
}
```

## Instead
```
touchpoint report_download "Downloads the report" {
  micro_conversion "lead"
  event "Report Downloaded" {
    report_id string required "Which report"
  }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


@rule("CJ223", "micro-conversion-without-event", "A micro-conversion that fires no event.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for tp in j.touchpoints:
        if tp.micro_conversion and not tp.events:
            yield Finding(
                tp.spans.get("micro_conversion", at(tp)),
                f"touchpoint `{tp.id}` is a micro-conversion but fires no event, so it cannot be counted",
                'add `event "Object Action" { ... }` that analytics records when the conversion happens',
            )
