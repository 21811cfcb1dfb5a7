"""`cjdsl check`."""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from ..core.diagnostics import Severity
from ..rules import SettingsError, parse_settings
from .common import COLOR, FORMATS, Failure, compile_paths, existing, print_diagnostics, settings, split_names, use_color
from .report import summary


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=FORMATS,
    default="full",
    show_default=True,
    help="full: source line and caret; concise: one line each; json: for tools; "
    "sarif: SARIF 2.1.0 for code scanning; github: workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option("--select", multiple=True, metavar="RULES", help="Run only these rules (names, codes or code prefixes).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not run these rules.")
@COLOR
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    color: str,
) -> None:
    """Check .journey files (folders are searched recursively; default: .).

    Runs the language's checks and the completeness rules (`cjdsl rules` lists them).
    Exits with 1 when any error is found (with --strict, any warning too), else 0."""
    given = existing(paths)
    config = settings(ctx, given)
    if select or ignore:
        table = dict(config.raw)
        if select:
            table["select"] = split_names(select)
        if ignore:
            table["ignore"] = [*table.get("ignore", []), *split_names(ignore)]
        try:
            config = replace(config, rules=parse_settings(table))
        except SettingsError as err:
            raise Failure(str(err)) from None
    project = compile_paths(ctx, paths, config)
    use = use_color(color, sys.stdout)
    print_diagnostics(project, fmt, use)
    if fmt not in ("json", "sarif"):
        if not project.files:
            click.echo("cjdsl: warning: no .journey files found", err=True)
        else:
            err_color = use_color(color, sys.stderr)
            click.echo(summary(project.results, len(project.files), color=err_color), err=True, color=err_color)
    strict = strict or config.rules.strict
    failed = not project.ok or (strict and any(d.severity is Severity.WARNING for d in project.diagnostics))
    ctx.exit(1 if failed else 0)
