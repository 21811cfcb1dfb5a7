"""An entry touchpoint with too few alternative paths for an intent.

## What it checks
When a journey uses `next` flows: for every `entry` touchpoint and every intent it
declares, its `next` flows lead to at least `paths` distinct other touchpoints (3 by
default) that serve that intent.

## Why it matters
At the first visit, a map offers at least three alternative paths for each intent
(educational, commercial, purchase); in B2B and SaaS especially the commercial and
educational ones. One path per intent loses the visitors it does not fit.

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

from collections import Counter
from collections.abc import Iterator

from ..resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at, journey_span, uses_flows

#: Set look-ups the rule may make for one journey (well under a second). Counting the
#: paths is counting triangles (entry → next step, step → intent, entry → intent), which
#: no method does in linear time for every shape of map; a map built to need more than
#: this gets one finding saying the count stopped, instead of minutes of work.
WORK_LIMIT = 2_000_000


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
    entries = [tp for tp in j.touchpoints if tp.entry]
    # Each next step's intents as a set, made once: a touchpoint that many entries lead
    # to is not re-read per entry and intent.
    serves: dict[str, frozenset[str]] = {}
    for tp in entries:
        for r in tp.next:
            if r.id not in serves and r.id in j.touchpoint:
                serves[r.id] = frozenset(i.id for i in j.touchpoint[r.id].intents)
    work = 0
    for done, tp in enumerate(entries):
        intents = dict.fromkeys(r.id for r in tp.intents)
        counts: Counter[str] = Counter()
        short = {i for i in intents if counts[i] < wanted}  # the intents still short of paths
        # Distinct next steps other than itself; each adds one to the intents it shares
        # with this touchpoint (the intersection walks the smaller of the two sets).
        for target in dict.fromkeys(r.id for r in tp.next if r.id != tp.id and r.id in serves):
            if not short:
                break  # every intent has its paths: the rest cannot change a finding
            other = serves[target]
            work += 1 + min(len(short), len(other))
            if work > WORK_LIMIT:
                yield Finding(
                    journey_span(j) or at(tp),
                    f"too many first-visit paths to count: stopped at entry touchpoint `{tp.id}`, "
                    f"after {done:,} of {len(entries):,}",
                    "a map this large is better split into several journeys "
                    '(or set `severity = "off"` in [rules.too-few-first-visit-paths])',
                )
                return
            shared = short & other
            if shared:
                counts.update(shared)
                short.difference_update([i for i in shared if counts[i] >= wanted])
        for intent in intents:
            count = counts[intent]
            if count < wanted:
                yield Finding(
                    at(tp),
                    f"entry touchpoint `{tp.id}` offers {count} next path{'s' if count != 1 else ''} "
                    f"for intent `{intent}`; at least {wanted} are expected",
                    f"add touchpoints that serve `{intent}` to `next` (or set `paths` in [rules.too-few-first-visit-paths])",
                )
