"""The ``cjdsl`` command line: a thin click layer over :mod:`cjdsl.project`.

Exit codes: 0 no errors (warnings allowed); 1 errors in the input, or ``fmt --check``
would change a file; 2 usage, settings, I/O or internal error (one line, no traceback).
"""

from __future__ import annotations

import difflib
import gc
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__, fs
from .config import SAFE_DOT_TIMEOUT, SAFE_DOT_TOTAL, Config, ConfigError, boundary, load_config
from .config import safe as safe_config
from .diagnostics import Severity, did_you_mean
from .progress import StatusLine
from .project import Project, compile_project
from .report import RENDERERS, render_full, summary
from .rules import SettingsError, parse_settings
from .tracking import LockError

if TYPE_CHECKING:
    from .layout import Layout
    from .tracking.lock import Change
    from .tracking.plan import TrackingPlan


class Failure(click.ClickException):
    """A usage, settings or I/O problem: one line on stderr, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"cjdsl: error: {self.format_message()}", err=True)


def _use_color(choice: str, stream: Any) -> bool:
    if choice == "always":
        return True
    if choice == "never" or "NO_COLOR" in os.environ:
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _config(ctx: click.Context, paths: Sequence[Path], within: Path | None = None) -> Config:
    """The settings for a run over ``paths``. ``within``: a folder the run may not look
    above (a revision checked out into a temporary folder); else, under --safe, the
    repository the command runs in (or the current folder)."""
    safe = bool(ctx.obj.get("safe"))
    limit = within if within is not None else (boundary(Path.cwd()) if safe else None)
    try:
        config = load_config(list(paths), None if within is not None else ctx.obj.get("config"), stop=limit)
        return safe_config(config, limit) if safe and limit is not None else config
    except ConfigError as err:
        raise Failure(str(err)) from None


def _existing(paths: Sequence[str]) -> list[Path]:
    out = []
    for p in paths or (".",):
        path = Path(p)
        if not fs.exists(path):
            raise Failure(f"{p}: no such file or folder")
        out.append(path)
    return out


def _compile(ctx: click.Context, paths: Sequence[str], config: Config | None = None, within: Path | None = None) -> Project:
    """Reads, parses, resolves and validates PATHS, turning I/O and lock problems into
    one-line failures."""
    given = _existing(paths)
    config = config or _config(ctx, given, within)
    # The model lives until the command ends and holds no reference cycles: keep the
    # cyclic GC from walking its million objects again and again while it is built
    # (10,000 touchpoints: about 1.5 s of collections), and from then on.
    gc.disable()
    status: StatusLine | None = ctx.obj.get("progress")
    try:
        return compile_project(given, config, jobs=ctx.obj.get("jobs", 1), progress=status.show if status else None)
    except OSError as err:
        raise Failure(f"{err.filename or ''}: {err.strerror}") from None
    except LockError as err:
        raise Failure(str(err)) from None
    except fs.UnsafeSource as err:
        raise Failure(f"--safe: {err}") from None
    finally:
        gc.freeze()
        gc.enable()
        if status is not None:
            status.clear()


def _print_diagnostics(project: Project, fmt: str, color: bool, *, err: bool = False) -> None:
    renderer = RENDERERS[fmt]
    text = renderer(project.results, color=color)
    if text:
        click.echo(text, nl=not text.endswith("\n"), err=err, color=color)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="cjdsl", message="%(prog)s %(version)s")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file to use instead of the nearest cjdsl.toml / pyproject.toml.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Parse files and lay out diagrams in N processes at once  [default: the number of cores].",
)
@click.option(
    "--safe",
    is_flag=True,
    help="For sources that may be hostile, such as a pull request from a fork: nothing read outside the project "
    "root (not even through a symbolic link), at most 2 MB a file and 50 MB in all, `dot` stopped after 20 s a "
    "diagram and 120 s in all, --templates refused. See docs/security.md.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show what is being done on a status line  [default: on a terminal, off in CI and when piped].",
)
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, jobs: int | None, safe: bool, progress: bool | None) -> None:
    """cjdsl compiles customer journeys written as code (.journey files) into
    diagrams, documentation and tracking plans.

    \b
    Examples:
      cjdsl check                    check every .journey file below this folder
      cjdsl fmt --check examples     fail if a file is not formatted
      cjdsl build examples -o site   write the site, diagrams and tracking plan into site/
      cjdsl render --to svg examples/hr_saas.journey -o hr.svg
      cjdsl diff git:origin/main .   what a branch changes for customers and tracking
      cjdsl explain dead-end         what a rule checks and why
    """
    ctx.ensure_object(dict)
    ctx.obj["config"] = config_file
    if jobs is None:
        from .parallel import default_jobs

        jobs = default_jobs()
    ctx.obj["jobs"] = jobs
    ctx.obj["safe"] = safe
    ctx.obj["progress"] = StatusLine.for_stream(sys.stderr, progress)


FORMATS = click.Choice(sorted(RENDERERS), case_sensitive=False)
COLOR = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the output (auto: when writing to a terminal and NO_COLOR is unset).",
)


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "fmt",
    type=FORMATS,
    default="full",
    show_default=True,
    help="full: source line and caret; concise: one line each; json: for tools; "
    "sarif: SARIF 2.1.0 for code scanning; github: workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the run too (exit 1).")
@click.option("--select", multiple=True, metavar="RULES", help="Run only these rules (names, codes or code prefixes).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not run these rules.")
@COLOR
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    color: str,
) -> None:
    """Check .journey files (folders are searched recursively; default: .).

    Runs the language's checks and the completeness rules (`cjdsl rules` lists them).
    Exits with 1 when any error is found (with --strict, any warning too), else 0."""
    given = _existing(paths)
    config = _config(ctx, given)
    if select or ignore:
        table = dict(config.raw)
        if select:
            table["select"] = _split(select)
        if ignore:
            table["ignore"] = [*table.get("ignore", []), *_split(ignore)]
        try:
            config = replace(config, rules=parse_settings(table))
        except SettingsError as err:
            raise Failure(str(err)) from None
    project = _compile(ctx, paths, config)
    use = _use_color(color, sys.stdout)
    _print_diagnostics(project, fmt, use)
    if fmt not in ("json", "sarif"):
        if not project.files:
            click.echo("cjdsl: warning: no .journey files found", err=True)
        else:
            err_color = _use_color(color, sys.stderr)
            click.echo(summary(project.results, len(project.files), color=err_color), err=True, color=err_color)
    strict = strict or config.rules.strict
    failed = not project.ok or (strict and any(d.severity is Severity.WARNING for d in project.diagnostics))
    ctx.exit(1 if failed else 0)


@main.command("rules")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: the full reference page (docs/rules.md).",
)
def rules_command(fmt: str) -> None:
    """List every rule: code, name, default severity and what it finds."""
    from .rules import all_rules, reference_markdown

    rules = list(all_rules().values())
    if fmt == "markdown":
        click.echo(reference_markdown(), nl=False)
        return
    if fmt == "json":
        data = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.value,
                "default": "off" if r.opt_in else "on",
                "kind": "structure" if r.core else "completeness",
                "summary": r.summary,
                "options": dict(r.options),
                "docs": r.docs,
            }
            for r in rules
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    width = max(len(r.name) for r in rules)
    for r in rules:
        click.echo(f"{r.code}  {r.name.ljust(width)}  {'off' if r.opt_in else r.severity.value:<7}  {r.summary}")


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print one rule's documentation (by code or name, e.g. CJ210 or dead-end)."""
    from .rules import find_rule, suggest

    found = find_rule(rule)
    if found is None:
        hint = suggest(rule)
        raise Failure(f"no rule `{rule}`" + (f"; {hint}" if hint else "") + " (`cjdsl rules` lists them)")
    kind = (
        f"a structure {'error' if found.severity.value == 'error' else found.severity.value} of the language, always on"
        if found.core
        else f"off unless `select` names it; then a {found.severity.value}"
        if found.opt_in
        else f"default severity: {found.severity.value}"
    )
    lines = [f"# {found.code} {found.name}", "", f"{found.summary} ({kind})"]
    if found.options:
        lines += ["", "Options (in cjdsl.toml, under [rules." + found.name + "]):"]
        lines += [f"  {k} = {json.dumps(v)}" for k, v in found.options.items()]
    click.echo("\n".join([*lines, "", found.docs]))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--check", "check_only", is_flag=True, help="Change nothing; exit 1 if any file would be reformatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing; print what would change as a unified diff.")
@COLOR
@click.pass_context
def fmt(ctx: click.Context, paths: tuple[str, ...], check_only: bool, show_diff: bool, color: str) -> None:
    """Format .journey files in place in the one canonical layout.

    Comments are kept; the meaning of every file is unchanged."""
    from .formatter import format_result
    from .parser import parse
    from .sources import decode_source, refused

    given = _existing(paths)
    config = _config(ctx, given)
    files, _ = fs.discover(given, config.root, config.exclude)
    changed = unchanged = failed = 0
    use = _use_color(color, sys.stderr)
    for location in files:
        path = fs.display_path(location, config.root)
        if not location.is_relative_to(config.root):
            # A link that leads out of the project: never read, never rewritten.
            click.echo(f"cjdsl: {path}: not formatted: outside the project root {config.root} (a symbolic link?)", err=True)
            failed += 1
            continue
        got = fs.read_source(location, config.max_file_size)
        if got.problem == "missing":
            continue
        text, problem = (
            (None, refused(path, got, config.max_file_size))
            if got.data is None
            else decode_source(got.data, path, config.max_file_size)
        )
        if text is None:
            assert problem is not None
            click.echo(render_full([problem], color=use), err=True, color=use)
            failed += 1
            continue
        result = parse(text, path)
        formatted = format_result(result)
        if formatted is None:
            errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
            click.echo(render_full(errors, color=use), err=True, color=use)
            failed += 1
            continue
        assert got.data is not None
        original = got.data.decode("utf-8")
        if formatted == original:
            unchanged += 1
            continue
        changed += 1
        if show_diff:
            diff = difflib.unified_diff(
                original.splitlines(keepends=True), formatted.splitlines(keepends=True), f"a/{path}", f"b/{path}"
            )
            click.echo("".join(diff), nl=False)
        elif check_only:
            click.echo(f"Would reformat: {path}")
        else:
            try:
                fs.write_text(location, formatted)
            except OSError as err:
                raise Failure(f"cannot write {path}: {err.strerror or err} (the file is unchanged)") from None
    verb = "would be reformatted" if (check_only or show_diff) else "reformatted"
    parts = [f"{changed} file{'s' if changed != 1 else ''} {verb}", f"{unchanged} left unchanged"]
    if failed:
        parts.append(f"{failed} could not be formatted (see above)")
    if files:
        click.echo(", ".join(parts), err=True)
    else:
        click.echo("cjdsl: warning: no .journey files found", err=True)
    ctx.exit(1 if failed or ((check_only or show_diff) and changed) else 0)


def _backend_names(only: tuple[str, ...]) -> list[str]:
    from .backends import backends

    available = backends()
    if not only:
        return list(available)
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    for name in names:
        if name not in available:
            hint = did_you_mean(name, available)
            raise Failure(f"unknown backend `{name}`" + (f"; {hint}" if hint else "") + f" (backends: {', '.join(available)})")
    return names


@main.command()
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
    from .backends import backends
    from .build import build as build_artifacts
    from .layout import Dot, DotMissing
    from .tracking import LOCK_NAME
    from .tracking.lock import dumps as dump_lock
    from .tracking.lock import update as update_lock
    from .tracking.plan import build_plan

    names = _backend_names(only)
    project = _compile(ctx, paths)
    use = _use_color(color, sys.stderr)
    # Errors in full (they stop the build); warnings one line each.
    _print_diagnostics(project, "full" if not project.ok else "concise", use, err=True)
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


@main.command()
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
    help="Diagrams: journey, overview (stages as nodes), or stage:ID.",
)
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds `dot` may take.")
@COLOR
@click.pass_context
def render(
    ctx: click.Context, target: str, path: str, output: Path | None, persona: str | None, view: str, timeout: float, color: str
) -> None:
    """Print one artifact for the journey in PATH: a backend's output, or a diagram."""
    from .backends import BuildContext, UnknownView, backend_named, backends
    from .layout import FORMATS, Dot, DotMissing, LayoutError

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
    project = _compile(ctx, (path,))
    if not project.ok:  # warnings are `check`'s business; render only stops on errors
        errors = [d for d in project.diagnostics if d.severity is Severity.ERROR]
        click.echo(render_full(errors, color=_use_color(color, sys.stderr)), err=True, nl=False)
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


@main.command("diff")
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
    from .diff import breaking, diff, render_json, render_markdown, render_text, tracking_note
    from .git import GitError
    from .git import checkout as git_checkout
    from .git import parse_spec as parse_git

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
            project = _compile(ctx, (str(path),), within=Path(scratch) / str(n) if spec else None)
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
        use = _use_color(color, sys.stdout)
        click.echo(render_text(edits, color=use), nl=False, color=use)
    failed = (fail_on == "any" and bool(edits)) or (fail_on == "breaking" and bool(breaking(edits)))
    ctx.exit(1 if failed else 0)


@main.group("import")
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
    from .formatter import format_document
    from .mermaid_import import ImportError_, import_journey

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


@main.group()
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
    from .tracking.validate import report_json, validate_lines

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
        from .terminal import safe

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
    from .tracking.plan import build_plan

    if path.suffix == ".json" and not fs.is_dir(path):
        from .tracking.plan import plan_from_json

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
    project = _compile(ctx, (str(path),))
    if not project.ok:
        errors = [d for d in project.diagnostics if d.severity is Severity.ERROR]
        click.echo(render_full(errors), err=True, nl=False)
        ctx.exit(1)
    return build_plan(project.journeys)


def run(argv: Sequence[str] | None = None) -> int:
    """Entry point: never lets a traceback reach the user unless CJDSL_DEBUG is set."""
    try:
        main.main(args=list(argv) if argv is not None else None, prog_name="cjdsl", standalone_mode=True)
    except SystemExit as exit_:
        code = int(exit_.code or 0) if isinstance(exit_.code, int) or exit_.code is None else 2
        if code == 1 and type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):
            # click's answer to a closed pipe (`cjdsl rules | head -1`) is exit 1, which
            # here means errors in the input; a closed pipe is SIGPIPE's 141, as for `seq`.
            return 141
        return code
    except KeyboardInterrupt:
        click.echo("cjdsl: interrupted", err=True)
        return 130
    except Exception as err:
        if os.environ.get("CJDSL_DEBUG"):
            raise
        click.echo(f"cjdsl: internal error: {type(err).__name__}: {err} (set CJDSL_DEBUG=1 for a traceback)", err=True)
        return 2
    return 0


def entry() -> None:
    code = run()
    # Leave without tearing the model down object by object (0.8 s for 10,000
    # touchpoints): every file cjdsl writes is closed by then, so only the standard
    # streams need flushing. As mypy does; CJDSL_DEBUG keeps the normal exit.
    if not os.environ.get("CJDSL_DEBUG"):
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed pipe, as in `cjdsl rules | head -1`
            pass
        os._exit(code)
    sys.exit(code)
