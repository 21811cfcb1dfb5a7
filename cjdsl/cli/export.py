"""`cjdsl export xlsx` and `cjdsl export csv`: journeys for people who work in spreadsheets."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import fs
from ..backends.spreadsheet import ExportError, csv_files, workbook
from ..core import model as m
from ..core.terminal import safe
from ..project.graph import Project
from ..review.workbook import MissingOpenpyxl
from .common import COLOR, Failure, compile_paths, print_diagnostics, use_color
from .report import summary


@click.group("export")
def export_group() -> None:
    """Write journeys for other tools: a spreadsheet workbook, or CSV files."""


def _checked(ctx: click.Context, paths: tuple[str, ...], color: str, output: Path) -> Project:
    project = compile_paths(ctx, paths)
    use = use_color(color, sys.stderr)
    print_diagnostics(project, "full" if not project.ok else "concise", use, err=True)
    if not project.ok:
        click.echo(summary(project.diagnostics, len(project.files), color=use), err=True, color=use)
        click.echo(f"cjdsl: nothing written to {output}: fix the errors above first", err=True)
        ctx.exit(1)
    if not project.files:
        raise Failure("no .journey files found")
    return project


def _files(project: Project) -> list[tuple[str, m.Document]]:
    """Every file of the project that parsed, by its path from the project root."""
    return sorted(
        (path, sf.result.document)
        for path, sf in project.files.items()
        if sf.result is not None and sf.result.document is not None
    )


@export_group.command("xlsx")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The workbook to write (.xlsx)."
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists (a workbook others edited would lose their changes).")
@COLOR
@click.pass_context
def export_xlsx(ctx: click.Context, paths: tuple[str, ...], output: Path, force: bool, color: str) -> None:
    """Write the journeys in PATHS as one Excel workbook: a map sheet per journey (stages
    as column groups, touchpoints as columns, the lanes as rows, emotion coloured and
    numbered, ready to print on landscape A3), and data sheets with every element's id
    and attributes, which `cjdsl import xlsx` reads back.

    Nothing is written when the journeys have errors. The same journeys give the same
    bytes; no text of a journey becomes a formula."""
    project = _checked(ctx, paths, color, output)
    if fs.lexists(output) and not force:
        raise Failure(f"{output} exists; use --force to replace it")
    try:
        data = workbook(_files(project), project.journeys)
    except MissingOpenpyxl as err:
        raise Failure(str(err)) from None
    except ExportError as err:
        click.echo(f"cjdsl: error: {safe(err)}", err=True)
        click.echo(f"cjdsl: nothing written to {output}", err=True)
        ctx.exit(1)
    try:
        fs.write_bytes(output, data)
    except OSError as err:
        raise Failure(f"cannot write {output}: {err.strerror or err} (nothing was written)") from None
    n = len(project.journeys)
    click.echo(f"Wrote {output} ({n} journey{'s' if n != 1 else ''}, {len(project.files)} files).", err=True)


@export_group.command("csv")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the CSV files into.",
)
@click.option("--force", is_flag=True, help="Replace CSV files that exist in OUTPUT.")
@COLOR
@click.pass_context
def export_csv(ctx: click.Context, paths: tuple[str, ...], output: Path, force: bool, color: str) -> None:
    """Write the data sheets of the journeys in PATHS as CSV files in OUTPUT, one per
    sheet (journeys.csv, touchpoints.csv, ...), which `cjdsl import csv` reads back.

    UTF-8 with a byte order mark; a text that starts like a formula gets a leading `'`."""
    project = _checked(ctx, paths, color, output)
    files = csv_files(_files(project))
    try:
        written = fs.write_output_files(output, files, replace=force)
    except fs.OutputError as err:
        raise Failure(f"{err} (nothing was written)") from None
    except OSError as err:
        raise Failure(f"cannot write into {output}: {err.strerror or err}") from None
    click.echo(f"Wrote {len(written)} CSV files to {output}.", err=True)
