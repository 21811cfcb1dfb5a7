"""The fast path of the parser: Lark's own LALR(1) tables, driven by a tighter loop.

Lark's generic loop spends most of a parse in per-token machinery (a lexer object per
parser state, two regex matches per token, an interactive-parser state object). This
module drives the very same tables, built by Lark from ``grammar/journey.lark``, with
one master regular expression and a flat loop, and calls the same reduction callbacks
(the :class:`~cjdsl.builder.Builder` behind Lark's inline-transformer wrappers). It
keeps the contextual lexer's meaning: a word is a keyword exactly when the parser
state it is read in accepts that keyword.

It only handles files without syntax errors. At the first thing it cannot take (a
character no terminal starts with, a token the state does not accept) it raises
:class:`Rejected`, and the parser runs Lark's own loop on the file, which recovers and
words the diagnostics. Any text where the two could tokenise differently (``emotion-2``
reads as one kebab-case rule name here, as two tokens in Lark) is rejected here, so the
fast path never accepts a text with a different meaning: the tests compare the two on
every example and on generated files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from typing import Any

from lark import Lark, Token, Tree


class Rejected(Exception):
    """The fast path cannot parse this text; Lark's loop must."""


@dataclass(frozen=True, slots=True)
class Tables:
    """Lark's parse table in a flat form, and a lexer for it.

    ``actions[state][terminal]`` is the state to shift to (>= 0) or ``~rule`` to reduce
    by ``rules[rule]`` (length, rule name, reduction function). ``lexer`` has one group
    per token kind, in the order ``kinds`` names them; keywords are read as ``NAME`` and
    told apart by ``keywords``."""

    actions: tuple[dict[str, int], ...]
    rules: tuple[tuple[int, str, Callable[[list[Any]], Any] | None], ...]
    start: int
    end: int
    keywords: dict[str, str]  # keyword text -> terminal name
    lexer: re.Pattern[str]
    kinds: tuple[str, ...]  # "" then one token kind per group of `lexer`


def tables_of(lark: Lark, transformer: Any) -> Tables:
    """Flattens the tables of ``lark`` (an LALR parser of the grammar) and compiles one
    reduction function per rule that calls ``transformer`` as Lark's inline transformer
    would."""
    table = lark.parser.parser.parser.parse_table
    rule_index: dict[Any, int] = {}
    rules: list[tuple[int, str, Callable[[list[Any]], Any] | None]] = []
    actions: list[dict[str, int]] = [{} for _ in range(max(table.states) + 1)]
    for state, row in table.states.items():
        for term, (action, arg) in row.items():
            if action.name == "Shift":
                actions[state][term] = arg
            else:
                if arg not in rule_index:
                    rule_index[arg] = len(rules)
                    rules.append((len(arg.expansion), arg.origin.name, _reduction(arg, transformer)))
                actions[state][term] = ~rule_index[arg]
    keywords, lexer, kinds = _lexer(lark.terminals)
    return Tables(
        tuple(actions), tuple(rules), table.start_states["start"], table.end_states["start"], keywords, lexer, tuple(kinds)
    )


def _lexer(terminals: Collection[Any]) -> tuple[dict[str, str], re.Pattern[str], list[str]]:
    """One regular expression for all of the grammar's terminals, made from their own
    patterns. Keywords (strings that ``NAME`` matches whole) are left to ``NAME``; the
    contextual lexer only tells them apart by the parser state, and so does :func:`parse`.
    The layout terminal ``WS`` is split: its line breaks are matched on their own, to
    count lines, and its other characters lead every match."""
    by_name = {t.name: t for t in terminals}
    name = re.compile(by_name["NAME"].pattern.to_regexp())
    layout = re.fullmatch(r"\[([\s\S]*)\]\+", by_name["WS"].pattern.value)
    if layout is None or "\n" not in layout.group(1):
        raise ValueError("the grammar's WS terminal is not a character class with \\n")
    blank = layout.group(1).replace("\n", "")
    keywords: dict[str, str] = {}
    groups: list[tuple[str, str]] = [("_NL", r"\n")]
    others = []
    for t in terminals:
        if t.name == "WS":
            continue
        if t.pattern.type == "str" and name.fullmatch(t.pattern.value):
            keywords[t.pattern.value] = t.name
        else:
            others.append(t)
    # Lark's order: higher priority first, then longer patterns (so `->` before `-1`).
    others.sort(key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name))
    groups += [(t.name, t.pattern.to_regexp()) for t in others]
    if any(re.compile(pattern).groups for _, pattern in groups):
        raise ValueError("a terminal's pattern has a capturing group; write (?:...)")
    groups.append(("_BAD", r"[\s\S]"))
    # Blanks other than line breaks lead every match, so they cost no match of their own.
    lexer = re.compile(f"[{blank}]*(?:" + "|".join(f"({pattern})" for _, pattern in groups) + ")?")
    return keywords, lexer, ["", *(kind for kind, _ in groups)]


def _reduction(rule: Any, transformer: Any) -> Callable[[list[Any]], Any] | None:
    """What Lark's parse-tree builder does on reducing ``rule`` (see
    ``lark.parse_tree_builder``), without its wrapper objects: children of inlined
    ``_rules`` are spliced in, ``?rules`` with one child return it, and the transformer
    method named after the rule gets the rest. An inlined rule's value is a plain list
    here (a ``Tree`` in Lark), which only its parent ever sees. None for a unit rule,
    whose value is its one child's."""
    name = rule.alias or rule.options.template_source or rule.origin.name
    inlined = name.startswith("_")
    method = getattr(transformer, name, None)
    if method is None:
        method = _same if inlined else partial(Tree, name)
    # Every terminal of the grammar is named, so no token is filtered out.
    assert not any(sym.is_term and sym.filter_out for sym in rule.expansion), rule
    splice = [not sym.is_term and sym.name.startswith("_") for sym in rule.expansion]
    if rule.options.expand1 and not rule.alias and len(splice) == 1:
        return None  # a unit rule such as `?stage_item: touchpoint`: the child is the value
    build = method
    if splice[1:] == [False] * (len(splice) - 1) and splice[:1] == [True]:
        # A left-recursive repetition, `__items: __items item`: append to its list.
        if method is _same:

            def build(children: list[Any]) -> Any:
                out = children[0]
                out += children[1:]
                return out

        else:

            def build(children: list[Any]) -> Any:
                out = children[0]
                out += children[1:]
                return method(out)

    elif any(splice):
        plan = tuple(enumerate(splice))

        def build(children: list[Any]) -> Any:
            out: list[Any] = []
            for i, spliced in plan:
                if not spliced:
                    out.append(children[i])
                elif out:
                    out += children[i]
                else:  # reuse the list of a left-recursive repetition
                    out = children[i]
            return method(out)

    if rule.options.expand1 and not rule.alias:
        inner = build

        def expand1(children: list[Any]) -> Any:
            return children[0] if len(children) == 1 else inner(children)

        return expand1
    return build


def _same(children: list[Any]) -> list[Any]:
    return children


class _Token(Token):
    """A Lark token made without Lark's constructor, one attribute fewer to set."""

    @property
    def value(self) -> str:
        return str(self)


def parse(text: str, tables: Tables, comments: list[Token]) -> Any:
    """Parses ``text`` and returns what the start rule's callback built. Comments are
    appended to ``comments`` as Lark tokens. Raises :class:`Rejected`."""
    actions = tables.actions
    rules = tables.rules
    keywords = tables.keywords
    kinds = tables.kinds
    nl, comment, bad = kinds.index("_NL"), kinds.index("COMMENT"), kinds.index("_BAD")
    name, string = kinds.index("NAME"), kinds.index("STRING")
    new = str.__new__
    state = tables.start
    row = actions[state]
    states = [state]
    values: list[Any] = []
    push_state = states.append
    push_value = values.append
    line = 1
    line_start = 0
    for match in tables.lexer.finditer(text):
        kind = match.lastindex
        if kind == nl:
            line += 1
            line_start = match.start(kind) + 1
            continue
        if kind is None:  # blanks at the very end
            continue
        start, end = match.span(kind)
        value = match.group(kind)
        column = start - line_start + 1
        tok_line = end_line = line
        end_column = column + end - start
        if kind == name:
            term = keywords.get(value, "NAME")
            if term not in row:  # a keyword where the parser does not expect one
                term = "NAME"
        elif kind == string:
            term = "STRING"
            breaks = value.count("\n")
            if breaks:  # a multi-line string
                last = start + value.rfind("\n")
                line = end_line = line + breaks
                line_start = last + 1
                end_column = end - last
        elif kind == bad:
            raise Rejected(start)
        else:
            term = kinds[kind]
        tok = new(_Token, value)
        tok.type = term
        tok.start_pos = start
        tok.end_pos = end
        tok.line = tok_line
        tok.column = column
        tok.end_line = end_line
        tok.end_column = end_column
        if kind == comment:
            comments.append(tok)
            continue
        act = row.get(term)
        while act is not None and act < 0:  # reduce as long as the state says so
            size, origin, callback = rules[~act]
            if callback is None:  # a unit rule: its child stays on the stack as its value
                del states[-1]
                state = actions[states[-1]][origin]
                push_state(state)
                act = actions[state].get(term)
                continue
            if size:
                children = values[-size:]
                del values[-size:]
                del states[-size:]
            else:
                children = []
            state = actions[states[-1]][origin]
            push_state(state)
            push_value(callback(children))
            act = actions[state].get(term)
        if act is None:
            raise Rejected(start)
        push_state(act)
        push_value(tok)
        row = actions[act]
    # End of input: reduce until the start rule is complete.
    end_state = tables.end
    while True:
        act = actions[states[-1]].get("$END")
        if act is None or act >= 0:
            raise Rejected(len(text))
        size, origin, callback = rules[~act]
        if callback is None:
            del states[-1]
            state = actions[states[-1]][origin]
            push_state(state)
        else:
            children = values[-size:] if size else []
            del values[len(values) - size :]
            del states[len(states) - size :]
            state = actions[states[-1]][origin]
            push_state(state)
            push_value(callback(children))
        if state == end_state:
            return values[-1]
