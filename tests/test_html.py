"""The html backend: the site in a real browser (Playwright driving Debian's Chromium),
text safety, determinism, template overrides."""

from __future__ import annotations

import itertools
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
        page.locator(f"#tp-{tp.id}").scroll_into_view_if_needed()  # cards off screen are not rendered
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


# -- the practitioners' lanes, levels and as-is/to-be ----------------------------------------

PRACTICE = {
    "shared/common.journey": """
team sales "Sales"
team risk "Risk"
team ops "Operations"
actor advisor "Mortgage advisor" { team sales }
actor underwriter "Underwriter" { team risk }
actor notary "Notary" { partner }
system core_banking "Core banking" { owner risk }
system crm "Advisor CRM" { owner sales }
persona planned "Planned buyer" { role "Saves for years" }
persona emergency "Emergency mover" { role "Must move within weeks" }
channel branch "Branch" offline office
channel web "Website" online web
""",
    "mortgage.journey": """
include "shared/common.journey"
journey mortgage "Mortgage today" { state current  part_of lifecycle  owner sales }
stage apply "Apply" phase purchase {
  touchpoint visit "Visits a branch" {
    channel branch  entry  owner sales  emotion 0 "unsure"  rating 3
    next submit "after the meeting"
  }
  touchpoint submit "Submits paper documents" {
    channel branch  owner sales  emotion -1 "tedious"  rating 2  duration 45 min
    next wait_decision
  }
}
stage decide "Decision" phase purchase {
  touchpoint wait_decision "Waits for the decision" {
    channel branch  owner risk  emotion -2 "anxious"  rating 1  wait 3..6 w  next sign
  }
  touchpoint sign "Signs at the notary" { channel branch  owner sales  emotion 1  rating 4 }
}
""",
    "mortgage_next.journey": """
include "shared/common.journey"
journey mortgage_next "Mortgage, redesigned" { state future  variant_of mortgage  part_of lifecycle  owner sales }
stage apply "Apply" phase purchase {
  touchpoint visit "Books an advisor online" {
    channel web  entry  owner sales  emotion 1  rating 4  confidence assumed  wait 1 d  duration 15 min
    next submit
  }
  touchpoint submit "Submits the application" {
    channel branch
    owner sales
    moment_of_truth "She decides here whether to trust the bank"
    thinking "Will they accept income from contracts?"
    thinking "How long will it take?"
    quote "I never know if they got my papers" { source "interview 07" }
    frontstage "Advisor checks the documents with her" { actor advisor  support crm }
    backstage "Underwriting scores the application" { actor underwriter  owner risk  duration 3 d  support core_banking }
    backstage "Notary checks the land register" { actor notary  owner ops  wait 1 d }
    support core_banking
    evidence "Signed application form"
    emotion 0 "neutral"
    emotion for emergency -2 "in pain, put on hold"
    rating 4
    rating for emergency 2
    confidence observed
    duration 18 min
    wait 3..6 d
    next approve "if approved", decline "if declined"
    detail kyc_flow
  }
}
stage decide "Decision" phase purchase {
  touchpoint approve "Gets the approval in the app" { channel web  owner risk  emotion 2  rating 5  next sign }
  touchpoint decline "Hears a decline, with reasons" { channel branch  owner risk  emotion -1  rating 3 }
  touchpoint sign "Signs at the notary" { channel branch  owner sales  emotion 1  rating 4 }
}
pain waiting "Emergency movers cannot wait for the scoring" { at submit  severity high  confidence assumed }
metric csat "Onboarding CSAT" { at submit  value 4.1  scale 1..5  target ">= 4.3"  source "Post-call survey, Q3 2026, n=212" }
metric approvals "Approved within 5 days" { at decide  value 64  target "> 50"  source "Core banking report" }
metric cost "Cost to serve" { value 310  target "< 400"  source "Finance, 2026" }
""",
    "lifecycle.journey": """
include "shared/common.journey"
journey lifecycle "Home ownership lifecycle" { owner sales }
stage buy "Buy a home" phase purchase {
  touchpoint get_mortgage "Gets a mortgage" { channel branch  owner sales  emotion 0  rating 3  detail mortgage  next move_in }
  touchpoint move_in "Moves in" { channel branch  owner sales  emotion 2  rating 5 }
}
""",
    "kyc_flow.journey": """
include "shared/common.journey"
journey kyc_flow "Know your customer" { part_of mortgage_next  owner risk }
stage verify "Verify identity" phase purchase {
  touchpoint scan_id "Scans an ID card" { channel web  owner risk  emotion 0  rating 3  next selfie }
  touchpoint selfie "Takes a selfie" { channel web  owner risk  emotion -1  rating 2 }
}
""",
    "plain.journey": """
journey plain "A plain journey" { owner t }
team t "Team"
persona a "A" { role "r" }
channel c "Web" online web
stage s "S" phase awareness {
  touchpoint one "One" { channel c  owner t  emotion 1  rating 4  next two }
  touchpoint two "Two" { channel c  owner t  emotion -1  rating 2 }
}
""",
}

NEW_LANES = ("thinking", "quotes", "metrics", "frontstage", "visibility", "backstage", "support")


def write_project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text.lstrip(), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("practice")
    return build_site([write_project(root / "p", PRACTICE)], root / "site")


def _page(site: Path, name: str) -> str:
    return (site / "journeys" / name).read_text(encoding="utf-8")


def _text(html_text: str) -> str:
    """The text of some HTML, tags dropped, entities read, white space collapsed."""
    import html

    inline = re.sub(r"</?(?:a|span|strong|em|code|small)\b[^>]*>", "", html_text)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def _lane(page: str, lane: str) -> str:
    match = re.search(rf'<tr class="lane-{lane}">(.*?)</tr>', page, re.S)
    assert match, lane
    return match.group(1)


def _card(page: str, tp: str) -> str:
    match = re.search(rf'<article class="card[^"]*" id="tp-{tp}".*?</article>', page, re.S)
    assert match, tp
    return match.group(0)


def test_the_blueprint_lanes_show_what_the_touchpoints_have(practice: Path) -> None:
    page = _page(practice, "mortgage_next.html")
    assert "Will they accept income from contracts?" in _text(_lane(page, "thinking"))
    assert "How long will it take?" in _text(_lane(page, "thinking"))
    quotes = _text(_lane(page, "quotes"))
    assert "“I never know if they got my papers”" in quotes and "— interview 07" in quotes
    assert "Advisor checks the documents with her By: Mortgage advisor (Sales) Systems: Advisor CRM" in _text(
        _lane(page, "frontstage")
    )
    assert "above: what the customer sees" in _text(_lane(page, "visibility"))
    backstage = _text(_lane(page, "backstage"))
    assert "Underwriting scores the application By: Underwriter (Risk) Owner: Risk Takes: 3 d Systems: Core banking" in backstage
    support = _text(_lane(page, "support"))
    assert "Core banking owner: Risk" in support and "Advisor CRM owner: Sales" in support
    assert "Evidence: Signed application form" in _text(_card(page, "submit"))
    # The lanes come in the blueprint's order: frontstage, the line, backstage, systems.
    order = [page.index(f'<tr class="lane-{lane}">') for lane in ("frontstage", "visibility", "backstage", "support")]
    assert order == sorted(order)


def test_a_journey_without_the_new_elements_has_no_empty_lanes(practice: Path) -> None:
    for name in ("plain.html", "plain.persona-a.html", "kyc_flow.html", "lifecycle.html"):
        page = _page(practice, name)
        for lane in NEW_LANES:
            assert f'class="lane-{lane}"' not in page, (name, lane)
        for absent in ("Confidence", "Customer time", "Who is involved", "Moment of truth", "compare.html"):
            assert absent not in page, (name, absent)
    plain = _page(practice, "plain.html")
    assert "State" not in _text(plain.split("</header>")[0])  # no state written, no variant: none shown
    # A journey with new elements shows only the lanes something fills.
    current = _page(practice, "mortgage.html")
    assert 'class="lane-thinking"' not in current and 'class="lane-backstage"' not in current


def test_each_persona_has_its_own_emotion_line_and_legend(practice: Path) -> None:
    from cjdsl.backends.html_site import PERSONA_STYLES

    page = _page(practice, "mortgage_next.html")
    lines = dict(re.findall(r'<g class="curve-line" data-curve-persona="(\w+)">(.*?)</g>', page, re.S))
    assert set(lines) == {"planned", "emergency"}
    y = {
        p: {tp: float(v) for v, tp in re.findall(r'<(?:circle|rect)[^>]*?\bc?y="([\d.]+)"[^>]*data-tp="(\w+)"', body)}
        for p, body in lines.items()
    }
    assert y["planned"]["submit"] == 75 and y["emergency"]["submit"] == 135 - 4  # 0, and -2 (a square, by its corner)
    dashes = {p: re.search(r'<polyline[^>]*?(?:stroke-dasharray="([^"]+)")?>', body).group(1) for p, body in lines.items()}  # type: ignore[union-attr]
    assert dashes["planned"] != dashes["emergency"]
    legend = _text(re.search(r'<figcaption class="legend">.*?</figcaption>', page, re.S).group(0))  # type: ignore[union-attr]
    assert legend == "Lines: Planned buyer (circle markers) Emergency mover (square markers)"
    assert len({marker for _, _, marker in PERSONA_STYLES}) == len(PERSONA_STYLES)  # no two personas share a marker
    # The card says it in words too, and each persona's page uses that persona's values.
    assert "Emergency mover: -2 very negative “in pain, put on hold” rating 2/5" in _text(_card(page, "submit"))
    mine = _page(practice, "mortgage_next.persona-emergency.html")
    card = _text(_card(mine, "submit"))
    assert "-2 very negative “in pain, put on hold”" in card and "2/5" in card and "4/5" not in card
    assert re.search(r'<rect x="[\d.]+" y="131" [^>]*data-tp="submit"', mine)
    theirs = _text(_card(_page(practice, "mortgage_next.persona-planned.html"), "submit"))
    assert "0 neutral" in theirs and "4/5" in theirs and "Emergency mover:" not in theirs


def test_confidence_is_written_and_assumed_stands_out(practice: Path) -> None:
    page = _page(practice, "mortgage_next.html")
    legend = _text(re.search(r'<p class="key-line confidence-legend">.*?</p>', page, re.S).group(0))  # type: ignore[union-attr]
    assert "observed seen in research or data" in legend and "assumed the team’s assumption, not yet checked" in legend
    assert (
        '<span class="confidence confidence-assumed" title="Confidence: assumed"><span aria-hidden="true">○</span> assumed</span>'
        in (_card(page, "visit"))
    )
    assert "Confidence: ● observed" in _text(_card(page, "submit"))
    pain = re.search(r'<div class="pain[^"]*" id="pain-waiting">.*?</div>', page, re.S).group(0)  # type: ignore[union-attr]
    assert "confidence-assumed" in pain and "assumed" in _text(pain)


def test_moment_of_truth_time_and_flow_labels(practice: Path) -> None:
    import cjdsl.core.timing as timing

    page = _page(practice, "mortgage_next.html")
    card = _card(page, "submit")
    assert "◆ Moment of truth" in _text(card) and "She decides here whether to trust the bank" in _text(card)
    assert "Wait: 3–6 d · Duration: 18 min" in _text(card)
    assert '<span class="flow-label">if approved:</span> <a href="#tp-approve">' in card
    assert '<span class="flow-label">if declined:</span> <a href="#tp-decline">' in card
    (j,) = [j for j in cjdsl.check([practice.parent / "p"]).journeys if j.id == "mortgage_next"]
    shown = {}
    for stage in j.stages:
        head = _text(re.search(rf'<th scope="col" id="stage-{stage.id}".*?</th>', page, re.S).group(0))  # type: ignore[union-attr]
        shown[stage.id] = head.partition("Customer time: ")[2]
    assert shown == {"apply": "4–7 d", "decide": ""} == {s.id: timing.stage(s).text() for s in j.stages}
    total = timing.total(timing.touchpoint(tp) for tp in j.touchpoints).text()
    assert total == "4–7 d"
    assert f"Customer time {total}" in _text(page.split("</dl>")[0])
    note = _text(re.search(r'<p class="key-line time-note">.*?</p>', page, re.S).group(0))  # type: ignore[union-attr]
    assert note.startswith(f"Customer time: {total}, the sum of the waits and durations of all its touchpoints")


def test_metrics_show_at_their_place_with_their_target(practice: Path) -> None:
    page = _page(practice, "mortgage_next.html")
    cells = re.findall(r"<td>(.*?)</td>", _lane(page, "metrics"), re.S)
    apply, decide = (_text(c) for c in cells)
    assert apply.startswith("Onboarding CSAT 4.1 on a scale of 1–5 Target: >= 4.3 ✗ below target at Submits the application")
    assert "Source: Post-call survey, Q3 2026, n=212" in apply
    assert decide.startswith("Approved within 5 days 64 Target: > 50 ✓ meets target") and "Core banking report" in decide
    section = _text(re.search(r'<section aria-labelledby="metrics-h".*?</section>', page, re.S).group(0))  # type: ignore[union-attr]
    assert "Cost to serve 310 Target: < 400 ✓ meets target Source: Finance, 2026" in section


def test_target_status_in_words() -> None:
    from cjdsl.backends.html_site import target_status

    assert target_status(4.1, ">= 4.3") == ("below target", True)
    assert target_status(4.3, ">= 4.3") == ("meets target", False)
    assert target_status(3, "< 2") == ("above target", True)
    assert target_status(5, "4") == ("above target", None)
    assert target_status(5, "better than last year") == (None, None)
    assert target_status(None, ">= 1") == (None, None)


def test_who_is_involved(practice: Path) -> None:
    page = _page(practice, "mortgage_next.html")
    section = _text(re.search(r'<section aria-labelledby="who-h".*?</section>\s*</div>\s*</section>', page, re.S).group(0))  # type: ignore[union-attr]
    assert "Mortgage advisor team: Sales" in section and "Underwriter team: Risk" in section
    assert "Notary partner, outside the company" in section
    assert "Core banking owner: Risk" in section and "Advisor CRM owner: Sales" in section


def _links(site: Path) -> dict[str, set[str]]:
    """Every page's links to other pages of the site (relative, without anchors)."""
    out = {}
    for page in pages(site):
        hrefs = set(re.findall(r'href="([^"#:]+\.html)', page.read_text(encoding="utf-8")))
        for href in hrefs:
            assert (page.parent / href).is_file(), (page.name, href)
        out[page.relative_to(site).as_posix()] = hrefs
    return out


def test_levels_and_variants_link_the_pages(practice: Path) -> None:
    links = _links(practice)
    nxt = _page(practice, "mortgage_next.html")
    assert re.search(r'Part of:</span> <a href="lifecycle.html">Home ownership lifecycle</a>', nxt)
    assert re.search(r'To-be redesign of:</span> <a href="mortgage.html">Mortgage today</a>', nxt)
    assert "mortgage_next.compare.html" in links["journeys/mortgage_next.html"]
    assert "journeys/mortgage_next.compare.html" in links["index.html"]
    assert {"mortgage_next.html", "mortgage_next.compare.html"} <= links["journeys/mortgage.html"]  # redesigned as
    assert re.search(r'Zoom in:</span> <a href="kyc_flow.html">Know your customer</a>', _card(nxt, "submit"))
    life = _page(practice, "lifecycle.html")
    assert re.search(
        r'Journeys within it:</span> <a href="mortgage.html">Mortgage today</a>, '
        r'<a href="mortgage_next.html">Mortgage, redesigned</a>',
        life,
    )
    assert re.search(r'Zoom in:</span> <a href="mortgage.html">', _card(life, "get_mortgage"))
    assert re.search(r'Part of:</span> <a href="mortgage_next.html">', _page(practice, "kyc_flow.html"))
    assert re.search(r"<dt>State</dt><dd>to-be</dd>", nxt) and re.search(
        r"<dt>State</dt><dd>as-is</dd>", _page(practice, "mortgage.html")
    )
    # Only a future journey whose original is in the build gets a comparison page.
    assert sorted(p.name for p in (practice / "journeys").glob("*.compare.html")) == ["mortgage_next.compare.html"]


def test_the_comparison_page_shows_both_curves_and_the_changes_by_stage(practice: Path) -> None:
    page = _page(practice, "mortgage_next.compare.html")
    states = re.findall(r'<g class="curve-line" data-state="([\w-]+)">\s*<polyline[^>]*?( stroke-dasharray="[^"]+")?>', page)
    assert states == [("as-is", ' stroke-dasharray="7 5"'), ("to-be", ""), ("as-is", ' stroke-dasharray="7 5"'), ("to-be", "")]
    legend = _text(re.search(r'<figcaption class="legend">.*?</figcaption>', page, re.S).group(0))  # type: ignore[union-attr]
    assert "Planned buyer, as-is (dashed line, hollow circles)" in legend
    assert "Emergency mover, to-be (solid line, filled squares)" in legend
    assert 'role="img" aria-labelledby="compare-title compare-desc"' in page
    table = _text(re.search(r'<table class="data-table">.*?</table>', page, re.S).group(0))  # type: ignore[union-attr]
    assert "Apply -0.5 +0.5 -0.5 -0.5" in table  # planned: (0 - 1) / 2 → (1 + 0) / 2; emergency → (1 - 2) / 2
    sections = dict(re.findall(r'<h3 id="changes-(\w+)">.*?</h3>(.*?)</section>', page, re.S))
    assert list(sections) == ["apply", "decide", "across"]
    assert _text(sections["across"]) == "+ added metric Cost to serve"
    apply, decide = _text(sections["apply"]), _text(sections["decide"])
    assert "changed touchpoint Submits the application:" in apply
    assert "moment of truth, in words was none →, now She decides here whether to trust the bank" in apply
    assert "added path Submits the application → Gets the approval in the app" in apply
    assert "Customer time: as-is 45 min → to-be 4–7 d" in apply
    assert "added touchpoint Gets the approval in the app" in decide and "removed touchpoint Waits for the decision" in decide
    assert "Submits the application" not in _text(sections["decide"].split("path")[0])
    # The page is reached from the future journey and from the index, and leads back to both journeys.
    assert {"mortgage.html", "mortgage_next.html"} <= _links(practice)["journeys/mortgage_next.compare.html"]


def test_journeys_named_but_not_built_get_no_link(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", PRACTICE)
    site = build_site([project / "mortgage_next.journey"], tmp_path / "site")
    page = _page(site, "mortgage_next.html")
    assert not list((site / "journeys").glob("*.compare.html")) and "compare.html" not in page
    others = {f"mortgage_next.persona-{p}.html" for p in ("planned", "emergency")} | {"../index.html"}
    assert _links(site)["journeys/mortgage_next.html"] <= others
    assert "Zoom in: kyc_flow (not in this site)" in _text(_card(page, "submit"))
    assert "Part of: lifecycle (not in this site)" in _text(page)


def test_the_practice_site_loads_cleanly_and_its_anchors_resolve(practice: Path, browser: Any) -> None:
    for page in pages(practice):
        text = page.read_text(encoding="utf-8")
        ids = set(re.findall(r' id="([^"]+)"', text))
        for target in re.findall(r'href="#([^"]+)"', text):
            assert target in ids, (page.name, target)
        for other, target in re.findall(r'href="([\w.-]+\.html)#([^"]+)"', text):
            assert f' id="{target}"' in (page.parent / other).read_text(encoding="utf-8"), (page.name, other, target)
        levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", text)]
        assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels)), (page.name, levels)
        visit = Visit(browser, page.as_uri(), width=390)
        assert visit.problems == [], (page, visit.problems)
        # Nothing but the map, the chart and the tables is wider than a phone.
        wide = visit.page.evaluate(
            "() => [...document.querySelectorAll('main > *')].filter(e => e.scrollWidth > e.clientWidth + 1"
            " && !e.querySelector('.map-scroll, .chart-scroll, .table-scroll')"
            " && !e.matches('.map-scroll, .chart-scroll, .table-scroll, .visually-hidden')).map(e => e.className || e.tagName)"
        )
        assert wide == [], (page.name, wide)
        assert visit.page.evaluate("document.documentElement.scrollWidth") <= 390, page.name
        visit.close()


def test_the_practice_site_shares_fragments_without_changing_a_byte(practice: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cjdsl.backends import BuildContext
    from cjdsl.backends import html_site as h

    project = cjdsl.check([practice.parent / "p"])
    ctx = BuildContext(project.config, tuple(project.journeys), tuple(project.diagnostics))
    shared = {a.path: a.content for a in h.build_site(ctx)}
    assert shared == {a.path: a.content for a in h.build_site(ctx)}  # deterministic
    monkeypatch.setattr(h._Fragments, "__call__", lambda self, key, part, caller: caller())
    assert shared == {a.path: a.content for a in h.build_site(ctx)}
    declared = {p.path for p in h.BACKEND.declared(project.journeys)}
    assert set(shared) <= declared | {"index.html"}


def test_hostile_text_in_the_new_elements_stays_text(tmp_path: Path, browser: Any) -> None:
    bad = '<img src=x onerror=\\"window.__xss=1\\">'
    files = dict(PRACTICE)
    files["mortgage_next.journey"] = (
        files["mortgage_next.journey"]
        .replace('"Will they accept income from contracts?"', f'"{bad}"')
        .replace('"interview 07"', f'"{bad}"')
        .replace('"She decides here whether to trust the bank"', f'"{bad}"')
        .replace('"Advisor checks the documents with her"', f'"{bad}"')
        .replace('"if approved"', f'"{bad}"')
        .replace('"Post-call survey, Q3 2026, n=212"', f'"{bad}"')
        .replace('">= 4.3"', f'"{bad}"')
    )
    files["shared/common.journey"] = (
        files["shared/common.journey"].replace('"Notary"', f'"{bad}"').replace('"Core banking"', f'"{bad}"')
    )
    site = build_site([write_project(tmp_path / "p", files)], tmp_path / "site")
    for page_path in pages(site):
        text = page_path.read_text(encoding="utf-8")
        assert "<img src=x" not in text, page_path
        visit = Visit(browser, page_path.as_uri())
        visit.page.wait_for_timeout(50)
        assert visit.page.evaluate("window.__xss") is None, page_path
        visit.close()
    page = _page(site, "mortgage_next.html")
    assert page.count("&lt;img src=x onerror=") >= 8


def test_a_journey_with_a_blueprint_shows_its_svg_and_one_without_none(practice: Path) -> None:
    page = _page(practice, "mortgage_next.html")
    (src,) = re.findall(r'<section aria-labelledby="blueprint-h".*?<img src="\.\./([^"]+)"', page, re.S)
    assert src == "graphviz/mortgage_next.blueprint.svg"
    if (practice / "graphviz" / "mortgage_next.svg").exists():  # dot was there: the blueprint was laid out too
        assert "Customer actions" in (practice / src).read_text(encoding="utf-8")
    assert 'id="blueprint-h"' not in _page(practice, "lifecycle.html")
