"""A touchpoint with no way on before the last stage.

## What it checks
When a journey uses `next` flows, every touchpoint before the last stage has at least
one `next`.

## Why it matters
No touchpoint should be a dead end: a bad or empty experience at any one of them can be
where the customer abandons the journey, and leads drop off wherever nobody follows up
(a report downloaded with no e-mail after it, a form that gets no reply).

## Example
```
touchpoint report_download "Downloads the report" {
  channel web
}
```

## Instead
```
touchpoint report_download "Downloads the report" {
  channel web
  next nurture_email, demo_request
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at, uses_flows


@rule("CJ210", "dead-end", "A touchpoint with no way on before the last stage.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    if not uses_flows(j):
        return
    last = max((i for i, s in enumerate(j.stages) if s.touchpoints), default=-1)
    for stage in j.stages[:last]:
        for tp in stage.touchpoints:
            if not tp.next:
                yield Finding(
                    at(tp),
                    f"touchpoint `{tp.id}` is a dead end: nothing follows it",
                    "add `next` with where the customer goes from here",
                )
