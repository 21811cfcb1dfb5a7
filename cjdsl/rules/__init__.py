"""The completeness validator: the rules of a good journey map, one rule per module.

Each rule module has a docstring in fixed sections (*What it checks*, *Why it matters*,
*Example*, *Instead*) and one check function registered with :func:`rule`. A rule only
reads the resolved model and yields :class:`Finding`\\ s; :func:`run_rules` applies the
project's settings (selection, severities, options), the `allow` suppressions written in
the journeys, and turns findings into diagnostics.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import CODES, NAMES, Diagnostic, Related, Severity, Suppression, did_you_mean
from ..resolved import ResolvedJourney
from ..span import Span

SECTIONS = ("What it checks", "Why it matters", "Example", "Instead")


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
            )
        )
        return fn

    return decorate


def all_rules() -> dict[str, Rule]:
    """Every rule by code: the core's structure rules and the validator's rules."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        from . import core_docs

        for code, (summary, docs) in core_docs.DOCS.items():
            info = CODES[code]
            _register(Rule(code, info.name, info.severity, summary, docs.strip(), {}, core=True))
        for module in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("cj")):
            importlib.import_module(f"{__name__}.{module}")
        missing = set(CODES) - set(_RULES)
        if missing:  # pragma: no cover - caught by the meta-test
            raise RuntimeError(f"codes without rule docs: {sorted(missing)}")
    return dict(sorted(_RULES.items()))


def find_rule(key: str) -> Rule | None:
    """A rule by code (any case) or kebab-case name."""
    rules = all_rules()
    if key.upper() in rules:
        return rules[key.upper()]
    return next((r for r in rules.values() if r.name == key), None)


def suggest(key: str) -> str | None:
    rules = all_rules()
    return did_you_mean(key, [r.name for r in rules.values()] + list(rules))


def default_text(r: Rule) -> str:
    """How a rule is on by default, for listings: "warning", "error (always)", "off (opt in)"."""
    if r.core:
        return f"{r.severity.value} (always)"
    return f"off (opt in: {r.severity.value})" if r.opt_in else r.severity.value


def reference_markdown() -> str:
    """The rules reference page (docs/rules.md), generated from the rules themselves."""
    rules = list(all_rules().values())
    out = [
        "# Rules",
        "",
        "Generated by `cjdsl rules --format markdown`; `cjdsl explain CODE` prints one rule.",
        "",
        "Structure rules (CJ0xx syntax, CJ1xx model and includes) are errors of the language: always on,",
        "never allowed. Completeness rules (CJ2xx) are warnings by default (a few that are a team's policy are off",
        "until `select` names them); configure them in `cjdsl.toml`:",
        "",
        "```toml",
        'select = ["ALL"]                 # names, codes or code prefixes such as "CJ2"',
        'ignore = ["unrated-touchpoint"]',
        "strict = false                   # true: warnings fail `cjdsl check` (like --strict)",
        "",
        "[rules.dead-end]",
        'severity = "error"               # error | warning | info | off',
        "",
        "[rules.too-few-first-visit-paths]",
        "paths = 2",
        "```",
        "",
        "or silence one rule for one block (and everything inside it) with `allow NAME` in that block;",
        "an `allow` that silences nothing is itself reported (CJ250).",
        "",
        "| code | name | default | summary |",
        "| --- | --- | --- | --- |",
    ]
    out += [f"| [{r.code}](#{r.code.lower()}-{r.name}) | {r.name} | {default_text(r)} | {r.summary} |" for r in rules]
    for r in rules:
        out += ["", f"## {r.code} {r.name}", "", r.summary]
        if r.options:
            out += ["", "Options: " + ", ".join(f"`{k} = {v!r}`".replace("'", '"') for k, v in r.options.items())]
        out += ["", r.docs.replace("\n## ", "\n### ").replace("## What it checks", "### What it checks", 1)]
    return "\n".join(out) + "\n"


# -- settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSettings:
    """What `cjdsl.toml` says about rules, already checked against the registry."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity | None] = field(default_factory=dict)  # None: off
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    strict: bool = False

    def selects(self, r: Rule) -> bool:
        if r.core:
            return True

        def matches(key: str) -> bool:
            return key == "ALL" or r.name == key or r.code.startswith(key.upper())

        if self.severity.get(r.code, r.severity) is None:
            return False
        if r.opt_in and not (r.code in self.severity or any(k in (r.name, r.code) for k in self.select)):
            return False  # a policy rule: only when asked for by name
        return any(matches(k) for k in self.select) and not any(matches(k) for k in self.ignore)

    def severity_of(self, r: Rule) -> Severity:
        return self.severity.get(r.code) or r.severity

    def context(self, r: Rule, lock: Mapping[str, Any] | None = None) -> Context:
        return Context({**r.options, **self.options.get(r.code, {})}, lock)


class SettingsError(ValueError):
    pass


_SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "off": None}


def parse_settings(table: Mapping[str, Any]) -> RuleSettings:
    """Reads `select`, `ignore`, `strict` and the `[rules.NAME]` tables."""
    rules = all_rules()

    def known(key: object, where: str) -> str:
        if not isinstance(key, str):
            raise SettingsError(f"`{where}` takes rule names or codes as strings")
        if key == "ALL" or any(r.name == key or r.code.startswith(key.upper()) for r in rules.values()):
            return key
        hint = suggest(key)
        raise SettingsError(f"unknown rule `{key}` in `{where}`" + (f"; {hint}" if hint else ""))

    select = tuple(known(k, "select") for k in table.get("select", ["ALL"]))
    ignore = tuple(known(k, "ignore") for k in table.get("ignore", []))
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise SettingsError("`strict` is true or false")
    severity: dict[str, Severity | None] = {}
    options: dict[str, dict[str, Any]] = {}
    per_rule = table.get("rules", {})
    if not isinstance(per_rule, dict):
        raise SettingsError("`rules` is a table of `[rules.NAME]` tables")
    for key, settings in per_rule.items():
        r = find_rule(key)
        if r is None:
            hint = suggest(key)
            raise SettingsError(f"unknown rule `{key}` in [rules]" + (f"; {hint}" if hint else ""))
        if not isinstance(settings, dict):
            raise SettingsError(f'[rules.{key}] must be a table, e.g. `severity = "error"`')
        for option, value in settings.items():
            if option == "severity":
                if value not in _SEVERITIES:
                    raise SettingsError(f"[rules.{key}] severity must be error, warning, info or off")
                if r.core and value != "error":
                    raise SettingsError(f"{r.code} {r.name} is a structure error of the language and cannot be changed")
                severity[r.code] = _SEVERITIES[value]
            elif option in r.options:
                default = r.options[option]
                if type(value) is not type(default) and not (isinstance(default, float) and isinstance(value, int)):
                    raise SettingsError(f"[rules.{key}] `{option}` must be {type(default).__name__}, like {default!r}")
                options.setdefault(r.code, {})[option] = value
            else:
                choices = ", ".join(["severity", *r.options])
                raise SettingsError(f"[rules.{key}] has no option `{option}` (options: {choices})")
    return RuleSettings(select, ignore, severity, options, strict)


# -- running ----------------------------------------------------------------------------


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
    journeys: Sequence[ResolvedJourney], settings: RuleSettings, lock: Mapping[str, Any] | None = None
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Runs every selected rule over the journeys and applies the `allow` lines written
    in them. Returns the findings that count and the ones an `allow` silenced (each
    with its :class:`~cjdsl.diagnostics.Suppression`). Each rule reports at most
    :data:`MAX_FINDINGS_PER_RULE` findings of each kind, then one that says how many
    more there are; a rule is stopped after :data:`MAX_FINDINGS_EXAMINED` findings."""
    from .suppression import Suppressions

    rules = all_rules()
    allows = Suppressions(journeys)
    active: list[Diagnostic] = []
    silenced: list[Diagnostic] = []
    cut_off: set[str] = set()
    for r in rules.values():
        if r.core or not settings.selects(r) or r.code == UNUSED_SUPPRESSION:
            continue
        capped = _Capped(r, settings.severity_of(r))
        for f in r.run(journeys, settings.context(r, lock)):
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
        for span, message, help_ in allows.unused(rules, settings.selects, unused_rule, cut_off):
            if capped.full():
                break
            capped.add(Finding(span, message, help_), None)
        active.extend(capped.results()[0])
    return active, silenced


UNUSED_SUPPRESSION = "CJ250"

__all__ = [
    "MAX_FINDINGS_EXAMINED",
    "MAX_FINDINGS_PER_RULE",
    "SECTIONS",
    "Context",
    "Finding",
    "Rule",
    "RuleSettings",
    "SettingsError",
    "all_rules",
    "find_rule",
    "parse_settings",
    "rule",
    "run_rules",
]
