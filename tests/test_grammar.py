"""The grammar itself: conflict-free, every terminal named and worded."""

from __future__ import annotations

import re

import pytest
from lark import Lark

from cjdsl.language.parser import grammar_text, make_lark
from cjdsl.language.syntax_errors import BLOCK_ATTRS, PHRASES, is_keyword


@pytest.fixture(scope="module")
def strict() -> Lark:
    return make_lark(strict=True)


def test_builds_in_strict_mode_without_conflicts(strict: Lark) -> None:
    assert strict.options.parser == "lalr"
    assert strict.options.lexer == "contextual"


def test_every_terminal_is_named_and_has_words(strict: Lark) -> None:
    names = {t.name for t in strict.terminals}
    assert not [n for n in names if n.startswith("__")], "anonymous terminals leak Lark names into errors"
    for name in names - {"WS", "COMMENT"}:
        assert name in PHRASES or is_keyword(name), f"{name} has no phrase for syntax errors"


def test_terminal_definitions_are_commented_sections() -> None:
    text = grammar_text()
    assert text.count("// ----") >= 10
    assert re.search(r"^NAME: ", text, re.M)


def _expected_after(prefix: str, strict: Lark) -> set[str]:
    ip = strict.parse_interactive(prefix)
    ip.exhaust_lexer()
    return {t.lower() for t in ip.accepts() if t.isupper() and t not in ("RBRACE", "$END", "NAME", "STRING")}


@pytest.mark.parametrize(
    ("kind", "prefix"),
    [
        ("journey", "journey j {"),
        ("persona", "persona p {"),
        ("intent", "intent i {"),
        ("team", "team t {"),
        ("channel", "channel c {"),
        ("stage", "stage s {"),
        ("touchpoint", "stage s { touchpoint t {"),
        ("pain point", "pain p {"),
        ("opportunity", "opportunity o {"),
        ("KPI", "kpi k {"),
        ("actor", "actor a {"),
        ("system", "system y {"),
        ("metric", "metric m {"),
        ("frontstage step", 'stage s { touchpoint t { frontstage "f" {'),
        ("backstage step", 'stage s { touchpoint t { backstage "b" {'),
        ("quote", 'stage s { touchpoint t { quote "q" {'),
    ],
)
def test_block_attribute_lists_match_the_grammar(strict: Lark, kind: str, prefix: str) -> None:
    """The attribute lists in syntax-error help texts are the grammar's own."""
    # `emotion for ID` and `rating for ID` start with the keyword of `emotion` and `rating`.
    assert _expected_after(prefix, strict) == {a.split()[0] for a in BLOCK_ATTRS[kind]}
