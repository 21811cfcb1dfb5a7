"""The semantic diff: exact edit lists, formats, --fail-on, and git revisions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import cjdsl
from cjdsl.cli import main
from cjdsl.diff import diff, render_markdown, render_text

from .conftest import FIXTURES

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
    section = md.split("#### shop")[1]
    assert section.index("**Breaking tracking changes**") < section.index("touchpoint ad")
    assert "```mermaid\nxychart-beta" in md and 'x-axis ["Find", "Choose", "Help"]' in md


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env, timeout=60)


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
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "one")
    (repo / "journeys" / "shared" / "people.journey").write_text(
        'persona ana "Ana" { role "Head of buying" }\n', encoding="utf-8"
    )
    _git(repo, "commit", "-q", "-am", "two")
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

    from .conftest import ROOT

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"cjdsl-check", "cjdsl-fmt"}
    for hook in hooks:
        program, command = hook["entry"].split()
        assert program == "cjdsl" and command in main.commands
        assert hook["files"] == r"\.journey$" and hook["language"] == "python"
