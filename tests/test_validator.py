"""The validator around the rules: settings, severities, options, `allow`, --strict,
and the CI output formats (SARIF validated against the official schema, GitHub
annotations)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import cjdsl
from cjdsl.cli import main
from cjdsl.cli.report import render_github
from cjdsl.project.config import ConfigError, load_config
from tests.conftest import EXAMPLES, FIXTURES, example_files, write

# A journey with exactly one completeness problem: `lost` is a dead end (CJ210).
BASE = """journey j "J" {
  version "1"
  owner mkt
}
team mkt "Marketing"
persona anna "Anna" {
  role "HR"
  age 38
  goal "Hire"
}
intent learn "Learn"
channel shop "Shop" offline store
stage s1 "One" phase awareness {
  touchpoint a "A" {
    channel shop
    persona anna
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
stage s2 "Two" phase loyalty {
  touchpoint b "B" {
    channel shop
    intent learn
    context "c"
    need "n"
    emotion +2
    rating 5
    owner mkt
  }

  touchpoint c "C" {
    channel shop
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


def run(folder: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", "--format", "concise", *args, str(folder)])
    return result.exit_code, result.stdout, result.stderr


def test_base_journey_has_exactly_one_warning(project: Path) -> None:
    write(project, {"j.journey": BASE})
    code, out, _ = run(project)
    assert (code, out) == (0, "j.journey:27:14: warning[CJ210] touchpoint `lost` is a dead end: nothing follows it\n")


def test_strict_makes_warnings_fail(project: Path) -> None:
    write(project, {"j.journey": BASE})
    assert run(project, "--strict")[0] == 1
    (project / "cjdsl.toml").write_text("strict = true\n", encoding="utf-8")
    assert run(project)[0] == 1


def test_severity_and_selection_settings(project: Path) -> None:
    write(project, {"j.journey": BASE})
    (project / "cjdsl.toml").write_text('[rules.dead-end]\nseverity = "error"\n', encoding="utf-8")
    code, out, _ = run(project)
    assert code == 1 and "error[CJ210]" in out
    (project / "cjdsl.toml").write_text('[rules.CJ210]\nseverity = "off"\n', encoding="utf-8")
    assert run(project) == (0, "", run(project)[2])
    (project / "cjdsl.toml").write_text('ignore = ["dead-end"]\n', encoding="utf-8")
    assert run(project)[1] == ""
    (project / "cjdsl.toml").write_text('select = ["CJ20"]\n', encoding="utf-8")
    assert run(project)[1] == ""
    (project / "cjdsl.toml").write_text("", encoding="utf-8")
    assert run(project, "--ignore", "CJ210")[1] == ""
    assert "CJ210" in run(project, "--select", "dead-end")[1]


def test_rule_options(project: Path) -> None:
    write(project, {"j.journey": BASE.replace('"Shop" offline store', '"Shop" online web')})
    assert "CJ208" not in run(project)[1]
    (project / "cjdsl.toml").write_text("[rules.too-few-first-visit-paths]\npaths = 4\n", encoding="utf-8")
    assert "entry touchpoint `a` offers 3 next paths for intent `learn`; at least 4 are expected" in run(project)[1]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('select = ["dead-ends"]', "unknown rule `dead-ends` in `select`; did you mean `dead-end`?"),
        ('[rules.dead-end]\nseverity = "fatal"', "severity must be error, warning, info or off"),
        ('[rules.too-few-first-visit-paths]\npaths = "3"', "`paths` must be int, like 3"),
        ("[rules.dead-end]\npaths = 3", "[rules.dead-end] has no option `paths` (options: severity)"),
        ('[rules.CJ101]\nseverity = "off"', "CJ101 unknown-reference is a structure error of the language and cannot be changed"),
        ("strict = 1", "setting `strict` has the wrong type"),
    ],
)
def test_settings_errors_are_clear(project: Path, toml: str, message: str) -> None:
    (project / "cjdsl.toml").write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=None) as err:
        load_config([project])
    assert message in str(err.value)
    write(project, {"j.journey": BASE})
    code, _, stderr = run(project)
    assert code == 2 and message in stderr


def test_allow_silences_a_block_and_its_children(project: Path) -> None:
    text = BASE.replace(
        'stage s1 "One" phase awareness {\n', 'stage s1 "One" phase awareness {\n  allow dead-end "kept open on purpose"\n'
    )
    write(project, {"j.journey": text})
    assert run(project)[1] == ""
    # On another block it silences nothing, and says so.
    text = BASE.replace('stage s2 "Two" phase loyalty {\n', 'stage s2 "Two" phase loyalty {\n  allow CJ210, dead-endd "why"\n')
    write(project, {"j.journey": text})
    out = run(project)[1].splitlines()
    assert out == [
        "j.journey:27:14: warning[CJ210] touchpoint `lost` is a dead end: nothing follows it",
        "j.journey:38:9: warning[CJ250] `allow CJ210` silences nothing here",
        "j.journey:38:16: warning[CJ250] `allow dead-endd` names no rule",
    ]


def test_allow_on_the_journey_covers_every_file(project: Path) -> None:
    text = BASE.replace("  owner mkt\n}\nteam", '  owner mkt\n  allow dead-end "a pilot"\n}\nteam', 1)
    write(project, {"j.journey": text})
    assert run(project)[1] == ""


def test_structure_errors_cannot_be_allowed(project: Path) -> None:
    text = BASE.replace("    next b, lost, c\n", "    next b, lost, c, nowhere\n    allow unknown-reference\n")
    write(project, {"j.journey": text})
    code, out, _ = run(project)
    assert code == 1 and "error[CJ101] unknown touchpoint `nowhere`" in out
    assert "CJ101 is a structure error and cannot be allowed" in out


def test_examples_pass_strict_without_suppressing_a_rule_wholesale() -> None:
    result = CliRunner().invoke(main, ["check", "--strict", str(EXAMPLES)])
    assert result.exit_code == 0, result.stdout
    for path in example_files():
        allows = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip().startswith("allow ")]
        # Only a persona's legitimate skip, narrowed with `for` and explained, or a metric
        # that misses its target, accepted inside that metric's block with the reason.
        narrowed = r'allow [a-z-]+ for [a-z_, ]+ "[^"]{20,}"|allow metric-below-target "[^"]{20,}"'
        assert all(re.fullmatch(narrowed, line) for line in allows), allows


def test_sarif_validates_against_the_official_schema(project: Path) -> None:
    text = BASE.replace("    next b, lost, c\n", "    next b, lost, c, nowhere\n")
    write(project, {"j.journey": text})
    result = CliRunner().invoke(main, ["check", "--format", "sarif", str(project)])
    assert result.exit_code == 1 and result.stderr == ""
    log = json.loads(result.stdout)
    schema = json.loads((FIXTURES / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(log)
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    from cjdsl.rules import all_rules

    assert [r["id"] for r in rules] == list(all_rules())
    results = {r["ruleId"]: r for r in run_["results"]}
    assert set(results) == {"CJ101", "CJ210"}
    assert results["CJ101"]["level"] == "error" and results["CJ210"]["level"] == "warning"
    region = results["CJ101"]["locations"][0]["physicalLocation"]
    assert region["artifactLocation"] == {"uri": "j.journey", "uriBaseId": "%SRCROOT%"}
    assert region["region"] == {"startLine": 24, "startColumn": 22, "endLine": 24, "endColumn": 29}
    assert rules[results["CJ210"]["ruleIndex"]]["name"] == "dead-end"


def test_github_annotations_escape_what_they_must() -> None:
    d = cjdsl.Diagnostic("CJ210", cjdsl.Severity.WARNING, "50% done\nsecond line", cjdsl.Span.at("a,b:c.journey", 3, 5, 3, 9))
    assert render_github([d]) == (
        "::warning file=a%2Cb%3Ac.journey,line=3,col=5,endLine=3,endColumn=9,title=CJ210 dead-end::50%25 done%0Asecond line\n"
    )


def test_rules_and_explain_commands() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["rules"]).stdout
    assert "CJ210  dead-end" in listing and "CJ101  unknown-reference" in listing
    data = json.loads(runner.invoke(main, ["rules", "--format", "json"]).stdout)
    assert {r["code"] for r in data} >= {"CJ201", "CJ221", "CJ250"}
    text = runner.invoke(main, ["explain", "dead-end"]).stdout
    assert text.startswith("# CJ210 dead-end\n") and "## Why it matters" in text
    assert "where the customer abandons the journey" in text and "DOMAIN.md" not in text
    assert runner.invoke(main, ["explain", "cj210"]).stdout == text
    bad = runner.invoke(main, ["explain", "dead-ends"])
    assert bad.exit_code == 2 and "did you mean `dead-end`?" in bad.stderr


def test_rules_explain_and_sarif_say_what_the_docs_file_says(project: Path) -> None:
    """A core code's summary and docs are written once (cjdsl/rules/docs/CODE.md): the
    listing, its JSON, `explain` and SARIF all say the same."""
    from cjdsl.core.diagnostics import CODES
    from cjdsl.rules import all_rules

    runner = CliRunner()
    listing = runner.invoke(main, ["rules"]).stdout.splitlines()
    data = {r["code"]: r for r in json.loads(runner.invoke(main, ["rules", "--format", "json"]).stdout)}
    for code in ("CJ001", "CJ102", "CJ155"):
        summary, docs = CODES[code].summary, CODES[code].docs
        (line,) = [line for line in listing if line.startswith(f"{code} ")]
        assert line.endswith(f"  {summary}")
        assert (data[code]["summary"], data[code]["docs"]) == (summary, docs)
        explained = runner.invoke(main, ["explain", code]).stdout
        assert explained.splitlines()[2].startswith(f"{summary} (") and explained.endswith(f"\n{docs}\n")
    write(project, {"j.journey": BASE})
    log = json.loads(runner.invoke(main, ["check", "--format", "sarif", str(project)]).stdout)
    described = {r["id"]: (r["shortDescription"]["text"], r["help"]["text"]) for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert described == {r.code: (r.summary, r.docs) for r in all_rules().values()}
    assert described["CJ001"] == (CODES["CJ001"].summary, CODES["CJ001"].docs)


def test_summary_counts_per_file(project: Path) -> None:
    write(project, {"a.journey": BASE, "b.journey": BASE.replace('journey j "J"', 'journey k "K"')})
    result = CliRunner().invoke(main, ["check", str(project)])
    assert "  a.journey: 1 warning\n  b.journey: 1 warning\nFound 2 warnings (2 files checked)." in result.stderr


def test_allow_takes_codes_in_any_case(project: Path) -> None:
    text = BASE.replace(
        '  touchpoint lost "Lost" {\n', '  touchpoint lost "Lost" {\n    allow cj210 "the shop closes the loop"\n'
    )
    write(project, {"j.journey": text})
    assert run(project)[1] == ""


def test_allow_prefix_and_allow_unused_suppression(project: Path) -> None:
    text = BASE.replace('stage s2 "Two" phase loyalty {\n', 'stage s2 "Two" phase loyalty {\n  allow CJ2\n')
    write(project, {"j.journey": text})
    assert "`allow CJ2` is a code prefix" in run(project)[1]
    quiet = BASE.replace(
        'stage s2 "Two" phase loyalty {\n', 'stage s2 "Two" phase loyalty {\n  allow dead-end, unused-suppression\n'
    )
    write(project, {"j.journey": quiet})
    assert "CJ250" not in run(project)[1]


def test_first_visit_paths_count_distinct_other_touchpoints(project: Path) -> None:
    text = BASE.replace("    next b, lost, c\n", "    next b, b, a, lost\n").replace('"Shop" offline store', '"Shop" online web')
    write(project, {"j.journey": text})
    assert "entry touchpoint `a` offers 2 next paths for intent `learn`" in run(project)[1]


def test_enum_values_in_another_order_do_not_conflict(project: Path) -> None:
    events = {
        "a": '    event "Plan Chosen" {\n      tier enum("pro", "team")\n    }\n',
        "c": '    event "Plan Chosen" {\n      tier enum("team", "pro")\n    }\n',
    }
    text = BASE.replace("    next b, lost, c\n", "    next b, lost, c\n" + events["a"])
    text = text.replace(
        '    emotion +1\n    rating 4\n    owner mkt\n    event "Visit Rated"\n  }\n}\nkpi',
        '    emotion +1\n    rating 4\n    owner mkt\n    event "Visit Rated"\n' + events["c"] + "  }\n}\nkpi",
    )
    write(project, {"j.journey": text})
    assert "CJ217" not in run(project)[1]
    write(project, {"j.journey": text.replace('enum("team", "pro")', 'enum("team", "enterprise")')})
    assert "CJ217" in run(project)[1]


def test_a_channel_of_unknown_mode_is_reported(project: Path) -> None:
    write(project, {"j.journey": BASE.replace('channel shop "Shop" offline store', 'channel shop "Shop"')})
    assert "channel `shop` says neither online nor offline" in run(project)[1]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Product Added to Wishlist", None),
        ("Invoice Sent", None),
        ("E-mail Opened", None),
        ("News Feed", 'event name "News Feed" has no past-tense verb after its object'),
        ("Viewed Article", 'event name "Viewed Article" has no past-tense verb after its object'),
        ("Order_Completed", 'event name "Order_Completed" should be "Object Action" in Title Case'),
    ],
)
def test_event_name_convention(project: Path, name: str, message: str | None) -> None:
    text = BASE.replace("    next b, lost, c\n", f'    next b, lost, c\n    event "{name}"\n')
    write(project, {"j.journey": text})
    out = run(project)[1]
    if message is None:
        assert "CJ215" not in out
    else:
        assert message in out


def test_flows_without_any_entry_are_reported_once(project: Path) -> None:
    write(project, {"j.journey": BASE.replace("    entry\n", "")})
    out = run(project)[1]
    assert "warning[CJ209] no touchpoint is marked `entry`, so no flow starts anywhere" in out
    assert out.count("CJ209") == 1
