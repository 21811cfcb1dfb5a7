"""A funnel whose steps do not follow the journey.

## What it checks
Each step of a KPI's `funnel` can be reached from the step before it by following
`next`, when the journey maps its flows; when it does not, each step comes no earlier
in the journey (by stage order) than the step before it. A loop the flows describe,
such as a recall that leads back to booking, is a valid funnel.

## Why it matters
A funnel counts the customers who go from one step to the next. A step that lies in an
earlier stage, or that no path of the map leads to, describes a route customers do not
take: the funnel would be computed from the data and show a drop-off that is really a
mistake in the map (or a path missing from it).

## Example
```
stage learn "Learn" phase awareness {
  touchpoint blog "Reads the blog" { entry  next pricing }
  touchpoint pricing "Reads the prices"
}
stage buy "Buy" phase purchase {
  touchpoint checkout "Checks out"
}
kpi conversion "Blog to checkout" {
  funnel checkout -> blog
}
```

## Instead
```
stage learn "Learn" phase awareness {
  touchpoint blog "Reads the blog" { entry  next pricing }
  touchpoint pricing "Reads the prices" { next checkout }
}
stage buy "Buy" phase purchase {
  touchpoint checkout "Checks out"
}
kpi conversion "Blog to checkout" {
  funnel blog -> pricing -> checkout
}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import uses_flows


def _reach(j: ResolvedJourney, start: str) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        tp = j.touchpoint.get(todo.pop())
        for ref in tp.next if tp is not None else ():
            if ref.id not in seen:
                seen.add(ref.id)
                todo.append(ref.id)
    return seen


@rule("CJ224", "funnel-against-the-journey", "A funnel whose steps do not follow the journey.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    flows = uses_flows(j)
    reach: dict[str, set[str]] = {}
    for kpi in j.kpis:
        steps = [r for r in kpi.funnel if r.id in j.touchpoint]
        for before, step in pairwise(steps):
            if flows and step.id != before.id:
                # Flows decide: a step that `next` reaches from the one before is in
                # order, even in an earlier stage (a recall leading back to booking).
                if before.id not in reach:
                    reach[before.id] = _reach(j, before.id)
                if step.id not in reach[before.id]:
                    yield Finding(
                        step.span,
                        f"funnel step `{step.id}` cannot be reached from `{before.id}` by following `next`",
                        f"add the path from `{before.id}` to `{step.id}` to the map, or fix the funnel's steps",
                    )
                continue
            here = j.stage_index[j.stage_of[step.id].id]
            there = j.stage_index[j.stage_of[before.id].id]
            if here < there:
                yield Finding(
                    step.span,
                    f"funnel step `{step.id}` (stage `{j.stage_of[step.id].id}`) comes before the step it follows, "
                    f"`{before.id}` (stage `{j.stage_of[before.id].id}`)",
                    "list the funnel's steps in the order customers take them",
                )
