"""The journey's diagrams: a flow diagram per stage in every build (laid out by the real
`dot`, linked from each stage's header), and the diagram viewer page, driven in Debian's
Chromium: zoom and pan with buttons, wheel, pinch, drag and keys, no request leaving
the site, and nothing a hostile journey says ever running."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

import cjdsl
from cjdsl.backends import DIAGRAM, DIAGRAM_SOURCE, backends
from cjdsl.backends.build import build
from cjdsl.backends.layout import Budget, Dot, DotMissing
from tests.conftest import EXAMPLES, IN_CI
from tests.test_html import Visit, browser, build_site, write_project

__all__ = ["browser"]  # the fixture, shared with tests/test_html.py

HR = EXAMPLES / "hr_saas.journey"

#: Text that would run if it ever became markup: in an <img>'s SVG it cannot.
BAD = "<img src=x onerror=window.__xss=1><script>window.__xss=2</script><svg onload=window.__xss=3>"
HOSTILE = f"""
journey bad "{BAD}" {{
  version "1"
}}

persona p "{BAD}" {{ role "r" }}
channel web "{BAD}" online web
system core "{BAD}"

stage s1 "{BAD}" phase awareness {{
  touchpoint t1 "{BAD}" {{
    channel web
    persona p
    entry
    evidence "{BAD}"
    support core
    emotion +1 "{BAD}"
    next t2 "{BAD}"
  }}
}}

stage s2 "javascript:window.__xss=4" phase purchase {{
  touchpoint t2 "{BAD}" {{
    channel web
    persona p
    emotion -1
  }}
}}
"""


@pytest.fixture(scope="module")
def dot() -> Dot:
    """The real `dot`. In CI a missing Graphviz fails the run; elsewhere it skips."""
    try:
        return Dot.find(timeout=120)
    except DotMissing:
        if IN_CI:
            pytest.fail("Graphviz's `dot` is missing; CI must install it (apt-get install graphviz)")
        pytest.skip("Graphviz's `dot` is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, dot: Dot) -> Path:
    return build_site([HR], tmp_path_factory.mktemp("viewer") / "site")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, dot: Dot) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    return build_site([write_project(root / "p", {"bad.journey": HOSTILE})], root / "site")


def _viewer(site: Path, journey: str = "hr_saas") -> Path:
    return site / "journeys" / f"{journey}.diagrams.html"


# -- the stage diagrams, in every build ---------------------------------------------------------


def test_every_stage_gets_its_diagram_laid_out_and_every_declared_file_is_written(site: Path) -> None:
    (j,) = cjdsl.check([HR]).journeys
    for s in j.stages:
        svg = (site / "graphviz" / f"hr_saas.stage-{s.id}.svg").read_text(encoding="utf-8")
        assert svg.rstrip().endswith("</svg>") and f"hr_saas__stage__{s.id}" in svg
        assert (site / "graphviz" / f"hr_saas.stage-{s.id}.dot").is_file()
    # What the backends declare is what the build wrote, no more, no less.
    for name in ("graphviz", "html"):
        declared = {p.path for p in backends()[name].declared([j])}
        missing = {p for p in declared if not (site / p).is_file()}
        assert missing == set(), (name, missing)
    made = {p.relative_to(site).as_posix() for p in (site / "graphviz").iterdir()}
    assert made == {p.path for p in backends()["graphviz"].declared([j])}


def test_two_builds_write_the_same_diagrams_and_viewer(site: Path, tmp_path: Path) -> None:
    again = build_site([HR], tmp_path / "again")
    for folder in ("graphviz", "journeys", "assets"):
        first = {p.name: p.read_bytes() for p in sorted((site / folder).iterdir())}
        second = {p.name: p.read_bytes() for p in sorted((again / folder).iterdir())}
        assert first == second, folder


def test_the_main_diagrams_of_every_journey_are_laid_out_before_the_rest(dot: Dot) -> None:
    """A total time limit (`--safe`) goes first to each journey's whole diagram and
    overview, then to the persona, blueprint and stage diagrams."""
    project = cjdsl.check([EXAMPLES])
    order: list[str] = []

    def layout(source: str, fmt: str) -> bytes:
        order.append(source.split(" ", 2)[1])  # `digraph NAME {`
        return dot(source, fmt)

    result = build(project, ["graphviz"], layout)
    main = {j.id for j in project.journeys} | {f"{j.id}__overview" for j in project.journeys}
    assert set(order[: len(main)]) == main and not main & set(order[len(main) :])
    assert any("__stage__" in name for name in order[len(main) :])
    assert result.notes == []


def test_with_the_time_budget_spent_the_build_still_writes_every_source_once(dot: Dot) -> None:
    """`--safe`'s total limit for `dot`, used up: every layout is refused before it
    starts, each journey falls back to its stage diagrams (written once, already among
    its diagrams), and the build says so instead of failing."""
    project = cjdsl.check([HR])
    (j,) = project.journeys
    spent = Dot(dot.program, 20, Budget(0.0))
    result = build(project, ["graphviz"], spent, jobs=2)
    assert not any(p.endswith(".svg") for p in result.files)
    sources = {p.path for p in backends()["graphviz"].declared([j]) if p.role == DIAGRAM_SOURCE}
    assert set(result.files) == sources
    assert "could not be drawn whole" in result.notes[0] and "one diagram per stage" in result.notes[0]
    assert all("are used up" in n for n in result.notes)
    assert len(result.notes) == 1 + 1 + len(j.stages)  # the fallback, the overview, the stages


# -- the links to the viewer --------------------------------------------------------------------


def test_stage_headers_and_the_flow_figure_open_the_viewer(site: Path, browser: Any) -> None:
    (j,) = cjdsl.check([HR]).journeys
    for page in ("hr_saas.html", "hr_saas.persona-anna.html"):
        text = (site / "journeys" / page).read_text(encoding="utf-8")
        links = re.findall(r'<a class="stage-flow" href="hr_saas\.diagrams\.html#d-stage-(\w+)">', text)
        assert links == [s.id for s in j.stages], page
    visit = Visit(browser, (site / "journeys" / "hr_saas.html").as_uri())
    page = visit.page
    stage = j.stages[2]
    link = page.locator(f"#stage-{stage.id} a.stage-flow")
    # Its name says which stage: "Flow" shows, the stage's name is for screen readers.
    assert page.get_by_role("link", name=re.compile(rf"^Flow ?: {re.escape(stage.label or stage.id)}$")).count() == 1
    assert link.evaluate("a => a.firstChild.textContent") == "Flow"
    assert link.get_attribute("href") == f"hr_saas.diagrams.html#d-stage-{stage.id}"
    link.focus()  # reachable from the keyboard
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"diagrams\.html#d-stage-"))
    page.wait_for_function("document.querySelector('section.diagram:not([hidden]) img').naturalWidth > 0")
    shown = page.eval_on_selector_all("section.diagram", "els => els.filter(e => !e.hidden).map(e => e.id)")
    assert shown == [f"d-stage-{stage.id}"]
    page.go_back()
    page.locator(".flow figure img").click()
    page.wait_for_url(re.compile(r"#d-journey$"))
    assert visit.problems == []
    visit.close()


# -- the viewer ---------------------------------------------------------------------------------


def _open(browser: Any, url: str, **options: Any) -> Visit:
    visit = Visit(browser, url, **options)
    visit.page.wait_for_function(
        "(() => { const s = document.querySelector('section.diagram:not([hidden])');"
        " return s && s.querySelector('img').naturalWidth > 0 && s.querySelector('[data-zoom-level]').textContent; })()"
    )
    return visit


def _img(page: Any) -> dict[str, Any]:
    box: dict[str, Any] = page.evaluate(
        """() => {
          const s = document.querySelector('section.diagram:not([hidden])');
          const img = s.querySelector('img'), box = s.querySelector('[data-viewer-box]');
          const r = img.getBoundingClientRect(), b = box.getBoundingClientRect();
          return {x: r.left - b.left - box.clientLeft, y: r.top - b.top - box.clientTop, w: r.width, h: r.height,
                  bw: box.clientWidth, bh: box.clientHeight, nw: img.naturalWidth, nh: img.naturalHeight,
                  bx: b.left + box.clientLeft, by: b.top + box.clientTop,
                  level: s.querySelector('[data-zoom-level]').textContent};
        }"""
    )
    return box


def test_buttons_zoom_the_image_and_fit_it_into_its_box(site: Path, browser: Any) -> None:
    visit = _open(browser, _viewer(site).as_uri() + "#d-journey", width=1600)
    page = visit.page
    start = _img(page)
    assert start["w"] < start["nw"] and start["w"] <= start["bw"] + 1 and start["h"] <= start["bh"] + 1  # whole, smaller
    page.click("#d-journey [data-zoom='in']")
    bigger = _img(page)
    assert bigger["w"] == pytest.approx(start["w"] * 1.25, rel=0.01)
    assert bigger["level"] == f"{round(bigger['w'] / bigger['nw'] * 100)}%"
    page.click("#d-journey [data-zoom='out']")
    page.click("#d-journey [data-zoom='out']")
    assert _img(page)["w"] == pytest.approx(start["w"] / 1.25, rel=0.01)
    page.click("#d-journey [data-zoom='actual']")
    actual = _img(page)
    assert actual["w"] == pytest.approx(actual["nw"], abs=1) and actual["level"] == "100%"
    assert actual["x"] <= 0 and actual["x"] + actual["w"] >= actual["bw"]  # larger than the box: no gap at an edge
    page.click("#d-journey [data-zoom='fit']")
    fitted = _img(page)
    scale = min(fitted["bw"] / fitted["nw"], fitted["bh"] / fitted["nh"])
    assert fitted["w"] == pytest.approx(fitted["nw"] * scale, abs=1)
    assert fitted["x"] >= -0.5 and fitted["y"] >= -0.5  # inside the box, centred
    assert fitted["x"] + fitted["w"] <= fitted["bw"] + 0.5 and fitted["y"] + fitted["h"] <= fitted["bh"] + 0.5
    assert visit.problems == []
    visit.close()


def test_the_wheel_zooms_around_the_pointer_and_dragging_moves_the_image(site: Path, browser: Any) -> None:
    visit = _open(browser, _viewer(site).as_uri() + "#d-journey", width=1600)
    page = visit.page
    before = _img(page)
    px, py = before["bx"] + before["x"] + before["w"] * 0.3, before["by"] + before["y"] + before["h"] * 0.5
    under = ((px - before["bx"] - before["x"]) / before["w"], (py - before["by"] - before["y"]) / before["h"])
    page.mouse.move(px, py)
    page.mouse.wheel(0, -300)
    page.wait_for_function(f"document.querySelector('#d-journey img').getBoundingClientRect().width > {before['w'] + 5}")
    after = _img(page)
    assert after["w"] > before["w"] * 1.3
    # The point of the diagram under the pointer stays under it.
    assert (px - after["bx"] - after["x"]) / after["w"] == pytest.approx(under[0], abs=0.01)
    assert (py - after["by"] - after["y"]) / after["h"] == pytest.approx(under[1], abs=0.01)
    page.mouse.down()
    page.mouse.move(px - 150, py - 40, steps=5)
    page.mouse.up()
    moved = _img(page)
    assert moved["w"] == pytest.approx(after["w"]) and moved["x"] == pytest.approx(after["x"] - 150, abs=1)
    assert moved["y"] == pytest.approx(after["y"] - 40, abs=1) or after["h"] <= after["bh"]  # shorter than the box: centred
    page.mouse.wheel(0, 300)
    page.wait_for_function(f"document.querySelector('#d-journey img').getBoundingClientRect().width < {moved['w'] - 5}")
    assert visit.problems == []
    visit.close()


def test_the_keyboard_zooms_fits_and_moves(site: Path, browser: Any) -> None:
    visit = _open(browser, _viewer(site).as_uri() + "#d-journey", width=1600)
    page = visit.page
    box = page.locator("#d-journey [data-viewer-box]")
    # The box is reached with Tab from the zoom buttons, and says how to use it.
    page.focus("#d-journey [data-zoom='actual']")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('#d-journey [data-viewer-box]')")
    assert box.get_attribute("aria-describedby") == "viewer-help" and page.locator("#viewer-help").is_visible()
    start = _img(page)
    page.keyboard.press("+")
    page.keyboard.press("+")
    zoomed = _img(page)
    assert zoomed["w"] == pytest.approx(start["w"] * 1.25 * 1.25, rel=0.01)
    page.keyboard.press("-")
    assert _img(page)["w"] == pytest.approx(start["w"] * 1.25, rel=0.01)
    page.keyboard.press("1")
    at = _img(page)
    assert at["w"] == pytest.approx(at["nw"], abs=1)
    page.keyboard.press("ArrowRight")
    right = _img(page)
    assert right["x"] < at["x"] - 20 and right["y"] == pytest.approx(at["y"])  # shows more of the right
    page.keyboard.press("ArrowLeft")
    assert _img(page)["x"] == pytest.approx(at["x"], abs=1)
    page.keyboard.press("ArrowDown")
    down = _img(page)
    assert down["y"] < at["y"] - 20 or at["h"] <= at["bh"]
    page.keyboard.press("0")
    fitted = _img(page)
    assert fitted["w"] == pytest.approx(fitted["nw"] * min(fitted["bw"] / fitted["nw"], fitted["bh"] / fitted["nh"]), abs=1)
    # The arrows moved the image, not the page.
    assert page.evaluate("window.scrollX") == 0
    assert visit.problems == []
    visit.close()


def test_two_fingers_pinch_and_one_drags_on_a_phone(site: Path, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(_viewer(site).as_uri() + "#d-journey")
    page.wait_for_function("document.querySelector('#d-journey [data-zoom-level]').textContent !== ''")
    # No sideways scrolling of the page at a phone's width; the buttons are in view.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for what in ("out", "in", "fit", "actual"):
        b = page.locator(f"#d-journey [data-zoom='{what}']").bounding_box()
        assert b is not None and b["x"] >= 0 and b["x"] + b["width"] <= 390 and b["height"] >= 24
    cdp = context.new_cdp_session(page)
    before = _img(page)
    cx, cy = before["bx"] + before["bw"] / 2, before["by"] + before["bh"] / 2

    def touch(kind: str, points: list[tuple[float, float]]) -> None:
        cdp.send(
            "Input.dispatchTouchEvent",
            {"type": kind, "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)]},
        )

    touch("touchStart", [(cx - 40, cy), (cx + 40, cy)])
    for spread in range(50, 130, 10):
        touch("touchMove", [(cx - spread, cy), (cx + spread, cy)])
    touch("touchEnd", [])
    pinched = _img(page)
    assert pinched["w"] == pytest.approx(before["w"] * 120 / 40, rel=0.05)
    touch("touchStart", [(cx, cy)])
    for step in range(1, 6):
        touch("touchMove", [(cx - 20 * step, cy)])
    touch("touchEnd", [])
    dragged = _img(page)
    assert dragged["x"] == pytest.approx(pinched["x"] - 100, abs=2) and dragged["w"] == pytest.approx(pinched["w"])
    context.close()


def test_without_javascript_each_diagram_is_at_its_own_size_in_a_box_that_scrolls(site: Path, browser: Any) -> None:
    visit = Visit(browser, _viewer(site).as_uri() + "#d-journey", js=False, width=1000)
    page = visit.page
    page.wait_for_function("document.querySelector('#d-journey img').naturalWidth > 0")
    got = page.evaluate(
        """() => {
          const box = document.querySelector('#d-journey [data-viewer-box]'), img = box.querySelector('img');
          return [img.getBoundingClientRect().width, img.naturalWidth, box.scrollWidth > box.clientWidth,
                  getComputedStyle(box).overflowX, [...document.querySelectorAll('[data-zoom-tools]')].every(t => t.hidden)];
        }"""
    )
    assert got[0] == pytest.approx(got[1], abs=1) and got[2] and got[3] == "auto" and got[4], got
    # The diagram the address names shows alone; the others are a click away in the list.
    shown = page.eval_on_selector_all("section.diagram", "els => els.filter(e => e.offsetParent).map(e => e.id)")
    assert shown == ["d-journey"]
    assert page.locator("nav.diagram-nav a").count() == page.locator("section.diagram").count()
    visit.close()


def test_the_viewer_makes_no_request_beyond_the_sites_own_files(site: Path, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    seen: list[str] = []

    def route(r: Any) -> None:
        seen.append(r.request.url)
        if r.request.url.startswith(site.as_uri() + "/"):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(_viewer(site).as_uri())
    page.wait_for_load_state("load")
    for link in page.eval_on_selector_all("nav.diagram-nav a", "els => els.map(e => e.getAttribute('href'))"):
        page.click(f"nav.diagram-nav a[href='{link}']")
        page.wait_for_function("document.querySelector('section.diagram:not([hidden]) img').naturalWidth > 0")
        page.click("section.diagram:not([hidden]) [data-zoom='in']")
    assert seen and all(u.startswith(site.as_uri() + "/") for u in seen), [u for u in seen if not u.startswith(site.as_uri())]
    assert any(u.endswith("/assets/viewer.js") for u in seen) and any(u.endswith(".stage-purchase.svg") for u in seen)
    context.unroute_all(behavior="ignoreErrors")
    context.close()


@pytest.mark.parametrize(
    "fragment",
    [
        "",
        "#d-persona-p",
        "#d-stage-s1",
        "#d-blueprint",
        "#javascript:window.__xss=5",
        "#%3Cimg%20src=x%20onerror=window.__xss=6%3E",
        "#../../../etc/passwd",
        "#d-journey%22%3E%3Cscript%3Ewindow.__xss=7%3C/script%3E",
        "#%E0%A4%A",
        "#main",
    ],
)
def test_a_hostile_journey_or_address_never_runs_anything(hostile: Path, browser: Any, fragment: str) -> None:
    viewer = _viewer(hostile, "bad")
    text = viewer.read_text(encoding="utf-8")
    assert "<script>" not in text and "<img src=x" not in text and "&lt;script&gt;" in text
    own = set(re.findall(r'<img src="\.\./([^"]+)"', text))
    assert {"graphviz/bad.svg", "graphviz/bad.persona-p.svg", "graphviz/bad.stage-s1.svg", "graphviz/bad.blueprint.svg"} <= own
    visit = Visit(browser, viewer.as_uri() + fragment)
    page = visit.page
    page.wait_for_function("document.querySelector('section.diagram:not([hidden]) img').naturalWidth > 0")
    page.click("section.diagram:not([hidden]) [data-zoom='in']")
    page.wait_for_timeout(100)
    assert page.evaluate("window.__xss") is None
    assert visit.problems == []
    # Only the site's own diagrams were loaded, whatever the address said.
    loaded = {u.split("/site/", 1)[1] for u in visit.requests if u.endswith(".svg")}
    assert loaded and loaded <= own, loaded
    shown = page.eval_on_selector_all("section.diagram", "els => els.filter(e => !e.hidden).map(e => e.id)")
    expected = fragment[1:] if fragment[1:] in {"d-persona-p", "d-stage-s1", "d-blueprint"} else "d-journey"
    assert shown == [expected]
    # The journey's words are text: in the list, the headings and the images' descriptions.
    assert BAD in page.inner_text("nav.diagram-nav") and BAD in (page.get_attribute(f"#{expected} img", "alt") or "")
    visit.close()


def test_the_flow_diagram_and_the_blueprint_of_a_hostile_journey_stay_images(hostile: Path) -> None:
    page = (hostile / "journeys" / "bad.html").read_text(encoding="utf-8")
    figures = re.findall(r'<a href="([^"]+)"><img src="\.\./([^"]+)"', page)
    assert ("bad.diagrams.html#d-journey", "graphviz/bad.svg") in figures
    assert ("bad.diagrams.html#d-blueprint", "graphviz/bad.blueprint.svg") in figures
    for name in ("bad.svg", "bad.stage-s1.svg", "bad.persona-p.svg", "bad.blueprint.svg"):
        svg = (hostile / "graphviz" / name).read_text(encoding="utf-8")
        elements = list(ElementTree.fromstring(svg.encode("utf-8")).iter())
        assert {e.tag.rsplit("}", 1)[-1] for e in elements} & {"script", "img", "foreignObject"} == set(), name
        assert not [a for e in elements for a in e.attrib if a.lower().startswith("on")], name
        assert "&lt;script&gt;" in svg, name  # the journey's words, as text


def test_the_diagram_roles_the_viewer_reads_are_declared() -> None:
    (j,) = cjdsl.check([HR]).journeys
    declared = backends()["graphviz"].declared([j])
    views = {(p.view, p.persona) for p in declared if p.role == DIAGRAM}
    assert {("journey", None), ("overview", None), ("journey", "anna")} <= views
    assert {(f"stage:{s.id}", None) for s in j.stages} <= views


def test_a_persona_page_opens_its_own_diagram_in_the_viewer(site: Path) -> None:
    page = (site / "journeys" / "hr_saas.persona-anna.html").read_text("utf-8")
    links = set(re.findall(r'href="(hr_saas\.diagrams\.html#[^"]+)"', page))
    assert "hr_saas.diagrams.html#d-persona-anna" in links
    viewer = _viewer(site).read_text("utf-8")
    assert all(f'id="{link.split("#")[1]}"' in viewer for link in links)
