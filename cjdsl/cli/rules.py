"""`cjdsl rules` and `cjdsl explain`."""

from __future__ import annotations

import json

import click

from ..rules import all_rules, find_rule, reference_markdown, suggest
from ..rules.reference import explain_text
from .common import Failure


@click.command("rules")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: the full reference page (docs/rules.md).",
)
def rules_command(fmt: str) -> None:
    """List every rule: code, name, default severity and what it finds."""
    rules = list(all_rules().values())
    if fmt == "markdown":
        click.echo(reference_markdown(), nl=False)
        return
    if fmt == "json":
        data = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "default": "off" if r.opt_in else "on",
                "kind": "structure" if r.core else "completeness",
                "summary": r.summary,
                "options": dict(r.options),
                "docs": r.docs,
            }
            for r in rules
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    width = max(len(r.name) for r in rules)
    for r in rules:
        click.echo(f"{r.code}  {r.name.ljust(width)}  {'off' if r.opt_in else r.severity.value:<7}  {r.summary}")


@click.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print one rule's documentation (by code or name, e.g. CJ210 or dead-end)."""
    found = find_rule(rule)
    if found is None:
        hint = suggest(rule)
        raise Failure(f"no rule `{rule}`" + (f"; {hint}" if hint else "") + " (`cjdsl rules` lists them)")
    lines = explain_text(found, markdown=False)
    click.echo("\n".join([*lines, "", found.docs]))
