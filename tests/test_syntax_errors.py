"""Syntax errors: worded, located, coded, several per run, and never a traceback.

The texts are pinned: a change to a message is a change users see.
"""

from __future__ import annotations

import pytest

from cjdsl.core.diagnostics import Severity
from cjdsl.language.parser import MAX_SYNTAX_ERRORS, parse
from cjdsl.project.sources import decode_source
from tests.conftest import example_files, mutants

# (name, source, [(line:column, code, message, help), ...])
CATALOGUE = [
    (
        "unknown_attribute",
        "stage s {\n  touchpoint t {\n    chanel blog\n  }\n}\n",
        [
            (
                "3:5",
                "CJ001",
                "unknown touchpoint attribute `chanel`",
                "did you mean `channel`? a touchpoint takes `description`, `channel`, `persona`, `intent`, `entry`, `micro_conversion`, `moment_of_truth`, `context`, `need`, `thinking`, `quote`, `customer_action`, `company_action`, `frontstage`, `backstage`, `support`, `evidence`, `emotion`, `emotion for`, `rating`, `rating for`, `confidence`, `duration`, `wait`, `owner`, `next`, `detail`, `untracked`, `allow`, `event` or `pain`",
            )
        ],
    ),
    (
        "attribute_of_other_block",
        'stage s {\n  touchpoint t {\n    role "x"\n  }\n}\n',
        [
            (
                "3:5",
                "CJ001",
                "`role` is not an attribute of a touchpoint",
                "`role` belongs inside a persona; a touchpoint takes `description`, `channel`, `persona`, `intent`, `entry`, `micro_conversion`, `moment_of_truth`, `context`, `need`, `thinking`, `quote`, `customer_action`, `company_action`, `frontstage`, `backstage`, `support`, `evidence`, `emotion`, `emotion for`, `rating`, `rating for`, `confidence`, `duration`, `wait`, `owner`, `next`, `detail`, `untracked`, `allow`, `event` or `pain`",
            )
        ],
    ),
    (
        "missing_number",
        "stage s {\n  touchpoint t {\n    emotion happy\n  }\n}\n",
        [
            (
                "3:13",
                "CJ001",
                "expected a number after `emotion`, found name `happy` in touchpoint `t`",
                "write `emotion +1` (from -2 to +2)",
            )
        ],
    ),
    (
        "colon",
        'persona p {\n  role: "HR"\n}\n',
        [
            (
                "2:7",
                "CJ003",
                "unexpected character `:` in persona `p`; expected a string",
                "attributes are written `name value`, without `:`: `role ...`",
            )
        ],
    ),
    (
        "single_quotes",
        "persona p 'Anna'\n",
        [
            (
                "1:11",
                "CJ003",
                "unexpected character `'`; expected a string, `{`, the end of the file or a new declaration (`stage`, `persona`, ...)",
                'strings use double quotes: "like this"',
            )
        ],
    ),
    (
        "unterminated",
        'persona p "Anna\n',
        [
            (
                "1:11",
                "CJ002",
                "this string is not closed on its line",
                'close it with `"` on the same line, or use `"""` for text over several lines',
            )
        ],
    ),
    (
        "unterminated_triple",
        'journey j {\n  description """\n  never closed\n}\n',
        [("2:15", "CJ002", "this multi-line string is never closed", 'close it with `"""`')],
    ),
    (
        "non_ascii_id",
        'stage świadomość "Świadomość"\n',
        [
            (
                "1:7",
                "CJ003",
                "`świadomość` is not a valid id: ids use ASCII letters, digits and `_`",
                'keep the id ASCII and put the text in the label, for example `stage swiadomosc "Świadomość"`',
            )
        ],
    ),
    (
        "unclosed_at_eof",
        "stage s {\n  touchpoint t {\n    rating 4\n",
        [
            (
                "2:3",
                "CJ004",
                "touchpoint `t` is never closed",
                "add `}` to close the touchpoint (and 1 more `}` for the blocks around it)",
            )
        ],
    ),
    (
        "missing_close_before_next",
        "stage s {\n  touchpoint t {\n    rating 4\n}\nstage u {\n}\n",
        [
            (
                "5:1",
                "CJ004",
                "`stage` cannot appear inside stage `s`",
                "stage `s` (opened on line 1) is not closed: add `}` before this line",
            )
        ],
    ),
    (
        "top_level_typo",
        'journe j "J"\n',
        [
            (
                "1:1",
                "CJ001",
                "expected a declaration such as `journey`, `persona` or `stage`, found name `journe`",
                "did you mean `journey`?",
            )
        ],
    ),
    (
        "event_at_top",
        'event "Signed Up"\n',
        [("1:1", "CJ001", "`event` cannot appear at the top level of a file", "`event` belongs inside a touchpoint")],
    ),
    (
        "quoted_id",
        'stage s {\n  touchpoint "t" {\n  }\n}\n',
        [
            (
                "2:14",
                "CJ001",
                'expected a touchpoint id after `touchpoint`, found string "t" in stage `s`',
                "ids are written without quotes; quotes are for labels and text",
            )
        ],
    ),
    (
        "missing_id",
        "persona {\n}\n",
        [("1:9", "CJ001", "expected a persona id after `persona`, found `{`", 'write the id first: `persona my_id "Label" {`')],
    ),
    (
        "missing_type",
        'stage s {\n  touchpoint t {\n    event "E" {\n      plan_id\n    }\n  }\n}\n',
        [
            (
                "5:5",
                "CJ001",
                "expected the type of property `plan_id`, found `}` in event `E`",
                'a property is `name type`; types: string, integer, number, boolean, datetime, enum("a", "b"), list(string)',
            )
        ],
    ),
    (
        "hyphen_id",
        "stage s {\n  touchpoint t {\n    next blog-post\n  }\n}\n",
        [
            (
                "3:14",
                "CJ003",
                "unexpected character `-` in touchpoint `t`; expected `description`, `channel`, `persona`, `intent`, `entry`, `micro_conversion`, `moment_of_truth`, `context`, ...",
                "ids use `_` rather than `-`, for example `blog_post`; a negative number is written `-1`",
            )
        ],
    ),
    (
        "semicolon",
        'team t "T";\n',
        [
            (
                "1:11",
                "CJ003",
                "unexpected character `;`; expected `{`, the end of the file or a new declaration (`stage`, `persona`, ...)",
                "no `;` is needed: put each attribute on its own line",
            )
        ],
    ),
    (
        "funnel_end",
        "kpi k {\n  funnel a ->\n}\n",
        [("3:1", "CJ001", "expected a touchpoint id after `->`, found `}` in KPI `k`", None)],
    ),
    (
        "brackets",
        "stage s {\n  touchpoint t {\n    next [a, b]\n  }\n}\n",
        [
            (
                "3:10",
                "CJ003",
                "unexpected character `[` in touchpoint `t`; expected a name",
                "lists are written without brackets, separated by commas: `next a, b`",
            )
        ],
    ),
    (
        "two_errors",
        'persona p {\n  agee 3\n}\nteam t {\n  descripton "x"\n}\n',
        [
            (
                "2:3",
                "CJ001",
                "unknown persona attribute `agee`",
                "did you mean `age`? a persona takes `role`, `industry`, `age`, `gender`, `location`, `goal`, `need`, `concern`, `interest`, `description` or `allow`",
            ),
            (
                "5:3",
                "CJ001",
                "unknown team attribute `descripton`",
                "did you mean `description`? a team takes `description` or `allow`",
            ),
        ],
    ),
    (
        "string_for_number",
        'persona p {\n  age "38"\n}\n',
        [("2:7", "CJ001", 'expected a number after `age`, found string "38" in persona `p`', "write `age 38`")],
    ),
    (
        "control_char",
        'team t "T"\x07\n',
        [
            (
                "1:11",
                "CJ003",
                "unexpected character U+0007 (control character); expected `{`, the end of the file or a new declaration (`stage`, `persona`, ...)",
                "remove it, or put it inside a quoted string",
            )
        ],
    ),
    (
        "modifier_first",
        'stage s {\n  touchpoint t {\n    event "E" {\n      required\n    }\n  }\n}\n',
        [
            (
                "4:7",
                "CJ011",
                "`required` does not follow a property",
                'write modifiers after a property\'s type: `plan_id string required "Id of the plan"`',
            )
        ],
    ),
]


@pytest.mark.parametrize(("name", "source", "expected"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_message_catalogue(name: str, source: str, expected: list[tuple[str, str, str, str | None]]) -> None:
    result = parse(source, "f.journey")
    got = [(f"{d.span.line}:{d.span.column}" if d.span else "-", d.code, d.message, d.help) for d in result.diagnostics]
    assert got == expected


def test_no_message_shows_a_lark_name() -> None:
    for _, source, _ in CATALOGUE:
        for d in parse(source, "f.journey").diagnostics:
            text = f"{d.message} {d.help}"
            assert "__ANON" not in text and "$END" not in text and "RBRACE" not in text and "NAME" not in text


def test_several_errors_are_reported_in_one_run() -> None:
    source = "".join(f"persona p{i} {{\n  agee {i}\n}}\n" for i in range(5))
    result = parse(source, "f.journey")
    assert [d.span.line for d in result.diagnostics if d.span] == [2, 5, 8, 11, 14]


def test_error_count_is_capped() -> None:
    source = "".join(f"persona p{i} {{ agee {i} }}\n" for i in range(100))
    result = parse(source, "f.journey")
    assert len(result.diagnostics) == MAX_SYNTAX_ERRORS + 1
    assert result.diagnostics[-1].code == "CJ008"


def _never_raises(text: str) -> None:
    result = parse(text, "fuzz.journey")
    lines = text.count("\n") + 1
    for d in result.diagnostics:
        assert d.severity is Severity.ERROR
        if d.span is not None:
            assert 1 <= d.span.line <= lines and d.span.column >= 1, d
    if result.document is None:
        assert result.diagnostics, "a failed parse must say why"


def test_deep_nesting_does_not_recurse_or_hang() -> None:
    _never_raises("stage s " + "{" * 10_000 + "}" * 10_000)
    _never_raises('stage s { touchpoint t { event "E" { x list(' * 2_000)
    _never_raises("list(" * 10_000)


def test_long_garbage_and_huge_lists() -> None:
    _never_raises("\x01\x02\x03" * 10_000)
    _never_raises("stage s { touchpoint t { next " + ", ".join(f"t{i}" for i in range(50_000)) + " } }")
    _never_raises('"' * 5_000)
    _never_raises('"""' * 5_000)


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_mutated_examples_never_raise(path: object) -> None:
    text = path.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    inserts = ["{", "}", '"', "#", "\\", "->", ",", "ż", "\x00"]
    for mutated in mutants(text, str(path), cuts=40, count=30, inserts=inserts, swaps=True):
        _never_raises(mutated)


def test_unreadable_bytes_become_diagnostics() -> None:
    text, problem = decode_source(b"team t\n\x00\x01binary", "b.journey")
    assert text is None and problem is not None
    assert problem.code == "CJ006" and (problem.span.line, problem.span.column) == (2, 1)  # type: ignore[union-attr]
    text, problem = decode_source('team t "ż"\n'.encode() + b"\xff\xfe", "u.journey")
    assert text is None and problem is not None and "not valid UTF-8" in problem.message
    assert problem.span.line == 2  # type: ignore[union-attr]
    text, problem = decode_source(b"x" * 2048, "big.journey", max_bytes=1024)
    assert text is None and problem is not None and problem.code == "CJ007"
    text, problem = decode_source("\ufeffteam t".encode(), "bom.journey")
    assert text == "team t" and problem is None
