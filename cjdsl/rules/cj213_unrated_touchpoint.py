"""A touchpoint without an emotion or a rating.

## What it checks
Every touchpoint has an `emotion` (-2..+2: how it feels) and a `rating` (1..5: how well
it meets the customer's expectations). Values per persona count too: a touchpoint with
`emotion for P ...` (or `rating for P ...`) for every one of its personas is rated
without a value of its own. When only some of its personas have one, the finding names
the personas left without, and `allow unrated-touchpoint for P "why"` accepts the gap
for persona `P` alone.

## Why it matters
Every touchpoint is rated by how well it meets the customer's expectations, and what the
customer feels, fears and expects is drawn along the journey's timeline. Unrated
touchpoints leave holes in the emotion curve.

## Example
```
touchpoint demo "Books a demo" {
  channel web
}
```

## Instead
```
touchpoint demo "Books a demo" {
  channel web
  emotion +1 "hopeful"
  rating 4
}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from ..core import model as m
from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at, listing

_RANGE = {"emotion": "-2..+2", "rating": "1..5"}
_HOW = {"emotion": "`emotion -2..+2` (how it feels)", "rating": "`rating 1..5` (how well it meets expectations)"}


def _without(
    j: ResolvedJourney, tp: m.Touchpoint, own: float | None, per_persona: tuple[m.PersonaValue, ...]
) -> list[str] | None:
    """None when the touchpoint has the value (its own, or one for each of its personas);
    else the personas left without one ([] when no persona has one)."""
    if own is not None:
        return None
    given = {pv.persona.id for pv in per_persona}
    if not given:
        return []
    personas = [p.id for p in j.personas_of(tp)]
    left = [p for p in personas if p not in given]
    return left if left or not personas else None


@rule("CJ213", "unrated-touchpoint", "A touchpoint without an emotion or a rating.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for tp in j.touchpoints:
        gaps = {
            name: left
            for name, own, per_persona in (("emotion", tp.emotion, tp.emotion_for), ("rating", tp.rating, tp.rating_for))
            if (left := _without(j, tp, own, per_persona)) is not None
        }
        missing = [name for name, left in gaps.items() if not left]  # no value at all, for anyone
        if missing:
            yield Finding(
                at(tp),
                f"touchpoint `{tp.id}` has no {listing([f'`{n}`' for n in missing]).replace(' and ', ' or ')}",
                "add " + listing([_HOW[n] for n in missing]),
            )
        # Per persona, one finding each: `allow unrated-touchpoint for P` accepts one persona's gap.
        personas = list(dict.fromkeys(p for left in gaps.values() for p in left))
        for persona in personas:
            names = [name for name, left in gaps.items() if persona in left]
            yield Finding(
                at(tp),
                f"touchpoint `{tp.id}` has no {listing([f'`{n}`' for n in names]).replace(' and ', ' or ')} for `{persona}`",
                "add "
                + listing([f"`{n} for {persona} {_RANGE[n]}`" for n in names])
                + f", or one {listing([f'`{n}`' for n in names])} for all its personas",
                about=(persona,),
            )
