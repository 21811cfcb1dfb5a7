"""The pipeline, end to end: paths → parsed files → resolved journeys → diagnostics.

``compile_project`` is what every command runs (``check``, ``build``, ``events
validate``, ``diff``) and what :func:`cjdsl.check` returns, so the same files give
the same answer whichever command reads them. File access goes through
:mod:`cjdsl.fs`; every stage it calls is a pure function.

A folder is a project, the way a TypeScript project or a Structurizr workspace is:

* a file that declares a ``journey`` is a unit, resolved with everything it includes;
* a file that some journey includes (directly or through other includes) is checked as
  part of every journey that includes it, never on its own; a finding in it is
  reported once per place, however many journeys include it;
* a file that declares no journey and that no journey includes gets one finding of
  its own (CJ155): it is probably a forgotten include.

When a file that declares no journey is named on the command line and none of the
files given includes it, the journeys of the whole project root are read to find the
ones that do; their findings in the named file are reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from .. import fs
from ..core import model as m
from ..core.diagnostics import Diagnostic, has_errors, make, sort_diagnostics
from ..core.resolved import ResolvedJourney
from ..core.span import LineIndex, Span
from ..rules import run_rules
from ..tracking import LOCK_NAME
from .config import SAFE_MAX_TOTAL_BYTES, Config
from .resolve import SourceFile, resolve
from .sources import load_source

#: Below this many bytes of sources, starting worker processes costs more than it saves.
PARALLEL_BYTES = 512 * 1024

#: What reads, decodes, parses and checks one source: (location, display path, size
#: limit) → the file and its own diagnostics. :func:`sources.load_source` by default; an
#: editor passes its own, which sees its unsaved text and reuses what it parsed before.
Load = Callable[[Path, str, int], tuple[SourceFile, list[Diagnostic]]]
#: What reads the tracking lock (a path and a size limit): its content, or None when
#: there is none. :func:`read_lock` by default; the language server keeps what it read.
ReadLock = Callable[[Path, int], dict[str, Any] | None]
#: What measures the journeys against events (``cjdsl.measure``, given by the commands
#: that take ``--events``): the journeys → the report the CJ4xx rules and the site read.
Measure = Callable[[Sequence[ResolvedJourney]], Mapping[str, Any]]


@dataclass
class Project:
    config: Config
    files: dict[str, SourceFile] = field(default_factory=dict)  # by display path
    journeys: list[ResolvedJourney] = field(default_factory=list)  # units with a journey block
    #: Kept for the API: always empty now (a file that is not part of a journey gets CJ155).
    libraries: list[ResolvedJourney] = field(default_factory=list)
    #: The findings that count: errors and warnings not silenced by an `allow`.
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Findings silenced by an `allow`, each with its :class:`~cjdsl.core.diagnostics.Suppression`.
    suppressed: list[Diagnostic] = field(default_factory=list)
    #: tracking.lock.json at the project root, when there is one.
    lock: dict[str, Any] | None = None
    #: What the events said of the journeys (the report of ``cjdsl measure``), when the
    #: run was given events.
    measured: Mapping[str, Any] | None = None
    #: For each file that journeys include: the display paths of those journeys' files.
    included_by: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def results(self) -> list[Diagnostic]:
        """Every finding, the suppressed ones included, in report order."""
        return sort_diagnostics([*self.diagnostics, *self.suppressed])

    def lines(self, path: str) -> LineIndex | None:
        sf = self.files.get(path)
        return sf.result.lines if sf is not None and sf.result is not None else None


class _Files:
    """Reads and parses each file once, and checks its structure once."""

    def __init__(self, config: Config, project: Project, load: Load = load_source) -> None:
        self.config = config
        self.project = project
        self.read_source = load
        self.by_location: dict[Path, SourceFile] = {}
        #: Bytes read so far, against the --safe limit for all sources of one run.
        self.total = 0
        #: What reading and parsing each file found; reported for the files in scope.
        self.problems: dict[Path, list[Diagnostic]] = {}

    def add(self, location: Path, loaded: tuple[SourceFile, list[Diagnostic]]) -> SourceFile:
        sf, diagnostics = loaded
        if self.config.safe:
            self.total += fs.total_size([location])
        self.problems[location] = diagnostics
        self.by_location[location] = sf
        return sf

    def load(self, location: Path) -> SourceFile:
        known = self.by_location.get(location)
        if known is not None:
            return known
        if self.config.safe:
            # Every file counts, the included ones too, and each is checked before it is read.
            fs.check_inside([location], self.config.root, SAFE_MAX_TOTAL_BYTES)
            if self.total + fs.total_size([location]) > SAFE_MAX_TOTAL_BYTES:
                raise fs.UnsafeSource(
                    f"the sources hold more than the {SAFE_MAX_TOTAL_BYTES // 2**20} MB --safe allows (counting included files)"
                )
        path = fs.display_path(location, self.config.root)
        return self.add(location, self.read_source(location, path, self.config.max_file_size))


def _document(sf: SourceFile) -> m.Document | None:
    return sf.result.document if sf.result is not None else None


def _declares_journey(sf: SourceFile) -> bool:
    doc = _document(sf)
    return doc is not None and bool(doc.journeys)


def _journey_id(sf: SourceFile) -> str | None:
    doc = _document(sf)
    return doc.journeys[0].id if doc is not None and doc.journeys else None


def _named_journeys(sf: SourceFile, graph: _Graph, loader: _Files) -> set[str]:
    """The ids of the journeys a journey's files name: `variant_of`, `part_of`, `detail`."""
    named: set[str] = set()
    for location in graph.reach(sf.location):
        doc = _document(loader.load(location))
        if doc is None:
            continue
        for item in doc.items:
            if isinstance(item, m.Journey):
                named |= {r.id for r in (item.variant_of, item.part_of) if r is not None}
            elif isinstance(item, m.Stage):
                named |= {tp.detail.id for tp in item.touchpoints if tp.detail is not None}
    return named


def _related(
    units: list[SourceFile], context: list[SourceFile], graph: _Graph, loader: _Files, files: list[Path], config: Config
) -> list[SourceFile]:
    """The journey files of the project root that the journeys of this run name, and
    those they name in turn, that the run has not read."""
    have = {_journey_id(sf) for sf in [*units, *context]}
    wanted = set().union(*(_named_journeys(sf, graph, loader) for sf in [*units, *context])) - have
    if not wanted:
        return []
    known = set(files) | {sf.location for sf in context}
    others, _ = fs.discover([config.root], config.root, config.exclude)
    others = [f for f in others if f not in known]
    if config.safe:
        fs.check_inside(others, config.root, SAFE_MAX_TOTAL_BYTES - fs.total_size(files))
    by_id: dict[str, SourceFile] = {}
    for location in others:
        sf = loader.load(location)
        journey = _journey_id(sf)
        if journey is not None:
            by_id.setdefault(journey, sf)
    found: list[SourceFile] = []
    while wanted:
        new = [by_id[j] for j in sorted(wanted) if j in by_id and by_id[j] not in found]
        if not new:
            break
        graph.add(new)
        found += new
        have |= {_journey_id(sf) for sf in new}
        wanted = set().union(*(_named_journeys(sf, graph, loader) for sf in new)) - have
    return found


class _Graph:
    """The include graph of the files loaded so far: who includes whom (by resolved
    location), grown by loading every file an include names, inside the root only."""

    def __init__(self, loader: _Files, root: Path) -> None:
        self.loader = loader
        self.root = fs.real(root)
        self.edges: dict[Path, list[Path]] = {}
        self.reached: dict[Path, frozenset[Path]] = {}

    def add(self, sources: Iterable[SourceFile]) -> None:
        self.reached.clear()
        todo = list(sources)
        while todo:
            sf = todo.pop()
            if sf.location in self.edges:
                continue
            targets: list[Path] = []
            self.edges[sf.location] = targets
            doc = _document(sf)
            for inc in doc.includes if doc is not None else ():
                if "\x00" in inc.path or os.path.isabs(inc.path):
                    continue
                real = fs.real(os.path.normpath(sf.location.parent / inc.path))
                if not real.is_relative_to(self.root):
                    continue  # resolution reports it (CJ152); never read outside the root
                targets.append(real)
                if real not in self.edges:
                    todo.append(self.loader.load(real))

    def reach(self, start: Path) -> set[Path]:
        """``start`` and every file it includes, directly or not (kept until the graph
        grows, so help for many unknown references walks it once per journey)."""
        known = self.reached.get(start)
        if known is not None:
            return set(known)
        seen = {start}
        todo = [start]
        while todo:
            for target in self.edges.get(todo.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        self.reached[start] = frozenset(seen)
        return seen

    def reached_from(self, start: Path) -> frozenset[Path]:
        """What :meth:`reach` gives, without a copy."""
        self.reach(start)
        return self.reached[start]

    def includers(self) -> set[Path]:
        """Every file that some loaded file includes."""
        return {t for targets in self.edges.values() for t in targets}


def compile_project(
    paths: Sequence[Path],
    config: Config,
    *,
    jobs: int = 1,
    progress: Callable[[str], None] | None = None,
    load: Load = load_source,
    lock: ReadLock | None = None,
    measure: Measure | None = None,
) -> Project:
    """Reads, parses and resolves every ``.journey`` file under ``paths``: with ``jobs``
    above 1, files are read and parsed in that many processes. ``progress`` hears what
    is being done, for a terminal's status line. ``load`` reads each source and ``lock``
    the tracking lock (the language server passes its own: open documents' text, parsed
    files reused, nothing read from outside the root)."""
    project = Project(config)
    files, missing = fs.discover(paths, config.root, config.exclude)
    for given in missing:
        project.diagnostics.append(make("CJ151", f"{given}: no such file or folder", None))
    if config.safe:
        fs.check_inside(files, config.root, SAFE_MAX_TOTAL_BYTES)
    loader = _Files(config, project, load)
    if jobs > 1 and load is load_source and len(files) > 1 and fs.total_size(files) >= PARALLEL_BYTES:
        from .parallel import load_sources

        for location, loaded in zip(files, load_sources(files, config, jobs, progress), strict=True):
            loader.add(location, loaded)
    elif progress is not None and len(files) > 1:
        for i, location in enumerate(files):
            progress(f"parsing {i + 1}/{len(files)}: {fs.display_path(location, config.root)}")
            loader.load(location)
    sources = [loader.load(f) for f in files]
    graph = _Graph(loader, config.root)
    graph.add(sources)

    # Files named (or found) that declare no journey: parts of the journeys that include
    # them. When none of the journeys given includes one, look for its journeys in the
    # whole project root.
    units = [sf for sf in sources if _declares_journey(sf)]
    covered: set[Path] = set()
    for sf in units:
        covered |= graph.reach(sf.location)
    loose = [sf for sf in sources if not _declares_journey(sf) and sf.location not in covered and sf.result is not None]
    context: list[SourceFile] = []
    if loose:
        known = set(files)
        others, _ = fs.discover([config.root], config.root, config.exclude)
        others = [f for f in others if f not in known]
        if config.safe:
            fs.check_inside(others, config.root, SAFE_MAX_TOTAL_BYTES - fs.total_size(files))
        candidates = [loader.load(f) for f in others]
        graph.add(candidates)
        wanted = {sf.location for sf in loose}
        for sf in candidates:
            if _declares_journey(sf) and graph.reach(sf.location) & wanted:
                context.append(sf)
                covered |= graph.reach(sf.location)

    # Journeys that the journeys of this run name (`variant_of`, `part_of`, a touchpoint's
    # `detail`) and that it did not read: read them too, as context, so a journey checked
    # on its own is compared with its as-is version and its levels are known.
    context += _related(units, context, graph, loader, files, config)

    journeys_of: dict[Path, list[SourceFile]] = {}
    for sf in [*units, *context]:
        for part in graph.reach(sf.location):
            journeys_of.setdefault(part, []).append(sf)
    index = _Declarations(loader, graph, journeys_of)

    resolved: list[tuple[SourceFile, ResolvedJourney | None, list[Diagnostic]]] = []
    for sf in [*units, *context]:
        journey, diagnostics = resolve(sf, config.root, loader.load, index.hint, real=fs.real, files_in=fs.files_in)
        resolved.append((sf, journey, diagnostics))

    # Orphans: files no journey reaches. Each group of them is reported once, at its top
    # (a file no other file includes; in a cycle of includes, the first by path), with
    # the problems of its includes, which need no journey to be found.
    orphans = sorted(
        (sf for sf in sources if sf.location not in covered and not _declares_journey(sf) and _document(sf) is not None),
        key=lambda sf: sf.path,
    )
    includers = graph.includers()
    tops = [sf for sf in orphans if sf.location not in includers]
    reached: set[Path] = set()
    for sf in tops:
        reached |= graph.reach(sf.location)
    for sf in orphans:
        if sf.location not in reached:
            tops.append(sf)
            reached |= graph.reach(sf.location)
    # Each file's own problems (syntax, values), for the files this run is about: the
    # ones given, and what their journeys and orphans include. A journey read only to
    # find who includes a given file shows its problems in that file alone.
    scope = set(files) | reached
    for sf in units:
        scope |= graph.reach(sf.location)
    for location, problems in loader.problems.items():
        if location in scope:
            project.diagnostics.extend(problems)
    project.files = {sf.path: sf for location, sf in loader.by_location.items() if sf.result is not None and location in scope}
    for sf in sorted(tops, key=lambda sf: sf.path):
        project.diagnostics.append(_orphan(sf, config))
        _, diagnostics = resolve(sf, config.root, loader.load, real=fs.real, files_in=fs.files_in)
        project.diagnostics.extend(d for d in diagnostics if d.code.startswith("CJ15"))

    seen_ids: dict[str, ResolvedJourney] = {}
    own: list[ResolvedJourney] = []
    extra: list[ResolvedJourney] = []
    wanted_paths = {sf.path for sf in loose}
    for sf, journey, diagnostics in resolved:
        is_context = sf in context
        if is_context:
            project.diagnostics.extend(d for d in diagnostics if d.span is not None and d.span.path in wanted_paths)
        else:
            project.diagnostics.extend(diagnostics)
        if journey is None or journey.journey is None:
            continue
        if is_context:
            extra.append(journey)
            continue
        first = seen_ids.get(journey.id)
        if first is not None and first.journey is not None:
            project.diagnostics.append(
                make(
                    "CJ102",
                    f"duplicate journey `{journey.id}` (also in {first.path})",
                    journey.journey.spans.get("id", journey.journey.span),
                    help="journey ids name the output files; give each journey its own id",
                )
            )
            continue
        seen_ids[journey.id] = journey
        own.append(journey)
    project.journeys = own
    project.diagnostics.extend(event_id_collisions(own))
    project.included_by = {
        sf.path: tuple(sorted({u.path for u in users}))
        for location, users in journeys_of.items()
        if (sf := loader.load(location)).result is not None and any(u.location != location for u in users)
    }

    lock_path = config.root / LOCK_NAME
    lock_limit = config.max_file_size if config.safe else 64 * 1024 * 1024
    project.lock = None if config.safe and fs.is_link(lock_path) else (lock or read_lock)(lock_path, lock_limit)
    if measure is not None and own and not has_errors(project.diagnostics):
        project.measured = measure(own)
    active, suppressed = run_rules([*own, *extra], config.rules, project.lock, project.measured)
    if extra:
        own_files = {f for j in own for f in j.files}
        keep = own_files | wanted_paths
        active = [d for d in active if d.span is None or d.span.path in keep]
        suppressed = [d for d in suppressed if d.span is None or d.span.path in keep]
    project.diagnostics.extend(active)
    project.diagnostics = once_per_place(project.diagnostics)
    project.suppressed = once_per_place(suppressed)
    return project


def read_lock(path: Path, limit: int) -> dict[str, Any] | None:
    """The tracking lock at ``path``, checked (:class:`~cjdsl.tracking.LockError`), or None."""
    data = fs.read_bytes(path, limit)
    if data is None:
        return None
    from ..tracking.lock import read  # the plan's formats, only when there is a lock

    return read(data.decode("utf-8", "replace"))


def event_id_collisions(journeys: Sequence[ResolvedJourney]) -> list[Diagnostic]:
    """CJ108: two different event names that the tracking plan would give one id."""
    from ..core.diagnostics import Related
    from ..tracking.plan import event_id

    first: dict[str, m.Event] = {}
    out: list[Diagnostic] = []
    for j in journeys:
        for tp in j.touchpoints:
            for event in tp.events:
                key = event_id(event.name)
                seen = first.setdefault(key, event)
                if seen.name != event.name:
                    out.append(
                        make(
                            "CJ108",
                            f'events "{event.name}" and "{seen.name}" both become `{key}` in the tracking plan',
                            event.spans.get("id", event.span),
                            help="use one spelling of the name everywhere, or names that stay apart",
                            related=[Related(seen.spans.get("id", seen.span), f'"{seen.name}" declared here')],
                        )
                    )
    return out


def once_per_place(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted, each finding once per place: a file that several journeys include is
    checked in each of them, and what is found in it is reported once (the first
    journey's words are kept)."""
    first: dict[tuple[str, str, str, Span | None, int, int], Diagnostic] = {}
    for d in diagnostics:
        key = (d.code, d.severity.value, d.message, d.span, d.span.start if d.span else -1, d.span.end if d.span else -1)
        first.setdefault(key, d)
    return sort_diagnostics(first.values())


def _orphan(sf: SourceFile, config: Config) -> Diagnostic:
    where = "the project root" if config.file is not None else "the folder of the files given (no cjdsl.toml was found)"
    return make(
        "CJ155",
        f"`{sf.path}` declares no journey and no journey includes it, so nothing in it is checked against a journey",
        Span(sf.path, 0, 0, sf.result.lines) if sf.result is not None else Span(sf.path),
        help=f'include it from the journey it belongs to (`include "{sf.path}"`, relative to that file), '
        f"or list it in `exclude` in cjdsl.toml; journeys were looked for in {where}",
    )


class _Declarations:
    """Where each id is declared in the project, to say so when a journey cannot see it."""

    KINDS: ClassVar[dict[type, str]] = {
        m.Persona: "persona",
        m.Intent: "intent",
        m.Channel: "channel",
        m.Team: "team",
        m.Actor: "actor",
        m.System: "system",
        m.Metric: "metric",
        m.Stage: "stage",
        m.Opportunity: "opportunity",
    }

    def __init__(self, loader: _Files, graph: _Graph, journeys_of: dict[Path, list[SourceFile]]) -> None:
        self.graph = graph
        self.loader = loader
        self.journeys_of = journeys_of
        self.where: dict[tuple[str, str], list[SourceFile]] = {}
        self.by_path: dict[str, SourceFile] = {}
        for location in sorted(graph.edges):
            sf = loader.load(location)
            self.by_path[sf.path] = sf
            doc = _document(sf)
            for item in doc.items if doc is not None else ():
                for kind, id_ in _declared(item):
                    self.where.setdefault((kind, id_), []).append(sf)

    def hint(self, kinds: Sequence[str], id_: str, path: str) -> str | None:
        """Help for an unknown reference to ``id_`` (one of ``kinds``) written in ``path``."""
        sf = self.by_path.get(path)
        if sf is None:
            return None
        users = sorted({u.path: u for u in self.journeys_of.get(sf.location, [])}.items())
        parts: list[str] = []
        declared = sorted({d.path: d for k in kinds for d in self.where.get((k, id_), [])}.items())
        for decl_path, decl in declared[:3]:
            lacking = [u for _, u in users if decl.location not in self.graph.reached_from(u.location)]
            if lacking:
                names = ", ".join(f"`{u.path}`" for u in lacking[:4]) + (", ..." if len(lacking) > 4 else "")
                parts.append(f"`{id_}` is declared in `{decl_path}`, which {names} does not include")
            else:
                parts.append(f"`{id_}` is declared in `{decl_path}`")
        if users and any(u.location != sf.location for _, u in users):
            names = ", ".join(f"`{p}`" for p, _ in users[:4]) + (", ..." if len(users) > 4 else "")
            parts.append(f"`{path}` is part of {names}")
        return "; ".join(parts) or None


def _declared(item: m.Item) -> Iterable[tuple[str, str]]:
    kind = _Declarations.KINDS.get(type(item))
    if kind is not None:
        yield kind, item.id  # type: ignore[union-attr]
    if isinstance(item, m.Stage):
        for tp in item.touchpoints:
            yield "touchpoint", tp.id
            for pain in tp.pains:
                for o in pain.opportunities:
                    yield "opportunity", o.id
        for pain in item.pains:
            for o in pain.opportunities:
                yield "opportunity", o.id
    elif isinstance(item, m.Pain):
        for o in item.opportunities:
            yield "opportunity", o.id
