"""An online touchpoint that fires no analytics event.

## What it checks
Every touchpoint on an online channel declares at least one `event`, unless it (or its
channel) says it cannot be instrumented with `untracked "why"`; and every channel that
touchpoints use says whether it is online (a mode, or a kind that implies one), so this
can be checked.

## Why it matters
A journey map is a living document, analysed and updated against data; a
digital touchpoint that is not tracked cannot be measured or improved, and the tracking
plan compiled from the journey would miss it.

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
  event "Pricing Viewed" {
    plan_count integer
  }
}
```
and, for what nobody can instrument (a review site, a Facebook group, a salesperson's
own e-mail), say so once on the channel or on the touchpoint; the site and the tracking
plan list these as not tracked, with the reason:
```
channel reviews "Review sites" online review {
  untracked "third-party sites we cannot tag"
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core.resolved import ResolvedJourney, channel_is_online
from . import Context, Finding, rule
from ._util import at


@rule("CJ214", "untracked-digital-touchpoint", "An online touchpoint that fires no analytics event.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    used = {tp.channel.id for tp in j.touchpoints if tp.channel}
    for channel in j.channels:
        if channel.id in used and channel_is_online(channel) is None:
            yield Finding(
                at(channel),
                f"channel `{channel.id}` says neither online nor offline, so its touchpoints cannot be checked for tracking",
                f'add the mode and a kind: `channel {channel.id} "..." online web`',
            )
    for tp in j.touchpoints:
        if j.untracked(tp) is not None:
            continue  # said to be out of reach of analytics (a review site, a salesperson's own e-mail)
        if not tp.events and j.is_online(tp):
            channel_id = tp.channel.id if tp.channel else "?"
            yield Finding(
                at(tp),
                f"touchpoint `{tp.id}` is online (channel `{channel_id}`) but fires no event",
                'add `event "Object Action" { ... }` with what analytics should record here, or, if nobody can '
                'instrument it (a third-party site, a personal e-mail), say so: `untracked "why"`',
            )
