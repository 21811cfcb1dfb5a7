"""`cjdsl check`."""

from __future__ import annotations

import gc
import sys
from dataclasses import replace

import click

from ..core.diagnostics import Severity
from ..project.config import Config
from ..rules import SettingsError, parse_settings
from .common import COLOR, FORMATS, Failure, compile_paths, existing, print_diagnostics, settings, split_names, use_color
from .measured import events_option, measurer
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
@click.option(
    "--watch",
    is_flag=True,
    help="Check again each time a .journey file, the settings or the tracking lock change, "
    "until Ctrl-C (needs watchfiles: pip install 'cjdsl[serve]').",
)
@events_option
@COLOR
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    watch: bool,
    events: tuple[str, ...],
    color: str,
) -> None:
    """Check .journey files (folders are searched recursively; default: .).

    Runs the language's checks and the completeness rules (`cjdsl rules` lists them).
    Exits with 1 when any error is found (with --strict, any warning too), else 0.
    With --watch it keeps checking until Ctrl-C, then exits with 0. With --events (or
    [measure] events in cjdsl.toml) the journeys are measured on captured events and the
    rules of the measured journey (CJ4xx) run too."""
    ctx.obj["events"] = events
    if not watch:
        ctx.exit(_check_once(ctx, paths, fmt, strict, select, ignore, color))
    from .watch import require_watchfiles

    require_watchfiles()
    _watch(ctx, paths, fmt, strict, select, ignore, color)


def _settings_for(ctx: click.Context, paths: tuple[str, ...], select: tuple[str, ...], ignore: tuple[str, ...]) -> Config:
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
    return config


def _check_once(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    color: str,
) -> int:
    """One check: the report on stdout, the summary on stderr; the exit code."""
    config = _settings_for(ctx, paths, select, ignore)
    project = compile_paths(ctx, paths, config, measure=measurer(config, ctx.obj.get("events", ())))
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
    return 1 if failed else 0


def _watch(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    color: str,
) -> None:
    """`check --watch`: a check now and after each change, until Ctrl-C (exit 0). A
    settings or I/O problem after the first check is shown and waited out, not fatal."""
    from .watch import changes, quietly_interrupted

    config = _settings_for(ctx, paths, select, ignore)  # a problem here is a usage error: exit 2
    screen = sys.stdout.isatty() and fmt in ("full", "concise")
    try:
        _check_once(ctx, paths, fmt, strict, select, ignore, color)
        for changed in changes(config, lambda: _waiting(config)):
            gc.unfreeze()  # the last run's model may go now (a check freezes what it built)
            if screen:
                click.echo("\x1b[2J\x1b[H", nl=False)  # clear the terminal, cursor home
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            click.echo(f"cjdsl: {shown} changed: checking again", err=True)
            try:
                _check_once(ctx, paths, fmt, strict, select, ignore, color)
            except click.ClickException as err:
                err.show()
    except KeyboardInterrupt:
        quietly_interrupted(lambda: click.echo("cjdsl: stopped watching", err=True))
    ctx.exit(0)


def _waiting(config: Config) -> None:
    click.echo(f"cjdsl: watching {config.root} for changes (Ctrl-C to stop)", err=True)
