"""The rule registry: what a rule is, what it reports, and the table of every rule.

A validator rule is a module ``cjNNN_*.py`` of this package whose docstring is its
documentation (the summary, then the sections of :data:`SECTIONS`) and whose check
function is registered with :func:`rule`. The language core's own codes (syntax,
structure, includes) are registered from :data:`cjdsl.core.diagnostics.CODES` and their docs
files, as structure rules: always on, always errors.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.diagnostics import CODES, NAMES, Related, Severity, did_you_mean
from ..core.resolved import ResolvedJourney
from ..core.span import Span

#: The sections of every rule's documentation, in this order.
#: CJ250 unused-suppression runs last, over what every other rule's findings left unused.
UNUSED_SUPPRESSION = "CJ250"

SECTIONS = ("What it checks", "Why it matters", "Example", "Instead")

#: The package whose ``cj*`` modules are the rules.
_PACKAGE = __name__.rpartition(".")[0]


@dataclass(frozen=True, slots=True)
class Finding:
    span: Span | None
    message: str
    help: str | None = None
    related: tuple[Related, ...] = ()
    #: The ids the finding is about (a persona, for CJ212): what `allow RULE for ID` names.
    about: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """What a rule may read besides the journey: its options."""

    options: Mapping[str, Any] = field(default_factory=dict)
    #: The tracking lock file's content, when the project has one.
    lock: Mapping[str, Any] | None = None
    #: What the events said of the journeys (the report of `cjdsl measure`, as its
    #: JSON has it), when the run was given events: what the CJ4xx rules read.
    measured: Mapping[str, Any] | None = None


JourneyCheck = Callable[[ResolvedJourney, Context], Iterable[Finding]]
ProjectCheck = Callable[[Sequence[ResolvedJourney], Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    docs: str
    options: Mapping[str, Any]
    check: JourneyCheck | None = None
    check_project: ProjectCheck | None = None
    #: Structure rules come from the language core; they are always on and are errors.
    core: bool = False
    #: A team's policy rather than a rule of a complete map: off unless `select` names it
    #: (by name or full code) or `[rules.NAME]` gives it a severity.
    opt_in: bool = False
    #: A rule of the measured journey (CJ4xx): it reads :attr:`Context.measured` and runs
    #: only when the run was given events.
    measured: bool = False

    def run(self, journeys: Sequence[ResolvedJourney], ctx: Context) -> Iterator[Finding]:
        if self.check_project is not None:
            yield from self.check_project(journeys, ctx)
        if self.check is not None:
            for journey in journeys:
                yield from self.check(journey, ctx)


_RULES: dict[str, Rule] = {}
#: Whether every rule module has been imported (a module imported alone registers only itself).
_LOADED = False


def _register(rule_: Rule) -> Rule:
    if rule_.code in _RULES:
        raise RuntimeError(f"rule code {rule_.code} is registered twice")
    if any(r.name == rule_.name for r in _RULES.values()):
        raise RuntimeError(f"rule name {rule_.name} is registered twice")
    _RULES[rule_.code] = rule_
    NAMES[rule_.code] = rule_.name
    return rule_


def rule(
    code: str,
    name: str,
    summary: str,
    *,
    severity: Severity = Severity.WARNING,
    options: Mapping[str, Any] | None = None,
    project: bool = False,
    opt_in: bool = False,
    measured: bool = False,
) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    """Registers the decorated check; the docs are the defining module's docstring."""

    def decorate(fn: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        module = importlib.import_module(fn.__module__)
        title, _, body = (module.__doc__ or "").strip().partition("\n\n")
        if title.strip() != summary:  # pragma: no cover - a programming error, caught by the meta-test
            raise RuntimeError(f"{code}: the module docstring's first line must be the rule's summary")
        _register(
            Rule(
                code,
                name,
                severity,
                summary,
                body.strip(),
                dict(options or {}),
                None if project else fn,
                fn if project else None,
                opt_in=opt_in,
                measured=measured,
            )
        )
        return fn

    return decorate


def all_rules() -> dict[str, Rule]:
    """Every rule by code: the core's structure rules and the validator's rules."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for info in CODES.values():
            _register(Rule(info.code, info.name, info.severity, info.summary, info.docs, {}, core=True))
        package = importlib.import_module(_PACKAGE)
        for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("cj")):
            importlib.import_module(f"{_PACKAGE}.{module}")
    return dict(sorted(_RULES.items()))


def find_rule(key: str) -> Rule | None:
    """A rule by code (any case) or kebab-case name."""
    rules = all_rules()
    if key.upper() in rules:
        return rules[key.upper()]
    return next((r for r in rules.values() if r.name == key), None)


def suggest(key: str) -> str | None:
    """'did you mean `x`?' for the closest rule name or code, or None."""
    rules = all_rules()
    return did_you_mean(key, [r.name for r in rules.values()] + list(rules))
