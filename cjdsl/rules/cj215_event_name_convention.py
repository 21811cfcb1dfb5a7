"""An event name that does not follow the naming convention.

## What it checks
Event names follow the configured convention. The default, `title-case`, is Segment's
"Object Action": Title Case words naming the object, then a past-tense verb ("Report
Downloaded", "Demo Requested"), optionally followed by a short phrase that starts with a
lower-case connecting word ("Product Added to Wishlist"). `snake_case` asks for
`report_downloaded`; `any` turns the check off.

Options: `convention` (`title-case`, `snake_case` or `any`); `verbs`, past-tense verbs
accepted besides those ending in -ed and the common irregular ones (Sent, Paid, Seen ...).

## Why it matters
A tracking plan is the contract between the journey and the analytics tools, and the
data the map is measured against; one naming convention keeps events findable and stops
the same action being tracked under two names. Segment's tracking plans name events
"Object Action" in Title Case ("Order Completed").

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

from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule

IRREGULAR = frozenset(
    "Sent Seen Paid Bought Built Made Read Done Won Lost Left Held Shown Given Taken Written Chosen Run Set Put Cut "
    "Shared Begun Sold Found Got Gotten Heard Kept Known Led Met Sung Spoken Spent Sat Stood Told Thought Understood "
    "Withdrawn Drawn Driven Eaten Fallen Felt Forgotten Grown Hidden Hit Hung Laid Lent Lit Meant Overridden Quit "
    "Rebuilt Redone Rewritten Said Sought Shut Slept Split Spun Struck Swept Taught Torn Thrown Undone Upheld Woken Worn "
    "Agreed Freed Guaranteed".split()
)
#: Words that end in -ed without being past tenses.
NOT_PAST = frozenset("Embed Bed Red Shed Shred Sled Wed Bled Hundred Sacred Naked Wicked Kindred".split())
#: Lower-case words that may start the phrase after the verb: "Added to Wishlist".
CONNECTORS = frozenset("to from in on for of with by at via into onto as a an the and or".split())
#: Words that complete a phrasal verb: "Shipment Picked Up", "Parcel Dropped Off".
PARTICLES = frozenset("up down out off on in back over through away".split())
_WORD = re.compile(r"^[A-Z0-9][A-Za-z0-9-]*$")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def is_past_tense(word: str, extra: frozenset[str]) -> bool:
    w = _cap(word)
    if w in IRREGULAR or w in extra:
        return True
    if w in NOT_PAST or w.endswith("eed"):
        return False
    return len(w) > 3 and w.endswith("ed")


def _shape_ok(words: list[str], snake: bool) -> bool:
    if snake:
        return True  # the whole name was matched against _SNAKE
    seen_connector = False
    for w in words:
        if w in CONNECTORS:
            seen_connector = True
        elif not _WORD.match(w):
            return False
    return not seen_connector or words[0] not in CONNECTORS


def _verb_at(words: list[str], extra: frozenset[str]) -> int | None:
    """Where the past-tense verb is, when it follows an object and ends the name or
    comes right before a connecting phrase."""
    for i in range(1, len(words)):
        if not is_past_tense(words[i], extra):
            continue
        after = i + 1
        if after < len(words) and words[after].lower() in PARTICLES:
            after += 1  # a phrasal verb: "Picked Up"
        ends = after == len(words) or words[after].lower() in CONNECTORS
        # The object may hold connecting words ("Agreement in Principle Issued"), but
        # does not start with one.
        if ends and words[0].lower() not in CONNECTORS:
            return i
    return None


def _suggest(name: str, extra: frozenset[str], snake: bool) -> str | None:
    words = [w for w in re.split(r"[\s_.]+|(?<=[a-z])(?=[A-Z])", name.strip()) if w]
    if len(words) < 2:
        return None
    verbs = [i for i, w in enumerate(words) if is_past_tense(w, extra)]
    if verbs and _verb_at(words, extra) is None and not (verbs[0] + 1 < len(words) and words[verbs[0] + 1].lower() in PARTICLES):
        verb = words.pop(verbs[0])
        words.append(verb)
    if snake:
        return "_".join(w.lower() for w in words)
    return " ".join(w if w.lower() in CONNECTORS and i else (w if w.isupper() else _cap(w)) for i, w in enumerate(words))


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
    extra = frozenset(_cap(str(v)) for v in ctx.options["verbs"])
    snake = convention == "snake_case"
    wanted = "object_action in snake_case" if snake else '"Object Action" in Title Case'
    for tp in j.touchpoints:
        for event in tp.events:
            name = event.name
            words = name.split("_") if snake else name.split(" ")
            shape_ok = bool(_SNAKE.match(name)) if snake else _shape_ok(words, snake)
            if shape_ok and _verb_at(words, extra) is not None:
                continue
            suggestion = _suggest(name, extra, snake)
            example = f'for example "{suggestion}"' if suggestion and suggestion != name else ""
            if not shape_ok:
                message = f'event name "{name}" should be {wanted}'
                help_ = example or f"write {wanted}"
            else:
                message = f'event name "{name}" has no past-tense verb after its object'
                help_ = (example + "; " if example else "") + (
                    "if a word here is a past-tense verb the check does not know, add it to `verbs` "
                    "in [rules.event-name-convention]"
                )
            yield Finding(event.spans.get("id", event.span), message, help_)
