"""An event property name that is not snake_case.

## What it checks
Event property names are snake_case: lower-case words joined by `_` (`article_id`,
`company_size`).

## Why it matters
Property keys become column names in warehouses and keys in every tracking tool; Segment
and RudderStack tracking plans use snake_case property keys. Mixed styles split one
property into two columns, and a journey whose data is split cannot be measured.

## Example
```
event "Report Downloaded" {
  reportId string
}
```

## Instead
```
event "Report Downloaded" {
  report_id string
}
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


def snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name.replace("-", "_"))
    return re.sub(r"_+", "_", name).strip("_").lower()


@rule("CJ216", "property-name-convention", "An event property name that is not snake_case.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for tp in j.touchpoints:
        for event in tp.events:
            for prop in event.properties:
                if not _SNAKE.match(prop.name):
                    yield Finding(
                        prop.spans.get("name", prop.span),
                        f'property `{prop.name}` of "{event.name}" is not snake_case',
                        f"rename it `{snake(prop.name)}`",
                    )
