"""Source text → model."""

from __future__ import annotations

from cjdsl.core import model as m
from cjdsl.language.parser import parse

FULL = '''
# a comment
include "shared/people.journey"

journey hr "HR SaaS" {
  version "2.1.0"
  owner marketing
  description """
    How an HR manager finds us.
      Indented line.
  """
  tags "b2b", "saas"
}

persona anna "Anna Kowalska, HR Manager" {
  role "HR Manager"
  age 38
  goal "Cut time-to-hire"
  goal "Fewer spreadsheets"
  need "A clear price"
}

channel blog "Company blog" online web
intent educational "Wants to learn"
team marketing "Marketing"

stage awareness "Świadomość" phase awareness {
  touchpoint blog_post "Reads an article \\"on hiring\\"" {
    channel blog
    persona anna
    intent educational
    entry
    micro_conversion "Newsletter sign-up"
    emotion -1 "sceptical"
    rating 4
    owner marketing
    next report, demo
    event "Article Viewed" {
      description "An article page was viewed"
      article_id string required min 1 max 64 "CMS id"
      topic enum("hiring", "payroll")
      tags list(string) max 10
      min integer
      description number
      score number min -1.5
      email string pattern "^[^@]+@[^@]+$"
    }
    pain slow "Page loads slowly" {
      severity high
      cause technology
      opportunity cdn "Serve from a CDN" {
        impact high
        effort low
      }
    }
  }
}

kpi leads "Visitor-to-lead" {
  funnel blog_post -> report
  target ">= 3%"
}
'''


def test_parses_every_construct() -> None:
    result = parse(FULL, "hr.journey")
    assert result.diagnostics == ()
    doc = result.document
    assert doc is not None
    assert [type(i).__name__ for i in doc.items] == [
        "Include",
        "Journey",
        "Persona",
        "Channel",
        "Intent",
        "Team",
        "Stage",
        "Kpi",
    ]
    journey = doc.journeys[0]
    assert journey.description == "How an HR manager finds us.\n  Indented line."
    assert journey.tags == ("b2b", "saas")
    assert journey.owner == m.Ref("marketing")
    persona = doc.items[2]
    assert isinstance(persona, m.Persona)
    assert persona.goals == ("Cut time-to-hire", "Fewer spreadsheets")
    assert persona.needs == ("A clear price",)
    assert persona.age == 38
    channel = doc.items[3]
    assert isinstance(channel, m.Channel) and (channel.mode, channel.kind) == ("online", "web")
    stage = doc.items[6]
    assert isinstance(stage, m.Stage) and stage.label == "Świadomość" and stage.phase == "awareness"
    tp = stage.touchpoints[0]
    assert tp.label == 'Reads an article "on hiring"'
    assert (tp.entry, tp.micro_conversion, tp.micro_conversion_label) == (True, True, "Newsletter sign-up")
    assert (tp.emotion, tp.feeling, tp.rating) == (-1, "sceptical", 4)
    assert [r.id for r in tp.next] == ["report", "demo"]
    event = tp.events[0]
    assert event.description == "An article page was viewed"
    props = {p.name: p for p in event.properties}
    assert list(props) == ["article_id", "topic", "tags", "min", "description", "score", "email"]
    assert props["article_id"].required and props["article_id"].minimum == 1 and props["article_id"].maximum == 64
    assert props["article_id"].description == "CMS id"
    assert props["topic"].type.values == ("hiring", "payroll")
    assert props["tags"].type.item == m.PropertyType("string")
    assert props["min"].type.name == "integer" and props["description"].type.name == "number"
    assert props["score"].minimum == -1.5
    assert props["email"].pattern == "^[^@]+@[^@]+$"
    pain = tp.pains[0]
    assert (pain.severity, pain.cause, pain.opportunities[0].impact) == ("high", "technology", "high")
    kpi = doc.items[7]
    assert isinstance(kpi, m.Kpi) and [r.id for r in kpi.funnel] == ["blog_post", "report"]


def test_spans_point_at_the_source_and_equality_ignores_them() -> None:
    a = parse('persona anna "Anna" {\n  age 38\n}\n', "a.journey").document
    b = parse('persona    anna "Anna" { age 38 }', "b.journey").document
    assert a is not None and b is not None
    pa, pb = a.items[0], b.items[0]
    assert pa == pb
    assert pa.span.path == "a.journey" and (pa.span.line, pa.span.column) == (1, 1)
    assert isinstance(pa, m.Persona)
    assert (pa.spans["age"].line, pa.spans["age"].column) == (2, 3)
    assert (pa.spans["id"].line, pa.spans["id"].column, pa.spans["id"].end_column) == (1, 9, 13)
    assert pa.spans["end"].line == 3


def test_keywords_are_ids_where_an_id_is_expected() -> None:
    doc = parse('persona stage "A persona called stage"\nteam journey "J"', "k.journey").document
    assert doc is not None
    assert [i.id for i in doc.items] == ["stage", "journey"]  # type: ignore[union-attr]


def test_a_keyword_needs_a_word_boundary() -> None:
    result = parse('journeyfoo x "X"', "k.journey")
    assert result.document is None
    assert "name `journeyfoo`" in result.diagnostics[0].message


def test_string_escapes_and_unicode() -> None:
    doc = parse('intent i "tab\\there \\u{1F600} \\\\ \\"q\\" Zażółć"', "s.journey").document
    assert doc is not None
    assert doc.items[0].label == 'tab\there 😀 \\ "q" Zażółć'  # type: ignore[union-attr]


def test_unknown_escape_is_reported_where_it_is() -> None:
    result = parse('intent i "bad \\q escape"', "s.journey")
    (d,) = result.diagnostics
    assert d.code == "CJ005" and d.message == "unknown escape `\\q`"
    assert (d.span.line, d.span.column) == (1, 15)  # type: ignore[union-attr]


def test_comments_are_collected_with_positions() -> None:
    result = parse("# one\nteam t  # two\n", "c.journey")
    assert [(c.text, c.line, c.column) for c in result.comments] == [("# one", 1, 1), ("# two", 2, 9)]


def test_repeated_list_lines_merge_and_single_values_do_not() -> None:
    result = parse("stage s { touchpoint t { persona a\n persona b\n rating 3\n rating 4 } }", "r.journey")
    doc = result.document
    assert doc is not None
    tp = doc.items[0].touchpoints[0]  # type: ignore[union-attr]
    assert [r.id for r in tp.personas] == ["a", "b"]
    assert tp.rating == 3
    (d,) = result.diagnostics
    assert d.code == "CJ010" and d.message == "`rating` is given twice in this touchpoint"
    assert d.related[0].message == "first given here" and d.related[0].span.line == 3


def test_opportunity_without_label_or_block_is_a_reference() -> None:
    doc = parse('pain p { opportunity later\n opportunity now "Now" }', "o.journey").document
    assert doc is not None
    pain = doc.items[0]
    assert isinstance(pain, m.Pain)
    assert pain.opportunity_refs == (m.Ref("later"),)
    assert [o.id for o in pain.opportunities] == ["now"]


def test_crlf_and_bom_are_accepted() -> None:
    result = parse('\ufeffteam t "T"\r\nteam u\r\n'.lstrip("\ufeff"), "w.journey")
    assert result.document is not None and len(result.document.items) == 2


def test_parser_cache_lives_only_in_a_private_folder(tmp_path: object, monkeypatch: object) -> None:
    """Lark's cache is a pickle: it is used only in the user's own cache folder, never
    where someone else could write it."""
    import os
    import stat
    from pathlib import Path

    from cjdsl.language.parser import cache_path

    base = Path(str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))  # type: ignore[attr-defined]
    monkeypatch.delenv("CJDSL_NO_CACHE", raising=False)  # type: ignore[attr-defined]
    path = cache_path()
    assert path is not None and Path(path).parent == base / "cjdsl"
    assert stat.S_IMODE(os.stat(base / "cjdsl").st_mode) == 0o700
    os.chmod(base / "cjdsl", 0o777)
    assert cache_path() is None  # a world-writable folder is never trusted
    os.chmod(base / "cjdsl", 0o700)
    Path(path).write_bytes(b"not a pickle")
    os.chmod(path, 0o666)
    assert cache_path() is None  # nor a world-writable file
    monkeypatch.setenv("CJDSL_NO_CACHE", "1")  # type: ignore[attr-defined]
    assert cache_path() is None
