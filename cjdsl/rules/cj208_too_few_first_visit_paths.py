"""An entry touchpoint with too few alternative paths for an intent.

## What it checks
When a journey uses `next` flows, for every `entry` touchpoint that is a page or app
screen the company controls (on an online channel of kind `web` or `app`, or online
with no kind, and not `untracked`): its `next` steps are grouped by the intents they
serve, whatever the entry's own intent, and each intent that any of them serves has at
least `paths` distinct steps (3 by default). The intents checked are the entry's own
where its next steps serve them (why first visitors come), else every intent its next
steps serve (a landing page whose steps all lead to booking offers booking paths,
whatever brought the visitor). When neither the entry nor its next steps declare an
intent, there is nothing to count by, and the entry is not checked.

Entries on channels the company does not lay out (an ad, a search result, a social
post, a review site, an e-mail, word of mouth, a branch or a phone call) are not
checked: an ad whose landing page is the booking form leads to one place by design.

## Why it matters
At the first visit, a page should offer visitors a choice that fits why they came:
several ways to learn, to compare and to buy, each intent with at least three
alternative paths. In B2B and SaaS especially the commercial and educational paths
matter. A page that offers one path for an intent loses the visitors it does not fit.
A step counts for the intent it serves: a search landing page that leads to booking
offers booking paths, even though the visitor arrived to look around, and a link to the
prices from an article does not oblige the article to offer three ways to buy.

Option: `paths` (default 3), e.g. `[rules.too-few-first-visit-paths]` `paths = 2`.

## Example
```
touchpoint blog_post "Reads an article" {
  channel blog
  entry
  next report_download
}
touchpoint report_download "Downloads the report" { intent educational }
```

## Instead
```
touchpoint blog_post "Reads an article" {
  channel blog
  entry
  next report_download, webinar, newsletter
}
```
(with `report_download`, `webinar` and `newsletter` each serving `educational`)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..core import model as m
from ..core.resolved import ResolvedJourney, channel_is_online
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
    entries = [tp for tp in j.touchpoints if tp.entry and _first_visit_page(j, tp)]
    # Each next step's intents as a set, made once: a touchpoint that many entries lead
    # to is not re-read per entry.
    serves: dict[str, frozenset[str]] = {}
    for tp in entries:
        for r in tp.next:
            if r.id not in serves and r.id in j.touchpoint:
                serves[r.id] = frozenset(i.id for i in j.touchpoint[r.id].intents)
    work = 0
    for done, tp in enumerate(entries):
        targets = list(dict.fromkeys(r.id for r in tp.next if r.id != tp.id and r.id in serves))
        own = list(dict.fromkeys(r.id for r in tp.intents))
        # The intents a first visitor may have here: the entry's own, where its next steps
        # serve them; else (a search landing page whose steps all lead to booking) the
        # intents its next steps serve, whatever the entry's own. Counting stops for an
        # intent once it has its paths, so a well-mapped entry costs little.
        counts: Counter[str] = Counter()
        short = set(own)
        for target in targets:
            if not short:
                break
            other = serves[target]
            work += 1 + min(len(short), len(other))
            shared = short & other
            if shared:
                counts.update(shared)
                short.difference_update([i for i in shared if counts[i] >= wanted])
        checked = [i for i in own if i in counts]  # counted whenever a next step serves it
        if not checked:
            counts = Counter(i for t in targets for i in serves[t])
            work += sum(len(serves[t]) for t in targets)
            checked = list(counts)
        if work > WORK_LIMIT:
            yield Finding(
                journey_span(j) or at(tp),
                f"too many first-visit paths to count: stopped at entry touchpoint `{tp.id}`, after {done:,} of {len(entries):,}",
                "a map this large is better split into several journeys "
                '(or set `severity = "off"` in [rules.too-few-first-visit-paths])',
            )
            return
        if not checked:
            continue  # no intent on the entry or its next steps: nothing says what paths it needs
        for intent in sorted(checked, key=lambda i: (_order(j, i), i)):
            count = counts[intent]
            if count < wanted:
                yield Finding(
                    at(tp),
                    f"entry touchpoint `{tp.id}` offers {count} next path{'s' if count != 1 else ''} "
                    f"for intent `{intent}`; at least {wanted} are expected",
                    f"add touchpoints that serve `{intent}` to `next` (or set `paths` in [rules.too-few-first-visit-paths])",
                )


#: Channel kinds whose touchpoints are pages or screens the company lays out.
PAGE_KINDS = frozenset({"web", "app"})


def _first_visit_page(j: ResolvedJourney, tp: m.Touchpoint) -> bool:
    """Whether a first-visit rule applies: a page or app screen the company controls."""
    if j.untracked(tp) is not None or tp.channel is None:
        return False
    channel = j.channel_of(tp)
    if channel is None or channel_is_online(channel) is not True:
        return False
    return channel.kind is None or channel.kind in PAGE_KINDS


def _order(j: ResolvedJourney, intent: str) -> int:
    """Intents in the order the journey declares them."""
    ids = [i.id for i in j.intents]
    return ids.index(intent) if intent in ids else len(ids)
