"""`cjdsl lsp`: the language server's wiring on pygls.

The event loop reads and writes the protocol and keeps the open documents (pygls
applies each edit); everything that parses or checks runs in one analysis thread
(:class:`~cjdsl.lsp.workspace.Workspace` lives there), so requests keep being read
while a large file is checked, and the analysis never races with itself.

* Diagnostics: a document is checked a moment after the last edit (``debounce``, 50 ms
  by default; ``initializationOptions: {"debounce": ms}``), as `cjdsl check FILE` would
  check it, the open documents' text standing in for the disk's; the other open
  documents of the project follow when typing pauses.
* Completion reads the text before the cursor and the project's last index, so it
  never waits for a check; hover, definition, references, rename, symbols and code
  actions use an index of the current text.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from .. import fs
from ..core.span import LineIndex, Span
from ..language.formatter import format_text
from ..language.parser import parse
from . import actions as fixes
from . import completion, context, navigation, outline
from .diagnostics import convert
from .positions import Shift, end_position, offset, to_range, units
from .symbols import Index
from .workspace import Checked, Workspace

T = TypeVar("T")

#: Seconds between the last edit and the check, by default.
DEBOUNCE = 0.05
#: Seconds of quiet after the check of an edit before the other open documents are
#: checked again and the project's index is brought up to date.
SETTLE = 0.4
#: Seconds without analysis after which the garbage the analysis froze is collected.
IDLE_COLLECT = 30.0
#: At most this many workspace symbols in one answer.
MAX_SYMBOLS = 500

COMPLETION_KIND = {
    "keyword": lsp.CompletionItemKind.Keyword,
    "block": lsp.CompletionItemKind.Snippet,
    "value": lsp.CompletionItemKind.EnumMember,
    "rule": lsp.CompletionItemKind.Reference,
    "journey": lsp.CompletionItemKind.Module,
    "persona": lsp.CompletionItemKind.Class,
    "intent": lsp.CompletionItemKind.Enum,
    "channel": lsp.CompletionItemKind.Interface,
    "team": lsp.CompletionItemKind.Folder,
    "actor": lsp.CompletionItemKind.Constructor,
    "system": lsp.CompletionItemKind.Module,
    "stage": lsp.CompletionItemKind.Struct,
    "touchpoint": lsp.CompletionItemKind.Function,
    "pain": lsp.CompletionItemKind.Event,
    "opportunity": lsp.CompletionItemKind.Value,
    "kpi": lsp.CompletionItemKind.Constant,
    "metric": lsp.CompletionItemKind.Unit,
}


class JourneyServer(LanguageServer):
    def __init__(self, version: str, settings_file: Path | None = None) -> None:
        super().__init__("cjdsl", version, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.settings_file = settings_file
        self.state = Workspace(settings_file=settings_file)
        self.analysis = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cjdsl-analysis")
        self.debounce = DEBOUNCE
        #: Open documents: their URI as the client names them, by real location.
        self.open: dict[Path, str] = {}
        self.locations: dict[str, Path] = {}
        self.checks: dict[str, asyncio.Task[None]] = {}
        self.settle: asyncio.Task[None] | None = None
        #: The document typed in last: once its check is published, the rest follows.
        self.typing: str | None = None
        #: Documents opened and not checked yet: their project's index follows the check.
        self.opened: set[str] = set()
        self.collect: asyncio.TimerHandle | None = None
        self.checked: dict[str, Checked] = {}

    # -- helpers --------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or "utf-16")

    def document(self, uri: str) -> TextDocument | None:
        """An open document (never one read from disk by pygls)."""
        return self.workspace.text_documents.get(uri) if uri in self.locations else None

    def overlays(self) -> dict[Path, str]:
        out = {}
        for location, uri in self.open.items():
            doc = self.workspace.text_documents.get(uri)
            if doc is not None:
                out[location] = doc.source
        return out

    def uri_for(self, root: Path, display: str) -> str | None:
        """The URI of a file named by its display path (relative to ``root``)."""
        location = fs.real(root / display) if not os.path.isabs(display) else Path(display)
        uri = self.open.get(location)
        return uri if uri is not None else from_fs_path(str(location))

    async def run(self, job: Callable[[], T]) -> T:
        """Runs ``job`` in the analysis thread."""
        self.idle_collect()
        return await asyncio.get_running_loop().run_in_executor(self.analysis, partial(_analyse, job))

    def idle_collect(self) -> None:
        """Once the server has been idle a while, collects the garbage that freezing kept
        (see :func:`_analyse`); any new job first cancels the wait."""
        if self.collect is not None:
            self.collect.cancel()
        self.collect = asyncio.get_running_loop().call_later(IDLE_COLLECT, lambda: self.analysis.submit(_collect))

    def changed(self) -> None:
        self.state.generation += 1

    # -- checking -------------------------------------------------------------------
    def schedule(self, uri: str, delay: float) -> None:
        task = self.checks.pop(uri, None)
        if task is not None:
            task.cancel()
        self.checks[uri] = asyncio.ensure_future(self._check_later(uri, delay))

    async def _check_later(self, uri: str, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            doc = self.document(uri)
            location = self.locations.get(uri)
            if doc is None or location is None:
                return
            version = doc.version
            overlays = self.overlays()
            path = Path(to_fs_path(uri) or location)
            began = time.perf_counter()
            checked = await self.run(lambda: self.state.check(path, overlays))
            if self.document(uri) is None:
                return
            self.checked[uri] = checked
            self.publish(uri, checked, version)
            if uri == self.typing:
                self.settle_later(uri)
            elif uri in self.opened:
                self.opened.discard(uri)
                self.settle_later(uri, others=False)  # the project's index, for completion
            took = (time.perf_counter() - began) * 1000
            self.window_log_message(
                lsp.LogMessageParams(
                    lsp.MessageType.Log,
                    f"cjdsl: checked {checked.path} (version {version}) in {took:.0f} ms: "
                    f"{checked.parsed} of {checked.files} files parsed, the others reused",
                )
            )
        except asyncio.CancelledError:
            pass
        except Exception as err:  # a bug must not stop the server: say so, keep serving
            self.report(err)

    def publish(self, uri: str, checked: Checked, version: int | None) -> None:
        encoding = self.encoding
        start = Span(checked.path)  # where a finding about no place in particular shows: 1:1
        if checked.failure is not None:
            found = [
                lsp.Diagnostic(
                    range=to_range(start, encoding),
                    message=f"{checked.failure}\nhelp: fix the file; nothing is checked until then",
                    severity=lsp.DiagnosticSeverity.Error,
                    source="cjdsl",
                )
            ]
        else:
            found = [convert(d, encoding, lambda p: self.uri_for(checked.root, p), start) for d in checked.diagnostics]
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=version))

    def after_change(self, uri: str) -> None:
        """Checks the document soon; once it is checked and typing pauses, the other open
        documents and the project's index follow (:meth:`settle_later`)."""
        self.changed()
        self.typing = uri
        if self.settle is not None:
            self.settle.cancel()
        self.schedule(uri, self.debounce)

    def settle_later(self, uri: str, *, others: bool = True) -> None:
        if self.settle is not None:
            self.settle.cancel()
        self.settle = asyncio.ensure_future(self._settle(uri, others))

    async def _settle(self, uri: str, others: bool) -> None:
        try:
            await asyncio.sleep(SETTLE)
            generation = self.state.generation
            for other in list(self.locations) if others else ():
                if other != uri:
                    self.schedule(other, 0)
            location = self.locations.get(uri)
            if location is None:
                return
            overlays = self.overlays()

            def index() -> None:
                if self.state.generation == generation:  # else typing resumed: not now
                    self.state.index(location, overlays)

            await self.run(index)
        except asyncio.CancelledError:
            pass
        except Exception as err:
            self.report(err)

    def report(self, err: BaseException) -> None:
        text = "".join(traceback.format_exception(err)).strip()
        self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Error, f"cjdsl: internal error: {text}"))

    # -- the index ------------------------------------------------------------------
    async def index(self, uri: str) -> tuple[Index, str, Path] | None:
        """The index of the project of an open document, up to date, with the document's
        display path and the project root."""
        location = self.locations.get(uri)
        if location is None:
            return None
        overlays = self.overlays()
        found = await self.run(lambda: self.state.index(location, overlays))
        if found is None:
            return None
        config, index = found
        return index, fs.display_path(location, config.root), config.root

    async def locate(self, uri: str, pos: lsp.Position) -> Located | None:
        """The project's index and the cursor's offset in it."""
        doc = self.document(uri)
        found = await self.index(uri)
        if doc is None or found is None:
            return None
        index, display, root = found
        text = doc.source
        indexed = index.files.get(display)
        shift = Shift(indexed.document.span.lines.text if indexed is not None else text, text)
        offset = shift.backward(doc.offset_at_position(pos))
        if offset is None:
            return None  # the cursor is in what was typed since the file last parsed
        return Located(self, uri, index, display, root, offset, shift, text)


class Located:
    """A request's place: the index, the document's display path and project root, the
    cursor's offset in the indexed text, and how that text maps onto the current one
    (they differ while the document does not parse)."""

    def __init__(
        self, ls: JourneyServer, uri: str, index: Index, display: str, root: Path, offset: int, shift: Shift, text: str
    ) -> None:
        self.ls = ls
        self.uri = uri
        self.index = index
        self.display = display
        self.root = root
        self.offset = offset
        self.shift = shift
        self.text = text
        self._lines: LineIndex | None = None

    @property
    def fresh(self) -> bool:
        """Whether the index holds the document's current text."""
        return self.shift.same

    def range(self, span: Span) -> lsp.Range | None:
        """Where a span of the index is in the editor's text (None: in what was edited since)."""
        if span.path != self.display or self.shift.same:
            return to_range(span, self.ls.encoding)
        start, end = self.shift.forward(span.start), self.shift.forward(span.end)
        if start is None or end is None:
            return None
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return to_range(Span(span.path, start, end, self._lines), self.ls.encoding)

    def location(self, span: Span) -> lsp.Location | None:
        uri = self.uri if span.path == self.display else self.ls.uri_for(self.root, span.path)
        place = self.range(span)
        return lsp.Location(uri, place) if uri is not None and place is not None else None


def make_server(version: str, settings_file: Path | None = None) -> JourneyServer:
    server = JourneyServer(version, settings_file)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: JourneyServer, params: lsp.InitializeParams) -> None:
        folders = [Path(p) for f in params.workspace_folders or () if (p := to_fs_path(f.uri))]
        if not folders and params.root_uri and (root := to_fs_path(params.root_uri)):
            folders = [Path(root)]
        ls.state.folders = [Path(os.path.abspath(f)) for f in folders]
        options = params.initialization_options
        if isinstance(options, Mapping) and isinstance(options.get("debounce"), (int, float)):
            ls.debounce = max(0.0, min(float(options["debounce"]), 5000.0)) / 1000

    @server.feature(lsp.INITIALIZED)
    def initialized(ls: JourneyServer, params: lsp.InitializedParams) -> None:
        # Files with a syntax error go through Lark's own parser: build it now, while the
        # editor is still opening, rather than on the first typo.
        ls.analysis.submit(_analyse, warm_up)
        capabilities = ls.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities is not None else None
        if watched is not None and watched.dynamic_registration:
            patterns = ["**/*.journey", "**/cjdsl.toml", "**/pyproject.toml", "**/tracking.lock.json"]
            options = lsp.DidChangeWatchedFilesRegistrationOptions(
                watchers=[lsp.FileSystemWatcher(glob_pattern=p) for p in patterns]
            )
            ls.client_register_capability(
                lsp.RegistrationParams([lsp.Registration("cjdsl-files", lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)])
            )

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: JourneyServer, params: lsp.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = to_fs_path(uri)
        if not path:
            return  # not a file (an untitled buffer): nothing to check it against
        location = fs.real(path)
        ls.open[location] = uri
        ls.locations[uri] = location
        ls.opened.add(uri)
        ls.changed()
        ls.schedule(uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: JourneyServer, params: lsp.DidChangeTextDocumentParams) -> None:
        if params.text_document.uri in ls.locations:
            ls.after_change(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: JourneyServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.changed()

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: JourneyServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        location = ls.locations.pop(uri, None)
        if location is not None:
            ls.open.pop(location, None)
        task = ls.checks.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.checked.pop(uri, None)
        ls.opened.discard(uri)
        ls.changed()
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        for other in list(ls.locations):
            ls.schedule(other, SETTLE)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_files(ls: JourneyServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        ls.changed()
        for uri in list(ls.locations):
            ls.schedule(uri, SETTLE)

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[" ", ",", ">"], resolve_provider=False)
    )
    async def complete(ls: JourneyServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
        uri = params.text_document.uri
        doc = ls.document(uri)
        location = ls.locations.get(uri)
        if doc is None or location is None:
            return None
        text = doc.source
        where = context.at(text, doc.offset_at_position(params.position))
        if where.inert:
            return lsp.CompletionList(is_incomplete=False, items=[])
        try:
            config = ls.state.config_for(location)
        except Exception:  # settings that cannot be read: keywords still help
            config = None
        index = ls.state.last_index(config.root) if config is not None else None
        if index is None and config is not None:
            overlays = ls.overlays()
            found = await ls.run(lambda: ls.state.index(location, overlays))
            index = found[1] if found is not None else None
        display = fs.display_path(location, config.root) if config is not None else ""
        items = completion.complete(where, index, display)
        snippets = _snippets(ls)
        start = lsp.Position(params.position.line, params.position.character - units(where.prefix, ls.encoding))
        replace = lsp.Range(start, params.position)
        out = []
        for i, item in enumerate(items):
            snippet = item.snippet if snippets else None
            out.append(
                lsp.CompletionItem(
                    label=item.label,
                    kind=COMPLETION_KIND.get(item.kind, lsp.CompletionItemKind.Text),
                    detail=item.detail,
                    sort_text=f"{i:05d}",
                    text_edit=lsp.TextEdit(replace, snippet or item.label),
                    insert_text_format=lsp.InsertTextFormat.Snippet if snippet else lsp.InsertTextFormat.PlainText,
                )
            )
        return lsp.CompletionList(is_incomplete=False, items=out)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: JourneyServer, params: lsp.HoverParams) -> lsp.Hover | None:
        here = await ls.locate(params.text_document.uri, params.position)
        if here is None:
            return None
        checked = ls.checked.get(here.uri)
        silenced = checked.suppressed if checked is not None and here.fresh else ()
        shown = navigation.hover(here.index, here.display, here.offset, silenced)
        if shown is None:
            return None
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=shown.markdown),
            range=here.range(shown.span),
        )

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: JourneyServer, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        here = await ls.locate(params.text_document.uri, params.position)
        if here is None:
            return None
        spans = navigation.definition(here.index, here.display, here.offset)
        out = [loc for span in spans if (loc := here.location(span)) is not None]
        return out or None

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    async def references(ls: JourneyServer, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
        here = await ls.locate(params.text_document.uri, params.position)
        if here is None:
            return None
        spans = navigation.references(here.index, here.display, here.offset, declaration=params.context.include_declaration)
        return [loc for span in spans if (loc := here.location(span)) is not None]

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    async def prepare_rename(ls: JourneyServer, params: lsp.PrepareRenameParams) -> lsp.PrepareRenamePlaceholder | None:
        here = await ls.locate(params.text_document.uri, params.position)
        if here is None:
            return None
        try:
            _ready(ls, here, [here.display])
            span, placeholder = navigation.prepare_rename(here.index, here.display, here.offset)
        except navigation.RenameError as err:
            raise JsonRpcInvalidParams(str(err)) from None
        return lsp.PrepareRenamePlaceholder(range=to_range(span, ls.encoding), placeholder=placeholder)

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
    async def rename(ls: JourneyServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        here = await ls.locate(params.text_document.uri, params.position)
        if here is None:
            return None
        try:
            places = navigation.rename(here.index, here.display, here.offset, params.new_name)
            _ready(ls, here, list(places))
        except navigation.RenameError as err:
            raise JsonRpcInvalidParams(str(err)) from None
        changes: dict[str, list[lsp.TextEdit]] = {}
        for path, spans in places.items():
            target = here.uri if path == here.display else ls.uri_for(here.root, path)
            if target is not None:
                changes[target] = [lsp.TextEdit(to_range(s, ls.encoding), params.new_name) for s in spans]
        return lsp.WorkspaceEdit(changes=changes)

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    async def document_symbols(ls: JourneyServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol] | None:
        symbols = await _file_symbols(ls, params.text_document.uri)
        return outline.document_symbols(symbols, ls.encoding) if symbols is not None else None

    @server.feature(lsp.WORKSPACE_SYMBOL)
    async def workspace_symbols(ls: JourneyServer, params: lsp.WorkspaceSymbolParams) -> list[lsp.SymbolInformation]:
        overlays = ls.overlays()
        places = [*ls.open, *(folder / "_" for folder in ls.state.folders)]

        def collect() -> list[tuple[Path, Any]]:
            roots: dict[Path, Index] = {}
            for place in places:
                found = ls.state.index(place, overlays)
                if found is not None:
                    roots.setdefault(found[0].root, found[1])
            hits: list[tuple[Path, Any]] = []
            for root, index in sorted(roots.items()):
                for path in sorted(index.files):
                    hits.extend((root, d) for d in outline.filter_symbols(index.files[path].decls, params.query, MAX_SYMBOLS))
            return hits[:MAX_SYMBOLS]

        out = []
        for root, decl in await ls.run(collect):
            uri = ls.uri_for(root, decl.span.path)
            if uri is not None:
                out.append(outline.workspace_symbol(decl, uri, ls.encoding))
        return out

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    async def formatting(ls: JourneyServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
        doc = ls.document(params.text_document.uri)
        if doc is None:
            return None
        text = doc.source
        formatted, _ = await ls.run(lambda: format_text(text, "<document>"))
        if formatted is None:
            ls.window_log_message(lsp.LogMessageParams(lsp.MessageType.Info, "cjdsl: not formatted: the file has syntax errors"))
            return None
        if formatted == text:
            return []
        whole = lsp.Range(lsp.Position(0, 0), end_position(LineIndex(text), ls.encoding))
        return [lsp.TextEdit(whole, formatted)]

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    async def code_actions(ls: JourneyServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
        uri = params.text_document.uri
        doc = ls.document(uri)
        ours = [d for d in params.context.diagnostics if d.source == "cjdsl" and isinstance(d.code, str)]
        if doc is None or not ours:
            return None
        text = doc.source
        lines = LineIndex(text)
        found = await ls.index(uri)
        index, display = (found[0], found[1]) if found is not None else (None, "")
        encoding = ls.encoding
        out: list[lsp.CodeAction] = []
        for d in ours:
            start, end = offset(lines, d.range.start, encoding), offset(lines, d.range.end, encoding)
            data = d.data if isinstance(d.data, Mapping) else None
            for action in fixes.actions(text, str(d.code), start, end, data, index, display):
                edits = [lsp.TextEdit(to_range(Span(display, e.start, e.end, lines), encoding), e.text) for e in action.edits]
                out.append(
                    lsp.CodeAction(
                        title=action.title,
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[d],
                        is_preferred=action.preferred or None,
                        edit=lsp.WorkspaceEdit(changes={uri: edits}),
                    )
                )
        return out

    @server.feature(lsp.TEXT_DOCUMENT_FOLDING_RANGE)
    async def folding(ls: JourneyServer, params: lsp.FoldingRangeParams) -> list[lsp.FoldingRange] | None:
        doc = ls.document(params.text_document.uri)
        if doc is None:
            return None
        text = doc.source
        return await ls.run(lambda: outline.folding_ranges(text))

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def folders_changed(ls: JourneyServer, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
        folders = [to_fs_path(f.uri) for f in ls.workspace.folders.values()]
        ls.state.folders = [Path(os.path.abspath(f)) for f in folders if f]
        ls.changed()
        for uri in list(ls.locations):
            ls.schedule(uri, SETTLE)

    @server.feature(lsp.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, outline.LEGEND)
    async def semantic_tokens(ls: JourneyServer, params: lsp.SemanticTokensParams) -> lsp.SemanticTokens | None:
        symbols = await _file_symbols(ls, params.text_document.uri)
        return lsp.SemanticTokens(data=outline.semantic_tokens(symbols, ls.encoding)) if symbols is not None else None

    return server


async def _file_symbols(ls: JourneyServer, uri: str) -> Any:
    location = ls.locations.get(uri)
    if location is None:
        return None
    overlays = ls.overlays()
    return await ls.run(lambda: ls.state.file_symbols(location, overlays))


def _ready(ls: JourneyServer, here: Located, paths: list[str]) -> None:
    """A rename rewrites the files as the index has them: each open one must parse as it
    is in the editor now."""
    overlays = ls.overlays()
    for path in paths:
        f = here.index.files.get(path)
        location = fs.real(here.root / path)
        current = here.text if path == here.display else overlays.get(location)
        if f is None or (current is not None and f.document.span.lines.text != current):
            raise navigation.RenameError(f"{path} does not parse as it is now; fix it before renaming")


def _snippets(ls: JourneyServer) -> bool:
    doc = ls.client_capabilities.text_document
    item = doc.completion.completion_item if doc is not None and doc.completion is not None else None
    return bool(item is not None and item.snippet_support)


def _analyse(job: Callable[[], T]) -> T:
    """Runs an analysis job with the cyclic garbage collector off, then freezes what it
    built. A model holds a million objects and no cycles; without this, collections walk
    it again and again (a fifth of a check of 2,000 touchpoints), as the CLI avoids with
    `gc.freeze` too. What is freed by reference counting is freed as before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return job()
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _collect() -> None:
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def warm_up() -> None:
    parse("journey {", "<warm-up>")


def serve(version: str, settings_file: Path | None = None) -> None:
    """Runs the server on stdin and stdout until the client says exit (``version``: the
    one it announces, cjdsl's)."""
    server = make_server(version, settings_file)
    try:
        server.start_io()
    finally:
        server.analysis.shutdown(wait=False, cancel_futures=True)


__all__ = ["JourneyServer", "make_server", "serve"]
