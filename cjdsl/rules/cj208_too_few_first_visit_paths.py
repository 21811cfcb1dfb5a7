"""An entry touchpoint with too few alternative paths for an intent.

## What it checks
When a journey uses `next` flows: for every `entry` touchpoint and every intent it
declares, its `next` flows lead to at least `paths` distinct other touchpoints (3 by
default) that serve that intent.

## Why it matters
At the first visit, a map offers at least three alternative paths for each intent
(educational, commercial, purchase); in B2B and SaaS especially the commercial and
educational ones (DOMAIN.md rule 6, seed 000). One path per intent loses the visitors it
does not fit.

Option: `paths` (default 3), e.g. `[rules.too-few-first-visit-paths]` `paths = 2`.

## Example
```
touchpoint blog_post "Reads an article" {
  entry
  intent educational
  next report_download
}
```

## Instead
```
touchpoint blog_post "Reads an article" {
  entry
  intent educational
  next report_download, webinar, newsletter
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at, uses_flows


@rule(
    "CJ208",
    "too-few-first-visit-paths",
    "An entry touchpoint with too few alternative paths for an intent.",
    options={"paths": 3},
)
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    wanted = int(ctx.options["paths"])
    if not uses_flows(j):
        return
    for tp in j.touchpoints:
        if not tp.entry:
            continue
        ids = dict.fromkeys(r.id for r in tp.next if r.id != tp.id and r.id in j.touchpoint)  # distinct, not itself
        targets = [j.touchpoint[i] for i in ids]
        for intent in dict.fromkeys(r.id for r in tp.intents):
            count = sum(1 for t in targets if any(r.id == intent for r in t.intents))
            if count < wanted:
                yield Finding(
                    at(tp),
                    f"entry touchpoint `{tp.id}` offers {count} next path{'s' if count != 1 else ''} "
                    f"for intent `{intent}`; at least {wanted} are expected",
                    f"add touchpoints that serve `{intent}` to `next` (or set `paths` in [rules.too-few-first-visit-paths])",
                )
