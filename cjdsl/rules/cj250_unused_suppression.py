"""An `allow` that silences nothing.

## What it checks
Every `allow RULE` names a known, enabled validator rule that reports something in that
block. (The check itself runs inside the validator, after every other rule.)

## Why it matters
Suppressions outlive the problems they hid; a stale `allow` would silently hide the next
real problem in that block. A journey map is a living document, updated as the journey
changes: keeping suppressions honest keeps the map's completeness claim honest.

## Example
```
touchpoint demo "Books a demo" {
  allow dead-end
  next contract
}
```

## Instead
```
touchpoint demo "Books a demo" {
  next contract
}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..resolved import ResolvedJourney
from . import UNUSED_SUPPRESSION, Context, Finding, rule


@rule(UNUSED_SUPPRESSION, "unused-suppression", "An `allow` that silences nothing.", project=True)
def check(journeys: Sequence[ResolvedJourney], ctx: Context) -> Iterator[Finding]:
    return iter(())  # computed by run_rules, which knows what each `allow` silenced
