"""A folder is a project: a journey split over many files (shared catalogues, stage
files, two journeys sharing a stage file, a file included by nothing) gives the same
answer through every command: check, build, events validate, diff (folders and
git:REV), fmt and the Python API."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

import cjdsl
from tests.conftest import FIXTURES, git, invoke, write

MORTGAGE = FIXTURES / "projects" / "mortgage"


@pytest.fixture
def mortgage(tmp_path: Path) -> Path:
    """A copy of the many-file project, so builds may write its lock file."""
    target = tmp_path / "mortgage"
    shutil.copytree(MORTGAGE, target)
    return target


def test_check_of_the_folder_reports_no_false_unknown_reference(mortgage: Path) -> None:
    code, out, err = invoke("check", "--format", "concise", ".", cwd=mortgage)
    assert code == 0, out
    assert "CJ101" not in out
    assert out.splitlines() == [
        "drafts/forgotten.journey:1:1: warning[CJ155] `drafts/forgotten.journey` declares no journey and no journey "
        "includes it, so nothing in it is checked against a journey"
    ]
    assert err.endswith("Found 1 warning, 3 suppressed (8 files checked).\n")


def test_the_orphan_gets_one_finding_with_a_hint(mortgage: Path) -> None:
    project = cjdsl.check([mortgage])
    orphans = [d for d in project.diagnostics if d.code == "CJ155"]
    assert len(orphans) == 1 and orphans[0].span is not None
    assert orphans[0].span.path == "drafts/forgotten.journey"
    assert orphans[0].help is not None and 'include "drafts/forgotten.journey"' in orphans[0].help
    assert "exclude" in orphans[0].help
    # Excluding the draft makes the project clean.
    (mortgage / "cjdsl.toml").write_text('exclude = ["drafts/*"]\n', encoding="utf-8")
    assert invoke("check", "--strict", ".", cwd=mortgage)[0] == 0


def test_a_journey_file_and_the_folder_agree(mortgage: Path) -> None:
    alone = cjdsl.check([mortgage / "mortgage.journey"])
    folder = cjdsl.check([mortgage])
    assert alone.diagnostics == []
    in_mortgage = set(alone.journeys[0].files)
    assert [d for d in folder.diagnostics if d.span and d.span.path in in_mortgage] == []
    assert sorted(j.id for j in folder.journeys) == ["mortgage", "remortgage"]
    assert folder.libraries == []
    assert folder.included_by["stages/after_sale.journey"] == ("mortgage.journey", "remortgage.journey")


def test_an_included_file_named_alone_is_checked_inside_its_journeys(mortgage: Path) -> None:
    code, out, err = invoke("check", "--format", "concise", "stages/application.journey", cwd=mortgage)
    assert (code, out) == (0, "")
    assert "1 finding suppressed" in err and "1 file checked" in err
    # A problem in the named file is found in the context of its journey ...
    stage = mortgage / "stages" / "application.journey"
    stage.write_text(stage.read_text(encoding="utf-8").replace("owner sales", "owner salez"), encoding="utf-8")
    code, out, _ = invoke("check", "--format", "concise", "stages/application.journey", cwd=mortgage)
    assert code == 1 and out.count("error[CJ101] unknown team `salez`") == 1
    # ... and only the named file's findings are reported.
    assert all(line.startswith("stages/application.journey:") for line in out.splitlines())


def test_a_finding_in_a_shared_file_is_reported_once(mortgage: Path) -> None:
    after_sale = mortgage / "stages" / "after_sale.journey"
    text = after_sale.read_text(encoding="utf-8")
    after_sale.write_text(text.replace("    rating 4\n", "    rating 4\n    next nowhere\n"), encoding="utf-8")
    project = cjdsl.check([mortgage])
    unknown = [d for d in project.diagnostics if d.code == "CJ101"]
    assert [d.message for d in unknown] == ["unknown touchpoint `nowhere`"]
    counts = Counter((d.code, d.span) for d in project.diagnostics)
    assert max(counts.values()) == 1
    assert unknown[0].help is not None
    assert "`stages/after_sale.journey` is part of `mortgage.journey`, `remortgage.journey`" in unknown[0].help


def test_help_names_the_file_a_journey_forgot_to_include(mortgage: Path) -> None:
    # remortgage.journey stops including the teams; the shared stage file still uses one.
    journey = mortgage / "remortgage.journey"
    journey.write_text(journey.read_text(encoding="utf-8").replace('include "shared/teams.journey"\n', ""), encoding="utf-8")
    project = cjdsl.check([mortgage])
    unknown = [d for d in project.diagnostics if d.code == "CJ101" and d.span and d.span.path == "stages/after_sale.journey"]
    assert len(unknown) == 1, unknown
    assert unknown[0].message == "unknown team `service`"
    help_ = unknown[0].help or ""
    assert "`service` is declared in `shared/teams.journey`, which `remortgage.journey` does not include" in help_
    assert "declare it with" not in help_  # following that advice would make a duplicate id


def test_build_of_the_folder_writes_the_site(mortgage: Path) -> None:
    code, _, err = invoke("build", ".", "-o", "site", cwd=mortgage)
    assert code == 0, err
    site = mortgage / "site"
    assert (site / "journeys" / "mortgage.html").is_file() and (site / "journeys" / "remortgage.html").is_file()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'complete, <a href="journeys/remortgage.html#suppressed">2 findings suppressed</a>' in index
    assert "complete: no findings" not in index
    page = (site / "journeys" / "remortgage.html").read_text(encoding="utf-8")
    assert 'id="suppressed"' in page and "first-time buyers have no mortgage to move" in page
    data = json.loads((site / "json" / "remortgage.json").read_text(encoding="utf-8"))
    reasons = sorted(f["suppressed"]["reason"] for f in data["findings"] if f["suppressed"])
    assert reasons == ["first-time buyers have no mortgage to move", "the move form is reached from the logged-in app only"]
    jsonschema.Draft202012Validator(json.loads((site / "json" / "journey.schema.json").read_text(encoding="utf-8"))).validate(
        data
    )
    plan = json.loads((site / "tracking" / "tracking-plan.json").read_text(encoding="utf-8"))
    assert {e["name"] for e in plan["events"]} == {
        "Calculator Used",
        "Advisor Meeting Held",
        "Credit Decision Viewed",
        "Mortgage Move Requested",
    }


def test_events_validate_reads_the_folder(mortgage: Path, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    lines = [
        {"type": "track", "event": "Calculator Used", "properties": {"loan_amount": 450000}},
        {"type": "track", "event": "Credit Decision Viewed", "properties": {"decision": "maybe"}},
    ]
    events.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    code, out, _ = invoke("events", "validate", ".", str(events), "--format", "json", cwd=mortgage)
    assert code == 1, out
    report = json.loads(out)
    by_name = {e["event"]: e for e in report["events"]}
    assert by_name["Calculator Used"]["valid"] == 1 and by_name["Credit Decision Viewed"]["invalid"] == 1


def test_fmt_of_the_folder_leaves_the_project_as_it_is(mortgage: Path) -> None:
    code, _, err = invoke("fmt", "--check", ".", cwd=mortgage)
    assert code == 0, err
    assert "8 left unchanged" in err


@pytest.mark.skipif(shutil.which("git") is None and not os.environ.get("CI"), reason="git is not installed")
def test_diff_between_revisions_of_the_folder(mortgage: Path) -> None:
    git(mortgage, "init", "-q", "-b", "main")
    git(mortgage, "add", "-A")
    git(mortgage, "commit", "-q", "-m", "one")
    stage = mortgage / "stages" / "after_sale.journey"
    stage.write_text(stage.read_text(encoding="utf-8").replace('emotion +2 "relieved"', 'emotion -1 "worried"'), encoding="utf-8")
    git(mortgage, "commit", "-q", "-am", "two")
    code, out, err = invoke("diff", "--format", "json", "git:HEAD~1", "git:HEAD", cwd=mortgage)
    assert code == 0, err
    edits = json.loads(out)
    changed = {(e["journey"], e["id"], e["field"], e["old"], e["new"]) for e in edits}
    assert changed == {
        ("mortgage", "decision_letter", "emotion", 2, -1),
        ("remortgage", "decision_letter", "emotion", 2, -1),
        ("mortgage", "decision_letter", "feeling", "relieved", "worried"),
        ("remortgage", "decision_letter", "feeling", "relieved", "worried"),
    }
    # The folder against a revision, from a sub-folder of the repository.
    code, out, err = invoke("diff", "--format", "json", "git:HEAD~1:stages", "stages", cwd=mortgage)
    assert code == 0, err


def test_a_journey_level_allow_covers_only_its_own_journey(project: Path) -> None:
    shared = 'team t "T"\npersona p "P" { role "r" }\nchannel c "C" offline store\n'
    stage = 'stage s "S" phase awareness {\n  touchpoint {id} "X" {\n    channel c\n    owner t\n  }\n}\n'
    write(
        project,
        {
            "shared.journey": shared,
            "a.journey": 'include "shared.journey"\njourney a "A" {\n  allow unrated-touchpoint "drafted"\n}\n'
            + stage.replace("{id}", "x"),
            "b.journey": 'include "shared.journey"\njourney b "B"\n' + stage.replace("{id}", "y"),
        },
    )
    project_ = cjdsl.check([project])
    unrated = {d.span.path for d in project_.diagnostics if d.code == "CJ213" and d.span}
    assert unrated == {"b.journey"}
    assert {d.span.path for d in project_.suppressed if d.code == "CJ213" and d.span} == {"a.journey"}
