"""A high or critical pain point that is only assumed.

## What it checks
A pain point of severity `high` or `critical` does not rest on `confidence assumed`: its
own confidence, or, when it gives none, the confidence of the touchpoint it happens at.

## Why it matters
The severest pain points decide where the team spends its effort. A pain point the team
only believes in, with no observation or customer report behind it, can send a whole
roadmap after a problem customers do not have, while the real ones wait. Before it
drives priorities, it should be checked against research: interviews, support tickets,
analytics.

## Example
```
pain slow_valuation "The valuation takes weeks" {
  at valuation
  severity critical
  confidence assumed
}
```

## Instead
```
pain slow_valuation "The valuation takes weeks" {
  at valuation
  severity critical
  confidence observed
  description "Median 19 days from booking to report, case data for 2025"
}
```
(or a lower severity until it has been checked)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at

SEVERE = ("high", "critical")
_HELP = (
    "check it against research (interviews, support tickets, analytics) and set `confidence observed` or `reported`, "
    "or lower the severity until it is checked"
)


@rule("CJ230", "assumed-severe-pain", "A high or critical pain point that is only assumed.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for pain in j.pains:
        if pain.severity not in SEVERE:
            continue
        if pain.confidence is not None:
            if pain.confidence == "assumed":
                yield Finding(
                    pain.spans.get("confidence") or at(pain),
                    f"pain point `{pain.id}` is {pain.severity} but only assumed (`confidence assumed`)",
                    _HELP,
                )
            continue
        tp = j.touchpoint.get(pain.at.id) if pain.at is not None else None
        if tp is not None and tp.confidence == "assumed":
            yield Finding(
                at(pain),
                f"pain point `{pain.id}` is {pain.severity} but only assumed: "
                f"touchpoint `{tp.id}`, where it happens, has `confidence assumed`",
                _HELP + " (a pain point's own `confidence` overrides its touchpoint's)",
            )
