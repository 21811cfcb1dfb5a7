"""Value checks: scales, vocabularies, property types and bounds."""

from __future__ import annotations

import pytest

import cjdsl
from cjdsl.core import model as m
from cjdsl.language.parser import parse
from cjdsl.language.values import check_document


def problems(source: str) -> list[tuple[str, str, str | None]]:
    doc = parse(source, "s.journey").document
    assert doc is not None
    return [(d.code, d.message, d.help) for d in check_document(doc)]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("stage s { touchpoint t { emotion +3 } }", "emotion +3 is out of range: it must be between -2 and +2"),
        ("stage s { touchpoint t { emotion 0.5 } }", "emotion 0.5 must be a whole number"),
        ("stage s { touchpoint t { rating 0 } }", "rating 0 is out of range: it must be between 1 and 5"),
        ("persona p { age 131 }", "age 131 is out of range: it must be between 0 and 130"),
    ],
)
def test_out_of_range(source: str, message: str) -> None:
    ((code, got, _),) = problems(source)
    assert (code, got) == ("CJ103", message)


def test_edges_of_the_scales_are_fine() -> None:
    assert problems("stage s { touchpoint t { emotion -2 rating 1 } touchpoint u { emotion +2 rating 5 } }") == []
    assert problems("persona p { age 0 } persona q { age 130 }") == []


@pytest.mark.parametrize(
    ("source", "message", "suggestion"),
    [
        ('stage s "S" phase awarness', "unknown phase `awarness`", "did you mean `awareness`?"),
        ("pain p { severity hgh }", "unknown severity `hgh`", "did you mean `high`?"),
        ("pain p { cause pricing }", "unknown cause `pricing`", "did you mean `price`?"),
        ("opportunity o { impact huge }", "unknown impact `huge`", None),
        ("opportunity o { status doing }", "unknown status `doing`", None),
        ('channel c "C" online webb', "unknown channel kind `webb`", "did you mean `web`?"),
    ],
)
def test_vocabularies(source: str, message: str, suggestion: str | None) -> None:
    ((code, got, help_),) = problems(source)
    assert (code, got) == ("CJ104", message)
    assert help_ is not None
    if suggestion:
        assert help_.startswith(suggestion)
    else:
        assert "one of:" in help_


def test_mode_after_kind_is_explained() -> None:
    ((d,),) = [parse('channel c "C" web online', "c.journey").diagnostics]
    assert (d.code, d.message, d.help) == (
        "CJ012",
        "`online` comes after the channel's kind `web`",
        'write the mode first: `channel c "..." online web`',
    )


def event(props: str) -> str:
    return f'stage s {{ touchpoint t {{ event "E" {{ {props} }} }} }}'


@pytest.mark.parametrize(
    ("props", "code", "message"),
    [
        ("p strin", "CJ105", "unknown property type `strin`"),
        ("p enum()", "CJ105", "an enum needs at least one value"),
        ('p enum("a", "a")', "CJ105", 'enum value "a" is listed twice'),
        ("p enum(string)", "CJ105", "enum values must be strings"),
        ("p list()", "CJ105", "a list takes exactly one item type"),
        ("p list(list(string))", "CJ105", "lists of lists are not supported"),
        ('p string("x")', "CJ105", "`string` takes no arguments"),
        ("p string min 5 max 2", "CJ106", "`min 5` is greater than `max 2` for property `p`"),
        ("p boolean min 1", "CJ106", "`min`/`max` do not apply to a boolean property"),
        ("p string max 2.5", "CJ106", "`max 2.5` must be a whole number for a string property"),
        ('p integer pattern "x"', "CJ106", "`pattern` applies to string properties, not integer"),
        (
            'p string pattern "("',
            "CJ106",
            "the pattern of property `p` is not a valid regular expression: missing ), unterminated subpattern at position 0",
        ),
        ("p string q integer p number", "CJ107", 'property `p` is declared twice in event "E"'),
    ],
)
def test_property_checks(props: str, code: str, message: str) -> None:
    ((got_code, got, _),) = problems(event(props))
    assert (got_code, got) == (code, message)


def test_valid_properties_pass() -> None:
    assert problems(event('a string min 1 max 5 pattern "^x" b integer min -3 c list(enum("x", "y")) max 3 d datetime')) == []


def test_nested_pain_with_at_is_misplaced() -> None:
    ((code, message, _),) = problems("stage s { touchpoint t { pain p { at t } } }")
    assert code == "CJ012" and message == "pain point `p` is inside a touchpoint, so it needs no `at`"


def test_second_journey_in_a_file() -> None:
    ((code, message, _),) = problems('journey a "A"\njourney b "B"')
    assert code == "CJ013" and "`b`" in message


def test_an_event_placed_by_a_property_value_and_a_funnel_window() -> None:
    text = (
        'kpi k "K" {\n  funnel a\n  window 7 d\n}\n\nstage s "S" {\n  touchpoint a "A" {\n'
        '    event "Page Viewed" {\n      when path "/pricing"\n      path string required\n    }\n  }\n}\n'
    )
    result = parse(text, "t.journey")
    assert result.diagnostics == ()
    assert result.document is not None
    kpi, stage = result.document.items
    assert kpi.window == m.Time(7, "d") and stage.touchpoints[0].events[0].when == ("path", "/pricing")  # type: ignore[union-attr]
    assert cjdsl.format_text(text)[0] == text
    undeclared = parse(text.replace("path string required", "page string required"), "t.journey")
    codes = [(d.code, d.message) for d in check_document(undeclared.document)]  # type: ignore[arg-type]
    assert codes == [("CJ012", '`when` names property `path`, which event "Page Viewed" does not declare')]
    twice = parse(text.replace('      when path "/pricing"\n', '      when path "/pricing"\n      when path "/x"\n'), "t.journey")
    assert [d.code for d in twice.diagnostics] == ["CJ010"]
