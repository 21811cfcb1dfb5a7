"""The semantic diff: exact edit lists, formats, --fail-on, and git revisions."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import cjdsl
from cjdsl.cli import main
from cjdsl.review.diff import diff, render_markdown, render_text
from tests.conftest import FIXTURES, git, write

CASE = FIXTURES / "diff"


def journeys(path: Path) -> list[cjdsl.ResolvedJourney]:
    project = cjdsl.check([path])
    assert project.ok, project.diagnostics
    return project.journeys


def test_every_kind_of_edit() -> None:
    edits = diff(journeys(CASE / "old.journey"), journeys(CASE / "new.journey"))
    got = [(e.kind, e.element, e.id, e.field, e.old, e.new, e.impact) for e in edits]
    assert got == [
        ("changed", "journey", "shop", "owner", "web", "care", ("ownership",)),
        ("changed", "journey", "shop", "version", "1.0", "1.1", ()),
        ("removed", "persona", "bo", None, None, None, ()),
        ("added", "intent", "learn", None, None, None, ()),
        ("changed", "channel", "site", "label", "Site", "Website", ()),
        ("added", "team", "ops", None, None, None, ()),
        ("added", "stage", "help", None, None, None, ()),
        ("changed", "touchpoint", "ad", "emotion", 0, -1, ("experience",)),
        ("changed", "touchpoint", "ad", "owner", "web", "ops", ("ownership",)),
        ("renamed", "touchpoint", "brochure", "id", "flyer", "brochure", ()),
        ("moved", "touchpoint", "call", "stage", "choose", "help", ("experience",)),
        ("added", "flow", "ad -> brochure", None, None, None, ()),
        ("removed", "flow", "page -> call", None, None, None, ()),
        ("added", "pain", "queue", "no opportunity", None, None, ("experience",)),
        ("changed", "pain", "slow", "severity", "high", "critical", ()),
        ("changed", "opportunity", "cdn", "owner", "web", "ops", ("ownership",)),
        ("changed", "kpi", "conv", "target", None, ">= 2%", ()),
        ("added", "event", "Wishlist Added", None, None, None, ("tracking-additive",)),
        ("changed", "property", "Ad Clicked.creative", "type", "string", "integer", ("tracking-breaking",)),
        ("added", "property", "Ad Clicked.placement", None, None, None, ("tracking-additive",)),
        ("added", "property", "Product Viewed.sku", "required", None, None, ("tracking-breaking",)),
    ]


def test_removed_touchpoints_and_events_are_breaking_or_experience() -> None:
    edits = diff(journeys(CASE / "new.journey"), journeys(CASE / "old.journey"))
    kinds = {(e.kind, e.element, e.id): e.impact for e in edits}
    assert kinds[("removed", "event", "Wishlist Added")] == ("tracking-breaking",)
    assert kinds[("removed", "property", "Ad Clicked.placement")] == ("tracking-breaking",)
    assert ("changed", "property", "Ad Clicked.campaign") in {(e.kind, e.element, e.id) for e in edits}  # made required


def test_no_changes() -> None:
    same = journeys(CASE / "old.journey")
    assert diff(same, journeys(CASE / "old.journey")) == []
    assert render_text([]) == "No changes in the journeys.\n"


def test_formats_and_fail_on() -> None:
    runner = CliRunner()
    old, new = str(CASE / "old.journey"), str(CASE / "new.journey")
    text = runner.invoke(main, ["diff", old, new])
    assert text.exit_code == 0
    assert "  ~ touchpoint ad: emotion 0 → -1  [experience]" in text.stdout
    assert "  = touchpoint flyer renamed to brochure" in text.stdout
    assert text.stdout.rstrip().endswith("21 changes, 2 breaking for tracking")
    data = json.loads(runner.invoke(main, ["diff", "--format", "json", old, new]).stdout)
    assert data[0] == {
        "kind": "changed",
        "element": "journey",
        "journey": "shop",
        "id": "shop",
        "field": "owner",
        "old": "web",
        "new": "care",
        "impact": ["ownership"],
    }
    assert runner.invoke(main, ["diff", "--fail-on", "breaking", old, new]).exit_code == 1
    assert runner.invoke(main, ["diff", "--fail-on", "any", old, old]).exit_code == 0
    md = render_markdown(
        diff(journeys(CASE / "old.journey"), journeys(CASE / "new.journey")),
        journeys(CASE / "old.journey"),
        journeys(CASE / "new.journey"),
    )
    assert md.startswith("### Journey changes\n\n| journey | added | removed | changed | breaking tracking |")
    assert "| shop | 8 | 2 | 11 | 2 |" in md
    # Breaking tracking changes come first in the journey's section.
    section = md.split("#### Shop (`shop`)")[1]
    assert section.index("**Breaking tracking changes**") < section.index("touchpoint Sees an ad (`ad`)")
    assert "```mermaid\nxychart-beta" in md and 'x-axis ["Find", "Choose"]' in md  # Help is new: in the table only
    assert "| Help | — | -1 |" in md
    # A reviewer reads labels with ids, the stage of what moved, and words, not Python.
    assert "touchpoint Calls support (`call`) moved from stage Choose (`choose`) to stage Help (`help`)" in md
    assert "flow Sees an ad (`ad`) → Reads a flyer (`brochure`) added" in md
    assert "True" not in md and "False" not in md and "-&gt;" not in md


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_between_git_revisions(tmp_path: Path) -> None:
    """Two commits in a throwaway repository; only the included file changes between
    them, so the diff must resolve includes at each revision."""
    repo = tmp_path / "repo"
    (repo / "journeys" / "shared").mkdir(parents=True)
    (repo / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    (repo / "journeys" / "shared" / "people.journey").write_text('persona ana "Ana" { role "Buyer" }\n', encoding="utf-8")
    (repo / "journeys" / "j.journey").write_text(
        'include "shared/people.journey"\njourney j "J"\nstage s "S" {\n  touchpoint t "T" {\n    persona ana\n  }\n}\n',
        encoding="utf-8",
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    (repo / "journeys" / "shared" / "people.journey").write_text(
        'persona ana "Ana" { role "Head of buying" }\n', encoding="utf-8"
    )
    git(repo, "commit", "-q", "-am", "two")
    old_cwd = os.getcwd()
    os.chdir(repo / "journeys")
    try:
        result = CliRunner().invoke(main, ["diff", "--format", "json", "git:HEAD~1", "git:HEAD"])
        worktree = CliRunner().invoke(main, ["diff", "--format", "json", "git:HEAD~1:journeys", "."])
        missing = CliRunner().invoke(main, ["diff", "git:no-such-rev", "."])
    finally:
        os.chdir(old_cwd)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "kind": "changed",
            "element": "persona",
            "journey": "j",
            "id": "ana",
            "field": "role",
            "old": "Buyer",
            "new": "Head of buying",
            "impact": [],
        }
    ]
    assert json.loads(worktree.stdout) == json.loads(result.stdout)
    assert missing.exit_code == 2 and missing.stderr.startswith("cjdsl: error: git:no-such-rev:")


def test_pre_commit_hooks_name_real_commands() -> None:
    import yaml

    from tests.conftest import ROOT

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"cjdsl-check", "cjdsl-fmt"}
    for hook in hooks:
        program, command = hook["entry"].split()
        assert program == "cjdsl" and command in main.commands
        assert hook["files"] == r"\.journey$" and hook["language"] == "python"


def _chart_of(tmp_path: Path, old: str, new: str) -> tuple[list[str], list[str], list[str]]:
    """The x-axis categories and the two lines of values of the diff comment's chart."""
    import re

    sides = []
    for name, text in (("old", old), ("new", new)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
        (tmp_path / name / "j.journey").write_text('journey j "J"\n' + text, encoding="utf-8")
        sides.append(journeys(tmp_path / name))
    markdown = render_markdown(diff(sides[0], sides[1]), sides[0], sides[1])
    (axis,) = re.findall(r"    x-axis \[(.*)\]", markdown)
    before, after = re.findall(r"    line \[(.*)\]", markdown)
    return re.findall(r'"([^"]*)"', axis), before.split(", "), after.split(", ")


def _stage(sid: str, label: str, emotion: int) -> str:
    return f'stage {sid} "{label}" phase awareness {{\n  touchpoint t_{sid} "T" {{\n    emotion {emotion:+d}\n  }}\n}}\n'


def test_the_emotion_chart_shows_a_relabelled_stage_once_under_its_new_label(tmp_path: Path) -> None:
    old = _stage("a", "Find", -1) + _stage("b", "Buy", 1)
    new = _stage("a", "Discover", 1) + _stage("b", "Buy", 1)
    assert _chart_of(tmp_path, old, new) == (["Discover", "Buy"], ["-1", "1"], ["1", "1"])


def test_the_emotion_chart_keeps_two_stages_that_share_a_label_apart(tmp_path: Path) -> None:
    old = _stage("a", "Same", -2) + _stage("b", "Same", 2)
    new = _stage("a", "Same", -1) + _stage("b", "Same", 2) + _stage("c", "Other", 0)
    # `Other` exists after only: it is in the table, not drawn as 0 before.
    assert _chart_of(tmp_path, old, new) == (["Same (a)", "Same (b)"], ["-2", "2"], ["-1", "2"])


def test_the_emotion_chart_follows_a_stage_renamed_by_id(tmp_path: Path) -> None:
    old = _stage("a", "Find", -1) + _stage("b", "Buy", 1)
    new = _stage("a", "Find", -2) + _stage("b", "Buy", 1).replace("stage b ", "stage purchase ")
    axis, before, after = _chart_of(tmp_path, old, new)
    assert (axis, before, after) == (["Find", "Buy"], ["-1", "1"], ["-2", "1"])


def test_the_comment_says_the_tracking_versions_and_whether_the_lock_is_current(tmp_path: Path) -> None:
    from cjdsl.review.diff import tracking_note

    base = 'journey j "J"\nstage s "S" {\n  touchpoint t "T" {\n    event "Quote Requested" {\n      n integer\n    }\n  }\n}\n'
    write(tmp_path / "old", {"cjdsl.toml": 'ignore = ["CJ2"]\n', "j.journey": base})
    write(tmp_path / "new", {"cjdsl.toml": 'ignore = ["CJ2"]\n', "j.journey": base.replace("n integer", "n string")})
    assert CliRunner().invoke(main, ["build", str(tmp_path / "old"), "-o", str(tmp_path / "site")]).exit_code == 0
    old, new = cjdsl.check([tmp_path / "old"]), cjdsl.check([tmp_path / "new"])
    note = tracking_note(old.journeys, new.journeys, old.lock, new.lock)
    assert note.bumps == (("Quote Requested", "model", 2, "2-0-0"),) and note.lock_current is None
    md = render_markdown(diff(old.journeys, new.journeys), old.journeys, new.journeys, tracking=note)
    assert "| Quote Requested | breaking change | 2 | 2-0-0 |" in md and "There is no `tracking.lock.json`" in md
    # The new side copies the old lock without rebuilding: stale.
    (tmp_path / "new" / "tracking.lock.json").write_bytes((tmp_path / "old" / "tracking.lock.json").read_bytes())
    new = cjdsl.check([tmp_path / "new"])
    note = tracking_note(old.journeys, new.journeys, old.lock, new.lock)
    assert note.lock_current is False
    assert "does not match the journeys" in render_markdown(diff(old.journeys, new.journeys), tracking=note)


def _property_edits(tmp_path: Path, old: str, new: str) -> list[tuple[str, object, object, tuple[str, ...]]]:
    source = """journey j "J" {{ }}
persona p "P" {{ role "Buyer" }}
channel web "Web" online web
stage s "S" phase awareness {{
  touchpoint t "T" {{
    channel web
    entry
    event "Thing Done" {{ x {type} }}
  }}
}}
"""
    sides = []
    for name, type_ in (("old", old), ("new", new)):
        write(tmp_path / name, {"j.journey": source.format(type=type_)})
        sides.append(journeys(tmp_path / name / "j.journey"))
    return [(e.field or "", e.old, e.new, e.impact) for e in diff(*sides) if e.element == "property"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # A string that must now be one of a few values rejects what it took: a type change.
        ("string", 'enum("a", "b")', [("type", "string", "enum", ("tracking-breaking",))]),
        ("string", "datetime", [("type", "string", "datetime", ("tracking-breaking",))]),
        ("list(string)", "list(integer)", [("type", "list(string)", "list(integer)", ("tracking-breaking",))]),
        # More values for an enum take everything it took before; fewer do not.
        ('enum("a")', 'enum("a", "b")', [("constraints", {"enum": ["a"]}, {"enum": ["a", "b"]}, ("tracking-additive",))]),
        ('enum("a", "b")', 'enum("a")', [("constraints", {"enum": ["a", "b"]}, {"enum": ["a"]}, ("tracking-breaking",))]),
        ("string", "string", []),
    ],
)
def test_property_changes_are_read_from_the_plan(
    tmp_path: Path, old: str, new: str, expected: list[tuple[str, object, object, tuple[str, ...]]]
) -> None:
    assert _property_edits(tmp_path, old, new) == expected


PRACTICE = """journey j "J" {{ }}
team risk "Risk"
actor uw "Underwriter" {{ team risk }}
persona p "P" {{ role "x" }}
persona q "Q" {{ role "y" }}
channel web "Web" online web
stage s "S" phase awareness {{
  touchpoint a "A" {{
    channel web
    entry
    emotion 0
    {emotion_for}
    wait {wait}
    backstage "Scores it" {{ {step} }}
    next b "{label}"
  }}
  touchpoint b "B" {{ channel web }}
}}
metric csat "CSAT" {{ at a value {value} }}
"""


def test_blueprint_persona_time_flow_label_and_metric_changes(tmp_path: Path) -> None:
    old = PRACTICE.format(emotion_for="", wait="3 d", step="actor uw", label="if ok", value="4.1")
    new = PRACTICE.format(
        emotion_for='emotion for q -2 "on hold"', wait="1..2 d", step="actor uw  owner risk", label="if approved", value="4.4"
    )
    write(tmp_path / "old", {"j.journey": old})
    write(tmp_path / "new", {"j.journey": new})
    edits = diff(journeys(tmp_path / "old"), journeys(tmp_path / "new"))
    got = [(e.kind, e.element, e.id, e.field, e.old, e.new, e.impact) for e in edits]
    assert got == [
        ("changed", "touchpoint", "a", "emotion for q", None, -2, ("experience",)),
        ("changed", "touchpoint", "a", "steps", ["backstage: Scores it (uw)"], ["backstage: Scores it (uw, owner risk)"], ()),
        ("changed", "touchpoint", "a", "wait", "3 d", "1..2 d", ("experience",)),
        ("changed", "flow", "a -> b", "label", "if ok", "if approved", ()),
        ("changed", "metric", "csat", "value", 4.1, 4.4, ()),
    ]
    markdown = render_markdown(edits, journeys(tmp_path / "old"), journeys(tmp_path / "new"))
    assert "flow A (`a`) → B (`b`): label if ok → if approved" in markdown
    assert "metric CSAT (`csat`): value 4.1 → 4.4" in markdown
    assert json.loads(CliRunner().invoke(main, ["diff", "--format", "json", str(tmp_path / "old"), str(tmp_path / "new")]).stdout)
