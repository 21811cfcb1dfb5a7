"""The validator's rules: a meta-test that every rule has its docs and fixtures, and the
fixtures themselves (a failing file, a passing file of near misses, the expected
diagnostics as a golden file; `CJDSL_UPDATE_GOLDEN=1` refreshes the goldens)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import cjdsl
from cjdsl.cli.measured import measurer
from cjdsl.cli.report import render_concise
from cjdsl.core.diagnostics import CODES
from cjdsl.project.config import load_config
from cjdsl.rules import SECTIONS, Rule, all_rules, find_rule
from tests.conftest import FIXTURES

RULES = list(all_rules().values())
RULE_FIXTURES = FIXTURES / "rules"
UPDATE = os.environ.get("CJDSL_UPDATE_GOLDEN") == "1"
DOCS = Path(cjdsl.__file__).parent / "rules" / "docs"


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
    # A fixture folder with `[measure] events` is measured on them (the CJ4xx rules).
    return cjdsl.compile_project([path], config, measure=measurer(config, ())).diagnostics


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


#: Every code there has ever been, with its name and default severity (for an opt-in
#: rule, its severity once selected). Codes are never removed, renumbered or renamed, and
#: never change severity: users' `select`, `ignore`, `allow` lines and CI filters name
#: them. A new rule adds its row; no row is ever changed or removed.
EVERY_CODE: dict[str, tuple[str, str]] = {
    "CJ001": ("syntax-error", "error"),
    "CJ002": ("unterminated-string", "error"),
    "CJ003": ("invalid-character", "error"),
    "CJ004": ("unclosed-block", "error"),
    "CJ005": ("invalid-escape", "error"),
    "CJ006": ("unreadable-file", "error"),
    "CJ007": ("file-too-large", "error"),
    "CJ008": ("too-many-errors", "error"),
    "CJ009": ("control-character", "error"),
    "CJ010": ("duplicate-attribute", "error"),
    "CJ011": ("misplaced-modifier", "error"),
    "CJ012": ("misplaced-attribute", "error"),
    "CJ013": ("multiple-journeys", "error"),
    "CJ101": ("unknown-reference", "error"),
    "CJ102": ("duplicate-id", "error"),
    "CJ103": ("value-out-of-range", "error"),
    "CJ104": ("invalid-value", "error"),
    "CJ105": ("invalid-property-type", "error"),
    "CJ106": ("invalid-property-bounds", "error"),
    "CJ107": ("duplicate-property", "error"),
    "CJ108": ("event-id-collision", "error"),
    "CJ151": ("include-not-found", "error"),
    "CJ152": ("include-outside-root", "error"),
    "CJ153": ("include-cycle", "error"),
    "CJ154": ("include-declares-journey", "error"),
    "CJ155": ("file-outside-journeys", "warning"),
    "CJ201": ("stage-without-touchpoints", "warning"),
    "CJ202": ("incomplete-touchpoint", "warning"),
    "CJ203": ("pain-without-opportunity", "warning"),
    "CJ204": ("unanchored-pain", "warning"),
    "CJ205": ("unprioritised-opportunity", "warning"),
    "CJ206": ("incomplete-persona", "warning"),
    "CJ207": ("journey-ends-at-purchase", "warning"),
    "CJ208": ("too-few-first-visit-paths", "warning"),
    "CJ209": ("unreachable-touchpoint", "warning"),
    "CJ210": ("dead-end", "warning"),
    "CJ211": ("backward-flow", "warning"),
    "CJ212": ("persona-missing-from-stage", "warning"),
    "CJ213": ("unrated-touchpoint", "warning"),
    "CJ214": ("untracked-digital-touchpoint", "warning"),
    "CJ215": ("event-name-convention", "warning"),
    "CJ216": ("property-name-convention", "warning"),
    "CJ217": ("conflicting-event-properties", "warning"),
    "CJ218": ("unused-declaration", "warning"),
    "CJ219": ("missing-owner", "warning"),
    "CJ220": ("kpi-measures-nothing", "warning"),
    "CJ221": ("journey-without-kpi", "warning"),
    "CJ222": ("kpi-not-measurable", "warning"),
    "CJ223": ("micro-conversion-without-event", "warning"),
    "CJ224": ("funnel-against-the-journey", "warning"),
    "CJ225": ("phases-backwards", "warning"),
    "CJ226": ("repeated-next", "warning"),
    "CJ227": ("undescribed-event", "warning"),
    "CJ228": ("moment-of-truth-unwatched", "warning"),
    "CJ229": ("backstage-without-owner", "warning"),
    "CJ230": ("assumed-severe-pain", "warning"),
    "CJ231": ("unknown-journey", "error"),
    "CJ232": ("future-unchanged", "warning"),
    "CJ233": ("metric-below-target", "warning"),
    "CJ250": ("unused-suppression", "warning"),
    "CJ251": ("suppression-without-reason", "warning"),
    "CJ301": ("tracking-lock-stale", "warning"),
    "CJ401": ("kpi-misses-target", "warning"),
    "CJ402": ("frequent-undeclared-flow", "warning"),
    "CJ403": ("flow-never-taken", "warning"),
    "CJ404": ("touchpoint-never-reached", "warning"),
}


def test_codes_are_unique_and_stable() -> None:
    registered = {r.code: (r.name, r.severity.value) for r in RULES}
    missing = sorted(set(EVERY_CODE) - set(registered))
    assert not missing, f"codes are never removed or renumbered: {missing} are gone"
    changed = {code: (row, registered[code]) for code, row in EVERY_CODE.items() if registered[code] != row}
    assert not changed, f"a code keeps its name and severity for ever (pinned, now): {changed}"
    names = [r.name for r in RULES]
    assert len(names) == len(set(names)), "two rules share a name"
    assert not set(names) & set(registered), "a name that is also a code"
    # The language core's codes are the structure rules: CJ0xx and CJ1xx.
    assert {r.code for r in RULES if r.core} == set(CODES) == {c for c in registered if c < "CJ200"}


def test_core_codes_are_documented_once_in_their_docs_files() -> None:
    """Each core code's summary and docs are one Markdown file, read by CODES and the
    registry alike (and so by `cjdsl rules`, `cjdsl explain`, SARIF and the docs pages)."""
    files = {p.stem: p for p in DOCS.glob("*.md")}
    assert set(files) == set(CODES), "one cjdsl/rules/docs/CODE.md per core code, and no other file"
    for code, info in CODES.items():
        text = files[code].read_text(encoding="utf-8")
        summary, blank, body = text.partition("\n\n")
        assert blank and "\n" not in summary and text.endswith("\n"), f"{code}.md: the summary, a blank line, the docs"
        r = find_rule(code)
        assert r is not None and r.core
        assert (r.summary, r.docs) == (info.summary, info.docs) == (summary, body.strip())


def test_every_fixture_folder_belongs_to_a_rule() -> None:
    names = {f"{r.code}-{r.name}" for r in RULES}
    assert {p.name for p in RULE_FIXTURES.iterdir() if p.is_dir()} <= names
