"""`cjdsl events validate`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import fs
from ..core.diagnostics import Severity
from ..core.terminal import safe
from ..tracking.plan import TrackingPlan, build_plan, plan_from_json
from ..tracking.validate import report_json, validate_lines
from .common import Failure, compile_paths
from .report import render_full


@click.group()
def events() -> None:
    """Work with captured analytics events."""


@events.command("validate")
@click.argument("plan", type=click.Path(exists=True, path_type=Path))
@click.argument("events_file", metavar="EVENTS.jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def events_validate(ctx: click.Context, plan: Path, events_file: Path, fmt: str) -> None:
    """Validate captured events (one Segment-style JSON object per line) against the
    tracking plan of PLAN: a built tracking-plan.json, or .journey files or a folder.

    Reports each event's seen/valid/invalid counts with the first reasons, unknown event
    names, and the touchpoints and stages whose events were never seen. Exits with 1
    when any event is invalid."""
    tracking = _load_plan(ctx, plan)
    try:
        with fs.open_binary(events_file) as lines:
            report = validate_lines(tracking, lines)
    except OSError as err:
        raise Failure(f"{events_file}: {err.strerror}") from None
    data = report_json(tracking, report)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        # Event names, property names, values and ids come from the plan's journeys and
        # from the captured events: each goes through `safe`, so no control character,
        # line break or workflow command reaches the terminal or the CI log.
        names = {e["event"]: safe(e["event"]) for e in data["events"]}
        width = max([len(shown) for shown in names.values()] + [5])
        click.echo(f"{'event'.ljust(width)}  {'seen':>8} {'valid':>8} {'invalid':>8}")
        for e in data["events"]:
            click.echo(f"{names[e['event']].ljust(width)}  {e['seen']:>8} {e['valid']:>8} {e['invalid']:>8}")
            for reason in e["reasons"]:
                click.echo(f"{'':{width}}    {safe(reason)}")
        if data["unknown_events"]:
            click.echo("\nUnknown event names (not in the plan):")
            hints = data["unknown_event_hints"]
            for name, n in data["unknown_events"].items():
                hint = f"  (did you mean {safe(hints[name])}?)" if name in hints else ""
                click.echo(f"  {safe(name)}: {n}{hint}")
            if data["unknown_events_not_listed"]:
                click.echo(f"  and {data['unknown_events_not_listed']:,} more events with other unknown names")
        if data["never_seen"]:
            click.echo("\nNever seen (their touchpoints sent nothing):")
            for e in data["never_seen"]:
                click.echo(f"  {safe(e['event'])}: {', '.join(safe(tp) for tp in e['touchpoints'])}")
        if data["stages_never_seen"]:
            click.echo("Stages with no event seen: " + ", ".join(f"{safe(j)}/{safe(s)}" for j, s in data["stages_never_seen"]))
        if data["unreadable"]:
            examples = "; ".join(safe(x) for x in data["unreadable_examples"])
            click.echo(f"\n{data['unreadable']} unreadable lines, for example: {examples}")
        click.echo(f"\n{data['total']} lines: {data['invalid']} invalid events", err=True)
    ctx.exit(1 if data["invalid"] else 0)


#: The largest tracking-plan.json `events validate` reads.
PLAN_MAX_BYTES = 64 * 2**20


def _load_plan(ctx: click.Context, path: Path) -> TrackingPlan:
    """A plan from a built tracking-plan.json, or compiled from journeys."""
    if path.suffix == ".json" and not fs.is_dir(path):
        got = fs.read_source(path, PLAN_MAX_BYTES)
        if got.data is None:
            raise Failure(f"{path}: cannot read: {got.why(PLAN_MAX_BYTES)}")
        try:
            data = json.loads(got.data.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("the file holds no JSON object")
            return plan_from_json(data)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as err:
            detail = str(err)[:200] if not isinstance(err, RecursionError) else "it nests too deeply"
            raise Failure(f"{path}: not a cjdsl tracking-plan.json ({detail})") from None
    project = compile_paths(ctx, (str(path),))
    if not project.ok:
        errors = [d for d in project.diagnostics if d.severity is Severity.ERROR]
        click.echo(render_full(errors), err=True, nl=False)
        ctx.exit(1)
    return build_plan(project.journeys)
