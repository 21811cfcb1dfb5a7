"""Hostile text in the outputs a pull request from a fork reaches: the CI log (`cjdsl diff`
as text, `cjdsl events validate`) and the pull-request comment (`cjdsl diff --format
markdown`, rendered with GitHub's own Markdown renderer, cmark-gfm). Every user string
must come out as text: no escape sequence, no workflow command, no markup, mention,
link, image or code fence of its own."""

from __future__ import annotations

import html.parser
import json
import re
import subprocess
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

import cmarkgfm
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import cjdsl
from cjdsl.backends.mermaid import markdown_page, markdown_text
from cjdsl.cli import main
from cjdsl.core.strings import quote
from cjdsl.core.terminal import safe, visible_controls
from cjdsl.review.diff import Edit, diff, render_markdown, render_text
from tests.conftest import ROOT

#: What GitHub's Actions runner (and Azure's) reads as a command in a log line.
CI_LOG_HOSTILE = [
    "::error file=.github/workflows/ci.yml,line=1::pwned",
    "::add-mask::secret",
    "::stop-commands::token",
    "a\n::error::after a line feed",
    "a\r::warning::after a carriage return",
    "a\r\n::notice::after CRLF",
    "a\u2028::error::after a line separator",
    "a\u2029::error::after a paragraph separator",
    "a\x85::error::after NEL",
    "a\x0b::error::after a vertical tab",
    "a\x0c::error::after a form feed",
    "   ::error::indented",
    "\u3000\u00a0::error::after Unicode blanks",
    "##[error]legacy command anywhere",
    "text ##[add-mask]secret",
    "text ##vso[task.setvariable variable=x]y",
    "###[error]three hashes",
    "\x1b[2J\x1b[31mred and the screen cleared",
    "\x1b]0;window title\x07",
    "\x1b]8;;https://evil.example\x1b\\a link\x1b]8;;\x1b\\",
    "\x1b]52;c;Y2xpcGJvYXJk\x07 clipboard",
    "\x9b31m C1 CSI \x9d0;title\x9c",
    "\x00 NUL \x7f DEL \x08 backspace",
    "\u202eright-to-left override \u2066isolate\u2069",
]

#: The characters no line of cjdsl's text output may hold (besides each line's end).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def workflow_commands(log: str) -> list[str]:
    """The lines of ``log`` that a CI runner would run as a command: GitHub's `::name::`
    at the start of a line after blanks, the older `##[name]` and Azure's `##vso[`
    anywhere in a line. Lines are split wherever any reader might split them."""
    return [line for line in log.splitlines() if line.lstrip().startswith("::") or "##[" in line or "##vso[" in line]


# -- the one function for terminals and CI logs ------------------------------------------


@pytest.mark.parametrize("text", CI_LOG_HOSTILE)
def test_safe_text_is_one_inert_line_for_a_terminal_and_a_ci_log(text: str) -> None:
    shown = safe(text)
    assert _CONTROLS.search(shown) is None, shown
    assert all(ch.isprintable() or unicodedata.category(ch) == "Zs" for ch in shown), shown
    assert workflow_commands(shown) == []
    # At the start of a line, or after blanks, it still starts no command.
    assert workflow_commands("  " + shown) == workflow_commands(shown + "\n" + shown) == []


def test_safe_text_shows_each_control_as_a_visible_escape() -> None:
    assert safe("\x1b[31m") == "\\x1b[31m"
    assert safe("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert safe("\u2028\u2029\x85\x9b\x7f\x00") == "\\u2028\\u2029\\x85\\x9b\\x7f\\x00"
    assert safe("\u202eevil") == "\\u202eevil"
    assert safe("::error::x") == "\\x3a:error::x"
    assert safe(" \t::error::x") == " \\t::error::x"  # the tab is escaped, so the line starts with text
    assert safe("  ::error::x") == "  \\x3a:error::x"
    assert safe("a ##[error] b ##vso[x]") == "a #\\x23[error] b #\\x23vso[x]"
    assert safe(42) == "42"


@pytest.mark.parametrize(
    "text", ["Zażółć gęślą jaźń", "a: b # c ; d", "C:\\Faktury\\2026", "50% off → now", "李伟 🙂", "a::b", "#1 choice", ""]
)
def test_ordinary_text_is_printed_unchanged(text: str) -> None:
    assert safe(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",))), st.text(st.sampled_from(" \t\n\r:#[]\x1b\u2028\x85v")))
def test_no_text_makes_safe_output_a_command_or_an_escape_sequence(noise: str, syntax: str) -> None:
    for text in (noise, syntax, syntax + noise, noise + syntax):
        shown = safe(text)
        assert _CONTROLS.search(shown) is None
        assert workflow_commands(shown) == [] and workflow_commands("    " + shown) == []


# -- `cjdsl diff` as text ----------------------------------------------------------------


def _journey(stages: list[tuple[str, str, list[tuple[str, str, int]]]], *, title: str = "Shop") -> str:
    """A journey: stages of (id, label, touchpoints of (id, label, emotion))."""
    lines = [f"journey shop {quote(title)} {{", "  owner t", "}", 'team t "Team"', 'persona p "P" { role "Buyer" }']
    for sid, label, tps in stages:
        lines.append(f"stage {sid} {quote(label)} phase awareness {{")
        for tid, tlabel, emotion in tps:
            lines += [f"  touchpoint {tid} {quote(tlabel)} {{", "    persona p", f"    emotion {emotion:+d}", "  }"]
        lines.append("}")
    return "\n".join(lines) + "\n"


#: Hostile text a `.journey` string can hold (its strings refuse other control
#: characters, so those are tried through the renderers directly below).
FILE_HOSTILE = [
    "x\n::error file=a.yml,line=1::from a label",
    "::add-mask::secret",
    "  ::warning::indented",
    "##[error]legacy",
    "tab\t::error::after a tab",
    "\u202eoverride",
    "@org/team see https://evil.example <img src=x onerror=alert(1)>",
]


def _diff_sides(tmp_path: Path, hostile: list[str]) -> tuple[Path, Path]:
    old = _journey([(f"s{n}", f"Stage {n}", [(f"t{n}", f"Task {n}", 0)]) for n in range(len(hostile))])
    new = _journey([(f"s{n}", text, [(f"t{n}", text, 1)]) for n, text in enumerate(hostile)], title=hostile[0])
    for name, text in (("old", old), ("new", new)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
        (tmp_path / name / "shop.journey").write_text(text, encoding="utf-8")
    return tmp_path / "old", tmp_path / "new"


def test_the_text_diff_of_hostile_labels_starts_no_command_in_a_ci_log(tmp_path: Path) -> None:
    old, new = _diff_sides(tmp_path, FILE_HOSTILE)
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.stderr
    log = result.stdout
    assert workflow_commands(log) == [], log
    assert _CONTROLS.search(log.replace("\n", "")) is None
    lines = log.splitlines()
    assert lines[0] == "journey shop" and re.fullmatch(r"\d+ changes", lines[-1])
    assert all(line.startswith("  ") and line[2] in "+-~>=" for line in lines[1:-1]), lines
    # Each label still reads as itself, its line breaks and tab shown as escapes.
    assert "  ~ stage s0: label Stage 0 → x\\n::error file=a.yml,line=1::from a label" in lines
    assert "  ~ stage s1: label Stage 1 → \\x3a:add-mask::secret" in lines
    assert "  ~ touchpoint t4: label Task 4 → tab\\t::error::after a tab" in lines
    assert "  ~ stage s3: label Stage 3 → #\\x23[error]legacy" in lines


def test_coloured_diff_escapes_come_only_from_cjdsl(tmp_path: Path) -> None:
    old, new = _diff_sides(tmp_path, FILE_HOSTILE)
    result = CliRunner().invoke(main, ["diff", "--color", "always", str(old), str(new)])
    for line in result.stdout.splitlines()[1:-1]:
        match = re.fullmatch(r"\x1b\[3[1236]m(.*)\x1b\[0m", line)
        assert match is not None and _CONTROLS.search(match.group(1)) is None, line


def test_render_text_escapes_controls_a_journey_file_cannot_hold() -> None:
    """The renderer does not count on the parser: edits built in code (a library user's,
    or a future reader of other sources) with any control character stay inert."""
    edits = [
        Edit("changed", "touchpoint", "shop", "t1", "label", text, "after " + text)
        for text in [*CI_LOG_HOSTILE, "\u2028::error::x", "\x1b]0;t\x07"]
    ]
    edits.append(Edit("changed", "event", "shop", "\r::error::Event", "properties", {"a": "\x1b[31m\u2028"}, None))
    log = render_text(edits) + render_text(edits, color=True).replace("\x1b[0m", "")
    assert workflow_commands(log) == []
    assert _CONTROLS.search(re.sub(r"\x1b\[3[1236]m", "", log).replace("\n", "")) is None


# -- `cjdsl events validate` -------------------------------------------------------------


def test_events_validate_prints_captured_names_and_values_inert(tmp_path: Path) -> None:
    (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    plan_event = "::error file=x::Plan\n::add-mask::secret ##[error]z \u202erlo"
    (tmp_path / "plan.journey").write_text(
        'journey j "J" { owner t }\nteam t "T"\nstage s "S" phase awareness {\n  touchpoint a "A" {\n'
        '    event "Ok Event" {\n      kind enum("x", "y") required\n    }\n'
        f"    event {quote(plan_event)} {{\n      n integer\n    }}\n  }}\n}}\n",
        encoding="utf-8",
    )
    captured = [{"event": "Ok Event", "properties": {"kind": "z\n::error::value"}}]
    captured.append({"event": "Ok Event", "properties": {"kind": "x", "\n::error file=a::property\x1b[31m": 1}})
    captured += [{"event": text, "properties": {}} for text in CI_LOG_HOSTILE]
    lines = [json.dumps(c, ensure_ascii=False) for c in captured] + ["not json \x1b[2J ::error::x"]
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["events", "validate", str(tmp_path / "plan.journey"), str(tmp_path / "events.jsonl")])
    assert result.exit_code == 1, result.stderr  # two invalid events
    log = result.stdout
    assert workflow_commands(log) == [], log
    assert _CONTROLS.search(log.replace("\n", "")) is None
    assert "  \\x1b]0;window title\\x07: 1" in log.splitlines()
    assert "property `\\n::error file=a::property\\x1b[31m` is not in the plan" in log
    rows = [line for line in log.splitlines()[: 1 + 1 + 2 + 1] if not line.startswith(" ")]
    # The table's columns still line up: names are measured as printed.
    assert len(rows) == 3 and len({len(line) for line in rows}) == 1, rows
    as_json = CliRunner().invoke(
        main, ["events", "validate", "--format", "json", str(tmp_path / "plan.journey"), str(tmp_path / "events.jsonl")]
    )
    data = json.loads(as_json.stdout)  # JSON keeps the names as they are
    assert set(CI_LOG_HOSTILE) <= set(data["unknown_events"]) and plan_event in {e["event"] for e in data["events"]}


# -- the pull-request comment, through GitHub's renderer -----------------------------------


def gfm(markdown: str) -> str:
    """HTML as GitHub renders a comment: cmark-gfm with GitHub's extensions."""
    return cmarkgfm.github_flavored_markdown_to_html(markdown)


class Html(html.parser.HTMLParser):
    """The tags (with attributes), text, table rows and code blocks of rendered HTML."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.rows: list[int] = []
        self.codes: list[str] = []
        self._code: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append(0)
        elif tag in ("td", "th"):
            self.rows[-1] += 1
        elif tag == "code":
            self._code = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self._code is not None:
            self.codes.append("".join(self._code))
            self._code = None

    def handle_data(self, data: str) -> None:
        (self._code if self._code is not None else self.text).append(data)

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.tags if name == tag)

    @property
    def plain(self) -> str:
        """The text outside code, zero-width spaces taken out, blanks collapsed."""
        return " ".join("".join(self.text).replace("\u200b", "").split())


#: Text that would be markup, a mention, a link or a fence in a comment.
MARKDOWN_HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<a href='https://evil.example'>click</a>",
    "<script>alert(1)</script><details open>",
    "<!-- hidden --> <https://evil.example>",
    "[click](https://evil.example) ![pixel](https://evil.example/p.png)",
    "[ref][1] [1]: https://evil.example [^note]",
    "@org/team and @someone, mail a@evil.example",
    "https://evil.example/x HTTP://EVIL.EXAMPLE www.evil.example WWW.Evil.Example ftp://evil.example",
    "#123 and org/repo#45 and GH-6",
    "**bold** __bold__ *em* _em_ ~~strike~~ ~strike~",
    "`code` ``more code`` ```fence",
    "a | b | c",
    "&#64;team &lt;img&gt; &amp;",
    "$x^2$ and $$\\huge big$$",
    "\\*escaped\\* \\",
    ":warning: - [ ] task + item > quote # heading",
]
#: Line breaks GitHub's renderer (or a reader of the comment) would take.
LINE_BREAKS = ["\r", "\n", "\r\n", "\u2028", "\u2029", "\x85"]


def _check_inert(page: Html) -> None:
    text = "".join(page.text)  # zero-width spaces kept: they are what breaks a mention or a link
    assert not re.search(r"@[A-Za-z0-9]", text), text  # mentions and e-mail links
    assert not re.search(r"#\d", text), text  # issue references
    assert "://" not in text and "www." not in text.lower(), text  # autolinks
    assert not any(name in ("a", "img", "script", "iframe", "details", "del", "input", "sup") for name, _ in page.tags)


@pytest.mark.parametrize("text", MARKDOWN_HOSTILE + [f"a{br}```{br}<img src=x>{br}@org" for br in LINE_BREAKS])
def test_markdown_text_is_inert_in_a_paragraph_a_list_a_table_and_a_heading(text: str) -> None:
    shown = markdown_text(text)
    expected = " ".join(re.sub("\r\n|[\r\n\x85\u2028\u2029]", " ", text).split())
    for markdown, structure in (
        (f"x {shown} y", ["p"]),
        (f"- x {shown} y", ["ul", "li"]),
        (f"#### x {shown} y", ["h4"]),
        (f"| x | y |\n| --- | --- |\n| {shown} | z |", ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]),
    ):
        page = Html(gfm(markdown))
        assert [name for name, _ in page.tags] == structure, (markdown, gfm(markdown))
        assert expected in page.plain, (expected, page.plain)
        _check_inert(page)


def test_markdown_text_shows_controls_and_keeps_ordinary_text() -> None:
    assert Html(gfm(markdown_text("a\x1b[31mb\x07"))).plain == "a\\x1b[31mb\\x07"
    for text in ("Zażółć gęślą jaźń", "blog_post", "Ad Clicked.creative", "emotion 0 → -1", "(none)", "50% off!"):
        assert markdown_text(text) == text
    assert markdown_text("_x_ a_b") == "\\_x\\_ a_b"


def _edits_for(texts: list[str]) -> list[Edit]:
    edits = []
    for n, text in enumerate(texts):
        edits += [
            Edit("changed", "touchpoint", "shop", f"t{n}", "label", f"old {text}", text, ("experience",)),
            Edit("added", "event", "shop", text, impact=("tracking-additive",)),
            Edit("removed", "property", "shop", f"{text}.{text}", impact=("tracking-breaking",)),
            Edit(
                "changed", "property", "shop", f"Ev.{text}", "constraints", {"enum": [text]}, {"enum": []}, ("tracking-breaking",)
            ),
            Edit("renamed", "stage", "shop", f"n{n}", "id", text, f"n{n}"),
            Edit("moved", "touchpoint", "shop", f"m{n}", "stage", text, "b"),
        ]
    return edits


def _chart_journeys(folder: Path, labels: list[str]) -> tuple[cjdsl.ResolvedJourney, cjdsl.ResolvedJourney]:
    """Two versions of a real journey whose stages then take the hostile labels (which a
    `.journey` string may refuse, such as a carriage return)."""
    base = _journey([(f"s{n}", f"S{n}", [(f"t{n}", f"T{n}", n % 3 - 1)]) for n in range(len(labels))])
    out = []
    for name, text in (("old", base), ("new", base.replace("emotion -1", "emotion +2"))):
        (folder / name).mkdir()
        (folder / name / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
        (folder / name / "shop.journey").write_text(text, encoding="utf-8")
        project = cjdsl.check([folder / name / "shop.journey"])
        assert project.ok, project.diagnostics
        (j,) = project.journeys
        out.append(replace(j, stages=tuple(replace(s, label=label) for s, label in zip(j.stages, labels))))
    return out[0], out[1]


def _assert_comment_inert(markdown: str, edits: list[Edit], charts: int) -> Html:
    page = Html(gfm(markdown))
    _check_inert(page)
    allowed = {"h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "p", "strong", "em", "pre", "code"}
    assert {name for name, _ in page.tags} <= allowed, {name for name, _ in page.tags} - allowed
    # The tables keep their columns: the summary (5), the emotion per stage (3), the versions (4).
    assert page.rows and page.rows[0] == 5 and all(cells in (3, 4, 5) for cells in page.rows), page.rows
    assert page.count("em") == sum(1 for e in edits if e.impact and "tracking-breaking" not in e.impact)
    assert page.count("strong") == len({e.journey for e in edits if "tracking-breaking" in e.impact})
    # Code spans hold only the template's ids (identifiers of the language, which hold no
    # backtick); the only code blocks are the template's charts, each fence closed where
    # the template closes it (six lines, the last one the second line of values).
    blocks = [code for code in page.codes if "\n" in code]
    inline = [code for code in page.codes if "\n" not in code]
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|tracking\.lock\.json|cjdsl build", code) for code in inline), inline
    assert page.count("pre") == len(blocks) == charts
    for code in blocks:
        lines = code.rstrip("\n").split("\n")
        assert len(lines) == 6 and lines[0] == "xychart-beta", lines
        assert lines[2].startswith("    x-axis [") and lines[5].startswith("    line [") and "%%" not in code
    assert [attrs.get("lang") for name, attrs in page.tags if name == "pre"] == ["mermaid"] * charts
    return page


def test_the_comment_renders_hostile_edits_as_text_and_nothing_else(tmp_path: Path) -> None:
    texts = MARKDOWN_HOSTILE + [f"a{br}```{br}<img src=x>{br}[x](https://e.example){br}|" for br in LINE_BREAKS]
    edits = _edits_for(texts)
    old, new = _chart_journeys(tmp_path, texts)
    markdown = render_markdown(edits, [old], [new])
    page = _assert_comment_inert(markdown, edits, charts=1)
    for text in texts:
        assert " ".join(re.sub("\r\n|[\r\n\x85\u2028\u2029]", " ", text).split()) in page.plain
    (code,) = [c for c in page.codes if "\n" in c]
    assert "#lt;img src=x onerror=alert(1)#gt;" in code  # labels only through Mermaid's entity codes


def test_the_diff_command_comment_of_hostile_journeys_is_inert(tmp_path: Path) -> None:
    hostile = [text.replace("\r", "") for text in MARKDOWN_HOSTILE] + ["a\n```\n<img src=x>", "%%{init: {'theme':'forest'}}%%"]
    old, new = _diff_sides(tmp_path, hostile)
    result = CliRunner().invoke(main, ["diff", "--format", "markdown", str(old), str(new)])
    assert result.exit_code == 0, result.stderr
    edits = diff(cjdsl.check([old]).journeys, cjdsl.check([new]).journeys)
    page = _assert_comment_inert(result.stdout, edits, charts=1)
    assert "label Stage 0 → &lt;img" not in page.plain and "label Stage 0 → <img src=x onerror=alert(1)>" in page.plain


def test_a_journey_markdown_page_shows_a_hostile_title_as_text(tmp_path: Path) -> None:
    for title in [*MARKDOWN_HOSTILE, "a\n```\n<img src=x>"]:
        (tmp_path / "shop.journey").unlink(missing_ok=True)
        (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
        (tmp_path / "shop.journey").write_text(_journey([("s", "S", [("t", "T", 1)])], title=title), encoding="utf-8")
        (j,) = cjdsl.check([tmp_path / "shop.journey"]).journeys
        page = Html(gfm(markdown_page(j)))
        assert [name for name, _ in page.tags][:1] == ["h1"] and page.count("h1") == 1
        assert {name for name, _ in page.tags} <= {"h1", "p", "pre", "code"} and page.count("pre") == 2
        _check_inert(page)


def test_visible_controls_leave_printable_text_alone() -> None:
    every_printable = "".join(chr(c) for c in range(0x20, 0x3000) if chr(c).isprintable())
    assert visible_controls(every_printable) == every_printable
    escaped = visible_controls("".join(map(chr, range(0xA0))))
    assert escaped.isprintable() and all(unicodedata.category(ch) != "Cc" for ch in escaped)


def test_the_hostile_paths_benchmark_runs_at_small_sizes() -> None:
    """The harness keeps working (its timings are reported, never asserted: at sizes this
    small, noise decides the verdict)."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "hostile_paths.py"), "--sizes", "8,16", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    timed = [row for row in rows if "seconds" in row]
    assert [(row["path"], row["kb"]) for row in timed] == [("fence", 8), ("fence", 16), ("ids", 8), ("ids", 16)]
    assert all(row["seconds"] > 0 and row["bytes"] >= 7000 for row in timed)
    assert {row["path"]: "linear" in row for row in rows if "seconds" not in row} == {"fence": True, "ids": True}
