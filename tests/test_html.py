"""The html backend: the site in a real browser (Playwright driving Debian's Chromium),
text safety, determinism, template overrides."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cjdsl
from cjdsl.backends.html_site import text_html
from cjdsl.cli import main
from tests.conftest import EXAMPLES, FIXTURES, IN_CI, journey_examples

CHROMIUM = os.environ.get("CJDSL_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium is missing at {CHROMIUM}; CI must install it (apt-get install chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM} (set CJDSL_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def build_site(paths: list[Path], out: Path, *extra: str) -> Path:
    result = CliRunner().invoke(main, ["build", *map(str, paths), "-o", str(out), *extra])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site([EXAMPLES], tmp_path_factory.mktemp("site") / "site")


class Visit:
    """A page load that records console errors, failed requests and dialogs."""

    def __init__(self, browser: Any, url: str, *, js: bool = True, width: int = 1400) -> None:
        self.context = browser.new_context(java_script_enabled=js, viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on(
            "console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def close(self) -> None:
        self.context.close()


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_loads_cleanly_from_file_urls(site: Path, browser: Any) -> None:
    assert len(pages(site)) >= 1 + 5 + 9
    for page in pages(site):
        visit = Visit(browser, page.as_uri())
        assert visit.problems == [], (page, visit.problems)
        assert all(u.startswith("file://") for u in visit.requests), visit.requests  # no network request at all
        visit.close()


@pytest.mark.parametrize("path", journey_examples(), ids=lambda p: p.name)
def test_every_touchpoint_is_on_the_map(site: Path, browser: Any, path: Path) -> None:
    (j,) = [j for j in cjdsl.check([path]).journeys if j.path.endswith(path.name)]
    visit = Visit(browser, (site / "journeys" / f"{j.id}.html").as_uri())
    page = visit.page
    ids = page.eval_on_selector_all("article.card", "els => els.map(e => e.id)")
    assert ids == [f"tp-{tp.id}" for tp in j.touchpoints]
    for tp in j.touchpoints[:5]:
        assert (tp.label or tp.id) in page.inner_text(f"#tp-{tp.id}")
    for stage in j.stages:
        assert page.locator(f"#stage-{stage.id}").count() == 1
    for pain in j.pains:
        assert page.locator(f"#pain-{pain.id}").count() == 1
    assert page.locator("svg polyline").count() == max(1, len(j.personas))
    visit.close()


def test_persona_and_channel_filters(site: Path, browser: Any) -> None:
    (j,) = list(cjdsl.check([EXAMPLES / "omnichannel_retail.journey"]).journeys)
    visit = Visit(browser, (site / "journeys" / f"{j.id}.html").as_uri())
    page = visit.page
    assert page.locator("[data-filters]").is_visible()

    def visible() -> list[str]:
        return sorted(page.eval_on_selector_all("article.card", "els => els.filter(e => !e.hidden).map(e => e.id)"))

    everyone = sorted(f"tp-{tp.id}" for tp in j.touchpoints)
    assert visible() == everyone
    for persona in j.personas:
        page.select_option('[data-filter="persona"]', persona.id)
        expected = sorted(f"tp-{tp.id}" for tp in j.touchpoints if any(p.id == persona.id for p in j.personas_of(tp)))
        assert visible() == expected and 0 < len(expected) < len(everyone)
        assert page.locator("[data-filter-count]").inner_text() == f"Showing {len(expected)} of {len(everyone)} touchpoints"
        lines = page.eval_on_selector_all(
            "g.curve-line", "els => els.filter(e => e.style.display !== 'none').map(e => e.dataset.curvePersona)"
        )
        assert lines == [persona.id]
    page.select_option('[data-filter="persona"]', "")
    channel = next(tp.channel.id for tp in j.touchpoints if tp.channel)
    page.select_option('[data-filter="channel"]', channel)
    assert visible() == sorted(f"tp-{tp.id}" for tp in j.touchpoints if tp.channel and tp.channel.id == channel)
    page.select_option('[data-filter="channel"]', "")
    assert visible() == everyone
    visit.close()


def test_without_javascript_the_full_map_shows(site: Path, browser: Any) -> None:
    visit = Visit(browser, (site / "journeys" / "omnichannel_retail.html").as_uri(), js=False)
    assert not visit.page.locator("[data-filters]").is_visible()
    hidden = visit.page.eval_on_selector_all("article.card", "els => els.filter(e => e.hidden).length")
    assert hidden == 0
    visit.close()


def test_index_lists_journeys_and_searches(site: Path, browser: Any) -> None:
    visit = Visit(browser, (site / "index.html").as_uri())
    page = visit.page
    titles = page.eval_on_selector_all(".journey-item h3 a", "els => els.map(e => e.textContent)")
    assert len(titles) == len(journey_examples())
    page.fill("[data-search]", "Lumen")
    shown = page.eval_on_selector_all(".journey-item", "els => els.filter(e => !e.hidden).length")
    assert shown == 2
    assert "complete: no findings" in page.inner_text("main")
    visit.close()


def test_hostile_text_runs_nothing(tmp_path: Path, browser: Any) -> None:
    (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    shutil.copy(FIXTURES / "html_xss.journey", tmp_path / "xss.journey")
    site = build_site([tmp_path / "xss.journey"], tmp_path / "site")
    for page_path in pages(site):
        visit = Visit(browser, page_path.as_uri())
        page = visit.page
        page.wait_for_timeout(100)
        assert page.evaluate("window.__xss") is None, page_path
        assert not [p for p in visit.problems if p.startswith(("dialog", "page error"))], visit.problems
        assert (
            page.eval_on_selector_all('a[href^="javascript:"], iframe, [onerror], [onload], [onmouseover]', "els => els.length")
            == 0
        )
        visit.close()
    html = (site / "journeys" / "xss.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org/ok?a=1&amp;b=" rel="nofollow noopener">' in html  # a URL ends at "<"
    assert "{{ 7*7 }}" in html.replace("&#34;", '"')  # no template injection


def test_text_filter() -> None:
    link = '<a href="https://x.org/p?q=1&amp;r=2" rel="nofollow noopener">https://x.org/p?q=1&amp;r=2</a>'
    assert str(text_html("a <b>\nc\n\nd https://x.org/p?q=1&r=2. e")) == f"<p>a &lt;b&gt;<br>c</p><p>d {link}. e</p>"
    assert str(text_html("javascript:alert(1)")) == "<p>javascript:alert(1)</p>"
    assert str(text_html(None)) == ""


def test_source_links_and_template_overrides(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(EXAMPLES / "multi_file", project)
    (project / "cjdsl.toml").write_text('source_url = "https://git.example.org/r/blob/main/{path}#L{line}"\n', encoding="utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    override = '{% extends "base.html" %}{% block main %}<h1>Our journeys</h1>'
    override += "{% for j in journeys %}<p>{{ j.title }}</p>{% endfor %}{% endblock %}"
    (templates / "index.html").write_text(override, encoding="utf-8")
    site = build_site([project], tmp_path / "site", "--templates", str(templates))
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<h1>Our journeys</h1>" in index and "Lumen motor insurance" in index
    page = (site / "journeys" / "onboarding.html").read_text(encoding="utf-8")
    assert re.search(r'href="https://git\.example\.org/r/blob/main/onboarding\.journey#L\d+"', page)
    persona_page = (site / "journeys" / "onboarding.persona-ola.html").read_text(encoding="utf-8")
    assert "https://git.example.org/r/blob/main/shared/people.journey#L" in persona_page
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "index.html").write_text("{{ no_such_value }}", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(project), "-o", str(tmp_path / "site2"), "--templates", str(bad)])
    assert result.exit_code == 2 and "template error" in result.stderr and "no_such_value" in result.stderr
    assert not (tmp_path / "site2").exists()


def test_site_without_dot_says_so(tmp_path: Path) -> None:
    old = os.environ.get("CJDSL_DOT")
    os.environ["CJDSL_DOT"] = str(tmp_path / "missing-dot")
    try:
        site = build_site([EXAMPLES / "hr_saas.journey"], tmp_path / "site")
    finally:
        if old is None:
            del os.environ["CJDSL_DOT"]
        else:
            os.environ["CJDSL_DOT"] = old
    page = (site / "journeys" / "hr_saas.html").read_text(encoding="utf-8")
    assert "The flow diagram was not drawn" in page and 'href="../graphviz/hr_saas.dot"' in page


def test_every_in_page_link_has_its_target(site: Path) -> None:
    """Deep links: every `#anchor` a page links to exists on that page (a persona's view
    links to the full map for touchpoints it does not show)."""
    for page in pages(site):
        text = page.read_text(encoding="utf-8")
        ids = set(re.findall(r' id="([^"]+)"', text))
        for target in re.findall(r'href="#([^"]+)"', text):
            assert target in ids, (page.name, target)
        for other, target in re.findall(r'href="([\w.-]+\.html)#([^"]+)"', text):
            other_text = (page.parent / other).read_text(encoding="utf-8")
            assert f' id="{target}"' in other_text, (page.name, other, target)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_badge_colours_meet_wcag_aa() -> None:
    """Every rule of the stylesheet that sets both a background and a text colour
    keeps the contrast of WCAG AA for normal text (4.5:1)."""
    css = (Path(cjdsl.__file__).parent / "templates" / "html" / "assets" / "site.css").read_text(encoding="utf-8")
    pairs = re.findall(r"background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6})", css)
    assert len(pairs) >= 20
    for background, colour in pairs:
        assert _contrast(background, colour) >= 4.5, (background, colour, round(_contrast(background, colour), 2))
    # Text on the page backgrounds, light and dark.
    for fg, bg in (
        ("#1a1f24", "#ffffff"),
        ("#4b5563", "#ffffff"),
        ("#1d4ed8", "#ffffff"),
        ("#4b5563", "#f3f5f8"),
        ("#e6edf3", "#0d1117"),
        ("#a5adb8", "#0d1117"),
        ("#8cb4ff", "#0d1117"),
        ("#a5adb8", "#161b22"),
    ):
        assert _contrast(fg, bg) >= 4.5, (fg, bg)


def test_shared_fragments_change_no_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    """A touchpoint's card is rendered once per build and reused by the persona pages;
    the site must be byte for byte what rendering every page in full gives, including
    persona pages whose `next` links lead to the whole map."""
    from cjdsl.backends import BuildContext
    from cjdsl.backends import html_site as h

    project = cjdsl.check([EXAMPLES])
    assert project.ok
    ctx = BuildContext(project.config, tuple(project.journeys), tuple(project.diagnostics))
    shared = {a.path: a.content for a in h.build_site(ctx)}
    monkeypatch.setattr(h._Fragments, "__call__", lambda self, key, part, caller: caller())
    full = {a.path: a.content for a in h.build_site(ctx)}
    assert shared == full
    persona_pages = [p for p in shared if ".persona-" in p]
    assert len(persona_pages) >= 4
    # Some persona page links a touchpoint it does not show to the whole map.
    assert any(re.search(rb'href="[a-z0-9_]+\.html#tp-', shared[p]) for p in persona_pages)


def test_the_site_links_what_the_linked_backends_declare_and_wrote() -> None:
    """The site knows no other backend's paths: it shows the diagram and offers the plan
    files that the build says the backends it links to wrote (paths, never bytes), by
    their declared role, journey, view and persona."""
    from cjdsl.backends import DIAGRAM, DIAGRAM_SOURCE, PLAN, BuildContext, Product
    from cjdsl.backends import html_site as h

    project = cjdsl.check([EXAMPLES / "hr_saas.journey"])
    (j,) = project.journeys
    linked = (
        Product("pictures/whole.txt", DIAGRAM_SOURCE, "DOT", j.id, "journey"),
        Product("pictures/overview.svg", DIAGRAM, "SVG", j.id, "overview"),
        Product("pictures/anna.svg", DIAGRAM, "SVG", j.id, "journey", "anna"),
        Product("plans/b.txt", PLAN, "Second"),
        Product("plans/a.txt", PLAN, "First"),
        Product("elsewhere.txt"),
    )
    ctx = BuildContext(project.config, (j,), linked=linked)
    files = {a.path: a.content.decode("utf-8") for a in h.build_site(ctx)}
    page, persona = files["journeys/hr_saas.html"], files["journeys/hr_saas.persona-anna.html"]
    # The whole journey has no image here, so its page links the diagram's source.
    assert "<img" not in page and "The flow diagram was not drawn" in page
    assert 'href="../pictures/whole.txt"' in page and "overview.svg" not in page
    assert 'the whole plan as <a href="../plans/b.txt">Second</a>, <a href="../plans/a.txt">First</a>.' in page
    assert "elsewhere" not in page
    assert '<img src="../pictures/anna.svg"' in persona and "plans/" not in persona
    # Without links (`cjdsl render --to html`), a page links no other backend's file.
    alone = h.render(j, BuildContext(project.config, (j,))).content.decode("utf-8")
    assert "<img" not in alone and "tracking/" not in alone and "graphviz/" not in alone
