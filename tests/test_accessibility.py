"""Accessibility: axe-core (Deque's rules engine, from npm) run in Chromium on every page
of the examples' site, at a desktop and a phone width, for WCAG 2.x levels A and AA.

axe is found at ``$CJDSL_AXE_JS`` (``.ci/run`` installs it beside Mermaid); under CI a
missing axe or Chromium fails the test rather than skipping it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, IN_CI
from tests.test_html import browser, build_site

__all__ = ["browser"]  # the fixture, shared with tests/test_html.py

AXE = Path(os.environ.get("CJDSL_AXE_JS", "/tmp/npmtools/node_modules/axe-core/axe.min.js"))
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return r.violations.map(v => `${v.id} (${v.impact}): ${v.help}: ` +
    v.nodes.slice(0, 3).map(n => n.target.join(" ") + " | " + n.failureSummary.replace(/\\s+/g, " ")).join(" ; "));
}"""


@pytest.fixture(scope="module")
def axe_script() -> str:
    if not AXE.is_file():
        if IN_CI:
            pytest.fail(f"axe-core is missing at {AXE}; .ci/run installs it with npm (set CJDSL_AXE_JS)")
        pytest.skip(f"no axe-core at {AXE} (npm install axe-core; set CJDSL_AXE_JS)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # As the README's main command builds it: measured on the examples' events.
    return build_site(
        [EXAMPLES], tmp_path_factory.mktemp("a11y") / "site", "--events", str(EXAMPLES / "events" / "simulated.jsonl")
    )


def violations(chromium: Any, page: Path, width: int, axe: str) -> list[str]:
    # The pages' Content-Security-Policy allows no inline script: the context bypasses it
    # to add axe, which is the test's, not the page's.
    context = chromium.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(page.as_uri())
        tab.wait_for_load_state("load")
        tab.add_script_tag(content=axe)
        found: list[str] = tab.evaluate(RUN, TAGS)
        return found
    finally:
        context.close()


def test_every_page_of_the_examples_has_no_wcag_a_or_aa_violation(site: Path, browser: Any, axe_script: str) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20  # the index, the portfolio, journeys, persona and comparison pages
    found = {str(p.relative_to(site)): v for p in pages if (v := violations(browser, p, 1400, axe_script))}
    assert found == {}


def test_each_kind_of_page_has_no_violation_on_a_phone(site: Path, browser: Any, axe_script: str) -> None:
    # At 390 px the same pages lay out otherwise (lane labels wrap, tables scroll in their
    # box): each kind of page once, the largest journey map among them.
    kinds = [
        site / "index.html",
        site / "portfolio.html",
        site / "journeys" / "dental_clinic.html",
        site / "journeys" / "fotowoltaika_dom.persona-jan.html",
        site / "journeys" / "bank_mortgage_next.compare.html",
        site / "journeys" / "hr_saas.diagrams.html",
        next((site / "personas").glob("*.html")),
    ]
    assert all(p.is_file() for p in kinds), kinds
    found = {str(p.relative_to(site)): v for p in kinds if (v := violations(browser, p, 390, axe_script))}
    assert found == {}


def test_axe_sees_a_violation_when_there_is_one(tmp_path: Path, browser: Any, axe_script: str) -> None:
    # The test above passes only if axe runs: a page with an unlabelled image, no title,
    # no language and grey-on-white text must fail it.
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><img src="x.png"><p style="color:#ccc;background:#fff">faint</p></body></html>', "utf-8")
    ids = {v.split(" ", 1)[0] for v in violations(browser, bad, 1400, axe_script)}
    assert {"image-alt", "document-title", "html-has-lang", "color-contrast"} <= ids
