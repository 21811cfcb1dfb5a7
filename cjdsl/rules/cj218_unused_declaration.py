"""A persona, channel, intent or team that nothing uses.

## What it checks
Every declared persona, channel, intent and team is referenced by some touchpoint,
opportunity, KPI or journey, in any journey that includes it. (A touchpoint without a
`persona` line serves every persona.)

## Why it matters
Unused declarations are usually a typo'd reference elsewhere or a persona whose map was
never drawn (each persona gets its own map); either way the shared vocabulary no longer
matches the journeys.

## Example
```
channel podcast "Podcast" online other
```
(and no touchpoint has `channel podcast`)

## Instead
```
touchpoint episode "Hears us on a podcast" {
  channel podcast
}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at


def _used(j: ResolvedJourney) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {"persona": set(), "channel": set(), "intent": set(), "team": set()}
    for tp in j.touchpoints:
        if tp.personas:
            used["persona"].update(r.id for r in tp.personas)
        elif len(used["persona"]) < len(j.personas):  # a touchpoint that names none serves all: once is enough
            used["persona"].update(p.id for p in j.personas)
        if tp.channel:
            used["channel"].add(tp.channel.id)
        used["intent"].update(r.id for r in tp.intents)
        if tp.owner:
            used["team"].add(tp.owner.id)
    owners = [j.journey.owner if j.journey else None]
    owners += [o.owner for o in j.opportunities] + [k.owner for k in j.kpis]
    used["team"].update(o.id for o in owners if o is not None)
    return used


@rule("CJ218", "unused-declaration", "A persona, channel, intent or team that nothing uses.", project=True)
def check(journeys: Sequence[ResolvedJourney], ctx: Context) -> Iterator[Finding]:
    declared: dict[tuple[str, int], tuple[str, Any]] = {}
    used_anywhere: set[tuple[str, int]] = set()
    for j in journeys:
        used = _used(j)
        groups: tuple[tuple[str, Sequence[Any]], ...] = (
            ("persona", j.personas),
            ("channel", j.channels),
            ("intent", j.intents),
            ("team", j.teams),
        )
        for kind, nodes in groups:
            for node in nodes:
                key = (node.span.path, node.span.start)
                declared.setdefault(key, (kind, node))
                if node.id in used[kind]:
                    used_anywhere.add(key)
    for key, (kind, node) in declared.items():
        if key not in used_anywhere:
            node_id = node.id
            how = {
                "persona": "name it in a touchpoint's `persona` line",
                "channel": "name it in a touchpoint's `channel`",
                "intent": "name it in a touchpoint's `intent` line",
                "team": "make it the `owner` of the journey, a touchpoint, an opportunity or a KPI",
            }[kind]
            yield Finding(
                at(node),
                f"{kind} `{node_id}` is declared but never used",
                f"{how}, or remove the declaration (a mistyped reference may be meant for it)",
            )
