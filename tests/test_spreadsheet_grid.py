"""`cjdsl import xlsx --grid`: journey maps drawn by hand in a spreadsheet.

The fixtures are built here with openpyxl the way people draw maps: a title above,
stages merged over their columns, blank rows, a lane named in Polish, emoji in the
cells, an unknown lane, a cell merged over a whole stage, and formulas, one with the
value a spreadsheet application saved with it and one without (openpyxl saves none;
the test writes the value in, as Excel does on saving)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

import cjdsl
from cjdsl.core import model as m
from cjdsl.language.parser import parse

from .conftest import EXAMPLES, IN_CI, invoke

if not IN_CI:
    pytest.importorskip("openpyxl")
import openpyxl


def _with_saved_values(data: bytes, values: dict[str, str]) -> bytes:
    """The workbook as a spreadsheet application saves it: each formula's value beside it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            body = source.read(name)
            if name.startswith("xl/worksheets/"):
                text = body.decode()
                for cell, value in values.items():
                    text = re.sub(rf'(<c r="{cell}"[^>]*><f>.*?</f>)<v\s*/>', rf"\1<v>{value}</v>", text)
                body = text.encode()
            target.writestr(name, body)
    return out.getvalue()


def workshop_map() -> bytes:
    """An e-bike shop's map from a workshop."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Journey"
    ws["A1"] = "E-bike journey"
    for col, text in (("B3", "Awareness"), ("D3", "Consideration"), ("E3", "Purchase")):
        ws[col] = text
    ws.merge_cells("B3:C3")
    ws.merge_cells("E3:F3")
    rows = {
        4: ["Touchpoint", "Instagram ad", "Friend's recommendation", "Compares models online", "Visits the shop", "Pays online"],
        6: [
            "Doing",
            "Scrolls past an ad for e-bikes",
            "Hears about a friend's new bike",
            "Opens three shops' sites",
            "Test-rides two bikes",
            None,
        ],
        7: ["Myśli", "Czy to dla mnie?", None, "Which battery do I need?\nIs 500 Wh enough?", None, None],
        8: ["😊 Emotions", "🙂", "😀 excited", "-1 confused", "😡", None],
        9: ["Pain points", None, None, "• Too many models\n• Specs are hard to compare", "high: Long queue at the till", None],
        10: ["Opportunities", None, None, "Comparison table (impact high, effort low)", None, None],
        11: ["Channel", "Instagram", "Word of mouth", "Website", "Store", "Website"],
        12: ["Weather", "sunny", None, None, None, None],
        13: ["Rating", "=2+1", 5, "★★☆☆☆", None, None],
        14: ["Need", "Find a way to commute without a car", None, None, None, None],
        15: ["Czas", None, None, None, "20 min", "2-3 days"],
        16: ["Notes", None, None, None, None, "=B6&C6"],
    }
    for r, values in rows.items():
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c).value = value
    ws.merge_cells("E9:F9")  # a pain point of the whole Purchase stage
    ws.merge_cells("B14:C14")  # a need of both Awareness touchpoints
    raw = io.BytesIO()
    wb.save(raw)
    return _with_saved_values(raw.getvalue(), {"B13": "3"})  # B13's value saved; F16's not


def _touchpoints(doc: m.Document) -> dict[str, m.Touchpoint]:
    return {tp.label or "": tp for s in doc.items if isinstance(s, m.Stage) for tp in s.touchpoints}


def test_a_workshop_map_becomes_a_journey_and_what_is_left_out_is_reported(tmp_path: Path) -> None:
    (tmp_path / "workshop.xlsx").write_bytes(workshop_map())
    code, _, err = invoke("import", "xlsx", str(tmp_path / "workshop.xlsx"), "--grid", "-o", str(tmp_path / "out"))
    assert code == 0, err
    (written,) = list((tmp_path / "out").glob("*.journey"))
    assert written.name == "e_bike_journey.journey"
    text = written.read_text(encoding="utf-8")
    result = parse(text, written.name)
    assert result.diagnostics == () and result.document is not None
    doc = result.document
    assert doc.journeys[0].label == "E-bike journey"
    stages = [s for s in doc.items if isinstance(s, m.Stage)]
    assert [(s.label, s.phase, [t.label for t in s.touchpoints]) for s in stages] == [
        ("Awareness", "awareness", ["Instagram ad", "Friend's recommendation"]),
        ("Consideration", "consideration", ["Compares models online"]),
        ("Purchase", "purchase", ["Visits the shop", "Pays online"]),
    ]
    tps = _touchpoints(doc)
    # Ids from the labels: ASCII, unique.
    assert [t.id for t in tps.values()] == [
        "instagram_ad",
        "friend_s_recommendation",
        "compares_models_online",
        "visits_the_shop",
        "pays_online",
    ]
    # A lane named in Polish, emoji and numbers as emotions, a cell merged over two touchpoints.
    assert tps["Instagram ad"].thinking == ("Czy to dla mnie?",)
    assert tps["Compares models online"].thinking == ("Which battery do I need?", "Is 500 Wh enough?")
    assert [(t.emotion, t.feeling) for t in tps.values()] == [
        (1, None),
        (2, "excited"),
        (-1, "confused"),
        (-2, None),
        (None, None),
    ]
    assert tps["Instagram ad"].need == tps["Friend's recommendation"].need == "Find a way to commute without a car"
    # Channels made from their names, with the kind their words say.
    channels = {c.label: (c.mode, c.kind) for c in doc.items if isinstance(c, m.Channel)}
    assert channels == {
        "Instagram": ("online", "social"),
        "Word of mouth": ("offline", "word_of_mouth"),
        "Website": ("online", "web"),
        "Store": ("offline", "store"),
    }
    # Pain points one a line, answered by the opportunity in their column; one merged over a stage is the stage's.
    pains = tps["Compares models online"].pains
    assert [p.label for p in pains] == ["Too many models", "Specs are hard to compare"]
    (opportunity,) = [o for o in doc.items if isinstance(o, m.Opportunity)]
    assert (opportunity.label, opportunity.impact, opportunity.effort) == ("Comparison table", "high", "low")
    assert all(p.opportunity_refs == (m.Ref(opportunity.id),) for p in pains)
    assert [(p.label, p.severity) for p in stages[2].pains] == [("Long queue at the till", "high")]
    # Ratings: a formula's saved value (never computed), a number, stars.
    assert [t.rating for t in tps.values()] == [3, 5, 2, None, None]
    assert tps["Visits the shop"].duration == m.Time(20, "min")
    assert tps["Pays online"].duration == m.Time(2, "d", 3)
    # What was not placed is reported, by cell, and listed in the file.
    assert "Journey!A12: warning: the lane 'Weather' is not one cjdsl knows; 1 cell not placed" in err
    assert "Journey!B13: warning: a formula (=2+1); the value saved with it was read" in err
    assert "Journey!F16: warning: a formula (=B6&C6) with no saved value; not read" in err
    assert "#   Journey!A12: the lane 'Weather' is not one cjdsl knows" in text
    assert cjdsl.check([str(written)]).ok


def polish_map(first_emotion: object) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Mapa"
    for r, values in enumerate(
        [
            ["Etap", "Świadomość", "Decyzja", None],
            [None],
            ["Punkty styku", "Reklama w radiu", "Rozmowa z doradcą", "Rozmowa z doradcą"],
            ["Emocje", first_emotion, "😐", "👍"],
            ["Bolączki", None, "Długie oczekiwanie na połączenie", None],
            ["Kanał", "Radio", "Telefon", "Oddział"],
        ],
        start=1,
    ):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c).value = value
    ws.merge_cells("C1:D1")
    raw = io.BytesIO()
    wb.save(raw)
    return raw.getvalue()


def test_an_emotion_out_of_range_is_an_error_at_its_cell_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "mapa.xlsx").write_bytes(polish_map(3))
    code, _, err = invoke("import", "xlsx", str(tmp_path / "mapa.xlsx"), "--grid", "-o", str(tmp_path / "out"))
    assert code == 1
    assert "mapa.xlsx: Mapa!B4: error: emotion +3 is out of range: it must be a whole number between -2 and +2" in err
    assert "  = help: emotion is from -2 (very negative) through 0 to +2 (very positive)" in err
    assert not (tmp_path / "out").exists()


def test_a_map_in_polish_gets_ascii_ids_phases_and_unique_ids(tmp_path: Path) -> None:
    (tmp_path / "mapa.xlsx").write_bytes(polish_map("+1 zaciekawiony"))
    code, _, err = invoke("import", "xlsx", str(tmp_path / "mapa.xlsx"), "--grid", "-o", str(tmp_path / "out"))
    assert code == 0, err
    (written,) = list((tmp_path / "out").glob("*.journey"))
    doc = parse(written.read_text(encoding="utf-8")).document
    assert doc is not None
    stages = [s for s in doc.items if isinstance(s, m.Stage)]
    assert [(s.id, s.label, s.phase) for s in stages] == [
        ("swiadomosc", "Świadomość", "awareness"),
        ("decyzja", "Decyzja", "decision"),
    ]
    tps = [t for s in stages for t in s.touchpoints]
    assert [(t.id, t.emotion, t.feeling) for t in tps] == [
        ("reklama_w_radiu", 1, "zaciekawiony"),
        ("rozmowa_z_doradca", 0, None),
        ("rozmowa_z_doradca_2", 1, None),
    ]
    assert [p.label for p in tps[1].pains] == ["Długie oczekiwanie na połączenie"]
    channels = {c.label: c.kind for c in doc.items if isinstance(c, m.Channel)}
    assert channels == {"Radio": None, "Telefon": "phone", "Oddział": "office"}


def test_an_exported_map_sheet_reads_back_as_the_journey_it_shows(tmp_path: Path) -> None:
    source = EXAMPLES / "bank_mortgage" / "mortgage.journey"
    assert invoke("export", "xlsx", str(source), "-o", str(tmp_path / "bank.xlsx"))[0] == 0
    code, _, err = invoke("import", "xlsx", str(tmp_path / "bank.xlsx"), "--grid", "-o", str(tmp_path / "out"))
    assert code == 0, err
    (journey,) = [j for j in cjdsl.check([str(source)]).journeys if j.id == "bank_mortgage"]
    (written,) = list((tmp_path / "out").glob("*.journey"))
    imported = cjdsl.check([str(written)])
    assert imported.ok
    (back,) = imported.journeys
    assert back.title == journey.title
    assert [(s.label, s.phase) for s in back.stages] == [(s.label, s.phase) for s in journey.stages]
    assert [t.label for t in back.touchpoints] == [t.label for t in journey.touchpoints]
    assert [(t.entry, t.micro_conversion, t.moment_of_truth) for t in back.touchpoints] == [
        (t.entry, t.micro_conversion, t.moment_of_truth) for t in journey.touchpoints
    ]
    # Each persona's emotion, read from its own lane.
    by_label = {p.label: p.id for p in back.personas}
    for original, imported_tp in zip(journey.touchpoints, back.touchpoints):
        for persona in journey.personas_of(original):
            assert back.emotion_of(imported_tp, by_label[persona.label])[0] == journey.emotion_of(original, persona.id)[0]
        assert imported_tp.customer_action == original.customer_action
        assert len(back.pains_at(imported_tp.id)) == len(journey.pains_at(original.id))
        assert [s.lane for s in imported_tp.steps] == [s.lane for s in original.steps]
        assert [back.touchpoint[r.id].label for r in imported_tp.next] == [journey.touchpoint[r.id].label for r in original.next]


def test_the_data_sheet_import_points_a_drawn_map_to_grid(tmp_path: Path) -> None:
    (tmp_path / "workshop.xlsx").write_bytes(workshop_map())
    code, _, err = invoke("import", "xlsx", str(tmp_path / "workshop.xlsx"), "-o", str(tmp_path / "out"))
    assert code == 1 and "none of the data sheets is here" in err and "--grid" in err


def test_a_sheet_that_is_no_map_is_not_taken_for_one(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["name", "amount"], ["coffee", 3], ["bike", 1200]):
        ws.append(row)
    wb.save(tmp_path / "budget.xlsx")
    code, _, err = invoke("import", "xlsx", str(tmp_path / "budget.xlsx"), "--grid", "-o", str(tmp_path / "out"))
    assert code == 1 and "no sheet looks like a journey map" in err and not (tmp_path / "out").exists()
