"""The language server describes the language the compiler describes: its completion
words come from the language table and the vocabularies, its scanner cuts text into
the grammar's own terminals, and reading a large file from a late starting point gives
the cursor the same context as reading it from the top."""

from __future__ import annotations

import random
import sys

import pytest

from cjdsl.language import table as language
from cjdsl.language.parser import shipped_tables
from tests.conftest import IN_CI, ROOT

if not IN_CI:
    pytest.importorskip("lsprotocol")

from cjdsl.lsp import completion, context


def test_every_word_attribute_has_its_vocabulary() -> None:
    words = {a.keyword for b in language.BLOCKS.values() for a in b.attributes if a.kind == "word"}
    assert words <= set(completion.WORDS), f"completion.WORDS lacks {sorted(words - set(completion.WORDS))}"
    assert set(completion.WORDS) - words == {"phase"}  # the stage header's word


def test_the_scanner_uses_the_grammars_terminals() -> None:
    tables = shipped_tables()
    assert tables is not None
    patterns = dict(tables["lexer"])
    for name in ("STRING", "RULE_REF", "NUMBER", "NAME", "COMMENT"):
        # The tables hold line breaks as the characters themselves.
        assert getattr(context, name) == patterns[name].replace("\n", "\\n").replace("\r", "\\r"), name


def test_nested_blocks_come_from_the_table() -> None:
    assert context.NESTED["stage"] == ("touchpoint", "pain")
    assert context.NESTED["pain"] == ("opportunity",)
    assert set(context.NESTED["touchpoint"]) == {"quote", "frontstage", "backstage", "event", "pain"}
    assert ("include", *(b.keyword for b in language.BLOCKS.values() if b.top_level)) == context.TOP_LEVEL


def test_a_large_file_read_from_a_late_start_gives_the_same_context(monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    text = generate(200, seed=5)
    assert len(text) > 3 * context.WHOLE
    rng = random.Random(7)
    offsets = [rng.randrange(context.WHOLE, len(text)) for _ in range(40)]
    offsets += [text.index("    next ", o) + len("    next ") for o in offsets[:20] if "    next " in text[o:]]
    late = [context.at(text, o) for o in offsets]
    monkeypatch.setattr(context, "WHOLE", len(text) + 1)
    for o, got in zip(offsets, late, strict=True):
        full = context.at(text, o)
        assert (got.frame.keyword, got.words, got.prefix, got.inert) == (
            full.frame.keyword,
            full.words,
            full.prefix,
            full.inert,
        ), o
        assert [f.keyword for f in got.frames[-2:]] == [f.keyword for f in full.frames[-2:]]


def test_offsets_move_with_an_edit_and_vanish_inside_it() -> None:
    """While a file does not parse, its last parsed version stands in for it: an offset
    maps between the two when the text before it, or after it, is the same in both."""
    from cjdsl.lsp.positions import Shift

    rng = random.Random(3)
    for _ in range(3000):
        old = "".join(rng.choice("ab\n") for _ in range(rng.randrange(0, 30)))
        i = rng.randrange(len(old) + 1)
        j = rng.randrange(i, len(old) + 1)
        new = old[:i] + "".join(rng.choice("abc") for _ in range(rng.randrange(0, 5))) + old[j:]
        shift = Shift(old, new)
        for o in range(len(old) + 1):
            f = shift.forward(o)
            assert f is None or old[:o] == new[:f] or old[o:] == new[f:]
            if o <= min(i, shift.prefix) or o >= max(j, shift.old_end):
                assert f is not None  # outside the edit, every offset has its place
        for o in range(len(new) + 1):
            b = shift.backward(o)
            assert b is None or old[:b] == new[:o] or old[b:] == new[o:]
