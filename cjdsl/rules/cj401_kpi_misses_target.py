"""A KPI whose measured value misses its target.

## What it checks
Run with events (`cjdsl build --events FILE`, `cjdsl check --events FILE`, or
`[measure] events` in `cjdsl.toml`), every KPI with a `funnel` and a target the
measurement can read (`">= 3%"`, `"2%"`, `">= 180 per month"`) meets its target in the
events. The finding names the step of the funnel where most users leave. A target
written any other way is not read and is never a finding of this rule; without events
the rule does not run.

## Why it matters
A KPI on the map is the team's promise about how the journey performs. When real
customers convert below it, the map should say so where the journey is designed, with
the step that loses them, not only on a dashboard that knows nothing of the design. A
missed KPI is a question for the map: a pain point to record, an opportunity to plan,
or a target to revise.

## Example
```
kpi demo_rate "Visitors who book a demo" {
  funnel landing, pricing, demo_form
  target ">= 5%"
}
```
with events in which 2.1% of the users who reach `landing` go on to `demo_form`.

## Instead
```
kpi demo_rate "Visitors who book a demo" {
  funnel landing, pricing, demo_form
  target ">= 5%"
  allow kpi-misses-target "below target since the price change; see pain long_form"
}

pain long_form "The demo form asks for twelve fields" {
  at demo_form
  severity high
  opportunity short_form "Ask for the e-mail only" { impact high effort low }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import pairwise
from typing import Any

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._measured import count, entries, percent
from ._util import at


def _worst_step(kpi: Mapping[str, Any]) -> str:
    """ ", most leave between `a` and `b` (−62%)" for the step that loses the largest
    share of the users who reached the one before it; "" when no step loses any."""
    steps = [s for s in kpi.get("steps") or () if isinstance(s, Mapping)]
    worst: tuple[float, str, str] | None = None
    for before, step in pairwise(steps):
        kept = step.get("conversion_from_previous")
        if kept is None or kept >= 1:
            continue
        if worst is None or 1 - kept > worst[0]:
            worst = (1 - kept, str(before.get("touchpoint")), str(step.get("touchpoint")))
    if worst is None:
        return ""
    return f"; it loses most between `{worst[1]}` and `{worst[2]}`: {percent(worst[0])} of the users at `{worst[1]}` do not go on"


def _value(kpi: Mapping[str, Any]) -> str:
    entered, completed = int(kpi.get("entered") or 0), int(kpi.get("completed") or 0)
    read = kpi.get("target_read") or {}
    if "fraction" in read or kpi.get("per_period") is None:
        return f"converts {percent(kpi.get('conversion'))} ({completed:,} of the {count(entered, 'user')} who entered)"
    return f"reaches {float(kpi['per_period']):,.1f} a period ({count(completed, 'user')} in the events)"


@rule("CJ401", "kpi-misses-target", "A KPI whose measured value misses its target.", measured=True)
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    kpis = {k.id: k for k in j.kpis}
    for measured in entries(ctx.measured, "kpis", j.id):
        kpi = kpis.get(str(measured.get("id")))
        if kpi is None or measured.get("met") is not False:
            continue
        yield Finding(
            kpi.spans.get("target") or at(kpi),
            f"KPI `{kpi.id}` {_value(measured)}, which misses its target `{(kpi.target or '').strip()}`" + _worst_step(measured),
            "record why on the map (a pain point with an opportunity at the step that loses users), or revise the target;"
            " `cjdsl measure --format markdown` shows the whole funnel",
        )
