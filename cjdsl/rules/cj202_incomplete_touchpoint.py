"""A touchpoint without its channel, intent, context or need.

## What it checks
Every touchpoint says where it happens (`channel`), why the customer is there (`intent`),
the situation they are in (`context`) and what they need (`need`).

## Why it matters
Every touchpoint happens in a channel, in a context (the situation the customer is in),
and serves a need. Without them the map lists interactions but not what the customer
wants from them.

## Example
```
touchpoint pricing "Looks at pricing" {
  channel web
}
```

## Instead
```
touchpoint pricing "Looks at pricing" {
  channel web
  intent commercial
  context "Shortlisted three vendors"
  need "Know the price for 150 employees"
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at, listing

_MEANING = {
    "channel": "where it happens",
    "intent": "why the customer is there",
    "context": "the situation they are in",
    "need": "what they need",
}


@rule("CJ202", "incomplete-touchpoint", "A touchpoint without its channel, intent, context or need.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for tp in j.touchpoints:
        present = {"channel": tp.channel, "intent": tp.intents, "context": tp.context, "need": tp.need}
        missing = [name for name, value in present.items() if not value]
        if missing:
            shown = [f"`{n}`" for n in missing]
            yield Finding(
                at(tp),
                f"touchpoint `{tp.id}` has no {listing(shown).replace(' and ', ' or ')}",
                "add " + listing([f"`{n}` ({_MEANING[n]})" for n in missing]),
            )
