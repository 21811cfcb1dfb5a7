"""`cjdsl simulate`: synthetic track events made by walking the journeys."""

from __future__ import annotations

from pathlib import Path

import click

from .. import fs
from ..core.diagnostics import Severity
from ..measure.simulate import simulate_jsonl
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
    data = simulate_jsonl(project.journeys, build_plan(project.journeys), users, seed)
    try:
        if output.suffix.lower() == ".parquet":
            data = _parquet(data)
        elif output.suffix.lower() not in (".jsonl", ".ndjson", ".json"):
            raise Failure(f"{output}: write .jsonl or .parquet")
        fs.write_bytes(output, data)
    except OSError as err:
        raise Failure(f"{output}: {err.strerror or err}") from None
    click.echo(f"{users} users: events written to {output}", err=True)


def _parquet(jsonl: bytes) -> bytes:
    from ..measure.run import MeasureError, connect

    with fs.scratch_folder("cjdsl-simulate-") as folder:
        source, target = Path(folder) / "events.jsonl", Path(folder) / "events.parquet"
        fs.write_bytes(source, jsonl)
        try:
            con = connect()
        except MeasureError as err:
            raise Failure(str(err)) from None
        try:
            con.execute(
                f"COPY (SELECT * FROM read_json('{source}', format = 'newline_delimited')) TO '{target}' (FORMAT parquet)"
            )
        finally:
            con.close()
        data = fs.read_bytes(target, 2**40)
    if data is None:
        raise Failure("cannot write the Parquet file")
    return data
