"""Times the language server as an editor feels it, through a real LSP client over stdio.

    python benchmarks/lsp_latency.py [--edits 20] [--big 2000] [--big-edits 10] [--format table|json]
    python benchmarks/lsp_latency.py --transcript          # a short session, message by message

* diagnostics: from sending a `didChange` to receiving the `publishDiagnostics` of that
  version, debounce included, on the largest example (median of ``--edits`` edits; each
  edit changes one label, as typing does) and on a generated journey of ``--big``
  touchpoints (`benchmarks/generate.py`);
* completion: from request to answer on the largest example, for ids after `next` and for
  keywords at the start of a statement (median of 20 each), with the server idle.

The client is pytest-lsp's (pygls), the server `python -m cjdsl lsp`. Timings are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from lsprotocol import types as lsp  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

EXAMPLES = ROOT / "examples"
#: The README's 30-second example, for the transcript.
README_EXAMPLE = """journey hr "HR SaaS: from first visit to referral" {
  version "1.0"
  owner marketing
}

team marketing "Marketing"
persona anna "Anna, HR Manager" { role "HR Manager" }
channel blog "Company blog" online web

stage awareness "Awareness" phase awareness {
  touchpoint blog_post "Reads an article on hiring speed" {
    channel blog
    persona anna
    entry
    need "Understand why hiring is slow"
    emotion +1 "curious"
    rating 4
    next report_download
  }
}
"""


class Client(LanguageClient):
    """Notes when each version's diagnostics arrive."""

    arrived: dict[tuple[str, int | None], float]


def _published(client: Client, params: lsp.PublishDiagnosticsParams) -> None:
    client.arrived[(params.uri, params.version)] = time.perf_counter()
    client.diagnostics[params.uri] = params.diagnostics


def _registered(client: Client, params: lsp.RegistrationParams) -> None:
    pass


def make_client() -> Client:
    client = Client(converter_factory=default_converter)
    client.arrived = {}
    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _published,
            lsp.CLIENT_REGISTER_CAPABILITY: _registered,
        },
    )
    return client


async def start(folder: Path) -> Client:
    config = ClientServerConfig([sys.executable, "-m", "cjdsl", "lsp"], client_factory=make_client)
    client = await config.start()
    assert isinstance(client, Client)
    await client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[lsp.WorkspaceFolder(str(from_fs_path(str(folder))), folder.name)],
        )
    )
    return client


async def until(client: Client, key: tuple[str, int | None], timeout: float = 120) -> float:
    deadline = time.monotonic() + timeout
    while key not in client.arrived:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no diagnostics for {key}")
        await asyncio.sleep(0.001)
    return client.arrived[key]


def _position(text: str, offset: int) -> lsp.Position:
    start = text.rfind("\n", 0, offset) + 1
    return lsp.Position(text.count("\n", 0, offset), len(text[start:offset].encode("utf-16-le")) // 2)


async def diagnostics_latency(path: Path, edits: int) -> list[float]:
    """Seconds from each didChange to the diagnostics of its version."""
    client = await start(path.parent)
    try:
        uri = str(from_fs_path(str(path)))
        text = path.read_text(encoding="utf-8")
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "journey", 1, text)))
        await until(client, (uri, 1))
        await asyncio.sleep(1.0)  # let the project's index settle, as an editor idles after opening
        # Each edit types one character into a label, then the next one takes it back.
        at = text.index('"', text.index("touchpoint ")) + 1
        pos = _position(text, at)
        out = []
        for i in range(edits):
            version = i + 2
            if i % 2 == 0:
                change = lsp.TextDocumentContentChangePartial(range=lsp.Range(pos, pos), text="x")
            else:
                end = lsp.Position(pos.line, pos.character + 1)
                change = lsp.TextDocumentContentChangePartial(range=lsp.Range(pos, end), text="")
            sent = time.perf_counter()
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(version=version, uri=uri), [change])
            )
            out.append(await until(client, (uri, version)) - sent)
        await client.shutdown_session()
        return out
    finally:
        await client.stop()


async def completion_latency(path: Path, repeat: int) -> dict[str, list[float]]:
    """Seconds per completion request: ids after `next`, keywords at a statement's start."""
    client = await start(path.parent)
    try:
        uri = str(from_fs_path(str(path)))
        text = path.read_text(encoding="utf-8")
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "journey", 1, text)))
        await until(client, (uri, 1))
        await asyncio.sleep(1.0)
        places = {
            "ids after `next`": _position(text, text.index("next ") + len("next ")),
            "keywords": _position(text, text.index("\n", text.index("touchpoint ")) + 1),
        }
        out: dict[str, list[float]] = {}
        for name, pos in places.items():
            times = []
            for _ in range(repeat):
                sent = time.perf_counter()
                result = await client.text_document_completion_async(lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), pos))
                times.append(time.perf_counter() - sent)
                assert result is not None and result.items  # type: ignore[union-attr]
            out[name] = times
        await client.shutdown_session()
        return out
    finally:
        await client.stop()


def _short(value: Any) -> Any:
    """Long strings and lists cut, for a transcript that reads."""
    if isinstance(value, str) and len(value) > 72:
        return value[:69] + "..."
    if isinstance(value, list):
        shown = [_short(v) for v in value[:3]]
        return [*shown, f"... {len(value) - 3} more"] if len(value) > 3 else shown
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    return value


async def transcript() -> list[str]:
    """initialize, didOpen, publishDiagnostics, completion and hover, as sent and received."""
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "cjdsl.toml").write_text("", encoding="utf-8")
        path = root / "hr.journey"
        path.write_text(README_EXAMPLE, encoding="utf-8")
        client = make_client()
        proto = client.protocol
        send, receive = proto._send_data, proto.handle_message

        def log(arrow: str, message: Any) -> None:
            data = json.loads(json.dumps(message, default=proto._serialize_message))
            if data.get("method") in ("window/logMessage", "client/registerCapability") or (
                "result" in data and data.get("result") is None and "id" in data
            ):
                return
            if data.get("method") == "initialize":
                data["params"]["capabilities"] = "(Visual Studio Code 1.65's)"
            if isinstance(data.get("result"), dict) and "capabilities" in data["result"]:
                data["result"]["capabilities"] = dict.fromkeys(data["result"]["capabilities"], "...")
            data.pop("jsonrpc", None)
            lines.append(f"{arrow} {json.dumps(_short(data), ensure_ascii=False)}")

        def sending(data: Any) -> None:
            log("-->", data)
            send(data)

        def receiving(message: Any) -> None:
            log("<--", message)
            receive(message)

        proto._send_data = sending  # type: ignore[method-assign]
        proto.handle_message = receiving  # type: ignore[method-assign]
        await client.start_io(sys.executable, "-m", "cjdsl", "lsp")
        try:
            await client.initialize_session(
                lsp.InitializeParams(
                    capabilities=client_capabilities("visual-studio-code"),
                    workspace_folders=[lsp.WorkspaceFolder(str(from_fs_path(folder)), "hr")],
                )
            )
            uri = str(from_fs_path(str(path)))
            client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "journey", 1, README_EXAMPLE)))
            await until(client, (uri, 1))
            document = lsp.TextDocumentIdentifier(uri)
            after_persona = _position(README_EXAMPLE, README_EXAMPLE.index("    persona anna") + len("    persona "))
            await client.text_document_completion_async(lsp.CompletionParams(document, after_persona))
            on_blog = _position(README_EXAMPLE, README_EXAMPLE.index("    channel blog") + len("    channel b"))
            await client.text_document_hover_async(lsp.HoverParams(document, on_blog))
            await client.shutdown_session()
        finally:
            await client.stop()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=20, help="edits of the largest example (default 20)")
    parser.add_argument("--big", type=int, default=2000, help="touchpoints of the generated journey (default 2000; 0: skip)")
    parser.add_argument("--big-edits", type=int, default=10, help="edits of the generated journey (default 10)")
    parser.add_argument("--repeat", type=int, default=20, help="completion requests of each kind (default 20)")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("--transcript", action="store_true", help="print a short session instead of timing")
    args = parser.parse_args()
    if args.transcript:
        print("\n".join(asyncio.run(transcript())))
        return
    largest = max((p for p in EXAMPLES.rglob("*.journey")), key=lambda p: p.stat().st_size)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "examples"
        copy.mkdir()
        (copy / "cjdsl.toml").write_text("", encoding="utf-8")
        target = copy / largest.name
        target.write_text(largest.read_text(encoding="utf-8"), encoding="utf-8")
        (copy / "tracking.lock.json").write_text((EXAMPLES / "tracking.lock.json").read_text(encoding="utf-8"), encoding="utf-8")
        seconds = asyncio.run(diagnostics_latency(target, args.edits))
        rows.append(_row(f"diagnostics after didChange: {largest.name} ({target.stat().st_size / 1024:.0f} kB)", seconds, 0.150))
        for name, times in asyncio.run(completion_latency(target, args.repeat)).items():
            rows.append(_row(f"completion, {name}: {largest.name}", times, 0.050))
        if args.big:
            big = Path(folder) / "big"
            big.mkdir()
            (big / "cjdsl.toml").write_text("", encoding="utf-8")
            path = big / f"generated_{args.big}.journey"
            path.write_text(generate(args.big, seed=0), encoding="utf-8")
            seconds = asyncio.run(diagnostics_latency(path, args.big_edits))
            size = path.stat().st_size / 2**20
            rows.append(_row(f"diagnostics after didChange: {args.big:,} touchpoints ({size:.1f} MB)", seconds, 1.5))
    if args.format == "json":
        for row in rows:
            print(json.dumps(row))
        return
    width = max(len(r["what"]) for r in rows)
    print(f"{'what'.ljust(width)}  {'n':>3}  {'median':>8}  {'min':>8}  {'max':>8}  target")
    for r in rows:
        print(
            f"{r['what'].ljust(width)}  {r['n']:>3}  {r['median_ms']:>6.0f}ms  {r['min_ms']:>6.0f}ms  {r['max_ms']:>6.0f}ms"
            f"  {r['target_ms']:.0f}ms"
        )


def _row(what: str, seconds: list[float], target: float) -> dict[str, Any]:
    return {
        "what": what,
        "n": len(seconds),
        "median_ms": statistics.median(seconds) * 1000,
        "min_ms": min(seconds) * 1000,
        "max_ms": max(seconds) * 1000,
        "target_ms": target * 1000,
    }


if __name__ == "__main__":
    main()
