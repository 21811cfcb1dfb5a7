"""A touchpoint without an emotion or a rating.

## What it checks
Every touchpoint has an `emotion` (-2..+2: how it feels) and a `rating` (1..5: how well
it meets the customer's expectations).

## Why it matters
Every touchpoint is rated by how well it meets the customer's expectations, and what the
customer feels, fears and expects is drawn along the journey's timeline. Unrated
touchpoints leave holes in the emotion curve.

## Example
```
touchpoint demo "Books a demo" {
  channel web
}
```

## Instead
```
touchpoint demo "Books a demo" {
  channel web
  emotion +1 "hopeful"
  rating 4
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at, listing

_HOW = {"emotion": "`emotion -2..+2` (how it feels)", "rating": "`rating 1..5` (how well it meets expectations)"}


@rule("CJ213", "unrated-touchpoint", "A touchpoint without an emotion or a rating.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for tp in j.touchpoints:
        missing = [n for n, v in (("emotion", tp.emotion), ("rating", tp.rating)) if v is None]
        if missing:
            yield Finding(
                at(tp),
                f"touchpoint `{tp.id}` has no {listing([f'`{n}`' for n in missing]).replace(' and ', ' or ')}",
                "add " + listing([_HOW[n] for n in missing]),
            )
