"""An event name that does not follow the naming convention.

## What it checks
Event names follow the configured convention. The default, `title-case`, is Segment's
"Object Action": Title Case words, at least two, the last a past-tense verb ("Report
Downloaded", "Demo Requested"). `snake_case` asks for `report_downloaded`; `any` turns
the check off.

Options: `convention` (`title-case`, `snake_case` or `any`); `verbs`, past-tense verbs
accepted besides those ending in -ed and the common irregular ones (Sent, Paid, Seen ...).

## Why it matters
Tracking plans are contracts between the journey and the analytics tools (DOMAIN.md rule
10); one naming convention keeps events findable and stops the same action being tracked
under two names. Segment names events "Object Action" in Title Case (see
shared/reference/README.md).

## Example
```
event "clicked demo button" { }
```

## Instead
```
event "Demo Requested" { }
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..resolved import ResolvedJourney
from . import Context, Finding, rule

IRREGULAR = frozenset(
    "Sent Seen Paid Bought Built Made Read Done Won Lost Left Held Shown Given Taken Written Chosen Run Set Put Cut "
    "Shared Begun Sold Found Got Gotten Heard Kept Known Led Met Sung Spoken Spent Sat Stood Told Thought Understood "
    "Withdrawn Drawn Driven Eaten Fallen Felt Forgotten Grown Hidden Hit Hung Laid Lent Lit Meant Overridden Quit "
    "Rebuilt Redone Rewritten Said Sought Shut Slept Split Spun Struck Swept Taught Torn Thrown Undone Upheld Woken Worn".split()
)
_TITLE = re.compile(r"^[A-Z0-9][A-Za-z0-9]*(?: [A-Z0-9][A-Za-z0-9]*)+$")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def is_past_tense(word: str, extra: frozenset[str]) -> bool:
    w = word[:1].upper() + word[1:].lower()
    return w.endswith("ed") or w in IRREGULAR or w in extra


def _suggest(name: str, extra: frozenset[str], snake: bool) -> str | None:
    words = [w for w in re.split(r"[\s_\-.]+|(?<=[a-z])(?=[A-Z])", name.strip()) if w]
    if len(words) < 2:
        return None
    verbs = [w for w in words if is_past_tense(w, extra)]
    if verbs:
        verb = verbs[-1]
        words = [w for w in words if w is not verb] + [verb]
    if snake:
        return "_".join(w.lower() for w in words)
    return " ".join(w[:1].upper() + w[1:].lower() if not w.isupper() else w for w in words)


@rule(
    "CJ215",
    "event-name-convention",
    "An event name that does not follow the naming convention.",
    options={"convention": "title-case", "verbs": []},
)
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    convention = ctx.options["convention"]
    if convention == "any":
        return
    extra = frozenset(str(v)[:1].upper() + str(v)[1:].lower() for v in ctx.options["verbs"])
    snake = convention == "snake_case"
    for tp in j.touchpoints:
        for event in tp.events:
            name = event.name
            words = name.split("_") if snake else name.split(" ")
            shape_ok = bool((_SNAKE if snake else _TITLE).match(name))
            if shape_ok and is_past_tense(words[-1], extra):
                continue
            suggestion = _suggest(name, extra, snake)
            wanted = "object_action in snake_case" if snake else '"Object Action" in Title Case'
            if shape_ok:
                why = f" should end with a past-tense verb (`{words[-1]}` is not one)"
            else:
                why = f" should be {wanted}"
            yield Finding(
                event.spans.get("id", event.span),
                f'event name "{name}"{why}',
                (f'for example "{suggestion}"; ' if suggestion and suggestion != name else "")
                + "add verbs the check does not know to `verbs` in [rules.event-name-convention]",
            )
