"""Reading a workbook (.xlsx) or a CSV file into grids of cell values, within limits.

A workbook may be hostile (a file from a pull request, or mailed in): before openpyxl
parses anything, :func:`preflight` looks at the zip's directory and streams through its
parts, and refuses

* anything but an .xlsx workbook: an .xls, .xlsb or password-protected file, a zip that
  is not a workbook;
* a workbook with macros (an .xlsm's ``vbaProject.bin`` or a macro sheet), whatever its
  name says;
* more than :data:`MAX_PARTS` parts, more than :data:`MAX_UNCOMPRESSED` bytes
  uncompressed (zip bombs: the sizes the zip declares are what is decompressed at most,
  and what is read is counted), a DOCTYPE in any XML part (entity expansion);
* more than :data:`MAX_CELLS` cells in all (each is kept in memory; the sheets are read
  cell by cell, never row by column, so a cell far out costs what a near one does).

Links to other workbooks are never followed (openpyxl does not load them); they are
reported. Formulas are never evaluated: a formula cell gives the value the spreadsheet
application saved with it, or none. Pure: bytes in, grids out.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .sheets import Value

#: The largest workbook or CSV file read, in bytes.
MAX_FILE_BYTES = 20 * 2**20
#: The most a workbook's parts may hold, uncompressed, in all.
MAX_UNCOMPRESSED = 100 * 2**20
MAX_PARTS = 2000
#: Cells in all the sheets of one workbook (openpyxl reads 20,000 to 40,000 a second and
#: keeps each in memory: about 120 MB for a million).
MAX_CELLS = 1_000_000
#: A spreadsheet's own limits: a cell beyond them is a damaged or forged file.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_SHEETS = 250


class WorkbookError(ValueError):
    """A file that is not read at all, with the reason in words."""


class MissingOpenpyxl(RuntimeError):
    """openpyxl is not installed (the `xlsx` extra)."""


@functools.lru_cache(maxsize=4096)
def column_letter(col: int) -> str:
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def address(sheet: str, row: int, col: int | None = None) -> str:
    """How messages name a cell (``touchpoints!F12``), a row (``touchpoints!12``) or a
    sheet; a sheet name that is not one plain word is quoted, as spreadsheets write it."""
    name = _sheet_name(sheet)
    if row <= 0:
        return name
    return f"{name}!{column_letter(col)}{row}" if col is not None else f"{name}!{row}"


@functools.lru_cache(maxsize=256)
def _sheet_name(sheet: str) -> str:
    return sheet if re.fullmatch(r"[A-Za-z0-9_.]+", sheet) else "'" + sheet.replace("'", "''") + "'"


@dataclass
class Grid:
    """One sheet (or CSV file): its non-empty cells by (row, column), both from 1."""

    name: str
    cells: dict[tuple[int, int], Value] = field(default_factory=dict)
    #: Merged ranges: (first row, first column, last row, last column).
    merged: tuple[tuple[int, int, int, int], ...] = ()
    #: Formula cells: their formula's text (their value, when saved, is in ``cells``).
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    #: Cells that hold a spreadsheet error (#N/A, #REF!, ...).
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden: bool = False

    def where(self, row: int, col: int | None = None) -> str:
        return address(self.name, row, col)

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    @property
    def max_col(self) -> int:
        return max((c for _, c in self.cells), default=0)

    def rows(self) -> Iterator[tuple[int, dict[int, Value]]]:
        """The rows that hold anything, in order, each as column → value."""
        by_row: dict[int, dict[int, Value]] = {}
        for (r, c), value in self.cells.items():
            by_row.setdefault(r, {})[c] = value
        for r in sorted(by_row):
            yield r, dict(sorted(by_row[r].items()))


@dataclass
class Book:
    grids: list[Grid]
    #: What the reader noticed that is not an error (external links).
    notes: list[str] = field(default_factory=list)


# -- preflight -------------------------------------------------------------------------

_MACRO_TYPES = (b"macroEnabled", b"vbaProject", b"ms-excel.macrosheet", b"ms-excel.intlmacrosheet")
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)
_CELL_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?c[\s>/]")


@dataclass
class Preflight:
    external_links: int = 0
    cells: int = 0


def preflight(data: bytes) -> Preflight:
    """Checks a workbook's zip before it is parsed (see the module's docstring); raises
    :class:`WorkbookError`."""
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookError(f"larger than {MAX_FILE_BYTES // 2**20} MB")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise WorkbookError(
            "an .xls workbook or a password-protected one: cjdsl reads .xlsx workbooks; save it as "
            "'Excel Workbook (.xlsx)' without a password"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as err:
        raise WorkbookError(f"not an .xlsx workbook (not a zip file: {err})") from None
    if len(infos) > MAX_PARTS:
        raise WorkbookError(f"the workbook has {len(infos):,} parts; at most {MAX_PARTS:,} are read")
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNCOMPRESSED:
        raise WorkbookError(
            f"the workbook holds {declared / 2**20:,.0f} MB uncompressed; at most {MAX_UNCOMPRESSED // 2**20} MB are read"
        )
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
        raise WorkbookError("not an .xlsx workbook (a zip file without a workbook in it)")
    if any(n.lower().endswith("vbaproject.bin") or n.startswith(("xl/macrosheets/", "xl/dialogsheets/")) for n in names):
        raise WorkbookError("a workbook with macros (.xlsm): cjdsl does not read workbooks with macros; save it as .xlsx")
    if any(n.endswith(".bin") and n.startswith("xl/worksheets/") for n in names) or "xl/workbook.bin" in names:
        raise WorkbookError("a binary workbook (.xlsb): save it as 'Excel Workbook (.xlsx)'")
    found = Preflight(external_links=sum(1 for n in names if n.startswith("xl/externalLinks/") and n.endswith(".xml")))
    for info in infos:
        if info.filename.endswith("/"):
            continue
        is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
        is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        if not is_xml:
            continue
        try:
            with archive.open(info) as part:
                tail = b""
                while chunk := part.read(1 << 20):
                    window = tail + chunk
                    if info.filename == "[Content_Types].xml" and any(t in window for t in _MACRO_TYPES):
                        raise WorkbookError(
                            "a workbook with macros (.xlsm): cjdsl does not read workbooks with macros; save it as .xlsx"
                        )
                    if _DOCTYPE.search(window):
                        raise WorkbookError(f"{info.filename}: a DOCTYPE in a workbook part (workbooks have none); not read")
                    if is_sheet:
                        found.cells += len(_CELL_TAG.findall(window, len(tail) - 8 if len(tail) >= 8 else 0))
                        if found.cells > MAX_CELLS:
                            raise WorkbookError(f"the workbook has more than {MAX_CELLS:,} cells; at most {MAX_CELLS:,} are read")
                    tail = window[-24:]
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as err:
            raise WorkbookError(f"{info.filename}: cannot be read ({err})") from None
    return found


# -- workbooks -------------------------------------------------------------------------


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - the test extra installs it
        raise MissingOpenpyxl("reading and writing workbooks needs openpyxl: pip install 'cjdsl[xlsx]'") from None
    return openpyxl


def _load(data: bytes, *, data_only: bool) -> Any:
    openpyxl = _openpyxl()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Data Validation extension is not supported" and the like
        try:
            return openpyxl.load_workbook(
                io.BytesIO(data), read_only=False, data_only=data_only, keep_vba=False, keep_links=False, rich_text=False
            )
        except Exception as err:  # openpyxl raises many kinds for a damaged file
            raise WorkbookError(f"cannot read the workbook: {type(err).__name__}: {str(err)[:200]}") from None


def _cells(ws: Any) -> Iterator[Any]:
    # The sheet's cells as openpyxl holds them (only those the file has): iterating
    # rows and columns would visit every empty cell up to the farthest one.
    yield from ws._cells.values()


def read_workbook(data: bytes, sheets: Sequence[str] | None = None) -> Book:
    """The sheets of an .xlsx workbook (those named, or all) as grids. Raises
    :class:`WorkbookError` for a file that is not read at all, and
    :class:`MissingOpenpyxl`."""
    checked = preflight(data)
    wb = _load(data, data_only=False)
    book = Book([])
    if checked.external_links:
        book.notes.append(
            f"the workbook links to {checked.external_links} other workbook(s); links are not followed, and a formula "
            "that uses one gives the value saved with it"
        )
    if len(wb.worksheets) > MAX_SHEETS:
        raise WorkbookError(f"the workbook has {len(wb.worksheets)} sheets; at most {MAX_SHEETS} are read")
    cached: Any = None
    for ws in wb.worksheets:
        if sheets is not None and ws.title not in sheets:
            continue
        grid = Grid(str(ws.title), hidden=ws.sheet_state != "visible")
        for cell in _cells(ws):
            row, col = cell.row, cell.column
            if row > MAX_ROWS or col > MAX_COLUMNS:
                raise WorkbookError(f"{address(grid.name, row, col)}: a cell beyond the last row or column a spreadsheet has")
            value = cell.value
            if value is None:
                continue
            if cell.data_type == "f":
                grid.formulas[(row, col)] = value if isinstance(value, str) else getattr(value, "text", "") or "="
                continue
            if cell.data_type == "e":
                grid.errors[(row, col)] = str(value)
                continue
            if isinstance(value, str):
                value = unescape(value)
            grid.cells[(row, col)] = value
        grid.merged = tuple(sorted((r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges))
        if grid.formulas:
            if cached is None:
                cached = _load(data, data_only=True)
            saved = cached[ws.title]
            for row, col in grid.formulas:
                value = saved.cell(row, col).value
                if value is not None:
                    grid.cells[(row, col)] = unescape(value) if isinstance(value, str) else value
        book.grids.append(grid)
    return book


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """A workbook's text as written: ``_xHHHH_`` is the character HHHH (how workbooks
    store characters XML cannot hold, and ``_x005F_`` an underscore that starts such a
    sequence)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


_NEEDS_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    """Text for a workbook cell: a sequence that reads as ``_xHHHH_`` gets its underscore
    written ``_x005F_``, and characters XML cannot hold (and a carriage return, which
    XML would turn into a line feed) are written ``_xHHHH_``, as Excel writes them."""
    return _NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


# -- CSV -------------------------------------------------------------------------------

#: What the export puts before a text that a spreadsheet would read as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Value) -> str:
    """A cell for a CSV file that spreadsheets will not run as a formula: text that
    starts like one (or with the quote that marks text) gets a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (int, float)):
        from .sheets import number_text

        return number_text(value)
    text = str(value)
    return "'" + text if text.startswith((*FORMULA_START, "'")) else text


def csv_value(text: str) -> str | None:
    """A CSV cell as the export wrote it: the leading `'` that kept a formula-like text
    inert taken off again."""
    if text and text[0] == "'" and text[1:2] and text[1] in "=+-@\t\r'":
        return text[1:]
    return text if text != "" else None


def read_csv(data: bytes, name: str) -> Grid:
    """A CSV file as a grid named ``name``. UTF-8 (with or without a byte order mark);
    the delimiter (comma, semicolon or tab) is the one the first line uses most.
    Raises :class:`WorkbookError`."""
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookError(f"larger than {MAX_FILE_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise WorkbookError(
            f"not UTF-8 text ({err.reason} at byte {err.start}); save it as 'CSV UTF-8' from the spreadsheet"
        ) from None
    if "\x00" in text:
        raise WorkbookError("a NUL byte: not a text file")
    first = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first)
    delimiter = max((",", ";", "\t"), key=lambda d: (unquoted.count(d), d == ","))
    grid = Grid(name)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for r, row in enumerate(reader, start=1):
            if r > MAX_ROWS:
                raise WorkbookError(f"more than {MAX_ROWS:,} rows; at most {MAX_ROWS:,} are read")
            if len(row) > MAX_COLUMNS:
                raise WorkbookError(f"line {r} has {len(row):,} fields; at most {MAX_COLUMNS:,} are read")
            for c, raw in enumerate(row, start=1):
                value = csv_value(raw)
                if value is not None:
                    grid.cells[(r, c)] = value
            if len(grid.cells) > MAX_CELLS:
                raise WorkbookError(f"more than {MAX_CELLS:,} cells; at most {MAX_CELLS:,} are read")
    except csv.Error as err:
        raise WorkbookError(f"line {reader.line_num}: {err}") from None
    return grid
