"""`--jobs` gives the same results as one process, and the status line shows only where
it should."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import cjdsl.project.graph
from cjdsl.backends.layout import DotMissing, find_dot
from cjdsl.cli import main
from tests.conftest import EXAMPLES, IN_CI
from tests.helpers import snapshot


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_check_in_several_processes_reports_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    import cjdsl.project.parallel

    calls: list[int] = []
    real = cjdsl.project.parallel.load_sources

    def counting(files, config, jobs, progress=None):  # type: ignore[no-untyped-def]
        calls.append(jobs)
        return real(files, config, jobs, progress)

    monkeypatch.setattr(cjdsl.project.parallel, "load_sources", counting)
    monkeypatch.setattr(cjdsl.project.graph, "PARALLEL_BYTES", 0)  # the examples are small
    one = invoke("-j", "1", "check", "--format", "json", str(EXAMPLES))
    two = invoke("-j", "2", "check", "--format", "json", str(EXAMPLES))
    assert calls == [2]  # only the second run used worker processes
    assert one == two and one[0] == 0


def test_a_syntax_error_found_in_a_worker_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cjdsl.project.graph, "PARALLEL_BYTES", 0)
    shutil.copytree(EXAMPLES, tmp_path / "p")
    bad = tmp_path / "p" / "hr_saas.journey"
    bad.write_text(re.sub(r"(?m)^(\s*)touchpoint ", r"\1touchpont ", bad.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    code, out, _ = invoke("-j", "2", "check", "--format", "concise", str(tmp_path / "p"))
    assert code == 1 and "hr_saas.journey" in out and "CJ001" in out


def test_build_with_parallel_dot_is_byte_identical(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    try:
        find_dot()
    except DotMissing:
        if IN_CI:
            pytest.fail("Graphviz's `dot` is missing; CI must install it (apt-get install graphviz)")
        pytest.skip("Graphviz's `dot` is not installed")
    monkeypatch.setattr(cjdsl.project.graph, "PARALLEL_BYTES", 0)
    project = tmp_path / "p"
    shutil.copytree(EXAMPLES, project)
    assert invoke("-j", "1", "build", str(project), "-o", str(tmp_path / "one"))[0] == 0
    assert invoke("-j", "2", "build", str(project), "-o", str(tmp_path / "two"))[0] == 0
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert one == two
    assert sum(name.endswith(".svg") for name in one) >= 10


def test_progress_is_shown_only_when_asked_or_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    _, _, err = invoke("--progress", "check", str(EXAMPLES))
    assert "\r\x1b[2K" in err and "parsing" in err
    _, _, err = invoke("check", str(EXAMPLES))  # captured, so not a terminal
    assert "\x1b" not in err


def test_progress_stays_off_in_ci_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from cjdsl.cli.progress import StatusLine

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("CI", "true")
    assert StatusLine.for_stream(Terminal(), None) is None
    monkeypatch.setenv("CI", "false")
    line = StatusLine.for_stream(Terminal(), None)
    assert line is not None
    line.show("building html")
    line.clear()
    assert line.stream.getvalue() == "\r\x1b[2Kbuilding html\r\x1b[2K"  # type: ignore[attr-defined]
