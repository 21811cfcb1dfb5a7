"""Helpers more than one test module uses: the fuzzers' source strategy and a folder's
snapshot. (Fixtures and small helpers every module may need are in conftest.py.)"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from cjdsl.language.parser import make_lark

EXAMPLES_COUNT = int(os.environ.get("CJDSL_FUZZ_EXAMPLES", "150"))
GRAMMAR = make_lark()
# Terminals the generator would otherwise draw at random: keep them readable and valid.
EXPLICIT = {
    "NAME": st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True),
    "STRING": st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\\n\r'), max_size=12).map(
        lambda s: f'"{s}"'
    ),
    "NUMBER": st.integers(-5, 200).map(str),
    "RULE_REF": st.sampled_from(["dead-end", "unused-suppression", "missing-owner"]),
    "WS": st.sampled_from([" ", "\n", "  "]),
    "COMMENT": st.just("# c\n"),
}
# from_lark joins tokens with nothing between them; pad every terminal with a space so
# `entry micro_conversion` does not become one name.
for _terminal in GRAMMAR.terminals:
    if _terminal.name not in EXPLICIT and _terminal.pattern.type == "str":
        EXPLICIT[_terminal.name] = st.just(_terminal.pattern.value)
EXPLICIT = {name: strategy.map(lambda s: f" {s} ") for name, strategy in EXPLICIT.items()}
SOURCES = from_lark(GRAMMAR, explicit=EXPLICIT, start="start")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder``, by its relative POSIX path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
