"""The same event declared with conflicting property types.

## What it checks
When several touchpoints fire an event of the same name, a property they share has the
same type everywhere.

## Why it matters
One event name is one event in the tracking plan, with one schema, whichever touchpoint
sends it. If the web sends `total` as a number and the store as a string, every report
on it is wrong.

## Example
```
touchpoint web_checkout "Pays online" {
  event "Order Completed" { total number }
}
touchpoint till "Pays in store" {
  event "Order Completed" { total string }
}
```

## Instead
```
touchpoint web_checkout "Pays online" {
  event "Order Completed" { total number }
}
touchpoint till "Pays in store" {
  event "Order Completed" { total number }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.diagnostics import Related
from ..core.model import Property, PropertyType
from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule


def _shape(t: PropertyType | None) -> object:
    """A type as the tracking plan sees it: enum values as a set."""
    if t is None:
        return None
    return (t.name, frozenset(t.values), _shape(t.item))


@rule("CJ217", "conflicting-event-properties", "The same event declared with conflicting property types.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    first: dict[tuple[str, str], tuple[Property, str]] = {}
    for tp in j.touchpoints:
        for event in tp.events:
            for prop in event.properties:
                key = (event.name, prop.name)
                seen = first.get(key)
                if seen is not None and seen[0] in event.properties:
                    continue  # a property declared twice in one event is CJ107's
                if seen is None:
                    first[key] = (prop, tp.id)
                elif _shape(seen[0].type) != _shape(prop.type):
                    yield Finding(
                        prop.span,
                        f'property `{prop.name}` of "{event.name}" is {prop.type} here but {seen[0].type} in `{seen[1]}`',
                        "an event has one schema: give the property the same type everywhere, or name the events apart",
                        (Related(seen[0].span, f"declared as {seen[0].type} here"),),
                    )
