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
from ..backends.poster import DEFAULT_PAPER, MIN_SCALE, PAPERS, BrowserMissing, Poster, PosterError
from ..backends.poster import FORMATS as POSTER_FORMATS
from ..core import i18n, packaged
from ..core.diagnostics import Severity, did_you_mean
from ..core.resolved import ResolvedJourney
from ..project.config import SAFE_DOT_TIMEOUT, SAFE_DOT_TOTAL, Config
from ..project.graph import Project
from ..tracking import LOCK_NAME
from ..tracking.lock import Change
from ..tracking.lock import dumps as dump_lock
from ..tracking.lock import update as update_lock
from ..tracking.plan import build_plan
from .common import COLOR, Failure, compile_paths, existing, print_diagnostics, settings, use_color
from .measured import events_option, measurer
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


LOCALE = click.option(
    "--locale",
    metavar="LANG",
    help="The language of the site's pages, the diagrams' legends and the Markdown: en or pl (pl_PL and pl-PL "
    "mean pl), or a language of the project's own catalogues; default: `locale` in [site] of cjdsl.toml, else en.",
)
#: How many catalogue problems are shown (the rest are counted).
_SHOWN_PROBLEMS = 10


def _catalogue_path(config: Config, name: str) -> Path | None:
    """The project's own catalogue for a language folder (``[site] locale_dir``), or None."""
    folder = config.raw.get("site", {}).get("locale_dir")
    return config.root / folder / name / "LC_MESSAGES" / f"{i18n.DOMAIN}.po" if folder else None


def _own_languages(config: Config) -> list[str]:
    """The languages the project's ``locale_dir`` has a catalogue for."""
    folder = config.raw.get("site", {}).get("locale_dir")
    if not folder:
        return []
    return [p.name for p in fs.folders_in(config.root / folder) if fs.is_file(p / "LC_MESSAGES" / f"{i18n.DOMAIN}.po")]


def _read_catalogue(config: Config, path: Path) -> bytes:
    """A project's catalogue: a regular file of at most 2 MB; under --safe, inside the
    project root (not reached through a link that leads out of it)."""
    shown = fs.display_path(path, config.root)
    if config.safe and not fs.real(path).is_relative_to(fs.real(config.root)):
        raise Failure(f"--safe: {shown}: outside the project root {config.root} (reached through a symbolic link)")
    got = fs.read_source(path, i18n.MAX_CATALOGUE_BYTES)
    if got.data is None:
        raise Failure(f"{shown}: cannot read the catalogue: {got.why(i18n.MAX_CATALOGUE_BYTES)}")
    return got.data


def translator(config: Config, flag: str | None) -> i18n.Translator:
    """The interface's language for a build or a render: ``--locale``, else ``[site]
    locale``, else English. Its catalogues, the most specific language first (``pl_PL``,
    then ``pl``), the project's own before the shipped one; a language with none is an
    error naming those there are. Messages a catalogue gets wrong are left out, each
    with a warning."""
    tag = flag if flag is not None else config.raw.get("site", {}).get("locale", i18n.SOURCE)
    if not i18n.valid_tag(tag):
        raise Failure(f"--locale must be a language tag such as pl or pl_PL, not {tag!r}")
    names = i18n.candidates(tag)
    found: list[tuple[str, i18n.Compiled]] = []
    for name in names:
        own = _catalogue_path(config, name)
        if own is not None and fs.is_file(own):
            where = fs.display_path(own, config.root)
            found.append((name, _compiled(_read_catalogue(config, own), where)))
        if name in i18n.SHIPPED:
            where = f"cjdsl/locale/{name}/LC_MESSAGES/{i18n.DOMAIN}.po"
            found.append((name, _compiled(packaged.text("locale", name, "LC_MESSAGES", f"{i18n.DOMAIN}.po").encode(), where)))
    if not found and names[-1] != i18n.SOURCE:
        known = sorted({i18n.SOURCE, *i18n.SHIPPED, *_own_languages(config)})
        raise Failure(f"no catalogue for the language `{tag}` (languages: {', '.join(known)}; docs/i18n.md says how to add one)")
    problems = [p for _, c in found for p in c.problems]
    for problem in problems[:_SHOWN_PROBLEMS]:
        click.echo(f"cjdsl: warning: {problem}; the English is shown", err=True)
    if len(problems) > _SHOWN_PROBLEMS:
        click.echo(f"cjdsl: warning: {len(problems) - _SHOWN_PROBLEMS} more messages left out of the catalogues", err=True)
    lang = found[0][0] if found else i18n.SOURCE
    return i18n.translator(lang, [c for _, c in found], i18n.number_locale(lang))


def _compiled(data: bytes, where: str) -> i18n.Compiled:
    try:
        return i18n.compile_catalogue(data, where)
    except i18n.CatalogueError as err:
        raise Failure(str(err)) from None


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
@LOCALE
@events_option
@COLOR
@click.pass_context
def build(
    ctx: click.Context,
    paths: tuple[str, ...],
    out: Path,
    only: tuple[str, ...],
    templates: Path | None,
    locale: str | None,
    events: tuple[str, ...],
    color: str,
) -> None:
    """Check the journeys, then write every backend's artifacts into OUT.

    Nothing is written when the journeys have errors. Diagrams are laid out as SVG
    when Graphviz's `dot` is installed; without it the .dot files are still written.
    With --events (or [measure] events in cjdsl.toml) the site and the diagrams show
    what the events measured: reach, flows taken, KPIs against their targets and
    conformance (docs/measure.md)."""
    names = _backend_names(only)
    config = settings(ctx, existing(paths))
    project = compile_paths(ctx, paths, config, measure=measurer(config, events))
    tr = translator(project.config, locale)  # a language without a catalogue is a usage error, said first
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
            project, names, layout, overrides, versions, jobs=ctx.obj["jobs"], progress=status.show if status else None, i18n=tr
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
    "source), or svg, png or pdf (the diagram laid out by Graphviz; with --view map, pdf or png is the map page "
    "printed as a poster by Chromium).",
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
    help="Diagrams: journey, overview (stages as nodes), blueprint (a service blueprint), or stage:ID; "
    "map: the journey map page as a poster (--to pdf or png, --persona for a persona's map).",
)
@click.option(
    "--paper",
    type=click.Choice(list(PAPERS), case_sensitive=False),
    help=f"Posters (--view map): the landscape paper; default {DEFAULT_PAPER}.",
)
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds `dot` or the browser may take.")
@LOCALE
@COLOR
@click.pass_context
def render(
    ctx: click.Context,
    target: str,
    path: str,
    output: Path | None,
    persona: str | None,
    view: str,
    paper: str | None,
    timeout: float,
    locale: str | None,
    color: str,
) -> None:
    """Print one artifact for the journey in PATH: a backend's output, a diagram, or the
    journey map as a poster."""
    if not (math.isfinite(timeout) and 0 < timeout <= 86400):
        raise Failure(f"--timeout must be a number of seconds above 0 and at most 86400, not {timeout}")
    if view == "map":
        _render_poster(ctx, target, path, output, persona, (paper or DEFAULT_PAPER).upper(), timeout, color, locale)
        return
    if paper is not None:
        raise Failure("--paper applies to posters (--to pdf or png with --view map)")
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
    project, journey = _journey_in(ctx, path, color)
    tr = translator(project.config, locale)
    if views is not None:
        try:
            source = views.text(journey, view, persona, tr)
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
        ctx_ = BuildContext(project.config, tuple(project.journeys), tuple(project.diagnostics), i18n=tr)
        content = backend.render(journey, ctx_).content
    _emit(content, output)


def _journey_in(ctx: click.Context, path: str, color: str) -> tuple[Project, ResolvedJourney]:
    """The project of PATH and the journey PATH declares; exits 1 on errors in it."""
    project = compile_paths(ctx, (path,))
    if not project.ok:  # warnings are `check`'s business; render only stops on errors
        errors = [d for d in project.diagnostics if d.severity is Severity.ERROR]
        click.echo(render_full(errors, color=use_color(color, sys.stderr)), err=True, nl=False)
        ctx.exit(1)
    resolved = fs.real(path)
    journey = next((j for j in project.journeys if fs.real(project.config.root / j.path) == resolved), None)
    if journey is None:
        raise Failure(f"{path} declares no journey (a `journey` block); render takes one journey file")
    return project, journey


def _emit(content: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        try:
            fs.write_bytes(output, content)
        except OSError as err:
            raise Failure(f"cannot write {output}: {err.strerror or err}") from None


def _render_poster(
    ctx: click.Context,
    target: str,
    path: str,
    output: Path | None,
    persona: str | None,
    paper: str,
    timeout: float,
    color: str,
    locale: str | None = None,
) -> None:
    """`--view map`: the html backend's map page of the journey (or of one persona),
    printed by the poster adapter."""
    if target not in POSTER_FORMATS:
        raise Failure(f"--view map prints the journey map page as a poster: --to {' or --to '.join(POSTER_FORMATS)}")
    site = backend_named("html")
    if site is None:
        raise Failure("posters print the html backend's map page, and no html backend is registered")
    try:
        poster = Poster.find(min(timeout, SAFE_DOT_TIMEOUT) if ctx.obj["safe"] else timeout)
    except BrowserMissing as err:
        raise Failure(str(err)) from None
    project, journey = _journey_in(ctx, path, color)
    if persona is not None and all(p.id != persona for p in journey.personas):
        known = ", ".join(f"`{p.id}`" for p in journey.personas) or "none"
        raise Failure(f"journey `{journey.id}` has no persona `{persona}` (personas: {known})")
    page = next(
        (p.path for p in site.declared([journey]) if p.journey == journey.id and p.persona == persona and not p.view), None
    )
    if page is None:
        raise Failure(f"the html backend declares no map page for journey `{journey.id}`")
    tr = translator(project.config, locale)
    ctx_ = BuildContext(project.config, tuple(project.journeys), tuple(project.diagnostics), tuple(project.suppressed), i18n=tr)
    files = {a.path: a.content for a in site.build_all(ctx_)}
    try:
        printed = poster(files, page, target, paper)
    except PosterError as err:
        raise Failure(str(err)) from None
    notes = []
    if printed.split:
        what = f"{printed.pages} {paper} pages" if target == "pdf" else f"{len(printed.sheets)} {paper} sheets side by side"
        notes.append(f"{what}, the stages split: the map is too wide for one page at {MIN_SCALE:.0%}")
    if printed.widen > 1:
        notes.append(f"the touchpoints' columns printed {printed.widen:.1f} times as wide as on the site, to fill the paper")
    if printed.scale < MIN_SCALE:
        larger = [name for name in PAPERS if PAPERS[name][1] > PAPERS[paper][1]]
        notes.append(
            f"printed at {printed.scale:.0%}, below {MIN_SCALE:.0%}: the map is too tall for {paper}"
            + (f" (--paper {' or '.join(larger[:2])} prints it larger)" if larger else "")
        )
    if notes:
        click.echo(f"cjdsl: poster: {'; '.join(notes)}", err=True)
    _emit(printed.content, output)
