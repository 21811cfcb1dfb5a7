"""`cjdsl import mermaid`, `import xlsx`, `import csv` and `import tracking-csv`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from .. import fs
from ..core.terminal import safe
from ..language.formatter import format_document
from ..review.mermaid_import import ImportError_, import_journey
from ..review.sheets import Problem
from .common import Failure


@click.group("import")
def import_group() -> None:
    """Turn journeys kept in other tools (Mermaid diagrams, spreadsheets, tracking plans
    kept as CSV) into .journey files."""


#: The largest Mermaid file `import mermaid` reads.
IMPORT_MAX_BYTES = 10 * 2**20


@import_group.command("mermaid")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the .journey file here instead of to standard output.",
)
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
@click.option(
    "--all-actors",
    is_flag=True,
    help="Make every actor a persona, also those whose name says staff or a system (agent, support, CRM, ...).",
)
def import_mermaid(source: Path, output: Path | None, force: bool, all_actors: bool) -> None:
    """Read a Mermaid `journey` diagram (a .mmd file, or the first ```mermaid block of a
    Markdown file) and write an equivalent, formatted .journey file: sections become
    stages, tasks touchpoints, scores emotions (score - 3) and actors personas.

    The front matter's `title`, `accTitle` and `accDescr` become the journey's label and
    description, and `%%` comments are kept as comments. An actor whose name says it is
    the company's side ("Support agent", "Sales team", "CRM", "Booking system") is not made
    a persona, since personas are customers; --all-actors keeps every actor."""
    got = fs.read_source(source, IMPORT_MAX_BYTES)
    if got.data is None:
        raise Failure(f"{source}: cannot read: {got.why(IMPORT_MAX_BYTES)}")
    try:
        text = got.data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise Failure(f"{source}: cannot read: not UTF-8 text ({err.reason} at byte {err.start})") from None
    try:
        imported = import_journey(text, all_actors=all_actors)
    except ImportError_ as err:
        raise Failure(f"{source}: {err}") from None
    header = ["# Imported from " + " ".join(source.name.split()) + " by `cjdsl import mermaid`."]
    if imported.comments:
        header += ["#", "# Comments in the diagram:"] + [f"#   {' '.join(c.split())}" for c in imported.comments]
    if imported.staff:
        names = ", ".join(" ".join(a.split()) for a in imported.staff)
        header += ["#", f"# Actors left out as personas (staff or systems; --all-actors keeps them): {names}"]
    journey = "\n".join(header) + "\n" + format_document(imported.document)
    if output is None:
        click.echo(journey, nl=False)
        return
    if fs.lexists(output) and not force:
        raise Failure(f"{output} exists; use --force to replace it")
    try:
        fs.write_bytes(output, journey.encode("utf-8"))
    except OSError as err:
        raise Failure(f"cannot write {output}: {err.strerror or err} (nothing was written)") from None
    click.echo(f"Wrote {output}", err=True)


# -- spreadsheets ----------------------------------------------------------------------


def _print_problems(source: Path, problems: Sequence[Problem]) -> tuple[int, int]:
    """Each problem on stderr as `FILE: sheet!cell: severity: message`, with its hint;
    returns the number of errors and of warnings."""
    errors = warnings = 0
    for p in problems:
        where = f"{safe(source.name)}: " + (f"{safe(p.where)}: " if p.where else "")
        code = f"[{p.code}]" if p.code else ""
        click.echo(f"{where}{p.severity}{code}: {safe(p.message)}", err=True)
        if p.hint:
            click.echo(f"  = help: {safe(p.hint)}", err=True)
        errors += p.severity == "error"
        warnings += p.severity == "warning"
    return errors, warnings


def _write_journeys(
    ctx: click.Context, source: Path, output: Path, files: Mapping[str, str], problems: Sequence[Problem], force: bool
) -> None:
    errors, warnings = _print_problems(source, problems)
    if errors:
        counts = f"{errors} error{'s' if errors != 1 else ''}" + (
            f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
        )
        click.echo(f"Found {counts}; nothing written to {output}.", err=True)
        ctx.exit(1)
    if not files:
        raise Failure(f"{source}: no journeys to write")
    try:
        written = fs.write_output_files(output, {path: text.encode("utf-8") for path, text in files.items()}, replace=force)
    except fs.OutputError as err:
        raise Failure(f"{err} (nothing was written)") from None
    except OSError as err:
        raise Failure(f"cannot write into {output}: {err.strerror or err}") from None
    for path in written:
        click.echo(f"Wrote {path}", err=True)


def _read(source: Path, limit: int) -> bytes:
    got = fs.read_source(source, limit)
    if got.data is None:
        raise Failure(f"{source}: cannot read: {got.why(limit)}")
    return got.data


@import_group.command("xlsx")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the .journey files into.",
)
@click.option("--force", is_flag=True, help="Replace .journey files that exist in OUTPUT.")
@click.option(
    "--grid",
    is_flag=True,
    help="Read a map drawn as a grid (stages across the top, lanes down the side) instead of the data sheets.",
)
@click.option(
    "--sheet",
    "sheet_names",
    multiple=True,
    metavar="NAME",
    help="With --grid: the sheet(s) to read (default: every visible sheet that looks like a map).",
)
@click.pass_context
def import_xlsx(ctx: click.Context, source: Path, output: Path, force: bool, grid: bool, sheet_names: tuple[str, ...]) -> None:
    """Read an Excel workbook (.xlsx) and write formatted .journey files into OUTPUT.

    By default the data sheets are read (journeys, personas, stages, touchpoints,
    flows, pains, ..., as `cjdsl export xlsx` writes them): one file per journey, the
    shared declarations in their own file, as the `file` column says. A cell that is
    wrong is reported by sheet and cell (touchpoints!F12) and nothing is written.

    With --grid, a map drawn by hand is read instead: a header row of stages (merged
    cells understood), the lanes down the first column (Doing, Thinking, Emotion, Pain
    points, ...; English or Polish), a column per touchpoint. Ids are made from the
    labels; what cannot be placed is reported.

    Formulas are never computed: a formula cell gives the value the spreadsheet saved
    with it. Workbooks with macros, and ones too large, are refused."""
    from ..review.spreadsheet_import import import_grids
    from ..review.workbook import MAX_FILE_BYTES, MissingOpenpyxl, WorkbookError, read_workbook

    data = _read(source, MAX_FILE_BYTES)
    try:
        book = read_workbook(data)
    except WorkbookError as err:
        raise Failure(f"{source}: {safe(err)}") from None
    except MissingOpenpyxl as err:
        raise Failure(str(err)) from None
    for note in book.notes:
        click.echo(f"{safe(source.name)}: warning: {note}", err=True)
    if grid:
        from ..review.grid_import import import_grid_sheets

        result = import_grid_sheets(book.grids, list(sheet_names) or None, source.stem)
    else:
        if sheet_names:
            raise Failure("--sheet applies to --grid")
        result = import_grids(book.grids)
    _write_journeys(ctx, source, output, result.files, result.problems, force)


@import_group.command("csv")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the .journey files into.",
)
@click.option("--force", is_flag=True, help="Replace .journey files that exist in OUTPUT.")
@click.pass_context
def import_csv(ctx: click.Context, source: Path, output: Path, force: bool) -> None:
    """Read a folder of CSV files named after the data sheets (journeys.csv,
    touchpoints.csv, ..., as `cjdsl export csv` writes them) and write formatted
    .journey files into OUTPUT. The files are UTF-8; comma, semicolon or tab separated."""
    from ..review.sheets import BY_NAME
    from ..review.spreadsheet_import import import_grids, normal_name
    from ..review.workbook import MAX_FILE_BYTES, WorkbookError, read_csv

    grids = []
    for path in fs.files_in(source):
        if path.suffix.lower() != ".csv" or normal_name(path.stem) not in BY_NAME:
            continue
        try:
            grids.append(read_csv(_read(path, MAX_FILE_BYTES), path.name))
        except WorkbookError as err:
            raise Failure(f"{path}: {safe(err)}") from None
    result = import_grids(grids)
    _write_journeys(ctx, source, output, result.files, result.problems, force)


@import_group.command("tracking-csv")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--write", is_flag=True, help="Rewrite the .journey files (keeping their comments) instead of printing the change.")
@click.pass_context
def import_tracking_csv(ctx: click.Context, source: Path, paths: tuple[str, ...], write: bool) -> None:
    """Add the events of a tracking plan kept as CSV (SOURCE) to the touchpoints of the
    journeys in PATHS (default: this folder).

    Reads Segment, RudderStack and Amplitude tracking-plan exports and cjdsl's own
    tracking-plan.csv: the event's name (filled down over its property rows), its
    properties with their type, whether they are required, allowed values and bounds,
    and a touchpoint column (ids or labels, several separated by commas) saying where
    it is fired. Prints the change as a diff; --write makes it. An event already there
    as it is stays as it is; what cannot be attached is reported."""
    import difflib

    from ..review.tracking_import import attach, read_plan, rewrite
    from ..review.workbook import MAX_FILE_BYTES, WorkbookError, read_csv
    from .common import compile_paths

    try:
        grid = read_csv(_read(source, MAX_FILE_BYTES), source.name)
    except WorkbookError as err:
        raise Failure(f"{source}: {safe(err)}") from None
    events, problems = read_plan(grid)
    project = compile_paths(ctx, paths)
    broken = sorted(p for p, sf in project.files.items() if sf.result is None or sf.result.document is None)
    if broken:
        raise Failure(f"{broken[0]} does not parse: run `cjdsl check` and fix it first")
    documents = {
        p: sf.result.document for p, sf in project.files.items() if sf.result is not None and sf.result.document is not None
    }
    journeys = {j.id: j.files for j in project.journeys}
    errors_before = sum(p.severity == "error" for p in problems)
    attached = attach(events, documents, journeys) if not errors_before else None
    errors, _ = _print_problems(source, problems + (attached.problems if attached else []))
    if errors or attached is None:
        click.echo(f"Found {errors} error{'s' if errors != 1 else ''}; nothing changed.", err=True)
        ctx.exit(1)
    texts = {}
    for path, doc in attached.documents.items():
        sf = project.files[path]
        assert sf.result is not None
        texts[path] = (sf, rewrite(sf.result, doc))
    for event, touchpoint, path in attached.added:
        click.echo(f"{safe(path)}: {safe(touchpoint)} fires {safe(event)!r}", err=True)
    if not write:
        for path, (sf, text) in sorted(texts.items()):
            old = sf.result.lines.text if sf.result is not None else ""
            diff = difflib.unified_diff(old.splitlines(True), text.splitlines(True), f"a/{path}", f"b/{path}")
            click.echo("".join(diff), nl=False)
        if texts:
            click.echo(f"{len(attached.added)} event(s) to add in {len(texts)} file(s); --write adds them.", err=True)
        return
    for path, (sf, text) in sorted(texts.items()):
        try:
            fs.write_text(sf.location, text)
        except OSError as err:
            raise Failure(f"cannot write {path}: {err.strerror or err}") from None
    click.echo(f"Added {len(attached.added)} event(s) in {len(texts)} file(s).", err=True)
