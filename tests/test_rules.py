"""The validator's rules: a meta-test that every rule has its docs and fixtures, and the
fixtures themselves (a failing file, a passing file of near misses, the expected
diagnostics as a golden file; `CJDSL_UPDATE_GOLDEN=1` refreshes the goldens)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import cjdsl
from cjdsl.config import load_config
from cjdsl.report import render_concise
from cjdsl.rules import SECTIONS, Rule, all_rules

from .conftest import FIXTURES

RULES = list(all_rules().values())
RULE_FIXTURES = FIXTURES / "rules"
UPDATE = os.environ.get("CJDSL_UPDATE_GOLDEN") == "1"


def fixture_dir(r: Rule) -> Path:
    return RULE_FIXTURES / f"{r.code}-{r.name}"


@pytest.mark.parametrize("r", RULES, ids=lambda r: f"{r.code}-{r.name}")
def test_rule_has_docs_in_the_fixed_sections(r: Rule) -> None:
    assert re.fullmatch(r"CJ\d{3}", r.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", r.name)
    assert r.summary.endswith(".") and r.summary[0].isupper()
    headings = re.findall(r"^## (.+)$", r.docs, re.M)
    assert headings == list(SECTIONS), f"{r.code} docs need the sections {SECTIONS}"
    sections = dict(zip(headings, re.split(r"^## .+$", r.docs, flags=re.M)[1:], strict=True))
    for section in sections.values():
        assert section.strip(), f"{r.code} has an empty docs section"
    # The docs reach users (explain, SARIF, the site): they state each idea in plain words
    # and cite no internal design file.
    for internal in ("DOMAIN.md", "shared/reference"):
        assert internal.lower() not in r.docs.lower(), f"{r.code} docs cite {internal}: say the idea itself"
    assert not re.search(r"\bseeds?\s", r.docs, re.I), f"{r.code} docs cite a seed: say the idea itself"
    why = sections["Why it matters"].strip()
    assert len(why) >= 80, f"{r.code}: 'Why it matters' is {len(why)} characters, needs at least 80"


def _check(path: Path) -> list[cjdsl.Diagnostic]:
    config = load_config([path])
    return cjdsl.compile_project([path], config).diagnostics


@pytest.mark.parametrize("r", RULES, ids=lambda r: f"{r.code}-{r.name}")
def test_rule_fixtures(r: Rule) -> None:
    folder = fixture_dir(r)
    fail, near_misses, expected = folder / "fail.journey", folder / "pass.journey", folder / "expected.txt"
    assert fail.is_file() and near_misses.is_file(), f"{folder} needs fail.journey and pass.journey"
    assert (folder / "cjdsl.toml").is_file(), "each fixture folder is its own project root"
    found = [d for d in _check(fail) if d.code == r.code]
    rendered = render_concise(found)
    if UPDATE:
        expected.write_text(rendered, encoding="utf-8")
    assert found, f"{fail} must trigger {r.code}"
    assert rendered == expected.read_text(encoding="utf-8")
    assert [d for d in _check(near_misses) if d.code == r.code] == [], f"{near_misses} must not trigger {r.code}"


def test_codes_are_unique_and_stable() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    # Codes are never reused: this list only grows.
    assert {"CJ001", "CJ101", "CJ102", "CJ201", "CJ210", "CJ221", "CJ250"} <= set(codes)


def test_every_fixture_folder_belongs_to_a_rule() -> None:
    names = {f"{r.code}-{r.name}" for r in RULES}
    assert {p.name for p in RULE_FIXTURES.iterdir() if p.is_dir()} <= names
