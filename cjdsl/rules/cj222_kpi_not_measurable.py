"""A KPI that no tracked event can measure.

## What it checks
Every touchpoint a KPI `measures`, and every step of its `funnel`, fires at least one
analytics event, so the KPI can be computed from the tracking plan. A KPI that measures
several touchpoints needs one of them to fire an event; a funnel needs every step to.

## Why it matters
A KPI is a number someone watches move. When the touchpoints it names send nothing to
analytics, the number cannot be computed: the KPI stays a sentence in a document, and
nobody sees the journey improve or break. A funnel with one silent step cannot show
where customers drop out.

## Example
```
stage s "Buy" phase purchase {
  touchpoint visit "Visits the shop" { event "Shop Visited" }
  touchpoint pay "Pays at the till"
}
kpi conversion "Visit-to-purchase" {
  funnel visit -> pay
}
```

## Instead
```
stage s "Buy" phase purchase {
  touchpoint visit "Visits the shop" { event "Shop Visited" }
  touchpoint pay "Pays at the till" { event "Order Completed" }
}
kpi conversion "Visit-to-purchase" {
  funnel visit -> pay
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at, listing


@rule("CJ222", "kpi-not-measurable", "A KPI that no tracked event can measure.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    def silent(tp_id: str) -> bool:
        tp = j.touchpoint.get(tp_id)
        return tp is not None and not tp.events

    for kpi in j.kpis:
        steps = [r for r in kpi.funnel if silent(r.id)]
        for ref in steps:
            yield Finding(
                ref.span,
                f"funnel step `{ref.id}` of KPI `{kpi.id}` fires no event, so the funnel cannot be computed",
                f"add an `event` to touchpoint `{ref.id}` (what analytics records when a customer gets there)",
            )
        measured = [r.id for r in kpi.measures if r.id in j.touchpoint]
        if measured and all(silent(i) for i in measured):
            yield Finding(
                at(kpi),
                f"KPI `{kpi.id}` measures {listing([f'`{i}`' for i in measured])}, which fire no event",
                "add an `event` to a measured touchpoint, or measure touchpoints that are tracked",
            )
