"""The README's example says what cjdsl really prints."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from cjdsl.cli import main
from tests.conftest import ROOT


def test_readme_example_output(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    source = re.search(r"```\n# hr.journey\n(.*?)```", readme, re.S)
    assert source
    (tmp_path / "cjdsl.toml").write_text("", encoding="utf-8")
    (tmp_path / "hr.journey").write_text("# hr.journey\n" + source.group(1), encoding="utf-8")
    shown = re.findall(r"```\n\$ cjdsl (check [^\n]*) hr.journey\n(.*?)```", readme, re.S)
    assert len(shown) == 2
    for args, output in shown:
        result = CliRunner().invoke(main, [*args.split(), str(tmp_path / "hr.journey")])
        assert result.exit_code == 1
        assert result.stdout + result.stderr == output


def test_language_reference_lists_every_diagnostic_code() -> None:
    """docs/language.md's table of the language's own codes says what `cjdsl rules` and
    `cjdsl explain` say: each summary is the first line of cjdsl/rules/docs/CODE.md."""
    from cjdsl.core.diagnostics import CODES

    reference = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    written = re.findall(r"^\| CJ\d{3} \|.*$", reference, re.M)
    expected = [f"| {c.code} | {c.name} | {c.summary} |" for c in CODES.values()]
    assert written == expected, "docs/language.md's table of codes must read:\n" + "\n".join(expected)


def test_rules_reference_is_generated_from_the_rules() -> None:
    from cjdsl.rules import reference_markdown

    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == reference_markdown(), (
        "run `cjdsl rules --format markdown > docs/rules.md`"
    )
