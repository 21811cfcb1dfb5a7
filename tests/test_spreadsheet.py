"""Spreadsheets out and in: `cjdsl export xlsx|csv`, `cjdsl import xlsx|csv`.

The examples go out to a workbook (and to CSV files) and come back as files whose models
equal the originals, and whose text is the original's formatted text without its
comments (comments are the one thing a spreadsheet does not carry). The workbook is
the same bytes for the same journeys; no text becomes a formula; a bad cell is named by
sheet and cell and stops the import before anything is written; hostile workbooks are
refused before openpyxl parses them."""

from __future__ import annotations

import io
import re
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

import cjdsl
from cjdsl.backends.json_model import journey_to_dict
from cjdsl.language.formatter import format_document
from cjdsl.language.parser import parse

from .conftest import EXAMPLES, IN_CI, invoke, write

if not IN_CI:
    pytest.importorskip("openpyxl")  # in CI a missing openpyxl fails (the import below), never skips
import openpyxl


def _without_sources(value: Any) -> Any:
    """A JSON model without the places things are declared at (a spreadsheet keeps no
    line numbers) and without the files' paths."""
    if isinstance(value, dict):
        return {k: _without_sources(v) for k, v in value.items() if k not in ("source", "declared_at", "files")}
    if isinstance(value, list):
        return [_without_sources(v) for v in value]
    return value


def _findings(project: Any) -> list[tuple[str, str, str]]:
    return sorted((d.code, d.message, Path(d.span.path).name if d.span else "") for d in project.results)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exported")
    code, _, err = invoke("export", "xlsx", str(EXAMPLES), "-o", str(folder / "examples.xlsx"))
    assert code == 0, err
    code, _, err = invoke("export", "csv", str(EXAMPLES), "-o", str(folder / "csv"))
    assert code == 0, err
    return folder


@pytest.mark.parametrize("via", ["xlsx", "csv"])
def test_every_example_comes_back_with_an_equal_model_and_only_its_comments_lost(
    exported: Path, tmp_path: Path, via: str
) -> None:
    source = exported / "examples.xlsx" if via == "xlsx" else exported / "csv"
    code, _, err = invoke("import", via, str(source), "-o", str(tmp_path / "out"))
    assert code == 0, err
    originals = sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.journey"))
    imported = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.journey"))
    assert imported == originals
    lost_comments = 0
    for rel in originals:
        original_text = (EXAMPLES / rel).read_text(encoding="utf-8")
        text = (tmp_path / "out" / rel).read_text(encoding="utf-8")
        before, after = parse(original_text, rel), parse(text, rel)
        assert after.diagnostics == ()
        assert before.document is not None and after.document is not None
        assert after.document.items == before.document.items, rel  # the model, spans aside
        assert text == format_document(before.document), rel  # the formatted text, without comments
        lost_comments += len(before.comments)
        assert after.comments == ()
    assert lost_comments > 0  # the examples have comments, and those are what is lost
    # The resolved journeys are the same, and so is what `check` finds in them.
    old, new = cjdsl.check([str(EXAMPLES)]), cjdsl.check([str(tmp_path / "out")])
    assert [j.id for j in new.journeys] == [j.id for j in old.journeys]
    for a, b in zip(old.journeys, new.journeys):
        assert _without_sources(journey_to_dict(b)) == _without_sources(journey_to_dict(a))
    assert _findings(new) == _findings(old)


def test_the_workbook_is_the_same_bytes_for_the_same_journeys(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert invoke("export", "xlsx", str(EXAMPLES / "dental_clinic.journey"), "-o", str(first))[0] == 0
    time.sleep(1.1)  # a clock with one-second resolution (the zip's, the document's) moves on
    assert invoke("export", "xlsx", str(EXAMPLES / "dental_clinic.journey"), "-o", str(second))[0] == 0
    assert first.read_bytes() == second.read_bytes()
    archive = zipfile.ZipFile(first)
    assert archive.namelist()[0] == "[Content_Types].xml"
    assert archive.namelist()[1:] == sorted(archive.namelist()[1:])
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == ["1980-01-01T00:00:00Z"] * 2


def test_an_existing_workbook_is_replaced_only_with_force(tmp_path: Path) -> None:
    target = tmp_path / "map.xlsx"
    target.write_bytes(b"edited by a stakeholder")
    code, _, err = invoke("export", "xlsx", str(EXAMPLES / "hr_saas.journey"), "-o", str(target))
    assert code == 2 and "--force" in err and target.read_bytes() == b"edited by a stakeholder"
    assert invoke("export", "xlsx", str(EXAMPLES / "hr_saas.journey"), "-o", str(target), "--force")[0] == 0
    assert zipfile.is_zipfile(target)


def test_a_text_longer_than_a_cell_holds_stops_the_export(tmp_path: Path) -> None:
    long = "x" * 40_000
    write(tmp_path, {"cjdsl.toml": "", "j.journey": f'journey j "J" {{\n  description "{long}"\n}}\n'})
    code, _, err = invoke("export", "xlsx", str(tmp_path / "j.journey"), "-o", str(tmp_path / "j.xlsx"))
    assert code == 1 and "has 40,000 characters; a spreadsheet cell holds at most 32,767" in err
    assert "journeys!F2 (description)" in err and not (tmp_path / "j.xlsx").exists()


def test_a_journey_with_errors_is_not_exported(tmp_path: Path) -> None:
    write(
        tmp_path, {"cjdsl.toml": "", "bad.journey": 'journey bad "Bad"\nstage s "S" {\n  touchpoint t "T" { channel nope }\n}\n'}
    )
    code, _, err = invoke("export", "xlsx", str(tmp_path), "-o", str(tmp_path / "out.xlsx"))
    assert code == 1 and "CJ101" in err and "nothing written" in err
    assert not (tmp_path / "out.xlsx").exists()


# -- what the workbook holds -------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+2",
    "-2-3",
    "@SUM(A1)",
    "\t=1+1",
    "'quoted",
    "_x0041_ stays as written",
    'a "quote" and a line\nbreak',
]


def _hostile_project(folder: Path) -> None:
    labels = [
        f'touchpoint t{i} "{text}" {{ need "{text}" emotion -1 }}'
        for i, text in enumerate(
            h.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") for h in HOSTILE
        )
    ]
    write(
        folder,
        {"cjdsl.toml": "", "j.journey": 'journey j "=cmd|\' /C calc\'!A0"\n\nstage s "S" {\n' + "\n".join(labels) + "\n}\n"},
    )


def test_no_text_becomes_a_formula_and_every_text_comes_back_as_written(tmp_path: Path) -> None:
    _hostile_project(tmp_path)
    workbook, csv_folder = tmp_path / "j.xlsx", tmp_path / "csv"
    assert invoke("export", "xlsx", str(tmp_path / "j.journey"), "-o", str(workbook))[0] == 0
    assert invoke("export", "csv", str(tmp_path / "j.journey"), "-o", str(csv_folder))[0] == 0
    archive = zipfile.ZipFile(workbook)
    sheets_xml = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets_xml and not any("<f>" in x or "<f " in x for x in sheets_xml)  # no formula anywhere
    wb = openpyxl.load_workbook(workbook)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    formula_like = [c for c in cells if c.value.startswith(("=", "+", "-", "@", "\t"))]
    assert len(formula_like) >= 2 * 5  # each hostile label and need, in the map and the data sheets
    assert all(c.data_type == "s" and c.quotePrefix for c in formula_like)
    touchpoints = wb["touchpoints"]
    header = [c.value for c in touchpoints[1]]
    labels = [row[header.index("label")].value for row in touchpoints.iter_rows(min_row=2)]
    assert labels[-2] == "_x005F_x0041_ stays as written"  # as Excel writes it, so Excel shows it as written
    csv_text = (csv_folder / "touchpoints.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+1+2" in csv_text and "'@SUM" in csv_text and "''quoted" in csv_text
    for via, source in (("xlsx", workbook), ("csv", csv_folder)):
        out = tmp_path / f"back-{via}"
        assert invoke("import", via, str(source), "-o", str(out))[0] == 0
        before = parse((tmp_path / "j.journey").read_text(encoding="utf-8")).document
        after = parse((out / "j.journey").read_text(encoding="utf-8")).document
        assert before is not None and after is not None and after.items == before.items, via


def test_the_map_sheet_is_laid_out_as_a_journey_map(tmp_path: Path) -> None:
    target = tmp_path / "bank.xlsx"
    assert invoke("export", "xlsx", str(EXAMPLES / "bank_mortgage" / "mortgage.journey"), "-o", str(target))[0] == 0
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[0] == "map bank_mortgage" and wb.sheetnames[-1] == "about"
    ws = wb["map bank_mortgage"]
    (journey,) = [
        j for j in cjdsl.check([str(EXAMPLES / "bank_mortgage" / "mortgage.journey")]).journeys if j.id == "bank_mortgage"
    ]
    assert ws["A1"].value == journey.title
    lanes = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    stage_row, tp_row = lanes["Stage"], lanes["Touchpoint"]
    # Stages are merged over their touchpoints' columns, in order.
    merged = {str(r) for r in ws.merged_cells.ranges}
    col = 2
    for stage in journey.stages:
        width = max(1, len(stage.touchpoints))
        assert ws.cell(stage_row, col).value.split("\n")[0] == stage.label
        if width > 1:
            letter = openpyxl.utils.get_column_letter
            assert f"{letter(col)}{stage_row}:{letter(col + width - 1)}{stage_row}" in merged
        col += width
    tps = journey.touchpoints
    assert [ws.cell(tp_row, 2 + i).value.lstrip("▶★◆ ") for i in range(len(tps))] == [t.label for t in tps]
    # Each persona's emotion, as a number coloured by a red-amber-green scale.
    for persona in journey.personas:
        row = lanes[f"Emotion: {persona.label.split(',')[0]}"]
        for i, tp in enumerate(tps):
            expected = journey.emotion_of(tp, persona.id)[0] if persona in journey.personas_of(tp) else None
            assert ws.cell(row, 2 + i).value == expected
            assert ws.cell(row, 2 + i).value is None or ws.cell(row, 2 + i).number_format == "+0;-0;0"
    scales = [r for rng in ws.conditional_formatting for r in rng.rules if r.type == "colorScale"]
    assert len(scales) == 2 * len(journey.personas)  # an emotion and a rating lane per persona
    # The blueprint's lanes, below the lines that name them.
    order = [ws.cell(r, 1).value for r in range(tp_row + 1, ws.max_row + 1)]
    assert (
        order.index("line of interaction")
        < order.index("Frontstage")
        < order.index("line of visibility")
        < order.index("Backstage")
    )
    assert ws.freeze_panes == f"B{tp_row + 1}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == f"${stage_row}:${tp_row}"
    assert ws.protection.sheet  # drawn from the data sheets: an edit here would not be read back


def test_closed_vocabularies_are_drop_down_lists(tmp_path: Path) -> None:
    target = tmp_path / "hr.xlsx"
    assert invoke("export", "xlsx", str(EXAMPLES / "hr_saas.journey"), "-o", str(target))[0] == 0
    wb = openpyxl.load_workbook(target)

    def validations(sheet: str) -> dict[str, str]:
        ws = wb[sheet]
        header = {c.column_letter: c.value for c in ws[1]}
        return {
            header[str(dv.sqref).split(":")[0].rstrip("0123456789")]: dv.formula1 for dv in ws.data_validations.dataValidation
        }

    assert validations("stages")["phase"] == '"awareness,interest,consideration,decision,purchase,adoption,advocacy,loyalty"'
    assert validations("pains")["severity"] == '"low,medium,high,critical"'
    assert validations("opportunities")["impact"] == validations("opportunities")["effort"] == '"low,medium,high"'
    assert "word_of_mouth" in validations("channels")["kind"] and validations("channels")["mode"] == '"online,offline"'
    assert validations("event_properties")["type"] == '"string,integer,number,boolean,datetime,enum,list"'
    assert validations("touchpoints")["entry"] == '"yes,no"'
    assert validations("touchpoints")["emotion"] == "-2" and validations("touchpoints")["rating"] == "1"


# -- bad cells ---------------------------------------------------------------------------


def _edit(source: Path, target: Path, sheet: str, row: int, column: str, value: Any) -> str:
    """The workbook with one cell changed, as someone would in Excel; returns the cell's address."""
    wb = openpyxl.load_workbook(source)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    col = header.index(column) + 1
    ws.cell(row, col).value = value
    wb.save(target)
    return f"{sheet}!{openpyxl.utils.get_column_letter(col)}{row}"


@pytest.fixture(scope="module")
def hr_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("hr") / "hr.xlsx"
    assert invoke("export", "xlsx", str(EXAMPLES / "hr_saas.journey"), "-o", str(target))[0] == 0
    return target


@pytest.mark.parametrize(
    ("sheet", "column", "value", "message"),
    [
        ("touchpoints", "emotion", 3, "error[CJ103]: emotion +3 is out of range: it must be between -2 and +2"),
        ("touchpoints", "rating", "abc", "error: expected a number, got 'abc'"),
        ("touchpoints", "channel", "nope", "error[CJ101]: unknown channel `nope`"),
        ("pains", "severity", "huge", "error[CJ104]: unknown severity `huge`"),
        ("touchpoints", "duration", "ages", "error: expected a time, got 'ages'"),
        ("touchpoints", "entry", "perhaps", "error: expected yes or no, got 'perhaps'"),
        ("files", "file", "../../outside.journey", "cannot be written here"),
        ("touchpoints", "id", "has space", "error: 'has space' is not an id"),
        ("event_properties", "type", "object", "error[CJ105]: unknown property type `object`"),
    ],
)
def test_a_bad_cell_is_named_by_sheet_and_cell_and_nothing_is_written(
    hr_workbook: Path, tmp_path: Path, sheet: str, column: str, value: Any, message: str
) -> None:
    edited = tmp_path / "edited.xlsx"
    where = _edit(hr_workbook, edited, sheet, 2 if sheet == "event_properties" else 3, column, value)
    code, _, err = invoke("import", "xlsx", str(edited), "-o", str(tmp_path / "out"))
    assert code == 1
    assert f"edited.xlsx: {where}: " in err and message in err, err
    assert "  = help: " in err
    assert "nothing written" in err and not (tmp_path / "out").exists()


def test_a_formula_gives_its_saved_value_or_an_error_and_is_never_computed(hr_workbook: Path, tmp_path: Path) -> None:
    edited = tmp_path / "formula.xlsx"
    where = _edit(hr_workbook, edited, "touchpoints", 2, "need", '="Understand"&" why"')
    code, _, err = invoke("import", "xlsx", str(edited), "-o", str(tmp_path / "out"))
    assert code == 1 and f'{where}: error: a formula (="Understand"&" why") with no saved value' in err
    saved = tmp_path / "saved.xlsx"
    _save_formula_value(edited, saved, where.split("!")[1], "Understand why, as saved")
    code, _, err = invoke("import", "xlsx", str(saved), "-o", str(tmp_path / "out"))
    assert code == 0 and f"{where}: warning: a formula" in err and "the value saved with it was read" in err
    assert 'need "Understand why, as saved"' in (tmp_path / "out" / "hr_saas.journey").read_text(encoding="utf-8")


def _save_formula_value(source: Path, target: Path, cell: str, value: str) -> None:
    """What a spreadsheet application does on saving: the formula's value beside it."""
    archive = zipfile.ZipFile(source)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for name in archive.namelist():
            body = archive.read(name)
            if name.startswith("xl/worksheets/"):
                text = body.decode()
                text, n = re.subn(
                    rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*/>', rf'<c r="{cell}"\1 t="str"><f>\2</f><v>{value}</v>', text
                )
                body = text.encode() if n else body
            new.writestr(name, body)
    target.write_bytes(out.getvalue())


def test_an_unknown_column_is_reported_and_the_rest_is_read(hr_workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(hr_workbook)
    ws = wb["touchpoints"]
    ws.cell(1, ws.max_column + 1).value = "Comments from Anna"
    ws.cell(2, ws.max_column).value = "looks good"
    wb.save(tmp_path / "commented.xlsx")
    code, _, err = invoke("import", "xlsx", str(tmp_path / "commented.xlsx"), "-o", str(tmp_path / "out"))
    assert code == 0 and "warning: column 'Comments from Anna' is not one the touchpoints sheet has" in err


def test_rows_without_a_file_go_to_a_journey_file_and_a_shared_one(tmp_path: Path) -> None:
    """A workbook made by hand: no files sheet, no file column."""
    wb = openpyxl.Workbook()
    rows = {
        "journeys": [["id", "label"], ["shop", "Shop"]],
        "personas": [["id", "label", "goals"], ["ola", "Ola", "Buy a bike\nRide to work"]],
        "channels": [["id", "label", "mode", "kind"], ["web", "Website", "online", "web"]],
        "stages": [["id", "label", "phase"], ["look", "Look around", "Awareness"]],
        "touchpoints": [
            ["stage", "id", "label", "channel", "emotion", "feeling"],
            ["look", "home", "Opens the home page", "web", -1, "lost"],
        ],
        "pains": [["id", "label", "at", "nested", "severity"], ["slow", "The page is slow", "home", "yes", "High"]],
    }
    wb.remove(wb.active)
    for name, data in rows.items():
        ws = wb.create_sheet(name)
        for row in data:
            ws.append(row)
    wb.save(tmp_path / "hand.xlsx")
    code, _, err = invoke("import", "xlsx", str(tmp_path / "hand.xlsx"), "-o", str(tmp_path / "out"))
    assert code == 0, err
    shared = (tmp_path / "out" / "shared.journey").read_text(encoding="utf-8")
    shop = (tmp_path / "out" / "shop.journey").read_text(encoding="utf-8")
    assert 'persona ola "Ola" {\n  goal "Buy a bike"\n  goal "Ride to work"\n}' in shared and "channel web" in shared
    assert shop.startswith('include "shared.journey"\n\njourney shop "Shop"\n')
    assert 'stage look "Look around" phase awareness {' in shop and 'emotion -1 "lost"' in shop
    assert "pain slow" in shop and "severity high" in shop
    assert cjdsl.check([str(tmp_path / "out")]).ok


def test_output_files_are_not_replaced_without_force_nor_written_through_a_link(hr_workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "hr_saas.journey").write_text("# mine\n", encoding="utf-8")
    code, _, err = invoke("import", "xlsx", str(hr_workbook), "-o", str(out))
    assert code == 2 and "exists; use --force" in err and (out / "hr_saas.journey").read_text(encoding="utf-8") == "# mine\n"
    assert invoke("import", "xlsx", str(hr_workbook), "-o", str(out), "--force")[0] == 0
    assert (out / "hr_saas.journey").read_text(encoding="utf-8").startswith("journey hr_saas")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "sub").symlink_to(elsewhere)
    wb = openpyxl.load_workbook(hr_workbook)
    for ws in wb.worksheets:
        if ws.title in ("files",) or ws.cell(1, 1).value == "file":
            for row in ws.iter_rows(min_row=2, max_col=1):
                row[0].value = "sub/hr.journey"
    wb.save(tmp_path / "moved.xlsx")
    code, _, err = invoke("import", "xlsx", str(tmp_path / "moved.xlsx"), "-o", str(linked))
    assert code == 2 and "symbolic link" in err and list(elsewhere.iterdir()) == []


def test_without_openpyxl_the_commands_say_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if it were not installed
    code, _, err = invoke("export", "xlsx", str(EXAMPLES / "hr_saas.journey"), "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "pip install 'cjdsl[xlsx]'" in err and not (tmp_path / "x.xlsx").exists()


# -- hostile workbooks -------------------------------------------------------------------


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return out.getvalue()


def _minimal(sheet_xml: str = "<sheetData/>", extra: dict[str, bytes] | None = None, content_types: str = "") -> bytes:
    """A workbook of one sheet, built part by part."""
    wb = openpyxl.Workbook()
    raw = io.BytesIO()
    wb.save(raw)
    parts = {n: zipfile.ZipFile(raw).read(n) for n in zipfile.ZipFile(raw).namelist()}
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    parts["xl/worksheets/sheet1.xml"] = f"<worksheet {ns}>{sheet_xml}</worksheet>".encode()
    if content_types:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", content_types.encode() + b"</Types>")
    return _zip({**parts, **(extra or {})})


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "an .xls workbook or a password-protected one"),
        (lambda: b"just text", "not an .xlsx workbook"),
        (lambda: _zip({"hello.txt": b"hi"}), "a zip file without a workbook in it"),
        (lambda: _minimal(extra={"xl/vbaProject.bin": b"\0" * 10}), "a workbook with macros (.xlsm)"),
        (
            lambda: _minimal(
                content_types='<Override PartName="/xl/x.bin" '
                'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
            ),
            "a workbook with macros (.xlsm)",
        ),
        (lambda: _minimal(extra={"xl/big.xml": b"\0" * (101 * 2**20)}), "uncompressed; at most 100 MB are read"),
        (
            lambda: _minimal('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><sheetData/>'),
            "a DOCTYPE in a workbook part",
        ),
        (
            lambda: _minimal('<sheetData><row r="1">' + "<c/>" * 1_000_001 + "</row></sheetData>"),
            "more than 1,000,000 cells",
        ),
        (
            lambda: _minimal(
                '<sheetData><row r="2000000"><c r="A2000000" t="inlineStr"><is><t>far</t></is></c></row></sheetData>'
            ),
            "A2000000: a cell beyond the last row or column a spreadsheet has",
        ),
    ],
)
def test_a_hostile_workbook_is_refused_with_a_reason(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(make())
    started = time.perf_counter()
    code, _, err = invoke("import", "xlsx", str(path), "-o", str(tmp_path / "out"))
    assert code == 2 and message in err, err
    assert not (tmp_path / "out").exists()
    assert time.perf_counter() - started < 60  # refused, not ground through


def test_a_cell_far_out_and_thousands_of_columns_cost_only_their_cells(tmp_path: Path) -> None:
    """Sheets are read cell by cell, never row by column: a cell at the last row and
    column and a row of 5,000 columns are read at once (and are no journey map)."""
    letter = openpyxl.utils.get_column_letter
    cells = '<row r="1">' + "".join(f'<c r="{letter(c)}1"><v>{c}</v></c>' for c in range(1, 5001)) + "</row>"
    cells += '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>'
    (tmp_path / "wide.xlsx").write_bytes(_minimal(f"<sheetData>{cells}</sheetData>"))
    started = time.perf_counter()
    code, _, err = invoke("import", "xlsx", str(tmp_path / "wide.xlsx"), "--grid", "-o", str(tmp_path / "out"))
    assert code == 1 and "no sheet looks like a journey map" in err
    assert time.perf_counter() - started < 30


def test_links_to_other_workbooks_are_reported_and_not_followed(hr_workbook: Path, tmp_path: Path) -> None:
    parts = {n: zipfile.ZipFile(hr_workbook).read(n) for n in zipfile.ZipFile(hr_workbook).namelist()}
    parts["xl/externalLinks/externalLink1.xml"] = (
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    )
    (tmp_path / "linked.xlsx").write_bytes(_zip(parts))
    code, _, err = invoke("import", "xlsx", str(tmp_path / "linked.xlsx"), "-o", str(tmp_path / "out"))
    assert code == 0 and "links to 1 other workbook(s); links are not followed" in err


def test_the_benchmark_runs_and_checks_its_round_trip() -> None:
    import subprocess

    script = Path(__file__).resolve().parent.parent / "benchmarks" / "spreadsheet.py"
    done = subprocess.run([sys.executable, str(script), "--sizes", "12"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[2].startswith("| 12 | ")
