"""Stages whose phases run backwards.

## What it checks
The `phase` of each stage comes no earlier in the lifecycle (awareness, interest,
consideration, decision, purchase, adoption, advocacy, loyalty) than the phase of the
stage before it. Stages without a phase are skipped.

## Why it matters
Stages are the journey's order: customers go through them from first contact to
loyalty. A `loyalty` stage followed by a `purchase` stage and then an `awareness` stage
is a journey written upside down, or phases copied without care; either way, every
view that sorts or colours by phase (and the check that the journey goes on after the
purchase) would be misled.

## Example
```
stage stay "Stay" phase loyalty
stage buy "Buy" phase purchase
```

## Instead
```
stage buy "Buy" phase purchase
stage stay "Stay" phase loyalty
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core import vocabulary as v
from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule


@rule("CJ225", "phases-backwards", "Stages whose phases run backwards.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    previous = None
    for stage in j.stages:
        if stage.phase not in v.PHASES:
            continue
        if previous is not None and v.PHASES.index(stage.phase) < v.PHASES.index(previous.phase):
            yield Finding(
                stage.spans.get("phase", stage.spans.get("id", stage.span)),
                f"stage `{stage.id}` has phase `{stage.phase}`, "
                f"earlier than `{previous.phase}` of stage `{previous.id}` before it",
                "order the stages as customers go through them, or correct the phases",
            )
        previous = stage
