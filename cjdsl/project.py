"""The pipeline, end to end: paths → parsed files → resolved journeys → diagnostics.

``compile_project`` is what ``cjdsl check`` and ``cjdsl build`` run. File access goes
through :mod:`cjdsl.fs`; every stage it calls is a pure function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import fs
from .config import SAFE_MAX_TOTAL_BYTES, Config
from .diagnostics import Diagnostic, has_errors, make, sort_diagnostics
from .parser import ParseResult, parse
from .resolve import SourceFile, resolve
from .resolved import ResolvedJourney
from .rules import run_rules
from .sources import decode_source
from .span import LineIndex
from .structure import check_document
from .tracking import LOCK_NAME

#: Below this many bytes of sources, starting worker processes costs more than it saves.
PARALLEL_BYTES = 512 * 1024


@dataclass
class Project:
    config: Config
    files: dict[str, SourceFile] = field(default_factory=dict)  # by display path
    journeys: list[ResolvedJourney] = field(default_factory=list)  # units with a journey block
    libraries: list[ResolvedJourney] = field(default_factory=list)  # shared files checked alone
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: tracking.lock.json at the project root, when there is one.
    lock: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    def lines(self, path: str) -> LineIndex | None:
        sf = self.files.get(path)
        return sf.result.lines if sf is not None and sf.result is not None else None


def load_source(location: Path, path: str, max_file_size: int) -> tuple[SourceFile, list[Diagnostic]]:
    """Reads, decodes, parses and checks the structure of one file: everything done
    to a file on its own, so files can go through it in parallel."""
    data = fs.read_bytes(location)
    if data is None:
        return SourceFile(location, path, None), []
    text, problem = decode_source(data, path, max_file_size)
    del data  # the bytes are not needed past here: 13 MB less at the peak of a big file
    if text is None:
        return SourceFile(location, path, ParseResult(None, (), (), LineIndex("")), problem), [problem] if problem else []
    result = parse(text, path)
    diagnostics = list(result.diagnostics)
    if result.document is not None:
        diagnostics.extend(check_document(result.document))
    return SourceFile(location, path, result), diagnostics


class _Files:
    """Reads and parses each file once, and checks its structure once."""

    def __init__(self, config: Config, project: Project) -> None:
        self.config = config
        self.project = project
        self.by_location: dict[Path, SourceFile] = {}

    def add(self, location: Path, loaded: tuple[SourceFile, list[Diagnostic]]) -> SourceFile:
        sf, diagnostics = loaded
        self.project.diagnostics.extend(diagnostics)
        self.by_location[location] = sf
        if sf.result is not None:
            self.project.files[sf.path] = sf
        return sf

    def load(self, location: Path) -> SourceFile:
        known = self.by_location.get(location)
        if known is not None:
            return known
        path = fs.display_path(location, self.config.root)
        return self.add(location, load_source(location, path, self.config.max_file_size))


def compile_project(
    paths: Sequence[Path], config: Config, *, jobs: int = 1, progress: Callable[[str], None] | None = None
) -> Project:
    """Reads, parses and resolves every ``.journey`` file under ``paths``: with ``jobs``
    above 1, files are read and parsed in that many processes. ``progress`` hears what
    is being done, for a terminal's status line."""
    project = Project(config)
    files, missing = fs.discover(paths, config.root, config.exclude)
    for given in missing:
        project.diagnostics.append(make("CJ151", f"{given}: no such file or folder", None))
    if config.safe:
        fs.check_inside(files, config.root, SAFE_MAX_TOTAL_BYTES)
    loader = _Files(config, project)
    if jobs > 1 and len(files) > 1 and fs.total_size(files) >= PARALLEL_BYTES:
        from .parallel import load_sources

        for location, loaded in zip(files, load_sources(files, config, jobs, progress), strict=True):
            loader.add(location, loaded)
    elif progress is not None and len(files) > 1:
        for i, location in enumerate(files):
            progress(f"parsing {i + 1}/{len(files)}: {fs.display_path(location, config.root)}")
            loader.load(location)
    sources = [loader.load(f) for f in files]

    # Files that another given file includes are not journeys of their own unless they
    # declare one; every other file is a unit (a journey, or a shared file checked alone).
    included: set[Path] = set()
    units: list[tuple[SourceFile, ResolvedJourney | None]] = []
    for sf in sources:
        journey, diagnostics = resolve(sf, config.root, loader.load)
        project.diagnostics.extend(diagnostics)
        units.append((sf, journey))
        if sf.result is not None and sf.result.document is not None:
            for inc in sf.result.document.includes:
                included.add(_included_location(sf.location, inc.path))
    seen_ids: dict[str, ResolvedJourney] = {}
    for sf, journey in units:
        if journey is None:
            continue
        if journey.journey is not None:
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
            project.journeys.append(journey)
        elif sf.location not in included:
            project.libraries.append(journey)
    lock_path = config.root / LOCK_NAME
    data = None if config.safe and fs.is_link(lock_path) else fs.read_bytes(lock_path)
    if data is not None:
        from .tracking.lock import read as read_lock  # the plan's formats, only when there is a lock

        project.lock = read_lock(data.decode("utf-8", "replace"))
    project.diagnostics.extend(run_rules(project.journeys, config.rules, project.lock))
    project.diagnostics = sort_diagnostics(project.diagnostics)
    return project


def _included_location(including: Path, path: str) -> Path:
    import os

    return Path(os.path.realpath(os.path.normpath(including.parent / path)))
