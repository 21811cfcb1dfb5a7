"""Posters: `cjdsl render --to pdf|png --view map` prints the journey map page in a real
Chromium (Playwright driving Debian's). The PDFs are read back with poppler's pdfinfo
and pdftotext: their pages, their size, and the text on each page."""

from __future__ import annotations

import html
import http.server
import importlib.util
import math
import re
import shutil
import statistics
import struct
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest

import cjdsl
from cjdsl.backends import poster
from tests.conftest import EXAMPLES, IN_CI, invoke, journey_examples

POINTS_PER_MM = 72 / 25.4
A3 = (420 * POINTS_PER_MM, 297 * POINTS_PER_MM)
A4 = (297 * POINTS_PER_MM, 210 * POINTS_PER_MM)
DOTS_PER_MM = poster.PNG_DPI / 25.4


@pytest.fixture(scope="module")
def tools() -> None:
    """Playwright, a Chromium and poppler's tools, or a skip (a failure in CI)."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("Playwright (pip install 'cjdsl[poster]')")
    if poster.find_chromium() is None:
        missing.append("Chromium (apt-get install chromium, or set CJDSL_CHROMIUM)")
    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            missing.append(f"{tool} (apt-get install poppler-utils)")
    if missing:
        if IN_CI:
            pytest.fail(f"CI must have {', '.join(missing)}")
        pytest.skip(f"missing {', '.join(missing)}")


def render(path: Path, out: Path, *extra: str, to: str = "pdf") -> str:
    code, stdout, stderr = invoke("render", "--to", to, "--view", "map", str(path), "-o", str(out), *extra)
    assert code == 0, stderr
    assert stdout == ""
    return stderr


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    sizes = [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)]
    assert len(sizes) == pages
    return sizes


def page_text(pdf: Path, page: int) -> str:
    done = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def squash(text: str) -> str:
    """Text without white space and hyphens: a label wrapped over lines is still found
    (pdftotext joins a word broken after its hyphen without the hyphen)."""
    return re.sub(r"[\s\-\u00ad]+", "", text)


def sheets(pdf: Path) -> list[str]:
    """Each page's text, after checking that the pages are the poster's sheets: one
    page, or "Page i of N" on page i of N (no sheet ran over its page)."""
    count = len(page_sizes(pdf))
    texts = [page_text(pdf, i) for i in range(1, count + 1)]
    notes = [re.search(r"Page (\d+) of (\d+): stages? (\d+)(?:–(\d+))? of (\d+)", t) for t in texts]
    if count == 1:
        assert notes[0] is None, notes[0]
    else:
        for i, note in enumerate(notes, 1):
            assert note is not None and (int(note.group(1)), int(note.group(2))) == (i, count), (i, texts[i - 1][:300])
    return texts


def words(pdf: Path, page: int = 1) -> tuple[float, list[tuple[str, float, float, float, float]]]:
    """The page's width and its words with their boxes (points), as pdftotext -bbox reads them."""
    done = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    width = float(re.search(r'<page width="([\d.]+)"', done.stdout).group(1))  # type: ignore[union-attr]
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', done.stdout)
    return width, [(html.unescape(w), float(a), float(b), float(c), float(d)) for a, b, c, d, w in found]


def journey_of(path: Path) -> cjdsl.ResolvedJourney:
    (j,) = [j for j in cjdsl.check([path]).journeys if Path(j.path).name == path.name]
    return j


@pytest.mark.parametrize("path", journey_examples(), ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_every_example_prints_as_an_a3_poster(tools: None, tmp_path: Path, path: Path) -> None:
    pdf = tmp_path / "map.pdf"
    render(path, pdf)
    sizes = page_sizes(pdf)
    assert 1 <= len(sizes) <= 8
    for w, h in sizes:  # A3 landscape, in points
        assert abs(w - A3[0]) <= 1 and abs(h - A3[1]) <= 1, (w, h)
    texts = sheets(pdf)
    text = squash("".join(texts))
    j = journey_of(path)
    assert squash(j.title) in text
    labels = [tp.label or tp.id for tp in j.touchpoints]
    found = [label for label in labels if squash(label) in text]
    assert len(found) >= min(5, len(labels)) and labels[0] in found and labels[-1] in found, set(labels) - set(found)
    for stage in j.stages:
        assert squash(stage.label or stage.id) in text
    # The rest of the page is not on the poster: no site navigation, no tracking plan.
    assert "Customer journeys" not in "".join(texts) and "Tracking plan" not in "".join(texts)


def test_a_png_poster_is_the_sheets_side_by_side_at_150_dpi(tools: None, tmp_path: Path) -> None:
    png = tmp_path / "map.png"
    note = render(EXAMPLES / "multi_file" / "renewal.journey", png, to="png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    count = int(m.group(1)) if (m := re.search(r"(\d+) A3 sheets side by side", note)) else 1
    assert width > height
    assert height == round(297 * DOTS_PER_MM)
    assert abs(width - count * 420 * DOTS_PER_MM) <= count + 1


def test_paper_a4_and_a_personas_map(tools: None, tmp_path: Path) -> None:
    path = EXAMPLES / "multi_file" / "renewal.journey"
    j = journey_of(path)
    persona = j.personas[0]
    pdf = tmp_path / "map.pdf"
    render(path, pdf, "--paper", "a4", "--persona", persona.id)
    for w, h in page_sizes(pdf):
        assert abs(w - A4[0]) <= 1 and abs(h - A4[1]) <= 1, (w, h)
    text = squash("".join(sheets(pdf)))
    assert squash(persona.label or persona.id) in text
    theirs = [tp for tp in j.touchpoints if any(p.id == persona.id for p in j.personas_of(tp))]
    others = [tp for tp in j.touchpoints if tp not in theirs]
    assert theirs and all(squash(tp.label or tp.id) in text for tp in theirs)
    assert others and not any(squash(tp.label or tp.id) in text for tp in others)


def test_a_tall_map_is_reflowed_to_fill_the_paper(tools: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dental clinic's map is tall for its width: laid out with the site's columns it
    fits A3 by its height and leaves wide margins. Printed, its touchpoints' columns are
    widened: the content spans the paper, the text prints larger, and the emotion curve
    follows the wider columns. Measured on the PDFs' words."""
    path = EXAMPLES / "dental_clinic.journey"
    pdf, again, narrow = tmp_path / "map.pdf", tmp_path / "again.pdf", tmp_path / "narrow.pdf"
    render(path, pdf)
    render(path, again)
    assert pdf.read_bytes() == again.read_bytes()  # the search is deterministic too
    with monkeypatch.context() as m:
        m.setattr(poster, "MAX_WIDEN", 1.0)  # the columns as on the site
        render(path, narrow)
    assert len(page_sizes(pdf)) == len(page_sizes(narrow)) == 1
    texts = sheets(pdf)
    (j,) = [journey_of(path)]
    assert all(squash(tp.label or tp.id) in squash(texts[0]) for tp in j.touchpoints)

    def spread(found: list[tuple[str, float, float, float, float]]) -> tuple[float, float, float]:
        left, right = min(w[1] for w in found), max(w[3] for w in found)
        return left, right, statistics.median(w[4] - w[2] for w in found)

    width, wide_words = words(pdf)
    _, narrow_words = words(narrow)
    left, right, size = spread(wide_words)
    n_left, n_right, n_size = spread(narrow_words)
    printable = (420 - 2 * poster.MARGIN_MM) / 420
    assert (n_right - n_left) / width < 0.7 * printable  # the columns as on the site: margins left and right
    assert (right - left) / width > 0.9 * printable  # widened: the map spans the paper
    assert size > 1.1 * n_size  # and its text prints larger
    # The curve's point labels (a feeling, without quotes) stay in their touchpoint's
    # column: under the card that shows the same feeling in quotes.
    column = (right - left) / (len(j.touchpoints) + 1)
    plain: dict[str, list[float]] = {}
    quoted: dict[str, list[float]] = {}
    for text, x0, _, x1, _ in wide_words:
        (quoted if text.startswith("“") and text.endswith("”") else plain).setdefault(text.strip("“”"), []).append((x0 + x1) / 2)
    feelings = {tp.feeling for tp in j.touchpoints if tp.feeling and " " not in tp.feeling}
    checked = [f for f in feelings if len(plain.get(f, [])) == 1 and len(quoted.get(f, [])) == 1]
    assert len(checked) >= 5, checked
    for feeling in checked:
        assert abs(plain[feeling][0] - quoted[feeling][0]) < column / 2, (feeling, plain[feeling], quoted[feeling], column)


class Pages:
    """Pages of a map whose touchpoint columns are widened ``f`` times: ``width(f)`` and
    ``height(f)`` CSS px; it keeps the widenings it was laid out with."""

    def __init__(self, width: Callable[[float], float], height: Callable[[float], float]) -> None:
        self.width, self.height = width, height
        self.tried: list[float] = []

    def size(self, f: float) -> list[tuple[float, float]]:
        return [(self.width(f), self.height(f))]

    def __call__(self, f: float) -> list[tuple[float, float]]:
        self.tried.append(f)
        return self.size(f)

    def scale(self, f: float, paper: str) -> float:
        return min(poster.fitted(self.size(f), paper))


@pytest.mark.parametrize(
    ("paper", "pages"),
    [
        ("A3", Pages(lambda f: 150 + 2800 * f, lambda f: 800 + 5000 / f)),
        ("A3", Pages(lambda f: 150 + 2800 * f, lambda f: 3000 + 3000 / f)),
        ("A3", Pages(lambda f: 150 + 1000 * f, lambda f: 800 + 5000 / f)),  # still too tall at the widest
        ("A4", Pages(lambda f: 150 + 3000 * f, lambda f: 300 + 4000 / f)),
        ("A4", Pages(lambda f: 150 + 3000 * f, lambda f: 500 * math.ceil(8 / f))),  # whole lines: steps
        ("A2", Pages(lambda f: 150 + 2000 * f, lambda f: 2000 + 800 * math.ceil(4 / f))),
    ],
)
def test_the_widening_found_is_near_the_best_after_a_few_layouts(paper: str, pages: Pages) -> None:
    """`widen` against pages whose height shrinks as their columns widen (text wrapping
    into fewer lines): the scale it finds is within 1 % of the best on a fine grid of
    widenings, after at most WIDEN_TRIES layouts, never wider than MAX_WIDEN."""
    f, scale = poster.widen(pages, pages.size(1), paper)
    best = max(pages.scale(1 + i * (poster.MAX_WIDEN - 1) / 1000, paper) for i in range(1001))
    assert scale > 1.05 * pages.scale(1, paper) and scale >= 0.99 * best, (f, scale, best, pages.tried)
    assert scale == pages.scale(f, paper) and f in pages.tried
    assert 1 < f <= poster.MAX_WIDEN and max(pages.tried) <= poster.MAX_WIDEN
    assert len(pages.tried) <= poster.WIDEN_TRIES


def test_columns_are_not_widened_for_nothing() -> None:
    # The width binds already: nothing is laid out again.
    pages = Pages(lambda f: 3000 * f, lambda f: 500)
    assert poster.widen(pages, pages.size(1), "A3") == (1.0, pages.scale(1, "A3")) and pages.tried == []
    # The height binds, but wider columns do not make the page shorter: two tries at most.
    pages = Pages(lambda f: 150 + 600 * f, lambda f: 900)
    assert poster.widen(pages, pages.size(1), "A3") == (1.0, pages.scale(1, "A3")) and len(pages.tried) <= 2
    # Widening is off.
    pages = Pages(lambda f: 150 + 2800 * f, lambda f: 800 + 5000 / f)
    assert poster.widen(pages, pages.size(1), "A3", most=1.0) == (1.0, pages.scale(1, "A3")) and pages.tried == []


WIDE = "A journey of many short stages"


def wide_journey(stages: int) -> str:
    out = [f'journey wide "{WIDE}" {{\n  version "1"\n}}\n']
    for i in range(1, stages + 1):
        out.append(
            f'stage s{i:02d} "Stage {i:02d}" phase awareness {{\n'
            f'  touchpoint t{i:02d} "Touchpoint label{i:02d}x" {{\n    emotion {(i % 5) - 2}\n  }}\n}}\n'
        )
    return "".join(out)


def test_a_wide_map_splits_along_stage_boundaries(tools: None, project: Path) -> None:
    stages = 30
    path = project / "wide.journey"
    path.write_text(wide_journey(stages), encoding="utf-8")
    pdf = project / "wide.pdf"
    note = render(path, pdf)
    assert "the stages split" in note
    texts = sheets(pdf)
    assert len(texts) >= 2
    seen: list[int] = []
    for text in texts:
        m = re.search(r"stages (\d+)–(\d+) of (\d+)", text)
        assert m is not None and int(m.group(3)) == stages
        first, last = int(m.group(1)), int(m.group(2))
        seen.extend(range(first, last + 1))
        flat = squash(text)
        assert squash(WIDE) in flat  # every page repeats the journey's header
        for i in range(1, stages + 1):
            on_page = f"label{i:02d}x" in flat
            assert on_page == (first <= i <= last), (i, first, last)
    assert seen == list(range(1, stages + 1))  # consecutive stages, each on one page
    for w, h in page_sizes(pdf):
        assert abs(w - A3[0]) <= 1 and abs(h - A3[1]) <= 1


def test_a_missing_browser_is_a_usage_error_with_the_install_hint(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = project / "j.journey"
    path.write_text(wide_journey(2), encoding="utf-8")
    monkeypatch.setenv("CJDSL_CHROMIUM", str(tmp_path / "no-such-chromium"))
    code, out, err = invoke("render", "--to", "pdf", "--view", "map", str(path), "-o", str(tmp_path / "x.pdf"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("cjdsl: error: ")
    assert "pip install 'cjdsl[poster]'" in err and "CJDSL_CHROMIUM" in err
    assert not (tmp_path / "x.pdf").exists()


def test_usage_errors(project: Path) -> None:
    path = project / "j.journey"
    path.write_text(wide_journey(2), encoding="utf-8")
    code, _, err = invoke("render", "--to", "svg", "--view", "map", str(path))
    assert code == 2 and "--to pdf or --to png" in err
    code, _, err = invoke("render", "--to", "pdf", "--paper", "A3", str(path))
    assert code == 2 and "--paper applies to posters" in err
    code, _, err = invoke("render", "--to", "pdf", "--view", "map", "--paper", "B5", str(path))
    assert code == 2 and "B5" in err


class _Witness(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Witness.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def witness() -> Iterator[int]:
    """A local HTTP server that records every request: the port."""
    _Witness.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Witness)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_hostile_labels_are_printed_as_text_and_nothing_runs(tools: None, project: Path, witness: int) -> None:
    url = f"http://127.0.0.1:{witness}"
    source = (
        f'journey h "Evil </title><script>fetch(\'{url}/title\')</script> map" {{\n  version "1"\n}}\n'
        'stage s1 "Stage <b>one</b>" phase awareness {\n'
        "  touchpoint t1 \"<script>document.body.textContent='OWNED'+'XYZ'</script>\" {\n    emotion 1\n  }\n"
        f'  touchpoint t2 "<img src={url}/img onerror=alert(2)> and &amp;" {{\n    emotion -1\n  }}\n'
        "}\n"
        'stage s2 "Second" phase consideration {\n'
        f'  touchpoint t3 "<link rel=stylesheet href={url}/css>" {{\n    emotion 0\n  }}\n'
        "}\n"
    )
    path = project / "h.journey"
    path.write_text(source, encoding="utf-8")
    pdf = project / "h.pdf"
    render(path, pdf)
    text = squash("".join(sheets(pdf)))
    assert squash("<script>document.body.textContent='OWNED'") in text
    assert "OWNEDXYZ" not in text  # the script did not run
    assert squash(f"<img src={url}/img onerror=alert(2)>") in text
    assert squash("</title><script>fetch(") in text
    assert _Witness.hits == []  # no request left the browser


def test_pdf_dates_are_fixed() -> None:
    pdf = b"<< /Creator (x) /CreationDate (D:20261128120544+00'00') /ModDate (D:20261128120545+00'00') >>"
    fixed = poster.fixed_dates(pdf)
    assert len(fixed) == len(pdf)
    assert fixed == b"<< /Creator (x) /CreationDate (D:20000101000000+00'00') /ModDate (D:20000101000000+00'00') >>"


def test_stages_are_split_into_groups_of_even_width() -> None:
    assert poster.partition([400, 800, 800, 800, 400, 600, 600, 400], 1) == [list(range(8))]
    assert poster.partition([400, 800, 800, 800, 400, 600, 600, 400], 2) == [[0, 1, 2], [3, 4, 5, 6, 7]]
    assert poster.partition([1.0] * 10, 3) == [[0, 1, 2], [3, 4, 5], [6, 7, 8, 9]]
    assert poster.partition([1.0, 1.0, 10.0, 1.0], 2) == [[0, 1], [2, 3]]
    assert poster.partition([5.0], 3) == [[0]]
    assert poster.balanced(7, 3) == [[0, 1, 2], [3, 4], [5, 6]]
