"""A metric whose value misses its target.

## What it checks
A `metric` with a `value` and a `target` meets the target. The rule reads a target
written as one comparison with a number: `>= 4.3`, `> 4`, `<= 2`, `< 2`, `= 5` (also
`≥` and `≤`), with an optional `%` after the number. With `%`, the value is taken as a
percentage too, except on a metric with `scale 0..1`, whose value is a fraction (0.62
is 62%). A target written any other way (`"top quartile"`, `">= 80% of new customers"`,
`"4.5 by December"`) is not read, and is never a finding of this rule.

## Why it matters
A metric on the map shows how the journey performs where it is measured. When the
value misses the target, the map records a problem as plainly as any pain point: the
team should see it in the check, decide what to do about it and say so on the map, not
find it on a dashboard months later.

## Example
```
metric csat "Onboarding CSAT" {
  at onboarding_call
  value 4.1
  scale 1..5
  target ">= 4.3"
}
```

## Instead
```
metric csat "Onboarding CSAT" {
  at onboarding_call
  value 4.1
  scale 1..5
  target ">= 4.3"
}

pain rushed_call "The onboarding call is rushed" {
  at onboarding_call
  severity medium
  opportunity longer_call "Book 45 minutes instead of 20" { impact medium }
}
```
with `allow metric-below-target "below target since March; the longer call is planned"`
in the metric, once the team has decided what to do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator

from ..core import model as m
from ..core.resolved import ResolvedJourney
from . import Context, Finding, rule
from ._util import at

_TARGET = re.compile(r"\s*(>=|<=|==|=|>|<|≥|≤)\s*([+-]?[0-9]+(?:\.[0-9]+)?)\s*(%?)\s*")

_MEETS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda v, t: v >= t or math.isclose(v, t),
    "<=": lambda v, t: v <= t or math.isclose(v, t),
    ">": lambda v, t: v > t and not math.isclose(v, t),
    "<": lambda v, t: v < t and not math.isclose(v, t),
    "=": math.isclose,
}
_SAME = {"≥": ">=", "≤": "<=", "==": "="}


def comparison(target: str) -> tuple[str, float, bool] | None:
    """A target read as a comparison: the operator (`>=`, `<=`, `>`, `<`, `=`), the
    number, and whether it is a percentage; None when it is not one comparison."""
    found = _TARGET.fullmatch(target)
    if found is None:
        return None
    op, number, percent = found.groups()
    return _SAME.get(op, op), float(number), percent == "%"


def _plain(x: float) -> str:
    return f"{x:g}"


def _misses(metric: m.Metric) -> str | None:
    """How the value misses the target ("4.1", "62%"), or None when it meets it or the
    target cannot be read."""
    if metric.value is None or metric.target is None:
        return None
    read = comparison(metric.target)
    if read is None:
        return None
    op, wanted, percent = read
    value = metric.value
    fraction = percent and metric.scale is not None and metric.scale == (0, 1)
    if fraction:
        value *= 100
    if _MEETS[op](value, wanted):
        return None
    return f"{_plain(round(value, 6))}%" if percent else _plain(value)


@rule("CJ233", "metric-below-target", "A metric whose value misses its target.")
def check(j: ResolvedJourney, ctx: Context) -> Iterator[Finding]:
    for metric in j.metrics:
        shown = _misses(metric)
        if shown is None:
            continue
        target = (metric.target or "").strip()
        where = f" at `{metric.at.id}`" if metric.at is not None else ""
        yield Finding(
            metric.spans.get("value") or at(metric),
            f"metric `{metric.id}` is {shown}, which misses its target `{target}`",
            f"say what the team does about it: a pain point with an opportunity{where}; if the target has moved, update `target`",
        )
