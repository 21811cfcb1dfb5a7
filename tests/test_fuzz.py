"""Fuzzing: text the grammar generates, and text nobody meant, never make cjdsl raise;
every diagnostic lies inside its file; `check` never changes a file. A short profile runs
by default; `-m slow` runs a longer one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cjdsl
from cjdsl.language.parser import parse
from tests.helpers import EXAMPLES_COUNT, SOURCES


def _assert_sound(text: str) -> None:
    result = parse(text, "fuzz.journey")
    last_line = text.count("\n") + 1
    for d in result.diagnostics:
        if d.span is not None:
            assert 1 <= d.span.line <= last_line and d.span.column >= 1, d


@settings(max_examples=EXAMPLES_COUNT, deadline=None, suppress_health_check=list(HealthCheck))
@given(SOURCES)
def test_grammar_generated_text_parses_or_explains(text: str) -> None:
    """What the grammar generates parses without a syntax error, survives the value
    checks, and formats back to the same model."""
    result = parse(text, "fuzz.journey")
    assert result.document is not None, (text, [d.message for d in result.diagnostics])
    from cjdsl.language.formatter import format_document
    from cjdsl.language.values import check_document

    check_document(result.document)
    again = parse(format_document(result.document), "fuzz.journey")
    assert again.document == result.document


@settings(max_examples=EXAMPLES_COUNT, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    _assert_sound(text)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(st.sampled_from(list('{}()",->#\n journey stage touchpoint event persona next emotion+1:;\\ż')), max_size=400))
def test_token_soup_never_raises(text: str) -> None:
    _assert_sound(text)


def test_check_never_changes_a_file(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLES

    project = tmp_path / "p"
    import shutil

    shutil.copytree(EXAMPLES, project)
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    cjdsl.check([project])
    from click.testing import CliRunner

    from cjdsl.cli import main

    checked = CliRunner().invoke(main, ["check", "--format", "sarif", str(project)])
    assert checked.exception is None and checked.exit_code == 0, checked.output
    formatted = CliRunner().invoke(main, ["fmt", "--check", str(project)])
    assert formatted.exception is None and formatted.exit_code == 0, formatted.output
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert after == before
