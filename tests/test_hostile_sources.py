"""Hostile sources, as a pull request from a fork would bring them: revisions that are
options, links out of the checkout, templates that try to run code, outputs that are
not regular files, FIFOs and huge files, malformed settings and lock files, and inputs
that used to crash. Each class is tried with several variants; each must end in a
diagnostic or a one-line error (exit 2), never a traceback, a hang, a read outside the
project or a write through a link."""

from __future__ import annotations

import html
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cjdsl
from cjdsl.project.config import ConfigError, load_config
from cjdsl.tracking import LockError
from cjdsl.tracking.lock import read as read_lock
from tests.conftest import EXAMPLES, IN_CI, git, invoke, mutants, write

SECRET = "hunter2-secret"
JOURNEY = 'journey j "J" {\n  version "1"\n}\n'


def cli(*args: str, cwd: Path, timeout: float = 60, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """cjdsl in a process of its own, for what must not hang or must not touch this one."""
    return subprocess.run(
        [sys.executable, "-m", "cjdsl", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
    )  # type: ignore[call-overload,no-any-return]


needs_git = pytest.mark.skipif(shutil.which("git") is None and not IN_CI, reason="git is not installed")


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    """A git repository with a journey, a shared file reached through an in-repo link,
    and a secret beside the repository."""
    (tmp_path / "secret.journey").write_text(f'persona s "{SECRET}"\n', encoding="utf-8")
    root = tmp_path / "repo"
    write(root, {"j.journey": 'include "shared/people.journey"\n' + JOURNEY, "real/people.journey": 'persona p "P"\n'})
    (root / "shared").symlink_to("real")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one")
    yield root


# -- revisions are arguments, not options ------------------------------------------------


@needs_git
@pytest.mark.parametrize("rev", ["--output={victim}", "--output", "-o{victim}", "--list", "-", "--end-of-options"])
def test_a_revision_that_looks_like_an_option_is_refused(repo: Path, rev: str) -> None:
    victim = repo.parent / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    code, _, err = invoke("diff", f"git:{rev.format(victim=victim)}", ".", cwd=repo)
    assert code == 2 and "cannot start with `-`" in err
    assert victim.read_text(encoding="utf-8") == "keep me"


@needs_git
@pytest.mark.parametrize("path", ["/etc", "../..", "..", "real/../..", "a/../../b", "\\\\etc"])
def test_a_path_inside_a_revision_stays_inside_it(repo: Path, path: str) -> None:
    code, _, err = invoke("diff", f"git:HEAD:{path}", ".", cwd=repo)
    assert code == 2 and "stay inside the revision" in err


@needs_git
def test_a_revision_keeps_its_in_repo_links_and_drops_links_out(repo: Path) -> None:
    (repo / "out.journey").symlink_to(repo.parent / "secret.journey")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a link out")
    (repo / "out.journey").unlink()
    code, out, err = invoke("diff", "git:HEAD", ".", cwd=repo)
    assert code == 0, err  # the include through `shared -> real` resolved at the revision
    assert SECRET not in out + err
    code, _, err = invoke("diff", "git:no-such-revision", ".", cwd=repo)
    assert code == 2 and "names no commit" in err


@needs_git
def test_the_settings_of_a_revision_come_from_it_or_the_defaults(repo: Path, tmp_path: Path) -> None:
    # A world-writable folder above the temporary checkout holds a hostile cjdsl.toml.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    (scratch / "cjdsl.toml").write_text('select = ["no-such-rule"]\n', encoding="utf-8")
    env = {**os.environ, "TMPDIR": str(scratch)}
    done = cli("diff", "git:HEAD", ".", cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    done = cli("diff", "git:HEAD", "git:HEAD", cwd=repo, env=env)
    assert done.returncode == 0, done.stderr


# -- --safe confines every read -----------------------------------------------------------


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A checkout whose committed link `journeys -> ..` leads above it, beside a secret."""
    (tmp_path / "secret.journey").write_text(f'persona s "{SECRET}"\n', encoding="utf-8")
    root = tmp_path / "checkout"
    write(root, {"j.journey": JOURNEY, ".git/HEAD": "ref: refs/heads/main\n"})
    (root / "journeys").symlink_to("..")
    return root


@pytest.mark.parametrize(
    "args",
    [
        ("check", "journeys"),
        ("check", "journeys/secret.journey"),
        ("build", "journeys", "-o", "site"),
        ("fmt", "journeys"),
        ("fmt", "--diff", "journeys"),
        ("events", "validate", "journeys", "events.jsonl"),
        ("render", "--to", "json", "journeys/secret.journey"),
    ],
)
def test_a_link_argument_cannot_move_the_root_out_of_the_checkout(checkout: Path, args: tuple[str, ...]) -> None:
    (checkout / "events.jsonl").write_text("", encoding="utf-8")
    code, out, err = invoke("--safe", *args, cwd=checkout)
    assert code == 2, (out, err)
    assert SECRET not in out + err and "--safe" in err
    assert (checkout.parent / "secret.journey").read_text(encoding="utf-8") == f'persona s "{SECRET}"\n'


def test_includes_and_links_out_of_the_root_are_not_read_under_safe(checkout: Path) -> None:
    write(checkout, {"a.journey": 'include "../secret.journey"\njourney a "A"\n'})
    (checkout / "b.journey").symlink_to(checkout.parent / "secret.journey")
    code, out, err = invoke("--safe", "check", ".", cwd=checkout)
    assert code == 2 and SECRET not in out + err
    (checkout / "b.journey").unlink()
    code, out, err = invoke("--safe", "check", "--format", "concise", ".", cwd=checkout)
    assert code == 1 and "CJ152" in out and SECRET not in out + err


def test_fmt_never_writes_through_a_link_or_outside_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside.journey"
    original = 'persona   x   "X"\n'
    outside.write_text(original, encoding="utf-8")
    root = tmp_path / "project"
    write(root, {"cjdsl.toml": "", "j.journey": JOURNEY})
    (root / "link.journey").symlink_to(outside)
    for args in (("fmt", "."), ("--safe", "fmt", ".")):
        code, _, err = invoke(*args, cwd=root)
        assert code in (1, 2) and outside.read_text(encoding="utf-8") == original, err
        assert (root / "link.journey").is_symlink()


def test_the_safe_limit_counts_included_files_before_reading_them(project: Path) -> None:
    includes = []
    for i in range(3):
        big = project / f"big{i}.journey"
        with big.open("wb") as fh:
            fh.truncate(20 * 1024 * 1024)  # sparse: 20 MB that cost no disk
        includes.append(f'include "big{i}.journey"\n')
    write(project, {"j.journey": "".join(includes) + JOURNEY})
    code, _, err = invoke("--safe", "check", str(project / "j.journey"))
    assert code == 2 and "50 MB" in err


def test_a_huge_file_is_refused_without_being_read(project: Path) -> None:
    huge = project / "huge.journey"
    with huge.open("wb") as fh:
        fh.truncate(1024**3)  # 1 GB, sparse
    write(project, {"j.journey": 'include "huge.journey"\n' + JOURNEY})
    done = cli("check", "--format", "concise", "j.journey", cwd=project, timeout=20)
    assert done.returncode == 1 and "CJ007" in done.stdout and "1024.0 MB" in done.stdout


@pytest.mark.parametrize("where", ["given", "included"])
def test_a_fifo_named_journey_does_not_hang(project: Path, where: str) -> None:
    os.mkfifo(project / "fifo.journey")
    write(project, {"j.journey": ('include "fifo.journey"\n' if where == "included" else "") + JOURNEY})
    target = "fifo.journey" if where == "given" else "j.journey"
    for args in (("check", "--format", "concise", target), ("fmt", "--check", "fifo.journey"), ("--safe", "check", target)):
        done = cli(*args, cwd=project, timeout=20)
        assert done.returncode == 1, done.stderr
        assert "not a regular file" in done.stdout + done.stderr


def test_a_link_loop_is_a_diagnostic(project: Path) -> None:
    (project / "a.journey").symlink_to("b.journey")
    (project / "b.journey").symlink_to("a.journey")
    write(project, {"j.journey": 'include "a.journey"\n' + JOURNEY})
    for args in (("check", "."), ("check", "j.journey"), ("fmt", "--check", "."), ("--safe", "check", ".")):
        code, out, err = invoke(*args, cwd=project)
        assert code == 1, (args, out, err)
        assert "internal error" not in err


# -- templates cannot run code ------------------------------------------------------------

ATTACKS = [
    "{{ cycler.__init__.__globals__.os.system('touch {marker}') }}",
    "{{ joiner.__init__.__globals__['os'].popen('touch {marker}').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% set g = namespace.__init__.__globals__ %}{{ g.os.system('touch {marker}') }}",
    "{{ lipsum.__globals__['os'].system('touch {marker}') }}",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_templates_run_no_code(project: Path, attack: str) -> None:
    marker = project / "pwned"
    templates = project / "templates"
    write(project, {"j.journey": JOURNEY})
    write(templates, {"index.html": attack.replace("{marker}", str(marker))})
    code, _, err = invoke(
        "build", str(project / "j.journey"), "-o", str(project / "site"), "--only", "html", "--templates", str(templates)
    )
    assert code == 2 and "template error" in err, err
    assert not marker.exists()
    code, _, err = invoke("--safe", "build", ".", "-o", "site", "--templates", "templates", cwd=project)
    assert code == 2 and "--templates is refused under --safe" in err


def test_the_built_in_templates_render_as_before_in_the_sandbox(tmp_path: Path) -> None:
    code, _, err = invoke("build", str(EXAMPLES), "-o", str(tmp_path / "site"), "--only", "html")
    assert code == 0, err
    page = (tmp_path / "site" / "journeys" / "hr_saas.html").read_text(encoding="utf-8")
    assert "Reads an article" in page or "hr_saas" in page


# -- outputs replace only regular files ---------------------------------------------------


def test_render_writes_to_a_device_named_on_purpose(project: Path) -> None:
    write(project, {"j.journey": JOURNEY})
    for device in ("/dev/null", "/dev/stdout"):
        code, _, err = invoke("render", "--to", "json", str(project / "j.journey"), "-o", device)
        assert code == 0, err
    link = project / "out.json"
    link.symlink_to("/dev/null")
    assert invoke("render", "--to", "json", str(project / "j.journey"), "-o", str(link))[0] == 0
    assert link.is_symlink() and os.readlink(link) == "/dev/null"


def test_a_link_to_a_regular_file_is_not_replaced_or_written_through(project: Path) -> None:
    victim = project / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    write(project, {"j.journey": JOURNEY, "diagram.mmd": "journey\n  title T\n  section S\n    Task: 3: Anna\n"})
    link = project / "out.json"
    link.symlink_to(victim)
    code, _, err = invoke("render", "--to", "json", str(project / "j.journey"), "-o", str(link))
    assert code == 2 and "symbolic link" in err
    code, _, err = invoke("import", "mermaid", str(project / "diagram.mmd"), "-o", str(link), "--force")
    assert code == 2 and "symbolic link" in err
    assert link.is_symlink() and victim.read_text(encoding="utf-8") == "keep me"


def test_a_lock_file_that_is_not_a_regular_file_is_not_replaced(project: Path) -> None:
    write(project, {"j.journey": JOURNEY.replace("}\n", '}\nstage s { touchpoint t { event "E" } }\n', 1)})
    os.mkfifo(project / "tracking.lock.json")
    done = cli("build", ".", "-o", "site", "--only", "tracking", cwd=project, timeout=30)
    assert done.returncode == 2 and "not a regular file" in done.stderr
    assert (project / "tracking.lock.json").is_fifo()


def test_write_errors_end_cleanly_and_leave_the_file(project: Path) -> None:
    source = project / "j.journey"
    messy = 'journey   j   "J"   {\n version "1"\n}\n' + "".join(f'persona p{i}   "P"\n' for i in range(200))
    source.write_text(messy, encoding="utf-8")

    def small_files() -> None:  # EFBIG for any write past 1 kB
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    done = cli("fmt", "j.journey", cwd=project, preexec_fn=small_files)
    assert done.returncode == 2 and "cannot write j.journey" in done.stderr and "Traceback" not in done.stderr
    assert source.read_text(encoding="utf-8") == messy
    assert [p.name for p in project.iterdir() if p.name.endswith(".tmp")] == []
    done = cli("render", "--to", "json", "j.journey", "-o", "/dev/full", cwd=project)  # ENOSPC
    assert done.returncode == 2 and "No space left" in done.stderr


# -- source_url is a template of two placeholders ----------------------------------------


@pytest.mark.parametrize(
    "url", ["https://x.org/{path}#L{line:>30000000}", "https://x.org/{path.__class__.__mro__}", "https://x.org/{0}{}{line!r}"]
)
def test_source_url_substitutes_named_placeholders_only(project: Path, url: str) -> None:
    (project / "cjdsl.toml").write_text(f"source_url = {json.dumps(url)}\n", encoding="utf-8")
    write(project, {"j.journey": JOURNEY})
    code, _, err = invoke("build", str(project), "-o", str(project / "site"), "--only", "html")
    assert code == 0, err
    page = (project / "site" / "journeys" / "j.html").read_text(encoding="utf-8")
    # The journey's own line: every placeholder but {path} and {line} stays as written.
    expected = html.escape(url.replace("{path}", "j.journey").replace("{line}", "1"))
    assert f'href="{expected}"' in page
    assert len(page) < 200_000 and "&lt;class" not in page and "<class" not in page


# -- settings and lock files from a pull request -----------------------------------------


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", "1e9", "-inf"])
def test_max_file_size_must_be_a_sane_number(project: Path, value: str) -> None:
    (project / "cjdsl.toml").write_text(f"max_file_size_mb = {value}\n", encoding="utf-8")
    write(project, {"j.journey": JOURNEY})
    code, _, err = invoke("check", str(project))
    assert code == 2 and "max_file_size_mb" in err


@pytest.mark.parametrize("name", ["cjdsl.toml", "pyproject.toml"])
def test_deeply_nested_settings_are_an_error(tmp_path: Path, name: str) -> None:
    prefix = "[tool.cjdsl]\n" if name == "pyproject.toml" else ""
    (tmp_path / name).write_text(prefix + "exclude = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    write(tmp_path, {"j.journey": JOURNEY})
    code, _, err = invoke("check", str(tmp_path))
    assert code == 2 and "internal error" not in err


LOCKS = [
    '{"format": "cjdsl.tracking-lock", "format_version": 1, "events": {"e": 1}}',
    '{"format": "cjdsl.tracking-lock", "format_version": 1, "events": {"e": []}}',
    '{"format": "cjdsl.tracking-lock", "format_version": 1, "events": []}',
    '{"format": "cjdsl.tracking-lock", "format_version": "1", "events": {}}',
    '{"format": "cjdsl.tracking-lock", "format_version": 1.5, "events": {}}',
    '{"format": "cjdsl.tracking-lock", "format_version": 1, "events": {"e": {"name": "E", "segment_version": 1.5, '
    '"schemaver": "1-0-0", "schema": {"properties": {}, "required": []}}}}',
    '{"format": "cjdsl.tracking-lock", "format_version": 1, "events": {"e": {"name": "E", "segment_version": 1, '
    '"schemaver": "1-0-x", "schema": {"properties": {}, "required": []}}}}',
    '{"format": "cjdsl.tracking-lock", "format_version": 1, "events": {"e": {"name": "E", "segment_version": 1, '
    '"schemaver": "1-0-0", "schema": {"properties": [], "required": {}}}}}',
    '{"format": "cjdsl.tracking-lock", "format_version": 1, "events": {"e": {"name": "E", "segment_version": NaN}}}',
    "[" * 100_000,
    '{"format": "cjdsl.tracking-lock", "events": ' + "[" * 500 + "]" * 500 + "}",
    "",
]


@pytest.mark.parametrize("lock", LOCKS, ids=range(len(LOCKS)))
def test_a_malformed_lock_is_a_one_line_error(project: Path, lock: str) -> None:
    write(project, {"j.journey": JOURNEY.replace("}\n", '}\nstage s { touchpoint t { event "E" } }\n', 1)})
    (project / "tracking.lock.json").write_text(lock, encoding="utf-8")
    for args in (("check", str(project)), ("build", str(project), "-o", str(project / "site"))):
        code, _, err = invoke(*args)
        assert code == 2 and "tracking.lock.json" in err and "internal error" not in err, err
        assert len(err.strip().splitlines()) <= 2


# -- inputs that used to crash -----------------------------------------------------------


@pytest.mark.parametrize("depth", [2, 3, 400, 1000, 5000])
def test_deeply_nested_types_are_refused_not_recursed(project: Path, depth: int) -> None:
    t = "list(" * depth + "string" + ")" * depth
    write(project, {"j.journey": JOURNEY + f'stage s {{ touchpoint t {{ event "E" {{ x {t} }} }} }}\n'})
    for args in (("check", "--format", "concise", "."), ("fmt", "--check", "."), ("build", ".", "-o", "site")):
        code, out, err = invoke(*args, cwd=project)
        assert "internal error" not in err, (args, err)
    code, out, _ = invoke("check", "--format", "concise", ".", cwd=project)
    assert code == 1 and out.count("CJ105") == 1 and "lists of lists are not supported" in out


@pytest.mark.parametrize(
    "text",
    [
        "persona p { age " + "9" * 5000 + " }",
        "persona p { age " + "9" * 400 + " }",
        "stage s { touchpoint t { emotion -" + "1" * 300 + " } }",
        'stage s { touchpoint t { event "E" { n number min 0.' + "5" * 400 + " } } }",
        'stage s { touchpoint t { event "E" { n integer max ' + "9" * 40 + " } } }",
    ],
)
def test_numbers_with_hundreds_of_digits_are_diagnostics(project: Path, text: str) -> None:
    write(project, {"j.journey": JOURNEY + text + "\n"})
    for args in (("check", "."), ("build", ".", "-o", "site")):
        code, out, err = invoke(*args, cwd=project)
        assert code == 1 and "CJ103" in out + err and "internal error" not in err


@pytest.mark.parametrize("path", ["a\\u{0}b.journey", "\\u{0}", "x\\u{1B}[2J.journey", "a\\nb.journey"])
def test_control_characters_in_an_include_path_are_diagnostics(project: Path, path: str) -> None:
    write(project, {"j.journey": f'include "{path}"\n' + JOURNEY})
    code, out, err = invoke("check", "--format", "concise", ".", cwd=project)
    assert code == 1 and "internal error" not in err
    assert "\x1b" not in out + err and "\x00" not in out + err


def test_two_event_names_with_one_id_stop_check_and_build(project: Path) -> None:
    write(
        project,
        {"j.journey": JOURNEY + 'stage s {\n  touchpoint a { event "Page Viewed" }\n  touchpoint b { event "page_viewed" }\n}\n'},
    )
    code, out, _ = invoke("check", "--format", "concise", ".", cwd=project)
    assert code == 1 and "CJ108" in out
    code, _, err = invoke("build", ".", "-o", "site", cwd=project)
    assert code == 1 and "internal error" not in err


def test_event_names_are_compared_in_one_unicode_form(project: Path) -> None:
    nfc, nfd = "Caf\u00e9 Visited", "Cafe\u0301 Visited"
    write(
        project,
        {
            "j.journey": JOURNEY
            + f'stage s {{\n  touchpoint a {{ event "{nfc}" {{ n integer }} }}\n'
            + f'  touchpoint b {{ event "{nfd}" {{ n string }} }}\n}}\n'
        },
    )
    project_ = cjdsl.check([project])
    names = {e.name for tp in project_.journeys[0].touchpoints for e in tp.events}
    assert names == {nfc}
    assert [d.code for d in project_.diagnostics if d.code == "CJ217"] == ["CJ217"]


@pytest.mark.parametrize("timeout", ["nan", "-1", "0", "inf", "1e300"])
def test_render_timeout_must_be_a_sane_number(project: Path, timeout: str) -> None:
    write(project, {"j.journey": JOURNEY})
    code, _, err = invoke("render", "--to", "svg", "--timeout", timeout, str(project / "j.journey"))
    assert code == 2 and "--timeout" in err


# -- wrong results -----------------------------------------------------------------------


def test_a_stage_without_a_phase_makes_no_empty_font_element(project: Path) -> None:
    from cjdsl.backends.graphviz_dot import journey_dot, overview_dot

    write(project, {"j.journey": JOURNEY + 'stage s "No phase" {\n  touchpoint t\n}\n'})
    journey = cjdsl.check([project]).journeys[0]
    for dot in (overview_dot(journey), journey_dot(journey)):
        assert "></FONT>" not in dot


def test_a_closed_pipe_is_not_an_input_error() -> None:
    read, write_end = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cjdsl", "rules"], stdout=write_end, stderr=subprocess.PIPE, timeout=60, check=False
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141 and b"Traceback" not in done.stderr


def test_no_temporary_file_is_left_behind(tmp_path: Path) -> None:
    before = set(os.listdir(tempfile.gettempdir()))
    write(tmp_path, {"j.journey": JOURNEY})
    invoke("render", "--to", "json", str(tmp_path / "j.journey"), "-o", str(tmp_path / "out.json"))
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert set(os.listdir(tempfile.gettempdir())) - before <= {
        n for n in os.listdir(tempfile.gettempdir()) if n.startswith("pytest")
    }


# -- fuzzing the new surfaces: lock files and settings ------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)
LOCK_KEYS = st.sampled_from(["name", "segment_version", "schemaver", "schema", "previous_segment", "properties", "required"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(max_size=6), st.dictionaries(LOCK_KEYS, JSON, max_size=5), max_size=3), JSON)
def test_any_lock_is_read_or_refused_with_a_lock_error(events: dict[str, object], version: object) -> None:
    text = json.dumps({"format": "cjdsl.tracking-lock", "format_version": version, "events": events})
    try:
        read_lock(text)
    except LockError as err:
        assert "tracking.lock.json" in str(err)


def test_mutated_locks_are_read_or_refused_with_a_lock_error(project: Path) -> None:
    from cjdsl.tracking.lock import update
    from cjdsl.tracking.plan import build_plan

    text = (EXAMPLES / "tracking.lock.json").read_text(encoding="utf-8")
    plan = build_plan(cjdsl.check([EXAMPLES]).journeys)
    for broken in mutants(text, "lock", cuts=20, count=300, inserts=["[", "{", "1.5", '"x"', "null", "-1", "]"], swaps=True):
        try:
            lock = read_lock(broken)
        except LockError:
            continue
        update(lock, plan)  # whatever was accepted, the build can use


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(["exclude", "max_file_size_mb", "source_url", "select", "ignore", "strict", "rules", "tracking", "x"]),
        JSON,
        max_size=4,
    )
)
def test_any_settings_table_loads_or_is_a_config_error(
    tmp_path_factory: pytest.TempPathFactory, table: dict[str, object]
) -> None:
    import tomllib

    folder = tmp_path_factory.mktemp("settings")

    def toml(value: object) -> str:
        return (
            json.dumps(value)
            if not isinstance(value, dict)
            else "{" + ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items()) + "}"
        )

    lines = [f"{json.dumps(k)} = {toml(v)}" for k, v in table.items() if v is not None and not _has_none(v)]
    text = "\n".join(lines) + "\n"
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # not TOML: another test covers invalid files
    (folder / "cjdsl.toml").write_text(text, encoding="utf-8")
    try:
        load_config([folder])
    except ConfigError:
        pass


def _has_none(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, list):
        return any(_has_none(v) for v in value)
    if isinstance(value, dict):
        return any(_has_none(v) for v in value.values())
    return False


# -- control characters: refused where they are written -----------------------------------

CONTROLS = ["\x00", "\x07", "\x1b", "\r", "\x7f", "\x85", "\x9b", "\u2028", "\u2029"]
PLACES = [
    'journey j "{x}" {{\n  version "1"\n}}\n',
    'journey j "J" {{\n  description """\n    two {x} lines\n  """\n}}\n',
    'journey j "J"\nstage s {{ touchpoint t {{ event "Page{x}Viewed" {{ p string "about {x}" }} }} }}\n',
    'journey j "J"\npersona p "P" {{ goal "{x}" }}\n',
    'journey j "J"\nstage s {{ touchpoint t {{ event "E" {{ p enum("a{x}", "b") }} }} }}\n',
]


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
@pytest.mark.parametrize("place", range(len(PLACES)))
@pytest.mark.parametrize("written", ["raw", "escaped"])
def test_a_control_character_in_text_is_refused_everywhere(project: Path, control: str, place: int, written: str) -> None:
    value = control if written == "raw" else f"\\u{{{ord(control):X}}}"
    if written == "raw" and control == "\r" and place != 1:
        value = "\\r"  # a raw CR ends a one-line string; the escape is what a file would hold
    (project / "j.journey").write_bytes(PLACES[place].format(x=value).encode("utf-8"))
    code, out, err = invoke("check", "--format", "concise", str(project))
    expected = "CJ006" if written == "raw" and control == "\x00" else "CJ009"  # a NUL byte makes the file binary
    assert code == 1 and expected in out, (out, err)
    code, out, err = invoke("check", str(project))  # the full report shows the source line
    assert control not in out + err
    code, out, err = invoke("build", str(project), "-o", str(project / "site"))
    assert code == 1 and not (project / "site").exists()
    assert control not in out + err


def test_a_huge_pattern_is_refused_before_it_is_compiled(project: Path) -> None:
    pattern = "(a|b)" * 20_000
    write(project, {"j.journey": JOURNEY + f'stage s {{ touchpoint t {{ event "E" {{ p string pattern "{pattern}" }} }} }}\n'})
    code, out, _ = invoke("check", "--format", "concise", str(project))
    assert code == 1 and "CJ106" in out and "at most 1,000 are taken" in out
