"""The command line contract: commands, formats, exit codes, atomic output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import cjdsl
from cjdsl import __version__
from cjdsl.cli import main, run
from cjdsl.fs import MARKER
from tests.conftest import EXAMPLES, ROOT, write

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
    import cjdsl.cli.common

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cjdsl.cli.common, "compile_project", boom)
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


# -- the backend registry: the one way to backends ------------------------------------------


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The backend registry, with the built-in backends loaded; backends a test
    registers in it are gone after the test."""
    import importlib

    b = importlib.import_module("cjdsl.backends")  # `cjdsl.backends` is also the function
    b.backends()
    base = importlib.import_module("cjdsl.backends.base")
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))
    return base._REGISTRY  # type: ignore[no-any-return]


def _recorder(name: str, links: tuple[str, ...], runs: list[str]) -> object:
    """A backend that notes when it runs and writes the paths of its linked products."""
    from cjdsl.backends import Artifact, Backend, BuildContext, Product

    def build(ctx: BuildContext) -> list[Artifact]:
        runs.append(name)
        return [Artifact.text(f"{name}/linked.txt", "text/plain", "".join(f"{p.path}\n" for p in ctx.linked))]

    def render(j: object, ctx: BuildContext) -> Artifact:
        return build(ctx)[0]

    return Backend(name, "a test backend", render, build, links=links, products=(Product(f"{name}/linked.txt"),))


def test_build_order_comes_from_the_declared_links(project: Path, registry: dict[str, object]) -> None:
    """`aaa` sorts first by name but links to `mermaid` and to `zzz`, which links to
    `json`: each is built after what it links to, and sees the paths (not the bytes)
    of what those wrote."""
    import cjdsl
    from cjdsl.backends import build_order, register
    from cjdsl.backends.build import build

    runs: list[str] = []
    register(_recorder("aaa", ("mermaid", "zzz"), runs))  # type: ignore[arg-type]
    register(_recorder("zzz", ("json",), runs))  # type: ignore[arg-type]
    assert build_order(["aaa", "zzz", "json", "mermaid"]) == ["json", "mermaid", "zzz", "aaa"]
    assert build_order(["zzz", "aaa"]) == ["zzz", "aaa"]  # a link to a backend not selected orders nothing
    write(project, {"j.journey": GOOD})
    result = build(cjdsl.check([project]), ["aaa", "mermaid", "zzz", "json"], None)
    assert runs == ["zzz", "aaa"]
    assert list(result.counts) == ["json", "mermaid", "zzz", "aaa"]
    assert result.files["zzz/linked.txt"] == b"json/journey.schema.json\njson/j.json\n"
    linked = result.files["aaa/linked.txt"].decode().splitlines()
    assert linked == ["mermaid/j.journey.mmd", "mermaid/j.flow.mmd", "mermaid/j.md", "zzz/linked.txt"]
    # The CLI builds in the same order and writes the same files.
    code, _, err = cli("build", str(project), "-o", str(project / "out"), "--only", "aaa,mermaid")
    assert code == 0, err
    assert (project / "out" / "aaa" / "linked.txt").read_text(encoding="utf-8").splitlines() == linked[:3]


def test_links_in_a_cycle_or_to_nothing_are_refused(registry: dict[str, object]) -> None:
    from cjdsl.backends import build_order, register

    register(_recorder("ping", ("pong",), []))  # type: ignore[arg-type]
    register(_recorder("pong", ("ping",), []))  # type: ignore[arg-type]
    register(_recorder("lost", ("no-such-backend",), []))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cycle: ping, pong"):
        build_order(["ping", "pong", "json"])
    with pytest.raises(ValueError, match="'lost' links to 'no-such-backend'"):
        build_order(["lost"])


def test_the_built_in_order_puts_the_site_after_what_it_links() -> None:
    from cjdsl.backends import backends, build_order

    order = build_order(list(backends()))
    assert sorted(order) == sorted(backends())
    for name in ("graphviz", "tracking"):
        assert name in backends()["html"].links and order.index(name) < order.index("html")


def test_every_built_file_is_declared_by_its_backend() -> None:
    """The declarations are what other backends link through: every file of a build of
    the examples is declared by the backend that wrote it (the tracking plan's
    per-event schemas are named after the events, and the only undeclared ones), and
    every declared file is written (the per-stage diagrams and the diagram viewers too)."""
    import cjdsl
    from cjdsl.backends import backends
    from cjdsl.backends.build import build

    project = cjdsl.check([EXAMPLES])
    result = build(project, list(backends()), lambda source, fmt: b"<svg/>")
    for name, made in result.paths.items():
        declared = {p.path for p in backends()[name].declared(project.journeys)}
        undeclared = {p for p in made - declared if not p.startswith(("tracking/jsonschema/", "tracking/snowplow/"))}
        assert not undeclared, (name, sorted(undeclared)[:5])
        unwritten = declared - made
        assert not unwritten, (name, sorted(unwritten)[:5])
    assert set(result.paths) == {"graphviz", "html", "json", "mermaid", "tracking"}


def test_render_finds_views_and_aliases_through_the_registry(project: Path, registry: dict[str, object]) -> None:
    """A backend that offers views is a diagram target: `--view` and `--persona` reach
    its views, by its name or an alias; an unknown view is a usage error in its words."""
    from cjdsl.backends import Artifact, Backend, BuildContext, UnknownView, Views, register

    def source(j: cjdsl.ResolvedJourney, view: str, persona: str | None) -> str:
        if view not in ("journey", "stages"):
            raise UnknownView(f"no view `{view}` in outlines")
        return f"{j.id}:{view}:{persona}\n"

    def render(j: cjdsl.ResolvedJourney, ctx: BuildContext) -> Artifact:
        return Artifact.text(f"outline/{j.id}.txt", "text/plain", "main artifact\n")

    register(Backend("outline", "a test backend with views", render, aliases=("ol",), views=Views(source)))
    write(project, {"j.journey": GOOD})
    path = str(project / "j.journey")
    assert cli("render", "--to", "outline", path) == (0, "j:journey:None\n", "")
    assert cli("render", "--to", "ol", "--view", "stages", "--persona", "p", path)[:2] == (0, "j:stages:p\n")
    code, _, err = cli("render", "--to", "outline", "--view", "side", path)
    assert code == 2 and "no view `side` in outlines" in err
    # A backend without views takes no --view; the message names the diagram targets.
    code, _, err = cli("render", "--to", "json", "--view", "stages", path)
    assert code == 2 and "--persona and --view apply to diagrams (--to graphviz, dot, outline, ol, svg, png or pdf)" in err
    code, _, err = cli("render", "--to", "outlin", path)
    assert code == 2 and "unknown target `outlin`; did you mean `outline`?" in err
    # `cjdsl.render` goes through the registry too, and gives the backend's main artifact.
    (j,) = cjdsl.check([project]).journeys
    assert cjdsl.render("outline", j).content == b"main artifact\n"


def test_render_help_lists_every_target_the_registry_offers() -> None:
    from cjdsl.backends import backends
    from cjdsl.backends.layout import FORMATS

    text = " ".join(CliRunner().invoke(main, ["render", "--help"]).stdout.split())
    for backend in backends().values():
        for name in (backend.name, *backend.aliases):
            assert f"{name} (" in text or f"{name} or" in text, name
    for fmt in FORMATS:
        assert fmt in text, fmt
