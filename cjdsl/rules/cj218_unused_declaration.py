"""A persona, channel, intent, team, actor or system that nothing uses.

## What it checks
Every declared persona, channel, intent, team, actor and system is referenced somewhere,
in any journey that includes it:

- a persona by a touchpoint's `persona` line, or by its `emotion for` or `rating for`
  (a touchpoint without a `persona` line serves every persona);
- a channel by a touchpoint's `channel`, an intent by a touchpoint's `intent` line;
- a team as the `owner` of the journey, a touchpoint, a frontstage or backstage step, an
  opportunity, a KPI, a metric or a system, or as an actor's `team`;
- an actor by the `actor` of a frontstage or backstage step;
- a system by the `support` of a touchpoint or of a step.

## Why it matters
Unused declarations are usually a typo'd reference elsewhere or a persona whose map was
never drawn (each persona gets its own map); either way the shared vocabulary no longer
matches the journeys. An actor who does no step, or a system that supports none, is a
service blueprint lane that was planned and never filled in.

## Example
```
channel podcast "Podcast" online other
system crm "Sales CRM" { owner sales }
```
(and no touchpoint has `channel podcast`, and nothing has `support crm`)

## Instead
```
touchpoint episode "Hears us on a podcast" {
  channel podcast
  backstage "The lead is logged" { support crm }
}
```
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at

_HOW = {
    "persona": "name it in a touchpoint's `persona` line",
    "channel": "name it in a touchpoint's `channel`",
    "intent": "name it in a touchpoint's `intent` line",
    "team": "make it the `owner` of something (the journey, a touchpoint, a step, an opportunity, a KPI, a metric or a system) "
    "or an actor's `team`",
    "actor": "name it as the `actor` of a `frontstage` or `backstage` step",
    "system": "name it in the `support` line of a touchpoint or a step",
}


def _used(j: ResolvedJourney) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {kind: set() for kind in _HOW}
    for tp in j.touchpoints:
        if tp.personas:
            used["persona"].update(r.id for r in tp.personas)
        elif len(used["persona"]) < len(j.personas):  # a touchpoint that names none serves all: once is enough
            used["persona"].update(p.id for p in j.personas)
        used["persona"].update(pv.persona.id for pv in (*tp.emotion_for, *tp.rating_for))
        if tp.channel:
            used["channel"].add(tp.channel.id)
        used["intent"].update(r.id for r in tp.intents)
        if tp.owner:
            used["team"].add(tp.owner.id)
        used["system"].update(r.id for r in tp.support)
        for step in tp.steps:
            if step.actor:
                used["actor"].add(step.actor.id)
            if step.owner:
                used["team"].add(step.owner.id)
            used["system"].update(r.id for r in step.support)
    owners = [j.journey.owner if j.journey else None]
    owners += [o.owner for o in j.opportunities] + [k.owner for k in j.kpis] + [x.owner for x in j.metrics]
    owners += [s.owner for s in j.systems] + [a.team for a in j.actors]
    used["team"].update(o.id for o in owners if o is not None)
    return used


@rule("CJ218", "unused-declaration", "A persona, channel, intent, team, actor or system that nothing uses.", project=True)
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
            ("actor", j.actors),
            ("system", j.systems),
        )
        for kind, nodes in groups:
            for node in nodes:
                key = (node.span.path, node.span.start)
                declared.setdefault(key, (kind, node))
                if node.id in used[kind]:
                    used_anywhere.add(key)
    for key, (kind, node) in declared.items():
        if key not in used_anywhere:
            yield Finding(
                at(node),
                f"{kind} `{node.id}` is declared but never used",
                f"{_HOW[kind]}, or remove the declaration (a mistyped reference may be meant for it)",
            )
