"""`cjdsl lsp` end to end: the real server, started as `python -m cjdsl lsp`, driven over
stdio by a real LSP client (pytest-lsp's, with Visual Studio Code's capabilities), on
copies of the examples and on projects written here. Each feature is checked against
what the compiler itself says (`cjdsl check`, the formatter, the language table).

The other test_lsp_*.py modules import the client helpers from here.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, IN_CI, invoke, write

if not IN_CI:
    pytest.importorskip("pytest_lsp")  # in CI a missing pytest-lsp fails (the imports below), never skips

import pytest_lsp
from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from cjdsl.core import vocabulary
from cjdsl.language import table as language

SERVER = [sys.executable, "-m", "cjdsl", "lsp"]
pytestmark = pytest.mark.asyncio(loop_scope="module")


# -- the client --------------------------------------------------------------------------
class Client(LanguageClient):
    """pytest-lsp's client, remembering every diagnostics notification in order and the
    capabilities the server registers."""

    published: list[lsp.PublishDiagnosticsParams]
    registrations: list[lsp.Registration]
    #: Where each document's diagnostics start to count (see `_mark`).
    marks: dict[str, int]


def _record(client: Client, params: lsp.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def _register(client: Client, params: lsp.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def make_client() -> Client:
    client = Client(converter_factory=default_converter)
    client.published = []
    client.registrations = []
    client.marks = {}
    features = {
        **DEFAULT_CLIENT_FEATURES,
        lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record,
        lsp.CLIENT_REGISTER_CAPABILITY: _register,
    }
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=make_client)


def uri(path: Path) -> str:
    return str(from_fs_path(str(path)))


async def initialize(
    client: LanguageClient, folders: list[Path], capabilities: lsp.ClientCapabilities | None = None, options: Any = None
) -> lsp.InitializeResult:
    return await client.initialize_session(
        lsp.InitializeParams(
            capabilities=capabilities or client_capabilities("visual-studio-code"),
            workspace_folders=[lsp.WorkspaceFolder(uri(f), f.name) for f in folders],
            initialization_options=options,
        )
    )


def _mark(client: LanguageClient, target: str) -> None:
    """From now on, only new diagnostics of ``target`` count (a document opened again
    starts at version 1 again)."""
    if isinstance(client, Client):
        client.marks[target] = len(client.published)


async def diagnostics(client: Client, target: str, version: int | None, timeout: float = 90) -> list[lsp.Diagnostic]:
    """The diagnostics published for ``target`` at ``version`` since it was last opened or
    changed (waits for them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for params in reversed(client.published[client.marks.get(target, 0) :]):
            if params.uri == target and params.version == version:
                return list(params.diagnostics)
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics for {target} version {version}")


async def diagnostics_where(client: Client, target: str, test: Any, timeout: float = 90) -> list[lsp.Diagnostic]:
    """The first diagnostics published for ``target`` from now on that pass ``test``."""
    seen = len(client.published)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for params in client.published[seen:]:
            if params.uri == target and test(list(params.diagnostics)):
                return list(params.diagnostics)
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics for {target} passed the test")


def open_document(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    target = uri(path)
    body = text if text is not None else path.read_text(encoding="utf-8")
    _mark(client, target)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(target, "journey", version, body)))
    return target


def replace_all(client: LanguageClient, target: str, text: str, version: int) -> None:
    _mark(client, target)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=target),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def edit(client: LanguageClient, target: str, version: int, rng: lsp.Range, text: str) -> None:
    _mark(client, target)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version=version, uri=target),
            [lsp.TextDocumentContentChangePartial(range=rng, text=text)],
        )
    )


def close_document(client: LanguageClient, target: str) -> None:
    _mark(client, target)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(lsp.TextDocumentIdentifier(target)))


def position_of(text: str, needle: str, shift: int = 0, nth: int = 0) -> lsp.Position:
    """The LSP position (UTF-16) of the ``nth`` occurrence of ``needle``, plus ``shift`` characters."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += shift
    line_start = text.rfind("\n", 0, at) + 1
    return lsp.Position(text.count("\n", 0, at), len(text[line_start:at].encode("utf-16-le")) // 2)


def doc_id(target: str) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(target)


def apply(text: str, edits: list[lsp.TextEdit]) -> str:
    """The text with LSP edits applied (positions in UTF-16, as the client uses)."""
    lines = text.split("\n")

    def offset(pos: lsp.Position) -> int:
        start = sum(len(line) + 1 for line in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units = 0
        for i, ch in enumerate(line):
            if units >= pos.character:
                return start + i
            units += 2 if ord(ch) > 0xFFFF else 1
        return start + len(line)

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(e.range.start)] + e.new_text + text[offset(e.range.end) :]
        lines = text.split("\n")
    return text


def check_json(path: Path) -> list[dict[str, Any]]:
    """What `cjdsl check --format json PATH` reports (any exit code but 2)."""
    code, out, err = invoke("check", "--format", "json", str(path))
    assert code in (0, 1), err
    return list(json.loads(out))


# -- projects ---------------------------------------------------------------------------
SHARED = """\
# Shared declarations.
team marketing "Marketing"
team sales "Sales"
persona anna "Anna, HR Manager" {
  role "HR Manager"
  age 38
  goal "Hire faster"
}
channel blog "Company blog" online web
channel phone "Sales line" offline phone
intent learn "Wants to learn"
"""

SHOP = """\
include "shared.journey"

journey shop "Shop: from the blog to a call" {
  version "1.0"
  owner marketing
}

stage aware "Awareness" phase awareness {
  touchpoint post "Reads a post" {
    channel blog
    persona anna
    intent learn
    context "At work"
    need "Understand the problem"
    entry
    emotion +1 "curious"
    rating 4
    owner marketing
    next call
    event "Post Viewed" {
      post_id string required "CMS id of the post"
    }
  }
}

stage buy "Buying" phase purchase {
  touchpoint call "Calls sales" {
    channel phone
    persona anna
    intent learn
    context "At her desk"
    need "A price"
    emotion -1 "impatient"
    rating 2
  }
}

kpi calls "Calls from the blog" {
  target "50 a month"
  funnel post -> call
  owner marketing
}
"""

#: Stage files of the many-file project, and the journeys that include them.
STAGES = 30


def many_file_project(root: Path) -> None:
    files = {
        "cjdsl.toml": "",
        "shared/people.journey": SHARED,
    }
    for i in range(STAGES):
        nxt = f"    next t{i + 1:02d}\n" if i + 1 < STAGES else ""
        files[f"stages/s{i:02d}.journey"] = (
            f'stage s{i:02d} "Stage {i}" phase {vocabulary.PHASES[min(i * 8 // STAGES, 7)]} {{\n'
            f'  touchpoint t{i:02d} "Step {i}" {{\n    channel blog\n    persona anna\n    owner marketing\n{nxt}  }}\n}}\n'
        )
    includes = "".join(f'include "stages/s{i:02d}.journey"\n' for i in range(STAGES))
    files["a.journey"] = 'include "shared/people.journey"\n' + includes + '\njourney alpha "Alpha" {\n  owner marketing\n}\n'
    files["b.journey"] = (
        'include "shared/people.journey"\ninclude "stages/s00.journey"\ninclude "stages/s01.journey"\n'
        '\njourney beta "Beta" {\n  owner sales\n}\n'
    )
    write(root, files)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three workspace folders: the examples (with a cjdsl.toml, so `cjdsl check FILE`
    and the server share the project root), a many-file project, and a scratch folder
    where each test writes its own small project."""
    base = tmp_path_factory.mktemp("lsp")
    shutil.copytree(EXAMPLES, base / "examples")
    (base / "examples" / "cjdsl.toml").write_text("", encoding="utf-8")
    many_file_project(base / "many")
    (base / "scratch").mkdir()
    return base


@pytest_lsp.fixture(scope="module", config=CONFIG)
async def client(lsp_client: Client, workspace: Path) -> AsyncIterator[None]:
    lsp_client.init_result = await initialize(  # type: ignore[attr-defined]
        lsp_client, [workspace / "examples", workspace / "many", workspace / "scratch"]
    )
    yield
    await lsp_client.shutdown_session()


def project(workspace: Path, name: str, files: dict[str, str]) -> Path:
    root = workspace / "scratch" / name
    write(root, {"cjdsl.toml": "", **files})
    return root


# -- initialize -------------------------------------------------------------------------------
async def test_the_server_announces_each_feature(client: Client) -> None:
    caps: lsp.ServerCapabilities = client.init_result.capabilities  # type: ignore[attr-defined]
    assert client.init_result.server_info.name == "cjdsl"  # type: ignore[attr-defined]
    sync = caps.text_document_sync
    assert isinstance(sync, lsp.TextDocumentSyncOptions) and sync.change == lsp.TextDocumentSyncKind.Incremental
    assert caps.completion_provider is not None and " " in (caps.completion_provider.trigger_characters or ())
    assert caps.rename_provider == lsp.RenameOptions(prepare_provider=True)
    for provider in (
        caps.hover_provider,
        caps.definition_provider,
        caps.references_provider,
        caps.document_symbol_provider,
        caps.workspace_symbol_provider,
        caps.document_formatting_provider,
        caps.code_action_provider,
        caps.folding_range_provider,
    ):
        assert provider
    tokens = caps.semantic_tokens_provider
    assert isinstance(tokens, lsp.SemanticTokensRegistrationOptions | lsp.SemanticTokensOptions)
    assert "function" in tokens.legend.token_types and tokens.full
    # The server asks to hear of changes to the files a check reads.
    for _ in range(1000):
        if client.registrations:
            break
        await asyncio.sleep(0.01)
    (watch,) = [r for r in client.registrations if r.method == lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    globs = [w["globPattern"] for w in watch.register_options["watchers"]]  # type: ignore[index]
    assert globs == ["**/*.journey", "**/cjdsl.toml", "**/pyproject.toml", "**/tracking.lock.json"]


# -- diagnostics ------------------------------------------------------------------------------
def _as_check_json(d: lsp.Diagnostic, text: str) -> dict[str, Any]:
    """An LSP diagnostic in the shape `cjdsl check --format json` gives (columns in characters)."""
    line = text.split("\n")[d.range.start.line]
    units, column = 0, 0
    while units < d.range.start.character:
        units += 2 if ord(line[column]) > 0xFFFF else 1
        column += 1
    message, _, help_ = d.message.partition("\nhelp: ")
    severity = {1: "error", 2: "warning", 3: "info"}[d.severity or 1]
    return {
        "code": d.code,
        "severity": severity,
        "message": message,
        "help": help_ or None,
        "line": d.range.start.line + 1,
        "column": column + 1,
    }


def _from_check(found: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    return sorted(
        (
            {k: d[k] for k in ("code", "severity", "message", "help")}
            | {"line": d["location"]["line"], "column": d["location"]["column"]}
            for d in found
            if d["location"] is not None and d["location"]["path"] == path and d["suppressed"] is None
        ),
        key=lambda d: (d["line"], d["column"], d["code"]),
    )


async def test_diagnostics_are_what_cjdsl_check_reports_for_the_file(client: Client, workspace: Path) -> None:
    broken = SHOP.replace("next call", "next cal").replace(
        "  owner marketing\n}\n", '  owner marketing\n  allow journey-ends-at-purchase "the sale is the goal here"\n}\n', 1
    )
    root = project(workspace, "same", {"shared.journey": SHARED, "shop.journey": broken})
    for name in ("shop.journey", "shared.journey"):
        path = root / name
        target = open_document(client, path)
        found = await diagnostics(client, target, 1)
        mine = sorted(
            (_as_check_json(d, path.read_text(encoding="utf-8")) for d in found),
            key=lambda d: (d["line"], d["column"], d["code"]),
        )
        expected = _from_check(check_json(path), name)
        assert mine == expected
        assert all(d.source == "cjdsl" for d in found)
        close_document(client, target)
    codes = {d["code"] for d in expected}
    assert codes == {"CJ218"}  # shared.journey: found only in the context of the journey that includes it
    shop = _from_check(check_json(root / "shop.journey"), "shop.journey")
    assert {"CJ101", "CJ219"} <= {d["code"] for d in shop} and "CJ207" not in {d["code"] for d in shop}  # suppressed


async def test_diagnostics_follow_each_edit(client: Client, workspace: Path) -> None:
    root = project(workspace, "edits", {"shared.journey": SHARED, "shop.journey": SHOP})
    target = open_document(client, root / "shop.journey")
    first = await diagnostics(client, target, 1)
    assert "CJ101" not in {d.code for d in first}
    at = position_of(SHOP, "next call", len("next "))
    edit(client, target, 2, lsp.Range(at, lsp.Position(at.line, at.character + 4)), "cal")
    second = await diagnostics(client, target, 2)
    (unknown,) = [d for d in second if d.code == "CJ101"]
    assert unknown.message.startswith("unknown touchpoint `cal`\nhelp: ") and "did you mean `call`?" in unknown.message
    assert unknown.severity == lsp.DiagnosticSeverity.Error
    assert unknown.range == lsp.Range(at, lsp.Position(at.line, at.character + 3))
    assert unknown.data["replace"] == "call"
    edit(client, target, 3, lsp.Range(at, lsp.Position(at.line, at.character + 3)), "call")
    third = await diagnostics(client, target, 3)
    assert sorted(d.code for d in third) == sorted(d.code for d in first)
    # A syntax error, then its repair.
    replace_all(client, target, SHOP.replace("rating 2\n  }\n}", "rating 2\n"), 4)
    fourth = await diagnostics(client, target, 4)
    assert {d.code for d in fourth} == {"CJ004"} and any("stage `buy` is never closed" in d.message for d in fourth)
    replace_all(client, target, SHOP, 5)
    assert sorted(d.code for d in await diagnostics(client, target, 5)) == sorted(d.code for d in first)
    close_document(client, target)
    assert (await diagnostics(client, target, None)) == []  # closing clears them


async def test_an_included_file_is_checked_in_the_journeys_that_include_it(client: Client, workspace: Path) -> None:
    second = SHOP.replace("journey shop ", "journey shop_two ").replace("owner marketing", "owner sales", 1)
    loose = 'team loners "Nobody includes this file"\n'
    root = project(
        workspace, "context", {"shared.journey": SHARED, "shop.journey": SHOP, "two.journey": second, "loose.journey": loose}
    )
    target = open_document(client, root / "shared.journey")
    # `sales` is used by the second journey only: no journey reports it unused.
    assert "CJ218" not in {d.code for d in await diagnostics(client, target, 1)}
    replace_all(client, target, SHARED + 'team support "Support"\n', 2)
    found = await diagnostics(client, target, 2)
    (unused,) = [d for d in found if d.code == "CJ218"]  # once, though two journeys include the file
    assert unused.message.startswith("team `support` is declared but never used")
    assert list(unused.tags or ()) == [lsp.DiagnosticTag.Unnecessary]
    close_document(client, target)
    orphan = open_document(client, root / "loose.journey")
    (alone,) = await diagnostics(client, orphan, 1)
    assert alone.code == "CJ155" and alone.severity == lsp.DiagnosticSeverity.Warning
    assert alone.range.start == lsp.Position(0, 0)
    close_document(client, orphan)


async def test_open_text_stands_in_for_the_disk_across_files(client: Client, workspace: Path) -> None:
    root = project(workspace, "overlay", {"shared.journey": SHARED, "shop.journey": SHOP})
    journey = open_document(client, root / "shop.journey")
    assert "CJ101" not in {d.code for d in await diagnostics(client, journey, 1)}
    shared = open_document(client, root / "shared.journey")
    await diagnostics(client, shared, 1)
    # Unsaved: the persona `anna` is renamed in the editor only.
    replace_all(client, shared, SHARED.replace("persona anna", "persona anne"), 2)
    found = await diagnostics_where(client, journey, lambda ds: any(d.code == "CJ101" for d in ds))
    assert {d.message.split("\n")[0] for d in found if d.code == "CJ101"} == {"unknown persona `anna`"}
    hint = next(d.message for d in found if d.code == "CJ101")
    assert "did you mean `anne`?" in hint
    # Closed without saving: the disk's version counts again.
    close_document(client, shared)
    await diagnostics_where(client, journey, lambda ds: not any(d.code == "CJ101" for d in ds))
    close_document(client, journey)


async def test_settings_come_from_the_projects_cjdsl_toml(client: Client, workspace: Path) -> None:
    root = project(workspace, "settings", {"shared.journey": SHARED, "shop.journey": SHOP})
    (root / "cjdsl.toml").write_text(
        'ignore = ["missing-owner"]\n[rules.journey-ends-at-purchase]\nseverity = "error"\n', encoding="utf-8"
    )
    target = open_document(client, root / "shop.journey")
    found = {d.code: d for d in await diagnostics(client, target, 1)}
    assert "CJ219" not in found and found["CJ207"].severity == lsp.DiagnosticSeverity.Error
    # The settings change on disk; the editor says so.
    (root / "cjdsl.toml").write_text("strict = true\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams([lsp.FileEvent(uri(root / "cjdsl.toml"), lsp.FileChangeType.Changed)])
    )
    again = await diagnostics_where(client, target, lambda ds: any(d.code == "CJ219" for d in ds))
    assert {d.code: d for d in again}["CJ207"].severity == lsp.DiagnosticSeverity.Warning
    (root / "cjdsl.toml").write_text("select = [\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams([lsp.FileEvent(uri(root / "cjdsl.toml"), lsp.FileChangeType.Changed)])
    )
    (bad,) = await diagnostics_where(client, target, lambda ds: len(ds) == 1 and "invalid TOML" in ds[0].message)
    assert bad.severity == lsp.DiagnosticSeverity.Error and bad.range.start == lsp.Position(0, 0)
    close_document(client, target)


async def test_suppressions_are_those_of_cjdsl_check(client: Client, workspace: Path) -> None:
    text = SHOP.replace(
        '  touchpoint call "Calls sales" {\n',
        '  touchpoint call "Calls sales" {\n'
        '    allow missing-owner "the sales line has no team yet"\n'
        '    allow dead-end "nothing is left to do"\n',
    )
    root = project(workspace, "allow", {"shared.journey": SHARED, "shop.journey": text})
    target = open_document(client, root / "shop.journey")
    found = await diagnostics(client, target, 1)
    codes = [d.code for d in found]
    assert "CJ219" not in codes and "CJ250" in codes  # silenced; and an `allow` that silences nothing
    (unused,) = [d for d in found if d.code == "CJ250"]
    assert unused.range.start.line == text.split("\n").index('    allow dead-end "nothing is left to do"')
    close_document(client, target)


async def test_only_the_changed_file_is_parsed_again(client: Client, workspace: Path) -> None:
    root = workspace / "many"
    target = open_document(client, root / "a.journey")
    await diagnostics(client, target, 1)
    text = (root / "a.journey").read_text(encoding="utf-8")
    replace_all(client, target, text.replace('"Alpha"', '"Alpha, edited"'), 2)
    await diagnostics(client, target, 2)
    for _ in range(3000):  # the log line follows the diagnostics
        logs = [m.message for m in client.log_messages if "checked a.journey (version 2)" in m.message]
        if logs:
            break
        await asyncio.sleep(0.01)
    assert logs and logs[-1].endswith(f"1 of {STAGES + 2} files parsed, the others reused"), logs
    close_document(client, target)


# -- completion -------------------------------------------------------------------------------
async def complete(client: Client, target: str, pos: lsp.Position) -> list[lsp.CompletionItem]:
    result = await client.text_document_completion_async(lsp.CompletionParams(doc_id(target), pos))
    assert isinstance(result, lsp.CompletionList)
    return list(result.items)


async def completion_at(client: Client, path: Path, text: str, needle: str, shift: int = 0) -> list[lsp.CompletionItem]:
    """Completion at ``needle`` (+``shift``) of ``text``, open in place of ``path``."""
    target = open_document(client, path, text, version=7)
    await diagnostics(client, target, 7)
    try:
        return await complete(client, target, position_of(text, needle, shift))
    finally:
        close_document(client, target)


async def test_completion_offers_the_keywords_the_block_takes(client: Client, workspace: Path) -> None:
    root = project(workspace, "keywords", {"shared.journey": SHARED, "shop.journey": SHOP})
    text = SHOP.replace("    rating 2\n", "    rating 2\n    \n")
    items = await completion_at(client, root / "shop.journey", text, "    rating 2\n    \n", len("    rating 2\n    "))
    touchpoint = language.BLOCKS["touchpoint"]
    given = {"channel", "persona", "intent", "context", "need", "emotion", "rating"}
    expected = [a.keyword for a in touchpoint.attributes if a.kind == "block" or a.repeats or a.merges or a.keyword not in given]
    assert [i.label for i in items] == expected
    by_label = {i.label: i for i in items}
    assert by_label["owner"].detail == touchpoint.attribute("owner").doc  # type: ignore[union-attr]
    assert by_label["owner"].kind == lsp.CompletionItemKind.Keyword
    assert by_label["event"].insert_text_format == lsp.InsertTextFormat.Snippet
    # At the top level: the declarations.
    top = await completion_at(client, root / "shop.journey", SHOP + "\n", SHOP + "\n", len(SHOP) + 1)
    assert [i.label for i in top] == ["include", *(b.keyword for b in language.BLOCKS.values() if b.top_level)]
    # Typing a word: the client filters by the word; the edit replaces it.
    partial = SHOP.replace("    rating 2\n", "    rating 2\n    own\n")
    typed = await completion_at(client, root / "shop.journey", partial, "    own\n", len("    own"))
    owner = next(i for i in typed if i.label == "owner")
    assert (
        isinstance(owner.text_edit, lsp.TextEdit)
        and owner.text_edit.range.end.character - owner.text_edit.range.start.character == 3
    )


async def test_completion_offers_ids_of_the_right_kind_with_their_labels(client: Client, workspace: Path) -> None:
    root = project(workspace, "ids", {"shared.journey": SHARED, "shop.journey": SHOP})
    path = root / "shop.journey"

    async def labels(text: str, needle: str, shift: int) -> dict[str, str | None]:
        return {i.label: i.detail for i in await completion_at(client, path, text, needle, shift)}

    touchpoints = {"post": "Reads a post", "call": "Calls sales"}
    assert await labels(SHOP.replace("next call", "next "), "next ", 5) == touchpoints
    assert await labels(SHOP.replace("funnel post -> call", "funnel post -> "), "-> ", 3) == touchpoints
    assert await labels(SHOP.replace("funnel post -> call", "measures post, "), "post, ", 6) == touchpoints
    assert await labels(
        SHOP.replace(
            '    persona anna\n    intent learn\n    context "At her', '    persona \n    intent learn\n    context "At her'
        ),
        "persona \n",
        8,
    ) == {"anna": "Anna, HR Manager"}
    assert await labels(SHOP.replace("    channel phone", "    channel "), "channel \n", 8) == {
        "blog": "Company blog",
        "phone": "Sales line",
    }
    assert await labels(SHOP.replace("  owner marketing\n}\n\nstage", "  owner \n}\n\nstage"), "owner \n", 6) == {
        "marketing": "Marketing",
        "sales": "Sales",
    }
    assert await labels(
        SHOP.replace('    intent learn\n    context "At her', '    intent \n    context "At her'), "intent \n", 7
    ) == {"learn": "Wants to learn"}
    assert list(await labels(SHOP.replace("phase purchase", "phase "), "phase  {", 6)) == list(vocabulary.PHASES)
    pain = '    pain slow "Slow" {\n      severity \n    }\n'
    with_pain = SHOP.replace("    rating 2\n", "    rating 2\n" + pain)
    assert list(await labels(with_pain, "severity \n", 9)) == list(vocabulary.SEVERITIES)
    event = SHOP.replace("post_id string required", "post_id ")
    assert list(await labels(event, "post_id ", 8)) == list(vocabulary.PROPERTY_TYPES)
    top_pain = SHOP + '\npain slow "Slow" {\n  at \n}\n'
    assert await labels(top_pain, "  at \n", 5) == {
        "post": "Reads a post",
        "call": "Calls sales",
        "aware": "Awareness",
        "buy": "Buying",
    }
    allow = SHOP.replace("    rating 2\n", "    rating 2\n    allow \n")
    rules = await completion_at(client, path, allow, "allow \n", 6)
    assert "dead-end" in {i.label for i in rules} and all(i.kind == lsp.CompletionItemKind.Reference for i in rules)
    assert next(i for i in rules if i.label == "dead-end").detail.startswith("CJ210: ")
    # Inside a string or a comment: nothing.
    assert await labels(SHOP.replace('need "A price"', 'need "A pr'), 'need "A pr', 10) == {}


async def test_completion_sees_ids_across_includes_in_a_large_example(client: Client, workspace: Path) -> None:
    path = workspace / "examples" / "bank_mortgage" / "mortgage.journey"
    text = path.read_text(encoding="utf-8")
    items = await completion_at(
        client, path, text.replace("    persona priya\n", "    persona \n", 1), "    persona \n", len("    persona ")
    )
    assert {i.label for i in items} >= {"priya", "derek"}  # declared in shared.journey
    priya = next(i for i in items if i.label == "priya")
    assert priya.detail and priya.detail.startswith("Priya") and priya.kind == lsp.CompletionItemKind.Class


# -- hover ------------------------------------------------------------------------------------
async def hover_at(client: Client, target: str, text: str, needle: str, shift: int = 0, nth: int = 0) -> str | None:
    found = await client.text_document_hover_async(lsp.HoverParams(doc_id(target), position_of(text, needle, shift, nth)))
    if found is None:
        return None
    assert isinstance(found.contents, lsp.MarkupContent) and found.contents.kind == lsp.MarkupKind.Markdown
    return found.contents.value


async def test_hover_shows_the_declarations_label_and_summary(client: Client, workspace: Path) -> None:
    root = project(workspace, "hover", {"shared.journey": SHARED, "shop.journey": SHOP})
    target = open_document(client, root / "shop.journey")
    await diagnostics(client, target, 1)
    post = await hover_at(client, target, SHOP, "next call", 6)  # over a reference to `call`
    assert post is not None
    assert post.startswith("**touchpoint** `call` — Calls sales")
    assert "stage: Buying (`buy`)" in post and "channel: Sales line (`phone`), offline phone" in post
    assert "emotion: -1 impatient" in post and "rating: 2" in post
    anna = await hover_at(client, target, SHOP, "persona anna", 9)
    assert anna is not None and "**persona** `anna` — Anna, HR Manager" in anna and "role: HR Manager" in anna
    assert "shared.journey" in anna
    close_document(client, target)


async def test_hover_over_an_allow_shows_the_rules_explain_text(client: Client, workspace: Path) -> None:
    text = SHOP.replace(
        '  touchpoint call "Calls sales" {\n', '  touchpoint call "Calls sales" {\n    allow missing-owner "no team yet"\n'
    )
    root = project(workspace, "explain", {"shared.journey": SHARED, "shop.journey": text})
    target = open_document(client, root / "shop.journey")
    await diagnostics(client, target, 1)
    shown = await hover_at(client, target, text, "missing-owner", 3)
    assert shown is not None
    code, out, _ = invoke("explain", "missing-owner")
    assert code == 0
    assert shown.startswith("**CJ219 missing-owner**")
    assert out.split("\n\n", 2)[2].strip() in shown  # the documentation `cjdsl explain` prints
    assert "This line silences 1 finding in this file." in shown
    close_document(client, target)


async def test_hover_shows_user_text_as_inert_markdown(client: Client, workspace: Path) -> None:
    hostile = SHARED.replace('"Anna, HR Manager"', '"[click](https://evil.example) <img src=x onerror=alert(1)> *bold* `code`"')
    root = project(workspace, "inert", {"shared.journey": hostile, "shop.journey": SHOP})
    target = open_document(client, root / "shop.journey")
    await diagnostics(client, target, 1)
    shown = await hover_at(client, target, SHOP, "persona anna", 9)
    assert shown is not None
    label = shown.split("\n")[0]
    assert "<img" not in label and "&lt;img" in label
    assert "[click](" not in label and "\\[click\\]" in label
    assert "*bold*" not in label and "`code`" not in label
    close_document(client, target)
