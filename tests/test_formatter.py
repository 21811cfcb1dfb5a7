"""The formatter: golden pairs, idempotence, meaning preserved, comments kept, and a
property test over generated models."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cjdsl.core import model as m
from cjdsl.core import vocabulary as v
from cjdsl.language.formatter import format_document, format_text
from cjdsl.language.parser import parse
from cjdsl.language.syntax_errors import _ORDER, is_keyword
from tests.conftest import FIXTURES, example_files

GOLDEN = sorted((FIXTURES / "format").glob("*.in.journey"))
ALL_SOURCES = example_files() + GOLDEN + sorted((FIXTURES / "format").glob("*.out.journey"))
UPDATE = os.environ.get("CJDSL_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("source", GOLDEN, ids=lambda p: p.name)
def test_golden_pairs(source: Path) -> None:
    expected_path = source.with_name(source.name.replace(".in.", ".out."))
    out, diagnostics = format_text(source.read_text(encoding="utf-8"), source.name)
    assert diagnostics == () and out is not None
    if UPDATE:
        expected_path.write_text(out, encoding="utf-8")
    assert out == expected_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("source", ALL_SOURCES, ids=lambda p: p.name)
def test_idempotent_and_meaning_preserved(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    once, _ = format_text(text, "f.journey")
    assert once is not None
    twice, _ = format_text(once, "f.journey")
    assert twice == once
    assert parse(once, "f.journey").document == parse(text, "f.journey").document


@pytest.mark.parametrize("source", ALL_SOURCES, ids=lambda p: p.name)
def test_every_comment_is_kept(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    once, _ = format_text(text, "f.journey")
    assert once is not None
    before = [c.text.rstrip() for c in parse(text, "f.journey").comments]
    after = [c.text.rstrip() for c in parse(once, "f.journey").comments]
    assert sorted(after) == sorted(before)


def test_examples_are_already_formatted() -> None:
    for source in example_files():
        text = source.read_text(encoding="utf-8")
        assert format_text(text, source.name)[0] == text, f"run `cjdsl fmt {source}`"


def test_a_file_with_syntax_errors_is_not_formatted() -> None:
    out, diagnostics = format_text("stage s {", "f.journey")
    assert out is None and diagnostics[0].code == "CJ004"


def test_layout_rules() -> None:
    out, _ = format_text('team a "A" team b "B" stage s { touchpoint t { emotion 0 } touchpoint u { } }', "f")
    assert out == ('team a "A"\nteam b "B"\n\nstage s {\n  touchpoint t {\n    emotion 0\n  }\n\n  touchpoint u\n}\n')


# -- property test: any model prints to text that parses back to the same model ---------

# Ids are often keywords of the language too: the contextual lexer must still read them as ids.
KEYWORDS = sorted(t.lower() for t in _ORDER if is_keyword(t))
IDS = st.sampled_from(KEYWORDS) | st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)
# Text holds no control character but tab and line feed (CJ009 refuses the others).
CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")) | st.sampled_from(["\t", "\n"])
TEXT = st.text(CHARS, max_size=40)
LINES = st.lists(st.text(CHARS, max_size=15), min_size=1, max_size=4).map("\n".join)
ANY_TEXT = TEXT | LINES
OPT_TEXT = st.none() | ANY_TEXT
NUMBER = st.integers(-1000, 1000) | st.decimals(-1000, 1000, places=3, allow_nan=False).map(float)
REFS = st.lists(IDS.map(m.Ref), max_size=3).map(tuple)
ALLOWS = st.lists(
    st.builds(m.Allow, st.lists(IDS.map(m.Ref), min_size=1, max_size=3).map(tuple), st.none() | TEXT, REFS), max_size=2
).map(tuple)
OPT_REF = st.none() | IDS.map(m.Ref)
WORD = st.none() | st.sampled_from(["low", "high", "weird_word"])

SCALAR = st.builds(m.PropertyType, st.sampled_from(v.SCALAR_TYPES))
ENUM = st.builds(lambda vals: m.PropertyType("enum", tuple(vals), None, len(vals)), st.lists(TEXT, min_size=1, max_size=3))
TYPES = st.one_of(SCALAR, ENUM, st.builds(lambda t: m.PropertyType("list", (), t, 1), SCALAR | ENUM))
PROPS = st.builds(
    m.Property,
    IDS.filter(lambda s: s != "required"),
    TYPES,
    st.booleans(),
    st.none() | TEXT,
    st.none() | NUMBER,
    st.none() | NUMBER,
    st.none() | TEXT,
)
EVENTS = st.builds(m.Event, TEXT, OPT_TEXT, st.lists(PROPS, max_size=3).map(tuple))
OPPS = st.builds(m.Opportunity, IDS, st.none() | TEXT, WORD, WORD, OPT_REF, WORD, OPT_TEXT, ALLOWS)
PAINS = st.builds(
    m.Pain,
    IDS,
    st.none() | TEXT,
    OPT_REF,
    WORD,
    WORD,
    OPT_TEXT,
    st.lists(OPPS, max_size=2).map(tuple),
    REFS,
    ALLOWS,
)
NESTED_PAINS = PAINS.map(
    lambda p: m.Pain(p.id, p.label, None, p.severity, p.cause, p.description, p.opportunities, p.opportunity_refs, p.allow)
)


@st.composite
def touchpoints(draw: st.DrawFn) -> m.Touchpoint:
    emotion = draw(st.none() | st.integers(-5, 5))
    micro = draw(st.booleans())
    return m.Touchpoint(
        draw(IDS),
        draw(st.none() | TEXT),
        draw(OPT_REF),
        draw(REFS),
        draw(REFS),
        draw(OPT_TEXT),
        draw(OPT_TEXT),
        draw(OPT_TEXT),
        draw(OPT_TEXT),
        emotion,
        draw(st.none() | TEXT) if emotion is not None else None,
        draw(st.none() | st.integers(0, 9)),
        draw(OPT_REF),
        draw(st.booleans()),
        micro,
        draw(st.none() | TEXT) if micro else None,
        draw(REFS),
        tuple(draw(st.lists(EVENTS, max_size=2))),
        tuple(draw(st.lists(NESTED_PAINS, max_size=1))),
        draw(OPT_TEXT),
        draw(ALLOWS),
    )


STAGES = st.builds(
    m.Stage,
    IDS,
    st.none() | TEXT,
    st.none() | st.sampled_from(v.PHASES),
    OPT_TEXT,
    st.lists(touchpoints(), max_size=3).map(tuple),
    st.lists(NESTED_PAINS, max_size=1).map(tuple),
    ALLOWS,
)
ITEMS = st.one_of(
    st.builds(m.Include, TEXT),
    st.builds(
        m.Journey, IDS, st.none() | TEXT, st.none() | TEXT, OPT_REF, OPT_TEXT, st.lists(TEXT, max_size=3).map(tuple), ALLOWS
    ),
    st.builds(
        m.Persona,
        IDS,
        st.none() | TEXT,
        OPT_TEXT,
        OPT_TEXT,
        st.none() | st.integers(0, 200),
        OPT_TEXT,
        OPT_TEXT,
        *[st.lists(ANY_TEXT, max_size=2).map(tuple)] * 4,
        OPT_TEXT,
        ALLOWS,
    ),
    st.builds(m.Intent, IDS, st.none() | TEXT, OPT_TEXT, ALLOWS),
    st.builds(m.Team, IDS, st.none() | TEXT, OPT_TEXT, ALLOWS),
    st.builds(
        m.Channel,
        IDS,
        st.none() | TEXT,
        st.none() | st.sampled_from(v.CHANNEL_MODES),
        st.none() | st.sampled_from(v.CHANNEL_KINDS),
        OPT_TEXT,
        ALLOWS,
    ),
    STAGES,
    PAINS,
    OPPS.filter(lambda o: o.label is not None or o.impact is not None),
    st.builds(m.Kpi, IDS, st.none() | TEXT, OPT_TEXT, REFS, REFS, OPT_REF, OPT_TEXT, ALLOWS),
)
DOCUMENTS = st.builds(m.Document, st.just("gen.journey"), st.lists(ITEMS, max_size=5).map(tuple))


@settings(
    max_examples=int(os.environ.get("CJDSL_HYPOTHESIS_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(DOCUMENTS)
def test_any_model_prints_and_parses_back(doc: m.Document) -> None:
    text = format_document(doc)
    result = parse(text, "gen.journey")
    assert result.diagnostics == (), text
    assert result.document == doc
    assert format_document(result.document) == text
    assert [line for line in text.split("\n") if line != line.rstrip(" \t")] == [], "no trailing whitespace"
