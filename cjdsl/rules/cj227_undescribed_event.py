"""An event, or an event property, without a description.

## What it checks
Every `event` has a `description`, and every property of it a description string. This
rule is a team's policy, not a rule of a complete map, so it is off until `select` names
it: `select = ["ALL", "undescribed-event"]` in cjdsl.toml.

## Why it matters
Analysts and engineers read the tracking plan without the journey at hand: what an
event means, and when it fires, is its description. cjdsl leaves a missing description
empty in every format rather than restate the name, so a team that wants every event
explained turns this rule on and sees where the words are missing.

## Example
```
event "Quote Requested" {
  parcels_per_month integer min 1
}
```

## Instead
```
event "Quote Requested" {
  description "A shipper asked for a price on the quote form."
  parcels_per_month integer min 1 "Parcels a month the shipper expects to send"
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule


@rule("CJ227", "undescribed-event", "An event, or an event property, without a description.", opt_in=True)
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for tp in j.touchpoints:
        for event in tp.events:
            if not event.description:
                yield Finding(
                    event.spans.get("id", event.span),
                    f'event "{event.name}" has no description',
                    'add `description "..."`: what it records, and when it fires',
                )
            for prop in event.properties:
                if not prop.description:
                    yield Finding(
                        prop.span,
                        f'property `{prop.name}` of "{event.name}" has no description',
                        'end the property\'s line with a string that says what it holds: `name string "..."`',
                    )
