"""Bytes → text, with diagnostics instead of exceptions (pure), and
:func:`load_source`, everything done to one file on its own (read through
:mod:`cjdsl.fs`, decode, parse, check values), which the project and the worker
processes of ``--jobs`` both call."""

from __future__ import annotations

from pathlib import Path

from .. import fs
from ..core.diagnostics import Diagnostic, make
from ..core.span import LineIndex, Span
from ..language.parser import ParseResult, parse
from ..language.values import check_document
from .resolve import SourceFile

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def size(n: int) -> str:
    """A byte count for people: 1.5 MB, 12.0 kB, 300 bytes."""
    if n >= 2**20:
        return f"{n / 2**20:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} kB"
    return f"{n} bytes"


def too_large(path: str, length: int, max_bytes: int) -> Diagnostic:
    return make(
        "CJ007",
        f"the file is {size(length)}; the limit is {size(max_bytes)}",
        Span(path),
        help="split the journey into files joined with `include`, or raise `max_file_size_mb` in cjdsl.toml",
    )


def not_regular(path: str) -> Diagnostic:
    return make(
        "CJ006",
        "not a regular file (a folder, FIFO, device or socket, or a link loop): it was not read",
        Span(path),
        help="name a .journey text file; cjdsl reads only regular files, so a FIFO cannot make it wait forever",
    )


def decode_source(data: bytes, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str | None, Diagnostic | None]:
    """The text of a source file, or a diagnostic saying why it cannot be read."""
    if len(data) > max_bytes:
        return None, too_large(path, len(data), max_bytes)
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        column = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        return None, make(
            "CJ006",
            "the file contains a NUL byte: it looks binary, not a .journey text file",
            Span.at(path, line, column),
            help="check that the path names a .journey text file",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        prefix = data[: err.start].decode("utf-8", "replace")
        index = LineIndex(prefix)
        line, column = index.position(len(prefix))
        return None, make(
            "CJ006",
            f"the file is not valid UTF-8: {err.reason} (byte 0x{data[err.start]:02X})",
            Span.at(path, line, column),
            help="save the file as UTF-8 (the encoding every .journey file uses)",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


def refused(path: str, got: fs.Read, max_file_size: int) -> Diagnostic:
    """The diagnostic for a source that was not read: too large (CJ007) or not a regular file (CJ006)."""
    return too_large(path, got.size, max_file_size) if got.problem == "too-large" else not_regular(path)


def load_source(location: Path, path: str, max_file_size: int, got: fs.Read | None = None) -> tuple[SourceFile, list[Diagnostic]]:
    """Reads, decodes, parses and checks the structure of one file: everything done
    to a file on its own, so files can go through it in parallel. ``got``: the file's
    bytes when the caller has them already (an editor's unsaved text)."""
    if got is None:
        got = fs.read_source(location, max_file_size)
    if got.problem == "missing":
        return SourceFile(location, path, None), []
    if got.data is None:
        refusal = refused(path, got, max_file_size)
        return SourceFile(location, path, ParseResult(None, (), (), LineIndex("")), refusal), [refusal]
    text, problem = decode_source(got.data, path, max_file_size)
    del got  # the bytes are not needed past here: 13 MB less at the peak of a big file
    if text is None:
        return SourceFile(location, path, ParseResult(None, (), (), LineIndex("")), problem), [problem] if problem else []
    result = parse(text, path)
    diagnostics = list(result.diagnostics)
    if result.document is not None:
        diagnostics.extend(check_document(result.document))
    return SourceFile(location, path, result), diagnostics
