"""Every example parses, checks clean, is formatted, and builds."""

from __future__ import annotations

from pathlib import Path

import pytest

import cjdsl
from cjdsl.language.formatter import format_text
from tests.conftest import EXAMPLES, example_files, journey_examples


def test_there_are_the_promised_examples() -> None:
    names = {p.relative_to(EXAMPLES).as_posix() for p in example_files()}
    assert {"hr_saas.journey", "omnichannel_retail.journey", "polish_eight_stages.journey"} <= names
    assert any(n.startswith("multi_file/shared/") for n in names)
    assert len(journey_examples()) >= 4


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_example(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#"), "every example opens with a comment saying what it shows"
    result = cjdsl.parse(text, path.name)
    assert result.diagnostics == () and result.document is not None
    assert format_text(text, path.name)[0] == text


def test_all_examples_check_clean_together() -> None:
    project = cjdsl.check([EXAMPLES])
    assert project.diagnostics == []
    assert sorted(j.id for j in project.journeys) == sorted(
        j.id
        for p in journey_examples()
        for j in cjdsl.parse(p.read_text(encoding="utf-8"), p.name).document.journeys  # type: ignore[union-attr]
    )


def test_polish_example_covers_the_eight_phases() -> None:
    project = cjdsl.check([EXAMPLES / "polish_eight_stages.journey"])
    (j,) = project.journeys
    assert [s.phase for s in j.stages] == [
        "awareness",
        "interest",
        "consideration",
        "decision",
        "purchase",
        "adoption",
        "advocacy",
        "loyalty",
    ]
    assert any("ą" in (s.label or "") or "ś" in (s.label or "").lower() for s in j.stages)


def test_multi_file_example_includes_shared_files() -> None:
    project = cjdsl.check([EXAMPLES / "multi_file"])
    assert len(project.journeys) == 2
    for j in project.journeys:
        assert any(f.startswith("shared/") for f in j.files[1:])
    assert project.libraries == []  # the shared files are included, not journeys of their own
