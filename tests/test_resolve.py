"""Resolution: includes, references, duplicate ids, forward references."""

from __future__ import annotations

from pathlib import Path

import pytest

import cjdsl
from tests.conftest import write


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose settings turn the completeness rules off: these tests are about
    the language core."""
    (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    return tmp_path


def codes(project: cjdsl.Project) -> list[tuple[str, str, int, str]]:
    return [(d.code, d.span.path if d.span else "", d.span.line if d.span else 0, d.message) for d in project.diagnostics]


JOURNEY = """journey j "J" { owner mkt }
team mkt "Marketing"
persona anna "Anna"
channel web "Web" online web
intent learn "Learn"
stage s1 "One" phase awareness {
  touchpoint a "A" {
    channel web
    persona anna
    intent learn
    owner mkt
    next b
  }
}
stage s2 "Two" phase interest {
  touchpoint b "B" {
    channel web
  }
}
"""


def test_a_clean_journey_resolves(project: Path) -> None:
    write(project, {"j.journey": JOURNEY})
    result = cjdsl.check([project])
    assert result.diagnostics == []
    (j,) = result.journeys
    assert j.id == "j" and [s.id for s in j.stages] == ["s1", "s2"]
    assert j.stage_of["b"].id == "s2"
    assert j.personas_of(j.touchpoint["b"]) == j.personas  # no persona line: all personas
    assert j.is_online(j.touchpoint["a"]) is True


def test_forward_references_resolve(project: Path) -> None:
    head, stages = JOURNEY.split("stage s1", 1)
    write(project, {"j.journey": "stage s1" + stages + head})  # stages first, what they use after
    assert cjdsl.check([project]).diagnostics == []


def test_unknown_references_suggest(project: Path) -> None:
    write(
        project,
        {
            "j.journey": JOURNEY.replace("persona anna\n", "persona ana\n")
            .replace("next b", "next c, anna")
            .replace("owner mkt\n    next", "owner anna\n    next")
        },
    )
    result = cjdsl.check([project])
    got = [(d.code, d.message, d.help) for d in result.diagnostics]
    assert got == [
        ("CJ101", "unknown persona `ana`", "did you mean `anna`?"),
        ("CJ101", "unknown team `anna`", "`anna` is a persona, not a team"),
        ("CJ101", "unknown touchpoint `c`", "no touchpoint has this id; declared: `a`, `b`"),
        ("CJ101", "unknown touchpoint `anna`", "`anna` is a persona, not a touchpoint"),
    ]


def test_duplicate_ids_point_at_the_first(project: Path) -> None:
    write(project, {"j.journey": JOURNEY + 'persona anna "Again"\nstage a "Stage named like a touchpoint"\n'})
    result = cjdsl.check([project])
    dupes = [d for d in result.diagnostics if d.code == "CJ102"]
    assert [d.message for d in dupes] == ["duplicate persona `anna`", "duplicate stage id `a` (already a touchpoint)"]
    assert dupes[0].related[0].span.line == 3
    assert "share one set of ids" in (dupes[1].help or "")


def test_includes_merge_in_order_and_load_once(project: Path) -> None:
    write(
        project,
        {
            "shared/people.journey": 'persona anna "Anna"\n',
            "shared/all.journey": 'include "people.journey"\nteam mkt "Marketing"\n',
            "j.journey": 'include "shared/all.journey"\ninclude "shared/people.journey"\n'
            + JOURNEY.replace('team mkt "Marketing"\npersona anna "Anna"\n', ""),
        },
    )
    result = cjdsl.check([project / "j.journey"])
    assert result.diagnostics == []
    (j,) = result.journeys
    assert j.files == ("j.journey", "shared/all.journey", "shared/people.journey")
    assert [p.id for p in j.personas] == ["anna"]


def test_include_problems(project: Path) -> None:
    (project.parent / "outside.journey").write_text("team t\n", encoding="utf-8")
    write(
        project,
        {
            "a.journey": 'include "b.journey"\ninclude "../outside.journey"\ninclude "peple.journey"\nteam x\n',
            "b.journey": 'include "a.journey"\n',
            "people.journey": "",
            "withjourney.journey": 'journey other "Other"\n',
            "c.journey": 'include "withjourney.journey"\n',
        },
    )
    result = cjdsl.check([project])
    got = {(d.code, d.span.path, d.message) for d in result.diagnostics if d.span}
    assert ("CJ153", "b.journey", "include cycle: a.journey → b.journey → a.journey") in got
    assert ("CJ152", "a.journey", 'include "../outside.journey" leaves the project root') in got
    assert ("CJ151", "a.journey", 'included file "peple.journey" does not exist') in got
    assert ("CJ154", "c.journey", '"withjourney.journey" declares journey `other`; an included file may not') in got
    missing = next(d for d in result.diagnostics if d.code == "CJ151")
    assert missing.help is not None and '"people.journey"' in missing.help


def test_symlink_escaping_the_root_is_refused(project: Path, tmp_path_factory: object) -> None:
    outside = project.parent / "secret.journey"
    outside.write_text("team t\n", encoding="utf-8")
    (project / "link.journey").symlink_to(outside)
    write(project, {"a.journey": 'include "link.journey"\njourney a "A"\n'})
    result = cjdsl.check([project / "a.journey"])
    assert [d.code for d in result.diagnostics if not d.code.startswith("CJ2")] == ["CJ152"]


def test_duplicate_journey_ids_across_files(project: Path) -> None:
    write(project, {"a.journey": 'journey same "A"\n', "b.journey": 'journey same "B"\n'})
    result = cjdsl.check([project])
    assert [d.message for d in result.diagnostics] == ["duplicate journey `same` (also in a.journey)"]
    assert len(result.journeys) == 1


def test_nested_pains_are_anchored(project: Path) -> None:
    write(
        project,
        {
            "j.journey": JOURNEY.replace("    next b\n", '    next b\n    pain slow "Slow" { opportunity o "Fix" }\n')
            + 'pain top "Top" { at s2\n opportunity o }\n'
        },
    )
    result = cjdsl.check([project])
    assert result.diagnostics == []
    (j,) = result.journeys
    assert [(p.id, p.at.id if p.at else None) for p in j.pains] == [("slow", "a"), ("top", "s2")]
    assert [o.id for o in j.opportunities_of(j.pains[1])] == ["o"]
