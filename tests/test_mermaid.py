"""Mermaid: golden files for every example, labels that cannot break the syntax, and
Mermaid's own parser (Mermaid 11 in Chromium) accepting every diagram."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

import cjdsl
from cjdsl.backends.mermaid import flow_diagram, journey_diagram, journey_text, score
from cjdsl.core import model as m
from tests.conftest import EXAMPLES, FIXTURES, IN_CI, journey_examples

GOLDEN = FIXTURES / "mermaid"
UPDATE = os.environ.get("CJDSL_UPDATE_GOLDEN") == "1"
SOURCES = [*journey_examples(), FIXTURES / "graphviz" / "hostile.journey", GOLDEN / "labels.journey"]
MERMAID_JS = os.environ.get("CJDSL_MERMAID_JS", "")


def journey_of(path: Path) -> cjdsl.ResolvedJourney:
    project = cjdsl.check([path])
    assert project.ok, project.diagnostics
    (j,) = [j for j in project.journeys if j.path.endswith(path.name)]
    return j


def diagrams(path: Path) -> dict[str, str]:
    j = journey_of(path)
    return {f"{j.id}.journey.mmd": journey_diagram(j), f"{j.id}.flow.mmd": flow_diagram(j)}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_golden_diagrams(path: Path) -> None:
    for name, text in diagrams(path).items():
        if UPDATE:
            (GOLDEN / name).write_text(text, encoding="utf-8")
        assert text == (GOLDEN / name).read_text(encoding="utf-8"), name


def test_task_names_never_carry_separators() -> None:
    j = journey_of(GOLDEN / "labels.journey")
    text = journey_diagram(j)
    for line in text.splitlines()[2:]:
        if line.startswith("      "):
            name, task_score, _actors = line.strip().split(": ")
            assert not set(name) & set(":#;") and int(task_score) in range(1, 6)
    assert "%%" not in text
    assert journey_text("a: b # c ; d\ne") == "a∶ b ＃ c ； d e"
    assert [score(tp) for tp in j.touchpoints] == [5, 1]


@pytest.fixture(scope="module")
def mermaid_page() -> Any:
    if not MERMAID_JS or not Path(MERMAID_JS).is_file():
        if IN_CI:
            pytest.fail("CJDSL_MERMAID_JS must point at Mermaid 11's mermaid.min.js in CI (.ci/run installs it)")
        pytest.skip("set CJDSL_MERMAID_JS to Mermaid 11's dist/mermaid.min.js (npm install mermaid@11)")
    if not Path("/usr/bin/chromium").exists():
        if IN_CI:
            pytest.fail("Chromium is missing; CI must install it (apt-get install chromium)")
        pytest.skip("no Chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.set_content("<html><body><div id='out'></div></body></html>")
        page.add_script_tag(path=MERMAID_JS)
        page.evaluate("mermaid.initialize({startOnLoad: false, securityLevel: 'strict'})")
        assert page.evaluate("mermaid.version ? true : true")
        yield page
        browser.close()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_mermaid_parses_and_renders_every_diagram(path: Path, mermaid_page: Any) -> None:
    for name, text in diagrams(path).items():
        result = mermaid_page.evaluate(
            "async (t) => { try { const r = await mermaid.parse(t); return 'ok ' + r.diagramType; }"
            " catch (e) { return 'ERROR ' + e.message; } }",
            text,
        )
        assert result.startswith("ok "), (name, result)
        svg = mermaid_page.evaluate("async (t) => (await mermaid.render('d' + Date.now(), t)).svg", text)
        assert "<svg" in svg and "<script" not in svg
        assert mermaid_page.evaluate("window.__xss === undefined")


def _roundtrip(diagram: str, tmp_path: Path) -> str:
    from cjdsl.language.formatter import format_document
    from cjdsl.review.mermaid_import import parse_journey

    (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    path = tmp_path / "imported.journey"
    path.write_text(format_document(parse_journey(diagram)), encoding="utf-8")
    return journey_diagram(journey_of(path))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_export_import_export_gives_the_same_diagram(path: Path, tmp_path: Path) -> None:
    exported = journey_diagram(journey_of(path))
    assert _roundtrip(exported, tmp_path) == exported


def test_import_mermaid_docs_example_from_markdown(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cjdsl.cli import main

    source = tmp_path / "notes.md"
    diagram = (
        "journey\n    title My working day\n    section Go to work\n      Make tea: 5: Me\n      Go upstairs: 3: Me\n"
        "      Do work: 1: Me, Cat\n    section Go home\n      Go downstairs: 5: Me\n      Sit down: 5: Me\n"
    )
    source.write_text("# Notes\n\nText before.\n\n```mermaid\n" + diagram + "```\n", encoding="utf-8")
    out = tmp_path / "day.journey"
    runner = CliRunner()
    assert runner.invoke(main, ["import", "mermaid", str(source), "-o", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert 'touchpoint do_work "Do work" {\n    persona me, cat\n    emotion -2\n  }' in text
    assert journey_diagram(journey_of(out)) == diagram.replace(
        "    title My working day\n", "    title My working day\n    accTitle: My working day\n"
    )
    again = runner.invoke(main, ["import", "mermaid", str(source), "-o", str(out)])
    assert again.exit_code == 2 and "exists; use --force" in again.stderr
    (tmp_path / "flow.mmd").write_text("flowchart LR\n  a --> b\n", encoding="utf-8")
    bad = runner.invoke(main, ["import", "mermaid", str(tmp_path / "flow.mmd")])
    assert bad.exit_code == 2 and "no Mermaid `journey` diagram found" in bad.stderr
    (tmp_path / "broken.mmd").write_text("journey\n  title T\n  section S\n    Task without score\n", encoding="utf-8")
    bad = runner.invoke(main, ["import", "mermaid", str(tmp_path / "broken.mmd")])
    assert bad.exit_code == 2 and "line 4: expected `Task name: score: actors`" in bad.stderr


def test_the_diff_comment_chart_parses(mermaid_page: Any) -> None:
    from cjdsl.review.diff import diff, render_markdown

    case = FIXTURES / "diff"
    old, new = cjdsl.check([case / "old.journey"]).journeys, cjdsl.check([case / "new.journey"]).journeys
    markdown = render_markdown(diff(old, new), old, new)
    (chart,) = re.findall(r"```mermaid\n(.*?)```", markdown, re.S)
    result = mermaid_page.evaluate(
        "async (t) => { try { const r = await mermaid.parse(t); return 'ok ' + r.diagramType; }"
        " catch (e) { return 'ERROR ' + e.message; } }",
        chart,
    )
    assert result == "ok xychart"


# -- hostile labels: no directive, comment or statement of their own ----------------------

#: Labels that would be a Mermaid directive, comment, statement or markup if they came
#: through as written (a `.journey` string may hold line breaks and tabs, no other control).
MERMAID_HOSTILE = [
    "%%{init: {'theme': 'forest', 'themeVariables': {'fontSize': '40px'}}}%%",
    '%%{init: {"securityLevel": "loose", "flowchart": {"htmlLabels": true}}}%%',
    "%%{wrap}%% wrapped",
    "%%%{init: {'theme': 'dark'}}%%%",
    "a %% comment to the end of the line",
    "%abc",
    "% 50",
    "title Hijacked",
    "TITLE\tHijacked",
    "Title\ufeffHijacked",
    "section Evil",
    "SECTION evil",
    "accTitle: stolen",
    "accTitle",
    "accDescr: stolen",
    "accDescr { multi",
    "journey planning",
    "Journey",
    "x\ny\nsection z",
    "a: 1: b # c ; d",
    "```\n```mermaid",
    '" ] ; evil [label="x',
    "<b>bold</b> <img src=x onerror=alert(1)>",
    "`**markdown**`",
    "#quot; #35; #lt;b#gt;",
    "ﬂ°lt¶ß ﬂ°°60¶ß",
    "---\nconfig:\n  theme: forest\n---",
]
_LOOKALIKES = str.maketrans({":": "∶", "#": "＃", ";": "；", ",": "‚"})


def _hostile_journey(tmp_path: Path, title: str) -> cjdsl.ResolvedJourney:
    from cjdsl.core.strings import quote

    lines = [f"journey hostile {quote(title)} {{", "  owner t", "}", 'team t "T"']
    for n, text in enumerate(MERMAID_HOSTILE):
        lines += [
            f"persona p{n} {quote(text)}",
            f"stage s{n} {quote(text)} phase awareness {{",
            f"  touchpoint t{n} {quote(text)} {{",
            f"    persona p{n}",
            f"    emotion {n % 5 - 2:+d}",
            f"    next t{(n + 1) % len(MERMAID_HOSTILE)}",
            "  }",
            "}",
        ]
    (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    (tmp_path / "hostile.journey").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return journey_of(tmp_path / "hostile.journey")


_PARSE_AND_RENDER = """async (t) => {
  try {
    const parsed = await mermaid.parse(t);
    const {svg} = await mermaid.render('h' + Math.floor(Math.random() * 1e9), t);
    const box = document.createElement('div');
    box.innerHTML = svg;
    const texts = [...box.querySelectorAll('text, foreignObject')].map((e) => e.textContent.replace(/\\u200b/g, ''));
    return {type: parsed.diagramType, config: parsed.config || {}, texts, svg};
  } catch (e) { return {error: e.message}; }
}"""


def _mermaid(page: Any, text: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(_PARSE_AND_RENDER, text)
    assert "error" not in result, (result, text)
    assert result["config"] == {}, "a label set Mermaid's configuration"
    assert "<script" not in result["svg"] and page.evaluate("window.__xss === undefined")
    return result


def test_hostile_labels_form_no_directive_comment_or_statement_in_any_mermaid_output(tmp_path: Path) -> None:
    for title in [*MERMAID_HOSTILE[:3], "title x", "section y"]:
        j = _hostile_journey(tmp_path, title)
        for text in (journey_diagram(j), flow_diagram(j)):
            assert "%%" not in text and "%%{init" not in text
        journey = journey_diagram(j).splitlines()
        assert journey[:2] == ["journey", f"    title {journey_text(title)}"]
        # One section per stage and one task per touchpoint, each on its own line.
        assert sum(line.startswith("    section ") for line in journey) == len(MERMAID_HOSTILE)
        assert sum(line.startswith("      ") and len(line.split(": ")) == 3 for line in journey) == len(MERMAID_HOSTILE)
    for name, text in (("title", journey_text("title x", task=True)), ("section", journey_text("Section y", task=True))):
        assert text.startswith("\u200b"), name


def test_mermaid_reads_every_hostile_label_as_text(tmp_path: Path, mermaid_page: Any) -> None:
    j = _hostile_journey(tmp_path, MERMAID_HOSTILE[0])
    flow = _mermaid(mermaid_page, flow_diagram(j))
    assert flow["type"] == "flowchart-v2"
    for text in MERMAID_HOSTILE:
        assert " ".join(text.split()) in flow["texts"], text
    journey = _mermaid(mermaid_page, journey_diagram(j))
    assert journey["type"] == "journey"
    for text in MERMAID_HOSTILE:
        shown = " ".join(text.split()).translate(_LOOKALIKES).replace("%%", "%％")
        # The section's two texts and the task's two, whole, and the actor in the legend
        # (which may wrap it over several lines).
        assert journey["texts"].count(shown) >= 4 and " ".join(journey["texts"]).count(shown) >= 5, text
    assert " ".join(MERMAID_HOSTILE[0].split()).translate(_LOOKALIKES).replace("%%", "%％") in journey["texts"]  # the title


def test_the_diff_chart_reads_hostile_stage_labels_as_text(tmp_path: Path, mermaid_page: Any) -> None:
    from cjdsl.review.diff import diff, render_markdown

    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old = _hostile_journey(tmp_path / "old", "T")
    source = (tmp_path / "old" / "hostile.journey").read_text(encoding="utf-8")
    (tmp_path / "new" / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    (tmp_path / "new" / "hostile.journey").write_text(source.replace("emotion -2", "emotion +1"), encoding="utf-8")
    new = journey_of(tmp_path / "new" / "hostile.journey")
    markdown = render_markdown(diff([old], [new]), [old], [new])
    (chart,) = re.findall(r"```mermaid\n(.*?)```", markdown, re.S)
    assert "%%" not in chart and chart.count("\n") == 6
    shown = _mermaid(mermaid_page, chart)
    assert shown["type"] == "xychart"
    for text in MERMAID_HOSTILE:
        assert " ".join(text.split()) in shown["texts"], text


def test_task_names_that_start_like_statements_survive_export_import_export(tmp_path: Path) -> None:
    j = _hostile_journey(tmp_path, "Title")
    exported = journey_diagram(j)
    assert exported.count("      \u200b") == sum(
        1 for text in MERMAID_HOSTILE if re.match(r"(?i)(journey\b|title[\s\ufeff]|section\s|acc|%)", " ".join(text.split()))
    )
    imported = tmp_path / "again"
    imported.mkdir()
    assert _roundtrip(exported, imported) == exported


def _import_error(diagram: str) -> str:
    from cjdsl.review.mermaid_import import ImportError_, parse_journey

    with pytest.raises(ImportError_) as caught:
        parse_journey(diagram)
    return str(caught.value)


@pytest.mark.parametrize("score", ["²", "٣", "５", "½", "Ⅳ", "𝟓", "3²"])
def test_a_score_in_other_digits_is_a_clear_error_not_a_crash(score: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cjdsl.cli import main

    diagram = f"journey\n  title T\n  section S\n    Fine: 3: Me\n    Odd: {score}: Me\n"
    assert _import_error(diagram) == f"line 5: a journey score is one of the ASCII digits 1 to 5, got {score!r}"
    (tmp_path / "odd.mmd").write_text(diagram, encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "mermaid", str(tmp_path / "odd.mmd")])
    assert result.exit_code == 2 and result.stderr.startswith("cjdsl: error: ") and "line 5" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_scores_out_of_range_or_not_numbers_name_their_line() -> None:
    from cjdsl.review.mermaid_import import parse_journey

    base = "journey\n  title T\n  section S\n    Task: {}: Me\n"
    assert _import_error(base.format("0")) == "line 4: a journey score is 1 to 5, got 0"
    assert _import_error(base.format("6")) == "line 4: a journey score is 1 to 5, got 6"
    assert _import_error(base.format("9" * 5000)) == "line 4: a journey score is 1 to 5, got " + "9" * 20 + "…"
    assert _import_error(base.format("three")).startswith("line 4: expected `Task name: score: actors`")
    (stage,) = [item for item in parse_journey(base.format("05")).items if isinstance(item, cjdsl.core.model.Stage)]
    assert [tp.emotion for tp in stage.touchpoints] == [2]


def test_import_reads_statements_and_comments_as_mermaid_does() -> None:
    from cjdsl.review.mermaid_import import parse_journey

    document = parse_journey(
        "journey\n"
        "  TITLE Upper case title\n"
        "  %% a comment\n"
        "  % also a comment to Mermaid's lexer\n"
        "  # and this\n"
        "  accTitle: an accessible title\n"
        "  accDescr {\n    a description\n    over lines\n  }\n"
        "  Section First\n"
        "    titled: 5: Me\n"
        "    sections of it: 4: Me\n"
        "    Journeyman: 1: Me\n"
    )
    journey, _persona, stage = document.items
    assert isinstance(journey, cjdsl.core.model.Journey) and journey.label == "Upper case title"
    assert isinstance(stage, cjdsl.core.model.Stage) and stage.label == "First"
    assert [tp.label for tp in stage.touchpoints] == ["titled", "sections of it", "Journeyman"]


def test_duplicate_names_get_the_same_ids_as_before_in_linear_time() -> None:
    import time

    from cjdsl.review.mermaid_import import _Ids

    ids = _Ids(set())
    assert [ids.make(name, "tp") for name in ["a_2", "a", "a", "a", "A!", "a_3_2", "2nd", "2nd"]] == [
        "a_2",
        "a",
        "a_3",
        "a_4",
        "a_5",
        "a_3_2",
        "tp_2nd",
        "tp_2nd_2",
    ]
    many = "journey\n  section S\n" + "    Same task: 3: Me\n" * 40_000  # about 850 kB
    start = time.perf_counter()
    from cjdsl.review.mermaid_import import parse_journey

    (stage,) = [item for item in parse_journey(many).items if isinstance(item, cjdsl.core.model.Stage)]
    elapsed = time.perf_counter() - start
    assert len({tp.id for tp in stage.touchpoints}) == 40_000 and stage.touchpoints[-1].id == "same_task_40000"
    assert elapsed < 10, elapsed  # quadratic, this took minutes; linear, about half a second


def test_fences_are_found_in_one_pass_whatever_the_markdown() -> None:
    import time

    from cjdsl.review.mermaid_import import diagram

    markdown = (
        "# T\n```mermaid\nflowchart LR\n```\n\n````mermaid  \r\njourney\n  title X\n  section S\n    Task: 9: Me\n````\n"
        "```mermaid\nnever closed\n"
    )
    found = diagram(markdown)
    assert found.first_line == 8 and found.body.startswith("  title X\n")
    assert _import_error(markdown) == "line 10: a journey score is 1 to 5, got 9"
    for hostile in ("```mermaid\n" * 24_000, "```mermaid\n" + "``` x\n" * 44_000, "```" * 88_000 + "\n"):  # 264 kB each
        start = time.perf_counter()
        assert _import_error(hostile).startswith("no Mermaid `journey` diagram found")
        assert time.perf_counter() - start < 5  # the backtracking regex took 37 s on the first


def test_import_keeps_front_matter_accessibility_text_and_comments(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cjdsl.cli import main

    source = tmp_path / "clinic.mmd"
    source.write_text(
        "---\ntitle: 'Dental clinic: a patient''s visit'\nconfig:\n  theme: forest\n---\n"
        "%% drawn in the CX workshop, May\njourney\n  accTitle: Patient journey\n"
        "  accDescr {\n    From toothache to check-up.\n    Two personas.\n  }\n"
        "  section Find\n    %% the map search is new\n    Searches the map: 3: Patient, Receptionist\n"
        "    Calls the clinic: 2: Patient, Booking system, Support agent\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["import", "mermaid", str(source)])
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert 'journey dental_clinic_a_patient_s_visit "Dental clinic: a patient\'s visit"' in text
    assert "Patient journey\n    From toothache to check-up.\n    Two personas." in text
    assert "#   drawn in the CX workshop, May\n#   the map search is new\n" in text
    assert (
        "Actors left out as personas (staff or systems; --all-actors keeps them): Receptionist, Booking system, Support agent"
        in text
    )
    assert "persona patient" in text and "persona receptionist" not in text
    everyone = CliRunner().invoke(main, ["import", "mermaid", "--all-actors", str(source)]).stdout
    assert "persona receptionist" in everyone and "persona support_agent" in everyone
    unclosed = tmp_path / "unclosed.mmd"
    unclosed.write_text("---\ntitle: T\njourney\n  section S\n    Task: 3: Me\n", encoding="utf-8")
    bad = CliRunner().invoke(main, ["import", "mermaid", str(unclosed)])
    assert bad.exit_code == 2 and "front matter" in bad.stderr


def test_imported_ids_end_at_a_word(tmp_path: Path) -> None:
    from cjdsl.review.mermaid_import import parse_journey

    doc = parse_journey(
        "journey\n  section S\n    Compares the mortgage offers of three different banks online: 3: Me\n"
        "    Supercalifragilisticexpialidociousandmoreandmoreandmore: 3: Me\n"
    )
    stage = next(i for i in doc.items if isinstance(i, m.Stage))
    ids = [tp.id for tp in stage.touchpoints]
    assert ids[0] == "compares_the_mortgage_offers_of_three"
    assert len(ids[1]) == 40


def test_the_export_says_the_title_and_description_for_screen_readers() -> None:
    text = journey_diagram(journey_of(EXAMPLES / "hr_saas.journey"))
    assert "\n    accTitle: Teamwise HR" in text and "\n    accDescr: How an HR manager" in text


PER_PERSONA = """journey clinic "Clinic" { }
persona planned "Planned patient" { role "r" }
persona emergency "Emergency patient" { role "r" }
channel phone "Phone" offline phone
stage book "Book" {
  touchpoint call "Calls the clinic" {
    channel phone
    entry
    emotion 0
    emotion for emergency -2 "in pain, on hold"
    next slot "if a slot is free", wait_list "if | full \\"now\\" %%{init}%%"
  }
  touchpoint slot "Gets a slot" { channel phone  emotion +1 }
  touchpoint wait_list "Waits" { channel phone  emotion -1 }
}
"""


def _per_persona(tmp_path: Path) -> cjdsl.ResolvedJourney:
    (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    (tmp_path / "clinic.journey").write_text(PER_PERSONA, encoding="utf-8")
    return journey_of(tmp_path / "clinic.journey")


def test_personas_who_feel_a_step_otherwise_get_a_task_of_their_own(tmp_path: Path) -> None:
    text = journey_diagram(_per_persona(tmp_path))
    assert "      Calls the clinic: 3: Planned patient\n      Calls the clinic: 1: Emergency patient\n" in text
    assert "      Gets a slot: 4: Planned patient, Emergency patient\n" in text
    # Imported back, the two tasks are one touchpoint with the emergency patient's own emotion.
    again = tmp_path / "again"
    again.mkdir()
    assert _roundtrip(text, again) == text


def test_flow_labels_go_on_the_edges_inert(tmp_path: Path, mermaid_page: Any) -> None:
    j = _per_persona(tmp_path)
    flow = flow_diagram(j)
    assert '    tp_call -->|"if a slot is free"| tp_slot\n' in flow
    (line,) = [x for x in flow.splitlines() if "tp_wait_list" in x and "-->" in x]
    assert "%%" not in line and line.count("|") == 2 and line.count('"') == 2
    for text in (flow, journey_diagram(j)):
        result = mermaid_page.evaluate(
            "async (t) => { try { const r = await mermaid.parse(t); return 'ok ' + r.diagramType; }"
            " catch (e) { return 'ERROR ' + e.message; } }",
            text,
        )
        assert result.startswith("ok "), result
    svg = mermaid_page.evaluate("async (t) => (await mermaid.render('lbl' + Date.now(), t)).svg", flow)
    assert "if a slot is free" in svg
