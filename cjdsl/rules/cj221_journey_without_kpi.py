"""A journey with no KPI.

## What it checks
Every journey declares at least one `kpi`.

## Why it matters
A journey map is a living document, analysed and updated continuously against data
and against the goals it serves. Without a KPI nobody can tell whether a change to the
journey made it better.

## Example
```
journey hr "HR SaaS" {
  owner marketing
}
```
(and no `kpi` anywhere in the journey)

## Instead
```
kpi lead_rate "Visitor-to-lead conversion" {
  target ">= 3%"
  funnel blog_post -> report_download
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import journey_span


@rule("CJ221", "journey-without-kpi", "A journey with no KPI.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    if j.journey is not None and not j.kpis:
        yield Finding(
            journey_span(j),
            f"journey `{j.id}` has no KPI",
            'add `kpi ID "Label" { target "..." funnel A -> B }` with what success looks like',
        )
