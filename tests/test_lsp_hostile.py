"""`cjdsl lsp` with hostile workspaces, other position encodings, and the command
itself: nothing is read from outside the workspace (links to files, settings or a
lock elsewhere are refused and said so), a FIFO, binary junk or a file of 100,000
braces neither crash nor hang the server, positions are right in UTF-8, UTF-16 and
UTF-32, and `cjdsl lsp` without pygls exits 2 with a clear message."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp

from tests.conftest import EXAMPLES, invoke, write
from tests.test_lsp import (
    CONFIG,
    SHARED,
    SHOP,
    Client,
    close_document,
    diagnostics,
    doc_id,
    initialize,
    open_document,
    position_of,
)

#: The async tests share the module's event loop, and its server.
async_test = pytest.mark.asyncio(loop_scope="module")
SECRET = "TOP-SECRET-OUTSIDE-THE-WORKSPACE"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace folder of projects that try to make the server read elsewhere, and
    the folder elsewhere."""
    base = tmp_path_factory.mktemp("hostile")
    outside = base / "outside"
    write(
        outside,
        {
            "secret.journey": f'persona secret "{SECRET}"\nteam secret_team "{SECRET}"\n',
            "cjdsl.toml": 'ignore = ["missing-owner"]\n',
            "tracking.lock.json": (EXAMPLES / "tracking.lock.json").read_text(encoding="utf-8"),
        },
    )
    ws = base / "ws"
    links = ws / "links"
    write(links, {"cjdsl.toml": "", "shared.journey": SHARED, "shop.journey": SHOP, "loose.journey": 'team lonely "Lonely"\n'})
    (links / "leak.journey").symlink_to(outside / "secret.journey")
    (links / "lock").mkdir()
    write(links / "lock", {"cjdsl.toml": "", "shared.journey": SHARED, "shop.journey": SHOP})
    (links / "lock" / "tracking.lock.json").symlink_to(outside / "tracking.lock.json")
    write(ws / "settings", {"shared.journey": SHARED, "shop.journey": SHOP})
    (ws / "settings" / "cjdsl.toml").symlink_to(outside / "cjdsl.toml")
    write(ws / "junk", {"cjdsl.toml": "", "shared.journey": SHARED, "shop.journey": SHOP})
    os.mkfifo(ws / "junk" / "fifo.journey")
    (ws / "junk" / "binary.journey").write_bytes(bytes(range(256)) * 64)
    (ws / "junk" / "braces.journey").write_text("stage s {" * 100_000, encoding="utf-8")
    (ws / "junk" / "line.journey").write_text("persona " + "a" * 1_000_000 + "\n", encoding="utf-8")
    return base


@pytest_lsp.fixture(scope="module", config=CONFIG)
async def client(lsp_client: Client, hostile: Path) -> AsyncIterator[None]:
    await initialize(lsp_client, [hostile / "ws"])
    yield
    await lsp_client.shutdown_session()


def everything_said(client: Client) -> str:
    """Every diagnostic message and log line the server sent."""
    parts = [d.message for p in client.published for d in p.diagnostics]
    parts += [r.message for p in client.published for d in p.diagnostics for r in d.related_information or ()]
    parts += [m.message for m in client.log_messages]
    return "\n".join(parts)


@async_test
async def test_a_link_out_of_the_workspace_is_not_read(client: Client, hostile: Path) -> None:
    links = hostile / "ws" / "links"
    # A loose file makes the server look through the whole project, links included.
    loose = open_document(client, links / "loose.journey")
    (orphan,) = await diagnostics(client, loose, 1)
    assert orphan.code == "CJ155"
    close_document(client, loose)
    # An include of the link.
    text = 'include "leak.journey"\n' + SHOP
    shop = open_document(client, links / "shop.journey", text)
    found = await diagnostics(client, shop, 1)
    (outside,) = [d for d in found if d.code == "CJ152"]
    assert outside.message.startswith('include "leak.journey" leaves the project root')
    items = await client.text_document_completion_async(
        lsp.CompletionParams(doc_id(shop), position_of(text, "    persona anna", len("    persona ")))
    )
    assert items is not None and "secret" not in {i.label for i in items.items}  # type: ignore[union-attr]
    symbols = await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="secret"))
    assert not symbols
    close_document(client, shop)
    # The editor may open the link itself: the server refuses the file, not the editor's text.
    leak = open_document(client, links / "leak.journey", f'persona secret "{SECRET}"\n')
    (refused,) = await diagnostics(client, leak, 1)
    assert refused.code == "CJ006" and "outside the project root: it was not read" in refused.message
    close_document(client, leak)
    assert SECRET not in everything_said(client)


@async_test
async def test_settings_and_a_lock_reached_through_a_link_are_not_read(client: Client, hostile: Path) -> None:
    settings = open_document(client, hostile / "ws" / "settings" / "shop.journey")
    (refused,) = await diagnostics(client, settings, 1)
    assert "a link to a settings file outside the workspace: not read" in refused.message
    assert refused.severity == lsp.DiagnosticSeverity.Error
    close_document(client, settings)
    lock = open_document(client, hostile / "ws" / "links" / "lock" / "shop.journey")
    found = await diagnostics(client, lock, 1)
    assert "CJ301" not in {d.code for d in found}  # the lock outside would make it stale
    close_document(client, lock)
    # The same lock inside the project is read.
    inside = hostile / "ws" / "junk"
    (inside / "tracking.lock.json").write_text((EXAMPLES / "tracking.lock.json").read_text(encoding="utf-8"), encoding="utf-8")
    read = open_document(client, inside / "shop.journey")
    assert "CJ301" in {d.code for d in await diagnostics(client, read, 1)}
    close_document(client, read)
    (inside / "tracking.lock.json").unlink()


@async_test
async def test_junk_in_the_workspace_neither_crashes_nor_hangs_the_server(client: Client, hostile: Path) -> None:
    junk = hostile / "ws" / "junk"
    shared = open_document(client, junk / "shared.journey")  # reads every file of the project: the FIFO too
    await diagnostics(client, shared, 1)
    close_document(client, shared)
    for name in ("braces.journey", "line.journey"):
        text = (junk / name).read_text(encoding="utf-8")
        target = open_document(client, junk / name, text)
        found = await diagnostics(client, target, 1)
        assert found and all(d.source == "cjdsl" for d in found)
        end = position_of(text, text[-1], 1, text.count(text[-1]) - 1)
        assert await client.text_document_completion_async(lsp.CompletionParams(doc_id(target), end)) is not None
        await client.text_document_hover_async(lsp.HoverParams(doc_id(target), end))
        await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(doc_id(target)))
        await client.text_document_folding_range_async(lsp.FoldingRangeParams(doc_id(target)))
        close_document(client, target)
    binary = open_document(client, junk / "binary.journey", (junk / "binary.journey").read_bytes().decode("latin-1"))
    (nul,) = await diagnostics(client, binary, 1)
    assert nul.code == "CJ006" and "NUL byte" in nul.message and nul.range.start == lsp.Position(0, 0)
    close_document(client, binary)
    # Still answering, and nothing went wrong inside.
    assert await client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="lonely")) is not None
    assert "internal error" not in everything_said(client)


# -- position encodings -------------------------------------------------------------------------
#: A label with a character outside the BMP (4 UTF-8 bytes, 2 UTF-16 units), then an
#: unknown reference on the same line.
EMOJI = SHOP.replace('touchpoint call "Calls sales" {', 'touchpoint call "Calls 📞 sales" { owner nobody')


@pytest.mark.parametrize(("encoding", "width"), [("utf-8", 4), ("utf-16", 2), ("utf-32", 1)])
@async_test
async def test_positions_count_in_the_encoding_the_client_asked_for(encoding: str, width: int, tmp_path: Path) -> None:
    write(tmp_path, {"cjdsl.toml": "", "shared.journey": SHARED, "shop.journey": EMOJI})
    client = await CONFIG.start()
    assert isinstance(client, Client)
    try:
        caps = lsp.ClientCapabilities(general=lsp.GeneralClientCapabilities(position_encodings=[encoding]))
        result = await initialize(client, [tmp_path], caps)
        assert result.capabilities.position_encoding == encoding
        target = open_document(client, tmp_path / "shop.journey")
        found = await diagnostics(client, target, 1)
        (unknown,) = [d for d in found if d.code == "CJ101"]
        line = EMOJI.split("\n")[unknown.range.start.line]
        column = line.index("nobody")
        assert unknown.range.start.character == column - 1 + width  # the emoji before it
        assert unknown.range.end.character - unknown.range.start.character == len("nobody")
        # And back: hover at the id finds it in the same units.
        at = lsp.Position(unknown.range.start.line, unknown.range.start.character + 2)
        shown = await client.text_document_hover_async(lsp.HoverParams(doc_id(target), at))
        assert shown is not None and "unknown team `nobody`" in shown.contents.value  # type: ignore[union-attr]
        await client.shutdown_session()
    finally:
        await client.stop()


# -- the command ------------------------------------------------------------------------------------
def test_cjdsl_lsp_without_pygls_exits_2_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)
    code, out, err = invoke("lsp")
    assert code == 2 and out == ""
    assert err == "cjdsl: error: the language server needs pygls and lsprotocol: pip install 'cjdsl[lsp]'\n"


def test_cjdsl_lsp_has_help_and_is_listed() -> None:
    code, out, _ = invoke("lsp", "--help")
    assert code == 0 and "Language Server Protocol" in out and "--stdio" in out
    code, out, _ = invoke("--help")
    assert code == 0 and "lsp" in out


@async_test
async def test_the_server_exits_cleanly_when_asked() -> None:
    client = await CONFIG.start()
    try:
        await initialize(client, [])
        await client.shutdown_session()
        assert client._server is not None and client._server.returncode == 0
    finally:
        await client.stop()
