"""Every element of the practitioners' lanes goes through every stage: a fixture of an
as-is journey and its to-be redesign (tests/fixtures/lanes/) is parsed, formatted back
to itself, written as JSON, compared by the diff and shown on the site."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cjdsl
from cjdsl.cli import main
from cjdsl.review.diff import diff_journey
from tests.conftest import FIXTURES

LANES = FIXTURES / "lanes"


@pytest.fixture(scope="module")
def project() -> cjdsl.Project:
    found = cjdsl.check([LANES])
    assert found.ok, found.diagnostics
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lanes") / "site"
    result = CliRunner().invoke(main, ["build", str(LANES), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def journey(project: cjdsl.Project, jid: str) -> cjdsl.ResolvedJourney:
    (j,) = [j for j in project.journeys if j.id == jid]
    return j


def json_of(project: cjdsl.Project, jid: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(cjdsl.render("json", journey(project, jid), project.config).content)
    return data


def page_text(site: Path, jid: str) -> str:
    import html

    raw = (site / "journeys" / f"{jid}.html").read_text(encoding="utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def test_the_fixture_formats_to_itself() -> None:
    for path in sorted(LANES.glob("*.journey")):
        text = path.read_text(encoding="utf-8")
        assert cjdsl.format_text(text, path.name)[0] == text, path.name


#: element → (what the JSON of the as-is journey holds, the field the diff reports,
#: a text the as-is page shows).
ELEMENTS: dict[str, tuple[Any, str | None, str]] = {
    "state": (lambda d: d["journey"]["state"] == "current", None, "Mortgage today"),
    "moment_of_truth": (
        lambda d: d["tp"]["moment_of_truth_label"].startswith("She decides"),
        "moment_of_truth_label",
        "She decides here",
    ),
    "thinking": (
        lambda d: d["tp"]["thinking"] == ["Will they accept income from contracts?"],
        "thinking",
        "Will they accept income",
    ),
    "quote": (lambda d: d["tp"]["quotes"][0]["source"] == "interview 07", "quotes", "I never know if they got my papers"),
    "frontstage": (lambda d: d["tp"]["steps"][0]["lane"] == "frontstage", "steps", "Advisor checks the documents"),
    "backstage": (
        lambda d: d["tp"]["steps"][1]["duration"]["seconds"] == [259200, 259200],
        "steps",
        "Underwriting scores the application",
    ),
    "support": (lambda d: d["tp"]["support"] == ["core_banking"], "support", "Core banking"),
    "evidence": (lambda d: d["tp"]["evidence"] == "Signed application form", "evidence", "Signed application form"),
    "emotion for": (lambda d: d["tp"]["emotion_for"][0]["value"] == -2, "emotion for urgent", "on hold"),
    "rating for": (lambda d: d["tp"]["rating_for"][0]["persona"] == "urgent", "rating for urgent", "Urgent mover"),
    "confidence": (lambda d: d["tp"]["confidence"] == "observed", "confidence", "observed"),
    "duration": (lambda d: d["tp"]["duration"]["unit"] == "min", "duration", "45 min"),
    "wait": (lambda d: d["tp"]["wait"]["high"] == 5, "wait", "2–5 d"),
    "next label": (lambda d: d["tp"]["flows"][0]["label"] == "if complete", "label", "if complete"),
    "actor": (lambda d: {a["id"] for a in d["actors"]} >= {"advisor", "notary"}, None, "Mortgage advisor"),
    "system": (lambda d: {s["id"] for s in d["systems"]} >= {"core_banking"}, None, "Core banking"),
    "metric": (lambda d: d["metrics"][0]["scale"] == [1, 5], "value", "Application CSAT"),
}


@pytest.mark.parametrize("element", sorted(ELEMENTS))
def test_each_element_reaches_json_diff_and_site(element: str, project: cjdsl.Project, site: Path) -> None:
    in_json, diff_field, shown = ELEMENTS[element]
    data = json_of(project, "current")
    (submit,) = [tp for st in data["stages"] for tp in st["touchpoints"] if tp["id"] == "submit"]
    assert in_json({**data, "tp": submit}), element
    if diff_field is not None:
        edits = diff_journey(journey(project, "current"), journey(project, "future"))
        assert any(e.field == diff_field for e in edits), (element, [e.field for e in edits])
    assert shown in page_text(site, "current"), element


def test_the_redesign_is_compared_with_its_as_is_journey(site: Path) -> None:
    page = (site / "journeys" / "future.compare.html").read_text(encoding="utf-8")
    assert "Mortgage today" in page and "Mortgage, redesigned" in page
    assert "if the documents are readable" in page  # a changed flow label is among the changes
