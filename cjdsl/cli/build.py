"""`cjdsl build` and `cjdsl render`."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from .. import fs
from ..backends import BuildContext, UnknownView, backend_named, backends
from ..backends.build import build as build_artifacts
from ..backends.layout import FORMATS, Dot, DotMissing, Layout, LayoutError
from ..core.diagnostics import Severity, did_you_mean
from ..project.config import SAFE_DOT_TIMEOUT, SAFE_DOT_TOTAL
from ..tracking import LOCK_NAME
from ..tracking.lock import Change
from ..tracking.lock import dumps as dump_lock
from ..tracking.lock import update as update_lock
from ..tracking.plan import build_plan
from .common import COLOR, Failure, compile_paths, print_diagnostics, use_color
from .progress import StatusLine
from .report import render_full, summary


def _backend_names(only: tuple[str, ...]) -> list[str]:
    available = backends()
    if not only:
        return list(available)
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    for name in names:
        if name not in available:
            hint = did_you_mean(name, available)
            raise Failure(f"unknown backend `{name}`" + (f"; {hint}" if hint else "") + f" (backends: {', '.join(available)})")
    return names


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Output folder; replaced as a whole, atomically, only by a successful build.",
)
@click.option("--only", multiple=True, metavar="NAMES", help="Run only these backends (comma-separated or repeated).")
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of HTML templates that replace the built-in ones of the same name.",
)
@COLOR
@click.pass_context
def build(
    ctx: click.Context, paths: tuple[str, ...], out: Path, only: tuple[str, ...], templates: Path | None, color: str
) -> None:
    """Check the journeys, then write every backend's artifacts into OUT.

    Nothing is written when the journeys have errors. Diagrams are laid out as SVG
    when Graphviz's `dot` is installed; without it the .dot files are still written."""
    names = _backend_names(only)
    project = compile_paths(ctx, paths)
    use = use_color(color, sys.stderr)
    # Errors in full (they stop the build); warnings one line each.
    print_diagnostics(project, "full" if not project.ok else "concise", use, err=True)
    if not project.ok:
        click.echo(summary(project.diagnostics, len(project.files), color=use), err=True, color=use)
        click.echo(f"cjdsl: nothing written to {out}: fix the errors above first", err=True)
        ctx.exit(1)
    if not project.journeys:
        raise Failure("no journeys found (a journey is a .journey file with a `journey` block)")
    layout: Layout | None = None
    registry = backends()
    if any(registry[name].layout is not None for name in names):  # a backend whose diagrams `dot` lays out
        try:
            layout = Dot.find(SAFE_DOT_TIMEOUT, SAFE_DOT_TOTAL) if ctx.obj["safe"] else Dot.find()
        except DotMissing:
            layout = None
    if templates is not None and ctx.obj["safe"]:
        raise Failure(
            "--templates is refused under --safe: templates are small programs, and a pull request could change them "
            "(build with the built-in templates, or without --safe for trusted branches)"
        )
    try:
        overrides = fs.read_templates(templates) if templates is not None else None
    except (fs.OutputError, OSError, UnicodeDecodeError) as err:
        raise Failure(f"cannot read templates: {err}") from None
    versions: Mapping[str, Any] = {}
    new_lock = None
    changes: list[Change] = []
    if "tracking" in names:
        new_lock, versions, changes = update_lock(project.lock, build_plan(project.journeys))
    try:
        status: StatusLine | None = ctx.obj.get("progress")
        result = build_artifacts(
            project, names, layout, overrides, versions, jobs=ctx.obj["jobs"], progress=status.show if status else None
        )
        if status is not None:
            status.clear()
    except Exception as err:  # a team's template can fail; say which one
        if type(err).__module__.startswith("jinja2"):
            raise Failure(f"template error: {str(err)[:300]}") from None
        raise
    for note in result.notes:
        click.echo(f"cjdsl: warning: {note}", err=True)
    try:
        fs.write_tree(out, sorted(result.files.items()))
    except fs.OutputError as err:
        raise Failure(str(err)) from None
    except OSError as err:
        raise Failure(f"cannot write {out}: {err.strerror}") from None
    files, counts = result.files, result.counts
    if new_lock is not None and new_lock != project.lock:
        lock_path = project.config.root / LOCK_NAME
        try:
            fs.write_text(lock_path, dump_lock(new_lock))
        except OSError as err:
            raise Failure(f"cannot write {lock_path}: {err.strerror or err}") from None
        what = "created" if project.lock is None else "updated"
        click.echo(f"{what} {fs.display_path(lock_path, project.config.root)}: commit it with the journeys", err=True)
        for change in changes:
            click.echo(f"  {change.event}: {change.kind} → Segment version {change.segment}, Iglu {change.schemaver}", err=True)
    detail = ", ".join(f"{n}: {c}" for n, c in counts.items())
    n = len(project.journeys)
    click.echo(f"Wrote {len(files)} files to {out} ({detail}) from {n} journey{'s' if n != 1 else ''}.", err=True)


@click.command()
@click.option(
    "--to",
    "target",
    required=True,
    metavar="NAME",
    help="What to print: json (the resolved journey), html (its map page), tracking (the tracking plan as JSON), "
    "mermaid (a Mermaid journey diagram), mermaid-flow (a Mermaid flowchart), graphviz or dot (the diagram's DOT "
    "source), or svg, png or pdf (the diagram laid out by Graphviz).",
)
@click.argument("path", type=click.Path(path_type=str))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of standard output."
)
@click.option("--persona", metavar="ID", help="Diagrams: only this persona's touchpoints.")
@click.option(
    "--view",
    default="journey",
    show_default=True,
    metavar="VIEW",
    help="Diagrams: journey, overview (stages as nodes), blueprint (a service blueprint), or stage:ID.",
)
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds `dot` may take.")
@COLOR
@click.pass_context
def render(
    ctx: click.Context, target: str, path: str, output: Path | None, persona: str | None, view: str, timeout: float, color: str
) -> None:
    """Print one artifact for the journey in PATH: a backend's output, or a diagram."""
    if not (math.isfinite(timeout) and 0 < timeout <= 86400):
        raise Failure(f"--timeout must be a number of seconds above 0 and at most 86400, not {timeout}")
    registry = backends()
    # An image format is the layout adapter's: it lays out the views of the backend whose
    # diagrams it lays out in `cjdsl build`. Any other target is a backend, by name or alias.
    drawn = next((b for b in registry.values() if b.layout is not None and b.views is not None), None)
    diagrams = [n for b in registry.values() if b.views is not None for n in (b.name, *b.aliases)]
    diagrams += FORMATS if drawn is not None else ()
    image = target in FORMATS and drawn is not None
    found = drawn if image else backend_named(target)
    if found is None:
        targets = [*registry, *(n for b in registry.values() for n in b.aliases), *diagrams]
        hint = did_you_mean(target, targets)
        raise Failure(
            f"unknown target `{target}`" + (f"; {hint}" if hint else "") + f" (targets: {', '.join(dict.fromkeys(targets))})"
        )
    backend = found
    views = backend.views
    if views is None and (persona or view != "journey"):
        raise Failure(f"--persona and --view apply to diagrams (--to {', '.join(diagrams[:-1])} or {diagrams[-1]})")
    layout: Layout | None = None
    if image:
        try:
            layout = Dot.find(min(timeout, SAFE_DOT_TIMEOUT) if ctx.obj["safe"] else timeout)
        except DotMissing as err:
            raise Failure(str(err)) from None
    project = compile_paths(ctx, (path,))
    if not project.ok:  # warnings are `check`'s business; render only stops on errors
        errors = [d for d in project.diagnostics if d.severity is Severity.ERROR]
        click.echo(render_full(errors, color=use_color(color, sys.stderr)), err=True, nl=False)
        ctx.exit(1)
    resolved = fs.real(path)
    journey = next((j for j in project.journeys if fs.real(project.config.root / j.path) == resolved), None)
    if journey is None:
        raise Failure(f"{path} declares no journey (a `journey` block); render takes one journey file")
    if views is not None:
        try:
            source = views.source(journey, view, persona)
        except UnknownView as err:
            raise Failure(str(err)) from None
        if layout is None:
            content = source.encode("utf-8")
        else:
            try:
                content = layout(source, target)
            except LayoutError as err:
                raise Failure(str(err)) from None
    else:
        ctx_ = BuildContext(project.config, tuple(project.journeys), tuple(project.diagnostics))
        content = backend.render(journey, ctx_).content
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        try:
            fs.write_bytes(output, content)
        except OSError as err:
            raise Failure(f"cannot write {output}: {err.strerror or err}") from None
