"""The formatter: golden pairs, idempotence, meaning preserved, comments kept, and a
property test over generated models."""

from __future__ import annotations

import os
from dataclasses import replace
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
    IDS.filter(lambda s: s not in ("required", "when")),
    TYPES,
    st.booleans(),
    st.none() | TEXT,
    st.none() | NUMBER,
    st.none() | NUMBER,
    st.none() | TEXT,
)
EVENTS = st.builds(m.Event, TEXT, OPT_TEXT, st.lists(PROPS, max_size=3).map(tuple))
# Nodes are built by keyword, as the builder builds them: a field added to the model
# cannot shift the others.
OPPS = st.builds(
    m.Opportunity,
    IDS,
    st.none() | TEXT,
    impact=WORD,
    effort=WORD,
    owner=OPT_REF,
    status=WORD,
    description=OPT_TEXT,
    allow=ALLOWS,
)
CONFIDENCE = st.none() | st.sampled_from(["observed", "assumed", "guessed"])
PAINS = st.builds(
    m.Pain,
    IDS,
    st.none() | TEXT,
    at=OPT_REF,
    severity=WORD,
    cause=WORD,
    confidence=CONFIDENCE,
    description=OPT_TEXT,
    opportunities=st.lists(OPPS, max_size=2).map(tuple),
    opportunity_refs=REFS,
    allow=ALLOWS,
)
NESTED_PAINS = PAINS.map(lambda p: replace(p, at=None))
TIMES = st.none() | st.builds(
    m.Time,
    st.integers(0, 500) | st.decimals(0, 500, places=2).map(float),
    st.sampled_from(["s", "min", "h", "d", "w", "mo", "days"]),
    st.none() | st.integers(0, 900),
)
STEPS = st.builds(
    m.Step,
    ANY_TEXT,
    st.sampled_from(["frontstage", "backstage"]),
    actor=OPT_REF,
    owner=OPT_REF,
    duration=TIMES,
    wait=TIMES,
    support=REFS,
    description=OPT_TEXT,
    allow=ALLOWS,
)
QUOTES = st.builds(m.Quote, ANY_TEXT, source=st.none() | TEXT)
PERSONA_VALUES = st.lists(st.builds(m.PersonaValue, IDS.map(m.Ref), st.integers(-3, 6), st.none() | TEXT), max_size=2).map(tuple)
FLOWS = st.lists(st.builds(m.Ref, IDS, st.none() | TEXT), max_size=3).map(tuple)


@st.composite
def touchpoints(draw: st.DrawFn) -> m.Touchpoint:
    emotion = draw(st.none() | st.integers(-5, 5))
    micro = draw(st.booleans())
    moment = draw(st.booleans())
    steps = draw(st.lists(STEPS, max_size=3))
    return m.Touchpoint(
        draw(IDS),
        draw(st.none() | TEXT),
        channel=draw(OPT_REF),
        personas=draw(REFS),
        intents=draw(REFS),
        context=draw(OPT_TEXT),
        need=draw(OPT_TEXT),
        customer_action=draw(OPT_TEXT),
        company_action=draw(OPT_TEXT),
        emotion=emotion,
        feeling=draw(st.none() | TEXT) if emotion is not None else None,
        rating=draw(st.none() | st.integers(0, 9)),
        owner=draw(OPT_REF),
        entry=draw(st.booleans()),
        micro_conversion=micro,
        micro_conversion_label=draw(st.none() | TEXT) if micro else None,
        next=draw(FLOWS),
        events=tuple(draw(st.lists(EVENTS, max_size=2))),
        pains=tuple(draw(st.lists(NESTED_PAINS, max_size=1))),
        description=draw(OPT_TEXT),
        allow=draw(ALLOWS),
        untracked=draw(st.none() | TEXT),
        evidence=draw(OPT_TEXT),
        # Each persona once: a second value for one persona is an error (CJ010).
        emotion_for=tuple({pv.persona.id: pv for pv in draw(PERSONA_VALUES)}.values()),
        rating_for=tuple({pv.persona.id: replace(pv, feeling=None) for pv in draw(PERSONA_VALUES)}.values()),
        thinking=tuple(draw(st.lists(ANY_TEXT, max_size=2))),
        quotes=tuple(draw(st.lists(QUOTES, max_size=2))),
        confidence=draw(CONFIDENCE),
        moment_of_truth=moment,
        moment_of_truth_label=draw(st.none() | TEXT) if moment else None,
        duration=draw(TIMES),
        wait=draw(TIMES),
        detail=draw(OPT_REF),
        support=draw(REFS),
        # The model keeps frontstage steps before backstage ones, as the builder does.
        steps=tuple(sorted(steps, key=lambda x: x.lane != "frontstage")),
    )


STAGES = st.builds(
    m.Stage,
    IDS,
    st.none() | TEXT,
    phase=st.none() | st.sampled_from(v.PHASES),
    description=OPT_TEXT,
    touchpoints=st.lists(touchpoints(), max_size=3).map(tuple),
    pains=st.lists(NESTED_PAINS, max_size=1).map(tuple),
    allow=ALLOWS,
)
ITEMS = st.one_of(
    st.builds(m.Include, TEXT),
    st.builds(
        m.Journey,
        IDS,
        st.none() | TEXT,
        version=st.none() | TEXT,
        owner=OPT_REF,
        description=OPT_TEXT,
        tags=st.lists(TEXT, max_size=3).map(tuple),
        state=st.none() | st.sampled_from(["current", "future", "later"]),
        variant_of=OPT_REF,
        part_of=OPT_REF,
        allow=ALLOWS,
    ),
    st.builds(
        m.Persona,
        IDS,
        st.none() | TEXT,
        role=OPT_TEXT,
        industry=OPT_TEXT,
        age=st.none() | st.integers(0, 200),
        gender=OPT_TEXT,
        location=OPT_TEXT,
        goals=st.lists(ANY_TEXT, max_size=2).map(tuple),
        needs=st.lists(ANY_TEXT, max_size=2).map(tuple),
        concerns=st.lists(ANY_TEXT, max_size=2).map(tuple),
        interests=st.lists(ANY_TEXT, max_size=2).map(tuple),
        description=OPT_TEXT,
        allow=ALLOWS,
    ),
    st.builds(m.Intent, IDS, st.none() | TEXT, description=OPT_TEXT, allow=ALLOWS),
    st.builds(m.Team, IDS, st.none() | TEXT, description=OPT_TEXT, allow=ALLOWS),
    st.builds(m.Actor, IDS, st.none() | TEXT, team=OPT_REF, partner=st.booleans(), description=OPT_TEXT, allow=ALLOWS),
    st.builds(m.System, IDS, st.none() | TEXT, owner=OPT_REF, description=OPT_TEXT, allow=ALLOWS),
    st.builds(
        m.Metric,
        IDS,
        st.none() | TEXT,
        at=OPT_REF,
        value=st.none() | NUMBER,
        scale=st.none() | st.tuples(NUMBER, NUMBER),
        target=st.none() | TEXT,
        source=st.none() | TEXT,
        owner=OPT_REF,
        description=OPT_TEXT,
        allow=ALLOWS,
    ),
    st.builds(
        m.Channel,
        IDS,
        st.none() | TEXT,
        mode=st.none() | st.sampled_from(v.CHANNEL_MODES),
        kind=st.none() | st.sampled_from(v.CHANNEL_KINDS),
        description=OPT_TEXT,
        allow=ALLOWS,
    ),
    STAGES,
    PAINS,
    OPPS.filter(lambda o: o.label is not None or o.impact is not None),
    st.builds(
        m.Kpi,
        IDS,
        st.none() | TEXT,
        target=OPT_TEXT,
        measures=REFS,
        funnel=REFS,
        owner=OPT_REF,
        description=OPT_TEXT,
        allow=ALLOWS,
    ),
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


def test_an_event_without_properties_is_one_line() -> None:
    # An event's name is its header, not its body: with nothing else, no braces.
    source = 'journey j "J" {\n}\n\nstage s "S" {\n  touchpoint t "T" {\n    event "Page Viewed" {}\n  }\n}\n'
    out, _ = format_text(source, "f.journey")
    assert out is not None
    assert '    event "Page Viewed"\n' in out and "{\n    }" not in out
    assert format_text(out, "f.journey")[0] == out
