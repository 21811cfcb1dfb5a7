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
    for tp in j.touchpoints:  # every card is rendered, on screen or not
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


def _cell(page: str, lane: str, tp: str) -> str:
    """A touchpoint's cell in a lane."""
    match = re.search(rf'<td[^>]*? data-tp="{tp}"[^>]*>(.*?)</td>', _lane(page, lane), re.S)
    assert match, (lane, tp)
    return match.group(1)


def _card(page: str, tp: str) -> str:
    match = re.search(rf'<article class="card[^"]*" id="tp-{tp}".*?</article>', page, re.S)
    assert match, tp
    return match.group(0)


def test_the_blueprint_lanes_show_what_the_touchpoints_have(practice: Path) -> None:
    page = _page(practice, "mortgage_next.html")
    assert "Will they accept income from contracts?" in _text(_lane(page, "thinking"))
    assert "How long will it take?" in _text(_lane(page, "thinking"))
    quotes = _text(_lane(page, "thinking"))  # thinking and saying: one lane
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
    lines = dict(
        re.findall(r'<g class="curve-line" data-curve-persona="(\w+)">(.*?)(?=<g class="curve-line"|</svg>)', page, re.S)
    )
    assert set(lines) == {"planned", "emergency"}
    y = {
        p: {tp: float(v) for v, tp in re.findall(r'<(?:circle|rect)[^>]*?\bc?y="([\d.]+)"[^>]*data-tp="(\w+)"', body)}
        for p, body in lines.items()
    }
    assert y["planned"]["submit"] == 94 and y["emergency"]["submit"] == 158 - 4  # 0, and -2 (a square, by its corner)
    # Each point is labelled with the persona's feeling (the number when there is none).
    labels = {
        p: dict(re.findall(r'<g class="pt" data-pt="(\w+)".*?<text class="pt-label"[^>]*>([^<]*)</text>', body))
        for p, body in lines.items()
    }
    assert labels["planned"]["submit"] == "neutral" and labels["emergency"]["submit"] == "in pain, put on hold"
    assert labels["planned"]["approve"] == "+2"
    dashes = {p: re.search(r'<polyline[^>]*?(?:stroke-dasharray="([^"]+)")?>', body).group(1) for p, body in lines.items()}  # type: ignore[union-attr]
    assert dashes["planned"] != dashes["emergency"]
    legend = _text(re.search(r'<ul class="curve-legend".*?</ul>', page, re.S).group(0))  # type: ignore[union-attr]
    assert legend == "Planned buyer (circle markers) Emergency mover (square markers)"
    # The same in a table, for screen readers and print: a row per touchpoint, a column per persona.
    table = _text(re.search(r'<details class="curve-table".*?</details>', page, re.S).group(0))  # type: ignore[union-attr]
    assert "Submits the application Apply 0 neutral “neutral” -2 very negative “in pain, put on hold”" in table
    assert len({marker for _, _, marker in PERSONA_STYLES}) == len(PERSONA_STYLES)  # no two personas share a marker
    # The card says it in words too, and each persona's page uses that persona's values.
    assert "Emergency mover: -2 very negative “in pain, put on hold” rating 2/5" in _text(_card(page, "submit"))
    mine = _page(practice, "mortgage_next.persona-emergency.html")
    card = _text(_card(mine, "submit"))
    assert "-2 very negative “in pain, put on hold”" in card and "2/5" in card and "4/5" not in card
    assert re.search(r'<rect x="[\d.]+" y="154" [^>]*data-tp="submit"', mine)
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
    assert "Wait: 3–6 d Duration: 18 min" in _text(_cell(page, "time", "submit"))  # the lane under the card
    assert '<span class="flow-label">if approved:</span> <a href="#tp-approve">' in card
    assert '<span class="flow-label">if declined:</span> <a href="#tp-decline">' in card
    (j,) = [j for j in cjdsl.check([practice.parent / "p"]).journeys if j.id == "mortgage_next"]
    shown = {}
    for stage in j.stages:
        head = _text(re.search(rf'<th scope="colgroup" colspan="\d+" id="stage-{stage.id}".*?</th>', page, re.S).group(0))  # type: ignore[union-attr]
        shown[stage.id] = head.partition("Customer time: ")[2]
    assert shown == {"apply": "4–7 d", "decide": ""} == {s.id: timing.stage(s).text() for s in j.stages}
    total = timing.total(timing.touchpoint(tp) for tp in j.touchpoints).text()
    assert total == "4–7 d"
    assert f"Customer time {total}" in _text(page.split("</dl>")[0])
    note = _text(re.search(r'<p class="key-line time-note">.*?</p>', page, re.S).group(0))  # type: ignore[union-attr]
    assert note.startswith(f"Customer time: {total}, the sum of the waits and durations of all its touchpoints")


def test_metrics_show_at_their_place_with_their_target(practice: Path) -> None:
    page = _page(practice, "mortgage_next.html")
    apply = _text(_cell(page, "metrics", "submit"))  # measured at a touchpoint: in its column
    assert apply.startswith("Onboarding CSAT 4.1 on a scale of 1–5 Target: >= 4.3 ✗ below target at Submits the application")
    assert "Source: Post-call survey, Q3 2026, n=212" in apply
    assert [_text(_cell(page, "metrics", tp)) for tp in ("visit", "approve", "decline", "sign")] == [""] * 4
    # Measured at a stage: across the stage's columns.
    stage = re.search(
        r'<td colspan="(\d+)" class="at-stage[^"]*" data-stage="decide">(.*?)</td>', _lane(page, "metrics-stage"), re.S
    )
    assert stage is not None and stage.group(1) == "3"
    decide = _text(stage.group(2))
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
    others.add("mortgage_next.diagrams.html")  # the diagram viewer
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


# -- the touchpoint-aligned grid --------------------------------------------------------------

GRID = {
    "grid.journey": """
journey grid "A grid with an empty stage" { owner t }
team t "Team"
persona a "Alice" { role "r" }
persona b "Bob" { role "r" }
channel web "Website" online web
channel shop "Shop" offline store
stage first "First steps" phase awareness {
  touchpoint one "Sees an ad" {
    channel web  persona a  owner t  emotion 1 "curious"  rating 4  customer_action "Taps it"  next two
  }
  touchpoint two "Walks into the shop" { channel shop  owner t  emotion -1  rating 2  need "Someone to ask"  next three }
}
stage nothing "Nothing mapped yet" phase consideration { }
stage last "Last" phase decision {
  touchpoint three "Buys" { channel web  persona b  owner t  emotion 2 "relieved"  rating 5 }
}
pain slow "Slow start" {
  at first  severity high
  opportunity guide "A guide for the first steps" { impact high  effort low }
}
pain lost "Gets lost in the shop" { at two  severity low  opportunity guide }
metric visits "Visits" { at first  value 3 }
metric taps "Taps" { at one  value 12 }
""",
}


@pytest.fixture(scope="module")
def grid_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("grid")
    (root / "p").mkdir()
    (root / "p" / "cjdsl.toml").write_text("", encoding="utf-8")
    return build_site([write_project(root / "p", GRID)], root / "site")


#: For each touchpoint column (by its card's cell), the x range of every cell of it: the
#: lanes' cells, its head and its points on the emotion curve.
COLUMNS = """() => {
  const x = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.right]; };
  const out = {};
  for (const td of document.querySelectorAll('td.card-cell[data-tp]')) {
    if (td.hidden) continue;
    const id = td.dataset.tp;
    out[id] = {
      column: x(td),
      cells: [...document.querySelectorAll(`table.map [data-tp="${id}"]:is(td, th)`)].filter(e => !e.hidden).map(x),
      pains: [...document.querySelectorAll(`tr.lane-pains td[data-tp="${id}"] .pain`)].map(x),
      opportunities: [...document.querySelectorAll(`tr.lane-opportunities td[data-tp="${id}"] .opportunity`)].map(x),
      points: [...document.querySelectorAll(`g.curve-line g.pt[data-pt="${id}"]`)]
        .filter(g => g.style.display !== 'none' && getComputedStyle(g.closest('g.curve-line')).display !== 'none')
        .map(g => { const r = g.querySelector('[data-tp]').getBoundingClientRect(); return (r.left + r.right) / 2; }),
    };
  }
  return out;
}"""


def _check_columns(columns: dict[str, Any]) -> None:
    for tp, c in columns.items():
        left, right = c["column"]
        assert right - left > 50, tp
        for a, b in c["cells"]:
            assert abs(a - left) <= 1 and abs(b - right) <= 1, (tp, (a, b), (left, right))
        for a, b in c["pains"] + c["opportunities"]:
            assert left <= a and b <= right, (tp, (a, b), (left, right))
        for mid in c["points"]:
            assert left < mid < right, (tp, mid, (left, right))


def test_a_touchpoints_lanes_line_up_under_it(site: Path, browser: Any) -> None:
    """Every cell of a touchpoint's column (its card, its pain points and opportunities,
    the other lanes, its head) has the card's x range, and its curve points lie in it."""
    (j,) = list(cjdsl.check([EXAMPLES / "dental_clinic.journey"]).journeys)
    visit = Visit(browser, (site / "journeys" / f"{j.id}.html").as_uri(), width=1600)
    columns = visit.page.evaluate(COLUMNS)
    assert list(columns) == [tp.id for tp in j.touchpoints]
    assert sum(len(c["pains"]) for c in columns.values()) == sum(1 for p in j.pains if p.at and p.at.id in j.touchpoint)
    assert any(c["opportunities"] for c in columns.values())
    _check_columns(columns)
    # What concerns a whole stage spans the columns of its touchpoints.
    spans = visit.page.evaluate(
        """() => [...document.querySelectorAll('td.at-stage[data-stage]')].map(td => {
             const cols = [...document.querySelectorAll(`colgroup[data-stage="${td.dataset.stage}"] col.tp-col`)]
               .map(c => c.dataset.tp);
             const cells = cols.map(id => document.querySelector(`td.card-cell[data-tp="${id}"]`).getBoundingClientRect());
             const r = td.getBoundingClientRect();
             const first = cells[0], last = cells[cells.length - 1];
             const text = td.innerText.trim().length;
             return [td.dataset.stage, td.colSpan, cols.length, r.left - first.left, r.right - last.right, text];
           })"""
    )
    assert {s[0] for s in spans if s[5]} == {p.at.id for p in j.pains if p.at and p.at.id in j.stage_index} | {
        mt.at.id for mt in j.metrics if mt.at and mt.at.id in j.stage_index
    }
    for stage, colspan, n, dl, dr, _ in spans:
        assert colspan == n and abs(dl) <= 1 and abs(dr) <= 1, (stage, colspan, n, dl, dr)
    visit.close()


@pytest.mark.parametrize("name", ["dental_clinic", "hr_saas"])
def test_the_curve_has_a_point_per_touchpoint_and_persona_in_its_column(site: Path, browser: Any, name: str) -> None:
    (j,) = [j for j in cjdsl.check([EXAMPLES]).journeys if j.id == name]
    visit = Visit(browser, (site / "journeys" / f"{name}.html").as_uri(), width=1600)
    page = visit.page
    for p in j.personas or [None]:
        expected = [
            tp.id
            for tp in j.touchpoints
            if (p is None or any(q.id == p.id for q in j.personas_of(tp)))
            and (j.emotion_of(tp, p.id)[0] if p is not None else tp.emotion) is not None
        ]
        shown = page.eval_on_selector_all(
            f'g.curve-line[data-curve-persona="{p.id if p else ""}"] g.pt', "els => els.map(e => e.dataset.pt)"
        )
        assert shown == expected and expected, (p, shown)
        labels = page.eval_on_selector_all(
            f'g.curve-line[data-curve-persona="{p.id if p else ""}"] text.pt-label', "els => els.map(e => e.textContent)"
        )
        assert all(labels), labels  # every point says how it feels
    _check_columns(page.evaluate(COLUMNS))
    # The axis is in the lane labels' column, not under the lines.
    axis, curve = page.evaluate(
        "[document.querySelector('th.lane-curve svg.axis').getBoundingClientRect().right,"
        " document.querySelector('svg[data-curve]').getBoundingClientRect().left]"
    )
    assert axis <= curve + 1
    visit.close()


def test_filters_hide_columns_and_the_curve_follows(site: Path, browser: Any) -> None:
    (j,) = list(cjdsl.check([EXAMPLES / "omnichannel_retail.journey"]).journeys)
    visit = Visit(browser, (site / "journeys" / f"{j.id}.html").as_uri(), width=1600)
    page = visit.page
    for persona in j.personas:
        page.select_option('[data-filter="persona"]', persona.id)
        mine = [tp.id for tp in j.touchpoints if any(p.id == persona.id for p in j.personas_of(tp))]
        columns = page.evaluate(COLUMNS)
        assert list(columns) == mine
        _check_columns(columns)
        # Hidden columns take no room: the stage heads span the columns left.
        heads = page.eval_on_selector_all("th.stage", "els => els.map(e => [e.dataset.stage, e.colSpan])")
        for stage, span in heads:
            n = sum(1 for tp in j.stages[j.stage_index[stage]].touchpoints if tp.id in mine)
            assert span == max(1, n), (stage, span, n)
        points = page.eval_on_selector_all(
            f'g.curve-line[data-curve-persona="{persona.id}"] g.pt', "els => els.filter(e => e.style.display !== 'none').length"
        )
        assert points == sum(1 for tp in j.touchpoints if tp.id in mine and j.emotion_of(tp, persona.id)[0] is not None)
    page.select_option('[data-filter="persona"]', "")
    _check_columns(page.evaluate(COLUMNS))
    visit.close()


def test_an_empty_stage_keeps_a_narrow_column_and_stage_items_span_their_stage(grid_site: Path, browser: Any) -> None:
    page_text = _page(grid_site, "grid.html")
    assert '<th scope="colgroup" colspan="1" id="stage-nothing"' in page_text
    assert '<th scope="colgroup" colspan="2" id="stage-first"' in page_text
    visit = Visit(browser, (grid_site / "journeys" / "grid.html").as_uri(), width=1600)
    page = visit.page
    width = page.evaluate("document.querySelector('td.empty-col[data-empty-stage=\"nothing\"]').getBoundingClientRect().width")
    column = page.evaluate("document.querySelector('td.card-cell').getBoundingClientRect().width")
    assert 60 <= width < column
    assert "No touchpoints mapped yet" in page.inner_text("tr.lane-touchpoints")
    stage = page.evaluate(
        "(() => { const r = document.querySelector('tr.lane-pains-stage td[data-stage=\"first\"]').getBoundingClientRect();"
        " const a = document.querySelector('td.card-cell[data-tp=\"one\"]').getBoundingClientRect();"
        " const b = document.querySelector('td.card-cell[data-tp=\"two\"]').getBoundingClientRect();"
        " return [r.left - a.left, r.right - b.right]; })()"
    )
    assert all(abs(d) <= 1 for d in stage), stage
    assert "Slow start" in page.inner_text('tr.lane-pains-stage td[data-stage="first"]')
    assert "Visits" in page.inner_text('tr.lane-metrics-stage td[data-stage="first"]')
    assert "Taps" in page.inner_text('tr.lane-metrics td[data-tp="one"]')
    # An opportunity that answers two pain points is shown once, at the first, naming both.
    assert page.locator("#opp-guide").count() == 1
    assert page.inner_text("#opp-guide").count("answers Slow start, Gets lost in the shop") == 1
    # Lanes with nothing in them are left out; those with something are kept.
    for lane in ("doing", "needs", "pains", "opportunities", "company", "metrics"):
        assert page.locator(f"tr.lane-{lane}").count() == 1, lane
    for lane in ("thinking", "frontstage", "backstage", "support", "time", "visibility", "interaction"):
        assert page.locator(f"tr.lane-{lane}").count() == 0, lane
    # Filtered to Bob, the first stage keeps one touchpoint; one that loses them all gets its empty column.
    page.select_option('[data-filter="persona"]', "b")
    assert page.evaluate("document.getElementById('stage-first').colSpan") == 1
    assert page.evaluate("document.getElementById('stage-nothing').colSpan") == 1
    page.select_option('[data-filter="channel"]', "shop")
    assert page.eval_on_selector_all('[data-empty-stage="last"]', "els => els.every(e => !e.hidden)")
    _check_columns(page.evaluate(COLUMNS))
    visit.close()


def _largest_example_page(site: Path) -> Path:
    return max((p for p in (site / "journeys").glob("*.html") if "." not in p.stem), key=lambda p: p.stat().st_size)


#: The share of "ink" (pixels unlike the card's background) inside each card, read from a
#: PNG screenshot drawn on a canvas.
INK = """async ([png, boxes]) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + png;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return boxes.map(([x, y, w, h]) => {
    const d = ctx.getImageData(x, y, w, h).data;
    const bg = [d[0], d[1], d[2]];
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 120) ink += 1;
    }
    return ink / (d.length / 4);
  });
}"""


def test_a_full_page_screenshot_has_no_blank_card(site: Path, browser: Any) -> None:
    """Chromium's full-page capture draws every card (no `content-visibility` skipping the
    ones below the fold): each card has its text without scrolling, and in the screenshot
    the inside of each card the map's box shows has ink in it."""
    import base64

    path = _largest_example_page(site)
    visit = Visit(browser, path.as_uri(), width=1600)
    page = visit.page
    texts = page.eval_on_selector_all("article.card", "els => els.map(e => e.innerText.trim())")
    assert len(texts) >= 10 and all(texts), path.name
    boxes = page.evaluate(
        """() => {
          const view = document.querySelector('.map-scroll').getBoundingClientRect();
          return [...document.querySelectorAll('article.card')].map(e => e.getBoundingClientRect())
            .filter(r => r.left >= view.left && r.right <= view.right)
            .map(r => [r.left + 6, r.top + window.scrollY + 6, r.width - 12, r.height - 12].map(Math.round));
        }"""
    )
    assert len(boxes) >= 5
    assert max(b[1] + b[3] for b in boxes) > 900  # some cards are below the fold
    png = base64.b64encode(page.screenshot(full_page=True)).decode("ascii")
    blank = Visit(browser, "about:blank")
    ink = blank.page.evaluate(INK, [png, boxes])
    blank.close()
    assert all(share > 0.01 for share in ink), [(b, round(s, 4)) for b, s in zip(boxes, ink) if s <= 0.01]
    visit.close()


#: Each word of each lane label, with the number of lines it is on and whether it stays in its cell.
WORDS = """() => {
  const out = [];
  for (const th of document.querySelectorAll('table.map th.lane')) {
    const cell = th.getBoundingClientRect();
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest('svg')) continue;
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        const tops = new Set(rects.map(r => Math.round(r.top)));
        const inside = rects.every(r => r.left >= cell.left - 1 && r.right <= cell.right + 1);
        out.push([m[0], tops.size, inside]);
      }
    }
  }
  return out;
}"""


@pytest.mark.parametrize("name", ["dental_clinic", "bank_mortgage", "hr_saas"])
def test_lane_labels_break_between_words_on_a_phone(site: Path, browser: Any, name: str) -> None:
    visit = Visit(browser, (site / "journeys" / f"{name}.html").as_uri(), width=390)
    words = visit.page.evaluate(WORDS)
    assert len(words) > 10 and {"Opportunities", "Touchpoints"} <= {w for w, _, _ in words}
    assert [w for w in words if w[1] != 1 or not w[2]] == []
    visit.close()


def test_on_a_phone_the_tracking_table_scrolls_in_its_box(site: Path, browser: Any) -> None:
    visit = Visit(browser, (site / "journeys" / "dental_clinic.html").as_uri(), width=390)
    page = visit.page
    box = page.evaluate("[document.querySelector('.tracking .table-scroll')].map(e => [e.scrollWidth, e.clientWidth])[0]")
    assert box[0] > box[1], box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # The properties column is not squeezed to a sliver: it has room for its lines.
    assert page.evaluate("document.querySelector('.tracking-table td:last-child').getBoundingClientRect().width") >= 200
    # The flow diagram is at its own size in a box that scrolls, and a tap opens it in the viewer.
    diagram = page.evaluate(
        "(() => { const img = document.querySelector('.flow .scroll img'); const a = img.closest('a');"
        " return [img.getBoundingClientRect().width, img.naturalWidth, a.getAttribute('href')]; })()"
    )
    assert abs(diagram[0] - diagram[1]) <= 2 and diagram[2] == "dental_clinic.diagrams.html#d-journey", diagram
    visit.close()


def test_a_large_journey_gets_a_compact_map(tmp_path: Path, browser: Any) -> None:
    import sys

    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "big.journey").write_text(generate(60, seed=3), encoding="utf-8")
    site = build_site([tmp_path / "p"], tmp_path / "site")
    (path,) = [p for p in (site / "journeys").glob("*.html") if "." not in p.stem]
    visit = Visit(browser, path.as_uri(), width=1600)
    page = visit.page
    assert page.locator("table.map.compact").count() == 1
    assert page.evaluate("document.querySelector('td.card-cell').getBoundingClientRect().width") == 136
    _check_columns(page.evaluate(COLUMNS))
    # A clamped text shows whole when its cell has the focus.
    heights = page.evaluate(
        """() => {
          const text = [...document.querySelectorAll('table.map.compact td[tabindex="0"] .clamp .lane-text')]
            .find(c => c.scrollHeight > c.clientHeight + 2);
          if (!text) return null;
          const before = text.clientHeight;
          text.closest('td').focus();
          return [before, text.clientHeight, text.scrollHeight];
        }"""
    )
    assert heights is not None and heights[1] > heights[0] and heights[1] >= heights[2] - 1, heights
    visit.close()


def test_a_journey_too_large_to_draw_whole_links_a_diagram_per_stage() -> None:
    """When the build drew the stage diagrams but not the whole one, each stage's header
    links its own in the viewer (on the persona's page too), the flow section lists them
    (and does not say `dot` was missing), and the viewer shows exactly those."""
    from cjdsl.backends import DIAGRAM, DIAGRAM_SOURCE, BuildContext, Product
    from cjdsl.backends import html_site as h

    project = cjdsl.check([EXAMPLES / "hr_saas.journey"])
    (j,) = project.journeys
    linked = (
        Product("graphviz/hr_saas.dot", DIAGRAM_SOURCE, "DOT", j.id, "journey"),
        *(Product(f"graphviz/hr_saas.stage-{s.id}.svg", DIAGRAM, "SVG", j.id, f"stage:{s.id}") for s in j.stages),
    )
    files = {a.path: a.content.decode("utf-8") for a in h.build_site(BuildContext(project.config, (j,), linked=linked))}
    page = files["journeys/hr_saas.html"]
    for s in j.stages:
        for shown in (page, files["journeys/hr_saas.persona-anna.html"]):
            head = re.search(rf'<th scope="colgroup" colspan="\d+" id="stage-{s.id}".*?</th>', shown, re.S)
            assert head is not None and f'<a class="stage-flow" href="hr_saas.diagrams.html#d-stage-{s.id}">' in head.group(0)
    flow = re.search(r'<section aria-labelledby="flow-h".*?</section>', page, re.S).group(0)  # type: ignore[union-attr]
    assert "too large to draw whole" in flow and "not available" not in flow
    assert flow.count('href="hr_saas.diagrams.html#d-stage-') == len(j.stages)
    viewer = files["journeys/hr_saas.diagrams.html"]
    shown = re.findall(r'<img src="\.\./([^"]+)"', viewer)
    assert shown == [f"graphviz/hr_saas.stage-{s.id}.svg" for s in j.stages]
    assert 'id="d-journey"' not in viewer and len(re.findall(r'<section class="diagram" id="d-stage-', viewer)) == len(j.stages)


def test_a_second_build_in_the_same_process_shows_its_own_touchpoints(tmp_path: Path) -> None:
    # The templates are compiled once per language and kept; what one build rendered of a
    # touchpoint must never show up in the next build's pages.
    journey = 'journey j "J" {\n}\n\nstage s "S" {\n  touchpoint t "LABEL" {\n    next u\n  }\n\n  touchpoint u "U"\n}\n'
    pages = []
    for i, label in enumerate(("First label", "Second label")):
        root = write_project(tmp_path / f"p{i}", {"j.journey": journey.replace("LABEL", label)})
        out = build_site([root], tmp_path / f"site{i}")
        pages.append((out / "journeys" / "j.html").read_text(encoding="utf-8"))
    assert "First label" in pages[0] and "Second label" not in pages[0]
    assert "Second label" in pages[1] and "First label" not in pages[1]
