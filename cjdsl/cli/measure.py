"""`cjdsl measure`: the journeys' KPI funnels, reach, flows and conformance, measured
on captured events with DuckDB, or written as SQL for a warehouse (`--emit-sql`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .. import fs
from ..core.diagnostics import Severity
from ..core.terminal import safe
from ..measure.mapping import Mapping, build_mapping
from ..measure.settings import EventSettings, EventSettingsError
from ..measure.warehouse import DIALECTS, WarehouseError, emit  # sqlglot is imported when SQL is written
from .common import Failure, compile_paths, existing, settings
from .measured import event_files, read_event_settings, run_measure
from .report import render_full


@click.command("measure")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--events",
    "events",
    multiple=True,
    metavar="FILE",
    help="Events: .jsonl, .json, .csv or .parquet; globs too. Repeatable.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(["kpi-miss", "none"]),
    default="none",
    show_default=True,
    help="kpi-miss: exit 1 when a KPI misses its target.",
)
@click.option(
    "--emit-sql",
    "dialect",
    type=click.Choice(DIALECTS),
    default=None,
    help="Instead of reading events, write the measurement as SQL over the [events] table, one file per query, into -o DIR.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --emit-sql: the folder to write (new, empty, or written by cjdsl before; replaced as a whole).",
)
@click.pass_context
def measure_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    events: tuple[str, ...],
    fmt: str,
    fail_on: str,
    dialect: str | None,
    output: Path | None,
) -> None:
    """Measure the journeys in PATHS on captured events (--events): each KPI funnel
    (users per step, conversion, time between steps, the target met or not), users per
    touchpoint, flows taken (declared or not) and conformance. DuckDB runs it in process
    with a 1 GB memory limit; under --safe the event files may hold at most 1 GB (and
    Parquet files 10 million events).

    With --emit-sql DIALECT -o DIR, write the same computation as SQL for a warehouse
    (duckdb, postgres, bigquery, snowflake, databricks, redshift) over the table the
    [events] settings name. See docs/measure.md."""
    if dialect is None and not events:
        raise click.UsageError("give the events (--events FILE) or a warehouse to write SQL for (--emit-sql DIALECT -o DIR)")
    if dialect is not None and events:
        raise click.UsageError("--emit-sql writes SQL for the warehouse table; it reads no --events")
    if dialect is not None and output is None:
        raise click.UsageError("--emit-sql needs -o DIR, the folder to write the SQL files to")
    if dialect is None and output is not None:
        raise click.UsageError("-o is for --emit-sql; the report goes to standard output")
    given = existing(tuple(str(p) for p in paths))
    config = settings(ctx, given)
    event_config = read_event_settings(config)
    files = event_files(config, events) if dialect is None else []  # before the journeys: a missing file fails fast
    project = compile_paths(ctx, tuple(str(p) for p in given), config)
    if not project.ok:
        click.echo(render_full([d for d in project.diagnostics if d.severity is Severity.ERROR]), err=True, nl=False)
        ctx.exit(1)
    mapping = build_mapping(project.journeys)
    if dialect is not None and output is not None:
        _emit(mapping, event_config, dialect, output)
        return
    data = run_measure(config, files, event_config, mapping)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(render(data, markdown=fmt == "markdown"), nl=False)
    missed = [k for k in data["kpis"] if k["met"] is False]
    ctx.exit(1 if fail_on == "kpi-miss" and missed else 0)


def _emit(mapping: Mapping, event_config: EventSettings, dialect: str, output: Path) -> None:
    try:
        files = emit(mapping, event_config, dialect)
    except (WarehouseError, EventSettingsError) as err:
        raise Failure(str(err)) from None
    try:
        fs.write_tree(output, [(name, text.encode("utf-8")) for name, text in files.items()])
    except fs.OutputError as err:
        raise Failure(str(err)) from None
    except OSError as err:
        raise Failure(f"{output}: {err.strerror or err}") from None
    click.echo(f"{len(files)} {dialect} SQL files written to {output}", err=True)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def render(data: dict[str, Any], *, markdown: bool) -> str:
    """The report as text (or a Markdown page); every name from the journeys or the
    events goes through `safe`."""
    out: list[str] = []
    bar = "|" if markdown else " "

    def row(cells: list[str]) -> None:
        out.append(("| " + " | ".join(cells) + " |") if markdown else "  " + "  ".join(cells))

    head = "## " if markdown else ""
    out.append(f"{head}{data['events']:,} events, {data['users']:,} users, {data['first'] or '-'} to {data['last'] or '-'}")
    out.append("")
    for k in data["kpis"]:
        verdict = {True: "met", False: "MISSED", None: "not judged"}[k["met"]]
        out.append(
            f"{head}KPI {safe(k['journey'])}/{safe(k['id'])}: {_pct(k['conversion'])} ({k['completed']} of {k['entered']}), "
            f"target {safe(k['target'] or '-')}: {verdict}"
        )
        if markdown:
            out += [
                "",
                "| step | users | from previous | from first | drop-off | median | p90 |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
        for s in k["steps"]:
            row(
                [
                    safe(s["touchpoint"]),
                    str(s["users"]),
                    _pct(s["conversion_from_previous"]),
                    _pct(s["conversion_from_first"]),
                    str(s["drop_off"]),
                    _time(s["median_seconds"]),
                    _time(s["p90_seconds"]),
                ]
            )
        out.append("")
    if data["unread_targets"]:
        out.append(f"{head}Targets not read as numbers")
        out.extend(f"  {safe(t['journey'])}/{safe(t['kpi'])}: {safe(t['target'])}" for t in data["unread_targets"])
        out.append("")
    for j in data["journeys"]:
        c = j["conformance"]
        out.append(f"{head}Journey {safe(j['id'])}: {j['users']} users, conformance {_pct(c['fitness'])}")
        for p in j["conformance_by_persona"]:
            out.append(f"  persona {safe(p['persona'])}: {p['users']} users, conformance {_pct(p['fitness'])}")
        reach = [t for t in data["touchpoints"] if t["journey"] == j["id"]]
        out.append("  reach: " + ", ".join(f"{safe(t['id'])} {t['users']}" for t in reach if t["tracked"]))
        if j["undeclared_flows"]:
            out.append(
                "  undeclared flows: "
                + ", ".join(f"{safe(f['from'])} -> {safe(f['to'])} {f['users']}" for f in j["undeclared_flows"])
            )
        if j["declared_flows_not_taken"]:
            out.append(
                "  declared flows nobody took: "
                + ", ".join(f"{safe(f['from'])} -> {safe(f['to'])}" for f in j["declared_flows_not_taken"])
            )
        if j["unplaced_events"]:
            out.append(f"  {j['unplaced_events']} events could not be placed on a touchpoint")
        out.append("")
    unplaced = data["unplaced"]
    if unplaced["events"]:
        out.append(f"{head}{unplaced['events']} events could not be placed, for example:")
        for e in unplaced["examples"]:
            out.append(f"  {safe(e['journey'])}: {safe(e['event'])} by {safe(e['user'] or '-')} at {e['timestamp']} ({e['why']})")
        out.append("")
    if data["unknown_events"]:
        out.append(
            f"{head}Events not in the plan: " + ", ".join(f"{safe(n)} {c}" for n, c in list(data["unknown_events"].items())[:20])
        )
        out.append("")
    del bar
    return "\n".join(out) + "\n"
