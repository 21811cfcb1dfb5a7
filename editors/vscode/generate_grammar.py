"""Writes `syntaxes/journey.tmLanguage.json`, the TextMate grammar of `.journey` files,
from the language table (`cjdsl/language/table.py`) and the closed vocabularies
(`cjdsl/core/vocabulary.py`), so a new block, attribute or vocabulary word reaches the
editors by running this script; `tests/test_editor_grammar.py` fails while the committed
grammar differs from what it writes.

    python editors/vscode/generate_grammar.py           # rewrite the grammar
    python editors/vscode/generate_grammar.py --check   # exit 1 if it is out of date

What the grammar knows of each block comes from its row in the table: the keyword that
declares it, what its header holds, and its attributes, each coloured by its kind (a
reference, a list of references, a word from a vocabulary, a time, ...). Inside a block
only that block's attributes are keywords, as in the parser, where a keyword is only a
keyword where one is expected (`persona stage` declares a persona whose id is `stage`).
The body of an `event` (properties and their modifiers) is not in the table; its few
keywords are written below, after `grammar/journey.lark`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cjdsl.core import vocabulary as v
from cjdsl.core.strings import _SIMPLE as SIMPLE_ESCAPES  # the one-character escapes the decoder knows
from cjdsl.language.table import BLOCKS, Attribute, Block

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "syntaxes" / "journey.tmLanguage.json"
SCOPE = "source.journey"

Rule = dict[str, Any]

# Pieces of regular expressions (Oniguruma, as VS Code's TextMate engine runs them).
NAME = r"[A-Za-z_][A-Za-z0-9_]*"
NUMBER = r"[+-]?[0-9]+(?:\.[0-9]+)?"
#: A rule in `allow`: a code such as CJ211 or a kebab-case name such as dead-end.
RULE = r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9]+)*"
#: A one-line string, for the lists that hold labels (`next a "if approved", b`).
STRING = r'"(?:[^"\\]|\\.)*"'

#: The vocabulary of each `word` attribute and header word, by keyword. A `word`
#: attribute added to the table without an entry here stops the generator.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "state": v.STATES,
    "confidence": v.CONFIDENCES,
    "severity": v.SEVERITIES,
    "cause": v.CAUSES,
    "impact": v.LEVELS,
    "effort": v.LEVELS,
    "status": v.STATUSES,
    "phase": v.PHASES,
}

#: The event body's keywords (grammar/journey.lark, `event_item`): `description` and
#: `when` open an item; the modifiers follow a property.
EVENT_DESCRIPTION = "description"
EVENT_WHEN = "when"
EVENT_MODIFIERS = {"required": None, "min": "number", "max": "number", "pattern": "string"}


def words(items: Iterable[str]) -> str:
    """An alternation of whole words, in a stable order."""
    return "|".join(re.escape(w) for w in sorted(set(items)))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def include(name: str) -> Rule:
    return {"include": f"#{name}"}


# -- what every context shares -----------------------------------------------------------


def shared() -> dict[str, Rule]:
    simple = "".join(re.escape(c) for c in sorted(SIMPLE_ESCAPES))
    escapes = [
        {"match": rf"\\(?:[{simple}]|u\{{[0-9A-Fa-f]{{1,6}}\}})", "name": "constant.character.escape.journey"},
        {"match": r"\\(?:u\{[^}\s\"]*\}?|.)", "name": "invalid.illegal.escape.journey"},
    ]
    return {
        "comment": {
            "match": r"(#).*$",
            "name": "comment.line.number-sign.journey",
            "captures": {"1": {"name": "punctuation.definition.comment.journey"}},
        },
        "string": {
            "patterns": [
                {
                    "begin": '"""',
                    "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.journey"}},
                    "end": '"""',
                    "endCaptures": {"0": {"name": "punctuation.definition.string.end.journey"}},
                    "name": "string.quoted.triple.journey",
                    "patterns": [include("escape")],
                },
                {
                    "begin": '"',
                    "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.journey"}},
                    # A one-line string ends at the line's end even when its quote is
                    # missing, so one typo does not colour the rest of the file.
                    "end": '"|$',
                    "endCaptures": {"0": {"name": "punctuation.definition.string.end.journey"}},
                    "name": "string.quoted.double.journey",
                    "patterns": [include("escape")],
                },
            ]
        },
        "escape": {"patterns": escapes},
        "number": {"match": rf"(?<![A-Za-z0-9_]){NUMBER}", "name": "constant.numeric.journey"},
        "punctuation": {
            "patterns": [
                {"match": r"\.\.", "name": "keyword.operator.range.journey"},
                {"match": r"->", "name": "keyword.operator.arrow.journey"},
                {"match": ",", "name": "punctuation.separator.comma.journey"},
                {"match": r"\{", "name": "punctuation.section.block.begin.journey"},
                {"match": r"\}", "name": "punctuation.section.block.end.journey"},
            ]
        },
        "values": {"patterns": [include("comment"), include("string"), include("number"), include("punctuation")]},
        "rules": {
            "patterns": [
                {"match": ",", "name": "punctuation.separator.comma.journey"},
                {"match": RULE, "name": "constant.other.rule.journey"},
            ]
        },
        "include": {
            "match": r"\b(include)\b",
            "captures": {"1": {"name": "keyword.control.import.journey"}},
        },
    }


# -- attributes, by kind -------------------------------------------------------------------


def targets() -> list[str | None]:
    """What references name, from the table (`touchpoint`, `team`, ...), and None for
    the ids after `allow ... for`, which may be of any kind."""
    found = {a.target for b in BLOCKS.values() for a in b.attributes if a.target and a.kind in ("refs", "chain")}
    return [None, *sorted(found)]


def reference_lists() -> dict[str, Rule]:
    """The items of a list of references (`next a "label", b`, `funnel a -> b`), one
    rule per kind of target so every id gets its target's scope."""
    return {
        _references(target): {
            "patterns": [
                include("string"),
                {"match": ",", "name": "punctuation.separator.comma.journey"},
                {"match": r"->", "name": "keyword.operator.arrow.journey"},
                {"match": NAME, "name": _reference(target)},
            ]
        }
        for target in targets()
    }


def _references(target: str | None) -> str:
    return f"references-{slug(target)}" if target else "references"


def _keyword() -> dict[str, Rule]:
    """The captures of a rule whose first group is an attribute's keyword."""
    return {"1": {"name": "keyword.other.attribute.journey"}}


def _reference(target: str | None) -> str:
    return f"variable.other.reference.{slug(target)}.journey" if target else "variable.other.reference.journey"


def _word(vocabulary: tuple[str, ...], scope: str, prefix: str) -> Rule:
    """`prefix` then an optional word: a known one as a constant, any other as invalid."""
    return {
        "match": rf"{prefix}(?:\s+(?:({words(vocabulary)})\b|({NAME})))?",
        "captures": {
            "1": {"name": "keyword.other.attribute.journey"},
            "2": {"name": f"support.constant.{scope}.journey"},
            "3": {"name": "invalid.illegal.unknown-word.journey"},
        },
    }


def _time(keyword: str) -> Rule:
    units = words(v.TIME_UNITS)
    return {
        "match": rf"\b({keyword})\b(?:\s+({NUMBER})(?:\s*(\.\.)\s*({NUMBER}))?(?:\s*(?:({units})\b|({NAME})))?)?",
        "captures": {
            **_keyword(),
            "2": {"name": "constant.numeric.journey"},
            "3": {"name": "keyword.operator.range.journey"},
            "4": {"name": "constant.numeric.journey"},
            "5": {"name": "keyword.other.unit.journey"},
            "6": {"name": "invalid.illegal.unit.journey"},
        },
    }


def attribute_rule(block: Block, keyword: str, rows: list[Attribute]) -> Rule:
    """The rule for one attribute keyword of a block, from its rows in the table (one,
    or two for `emotion` and `emotion for`). A nested block's keyword is not one: its
    declaration rule takes it."""
    kinds = {a.kind for a in rows}
    main = rows[0]
    kw = rf"\b({re.escape(keyword)})\b"
    if kinds <= {"emotion", "number", "persona"}:
        # `emotion 1 "word"`, `emotion for ID -2 "word"`, `rating 4`, `rating for ID 2`
        if "persona" not in kinds:
            return {"match": kw, "captures": _keyword()}
        target = next(a.target for a in rows if a.kind == "persona")
        return {
            "match": rf"{kw}(?:\s+(for)\b(?:\s+({NAME}))?)?",
            "captures": {**_keyword(), "2": {"name": "keyword.other.for.journey"}, "3": {"name": _reference(target)}},
        }
    (kind,) = kinds
    if kind in PLAIN:
        return {"match": kw, "captures": _keyword()}
    if kind == "ref":
        return {"match": rf"{kw}(?:\s+({NAME}))?", "captures": {**_keyword(), "2": {"name": _reference(main.target)}}}
    if kind == "refs":
        item = rf"{NAME}(?:\s*{STRING})?"
        return {
            "match": rf"{kw}(?:\s+({item}(?:\s*,\s*{item})*(?:\s*,)?))?",
            "captures": {**_keyword(), "2": {"patterns": [include(_references(main.target))]}},
        }
    if kind == "chain":
        return {
            "match": rf"{kw}(?:\s+({NAME}(?:\s*->\s*{NAME})*(?:\s*->)?))?",
            "captures": {**_keyword(), "2": {"patterns": [include(_references(main.target))]}},
        }
    if kind == "word":
        if keyword not in VOCABULARIES:
            raise SystemExit(f"the {block.noun}'s `{keyword}` takes a word: add its vocabulary to VOCABULARIES in {__file__}")
        return _word(VOCABULARIES[keyword], slug(keyword), kw)
    if kind == "time":
        return _time(re.escape(keyword))
    if kind == "range":
        return {
            "match": rf"{kw}(?:\s+({NUMBER})\s*(\.\.)\s*({NUMBER}))?",
            "captures": {
                **_keyword(),
                "2": {"name": "constant.numeric.journey"},
                "3": {"name": "keyword.operator.range.journey"},
                "4": {"name": "constant.numeric.journey"},
            },
        }
    if kind == "allow":
        return {
            "match": rf"{kw}(?:\s+({RULE}(?:\s*,\s*{RULE})*))?(?:\s+(for)\b(?:\s+({NAME}(?:\s*,\s*{NAME})*)))?",
            "captures": {
                **_keyword(),
                "2": {"patterns": [include("rules")]},
                "3": {"name": "keyword.other.for.journey"},
                "4": {"patterns": [include(_references(None))]},
            },
        }
    raise SystemExit(f"no rule for attributes of kind `{kind}` (the {block.noun}'s `{keyword}`): add one in {__file__}")


# -- declarations and their bodies ---------------------------------------------------------


def header_rules(block: Block) -> list[Rule]:
    """What a declaration's header holds besides its id and label."""
    out: list[Rule] = []
    for part in block.header:
        if part in ("text", "lane"):  # the text is a string; the lane is the keyword itself
            continue
        if part == "phase":
            out.append(_word(VOCABULARIES["phase"], "phase", r"\b(phase)\b"))
        elif part == "mode":
            out.append({"match": rf"\b(?:{words(v.CHANNEL_MODES)})\b", "name": "support.constant.channel-mode.journey"})
        elif part == "kind":
            out.append({"match": rf"\b(?:{words(v.CHANNEL_KINDS)})\b", "name": "support.constant.channel-kind.journey"})
            out.append({"match": NAME, "name": "invalid.illegal.unknown-word.journey"})
        else:
            raise SystemExit(f"no rule for the {block.noun}'s header part `{part}`: add one in {__file__}")
    return out


def declaration(keyword: str, *, named: bool, header: list[Rule], body: str) -> Rule:
    """`keyword ID "label" header... { body }`; the braces are optional, so without them
    the declaration ends where the next line starts an item (or a block closes)."""
    begin = rf"\b({re.escape(keyword)})\b" + (rf"(?:\s+({NAME}))?" if named else "")
    captures = {"1": {"name": f"storage.type.{slug(keyword)}.journey"}}
    if named:
        captures["2"] = {"name": f"entity.name.type.{slug(keyword)}.journey"}
    return {
        "begin": begin,
        "beginCaptures": captures,
        "end": r"(?<=\})|(?=\})|(?=^\s*[A-Za-z_])",
        "name": f"meta.declaration.{slug(keyword)}.journey",
        "patterns": [include("comment"), include("string"), *header, include(body), include("values")],
    }


def body(name: str, patterns: list[Rule]) -> Rule:
    return {
        "begin": r"\{",
        "beginCaptures": {"0": {"name": "punctuation.section.block.begin.journey"}},
        "end": r"\}",
        "endCaptures": {"0": {"name": "punctuation.section.block.end.journey"}},
        "name": f"meta.block.{name}.journey",
        "patterns": [include("comment"), *patterns, include("values")],
    }


def nested(attribute: Attribute) -> str:
    """The declaration rule a `block` attribute opens."""
    if attribute.keyword in BLOCKS or attribute.keyword == "event":
        return f"declaration-{slug(attribute.keyword)}"
    raise SystemExit(f"no declaration for the nested block `{attribute.keyword}`: add one in {__file__}")


#: Kinds of attribute whose value the shared rules colour (a string, a number) or that
#: have none: their keyword is all the grammar needs to know.
PLAIN = {"text", "texts", "number", "flag", "marker", "note"}


def block_rules() -> dict[str, Rule]:
    """A declaration and a body for every block. In a body, one rule takes the keywords
    of the attributes whose values need nothing of their own (fewer rules tokenize
    faster); each other attribute has its rule, shared by the blocks where it reads the
    same (`allow`, `owner`)."""
    rules: dict[tuple[str, str], Rule] = {}  # (block, keyword) → rule
    bodies: dict[str, list[tuple[str, str]]] = {}  # block → its items: ("rule" | "include", key)
    plain: dict[str, list[str]] = {}  # block → the keywords of its plain attributes
    for block in BLOCKS.values():
        by_keyword: dict[str, list[Attribute]] = {}
        for a in block.attributes:
            by_keyword.setdefault(a.keyword.split()[0], []).append(a)
        items = bodies[block.keyword] = []
        plain[block.keyword] = []
        for keyword, rows in by_keyword.items():
            if any(a.kind == "block" for a in rows):
                items.append(("include", nested(rows[0])))
            elif {a.kind for a in rows} <= PLAIN:
                plain[block.keyword].append(keyword)
            else:
                rules[block.keyword, keyword] = attribute_rule(block, keyword, rows)
                items.append(("rule", keyword))
    names: dict[tuple[str, str], str] = {}
    for (block_kw, keyword), rule in rules.items():
        same = all(r == rule for (_, k), r in rules.items() if k == keyword)
        names[block_kw, keyword] = f"attribute-{slug(keyword)}" if same else f"attribute-{slug(block_kw)}-{slug(keyword)}"
    out: dict[str, Rule] = {}
    for block in BLOCKS.values():
        name = slug(block.keyword)
        named = "text" not in block.header
        out[f"declaration-{name}"] = declaration(block.keyword, named=named, header=header_rules(block), body=f"body-{name}")
        patterns = [include(key if what == "include" else names[block.keyword, key]) for what, key in bodies[block.keyword]]
        if plain[block.keyword]:
            patterns.insert(0, {"match": rf"\b({words(plain[block.keyword])})\b", "captures": _keyword()})
        out[f"body-{name}"] = body(name, patterns)
    for key, name in sorted(names.items(), key=lambda kv: kv[1]):
        out.setdefault(name, rules[key])
    return out


def event_rules() -> dict[str, Rule]:
    types = words(v.PROPERTY_TYPES)
    type_name = {
        "match": rf"\b(?:({types})\b|({NAME}))",
        "captures": {"1": {"name": "support.type.property.journey"}, "2": {"name": "invalid.illegal.unknown-type.journey"}},
    }
    modifiers = []
    for word, takes in EVENT_MODIFIERS.items():
        ahead = {None: "", "number": r"(?=\s*[+-]?[0-9])", "string": r'(?=\s*")'}[takes]
        modifiers.append({"match": rf"\b({word})\b{ahead}", "captures": {"1": {"name": "storage.modifier.journey"}}})
    return {
        "declaration-event": declaration("event", named=False, header=[], body="body-event"),
        "body-event": body(
            "event",
            [
                # `description "..."` describes the event; `description string` is a property.
                {"match": rf'\b({EVENT_DESCRIPTION})\b(?=\s*")', "captures": _keyword()},
                {
                    "match": rf"\b({EVENT_WHEN})\b(?:\s+({NAME}))?",
                    "captures": {**_keyword(), "2": {"name": "variable.other.property.journey"}},
                },
                *modifiers,
                {
                    "match": rf"\b({NAME})\s+(?:({types})\b|({NAME}))",
                    "captures": {
                        "1": {"name": "variable.other.property.journey"},
                        "2": {"name": "support.type.property.journey"},
                        "3": {"name": "invalid.illegal.unknown-type.journey"},
                    },
                },
                include("type-arguments"),
            ],
        ),
        "type-arguments": {
            "begin": r"\(",
            "beginCaptures": {"0": {"name": "punctuation.section.parens.begin.journey"}},
            "end": r"\)",
            "endCaptures": {"0": {"name": "punctuation.section.parens.end.journey"}},
            "name": "meta.type-arguments.journey",
            "patterns": [include("comment"), include("string"), include("type-arguments"), type_name, include("punctuation")],
        },
    }


def grammar() -> dict[str, Any]:
    top = [b for b in BLOCKS.values() if b.top_level]
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "Journey",
        "scopeName": SCOPE,
        "fileTypes": ["journey"],
        "comment": "Generated by editors/vscode/generate_grammar.py from cjdsl's language table; do not edit.",
        "patterns": [
            include("comment"),
            include("include"),
            *(include(f"declaration-{slug(b.keyword)}") for b in top),
            include("values"),
        ],
        "repository": {**shared(), **reference_lists(), **block_rules(), **event_rules()},
    }


def render() -> str:
    return json.dumps(grammar(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if argv == ["--check"]:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(HERE)} is out of date: run python editors/vscode/generate_grammar.py", file=sys.stderr)
            return 1
        return 0
    if argv:
        print("usage: generate_grammar.py [--check]", file=sys.stderr)
        return 2
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
