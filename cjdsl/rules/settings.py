"""What `cjdsl.toml` says about the rules: which run, how severe, with which options.

:func:`parse_settings` reads `select`, `ignore`, `strict` and the `[rules.NAME]` tables
and checks every name, severity and option against the registry, so a typo is an error
with a "did you mean" rather than a rule silently left on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.diagnostics import Severity
from .registry import Context, Rule, all_rules, find_rule, suggest


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

    def context(self, r: Rule, lock: Mapping[str, Any] | None = None, measured: Mapping[str, Any] | None = None) -> Context:
        return Context({**r.options, **self.options.get(r.code, {})}, lock, measured)


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
