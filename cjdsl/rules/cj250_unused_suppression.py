"""An `allow` that silences nothing.

## What it checks
Every `allow RULE` names a known, enabled validator rule that reports something in that
block. (The check itself runs inside the validator, after every other rule.)

## Why it matters
Suppressions outlive the problems they hid; a stale `allow` would silently hide the next
real problem in that block. A journey map is a living document, updated as the journey
changes: keeping suppressions honest keeps the map's completeness claim honest.

## Example
```
touchpoint demo "Books a demo" {
  allow dead-end
  next contract
}
```

## Instead
```
touchpoint demo "Books a demo" {
  next contract
}
```
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any

from ..core import model as m
from ..core.diagnostics import CloseMatches
from ..core.resolved import ResolvedJourney
from ..core.span import Span
from .registry import UNUSED_SUPPRESSION, Context, Finding, Rule, find_rule, rule
from .suppression import Suppressions, place, refers_to


@rule(UNUSED_SUPPRESSION, "unused-suppression", "An `allow` that silences nothing.", project=True)
def check(journeys: Sequence[ResolvedJourney], ctx: Context) -> Iterator[Finding]:
    return iter(())  # run_rules calls `unused` instead, once it knows what each `allow` silenced


def unused(
    allows: Suppressions,
    rules: Mapping[str, Rule],
    selects: Callable[[Rule], bool],
    unused_rule: Rule,
    cut_off: Collection[str] = (),
) -> Iterator[Finding]:
    """A finding for each `allow` that silenced nothing, once every other rule has run
    and ``allows`` knows which of its lines were used. The `allow` lines of a rule in
    ``cut_off`` (stopped before its last finding) are not judged: the findings it never
    produced might have used them."""
    rule_names: CloseMatches | None = None  # built once, for every unknown rule name
    seen: set[tuple[Any, ...]] = set()
    own: list[m.Ref] = []
    for scope in allows.scopes:
        for allow in scope.allows:
            for ref in allow.rules:
                key = place(ref.span)
                if key in seen:
                    continue
                seen.add(key)
                target = find_rule(ref.id)
                if target is not None and target.code in cut_off:
                    continue
                if key in allows.used:
                    if target is not None and allow.only:
                        for o in allow.only:
                            if (key, place(o.span)) not in allows.used:
                                yield Finding(
                                    o.span,
                                    f"`allow {ref.id} for {o.id}` silences nothing here",
                                    f"no {target.code} finding in this block is about `{o.id}`: remove `{o.id}`",
                                )
                    continue
                if target is not None and target.code != unused_rule.code and _quiet(allows, ref.span, unused_rule):
                    continue  # `allow unused-suppression` on a block keeps its other allows quiet
                if target is None and any(r.code.startswith(ref.id.upper()) for r in rules.values()):
                    yield Finding(
                        ref.span,
                        f"`allow {ref.id}` is a code prefix",
                        "`allow` takes one rule's name or code; prefixes work only in `select` and `ignore`",
                    )
                elif target is None:
                    if rule_names is None:
                        rule_names = CloseMatches([r.name for r in rules.values()] + list(rules))
                    hint = rule_names.hint(ref.id)
                    yield Finding(
                        ref.span,
                        f"`allow {ref.id}` names no rule",
                        hint or "see `cjdsl rules` for the rule names and codes",
                    )
                elif target.code == unused_rule.code:
                    own.append(ref)  # reported below if it kept nothing quiet
                elif target.core:
                    yield Finding(
                        ref.span,
                        f"`allow {ref.id}`: {target.code} is a structure error and cannot be allowed",
                        "fix the error instead",
                    )
                elif not selects(target):
                    yield Finding(ref.span, f"`allow {ref.id}` silences a rule that is not enabled", "remove it")
                elif allow.only:
                    names = ", ".join(f"`{o.id}`" for o in allow.only)
                    yield Finding(
                        ref.span,
                        f"`allow {ref.id} for {', '.join(o.id for o in allow.only)}` silences nothing here",
                        f"no {target.code} finding in this block is about {names}"
                        + ("" if target.code == "CJ212" else f"; {target.code}'s findings name no ids `for` can pick"),
                    )
                else:
                    yield Finding(
                        ref.span,
                        f"`allow {ref.id}` silences nothing here",
                        "remove it: the rule finds no problem in this block",
                    )
    for ref in own:
        if place(ref.span) not in allows.used:
            yield Finding(
                ref.span, f"`allow {ref.id}` silences nothing here", "remove it: no other `allow` in this block is unused"
            )


def _quiet(allows: Suppressions, span: Span, unused_rule: Rule) -> bool:
    """Whether an `allow unused-suppression` covers ``span`` (it is then used)."""
    quiet = [ref for s in allows.covering(span) for allow in s.allows for ref in allow.rules if refers_to(ref, unused_rule)]
    allows.used.update(place(q.span) for q in quiet)
    return bool(quiet)
