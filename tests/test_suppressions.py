"""Suppressed findings stay visible: `allow RULE "reason"`, `for` one persona, and the
suppressed findings in the summary line, JSON, SARIF (validated against the schema),
GitHub annotations and the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

import cjdsl
from cjdsl.cli import main
from cjdsl.language.formatter import format_text
from tests.conftest import FIXTURES, write

# Two personas; `tourist` has no touchpoint in stage `two` (CJ212), `lost` is a dead end (CJ210).
BASE = """journey j "J" {
  version "1"
  owner mkt
}
team mkt "Marketing"
persona local "Local" {
  role "Resident"
  age 40
  goal "Eat well"
}
persona tourist "Tourist" {
  role "Visitor"
  age 30
  goal "Eat once"
}
persona student "Student" {
  role "Student"
  age 20
  goal "Eat cheap"
}
intent learn "Learn"
channel shop "Shop" offline store
stage one "One" phase awareness {
  touchpoint a "A" {
    channel shop
    intent learn
    entry
    context "c"
    need "n"
    emotion +1
    rating 4
    owner mkt
    next b, lost, c
  }

  touchpoint lost "Lost" {
    channel shop
    intent learn
    context "c"
    need "n"
    emotion 0
    rating 3
    owner mkt
  }
}
stage two "Two" phase loyalty {
  touchpoint b "B" {
    channel shop
    persona local
    intent learn
    context "c"
    need "n"
    emotion +2
    rating 5
    owner mkt
  }

  touchpoint c "C" {
    channel shop
    persona local
    intent learn
    context "c"
    need "n"
    emotion +1
    rating 4
    owner mkt
    event "Visit Rated"
  }
}
kpi k "K" {
  measures c
}
"""

STAGE_TWO = 'stage two "Two" phase loyalty {\n'
LOST = '  touchpoint lost "Lost" {\n'


def run(folder: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", "--format", "concise", *args, str(folder)])
    return result.exit_code, result.stdout, result.stderr


def codes(out: str) -> list[str]:
    return [line.split("[", 1)[1].split("]", 1)[0] for line in out.splitlines()]


def test_the_base_has_the_findings_the_tests_silence(project: Path) -> None:
    write(project, {"j.journey": BASE})
    assert sorted(codes(run(project)[1])) == ["CJ210", "CJ212", "CJ212"]


def test_allow_with_a_reason_silences_and_is_counted(project: Path) -> None:
    write(project, {"j.journey": BASE.replace(LOST, LOST + '    allow dead-end "the shop calls back"\n')})
    code, out, err = run(project)
    assert code == 0 and "CJ210" not in out and "CJ251" not in out
    assert err.strip().endswith("Found 2 warnings, 1 suppressed (1 file checked).")


def test_allow_without_a_reason_still_works_and_asks_for_one(project: Path) -> None:
    write(project, {"j.journey": BASE.replace(LOST, LOST + "    allow dead-end\n")})
    _, out, _ = run(project)
    assert "CJ210" not in codes(out)
    assert "j.journey:37:5: warning[CJ251] `allow dead-end` gives no reason" in out
    # A team that does not want reasons turns the rule off.
    (project / "cjdsl.toml").write_text('ignore = ["suppression-without-reason"]\n', encoding="utf-8")
    assert "CJ251" not in run(project)[1]


def test_for_narrows_an_allow_to_one_persona(project: Path) -> None:
    allow = '  allow persona-missing-from-stage for tourist "tourists leave after one visit"\n'
    write(project, {"j.journey": BASE.replace(STAGE_TWO, STAGE_TWO + allow)})
    project_ = cjdsl.check([project])
    missing = [d.message for d in project_.diagnostics if d.code == "CJ212"]
    assert missing == ["persona `student` has no touchpoint in stage `two`"]
    (silenced,) = [d for d in project_.suppressed if d.code == "CJ212"]
    assert "tourist" in silenced.message
    assert silenced.suppression is not None and silenced.suppression.reason == "tourists leave after one visit"
    # Without `for`, both are silenced.
    write(project, {"j.journey": BASE.replace(STAGE_TWO, STAGE_TWO + '  allow persona-missing-from-stage "later"\n')})
    assert "CJ212" not in codes(run(project)[1])


def test_for_an_id_that_nothing_is_about_is_reported(project: Path) -> None:
    allow = '  allow persona-missing-from-stage for tourist, local "why"\n'
    write(project, {"j.journey": BASE.replace(STAGE_TWO, STAGE_TWO + allow)})
    _, out, _ = run(project)
    assert "warning[CJ250] `allow persona-missing-from-stage for local` silences nothing here" in out
    assert "tourist" not in out.split("CJ250")[1]
    # `for` on a rule whose findings name nobody silences nothing, and says so.
    write(project, {"j.journey": BASE.replace(LOST, LOST + '    allow dead-end for tourist "why"\n')})
    _, out, _ = run(project)
    assert "CJ210" in codes(out)
    assert "`allow dead-end for tourist` silences nothing here" in out


def test_a_suppressed_error_does_not_fail_the_run(project: Path) -> None:
    (project / "cjdsl.toml").write_text('[rules.dead-end]\nseverity = "error"\n', encoding="utf-8")
    write(project, {"j.journey": BASE})
    assert run(project)[0] == 1
    write(project, {"j.journey": BASE.replace(LOST, LOST + '    allow dead-end "accepted"\n')})
    assert run(project)[0] == 0
    assert run(project, "--strict")[0] == 1  # the two CJ212 warnings still count under --strict


def test_json_lists_suppressed_findings_with_the_reason(project: Path) -> None:
    write(project, {"j.journey": BASE.replace(LOST, LOST + '    allow dead-end "the shop calls back"\n')})
    result = CliRunner().invoke(main, ["check", "--format", "json", str(project)])
    data = json.loads(result.stdout)
    (silenced,) = [d for d in data if d["suppressed"]]
    assert silenced["code"] == "CJ210"
    assert silenced["suppressed"]["reason"] == "the shop calls back"
    assert silenced["suppressed"]["location"]["line"] == 37
    assert all(d["suppressed"] is None for d in data if d["code"] != "CJ210")


def test_sarif_carries_in_source_suppressions(project: Path) -> None:
    write(
        project,
        {
            "j.journey": BASE.replace(LOST, LOST + '    allow dead-end "the shop calls back"\n').replace(
                STAGE_TWO, STAGE_TWO + "  allow persona-missing-from-stage for student\n"
            )
        },
    )
    result = CliRunner().invoke(main, ["check", "--format", "sarif", str(project)])
    log = json.loads(result.stdout)
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    suppressed = {r["ruleId"]: r["suppressions"] for r in results if "suppressions" in r}
    assert suppressed["CJ210"] == [
        {
            "kind": "inSource",
            "location": suppressed["CJ210"][0]["location"],
            "justification": "the shop calls back",
        }
    ]
    assert suppressed["CJ210"][0]["location"]["physicalLocation"]["region"]["startLine"] == 37
    assert "justification" not in suppressed["CJ212"][0]  # no reason given: none invented
    assert sum(1 for r in results if "suppressions" not in r) == 2  # CJ212 for tourist, CJ251


def test_github_annotations_leave_suppressed_findings_out(project: Path) -> None:
    write(project, {"j.journey": BASE.replace(LOST, LOST + '    allow dead-end "the shop calls back"\n')})
    result = CliRunner().invoke(main, ["check", "--format", "github", str(project)])
    assert "CJ210" not in result.stdout and result.stdout.count("::warning") == 2


def test_the_formatter_keeps_reasons_and_for(project: Path) -> None:
    source = BASE.replace(STAGE_TWO, STAGE_TWO + '  allow   CJ212,dead-end  for tourist,local   "a \\"quoted\\" reason"\n')
    text, diagnostics = format_text(source)
    assert not diagnostics and text is not None
    assert '  allow CJ212, dead-end for tourist, local "a \\"quoted\\" reason"\n' in text
    assert format_text(text)[0] == text
