"""A KPI that measures nothing.

## What it checks
Every KPI says what it measures: `measures` touchpoints, or a `funnel` of them.

## Why it matters
A journey map is analysed against data: conversion, lead volume, cart abandonment,
churn and retention are all measured at touchpoints. A KPI tied to nothing cannot be
computed from the tracking plan.

## Example
```
kpi lead_rate "Visitor-to-lead conversion" {
  target ">= 3%"
}
```

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
from ._util import at


@rule("CJ220", "kpi-measures-nothing", "A KPI that measures nothing.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for kpi in j.kpis:
        if not kpi.measures and not kpi.funnel:
            yield Finding(at(kpi), f"KPI `{kpi.id}` measures nothing", "add `measures TOUCHPOINT, ...` or `funnel A -> B -> C`")
