"""`cjdsl diff`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .. import fs
from ..core.diagnostics import Severity
from ..review.diff import breaking, diff, render_json, render_markdown, render_text, tracking_note
from ..review.git import GitError
from ..review.git import checkout as git_checkout
from ..review.git import parse_spec as parse_git
from .common import COLOR, Failure, compile_paths, use_color
from .report import render_full


@click.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a pull-request comment, json for tools.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "any", "none"]),
    default="none",
    show_default=True,
    help="Exit 1 on breaking tracking changes, on any change, or never.",
)
@COLOR
@click.pass_context
def diff_command(ctx: click.Context, old: str, new: str, fmt: str, fail_on: str, color: str) -> None:
    """What changed in the journeys between OLD and NEW: files, folders, or git:REV
    (this folder at a revision) and git:REV:path.

    \b
    Examples:
      cjdsl diff git:origin/main .
      cjdsl diff --format markdown git:HEAD~1:journeys journeys
    """
    with fs.scratch_folder("cjdsl-diff-") as scratch:
        sides = []
        locks: list[dict[str, Any] | None] = []
        for n, text in enumerate((old, new)):
            try:
                spec = parse_git(text)
                path = git_checkout(spec, Path.cwd(), Path(scratch) / str(n)) if spec else Path(text)
            except GitError as err:
                raise Failure(f"{text}: {err}") from None
            if not fs.exists(path):
                raise Failure(f"{text}: no such file or folder" + (" at that revision" if spec else ""))
            project = compile_paths(ctx, (str(path),), within=Path(scratch) / str(n) if spec else None)
            if not project.ok:
                errors = [d for d in project.diagnostics if d.severity is Severity.ERROR]
                click.echo(f"cjdsl: {text} has errors; the diff needs both sides to compile:", err=True)
                click.echo(render_full(errors), err=True, nl=False)
                ctx.exit(1)
            sides.append(project.journeys)
            locks.append(project.lock)
    edits = diff(sides[0], sides[1])
    if fmt == "json":
        click.echo(render_json(edits), nl=False)
    elif fmt == "markdown":
        note = tracking_note(sides[0], sides[1], locks[0], locks[1])
        click.echo(render_markdown(edits, sides[0], sides[1], tracking=note), nl=False)
    else:
        use = use_color(color, sys.stdout)
        click.echo(render_text(edits, color=use), nl=False, color=use)
    failed = (fail_on == "any" and bool(edits)) or (fail_on == "breaking" and bool(breaking(edits)))
    ctx.exit(1 if failed else 0)
