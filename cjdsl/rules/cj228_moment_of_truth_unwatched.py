"""A moment of truth that no KPI or metric watches.

## What it checks
Every touchpoint marked `moment_of_truth` is watched by a number: a KPI `measures` it or
has it as a step of its `funnel`, or a `metric` is measured `at` it or at its stage.

## Why it matters
A moment of truth is where the customer decides to stay or to leave; the map says it
matters more than the touchpoints around it. If no KPI and no metric follows it, nobody
will see when it starts losing customers, and nobody can tell whether a change made it
better.

## Example
```
touchpoint offer "Receives the mortgage offer" {
  moment_of_truth "accepts the offer or goes to another bank"
}
```
(and no KPI or metric names `offer`)

## Instead
```
touchpoint offer "Receives the mortgage offer" {
  moment_of_truth "accepts the offer or goes to another bank"
}

kpi offer_acceptance "Offers accepted" {
  target ">= 70%"
  measures offer
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


@rule("CJ228", "moment-of-truth-unwatched", "A moment of truth that no KPI or metric watches.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    moments = [tp for tp in j.touchpoints if tp.moment_of_truth]
    if not moments:
        return
    watched = {r.id for kpi in j.kpis for r in (*kpi.measures, *kpi.funnel)}
    watched |= {metric.at.id for metric in j.metrics if metric.at is not None}
    for tp in moments:
        if tp.id in watched or j.stage_of[tp.id].id in watched:
            continue
        yield Finding(
            tp.spans.get("moment_of_truth") or at(tp),
            f"touchpoint `{tp.id}` is a moment of truth, but no KPI or metric watches it",
            f"add it to a KPI's `measures` or `funnel`, or measure a `metric` `at {tp.id}`, "
            "so a drop at this moment shows in the numbers",
        )
