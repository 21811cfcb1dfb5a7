"""The portfolio pages of the site: emotion by phase, channels by phase and the channel
switches that hurt, the opportunity matrix, and one page per persona across journeys.
Built from the examples and from a small project whose numbers are worked out by hand;
loaded in Chromium (Playwright driving Debian's Chromium, as in tests/test_html.py)."""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path
from typing import Any

import pytest

import cjdsl
from tests.conftest import EXAMPLES
from tests.test_html import Visit, _contrast, browser, build_site, write_project

__all__ = ["browser"]  # the fixture, shared with tests/test_html.py

BAD = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror=\\"window.__xss=2\\">'

#: Two journeys that include one shared persona (and channels), and a third that
#: declares a persona of the same id, and a channel of the same id, in its own file.
PROJECT = {
    "cjdsl.toml": "",
    "shared/people.journey": f"""
persona ola "Ola {BAD}" {{
  role "Buyer"
  goal "Buy without calling"
  need "Prices up front"
  concern "Hidden fees"
}}
channel web "Website" online web
channel phone "Phone {BAD}" offline phone
channel store "Store" offline store
team t "Team"
""",
    "alpha.journey": f"""
include "shared/people.journey"
journey alpha "Alpha: the first journey" {{ owner t }}
persona pat "Pat" {{ role "Other buyer" }}
stage s1 "Look" phase awareness {{
  touchpoint a1 "Sees an ad" {{ channel web  emotion 1  rating 4  next a2 }}
  touchpoint a2 "Calls" {{ channel phone  emotion -1  rating 2  next a3 }}
}}
stage s2 "Compare" phase awareness {{
  touchpoint a3 "Reads reviews" {{ channel web  emotion 2  rating 5  next a3b }}
  touchpoint a3b "Asks a friend" {{ channel web  next a4 }}
}}
stage s3 "Buy" phase purchase {{
  touchpoint a4 "Pays" {{ channel web  emotion 0  rating 3  next a5 }}
}}
stage s4 "Misc" {{
  touchpoint a5 "Chats" {{ channel web  persona pat }}
}}
pain p1 "Long wait" {{
  at a2
  severity high
  opportunity o1 "Call back {IMG}" {{ impact high  effort low  status planned }}
}}
pain p2 "Reviews are old" {{ at s2  severity critical  opportunity o2 }}
pain p3 "Ad is vague" {{ at a1  severity high }}
pain p4 "Card declined" {{ at a4  severity low }}
opportunity o2 "Fresh reviews" {{ impact medium  effort medium  status done }}
opportunity o3 "Nobody asked for this" {{ impact low  effort high }}
""",
    "beta.journey": """
include "shared/people.journey"
journey beta "Beta: the second journey" { owner t }
stage t1 "Find" phase awareness {
  touchpoint b1 "Searches" { channel web  emotion 1  rating 4  next b2 }
  touchpoint b2 "Visits the store" {
    channel store  emotion 0  rating 3
    emotion for ola -2 "lost"
    rating for ola 1
  }
}
stage t2 "Buy" phase purchase {
  touchpoint b3 "Orders" { channel web  emotion 1  rating 4 }
}
pain q1 "The store is far" {
  at b2
  severity medium
  opportunity o4 "Better directions" { impact high  effort low  status idea }
  opportunity o5 "Think about it" { status in_progress }
}
""",
    "gamma.journey": """
journey gamma "Gamma: its own people" { owner t }
team t "Team"
persona ola "Ola, another one" { role "Seller" }
channel web "Website" online web
stage u1 "Start" phase awareness {
  touchpoint g1 "Opens the site" { channel web  emotion 1  rating 5 }
}
""",
}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("portfolio")
    return build_site([write_project(root / "p", PROJECT)], root / "site")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site([EXAMPLES], tmp_path_factory.mktemp("examples") / "site")


def _read(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def _text(fragment: str) -> str:
    inline = re.sub(r"</?(?:a|span|strong|em|code|small)\b[^>]*>", "", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def _table(page: str, cls: str) -> str:
    match = re.search(rf'<table class="{cls}">.*?</table>', page, re.S)
    assert match, cls
    return match.group(0)


def _row(table: str, href: str) -> str:
    """The table row whose header links to ``href``."""
    rows = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", table, re.S) if f'<th scope="row"><a href="{href}"' in r]
    assert len(rows) == 1, href
    return rows[0]


def _cells(row: str) -> dict[str, str]:
    return dict(re.findall(r'<td class="heat-cell[^"]*" data-phase="(\w+)">(.*?)</td>', row, re.S))


# -- the index ------------------------------------------------------------------------------


def test_the_index_links_the_portfolio_pages(site: Path) -> None:
    index = _read(site, "index.html")
    for anchor in ("heat-h", "channels-h", "switches-h", "opportunities-h", "personas-h"):
        assert f'href="portfolio.html#{anchor}"' in index
        assert f'id="{anchor}"' in _read(site, "portfolio.html")
    persona_links = re.findall(r'href="(personas/[^"]+\.html)"', index)
    assert persona_links and all((site / link).is_file() for link in persona_links)
    # A persona that journeys share through an include is one persona, listed once.
    project = cjdsl.check([EXAMPLES])
    identities = {(p.id, p.span.path) for j in project.journeys for p in j.personas}
    assert len(persona_links) == len(identities) == len(set(persona_links))
    assert persona_links.count("personas/sanne.b2b_logistics.shared.html") == 1
    assert sorted(p.relative_to(site).as_posix() for p in (site / "personas").glob("*.html")) == sorted(persona_links)


# -- emotion by phase -----------------------------------------------------------------------


def test_the_heat_map_cells_hold_the_hand_computed_numbers(small: Path) -> None:
    page = _read(small, "portfolio.html")
    heat = _table(page, "matrix heat")
    head = re.findall(r'<th scope="col">(\w+)</th>', heat.split("</thead>")[0])
    assert head == ["Journey", "awareness", "purchase", "other"]  # the phases used, in order; no phase last
    alpha = _cells(_row(heat, "journeys/alpha.html"))
    # Awareness: stages Look and Compare, touchpoints +1, -1, +2 and one unrated.
    # (1 - 1 + 2) / 3 = 0.67: "+0.7", nearest to +1 positive; the lowest rating is 2 at
    # Calls; pain points p1 (high, at a2), p2 (critical, at the stage) and p3 (high, at a1).
    assert _text(alpha["awareness"]) == (
        "+0.7 positive average of 3 of 4 touchpoints Lowest rating: 2/5 at Calls "
        "Pain points: 1 critical, 2 high Stages: Look; Compare"
    )
    assert 'class="heat-cell heat-p1" data-phase="awareness"' in heat  # the colour repeats the band
    assert _text(alpha["purchase"]) == (
        "0.0 neutral average of 1 of 1 touchpoint Lowest rating: 3/5 at Pays Pain points: 1 low Stage: Buy"
    )
    assert _text(alpha["other"]) == "emotion not rated 1 touchpoint no rating no pain points Stage: Misc"
    links = re.findall(r'href="([^"]+)"', alpha["awareness"])
    assert links == ["journeys/alpha.html#tp-a2", "journeys/alpha.html#stage-s1", "journeys/alpha.html#stage-s2"]
    gamma = _row(heat, "journeys/gamma.html")
    assert gamma.count('<td class="empty-cell">') == 2 and "+1.0 positive" in _text(gamma)


def test_the_view_model_rounds_halves_towards_neutral_and_counts_in_words() -> None:
    from cjdsl.backends.html_portfolio import _band, _signed, severity_words
    from cjdsl.core import model as m

    assert [_band(x) for x in (-2, -1.5, -1.4, -0.5, 0.5, 0.6, 1.5)] == [-2, -2, -1, 0, 0, 1, 2]
    assert [_signed(x) for x in (0.0, -0.04, 2 / 3, -1)] == ["0.0", "0.0", "+0.7", "-1.0"]
    pains = [m.Pain("a", severity="high"), m.Pain("b", severity="critical"), m.Pain("c"), m.Pain("d", severity="high")]
    assert severity_words(pains) == "1 critical, 2 high, 1 unrated"
    assert severity_words([]) == ""


# -- channels by phase -----------------------------------------------------------------------


def _channel_rows(page: str) -> list[tuple[str, dict[int, str]]]:
    """The channel matrix's rows: the row header's text, and each phase column's cell."""
    table = _table(page, "matrix channel-matrix")
    out = []
    for row in re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", table, re.S):
        header = _text(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))  # type: ignore[union-attr]
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        out.append((header, dict(enumerate(cells))))
    return out


def test_the_channel_matrix_lists_the_journeys_of_each_channel_and_phase(small: Path) -> None:
    page = _read(small, "portfolio.html")
    rows = _channel_rows(page)
    headers = [h for h, _ in rows]
    # The shared website is one row; gamma's own `web` (same id, another file) another.
    assert headers == [
        "Website online declared in gamma.journey",
        "Website online declared in shared/people.journey",
        f"Phone {BAD} offline",
        "Store offline",
    ]
    own, shared, phone, store = (cells for _, cells in rows)
    awareness, purchase, other = 0, 1, 2

    def journeys(cell: str) -> list[str]:
        return re.findall(r'<a href="journeys/(\w+)\.html#tp-\w+"', cell)

    assert journeys(shared[awareness]) == ["alpha", "beta"] and "2 journeys" in _text(shared[awareness])
    assert "Alpha (3)" in _text(shared[awareness]) and "Beta (1)" in _text(shared[awareness])
    assert journeys(shared[purchase]) == ["alpha", "beta"] and journeys(shared[other]) == ["alpha"]
    assert journeys(own[awareness]) == ["gamma"] and journeys(own[purchase]) == []
    assert journeys(phone[awareness]) == ["alpha"] and journeys(store[awareness]) == ["beta"]
    # The switches land on the phone (alpha: a1 on the web, then a2 that hurts) and in
    # the store (beta: b1, then b2, bad for Ola only); a2 → a3 changes channel but a3 is fine.
    assert "1 painful switch into it" in _text(phone[awareness]) and 'href="#switch-alpha-a2"' in phone[awareness]
    assert "1 painful switch into it" in _text(store[awareness])
    assert "painful" not in _text(shared[awareness])
    switches = re.search(r'<table class="data-table switch-table stack">.*?</table>', page, re.S).group(0)  # type: ignore[union-attr]
    targets = re.findall(r'<tr id="(switch-[\w-]+)">', switches)
    assert targets == ["switch-alpha-a2", "switch-beta-b2"]
    alpha = _text(re.search(r'<tr id="switch-alpha-a2">.*?</tr>', switches, re.S).group(0))  # type: ignore[union-attr]
    assert (
        alpha == f"Look (awareness) Calls on Phone {BAD} Sees an ad on Website emotion -1 (negative) pain point Long wait (high)"
    )
    beta = _text(re.search(r'<tr id="switch-beta-b2">.*?</tr>', switches, re.S).group(0))  # type: ignore[union-attr]
    assert f"for Ola {BAD}: emotion -2 (very negative)" in beta and "pain point The store is far (medium)" in beta


# -- opportunities ----------------------------------------------------------------------------


def _points(page: str) -> list[tuple[str, float, float, str]]:
    """The opportunity chart's points: href, the marker's text position, and the label."""
    out = []
    for href, x, y, label in re.findall(
        r'<a class="opp-point[^"]*" href="([^"]+)">.*?<text x="([\d.]+)" y="([\d.]+)">(.*?)<tspan', page, re.S
    ):
        out.append((href, float(x), float(y), html.unescape(label)))
    return out


def test_the_opportunity_matrix_has_one_linked_point_per_opportunity(site: Path) -> None:
    page = _read(site, "portfolio.html")
    project = cjdsl.check([EXAMPLES])
    placed = [o for j in project.journeys for o in j.opportunities if o.impact and o.effort]
    points = _points(page)
    assert len(points) == len(placed) > 20
    for href, _, _, _ in points:
        target, _, anchor = href.partition("#")
        assert anchor.startswith("opp-"), href
        assert f' id="{anchor}"' in _read(site, target), href
    # Points never share a position, and the labels of one cell never overlap.
    assert len({(x, y) for _, x, y, _ in points}) == len(points)
    for (_, x1, y1, _), (_, x2, y2, _) in itertools.combinations(points, 2):
        assert x1 != x2 or abs(y1 - y2) >= 20
    # The table lists every opportunity, placed or not, with its status in words.
    table = _table(page, "data-table opp-table stack")
    assert table.count('<tr><th scope="row">') == sum(len(j.opportunities) for j in project.journeys)
    legend = _text(re.search(r'<figcaption class="legend">.*?</figcaption>', page, re.S).group(0))  # type: ignore[union-attr]
    assert legend == (
        "Status: idea (hollow circle) planned (square) in progress (triangle) done (diamond) dropped (cross)"
        " no status (hollow square)"
    )


def test_opportunities_of_one_cell_are_spread_and_the_unplaced_listed(small: Path) -> None:
    page = _read(small, "portfolio.html")
    points = {href: (x, y, label) for href, x, y, label in _points(page)}
    assert sorted(points) == [
        "journeys/alpha.html",  # o3: no pain point answers it, so it is not on the map
        "journeys/alpha.html#opp-o1",
        "journeys/alpha.html#opp-o2",
        "journeys/beta.html#opp-o4",
    ]
    # A label too long for its cell is cut; the point's title and the table have it whole.
    full = 'Call back <img src=x onerror="window.__xss=2">'
    assert points["journeys/alpha.html#opp-o1"][2] == full[:42] + "…"
    assert f"<title>{html.escape(full, quote=False)} (Alpha: the first journey)" in page.replace("&#34;", '"')
    assert points["journeys/alpha.html"][2] == "Nobody asked for this"
    # o1 and o4 are both high impact, low effort: one above the other in one cell.
    (x1, y1, _), (x4, y4, _) = points["journeys/alpha.html#opp-o1"], points["journeys/beta.html#opp-o4"]
    assert x1 == x4 and abs(y1 - y4) == 22
    assert re.search(r'class="opp-point status-planned" href="journeys/alpha.html#opp-o1"><title>[^<]*planned</title><rect', page)
    assert re.search(r'class="opp-point status-done" href="journeys/alpha.html#opp-o2"><title>[^<]*done</title><polygon', page)
    unplaced = _text(re.search(r'<ul class="unplaced">.*?</ul>', page, re.S).group(0))  # type: ignore[union-attr]
    assert unplaced == "Think about it in Beta: the second journey: impact not given, effort not given, in progress"
    for target in ("alpha.html", "beta.html"):
        ids = set(re.findall(r' id="([^"]+)"', _read(small, f"journeys/{target}")))
        for anchor in re.findall(rf'href="journeys/{target}#([^"]+)"', page):
            assert anchor in ids, (target, anchor)


# -- personas across journeys ---------------------------------------------------------------------


def test_a_shared_persona_has_one_page_and_a_namesake_its_own(small: Path) -> None:
    names = sorted(p.name for p in (small / "personas").glob("*.html"))
    assert names == ["ola.gamma.html", "ola.shared.people.html", "pat.alpha.html"]
    shared = _read(small, "personas/ola.shared.people.html")
    assert re.findall(r'<h2 id="in-(\w+)">', shared) == ["alpha", "beta"]
    assert 'href="../journeys/alpha.persona-ola.html"' in shared and 'href="../journeys/beta.persona-ola.html"' in shared
    assert "Declared in shared/people.journey" in _text(shared)
    assert "Buy without calling" in shared and "Prices up front" in shared and "Hidden fees" in shared
    beta = shared.split('<h2 id="in-beta">')[1]
    row = _text(re.search(r"<tr>\s*<th scope=\"row\"><a href=\"\.\./journeys/beta\.html#tp-b2\".*?</tr>", beta, re.S).group(0))  # type: ignore[union-attr]
    assert row == "Visits the store Store -2 very negative “lost” their own 1/5 their own"
    assert "Stages they appear in (2): Find (awareness); Buy (purchase)" in _text(beta)
    alpha = shared.split('<h2 id="in-alpha">')[1].split('<h2 id="in-beta">')[0]
    assert "tp-a5" not in alpha  # Chats is Pat's only
    assert _text(re.search(r'<ul class="pain-list">.*?</ul>', alpha, re.S).group(0)) == (  # type: ignore[union-attr]
        "⚠ critical Reviews are old at the whole stage “Compare” ⚠ high Ad is vague at Sees an ad "
        "⚠ high Long wait at Calls ⚠ low Card declined at Pays"
    )
    other = _read(small, "personas/ola.gamma.html")
    assert re.findall(r'<h2 id="in-(\w+)">', other) == ["gamma"] and "Declared in gamma.journey" in _text(other)
    index = _read(small, "index.html")
    assert index.count('href="personas/ola.shared.people.html"') == 1 and index.count('href="personas/ola.gamma.html"') == 1


def test_hostile_labels_stay_text(small: Path, browser: Any) -> None:
    for name in ("portfolio.html", "personas/ola.shared.people.html", "index.html"):
        text = _read(small, name)
        assert "<script>window" not in text and "<img src=x" not in text, name
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in text, name
        visit = Visit(browser, (small / name).as_uri())
        visit.page.wait_for_timeout(50)
        assert visit.page.evaluate("window.__xss") is None, name
        assert visit.problems == [], (name, visit.problems)
        visit.close()
    assert "&lt;img src=x onerror=" in _read(small, "portfolio.html")


# -- the pages in a browser ----------------------------------------------------------------------


def _portfolio_pages(site: Path) -> list[Path]:
    return [site / "portfolio.html", site / "index.html", *sorted((site / "personas").glob("*.html"))]


def test_the_portfolio_pages_load_cleanly_at_desktop_and_phone_widths(site: Path, browser: Any) -> None:
    for page in _portfolio_pages(site):
        for width in (1600, 390):
            visit = Visit(browser, page.as_uri(), width=width)
            assert visit.problems == [], (page.name, width, visit.problems)
            assert all(u.startswith("file://") for u in visit.requests), visit.requests
            assert visit.page.evaluate("document.documentElement.scrollWidth") <= width, (page.name, width)
            visit.close()


def test_the_opportunity_labels_stay_in_their_cells_and_never_overlap(site: Path, browser: Any) -> None:
    """Measured in the browser: every point's label (with its status) ends inside the
    cell it starts in, and no two labels' boxes meet."""
    visit = Visit(browser, (site / "portfolio.html").as_uri(), width=1600)
    boxes = visit.page.evaluate(
        """() => {
        const cells = [...document.querySelectorAll('rect.opp-cell')].map(r => r.getBBox());
        return [...document.querySelectorAll('a.opp-point text')].map(t => {
          const b = t.getBBox();
          const cell = cells.find(c => b.x >= c.x && b.x < c.x + c.width && b.y >= c.y && b.y < c.y + c.height);
          return {x: b.x, y: b.y, right: b.x + b.width, bottom: b.y + b.height, cell: cell ? cell.x + cell.width : null};
        });
      }"""
    )
    visit.close()
    assert len(boxes) > 20
    for box in boxes:
        assert box["cell"] is not None and box["right"] <= box["cell"] - 4, box
    for a, b in itertools.combinations(boxes, 2):
        apart = a["right"] <= b["x"] or b["right"] <= a["x"] or a["bottom"] <= b["y"] or b["bottom"] <= a["y"]
        assert apart, (a, b)


def test_the_portfolio_pages_have_ordered_headings_and_working_links(site: Path) -> None:
    for page in _portfolio_pages(site):
        text = page.read_text(encoding="utf-8")
        levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", text)]
        assert levels[0] == 1 and levels.count(1) == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels)), page.name
        ids = re.findall(r' id="([^"]+)"', text)
        assert len(ids) == len(set(ids)), page.name
        for target in re.findall(r'href="#([^"]+)"', text):
            assert target in ids, (page.name, target)
        for other, anchor in re.findall(r'href="([\w./-]+\.html)(?:#([^"]*))?"', text):
            path = page.parent / other
            assert path.is_file(), (page.name, other)
            if anchor:
                assert f' id="{anchor}"' in path.read_text(encoding="utf-8"), (page.name, other, anchor)
        assert " style=" not in text and "<script>" not in text.split("</head>")[1], page.name  # the CSP allows neither


def test_the_build_declares_the_portfolio_pages_and_is_deterministic() -> None:
    from cjdsl.backends import BuildContext
    from cjdsl.backends import html_site as h

    project = cjdsl.check([EXAMPLES])
    ctx = BuildContext(project.config, tuple(project.journeys), tuple(project.diagnostics))
    first = {a.path: a.content for a in h.build_site(ctx)}
    assert first == {a.path: a.content for a in h.build_site(ctx)}
    declared = {p.path for p in h.BACKEND.declared(project.journeys)}
    portfolio = {p for p in first if p == "portfolio.html" or p.startswith(("personas/", "assets/portfolio"))}
    assert portfolio <= declared
    assert {p for p in declared if p.startswith("personas/")} == {p for p in portfolio if p.startswith("personas/")}


def test_the_portfolio_colours_meet_wcag_aa() -> None:
    css = (Path(cjdsl.__file__).parent / "templates" / "html" / "assets" / "portfolio.css").read_text(encoding="utf-8")
    pairs = re.findall(r"background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6})", css)
    assert len(pairs) >= 8
    for background, colour in pairs:
        assert _contrast(background, colour) >= 4.5, (background, colour)
    assert all(_contrast(line, "#ffffff") >= 3 for line in re.findall(r"\.status-\w+ \.mk \{ fill: (#[0-9a-f]{6})", css)[:6])
