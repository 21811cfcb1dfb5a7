"""`cjdsl import mermaid`."""

from __future__ import annotations

from pathlib import Path

import click

from .. import fs
from ..language.formatter import format_document
from ..review.mermaid_import import ImportError_, import_journey
from .common import Failure


@click.group("import")
def import_group() -> None:
    """Turn journeys drawn with other tools into .journey files."""


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
