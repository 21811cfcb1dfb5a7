"""The one adapter that runs a browser: a journey's map page printed as a poster.

`cjdsl render --to pdf|png --view map` gives this module the html backend's map page
of one journey and the site assets it loads; they are written into a private scratch
folder (through :mod:`cjdsl.fs`) and opened in headless Chromium driven by Playwright
(the optional extra ``cjdsl[poster]``), with every request that is not one of those
files refused, the page's own Content-Security-Policy in force and its own JavaScript
on (told, as printing does, that the page is about to be printed). A stylesheet of the
poster's (a file beside the site's, so the CSP allows it) keeps the page's header and
the map and leaves out the rest of the page: the site navigation, the filters and the
sections below the map; nothing scrolls, sticks, is clamped or skips rendering.

**Layout.** The map is laid out with the site's own column widths and scaled, as a
whole, to fit the paper (landscape, 8 mm margins): to its height, and to its width when
that binds. While the width holds the scale below :data:`MIN_SCALE`, the stages are split
into consecutive groups of even width, one page each: over the fewest pages that reach
it, or on which the height limits the scale instead (a map too tall for the paper is
printed smaller, not split further). When the height limits the scale, the touchpoints'
columns are widened (up to :data:`MAX_WIDEN` times): their text wraps into fewer lines,
the map gets shorter and its shape nears the paper's; a few layouts are measured
(:func:`widen`) and the one printed largest is kept, the emotion curve redrawn under
the wider columns. Every page repeats the header, says which stages it holds, and
shares one scale (and one widening) with the others. A page's copy of the map keeps the
lane labels and its stages' columns: the others' cells are removed, and cells across the
cut (the emotion curve and its key) are cut to the page's columns and lose what concerns
other pages' touchpoints. The columns are found from the table's grid as the browser
lays it out, so any layout of the map's table splits the same way.

**PNG.** The same pages side by side (a split poster reads left to right as on a
wall), each the paper's shape at :data:`PNG_DPI` dots per inch.

**Limits.** The browser runs in a child process of its own (``python -m
cjdsl.backends.poster FOLDER``) that is killed, with Chromium, when ``timeout``
seconds are over. A PDF's creation and modification dates are set to a fixed value
(2000-01-01) after printing, so the same map on the same machine gives the same bytes;
other Chromium versions and fonts give other bytes.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .. import fs

FORMATS = ("pdf", "png")
#: Landscape paper sizes, width × height in millimetres.
PAPERS: dict[str, tuple[float, float]] = {"A4": (297, 210), "A3": (420, 297), "A2": (594, 420), "A1": (841, 594)}
DEFAULT_PAPER = "A3"
MARGIN_MM = 8.0
#: The scale a map is split over pages to reach when it is too wide for one page: the
#: site's 13 px text becomes 4.9 pt, still legible on paper. A map too tall for the
#: paper is printed smaller, whole on each page (a larger --paper prints it larger).
MIN_SCALE = 0.5
#: Chromium prints at most twice the size (a small map on large paper).
MAX_SCALE = 2.0
#: A map the paper's height limits has its touchpoints' columns widened, at most this many
#: times the site's width (500 px of 13 px text, some 75 letters a line, still reads).
MAX_WIDEN = 2.5
#: The layouts measured at most when the columns are widened (beyond the first).
WIDEN_TRIES = 5
#: What widening the columns must gain, at least, to be done.
WIDEN_GAIN = 0.01
#: The first guess of how fast widening gains: g = log(across / down) over log(widening)
#: (the pages widen nearly as fast as the columns, and their height shrinks more slowly).
WIDEN_SLOPE = -1.6
PNG_DPI = 150
DEFAULT_TIMEOUT = 60.0
#: Everywhere but the scratch folder is out of reach; these switch off Chromium's own calls home.
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
#: Where a Chromium is looked for when $CJDSL_CHROMIUM is not set (then PATH).
CHROMIUM_PATHS = ("/usr/bin/chromium",)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

INSTALL_HINT = (
    "posters need Playwright and a Chromium browser: `pip install 'cjdsl[poster]'`, then install Chromium "
    "(Debian/Ubuntu: `apt-get install chromium`; or `playwright install chromium`) or point CJDSL_CHROMIUM at "
    "a Chromium or Chrome program"
)


#: The sizes of a layout's pages (width, height) in CSS px.
Sizes = Sequence[Sequence[float]]


class PosterError(Exception):
    """The browser could not print the poster."""


class BrowserMissing(PosterError):
    def __init__(self, why: str = "") -> None:
        super().__init__((f"{why}: " if why else "") + INSTALL_HINT)


class PosterTimeout(PosterError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"the browser did not print the poster within {seconds:g} s")
        self.seconds = seconds


@dataclass(frozen=True)
class Printed:
    """A poster: its bytes, pages (PDF pages, or sheets side by side in a PNG), the
    scale it is printed at, the stage labels on each sheet, and how many times as wide
    as on the site the touchpoints' columns are printed."""

    content: bytes
    pages: int
    scale: float
    sheets: tuple[tuple[str, ...], ...]
    widen: float = 1.0

    @property
    def split(self) -> bool:
        return len(self.sheets) > 1


def playwright_installed() -> bool:
    return importlib.util.find_spec("playwright") is not None


def find_chromium() -> str | None:
    """The Chromium to drive: $CJDSL_CHROMIUM if set (and nothing else then), else
    /usr/bin/chromium, else the first of chromium, chromium-browser, google-chrome on
    PATH; None when there is none (Playwright's own download is tried then)."""
    explicit = os.environ.get("CJDSL_CHROMIUM")
    if explicit:
        return explicit if fs.is_program(explicit) else None
    for path in CHROMIUM_PATHS:
        if fs.is_program(path):
            return path
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def printable(paper: str) -> tuple[float, float]:
    """The area inside the margins, in CSS px at scale 1 (96 px an inch)."""
    w, h = PAPERS[paper]
    return (w - 2 * MARGIN_MM) / 25.4 * 96, (h - 2 * MARGIN_MM) / 25.4 * 96


def partition(widths: Sequence[float], parts: int) -> list[list[int]]:
    """The indices of ``widths`` in ``parts`` consecutive non-empty groups, the widest
    group as narrow as can be (and, among such splits, the first groups no wider than
    needed). Up to 60 stages exactly; beyond, by count (:func:`balanced`)."""
    n = len(widths)
    parts = max(1, min(parts, n))
    if n > 60 or parts == 1:
        return balanced(n, parts)
    start = [0.0]
    for w in widths:
        start.append(start[-1] + w)
    inf = float("inf")
    # best[k][i]: the narrowest widest group when the first i stages make k groups.
    best = [[inf] * (n + 1) for _ in range(parts + 1)]
    cut = [[0] * (n + 1) for _ in range(parts + 1)]
    best[0][0] = 0.0
    for k in range(1, parts + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                value = max(best[k - 1][j], start[i] - start[j])
                if value < best[k][i] - 1e-9:
                    best[k][i], cut[k][i] = value, j
    groups: list[list[int]] = []
    i = n
    for k in range(parts, 0, -1):
        j = cut[k][i]
        groups.insert(0, list(range(j, i)))
        i = j
    return groups


def balanced(n: int, parts: int) -> list[list[int]]:
    """``range(n)`` in ``parts`` consecutive groups whose sizes differ by one at most."""
    size, extra = divmod(n, parts)
    out, start = [], 0
    for i in range(parts):
        k = size + (1 if i < extra else 0)
        out.append(list(range(start, start + k)))
        start += k
    return out


@dataclass(frozen=True)
class Poster:
    """Prints map pages with ``chromium`` (None: Playwright's own download) within
    ``timeout`` seconds a poster."""

    chromium: str | None
    timeout: float = DEFAULT_TIMEOUT

    @staticmethod
    def find(timeout: float = DEFAULT_TIMEOUT) -> Poster:
        if not playwright_installed():
            raise BrowserMissing("Playwright is not installed")
        chromium = find_chromium()
        explicit = os.environ.get("CJDSL_CHROMIUM")
        if chromium is None and explicit:
            raise BrowserMissing(f"CJDSL_CHROMIUM names no program ({explicit})")
        return Poster(chromium, timeout)

    def __call__(self, files: Mapping[str, bytes], page: str, fmt: str = "pdf", paper: str = DEFAULT_PAPER) -> Printed:
        """The poster of ``page``, one of ``files`` (relative path → bytes: the page and
        the assets it loads), as ``fmt`` on ``paper``."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown poster format {fmt!r}")
        if paper not in PAPERS:
            raise ValueError(f"unknown paper {paper!r}")
        if page not in files:
            raise ValueError(f"{page!r} is not among the files")
        with fs.scratch_folder("cjdsl-poster-") as tmp:
            folder = Path(tmp)
            site = {f"site/{rel}": content for rel, content in files.items()}
            site[f"site/{POSTER_CSS}"] = poster_css(paper).encode("utf-8")
            job = {
                "site": str(folder / "site"),
                "files": sorted(rel.removeprefix("site/") for rel in site),
                "page": page,
                "format": fmt,
                "paper": paper,
                "chromium": self.chromium,
                "timeout": self.timeout,
                "widen": MAX_WIDEN,
            }
            site["job.json"] = json.dumps(job).encode("utf-8")
            fs.write_files(folder, site)
            self._run(folder)
            summary = json.loads(fs.read_bytes(folder / "summary.json") or b"{}")
            if not summary.get("ok"):
                if summary.get("timeout"):
                    raise PosterTimeout(self.timeout)
                if summary.get("missing"):
                    raise BrowserMissing(str(summary.get("error", "")))
                raise PosterError(f"the browser could not print the poster: {summary.get('error', 'no answer')}")
            content = fs.read_bytes(folder / "poster.out", 1 << 30)
            if content is None:
                raise PosterError("the browser printed nothing")
        if fmt == "pdf":
            content = fixed_dates(content)
        return Printed(
            content,
            int(summary["pages"]),
            float(summary["scale"]),
            tuple(tuple(s) for s in summary["sheets"]),
            float(summary.get("widen", 1.0)),
        )

    def _run(self, folder: Path) -> None:
        """Runs the child that drives the browser; kills it, and what it started, when
        the time is over."""
        package_parent = str(Path(__file__).parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH", "")) if p)
        child = subprocess.Popen(
            [sys.executable, "-m", "cjdsl.backends.poster", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        try:
            _, err = child.communicate(timeout=self.timeout + 5)  # the child keeps time itself; this is the backstop
        except subprocess.TimeoutExpired:
            _stop(child)
            raise PosterTimeout(self.timeout) from None
        if child.returncode != 0 and fs.read_bytes(folder / "summary.json") is None:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            raise PosterError(f"the browser's driver failed: {lines[-1] if lines else f'exit code {child.returncode}'}")


def _stop(child: subprocess.Popen[bytes]) -> None:
    """Ends the child's process group: politely (Playwright's driver then closes the
    browsers it launched), then for good."""
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError):
            os.killpg(child.pid, sig)
        try:
            child.communicate(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
    child.kill()


_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}")


def fixed_dates(pdf: bytes) -> bytes:
    """The PDF with its creation and modification dates set to 2000-01-01 00:00:00
    (as many bytes as before, so the cross-reference offsets stay right)."""
    return _DATE.sub(lambda m: b"/" + m.group(1) + b" (D:20000101000000", pdf)


# -- the stylesheet and the script the page gets ---------------------------------------------

POSTER_CSS = "assets/cjdsl-poster.css"


def poster_css(paper: str) -> str:
    """The poster's stylesheet: the paper, and the map without the rest of the page."""
    w, h = PAPERS[paper]
    return f"""/* cjdsl poster: the journey's header and map on {paper} landscape paper. */
@page {{ size: {w:g}mm {h:g}mm; margin: {MARGIN_MM:g}mm; }}
html, body {{ background: #ffffff; }}
body {{ margin: 0; }}
header.site, footer.site, .filters, .skip, .source, .events, .scroll-hint {{ display: none !important; }}
main {{ padding: 0 !important; }}
/* The site lets off-screen cards skip rendering; on paper every card is on screen. */
.card, .item, .pain, .opportunity, .metric, .step {{
  content-visibility: visible !important; contain-intrinsic-size: none !important; break-inside: avoid;
}}
.card {{ box-shadow: none; }}
a {{ text-decoration: none; }}
/* Nothing scrolls or sticks on paper, and no text is clamped. */
.map-scroll {{ overflow: visible !important; max-height: none !important; }}
.map thead {{ transform: none !important; }}
.map th.lane, .map .corner {{ position: relative !important; left: auto !important; }}
.map .pinned {{ position: static !important; max-width: none !important; }}
/* What the page still folds away when printed stays out: paper cannot unfold it. */
.poster-page details:not([open]) {{ display: none !important; }}
.map.compact .clamp {{ max-height: none !important; }}
.poster-page {{ margin: 0; }}
.poster-sheet + .poster-sheet {{ break-before: page; }}
.poster-part {{ font-size: 15px; font-weight: 600; margin: 6px 0 10px; }}
/* PNG: the sheets side by side, each the paper's shape with its margins. */
html.poster-png main {{ display: flex; align-items: flex-start; }}
html.poster-png .poster-sheet {{ flex: none; overflow: hidden; break-before: auto; }}
html.poster-png .poster-sheet + .poster-sheet {{ border-left: 1px dashed #999999; }}
"""


#: Defines ``window.__cjdslPoster``. ``setup()`` keeps the page's header (what comes
#: before the map) and the map (the rest of the page is not on the poster), lets the
#: page's script prepare for print, and reads the map table's grid as laid out: the x
#: of each column boundary, the columns before the first stage (the lane labels) and
#: each stage's columns. ``layout(o)`` builds a sheet per group of stages from copies of
#: them and gives each sheet's content size in CSS px. Only the poster's own numbers
#: and notes reach it, as arguments; the page's text is copied as nodes, never parsed.
SCRIPT = r"""() => {
  const P = {};
  const shown = (el) => getComputedStyle(el).display !== 'none';
  P.setup = () => {
    const main = document.querySelector('main');
    const map = main && main.querySelector('.map-scroll');
    const table = map && map.querySelector('table.map');
    if (!table) { return null; }
    // Printing tells the page so (Chromium does, when it prints the PDF): the page's own
    // script prepares for paper now, before anything is measured.
    window.dispatchEvent(new Event('beforeprint'));
    P.main = main;
    // Links to the site's other pages lead nowhere on paper, and would name the scratch
    // folder in the PDF: they become text (links within the page and to the web stay).
    main.querySelectorAll('a[href]').forEach((a) => {
      if (!/^(#|https?:|mailto:)/i.test(a.getAttribute('href'))) { a.removeAttribute('href'); }
    });
    // The page's header: what comes before the map (the journey's, or the persona's card).
    const holder = [...main.children].find((c) => c.contains(map)) || map;
    P.before = [];
    for (let c = holder.previousElementSibling; c; c = c.previousElementSibling) { P.before.unshift(c); }
    P.map = holder;
    // The grid: each shown cell's first column and span (rowspans taken into account).
    const taken = [];
    const cells = [];
    [...table.rows].forEach((row, r) => {
      taken[r] = taken[r] || new Set();
      let col = 0;
      [...row.cells].forEach((cell, k) => {
        if (!shown(cell)) { return; }
        while (taken[r].has(col)) { col++; }
        const span = Math.max(1, cell.colSpan), rows = Math.max(1, cell.rowSpan);
        for (let dr = 0; dr < rows; dr++) {
          taken[r + dr] = taken[r + dr] || new Set();
          for (let c = col; c < col + span; c++) { taken[r + dr].add(c); }
        }
        const rect = cell.getBoundingClientRect();
        const svgs = [...cell.querySelectorAll('svg')].map((svg) => {
          const box = svg.getBoundingClientRect();
          return { left: box.left, width: box.width };
        });
        cells.push({ r, k, start: col, span, left: rect.left, right: rect.right, svgs, stage: cell.matches('thead th.stage') });
        col += span;
      });
    });
    const n = Math.max(0, ...cells.map((c) => c.start + c.span));
    const x = new Array(n + 1).fill(null);
    for (const c of cells) {
      if (x[c.start] === null) { x[c.start] = c.left; }
      if (x[c.start + c.span] === null) { x[c.start + c.span] = c.right; }
    }
    for (let i = 0; i <= n; i++) {  // a boundary no cell has: between its neighbours
      if (x[i] !== null) { continue; }
      let j = i;
      while (x[j] === null) { j++; }
      x[i] = x[i - 1] + (x[j] - x[i - 1]) / (j - i + 1);
    }
    const heads = cells.filter((c) => c.stage);
    const stages = heads.length ? heads.map((c) => [c.start, c.start + c.span]) : [[Math.min(1, n), n]];
    const labels = heads.length
      ? heads.map((c) => { const th = table.rows[c.r].cells[c.k]; return (th.querySelector('a') || th).textContent.trim(); })
      : [''];
    P.cells = cells;
    P.x = x;
    P.stages = stages;
    main.replaceChildren();
    return { labels, x, stages };
  };
  // The grid with the touchpoints' columns ``f`` times as wide (the lane labels keep
  // theirs): its column boundaries, and where an x of the page as laid out lands on it.
  const widened = (f) => {
    const lanes = P.stages[0][0];
    const x = [P.x[0]];
    for (let col = 0; col + 1 < P.x.length; col++) { x.push(x[col] + (P.x[col + 1] - P.x[col]) * (col < lanes ? 1 : f)); }
    const at = (v) => {
      let col = 0;
      while (col + 2 < P.x.length && v > P.x[col + 1]) { col++; }
      return x[col] + (v - P.x[col]) * (col < lanes ? 1 : f);
    };
    return { x, at };
  };
  // Each drawing across a cell of several columns (the emotion curve) of a copy of the
  // map, with its box on the page as laid out (``box``), on the widened grid (``wide``).
  const drawings = (table, grid, fn) => {
    P.cells.forEach((c, i) => {
      if (c.span < 2) { return; }
      const cell = table.rows[c.r].cells[c.k];
      [...cell.querySelectorAll('svg')].forEach((svg, s) => {
        const box = c.svgs[s];
        const vb = svg.viewBox && svg.viewBox.baseVal;
        if (!box || !vb || !vb.width || box.width < 0.9 * (c.right - c.left - 24)) { return; }
        const left = grid.at(box.left);
        fn(svg, vb, box, { left, width: grid.at(box.left + box.width) - left }, i);
      });
    });
  };
  // The emotion curve over widened columns: as the site's script draws it for the columns
  // shown, each point moved to the middle of its touchpoint's column, the grid lines and
  // the lines through the points drawn across; the markers and labels keep their size.
  const stretch = (table, grid) => drawings(table, grid, (svg, vb, box, wide) => {
    const unit = vb.width / box.width;
    const to = (u) => vb.x + (grid.at(box.left + (u - vb.x) / unit) - wide.left) * unit;
    svg.querySelectorAll('line.grid').forEach((line) => {
      for (const a of ['x1', 'x2']) { line.setAttribute(a, to(Number(line.getAttribute(a)) || 0).toFixed(1)); }
    });
    svg.querySelectorAll('g.curve-line').forEach((line) => {
      const points = [];
      line.querySelectorAll('g.pt').forEach((pt) => {
        const mid = Number(pt.dataset.mid), dx = to(mid) - mid;
        pt.setAttribute('transform', `translate(${dx.toFixed(1)} 0)`);
        if (pt.style.display !== 'none') { points.push(`${(Number(pt.dataset.x) + dx).toFixed(1)},${pt.dataset.y}`); }
      });
      const poly = line.querySelector('polyline');
      if (poly) { poly.setAttribute('points', points.join(' ')); }
    });
    svg.setAttribute('viewBox', `${vb.x} ${vb.y} ${wide.width * unit} ${vb.height}`);
    svg.setAttribute('width', String(wide.width));
  });
  const cut = (table, keep, grid) => {
    const cells = P.cells.map((c) => table.rows[c.r].cells[c.k]);
    const kept = P.cells.map((c) => {
      const cols = [];
      for (let col = c.start; col < c.start + c.span; col++) { if (keep(col)) { cols.push(col); } }
      return cols;
    });
    // The page's touchpoints: those of the cells it keeps whole.
    const tps = new Set();
    cells.forEach((cell, i) => {
      if (kept[i].length !== P.cells[i].span) { return; }
      for (const el of [cell, ...cell.querySelectorAll('[data-tp]')]) { if (el.dataset.tp) { tps.add(el.dataset.tp); } }
    });
    const across = P.cells.map((c, i) => kept[i].length && kept[i].length !== c.span);
    // A drawing across a cut cell (the emotion curve) keeps the part over the kept columns.
    drawings(table, grid, (svg, vb, box, wide, i) => {
      if (!across[i]) { return; }
      const from = grid.x[kept[i][0]], to = grid.x[kept[i][kept[i].length - 1] + 1];
      const unit = vb.width / wide.width;
      const left = Math.max(from, wide.left), right = Math.min(to, wide.left + wide.width);
      const x0 = vb.x + (left - wide.left) * unit;
      svg.setAttribute('viewBox', `${x0} ${vb.y} ${(right - left) * unit} ${vb.height}`);
      svg.setAttribute('width', String(right - left));
      svg.querySelectorAll('text.axis').forEach((t) => t.setAttribute('x', String(x0 + 4)));
    });
    P.cells.forEach((c, i) => {
      const cell = cells[i];
      if (!kept[i].length) { cell.remove(); return; }
      if (!across[i]) { return; }
      cell.colSpan = kept[i].length;
      // A cell across the cut (the emotion curve, its key) loses what is about other pages' touchpoints.
      cell.querySelectorAll('[data-tp]').forEach((el) => { if (!tps.has(el.dataset.tp)) { el.remove(); } });
    });
  };
  P.layout = (o) => {
    P.main.replaceChildren();
    const lanes = P.stages[0][0];
    const grid = widened(o.widen || 1);
    const pages = o.groups.map((group, gi) => {
      const sheet = document.createElement('div');
      sheet.className = 'poster-sheet';
      const page = document.createElement('div');
      page.className = 'poster-page';
      sheet.appendChild(page);
      P.main.appendChild(sheet);
      for (const c of P.before) { page.appendChild(c.cloneNode(true)); }
      if (o.notes[gi]) {
        const note = document.createElement('p');
        note.className = 'poster-part';
        note.textContent = o.notes[gi];
        page.appendChild(note);
      }
      const holder = P.map.cloneNode(true);
      page.appendChild(holder);
      const table = holder.querySelector('table.map');
      const map = table.closest('.map-scroll') || table;
      const first = P.stages[group[0]][0], last = P.stages[group[group.length - 1]][1];
      const keep = (col) => col < lanes || (col >= first && col < last);
      if (o.widen && o.widen !== 1) { stretch(table, grid); }
      cut(table, keep, grid);
      // The kept columns at the widths the page gave them (the touchpoints' widened).
      table.querySelectorAll('colgroup, col').forEach((c) => c.remove());
      const colgroup = document.createElement('colgroup');
      let width = 0;
      for (let col = 0; col + 1 < grid.x.length; col++) {
        if (!keep(col)) { continue; }
        const c = document.createElement('col');
        c.style.width = (grid.x[col + 1] - grid.x[col]) + 'px';
        width += grid.x[col + 1] - grid.x[col];
        colgroup.appendChild(c);
      }
      table.insertBefore(colgroup, table.tHead || table.tBodies[0] || null);
      table.removeAttribute('width');
      table.style.width = width + 'px';
      const box = getComputedStyle(map);
      const frame = ['borderLeftWidth', 'borderRightWidth', 'paddingLeft', 'paddingRight']
        .reduce((t, k) => t + (parseFloat(box[k]) || 0), 0);
      page.style.width = Math.max(width + frame, o.minWidth) + 'px';
      if (o.sheet) {
        sheet.style.width = o.sheet.width + 'px';
        sheet.style.height = o.sheet.height + 'px';
        sheet.style.padding = o.sheet.padding + 'px';
      }
      return page;
    });
    P.pages = pages;
    return pages.map((p) => {
      const r = p.getBoundingClientRect();
      return [Math.max(r.width, p.scrollWidth), Math.max(r.height, p.scrollHeight)];
    });
  };
  // Each sheet's content in the middle of a paper ``width`` px across, what sticks out
  // of the map (a wide table in a narrow map's cell) counted in.
  P.center = (width) => {
    window.dispatchEvent(new Event('beforeprint'));  // as printed (an earlier print's afterprint may have undone it)
    for (const p of P.pages) {
      const extent = Math.max(p.getBoundingClientRect().width, p.scrollWidth);
      p.style.marginLeft = Math.max(0, (width - extent) / 2) + 'px';
    }
  };
  window.__cjdslPoster = P;
}"""
#: The narrowest a page's content is laid out (the journey's header needs some room).
MIN_WIDTH = 640
#: The window the map is laid out in. A page is never printed so large that the paper
#: holds less than :data:`LAYOUT_WIDTH` px across, where the site's narrow-screen rules
#: would lay the map out otherwise.
VIEWPORT = {"width": 1600, "height": 1000}
LAYOUT_WIDTH = 1000


@dataclass(frozen=True)
class Grid:
    """The map table's grid as the browser laid it out: the x of each column boundary
    (CSS px), each stage's columns (first, end), and the stages' labels."""

    x: tuple[float, ...]
    stages: tuple[tuple[int, int], ...]
    labels: tuple[str, ...]

    def width(self, group: Sequence[int]) -> float:
        """The width of a page's map: the lane labels and the group's stages."""
        lanes = self.x[self.stages[0][0]] - self.x[0]
        return lanes + self.x[self.stages[group[-1]][1]] - self.x[self.stages[group[0]][0]]


# -- the child process: Playwright -------------------------------------------------------------


class _Clock:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def ms(self) -> float:
        """What is left, in milliseconds, for Playwright's timeouts (at least 1)."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise PosterTimeout(self.seconds)
        return max(1.0, left * 1000)


def _open(browser: Any, job: Mapping[str, Any], clock: _Clock, **options: Any) -> tuple[Any, Any, Grid]:
    """A page of a fresh context showing the map page, with every request that is not
    one of the job's files refused; the poster's stylesheet added and its script defined.
    Gives the context, the page and the map's grid."""
    site = Path(job["site"])
    allowed = {str(site / rel) for rel in job["files"]}
    context = browser.new_context(
        java_script_enabled=True,
        service_workers="block",
        accept_downloads=False,
        color_scheme="light",
        **options,
    )
    context.set_default_timeout(clock.ms())

    def route(r: Any) -> None:
        url = urlsplit(r.request.url)
        if url.scheme == "file" and not url.netloc and unquote(url.path) in allowed:
            r.continue_()
        else:
            r.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.on("dialog", lambda d: d.dismiss())
    page.emulate_media(media="screen", color_scheme="light")
    page.goto((site / job["page"]).as_uri(), wait_until="load", timeout=clock.ms())
    href = os.path.relpath(site / POSTER_CSS, (site / job["page"]).parent).replace(os.sep, "/")
    page.evaluate(
        """(href) => new Promise((done, fail) => {
          const link = document.createElement('link');
          link.rel = 'stylesheet';
          link.href = href;
          link.onload = done;
          link.onerror = () => fail(new Error('the poster stylesheet did not load'));
          document.head.appendChild(link);
        })""",
        href,
    )
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.evaluate(SCRIPT)
    found = page.evaluate("() => window.__cjdslPoster.setup()")
    if found is None:
        raise PosterError("the page has no journey map (no table.map)")
    grid = Grid(tuple(found["x"]), tuple((a, b) for a, b in found["stages"]), tuple(found["labels"]))
    return context, page, grid


def fitted(sizes: Sizes, paper: str) -> tuple[float, float]:
    """The scales at which the pages of these sizes (CSS px) fit ``paper``: across (at
    most :data:`MAX_SCALE`, and never so large that the paper holds less than
    :data:`LAYOUT_WIDTH` px) and down."""
    pw, ph = printable(paper)
    largest = min(MAX_SCALE, pw / LAYOUT_WIDTH)
    return min(largest, *(pw / w for w, _ in sizes)), min(ph / h for _, h in sizes)


def widen(measure: Callable[[float], Sizes], first: Sizes, paper: str, most: float = MAX_WIDEN) -> tuple[float, float]:
    """How many times as wide the touchpoints' columns are printed (1 to ``most``), and
    the scale: the pages of ``first`` (their sizes as laid out) fit the paper's height
    before its width, so wider columns, whose text wraps into fewer lines, print them
    larger, up to where the width binds. ``measure(f)`` lays the pages out with the
    columns ``f`` times as wide and gives their sizes; it is called :data:`WIDEN_TRIES`
    times at most. The search is on ``g = log(across / down)``, positive while the height
    binds, over ``log f``: a guess from a typical slope, then secants, kept inside the
    bracket once there is one. The best scale tried wins (the first tried of equals), and
    the columns keep their width unless it gains :data:`WIDEN_GAIN`."""
    wide, down = fitted(first, paper)
    base = min(wide, down)
    best = (base, 1.0)
    if down >= wide or most <= 1:
        return 1.0, base
    top = math.log(most)
    seen = [(0.0, math.log(wide / down))]  # (log f, g)
    lo: tuple[float, float] = seen[0]  # the widest tried on which the height binds
    hi: tuple[float, float] | None = None  # the narrowest on which the width does
    x = min(top, -seen[0][1] / WIDEN_SLOPE)
    for _ in range(WIDEN_TRIES):
        f = round(math.exp(x), 3)
        x = math.log(f)
        wide, tall = fitted(measure(f), paper)
        if min(wide, tall) > best[0]:
            best = (min(wide, tall), f)
        if x >= top and tall < down * (1 + WIDEN_GAIN):
            break  # the widest columns did not shorten the pages
        point = (x, math.log(wide / tall))
        if point[1] > 0:
            lo = max(lo, point)
        elif hi is None or point[0] < hi[0]:
            hi = point
        if hi is None:
            if x >= top:
                break  # the widest columns, and still the height binds
            if tall < down * (1 + WIDEN_GAIN):
                nx = top  # wider columns did not shorten the pages: the widest, once
            else:
                (x0, g0), (x1, g1) = seen[-1], point
                slope = (g1 - g0) / (x1 - x0) if x1 != x0 else 0.0
                nx = min(top, max(x1 + 0.05, x1 - g1 / (slope if slope < -0.05 else WIDEN_SLOPE)))
        else:
            if hi[0] - lo[0] < math.log(1.02):
                break
            nx = lo[0] + lo[1] * (hi[0] - lo[0]) / (lo[1] - hi[1])
            margin = 0.15 * (hi[0] - lo[0])
            nx = min(hi[0] - margin, max(lo[0] + margin, nx))
        seen.append(point)
        x = nx
    scale, f = best
    return (f, scale) if scale >= base * (1 + WIDEN_GAIN) else (1.0, base)


def _plan(page: Any, grid: Grid, paper: str, clock: _Clock, most: float) -> tuple[list[list[int]], float, float]:
    """The groups of stages (one a page), the scale and the widening of the touchpoints'
    columns. The stages are split only while the width holds the scale below
    :data:`MIN_SCALE`: the fewest pages that reach it, or on which the height, not the
    width, limits the scale (a map too tall for the paper is not split further for the
    little a narrower page gains; its columns are widened instead, up to ``most`` times,
    see :func:`widen`)."""
    pw, _ = printable(paper)
    largest = min(MAX_SCALE, pw / LAYOUT_WIDTH)
    widths = [grid.x[b] - grid.x[a] for a, b in grid.stages]
    n = len(grid.stages)
    tall = largest  # the scale the height allowed on the pages laid out last
    tried: list[tuple[float, list[list[int]]]] = []

    def measure(groups: list[list[int]], f: float) -> Sizes:
        clock.ms()
        sizes: Sizes = page.evaluate("(o) => window.__cjdslPoster.layout(o)", _layout(grid, groups, f))
        return sizes

    for parts in range(1, n + 1):
        groups = partition(widths, parts)
        across = min(largest, *(pw / max(grid.width(g) + 2, MIN_WIDTH) for g in groups))
        if tried and parts < n and across < min(MIN_SCALE, tall):
            continue  # still too wide, whatever the height: nothing to lay out
        sizes = measure(groups, 1.0)
        wide, tall = fitted(sizes, paper)
        if wide >= min(MIN_SCALE, tall):
            f, scale = widen(functools.partial(measure, groups), sizes, paper, most)
            return groups, scale, f
        tried.append((min(wide, tall), groups))
    # A stage too wide even alone: the fewest pages that print at the best scale.
    top = max(scale for scale, _ in tried)
    scale, groups = next(t for t in tried if t[0] >= top * 0.99)
    return groups, scale, 1.0


def _notes(labels: Sequence[str], groups: Sequence[Sequence[int]]) -> list[str]:
    if len(groups) == 1:
        return [""]
    out = []
    for i, g in enumerate(groups):
        first, last = g[0], g[-1]
        stages = f"stage {first + 1}" if first == last else f"stages {first + 1}–{last + 1}"
        names = labels[first] if first == last else f"{labels[first]} … {labels[last]}"
        out.append(f"Page {i + 1} of {len(groups)}: {stages} of {len(labels)} ({names})")
    return out


def _layout(grid: Grid, groups: Sequence[Sequence[int]], widen: float = 1.0) -> dict[str, Any]:
    return {"groups": groups, "notes": _notes(grid.labels, groups), "minWidth": MIN_WIDTH, "sheet": None, "widen": widen}


def _print(job: Mapping[str, Any]) -> dict[str, Any]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    clock = _Clock(float(job["timeout"]))
    paper = job["paper"]
    site = Path(job["site"])
    try:
        with sync_playwright() as p:
            try:
                launch: dict[str, Any] = {"headless": True, "args": BROWSER_ARGS, "timeout": clock.ms()}
                if job["chromium"]:
                    launch["executable_path"] = job["chromium"]
                browser = p.chromium.launch(**launch)
            except PlaywrightError as err:
                first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
                missing = "Executable doesn't exist" in str(err) or "ENOENT" in str(err)
                return {"ok": False, "missing": missing, "error": first[:300]}
            try:
                context, page, grid = _open(browser, job, clock, viewport=VIEWPORT)
                groups, scale, widened = _plan(page, grid, paper, clock, float(job.get("widen", MAX_WIDEN)))
                layout = _layout(grid, groups, widened)
                if job["format"] == "pdf":
                    page.evaluate("(o) => window.__cjdslPoster.layout(o)", layout)
                    # Chromium lays text out for print a little differently from the
                    # screen: a sheet that came out longer than its page is printed again,
                    # a little smaller.
                    scale = math.floor(scale * 0.99 * 1000) / 1000
                    for _ in range(4):
                        clock.ms()
                        page.evaluate("(w) => window.__cjdslPoster.center(w)", printable(paper)[0] / scale)
                        out = page.pdf(scale=scale, print_background=True, prefer_css_page_size=True)
                        pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", out))
                        if pages <= len(groups) or scale <= 0.1:
                            break
                        scale = max(0.1, math.floor(scale * 0.97 * 1000) / 1000)
                else:
                    context.close()
                    out, scale = _png(browser, job, layout, scale, clock)
                    pages = len(groups)
                fs.write_bytes(site.parent / "poster.out", out)
            finally:
                browser.close()
    except (PlaywrightTimeout, PosterTimeout):
        return {"ok": False, "timeout": True, "error": f"the browser did not print the poster within {clock.seconds:g} s"}
    except PosterError as err:
        return {"ok": False, "error": str(err)}
    except PlaywrightError as err:
        return {"ok": False, "error": (str(err).strip().splitlines() or [type(err).__name__])[0][:300]}
    return {
        "ok": True,
        "pages": pages,
        "scale": scale,
        "widen": widened,
        "sheets": [[grid.labels[i] for i in g] for g in groups],
    }


def _png(browser: Any, job: Mapping[str, Any], layout: dict[str, Any], scale: float, clock: _Clock) -> tuple[bytes, float]:
    """The sheets side by side, each the paper at :data:`PNG_DPI`: a context whose
    device pixels are the paper's dots."""
    w_mm, h_mm = PAPERS[job["paper"]]
    dots_w, dots_h = round(w_mm / 25.4 * PNG_DPI), round(h_mm / 25.4 * PNG_DPI)
    sheet_h = math.ceil(h_mm / 25.4 * 96 / scale)  # CSS px
    ratio = dots_h / sheet_h  # device pixels per CSS px
    sheet_w = dots_w / ratio
    count = len(layout["groups"])
    width = sheet_w * count
    context, page, _ = _open(
        browser,
        job,
        clock,
        viewport={"width": max(VIEWPORT["width"], math.ceil(width)), "height": sheet_h},
        device_scale_factor=ratio,
    )
    page.evaluate("() => document.documentElement.classList.add('poster-png')")
    padding = MARGIN_MM / 25.4 * 96 / scale
    page.evaluate(
        "(o) => window.__cjdslPoster.layout(o)",
        {**layout, "sheet": {"width": sheet_w, "height": sheet_h, "padding": padding}},
    )
    page.evaluate("(w) => window.__cjdslPoster.center(w)", sheet_w - 2 * padding)
    out = page.screenshot(clip={"x": 0, "y": 0, "width": width, "height": sheet_h}, type="png", timeout=clock.ms())
    context.close()
    return out, ratio * 96 / PNG_DPI


def _child(folder: Path) -> int:
    job = json.loads(fs.read_bytes(folder / "job.json") or b"{}")
    try:
        summary = _print(job)
    except PosterError as err:
        summary = {"ok": False, "error": str(err)}
    fs.write_bytes(folder / "summary.json", json.dumps(summary).encode("utf-8"))
    return 0 if summary.get("ok") else 3


if __name__ == "__main__":
    sys.exit(_child(Path(sys.argv[1])))
