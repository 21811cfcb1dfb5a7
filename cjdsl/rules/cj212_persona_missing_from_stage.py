"""A persona with no touchpoint in a stage.

## What it checks
Every persona has at least one touchpoint in every stage that has touchpoints (a
touchpoint without a `persona` line serves every persona).

## Why it matters
A map is kept per persona and covers every stage, from awareness to loyalty. A persona
missing from a stage is a hole in that persona's map.

## Example
```
stage onboard "Onboarding" phase adoption {
  touchpoint kickoff "Kick-off call" {
    persona anna
  }
}
```
(with a second persona `piotr` declared)

## Instead
```
stage onboard "Onboarding" phase adoption {
  touchpoint kickoff "Kick-off call" {
    persona anna, piotr
  }
}
```
or, when a persona skips the stage by design, say so for that persona alone, so the
`allow` cannot hide another persona's gap:
```
stage onboard "Onboarding" phase adoption {
  allow persona-missing-from-stage for piotr "Piotr's firm onboards through its reseller"
  touchpoint kickoff "Kick-off call" {
    persona anna
  }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


@rule("CJ212", "persona-missing-from-stage", "A persona with no touchpoint in a stage.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for stage in j.stages:
        if not stage.touchpoints:
            continue
        if any(not tp.personas for tp in stage.touchpoints):
            continue  # a touchpoint that names no persona serves them all
        # Only the ids named here: never a copy of every persona per touchpoint. Findings
        # are yielded one at a time, so a caller that stops early holds none of the rest.
        served = {r.id for tp in stage.touchpoints for r in tp.personas}
        for persona in j.personas:
            if persona.id not in served:
                yield Finding(
                    at(stage),
                    f"persona `{persona.id}` has no touchpoint in stage `{stage.id}`",
                    f"add `{persona.id}` to a touchpoint's `persona` line here, or map what they do in this stage; "
                    f'if they skip it by design: `allow persona-missing-from-stage for {persona.id} "why"` in the stage',
                    about=(persona.id,),
                )
