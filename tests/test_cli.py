"""The command line contract: commands, formats, exit codes, atomic output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cjdsl import __version__
from cjdsl.cli import main, run
from cjdsl.fs import MARKER

from .conftest import EXAMPLES, ROOT, write

GOOD = 'journey j "J"\nstage s "S" phase awareness {\n  touchpoint t "T"\n}\n'
BAD = 'journey k "K"\nstage s "S" phase awareness {\n  touchpoint t "T" {\n    next nowhere\n  }\n}\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose settings turn the completeness rules off: these tests are about
    the language core."""
    (tmp_path / "cjdsl.toml").write_text('ignore = ["CJ2"]\n', encoding="utf-8")
    return tmp_path


def cli(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    assert cli("--version")[:2] == (0, f"cjdsl {__version__}\n")


def test_check_clean_and_with_errors(project: Path) -> None:
    write(project, {"good.journey": GOOD})
    code, out, err = cli("check", str(project))
    assert code == 0 and out == "" and "All good: 1 file checked" in err
    write(project, {"bad.journey": BAD})
    code, out, err = cli("check", str(project))
    assert code == 1
    assert "error[CJ101]: unknown touchpoint `nowhere`" in out
    assert " --> bad.journey:4:10" in out
    assert "4 |     next nowhere" in out and "  |          ^^^^^^^" in out
    assert "Found 1 error (2 files checked)." in err


def test_check_defaults_to_the_current_folder(project: Path) -> None:
    write(project, {"sub/bad.journey": BAD})
    code, out, _ = cli("check", cwd=project)
    assert code == 1 and "sub/bad.journey:4:10" in out


def test_check_formats(project: Path) -> None:
    write(project, {"bad.journey": BAD})
    code, out, _ = cli("check", "--format", "concise", str(project))
    assert (code, out) == (1, "bad.journey:4:10: error[CJ101] unknown touchpoint `nowhere`\n")
    code, out, err = cli("check", "--format", "json", str(project))
    data = json.loads(out)
    assert code == 1 and err == ""
    assert data[0]["code"] == "CJ101" and data[0]["name"] == "unknown-reference"
    assert data[0]["location"] == {"path": "bad.journey", "line": 4, "column": 10, "end_line": 4, "end_column": 17}


def test_color_only_when_asked(project: Path) -> None:
    write(project, {"bad.journey": BAD})
    assert "\x1b[" not in cli("check", str(project))[1]
    assert "\x1b[1;31merror[CJ101]" in cli("check", "--color", "always", str(project))[1]


def test_usage_and_io_errors_exit_2(project: Path) -> None:
    code, _, err = cli("check", str(project / "missing"))
    assert code == 2 and err.startswith("cjdsl: error:") and "no such file or folder" in err
    (project / "cjdsl.toml").write_text("colour = 1\n", encoding="utf-8")
    code, _, err = cli("check", str(project))
    assert code == 2 and "unknown setting `colour`" in err
    (project / "cjdsl.toml").write_text("exclude = [\n", encoding="utf-8")
    code, _, err = cli("check", str(project))
    assert code == 2 and "invalid TOML" in err
    code, _, err = cli("check", "--format", "xml", str(project))
    assert code == 2


def test_pyproject_tool_table_is_found(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[tool.cjdsl]\nexclude = ["skip/*"]\n', "skip/bad.journey": BAD, "ok.journey": GOOD})
    code, _, err = cli("check", str(tmp_path))
    assert code == 0 and "1 file checked" in err


def test_fmt_check_diff_and_write(project: Path) -> None:
    messy = 'team t "T" {description "x"}\n'
    write(project, {"a.journey": messy, "b.journey": 'team u "U"\n'})
    code, out, err = cli("fmt", "--check", str(project))
    assert (code, out) == (1, "Would reformat: a.journey\n")
    assert "1 file would be reformatted, 1 left unchanged" in err
    code, out, _ = cli("fmt", "--diff", str(project))
    assert code == 1 and '-team t "T" {description "x"}' in out and '+  description "x"' in out
    assert (project / "a.journey").read_text(encoding="utf-8") == messy  # --check/--diff change nothing
    code, _, err = cli("fmt", str(project))
    assert code == 0 and "1 file reformatted" in err
    assert (project / "a.journey").read_text(encoding="utf-8") == 'team t "T" {\n  description "x"\n}\n'
    assert cli("fmt", "--check", str(project))[0] == 0


def test_fmt_leaves_broken_files_alone(project: Path) -> None:
    write(project, {"broken.journey": "stage s {\n"})
    code, _, err = cli("fmt", str(project))
    assert code == 1 and "CJ004" in err and "could not be formatted" in err
    assert (project / "broken.journey").read_text(encoding="utf-8") == "stage s {\n"


def test_build_writes_atomically_and_refuses_foreign_folders(project: Path) -> None:
    write(project, {"j.journey": GOOD})
    out = project / "site"
    code, _, err = cli("build", str(project / "j.journey"), "-o", str(out))
    assert code == 0, err
    assert (out / "json" / "j.json").is_file() and (out / MARKER).is_file()
    assert "json/j.json" in (out / MARKER).read_text(encoding="utf-8")
    # A failing build leaves the previous output as it was.
    before = (out / "json" / "j.json").read_bytes()
    write(project, {"j.journey": BAD})
    code, _, err = cli("build", str(project / "j.journey"), "-o", str(out))
    assert code == 1 and "nothing written" in err
    assert (out / "json" / "j.json").read_bytes() == before
    # A folder cjdsl did not write is never replaced.
    write(project, {"j.journey": GOOD, "mine/notes.txt": "keep me"})
    code, _, err = cli("build", str(project / "j.journey"), "-o", str(project / "mine"))
    assert code == 2 and "was not written by cjdsl build" in err
    assert (project / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not [p for p in project.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]


def test_build_only_and_unknown_backend(project: Path) -> None:
    write(project, {"j.journey": GOOD})
    code, _, err = cli("build", str(project), "-o", str(project / "out"), "--only", "jsn")
    assert code == 2 and "unknown backend `jsn`; did you mean `json`?" in err
    code, _, _ = cli("build", str(project), "-o", str(project / "out"), "--only", "json")
    assert code == 0


def test_render_to_stdout_and_file(project: Path) -> None:
    write(project, {"j.journey": GOOD, "lib.journey": 'team t "T"\n'})
    code, out, _ = cli("render", "--to", "json", str(project / "j.journey"))
    assert code == 0 and json.loads(out)["journey"]["id"] == "j"
    code, _, _ = cli("render", "--to", "json", str(project / "j.journey"), "-o", str(project / "j.json"))
    assert code == 0 and json.loads((project / "j.json").read_text(encoding="utf-8"))["stages"][0]["id"] == "s"
    code, _, err = cli("render", "--to", "json", str(project / "lib.journey"))
    assert code == 2 and "declares no journey" in err


def test_internal_errors_are_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import cjdsl.cli

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cjdsl.cli, "compile_project", boom)
    monkeypatch.delenv("CJDSL_DEBUG", raising=False)
    assert run(["check", str(EXAMPLES)]) == 2
    err = capsys.readouterr().err
    assert err == "cjdsl: internal error: RuntimeError: kaboom (set CJDSL_DEBUG=1 for a traceback)\n"


def test_python_dash_m_and_binary_input(tmp_path: Path) -> None:
    (tmp_path / "bin.journey").write_bytes(b"\x00\xff\xfe garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "cjdsl", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "error[CJ006]: the file contains a NUL byte" in proc.stdout


def test_a_50_mb_file_is_refused_quickly(tmp_path: Path) -> None:
    (tmp_path / "huge.journey").write_bytes(b'team t "' + b"x" * (50 * 1024 * 1024) + b'"\n')
    code, out, _ = cli("check", "--format", "concise", str(tmp_path))
    assert code == 1
    assert out == "huge.journey:1:1: error[CJ007] the file is 50.0 MB; the limit is 20.0 MB\n"


def test_check_loads_only_what_checking_needs(tmp_path: Path) -> None:
    """A cold `cjdsl check` must not pay for what other commands use: the template engine,
    Graphviz, JSON Schema, Lark (clean files use the shipped tables), worker processes,
    or the tracking plan's formats (only a project with a tracking.lock.json needs them)."""
    (tmp_path / "hr.journey").write_bytes((EXAMPLES / "hr_saas.journey").read_bytes())
    heavy = ["jinja2", "graphviz", "jsonschema", "lark", "multiprocessing", "concurrent.futures", "cjdsl.tracking.emit"]
    code = (
        "import sys; from cjdsl.cli import main\n"
        "try:\n    main(['check', 'hr.journey'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
    # With a lock file the plan is compared with it, so its formats load then.
    (tmp_path / "tracking.lock.json").write_bytes((EXAMPLES / "tracking.lock.json").read_bytes())
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "['cjdsl.tracking.emit']", out.stdout + out.stderr
