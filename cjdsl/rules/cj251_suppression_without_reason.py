"""An `allow` that does not say why.

## What it checks
Every `allow` line gives its reason as a string after the rule names:
`allow dead-end "the advisor calls back; the call is not mapped"`.

## Why it matters
An `allow` tells every reader that the team looked at a finding and accepted it. Without
the reason, a reviewer cannot tell an accepted trade-off from a silenced problem, and the
map's "complete" status claims more than it should. Sites and reports show each silenced
finding with its reason.

## Example
```
touchpoint demo "Books a demo" {
  allow dead-end
}
```

## Instead
```
touchpoint demo "Books a demo" {
  allow dead-end "the advisor calls back; the call is mapped in the sales journey"
}
```
A team that does not want reasons can turn this rule off in cjdsl.toml
(`ignore = ["suppression-without-reason"]`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from .suppression import allows


@rule("CJ251", "suppression-without-reason", "An `allow` that does not say why.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for allow in allows(j):
        if allow.reason is None:
            names = ", ".join(r.id for r in allow.rules)
            yield Finding(
                allow.span,
                f"`allow {names}` gives no reason",
                f'say why the finding is accepted: `allow {names} "..."`; reports show the reason with each silenced finding',
            )
