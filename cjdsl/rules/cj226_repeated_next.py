"""A `next` that names a touchpoint twice, or the touchpoint itself.

## What it checks
Each touchpoint's `next` names other touchpoints, each once.

## Why it matters
`next` is the list of ways on. A target written twice is one path counted twice (it
inflates the alternative paths an entry offers), and a touchpoint that leads to itself
is no way on at all: usually a copy-and-paste slip where another touchpoint was meant.

## Example
```
touchpoint pricing "Reads the prices" {
  next demo, trial, demo, pricing
}
```

## Instead
```
touchpoint pricing "Reads the prices" {
  next demo, trial
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule


@rule("CJ226", "repeated-next", "A `next` that names a touchpoint twice, or the touchpoint itself.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for tp in j.touchpoints:
        seen: set[str] = set()
        for ref in tp.next:
            if ref.id == tp.id:
                yield Finding(ref.span, f"touchpoint `{tp.id}` lists itself in `next`", "remove it, or name the touchpoint meant")
            elif ref.id in seen:
                yield Finding(ref.span, f"`next` of `{tp.id}` names `{ref.id}` twice", "remove the second one")
            seen.add(ref.id)
