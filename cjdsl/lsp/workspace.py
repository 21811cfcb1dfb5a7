"""The server's view of the files: which project each document belongs to, its
settings, every source parsed once per version (an open document's text instead of
the disk's), the diagnostics `cjdsl check` gives for a document, and the index of
declarations and references of a whole project.

Everything here runs in the server's one analysis thread; what it hands out
(diagnostics, :class:`~cjdsl.lsp.symbols.Index`) is never changed afterwards, so the
event loop may read it while the next analysis runs. Files are read through
:mod:`cjdsl.fs` only, and never outside the project root: a link that leads out of it
is reported, not followed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import fs
from ..core import model as m
from ..core.diagnostics import Diagnostic, make
from ..core.span import LineIndex, Span
from ..language.parser import ParseResult
from ..project.config import Config, ConfigError, load_config
from ..project.graph import Project, compile_project, read_lock
from ..project.resolve import SourceFile
from ..project.sources import load_source
from ..rules import RuleSettings
from ..tracking import LockError
from .symbols import FileSymbols, Index, read_file

Loaded = tuple[SourceFile, list[Diagnostic]]
#: The settings files looked for from a document's folder up to its workspace folder.
SETTINGS_FILES = ("cjdsl.toml", "pyproject.toml")
#: Parsed files whose symbols are kept (far more than a project has).
MAX_KEPT = 20_000


class Sources:
    """Reads and parses the files of one project root, each once per version: an open
    document's text, or the file on disk while its modification time, size and inode
    stay the same. Keeps each file's last version that parsed, so navigation and
    completion still know a file while it is being edited into shape."""

    def __init__(self, root: Path) -> None:
        self.root = fs.real(root)
        #: Open documents' text by real location, replaced before each analysis.
        self.overlays: Mapping[Path, str] = {}
        self._cache: dict[tuple[Path, str, int, bool], tuple[object, Loaded]] = {}
        self._good: dict[tuple[Path, str], Loaded] = {}
        self._lock: tuple[object, dict[str, Any] | LockError | None] | None = None
        #: How many files were asked for, and how many of them had to be parsed.
        self.loads = 0
        self.parses = 0

    def load(self, location: Path, path: str, max_size: int, *, disk: bool = False) -> Loaded:
        """The file as the editor has it (``disk``: as saved)."""
        self.loads += 1
        if not location.is_relative_to(self.root):
            return _outside(location, path, self.root)
        text = None if disk else self.overlays.get(location)
        stamp: object = ("text", text) if text is not None else ("disk", fs.stamp(location))
        key = (location, path, max_size, text is not None)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == stamp:
            loaded = cached[1]
        else:
            got = None
            if text is not None:
                data = text.encode("utf-8", "surrogatepass")
                got = fs.Read(data, len(data))
            loaded = load_source(location, path, max_size, got)
            self.parses += 1
            self._cache[key] = (stamp, loaded)
        result = loaded[0].result
        if result is not None and result.document is not None:
            self._good[(location, path)] = loaded
        return loaded

    def load_good(self, location: Path, path: str, max_size: int) -> Loaded:
        """As :meth:`load`, but a file that does not parse now gives its last version that
        did (or, for a document opened broken, the saved file when that parses)."""
        loaded = self.load(location, path, max_size)
        result = loaded[0].result
        if result is None or result.document is not None:
            return loaded
        good = self._good.get((location, path))
        if good is None and location in self.overlays:
            saved = self.load(location, path, max_size, disk=True)
            if saved[0].result is not None and saved[0].result.document is not None:
                return saved
        return good or loaded

    def read_lock(self, path: Path, limit: int) -> dict[str, Any] | None:
        """The tracking lock, unless it is a link that leads out of the root; read and
        checked again only when the file changes."""
        real = fs.real(path)
        stamp = fs.stamp(real) if real.is_relative_to(self.root) else None
        if stamp is None:
            return None
        key = (real, stamp, limit)
        if self._lock is None or self._lock[0] != key:
            try:
                self._lock = (key, read_lock(real, limit))
            except LockError as err:
                self._lock = (key, err)
        found = self._lock[1]
        if isinstance(found, LockError):
            raise found
        return found


def _outside(location: Path, path: str, root: Path) -> Loaded:
    refusal = make(
        "CJ006",
        "a link to a file outside the project root: it was not read",
        Span(path),
        help=f"the language server reads only files inside {root.as_posix()}; "
        "copy the file into the project, or open the folder that holds both as the workspace",
    )
    return SourceFile(location, path, ParseResult(None, (), (), LineIndex("")), refusal), [refusal]


@dataclass(frozen=True)
class Checked:
    """A document's diagnostics, as `cjdsl check` gives them for the file."""

    root: Path
    path: str  # the document's display path
    diagnostics: tuple[Diagnostic, ...]
    #: Silenced by an `allow` (shown on hover over the `allow`).
    suppressed: tuple[Diagnostic, ...] = ()
    #: A problem with the settings or the lock that stopped the check, in words.
    failure: str | None = None
    #: How many files the check read, and how many of them had to be parsed again.
    files: int = 0
    parsed: int = 0


class Workspace:
    """The workspace folders, and per project root its parsed sources and index."""

    def __init__(self, folders: Sequence[Path] = (), settings_file: Path | None = None) -> None:
        self.folders = [Path(os.path.abspath(f)) for f in folders]
        self.settings_file = settings_file
        self.sources: dict[Path, Sources] = {}
        self.indexes: dict[Path, tuple[int, Index]] = {}
        self._symbols: dict[int, tuple[m.Document, FileSymbols]] = {}
        #: Bumped by the server on every change of text or files; an index built at an
        #: older generation is stale.
        self.generation = 0

    # -- where a document belongs ---------------------------------------------------
    def folder_of(self, path: Path) -> Path:
        """The workspace folder that holds ``path`` (the deepest), or its own folder."""
        written = Path(os.path.abspath(path))
        real = fs.real(written)
        holders = [f for f in self.folders if written.is_relative_to(f) or real.is_relative_to(fs.real(f))]
        return max(holders, key=lambda f: len(f.parts)) if holders else written.parent

    def config_for(self, path: Path) -> Config:
        """The settings `cjdsl check` would use for the document, found from its folder up
        to its workspace folder. Without a cjdsl.toml the workspace folder is the project
        root, as for `cjdsl check .` run there. Raises :class:`ConfigError`."""
        folder = self.folder_of(path)
        if self.settings_file is not None:
            return load_config([path], self.settings_file)
        boundary = fs.real(folder)
        written = Path(os.path.abspath(path))
        for candidate in [written.parent, *written.parent.parents]:
            if not candidate.is_relative_to(folder):
                break
            for name in SETTINGS_FILES:
                file = candidate / name
                if fs.lexists(file) and not fs.real(file).is_relative_to(boundary):
                    raise ConfigError(f"{file}: a link to a settings file outside the workspace: not read")
        config = load_config([written], stop=folder)
        if config.file is None:
            config = load_config([folder], stop=folder)
        return config

    def sources_for(self, root: Path) -> Sources:
        found = self.sources.get(root)
        if found is None:
            found = self.sources[root] = Sources(root)
        return found

    # -- diagnostics ----------------------------------------------------------------
    def check(self, path: Path, overlays: Mapping[Path, str]) -> Checked:
        """The diagnostics of one document: `cjdsl check PATH`, restricted to the file."""
        try:
            config = self.config_for(path)
        except ConfigError as err:
            return Checked(Path(os.path.abspath(path)).parent, "", (), failure=str(err))
        except OSError as err:
            return Checked(Path(os.path.abspath(path)).parent, "", (), failure=f"{err.filename or path}: {err.strerror}")
        sources = self.sources_for(config.root)
        sources.overlays = overlays
        location = fs.real(path)
        display = fs.display_path(location, config.root)
        if not location.is_relative_to(sources.root):
            _, found = _outside(location, display, sources.root)
            return Checked(config.root, display, tuple(found))
        if not fs.exists(location):
            # A document not saved yet: its own syntax and values, no journey around it.
            _, found = sources.load(location, display, config.max_file_size)
            return Checked(config.root, display, tuple(found))
        before, asked = sources.parses, sources.loads
        try:
            project = compile_project([location], config, load=sources.load, lock=sources.read_lock)
        except LockError as err:
            return Checked(config.root, display, (), failure=str(err))
        except OSError as err:  # a folder that cannot be listed, a file that cannot be opened
            return Checked(config.root, display, (), failure=f"{err.filename or ''}: {err.strerror}")
        return Checked(
            config.root,
            display,
            tuple(d for d in project.diagnostics if d.span is None or d.span.path == display),
            tuple(d for d in project.suppressed if d.span is not None and d.span.path == display),
            files=sources.loads - asked,
            parsed=sources.parses - before,
        )

    # -- the index ------------------------------------------------------------------
    def last_index(self, root: Path) -> Index | None:
        """The project's index as last built (maybe older than the text)."""
        found = self.indexes.get(root)
        return found[1] if found is not None else None

    def index(self, path: Path, overlays: Mapping[Path, str]) -> tuple[Config, Index] | None:
        """The index of the project the document belongs to, built afresh when anything
        changed since the last one. None when its settings cannot be read."""
        try:
            config = self.config_for(path)
        except (ConfigError, OSError):
            return None
        found = self.indexes.get(config.root)
        if found is not None and found[0] == self.generation:
            return config, found[1]
        generation = self.generation
        sources = self.sources_for(config.root)
        sources.overlays = overlays
        quiet = replace(config, rules=RuleSettings(select=()))
        try:
            project = compile_project([config.root], quiet, load=sources.load_good, lock=lambda p, n: None)
        except OSError:
            return None
        index = self.build_index(project)
        self.indexes[config.root] = (generation, index)
        return config, index

    def build_index(self, project: Project) -> Index:
        files: dict[str, FileSymbols] = {}
        for path, sf in sorted(project.files.items()):
            if sf.result is not None and sf.result.document is not None:
                files[path] = self.symbols_of(sf.result.document)
        journeys = [(j.id, j.path, j.files) for j in project.journeys]
        return Index(files, journeys)

    def symbols_of(self, doc: m.Document) -> FileSymbols:
        """A parsed file's symbols, read once per parse."""
        found = self._symbols.get(id(doc))
        if found is not None and found[0] is doc:
            return found[1]
        if len(self._symbols) > MAX_KEPT:
            self._symbols.clear()
        symbols = read_file(doc)
        self._symbols[id(doc)] = (doc, symbols)
        return symbols

    def file_symbols(self, path: Path, overlays: Mapping[Path, str]) -> FileSymbols | None:
        """The symbols of one document as it is now (as it last parsed, while it does not)."""
        try:
            config = self.config_for(path)
        except (ConfigError, OSError):
            return None
        sources = self.sources_for(config.root)
        sources.overlays = overlays
        location = fs.real(path)
        sf, _ = sources.load_good(location, fs.display_path(location, config.root), config.max_file_size)
        doc = sf.result.document if sf.result is not None else None
        return self.symbols_of(doc) if doc is not None else None
