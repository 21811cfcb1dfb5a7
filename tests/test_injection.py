"""A corpus of hostile text (quotes, backslashes, \\N and \\G, HTML, javascript: URLs,
Mermaid and YAML separators, Mermaid directives and statements, Markdown mentions, links
and fences, CI workflow commands, CSV formula prefixes, tabs, line breaks and
right-to-left marks) through every backend: every output stays well formed for its
format and inert. (Other control characters never get this far: a `.journey` string
refuses them.)"""

from __future__ import annotations

import csv
import html.parser
import io
import json
from pathlib import Path

import cmarkgfm
import yaml
from click.testing import CliRunner

from cjdsl.backends.layout import Dot, DotMissing
from cjdsl.cli import main
from cjdsl.core.strings import quote
from tests.conftest import IN_CI

CORPUS = [
    '"quoted" \\ \\N \\G \\L',
    "<script>window.__x=1</script><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "a: b # c ; d %% e , f",
    "=SUM(1+1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "key: [list], {map}, &anchor *alias !!python/object ---",
    "tab\there and a \u202eright-to-left mark",
    '"]; evil [label="x',
    "Zażółć gęślą jaźń",
    "%%{init: {'theme': 'forest', 'themeVariables': {'fontSize': '40px'}}}%%",
    "title Hijacked",
    "section Evil",
    "@org/team see https://evil.example and www.evil.example #1 [x](https://evil.example)",
    "line\n```\n<img src=x onerror=alert(1)>\n::error file=a::b ##[add-mask]c",
]


def hostile_journey() -> str:
    q = quote
    lines = [
        f"journey hostile {q(CORPUS[0])} {{",
        f"  description {q(CORPUS[1])}",
        "  owner t",
        "}",
        f"team t {q(CORPUS[2])}",
        f"persona p {q(CORPUS[3])} {{",
        f"  role {q(CORPUS[4])}",
        "}",
        f"channel c {q(CORPUS[10])} online web",
        f"stage s {q(CORPUS[8])} phase awareness {{",
    ]
    for n, text in enumerate(CORPUS):
        lines += [
            f"  touchpoint t{n} {q(text)} {{",
            "    channel c",
            "    persona p",
            f"    context {q(text)}",
            f"    emotion {n % 5 - 2:+d}" if n % 5 != 2 else "    emotion 0",
            f"    next t{(n + 1) % len(CORPUS)}",
            f'    event "Thing{n} Happened" {{',
            f"      description {q(text)}",
            f'      p{n} enum({q(text)}, "b")',
            "    }",
            f"    pain pain{n} {q(text)} {{",
            "      severity high",
            f"      opportunity o{n} {q(text)} {{",
            "        impact high",
            "      }",
            "    }",
            "  }",
        ]
    lines += ["}", f"kpi k {q(CORPUS[5])} {{", f"  target {q(CORPUS[6])}", "  measures t0", "}"]
    return "\n".join(lines) + "\n"


class _Strict(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(dict(attrs))
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.handlers += [
            f"{name}={value}" for name, value in attrs if name == "href" and (value or "").startswith("javascript:")
        ]


def test_hostile_text_through_every_backend(tmp_path: Path) -> None:
    (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    (tmp_path / "hostile.journey").write_text(hostile_journey(), encoding="utf-8")
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(tmp_path / "hostile.journey"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    kinds = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json" or "/snowplow/" in path.as_posix():
            json.loads(text)
            kinds.add("json")
        elif path.suffix in (".yaml", ".yml"):
            yaml.safe_load(text)
            kinds.add("yaml")
        elif path.suffix == ".csv":
            for row in csv.reader(io.StringIO(text)):
                assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
            kinds.add("csv")
        elif path.suffix == ".html":
            parser = _Strict()
            parser.feed(text)
            own = ("assets/site.js", "assets/viewer.js")  # the site's scripts; the viewer's on its page
            assert parser.handlers == [] and all(s.get("src", "").endswith(own) for s in parser.scripts), path
            kinds.add("html")
        elif path.suffix == ".mmd":
            assert "%%" not in text, path  # no directive, no comment
            if ".journey." in path.name:
                lines = text.splitlines()
                assert lines[0] == "journey" and lines[1].startswith("    title ")
                for line in lines[2:]:
                    if line.startswith("      "):
                        assert len(line.split(": ")) == 3, line  # name: score: actors, nothing more
                    else:
                        assert line.startswith(("    section ", "    accTitle: ", "    accDescr: ")), line
            kinds.add("mermaid")
        elif path.suffix == ".md" and "/mermaid/" in path.as_posix():
            page = _Strict()
            page.feed(cmarkgfm.github_flavored_markdown_to_html(text))
            assert page.tags == ["h1", "p", "pre", "code", "pre", "code"], (path, page.tags)
            kinds.add("markdown")
        elif path.suffix == ".dot":
            kinds.add("dot")
    assert {"json", "yaml", "csv", "html", "mermaid", "markdown", "dot"} <= kinds
    try:
        dot = Dot.find(timeout=60)
    except DotMissing:
        assert not IN_CI, "CI must have Graphviz"
        return
    whole = (out / "graphviz" / "hostile.dot").read_text(encoding="utf-8")
    svg = dot(whole, "svg").decode("utf-8")
    assert svg.count('class="node"') == 2 * len(CORPUS) + 1  # touchpoints, pain points, legend
    assert "<script" not in svg
