"""The team's language: the site, the diagrams and the Markdown in the language a project
asks for (`[site] locale`, `--locale`), from gettext catalogues read with Babel.

* the template catalogue (cjdsl.pot) is what Babel extracts from the sources today;
* the Polish catalogue translates every message, and passes Babel's checks;
* a pseudo-locale made from the .pot (each translation ⟦wrapped⟧) proves that no word of
  the interface is left out: every visible text of every page, every label of every
  diagram and every line of the tracking plan's Markdown is either wrapped or the
  journeys' own text;
* a Polish build: `<html lang="pl">`, the words, the plural forms, the numbers;
* a hostile catalogue: its translations stay text in HTML, DOT and Markdown, and what
  cannot be used is left out with a warning, never a crash;
* the same input gives the same bytes; `check` and `fmt` never load Babel.
"""

from __future__ import annotations

import functools
import html as htmllib
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import fields, is_dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import cmarkgfm
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from cjdsl.core import i18n
from cjdsl.core import vocabulary as v
from tests.conftest import EXAMPLES, ROOT, invoke
from tests.helpers import snapshot
from tests.test_html import WORDS, Visit, browser  # noqa: F401  (the Chromium fixture)

LOCALE = ROOT / "cjdsl" / "locale"
POT = LOCALE / "cjdsl.pot"
POLISH = LOCALE / "pl" / "LC_MESSAGES" / "cjdsl.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "pN_": ((1, "c"), 2)}


def _key(context: str | None, message: str | tuple[str, ...] | list[str]) -> tuple[str | None, str, str | None]:
    if isinstance(message, (tuple, list)):
        return (context, message[0], message[1])
    return (context, message, None)


def _catalogue(path: Path) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh)


def _messages(catalog: Catalog) -> dict[tuple[str | None, str, str | None], Any]:
    return {_key(m.context, m.id): m for m in catalog if m.id}


# -- the catalogues -----------------------------------------------------------------------------


def test_the_template_catalogue_holds_what_babel_extracts_from_the_sources_today() -> None:
    """Re-extract with the mapping in cjdsl/locale/babel.cfg (as docs/i18n.md says) and
    compare: a word added to a template or a backend without re-extracting fails here."""
    with open(LOCALE / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: set[tuple[str | None, str, str | None]] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        found.add(_key(context, message))
    assert found, "the extraction found nothing"
    pot = set(_messages(_catalogue(POT)))
    assert sorted(found - pot, key=str) == [], "re-extract cjdsl.pot (docs/i18n.md)"
    assert sorted(pot - found, key=str) == [], "cjdsl.pot has messages the sources no longer have"


def test_the_polish_catalogue_translates_every_message_and_passes_babels_checks() -> None:
    pot, polish = _messages(_catalogue(POT)), _catalogue(POLISH)
    messages = _messages(polish)
    assert polish.num_plurals == 3 and polish.locale is not None and str(polish.locale) == "pl"
    assert sorted(set(pot) - set(messages), key=str) == []
    assert sorted(set(messages) - set(pot), key=str) == []
    for key, m in messages.items():
        assert not m.fuzzy, key
        strings = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        assert all(s.strip() for s in strings), key
        assert len(strings) == (3 if m.pluralizable else 1), key
    problems = [(m.id, [str(e) for e in errors]) for m, errors in polish.check()]
    assert problems == []
    compiled = i18n.compile_catalogue(POLISH.read_bytes(), "pl.po")
    assert compiled.problems == () and compiled.translated == len(pot)


def test_the_package_ships_the_catalogues_it_says_it_ships() -> None:
    shipped = sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES" / "cjdsl.po").is_file())
    assert tuple(shipped) == i18n.SHIPPED


@pytest.mark.parametrize(
    ("tag", "names"),
    [("pl", ["pl"]), ("pl_PL", ["pl_PL", "pl"]), ("pl-pl", ["pl_PL", "pl"]), ("pt-BR", ["pt_BR", "pt"])],
)
def test_a_language_tag_falls_back_to_its_language(tag: str, names: list[str]) -> None:
    assert i18n.candidates(tag) == names


def test_placeholders_are_filled_without_running_percent_on_a_translation() -> None:
    assert i18n.interpolate("%(num)s of %(all)d, 100%%", {"num": "<b>", "all": "7"}) == "<b> of 7, 100%"
    assert i18n.interpolate("%(num)999999999d %(x)s %", {"num": 1}) == "%(num)999999999d %(x)s %"
    assert i18n.placeholders("%(a)s and %(b)d %%") == {"a", "b"}
    assert i18n.placeholders("%(a)10s") is None and i18n.placeholders("50%") is None


# -- the pseudo-locale: no word of the interface left out ----------------------------------------

#: The journeys' fields that hold a closed vocabulary's value (the interface words them).
_ENUMS = {"phase", "severity", "impact", "effort", "status", "confidence", "kind", "mode", "cause", "state", "lane", "unit"}
_BRACKETS = re.compile(r"⟦[^⟦⟧]*⟧")
_LETTER = re.compile(r"[^\W\d_]")
_PIECES = re.compile(r"[\x00,;·→–—()|“”\"★▶◆⚠✓✗▲▼]|: | - |…")
_PLACE = re.compile(r"^\S+\.journey:\d+$")


def pseudo_catalogue(pot: Path) -> bytes:
    """A catalogue in which every translation is its English wrapped in ⟦ ⟧."""
    out = Catalog(locale=None, fuzzy=False)
    out._num_plurals, out._plural_expr = 2, "(n != 1)"  # Babel takes them from a locale otherwise
    for m in _catalogue(pot):
        if not m.id:
            continue
        if isinstance(m.id, (tuple, list)):
            out.add(m.id, (f"⟦{m.id[0]}⟧", f"⟦{m.id[1]}⟧"), context=m.context, flags=m.flags)
        else:
            out.add(m.id, f"⟦{m.id}⟧", context=m.context, flags=m.flags)
    buffer = io.BytesIO()
    write_po(buffer, out)
    return buffer.getvalue()


class UserText:
    """The journeys' own text (labels, descriptions, ids, paths, the checker's messages):
    what a page may show unwrapped."""

    def __init__(self, project: Any) -> None:
        found: set[str] = set()
        for j in project.journeys:
            for part in (j.journey, j.stages, j.personas, j.channels, j.pains, j.opportunities, j.kpis, j.metrics):
                self._walk(part, found)
            for part in (j.actors, j.systems, j.teams, j.intents):
                self._walk(part, found)
            found.update((j.path, j.title, *j.files))
            for tp in j.touchpoints:
                for e in tp.events:
                    found.update([e.name, *(p.name for p in e.properties), *(str(p.type) for p in e.properties)])
        for d in (*project.diagnostics, *project.suppressed):
            found.update(x for x in (d.message, d.help, d.code, d.name) if x)
            if d.suppression is not None and d.suppression.reason:
                found.add(d.suppression.reason)
        lines = {" ".join(line.split()) for text in found for line in text.split("\n")}
        self.texts = {t for t in lines | {" ".join(t.split()) for t in found} if t}
        self.blob = "\n".join(sorted(self.texts))
        self.words = set(re.findall(r"\w+", self.blob))
        self.longest_first = sorted(self.texts, key=len, reverse=True)

    def _walk(self, value: Any, found: set[str], depth: int = 0) -> None:
        if depth > 30:
            return
        if isinstance(value, str):
            found.add(value)
        elif is_dataclass(value) and not isinstance(value, type):
            for f in fields(value):
                if f.name not in _ENUMS:
                    self._walk(getattr(value, f.name), found, depth + 1)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                self._walk(item, found, depth + 1)
        elif isinstance(value, dict):
            for k, item in value.items():
                self._walk(k, found, depth + 1)
                self._walk(item, found, depth + 1)

    def holds(self, text: str) -> bool:
        """Whether ``text`` is user text: a whole text or line, one cut with "…", a
        title's first part, a file and line, or a longer piece of one."""
        s = " ".join(text.split())
        if s in self.texts or _PLACE.match(s) or any(u.startswith(s + ":") for u in self.texts):
            return True
        if s.endswith("…") and any(u.startswith(s[:-1].rstrip()) for u in self.texts):
            return True
        return len(s) >= 6 and s in self.blob

    def untranslated(self, stream: str) -> list[str]:
        """The words of ``stream`` (text nodes joined by \\x00) that are neither wrapped nor
        user text."""
        text = _unwrap(stream)
        out = []
        for segment in text.split("\x00"):
            if not _LETTER.search(segment) or self.holds(segment):
                continue
            pieces = _PIECES.split(segment)
            for k, piece in enumerate(pieces):
                p = piece.strip(" :.\n")
                if not _LETTER.search(p) or self.holds(p) or self.holds(piece):
                    continue
                # A piece of a longer user text cut at a bracket or a comma: a word or two of
                # it; or a word cut short by "…".
                if len(pieces) > 1 and len(p.split()) <= 2 and all(w in self.words for w in re.findall(r"\w+", p)):
                    continue
                after = segment[segment.find(piece) + len(piece) :]
                if k + 1 < len(pieces) and after.startswith("…") and any(w.startswith(p.split()[-1]) for w in self.words):
                    continue
                out.append(p)
        return out

    def untranslated_label(self, label: str) -> list[str]:
        """As :meth:`untranslated`, for a diagram's label, whose lines are wrapped anywhere:
        user texts are taken out whole, and what is left must be wrapped."""
        out = []
        for segment in _unwrap(_cut(label)).split("\x00"):
            segment = " ".join(segment.split())
            if segment.endswith("…") and any(u.startswith(segment[:-1].rstrip()) for u in self.texts):
                continue
            if not _LETTER.search(segment):
                continue
            for u in self.longest_first:
                if u in segment:
                    segment = re.sub(r"(?<!\w)" + re.escape(u) + r"(?!\w)", " ", segment)
            rest = " ".join(segment.split())
            if _LETTER.search(rest):
                out.append(rest)
        return out


def _unwrap(text: str) -> str:
    """``text`` with every ⟦wrapped⟧ translation (nested ones too) taken out."""
    while True:
        shorter = _BRACKETS.sub("\x00", text)
        if shorter == text:
            return text
        text = shorter


def _cut(text: str) -> str:
    """Drops a translation a diagram cut short with "…": from its bracket to the "…"."""
    out: list[str] = []
    opened: list[int] = []
    for ch in text:
        if ch == "⟦":
            opened.append(len(out))
        elif ch == "⟧" and opened:
            opened.pop()
        elif ch == "…" and opened:
            del out[opened[0] :]
            opened = []
            continue
        elif ch == "\x00":
            opened = []
        out.append(ch)
    return "".join(out)


_SHOWN_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "data-label", "data-text")


class _Page(HTMLParser):
    """A page's visible text (joined by \\x00 at each tag; no script, style or code) and
    the attributes a reader sees or hears."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.text.append("\x00")
        if tag not in ("br", "img", "input", "meta", "link", "col", "hr", "wbr", "path", "rect", "circle", "polygon", "line"):
            self.open.append(tag)
        self.attributes += [value for name, value in attrs if name in _SHOWN_ATTRIBUTES and value]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.text.append("\x00")
        self.attributes += [value for name, value in attrs if name in _SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        self.text.append("\x00")
        if tag in self.open:
            while self.open and self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not {"script", "style", "code"} & set(self.open):
            self.text.append(data)


def _dot_labels(text: str) -> list[str]:
    """The text of every label of a DOT file: HTML-like ones (a wrapped line goes on; each
    cell is apart) and quoted ones."""
    out = []
    at = 0
    while (at := text.find("label=<", at)) >= 0:
        start = end = at + len("label=<")
        depth = 1
        while depth and end < len(text):
            depth += {"<": 1, ">": -1}.get(text[end], 0)
            end += 1
        body = re.sub(r"-<BR[^>]*>", "-", text[start : end - 1])
        body = re.sub(r"<BR[^>]*>", " ", body)
        out.append(htmllib.unescape(re.sub(r"<[^>]*>", "\x00", body)).replace("\\\\", "\\"))
        at = end
    out += [htmllib.unescape(m.group(1)) for m in re.finditer(r'\blabel="((?:[^"\\]|\\.)*)"', text)]
    return out


def _markdown_lines(text: str) -> Iterable[str]:
    for line in text.splitlines():
        line = re.sub(r"`[^`]*`", "\x00", line)
        line = htmllib.unescape(re.sub(r"\\(.)", r"\1", line.replace("&#8203;", "")))
        yield re.sub(r"^#+ ", "", line).replace(" | ", "\x00").strip("| ")


@pytest.fixture(scope="module")
def pseudo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, UserText]:
    """The examples built in the pseudo-locale `qps`, a catalogue of the project's own
    (`[site] locale_dir`)."""
    root = tmp_path_factory.mktemp("pseudo")
    project = root / "project"
    shutil.copytree(EXAMPLES, project)
    folder = project / "locale" / "qps" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "cjdsl.po").write_bytes(pseudo_catalogue(POT))
    # Measured on the examples' events: the measured map's words are checked too.
    settings = '[site]\nlocale = "qps"\nlocale_dir = "locale"\n\n[measure]\nevents = ["events/simulated.jsonl"]\n'
    (project / "cjdsl.toml").write_text(settings, encoding="utf-8")
    code, _, err = invoke("build", str(project), "-o", str(root / "site"))
    assert code == 0, err
    assert "cjdsl: warning" not in err, err  # the pseudo catalogue is a good one
    assert 'id="measured"' in (root / "site" / "journeys" / "hr_saas.html").read_text("utf-8")
    # The checker's messages, the measured journey's (CJ4xx) among them, are the journeys' own words.
    from cjdsl.cli.measured import measurer
    from cjdsl.project.config import load_config
    from cjdsl.project.graph import compile_project

    config = load_config([project])
    return root / "site", UserText(compile_project([project], config, measure=measurer(config, ())))


def test_the_checker_finds_a_word_left_in_english(pseudo: tuple[Path, UserText]) -> None:
    """The checks below would see a word the interface forgot to translate."""
    _, user = pseudo
    assert user.untranslated("⟦Owner⟧\x00Marketing\x00 Touchpoints \x00⟦Stage⟧") == ["Touchpoints"]
    assert user.untranslated_label("⟦emotion +1⟧ · rating 4/5") == ["· rating 4/5"]


def test_every_visible_text_of_every_page_is_translated(pseudo: tuple[Path, UserText]) -> None:
    site, user = pseudo
    left: dict[str, str] = {}
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        parsed = _Page()
        parsed.feed(page.read_text(encoding="utf-8"))
        words = user.untranslated("".join(parsed.text)) + [w for a in parsed.attributes for w in user.untranslated(a)]
        for word in words:
            left.setdefault(word[:80], page.relative_to(site).as_posix())
    assert left == {}


def test_the_words_the_pages_script_shows_are_translated(pseudo: tuple[Path, UserText]) -> None:
    import json

    site, _ = pseudo
    index = (site / "index.html").read_text(encoding="utf-8")
    counts = json.loads(htmllib.unescape(re.search(r'data-search-count[^>]*data-texts="([^"]*)"', index).group(1)))  # type: ignore[union-attr]
    assert counts[:3] == ["⟦0 matches⟧", "⟦1 match⟧", "⟦2 matches⟧"]
    page = (site / "journeys" / "hr_saas.html").read_text(encoding="utf-8")
    assert re.search(r'data-filter-count[^>]*data-text="⟦Showing \{shown\} of \d+ touchpoints⟧"', page)


def test_every_label_of_every_diagram_is_translated(pseudo: tuple[Path, UserText]) -> None:
    site, user = pseudo
    left: dict[str, str] = {}
    diagrams = sorted(site.rglob("*.dot"))
    assert diagrams
    for diagram in diagrams:
        for label in _dot_labels(diagram.read_text(encoding="utf-8")):
            for word in user.untranslated_label(label):
                left.setdefault(word[:80], diagram.name)
    assert left == {}
    legend = (site / "graphviz" / "hr_saas.dot").read_text(encoding="utf-8")
    assert "⟦rounded card: online channel⟧" in legend and "⟦pain point severity⟧" in legend


def test_every_line_of_the_tracking_plans_markdown_is_translated(pseudo: tuple[Path, UserText]) -> None:
    site, user = pseudo
    markdown = (site / "tracking" / "tracking-plan.md").read_text(encoding="utf-8")
    left = [w for line in _markdown_lines(markdown) for w in user.untranslated(line)]
    assert left == []
    assert markdown.startswith("# ⟦Customer journeys⟧\n")


# -- Polish ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def polish(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples built in Polish twice, the second time from `pl_PL` (the same)."""
    root = tmp_path_factory.mktemp("polish")
    code, _, err = invoke("build", str(EXAMPLES), "-o", str(root / "site"), "--locale", "pl")
    assert code == 0, err
    code, _, err = invoke("build", str(EXAMPLES), "-o", str(root / "again"), "--locale", "pl-PL")
    assert code == 0, err
    return root


def test_two_polish_builds_are_byte_identical(polish: Path) -> None:
    first, second = snapshot(polish / "site"), snapshot(polish / "again")
    assert first.keys() == second.keys() and len(first) > 100
    assert [name for name in first if first[name] != second[name]] == []


def test_every_polish_page_says_its_language(polish: Path) -> None:
    pages = sorted((polish / "site").rglob("*.html"))
    assert pages and all('<html lang="pl">' in p.read_text(encoding="utf-8") for p in pages)


def test_the_polish_map_speaks_polish(polish: Path) -> None:
    page = (polish / "site" / "journeys" / "fotowoltaika_dom.html").read_text(encoding="utf-8")
    for words in ("Punkty styku", "Emocje", "Problemy", "Szanse", "+2 bardzo pozytywne", "Pierwszy kontakt", "Szczegóły"):
        assert words in page, words
    assert "faza: wdrożenie" in page  # the phase in words, where the stage's own name differs
    blueprint = (polish / "site" / "journeys" / "bank_mortgage.html").read_text(encoding="utf-8")
    for words in ("Linia interakcji", "Linia widoczności", "Zaplecze (poza wzrokiem klienta)", "Systemy wspierające"):
        assert words in blueprint, words
    for english in ("Touchpoints", "Pain points", "very negative", "For:", "Details"):
        assert f">{english}<" not in page, english
    dot = (polish / "site" / "graphviz" / "bank_mortgage.dot").read_text(encoding="utf-8")
    assert "zaokrąglona karta: kanał online" in dot and "waga problemu" in dot
    markdown = (polish / "site" / "tracking" / "tracking-plan.md").read_text(encoding="utf-8")
    head = re.match(
        r"# Ścieżki klienta\n\n(\d+) (zdarzenie|zdarzenia|zdarzeń)\. Wygenerowane przez cjdsl ze ścieżek klienta\.\n", markdown
    )
    assert head is not None
    n = int(head.group(1))
    assert head.group(2) == (
        "zdarzenie" if n == 1 else "zdarzenia" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "zdarzeń"
    )


def _stages(counts: list[int]) -> str:
    text = ['journey plural "Liczby" { version "1" }', 'persona p "P"', 'channel web "Web" online web']
    n = 0
    for s, count in enumerate(counts):
        text.append(f'stage s{s} "Etap {s}" {{')
        for _ in range(count):
            n += 1
            text.append(f'  touchpoint t{n} "Krok {n}" {{ channel web persona p emotion +1 "ok" }}')
        text.append("}")
    text.append('metric m "Ocena" { at s0 value 4.3 scale 1..5 }')
    return "\n".join(text) + "\n"


def test_polish_plural_forms_and_numbers(tmp_path: Path) -> None:
    (tmp_path / "plural.journey").write_text(_stages([1, 2, 5, 12, 22]), encoding="utf-8")
    code, _, err = invoke("build", str(tmp_path), "-o", str(tmp_path / "site"), "--only", "html", "--locale", "pl")
    assert code == 0, err
    page = (tmp_path / "site" / "journeys" / "plural.html").read_text(encoding="utf-8")
    counts = re.findall(r'<span class="count">([^<]*)</span>', page)
    assert counts == ["1 punkt styku", "2 punkty styku", "5 punktów styku", "12 punktów styku", "22 punkty styku"]
    assert "<strong>4,3</strong>" in page and "w skali 1–5" in page  # Babel's decimal comma
    assert 'data-text="Widoczne: {shown} z 42 punktów styku"' in page


def test_the_flag_wins_over_the_settings_and_an_unknown_language_is_named(tmp_path: Path) -> None:
    (tmp_path / "cjdsl.toml").write_text('[site]\nlocale = "pl"\n', encoding="utf-8")
    (tmp_path / "plural.journey").write_text(_stages([1]), encoding="utf-8")
    code, _, err = invoke("build", str(tmp_path), "-o", str(tmp_path / "pl"), "--only", "html")
    assert code == 0, err
    assert '<html lang="pl">' in (tmp_path / "pl" / "index.html").read_text(encoding="utf-8")
    code, _, err = invoke("build", str(tmp_path), "-o", str(tmp_path / "en"), "--only", "html", "--locale", "en")
    assert code == 0, err
    assert '<html lang="en">' in (tmp_path / "en" / "index.html").read_text(encoding="utf-8")
    code, _, err = invoke("build", str(tmp_path), "-o", str(tmp_path / "xx"), "--locale", "de")
    assert code == 2 and not (tmp_path / "xx").exists()
    assert err.strip().count("\n") == 0 and "no catalogue for the language `de`" in err and "en, pl" in err
    code, _, err = invoke("build", str(tmp_path), "-o", str(tmp_path / "xx"), "--locale", "pl;rm")
    assert code == 2 and "language tag" in err


def test_render_speaks_the_language_too(tmp_path: Path) -> None:
    (tmp_path / "plural.journey").write_text(_stages([2]), encoding="utf-8")
    code, out, err = invoke("render", "--to", "dot", str(tmp_path / "plural.journey"), "--locale", "pl")
    assert code == 0, err
    assert "2 punkty styku" in out and "zaokrąglona karta: kanał online" in out
    code, out, err = invoke("render", "--to", "html", str(tmp_path / "plural.journey"), "--locale", "pl_PL")
    assert code == 0, err
    assert '<html lang="pl">' in out and "2 punkty styku" in out


@pytest.mark.parametrize("name", ["fotowoltaika_dom", "bank_mortgage"])
def test_polish_lane_labels_break_between_words_on_a_phone(polish: Path, browser: Any, name: str) -> None:  # noqa: F811
    visit = Visit(browser, (polish / "site" / "journeys" / f"{name}.html").as_uri(), width=390)
    words = visit.page.evaluate(WORDS)
    assert len(words) > 10 and {"Szanse", "Punkty", "styku"} <= {w for w, _, _ in words}
    assert [w for w in words if w[1] != 1 or not w[2]] == []
    axis = visit.page.evaluate("() => [...document.querySelectorAll('.lane-curve svg.axis text')].map(t => t.getBBox().x)")
    assert axis and min(axis) >= 0  # "+2 bardzo pozytywne" fits its column
    assert visit.page.evaluate("document.documentElement.scrollWidth") <= 390
    visit.close()


# -- a hostile catalogue ----------------------------------------------------------------------------

SCRIPT = '<script>alert("po")</script>'
HOSTILE = {
    "Touchpoints": SCRIPT,
    "Customer journeys": '"><img src=x onerror=alert(1)>',
    "Details": "<b>bold</b> & {{ 7*7 }} {%% raw %%}",
    "Emotion": '</B></TD></TR></TABLE>> shape=box label=<x"] evil [label="\\N\\l\\G',
    "rounded card: online channel": '"]; evil [label="x" URL="javascript:alert(1)"',
    "no touchpoints": '\\N\\l"; evil [label="x',
    "property": "| x | `y` [link](https://evil.example) <b>z</b> @someone #1",
    "Not tracked": "**bold** ![img](https://evil.example/i.png)",
    "Owner": "%(owner)999999999s",
    "Stage": "Eta\x1bp",
    "Version": "%(evil)s",
    "Doing": "%d %s %",
    "Source": "A" * 100_000,
}
HOSTILE_PLURAL = {
    ("%(num)s touchpoint", "%(num)s touchpoints"): ['<i onmouseover="alert(1)">%(num)s</i>', "%(num)s ]] <script>"],
    ("Showing %(shown)s of %(num)s touchpoint", "Showing %(shown)s of %(num)s touchpoints"): [
        '" autofocus onfocus="alert(1)',
        "x",
    ],
}


@functools.cache
def hostile_catalogue() -> bytes:
    out = Catalog(locale=None, fuzzy=False)
    out._num_plurals, out._plural_expr = 2, "(n != 1)"
    for msgid, text in HOSTILE.items():
        out.add(msgid, text)
    for ids, texts in HOSTILE_PLURAL.items():
        out.add(ids, tuple(texts))
    buffer = io.BytesIO()
    write_po(buffer, out, width=0)  # unwrapped: Babel's wrapping of the 100 kB entry takes minutes
    one_form = b'\nmsgid "%(num)s tracked event"\nmsgid_plural "%(num)s tracked events"\nmsgstr[0] "one form of two"\n'
    return buffer.getvalue() + one_form


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("hostile")
    project = root / "project"
    shutil.copytree(EXAMPLES / "multi_file", project)
    (project / "hr.journey").write_text((EXAMPLES / "hr_saas.journey").read_text(encoding="utf-8"), encoding="utf-8")
    folder = project / "locale" / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "cjdsl.po").write_bytes(hostile_catalogue())
    (project / "cjdsl.toml").write_text('[site]\nlocale = "xx"\nlocale_dir = "locale"\n', encoding="utf-8")
    code, _, err = invoke("--safe", "build", str(project), "-o", str(root / "site"), cwd=root)
    assert code == 0, err
    return root / "site", err


def test_a_catalogues_unusable_messages_are_left_out_with_a_warning(hostile: tuple[Path, str]) -> None:
    _, err = hostile
    warnings = [line for line in err.splitlines() if "left out" in line]
    assert len(warnings) == 6, err
    for why in ("placeholder %(evil)s", "not a placeholder", "control character", "far longer than the English"):
        assert why in err, why
    assert "a plural form is missing (the catalogue's Plural-Forms says 2)" in err
    assert all(re.match(r"cjdsl: warning: locale/xx/LC_MESSAGES/cjdsl\.po:\d+: left out", w) for w in warnings), warnings


def test_a_hostile_catalogue_stays_text_in_every_page(hostile: tuple[Path, str], browser: Any) -> None:  # noqa: F811
    site, _ = hostile
    pages = sorted(site.rglob("*.html"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert SCRIPT not in text and "<img src=x" not in text and "<i onmouseover" not in text, page
        assert 'autofocus onfocus="alert' not in text and "<b>bold</b>" not in text, page
    journey = (site / "journeys" / "hr_saas.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;po&#34;)&lt;/script&gt;" in journey  # shown, as text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; {{ 7*7 }} {% raw %}" in journey  # not a template either
    assert "Version" in journey and "Doing" in journey and "Source" in journey  # left out: the English
    for page in (site / "index.html", site / "journeys" / "hr_saas.html"):
        visit = Visit(browser, page.as_uri())
        assert visit.problems == []  # no dialog, no error
        assert visit.page.evaluate("document.querySelectorAll('script:not([src]):not([type=\"application/json\"])').length") == 0
        assert visit.page.evaluate("document.querySelectorAll('img[onerror], [onmouseover], [onfocus]').length") == 0
        visit.close()


def test_a_hostile_catalogue_stays_text_in_the_diagrams(hostile: tuple[Path, str]) -> None:
    site, _ = hostile
    dot = (site / "graphviz" / "hr_saas.dot").read_text(encoding="utf-8")
    assert "&lt;/B&gt;&lt;/TD&gt;&lt;/TR&gt;&lt;/TABLE&gt;&gt;" in dot and "\\\\N\\\\l\\\\G" in dot  # text, in the legend
    from cjdsl.backends.layout import Dot, DotMissing

    try:
        layout = Dot.find(60)
    except DotMissing:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Graphviz `dot`")
    svg = layout(dot, "svg").decode("utf-8")  # `dot` reads it: the labels closed where they should
    nodes = set(re.findall(r'<g id="[^"]*" class="node">\s*<title>([^<]*)</title>', svg))
    assert "legend" in nodes and not any("evil" in n for n in nodes)  # no statement of the catalogue's own
    assert not re.search(r'href="javascript:', svg)


def test_a_hostile_catalogue_stays_text_in_the_markdown(hostile: tuple[Path, str]) -> None:
    site, _ = hostile
    markdown = (site / "tracking" / "tracking-plan.md").read_text(encoding="utf-8")
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown)
    assert "evil.example" not in re.sub(r">[^<]*<", "><", rendered)  # in no link and no image, only in text
    assert "<code>y</code>" not in rendered and "<b>z</b>" not in rendered and "<strong>bold</strong>" not in rendered
    for table in re.findall(r"<table>.*?</table>", rendered, re.S):
        widths = {len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr>.*?</tr>", table, re.S)}
        assert len(widths) == 1  # no cell break


def _project_with(tmp_path: Path, po: bytes, *, locale_dir: str = "locale") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "plural.journey").write_text(_stages([1]), encoding="utf-8")
    (tmp_path / "cjdsl.toml").write_text(f'[site]\nlocale = "xx"\nlocale_dir = "{locale_dir}"\n', encoding="utf-8")
    folder = tmp_path / "locale" / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "cjdsl.po").write_bytes(po)
    return tmp_path


@pytest.mark.parametrize(
    ("po", "said"),
    [
        (b'msgid "Stage"\nmsgstr "Etap"\nnonsense here\n', "cjdsl.po:3: not a gettext catalogue"),
        (b'msgid "Stage"\nmsgstr "Et\xffap"\n', "cjdsl.po:2: not UTF-8 text"),
        (b'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=n/0;\\n"\n', "cjdsl.po:1: the plural rule fails for 0"),
        (b'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=n+7;\\n"\n', "the plural rule gives form 7 for 0"),
        (b'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=900; plural=n;\\n"\n', "nplurals=900"),
        (b'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=exec(n);\\n"\n', "the Plural-Forms header cannot be used"),
    ],
)
def test_a_catalogue_that_cannot_be_read_is_one_line_with_its_place(tmp_path: Path, po: bytes, said: str) -> None:
    project = _project_with(tmp_path, po)
    code, _, err = invoke("build", str(project), "-o", str(tmp_path / "site"))
    assert code == 2 and not (tmp_path / "site").exists()
    assert said in err and "Traceback" not in err and err.strip().count("\n") == 0, err
    assert "locale/xx/LC_MESSAGES/" in err


def test_safe_reads_no_catalogue_from_outside_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "xx" / "LC_MESSAGES").mkdir(parents=True)
    (outside / "xx" / "LC_MESSAGES" / "cjdsl.po").write_bytes(hostile_catalogue())
    project = tmp_path / "repo"
    project.mkdir()
    (project / "plural.journey").write_text(_stages([1]), encoding="utf-8")
    (project / "cjdsl.toml").write_text('[site]\nlocale = "xx"\nlocale_dir = "locale"\n', encoding="utf-8")
    (project / "locale").symlink_to(outside, target_is_directory=True)
    code, _, err = invoke("--safe", "build", str(project), "-o", str(tmp_path / "site"), cwd=project)
    assert code == 2 and "outside the project root" in err and not (tmp_path / "site").exists()
    huge = _project_with(tmp_path / "huge", b"#" * (i18n.MAX_CATALOGUE_BYTES + 1))
    code, _, err = invoke("build", str(huge), "-o", str(tmp_path / "site"))
    assert code == 2 and "larger than 2 MB" in err


def test_settings_of_the_site_are_checked(tmp_path: Path) -> None:
    (tmp_path / "plural.journey").write_text(_stages([1]), encoding="utf-8")
    for table, said in (
        ("locale = 3", "[site] takes `locale` and `locale_dir` as strings"),
        ('colour = "red"', "[site] takes `locale` and `locale_dir` as strings, not `colour`"),
        ('locale = "p l"', "[site] locale must be a language tag"),
        ('locale_dir = "/etc"', "[site] locale_dir must be a folder relative to the project root"),
    ):
        (tmp_path / "cjdsl.toml").write_text(f"[site]\n{table}\n", encoding="utf-8")
        code, _, err = invoke("build", str(tmp_path), "-o", str(tmp_path / "site"))
        assert code == 2 and said in err, (table, err)


# -- what stays as it was ---------------------------------------------------------------------------


def test_check_fmt_and_an_english_build_never_load_babel(tmp_path: Path) -> None:
    (tmp_path / "plural.journey").write_text(_stages([2]), encoding="utf-8")
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from cjdsl.cli import main\n"
        f"for args in (['check', {str(tmp_path)!r}], ['fmt', '--check', {str(tmp_path)!r}],"
        f" ['build', {str(tmp_path)!r}, '-o', {str(tmp_path / 'site')!r}, '--only', 'html,tracking']):\n"
        "    result = CliRunner().invoke(main, args)\n"
        "    assert result.exit_code in (0, 1), (args, result.output)\n"
        "    assert not any(m == 'babel' or m.startswith('babel.') for m in sys.modules), args\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_vocabularies_have_a_word_for_every_value_of_the_language() -> None:
    tables = {
        "phase": (i18n.PHASES, v.PHASES),
        "severity": (i18n.SEVERITIES, v.SEVERITIES),
        "impact": (i18n.IMPACTS, v.LEVELS),
        "effort": (i18n.EFFORTS, v.LEVELS),
        "status": (i18n.STATUSES, v.STATUSES),
        "confidence": (i18n.CONFIDENCES, v.CONFIDENCES),
        "cause": (i18n.CAUSES, v.CAUSES),
        "channel kind": (i18n.CHANNEL_KINDS, v.CHANNEL_KINDS),
        "channel mode": (i18n.CHANNEL_MODES, v.CHANNEL_MODES),
        "time unit": (i18n.TIME_UNITS, v.TIME_UNITS),
    }
    for name, (table, values) in tables.items():
        assert set(values) <= set(table), name
    assert i18n.vocabulary_word(i18n.ENGLISH, i18n.STATUSES, "in_progress") == "in progress"
    assert i18n.vocabulary_word(i18n.ENGLISH, i18n.SEVERITIES, None) == "unrated"
