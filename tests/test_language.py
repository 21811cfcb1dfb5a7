"""The language table (cjdsl/language.py) is the one description of the blocks and
their attributes: the grammar accepts each attribute exactly where the table says, the
builder fills the model's fields from it, and the JSON Schema, the docs, the hints of
syntax errors and the span keys agree with it."""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, fields
from importlib import resources

import pytest

from cjdsl.language import table as language
from cjdsl.language.parser import parse
from cjdsl.language.syntax_errors import BLOCK_ATTRS
from tests.conftest import ROOT

#: A minimal block of each kind, with `@` where an attribute goes.
SHELLS = {
    "journey": 'journey j "J" {\n  @\n}\n',
    "persona": 'persona p "P" {\n  @\n}\n',
    "intent": 'intent i "I" {\n  @\n}\n',
    "channel": 'channel c "C" online web {\n  @\n}\n',
    "team": 'team t "T" {\n  @\n}\n',
    "stage": 'stage s "S" {\n  @\n}\n',
    "touchpoint": 'stage s "S" {\n  touchpoint t "T" {\n    @\n  }\n}\n',
    "pain": 'pain x "X" {\n  @\n}\n',
    "opportunity": 'opportunity o "O" {\n  @\n}\n',
    "kpi": 'kpi k "K" {\n  @\n}\n',
    "actor": 'actor a "A" {\n  @\n}\n',
    "system": 'system y "Y" {\n  @\n}\n',
    "metric": 'metric m "M" {\n  @\n}\n',
    "frontstage": 'stage s "S" {\n  touchpoint t "T" {\n    frontstage "F" {\n      @\n    }\n  }\n}\n',
    "backstage": 'stage s "S" {\n  touchpoint t "T" {\n    backstage "B" {\n      @\n    }\n  }\n}\n',
    "quote": 'stage s "S" {\n  touchpoint t "T" {\n    quote "Q" {\n      @\n    }\n  }\n}\n',
}
BLOCK_SAMPLES = {
    "touchpoint": 'touchpoint t2 "T2"',
    "pain": 'pain p2 "P2"',
    "event": 'event "E"',
    "opportunity": 'opportunity o2 "O2"',
    "quote": 'quote "Q2"',
    "frontstage": 'frontstage "F2"',
    "backstage": 'backstage "B2"',
}
SAMPLES = {
    "text": '@ "x"',
    "word": "@ low",
    "number": "@ 3",
    "ref": "@ x",
    "refs": "@ a, b",
    "chain": "@ a -> b",
    "texts": '@ "a", "b"',
    "flag": "@",
    "emotion": '@ +1 "ok"',
    "marker": '@ "lead"',
    "note": '@ "why"',
    "allow": '@ dead-end "why"',
    "time": "@ 3..6 d",
    "range": "@ 1..5",
    "persona": "@ p 2",
}
SYNTAX = {"CJ001", "CJ002", "CJ003", "CJ004", "CJ008", "CJ010", "CJ011", "CJ012"}
ATTRIBUTES = sorted({(a.keyword, a.kind) for b in language.BLOCKS.values() for a in b.attributes})


def sample(keyword: str, kind: str) -> str:
    return BLOCK_SAMPLES[keyword] if kind == "block" else SAMPLES[kind].replace("@", keyword)


def syntax_errors(text: str) -> list[str]:
    return [d.code for d in parse(text, "t.journey").diagnostics if d.code in SYNTAX]


@pytest.mark.parametrize(("keyword", "kind"), ATTRIBUTES)
def test_an_attribute_parses_where_the_table_says_and_nowhere_else(keyword: str, kind: str) -> None:
    for block, shell in SHELLS.items():
        text = shell.replace("@", sample(keyword, kind))
        has = language.BLOCKS[block].attribute(keyword) is not None
        errors = syntax_errors(text)
        assert (errors == []) == has, (block, keyword, errors)


@pytest.mark.parametrize("block", sorted(language.BLOCKS))
def test_the_builder_fills_every_field_the_table_names(block: str) -> None:
    spec = language.BLOCKS[block]
    lines = [sample(a.keyword, a.kind) for a in spec.attributes if a.kind != "block"]
    text = SHELLS[block].replace("@", "\n  ".join(lines))
    result = parse(text, "t.journey")
    assert syntax_errors(text) == []
    assert result.document is not None
    node = result.document.items[0]
    if block in ("touchpoint", "frontstage", "backstage", "quote"):
        node = node.touchpoints[0]  # type: ignore[union-attr]
    if block in ("frontstage", "backstage"):
        node = node.steps[0]  # type: ignore[union-attr]
    elif block == "quote":
        node = node.quotes[0]  # type: ignore[union-attr]
    assert isinstance(node, spec.model)
    defaults = {f.name: f.default for f in fields(spec.model) if f.default is not MISSING}
    for a in spec.attributes:
        if a.kind == "block":
            continue
        for name in a.fields:
            assert getattr(node, name) != defaults.get(name), (block, a.keyword, name)
        assert a.keyword in node.spans, (block, a.keyword)  # the span key is the keyword


def test_every_model_field_is_in_the_table_or_the_header() -> None:
    for spec in language.BLOCKS.values():
        header = {"span", "spans"} | ({"id", "label"} if "text" not in spec.header else set())
        named = {name for a in spec.attributes for name in a.fields} | set(spec.header) | header
        assert {f.name for f in fields(spec.model)} == named, spec.keyword


def test_the_hints_of_syntax_errors_come_from_the_table() -> None:
    for spec in language.BLOCKS.values():
        assert BLOCK_ATTRS[spec.noun] == [a.keyword for a in spec.attributes]


def test_span_keys_are_checked_names() -> None:
    assert language.span_key("touchpoint", "need") == "need"
    assert language.span_key("persona", "goal", 2) == "goal.2"
    with pytest.raises(KeyError, match="a touchpoint has no attribute `needs`"):
        language.span_key("touchpoint", "needs")
    # Every literal span key the code reads is a name of the table (or of events and properties).
    known = {a.keyword for b in language.BLOCKS.values() for a in b.attributes}
    known |= {h for b in language.BLOCKS.values() for h in b.header} | language.COMMON_SPAN_KEYS
    known |= {"name", "pattern", "minimum", "maximum", "required", "doc", "type", "when"}
    used = set()
    for path in (ROOT / "cjdsl").rglob("*.py"):
        used |= set(re.findall(r'spans\.get\("([a-z_]+)"', path.read_text(encoding="utf-8")))
        used |= set(re.findall(r'spans\["([a-z_]+)"\]', path.read_text(encoding="utf-8")))
    assert used and used <= known, used - known


#: Where each block is in the JSON backend's schema, and the fields it writes under
#: another name or not at all.
SCHEMA_PLACES = {
    "journey": ("properties", "journey"),
    "persona": ("properties", "personas", "items"),
    "intent": ("properties", "intents", "items"),
    "channel": ("properties", "channels", "items"),
    "team": ("properties", "teams", "items"),
    "stage": ("properties", "stages", "items"),
    "touchpoint": ("$defs", "touchpoint"),
    "pain": ("properties", "pains", "items"),
    "opportunity": ("properties", "opportunities", "items"),
    "kpi": ("properties", "kpis", "items"),
    "actor": ("properties", "actors", "items"),
    "system": ("properties", "systems", "items"),
    "metric": ("properties", "metrics", "items"),
    "frontstage": ("$defs", "step"),
    "backstage": ("$defs", "step"),
    "quote": ("$defs", "quote"),
}
NOT_IN_JSON = {"allow", "opportunity_refs"}  # suppressions are findings; references are merged into `opportunities`


def test_the_json_schema_has_every_field_of_the_table() -> None:
    schema = json.loads((resources.files("cjdsl") / "schemas" / "journey.schema.json").read_text(encoding="utf-8"))
    for block, place in SCHEMA_PLACES.items():
        node = schema
        for key in place:
            node = node[key]
        props = set(node["properties"])
        spec = language.BLOCKS[block]
        wanted = {name for a in spec.attributes for name in a.fields} | set(spec.header) - NOT_IN_JSON
        assert wanted - NOT_IN_JSON <= props, (block, wanted - props)


def test_the_language_reference_names_every_attribute() -> None:
    docs = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    for spec in language.BLOCKS.values():
        for a in spec.attributes:
            assert f"`{a.keyword}" in docs or f"{a.keyword} " in docs, (spec.keyword, a.keyword)
