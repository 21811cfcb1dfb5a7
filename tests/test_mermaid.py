"""Mermaid: golden files for every example, labels that cannot break the syntax, and
Mermaid's own parser (Mermaid 11 in Chromium) accepting every diagram."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import cjdsl
from cjdsl.backends.mermaid import flow_diagram, journey_diagram, journey_text, score

from .conftest import FIXTURES, IN_CI, journey_examples

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
    from cjdsl.formatter import format_document
    from cjdsl.mermaid_import import parse_journey

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
    assert journey_diagram(journey_of(out)) == diagram
    again = runner.invoke(main, ["import", "mermaid", str(source), "-o", str(out)])
    assert again.exit_code == 2 and "exists; use --force" in again.stderr
    (tmp_path / "flow.mmd").write_text("flowchart LR\n  a --> b\n", encoding="utf-8")
    bad = runner.invoke(main, ["import", "mermaid", str(tmp_path / "flow.mmd")])
    assert bad.exit_code == 2 and "no Mermaid `journey` diagram found" in bad.stderr
    (tmp_path / "broken.mmd").write_text("journey\n  title T\n  section S\n    Task without score\n", encoding="utf-8")
    bad = runner.invoke(main, ["import", "mermaid", str(tmp_path / "broken.mmd")])
    assert bad.exit_code == 2 and "line 4: expected `Task name: score: actors`" in bad.stderr


def test_the_diff_comment_chart_parses(mermaid_page: Any) -> None:
    import re

    from cjdsl.diff import diff, render_markdown

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
