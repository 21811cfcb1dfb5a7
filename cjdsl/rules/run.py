"""Running the rules over some journeys: the selected rules in code order, each one's
findings matched against the `allow` lines and capped, then CJ250 on the `allow` lines
that silenced nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core.diagnostics import Diagnostic, Severity, Suppression
from ..core.resolved import ResolvedJourney
from .registry import UNUSED_SUPPRESSION, Finding, Rule, all_rules
from .settings import RuleSettings
from .suppression import Suppressions

#: A rule's findings that count are reported up to this many per run; the rest are
#: summed up in one more diagnostic of the rule ("and 5,812 more ... not shown"), so
#: a map of thousands of stages and personas cannot bury the report in warnings.
MAX_FINDINGS_PER_RULE = 200
#: A rule's findings looked at per run, counted or silenced: enough to count what is
#: not shown in any real project; past it the rule is stopped ("cut off").
MAX_FINDINGS_EXAMINED = 20_000


class _Capped:
    """One rule's diagnostics in one run: the first :data:`MAX_FINDINGS_PER_RULE` that
    count and as many silenced ones, then only counts, then a stop."""

    def __init__(self, r: Rule, severity: Severity) -> None:
        self.rule = r
        self.severity = severity
        self.examined = 0
        self.active: list[Diagnostic] = []
        self.silenced: list[Diagnostic] = []
        self.more = 0
        self.more_silenced = 0
        self.stopped = False

    def full(self) -> bool:
        """Whether the rule must stop here (the next finding is not looked at)."""
        if self.examined >= MAX_FINDINGS_EXAMINED:
            self.stopped = True
        return self.stopped

    def add(self, f: Finding, suppression: Suppression | None) -> None:
        self.examined += 1
        if suppression is None:
            if len(self.active) < MAX_FINDINGS_PER_RULE:
                self.active.append(Diagnostic(self.rule.code, self.severity, f.message, f.span, f.help, f.related))
            else:
                self.more += 1
        elif len(self.silenced) < MAX_FINDINGS_PER_RULE:
            d = Diagnostic(self.rule.code, self.severity, f.message, f.span, f.help, f.related, suppression)
            self.silenced.append(d)
        else:
            self.more_silenced += 1

    def results(self) -> tuple[list[Diagnostic], list[Diagnostic]]:
        name = f"`{self.rule.name}`"
        shown = f"only the first {MAX_FINDINGS_PER_RULE:,} findings of a rule are shown"
        active, silenced = self.active, self.silenced
        if self.more or self.stopped:
            if self.stopped:
                message = f"and more {name} findings not shown: the rule stopped after {self.examined:,} findings"
            else:
                message = f"and {self.more:,} more {name} finding{'s' if self.more != 1 else ''} not shown"
            last = active[-1].span if active else None
            active = [*active, Diagnostic(self.rule.code, self.severity, message, last, f"{shown}; fix them and run again")]
        if self.more_silenced:
            n = self.more_silenced
            last_silenced = silenced[-1]
            message = f"and {n:,} more suppressed {name} finding{'s' if n != 1 else ''} not shown"
            summary = Diagnostic(
                self.rule.code, self.severity, message, last_silenced.span, shown, suppression=last_silenced.suppression
            )
            silenced = [*silenced, summary]
        return active, silenced


def run_rules(
    journeys: Sequence[ResolvedJourney],
    settings: RuleSettings,
    lock: Mapping[str, Any] | None = None,
    measured: Mapping[str, Any] | None = None,
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Runs every selected rule over the journeys and applies the `allow` lines written
    in them. The rules of the measured journey (CJ4xx) run only when ``measured`` (what
    the events said) is given; without it their `allow` lines are not judged unused.
    Returns the findings that count and the ones an `allow` silenced (each
    with its :class:`~cjdsl.core.diagnostics.Suppression`). Each rule reports at most
    :data:`MAX_FINDINGS_PER_RULE` findings of each kind, then one that says how many
    more there are; a rule is stopped after :data:`MAX_FINDINGS_EXAMINED` findings."""
    from .cj250_unused_suppression import unused  # a rule module, imported when the rule runs

    rules = all_rules()
    allows = Suppressions(journeys)
    active: list[Diagnostic] = []
    silenced: list[Diagnostic] = []
    cut_off: set[str] = set()
    for r in rules.values():
        if r.core or not settings.selects(r) or r.code == UNUSED_SUPPRESSION:
            continue
        if r.measured and measured is None:
            cut_off.add(r.code)  # no events, no findings: its `allow` lines wait for a measured run
            continue
        capped = _Capped(r, settings.severity_of(r))
        for f in r.run(journeys, settings.context(r, lock, measured)):
            if capped.full():
                cut_off.add(r.code)  # its `allow` lines cannot be judged unused
                break
            capped.add(f, allows.match(r, f))
        rule_active, rule_silenced = capped.results()
        active.extend(rule_active)
        silenced.extend(rule_silenced)
    unused_rule = rules.get(UNUSED_SUPPRESSION)
    if unused_rule is not None and settings.selects(unused_rule):
        capped = _Capped(unused_rule, settings.severity_of(unused_rule))
        for f in unused(allows, rules, settings.selects, unused_rule, cut_off):
            if capped.full():
                break
            capped.add(f, None)
        active.extend(capped.results()[0])
    return active, silenced
