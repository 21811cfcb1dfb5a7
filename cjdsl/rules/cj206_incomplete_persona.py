"""A persona without role or industry, demographics, or goals and needs.

## What it checks
Every persona has a `role` or `industry`, demographics (`age`, `gender` or `location`),
and at least one `goal` or `need`.

## Why it matters
A persona is the profile of a typical customer: demographics (age, gender, place of
residence), industry and position, needs and requirements toward the product, as
detailed as the research allows. A name alone does not tell the team who they design for.

## Example
```
persona anna "Anna"
```

## Instead
```
persona anna "Anna Kowalska, HR Manager" {
  role "HR Manager"
  age 38
  location "Kraków"
  goal "Cut time-to-hire by 30%"
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at, listing


@rule("CJ206", "incomplete-persona", "A persona without role or industry, demographics, or goals and needs.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for p in j.personas:
        missing = []
        if not (p.role or p.industry):
            missing.append("a `role` or `industry`")
        if p.age is None and not p.location and not p.gender:
            missing.append("demographics (`age`, `gender` or `location`)")
        if not (p.goals or p.needs):
            missing.append("a `goal` or `need`")
        if missing:
            yield Finding(
                at(p),
                f"persona `{p.id}` lacks {listing(missing)}",
                "describe who they are: role, industry, age, location, goals and needs",
            )
