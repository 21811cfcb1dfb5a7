"""`cjdsl simulate`: synthetic track events made by walking the journeys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from .. import fs
from ..core.diagnostics import Severity
from ..measure.simulate import simulate_chunks
from ..tracking.plan import build_plan
from .common import Failure, compile_paths
from .report import render_full


@click.command("simulate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--users", type=click.IntRange(min=0, max=10_000_000), default=1000, show_default=True, help="How many users to simulate."
)
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same events, byte for byte.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="events.jsonl, or .parquet.")
@click.pass_context
def simulate(ctx: click.Context, paths: tuple[Path, ...], users: int, seed: int, output: Path) -> None:
    """Write synthetic Segment-style track events for the journeys in PATHS: users walk
    the `next` flows from the entry touchpoints, drop off, wait, and a few stray onto
    flows the journeys do not declare. See docs/measure.md."""
    project = compile_paths(ctx, tuple(str(p) for p in paths))
    if not project.ok:
        click.echo(render_full([d for d in project.diagnostics if d.severity is Severity.ERROR]), err=True, nl=False)
        ctx.exit(1)
    chunks = simulate_chunks(project.journeys, build_plan(project.journeys), users, seed)
    kind = output.suffix.lower()
    if kind not in (".jsonl", ".ndjson", ".json", ".parquet"):
        raise Failure(f"{output}: write .jsonl or .parquet")
    try:
        if kind == ".parquet":
            _parquet(chunks, output)
        else:
            fs.write_chunks(output, chunks)
    except OSError as err:
        raise Failure(f"{output}: {err.strerror or err}") from None
    click.echo(f"{users} users: events written to {output}", err=True)


def _parquet(chunks: Iterator[bytes], output: Path) -> None:
    """The events through a scratch JSON Lines file into Parquet (zstd), then into
    place atomically."""
    from ..measure.run import MeasureError, connect
    from ..measure.sql import literal

    with fs.scratch_folder("cjdsl-simulate-") as folder:
        source, target = Path(folder) / "events.jsonl", Path(folder) / "events.parquet"
        fs.write_chunks(source, chunks)
        try:
            con = connect(temp_directory=folder)
        except MeasureError as err:
            raise Failure(str(err)) from None
        try:
            con.execute(
                f"COPY (SELECT * FROM read_json({literal(str(source))}, format = 'newline_delimited')) "
                f"TO {literal(str(target))} (FORMAT parquet, COMPRESSION zstd)"
            )
        finally:
            con.close()
        fs.write_chunks(output, fs.read_chunks(target))
