"""A touchpoint no flow reaches.

## What it checks
When a journey uses `next` flows, every touchpoint can be reached by following them from
an `entry` touchpoint, and at least one touchpoint is marked `entry`.

## Why it matters
Every touchpoint matters: a bad experience at any one of them can be the moment the
customer abandons the journey. A touchpoint that no path leads to is either missing its
incoming flow or not part of this journey.

## Example
```
touchpoint blog_post "Reads an article" {
  entry
  next pricing
}
touchpoint pricing "Looks at pricing"
touchpoint case_study "Reads a case study"
```

## Instead
```
touchpoint blog_post "Reads an article" {
  entry
  next pricing, case_study
}
touchpoint pricing "Looks at pricing"
touchpoint case_study "Reads a case study"
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at, journey_span, uses_flows


@rule("CJ209", "unreachable-touchpoint", "A touchpoint no flow reaches.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    if not uses_flows(j):
        return
    entries = [tp.id for tp in j.touchpoints if tp.entry]
    if not entries:
        yield Finding(
            journey_span(j) or at(j.touchpoints[0]),
            "no touchpoint is marked `entry`, so no flow starts anywhere",
            "add `entry` to the touchpoints where customers first meet you",
        )
        return
    seen = set(entries)
    todo = list(entries)
    while todo:
        tp = j.touchpoint.get(todo.pop())
        if tp is None:
            continue
        for ref in tp.next:
            if ref.id not in seen:
                seen.add(ref.id)
                todo.append(ref.id)
    for tp in j.touchpoints:
        if tp.id not in seen:
            yield Finding(
                at(tp),
                f"touchpoint `{tp.id}` cannot be reached from any entry touchpoint",
                "add it to the `next` of the touchpoint customers come from, or mark it `entry`",
            )
