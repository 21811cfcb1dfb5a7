"""A flow back into an earlier stage.

## What it checks
`next` leads to a touchpoint in the same or a later stage, except from an `advocacy` or
`loyalty` stage, where a loop back (a referral, a repeat purchase) is the point.

## Why it matters
Stages are ordered, from awareness to loyalty, and each touchpoint belongs to exactly
one stage. A flow backwards elsewhere usually means a touchpoint sits in the wrong stage.

## Example
```
stage decide "Decision" phase decision {
  touchpoint demo "Books a demo" {
    next blog_post
  }
}
```

## Instead
```
stage loyalty "Loyalty" phase loyalty {
  touchpoint referral "Refers a peer" {
    next blog_post
  }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule

LOOP_PHASES = ("advocacy", "loyalty")


@rule("CJ211", "backward-flow", "A flow back into an earlier stage.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    index = j.stage_index
    for stage in j.stages:
        if stage.phase in LOOP_PHASES:
            continue
        for tp in stage.touchpoints:
            for ref in tp.next:
                target = j.stage_of.get(ref.id)
                if target is not None and index[target.id] < index[stage.id]:
                    yield Finding(
                        ref.span,
                        f"`{tp.id}` flows back to `{ref.id}` in the earlier stage `{target.id}`",
                        "move one of the touchpoints to the stage where it happens; "
                        "loops back belong to advocacy and loyalty stages",
                    )
