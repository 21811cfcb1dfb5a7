"""The fast path of the parser: Lark's own LALR(1) tables, driven by a tighter loop.

Lark's generic loop spends most of a parse in per-token machinery (a lexer object per
parser state, two regex matches per token, an interactive-parser state object). This
module drives the very same tables, computed by Lark from ``grammar/journey.lark``, with
one master regular expression and a flat loop, and calls the same builder methods Lark's
inline transformer would. It keeps the contextual lexer's meaning: a word is a keyword
exactly when the parser state it is read in accepts that keyword.

The tables ship with the package (``cjdsl/language/parse_tables.json``, made by :func:`export`
and kept in step with the grammar by a test), so a clean file is parsed without
importing Lark at all.

The fast path only handles files without syntax errors. At the first thing it cannot
take (a character no terminal starts with, a token the state does not accept) it raises
:class:`Rejected`, and the parser runs Lark's own loop on the file, which recovers and
words the diagnostics. Any text where the two could tokenise differently (``emotion-2``
reads as one kebab-case rule name here, as two tokens in Lark) is rejected here, so the
fast path never accepts a text with a different meaning: the tests compare the two on
every example and on generated files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: What the shipped tables hold; raise it when their layout changes.
FORMAT = 2


class Rejected(Exception):
    """The fast path cannot parse this text; Lark's loop must."""


class Tok(str):
    """A token: its text, its terminal's name and where it starts. The attributes of a
    Lark token the builder uses (it gets Lark's from Lark's loop): a token's text is
    exactly what it matched, so it ends at ``start_pos + len(tok)``, and lines and
    columns are left to the spans' :class:`~cjdsl.core.span.LineIndex`.

    Each terminal has its own subclass, whose class attribute ``type`` names it, so
    making a token sets one attribute (a token is made for each of the million words of
    a 13 MB file)."""

    type: str
    start_pos: int


def token_class(terminal: str) -> type[Tok]:
    """The subclass of :class:`Tok` for one terminal."""
    return type(f"Tok_{terminal}", (Tok,), {"type": terminal, "__slots__": ()})


Reduction = Callable[[list[Any]], Any]


@dataclass(frozen=True, slots=True)
class Tables:
    """Lark's parse table in a flat form, and a lexer for it.

    ``actions[state][terminal]`` is the state to shift to (>= 0) or ``~rule`` to reduce
    by ``rules[rule]`` (length, rule name, reduction function or None for a unit rule).
    ``lexer`` has one group per token kind, in the order ``kinds`` names them; keywords
    are read as ``NAME`` and told apart by ``keywords``."""

    actions: tuple[dict[str, int], ...]
    rules: tuple[tuple[int, str, Reduction | None], ...]
    start: int
    end: int
    keywords: dict[str, str]  # keyword text -> terminal name
    lexer: re.Pattern[str]
    kinds: tuple[str, ...]  # "" then one token kind per group of `lexer`
    classes: dict[str, type[Tok]]  # terminal name -> its token class


def export(lark: Any, grammar_sha256: str) -> dict[str, Any]:
    """The tables of ``lark`` (an LALR parser of the grammar) as JSON-ready data: the
    parse table, each rule's shape, and the lexer's patterns."""
    table = lark.parser.parser.parser.parse_table
    # Lark numbers states and rules in an order that depends on string hashing; number
    # them afresh, states in the order a walk from the start state meets them and rules
    # by name and expansion, so the same grammar always gives the same file.
    number = {table.start_states["start"]: 0}
    walk = [table.start_states["start"]]
    for state in walk:
        for _, (action, arg) in sorted(table.states[state].items()):
            if action.name == "Shift" and arg not in number:
                number[arg] = len(number)
                walk.append(arg)
    for state in sorted(table.states):  # unreachable states, if any
        number.setdefault(state, len(number))
    all_rules = sorted(
        {arg for row in table.states.values() for action, arg in row.values() if action.name != "Shift"},
        key=lambda r: (r.origin.name, [sym.name for sym in r.expansion], r.order),
    )
    rule_index = {rule: i for i, rule in enumerate(all_rules)}
    rules = [_rule_shape(rule) for rule in all_rules]
    actions: list[dict[str, int]] = [{} for _ in number]
    for state, row in table.states.items():
        for term, (action, arg) in sorted(row.items()):
            actions[number[state]][term] = number[arg] if action.name == "Shift" else ~rule_index[arg]
    keywords, blank, groups = _lexer(lark.terminals)
    return {
        "format": FORMAT,
        "grammar_sha256": grammar_sha256,
        "start": number[table.start_states["start"]],
        "end": number[table.end_states["start"]],
        "keywords": keywords,
        "blank": blank,
        "lexer": groups,
        "rules": rules,
        "actions": actions,
    }


def _rule_shape(rule: Any) -> list[Any]:
    """[length, name, method, unit, expand1, splice] of one rule, as Lark's parse-tree
    builder (``lark.parse_tree_builder``) would treat it: the builder method it calls
    (None for an inlined ``_rule``, whose value is its children), whether it is a unit
    rule such as ``?stage_item: touchpoint`` whose value is its one child, whether a
    ``?rule`` with one child returns that child, and which children are inlined rules
    whose children are spliced in."""
    name = rule.alias or rule.options.template_source or rule.origin.name
    # Every terminal of the grammar is named, so Lark filters no token out.
    if any(sym.is_term and sym.filter_out for sym in rule.expansion):
        raise ValueError(f"rule {rule} has an anonymous terminal")
    splice = [not sym.is_term and sym.name.startswith("_") for sym in rule.expansion]
    expand1 = bool(rule.options.expand1 and not rule.alias)
    unit = expand1 and len(splice) == 1
    return [len(rule.expansion), rule.origin.name, None if name.startswith("_") else name, unit, expand1, splice]


def load(data: dict[str, Any], transformer: Any) -> Tables:
    """Tables from :func:`export`'s data, with reductions that call ``transformer``."""
    rules = tuple(
        (size, origin, _reduction(method, unit, expand1, splice, transformer))
        for size, origin, method, unit, expand1, splice in data["rules"]
    )
    kinds = ("", *(kind for kind, _ in data["lexer"]))
    # Blanks lead every match, then one token (at the end of the text, none).
    lexer = re.compile(data["blank"] + "(?:" + "|".join(f"({pattern})" for _, pattern in data["lexer"]) + ")?")
    terminals = sorted({*kinds[1:], *data["keywords"].values(), *(t for row in data["actions"] for t in row)})
    classes = {t: token_class(t) for t in terminals}
    return Tables(tuple(data["actions"]), rules, data["start"], data["end"], dict(data["keywords"]), lexer, kinds, classes)


def _lexer(terminals: Any) -> tuple[dict[str, str], str, list[list[str]]]:
    """The lexer's patterns, made from the grammar's own terminals. Keywords (strings
    that ``NAME`` matches whole) are left to ``NAME``; the contextual lexer only tells
    them apart by the parser state, and so does :func:`parse`. The layout terminal
    ``WS`` leads every match, so blanks and line breaks cost no match of their own."""
    by_name = {t.name: t for t in terminals}
    name = re.compile(by_name["NAME"].pattern.to_regexp())
    layout = re.fullmatch(r"\[([\s\S]*)\]\+", by_name["WS"].pattern.value)
    if layout is None:
        raise ValueError("the grammar's WS terminal is not a character class")
    blank = layout.group(1)
    keywords: dict[str, str] = {}
    groups: list[list[str]] = []
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
    groups += [[t.name, t.pattern.to_regexp()] for t in others]
    if any(re.compile(pattern).groups for _, pattern in groups):
        raise ValueError("a terminal's pattern has a capturing group; write (?:...)")
    groups.append(["_BAD", r"[\s\S]"])
    return dict(sorted(keywords.items())), f"[{blank}]*", groups


def _reduction(method_name: str | None, unit: bool, expand1: bool, splice: list[bool], transformer: Any) -> Reduction | None:
    """The function that reduces one rule (see :func:`_rule_shape`). An inlined rule's
    value is a plain list here (a ``Tree`` in Lark), which only its parent ever sees."""
    if unit:
        return None
    method: Reduction = _same if method_name is None else getattr(transformer, method_name)
    build = method
    if splice[:1] == [True] and not any(splice[1:]):
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

    if expand1:
        inner = build

        def expand(children: list[Any]) -> Any:
            return children[0] if len(children) == 1 else inner(children)

        return expand
    return build


def _same(children: list[Any]) -> list[Any]:
    return children


def parse(text: str, tables: Tables, comments: list[Tok]) -> Any:
    """Parses ``text`` and returns what the start rule's callback built. Comments are
    appended to ``comments``. Raises :class:`Rejected`."""
    actions = tables.actions
    rules = tables.rules
    keywords = tables.keywords
    kinds = tables.kinds
    classes = tables.classes
    comment, bad = kinds.index("COMMENT"), kinds.index("_BAD")
    name = kinds.index("NAME")
    new = str.__new__
    state = tables.start
    row = actions[state]
    states = [state]
    values: list[Any] = []
    push_state = states.append
    push_value = values.append
    for match in tables.lexer.finditer(text):
        kind = match.lastindex
        if kind is None:  # blanks at the very end
            continue
        start = match.start(kind)
        value = match.group(kind)
        if kind == name:
            term = keywords.get(value, "NAME")
            if term not in row:  # a keyword where the parser does not expect one
                term = "NAME"
        elif kind == bad:
            raise Rejected(start)
        else:
            term = kinds[kind]
        tok = new(classes[term], value)
        tok.start_pos = start
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
