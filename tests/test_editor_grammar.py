"""The editors' TextMate grammar (editors/vscode/syntaxes/journey.tmLanguage.json): made
from the language table, so it knows every keyword, and checked by VS Code's own
tokenizer (vscode-textmate, through vscode-tmgrammar-test): the unit tests' expected
scopes, the snapshot of a file holding every construct, every attribute of every block,
and every example, which must tokenize without an error scope or a word left uncoloured.

The npm tools come from $CJDSL_NPM_TOOLS (a folder with node_modules/, set by .ci/run),
else /tmp/npmtools. Without them (or Node) the tests skip, and in CI they fail."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from cjdsl.language.parser import make_lark
from cjdsl.language.table import BLOCKS
from tests.conftest import EXAMPLES, IN_CI, ROOT, example_files

EXTENSION = ROOT / "editors" / "vscode"
GRAMMAR = EXTENSION / "syntaxes" / "journey.tmLanguage.json"
UNIT_TESTS = EXTENSION / "tests" / "unit"
SNAPSHOTS = EXTENSION / "tests" / "snap"
NPM_TOOLS = Path(os.environ.get("CJDSL_NPM_TOOLS") or "/tmp/npmtools")
UPDATE = os.environ.get("CJDSL_UPDATE_GOLDEN") == "1"


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_grammar", EXTENSION / "generate_grammar.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def npm_tool(name: str) -> Path:
    """A program installed in the npm tools folder; skips without it (fails in CI)."""
    program = NPM_TOOLS / "node_modules" / ".bin" / name
    if shutil.which("node") is None or not program.is_file():
        message = f"{name} is not installed in {NPM_TOOLS}/node_modules (set CJDSL_NPM_TOOLS; .ci/run installs it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return program


def run(*args: str | Path, cwd: Path = EXTENSION, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def regexes(rule: Any) -> Iterator[tuple[str, set[str]]]:
    """Every regex of the grammar, with the scopes it gives (its name and its captures')."""
    if isinstance(rule, dict):
        scopes = {rule["name"]} if isinstance(rule.get("name"), str) else set()
        for key in ("captures", "beginCaptures"):
            scopes |= {c["name"] for c in rule.get(key, {}).values() if "name" in c}
        for key in ("match", "begin"):
            if key in rule:
                yield rule[key], scopes
        for value in rule.values():
            yield from regexes(value)
    elif isinstance(rule, list):
        for value in rule:
            yield from regexes(value)


def test_the_committed_grammar_is_the_one_the_language_table_gives() -> None:
    assert GRAMMAR.read_text(encoding="utf-8") == generator().render(), (
        "the grammar is out of date: run python editors/vscode/generate_grammar.py"
    )


def test_every_keyword_of_the_parser_has_a_keyword_scope_in_the_editor_grammar() -> None:
    """A keyword added to grammar/journey.lark without a row in the table (or a rule in
    the generator, for the event body) would be missing from the editors."""
    keywords = {
        t.pattern.value for t in make_lark().terminals if t.pattern.type == "str" and re.fullmatch(r"[a-z_]+", t.pattern.value)
    }
    assert {"journey", "touchpoint", "allow", "required", "when", "phase", "for", "include"} <= keywords
    grammar = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    keyword_regexes = [
        regex
        for regex, scopes in regexes(grammar)
        if any(s.startswith(("keyword.", "storage.type.", "storage.modifier.")) for s in scopes)
    ]
    missing = sorted(
        k for k in keywords if not any(re.search(rf"(?<![A-Za-z0-9_]){k}(?![A-Za-z0-9_])", r) for r in keyword_regexes)
    )
    assert not missing, f"keywords without a keyword scope in the editor grammar: {missing}"


def test_a_word_attribute_without_a_vocabulary_stops_the_generator() -> None:
    gen = generator()
    del gen.VOCABULARIES["severity"]
    with pytest.raises(SystemExit, match="severity"):
        gen.grammar()


def test_the_unit_tests_hold() -> None:
    tests = sorted(UNIT_TESTS.glob("*.test.journey"))
    assert len(tests) >= 5
    done = run(npm_tool("vscode-tmgrammar-test"), "-g", GRAMMAR, *(t.relative_to(EXTENSION) for t in tests))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("run successfuly") == len(tests), done.stdout


def test_the_unit_test_runner_fails_on_a_wrong_scope(tmp_path: Path) -> None:
    """The runner's exit code is what the test above trusts: a wrong expectation fails it."""
    text = (UNIT_TESTS / "declarations.test.journey").read_text(encoding="utf-8")
    wrong = tmp_path / "wrong.test.journey"
    wrong.write_text(text.replace("entity.name.type.persona.journey", "entity.name.type.team.journey", 1), encoding="utf-8")
    done = run(npm_tool("vscode-tmgrammar-test"), "-g", GRAMMAR, wrong.name, cwd=tmp_path)
    assert done.returncode != 0 and "entity.name.type.team.journey" in done.stdout, done.stdout


def test_the_snapshots_hold(tmp_path: Path) -> None:
    sources = sorted(SNAPSHOTS.glob("*.journey"))
    assert sources
    if UPDATE:
        done = run(npm_tool("vscode-tmgrammar-snap"), "-g", GRAMMAR, "-s", "source.journey", "-u", "tests/snap/*.journey")
        assert done.returncode == 0, done.stdout + done.stderr
    for source in sources:
        assert source.with_name(source.name + ".snap").is_file(), f"{source.name} has no snapshot (CJDSL_UPDATE_GOLDEN=1)"
    # In a copy: the tool writes a snapshot it does not find, never into the repository.
    shutil.copytree(SNAPSHOTS, tmp_path / "snap")
    done = run(npm_tool("vscode-tmgrammar-snap"), "-g", GRAMMAR, "-s", "source.journey", "snap/*.journey", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_snapshot_runner_fails_on_a_changed_scope(tmp_path: Path) -> None:
    shutil.copytree(SNAPSHOTS, tmp_path / "snap")
    snap = tmp_path / "snap" / "tour.journey.snap"
    text = snap.read_text(encoding="utf-8")
    assert "keyword.other.unit.journey" in text
    snap.write_text(text.replace("keyword.other.unit.journey", "invalid.illegal.unit.journey", 1), encoding="utf-8")
    done = run(npm_tool("vscode-tmgrammar-snap"), "-g", GRAMMAR, "-s", "source.journey", "snap/*.journey", cwd=tmp_path)
    assert done.returncode != 0, done.stdout


def every_attribute() -> str:
    """A unit test file with every block of the table, each holding every one of its
    attributes, each line with its expected scope."""
    lines = ['# SYNTAX TEST "source.journey" "every attribute of every block"']

    def line(indent: int, text: str, word: str, scope: str) -> None:
        lines.append(" " * indent + text)
        column = indent + text.index(word)
        marks = "# <" + "-" * len(word) if column == 0 else "#" + " " * (column - 1) + "^" * len(word)
        lines.append(f"{marks} {scope}")

    nested = {"touchpoint": ["stage"], "quote": ["stage", "touchpoint"], "frontstage": ["stage", "touchpoint"]}
    nested["backstage"] = nested["frontstage"]
    for block in BLOCKS.values():
        parents = nested.get(block.keyword, [] if block.top_level else None)
        assert parents is not None, f"say where a {block.noun} is written in every_attribute()"
        for depth, parent in enumerate(parents):
            line(2 * depth, f"{parent} outer_{depth} {{", parent, f"storage.type.{parent}.journey")
        indent = 2 * len(parents)
        header = f'{block.keyword} "text"' if "text" in block.header else f"{block.keyword} some_id"
        line(indent, header + " {", block.keyword, f"storage.type.{block.keyword}.journey")
        for attribute in block.attributes:
            keyword = attribute.keyword.split()[0]
            scope = f"storage.type.{keyword}.journey" if attribute.kind == "block" else "keyword.other.attribute.journey"
            line(indent + 2, f"{attribute.keyword} x", keyword, scope)
        for depth in range(len(parents), -1, -1):
            lines.append(" " * (2 * depth) + "}")
    return "\n".join(lines) + "\n"


def test_every_attribute_of_every_block_is_a_keyword_in_its_block(tmp_path: Path) -> None:
    (tmp_path / "every.test.journey").write_text(every_attribute(), encoding="utf-8")
    done = run(npm_tool("vscode-tmgrammar-test"), "-g", GRAMMAR, "every.test.journey", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def tokens(snapshot: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line number, text, scopes) of every token of a vscode-tmgrammar-snap snapshot."""
    source = ""
    number = 0
    for line in snapshot.split("\n"):
        if line.startswith(">"):
            source = line[1:]
            number += 1
            continue
        found = re.match(r"#( *)(\^+) (.*)", line)
        if found:
            column = len(found.group(1))
            yield number, source[column : column + len(found.group(2))], found.group(3).split()


def test_every_example_tokenizes_without_an_error_scope_or_an_uncoloured_word(tmp_path: Path) -> None:
    """The examples are valid journeys: no token may be marked invalid, and every word
    and number must get a scope of its own (a keyword, an id, a string, ...)."""
    files = example_files()
    assert files
    for path in files:
        shutil.copyfile(path, tmp_path / path.relative_to(EXAMPLES).as_posix().replace("/", "__"))
    done = run(
        npm_tool("vscode-tmgrammar-snap"),
        "-g",
        GRAMMAR,
        "-s",
        "source.journey",
        "-u",
        "--printNotModified",
        "*.journey",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    problems = []
    snapshots = sorted(tmp_path.glob("*.snap"))
    assert len(snapshots) == len(files)
    for snap in snapshots:
        for number, text, scopes in tokens(snap.read_text(encoding="utf-8")):
            if any(s.startswith("invalid.") for s in scopes):
                problems.append(f"{snap.stem}:{number}: `{text}` is {scopes[-1]}")
            elif re.search(r"[A-Za-z0-9]", text) and all(s.startswith(("source.", "meta.")) for s in scopes):
                problems.append(f"{snap.stem}:{number}: `{text}` has no scope of its own")
    assert not problems, "\n".join(problems[:40])
