"""The completeness validator: the rules of a good journey map, one rule per module.

Each rule module ``cjNNN_*.py`` has a docstring in fixed sections (*What it checks*,
*Why it matters*, *Example*, *Instead*) and one check function registered with
:func:`rule`. A rule only reads the resolved model and yields :class:`Finding`\\ s;
:func:`run_rules` applies the project's settings (selection, severities, options), the
`allow` suppressions written in the journeys, and turns findings into diagnostics.

One module per job, their public names all importable from here:

- :mod:`.registry`: what a rule is (:class:`Rule`, :class:`Finding`, :class:`Context`),
  :func:`rule`, and the table of every rule (:func:`all_rules`, :func:`find_rule`);
- ``docs/CODE.md``: the summary and docs of the language core's own codes (CJ0xx, CJ1xx);
- :mod:`.settings`: what `cjdsl.toml` says about rules (:func:`parse_settings`);
- :mod:`.run`: running the selected rules, with the per-rule limits (:func:`run_rules`);
- :mod:`.suppression`: which findings the `allow` lines silence;
- :mod:`.reference`: the rules reference page (:func:`reference_markdown`).
"""

from __future__ import annotations

from .reference import default_text, reference_markdown
from .registry import (
    SECTIONS,
    UNUSED_SUPPRESSION,
    Context,
    Finding,
    JourneyCheck,
    ProjectCheck,
    Rule,
    all_rules,
    find_rule,
    rule,
    suggest,
)
from .run import MAX_FINDINGS_EXAMINED, MAX_FINDINGS_PER_RULE, run_rules
from .settings import RuleSettings, SettingsError, parse_settings

__all__ = [
    "MAX_FINDINGS_EXAMINED",
    "MAX_FINDINGS_PER_RULE",
    "SECTIONS",
    "UNUSED_SUPPRESSION",
    "Context",
    "Finding",
    "JourneyCheck",
    "ProjectCheck",
    "Rule",
    "RuleSettings",
    "SettingsError",
    "all_rules",
    "default_text",
    "find_rule",
    "parse_settings",
    "reference_markdown",
    "rule",
    "run_rules",
    "suggest",
]
