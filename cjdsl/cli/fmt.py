"""`cjdsl fmt`."""

from __future__ import annotations

import difflib
import sys

import click

from .. import fs
from ..core.diagnostics import Severity
from ..language.formatter import format_result
from ..language.parser import parse
from ..project.sources import decode_source, refused
from .common import COLOR, Failure, existing, settings, use_color
from .report import render_full


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--check", "check_only", is_flag=True, help="Change nothing; exit 1 if any file would be reformatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print what would change as a unified diff.")
@COLOR
@click.pass_context
def fmt(ctx: click.Context, paths: tuple[str, ...], check_only: bool, show_diff: bool, color: str) -> None:
    """Format .journey files in place in the one canonical layout.

    Comments are kept; the meaning of every file is unchanged."""
    given = existing(paths)
    config = settings(ctx, given)
    files, _ = fs.discover(given, config.root, config.exclude)
    changed = unchanged = failed = 0
    use = use_color(color, sys.stderr)
    for location in files:
        path = fs.display_path(location, config.root)
        if not location.is_relative_to(config.root):
            # A link that leads out of the project: never read, never rewritten.
            click.echo(f"cjdsl: {path}: not formatted: outside the project root {config.root} (a symbolic link?)", err=True)
            failed += 1
            continue
        got = fs.read_source(location, config.max_file_size)
        if got.problem == "missing":
            continue
        text, problem = (
            (None, refused(path, got, config.max_file_size))
            if got.data is None
            else decode_source(got.data, path, config.max_file_size)
        )
        if text is None:
            assert problem is not None
            click.echo(render_full([problem], color=use), err=True, color=use)
            failed += 1
            continue
        result = parse(text, path)
        formatted = format_result(result)
        if formatted is None:
            errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
            click.echo(render_full(errors, color=use), err=True, color=use)
            failed += 1
            continue
        assert got.data is not None
        original = got.data.decode("utf-8")
        if formatted == original:
            unchanged += 1
            continue
        changed += 1
        if show_diff:
            diff = difflib.unified_diff(
                original.splitlines(keepends=True), formatted.splitlines(keepends=True), f"a/{path}", f"b/{path}"
            )
            click.echo("".join(diff), nl=False)
        elif check_only:
            click.echo(f"Would reformat: {path}")
        else:
            try:
                fs.write_text(location, formatted)
            except OSError as err:
                raise Failure(f"cannot write {path}: {err.strerror or err} (the file is unchanged)") from None
    verb = "would be reformatted" if (check_only or show_diff) else "reformatted"
    parts = [f"{changed} file{'s' if changed != 1 else ''} {verb}", f"{unchanged} left unchanged"]
    if failed:
        parts.append(f"{failed} could not be formatted (see above)")
    if files:
        click.echo(", ".join(parts), err=True)
    else:
        click.echo("cjdsl: warning: no .journey files found", err=True)
    ctx.exit(1 if failed or ((check_only or show_diff) and changed) else 0)
