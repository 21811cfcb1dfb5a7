"""The site `cjdsl serve` keeps up to date: checked, built and written again after each
change, the way `cjdsl build` does it once.

What a rebuild saves: diagrams whose DOT text did not change are not laid out again
(`dot` is the slow part of a build), only the files that changed are written (each
atomically; the first build writes the whole folder atomically, as `cjdsl build`
does), and the pages are told which files changed, so a page reloads only when it or a
file it loaded did. Unlike `cjdsl build`, a rebuild never writes ``tracking.lock.json`` into
the project: event versions are worked out in memory from the lock as it is.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import click

from .. import fs
from ..backends import backends
from ..backends.build import build as build_artifacts
from ..backends.layout import Dot, DotMissing, DotTimeout, Layout, LayoutError
from ..core.diagnostics import Diagnostic, Severity, did_you_mean
from ..project.config import SAFE_DOT_TIMEOUT, SAFE_DOT_TOTAL
from ..tracking.lock import update as update_lock
from ..tracking.plan import build_plan
from .build import translator
from .common import Failure, compile_paths, existing, print_diagnostics, settings
from .live import Problem
from .measured import measurer
from .report import render_full, summary

#: Diagnostics shown on the error page (the terminal has them all).
SHOWN = 50


@dataclass
class Outcome:
    """What a rebuild gave: a site (``ok``, with the paths that changed) or problems."""

    ok: bool
    changed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    seconds: float = 0.0
    files: int = 0


#: How a diagram still being laid out begins: an SVG that says so, and which one it is.
PENDING = b"<?xml version='1.0' encoding='UTF-8'?>\n<!-- cjdsl serve: diagram being laid out "


def _pending_image(key: bytes) -> bytes:
    return PENDING + f"{key.hex()} -->\n{_PLACEHOLDER}".encode()


_PLACEHOLDER = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='360' height='48' viewBox='0 0 360 48'>"
    "<rect width='360' height='48' rx='6' fill='#8882'/>"
    "<text x='16' y='30' font-family='system-ui, sans-serif' font-size='15' fill='#666'>Laying out the diagram…</text>"
    "</svg>\n"
)


class LayoutCache:
    """`dot`'s images by DOT text and format, kept from one build to the next: a rebuild
    lays out only the diagrams that changed. Only what the last build used is kept.

    With ``later`` on, a diagram not laid out yet is not waited for: the build gets an
    SVG that says it is being laid out, and :meth:`lay_out_pending` draws it after the
    pages are shown (the text of a page first, its diagrams a moment later)."""

    def __init__(self) -> None:
        self.kept: dict[tuple[bytes, str], bytes | LayoutError] = {}
        self.used: dict[tuple[bytes, str], bytes | LayoutError] = {}
        self.pending: dict[tuple[bytes, str], str] = {}
        self.dot: Layout | None = None
        self.later = False
        self.laid_out = 0

    def start(self, dot: Layout | None, *, later: bool = False) -> Layout | None:
        """The layout for the next build (None when `dot` is missing)."""
        self.dot = dot
        self.used = {}
        self.pending = {}
        self.later = later
        self.laid_out = 0
        return self if dot is not None else None

    def finish(self) -> None:
        self.kept, self.used = self.used, {}

    def __call__(self, source: str, fmt: str) -> bytes:
        key = (hashlib.blake2b(source.encode("utf-8"), digest_size=20).digest(), fmt)
        got = self.kept.get(key)
        if got is None and self.later and fmt == "svg":
            self.pending[key] = source
            return _pending_image(key[0])
        if got is None:
            got = self._lay_out(source, fmt)
        self.used[key] = got
        if isinstance(got, LayoutError):
            raise got
        return got

    def _lay_out(self, source: str, fmt: str) -> bytes | LayoutError:
        assert self.dot is not None
        try:
            got = self.dot(source, fmt)
            self.laid_out += 1
            return got
        except DotTimeout as err:  # as slow next time: remembered
            return err
        except LayoutError:
            raise  # perhaps not next time (the --safe budget): tried again

    def lay_out_pending(self, jobs: int) -> bool:
        """Lays out the diagrams the last build did not wait for, ``jobs`` at a time;
        whether every one of them was drawn."""
        items = list(self.pending.items())
        self.pending = {}

        def one(item: tuple[tuple[bytes, str], str]) -> bool:
            key, source = item
            try:
                got = self._lay_out(source, key[1])
            except LayoutError:
                return False
            self.kept[key] = got
            return not isinstance(got, LayoutError)

        if jobs <= 1 or len(items) <= 1:
            drawn = [one(item) for item in items]  # every one, not up to the first that fails
            return all(drawn)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return all(list(pool.map(one, items)))

    def image(self, content: bytes) -> bytes | None:
        """The image laid out since, for a file holding a pending diagram's placeholder."""
        if not content.startswith(PENDING):
            return None
        key = bytes.fromhex(content[len(PENDING) : len(PENDING) + 40].decode("ascii"))
        got = self.kept.get((key, "svg"))
        return got if isinstance(got, bytes) else None


def problems_of(diagnostics: Sequence[Diagnostic]) -> list[Problem]:
    """The errors as the error page shows them: each in full, as `cjdsl check` prints it."""
    out = []
    for d in [d for d in diagnostics if d.severity is Severity.ERROR][:SHOWN]:
        full = render_full([d]).split("\n", 1)[1]  # all but the first line, which is the heading
        out.append(Problem(f"{d.severity.value}[{d.code}]: {d.message}", str(d.span) if d.span else "", full.rstrip("\n")))
    return out


def backend_names(only: Sequence[str]) -> list[str]:
    """The backends ``--only`` names (comma-separated or repeated); all when none."""
    available = backends()
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    for name in names:
        if name not in available:
            hint = did_you_mean(name, available)
            raise Failure(f"unknown backend `{name}`" + (f"; {hint}" if hint else "") + f" (backends: {', '.join(available)})")
    return names or list(available)


class Rebuilder:
    """Checks and builds the journeys in ``paths`` into ``out``, again and again.

    :meth:`run` makes a new site; when it left diagrams to be laid out, :meth:`finish`
    draws them and writes them in (or, when one cannot be drawn, builds again the way
    `cjdsl build` would have, with its fallback)."""

    def __init__(self, ctx: click.Context, paths: Sequence[str], out: Path, names: Sequence[str] = ()) -> None:
        self.ctx = ctx
        self.paths = tuple(paths)
        self.out = out
        self.layouts = LayoutCache()
        self.digests: dict[str, bytes] | None = None  # the files written last, by path
        self.files: dict[str, bytes] = {}  # the diagrams still being laid out, by path
        self.notes: set[str] = set()
        self.names = list(names) or list(backends())

    def run(self) -> Outcome:
        """A new site; the first one complete, later ones perhaps with diagrams to come."""
        began = time.perf_counter()
        outcome = self._run(later=self.digests is not None)
        outcome.seconds = time.perf_counter() - began
        return outcome

    def finish(self) -> Outcome | None:
        """The diagrams the last :meth:`run` left to lay out, drawn and written in (None:
        there were none)."""
        if not self.layouts.pending:
            return None
        began = time.perf_counter()
        if not self.layouts.lay_out_pending(self.ctx.obj.get("jobs", 1)):
            outcome = self._run(later=False)  # the build's own answer to a diagram `dot` cannot draw
        else:
            images = {p: self.layouts.image(c) for p, c in self.files.items()}
            outcome = self._write({p: c for p, c in images.items() if c is not None})
        outcome.seconds = time.perf_counter() - began
        return outcome

    def _run(self, *, later: bool) -> Outcome:
        ctx = self.ctx
        self.layouts.pending = {}
        try:
            config = settings(ctx, existing(self.paths))
            # `[measure] events`: the preview shows the measured map as `cjdsl build` does.
            project = compile_paths(ctx, self.paths, config, measure=measurer(config, ()))
        except click.ClickException as err:
            err.show()
            return Outcome(False, problems=[Problem(err.format_message())], count=1)
        print_diagnostics(project, "full" if not project.ok else "concise", False, err=True)
        click.echo(summary(project.results, len(project.files)), err=True)
        if not project.ok:
            errors = [d for d in project.diagnostics if d.severity is Severity.ERROR]
            return Outcome(False, problems=problems_of(errors), count=len(errors))
        if not project.journeys:
            why = "no journeys found (a journey is a .journey file with a `journey` block)"
            click.echo(f"cjdsl: {why}", err=True)
            return Outcome(False, problems=[Problem(why)], count=1)
        try:
            dot: Layout | None = Dot.find(SAFE_DOT_TIMEOUT, SAFE_DOT_TOTAL) if ctx.obj.get("safe") else Dot.find()
        except DotMissing:
            dot = None
        try:
            language = translator(project.config, None)  # `[site] locale`, as `cjdsl build` reads it
        except click.ClickException as err:
            err.show()
            return Outcome(False, problems=[Problem(err.format_message())], count=1)
        layout = self.layouts.start(dot, later=later)
        _, versions, _ = update_lock(project.lock, build_plan(project.journeys))
        try:
            result = build_artifacts(project, self.names, layout, None, versions, jobs=ctx.obj.get("jobs", 1), i18n=language)
        except Exception as err:  # a bug must not stop the preview: shown, and the last good site kept
            self.layouts.pending = {}
            why = f"internal error while building: {type(err).__name__}: {err}"
            click.echo(f"cjdsl: {why}", err=True)
            return Outcome(False, problems=[Problem(why)], count=1)
        self.layouts.finish()
        for note in result.notes:
            if note not in self.notes:
                click.echo(f"cjdsl: warning: {note}", err=True)
        self.notes = set(result.notes)
        self.files = {p: c for p, c in result.files.items() if c.startswith(PENDING)} if self.layouts.pending else {}
        outcome = self._write(result.files, whole=True)
        if not outcome.ok:
            self.layouts.pending = {}
        return outcome

    def _write(self, files: Mapping[str, bytes], *, whole: bool = False) -> Outcome:
        """Writes what changed of ``files`` (all of the site with ``whole``, else some of
        its files); the outcome says which paths changed."""
        old = self.digests or {}
        digests = {path: hashlib.blake2b(content, digest_size=20).digest() for path, content in files.items()}
        if whole:
            changed = sorted(p for p in digests.keys() | old.keys() if digests.get(p) != old.get(p))
            everything = digests
        else:
            changed = sorted(p for p in digests if digests[p] != old.get(p))
            everything = {**old, **digests}
        if changed or self.digests is None:
            try:
                if self.digests is None:  # the first build: the whole folder, atomically
                    fs.write_tree(self.out, sorted(files.items()))
                else:  # then only what changed, each file atomically
                    fs.update_tree(self.out, {p: files.get(p) for p in changed}, sorted(everything))
            except (fs.OutputError, OSError) as err:
                self.digests = None  # written whole next time
                why = str(err) if isinstance(err, fs.OutputError) else f"cannot write {self.out}: {err.strerror or err}"
                click.echo(f"cjdsl: error: {why}", err=True)
                return Outcome(False, problems=[Problem(why)], count=1)
            self.digests = everything
        return Outcome(True, changed=changed, files=len(everything))
