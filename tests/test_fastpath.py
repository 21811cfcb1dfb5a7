"""The fast path (cjdsl.language.fastpath) against Lark's own loop: on every input the parser
gives the same model, spans, comments and diagnostics either way, and the fast path
never turns away a file Lark accepts without falling back."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from cjdsl.core.span import LineIndex, Span
from cjdsl.language import fastpath
from cjdsl.language.parser import _parser, grammar_sha256, make_lark, parse
from tests.conftest import EXAMPLES, FIXTURES, ROOT, mutants
from tests.helpers import EXAMPLES_COUNT, SOURCES

ALL_SOURCES = sorted([*EXAMPLES.rglob("*.journey"), *FIXTURES.rglob("*.journey")])


def _spans(node: Any, out: list[Span]) -> list[Span]:
    """Every span in a model, in a fixed order (model equality ignores them)."""
    if isinstance(node, Span):
        out.append(node)
    elif dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            _spans(getattr(node, f.name), out)
    elif isinstance(node, (tuple, list)):
        for x in node:
            _spans(x, out)
    elif hasattr(node, "items"):
        for key, value in node.items():
            out.append(key)
            _spans(value, out)
    return out


def _fast_accepts(text: str) -> bool:
    parser = _parser()
    parser.builder.begin("f.journey", LineIndex(text))
    try:
        fastpath.parse(text, parser.tables, parser.builder.comments)
    except fastpath.Rejected:
        return False
    return True


def assert_same(text: str) -> None:
    fast, slow = parse(text, "f.journey"), parse(text, "f.journey", fast=False)
    assert fast.document == slow.document
    assert _spans(fast.document, []) == _spans(slow.document, [])
    assert fast.comments == slow.comments
    assert [(d.code, d.message, d.span, d.help) for d in fast.diagnostics] == [
        (d.code, d.message, d.span, d.help) for d in slow.diagnostics
    ]
    if slow.document is not None and not _fast_accepts(text):
        # Lark took it and the fast path did not: allowed only where the two tokenise
        # differently, which the fallback covers; such texts are listed below.
        assert any(ch in text for ch in "-\x0b"), text


@pytest.mark.parametrize("path", ALL_SOURCES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_every_source_parses_the_same_both_ways(path: Path) -> None:
    assert_same(path.read_bytes().decode("utf-8", errors="replace"))


def test_the_fast_path_takes_every_valid_example() -> None:
    """The examples are valid, so none of them may fall back to the slow loop."""
    for path in EXAMPLES.rglob("*.journey"):
        assert _fast_accepts(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize(
    "text",
    [
        # one kebab-case rule name to the fast lexer, `emotion` `-2` to Lark's contextual lexer
        'stage s { touchpoint t { emotion-2 "sad" } }',
        "stage s { allow dead-end, CJ201 touchpoint t { allow missing-owner } }",
        # keywords are names where the parser does not expect them
        'persona stage "Stage" { role "r" }\nchannel event "E" online web\nteam status',
        'stage s { touchpoint t { event "Order Placed" { min integer min 1 max 2 description string "d" status string } } }',
        # line endings, tabs, form feeds and a byte-order mark
        'stage s {\r\n\ttouchpoint t "T" {\r\n\t\tchannel c\r\n\t}\r\n}\r\n',
        '\ufeffteam a\f"A"\nteam b',
        # positions after multi-line strings and non-ASCII text
        'journey j {\n  description """\n    Zażółć "gęślą"\n    jaźń 😀\n  """ owner t\n}\nteam t "李伟" # ż\n',
        "stage s { touchpoint t { next a, b, c } }\nkpi k { funnel a -> b->c }",
        "",
        "   # only a comment",
    ],
)
def test_tricky_texts_parse_the_same_both_ways(text: str) -> None:
    assert_same(text)


def test_kebab_case_after_a_keyword_falls_back_and_still_parses() -> None:
    text = 'stage s { touchpoint t { emotion-2 "sad" } }'
    assert not _fast_accepts(text)
    result = parse(text)
    assert result.document is not None and not result.diagnostics
    assert result.document.items[0].touchpoints[0].emotion == -2  # type: ignore[union-attr]


@pytest.mark.parametrize("path", sorted(EXAMPLES.rglob("*.journey")), ids=lambda p: p.name)
def test_mutated_examples_parse_the_same_both_ways(path: Path) -> None:
    inserts = ["{", "}", '"', "#", "\\", "->", ",", "-", "ż", "\x0b", "\x00"]
    for mutated in mutants(path.read_text(encoding="utf-8"), path.name, cuts=15, count=25, inserts=inserts, swaps=False):
        assert_same(mutated)


@settings(max_examples=EXAMPLES_COUNT, deadline=None, suppress_health_check=list(HealthCheck))
@given(SOURCES)
def test_grammar_generated_text_parses_the_same_both_ways(text: str) -> None:
    assert_same(text)


TABLES = ROOT / "cjdsl" / "language" / "parse_tables.json"


def test_shipped_tables_are_made_from_the_grammar() -> None:
    """cjdsl/language/parse_tables.json is what Lark makes of grammar/journey.lark today; after
    editing the grammar, `CJDSL_UPDATE_GOLDEN=1 python -m pytest tests/test_fastpath.py`
    writes it anew. The same grammar gives the same file whatever the hash seed."""
    expected = json.dumps(fastpath.export(make_lark(), grammar_sha256()), indent=1) + "\n"
    if os.environ.get("CJDSL_UPDATE_GOLDEN"):
        TABLES.write_text(expected, encoding="utf-8")
    assert TABLES.read_text(encoding="utf-8") == expected, "run CJDSL_UPDATE_GOLDEN=1 python -m pytest tests/test_fastpath.py"
    other_seed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from cjdsl import fastpath; from cjdsl.language.parser import make_lark, grammar_sha256;"
            "print(json.dumps(fastpath.export(make_lark(), grammar_sha256()), indent=1))",
        ],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert other_seed.stdout == expected


def test_a_clean_file_is_parsed_without_importing_lark() -> None:
    """Lark (and its 70 ms of imports) loads only for a file with a syntax error."""
    code = (
        "import sys, cjdsl; r = cjdsl.parse('team t \"T\"'); assert r.document and not r.diagnostics;"
        "print('lark' in sys.modules); r = cjdsl.parse('team {'); print('lark' in sys.modules, r.diagnostics[0].code)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True", "CJ001"]
